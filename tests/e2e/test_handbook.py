"""An employee finds their way through the handbook: contents, a section, the next one,
what changed, and the print view."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.factories import UserFactory
from tests.handbook.factories import (
    ChapterFactory,
    draft_section,
    publish_version,
    published_section,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Publishing builds the PDF (Celery runs inline here): keep it out of the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"


ANNUAL_LEAVE = """\
A full-time employee has **25 days of paid leave** a year, plus public holidays.

## Asking for leave

1. Check your balance in the portal.
2. Ask your manager at least two weeks ahead.

## Carrying leave over

Use your leave in the year you earn it.
"""


def _handbook() -> None:
    owner = UserFactory(first_name="Sigrid", last_name="Ødegård")
    leave = ChapterFactory(title="Working hours and leave", slug="leave", position=1)
    annual = published_section(
        chapter=leave,
        title="Annual leave",
        slug="annual-leave",
        owner=owner,
        position=1,
        body=ANNUAL_LEAVE.replace("two weeks", "one week"),
    )
    publish_version(annual, body=ANNUAL_LEAVE, change_summary="Two weeks' notice")
    published_section(
        chapter=leave,
        title="When you are ill",
        slug="sick-leave",
        owner=owner,
        position=2,
        body="Call your manager **before your shift starts**.",
    )
    draft_section(chapter=leave, title="Sabbaticals", slug="sabbaticals", position=3)
    safety = ChapterFactory(title="Health and safety", slug="safety", position=2)
    published_section(
        chapter=safety,
        title="On the warehouse floor",
        slug="floor",
        owner=owner,
        body="| Always wear | Where |\n|---|---|\n| Safety shoes | Everywhere |\n",
    )


def test_employee_opens_the_handbook_and_follows_the_contents_to_a_section(
    page: Page, server, axe, sign_in, employee
):
    _handbook()
    sign_in(employee)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Handbook").click()
    expect(page).to_have_url(server + reverse("handbook:index"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Employee handbook")
    contents = page.get_by_role("navigation", name="Contents")
    expect(contents.get_by_role("link", name="Health and safety")).to_be_visible()
    expect(page.get_by_text("Sabbaticals")).to_have_count(0)  # a draft: not for readers
    expect(page.get_by_text("There is no PDF yet")).to_be_visible()
    axe.check("Handbook contents")

    contents.get_by_role("link", name="Annual leave").click()
    expect(page).to_have_url(server + reverse("handbook:section", args=["leave", "annual-leave"]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual leave")
    expect(page.get_by_text("Owner: Sigrid Ødegård")).to_be_visible()
    page.get_by_role("navigation", name="On this page").get_by_role(
        "link", name="Carrying leave over"
    ).click()
    expect(page).to_have_url(re.compile(r"#carrying-leave-over$"))
    expect(page.get_by_role("heading", name="Carrying leave over")).to_be_in_viewport()
    axe.check("Handbook section")

    page.get_by_role("navigation", name="Previous and next section").get_by_role(
        "link", name="When you are ill"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("When you are ill")
    current = page.get_by_role("complementary").get_by_role("link", name="When you are ill")
    expect(current).to_have_attribute("aria-current", "page")

    page.get_by_role("complementary").get_by_role("link", name="Annual leave").click()
    page.get_by_role("link", name="History of changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("History of “Annual leave”")
    axe.check("Section history")
    page.get_by_role("button", name="Show the changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes from version 1 to version 2")
    diff = page.get_by_role("region", name="Differences")
    expect(diff.locator("del")).to_contain_text(["one week"])
    expect(diff.locator("ins")).to_contain_text(["two weeks"])
    axe.check("Changes between two versions")

    page.goto(server + reverse("handbook:print"))
    expect(page.get_by_role("heading", name="1. Working hours and leave")).to_be_visible()
    expect(page.get_by_role("cell", name="Safety shoes")).to_be_visible()
    axe.check("Print view")
    axe.assert_clean()


def test_an_editor_writes_a_version_and_another_approves_and_publishes_it(
    page: Page, server, axe, sign_out, sign_in_with_totp, hr_officer, admin_user
):
    _handbook()
    sign_in_with_totp(hr_officer)
    page.goto(server + reverse("handbook:index"))
    page.get_by_role("link", name="Manage the handbook").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage the handbook")
    axe.check("Manage the handbook")

    page.get_by_role("link", name="When you are ill").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("When you are ill")
    axe.check("Section workbench")
    page.get_by_role("link", name="Write a new version").click()
    page.get_by_label("Text (Markdown)").fill(
        "Call your manager **before your shift starts**, or the supervisor on duty."
    )
    page.get_by_label("What changed").fill("Night shifts call the supervisor")
    axe.check("Writing a version")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    changes = page.get_by_role("region", name="Changes from the published text")
    expect(changes.get_by_role("region", name="Differences").locator("ins")).to_contain_text(
        ["or the supervisor on duty"]
    )
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Waiting for another editor")).to_be_visible()
    axe.check("Section workbench, in review")
    sign_out()

    sign_in_with_totp(admin_user)
    page.goto(server + reverse("handbook:manage") + "?state=in_review")
    page.get_by_role("link", name="When you are ill").click()
    page.get_by_label("Comment").fill("Clear, thank you.")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved. It can be published now.")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published.")).to_be_visible()
    page.get_by_role("link", name="Reader's view").click()
    expect(page.locator(".ess-content")).to_contain_text("or the supervisor on duty")
    expect(page.get_by_text(re.compile(r"Last updated .* \(version 2\)"))).to_be_visible()
    axe.assert_clean()
