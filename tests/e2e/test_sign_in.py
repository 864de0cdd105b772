"""Signing in and out through the real allauth forms."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e


def test_sign_in_dashboard_sign_out(page: Page, server, axe, employee, manager):
    login_url = server + reverse("account_login")
    page.goto(server + reverse("portal:home"))
    # Anonymous visitors are sent to the sign-in page.
    expect(page).to_have_url(re.compile(re.escape(login_url)))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to ESS")
    axe.check("Sign-in page")

    page.get_by_label("Email").fill(employee.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(server + reverse("portal:home"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {employee.first_name}")
    manager_card = page.get_by_role("region", name="My manager")
    expect(manager_card).to_contain_text(manager.get_full_name())
    expect(page.get_by_role("region", name="My department")).to_contain_text(
        employee.employee.department.name
    )
    axe.check("Home page")

    page.locator("#ess-user-menu").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(login_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to ESS")

    page.goto(server + reverse("portal:home"))
    expect(page).to_have_url(f"{login_url}?next=/")
    expect(page.locator("#ess-user-menu")).to_have_count(0)
    axe.assert_clean()


def test_wrong_password_shows_error(page: Page, server, axe, employee):
    login_url = server + reverse("account_login")
    page.goto(login_url)
    page.get_by_label("Email").fill(employee.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    error = page.get_by_role("alert")
    expect(error).to_contain_text("password you specified are not correct")
    expect(page).to_have_url(login_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to ESS")
    expect(page.get_by_label("Email")).to_have_value(employee.email)
    expect(page.locator("#ess-user-menu")).to_have_count(0)
    axe.check("Sign-in page with an error")
    axe.assert_clean()
