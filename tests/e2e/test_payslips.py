"""Payday in the browser: a second payroll officer approves and releases the run; the
employee opens the list, the payslip and its comparison, and downloads the PDF."""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from ess.accounts.roles import Role
from payroll.models import PayrollRun
from tests.conftest import with_totp
from tests.factories import EmployeeFactory
from tests.payroll.conftest import fill, produce, release, standard_lines

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_officer_releases_and_employee_downloads_a_payslip(
    page: Page, server, axe, sign_in, sign_out, sign_in_with_totp, employee, payroll_officer
):
    approver = with_totp(
        EmployeeFactory(
            user__email="paula@example.org", user__roles=[Role.EMPLOYEE, Role.PAYROLL_OFFICER]
        ).user
    )
    employee.first_name, employee.last_name = "Łukasz", "Ødegård"
    employee.save(update_fields=["first_name", "last_name"])
    september = fill("2026-09", {employee: standard_lines("3900.00")}, actor=payroll_officer)
    release(produce(september, approver), approver)
    october = fill("2026-10", {employee: standard_lines("4000.00")}, actor=payroll_officer)

    sign_in_with_totp(approver)
    page.goto(server + reverse("payroll:runs"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Payroll runs")
    axe.check("Payroll runs")
    page.get_by_role("link", name="2026-10").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Payroll 2026-10")
    axe.check("Run, calculated")
    page.get_by_role("button", name="Approve and produce the PDFs").click()
    expect(page.get_by_text("PDFs: 1 of 1 ready, 0 failed.")).to_be_visible()
    page.get_by_role("button", name="Release to employees now").click()
    expect(page.get_by_text("Released. Employees are being told.")).to_be_visible()
    axe.check("Run, released")
    october.refresh_from_db()
    assert october.status == PayrollRun.Status.RELEASED
    sign_out()

    sign_in(employee)
    page.goto(server + reverse("payroll:mine"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My payslips")
    axe.check("My payslips")
    page.get_by_role("link", name="October 2026", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payslip October 2026")
    expect(page.get_by_role("cell", name="Travel allowance TRAVEL")).to_be_visible()
    axe.check("Payslip detail")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == "payslip-2026-10.pdf"
    text = PdfReader(io.BytesIO(Path(download.path()).read_bytes())).pages[0].extract_text()
    assert "Łukasz Ødegård" in text
    page.get_by_role("link", name="Compare with the month before").click()
    expect(page.get_by_text("Your net pay changed by")).to_be_visible()
    axe.check("Payslip comparison")
