"""Report digests: subscribing, the figures sent, and never twice for the same period."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from ess.audit.models import AuditEvent
from ess.notifications.models import Notification, OutboxMessage
from ess.notifications.services import outbox_relay
from ess.reports import digests
from ess.reports.models import DigestDelivery, DigestSubscription
from ess.reports.tasks import send_digests
from hr.services import manager_role_sync
from tests.factories import EmployeeFactory

D = datetime.date
MONDAY = D(2026, 11, 23)


@pytest.fixture
def mila(db):
    boss = EmployeeFactory(user__email="mila@example.org", user__first_name="Mila")
    for day in (D(2026, 11, 17), D(2026, 11, 18), D(2026, 10, 7)):
        EmployeeFactory(manager=boss, start_date=day)
    manager_role_sync()
    return boss.user


def _subscribe(client, user, frequency, **filters):
    client.force_login(user)
    return client.post(
        reverse("reports:subscribe", args=["team"]), {"frequency": frequency, **filters}
    )


def test_subscribing_from_the_report_page(client, mila):
    department = mila.employee.department
    response = _subscribe(client, mila, "weekly", department=department.pk)
    assert response.status_code == 302
    subscription = DigestSubscription.objects.get(user=mila)
    assert (subscription.report, subscription.frequency) == ("team", "weekly")
    assert subscription.department == department
    assert AuditEvent.objects.filter(action="reports.digest_subscribed", actor=mila).exists()
    page = client.get(reverse("reports:digests")).content.decode()
    assert "My team" in page
    assert department.name in page


def test_a_weekly_digest_is_sent_once_for_last_week(
    client, mila, django_capture_on_commit_callbacks
):
    _subscribe(client, mila, "weekly")
    with django_capture_on_commit_callbacks(execute=True):
        assert digests.digests_send_due(today=MONDAY) == 1
        # The beat job runs every day: the rest of the week finds last week already sent.
        for offset in range(1, 7):
            today = MONDAY + datetime.timedelta(days=offset)
            assert digests.digests_send_due(today=today) == 0
    notification = Notification.objects.get(recipient=mila, kind="reports.digest")
    assert "2026-11-16" in notification.title
    assert "2026-11-22" in notification.title
    # Two people joined in that week (17 and 18 November).
    assert "- Joiners: 2" in notification.body
    assert "previous period: 0" in notification.body
    assert "start=2026-11-16" in notification.url
    delivery = DigestDelivery.objects.get()
    assert (delivery.period_start, delivery.period_end) == (D(2026, 11, 16), D(2026, 11, 22))
    assert OutboxMessage.objects.filter(to=mila.email).count() == 1
    outbox_relay()
    outbox_relay()
    assert len(mail.outbox) == 1
    assert "Joiners: 2" in mail.outbox[0].body


def test_the_next_week_sends_the_next_digest(client, mila):
    _subscribe(client, mila, "weekly")
    digests.digests_send_due(today=MONDAY)
    assert digests.digests_send_due(today=MONDAY + datetime.timedelta(days=7)) == 1
    assert DigestDelivery.objects.count() == 2


def test_a_monthly_digest_covers_the_last_month(client, mila):
    _subscribe(client, mila, "monthly")
    assert digests.digests_send_due(today=D(2026, 11, 1)) == 1
    assert digests.digests_send_due(today=D(2026, 11, 30)) == 0
    notification = Notification.objects.get(recipient=mila)
    assert "2026-10-01" in notification.title
    assert "2026-10-31" in notification.title
    assert "- Joiners: 1" in notification.body


def test_weekly_and_monthly_are_separate_digests(client, mila):
    _subscribe(client, mila, "weekly")
    _subscribe(client, mila, "monthly")
    assert digests.digests_send_due(today=D(2026, 12, 1)) == 2
    assert digests.digests_send_due(today=D(2026, 12, 1)) == 0


def test_a_failure_claims_nothing_and_the_next_run_sends_once(client, mila, monkeypatch):
    _subscribe(client, mila, "weekly")
    real_notify = digests.notify

    def broken(**kwargs):
        raise ConnectionError("database went away")

    monkeypatch.setattr(digests, "notify", broken)
    assert digests.digests_send_due(today=MONDAY) == 0
    assert not DigestDelivery.objects.exists()
    monkeypatch.setattr(digests, "notify", real_notify)
    assert digests.digests_send_due(today=MONDAY) == 1
    assert digests.digests_send_due(today=MONDAY) == 0
    assert Notification.objects.filter(recipient=mila).count() == 1


def test_the_beat_task_sends_due_digests(client, mila):
    _subscribe(client, mila, "weekly")
    assert send_digests.delay().get() == 1
    assert send_digests.delay().get() == 0


def test_someone_who_lost_their_team_gets_no_digest(client, mila):
    _subscribe(client, mila, "weekly")
    for person in mila.employee.direct_reports.all():
        person.manager = None
        person.save()
    manager_role_sync()
    mila.refresh_from_db()
    assert digests.digests_send_due(today=MONDAY) == 0
    assert not Notification.objects.exists()


def test_subscribing_to_a_report_one_may_not_read_is_refused(client, employee):
    client.force_login(employee)
    response = client.post(reverse("reports:subscribe", args=["team"]), {"frequency": "weekly"})
    assert response.status_code == 403
    assert not DigestSubscription.objects.exists()


def test_an_unknown_frequency_is_refused_with_a_message(client, mila):
    response = _subscribe(client, mila, "hourly")
    assert response.status_code == 302
    assert not DigestSubscription.objects.exists()
    page = client.get(response.url).content.decode()
    assert "Choose weekly or monthly." in page


def test_unsubscribing_and_someone_elses_subscription(client, mila, other_employee):
    _subscribe(client, mila, "weekly")
    subscription = DigestSubscription.objects.get()
    client.force_login(other_employee)
    url = reverse("reports:digest_delete", args=[subscription.pk])
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405
    client.force_login(mila)
    assert client.post(url).status_code == 302
    assert not DigestSubscription.objects.exists()
    assert AuditEvent.objects.filter(action="reports.digest_unsubscribed").exists()


def test_the_digest_list_has_an_empty_state(client, employee):
    client.force_login(employee)
    page = client.get(reverse("reports:digests")).content.decode()
    assert "You have no digests." in page


def test_a_hand_made_filter_is_refused_not_widened(client, mila):
    response = _subscribe(client, mila, "weekly", department="999999")
    assert response.status_code == 302
    assert response.url == reverse("reports:report", args=["team"])
    assert not DigestSubscription.objects.exists()
    page = client.get(response.url).content.decode()
    assert "These filters cannot be used for a digest." in page


def test_the_digest_list_query_count_does_not_grow(client, mila, django_assert_max_num_queries):
    _subscribe(client, mila, "weekly")
    client.get(reverse("reports:digests"))
    with django_assert_max_num_queries(8):
        client.get(reverse("reports:digests"))
    _subscribe(client, mila, "monthly", department=mila.employee.department.pk)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("reports:digests"))
    assert page.content.decode().count("Unsubscribe from") == 2
