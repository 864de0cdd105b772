"""Payslips and annual statements as PDFs, with reportlab.

Payday renders about 10,000 payslips, so the layout sticks to what reportlab draws cheaply
(bench/payslip_pdf.py measures it against a bare table): styles are built once at import;
table cells are plain strings, drawn as written and never parsed as markup, and only a text
too wide for its column becomes an escaped Paragraph that wraps; rows that cannot wrap get
a fixed height, so reportlab measures nothing; empty cells are empty tuples, which reportlab
skips (an empty string is still drawn). Two faces are embedded, ESS and ESS-Bold: each
further face is one more font subset to cut and compress in every file.

The output is byte-for-byte reproducible: reportlab's invariant mode leaves the timestamp
out and derives the document ID from the content, so rendering the same payslip again,
after a killed worker for instance, writes the same file.
"""

import datetime
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from xml.sax.saxutils import escape

from babel import Locale
from babel.dates import format_date, format_interval
from babel.numbers import format_currency, parse_pattern
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ess.pdf import BRAND, MUTED, register_fonts
from payroll.lines import KIND_ORDER, Line, LineKind, Totals, grouped


@dataclass(frozen=True)
class PayslipDocument:
    language: str  # "en" or "nl"
    company_name: str
    company_address_lines: list[str]
    employee_name: str
    employee_number: str
    job_title: str
    department: str
    period_label: str  # formatted by the caller: "October 2026", "oktober 2026"
    period_start: datetime.date
    period_end: datetime.date
    pay_date: datetime.date
    currency: str
    lines: list[Line]
    totals: Totals
    masked_iban: str  # "•••• •••• 1234", or "" when no account is known
    version: int
    correction_reason: str  # "" for a first version
    reference: str  # "2026-10/000123/v1"


@dataclass(frozen=True)
class AnnualStatementDocument:
    language: str
    company_name: str
    company_address_lines: list[str]
    employee_name: str
    employee_number: str
    year: int
    rows: list[tuple[str, str, str, Decimal]]  # (code, label, kind, amount) over the year
    totals: Totals
    months: list[tuple[str, Decimal, Decimal, Decimal]]  # (period label, gross, deductions, net)
    masked_iban: str
    currency: str = ""  # empty: settings.DEFAULT_CURRENCY


# -- page and styles, built once ------------------------------------------------------------

REGULAR, BOLD = "ESS", "ESS-Bold"
PAGE_WIDTH = A4[0]
MARGIN = 18 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN
BODY = 9  # points
ROW = 15  # points: a one-line row of body text with its padding
HEADING_ROW = ROW + 5  # a group's heading: room above it
PAD = 6  # points: reportlab's padding left and right in every cell
EMPTY = ()  # an empty cell that reportlab skips
SHADE = colors.HexColor("#eef2f7")
RULE = colors.HexColor("#b8c4d4")

RATE = parse_pattern("#,##0.00####")
QUANTITY = parse_pattern("#,##0.##")

LETTERHEAD_COLUMNS = [WIDTH * 0.65, WIDTH * 0.35]
FACTS_COLUMNS = [36 * mm, 51 * mm, 30 * mm, 57 * mm]
SUMMARY_COLUMNS = [44 * mm, 50 * mm]
PAYSLIP_COLUMNS = [70 * mm, 22 * mm, 24 * mm, 29 * mm, 29 * mm]
CODES_COLUMNS = [30 * mm, 104 * mm, 40 * mm]
MONTHS_COLUMNS = [56 * mm, 39 * mm, 40 * mm, 39 * mm]

