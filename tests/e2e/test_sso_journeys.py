"""Company sign-in in Chromium: the portal's own "Sign in with …" buttons, through the real
OpenID Connect provider and SAML IdP of tests/sso, back to the portal.

Only the sign-in page is opened by URL; every other page is reached by pressing what a person
would press. What the portal does with the provider's answers (provisioning, role mapping,
refusals) is tested without a browser in tests/accounts/test_sso.py.
"""

import re

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import Page, expect

from ess.accounts.models import RoleGrant, User
from ess.accounts.roles import Role
from tests.sso.idp import (
    oidc_provider,
    oidc_provider_server,
    saml_idp,
    saml_idp_server,
    stub_saml_idp_fonts,
)

__all__ = ["oidc_provider", "oidc_provider_server", "saml_idp", "saml_idp_server"]


class IdpRedirectBlockedByCsp(AssertionError):
    """The sign-in page's CSP form-action stopped the provider button's redirect: the
    identity provider's origin is missing there (see SsoFormActionMiddleware)."""


pytestmark = [
    pytest.mark.e2e,
    # python3-saml calls datetime.utcnow() and utcfromtimestamp() while it checks the assertion.
    pytest.mark.filterwarnings("ignore:datetime.datetime.utc:DeprecationWarning"),
]

SP_ENTITY_ID = "urn:ess:test-sp"
ROLE_MAP = {"hr_officer": frozenset({"hr"})}


@pytest.fixture
def oidc(settings, server, oidc_provider):
    oidc_provider.set_client(redirect_uris=[f"{server}/accounts/oidc/corp/login/callback/"])
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [oidc_provider.allauth_app("corp", "Northwind account")],
        }
    }
    settings.ESS_ROLE_MAP = ROLE_MAP
    return oidc_provider


@pytest.fixture
def saml(settings, server, saml_idp):
    cache.clear()  # allauth caches the IdP's metadata
    saml_idp.set_sp(acs_url=f"{server}/accounts/saml/corp/acs/", audience=SP_ENTITY_ID)
    app = saml_idp.allauth_app(org="corp", name="Northwind SAML", sp_entity_id=SP_ENTITY_ID)
    # The Response itself is signed too, but the portal insists only on the signed assertion,
    # as in tests/accounts/test_sso.py. The live server's host is "localhost", which
    # python3-saml accepts, so allow_single_label_domains (needed for the test client's
    # "testserver") is left out.
    app["settings"]["advanced"] = {"want_assertion_signed": True, "want_message_signed": False}
    settings.SOCIALACCOUNT_PROVIDERS = {"saml": {"APPS": [app]}}
    settings.SAML_GROUPS_ATTRIBUTE = "groups"
    settings.ESS_ROLE_MAP = ROLE_MAP
    return saml_idp


