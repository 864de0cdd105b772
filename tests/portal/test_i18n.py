import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from ess.portal.templatetags.ess import money

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_dutch_catalogue_translates_every_message():
    result = subprocess.run(
        [
            "msgfmt",
            "--statistics",
            "-o",
            "/dev/null",
            str(ROOT / "ess/locale/nl/LC_MESSAGES/django.po"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr


SOURCES = ("manage.py", "ess", "hr", "payroll", "policies", "handbook", "helpdesk", "templates")


def test_the_dutch_catalogue_holds_every_string_in_the_code(tmp_path):
    """Extract the strings from a copy of the code into a copy of the catalogue: a string
    added to the code without a Dutch translation shows up as untranslated."""
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "vendor", "*.mo")
            shutil.copytree(source, tmp_path / name, ignore=ignore)
        else:
            shutil.copy2(source, tmp_path / name)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ess.settings"}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nl", "--no-location", "-v0"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    result = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", "ess/locale/nl/LC_MESSAGES/django.po"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr


def test_home_page_in_dutch(client, employee, manager):
    employee.language = "nl"
    employee.save()
    client.force_login(employee)
    html = client.get(reverse("portal:home")).content.decode()
    assert f"Hallo, {employee.first_name}" in html
    assert "Mijn leidinggevende" in html
    assert "Naar de hoofdinhoud" in html


def test_sign_in_page_in_dutch_from_the_browser(client, db):
    html = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Inloggen bij ESS" in html
    assert "Wachtwoord vergeten?" in html  # allauth's own catalogue


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "€1,234.50"), ("nl", "€\u00a01.234,50")],
)
def test_money_is_formatted_per_language(language, expected):
    with translation.override(language):
        assert money(Decimal("1234.5"), "EUR") == expected


def test_money_keeps_the_currency_it_is_given():
    with translation.override("en"):
        assert money(Decimal("99"), "NOK") == "NOK99.00"
    with translation.override("nl"):
        assert money(Decimal("99"), "NOK") == "NOK\u00a099,00"
    assert money(None) == "—"


def test_the_end_of_a_range_is_not_the_version_compared_to():
    """English says "To" for both; Dutch says "Tot" for a date or time range and "Naar" for
    the version a policy is compared to, so the range labels carry a context."""
    from ess.search.forms import DateRangeForm
    from helpdesk.forms_agent import SlotPublishForm

    with translation.override("nl"):
        assert str(DateRangeForm.base_fields["end"].label) == "Tot"
        assert str(SlotPublishForm.base_fields["ends"].label) == "Tot"
        assert translation.gettext("To") == "Naar"
