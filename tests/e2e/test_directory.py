"""An employee finds a colleague, opens their card and the org chart; a manager opens My
team. Every page passes axe."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.directory.factories import person, team

pytestmark = pytest.mark.e2e


def test_employee_finds_a_colleague_and_a_manager_opens_my_team(
    page: Page, server, axe, sign_in, sign_out, employee, manager
):
    boss = person("Ingrid", "Hansen", title="Head of Infrastructure")
    sigrid = person(
        "Sigrid",
        "Ødegård",
        manager=boss,
        department=boss.department,
        title="Network Engineer",
        phone="+47 22 33 44 55",
    )
    team(sigrid, 3, prefix="Net")
    person(
        "Nina",
        "Newcomer",
        manager=employee.employee,
        start=timezone.localdate() - datetime.timedelta(days=5),
    )

    sign_in(employee)
    page.get_by_role("link", name="Directory").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory")
    axe.check("Directory")
    page.get_by_label("Name or e-mail").fill("ødeg")
    page.get_by_label("Job title").fill("engineer")
    # The page frame has its own search box; this is the directory's.
    directory_search = page.get_by_role("search", name="Search colleagues")
    directory_search.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 colleague found")).to_be_visible()
    axe.check("Directory results")

    page.get_by_role("link", name="Sigrid Ødegård").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sigrid Ødegård")
    expect(page.get_by_text("Sigrid has 3 direct reports.")).to_be_visible()
    axe.check("Profile card")

    page.get_by_role("link", name="Show in the org chart").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Org chart: Sigrid Ødegård")
    reporting_line = page.get_by_role("list", name="Reporting line, from the top")
    expect(reporting_line.get_by_role("link", name="Ingrid Hansen")).to_be_visible()
    expect(page.get_by_role("heading", name="Direct reports")).to_be_visible()
    axe.check("Org chart")
    # Recentre on the manager: Sigrid is now one of the reports.
    reporting_line.get_by_role("link", name="Ingrid Hansen").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Org chart: Ingrid Hansen")
    expect(page.get_by_role("link", name="Sigrid Ødegård")).to_be_visible()
    axe.check("Org chart, recentred")
    # Plain employees have no My team.
    expect(page.get_by_role("link", name="My team")).to_have_count(0)
    sign_out()

    sign_in(manager)
    page.get_by_role("link", name="My team").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My team")
    expect(page.get_by_text("Nothing is waiting for you")).to_be_visible()
    joiners = page.get_by_role("list", name=re.compile("New joiners"))
    expect(joiners).to_contain_text("Nina Newcomer")
    people = page.get_by_role("table")
    expect(people.get_by_role("link", name=employee.get_full_name()).first).to_be_visible()
    axe.check("My team")
    page.get_by_label("Reports").select_option("indirect")
    page.get_by_role("main").get_by_role("button", name="Search").click()
    expect(page.get_by_role("table").get_by_role("link", name="Nina Newcomer")).to_be_visible()
    expect(page.get_by_text("1 person")).to_be_visible()
    axe.check("My team, indirect reports")
    axe.assert_clean()
    assert reverse("directory:team") in page.url
