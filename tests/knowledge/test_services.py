"""The article lifecycle, versions, translations, feedback and questions."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from ess.audit.models import AuditEvent
from ess.notifications.models import Notification
from ess.search.models import Document, Gap, GapStatus
from helpdesk.knowledge import services
from helpdesk.knowledge.models import Article, ArticleStatus, Language, Question, ReviewTask
from tests.factories import EmployeeFactory
from tests.knowledge.factories import draft_article, published_article


@pytest.fixture
def refreshed(monkeypatch):
    calls: list[list[str]] = []
    monkeypatch.setattr("helpdesk.knowledge.services._index_refresh", calls.append)
    return calls


# --- Lifecycle -----------------------------------------------------------------------------------
def test_a_new_article_is_a_draft_with_its_first_version(kb_editor, space, category):
    article = services.article_create(
        by=kb_editor,
        space=space,
        category=category,
        title="Replace a broken laptop",
        body="Bring it to the desk.",
        tags=["Laptop", " laptop ", "hardware"],
    )

    assert article.key == "replace-a-broken-laptop"
    assert article.status == ArticleStatus.DRAFT
    assert article.owner == kb_editor
    assert article.published_version is None
    version = article.latest_version
    assert version.number == 1
    assert version.author == kb_editor
    assert sorted(tag.name for tag in version.tags.all()) == ["hardware", "laptop"]


def test_keys_made_from_titles_are_unique(space):
    first = draft_article(space=space, title="VPN")
    second = draft_article(space=space, title="VPN")
    third = draft_article(space=space, title="VPN")

    assert [first.key, second.key, third.key] == ["vpn", "vpn-2", "vpn-3"]


def test_a_given_key_must_be_free_and_well_formed(space):
    draft_article(space=space, key="vpn")

    with pytest.raises(ValidationError):
        draft_article(space=space, key="vpn")
    with pytest.raises(ValidationError):
        draft_article(space=space, key="no spaces")


def test_a_category_of_another_space_is_refused(category):
    with pytest.raises(ValidationError):
        draft_article(space=services.Space.objects.create(name="HR", slug="hr"), category=category)


def test_draft_to_review_to_published_to_archived(
    kb_editor, employee, refreshed, django_capture_on_commit_callbacks
):
    article = draft_article(by=employee)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_submit(by=employee, article=article)
    assert article.status == ArticleStatus.IN_REVIEW
    assert Notification.objects.filter(recipient=kb_editor, kind="kb_article_review").exists()
    assert refreshed == []  # nothing readers can find has changed yet

    with django_capture_on_commit_callbacks(execute=True):
        services.article_publish(by=kb_editor, article=article)
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    assert article.published_version == article.latest_version
    assert article.published_version.published_by == kb_editor
    assert article.published_at is not None
    assert article.review_by is not None
    assert refreshed == [[article.key]]

    with django_capture_on_commit_callbacks(execute=True):
        services.article_archive(by=kb_editor, article=article)
    article.refresh_from_db()
    assert article.status == ArticleStatus.ARCHIVED
    assert article.published_version is None
    assert refreshed == [[article.key], [article.key]]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"knowledge.article_published", "knowledge.article_archived"} <= actions


def test_only_drafts_are_submitted_and_published_articles_not_published_again(kb_editor):
    article = published_article()

    with pytest.raises(ValidationError):
        services.article_submit(by=kb_editor, article=article)
    with pytest.raises(ValidationError):
        services.article_publish(by=kb_editor, article=article)


def test_editing_a_published_article_keeps_the_old_text_live_until_republished(
    kb_editor, refreshed, django_capture_on_commit_callbacks
):
    article = published_article(body="Old text")
    first = article.published_version

    with django_capture_on_commit_callbacks(execute=True):
        version = services.article_update(
            by=kb_editor, article=article, title="New title", body="New text", tags=["x"]
        )
    article.refresh_from_db()
    assert version.number == 2
    assert article.status == ArticleStatus.DRAFT
    assert article.latest_version == version
    assert article.published_version == first
    assert article.title == first.title  # readers still see the published title
    assert refreshed == []  # readers' text did not change

    with django_capture_on_commit_callbacks(execute=True):
        services.article_publish(by=kb_editor, article=article)
    article.refresh_from_db()
    assert article.published_version == version
    assert refreshed == [[article.key]]


def test_an_edit_that_changes_nothing_makes_no_version(kb_editor):
    article = published_article(title="Same", body="Same text", tags=["a"])

    version = services.article_update(
        by=kb_editor, article=article, title="Same", body="Same text", tags=["a"]
    )

    assert version.number == 1
    assert article.status == ArticleStatus.PUBLISHED


def test_moving_a_live_article_to_another_category_refreshes_search(
    kb_editor, category, refreshed, django_capture_on_commit_callbacks
):
    article = published_article(space=category.space)

    with django_capture_on_commit_callbacks(execute=True):
        services.article_update(
            by=kb_editor,
            article=article,
            title=article.title,
            body=article.latest_version.body,
            tags=["howto"],
            category=category,
        )

    assert refreshed == [[article.key]]
    assert article.category == category
    assert article.versions.count() == 1


def test_restoring_a_version_makes_a_new_draft_with_its_text(kb_editor):
    article = published_article(title="One", body="First text", tags=["old"])
    services.article_update(by=kb_editor, article=article, title="Two", body="Second", tags=[])
    services.article_publish(by=kb_editor, article=article)

    version = services.article_restore_version(by=kb_editor, article=article, number=1)

    article.refresh_from_db()
    assert version.number == 3
    assert (version.title, version.body) == ("One", "First text")
    assert [tag.name for tag in version.tags.all()] == ["old"]
    assert article.status == ArticleStatus.DRAFT
    assert article.published_version.number == 2
    assert AuditEvent.objects.filter(action="knowledge.article_version_restored").exists()
    with pytest.raises(ValidationError):
        services.article_restore_version(by=kb_editor, article=article, number=9)


def test_deleting_an_article_is_audited_and_leaves_search(
    kb_editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = published_article()
    key = article.key
    assert Document.objects.filter(doc_type="article", key=key).exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.article_delete(by=kb_editor, article=article)

    assert not Article.objects.filter(key=key).exists()
    assert not Document.objects.filter(doc_type="article", key=key).exists()
    assert AuditEvent.objects.filter(action="knowledge.article_deleted").exists()


def test_article_from_a_search_gap_marks_it_drafted_then_resolves_it(kb_editor, space):
    gap = Gap.objects.create(normalised="parking permit", sample_query="Parking permit")

    article = draft_article(by=kb_editor, space=space, title="Parking", source_gap_id=gap.pk)
    gap.refresh_from_db()
    assert gap.status == GapStatus.DRAFTED

    services.article_publish(by=kb_editor, article=article)
    gap.refresh_from_db()
    assert gap.status == GapStatus.RESOLVED
    assert gap.resolved_title == "Parking"
    assert gap.resolved_url == article.get_absolute_url()


def test_views_are_counted_without_losing_any(db):
    article = published_article()

    for _ in range(3):
        services.article_view_record(article=article)

    article.refresh_from_db()
    assert article.views == 3


def test_audience_change_on_a_live_article_refreshes_search(
    kb_editor, refreshed, django_capture_on_commit_callbacks
):
    article = published_article()
    with django_capture_on_commit_callbacks(execute=True):
        services.article_audience_set(by=kb_editor, article=article, audience="agents")

    assert refreshed == [[article.key]]
    assert AuditEvent.objects.filter(action="knowledge.article_audience_set").exists()


def test_related_articles_link_both_ways_and_never_to_themselves(kb_editor):
    first, second = published_article(), published_article()

    services.article_related_set(by=kb_editor, article=first, related=[first, second])

    assert list(first.related.all()) == [second]
    assert list(second.related.all()) == [first]


# --- Translations ----------------------------------------------------------------------------
def test_a_translation_links_to_its_original(kb_editor):
    original = published_article()
    dutch = draft_article(language=Language.NL, translation_of=original)

    assert dutch.translation_of == original
    assert list(original.translations.all()) == [dutch]


@pytest.mark.parametrize(
    "case", ["same language", "itself", "translation of a translation", "second in a language"]
)
def test_translation_rules(kb_editor, case):
    original = published_article()
    dutch = draft_article(language=Language.NL, translation_of=original)
    if case == "same language":
        article, target = published_article(), original
    elif case == "itself":
        article, target = original, original
    elif case == "translation of a translation":
        article, target = published_article(language=Language.IT), dutch
    else:
        article, target = published_article(language=Language.NL), original

    with pytest.raises(ValidationError):
        services.article_translation_link(by=kb_editor, article=article, original=target)


def test_an_original_with_translations_cannot_become_a_translation(kb_editor):
    original = published_article()
    draft_article(language=Language.NL, translation_of=original)
    other = published_article(language=Language.IT)

    with pytest.raises(ValidationError):
        services.article_translation_link(by=kb_editor, article=original, original=other)


# --- Feedback ----------------------------------------------------------------------------------
def voters(count: int):
    return [EmployeeFactory().user for _ in range(count)]


def test_a_second_vote_changes_the_first_and_the_counters_exactly(employee):
    article = published_article()

    services.feedback_record(user=employee, article=article, helpful=True)
    services.feedback_record(user=employee, article=article, helpful=True)
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (1, 0)

    services.feedback_record(user=employee, article=article, helpful=False)
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (0, 1)
    assert article.feedback.count() == 1


def test_negative_votes_reaching_the_threshold_open_one_task_and_notify_the_owner_once(
    kb_editor,
):
    article = published_article(owner=kb_editor)
    first, second, third, fourth = voters(4)

    services.feedback_record(user=first, article=article, helpful=False)
    services.feedback_record(user=second, article=article, helpful=False)
    assert not ReviewTask.objects.exists()

    services.feedback_record(user=third, article=article, helpful=False)
    services.feedback_record(user=fourth, article=article, helpful=False)

    task = ReviewTask.objects.get()
    assert task.reason == ReviewTask.Reason.NEGATIVE_FEEDBACK
    assert "4 readers" in task.detail
    assert Notification.objects.filter(recipient=kb_editor, kind="kb_article_review").count() == 1


@override_settings(KB_NEGATIVE_FEEDBACK_THRESHOLD=1)
def test_the_threshold_is_a_setting(kb_editor):
    article = published_article(owner=kb_editor)

    services.feedback_record(user=voters(1)[0], article=article, helpful=False)

    assert ReviewTask.objects.filter(reason=ReviewTask.Reason.NEGATIVE_FEEDBACK).exists()


def test_after_a_closed_task_only_new_negative_votes_count(kb_editor):
    article = published_article(owner=kb_editor)
    for voter in voters(3):
        services.feedback_record(user=voter, article=article, helpful=False)
    services.review_task_close(by=kb_editor, task=ReviewTask.objects.get())

    services.feedback_record(user=voters(1)[0], article=article, helpful=False)

    assert ReviewTask.objects.filter(closed_at__isnull=True).count() == 0


def test_comments_add_to_one_open_comment_task(kb_editor):
    article = published_article(owner=kb_editor)
    first, second = voters(2)

    services.feedback_record(user=first, article=article, helpful=True, comment="Step 2 moved")
    services.feedback_record(user=second, article=article, helpful=True, comment="Add a picture")

    task = ReviewTask.objects.get(reason=ReviewTask.Reason.COMMENT)
    assert "Step 2 moved" in task.detail
    assert "Add a picture" in task.detail
    assert Notification.objects.filter(recipient=kb_editor).count() == 1


def test_feedback_refreshes_the_search_document(
    employee, refreshed, django_capture_on_commit_callbacks
):
    article = published_article()
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_record(user=employee, article=article, helpful=True)

    assert refreshed == [[article.key]]


def test_a_draft_cannot_be_rated(employee):
    with pytest.raises(ValidationError):
        services.feedback_record(user=employee, article=draft_article(), helpful=True)


# --- Questions -------------------------------------------------------------------------------
def test_a_question_notifies_each_editor_once(employee, kb_editor, space):
    question = services.question_ask(
        user=employee, space=space, subject="Where is the VPN client?", details="On a Mac."
    )

    assert question.status == Question.Status.OPEN
    sent = Notification.objects.filter(kind="kb_question")
    assert list(sent.values_list("recipient", flat=True)) == [kb_editor.pk]


def test_answering_with_a_published_article_tells_the_asker(employee, kb_editor, space):
    question = services.question_ask(user=employee, space=space, subject="VPN?", details="")
    article = published_article(space=space)

    services.question_answer(by=kb_editor, question=question, article=article)

    question.refresh_from_db()
    assert question.status == Question.Status.ANSWERED
    assert question.answer_article == article
    assert Notification.objects.filter(recipient=employee, kind="kb_answer").count() == 1


def test_an_article_written_for_a_question_answers_it_when_published(employee, kb_editor, space):
    question = services.question_ask(user=employee, space=space, subject="VPN?", details="")
    article = draft_article(by=kb_editor, space=space, question=question)
    question.refresh_from_db()
    assert question.status == Question.Status.OPEN

    services.article_publish(by=kb_editor, article=article)
    services.article_update(by=kb_editor, article=article, title="T2", body="B2", tags=[])
    services.article_publish(by=kb_editor, article=article)

    question.refresh_from_db()
    assert question.status == Question.Status.ANSWERED
    assert Notification.objects.filter(recipient=employee, kind="kb_answer").count() == 1


def test_an_empty_subject_is_refused(employee, space):
    with pytest.raises(ValidationError):
        services.question_ask(user=employee, space=space, subject="  ", details="")
