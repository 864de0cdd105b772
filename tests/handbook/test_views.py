"""Every handbook URL for anonymous, an employee, an HR officer and an administrator, then
the pages themselves: what readers see, what editors do, and how many queries it takes."""

import csv
import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from handbook import services
from handbook.models import Chapter, HandbookPdf, Section, SectionVersion
from tests.handbook.factories import (
    ChapterFactory,
    SectionVersionFactory,
    draft_section,
    publish_version,
    published_section,
)
from tests.matrix import Row, assert_access, expand

pytestmark = pytest.mark.django_db

READERS = ("anonymous", "employee", "hr_officer", "admin_user")


def _everyone(status: int) -> dict[str, int]:
    return {"anonymous": 302, "employee": status, "hr_officer": status, "admin_user": status}


def _editors(status: int, *, employee: int = 403) -> dict[str, int]:
    return {"anonymous": 302, "employee": employee, "hr_officer": status, "admin_user": status}


@pytest.fixture
def published(db) -> Section:
    section = published_section(
        chapter=ChapterFactory(slug="pay"), slug="payslips", title="Payslips", body="Version one"
    )
    publish_version(section, body="Version two")
    return section


@pytest.fixture
def unpublished(db) -> Section:
    """A section whose only text is a draft, in a chapter with nothing published."""
    return draft_section(chapter=ChapterFactory(slug="drafts"), slug="secret", title="Secret")


