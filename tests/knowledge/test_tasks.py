"""Review reminders: owners hear once per review period; past the date a task opens."""

import datetime

from django.conf import settings
from django.utils import timezone

from ess.notifications.models import Notification
from helpdesk.knowledge import services, tasks
from helpdesk.knowledge.models import Article, ReviewTask
from tests.knowledge.factories import published_article

TODAY = datetime.date(2026, 11, 2)


def with_review_date(article: Article, review_by: datetime.date) -> Article:
    Article.objects.filter(pk=article.pk).update(review_by=review_by)
    article.refresh_from_db()
    return article


def test_an_owner_is_reminded_once_when_the_review_date_nears(kb_editor):
    article = with_review_date(published_article(owner=kb_editor), TODAY + datetime.timedelta(7))
    with_review_date(published_article(owner=kb_editor), TODAY + datetime.timedelta(60))

    assert services.review_reminders_send(today=TODAY) == 1
    assert services.review_reminders_send(today=TODAY) == 0
    assert services.review_reminders_send(today=TODAY + datetime.timedelta(3)) == 0

    sent = Notification.objects.get(recipient=kb_editor)
    assert article.latest_version.title in sent.title
    assert not ReviewTask.objects.exists()


def test_past_the_date_a_review_task_opens_once(kb_editor):
    article = with_review_date(published_article(owner=kb_editor), TODAY - datetime.timedelta(1))

    assert services.review_reminders_send(today=TODAY) == 1
    assert services.review_reminders_send(today=TODAY + datetime.timedelta(1)) == 0

    task = ReviewTask.objects.get()
    assert (task.article, task.reason) == (article, ReviewTask.Reason.REVIEW_DUE)


def test_closing_the_review_task_moves_the_next_review_a_year_on(kb_editor):
    article = with_review_date(published_article(owner=kb_editor), TODAY - datetime.timedelta(1))
    services.review_reminders_send(today=TODAY)

    services.review_task_close(by=kb_editor, task=ReviewTask.objects.get())

    article.refresh_from_db()
    assert article.review_by > timezone.localdate() + datetime.timedelta(days=300)
    assert services.review_reminders_send(today=TODAY) == 0


def test_a_new_review_date_starts_a_new_reminder_period(kb_editor):
    article = with_review_date(published_article(owner=kb_editor), TODAY + datetime.timedelta(7))
    services.review_reminders_send(today=TODAY)

    services.article_review_date_set(
        by=kb_editor, article=article, review_by=TODAY + datetime.timedelta(400)
    )

    assert services.review_reminders_send(today=TODAY + datetime.timedelta(390)) == 1


def test_archived_and_ownerless_articles_are_not_reminded(kb_editor):
    archived = published_article(owner=kb_editor)
    services.article_archive(by=kb_editor, article=archived)
    with_review_date(archived, TODAY)
    ownerless = published_article()
    Article.objects.filter(pk=ownerless.pk).update(owner=None, review_by=TODAY)

    assert services.review_reminders_send(today=TODAY) == 0


def test_the_task_runs_the_service_daily(kb_editor):
    with_review_date(published_article(owner=kb_editor), timezone.localdate())

    assert tasks.send_review_reminders.delay().get() == 1
    beat = settings.CELERY_BEAT_SCHEDULE.get("knowledge-review-reminders")
    if beat is not None:  # the schedule lives in settings
        assert beat["task"] == "helpdesk.knowledge.tasks.send_review_reminders"
