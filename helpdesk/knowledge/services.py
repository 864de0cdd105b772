"""Writes for the knowledge base: the article lifecycle, audiences, translations, reader
feedback, review tasks, questions and review reminders.

An article moves draft → in_review → published → archived. Editing a published article
makes a new version and puts the article back in draft, while the published version stays
live for readers until the new one is published. Whatever changes what readers can find
(publishing, archiving, an audience or category change, a vote) refreshes the article's
search document once the transaction commits.
"""

import datetime
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ess.accounts.models import User
from ess.accounts.roles import Role
from ess.audit.services import audit_record
from ess.notifications.services import notify
from helpdesk.knowledge.kinds import KB_ANSWER, KB_ARTICLE_REVIEW, KB_QUESTION
from helpdesk.knowledge.models import (
    Article,
    ArticleStatus,
    ArticleVersion,
    Audience,
    Category,
    Feedback,
    Language,
    Question,
    ReviewTask,
    Space,
    Tag,
)
from helpdesk.knowledge.permissions import is_live

# How many "did not help" votes open a review task for the owner.
DEFAULT_NEGATIVE_FEEDBACK_THRESHOLD = 3
# A published article is due for review a year on; owners hear of it two weeks ahead.
REVIEW_INTERVAL = datetime.timedelta(days=365)
REMINDER_LEAD = datetime.timedelta(days=14)
KEY_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")
KEY_MAX_LENGTH = 120
TITLE_MAX_LENGTH = 200
TAG_MAX_LENGTH = 60

_UNSET: Any = object()


def negative_feedback_threshold() -> int:
    return getattr(settings, "KB_NEGATIVE_FEEDBACK_THRESHOLD", DEFAULT_NEGATIVE_FEEDBACK_THRESHOLD)


# --- Side effects after commit ----------------------------------------------------------------
def index_refresh_on_commit(keys: Iterable[str]) -> None:
    """Refresh the articles' search documents once the current transaction commits."""
    keys = sorted(set(keys))
    if keys:
        transaction.on_commit(lambda: _index_refresh(keys))


def _index_refresh(keys: list[str]) -> None:
    from ess.search.services import index_refresh

    index_refresh(doc_type="article", keys=keys)


def _gap_mark_drafted(gap_id: int) -> None:
    from ess.search.services import gap_mark_drafted

    gap_mark_drafted(gap_id=gap_id)


def _gap_resolve(*, gap_id: int, title: str, url: str, by: User | None) -> None:
    from ess.search.services import gap_resolve

    gap_resolve(gap_id=gap_id, title=title, url=url, by=by)


def _language_of(user: User):
    """Messages to a person are written in their language, whoever triggered them."""
    return translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE)


def editors() -> list[User]:
    """Active knowledge base editors, who get questions and review requests."""
    return list(
        User.objects.filter(is_active=True, groups__name=Role.KB_EDITOR).distinct().order_by("pk")
    )


# --- Small helpers ------------------------------------------------------------------------------
def tags_get_or_create(names: Iterable[str]) -> list[Tag]:
    """Tags by name (trimmed, lower-case), creating the missing ones; two or three queries."""
    wanted = sorted({name.strip().lower()[:TAG_MAX_LENGTH] for name in names if name.strip()})
    if not wanted:
        return []
    found = {tag.name: tag for tag in Tag.objects.filter(name__in=wanted)}
    missing = [Tag(name=name) for name in wanted if name not in found]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        found = {tag.name: tag for tag in Tag.objects.filter(name__in=wanted)}
    return [found[name] for name in wanted]


def unique_key(title: str, *, taken: set[str] | None = None) -> str:
    """A key made from the title, with -2, -3… when another article already has it."""
    base = slugify(title)[: KEY_MAX_LENGTH - 8].strip("-") or "article"
    existing = set(Article.objects.filter(key__startswith=base).values_list("key", flat=True))
    existing |= taken or set()
    if base not in existing:
        return base
    number = 2
    while f"{base}-{number}" in existing:
        number += 1
    return f"{base}-{number}"


