"""Reading a payroll period from an external payroll system's CSV file.

The file is checked completely before anything is used: every problem in every cell is
reported at once, so an officer fixes the file in one go, and a file with any problem yields
no payslips at all (all or nothing). Amounts are taken as the other system wrote them; they
are never rounded here, because a payslip must show what the payroll system paid.

The format is described for officers in docs/payroll-import.md.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from django.db import connection
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from hr.models import Compensation, Employee
from payroll.lines import ZERO, Line, LineKind, PreparedSlip, parse_decimal, round_cents

MAX_ROWS = 200_000
# Far above any real payroll file (a line is well under 500 bytes); only stops a runaway file
# before it is decoded into memory.
MAX_BYTES = 100 * 1024 * 1024
REQUIRED_COLUMNS = ("employee_number", "code", "label", "kind", "amount")
OPTIONAL_COLUMNS = ("quantity", "rate", "currency")
KNOWN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
CODE_MAX_LENGTH = 20
LABEL_MAX_LENGTH = 100
DEFAULT_CURRENCY = "EUR"
# Amounts fit a salary component's amount (ten digits before the point), so run totals of
# any real file fit their columns too.
AMOUNT_LIMIT = Decimal("10000000000")
# Quantities (hours, days) and rates (hourly rates, percentages) need a few more decimals.
FACTOR_INTEGER_DIGITS = 10
FACTOR_DECIMALS = 6
SHOWN_VALUE_LENGTH = 40
CURRENCY_PATTERN = re.compile(r"[A-Z]{3}")
# Control characters (C0, DEL, C1), line and paragraph separators, and characters that change
# how text looks without being seen: bidirectional overrides and isolates (they can make a
# label read differently from what it holds) and a stray byte order mark.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
KINDS = tuple(LineKind.values)


@dataclass(frozen=True)
class ImportProblem:
    """One problem: the row as a spreadsheet shows it (the header is row 1), the column
    (empty when it concerns the whole row or file), and what to do about it."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("Row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportResult:
    slips: list[PreparedSlip] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    file_name: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def line_count(self) -> int:
        return sum(len(slip.lines) for slip in self.slips)


def parse_payroll_csv(data: bytes, *, file_name: str = "") -> ImportResult:
    """Check a payroll CSV file and turn it into one PreparedSlip per employee.

    Looks the employees up with one query. When there is any problem the result has no
    slips, only the problems, sorted by row.
    """
    problems: list[ImportProblem] = []
    text = _decoded(data, problems)
    if text is None:
        return ImportResult(problems=problems, file_name=file_name)
    records = _records(text, problems)
    if records is None:
        return ImportResult(problems=problems, file_name=file_name)
    header, rows = records
    columns = _columns(header, problems)
    slips = [] if columns is None else _SlipBuilder(columns, rows, problems).build()
    if problems:
        problems.sort(key=lambda problem: problem.row)
        return ImportResult(problems=problems, file_name=file_name)
    return ImportResult(slips=slips, file_name=file_name)


