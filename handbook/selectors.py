"""Reads for the handbook. Every reader-facing query starts from `readable_sections`, so the
table of contents and a section page cannot disagree about what a person may see."""

import datetime
import hashlib
import json
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ess.accounts.models import User
from handbook.models import Chapter, HandbookPdf, Section, SectionVersion
from handbook.permissions import (
    PUBLISHED_SECTIONS,
    can_edit_handbook,
    readable_sections,
    readable_versions,
    require_editor,
)

# Bump when the PDF's layout changes, so the next publish builds a fresh file.
PDF_LAYOUT_VERSION = 1


def _tree_order(sections: list[Section]) -> list[Section]:
    """Top-level sections by position, each followed by its sub-sections; sets `subsections`
    and `depth` on every section. Sub-sections whose parent is missing are left out."""
    by_parent: dict[int | None, list[Section]] = {}
    for section in sections:
        by_parent.setdefault(section.parent_id, []).append(section)
    ordered = []
    for top in sorted(by_parent.get(None, []), key=lambda s: (s.position, s.pk)):
        top.depth = 0
        top.subsections = sorted(by_parent.get(top.pk, []), key=lambda s: (s.position, s.pk))
        ordered.append(top)
        for child in top.subsections:
            child.depth, child.subsections = 1, []
            ordered.append(child)
    return ordered


def _attach(chapters: list[Chapter], sections: list[Section], *, keep_empty: bool) -> list:
    by_chapter: dict[int, list[Section]] = {}
    for section in sections:
        by_chapter.setdefault(section.chapter_id, []).append(section)
    result = []
    for chapter in chapters:
        chapter.all_sections = _tree_order(by_chapter.get(chapter.pk, []))
        chapter.top_sections = [s for s in chapter.all_sections if s.depth == 0]
        if chapter.all_sections or keep_empty:
            result.append(chapter)
    return result


def _toc_sections(user: User) -> QuerySet[Section]:
    sections = (
        readable_sections(user)
        .annotate(last_updated=F("current_version__published_at"))
        .only("chapter_id", "parent_id", "title", "slug", "position", "current_version_id")
    )
    if can_edit_handbook(user):
        sections = sections.annotate(open_status=_open_status())
    return sections


def _open_status() -> Subquery:
    return Subquery(
        SectionVersion.objects.filter(
            section=OuterRef("pk"), status__in=SectionVersion.OPEN_STATUSES
        ).values("status")[:1]
    )


def _label(sections: list[Section], slugs: dict[int, str]) -> list[Section]:
    for section in sections:
        section.chapter_slug = slugs[section.chapter_id]
        status = getattr(section, "open_status", None)
        section.open_status_label = SectionVersion.Status(status).label if status else ""
    return sections


def handbook_toc(*, user: User) -> list[Chapter]:
    """Chapters with their readable sections in reading order (two queries).

    Each chapter gets `top_sections` (each with `subsections`) and `all_sections`; each
    section carries `last_updated`, `chapter_slug` and, for editors, `open_status_label`.
    Readers do not see chapters with nothing published.
    """
    chapters = list(Chapter.objects.all())
    sections = _label(list(_toc_sections(user)), {c.pk: c.slug for c in chapters})
    return _attach(chapters, sections, keep_empty=can_edit_handbook(user))


def chapter_for_reader(*, user: User, slug: str) -> Chapter:
    """A chapter with its readable sections; 404 for a reader when nothing in it is published."""
    chapter = get_object_or_404(Chapter, slug=slug)
    sections = _label(list(_toc_sections(user).filter(chapter=chapter)), {chapter.pk: slug})
    (chapter,) = _attach([chapter], sections, keep_empty=True)
    if not chapter.all_sections and not can_edit_handbook(user):
        raise Http404
    return chapter


def section_for_reader(*, user: User, chapter_slug: str, section_slug: str) -> Section:
    return get_object_or_404(
        readable_sections(user).select_related(
            "chapter", "parent", "owner", "current_version__author"
        ),
        chapter__slug=chapter_slug,
        slug=section_slug,
    )


@dataclass
class ChapterNavigation:
    sections: list[Section]
    previous: Section | None = None
    next: Section | None = None
    top_sections: list[Section] = field(default_factory=list)