def _check_text(*, title: str, body: str) -> None:
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the article a title.")
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = _("A title has at most %(max)s characters.") % {"max": TITLE_MAX_LENGTH}
    if not body.strip():
        errors["body"] = _("Write the article's text.")
    if errors:
        raise ValidationError(errors)


def _check_category(space: Space, category: Category | None) -> None:
    if category is not None and category.space_id != space.pk:
        raise ValidationError({"category": _("Choose a category of the article's space.")})


def _check_language(language: str) -> None:
    if language not in Language.values:
        raise ValidationError({"language": _("Choose one of the offered languages.")})


def _version_add(
    *,
    article: Article,
    title: str,
    body: str,
    tags: Iterable[Tag],
    change_note: str,
    author: User | None,
) -> ArticleVersion:
    top = article.versions.aggregate(top=Max("number"))["top"] or 0
    version = ArticleVersion.objects.create(
        article=article,
        number=top + 1,
        title=title.strip(),
        body=body,
        change_note=change_note[:300],
        author=author,
    )
    tags = list(tags)
    if tags:
        version.tags.set(tags)
    article.latest_version = version
    return version


def _lock(article: Article) -> Article:
    # Lock only the article's row: PostgreSQL refuses FOR UPDATE on an outer join's null side.
    return (
        Article.objects.select_for_update(of=("self",))
        .select_related("latest_version", "owner", "space")
        .get(pk=article.pk)
    )


def _refresh_caller_copy(target: Article, source: Article) -> None:
    """Bring the caller's object in line with the row we changed, so views can keep using it."""
    for field in (
        "status",
        "latest_version",
        "published_version",
        "published_at",
        "review_by",
        "review_reminded_on",
        "updated_at",
        "category",
        "language",
        "audience",
        "translation_of",
        "owner",
    ):
        setattr(target, field, getattr(source, field))


# --- Articles -----------------------------------------------------------------------------------
@transaction.atomic
def article_create(
    *,
    by: User | None,
    space: Space,
    title: str,
    body: str,
    category: Category | None = None,
    language: str = Language.EN,
    tags: Iterable[str] = (),
    key: str | None = None,
    audience: str = Audience.EVERYONE,
    owner: User | None = None,
    translation_of: Article | None = None,
    source_gap_id: int | None = None,
    question: Question | None = None,
    change_note: str = "",
) -> Article:
    """A new draft with its first version. Written from a search gap, the gap is marked as
    being drafted; written for a question, the question is answered when it is published."""
    _check_text(title=title, body=body)
    _check_category(space, category)
    _check_language(language)
    if audience not in Audience.values:
        raise ValidationError({"audience": _("Choose who may read the article.")})
    if key:
        if not KEY_PATTERN.match(key) or len(key) > KEY_MAX_LENGTH:
            raise ValidationError(
                {"key": _("A key uses only letters, digits, hyphens and underscores.")}
            )
        if Article.objects.filter(key=key).exists():
            raise ValidationError({"key": _("Another article already has this key.")})
    now = timezone.now()
    article = Article.objects.create(
        key=key or unique_key(title),
        space=space,
        category=category,
        language=language,
        owner=owner or by,
        audience=audience,
        source_gap_id=source_gap_id,
        created_at=now,
        updated_at=now,
    )
    _version_add(
        article=article,
        title=title,
        body=body,
        tags=tags_get_or_create(tags),
        change_note=change_note or _("First version"),
        author=by,
    )
    article.save(update_fields=["latest_version"])
    if translation_of is not None:
        article_translation_link(by=by, article=article, original=translation_of)
    if question is not None:
        Question.objects.filter(pk=question.pk, status=Question.Status.OPEN).update(
            answer_article=article
        )
    if source_gap_id is not None:
        _gap_mark_drafted(source_gap_id)
    audit_record(actor=by, action="knowledge.article_created", target=article)
    return article


