"""Finding help in the browser: a misspelt search from the header box, the article, a "No"
vote and a question to the editors; live results on the search page; articles meant for
one department; an editor turning a knowledge gap into an article; search on a phone."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from ess.search import selectors as search_selectors
from ess.search.engine.synonyms import forget_cached_table
from ess.search.models import Gap, GapStatus
from ess.search.selectors import corpus_stats_cache
from helpdesk.knowledge.models import Audience, Feedback, Question
from tests.factories import EmployeeFactory
from tests.knowledge.factories import SpaceFactory, published_article

pytestmark = pytest.mark.e2e

PASSWORD_RESET_BODY = """\
Forgot your password, or has it expired? Reset it yourself.

## Steps

1. Open the sign-in page and choose **Forgot password**.
2. Follow the link in the e-mail within one hour.
"""
PHONE = {"width": 375, "height": 800}
# Bootstrap ignores a toggle while the collapse is still animating ("collapsing").
SHOWN = re.compile(r"(^|\s)collapse show(\s|$)")


@pytest.fixture(autouse=True)
def _fresh_search_caches():
    """The live server runs in this process, and the engine keeps corpus figures and
    synonyms for a minute; every test builds its own index, so it starts from fresh ones."""
    corpus_stats_cache.forget()
    forget_cached_table()
    yield
    corpus_stats_cache.forget()
    forget_cached_table()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def it_space():
    return SpaceFactory(name="IT help", slug="it-help")


def _no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def _header_box(page: Page):
    return page.get_by_role("search", name="Portal search").get_by_role(
        "combobox", name="Search the portal"
    )


def test_employee_finds_an_article_despite_a_typo_votes_no_and_asks_for_help(
    page: Page, server, axe, sign_in, employee, it_space
):
    article = published_article(
        space=it_space, title="Reset your password", body=PASSWORD_RESET_BODY, tags=("account",)
    )
    published_article(
        space=it_space, title="Order a new laptop", body="Ask your manager, then order it here."
    )
    sign_in(employee)

    page.goto(server + reverse("knowledge:home"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge base")
    axe.check("Knowledge base home")

    box = _header_box(page)
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press_sequentially("pasword reset", delay=20)
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-controls", "ess-search-box-listbox")
    option = listbox.get_by_role("option", name=re.compile("Reset your password"))
    expect(option).to_be_visible()
    expect(listbox.get_by_role("option", name=re.compile("Order a new laptop"))).to_have_count(0)
    expect(page.locator("[data-combobox-status]").first).to_contain_text("suggestion")

    box.press("ArrowDown")
    option_id = option.get_attribute("id")
    assert option_id
    expect(box).to_have_attribute("aria-activedescendant", option_id)
    expect(option).to_have_attribute("aria-selected", "true")
    # Leave the suggestions and run the search itself with Enter.
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile(".*"))
    box.press("Enter")

    expect(page).to_have_url(re.compile(re.escape(reverse("search:page")) + r"\?from=box&q="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(page.locator("#search-status")).to_have_text(re.compile(r"1 result for “pasword reset”"))
    result = page.locator("[data-result-link]", has_text="Reset your password")
    expect(result).to_be_visible()
    did_you_mean = page.locator("[data-did-you-mean]")
    expect(did_you_mean).to_have_text(re.compile("password"))
    axe.check("Search page with results")

    result.click()
    expect(page).to_have_url(re.compile(re.escape(article.get_absolute_url()) + r"\?q=pasword"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    axe.check("Article page")

    feedback = page.get_by_role("group", name="Did this answer your question?")
    feedback.get_by_label("Anything we should add or correct? (optional)").fill(
        "The e-mail never arrived."
    )
    feedback.get_by_role("button", name="No").click()
    thanks = page.locator("#feedback-region")
    expect(thanks).to_contain_text("Thank you for your feedback.")
    vote = Feedback.objects.get(article=article)
    assert (vote.helpful, vote.comment) == (False, "The e-mail never arrived.")

    thanks.get_by_role("link", name="Ask for help").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for help")
    expect(page.get_by_label("Your question")).to_have_value("pasword reset")
    expect(page.get_by_text("You searched for “pasword reset”.")).to_be_visible()
    expect(page.get_by_label("Who should answer")).to_have_value(str(it_space.pk))
    axe.check("Ask form")
    page.get_by_label("Details (optional)").fill("I asked for a reset link twice.")
    page.get_by_role("button", name="Send question").click()
    expect(
        page.get_by_text("Thank you. Your question went to the IT help editors.")
    ).to_be_visible()

    question = Question.objects.get()
    assert question.asker == employee
    assert question.subject == "pasword reset"
    assert question.searched_for == "pasword reset"
    assert question.from_article == article
    assert question.space == it_space

    page.goto(server + reverse("search:page") + "?q=zzqxv+wobblefrump")
    empty = page.locator("[data-empty-state]")
    expect(empty).to_contain_text("Nothing found for “zzqxv wobblefrump”")
    expect(empty.get_by_role("link", name="Ask for help")).to_be_visible()
    axe.check("Search page without results")
    axe.assert_clean()


def test_search_page_results_follow_the_typing_without_a_page_load(
    page: Page, server, axe, sign_in, employee, it_space
):
    published_article(space=it_space, title="Connect to the VPN", body="Install the VPN client.")
    published_article(space=it_space, title="Book a meeting room", body="Use the room planner.")
    sign_in(employee)
    page.goto(server + reverse("search:page"))
    axe.check("Search page before searching")
    status = page.locator("#search-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_attribute("role", "status")
    # A full page load would forget this.
    page.evaluate("() => { window.essStillThisPage = true; }")

    field = page.get_by_role("combobox", name="What are you looking for?")
    field.press_sequentially("meeting room", delay=20)
    results = page.locator("#search-results")
    expect(results.locator("[data-result-link]")).to_have_text(["Book a meeting room"])
    expect(status).to_have_text("1 result for “meeting room”")
    expect(page).to_have_url(re.compile(r"q=meeting(\+|%20)room"))

    field.fill("")
    field.press_sequentially("vpn", delay=20)
    expect(results.locator("[data-result-link]")).to_have_text(["Connect to the VPN"])
    expect(status).to_have_text("1 result for “vpn”")
    assert page.evaluate("() => window.essStillThisPage === true"), "the page was reloaded"
    axe.check("Search page with live results")
    axe.assert_clean()


def test_an_article_for_one_department_is_found_only_by_its_members(
    page: Page, server, sign_in, sign_out, employee, it_space
):
    sales = EmployeeFactory(user__email="sam@example.org", department__name="Sales")
    published_article(
        space=it_space,
        title="Quarterly sales bonus figures",
        body="The bonus table for this quarter.",
        audience=Audience.RESTRICTED,
        departments=[sales.department],
    )
    published_article(
        space=it_space, title="Quarterly team outing", body="Where we go this quarter."
    )

    def options_for(person) -> list[str]:
        sign_in(person)
        box = _header_box(page)
        box.press_sequentially("quarterly", delay=20)
        listbox = page.get_by_role("listbox", name="Suggestions")
        expect(
            listbox.get_by_role("option", name=re.compile("Quarterly team outing"))
        ).to_be_visible()
        suggested = [text.strip() for text in listbox.get_by_role("option").all_inner_texts()]
        box.press("Escape")
        box.press("Enter")
        expect(page.locator("[data-result-link]").first).to_be_visible()
        found = page.locator("[data-result-link]").all_inner_texts()
        return [*suggested, *(f"result: {title}" for title in found)]

    seen_by_employee = options_for(employee)
    assert not any("bonus" in text for text in seen_by_employee), seen_by_employee
    assert "result: Quarterly team outing" in seen_by_employee
    sign_out()

    seen_by_sales = options_for(sales.user)
    assert any("Quarterly sales bonus figures" in text for text in seen_by_sales), seen_by_sales
    assert "result: Quarterly sales bonus figures" in seen_by_sales
    assert "result: Quarterly team outing" in seen_by_sales


def test_editor_turns_a_knowledge_gap_into_a_published_article(
    page: Page, server, axe, sign_in, employee, kb_editor, it_space
):
    for query in ("parking permit", "parking permit", "Parking  permit", "canteen menu"):
        search_selectors.search(user=employee, query=query, log_source="page")
    gap = Gap.objects.get(normalised="parking permit")
    assert (gap.searches, gap.zero_results) == (3, 3)

    sign_in(kb_editor)
    page.goto(server + reverse("search:gaps"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge gaps")
    row = page.get_by_role("row").filter(has_text="“parking permit”")
    expect(row.get_by_role("cell").nth(1)).to_have_text("3")
    axe.check("Knowledge gaps")

    row.get_by_role("link", name="Create article for “parking permit”").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("knowledge:article_create"))))
    expect(page.get_by_role("heading", level=1)).to_have_text("New article")
    expect(page.get_by_text("Written for a knowledge gap")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("parking permit")
    page.get_by_label("Title").fill("Get a parking permit")
    page.get_by_label("Space").select_option(label="IT help")
    page.get_by_label("Text (Markdown)").fill("Ask reception for a **parking permit**.")
    axe.check("New article from a gap")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    gap.refresh_from_db()
    assert gap.status == GapStatus.DRAFTED

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published. Readers see this version now.")).to_be_visible()
    gap.refresh_from_db()
    assert gap.status == GapStatus.RESOLVED
    assert gap.resolved_by == kb_editor

    page.goto(server + reverse("search:gaps"))
    expect(page.get_by_role("row").filter(has_text="“parking permit”")).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text="“canteen menu”")).to_have_count(1)
    page.get_by_label("Status").select_option(label="Resolved")
    page.get_by_role("button", name="Filter").click()
    resolved = page.get_by_role("row").filter(has_text="“parking permit”")
    expect(resolved).to_contain_text("Resolved")
    expect(resolved.get_by_role("link", name="Get a parking permit")).to_be_visible()
    axe.check("Resolved knowledge gaps")

    page.goto(server + reverse("search:analytics"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Search"))
    axe.check("Search analytics")
    axe.assert_clean()


def test_header_search_works_on_a_phone(page: Page, server, axe, sign_in, employee, it_space):
    published_article(space=it_space, title="Connect to the VPN", body="Install the VPN client.")
    page.set_viewport_size(PHONE)
    sign_in(employee)

    box = _header_box(page)
    if not box.is_visible():
        toggler = page.get_by_role("button", name="Show navigation")
        toggler.click()
        expect(page.locator("#ess-nav")).to_have_class(SHOWN)
    expect(box).to_be_visible()
    box.fill("vpn")
    box.press("Enter")
    expect(page.locator("[data-result-link]")).to_have_text(["Connect to the VPN"])
    expect(page.get_by_role("combobox", name="What are you looking for?")).to_be_visible()
    assert _no_horizontal_scroll(page), "the search page scrolls sideways at 375 px"
    axe.check("Search page on a phone")
    axe.assert_clean()