def chapter_navigation(*, user: User, section: Section) -> ChapterNavigation:
    """The readable sections of the section's chapter in reading order, with neighbours."""
    siblings = list(
        readable_sections(user)
        .filter(chapter_id=section.chapter_id)
        .only("chapter_id", "parent_id", "title", "slug", "position")
    )
    ordered = _tree_order(siblings)
    for item in ordered:
        item.chapter_slug = section.chapter.slug
    index = next((i for i, s in enumerate(ordered) if s.pk == section.pk), None)
    nav = ChapterNavigation(sections=ordered, top_sections=[s for s in ordered if s.depth == 0])
    if index is not None:
        nav.previous = ordered[index - 1] if index > 0 else None
        nav.next = ordered[index + 1] if index + 1 < len(ordered) else None
    return nav


def section_history(*, user: User, section: Section) -> QuerySet[SectionVersion]:
    return (
        readable_versions(user, section)
        .select_related("author", "reviewer", "published_by")
        .defer("body")
        .order_by("-number")
    )


def version_for_reader(*, user: User, section: Section, number: int) -> SectionVersion:
    return get_object_or_404(readable_versions(user, section), number=number)


def stale_sections(
    *, owner: User | None = None, today: datetime.date | None = None
) -> QuerySet[Section]:
    """Published sections whose review-by date has passed, oldest first.

    No permission filter: callers (the handbook's own list, the combined stale-content page)
    decide who sees it. Chapter, owner and the published version come along in the query.
    """
    today = today or timezone.localdate()
    sections = (
        Section.objects.filter(PUBLISHED_SECTIONS, review_by__lt=today)
        .select_related("chapter", "owner", "current_version")
        .defer("current_version__body")
        .order_by("review_by", "pk")
    )
    return sections.filter(owner=owner) if owner is not None else sections


def section_overview(*, user: User) -> QuerySet[Section]:
    """Every section with its state, for the editors' list."""
    require_editor(user)
    return Section.objects.select_related("chapter", "owner", "parent").annotate(
        published_number=F("current_version__number"),
        last_updated=F("current_version__published_at"),
        open_status=_open_status(),
    )


def section_workbench(*, user: User, section: Section) -> dict:
    """What an editor needs to move a section's text along (the section is already checked)."""
    versions = list(section_history(user=user, section=section))
    open_version = (
        section.versions.filter(status__in=SectionVersion.OPEN_STATUSES)
        .select_related("author", "last_edited_by", "reviewer")
        .first()
    )
    return {"versions": versions, "open_version": open_version}


def published_content() -> list[Chapter]:
    """Everything published, with texts, in reading order (two queries): print view and PDF."""
    sections = list(
        Section.objects.filter(PUBLISHED_SECTIONS).select_related("current_version", "owner")
    )
    return _attach(list(Chapter.objects.all()), sections, keep_empty=False)


def content_hash(chapters: list[Chapter]) -> str:
    """A fingerprint of everything that goes into the PDF."""
    outline = [
        [
            chapter.title,
            chapter.summary,
            [
                [s.title, s.depth, s.current_version.number, s.current_version.body_sha256]
                for s in chapter.all_sections
            ],
        ]
        for chapter in chapters
    ]
    payload = json.dumps([PDF_LAYOUT_VERSION, outline], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class PdfState:
    latest: HandbookPdf | None  # the newest request (waiting, being built, ready or failed)
    ready: HandbookPdf | None  # the newest file that can be downloaded

    @property
    def in_progress(self) -> bool:
        return self.latest is not None and self.latest.status in (
            HandbookPdf.Status.PENDING,
            HandbookPdf.Status.GENERATING,
        )


def handbook_pdf_state() -> PdfState:
    live = HandbookPdf.objects.exclude(status=HandbookPdf.Status.SUPERSEDED).order_by(
        "-requested_at", "-id"
    )
    latest = live.first()
    if latest is None or latest.status == HandbookPdf.Status.READY:
        return PdfState(latest=latest, ready=latest)
    return PdfState(latest=latest, ready=latest_ready_pdf())


def latest_ready_pdf() -> HandbookPdf | None:
    return (
        HandbookPdf.objects.filter(status=HandbookPdf.Status.READY)
        .order_by("-requested_at", "-id")
        .first()
    )


def versions_in_review_count(*, user: User) -> int:
    if not can_edit_handbook(user):
        return 0
    return SectionVersion.objects.filter(status=SectionVersion.Status.IN_REVIEW).count()