def open_sign_in_page(page: Page, server: str, axe) -> None:
    page.goto(server + reverse("account_login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to ESS")
    axe.check("Sign-in page with company sign-in")


def press_company_sign_in(page: Page, name: str, idp_url: str, console_errors: list[str]) -> None:
    """Press the sign-in page's "Sign in with <name>" button and wait for the IdP's page."""
    page.get_by_role("button", name=f"Sign in with {name}").click()
    for _ in range(200):
        if page.url.startswith(idp_url + "/"):
            return
        blocked = [e for e in console_errors if "form-action" in e]
        if blocked:
            raise IdpRedirectBlockedByCsp(blocked[0])
        page.wait_for_timeout(50)
    expect(page).to_have_url(re.compile("^" + re.escape(idp_url + "/")))


def expect_hr_menu(page: Page) -> None:
    """Signed in, with the HR officer's "People & access" entry in the user menu."""
    page.locator("#ess-user-menu").click()
    expect(page.get_by_role("link", name="People & access")).to_be_visible()
    page.keyboard.press("Escape")


def expect_signed_out(page: Page) -> None:
    expect(page.locator("#ess-user-menu")).to_have_count(0)


def test_oidc_sign_in_provisions_an_hr_officer_without_forcing_mfa(
    page: Page, server, axe, console_errors, oidc
):
    oidc.update_user("alice", groups=["hr"])
    open_sign_in_page(page, server, axe)

    press_company_sign_in(page, "Northwind account", oidc.issuer, console_errors)
    page.get_by_label("Email or username").fill("alice@example.org")
    page.get_by_label("Password").fill("alice-pw")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("button", name="Continue").click()

    # An SSO sign-in is not sent to enrol an authenticator, even for an MFA-required role:
    # the identity provider enforces its own factors.
    expect(page).to_have_url(server + reverse("portal:home"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Alice")
    expect_hr_menu(page)
    axe.check("Home page after OpenID Connect sign-in")

    alice = User.objects.get(email="alice@example.org")
    assert (alice.first_name, alice.last_name) == ("Alice", "Adams")
    assert SocialAccount.objects.get(user=alice, provider="corp").uid == "alice"
    assert alice.has_role(Role.HR_OFFICER)
    assert RoleGrant.objects.get(user=alice, role="hr_officer").source == "directory"
    axe.assert_clean()


def test_oidc_wrong_password_then_cancel(page: Page, server, axe, console_errors, oidc):
    open_sign_in_page(page, server, axe)

    press_company_sign_in(page, "Northwind account", oidc.issuer, console_errors)
    page.get_by_label("Email or username").fill("alice@example.org")
    page.get_by_label("Password").fill("not-alices-password")
    page.get_by_role("button", name="Sign in", exact=True).click()

    # The provider keeps the person on its own page with its error; ESS knows nothing yet.
    expect(page).to_have_url(re.compile(re.escape(oidc.issuer) + "/"))
    expect(page.get_by_role("alert")).to_have_text("Invalid login or password.")
    expect(page.get_by_label("Email or username")).to_have_value("alice@example.org")
    assert not User.objects.filter(email="alice@example.org").exists()

    page.get_by_role("button", name="Cancel").click()
    # The provider answers error=access_denied; allauth shows the portal's cancelled page.
    expect(page).to_have_url(server + reverse("socialaccount_login_cancelled"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in was cancelled")
    expect_signed_out(page)
    axe.check("Sign-in cancelled page")
    assert not User.objects.filter(email="alice@example.org").exists()
    assert not SocialAccount.objects.exists()

    page.get_by_role("link", name="Back to sign-in").click()
    expect(page).to_have_url(server + reverse("account_login"))
    expect_signed_out(page)
    axe.assert_clean()


def test_saml_sign_in_maps_name_and_groups(page: Page, server, axe, console_errors, saml):
    saml.update_attributes(
        email="sam@example.org", firstName="Sam", lastName="Sæther", groups=["hr", "staff"]
    )
    stub_saml_idp_fonts(page)
    open_sign_in_page(page, server, axe)

    press_company_sign_in(page, "Northwind SAML", saml.url, console_errors)
    expect(page).to_have_url(re.compile("^" + re.escape(saml.sso_url + "?SAMLRequest=")))
    expect(page.locator("#email")).to_have_value("sam@example.org")
    # saml-idp's submit button is labelled "Sign in"; its Font Awesome icon adds a glyph in
    # front of the accessible name, so an exact match finds nothing.
    page.get_by_role("button", name=re.compile(r"Sign in$")).click()

    # The IdP's auto-submitting page posts the signed assertion to the portal's ACS.
    expect(page).to_have_url(server + reverse("portal:home"), timeout=15_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sam")
    expect_hr_menu(page)
    axe.check("Home page after SAML sign-in")

    sam = User.objects.get(email="sam@example.org")
    assert (sam.first_name, sam.last_name) == ("Sam", "Sæther")
    assert SocialAccount.objects.get(user=sam, provider=saml.entity_id).uid == "sam@example.org"
    assert sam.has_role(Role.HR_OFFICER)
    assert hasattr(sam, "employee")
    axe.assert_clean()