@transaction.atomic
def article_update(
    *,
    by: User | None,
    article: Article,
    title: str,
    body: str,
    tags: Iterable[str],
    change_note: str = "",
    category: Category | None = _UNSET,
    language: str = _UNSET,
) -> ArticleVersion:
    """A new version with this text. A published article goes back to draft, but its
    published version stays live until the new one is published. Category and language
    belong to the article and change at once. Nothing changed, nothing written."""
    _check_text(title=title, body=body)
    locked = _lock(article)
    live_before = is_live(locked)
    article_changed = []
    if category is not _UNSET and category != locked.category:
        _check_category(locked.space, category)
        locked.category = category
        article_changed.append("category")
    if language is not _UNSET and language != locked.language:
        _check_language(language)
        locked.language = language
        article_changed.append("language")
    latest = locked.latest_version
    tag_objects = tags_get_or_create(tags)
    text_changed = latest is None or (
        latest.title != title.strip()
        or latest.body != body
        or {tag.pk for tag in latest.tags.all()} != {tag.pk for tag in tag_objects}
    )
    if text_changed:
        latest = _version_add(
            article=locked,
            title=title,
            body=body,
            tags=tag_objects,
            change_note=change_note,
            author=by,
        )
        if locked.status in (ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED):
            locked.status = ArticleStatus.DRAFT
        article_changed += ["latest_version", "status"]
    if article_changed:
        locked.updated_at = timezone.now()
        locked.save(update_fields=[*set(article_changed), "updated_at"])
        if live_before and {"category", "language"} & set(article_changed):
            index_refresh_on_commit([locked.key])
    _refresh_caller_copy(article, locked)
    return latest


def _transition(article: Article, allowed_from: Sequence[str], target: str) -> Article:
    locked = _lock(article)
    if locked.status not in allowed_from:
        raise ValidationError(
            _("This article is %(status)s; it cannot become %(target)s.")
            % {
                "status": ArticleStatus(locked.status).label,
                "target": ArticleStatus(target).label,
            }
        )
    return locked


@transaction.atomic
def article_submit(*, by: User, article: Article) -> Article:
    """Draft → in review; the owner and the editors hear of it."""
    locked = _transition(article, [ArticleStatus.DRAFT], ArticleStatus.IN_REVIEW)
    locked.status = ArticleStatus.IN_REVIEW
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "updated_at"])
    audit_record(actor=by, action="knowledge.article_submitted", target=locked)
    recipients = {user.pk: user for user in editors()}
    if locked.owner is not None and locked.owner.is_active:
        recipients[locked.owner.pk] = locked.owner
    recipients.pop(by.pk, None)
    number = locked.latest_version.number
    for recipient in recipients.values():
        with _language_of(recipient):
            notify(
                recipient=recipient,
                kind=KB_ARTICLE_REVIEW.key,
                title=_("Knowledge base: “%(title)s” is ready for review")
                % {"title": locked.latest_version.title},
                body=_("Version %(number)s was submitted for review.") % {"number": number},
                url=locked.get_absolute_url(),
                dedupe_key=f"kb:submitted:{locked.pk}:{number}:{recipient.pk}",
            )
    _refresh_caller_copy(article, locked)
    return locked


@transaction.atomic
def article_publish(*, by: User | None, article: Article) -> Article:
    """Make the latest version the one readers see. Resolves the search gap the article was
    written for, answers the questions linked to it, and starts the review clock."""
    locked = _transition(
        article, [ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW], ArticleStatus.PUBLISHED
    )
    now = timezone.now()
    today = timezone.localdate()
    version = locked.latest_version
    version.published_at = now
    version.published_by = by
    version.save(update_fields=["published_at", "published_by"])
    locked.status = ArticleStatus.PUBLISHED
    locked.published_version = version
    locked.published_at = now
    locked.updated_at = now
    # A republication after a review restarts the year; so does a first publication.
    if locked.review_by is None or locked.review_by <= today + REMINDER_LEAD:
        locked.review_by = today + REVIEW_INTERVAL
        locked.review_reminded_on = None
        ReviewTask.objects.filter(
            article=locked, reason=ReviewTask.Reason.REVIEW_DUE, closed_at__isnull=True
        ).update(closed_at=now, closed_by=by)
    locked.save(
        update_fields=[
            "status",
            "published_version",
            "published_at",
            "updated_at",
            "review_by",
            "review_reminded_on",
        ]
    )
    audit_record(
        actor=by,
        action="knowledge.article_published",
        target=locked,
        detail={"version": version.number},
    )
    if locked.source_gap_id is not None:
        _gap_resolve(
            gap_id=locked.source_gap_id,
            title=version.title,
            url=locked.get_absolute_url(),
            by=by,
        )
    _questions_answer_with(locked)
    index_refresh_on_commit([locked.key])
    _refresh_caller_copy(article, locked)
    return locked