# Every command is applied cell by cell, so tables keep reportlab's default padding (6 points
# left and right, 3 above and below) and bottom alignment rather than restyle every cell.
GRID = (("FONT", (0, 0), (-1, -1), REGULAR, BODY),)
# Company and address on the left, the document's title and period on the right.
LETTERHEAD_STYLE = TableStyle(
    [
        *GRID,
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("FONT", (0, 0), (-1, 0), BOLD, 15),
        ("TEXTCOLOR", (0, 0), (-1, 0), BRAND),
        ("TEXTCOLOR", (0, 1), (0, -1), MUTED),
        ("FONT", (1, 1), (1, 1), BOLD, 11),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
        ("LINEBELOW", (0, -1), (-1, -1), 1.2, BRAND),
    ]
)
FACTS_STYLE = TableStyle(
    [
        *GRID,
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("TEXTCOLOR", (0, 0), (0, -1), MUTED),
        ("TEXTCOLOR", (2, 0), (2, -1), MUTED),
        ("FONT", (1, 0), (1, 0), BOLD, BODY),
    ]
)
NET_SIZE, NET_HEIGHT = 13, 24
# Gross, deductions, then the net pay large and shaded; the rows after it say where it went.
SUMMARY_STYLE = TableStyle(
    [
        *GRID,
        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("FONT", (0, 2), (-1, 2), BOLD, NET_SIZE),
        ("TEXTCOLOR", (0, 2), (-1, 2), BRAND),
        ("BOTTOMPADDING", (0, 2), (-1, 2), 6),
        ("LINEABOVE", (0, 2), (-1, 2), 1.2, BRAND),
        ("BACKGROUND", (0, 2), (-1, 2), SHADE),
        ("TEXTCOLOR", (0, 3), (0, -1), MUTED),
    ]
)
NOTICE_STYLE = TableStyle(
    [
        *GRID,
        ("BOX", (0, 0), (-1, -1), 0.8, BRAND),
        ("BACKGROUND", (0, 0), (-1, -1), SHADE),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
    ]
)
NOTICE_TEXT = ParagraphStyle("PayNotice", fontName=REGULAR, fontSize=BODY, leading=12)
# Money tables: a shaded header row, repeated on every page, and numbers on the right.
MONEY_GRID = (
    *GRID,
    ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
    ("FONT", (0, 0), (-1, 0), BOLD, BODY),
    ("BACKGROUND", (0, 0), (-1, 0), SHADE),
    ("LINEBELOW", (0, 0), (-1, 0), 0.8, BRAND),
)


def _heading_row(row: int) -> list[tuple]:
    return [("FONT", (0, row), (-1, row), BOLD, BODY), ("TEXTCOLOR", (0, row), (-1, row), BRAND)]


def _subtotal_row(row: int, first_money_column: int) -> list[tuple]:
    return [
        ("FONT", (0, row), (-1, row), BOLD, BODY),
        ("LINEABOVE", (first_money_column, row), (-1, row), 0.5, RULE),
    ]


# -- text and numbers -----------------------------------------------------------------------


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(translation.to_locale(language))


@cache
def _separators(language: str) -> dict[int, str]:
    symbols = _locale(language).number_symbols["latn"]
    return str.maketrans(
        {",": symbols["group"], ".": symbols["decimal"], "-": symbols["minusSign"]}
    )


class _Numbers:
    """Numbers and dates the language's way: 1.234,56 in Dutch, 1,234.56 in English."""

    def __init__(self, language: str, currency: str):
        self.locale = _locale(language)
        self.separators = _separators(language)
        self.currency = currency

    def amount(self, value: Decimal) -> str:
        """Two decimals with the language's separators. Python formats the digits: babel's
        pattern engine gives the same text at many times the cost, and a payslip has sixty
        amounts. Adding zero turns a negative zero into 0,00."""
        return f"{value + 0:,.2f}".translate(self.separators)

    def optional(self, pattern, value: Decimal | None) -> str | tuple:
        return EMPTY if value is None else pattern.apply(value, self.locale)

    def money(self, value: Decimal) -> str:
        return format_currency(value, self.currency, locale=self.locale)

    def date(self, value: datetime.date) -> str:
        return format_date(value, "long", locale=self.locale)

    def dates(self, start: datetime.date, end: datetime.date) -> str:
        return format_interval(start, end, "yMMMd", locale=self.locale)


def _plain(text) -> str:
    """One line of text: line breaks and runs of spaces become single spaces."""
    return " ".join(str(text).split())


@cache
def _wrap_style(font: str, size: float, color, alignment: int) -> ParagraphStyle:
    return ParagraphStyle(
        f"PayWrap-{font}-{size}-{alignment}",
        fontName=font,
        fontSize=size,
        leading=size * 1.25,
        textColor=color,
        alignment=alignment,
    )


def _cell(text, width: float, *, bold=False, size=BODY, color=colors.black, right=False):
    """A table cell: the plain string when it fits its column, else an escaped Paragraph
    that wraps (and gives its row a measured height, see _heights)."""
    text = _plain(text)
    if not text:
        return EMPTY
    font = BOLD if bold else REGULAR
    if stringWidth(text, font, size) <= width - 2 * PAD:
        return text
    alignment = TA_RIGHT if right else TA_LEFT
    return Paragraph(escape(text), _wrap_style(font, size, color, alignment))


def _header(columns: Sequence[float], *labels: str, left: int = 1) -> list:
    """A money table's header row: the first `left` columns left-aligned, the rest right."""
    return [
        _cell(label, width, bold=True, right=index >= left)
        for index, (label, width) in enumerate(zip(labels, columns, strict=True))
    ]


