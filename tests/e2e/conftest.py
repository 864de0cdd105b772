"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every test here gets:

* Chromium at /usr/bin/chromium with the flags from REAL_SERVICES.md (never `playwright
  install`); a missing binary fails the run with the command that installs it.
* A `page` that records console errors and uncaught exceptions (a CSP violation is a console
  error in Chromium) and fails the test if any appeared.
* An `axe` helper that injects node_modules/axe-core/axe.min.js, runs the WCAG 2.0/2.1 A/AA
  rules and fails listing every serious or critical violation (rule, impact, nodes).
"""

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import Browser, BrowserType, Page, Playwright, expect, sync_playwright

from ess.accounts.roles import Role
from tests.factories import TEST_PASSWORD

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
# The strict CSP (script-src 'self' 'nonce-…') blocks the inline <script> that
# `add_script_tag(path=...)` writes, and bypassing the CSP would hide the violations these
# tests look for. So axe.min.js is served from this same-origin address, answered by
# Playwright from the file on disk; the request never reaches Django.
AXE_URL_PATH = "/__e2e__/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")


@pytest.fixture(scope="package", autouse=True)
def _django_allow_async_unsafe() -> Iterator[None]:
    """Playwright's sync API keeps an event loop running in the test thread, which makes
    Django's ORM refuse to run there. Allowed only while this package's tests run; the
    Playwright fixtures below are package-scoped so that the loop is gone again (and the
    variable unset) before any other test, or a `manage.py check --deploy` subprocess,
    runs."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


# pytest-playwright's own playwright/browser_type/launch_browser/browser fixtures are
# session-scoped; these package-scoped copies stop Playwright after the last browser test.
@pytest.fixture(scope="package")
def playwright(_django_allow_async_unsafe, _pw_api_request_contexts) -> Iterator[Playwright]:
    pw = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(pw)
    yield pw
    pw.stop()


@pytest.fixture(scope="package")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def launch_browser(
    browser_type_launch_args: dict, browser_type: BrowserType
) -> Callable[..., Browser]:
    def launch(**kwargs) -> Browser:
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser: Callable[..., Browser]) -> Iterator[Browser]:
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}. Install it with:\n"
            "  sudo apt-get -o DPkg::Lock::Timeout=300 install -y chromium\n"
            "(do not run `playwright install`).",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="package")
def browser_context_args(
    pytestconfig: pytest.Config,
    playwright: Playwright,
    device: str | None,
    base_url: str | None,
    _pw_artifacts_folder,
) -> dict:
    """pytest-playwright's context options (--device, --base-url, --video), package-scoped
    like `playwright`, plus a fixed browser language: pages are English until the person
    picks another one."""
    args: dict = {"locale": "en-GB", "viewport": {"width": 1280, "height": 800}}
    if device:
        args.update(playwright.devices[device])
    if base_url:
        args["base_url"] = base_url
    if pytestconfig.getoption("--video") in ("on", "retain-on-failure"):
        args["record_video_dir"] = _pw_artifacts_folder.name
    return args


@pytest.fixture(autouse=True)
def _role_groups(transactional_db) -> None:
    """The role groups that migration accounts.0002 creates: each transactional test ends with
    a flush that removes them, and the user factories look them up by name."""
    for role in Role:
        Group.objects.get_or_create(name=str(role))


@pytest.fixture
def server(live_server, transactional_db) -> str:
    """The live server's base URL."""
    return live_server.url


@pytest.fixture
def console_errors() -> list[str]:
    return []