@transaction.atomic
def article_archive(*, by: User | None, article: Article) -> Article:
    """Take the article off the shelves: readers and search lose it; editors keep its history."""
    locked = _lock(article)
    if locked.status == ArticleStatus.ARCHIVED:
        return locked
    was = locked.status
    locked.status = ArticleStatus.ARCHIVED
    locked.published_version = None
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "published_version", "updated_at"])
    audit_record(actor=by, action="knowledge.article_archived", target=locked, detail={"was": was})
    index_refresh_on_commit([locked.key])
    _refresh_caller_copy(article, locked)
    return locked


@transaction.atomic
def article_restore_version(*, by: User | None, article: Article, number: int) -> ArticleVersion:
    """A new draft version with the title, text and tags of an earlier one."""
    locked = _lock(article)
    try:
        old = locked.versions.prefetch_related("tags").get(number=number)
    except ArticleVersion.DoesNotExist:
        raise ValidationError(_("There is no version %(number)s.") % {"number": number}) from None
    version = _version_add(
        article=locked,
        title=old.title,
        body=old.body,
        tags=old.tags.all(),
        change_note=_("Restored version %(number)s") % {"number": number},
        author=by,
    )
    if locked.status != ArticleStatus.IN_REVIEW:
        locked.status = ArticleStatus.DRAFT
    locked.updated_at = timezone.now()
    locked.save(update_fields=["latest_version", "status", "updated_at"])
    audit_record(
        actor=by,
        action="knowledge.article_version_restored",
        target=locked,
        detail={"restored": number, "version": version.number},
    )
    _refresh_caller_copy(article, locked)
    return version


@transaction.atomic
def article_delete(*, by: User | None, article: Article) -> None:
    """Remove an article with its versions and feedback (for mistakes; archive otherwise)."""
    key = article.key
    audit_record(
        actor=by,
        action="knowledge.article_deleted",
        target=article,
        detail={"key": key, "title": article.title},
    )
    Article.objects.filter(pk=article.pk).delete()
    index_refresh_on_commit([key])


@transaction.atomic
def article_review_date_set(*, by: User | None, article: Article, review_by: datetime.date):
    Article.objects.filter(pk=article.pk).update(review_by=review_by, review_reminded_on=None)
    article.review_by, article.review_reminded_on = review_by, None
    audit_record(
        actor=by,
        action="knowledge.article_review_date_set",
        target=article,
        detail={"review_by": review_by.isoformat()},
    )
    return article


@transaction.atomic
def article_owner_set(*, by: User | None, article: Article, owner: User | None) -> Article:
    Article.objects.filter(pk=article.pk).update(owner=owner)
    article.owner = owner
    audit_record(
        actor=by,
        action="knowledge.article_owner_set",
        target=article,
        detail={"owner": owner.email if owner else ""},
    )
    return article


@transaction.atomic
def article_audience_set(
    *,
    by: User | None,
    article: Article,
    audience: str,
    departments: Iterable = (),
    locations: Iterable = (),
    roles: Iterable[Group | str] = (),
) -> Article:
    """Who may read the article. A restricted audience names at least one department,
    location or role; the others keep no leftover lists."""
    if audience not in Audience.values:
        raise ValidationError({"audience": _("Choose who may read the article.")})
    departments, locations = list(departments), list(locations)
    groups = [role for role in roles if isinstance(role, Group)]
    names = [str(role) for role in roles if not isinstance(role, Group)]
    if names:
        groups += list(Group.objects.filter(name__in=names))
    if audience != Audience.RESTRICTED:
        departments, locations, groups = [], [], []
    elif not (departments or locations or groups):
        raise ValidationError({"audience": _("Choose at least one department, location or role.")})
    locked = _lock(article)
    locked.audience = audience
    locked.updated_at = timezone.now()
    locked.save(update_fields=["audience", "updated_at"])
    locked.audience_departments.set(departments)
    locked.audience_locations.set(locations)
    locked.audience_roles.set(groups)
    audit_record(
        actor=by,
        action="knowledge.article_audience_set",
        target=locked,
        detail={
            "audience": audience,
            "departments": sorted(getattr(d, "pk", d) for d in departments),
            "locations": sorted(getattr(loc, "pk", loc) for loc in locations),
            "roles": sorted(group.name for group in groups),
        },
    )
    if is_live(locked):
        index_refresh_on_commit([locked.key])
    _refresh_caller_copy(article, locked)
    return locked


