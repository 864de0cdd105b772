"""The page frame on a phone-sized screen."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}
# Bootstrap ignores a toggle while the collapse is still animating ("collapsing").
SHOWN = re.compile(r"(^|\s)collapse show(\s|$)")


def _no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_phone_navigation_collapses_behind_toggler(
    page: Page, server, axe, sign_in, employee, manager
):
    page.set_viewport_size(PHONE)
    page.goto(server + reverse("account_login"))
    assert _no_horizontal_scroll(page), "the sign-in page scrolls sideways at 375 px"
    axe.check("Sign-in page on a phone")
    sign_in(employee)
    axe.check("Home page on a phone, navigation closed")

    nav = page.locator("#ess-nav")
    toggler = page.get_by_role("button", name="Show navigation")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    expect(page.locator("#ess-user-menu")).to_be_hidden()
    assert _no_horizontal_scroll(page), "the home page scrolls sideways at 375 px"

    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(nav).to_have_class(SHOWN)
    expect(nav).to_be_visible()
    expect(page.locator("#ess-user-menu")).to_be_visible()
    expect(nav.get_by_role("link", name="Notifications")).to_be_visible()
    axe.check("Home page on a phone, navigation open")

    toggler.click()
    expect(nav).to_be_hidden()
    expect(toggler).to_have_attribute("aria-expanded", "false")

    # On a desktop-sized screen the same navigation is always shown, without the toggler.
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(toggler).to_be_hidden()
    expect(nav).to_be_visible()
    axe.assert_clean()
