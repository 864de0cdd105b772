"""The service desk in the browser: an employee asks for a laptop (a help article is suggested
on the way), the manager approves, the IT agent answers with the employee's searches in view
and resolves, the employee rates; "this solved it" files nothing; two agents saving the same
ticket; the agent page by keyboard; the employee pages on a phone."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from ess.accounts.roles import Role
from ess.search.engine.synonyms import forget_cached_table
from ess.search.selectors import corpus_stats_cache
from ess.search.services import searcher_hash
from helpdesk import services
from helpdesk.models import Approval, ApprovalState, Deflection, FieldKind, Priority, Status, Ticket
from tests.conftest import _role_holder
from tests.e2e.conftest import assert_no_console_errors
from tests.factories import TEST_PASSWORD
from tests.helpdesk.factories import (
    FormFieldFactory,
    QueueFactory,
    RequestTypeFactory,
    SlaTargetFactory,
)
from tests.knowledge.factories import SpaceFactory, published_article

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 800}
SLOW_LAPTOP_BODY = """\
A laptop that has become slow usually needs a restart and its updates.

## Steps

1. Restart the laptop at least once a week.
2. Install the waiting updates from the Software Centre.
"""
SUBJECT = "My laptop is very slow"


@pytest.fixture(autouse=True)
def _fresh_search_caches():
    """The live server runs in this process and the search engine keeps corpus figures and
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
def it_queue(it_agent):
    queue = QueueFactory(name="IT", slug="it", email_address="it@desk.example.org")
    queue.agents.add(it_agent)
    for priority, response, resolution in (
        (Priority.LOW, 480, 4800),
        (Priority.NORMAL, 240, 1440),
        (Priority.HIGH, 60, 480),
        (Priority.URGENT, 30, 240),
    ):
        SlaTargetFactory(
            queue=queue,
            priority=priority,
            first_response_minutes=response,
            resolution_minutes=resolution,
        )
    return queue


@pytest.fixture
def laptop_type(it_queue):
    """ "New laptop": the manager approves; the model to choose and a reason are required."""
    request_type = RequestTypeFactory(
        queue=it_queue,
        name="New laptop",
        slug="new-laptop",
        description="A replacement or a first laptop.",
        keywords="notebook computer",
        approval=Approval.MANAGER,
        default_priority=Priority.NORMAL,
    )
    FormFieldFactory(
        request_type=request_type,
        key="model",
        label="Model",
        kind=FieldKind.CHOICE,
        choices='Standard 14"\nDeveloper 16"',
        required=True,
        position=1,
    )
    FormFieldFactory(
        request_type=request_type,
        key="reason",
        label="Why do you need it?",
        kind=FieldKind.TEXTAREA,
        required=True,
        position=2,
    )
    return request_type


@pytest.fixture
def software_type(it_queue):
    return RequestTypeFactory(
        queue=it_queue,
        name="Software install",
        slug="software-install",
        description="Install an application from the approved list.",
    )


@pytest.fixture
def slow_laptop_article():
    """Published through the knowledge services, so the search index holds it."""
    return published_article(
        space=SpaceFactory(name="IT help", slug="it-help"),
        title="Speed up a slow laptop",
        body=SLOW_LAPTOP_BODY,
        tags=("laptop",),
    )


@pytest.fixture
def second_agent(it_queue):
    agent = _role_holder("ines@example.org", Role.IT_AGENT)
    it_queue.agents.add(agent)
    return agent


def _sign_in_on(page: Page, server: str, user) -> None:
    """The conftest's `sign_in`, for a page of another browser context."""
    page.goto(server + reverse("account_login"))
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(server + reverse("portal:home"))


def _no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def _type_subject(page: Page, text: str) -> None:
    subject = page.get_by_label("Subject")
    subject.fill("")
    subject.press_sequentially(text, delay=15)


def _suggestions(page: Page):
    return page.locator("#deflect-suggestions")


def _wait_ticket_rows(page: Page, count: int) -> None:
    expect(page.locator("#tickets tbody tr")).to_have_count(count)


def _file_a_request(*, requester, request_type, subject: str) -> Ticket:
    return services.ticket_create(
        requester=requester,
        subject=subject,
        description="It will not start.",
        request_type=request_type,
    )