@transaction.atomic
def article_related_set(*, by: User | None, article: Article, related: Iterable[Article]) -> None:
    """The articles shown as "see also" (both ways: the link is symmetrical)."""
    article.related.set([other for other in related if other.pk != article.pk])


@transaction.atomic
def article_translation_link(*, by: User | None, article: Article, original: Article) -> Article:
    """Mark `article` as a translation of `original`. A translation is in another language
    than its original, an original is not itself a translation, an article with
    translations of its own cannot become one, and each language appears once."""
    if original.pk == article.pk:
        raise ValidationError(_("An article cannot be a translation of itself."))
    if original.translation_of_id is not None:
        raise ValidationError(
            _("“%(original)s” is itself a translation; link to its original instead.")
            % {"original": original.title}
        )
    if original.language == article.language:
        raise ValidationError(_("A translation must be in another language than its original."))
    if Article.objects.filter(translation_of=article).exists():
        raise ValidationError(
            _("This article has translations of its own, so it cannot be a translation.")
        )
    if (
        Article.objects.filter(translation_of=original, language=article.language)
        .exclude(pk=article.pk)
        .exists()
    ):
        raise ValidationError(
            _("“%(original)s” already has a translation in this language.")
            % {"original": original.title}
        )
    Article.objects.filter(pk=article.pk).update(translation_of=original)
    article.translation_of = original
    audit_record(
        actor=by,
        action="knowledge.article_translation_linked",
        target=article,
        detail={"original": original.key},
    )
    return article


@transaction.atomic
def article_translation_unlink(*, by: User | None, article: Article) -> Article:
    Article.objects.filter(pk=article.pk).update(translation_of=None)
    article.translation_of = None
    audit_record(actor=by, action="knowledge.article_translation_unlinked", target=article)
    return article


def article_view_record(*, article: Article) -> None:
    """Count a reader's visit; one UPDATE, so simultaneous visits all count."""
    Article.objects.filter(pk=article.pk).update(views=F("views") + 1)


# --- Feedback and review tasks ------------------------------------------------------------------
@transaction.atomic
def feedback_record(*, user: User, article: Article, helpful: bool, comment: str = "") -> Feedback:
    """The person's answer to "did this help?" — one per person, changeable. The article's
    counters move by exactly the change. A comment, or enough "no" votes since the last
    such review, opens (or adds to) a review task for the owner."""
    if article.published_version_id is None:
        raise ValidationError(_("Only a published article can be rated."))
    comment = comment.strip()[:2000]
    previous = Feedback.objects.select_for_update().filter(user=user, article=article).first()
    now = timezone.now()
    if previous is None:
        feedback = Feedback.objects.create(
            article=article,
            user=user,
            helpful=helpful,
            comment=comment,
            version_number=article.published_version.number,
            created_at=now,
        )
        counters = {
            "helpful_yes" if helpful else "helpful_no": F(
                "helpful_yes" if helpful else "helpful_no"
            )
            + 1
        }
    else:
        feedback = previous
        counters = {}
        if previous.helpful != helpful:
            gained, lost = (
                ("helpful_yes", "helpful_no") if helpful else ("helpful_no", "helpful_yes")
            )
            counters = {gained: F(gained) + 1, lost: F(lost) - 1}
        feedback.helpful = helpful
        feedback.comment = comment or previous.comment
        feedback.version_number = article.published_version.number
        feedback.created_at = now
        feedback.save(update_fields=["helpful", "comment", "version_number", "created_at"])
    if counters:
        Article.objects.filter(pk=article.pk).update(**counters)
        article.refresh_from_db(fields=["helpful_yes", "helpful_no"])
    if comment:
        _task_add(
            article,
            ReviewTask.Reason.COMMENT,
            _("%(person)s: %(comment)s")
            % {"person": user.get_full_name() or user.email, "comment": comment},
        )
    if not helpful and _negative_votes_since_last_review(article) >= negative_feedback_threshold():
        _task_add(
            article,
            ReviewTask.Reason.NEGATIVE_FEEDBACK,
            _("%(count)s readers said the article did not help.") % {"count": article.helpful_no},
            replace_detail=True,
        )
    index_refresh_on_commit([article.key])
    return feedback