def _pdf_ready() -> HandbookPdf:
    pdf = HandbookPdf(
        content_hash="a" * 64,
        status=HandbookPdf.Status.READY,
        pages=3,
        sha256="b" * 64,
        generated_at=timezone.now(),
    )
    pdf.file.save("handbook.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return pdf


def _url(name: str, fixture: str, *extra, by: str = "slugs"):
    def build(request):
        section = request.getfixturevalue(fixture)
        if by == "pk":
            return reverse(name, args=[section.pk])
        if by == "chapter":
            return reverse(name, args=[section.chapter.slug])
        if by == "chapter_pk":
            return reverse(name, args=[section.chapter.pk])
        return reverse(name, args=[section.chapter.slug, section.slug, *extra])

    build.__name__ = f"{name}-{fixture}"
    return build


def _version_url(name: str, fixture: str, status: str):
    def build(request):
        section = request.getfixturevalue(fixture)
        version = section.versions.filter(status=status).first()
        return reverse(name, args=[version.pk])

    build.__name__ = f"{name}-{fixture}-{status}"
    return build


def _pdf_url(request):
    _pdf_ready()
    return reverse("handbook:pdf")


def _compare_url(request):
    section = request.getfixturevalue("published")
    url = reverse("handbook:compare", args=[section.chapter.slug, section.slug])
    return f"{url}?old=1&new=2"


DRAFT, PUBLISHED = SectionVersion.Status.DRAFT, SectionVersion.Status.PUBLISHED

MATRIX = [
    # Reading
    Row("handbook:index", _everyone(200)),
    Row("handbook:print", _everyone(200)),
    Row(_pdf_url, _everyone(200), label="pdf-ready"),
    Row("handbook:pdf", _everyone(302), label="pdf-none-yet"),
    Row(_url("handbook:chapter", "published", by="chapter"), _everyone(200)),
    Row(_url("handbook:chapter", "unpublished", by="chapter"), _editors(200, employee=404)),
    Row(_url("handbook:section", "published"), _everyone(200)),
    Row(_url("handbook:section", "unpublished"), _editors(200, employee=404)),
    Row(_url("handbook:history", "published"), _everyone(200)),
    Row(_url("handbook:history", "unpublished"), _editors(200, employee=404)),
    Row(_compare_url, _everyone(200), label="compare"),
    Row(_url("handbook:version", "published", 1), _everyone(200)),
    Row(_url("handbook:version", "unpublished", 1), _editors(200, employee=404)),
    # Editing: 403 where the reader may see the thing, 404 where they may not.
    Row("handbook:manage", _editors(200)),
    Row("handbook:stale", _editors(200)),
    Row("handbook:pdf_generate", _editors(302), method="post"),
    Row("handbook:chapter_create", _editors(200)),
    Row(_url("handbook:chapter_edit", "published", by="chapter_pk"), _editors(200)),
    Row(_url("handbook:section_create", "published", by="chapter_pk"), _editors(200)),
    Row(_url("handbook:workbench", "published", by="pk"), _editors(200)),
    Row(_url("handbook:workbench", "unpublished", by="pk"), _editors(200, employee=404)),
    Row(_url("handbook:section_edit", "published", by="pk"), _editors(200)),
    Row(_url("handbook:section_edit", "unpublished", by="pk"), _editors(200, employee=404)),
    Row(_url("handbook:write", "published", by="pk"), _editors(200)),
    Row(_url("handbook:write", "unpublished", by="pk"), _editors(200, employee=404)),
    Row(
        _version_url("handbook:submit", "unpublished", DRAFT),
        _editors(302, employee=404),
        method="post",
    ),
    Row(
        _version_url("handbook:approve", "unpublished", DRAFT),
        _editors(302, employee=404),
        method="post",
    ),
    Row(
        _version_url("handbook:reject", "unpublished", DRAFT),
        _editors(302, employee=404),
        method="post",
    ),
    Row(
        _version_url("handbook:publish", "unpublished", DRAFT),
        _editors(302, employee=404),
        method="post",
    ),
    Row(_version_url("handbook:publish", "published", PUBLISHED), _editors(302), method="post"),
]


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_permission_matrix(client, request, row, who):
    assert_access(client, request, row, who)


@pytest.mark.parametrize("name", ["submit", "approve", "reject", "publish"])
def test_workflow_actions_refuse_get(client, hr_officer, unpublished, name):
    client.force_login(hr_officer)
    version = unpublished.versions.get()
    assert client.get(reverse(f"handbook:{name}", args=[version.pk])).status_code == 405


# --- Reading --------------------------------------------------------------------------------
def test_employee_reads_a_section_with_its_date_owner_and_headings(client, employee):
    chapter = ChapterFactory(title="Working hours and leave", slug="leave")
    section = published_section(
        chapter=chapter,
        slug="annual",
        title="Annual leave",
        body="Take 25 days.\n\n## Asking for leave\n\nAsk early.\n\n## Carrying over\n\nUse it.",
    )
    section.owner.first_name, section.owner.last_name = "Sigrid", "Ødegård"
    section.owner.save()
    after = published_section(chapter=chapter, slug="sick", title="When you are ill")
    client.force_login(employee)
    html = client.get(reverse("handbook:section", args=["leave", "annual"])).content.decode()
    assert "<h1" in html
    assert "Annual leave" in html
    published_on = section.current_version.published_at
    assert f"Last updated {published_on:%-d %B %Y} (version 1)" in html
    assert "Owner: Sigrid Ødegård" in html
    assert '<a href="#asking-for-leave">Asking for leave</a>' in html
    assert '<h2 id="carrying-over">Carrying over</h2>' in html
    assert after.get_absolute_url() in html  # next section
    assert reverse("handbook:workbench", args=[section.pk]) not in html


def test_a_section_body_is_sanitised(client, employee):
    published_section(
        chapter=ChapterFactory(slug="it"),
        slug="xss",
        title="Links",
        body="Hi <script>alert(1)</script> [click](javascript:alert(2)) "
        '<img src=x onerror="alert(3)">',
    )
    client.force_login(employee)
    html = client.get(reverse("handbook:section", args=["it", "xss"])).content.decode()
    body = html.split('class="ess-content ess-handbook-body">', 1)[1].split("</div>", 1)[0]
    assert "<script" not in body
    assert 'href="javascript' not in body  # left as plain text, never a link
    assert "onerror" not in body
    assert "alert(1)" not in body


def test_the_index_lists_chapters_and_sections_and_the_pdf_state(client, employee):
    published_section(chapter=ChapterFactory(title="Pay"), title="Payslips")
    draft_section(chapter=ChapterFactory(title="Hidden chapter"), title="Draft only")
    client.force_login(employee)
    html = client.get(reverse("handbook:index")).content.decode()
    assert "Payslips" in html
    assert "Hidden chapter" not in html
    assert "Draft only" not in html
    assert "There is no PDF yet" in html
    assert reverse("handbook:manage") not in html

    pdf = _pdf_ready()
    HandbookPdf.objects.create(content_hash="c" * 64)  # a newer one on its way
    html = client.get(reverse("handbook:index")).content.decode()
    assert reverse("handbook:pdf") in html
    assert "A new PDF with the latest changes is being made" in html
    assert f"{pdf.pages} pages" in html


def test_editors_see_drafts_and_their_state_in_the_contents(client, hr_officer):
    section = draft_section(chapter=ChapterFactory(title="New"), title="Coming soon")
    section.versions.update(status=SectionVersion.Status.IN_REVIEW)
    client.force_login(hr_officer)
    html = client.get(reverse("handbook:index")).content.decode()
    assert "Coming soon" in html
    assert "Not published" in html
    assert "In review" in html


def test_history_and_compare_show_what_changed_between_two_versions(client, employee, published):
    client.force_login(employee)
    history = client.get(reverse("handbook:history", args=["pay", "payslips"])).content.decode()
    assert "Version 2" in history
    assert "Version 1" in history
    url = reverse("handbook:compare", args=["pay", "payslips"])
    html = client.get(url, {"old": 1, "new": 2}).content.decode()
    assert "<del>Version one</del>" in html
    assert "<ins>Version two</ins>" in html
    assert "Changes from version 1 to version 2" in html


def test_readers_cannot_compare_with_a_draft(client, employee, hr_officer, published):
    SectionVersionFactory(section=published, number=3, body="Unpublished plans")
    url = reverse("handbook:compare", args=["pay", "payslips"])
    client.force_login(employee)
    response = client.get(url, {"old": 2, "new": 3})
    assert response.status_code == 302
    assert "Unpublished plans" not in client.get(response["Location"]).content.decode()
    client.force_login(hr_officer)
    assert "Unpublished plans" in client.get(url, {"old": 2, "new": 3}).content.decode()


def test_the_print_view_holds_every_published_section(client, employee):
    for number in range(3):
        published_section(
            chapter=ChapterFactory(title=f"Chapter {number}"),
            title=f"Part {number}",
            body=f"Text of part **{number}**.",
        )
    draft_section(title="Not for print")
    client.force_login(employee)
    html = client.get(reverse("handbook:print")).content.decode()
    for number in range(3):
        assert f"Text of part <strong>{number}</strong>." in html
    assert "Not for print" not in html
    assert "handbook/handbook.css" in html
    assert "<style" not in html
    assert " style=" not in html


def test_the_pdf_is_downloaded_as_an_attachment(client, employee):
    pdf = _pdf_ready()
    client.force_login(employee)
    response = client.get(reverse("handbook:pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"employee-handbook-{pdf.generated_at:%Y-%m-%d}.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"


def test_without_a_ready_pdf_the_download_explains_and_goes_back(client, employee):
    HandbookPdf.objects.create(content_hash="d" * 64)  # requested, not built yet
    client.force_login(employee)
    response = client.get(reverse("handbook:pdf"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("handbook:index")
    assert "not ready yet" in response.content.decode()


def test_the_handbook_is_in_everyones_navigation(client, employee):
    client.force_login(employee)
    html = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("handbook:index")}"' in html


# --- Editing --------------------------------------------------------------------------------
def test_editors_write_review_and_publish_through_the_pages(
    client, hr_officer, admin_user, employee, django_capture_on_commit_callbacks
):
    client.force_login(hr_officer)
    response = client.post(
        reverse("handbook:chapter_create"),
        {"title": "Travel", "slug": "travel", "summary": "Trips", "position": ""},
    )
    chapter = Chapter.objects.get(slug="travel")
    assert response["Location"] == reverse("handbook:section_create", args=[chapter.pk])
    response = client.post(
        reverse("handbook:section_create", args=[chapter.pk]),
        {
            "title": "Booking",
            "slug": "booking",
            "owner": hr_officer.email.upper(),
            "review_by": "2030-01-01",
            "language": "en",
            "position": "",
        },
    )
    section = Section.objects.get(slug="booking")
    assert response["Location"] == reverse("handbook:write", args=[section.pk])
    client.post(
        reverse("handbook:write", args=[section.pk]),
        {"body": "Book by train.", "change_summary": "First"},
    )
    version = section.versions.get()
    client.post(reverse("handbook:submit", args=[version.pk]))

    # The author's own approval is refused, with the reason on the page.
    response = client.post(reverse("handbook:approve", args=[version.pk]), follow=True)
    assert "someone else must review it" in response.content.decode()

    client.force_login(admin_user)
    client.post(reverse("handbook:approve", args=[version.pk]), {"comment": "Fine"})
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("handbook:publish", args=[version.pk]))
    assert len(callbacks) == 2  # the PDF and the search index, after commit
    version.refresh_from_db()
    assert version.status == SectionVersion.Status.PUBLISHED

    client.force_login(employee)
    html = client.get(reverse("handbook:section", args=["travel", "booking"])).content.decode()
    assert "Book by train." in html


def test_the_section_form_refuses_an_unknown_owner(client, hr_officer):
    chapter = ChapterFactory()
    client.force_login(hr_officer)
    response = client.post(
        reverse("handbook:section_create", args=[chapter.pk]),
        {
            "title": "X",
            "slug": "x",
            "owner": "nobody@example.org",
            "review_by": "2030-01-01",
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert "Nobody active in the portal has this e-mail." in response.content.decode()


def test_sending_back_without_a_comment_is_refused(client, hr_officer, admin_user):
    version = SectionVersionFactory(status=SectionVersion.Status.IN_REVIEW, author=hr_officer)
    client.force_login(admin_user)
    response = client.post(reverse("handbook:reject", args=[version.pk]), follow=True)
    assert "Say what needs to change" in response.content.decode()
    client.post(reverse("handbook:reject", args=[version.pk]), {"comment": "Shorter, please"})
    version.refresh_from_db()
    assert version.status == SectionVersion.Status.DRAFT


def test_the_workbench_shows_the_draft_its_changes_and_the_right_actions(
    client, hr_officer, admin_user, published
):
    version = SectionVersionFactory(
        section=published,
        number=3,
        body="Version three",
        author=hr_officer,
        status=SectionVersion.Status.IN_REVIEW,
    )
    url = reverse("handbook:workbench", args=[published.pk])
    client.force_login(hr_officer)
    html = client.get(url).content.decode()
    assert "Waiting for another editor" in html
    assert reverse("handbook:approve", args=[version.pk]) not in html
    client.force_login(admin_user)
    html = client.get(url).content.decode()
    assert reverse("handbook:approve", args=[version.pk]) in html
    assert "<del>Version two</del>" in html
    assert "<ins>Version three</ins>" in html


def test_the_manage_list_filters_and_exports(client, hr_officer):
    published_section(title="Pension", review_by=timezone.localdate() - datetime.timedelta(1))
    published_section(title="Bikes")
    draft_section(title="Sabbatical")
    client.force_login(hr_officer)
    url = reverse("handbook:manage")
    stale = client.get(url, {"state": "stale"}).content.decode()
    assert "Pension" in stale
    assert "Bikes" not in stale
    unpublished = client.get(url, {"state": "unpublished"}).content.decode()
    assert "Sabbatical" in unpublished
    assert "Pension" not in unpublished
    export = client.get(url, {"_export": "csv"})
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert {"Pension", "Bikes", "Sabbatical"} <= {row[1] for row in rows[1:]}
    assert client.get(url, {"sort": "owner__password"}).status_code == 400


def test_the_stale_list_shows_sections_past_review(client, hr_officer):
    published_section(title="Old rules", review_by=timezone.localdate() - datetime.timedelta(5))
    published_section(title="Fresh rules")
    client.force_login(hr_officer)
    html = client.get(reverse("handbook:stale")).content.decode()
    assert "Old rules" in html
    assert "Fresh rules" not in html


def test_editors_home_tile_counts_versions_waiting_for_review(client, hr_officer, employee):
    SectionVersionFactory(status=SectionVersion.Status.IN_REVIEW)
    client.force_login(hr_officer)
    assert (
        '1<span class="visually-hidden"> waiting for you'
        in client.get(reverse("portal:home")).content.decode()
    )
    client.force_login(employee)
    assert "> waiting for you</span>" not in client.get(reverse("portal:home")).content.decode()


def test_publishing_queues_the_pdf_only_after_commit(
    hr_officer, admin_user, django_capture_on_commit_callbacks
):
    section = draft_section()
    version = section.versions.get()
    version.status, version.author = SectionVersion.Status.APPROVED, hr_officer
    version.save()
    with django_capture_on_commit_callbacks() as callbacks:
        services.version_publish(version=version, actor=admin_user)
        assert HandbookPdf.objects.get().status == HandbookPdf.Status.PENDING
    assert len(callbacks) == 2  # the PDF and the search index


# --- Query counts ---------------------------------------------------------------------------
def _handbook(chapters: int = 2, sections: int = 5) -> list[Section]:
    return [
        published_section(chapter=chapter, slug=f"s{s}", body=f"## Part {s}\n\nText {s}.")
        for chapter in (ChapterFactory(slug=f"c{c}") for c in range(chapters))
        for s in range(sections)
    ]


def test_index_query_count_is_fixed(client, employee, django_assert_max_num_queries):
    _handbook()
    client.force_login(employee)
    # session, user, groups (role checks), chapters, sections with last-updated date,
    # newest PDF request, newest ready PDF; the page frame: unread count, policies' nav check
    with django_assert_max_num_queries(9):
        response = client.get(reverse("handbook:index"))
    assert response.content.decode().count("updated ") >= 10


def test_section_page_query_count_is_fixed(client, employee, django_assert_max_num_queries):
    _handbook(chapters=1, sections=6)
    client.force_login(employee)
    # session, user, groups, the section with chapter/parent/owner/version/author,
    # the chapter's sections for the side navigation; the frame: unread count, policies' nav
    with django_assert_max_num_queries(7):
        response = client.get(reverse("handbook:section", args=["c0", "s2"]))
    assert response.status_code == 200
    assert response.content.decode().count('href="/handbook/c0/s') >= 6


def test_print_view_query_count_is_fixed(client, employee, django_assert_max_num_queries):
    _handbook(chapters=3, sections=5)
    client.force_login(employee)
    # session, user, groups, chapters, sections with owner and text; the frame: unread
    # count, policies' nav check
    with django_assert_max_num_queries(7):
        response = client.get(reverse("handbook:print"))
    assert response.content.decode().count("ess-print-section") == 15


def test_manage_list_query_count_is_fixed(client, hr_officer, django_assert_max_num_queries):
    _handbook(chapters=2, sections=5)
    client.force_login(hr_officer)
    # session, user, groups, MFA check (editors' roles require it), count, page of sections
    # (chapter, owner, parent and open status joined in), chapter filter choices, chapters
    # list, unread count
    with django_assert_max_num_queries(9):
        response = client.get(reverse("handbook:manage"))
    assert response.content.decode().count("/handbook/manage/sections/") >= 10


def test_stale_list_query_count_is_fixed(client, hr_officer, django_assert_max_num_queries):
    for section in _handbook(chapters=1, sections=6):
        section.review_by = timezone.localdate() - datetime.timedelta(days=section.pk)
        section.save()
    client.force_login(hr_officer)
    # session, user, groups, MFA check, count, page of sections with chapter, owner and
    # version, unread count
    with django_assert_max_num_queries(7):
        response = client.get(reverse("handbook:stale"))
    assert response.content.decode().count("/handbook/manage/sections/") == 6