# --- The file -------------------------------------------------------------------------------
def lines_as_csv(employee_number: str, lines: Iterable[Line]) -> str:
    """One person's lines in this module's file format, for an officer to correct and
    read back with `parse_payroll_csv`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["employee_number", "code", "label", "kind", "amount", "quantity", "rate"])
    for line in lines:
        writer.writerow(
            [
                employee_number,
                line.code,
                line.label,
                line.kind,
                line.amount,
                "" if line.quantity is None else line.quantity,
                "" if line.rate is None else line.rate,
            ]
        )
    return out.getvalue()


def _decoded(data: bytes, problems: list[ImportProblem]) -> str | None:
    if len(data) > MAX_BYTES:
        problems.append(
            ImportProblem(
                1,
                "",
                _("The file is larger than %(size)s MB; split it into smaller files.")
                % {"size": MAX_BYTES // (1024 * 1024)},
            )
        )
        return None
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = start + exc.start
        row = data.count(b"\n", 0, offset) + 1
        problems.append(
            ImportProblem(
                row,
                "",
                _(
                    "The file is not UTF-8 text: the byte at offset %(offset)s (0x%(byte)02X) "
                    "is not valid UTF-8. Save the file as “CSV UTF-8” and import it again."
                )
                % {"offset": offset, "byte": data[offset]},
            )
        )
        return None
    if not text.strip():
        problems.append(
            ImportProblem(
                1, "", _("The file is empty; it needs a header row and at least one line.")
            )
        )
        return None
    return text


def _delimiter(text: str) -> str:
    """Comma or semicolon, whichever the header row uses more (spreadsheets set to a
    language with a decimal comma write semicolons)."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _records(text: str, problems: list[ImportProblem]) -> tuple[list[str], list] | None:
    """The header and the rows as (row number, cells), leaving out blank rows."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    records: list[list[str]] = []
    try:
        # One row past the limit is enough to know the file is too long.
        records.extend(islice(reader, MAX_ROWS + 2))
    except csv.Error as exc:
        row = len(records) + 1
        problems.append(
            ImportProblem(
                row,
                "",
                _("This row cannot be read as CSV (%(error)s); nothing after it was checked.")
                % {"error": exc},
            )
        )
    if len(records) > MAX_ROWS + 1:
        problems.clear()
        problems.append(
            ImportProblem(
                MAX_ROWS + 2,
                "",
                _("The file has more than %(limit)s lines; split it into smaller files.")
                % {"limit": number_format(MAX_ROWS, force_grouping=True)},
            )
        )
        return None
    if not records:
        return None
    rows = [
        (number, cells)
        for number, cells in enumerate(records[1:], start=2)
        if any(cell.strip() for cell in cells)
    ]
    if not rows and not problems:
        problems.append(ImportProblem(1, "", _("The file has a header row but no lines under it.")))
    return records[0], rows


def _columns(header: list[str], problems: list[ImportProblem]) -> list[str] | None:
    """The header's column names, lower case; None when a required column is missing."""
    names = [name.strip().lower() for name in header]
    first_position: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if not name:
            problems.append(
                ImportProblem(1, "", _("Column %(position)s has no name.") % {"position": position})
            )
        elif name not in KNOWN_COLUMNS:
            problems.append(
                ImportProblem(
                    1,
                    _shown(header[position - 1].strip()),
                    _("Unknown column; the columns are: %(columns)s.")
                    % {"columns": ", ".join(KNOWN_COLUMNS)},
                )
            )
        elif name in first_position:
            problems.append(
                ImportProblem(
                    1,
                    name,
                    _("This column appears twice (columns %(first)s and %(second)s).")
                    % {"first": first_position[name], "second": position},
                )
            )
        else:
            first_position[name] = position
    missing = [name for name in REQUIRED_COLUMNS if name not in first_position]
    problems.extend(
        ImportProblem(1, name, _("This required column is missing.")) for name in missing
    )
    return None if missing else names


# --- The rows -------------------------------------------------------------------------------
@dataclass
class _Person:
    employee_id: int
    default_currency: str
    lines: list[Line] = field(default_factory=list)
    currency: str = ""
    currency_row: int = 0
    codes: dict[str, int] = field(default_factory=dict)


