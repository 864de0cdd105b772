"""Writes for the handbook: structure, the version workflow, review reminders and the PDF.

A version moves draft → in_review → approved → published; publishing retires the version it
replaces. In review it may be sent back to draft. Every move is checked against TRANSITIONS,
audited, and nobody reviews a text they wrote or last edited.
"""

import datetime
import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ess.accounts.models import User
from ess.audit.services import audit_record
from ess.notifications.models import Notification
from ess.notifications.services import notify
from ess.search.services import index_refresh_on_commit
from handbook import selectors
from handbook.kinds import HANDBOOK_REVIEW
from handbook.models import Chapter, HandbookPdf, Section, SectionVersion
from handbook.permissions import is_own_work

logger = logging.getLogger(__name__)

Status = SectionVersion.Status

# (from, to) -> the audit verb. Anything else is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.DRAFT, Status.IN_REVIEW): "submitted",
    (Status.IN_REVIEW, Status.APPROVED): "approved",
    (Status.IN_REVIEW, Status.DRAFT): "rejected",
    (Status.APPROVED, Status.PUBLISHED): "published",
    (Status.PUBLISHED, Status.RETIRED): "retired",
}
# Why a move is refused, by the status it was aimed at.
_REFUSALS = {
    Status.IN_REVIEW: gettext_lazy(
        "Only a draft can be submitted for review; version %(number)s is %(status)s."
    ),
    Status.APPROVED: gettext_lazy(
        "Only a version in review can be approved; version %(number)s is %(status)s."
    ),
    Status.DRAFT: gettext_lazy(
        "Only a version in review can be sent back; version %(number)s is %(status)s."
    ),
    Status.PUBLISHED: gettext_lazy(
        "Only an approved version can be published; version %(number)s is %(status)s."
    ),
    Status.RETIRED: gettext_lazy(
        "Only the published version can be retired; version %(number)s is %(status)s."
    ),
}

# A published text is due for review a year on; owners hear of it two weeks ahead.
REVIEW_INTERVAL = datetime.timedelta(days=365)
REMINDER_LEAD = datetime.timedelta(days=14)
PDF_LEASE = datetime.timedelta(minutes=10)


# --- Structure ------------------------------------------------------------------------------
def _next_position(queryset) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


@transaction.atomic
def chapter_create(
    *,
    actor: User,
    title: str,
    slug: str,
    summary: str = "",
    position: int | None = None,
    request: HttpRequest | None = None,
) -> Chapter:
    chapter = Chapter(
        title=title,
        slug=slug,
        summary=summary,
        position=position if position is not None else _next_position(Chapter.objects.all()),
    )
    chapter.full_clean()
    chapter.save()
    audit_record(actor=actor, action="handbook.chapter_created", target=chapter, request=request)
    return chapter


@transaction.atomic
def chapter_update(
    *,
    chapter: Chapter,
    actor: User,
    title: str,
    slug: str,
    summary: str,
    position: int,
    request: HttpRequest | None = None,
) -> Chapter:
    chapter = Chapter.objects.select_for_update().get(pk=chapter.pk)
    changed = _assign(chapter, title=title, slug=slug, summary=summary, position=position)
    if changed:
        chapter.full_clean()
        chapter.save()
        audit_record(
            actor=actor,
            action="handbook.chapter_updated",
            target=chapter,
            request=request,
            detail={"fields": changed},
        )
        handbook_pdf_request()
    return chapter


def _assign(instance, **values: Any) -> list[str]:
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return changed


@transaction.atomic
def section_create(
    *,
    actor: User,
    chapter: Chapter,
    title: str,
    slug: str,
    owner: User,
    review_by: datetime.date,
    parent: Section | None = None,
    position: int | None = None,
    language: str = settings.LANGUAGE_CODE,
    request: HttpRequest | None = None,
) -> Section:
    if position is None:
        position = _next_position(Section.objects.filter(chapter=chapter, parent=parent))
    section = Section(
        chapter=chapter,
        parent=parent,
        title=title,
        slug=slug,
        owner=owner,
        review_by=review_by,
        position=position,
        language=language,
    )
    section.full_clean()
    section.save()
    audit_record(
        actor=actor,
        action="handbook.section_created",
        target=section,
        request=request,
        detail={"chapter": chapter.pk},
    )
    return section


