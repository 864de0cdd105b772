"""Owners hear two weeks before a section's review date, then weekly once it has passed;
never twice for the same reason, however often the beat job runs."""

import datetime

import pytest
from django.conf import settings

from ess.notifications.kinds import get_kind
from ess.notifications.models import Notification, OutboxMessage
from handbook import services, tasks
from tests.handbook.factories import draft_section, published_section

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)


def _days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def test_the_reminder_kind_and_beat_job_are_registered():
    assert get_kind("handbook_review").email_by_default
    beat = settings.CELERY_BEAT_SCHEDULE["handbook-review-reminders"]
    assert beat["task"] == "handbook.tasks.send_review_reminders"


def test_owner_is_reminded_once_before_the_review_date_even_if_the_job_runs_twice_a_day(
    employee, django_capture_on_commit_callbacks, mailoutbox
):
    section = published_section(owner=employee, review_by=_days(14), title="Pension")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.review_reminders_send(today=TODAY) == 1
        assert services.review_reminders_send(today=TODAY) == 0
        # Still due soon tomorrow, but the owner already knows.
        assert services.review_reminders_send(today=_days(1)) == 0

    note = Notification.objects.get()
    assert note.recipient == employee
    assert note.kind == "handbook_review"
    assert note.title == "Handbook: “Pension” is due for review on 2026-12-04"
    assert note.url == section.get_absolute_url()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [employee.email]
    assert OutboxMessage.objects.count() == 1


def test_a_lapsed_section_reminds_its_owner_every_week(employee):
    published_section(owner=employee, review_by=_days(-1))
    sent = [services.review_reminders_send(today=_days(n)) for n in range(15)]
    # Lapsed for 1 day → week 0; day 7 after lapse → week 1; day 14 → week 2.
    assert sent == [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    for title in Notification.objects.values_list("title", flat=True):
        assert title.endswith("was due for review on 2026-11-19")


def test_nothing_is_sent_for_drafts_distant_dates_or_people_who_left(employee, other_employee):
    draft_section(owner=employee, review_by=_days(-3))
    published_section(owner=employee, review_by=_days(15))
    other_employee.is_active = False
    other_employee.save()
    published_section(owner=other_employee, review_by=_days(-3))
    assert services.review_reminders_send(today=TODAY) == 0
    assert not Notification.objects.exists()


def test_a_new_review_date_starts_a_new_round_of_reminders(employee):
    section = published_section(owner=employee, review_by=_days(3))
    assert services.review_reminders_send(today=TODAY) == 1
    section.review_by = _days(10)
    section.save()
    assert services.review_reminders_send(today=TODAY) == 1


def test_the_reminder_is_written_in_the_owners_language(employee):
    employee.language = "nl"
    employee.save()
    published_section(owner=employee, review_by=_days(2), title="Pensioen")
    services.review_reminders_send(today=TODAY)
    title = Notification.objects.get().title
    assert "Pensioen" in title


def test_the_beat_task_is_a_thin_shell_around_the_service(employee, monkeypatch):
    monkeypatch.setattr(services, "review_reminders_send", lambda: 7)
    assert tasks.send_review_reminders() == 7
