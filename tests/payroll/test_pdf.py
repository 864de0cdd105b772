"""The payslip and annual statement PDFs, read back with pypdf."""

import datetime
import io
import os
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from payroll.lines import Line, LineKind, Totals, totals_of
from payroll.pdf import (
    AnnualStatementDocument,
    PayslipDocument,
    render_annual_statement,
    render_payslip,
)

ROOT = Path(__file__).resolve().parents[2]
EARNING, DEDUCTION = LineKind.EARNING.value, LineKind.DEDUCTION.value
EMPLOYER, INFORMATION = LineKind.EMPLOYER_CONTRIBUTION.value, LineKind.INFORMATION.value
D = Decimal


def standard_lines() -> list[Line]:
    return [
        Line("BASE", "Base salary", EARNING, D("4250.00"), D("1"), D("4250.00"), D("42500.00")),
        Line("OT150", "Overtime 150%", EARNING, D("1234.56"), D("7.5"), D("42.50"), D("1975.00")),
        Line("TRAVEL", "Travel allowance", EARNING, D("88.00"), ytd=D("880.00")),
        Line("WAGETAX", "Wage tax", DEDUCTION, D("1287.40"), ytd=D("12874.00")),
        Line("PENSION", "Pension premium", DEDUCTION, D("212.50"), ytd=D("2125.00")),
        Line("ERPENS", "Employer pension", EMPLOYER, D("425.00"), ytd=D("4250.00")),
        Line("HOURS", "Hours worked", INFORMATION, D("0.00"), D("167.5"), ytd=D("0.00")),
    ]


def payslip_document(**changes) -> PayslipDocument:
    lines = changes.pop("lines", None) or standard_lines()
    document = PayslipDocument(
        language="en",
        company_name="Northwind Traders B.V.",
        company_address_lines=["Keizersgracht 123", "1015 CJ Amsterdam"],
        employee_name="Åse Ødegård",
        employee_number="000123",
        job_title="Senior Engineer",
        department="Operations",
        period_label="October 2026",
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
        pay_date=datetime.date(2026, 10, 23),
        currency="EUR",
        lines=lines,
        totals=totals_of(lines),
        masked_iban="•••• •••• 1234",
        version=1,
        correction_reason="",
        reference="2026-10/000123/v1",
    )
    return replace(document, **changes)


def statement_document(**changes) -> AnnualStatementDocument:
    months = [
        (f"Month {month}", D("5572.56"), D("1499.90"), D("4072.66")) for month in range(1, 13)
    ]
    document = AnnualStatementDocument(
        language="en",
        company_name="Northwind Traders B.V.",
        company_address_lines=["Keizersgracht 123", "1015 CJ Amsterdam"],
        employee_name="Nicolò Şahin",
        employee_number="000456",
        year=2026,
        rows=[
            ("BASE", "Base salary", EARNING, D("51000.00")),
            ("OT150", "Overtime 150%", EARNING, D("15870.72")),
            ("WAGETAX", "Wage tax", DEDUCTION, D("15448.80")),
            ("PENSION", "Pension premium", DEDUCTION, D("2550.00")),
            ("ERPENS", "Employer pension", EMPLOYER, D("5100.00")),
        ],
        totals=Totals(
            gross=D("66870.72"), deductions=D("17998.80"), net=D("48871.92"), employer=D("5100.00")
        ),
        months=months,
        masked_iban="•••• •••• 9876",
    )
    return replace(document, **changes)