def _negative_votes_since_last_review(article: Article) -> int:
    """ "No" votes given after the owner last closed a negative-feedback task."""
    last_closed = ReviewTask.objects.filter(
        article=article,
        reason=ReviewTask.Reason.NEGATIVE_FEEDBACK,
        closed_at__isnull=False,
    ).aggregate(last=Max("closed_at"))["last"]
    votes = Feedback.objects.filter(article=article, helpful=False)
    if last_closed is not None:
        votes = votes.filter(created_at__gt=last_closed)
    return votes.count()


def _task_add(
    article: Article, reason: str, detail: str, *, replace_detail: bool = False
) -> ReviewTask:
    """Open a task for this reason, or add to the open one; the owner hears once per task."""
    task = (
        ReviewTask.objects.select_for_update()
        .filter(article=article, reason=reason, closed_at__isnull=True)
        .first()
    )
    if task is None:
        try:
            with transaction.atomic():
                task = ReviewTask.objects.create(article=article, reason=reason, detail=detail)
        except IntegrityError:  # another request opened it a moment ago
            task = ReviewTask.objects.get(article=article, reason=reason, closed_at__isnull=True)
            _task_detail_add(task, detail, replace=replace_detail)
    else:
        _task_detail_add(task, detail, replace=replace_detail)
    _task_notify(task, article)
    return task


def _task_detail_add(task: ReviewTask, detail: str, *, replace: bool) -> None:
    task.detail = detail if replace or not task.detail else f"{task.detail}\n\n{detail}"
    task.save(update_fields=["detail"])


def _task_notify(task: ReviewTask, article: Article) -> None:
    owner = article.owner
    if owner is None or not owner.is_active:
        return
    with _language_of(owner):
        notify(
            recipient=owner,
            kind=KB_ARTICLE_REVIEW.key,
            title=_("Knowledge base: “%(title)s” needs a look") % {"title": article.title},
            body=f"{ReviewTask.Reason(task.reason).label}\n\n{task.detail}",
            url=article.get_absolute_url(),
            dedupe_key=f"kb:task:{task.pk}",
        )


@transaction.atomic
def review_task_close(*, by: User | None, task: ReviewTask) -> ReviewTask:
    """Done. Closing a review-date task means the owner checked the article: its next
    review is a year away."""
    if task.closed_at is not None:
        return task
    now = timezone.now()
    task.closed_at, task.closed_by = now, by
    task.save(update_fields=["closed_at", "closed_by"])
    if task.reason == ReviewTask.Reason.REVIEW_DUE:
        Article.objects.filter(pk=task.article_id).update(
            review_by=timezone.localdate() + REVIEW_INTERVAL, review_reminded_on=None
        )
    audit_record(
        actor=by,
        action="knowledge.review_task_closed",
        target=task.article,
        detail={"reason": task.reason, "task": task.pk},
    )
    return task


