"""The handbook PDF: what is in it, and that each distinct content is built exactly once."""

import datetime
import hashlib
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader
from reportlab.platypus import ListFlowable, Paragraph, Table

from handbook import pdf as pdf_module
from handbook import services, tasks
from handbook.models import HandbookPdf, SectionVersion
from tests.factories import UserFactory
from tests.handbook.factories import ChapterFactory, SectionFactory, published_section

pytestmark = pytest.mark.django_db

LONG = "\n\n".join(
    f"Paragraph {n}: the warehouse teams plan their shifts four weeks ahead, and every "
    "shift keeps enough certified forklift drivers to load the evening trucks on time."
    for n in range(12)
)


def _handbook() -> dict:
    owner = UserFactory(first_name="Sigrid", last_name="Ødegård")
    welcome = ChapterFactory(title="Welcome to Northwind", position=1)
    safety = ChapterFactory(title="Health and safety", position=2)
    published_section(
        chapter=welcome,
        title="Who we are",
        owner=owner,
        position=1,
        body="Łukasz Kowalski leads the Rotterdam night shift.\n\n## Our offices\n\n"
        "- Rotterdam\n- Milan\n- Oslo\n\n" + LONG,
    )
    published_section(chapter=welcome, title="Our values", owner=owner, position=2, body=LONG)
    published_section(
        chapter=safety,
        title="On the warehouse floor",
        owner=owner,
        body="| Wear | Where |\n|---|---|\n| Helmet | High-bay aisles |\n\n" + LONG,
    )
    return {"owner": owner}


def _build(capture) -> HandbookPdf:
    with capture(execute=True):
        services.handbook_pdf_request()
    return HandbookPdf.objects.get(status=HandbookPdf.Status.READY)


@pytest.fixture
def renders(monkeypatch) -> list[int]:
    """Counts real PDF builds."""
    calls: list[int] = []
    real = pdf_module.render_handbook

    def counting(chapters, **kwargs):
        calls.append(1)
        return real(chapters, **kwargs)

    monkeypatch.setattr(pdf_module, "render_handbook", counting)
    return calls


def test_the_pdf_has_a_title_page_contents_page_numbers_and_unicode_text(
    django_capture_on_commit_callbacks, settings
):
    _handbook()
    stored = _build(django_capture_on_commit_callbacks)
    path = Path(stored.file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT) / "private" / "handbook")
    data = path.read_bytes()
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == len(data)
    assert stored.generated_at is not None

    reader = PdfReader(path)
    assert len(reader.pages) > 1
    assert stored.pages == len(reader.pages)
    assert reader.metadata.title == "Employee handbook"
    assert reader.metadata.author == "ESS — Employee self-service"

    pages = [page.extract_text() for page in reader.pages]
    assert "Employee handbook" in pages[0]
    assert "2 chapters, 3 sections" in pages[0]
    text = "\n".join(pages)
    assert "Łukasz Kowalski leads the Rotterdam night shift." in text
    assert "Owner: Sigrid Ødegård" in text
    assert "Helmet" in text
    assert "High-bay aisles" in text
    assert "Page 3" in pages[2]

    # The contents list every heading with the page it starts on.
    contents = pages[1]
    assert contents.startswith("Employee handbook") or "Contents" in contents
    titles = [
        "1. Welcome to Northwind",
        "Who we are",
        "Our values",
        "2. Health and safety",
        "On the warehouse floor",
    ]
    for title in titles:
        assert title in contents
    listed = [int(n) for n in re.findall(r"\.\s+(\d+)\s*$", contents, flags=re.MULTILINE)]
    expected = [
        next(i for i, page in enumerate(pages[2:], start=3) if title in page) for title in titles
    ]
    assert listed == expected

    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline == ["1. Welcome to Northwind", "2. Health and safety"]
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVuSans" in name for name in fonts)


def test_publishing_builds_the_pdf_once_and_asking_again_builds_nothing(
    hr_officer, admin_user, django_capture_on_commit_callbacks, renders
):
    _handbook()
    section = SectionFactory()
    version = services.version_draft_save(
        section=section, actor=hr_officer, body="New rules.", change_summary="New"
    )
    services.version_submit(version=version, actor=hr_officer)
    services.version_approve(version=version, actor=admin_user)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        services.version_publish(version=version, actor=admin_user)
    assert len(queued) == 2  # the PDF and the search index
    assert len(renders) == 1
    built = HandbookPdf.objects.get()
    assert built.status == HandbookPdf.Status.READY

    # Same content again: an editor's "make the PDF now", a redelivered task.
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert services.handbook_pdf_request() == built
    assert queued == []
    assert tasks.generate_handbook_pdf(built.pk) is False
    assert len(renders) == 1
    assert HandbookPdf.objects.count() == 1


