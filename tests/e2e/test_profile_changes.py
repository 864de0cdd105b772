"""An employee moves house: asks HR to change the address, HR approves, the profile shows it."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.hr.factories import PersonalProfileFactory

pytestmark = pytest.mark.e2e


def test_employee_changes_address_and_hr_approves_it(
    page: Page, server, axe, sign_in, sign_out, sign_in_with_totp, employee, hr_officer
):
    PersonalProfileFactory(employee=employee.employee)
    sign_in(employee)
    page.get_by_role("link", name="My profile").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My profile")
    expect(page.get_by_text("•••• 4300")).to_be_visible()
    axe.check("My profile")

    page.get_by_role("link", name="Home address").click()
    page.get_by_label("Street and number").fill("Mauritsweg 44")
    page.get_by_label("Postcode").fill("12345")  # wrong for the Netherlands
    page.get_by_label("City").fill("Rotterdam")
    page.get_by_label("Country").select_option("NL")
    page.get_by_role("button", name="Send to HR").click()
    expect(page.get_by_text("Postcodes in NL look like 1234 AB.")).to_be_visible()
    expect(page.get_by_label("Street and number")).to_have_value("Mauritsweg 44")
    axe.check("Change request form with an error")
    page.get_by_label("Postcode").fill("3012jt")
    page.get_by_role("button", name="Send to HR").click()
    expect(page.get_by_text("Your request is with HR")).to_be_visible()
    expect(page.locator("#request-status")).to_have_text("Pending")
    axe.check("Change request page")
    sign_out()

    sign_in_with_totp(hr_officer)
    page.goto(server + reverse("hr:queue"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Change requests")
    axe.check("HR change-request queue")
    page.get_by_role("row", name="Home address").get_by_role("link").first.click()
    expect(page.get_by_role("cell", name="3012 JT")).to_be_visible()
    axe.check("Change request for HR")
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded")).to_be_visible()
    sign_out()

    sign_in(employee)
    page.goto(server + reverse("hr:profile"))
    expect(page.get_by_text("Mauritsweg 44")).to_be_visible()
    expect(page.get_by_text("3012 JT")).to_be_visible()
    page.get_by_role("link", name="Full history").click()
    expect(page.get_by_role("cell", name="Coolsingel 40")).to_be_visible()
    axe.check("Profile history")
    axe.assert_clean()