def _heights(rows: Sequence[Sequence], taller: dict[int, float] | None = None) -> list:
    """Row heights: fixed for rows of strings (ROW unless `taller` says otherwise, by row
    index), None (measure it) for a row that wraps."""
    taller = taller or {}
    return [
        None if any(isinstance(cell, Paragraph) for cell in row) else taller.get(index, ROW)
        for index, row in enumerate(rows)
    ]


# -- blocks both documents share ------------------------------------------------------------


class _UnbrokenTable(Table):
    """A table that moves to the next page whole instead of splitting, so the net pay never
    ends one page with its account at the top of the next (cheaper than KeepTogether)."""

    def split(self, availWidth, availHeight):
        return []


def _letterhead(company: str, address_lines: Sequence[str], title: str, subtitle: str):
    wide, narrow = LETTERHEAD_COLUMNS
    left = [_cell(company, wide, bold=True, size=15, color=BRAND)]
    left += [_cell(line, wide, color=MUTED) for line in address_lines if line.strip()]
    right = [
        _cell(title, narrow, bold=True, size=15, color=BRAND),
        _cell(subtitle, narrow, bold=True, size=11),
    ]
    size = max(len(left), len(right))
    rows = [
        [*pair]
        for pair in zip(
            left + [EMPTY] * (size - len(left)), right + [EMPTY] * (size - len(right)), strict=True
        )
    ]
    taller = {0: 26, 1: 18}  # the 15 pt and 11 pt rows
    last = len(rows) - 1
    taller[last] = taller.get(last, ROW) + 5  # room above the rule
    return Table(
        rows,
        colWidths=LETTERHEAD_COLUMNS,
        rowHeights=_heights(rows, taller),
        style=LETTERHEAD_STYLE,
    )


def _facts(left: Sequence[tuple[str, str]], right: Sequence[tuple[str, str]]):
    """Label and value pairs in two columns; the first value (the name) in bold."""
    blank = (EMPTY, EMPTY)
    size = max(len(left), len(right))
    rows = [
        [
            _cell(left_label, FACTS_COLUMNS[0]),
            _cell(left_value, FACTS_COLUMNS[1], bold=not index),
            _cell(right_label, FACTS_COLUMNS[2]),
            _cell(right_value, FACTS_COLUMNS[3]),
        ]
        for index, ((left_label, left_value), (right_label, right_value)) in enumerate(
            zip(
                [*left, *[blank] * (size - len(left))],
                [*right, *[blank] * (size - len(right))],
                strict=True,
            )
        )
    ]
    return Table(rows, colWidths=FACTS_COLUMNS, rowHeights=_heights(rows), style=FACTS_STYLE)


def _summary(pairs: Sequence[tuple[str, str]]):
    """Gross, deductions, net (the third row, large), then any notes on the payment."""
    label_width, value_width = SUMMARY_COLUMNS
    net = {"bold": True, "size": NET_SIZE, "color": BRAND}
    rows = [
        [
            _cell(label, label_width, **(net if index == 2 else {})),
            _cell(value, value_width, **(net if index == 2 else {})),
        ]
        for index, (label, value) in enumerate(pairs)
    ]
    return _UnbrokenTable(
        rows,
        colWidths=SUMMARY_COLUMNS,
        rowHeights=_heights(rows, {2: NET_HEIGHT}),
        style=SUMMARY_STYLE,
        hAlign="RIGHT",
    )


def _footer(text: str, pages: int) -> Callable:
    """Draws `text` at the foot of every page, and "page x of y" when there is more than one."""

    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, 12 * mm, PAGE_WIDTH - MARGIN, 12 * mm)
        canvas.setFillColor(MUTED)
        canvas.setFont(REGULAR, 7.5)
        canvas.drawString(MARGIN, 8 * mm, text)
        if pages > 1:
            page = _("Page %(page)d of %(pages)d") % {"page": doc.page, "pages": pages}
            canvas.drawRightString(PAGE_WIDTH - MARGIN, 8 * mm, page)
        canvas.restoreState()

    return draw


def _build(story: Callable[[], list], footer_text: str, **metadata) -> bytes:
    """Lays the story out, a second time when it takes more than one page: only then is the
    number of pages known for the footer. Nearly every payslip takes one pass."""
    footer_text = _plain(footer_text)
    pages = 1
    while True:
        buffer = io.BytesIO()
        template = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=20 * mm,
            creator="ESS",
            displayDocTitle=True,
            invariant=1,
            **metadata,
        )
        footer = _footer(footer_text, pages)
        template.build(story(), onFirstPage=footer, onLaterPages=footer)
        if template.page == pages or pages > 1:
            return buffer.getvalue()
        pages = template.page