def test_several_publishes_in_one_transaction_build_one_pdf(
    hr_officer, admin_user, django_capture_on_commit_callbacks, renders
):
    versions = []
    for title in ("Pay", "Leave", "Safety"):
        section = SectionFactory(title=title)
        versions.append(
            SectionVersion.objects.create(
                section=section,
                number=1,
                body=f"{title} rules",
                change_summary="x",
                author=hr_officer,
                status=SectionVersion.Status.APPROVED,
            )
        )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for version in versions:
            services.version_publish(version=version, actor=admin_user)
    assert len(renders) == 1
    ready = HandbookPdf.objects.get(status=HandbookPdf.Status.READY)
    assert (
        HandbookPdf.objects.exclude(pk=ready.pk)
        .filter(status=HandbookPdf.Status.SUPERSEDED)
        .count()
        == 2
    )
    text = "".join(page.extract_text() for page in PdfReader(ready.file.path).pages)
    assert all(f"{title} rules" in text for title in ("Pay", "Leave", "Safety"))


def test_a_new_pdf_replaces_the_old_file(django_capture_on_commit_callbacks):
    _handbook()
    first = _build(django_capture_on_commit_callbacks)
    old_path = Path(first.file.path)
    published_section(title="Bikes", body="Lease a bike.")
    second = _build(django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert second.pk != first.pk
    assert first.status == HandbookPdf.Status.SUPERSEDED
    assert not old_path.exists()
    assert Path(second.file.path).exists()


def test_a_failed_build_is_recorded_and_can_be_tried_again(
    django_capture_on_commit_callbacks, monkeypatch
):
    _handbook()

    def broken(chapters, **kwargs):
        raise ValueError("no ink")

    monkeypatch.setattr(pdf_module, "render_handbook", broken)
    with django_capture_on_commit_callbacks(execute=True):
        request = services.handbook_pdf_request()
    request.refresh_from_db()
    assert request.status == HandbookPdf.Status.FAILED
    assert request.error == "ValueError: no ink"

    monkeypatch.undo()
    assert _build(django_capture_on_commit_callbacks).pk == request.pk


def test_markdown_becomes_headings_paragraphs_lists_and_tables():
    flow = pdf_module.markdown_flowables(
        "## Rules\n\nRead **this** and [the form](https://x.example) but not "
        "[that](javascript:alert(1)).\n\n1. one\n2. two\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n"
        "<iframe src='https://video.example/1'></iframe>\n"
    )
    kinds = [type(item) for item in flow]
    assert kinds[:4] == [Paragraph, Paragraph, ListFlowable, Table]
    markup = flow[1].text
    assert "<b>this</b>" in markup
    assert '<a href="https://x.example"' in markup
    assert 'href="javascript' not in markup  # stays as words, never a link
    assert not any("iframe" in getattr(item, "text", "") for item in flow)


def test_missing_fonts_fail_loudly_with_the_package_to_install(monkeypatch, tmp_path):
    from ess import pdf as shared_pdf

    monkeypatch.setattr(shared_pdf, "FONT_DIR", tmp_path)
    shared_pdf.register_fonts.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="apt-get install fonts-dejavu-core"):
            shared_pdf.register_fonts()
    finally:
        shared_pdf.register_fonts.cache_clear()


def test_a_build_abandoned_by_a_killed_worker_is_queued_again(
    django_capture_on_commit_callbacks, renders
):
    _handbook()
    with django_capture_on_commit_callbacks(execute=False):
        stuck = services.handbook_pdf_request()
    # A worker claimed it and died: the lease runs, then expires.
    HandbookPdf.objects.filter(pk=stuck.pk).update(
        status=HandbookPdf.Status.GENERATING, lease_until=timezone.now() + services.PDF_LEASE
    )
    with django_capture_on_commit_callbacks(execute=True) as queued:
        services.handbook_pdf_request()
    assert queued == []
    HandbookPdf.objects.filter(pk=stuck.pk).update(
        lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True) as queued:
        services.handbook_pdf_request()
    assert len(queued) == 1
    assert len(renders) == 1
    stuck.refresh_from_db()
    assert stuck.status == HandbookPdf.Status.READY