class _SlipBuilder:
    def __init__(
        self, columns: list[str], rows: list[tuple[int, list[str]]], problems: list[ImportProblem]
    ) -> None:
        self.columns = columns
        self.rows = rows
        self.problems = problems

    def build(self) -> list[PreparedSlip]:
        cells_by_row = [(number, self._cells(number, cells)) for number, cells in self.rows]
        numbers = {
            cells["employee_number"].strip()
            for _number, cells in cells_by_row
            if cells is not None and _usable_text(cells["employee_number"])
        }
        employees = _employees_by_number(numbers)
        people: dict[str, _Person] = {}
        for number, cells in cells_by_row:
            if cells is not None:
                self._read_row(number, cells, employees, people)
        return [
            PreparedSlip(
                employee_id=person.employee_id,
                currency=person.currency or person.default_currency,
                lines=person.lines,
            )
            for person in people.values()
        ]

    def _problem(self, row: int, column: str, message: str) -> None:
        self.problems.append(ImportProblem(row, column, message))

    def _cells(self, number: int, cells: list[str]) -> dict[str, str] | None:
        if len(cells) != len(self.columns):
            self._problem(
                number,
                "",
                _(
                    "This row has %(found)s fields but the header has %(expected)s; look for "
                    "a missing or extra separator, such as a number written with a comma."
                )
                % {"found": len(cells), "expected": len(self.columns)},
            )
            return None
        values = dict.fromkeys(OPTIONAL_COLUMNS, "")
        values.update((name, cell) for name, cell in zip(self.columns, cells, strict=True) if name)
        return values

    def _read_row(
        self,
        number: int,
        cells: dict[str, str],
        employees: dict[str, tuple[int, str]],
        people: dict[str, _Person],
    ) -> None:
        before = len(self.problems)
        employee_number = self._employee_number(number, cells["employee_number"], employees)
        code = self._text(number, "code", cells["code"], CODE_MAX_LENGTH)
        label = self._text(number, "label", cells["label"], LABEL_MAX_LENGTH)
        kind = self._kind(number, cells["kind"])
        amount = self._amount(number, cells["amount"])
        quantity = self._factor(number, "quantity", cells["quantity"])
        rate = self._factor(number, "rate", cells["rate"])
        currency = self._currency(number, cells["currency"])
        if employee_number is None:
            return
        person = people.get(employee_number)
        if person is None:
            employee_id, default_currency = employees[employee_number]
            person = people[employee_number] = _Person(employee_id, default_currency)
        if code is not None:
            self._check_code_once(number, employee_number, code, person)
        if currency:
            self._check_one_currency(number, currency, person)
        if len(self.problems) == before:
            person.lines.append(
                Line(
                    code=code,
                    label=label,
                    kind=kind,
                    amount=amount,
                    quantity=quantity,
                    rate=rate,
                )
            )

    def _employee_number(
        self, number: int, value: str, employees: dict[str, tuple[int, str]]
    ) -> str | None:
        text = self._text(number, "employee_number", value, max_length=None)
        if text is None:
            return None
        if text not in employees:
            self._problem(
                number,
                "employee_number",
                _("No employee has the number “%(value)s”.") % {"value": _shown(text)},
            )
            return None
        return text

    def _text(self, number: int, column: str, value: str, max_length: int | None) -> str | None:
        text = value.strip()
        if not text:
            self._problem(number, column, _("This cell is empty; every line needs one."))
            return None
        bad = _first_control(text)
        if bad is not None:
            self._problem(
                number,
                column,
                _("“%(value)s” contains a control character (U+%(code)04X); remove it.")
                % {"value": _shown(text), "code": ord(bad)},
            )
            return None
        if max_length is not None and len(text) > max_length:
            self._problem(
                number,
                column,
                _("“%(value)s” is %(length)s characters long; at most %(limit)s are allowed.")
                % {"value": _shown(text), "length": len(text), "limit": max_length},
            )
            return None
        return text

    def _kind(self, number: int, value: str) -> str | None:
        kind = value.strip().lower()
        if kind in KINDS:
            return kind
        self._problem(
            number,
            "kind",
            _("“%(value)s” is not a kind of line; use one of: %(kinds)s.")
            % {"value": _shown(value.strip()), "kinds": ", ".join(KINDS)},
        )
        return None

    def _number(self, number: int, column: str, value: str) -> Decimal | None:
        if not value.strip():
            self._problem(number, column, _("This cell is empty; write a number like 12.50."))
            return None
        try:
            return parse_decimal(value)
        except ValueError:
            self._problem(
                number,
                column,
                _("“%(value)s” is not a number; write it like 12.50.")
                % {"value": _shown(value.strip())},
            )
            return None

    def _amount(self, number: int, value: str) -> Decimal | None:
        amount = self._number(number, "amount", value)
        if amount is None:
            return None
        if abs(amount) >= AMOUNT_LIMIT:
            self._problem(
                number,
                "amount",
                _("“%(value)s” is too large; an amount is less than %(limit)s.")
                % {
                    "value": _shown(value.strip()),
                    "limit": number_format(AMOUNT_LIMIT, force_grouping=True),
                },
            )
            return None
        # Trailing zeros ("12.500") lose nothing; anything else would be rounding money.
        if amount != amount.quantize(Decimal("0.01")):
            self._problem(
                number,
                "amount",
                _(
                    "“%(value)s” has more than 2 decimals; amounts are in cents and are not "
                    "rounded on import."
                )
                % {"value": _shown(value.strip())},
            )
            return None
        # round_cents only writes every amount with two decimals; "+ ZERO" turns -0.00 into 0.00.
        return round_cents(amount) + ZERO

    def _factor(self, number: int, column: str, value: str) -> Decimal | None:
        """A quantity or rate: optional, a plain number with a sensible number of digits."""
        if not value.strip():
            return None
        factor = self._number(number, column, value)
        if factor is None:
            return None
        _sign, digits, exponent = factor.as_tuple()
        decimals = max(0, -int(exponent))
        if len(digits) - decimals > FACTOR_INTEGER_DIGITS or decimals > FACTOR_DECIMALS:
            self._problem(
                number,
                column,
                _(
                    "“%(value)s” has too many digits; write at most %(integer)s before the "
                    "point and %(decimals)s after it."
                )
                % {
                    "value": _shown(value.strip()),
                    "integer": FACTOR_INTEGER_DIGITS,
                    "decimals": FACTOR_DECIMALS,
                },
            )
            return None
        return factor

    def _currency(self, number: int, value: str) -> str | None:
        """The currency written on the row: "" when blank (the person's own currency)."""
        currency = value.strip().upper()
        if not currency or CURRENCY_PATTERN.fullmatch(currency):
            return currency
        self._problem(
            number,
            "currency",
            _("“%(value)s” is not a currency code; write three letters, such as EUR.")
            % {"value": _shown(value.strip())},
        )
        return None

    def _check_code_once(
        self, number: int, employee_number: str, code: str, person: _Person
    ) -> None:
        earlier = person.codes.setdefault(code, number)
        if earlier != number:
            self._problem(
                number,
                "code",
                _(
                    "Employee %(employee)s already has a line with code “%(code)s” on row "
                    "%(earlier)s; each code may appear once per person."
                )
                % {"employee": employee_number, "code": code, "earlier": earlier},
            )

    def _check_one_currency(self, number: int, currency: str, person: _Person) -> None:
        if not person.currency:
            person.currency, person.currency_row = currency, number
        elif currency != person.currency:
            self._problem(
                number,
                "currency",
                _(
                    "“%(value)s” differs from “%(earlier)s” on row %(row)s; one person's "
                    "payslip has one currency."
                )
                % {"value": currency, "earlier": person.currency, "row": person.currency_row},
            )