def review_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind owners of live articles whose review date is within two weeks or past, once
    per review period; past the date, also open a review task. Safe to run repeatedly.
    Returns how many reminders were sent."""
    today = today or timezone.localdate()
    due = (
        Article.objects.filter(
            status=ArticleStatus.PUBLISHED,
            review_by__lte=today + REMINDER_LEAD,
            owner__isnull=False,
        )
        .select_related("owner", "published_version")
        .order_by("review_by", "pk")
    )
    sent = 0
    for article in due:
        with transaction.atomic():
            if article.review_by < today:
                open_task = ReviewTask.objects.filter(
                    article=article, reason=ReviewTask.Reason.REVIEW_DUE, closed_at__isnull=True
                ).exists()
                if not open_task:
                    _task_add(
                        article,
                        ReviewTask.Reason.REVIEW_DUE,
                        _("The review date, %(date)s, has passed.")
                        % {"date": article.review_by.isoformat()},
                    )
            period_start = article.review_by - REMINDER_LEAD
            reminded = article.review_reminded_on
            if reminded is not None and reminded >= period_start:
                continue
            if article.owner.is_active:
                _review_reminder_notify(article, today)
                sent += 1
            Article.objects.filter(pk=article.pk).update(review_reminded_on=today)
    return sent


def _review_reminder_notify(article: Article, today: datetime.date) -> None:
    owner = article.owner
    with _language_of(owner):
        if article.review_by < today:
            title = _("Knowledge base: “%(title)s” was due for review on %(date)s")
        else:
            title = _("Knowledge base: “%(title)s” is due for review on %(date)s")
        notify(
            recipient=owner,
            kind=KB_ARTICLE_REVIEW.key,
            title=title % {"title": article.title, "date": article.review_by.isoformat()},
            body=_(
                "You own this article. Check that it is still right, then publish an "
                "update or close the review."
            ),
            url=article.get_absolute_url(),
            dedupe_key=f"kb:review:{article.pk}:{article.review_by.isoformat()}",
        )


# --- Questions ----------------------------------------------------------------------------------
@transaction.atomic
def question_ask(
    *,
    user: User,
    space: Space,
    subject: str,
    details: str,
    searched_for: str = "",
    from_article: Article | None = None,
) -> Question:
    """Ask the editors; each of them is told once."""
    subject = subject.strip()
    if not subject:
        raise ValidationError({"subject": _("Say in a few words what you need.")})
    question = Question(
        asker=user,
        space=space,
        subject=subject[:200],
        details=details.strip()[:5000],
        searched_for=searched_for.strip()[:300],
        from_article=from_article,
    )
    question.full_clean()
    question.save()
    for editor in editors():
        if editor.pk == user.pk:
            continue
        with _language_of(editor):
            notify(
                recipient=editor,
                kind=KB_QUESTION.key,
                title=_("Knowledge base question: %(subject)s") % {"subject": question.subject},
                body=question.details,
                url=question.get_absolute_url(),
                dedupe_key=f"kb:question:{question.pk}:{editor.pk}",
            )
    return question


@transaction.atomic
def question_answer(*, by: User | None, question: Question, article: Article) -> Question:
    """Answer with an article. A published article answers at once; a draft answers when
    it is published."""
    if question.status != Question.Status.OPEN:
        raise ValidationError(_("This question is no longer open."))
    Question.objects.filter(pk=question.pk).update(answer_article=article)
    question.answer_article = article
    if article.published_version_id is not None:
        _questions_answer_with(article, only=[question.pk])
        question.refresh_from_db()
    audit_record(
        actor=by,
        action="knowledge.question_answered",
        target=question,
        detail={"article": article.key},
    )
    return question


@transaction.atomic
def question_close(*, by: User | None, question: Question) -> Question:
    Question.objects.filter(pk=question.pk).update(status=Question.Status.CLOSED)
    question.status = Question.Status.CLOSED
    audit_record(actor=by, action="knowledge.question_closed", target=question)
    return question


def _questions_answer_with(article: Article, *, only: list[int] | None = None) -> int:
    """Mark the open questions linked to this published article answered; tell each asker."""
    questions = Question.objects.filter(
        answer_article=article, status=Question.Status.OPEN
    ).select_related("asker")
    if only is not None:
        questions = questions.filter(pk__in=only)
    questions = list(questions)
    now = timezone.now()
    for question in questions:
        question.status = Question.Status.ANSWERED
        question.answered_at = now
        with _language_of(question.asker):
            notify(
                recipient=question.asker,
                kind=KB_ANSWER.key,
                title=_("Your question was answered: %(subject)s") % {"subject": question.subject},
                body=_("Read “%(title)s” in the knowledge base.") % {"title": article.title},
                url=article.get_absolute_url(),
                dedupe_key=f"kb:answer:{question.pk}",
            )
    Question.objects.bulk_update(questions, ["status", "answered_at"])
    return len(questions)
