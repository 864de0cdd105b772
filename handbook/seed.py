"""Northwind's employee handbook for `seed_demo`: eight chapters, published through the real
review workflow (Hanna from HR writes, Ada the administrator reviews).

One section is past its review date and one is due within two weeks, so the stale list and
the reminders have something to show; one section has a second version to compare, and one
has a new version waiting for review. The PDF is queued once, at the end.
"""

import datetime

from django.utils import timezone

from ess.accounts.models import User
from ess.portal.seeding import EMAIL_DOMAIN, SeedContext
from handbook import services
from handbook.models import Section, SectionVersion
from handbook.seed_content import CHAPTERS
from handbook.selectors import stale_sections

# Who owns which chapters: the head of the department behind them.
OWNER_TITLES = {
    "finance": "Chief Financial Officer",
    "operations": "Director of Operations",
    "it": "Chief Information Officer",
}
LAPSED_SECTION = "travelling-safely"
DUE_SOON_SECTION = "pension"


def _owners(ctx: SeedContext, hanna: User) -> dict[str, User]:
    by_title = {e.job_title: e.user for e in ctx.shared.get("employees", [])}
    owners = {key: by_title.get(title, hanna) for key, title in OWNER_TITLES.items()}
    owners["people"] = hanna
    return owners


def _publish(section: Section, *, body: str, summary: str, author: User, reviewer: User):
    version = services.version_draft_save(
        section=section, actor=author, body=body, change_summary=summary
    )
    services.version_submit(version=version, actor=author)
    services.version_approve(version=version, actor=reviewer, comment="Reads well.")
    return services.version_publish(version=version, actor=author, queue_pdf=False)


def _add_section(spec: dict, *, chapter, parent, owner, hanna, ada, ctx, dates) -> Section:
    section = services.section_create(
        actor=hanna,
        chapter=chapter,
        parent=parent,
        title=spec["title"],
        slug=spec["slug"],
        owner=owner,
        review_by=timezone.localdate(),
    )
    first = _publish(
        section, body=spec["body"], summary="First edition", author=hanna, reviewer=ada
    )
    dates[first.pk] = ctx.rng.randint(200, 340)
    for summary, body in spec.get("revisions", []):
        later = _publish(section, body=body, summary=summary, author=hanna, reviewer=ada)
        dates[later.pk] = ctx.rng.randint(20, 90)
    if "open_revision" in spec:
        summary, body = spec["open_revision"]
        draft = services.version_draft_save(
            section=section, actor=hanna, body=body, change_summary=summary
        )
        services.version_submit(version=draft, actor=hanna)
    for child in spec.get("children", []):
        _add_section(
            child,
            chapter=chapter,
            parent=section,
            owner=owner,
            hanna=hanna,
            ada=ada,
            ctx=ctx,
            dates=dates,
        )
    return section


def _backdate(dates: dict[int, int]) -> None:
    """Spread publication over the past year, so "last updated" and review dates vary."""
    now, today = timezone.now(), timezone.localdate()
    versions = list(SectionVersion.objects.filter(pk__in=dates).select_related("section"))
    for version in versions:
        version.published_at = now - datetime.timedelta(days=dates[version.pk])
        version.created_at = version.submitted_at = version.reviewed_at = version.published_at
    SectionVersion.objects.bulk_update(
        versions, ["published_at", "created_at", "submitted_at", "reviewed_at"]
    )
    # A retired version stopped being read when its successor was published.
    for version in versions:
        if version.status == SectionVersion.Status.RETIRED:
            successor = next(
                v
                for v in versions
                if v.section_id == version.section_id and v.number == version.number + 1
            )
            version.retired_at = successor.published_at
    SectionVersion.objects.bulk_update(versions, ["retired_at"])
    sections = list(Section.objects.select_related("current_version"))
    for section in sections:
        section.review_by = section.current_version.published_at.date() + services.REVIEW_INTERVAL
        if section.slug == LAPSED_SECTION:
            section.review_by = today - datetime.timedelta(days=12)
        elif section.slug == DUE_SOON_SECTION:
            section.review_by = today + datetime.timedelta(days=9)
    Section.objects.bulk_update(sections, ["review_by"])


def seed_demo(ctx: SeedContext) -> None:
    hanna = User.objects.get(email=f"hanna.hr@{EMAIL_DOMAIN}")
    ada = User.objects.get(email=f"ada.admin@{EMAIL_DOMAIN}")
    owners = _owners(ctx, hanna)
    dates: dict[int, int] = {}
    for position, spec in enumerate(CHAPTERS, start=1):
        chapter = services.chapter_create(
            actor=hanna,
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            position=position,
        )
        for section_spec in spec["sections"]:
            _add_section(
                section_spec,
                chapter=chapter,
                parent=None,
                owner=owners[spec["owner"]],
                hanna=hanna,
                ada=ada,
                ctx=ctx,
                dates=dates,
            )
    _backdate(dates)
    # Built after this step commits (inline when Celery runs eagerly, as in development).
    services.handbook_pdf_request()
    sections = Section.objects.count()
    in_review = Section.objects.filter(versions__status=SectionVersion.Status.IN_REVIEW).count()
    ctx.shared["handbook_sections"] = sections
    ctx.write(
        f"  handbook: {len(CHAPTERS)} chapters, {sections} sections, {in_review} in review,"
        f" {stale_sections().count()} past review"
    )
