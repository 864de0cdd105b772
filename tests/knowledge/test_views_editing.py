"""The editors' screens: the article list with filters and exports, writing from a gap or a
question, versions with their differences and restores, audience, links, attachments,
review tasks and the question queue."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from ess.search.models import Gap, GapStatus
from helpdesk.knowledge import services
from helpdesk.knowledge.models import Article, ArticleStatus, Audience, Question, ReviewTask
from tests.knowledge.conftest_web import article_make, category_make, space_make

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def editor_client(client, kb_editor):
    client.force_login(kb_editor)
    return client


@pytest.fixture
def vpn(kb_editor):
    return article_make(by=kb_editor, title="Connect to the VPN", body="Line one\nLine two")


def _manage(article: Article, name: str = "article_manage", *extra) -> str:
    return reverse(f"knowledge:{name}", args=[article.key, *extra])


# --- The article list ---------------------------------------------------------------------------
def test_the_list_filters_by_status_and_text(editor_client, kb_editor, vpn):
    article_make(by=kb_editor, title="Printer drivers", tags=["printer"], publish=False)
    response = editor_client.get(reverse("knowledge:manage") + "?status=draft")
    content = response.content.decode()
    assert "Printer drivers" in content
    assert "Connect to the VPN" not in content
    content = editor_client.get(reverse("knowledge:manage") + "?q=vpn").content.decode()
    assert "Connect to the VPN" in content
    assert "Printer drivers" not in content


def test_the_list_says_when_nothing_matches(editor_client):
    response = editor_client.get(reverse("knowledge:manage"))
    assert b"No articles match" in response.content


def test_the_list_exports_csv_and_xlsx(editor_client, vpn):
    csv = editor_client.get(reverse("knowledge:manage") + "?_export=csv")
    assert csv.status_code == 200
    assert "Connect to the VPN" in csv.content.decode()
    xlsx = editor_client.get(reverse("knowledge:manage") + "?_export=xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content.startswith(b"PK")


@pytest.mark.parametrize(
    "query", ["sort=password", "sort=-owner__password", "sort=title,nope", "_export=json"]
)
def test_sort_and_export_keys_outside_the_allow_list_are_refused(editor_client, vpn, query):
    response = editor_client.get(reverse("knowledge:manage") + "?" + query)
    assert response.status_code == 400


def test_the_list_sorts_by_an_offered_column(editor_client, vpn):
    assert editor_client.get(reverse("knowledge:manage") + "?sort=-views").status_code == 200


def test_the_list_costs_the_same_for_5_or_30_articles(editor_client, kb_editor):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.get(reverse("knowledge:manage")).status_code == 200
        return len(queries)

    for number in range(5):
        article_make(by=kb_editor, title=f"Article {number}")
    few = count()
    for number in range(25):
        article_make(by=kb_editor, title=f"More {number}", publish=number % 2 == 0)
    assert count() == few


# --- Writing --------------------------------------------------------------------------------------
def test_create_from_a_gap_prefills_the_title_and_links_the_gap(editor_client, kb_editor):
    space = space_make()
    gap = Gap.objects.create(normalised="reset 2fa", sample_query="reset 2FA phone lost")
    response = editor_client.get(reverse("knowledge:article_create") + f"?gap={gap.pk}")
    assert response.context["form"].initial["title"] == "reset 2FA phone lost"
    assert b'value="reset 2FA phone lost"' in response.content
    response = editor_client.post(
        reverse("knowledge:article_create"),
        {
            "space": space.pk,
            "title": "Reset two-factor sign-in",
            "language": "en",
            "body": "Call the service desk.",
            "tags": "2fa, mfa",
            "gap": gap.pk,
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _manage(article)
    assert article.source_gap == gap
    assert article.status == ArticleStatus.DRAFT
    assert sorted(t.name for t in article.latest_version.tags.all()) == ["2fa", "mfa"]
    gap.refresh_from_db()
    assert gap.status == GapStatus.DRAFTED


def test_create_for_a_question_prefills_and_answers_it_on_publish(
    editor_client, employee, kb_editor
):
    hr = space_make("HR", "hr")
    question = services.question_ask(user=employee, space=hr, subject="Parental leave?", details="")
    response = editor_client.get(reverse("knowledge:article_create") + f"?question={question.pk}")
    initial = response.context["form"].initial
    assert (initial["title"], initial["space"], initial["question"]) == (
        "Parental leave?",
        hr,
        question.pk,
    )
    editor_client.post(
        reverse("knowledge:article_create"),
        {
            "space": hr.pk,
            "title": "Parental leave",
            "language": "en",
            "body": "Sixteen weeks.",
            "question": question.pk,
        },
    )
    article = Article.objects.get()
    editor_client.post(_manage(article, "article_publish"))
    question.refresh_from_db()
    assert question.status == Question.Status.ANSWERED
    assert question.answer_article == article


def test_a_category_of_another_space_is_refused(editor_client):
    it = space_make()
    hr_category = category_make(space_make("HR", "hr"), "Leave")
    response = editor_client.post(
        reverse("knowledge:article_create"),
        {"space": it.pk, "category": hr_category.pk, "title": "X", "language": "en", "body": "Y"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["category"]
    assert not Article.objects.exists()


def test_edit_submit_publish_keeps_the_old_text_live_until_published(editor_client, employee, vpn):
    client = Client()
    response = editor_client.post(
        _manage(vpn, "article_edit"),
        {
            "title": "Connect to the VPN",
            "language": "en",
            "body": "Line one\nLine three",
            "tags": "vpn",
            "change_note": "Step three",
        },
    )
    assert response.status_code == 302
    vpn.refresh_from_db()
    assert (vpn.latest_version.number, vpn.published_version.number) == (2, 1)
    editor_client.post(_manage(vpn, "article_submit"))
    vpn.refresh_from_db()
    assert vpn.status == ArticleStatus.IN_REVIEW
    editor_client.post(_manage(vpn, "article_publish"))
    vpn.refresh_from_db()
    assert (vpn.status, vpn.published_version.number) == (ArticleStatus.PUBLISHED, 2)
    editor_client.post(_manage(vpn, "article_archive"))
    vpn.refresh_from_db()
    assert vpn.status == ArticleStatus.ARCHIVED
    client.force_login(employee)
    assert client.get(vpn.get_absolute_url()).status_code == 404


def test_an_edit_needs_a_change_note(editor_client, vpn):
    response = editor_client.post(
        _manage(vpn, "article_edit"),
        {"title": "T", "language": "en", "body": "B", "tags": "", "change_note": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["change_note"]


def test_a_refused_transition_is_reported_not_crashed(editor_client, vpn):
    # Already published: submitting for review is not a step from here.
    response = editor_client.post(_manage(vpn, "article_submit"), follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])


def test_markdown_preview_renders_sanitised_html(editor_client):
    response = editor_client.post(
        reverse("knowledge:preview"), {"body": f"## Title\n\n{HOSTILE}"}, HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert '<h2 id="title">Title</h2>' in content
    assert "<script>" not in content


# --- Versions -------------------------------------------------------------------------------------
def test_versions_diff_and_restore_through_the_pages(editor_client, kb_editor, vpn):
    services.article_update(
        by=kb_editor, article=vpn, title="VPN", body="Line one\nLine 2", tags=[], change_note="x"
    )
    listing = editor_client.get(_manage(vpn, "article_versions")).content.decode()
    assert "Restore" in listing
    diff = editor_client.get(_manage(vpn, "article_diff") + "?old=1&new=2").content.decode()
    assert "<del>Line two</del>" in diff
    assert "<ins>Line 2</ins>" in diff
    assert "<del>Connect to the VPN</del>" in diff
    response = editor_client.post(_manage(vpn, "article_restore", 1))
    assert response.status_code == 302
    vpn.refresh_from_db()
    assert (vpn.latest_version.number, vpn.latest_version.body) == (3, "Line one\nLine two")


def test_a_diff_of_unknown_versions_goes_back_to_the_list(editor_client, vpn):
    response = editor_client.get(_manage(vpn, "article_diff") + "?old=1&new=9")
    assert response.status_code == 302
    assert response["Location"] == _manage(vpn, "article_versions")


def test_a_hostile_version_body_is_escaped_in_the_diff(editor_client, kb_editor, vpn):
    services.article_update(
        by=kb_editor, article=vpn, title=HOSTILE, body=HOSTILE, tags=[], change_note=HOSTILE
    )
    for url in (_manage(vpn, "article_diff") + "?old=1&new=2", _manage(vpn, "article_versions")):
        content = editor_client.get(url).content.decode()
        assert "<script>alert" not in content
        assert escape(HOSTILE) in content


# --- Audience, links, attachments -----------------------------------------------------------------
def test_audience_restricted_to_a_department(editor_client, employee, other_employee, vpn):
    client = Client()
    department = employee.employee.department
    editor_client.post(
        _manage(vpn, "article_audience"), {"audience": "restricted", "departments": [department.pk]}
    )
    vpn.refresh_from_db()
    assert vpn.audience == Audience.RESTRICTED
    client.force_login(employee)
    assert client.get(vpn.get_absolute_url()).status_code == 200
    client.force_login(other_employee)
    assert client.get(vpn.get_absolute_url()).status_code == 404


def test_a_restricted_audience_needs_someone_in_it(editor_client, vpn):
    response = editor_client.post(
        _manage(vpn, "article_audience"), {"audience": "restricted"}, follow=True
    )
    assert b"at least one department" in response.content
    vpn.refresh_from_db()
    assert vpn.audience == Audience.EVERYONE


def test_related_articles_by_key(editor_client, kb_editor, vpn):
    wifi = article_make(by=kb_editor, title="Wi-Fi")
    editor_client.post(_manage(vpn, "article_related"), {"related": f"{wifi.key}"})
    assert list(vpn.related.all()) == [wifi]
    response = editor_client.post(_manage(vpn, "article_related"), {"related": "nope"}, follow=True)
    assert b"No article has the key nope" in response.content
    assert list(vpn.related.all()) == [wifi]


def test_translation_link_and_its_rules(editor_client, kb_editor, vpn):
    dutch = article_make(by=kb_editor, title="VPN verbinden", language="nl")
    editor_client.post(_manage(dutch, "article_translation"), {"original": vpn.key})
    dutch.refresh_from_db()
    assert dutch.translation_of == vpn
    english = article_make(by=kb_editor, title="Another English one")
    response = editor_client.post(
        _manage(english, "article_translation"), {"original": vpn.key}, follow=True
    )
    assert b"another language" in response.content
    editor_client.post(_manage(dutch, "article_translation"), {"original": ""})
    dutch.refresh_from_db()
    assert dutch.translation_of is None


def test_an_uploaded_image_shows_on_the_article_with_its_name_escaped(editor_client, employee, vpn):
    client = Client()
    name = '<b onmouseover="alert(1)">shot.png'
    response = editor_client.post(
        _manage(vpn, "article_attachment"),
        {"upload": SimpleUploadedFile(name, PNG, content_type="image/png")},
    )
    assert response.status_code == 302
    client.force_login(employee)
    for who_client, url in ((editor_client, _manage(vpn)), (client, vpn.get_absolute_url())):
        content = who_client.get(url).content.decode()
        assert "<b onmouseover" not in content
        assert escape(name) in content
    image = client.get(vpn.get_absolute_url()).context["attachments"][0]
    served = client.get(reverse("content:attachment", args=[image.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"


def test_an_attachment_of_an_article_outside_the_audience_is_not_served(
    editor_client, other_employee, kb_editor
):
    client = Client()
    hidden = article_make(by=kb_editor, title="Agents", audience=Audience.AGENTS)
    editor_client.post(
        _manage(hidden, "article_attachment"),
        {"upload": SimpleUploadedFile("a.png", PNG, content_type="image/png")},
    )
    attachment = editor_client.get(_manage(hidden)).context["attachments"][0]
    client.force_login(other_employee)
    assert client.get(reverse("content:attachment", args=[attachment.pk])).status_code == 404


def test_a_script_file_is_refused(editor_client, vpn):
    response = editor_client.post(
        _manage(vpn, "article_attachment"),
        {"upload": SimpleUploadedFile("x.html", b"<script>1</script>", content_type="text/html")},
        follow=True,
    )
    assert b"cannot be attached" in response.content


# --- Review tasks and questions -------------------------------------------------------------------
def test_owner_sees_and_closes_their_review_task(client, employee, other_employee, kb_editor):
    owned = article_make(by=kb_editor, title="Owned", owner=employee)
    services.feedback_record(user=other_employee, article=owned, helpful=False, comment="Wrong")
    client.force_login(employee)
    listing = client.get(reverse("knowledge:review_tasks")).content.decode()
    assert "Owned" in listing
    task = ReviewTask.objects.get()
    assert client.post(reverse("knowledge:review_task_close", args=[task.pk])).status_code == 302
    task.refresh_from_db()
    assert task.closed_at is not None
    assert b"No open review tasks" in client.get(reverse("knowledge:review_tasks")).content


def test_review_tasks_of_others_are_not_listed(client, employee, other_employee, vpn):
    services.feedback_record(user=employee, article=vpn, helpful=False, comment="Wrong")
    client.force_login(other_employee)
    assert b"No open review tasks" in client.get(reverse("knowledge:review_tasks")).content


def test_question_queue_offers_to_write_an_article(editor_client, employee):
    question = services.question_ask(
        user=employee, space=space_make(), subject="Second monitor?", details=""
    )
    content = editor_client.get(reverse("knowledge:question_queue")).content.decode()
    assert "Second monitor?" in content
    assert f"{reverse('knowledge:article_create')}?question={question.pk}" in content


def test_question_queue_when_empty(editor_client):
    response = editor_client.get(reverse("knowledge:question_queue"))
    assert b"No open questions" in response.content


def test_an_editor_answers_a_question_with_an_existing_article(editor_client, employee, vpn):
    question = services.question_ask(user=employee, space=vpn.space, subject="VPN?", details="")
    editor_client.post(
        reverse("knowledge:question_answer", args=[question.pk]), {"article": vpn.key}
    )
    question.refresh_from_db()
    assert (question.status, question.answer_article) == (Question.Status.ANSWERED, vpn)


def test_queue_and_review_lists_cost_the_same_for_5_or_30_rows(
    editor_client, employee, other_employee, kb_editor
):
    def count(url) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.get(url).status_code == 200
        return len(queries)

    def add(n: int, start: int) -> None:
        for number in range(start, start + n):
            article = article_make(by=kb_editor, title=f"A{number}")
            services.feedback_record(
                user=other_employee, article=article, helpful=False, comment="x"
            )
            services.question_ask(
                user=employee, space=article.space, subject=f"Q{number}", details=""
            )

    urls = [reverse("knowledge:question_queue"), reverse("knowledge:review_tasks")]
    add(5, 0)
    few = [count(url) for url in urls]
    add(25, 5)
    assert [count(url) for url in urls] == few
