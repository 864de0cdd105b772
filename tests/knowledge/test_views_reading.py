"""What readers see and do: the home page, spaces and categories, an article with its
feedback form, and asking for help — including hostile text and query counts."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from helpdesk.knowledge import services
from helpdesk.knowledge.models import Article, Feedback, Question
from tests.knowledge.conftest_web import article_make, category_make, space_make

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def laptops(db):
    return category_make(space_make(), "Devices / Laptops")


@pytest.fixture
def vpn(kb_editor):
    return article_make(
        by=kb_editor,
        title="Connect to the VPN",
        body="## Steps\n\n1. Open the client\n2. Sign in",
        tags=["vpn", "remote"],
        category=category_make(space_make(), "Network"),
    )


def _page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- Home, spaces, categories -------------------------------------------------------------------
def test_an_empty_knowledge_base_invites_a_question(client, employee):
    client.force_login(employee)
    response = client.get(reverse("knowledge:home"))
    assert response.status_code == 200
    assert b"The knowledge base is empty so far" in response.content
    assert reverse("knowledge:ask").encode() in response.content


def test_home_lists_spaces_with_counts_and_searches_on_the_portal_search_page(
    client, employee, kb_editor, vpn
):
    article_make(by=kb_editor, title="Hidden draft", publish=False)
    client.force_login(employee)
    response = client.get(reverse("knowledge:home"))
    content = response.content.decode()
    assert "Connect to the VPN" in content
    assert "Hidden draft" not in content
    assert "1 article" in content
    assert f'action="{reverse("search:page")}"' in content


def test_space_page_shows_the_category_tree_nested_and_its_articles(
    client, employee, kb_editor, laptops
):
    article_make(by=kb_editor, title="Laptop battery care", category=laptops)
    client.force_login(employee)
    response = client.get(reverse("knowledge:space", args=["it"]))
    content = response.content.decode()
    assert "Laptop battery care" in content
    # Laptops sits in a list inside Devices' list item.
    assert re.search(r"Devices</a>.*?<ul[^>]*ps-3[^>]*>.*?Laptops</a>", content, re.S)


def test_category_page_includes_subcategories_and_a_breadcrumb(
    client, employee, kb_editor, laptops
):
    article_make(by=kb_editor, title="Laptop battery care", category=laptops)
    client.force_login(employee)
    devices = laptops.parent
    response = client.get(reverse("knowledge:category", args=["it", devices.pk]))
    content = response.content.decode()
    assert "Laptop battery care" in content
    assert 'aria-current="page">Devices' in content
    crumb = client.get(reverse("knowledge:category", args=["it", laptops.pk])).content.decode()
    assert f'href="{devices.get_absolute_url()}">Devices</a></li>' in crumb


def test_a_category_of_another_space_is_not_found(client, employee, laptops):
    space_make("HR", "hr")
    client.force_login(employee)
    response = client.get(reverse("knowledge:category", args=["hr", laptops.pk]))
    assert response.status_code == 404


def test_an_empty_category_says_so(client, employee, laptops):
    client.force_login(employee)
    response = client.get(reverse("knowledge:category", args=["it", laptops.pk]))
    assert b"No articles in this category yet" in response.content


# --- The article page ---------------------------------------------------------------------------
def test_article_page_shows_text_metadata_and_ways_forward(client, employee, kb_editor, vpn):
    sibling = article_make(by=kb_editor, title="Wi-Fi for guests", category=vpn.category)
    services.feedback_record(user=kb_editor, article=vpn, helpful=True)
    client.force_login(employee)
    response = client.get(reverse("knowledge:article", args=[vpn.key]))
    content = response.content.decode()
    assert '<h2 id="steps">Steps</h2>' in content
    assert "Last updated" in content
    assert "(version 1)" in content
    assert "vpn" in content
    assert "remote" in content
    assert "1 of 1 person found this helpful" in content
    assert sibling.title in content  # related: same category
    assert "Browse Network" in content
    assert "Did this answer your question?" in content
    assert Article.objects.get(pk=vpn.pk).views == 1


def test_an_edited_published_article_keeps_showing_the_published_text(
    client, employee, kb_editor, vpn
):
    services.article_update(
        by=kb_editor, article=vpn, title="VPN (new)", body="Secret new text", tags=["vpn"]
    )
    client.force_login(employee)
    content = client.get(reverse("knowledge:article", args=[vpn.key])).content.decode()
    assert "Connect to the VPN" in content
    assert "Secret new text" not in content


def test_translations_are_offered_in_their_own_language(client, employee, kb_editor, vpn):
    dutch = article_make(by=kb_editor, title="Verbinden met de VPN", language="nl")
    services.article_translation_link(by=kb_editor, article=dutch, original=vpn)
    client.force_login(employee)
    content = client.get(reverse("knowledge:article", args=[vpn.key])).content.decode()
    assert "Also in:" in content
    assert f'href="{dutch.get_absolute_url()}" hreflang="nl" lang="nl">Nederlands</a>' in content


def test_an_editor_previews_a_draft_that_readers_cannot_open(client, kb_editor):
    draft = article_make(by=kb_editor, title="Coming soon", publish=False)
    client.force_login(kb_editor)
    response = client.get(reverse("knowledge:article", args=[draft.key]))
    assert b"not published yet" in response.content
    assert b"Did this answer your question?" not in response.content
    assert Article.objects.get(pk=draft.pk).views == 0


def test_hostile_text_in_an_article_comes_out_escaped(client, employee, kb_editor):
    article = article_make(
        by=kb_editor,
        title=HOSTILE,
        body=f"Hello {HOSTILE} <img src=x onerror=alert(1)> [x](javascript:alert(1))",
        tags=[HOSTILE],
    )
    client.force_login(employee)
    for url in (
        reverse("knowledge:article", args=[article.key]),
        reverse("knowledge:home"),
        reverse("knowledge:space", args=["it"]),
    ):
        content = client.get(url).content.decode()
        assert "<script>alert" not in content, url
        assert "onerror" not in content, url
        assert 'href="javascript:' not in content, url
        assert escape(HOSTILE) in content, url


# --- Feedback -----------------------------------------------------------------------------------
def test_feedback_by_htmx_replaces_the_form_with_thanks_and_offers_help(client, employee, vpn):
    client.force_login(employee)
    response = client.post(
        reverse("knowledge:feedback", args=[vpn.key]),
        {"helpful": "no", "comment": "Step 2 fails on macOS", "q": "vpn mac"},
        HTTP_HX_REQUEST="true",
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert "Thank you for your feedback." in content
    ask = re.search(r'href="([^"]*/kb/ask/[^"]*)"', content).group(1)
    params = parse_qs(urlsplit(ask.replace("&amp;", "&")).query)
    assert params == {"q": ["vpn mac"], "space": ["it"], "article": [vpn.key]}
    feedback = Feedback.objects.get()
    assert (feedback.helpful, feedback.comment) == (False, "Step 2 fails on macOS")


def test_a_yes_by_htmx_says_thanks_without_asking_for_more(client, employee, vpn):
    client.force_login(employee)
    response = client.post(
        reverse("knowledge:feedback", args=[vpn.key]), {"helpful": "yes"}, HTTP_HX_REQUEST="true"
    )
    assert b"Glad it helped." in response.content
    assert b"Ask for help" not in response.content
    assert Article.objects.get(pk=vpn.pk).helpful_yes == 1


def test_feedback_without_javascript_redirects_back_with_thanks(client, employee, vpn):
    client.force_login(employee)
    response = client.post(
        reverse("knowledge:feedback", args=[vpn.key]), {"helpful": "no", "q": "vpn mac"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(vpn.get_absolute_url() + "?")
    page = client.get(response["Location"]).content.decode()
    assert "Thank you for your feedback." in page
    assert "q=vpn+mac" in page
    vpn.refresh_from_db()
    assert (vpn.helpful_no, vpn.views) == (1, 0)


def test_feedback_without_a_choice_is_refused_politely(client, employee, vpn):
    client.force_login(employee)
    response = client.post(
        reverse("knowledge:feedback", args=[vpn.key]), {"comment": "hm"}, HTTP_HX_REQUEST="true"
    )
    assert b"Choose Yes or No" in response.content
    assert not Feedback.objects.exists()


def test_the_search_query_travels_from_the_article_into_the_feedback_form(client, employee, vpn):
    client.force_login(employee)
    content = client.get(vpn.get_absolute_url() + "?q=vpn+mac").content.decode()
    assert 'name="q" value="vpn mac"' in content


def test_a_hostile_feedback_comment_comes_out_escaped_for_the_owner(
    client, employee, kb_editor, vpn
):
    services.feedback_record(user=employee, article=vpn, helpful=False, comment=HOSTILE)
    client.force_login(kb_editor)
    for url in (
        reverse("knowledge:review_tasks"),
        reverse("knowledge:article_manage", args=[vpn.key]),
    ):
        content = client.get(url).content.decode()
        assert "<script>alert" not in content
        assert escape(HOSTILE) in content


# --- Ask for help -------------------------------------------------------------------------------
def test_ask_form_is_prefilled_from_the_search_and_the_article(client, employee, vpn):
    space_make("HR", "hr")
    client.force_login(employee)
    response = client.get(reverse("knowledge:ask") + f"?q=vpn+on+mac&article={vpn.key}")
    form = response.context["form"]
    assert form.initial["subject"] == "vpn on mac"
    assert form.initial["searched_for"] == "vpn on mac"
    assert form.initial["space"] == vpn.space
    assert form.initial["article"] == vpn.key
    assert b'value="vpn on mac"' in response.content


def test_ask_form_leads_to_the_service_desk_for_work_a_person_must_do(client, employee):
    client.force_login(employee)
    response = client.get(reverse("knowledge:ask"))
    assert f'href="{reverse("helpdesk:home")}"'.encode() in response.content


def test_ask_form_takes_the_space_from_the_address(client, employee):
    hr = space_make("HR", "hr")
    space_make()
    client.force_login(employee)
    response = client.get(reverse("knowledge:ask") + "?space=hr")
    assert response.context["form"].initial["space"] == hr


def test_ask_does_not_link_an_article_the_person_cannot_read(client, other_employee, kb_editor):
    hidden = article_make(by=kb_editor, title="Agents only", audience="agents")
    client.force_login(other_employee)
    response = client.get(reverse("knowledge:ask") + f"?article={hidden.key}")
    assert response.context["form"].initial["article"] == ""
    assert b'name="article" value="agents-only"' not in response.content
    assert b"Agents only" not in response.content


def test_asking_stores_the_search_and_tells_where_the_question_went(client, employee, vpn):
    client.force_login(employee)
    response = client.post(
        reverse("knowledge:ask"),
        {
            "subject": "VPN drops every hour",
            "details": "Since Monday",
            "space": vpn.space.pk,
            "searched_for": "vpn drops",
            "article": vpn.key,
        },
        follow=True,
    )
    question = Question.objects.get()
    assert (question.asker, question.searched_for, question.from_article) == (
        employee,
        "vpn drops",
        vpn,
    )
    assert response.redirect_chain[-1][0] == question.get_absolute_url()
    assert "Your question went to the IT editors." in response.content.decode()


def test_a_question_without_a_subject_is_sent_back(client, employee):
    client.force_login(employee)
    response = client.post(reverse("knowledge:ask"), {"subject": "", "space": space_make().pk})
    assert response.status_code == 200
    assert response.context["form"].errors["subject"]
    assert not Question.objects.exists()


def test_my_questions_lists_only_mine_and_shows_the_answer(
    client, employee, other_employee, kb_editor, vpn
):
    mine = services.question_ask(user=employee, space=vpn.space, subject="Mine", details="")
    services.question_ask(user=other_employee, space=vpn.space, subject="Theirs", details="")
    services.question_answer(by=kb_editor, question=mine, article=vpn)
    client.force_login(employee)
    listing = client.get(reverse("knowledge:my_questions")).content.decode()
    assert "Mine" in listing
    assert "Theirs" not in listing
    detail = client.get(mine.get_absolute_url()).content.decode()
    assert "Answered:" in detail
    assert vpn.get_absolute_url() in detail


def test_my_questions_when_there_are_none(client, employee):
    client.force_login(employee)
    response = client.get(reverse("knowledge:my_questions"))
    assert b"You have not asked anything yet" in response.content


def test_a_hostile_question_subject_comes_out_escaped(client, employee, kb_editor):
    question = services.question_ask(
        user=employee, space=space_make(), subject=HOSTILE, details=HOSTILE
    )
    for who, url in (
        (employee, reverse("knowledge:my_questions")),
        (employee, question.get_absolute_url()),
        (kb_editor, reverse("knowledge:question_queue")),
        (kb_editor, question.get_absolute_url()),
    ):
        client.force_login(who)
        content = client.get(url).content.decode()
        assert "<script>alert" not in content, url
        assert escape(HOSTILE) in content, url


# --- Query counts -------------------------------------------------------------------------------
def _articles(by, count: int, **kwargs) -> None:
    for number in range(count):
        article_make(by=by, title=f"Article {number}", **kwargs)


@pytest.mark.parametrize("page", ["home", "space", "category"])
def test_reader_lists_cost_the_same_for_5_or_30_articles(
    client, employee, kb_editor, laptops, page
):
    url = {
        "home": reverse("knowledge:home"),
        "space": reverse("knowledge:space", args=["it"]),
        "category": reverse("knowledge:category", args=["it", laptops.pk]),
    }[page]
    _articles(kb_editor, 5, category=laptops)
    client.force_login(employee)
    few = _page_queries(client, url)
    _articles(kb_editor, 25, category=laptops)
    assert _page_queries(client, url) == few


def test_article_page_query_ceiling(
    client, employee, kb_editor, vpn, django_assert_max_num_queries
):
    _articles(kb_editor, 8, category=vpn.category)
    client.force_login(employee)
    # Session and user, the article, the view count, tags, attachments, translations,
    # related (two), plus the audience checks of the reader's lists.
    with django_assert_max_num_queries(20):
        client.get(vpn.get_absolute_url())


def test_my_questions_cost_the_same_for_5_or_30_questions(client, employee, vpn):
    client.force_login(employee)
    for number in range(5):
        services.question_ask(user=employee, space=vpn.space, subject=f"Q{number}", details="")
    few = _page_queries(client, reverse("knowledge:my_questions"))
    for number in range(25):
        services.question_ask(user=employee, space=vpn.space, subject=f"R{number}", details="")
    assert _page_queries(client, reverse("knowledge:my_questions")) == few