@transaction.atomic
def section_update(
    *,
    section: Section,
    actor: User,
    title: str,
    slug: str,
    owner: User,
    review_by: datetime.date,
    parent: Section | None,
    position: int,
    language: str,
    request: HttpRequest | None = None,
) -> Section:
    section = Section.objects.select_for_update().get(pk=section.pk)
    changed = _assign(
        section,
        title=title,
        slug=slug,
        owner=owner,
        review_by=review_by,
        parent=parent,
        position=position,
        language=language,
    )
    if changed:
        section.full_clean()
        section.save()
        audit_record(
            actor=actor,
            action="handbook.section_updated",
            target=section,
            request=request,
            detail={"fields": changed},
        )
        if section.current_version_id and {"title", "parent", "position"} & set(changed):
            handbook_pdf_request()
        if section.current_version_id:
            index_refresh_on_commit(doc_type="handbook")
    return section


# --- Versions -------------------------------------------------------------------------------
def _locked(version: SectionVersion) -> SectionVersion:
    """The version as it is now in the database, locked until the transaction ends."""
    return SectionVersion.objects.select_for_update().select_related("section").get(pk=version.pk)


def _check_move(version: SectionVersion, target: str) -> str:
    """The audit verb for moving the version to `target`; ValidationError if not allowed."""
    verb = TRANSITIONS.get((version.status, target))
    if verb is None:
        raise ValidationError(
            _REFUSALS[target],
            code="illegal_transition",
            params={"number": version.number, "status": version.get_status_display().lower()},
        )
    return verb


def _move(version: SectionVersion, target: str, *, actor: User, request, **detail) -> None:
    verb = _check_move(version, target)
    version.status = target
    audit_record(
        actor=actor,
        action=f"handbook.version_{verb}",
        target=version,
        request=request,
        detail={"section": version.section_id, "number": version.number, **detail},
    )


def _refuse_self_review(version: SectionVersion, reviewer: User) -> None:
    if is_own_work(version, reviewer):
        raise ValidationError(
            _("You wrote or last edited this version, so someone else must review it."),
            code="self_review",
        )


@transaction.atomic
def version_draft_save(
    *,
    section: Section,
    actor: User,
    body: str,
    change_summary: str,
    request: HttpRequest | None = None,
) -> SectionVersion:
    """Start a new version of the section, or change its draft if it has one."""
    section = Section.objects.select_for_update().get(pk=section.pk)
    open_version = section.versions.filter(status__in=SectionVersion.OPEN_STATUSES).first()
    if open_version is not None and open_version.status != Status.DRAFT:
        raise ValidationError(
            _(
                "Version %(number)s is %(status)s. Until it is published or sent back, "
                "the text cannot change."
            ),
            code="version_open",
            params={
                "number": open_version.number,
                "status": open_version.get_status_display().lower(),
            },
        )
    published_body = (
        section.versions.filter(pk=section.current_version_id).values_list("body", flat=True)
    ).first()
    if published_body is not None and body.strip() == published_body.strip():
        raise ValidationError(
            _("The text is the same as the published version; change something first."),
            code="unchanged",
        )
    if open_version is None:
        version = SectionVersion(
            section=section,
            number=_next_number(section),
            body=body,
            change_summary=change_summary,
            author=actor,
            last_edited_by=actor,
        )
        action = "handbook.version_created"
    else:
        version = open_version
        version.body, version.change_summary, version.last_edited_by = body, change_summary, actor
        action = "handbook.draft_updated"
    version.full_clean()
    version.save()
    audit_record(
        actor=actor,
        action=action,
        target=version,
        request=request,
        detail={"section": section.pk, "number": version.number},
    )
    return version


def _next_number(section: Section) -> int:
    return (section.versions.aggregate(top=Max("number"))["top"] or 0) + 1


@transaction.atomic
def version_submit(
    *, version: SectionVersion, actor: User, request: HttpRequest | None = None
) -> SectionVersion:
    version = _locked(version)
    _move(version, Status.IN_REVIEW, actor=actor, request=request)
    version.submitted_at = timezone.now()
    version.save(update_fields=["status", "submitted_at"])
    return version


@transaction.atomic
def version_approve(
    *,
    version: SectionVersion,
    actor: User,
    comment: str = "",
    request: HttpRequest | None = None,
) -> SectionVersion:
    version = _locked(version)
    _refuse_self_review(version, actor)
    _move(version, Status.APPROVED, actor=actor, request=request)
    version.reviewer, version.review_comment, version.reviewed_at = actor, comment, timezone.now()
    version.save(update_fields=["status", "reviewer", "review_comment", "reviewed_at"])
    return version


