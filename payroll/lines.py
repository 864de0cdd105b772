"""A payslip line, the money rules, and how lines add up.

Every amount is a Decimal rounded half-up to cents on its own line; totals are sums of the
rounded lines, so the payslip reconciles to the cent by construction:
gross - deductions = net, with deductions shown as positive amounts.
"""

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class LineKind(models.TextChoices):
    EARNING = "earning", _("Earnings")
    DEDUCTION = "deduction", _("Deductions")
    EMPLOYER_CONTRIBUTION = "employer_contribution", _("Employer contributions")
    INFORMATION = "information", _("Information")


# The order a payslip shows its groups in.
KIND_ORDER = (
    LineKind.EARNING,
    LineKind.DEDUCTION,
    LineKind.EMPLOYER_CONTRIBUTION,
    LineKind.INFORMATION,
)


def round_cents(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_decimal(text: str) -> Decimal:
    """A plain decimal number as files write it: digits, optional sign and one dot.

    Raises ValueError for anything else, including thousands separators, exponents, NaN and
    infinities, which a payroll file never means.
    """
    cleaned = text.strip()
    if not cleaned or any(ch not in "0123456789.-+" for ch in cleaned):
        raise ValueError(text)
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite():
        raise ValueError(text)
    return value


@dataclass(frozen=True)
class Line:
    code: str
    label: str
    kind: str
    amount: Decimal
    quantity: Decimal | None = None
    rate: Decimal | None = None
    ytd: Decimal = ZERO

    def as_json(self) -> dict:
        data = asdict(self)
        for key in ("amount", "quantity", "rate", "ytd"):
            if data[key] is not None:
                data[key] = str(data[key])
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Line":
        def number(key):
            value = data.get(key)
            return None if value is None else Decimal(value)

        return cls(
            code=data["code"],
            label=data["label"],
            kind=data["kind"],
            amount=Decimal(data["amount"]),
            quantity=number("quantity"),
            rate=number("rate"),
            ytd=Decimal(data.get("ytd") or "0.00"),
        )


@dataclass(frozen=True)
class Totals:
    gross: Decimal
    deductions: Decimal
    net: Decimal
    employer: Decimal


def totals_of(lines: Iterable[Line]) -> Totals:
    sums = dict.fromkeys(LineKind.values, ZERO)
    for line in lines:
        sums[line.kind] += line.amount
    gross = sums[LineKind.EARNING]
    deductions = sums[LineKind.DEDUCTION]
    return Totals(
        gross=gross,
        deductions=deductions,
        net=gross - deductions,
        employer=sums[LineKind.EMPLOYER_CONTRIBUTION],
    )


def with_year_to_date(lines: Sequence[Line], previous_ytd: dict[str, Decimal]) -> list[Line]:
    """Each line's year-to-date: the same code's total so far this year plus this line."""
    return [replace(line, ytd=previous_ytd.get(line.code, ZERO) + line.amount) for line in lines]


def ytd_by_code(lines: Iterable[Line]) -> dict[str, Decimal]:
    return {line.code: line.ytd for line in lines}


def lines_to_json(lines: Iterable[Line]) -> list[dict]:
    return [line.as_json() for line in lines]


def lines_from_json(data: Iterable[dict]) -> list[Line]:
    return [Line.from_json(item) for item in data]


def grouped(lines: Iterable[Line]) -> list[tuple[str, list[Line]]]:
    """Lines by kind, in payslip order, leaving out empty groups."""
    by_kind: dict[str, list[Line]] = {kind: [] for kind in KIND_ORDER}
    for line in lines:
        by_kind[line.kind].append(line)
    return [(kind, items) for kind, items in by_kind.items() if items]


@dataclass(frozen=True)
class PreparedSlip:
    """What an import or a calculation hands over for one person, before year-to-date."""

    employee_id: int
    currency: str
    lines: list[Line]
