"""An employee reads and acknowledges a policy; HR watches the compliance figure move."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.policies.factories import published_policy

pytestmark = pytest.mark.e2e


def test_employee_acknowledges_and_hr_sees_compliance_rise(
    page: Page,
    server,
    axe,
    sign_in,
    sign_out,
    sign_in_with_totp,
    employee,
    hr_officer,
    admin_user,
):
    policy = published_policy(
        owner=hr_officer,
        reviewer=admin_user,
        slug="code-of-conduct",
        body="# Code of Conduct\n\n## Respect\n\nTreat everyone with respect.\n\n"
        "## Gifts\n\n- Declare gifts over EUR 50.\n",
    )
    sign_in_with_totp(hr_officer)
    page.goto(server + reverse("policies:compliance"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Policy compliance")
    row = page.get_by_role("row", name="Code-Of-Conduct")
    expect(row).to_contain_text("0.0 %")
    axe.check("Compliance report")
    sign_out()

    sign_in(employee)
    page.get_by_role("link", name="Policies").first.click()
    expect(page.get_by_text("To acknowledge")).to_be_visible()
    axe.check("Policy list")
    page.get_by_role("link", name=policy.title).click()
    heading = page.get_by_role("heading", name="Please read and acknowledge this policy")
    expect(heading).to_be_visible()
    page.get_by_role("link", name="Gifts").click()
    axe.check("Policy page")
    page.get_by_role("button", name="I have read and accept this policy").click()
    expect(page.get_by_text("your acknowledgement is recorded")).to_be_visible()
    expect(page.get_by_text("You acknowledged version 1")).to_be_visible()
    axe.check("Policy page after acknowledging")
    sign_out()

    sign_in_with_totp(hr_officer)
    page.goto(server + reverse("policies:compliance"))
    expect(page.get_by_role("row", name="Code-Of-Conduct")).to_contain_text("50.0 %")
    page.get_by_role("row", name="Code-Of-Conduct").get_by_role("link", name="1").first.click()
    expect(page.get_by_role("cell", name=employee.email)).to_be_visible()
    axe.check("Compliance drill-down")
    axe.assert_clean()