def _subtotal_label(kind: str) -> str:
    """The total a group of lines adds up to; information lines (hours worked, taxable
    wage) add up to nothing, so they have none."""
    labels = {
        LineKind.EARNING: _("Gross pay"),
        LineKind.DEDUCTION: _("Total deductions"),
        LineKind.EMPLOYER_CONTRIBUTION: _("Total employer contributions"),
    }
    return labels.get(kind, "")


# -- the payslip ----------------------------------------------------------------------------


def _payslip_lines(doc: PayslipDocument, numbers: _Numbers):
    """The lines by kind: a heading row per group, its lines, and its subtotal."""
    width = PAYSLIP_COLUMNS[0]
    headings = (_("Description"), _("Quantity"), _("Rate"), _("Amount"), _("Year to date"))
    rows = [_header(PAYSLIP_COLUMNS, *headings)]
    style, taller = list(MONEY_GRID), {}
    for kind, lines in grouped(doc.lines):
        style += _heading_row(len(rows))
        taller[len(rows)] = HEADING_ROW
        rows.append([_cell(LineKind(kind).label, width, bold=True), *[EMPTY] * 4])
        rows.extend(
            [
                _cell(line.label, width),
                numbers.optional(QUANTITY, line.quantity),
                numbers.optional(RATE, line.rate),
                numbers.amount(line.amount),
                numbers.amount(line.ytd),
            ]
            for line in lines
        )
        if label := _subtotal_label(kind):
            style += _subtotal_row(len(rows), 3)
            amount = sum((line.amount for line in lines), Decimal(0))
            ytd = sum((line.ytd for line in lines), Decimal(0))
            rows.append(
                [
                    _cell(label, width, bold=True),
                    EMPTY,
                    EMPTY,
                    numbers.amount(amount),
                    numbers.amount(ytd),
                ]
            )
    return Table(
        rows,
        colWidths=PAYSLIP_COLUMNS,
        rowHeights=_heights(rows, taller),
        repeatRows=1,
        style=TableStyle(style),
    )


def _correction_notice(doc: PayslipDocument):
    heading = _("Corrected payslip, version %(version)d") % {"version": doc.version}
    text = f"<b>{escape(heading)}</b>"
    if reason := _plain(doc.correction_reason):
        text += "<br/>" + escape(_("Reason: %(reason)s") % {"reason": reason})
    return Table([[Paragraph(text, NOTICE_TEXT)]], colWidths=[WIDTH], style=NOTICE_STYLE)


def _payslip_story(doc: PayslipDocument, numbers: _Numbers) -> list:
    pay_date = numbers.date(doc.pay_date)
    payment = [(_("Paid into"), doc.masked_iban)] if doc.masked_iban else []
    story = [
        _letterhead(doc.company_name, doc.company_address_lines, _("Payslip"), doc.period_label),
        Spacer(1, 4 * mm),
        _facts(
            [
                (_("Employee"), doc.employee_name),
                (_("Employee number"), doc.employee_number),
                (_("Job title"), doc.job_title),
                (_("Department"), doc.department),
            ],
            [
                (_("Period"), numbers.dates(doc.period_start, doc.period_end)),
                (_("Pay date"), pay_date),
                (_("Currency"), doc.currency),
                (_("Reference"), doc.reference),
            ],
        ),
        Spacer(1, 4 * mm),
    ]
    if doc.version > 1:
        story += [_correction_notice(doc), Spacer(1, 4 * mm)]
    story += [
        _payslip_lines(doc, numbers),
        Spacer(1, 5 * mm),
        _summary(
            [
                (_("Gross pay"), numbers.money(doc.totals.gross)),
                (_("Total deductions"), numbers.money(doc.totals.deductions)),
                (_("Net pay"), numbers.money(doc.totals.net)),
                *payment,
                (_("Pay date"), pay_date),
            ]
        ),
    ]
    return story


def render_payslip(doc: PayslipDocument) -> bytes:
    """The payslip as an A4 PDF in the document's language; the same bytes every time."""
    register_fonts()
    with translation.override(doc.language):
        numbers = _Numbers(doc.language, doc.currency)
        return _build(
            lambda: _payslip_story(doc, numbers),
            footer_text=_("%(company)s · Payslip %(reference)s")
            % {"company": doc.company_name, "reference": doc.reference},
            title=_plain(
                _("Payslip %(period)s — %(name)s")
                % {"period": doc.period_label, "name": doc.employee_name}
            ),
            author=_plain(doc.company_name),
            subject=_("Payslip %(reference)s") % {"reference": doc.reference},
            lang=doc.language,
        )