def _pages(data: bytes) -> list[str]:
    """Each page's text, with table cells and wrapped lines joined by single spaces."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def _text(data: bytes) -> str:
    return " ".join(_pages(data))


@pytest.mark.parametrize("name", ["Åse Ødegård", "Nicolò Rossi", "Łukasz Nowak", "Emre Şahin"])
def test_names_in_any_european_alphabet_print_and_can_be_copied(name):
    text = _text(render_payslip(payslip_document(employee_name=name)))
    assert name in text


def test_unicode_in_every_field_survives(settings):
    document = payslip_document(
        company_name="Ødegård & Łukasz AS",
        job_title="Şahin's deputy",
        department="Logística",
        lines=[Line("BONUS", "Prämie für Nicolò", EARNING, D("100.00"), ytd=D("100.00"))],
    )
    text = _text(render_payslip(document))
    for expected in ("Ødegård & Łukasz AS", "Şahin's deputy", "Logística", "Prämie für Nicolò"):
        assert expected in text


def test_the_payslip_shows_who_when_and_the_reference():
    text = _text(render_payslip(payslip_document()))
    for expected in (
        "Northwind Traders B.V.",
        "Keizersgracht 123",
        "1015 CJ Amsterdam",
        "Payslip",
        "October 2026",
        "000123",
        "Senior Engineer",
        "Operations",
        "October 23, 2026",  # the pay date
        "2026-10/000123/v1",
        "EUR",
    ):
        assert expected in text, expected


def test_every_line_and_its_year_to_date_appear_in_groups_with_subtotals():
    text = _text(render_payslip(payslip_document()))
    for line in standard_lines():
        assert line.label in text
    for heading in ("Earnings", "Deductions", "Employer contributions", "Information"):
        assert heading in text
    for amount in ("4,250.00", "42,500.00", "1,234.56", "1,975.00", "7.5", "42.50", "167.5"):
        assert amount in text, amount
    # Subtotals: gross 4,250.00 + 1,234.56 + 88.00; deductions 1,287.40 + 212.50.
    assert "Gross pay 5,572.56 45,355.00" in text
    assert "Total deductions 1,499.90 14,999.00" in text
    assert "Total employer contributions 425.00 4,250.00" in text


def test_the_net_pay_and_the_account_it_was_paid_into_appear():
    text = _text(render_payslip(payslip_document()))
    assert "Net pay €4,072.66" in text
    assert "Paid into •••• •••• 1234" in text


def test_without_a_known_account_the_payslip_gives_only_the_pay_date():
    text = _text(render_payslip(payslip_document(masked_iban="")))
    assert "Paid into" not in text
    assert "Pay date October 23, 2026" in text


def test_english_numbers_group_thousands_with_commas():
    text = _text(render_payslip(payslip_document(language="en")))
    assert "1,234.56" in text
    assert "1.234,56" not in text


def test_a_dutch_payslip_is_in_dutch_with_dutch_numbers_and_dates():
    document = payslip_document(language="nl", period_label="oktober 2026")
    data = render_payslip(document)
    text = _text(data)
    assert "1.234,56" in text
    assert "1,234.56" not in text
    assert "7,5" in text  # a quantity
    assert "Nettoloon € 4.072,66" in text
    assert "Loonstrook" in text
    assert PdfReader(io.BytesIO(data)).metadata.title == "Loonstrook oktober 2026 — Åse Ødegård"
    assert "23 oktober 2026" in text  # the pay date
    assert "1\u201331 okt 2026" in text  # the period, with an en dash


def test_a_negative_amount_keeps_its_sign():
    lines = [
        *standard_lines(),
        Line("CORR", "Correction September", EARNING, D("-1234.50"), ytd=D("-1234.50")),
    ]
    text = _text(render_payslip(payslip_document(language="nl", lines=lines)))
    assert "-1.234,50" in text


def test_the_metadata_names_the_payslip_and_the_company():
    reader = PdfReader(io.BytesIO(render_payslip(payslip_document())))
    meta = reader.metadata
    assert meta.title == "Payslip October 2026 — Åse Ødegård"
    assert meta.author == "Northwind Traders B.V."
    assert meta.subject == "Payslip 2026-10/000123/v1"
    assert meta.creator == "ESS"
    assert len(reader.pages) == 1
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.01)  # A4


def test_rendering_twice_gives_the_same_bytes():
    document = payslip_document(version=2, correction_reason="Overtime was missing")
    assert render_payslip(document) == render_payslip(document)


def test_another_process_renders_the_same_bytes():
    """What a worker that restarts after being killed writes: no timestamp, no random ID,
    nothing that depends on the process."""
    script = (
        "import sys, django; django.setup(); "
        "from payroll.pdf import render_payslip; "
        "from tests.payroll.test_pdf import payslip_document; "
        "sys.stdout.buffer.write(render_payslip(payslip_document()))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONHASHSEED": "4711"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, check=True
    )
    assert result.stdout == render_payslip(payslip_document())


def test_markup_in_any_text_prints_as_written():
    hostile = "<b>Eve</b> & </para> <font size=40>"
    long_hostile = "Bonus <i>unclosed & </para> " + "with a very long description " * 4
    document = payslip_document(
        company_name="Acme & <Sons>",
        employee_name=hostile,
        job_title="</para><para>",
        lines=[
            *standard_lines(),
            Line("HOSTILE", hostile, EARNING, D("1.00"), ytd=D("1.00")),
            Line("LONG", long_hostile, EARNING, D("2.00"), ytd=D("2.00")),
        ],
        version=2,
        correction_reason="Fixed <b>bold</b> & </para> claims",
    )
    text = _text(render_payslip(document))
    assert text.count(hostile) >= 2  # the name, and a line's label
    assert "Acme & <Sons>" in text
    assert "</para><para>" in text
    assert long_hostile.strip() in text
    assert "Reason: Fixed <b>bold</b> & </para> claims" in text


def test_a_long_description_wraps_instead_of_running_into_the_numbers():
    label = "Retroactive shift allowance for the weekend and night shifts worked in the summer"
    lines = [Line("RETRO", label, EARNING, D("321.00"), ytd=D("321.00"))]
    text = _text(render_payslip(payslip_document(lines=lines)))
    assert label in text
    assert "321.00" in text


def test_a_correction_says_which_version_it_is_and_why():
    document = payslip_document(
        version=3, correction_reason="Overtime was missing", reference="2026-10/000123/v3"
    )
    text = _text(render_payslip(document))
    assert "Corrected payslip, version 3" in text
    assert "Reason: Overtime was missing" in text


def test_a_first_version_has_no_correction_note():
    text = _text(render_payslip(payslip_document()))
    assert "Corrected payslip" not in text
    assert "Reason:" not in text


def test_a_single_page_has_no_page_numbers():
    pages = _pages(render_payslip(payslip_document()))
    assert len(pages) == 1
    assert "Page 1" not in pages[0]
    assert "Northwind Traders B.V. · Payslip 2026-10/000123/v1" in pages[0]


def test_many_lines_run_over_pages_with_the_footer_and_table_header_on_each():
    lines = [
        Line(f"L{index:03d}", f"Line number {index:03d}", EARNING, D("10.00"), ytd=D("10.00"))
        for index in range(120)
    ]
    data = render_payslip(payslip_document(lines=lines))
    pages = _pages(data)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "Northwind Traders B.V. · Payslip 2026-10/000123/v1" in text
        assert f"Page {number} of {len(pages)}" in text
        assert "Description Quantity Rate Amount Year to date" in text
    text = " ".join(pages)
    assert all(f"Line number {index:03d}" in text for index in range(120))
    assert "Gross pay 1,200.00 1,200.00" in text
    assert data == render_payslip(payslip_document(lines=lines))


def test_the_net_pay_is_never_split_from_its_account_across_pages():
    moved_whole = False
    for count in range(24, 38):  # the summary passes the foot of the first page
        lines = [
            Line(f"L{index:03d}", f"Line {index:03d}", EARNING, D("10.00"), ytd=D("10.00"))
            for index in range(count)
        ]
        pages = _pages(render_payslip(payslip_document(lines=lines)))
        net_page = next(number for number, text in enumerate(pages) if "Net pay" in text)
        assert "Paid into •••• •••• 1234" in pages[net_page], count
        last_line_page = next(
            number for number, text in enumerate(pages) if f"Line {count - 1:03d}" in text
        )
        moved_whole |= net_page > last_line_page
    assert moved_whole


def test_the_annual_statement_adds_up_by_code_and_by_month():
    text = _text(render_annual_statement(statement_document()))
    for expected in (
        "Annual statement",
        "2026",
        "Nicolò Şahin",
        "000456",
        "Paid into •••• •••• 9876",
        "BASE Base salary 51,000.00",
        "OT150 Overtime 150% 15,870.72",
        "WAGETAX Wage tax 15,448.80",
        "ERPENS Employer pension 5,100.00",
        "Gross pay 66,870.72",  # the earnings total
        "Total deductions 17,998.80",
        "Month 1 5,572.56 1,499.90 4,072.66",
        "Month 12 5,572.56 1,499.90 4,072.66",
        "Year total 66,870.72 17,998.80 48,871.92",
        "Net pay €48,871.92",
        "Employer contributions €5,100.00",
    ):
        assert expected in text, expected


def test_the_annual_statement_in_dutch_formats_numbers_the_dutch_way():
    text = _text(render_annual_statement(statement_document(language="nl")))
    assert "51.000,00" in text
    assert "€ 48.871,92" in text
    assert "51,000.00" not in text


def test_the_annual_statement_uses_the_currency_it_is_given():
    text = _text(render_annual_statement(statement_document(currency="NOK")))
    assert "NOK48,871.92" in text
    assert "€" not in text


def test_the_annual_statement_has_metadata_and_renders_the_same_bytes_twice():
    document = statement_document()
    data = render_annual_statement(document)
    meta = PdfReader(io.BytesIO(data)).metadata
    assert meta.title == "Annual statement 2026 — Nicolò Şahin"
    assert meta.author == "Northwind Traders B.V."
    assert meta.subject == "Annual statement 2026"
    assert meta.creator == "ESS"
    assert data == render_annual_statement(document)


def test_the_annual_statement_prints_markup_as_written():
    document = statement_document(
        employee_name="<b>Eve</b> & </para>",
        rows=[("X<1>", "Bonus </para> & <i>", EARNING, D("1.00"))],
    )
    text = _text(render_annual_statement(document))
    assert "<b>Eve</b> & </para>" in text
    assert "X<1> Bonus </para> & <i> 1.00" in text