@transaction.atomic
def version_reject(
    *,
    version: SectionVersion,
    actor: User,
    comment: str,
    request: HttpRequest | None = None,
) -> SectionVersion:
    if not comment.strip():
        raise ValidationError(
            _("Say what needs to change, so the author can act on it."), code="comment_required"
        )
    version = _locked(version)
    _refuse_self_review(version, actor)
    _move(version, Status.DRAFT, actor=actor, request=request)
    version.reviewer, version.review_comment, version.reviewed_at = actor, comment, timezone.now()
    version.save(update_fields=["status", "reviewer", "review_comment", "reviewed_at"])
    author = version.last_edited_by or version.author
    with _language_of(author):
        notify(
            recipient=author,
            kind=HANDBOOK_REVIEW.key,
            title=_("Handbook: “%(section)s” version %(number)s was sent back")
            % {"section": version.section.title, "number": version.number},
            body=comment,
            url=_workbench_url(version.section),
        )
    return version


@transaction.atomic
def version_publish(
    *,
    version: SectionVersion,
    actor: User,
    request: HttpRequest | None = None,
    queue_pdf: bool = True,
) -> SectionVersion:
    """Make an approved version the one people read; the one it replaces is retired.

    The section's next review falls a year from today. The PDF is rebuilt after commit
    (`queue_pdf=False` lets a bulk loader ask once at the end instead).
    """
    version = _locked(version)
    section = Section.objects.select_for_update().get(pk=version.section_id)
    _check_move(version, Status.PUBLISHED)
    now = timezone.now()
    previous = section.versions.filter(status=Status.PUBLISHED).first()
    if previous is not None:
        _move(previous, Status.RETIRED, actor=actor, request=request, replaced_by=version.number)
        previous.retired_at = now
        previous.save(update_fields=["status", "retired_at"])
    _move(version, Status.PUBLISHED, actor=actor, request=request)
    version.published_at, version.published_by = now, actor
    version.save(update_fields=["status", "published_at", "published_by"])
    section.current_version = version
    section.review_by = timezone.localdate() + REVIEW_INTERVAL
    section.save(update_fields=["current_version", "review_by"])
    if queue_pdf:
        handbook_pdf_request()
    # Sub-sections become findable with their parent, so the whole handbook is re-read
    # (a few hundred sections at most).
    index_refresh_on_commit(doc_type="handbook")
    return version


# --- Review reminders -----------------------------------------------------------------------
def _workbench_url(section: Section) -> str:
    return reverse("handbook:workbench", args=[section.pk])


def _language_of(user: User):
    """Messages to a person are written in their language, whoever triggered them."""
    return translation.override(user.language or settings.LANGUAGE_CODE)


def _reminder_key(section: Section, today: datetime.date) -> str | None:
    """One reminder two weeks ahead, then one a week while the review date has passed."""
    stem = f"handbook:review:{section.pk}:{section.review_by.isoformat()}"
    if section.review_by - REMINDER_LEAD <= today <= section.review_by:
        return f"{stem}:due"
    if today > section.review_by:
        return f"{stem}:lapsed:{(today - section.review_by).days // 7}"
    return None