def _employees_by_number(numbers: Iterable[str]) -> dict[str, tuple[int, str]]:
    """Employee number -> (id, current pay currency), in one query for the whole file.

    The numbers go in batches only when a database limits the parameters of one query (SQLite
    allows 32,766 by default, so a real file is still a single query)."""
    numbers = sorted(numbers)
    if not numbers:
        return {}
    currency = (
        Compensation.objects.filter(
            employee=OuterRef("pk"), effective_from__lte=timezone.localdate()
        )
        .order_by("-effective_from")
        .values("currency")[:1]
    )
    batch = (connection.features.max_query_params or len(numbers) + 10) - 10
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(numbers), batch):
        rows = (
            Employee.objects.filter(employee_number__in=numbers[start : start + batch])
            .annotate(current_currency=Subquery(currency))
            .values_list("employee_number", "pk", "current_currency")
        )
        found.update(
            (employee_number, (pk, current_currency or DEFAULT_CURRENCY))
            for employee_number, pk, current_currency in rows
        )
    return found


# --- Text -----------------------------------------------------------------------------------
def _first_control(text: str) -> str | None:
    match = CONTROL.search(text)
    return match[0] if match else None


def _usable_text(value: str) -> bool:
    text = value.strip()
    return bool(text) and not CONTROL.search(text)


def _shown(value: str) -> str:
    """A cell's value as a message may quote it: short, and with control characters written
    as escapes, so a hostile cell cannot reach a terminal or a page as raw control codes."""
    shortened = value[:SHOWN_VALUE_LENGTH]
    visible = "".join(
        (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
        if CONTROL.fullmatch(char)
        else char
        for char in shortened
    )
    return visible + ("…" if len(value) > SHOWN_VALUE_LENGTH else "")
