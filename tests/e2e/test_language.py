"""The Dutch interface, chosen in the footer and kept on the person's profile."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def dutch(message: str) -> str:
    """ESS's own Dutch for `message` (ess/locale/nl), failing when it has none."""
    with translation.override("nl"):
        translated = gettext(message)
    assert translated != message, (
        f"No Dutch translation of {message!r}: add it to ess/locale/nl/LC_MESSAGES/django.po "
        "and compile the catalogue (`make messages`)."
    )
    return translated


def test_dutch_interface_persists_across_sign_in(
    page: Page, server, axe, sign_in, sign_out, employee
):
    html = page.locator("html")
    sign_in(employee)
    expect(html).to_have_attribute("lang", "en")

    page.locator("#ess-language").select_option("nl")
    page.locator("footer").get_by_role("button", name="Change").click()

    expect(page).to_have_url(server + reverse("portal:home"))
    expect(html).to_have_attribute("lang", "nl")
    expect(page.locator("#ess-language")).to_have_value("nl")
    greeting = dutch("Hello, %(name)s") % {"name": employee.first_name}
    expect(page.get_by_role("heading", level=1)).to_have_text(greeting)
    expect(page.get_by_role("region", name=dutch("My manager"))).to_be_visible()
    expect(page.get_by_role("region", name=dutch("My department"))).to_be_visible()
    employee.refresh_from_db()
    assert employee.language == "nl"
    axe.check("Home page in Dutch")

    # Django's own catalogue: the settings form lists "English" as "Engels" in Dutch.
    page.goto(server + reverse("accounts:settings"))
    expect(html).to_have_attribute("lang", "nl")
    expect(page.locator("main select[name=language] option[value=en]")).to_have_text("Engels")

    sign_out()
    # The language cookie keeps the sign-in page Dutch: allauth's "Password" is "Wachtwoord".
    expect(html).to_have_attribute("lang", "nl")
    expect(page.locator("label[for=id_password]")).to_contain_text("Wachtwoord")
    expect(page.get_by_role("heading", level=1)).to_have_text(dutch("Sign in to ESS"))
    axe.check("Sign-in page in Dutch")

    # Without the cookie the page follows the browser (English) until sign-in, after which
    # the saved preference wins.
    page.context.clear_cookies()
    page.goto(server + reverse("account_login"))
    expect(html).to_have_attribute("lang", "en")
    sign_in(employee)
    expect(html).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text(greeting)
    expect(page.locator("#ess-language")).to_have_value("nl")
    axe.check("Home page in Dutch after signing in again")
    axe.assert_clean()


def test_switcher_names_each_language_in_that_language(page: Page, server):
    """Each option carries lang="<code>", so its text must be in that language: "Nederlands"
    whatever the page language is, never "Dutch" (read with a Dutch voice) or "Engels"."""
    page.goto(server + reverse("account_login"))
    options = page.locator("#ess-language option")
    for page_language in ("en", "nl"):
        if page_language == "nl":
            page.locator("#ess-language").select_option("nl")
            page.locator("footer").get_by_role("button").click()
            expect(page.locator("html")).to_have_attribute("lang", "nl")
        expect(options).to_have_text(["English", "Nederlands"])
        expect(options.nth(0)).to_have_attribute("lang", "en")
        expect(options.nth(1)).to_have_attribute("lang", "nl")