def review_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind owners of published sections that are due or past due for review.

    Safe to run as often as you like: the dedupe key names the review date and the week, so
    a second run on the same day (or in the same week of lapse) sends nothing.
    """
    today = today or timezone.localdate()
    due = (
        Section.objects.filter(
            current_version__isnull=False,
            owner__is_active=True,
            review_by__lte=today + REMINDER_LEAD,
        )
        .select_related("owner", "chapter")
        .order_by("review_by", "pk")
    )
    wanted = {key: section for section in due if (key := _reminder_key(section, today))}
    already = set(
        Notification.objects.filter(dedupe_key__in=list(wanted)).values_list(
            "dedupe_key", flat=True
        )
    )
    sent = 0
    for key, section in wanted.items():
        if key in already:
            continue
        with _language_of(section.owner):
            notify(
                recipient=section.owner,
                kind=HANDBOOK_REVIEW.key,
                title=_reminder_title(section, today),
                body=_(
                    "You own “%(section)s” in the chapter “%(chapter)s”. Check that it is "
                    "still right and publish a new version, or move the review date."
                )
                % {"section": section.title, "chapter": section.chapter.title},
                url=section.get_absolute_url(),
                dedupe_key=key,
            )
        sent += 1
    return sent


def _reminder_title(section: Section, today: datetime.date) -> str:
    if section.review_by < today:
        return _("Handbook: “%(section)s” was due for review on %(date)s") % {
            "section": section.title,
            "date": section.review_by.isoformat(),
        }
    return _("Handbook: “%(section)s” is due for review on %(date)s") % {
        "section": section.title,
        "date": section.review_by.isoformat(),
    }


# --- The PDF --------------------------------------------------------------------------------
def handbook_pdf_request() -> HandbookPdf | None:
    """Ask for a PDF of the handbook as it is now; built after commit unless it exists.

    Keyed by the content hash: asking twice for the same content queues nothing new.
    """
    chapters = selectors.published_content()
    if not chapters:
        return None
    pdf, created = HandbookPdf.objects.get_or_create(content_hash=selectors.content_hash(chapters))
    building = pdf.status == HandbookPdf.Status.GENERATING and pdf.lease_until > timezone.now()
    if not created and (pdf.status == HandbookPdf.Status.READY or building):
        return pdf
    if pdf.status != HandbookPdf.Status.PENDING:  # failed or superseded: try again
        HandbookPdf.objects.filter(pk=pdf.pk).update(
            status=HandbookPdf.Status.PENDING, requested_at=timezone.now(), error=""
        )
        pdf.refresh_from_db()
    transaction.on_commit(lambda: _publish_pdf_task(pdf.pk))
    return pdf


def _publish_pdf_task(pdf_id: int) -> None:
    from handbook.tasks import generate_handbook_pdf

    try:
        generate_handbook_pdf.delay(pdf_id)
    except Exception:  # broker away: the request stays pending; the next publish retries it
        logger.warning("Broker unavailable; handbook PDF %s waits", pdf_id)


def _claim_pdf(pdf_id: int) -> bool:
    now = timezone.now()
    claimable = Q(status__in=[HandbookPdf.Status.PENDING, HandbookPdf.Status.FAILED]) | Q(
        status=HandbookPdf.Status.GENERATING, lease_until__lt=now
    )
    return bool(
        HandbookPdf.objects.filter(claimable, pk=pdf_id).update(
            status=HandbookPdf.Status.GENERATING, lease_until=now + PDF_LEASE
        )
    )


def handbook_pdf_generate(*, pdf_id: int) -> bool:
    """Build the PDF for one request if nobody else is on it. True when a file was written.

    If the handbook changed since the request, the request is superseded and the current
    content is requested instead.
    """
    from handbook.pdf import render_handbook

    if not _claim_pdf(pdf_id):
        return False
    pdf = HandbookPdf.objects.get(pk=pdf_id)
    chapters = selectors.published_content()
    if not chapters or selectors.content_hash(chapters) != pdf.content_hash:
        HandbookPdf.objects.filter(pk=pdf.pk).update(
            status=HandbookPdf.Status.SUPERSEDED, lease_until=None
        )
        with transaction.atomic():
            handbook_pdf_request()
        return False
    try:
        rendered = render_handbook(chapters, generated_at=timezone.now())
        _store_pdf(pdf, rendered.data, pages=rendered.pages)
    except Exception as exc:
        logger.exception("Handbook PDF %s failed", pdf.pk)
        HandbookPdf.objects.filter(pk=pdf.pk).update(
            status=HandbookPdf.Status.FAILED,
            lease_until=None,
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return False
    return True


@transaction.atomic
def _store_pdf(pdf: HandbookPdf, data: bytes, *, pages: int) -> None:
    if pdf.file:
        pdf.file.delete(save=False)
    pdf.file.save(f"{pdf.content_hash}.pdf", ContentFile(data), save=False)
    pdf.sha256 = hashlib.sha256(data).hexdigest()
    pdf.size, pdf.pages = len(data), pages
    pdf.status, pdf.generated_at, pdf.lease_until, pdf.error = (
        HandbookPdf.Status.READY,
        timezone.now(),
        None,
        "",
    )
    try:
        pdf.save()
    except Exception:
        pdf.file.delete(save=False)  # no file without its row
        raise
    # Older files are of no further use: readers always get the newest.
    for old in HandbookPdf.objects.filter(
        status=HandbookPdf.Status.READY, requested_at__lt=pdf.requested_at
    ):
        old.file.delete(save=False)
        old.status = HandbookPdf.Status.SUPERSEDED
        old.save(update_fields=["file", "status"])