# -- the annual statement -------------------------------------------------------------------


def _statement_codes(doc: AnnualStatementDocument, numbers: _Numbers):
    """The year's amounts by code, grouped by kind, with a total per kind."""
    width = CODES_COLUMNS[1]
    rows = [_header(CODES_COLUMNS, _("Code"), _("Description"), _("Amount"), left=2)]
    style, taller = [*MONEY_GRID, ("ALIGN", (1, 0), (1, -1), "LEFT")], {}
    by_kind: dict[str, list] = {kind: [] for kind in KIND_ORDER}
    for code, label, kind, amount in doc.rows:
        by_kind[kind].append((code, label, amount))
    for kind, items in by_kind.items():
        if not items:
            continue
        style += _heading_row(len(rows))
        taller[len(rows)] = HEADING_ROW
        rows.append([EMPTY, _cell(LineKind(kind).label, width, bold=True), EMPTY])
        rows.extend(
            [_cell(code, CODES_COLUMNS[0]), _cell(label, width), numbers.amount(amount)]
            for code, label, amount in items
        )
        if label := _subtotal_label(kind):
            style += _subtotal_row(len(rows), 2)
            total = sum((amount for _code, _label, amount in items), Decimal(0))
            rows.append([EMPTY, _cell(label, width, bold=True), numbers.amount(total)])
    return Table(
        rows,
        colWidths=CODES_COLUMNS,
        rowHeights=_heights(rows, taller),
        repeatRows=1,
        style=TableStyle(style),
    )


def _statement_months(doc: AnnualStatementDocument, numbers: _Numbers):
    rows = [_header(MONTHS_COLUMNS, _("Period"), _("Gross pay"), _("Deductions"), _("Net pay"))]
    rows.extend(
        [_cell(label, MONTHS_COLUMNS[0]), *map(numbers.amount, (gross, deductions, net))]
        for label, gross, deductions, net in doc.months
    )
    totals = doc.totals
    rows.append(
        [_("Year total"), *map(numbers.amount, (totals.gross, totals.deductions, totals.net))]
    )
    style = [
        *MONEY_GRID,
        ("FONT", (0, -1), (-1, -1), BOLD, BODY),
        ("LINEABOVE", (0, -1), (-1, -1), 0.8, BRAND),
        ("BACKGROUND", (0, -1), (-1, -1), SHADE),
    ]
    return Table(
        rows,
        colWidths=MONTHS_COLUMNS,
        rowHeights=_heights(rows),
        repeatRows=1,
        style=TableStyle(style),
    )


def _statement_story(doc: AnnualStatementDocument, numbers: _Numbers) -> list:
    totals = doc.totals
    payment = [(_("Paid into"), doc.masked_iban)] if doc.masked_iban else []
    return [
        _letterhead(
            doc.company_name, doc.company_address_lines, _("Annual statement"), str(doc.year)
        ),
        Spacer(1, 4 * mm),
        _facts(
            [(_("Employee"), doc.employee_name), (_("Employee number"), doc.employee_number)],
            [(_("Year"), str(doc.year)), (_("Currency"), numbers.currency)],
        ),
        Spacer(1, 5 * mm),
        _statement_codes(doc, numbers),
        Spacer(1, 6 * mm),
        _statement_months(doc, numbers),
        Spacer(1, 5 * mm),
        _summary(
            [
                (_("Gross pay"), numbers.money(totals.gross)),
                (_("Total deductions"), numbers.money(totals.deductions)),
                (_("Net pay"), numbers.money(totals.net)),
                (_("Employer contributions"), numbers.money(totals.employer)),
                *payment,
            ]
        ),
    ]


def render_annual_statement(doc: AnnualStatementDocument) -> bytes:
    """The year's pay on one or two pages: amounts by code, month by month, and the totals."""
    register_fonts()
    with translation.override(doc.language):
        numbers = _Numbers(doc.language, doc.currency or settings.DEFAULT_CURRENCY)
        return _build(
            lambda: _statement_story(doc, numbers),
            footer_text=_("%(company)s · Annual statement %(year)d · %(number)s")
            % {"company": doc.company_name, "year": doc.year, "number": doc.employee_number},
            title=_plain(
                _("Annual statement %(year)d — %(name)s")
                % {"year": doc.year, "name": doc.employee_name}
            ),
            author=_plain(doc.company_name),
            subject=_("Annual statement %(year)d") % {"year": doc.year},
            lang=doc.language,
        )