def test_laptop_request_from_suggestion_to_approval_answer_and_rating(
    page: Page,
    server,
    axe,
    sign_in,
    sign_out,
    employee,
    manager,
    it_agent,
    laptop_type,
    software_type,
    slow_laptop_article,
):
    # The employee looks for a laptop in the catalog.
    sign_in(employee)
    page.goto(server + reverse("helpdesk:home"))
    expect(page.get_by_role("heading", level=1)).to_have_text("How can we help?")
    expect(page.get_by_role("link", name="Software install")).to_be_visible()
    axe.check("Service desk home")
    page.get_by_label("What do you need?").press_sequentially("laptop", delay=15)
    catalog = page.locator("#catalog")
    expect(catalog.get_by_role("link", name="Software install")).to_have_count(0)
    catalog.get_by_role("link", name="New laptop").click()
    expect(page).to_have_url(server + reverse("helpdesk:request", args=["new-laptop"]))
    expect(page.get_by_role("heading", level=1)).to_have_text("New laptop")

    # Typing the subject suggests the article, in a polite live region.
    suggestions = _suggestions(page)
    expect(suggestions).to_have_attribute("aria-live", "polite")
    _type_subject(page, SUBJECT)
    suggested = suggestions.get_by_role("link", name="Speed up a slow laptop")
    expect(suggested).to_be_visible()
    axe.check("Request form with suggestions")

    # Reading the article (the click is logged), then back to file the request anyway.
    suggested.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Speed up a slow laptop")
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("New laptop")
    _type_subject(page, SUBJECT)
    expect(suggestions.get_by_role("link", name="Speed up a slow laptop")).to_be_visible()
    page.get_by_label("Model").select_option(label='Developer 16"')
    page.get_by_label("Why do you need it?").fill("It takes ten minutes to start.")
    page.get_by_role("button", name="Send request").click()

    ticket = Ticket.objects.get()
    expect(page).to_have_url(server + ticket.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text(SUBJECT)
    expect(page.get_by_text("It waits for approval before work starts")).to_be_visible()
    expect(
        page.get_by_text("Waiting for approval; work starts once it is approved.")
    ).to_be_visible()
    axe.check("Employee ticket page, waiting for approval")
    assert ticket.approval_state == ApprovalState.PENDING
    assert ticket.form_answers == {
        "model": 'Developer 16"',
        "reason": "It takes ten minutes to start.",
    }
    kinds = {entry["kind"] for entry in ticket.search_context}
    assert kinds == {"search", "article"}, ticket.search_context
    sign_out()

    # The manager approves.
    sign_in(manager)
    page.goto(server + reverse("helpdesk:home"))
    page.get_by_role("link", name="Review approvals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting for your approval")
    card = page.locator("section.card", has_text=SUBJECT)
    expect(card).to_contain_text('Developer 16"')
    axe.check("Approvals page")
    card.get_by_label("Approve").check()
    card.get_by_role("button", name="Send decision").click()
    expect(page.get_by_text(f"Request {ticket.reference} approved.")).to_be_visible()
    expect(page.get_by_text("Nothing waits for your approval.")).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.approval_state == ApprovalState.APPROVED
    sign_out()

    # The IT agent sees the ticket, with what the employee searched and read.
    sign_in(it_agent)
    page.goto(server + reverse("helpdesk:workspace"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Agent workspace")
    axe.check("Agent workspace")
    page.locator("#tickets").get_by_role("link", name=SUBJECT).click()
    expect(page).to_have_url(server + reverse("helpdesk:work", args=[ticket.pk]))
    context = page.locator("section[aria-labelledby=context-heading]")
    expect(context).to_contain_text(f"Searched for “{SUBJECT}”")
    expect(context.get_by_role("link", name="Speed up a slow laptop")).to_be_visible()
    expect(context).to_contain_text("Opened Speed up a slow laptop")
    axe.check("Agent ticket page")
    page.locator("#reply").get_by_label("Reply to the requester").fill(
        "A developer laptop is on its way; it arrives on Thursday."
    )
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Reply sent.")).to_be_visible()
    update = page.locator("#update")
    update.get_by_label("Status").select_option(label="Resolved")
    update.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Ticket updated.")).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    sign_out()

    # The employee reads the answer and rates it.
    sign_in(employee)
    page.goto(server + ticket.get_absolute_url())
    expect(
        page.get_by_text("A developer laptop is on its way; it arrives on Thursday.")
    ).to_be_visible()
    rating = page.locator("section[aria-labelledby=rating-heading]")
    rating.get_by_label("5", exact=True).check()
    rating.get_by_label("Comment").fill("Quick and friendly.")
    rating.get_by_role("button", name="Send rating").click()
    expect(page.get_by_text("Thank you for your rating.")).to_be_visible()
    expect(page.get_by_text("You rated this 5 out of 5.")).to_be_visible()
    expect(page.get_by_text("“Quick and friendly.”")).to_be_visible()
    axe.check("Employee ticket page, rated")
    ticket.refresh_from_db()
    assert (ticket.rating, ticket.rating_comment) == (5, "Quick and friendly.")
    axe.assert_clean()


def test_this_solved_it_files_no_request(
    page: Page, server, axe, sign_in, employee, manager, laptop_type, slow_laptop_article
):
    sign_in(employee)
    page.goto(server + reverse("helpdesk:request", args=["new-laptop"]))
    _type_subject(page, SUBJECT)
    solved = _suggestions(page).get_by_role(
        "button", name=re.compile(r"^This solved it\W+Speed up a slow laptop$")
    )
    expect(solved).to_be_visible()
    solved.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Glad it helped")
    expect(page.get_by_text("no request was sent")).to_be_visible()
    axe.check("Thank-you page after this solved it")
    assert Ticket.objects.count() == 0
    deflection = Deflection.objects.get()
    assert (deflection.searcher, deflection.request_type) == (searcher_hash(employee), laptop_type)
    assert (deflection.doc_type, deflection.doc_key) == ("article", slow_laptop_article.key)
    axe.assert_clean()


def test_second_agent_saving_a_stale_ticket_sees_a_conflict_and_overwrites_nothing(
    page: Page,
    browser: Browser,
    browser_context_args: dict,
    console_errors: list[str],
    server,
    sign_in,
    employee,
    it_agent,
    second_agent,
    software_type,
):
    ticket = _file_a_request(requester=employee, request_type=software_type, subject="No VPN")
    work_url = server + reverse("helpdesk:work", args=[ticket.pk])
    sign_in(it_agent)
    page.goto(work_url)
    other_context = browser.new_context(**browser_context_args)
    try:
        other = other_context.new_page()
        other.set_default_timeout(10_000)
        other.on("pageerror", lambda exc: console_errors.append(f"uncaught: {exc}"))
        _sign_in_on(other, server, second_agent)
        other.goto(work_url)

        first = page.locator("#update")
        first.get_by_label("Priority").select_option(label="High")
        first.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Ticket updated.")).to_be_visible()

        second = other.locator("#update")
        second.get_by_label("Status").select_option(label="Waiting on requester")
        second.get_by_role("button", name="Save").click()
        conflict = other.get_by_role("alert").filter(
            has_text="Someone else changed this ticket while you were editing"
        )
        expect(conflict).to_be_visible()
        expect(conflict).to_contain_text("Priority is now “High”")
        ticket.refresh_from_db()
        assert (ticket.status, ticket.priority) == (Status.NEW, Priority.HIGH)

        other.goto(work_url)
        expect(second.get_by_label("Priority")).to_have_value(str(Priority.HIGH.value))
        expect(second.get_by_label("Status")).to_have_value(Status.NEW)
        second.get_by_label("Status").select_option(label="Waiting on requester")
        second.get_by_role("button", name="Save").click()
        expect(other.get_by_text("Ticket updated.")).to_be_visible()
        ticket.refresh_from_db()
        assert (ticket.status, ticket.priority) == (Status.WAITING_REQUESTER, Priority.HIGH)
    finally:
        other_context.close()
    assert_no_console_errors(console_errors)


def test_agent_ticket_page_and_workspace_by_keyboard(
    page: Page, server, axe, sign_in, employee, it_agent, software_type
):
    tickets = [
        _file_a_request(requester=employee, request_type=software_type, subject=subject)
        for subject in ("Install Inkscape", "Install GIMP")
    ]
    sign_in(it_agent)
    page.goto(server + reverse("helpdesk:workspace"))
    _wait_ticket_rows(page, 2)
    table = page.locator("#tickets")
    expect(table.get_by_role("checkbox", name="Select all tickets on this page")).to_be_visible()
    for ticket in tickets:
        expect(table.get_by_role("checkbox", name=f"Select ticket #{ticket.pk}")).to_be_visible()
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('#tickets input[type=checkbox]')]
                 .filter(box => !(box.labels.length || box.getAttribute('aria-label')))
                 .map(box => box.outerHTML)"""
    )
    assert unlabelled == []

    page.goto(server + reverse("helpdesk:work", args=[tickets[0].pk]))
    shortcuts = page.locator("[data-shortcuts]")
    expect(shortcuts).to_contain_text("Write a reply")
    page.keyboard.press("r")
    reply_box = page.locator("#reply textarea")
    expect(reply_box).to_be_focused()
    # Typing "r" in the reply box is a letter, not the shortcut again.
    page.keyboard.type("ready")
    expect(reply_box).to_have_value("ready")

    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        where = page.evaluate(
            "() => { const el = document.activeElement;"
            " return [el.closest('#update') !== null, el.name || el.textContent.trim()]; }"
        )
        if where[0]:
            reached.append(where[1])
            if len(reached) == 6:
                break
    assert reached == ["status", "priority", "assignee", "queue", "resolution", "Save"], reached

    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("s")
    expect(page.locator("#update").get_by_label("Status")).to_be_focused()
    axe.check("Agent ticket page after keyboard use")
    axe.assert_clean()


def test_desk_home_and_request_form_fit_a_phone(
    page: Page, server, axe, sign_in, employee, manager, laptop_type, software_type
):
    page.set_viewport_size(PHONE)
    sign_in(employee)
    page.goto(server + reverse("helpdesk:home"))
    expect(page.get_by_role("link", name="New laptop")).to_be_visible()
    assert _no_horizontal_scroll(page), "the desk home scrolls sideways at 375 px"
    axe.check("Desk home on a phone")
    page.get_by_role("link", name="New laptop").click()
    expect(page.get_by_label("Why do you need it?")).to_be_visible()
    assert _no_horizontal_scroll(page), "the request form scrolls sideways at 375 px"
    axe.check("Request form on a phone")
    axe.assert_clean()
