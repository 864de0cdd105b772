"""An employee requests an employment confirmation and downloads it; HR verifies its code."""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from hr.letters.models import Letter
from tests.letters.factories import make_template

pytestmark = pytest.mark.e2e


def test_employee_downloads_a_letter_and_hr_verifies_its_code(
    page: Page, server, axe, sign_in, sign_out, sign_in_with_totp, employee, hr_officer
):
    from hr.letters import services

    services.letterhead_update(
        actor=hr_officer,
        company_name="Northwind Logistics",
        address="Maashaven Noordzijde 12\n3072 AD Rotterdam",
        contact_line="",
        signatory_name="Hanna Hr",
        signatory_title="HR Advisor",
    )
    make_template(actor=hr_officer, name="Employment confirmation")

    sign_in(employee)
    page.get_by_role("link", name="Letters").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My letters")
    axe.check("My letters, empty")
    page.get_by_role("link", name="Request a letter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request a letter")
    axe.check("Request form")
    page.get_by_label("Employment confirmation").check()
    page.get_by_label("Addressed to").fill("Maasstad Housing, Rotterdam")
    page.get_by_label("What it is for").fill("rental application")
    page.get_by_role("button", name="Request letter").click()

    expect(page.get_by_text("Your letter is being prepared.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ready")
    letter = Letter.objects.get()
    expect(page.get_by_text(letter.display_code)).to_be_visible()
    expect(page.get_by_text("Issued for: rental application.")).to_be_visible()
    axe.check("Letter page")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("employment-confirmation-")
    data = Path(download.path()).read_bytes()
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert letter.display_code in text
    assert employee.get_full_name() in text

    page.get_by_role("link", name="My letters").first.click()
    expect(page.get_by_role("cell", name="Maasstad Housing, Rotterdam")).to_be_visible()
    axe.check("My letters, one letter")
    sign_out()

    sign_in_with_totp(hr_officer)
    page.goto(server + reverse("letters:queue"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Letter requests")
    axe.check("Letter requests")
    page.get_by_role("link", name="Verify a code").click()
    spoken = " ".join(letter.display_code.lower().split("-"))
    page.get_by_label("Verification code").fill(spoken)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Genuine letter")).to_be_visible()
    expect(page.get_by_text(letter.letterpdf.sha256)).to_be_visible()
    axe.check("Verification result")
    page.get_by_role("link", name="Open the letter's record").click()
    expect(page.get_by_role("heading", name="Revoke this letter")).to_be_visible()
    axe.check("Letter record for HR")
    page.goto(server + reverse("letters:templates"))
    axe.check("Template list")
    page.get_by_role("link", name="Employment confirmation").click()
    expect(page.get_by_role("heading", name="Version 1")).to_be_visible()
    axe.check("Template form")
    axe.assert_clean()