@pytest.fixture
def page(page: Page, console_errors: list[str]) -> Page:
    """pytest-playwright's page, failing the test on console errors (CSP violations, 404s of
    assets, JavaScript errors)."""

    def on_console(message) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            console_errors.append(f"console error on {page.url}: {message.text} [{where}]")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: console_errors.append(f"uncaught on {page.url}: {exc}"))
    page.set_default_timeout(10_000)
    return page


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail a browser test that passed its own checks but left accessibility problems
    unasserted or logged console errors."""
    result = yield
    funcargs = getattr(item, "funcargs", {})
    if "axe" in funcargs:
        funcargs["axe"].assert_clean()
    assert_no_console_errors(funcargs.get("console_errors") or [])
    return result


def assert_no_console_errors(errors: list[str]) -> None:
    if errors:
        pytest.fail(
            "The browser console reported errors:\n" + "\n".join(f"  - {e}" for e in errors),
            pytrace=False,
        )


def _format_violation(violation: dict) -> str:
    lines = [
        f"  - {violation['id']} [{violation['impact']}]: {violation['help']}"
        f" ({violation['helpUrl']})"
    ]
    for node in violation["nodes"]:
        target = " ".join(
            " >> ".join(part) if isinstance(part, list) else part for part in node["target"]
        )
        summary = (node.get("failureSummary") or "").replace("\n", " ")
        lines.append(f"      {target}: {summary}")
    return "\n".join(lines)


class Axe:
    """Runs axe-core in the current page.

    `check()` records the serious and critical violations and lets the journey go on, so one
    failure report lists every page; `assert_clean()` fails on everything recorded. A test
    that records problems and never asserts still fails (see pytest_runtest_call).
    """

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.script_url = base_url + AXE_URL_PATH
        self.problems: list[str] = []
        page.route(
            self.script_url,
            lambda route: route.fulfill(
                path=AXE_JS, content_type="application/javascript; charset=utf-8"
            ),
        )

    def run(self) -> list[dict]:
        """All violations of the WCAG 2.0/2.1 A and AA rules on the page as it is now."""
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(url=self.script_url)
        return self.page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: tags})).violations", AXE_TAGS
        )

    def check(self, label: str) -> None:
        blocking = [v for v in self.run() if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            body = "\n".join(_format_violation(v) for v in blocking)
            self.problems.append(
                f"{label} ({self.page.url}) has serious/critical accessibility violations:\n{body}"
            )

    def assert_clean(self) -> None:
        problems, self.problems = self.problems, []
        if problems:
            pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture
def axe(page: Page, server: str) -> Axe:
    if not AXE_JS.is_file():
        pytest.fail(
            f"The browser tests need axe-core at {AXE_JS}. Install it with `npm ci` "
            "in the repository root (axe-core is a devDependency in package.json).",
            pytrace=False,
        )
    return Axe(page, server)


@pytest.fixture
def sign_in(page: Page, server: str) -> Callable[..., None]:
    """Sign in through the real form; works whatever the page language is."""

    def _sign_in(user, password: str = TEST_PASSWORD) -> None:
        page.goto(server + reverse("account_login"))
        page.locator("input[name=login]").fill(user.email)
        page.locator("input[name=password]").fill(password)
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(server + reverse("portal:home"))

    return _sign_in


@pytest.fixture
def sign_out(page: Page, server: str) -> Callable[[], None]:
    """Sign out through the POST form in the user menu; works whatever the language is."""

    def _sign_out() -> None:
        page.locator("#ess-user-menu").click()
        button = page.locator(f"form[action='{reverse('account_logout')}'] button[type=submit]")
        expect(button).to_be_visible()
        button.click()
        expect(page).to_have_url(server + reverse("account_login"))

    return _sign_out


@pytest.fixture
def sign_in_with_totp(page: Page, server: str) -> Callable[..., None]:
    """Sign in someone whose role needs a second factor: type the current code of their
    enrolled TOTP. allauth refuses a code used once already, so the used-code memory is
    cleared first (in real life the next sign-in falls in a later 30-second window)."""
    from allauth.mfa import app_settings as mfa_settings
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )
    from django.core.cache import cache

    def _sign_in(user, password: str = TEST_PASSWORD) -> None:
        cache.clear()
        page.goto(server + reverse("account_login"))
        page.locator("input[name=login]").fill(user.email)
        page.locator("input[name=password]").fill(password)
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(server + reverse("mfa_authenticate"))
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        secret = get_adapter().decrypt(totp.data["secret"])
        # A code typed in the last moments of its 30-second window may reach the server in
        # the next one, where it is no longer valid (no clock tolerance is configured).
        period = mfa_settings.TOTP_PERIOD
        left = period - time.time() % period
        if left < 3:
            time.sleep(left + 0.1)
        code = format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Sign In").click()
        expect(page).to_have_url(server + reverse("portal:home"))

    return _sign_in
