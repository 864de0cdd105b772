"""Pay calculated from salary structures: pure arithmetic over data loaded once per run.

A structure is an ordered list of components. Each component produces one line, in
`position` order, and may use the lines before it: "gross" (earnings so far), "taxable"
(taxable earnings minus taxable deductions so far) or an earlier component's code. Every
line is rounded half-up to cents as soon as it is computed and later components use the
rounded value, so the payslip's totals are sums of what it shows.

Nothing here writes. `calculate_period` reads everything it needs in a fixed number of
queries, whatever the number of people, and hands back prepared slips and the problems
that kept some people out of the run; storing them is the payroll services' job.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from hr.models import Compensation, Employee
from payroll.lines import ZERO, Line, LineKind, PreparedSlip, round_cents
from payroll.models import Component, PayPeriod, SalaryStructure, TaxTable

Method = Component.Method
HUNDRED = Decimal(100)
MONTHS = Decimal(12)
# The bases a percentage or a table can be applied to besides an earlier component's code.
GROSS = "gross"
TAXABLE = "taxable"
NAMED_BASES = (GROSS, TAXABLE)


# --- Loaded data ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ComponentData:
    code: str
    label: str
    kind: str
    method: str
    label_nl: str = ""
    amount: Decimal | None = None
    rate: Decimal | None = None
    base: str = ""
    table_code: str = ""
    cap: Decimal | None = None
    floor: Decimal | None = None
    prorate: bool = False
    taxable: bool = False

    @classmethod
    def from_model(cls, component: Component) -> "ComponentData":
        return cls(
            code=component.code,
            label=component.label,
            label_nl=component.label_nl,
            kind=component.kind,
            method=component.method,
            amount=component.amount,
            rate=component.rate,
            base=component.base,
            table_code=component.table_code,
            cap=component.cap,
            floor=component.floor,
            prorate=component.prorate,
            taxable=component.taxable,
        )

    def label_for(self, language: str) -> str:
        return self.label_nl if language == "nl" and self.label_nl else self.label


@dataclass(frozen=True)
class StructureData:
    code: str
    name: str
    currency: str
    components: tuple[ComponentData, ...]
    is_default: bool = False
    location_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class BandData:
    lower: Decimal
    upper: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class TaxTableData:
    code: str
    year: int
    bands: tuple[BandData, ...]
    name: str = ""

    def tax_on(self, base: Decimal) -> Decimal:
        """The part of `base` inside each band [lower, upper) times that band's rate."""
        tax = ZERO
        for band in self.bands:
            top = base if band.upper is None else min(base, band.upper)
            if top > band.lower:
                tax += (top - band.lower) * band.rate / HUNDRED
        return tax


class CalculationProblem(Exception):
    """Why one person cannot be calculated; the run goes on without them."""


# --- One person -----------------------------------------------------------------------------
def days_employed(employee: Employee, period: PayPeriod) -> int:
    first = max(employee.start_date, period.start)
    last = min(employee.end_date or period.end, period.end)
    return max((last - first).days + 1, 0)


def _language(employee: Employee) -> str:
    return getattr(employee.user, "language", "") or ""


class _Running:
    """What the components computed so far add up to."""

    def __init__(self) -> None:
        self.amounts: dict[str, Decimal] = {}
        self.gross = ZERO
        self.taxable = ZERO

    def base(self, name: str) -> Decimal:
        if name == GROSS:
            return self.gross
        if name == TAXABLE:
            return self.taxable
        return self.amounts[name]

    def add(self, component: ComponentData, amount: Decimal) -> None:
        self.amounts[component.code] = amount
        if component.kind == LineKind.EARNING:
            self.gross += amount
            if component.taxable:
                self.taxable += amount
        elif component.kind == LineKind.DEDUCTION and component.taxable:
            self.taxable -= amount


def _raw_amount(
    component: ComponentData,
    *,
    running: _Running,
    tables: dict[str, TaxTableData],
    annual_salary: Decimal | None,
    period: PayPeriod,
) -> Decimal:
    if component.method == Method.SALARY:
        if annual_salary is None:
            raise CalculationProblem(_("no salary on record"))
        return annual_salary / MONTHS
    if component.method == Method.FIXED:
        return component.amount or ZERO
    base = running.base(component.base)
    if component.method == Method.PERCENT:
        return base * (component.rate or ZERO) / HUNDRED
    table = tables.get(component.table_code)
    if table is None:
        raise CalculationProblem(
            _("no tax table %(code)s for %(year)s")
            % {"code": component.table_code, "year": period.year}
        )
    return table.tax_on(base)


def _bounded(component: ComponentData, amount: Decimal) -> Decimal:
    if component.cap is not None:
        amount = min(amount, component.cap)
    if component.floor is not None:
        amount = max(amount, component.floor)
    return amount


def calculate_employee(
    *,
    structure: StructureData,
    tables: dict[str, TaxTableData],
    employee: Employee,
    annual_salary: Decimal | None,
    period: PayPeriod,
) -> list[Line]:
    """The payslip lines for one person, or [] for someone not employed in the period.

    Raises CalculationProblem when the person's data or the tables do not allow it.
    """
    days = days_employed(employee, period)
    if days == 0:
        return []
    partial = days < period.days
    factor = Decimal(days) / Decimal(period.days)
    language = _language(employee)
    running = _Running()
    lines = []
    for component in structure.components:
        amount = _raw_amount(
            component,
            running=running,
            tables=tables,
            annual_salary=annual_salary,
            period=period,
        )
        prorated = component.prorate and partial
        if prorated:
            amount *= factor
        amount = round_cents(_bounded(component, amount))
        running.add(component, amount)
        if amount == ZERO and component.method != Method.SALARY:
            continue
        lines.append(
            Line(
                code=component.code,
                label=component.label_for(language),
                kind=component.kind,
                amount=amount,
                quantity=(
                    Decimal(days)
                    if prorated and component.method in (Method.SALARY, Method.FIXED)
                    else None
                ),
                rate=component.rate if component.method == Method.PERCENT else None,
            )
        )
    return lines


def structure_for(employee: Employee, structures: Sequence[StructureData]) -> StructureData | None:
    """The structure linked to the person's location, else the default one."""
    for structure in structures:
        if employee.location_id in structure.location_ids:
            return structure
    return next((structure for structure in structures if structure.is_default), None)


# --- Loading --------------------------------------------------------------------------------
def load_structures() -> list[StructureData]:
    """Every structure with its components and locations, in three queries."""
    components: dict[int, list[ComponentData]] = {}
    for component in Component.objects.order_by("structure_id", "position"):
        components.setdefault(component.structure_id, []).append(
            ComponentData.from_model(component)
        )
    locations: dict[int, set[int]] = {}
    links = SalaryStructure.locations.through.objects.values_list(
        "salarystructure_id", "location_id"
    )
    for structure_id, location_id in links:
        locations.setdefault(structure_id, set()).add(location_id)
    return [
        StructureData(
            code=structure.code,
            name=structure.name,
            currency=structure.currency,
            is_default=structure.is_default,
            location_ids=frozenset(locations.get(structure.pk, ())),
            components=tuple(components.get(structure.pk, ())),
        )
        for structure in SalaryStructure.objects.order_by("code")
    ]


def table_data(table: TaxTable) -> TaxTableData:
    """A table whose bands are prefetched (or fetched here, for a single table)."""
    return TaxTableData(
        code=table.code,
        year=table.year,
        name=table.name,
        bands=tuple(
            BandData(lower=band.lower, upper=band.upper, rate=band.rate)
            for band in sorted(table.bands.all(), key=lambda band: band.lower)
        ),
    )


def load_tables(year: int) -> dict[str, TaxTableData]:
    """The year's tax tables by code, in two queries."""
    tables = TaxTable.objects.filter(year=year).prefetch_related("bands")
    return {table.code: table_data(table) for table in tables}


def employed_in(period: PayPeriod) -> Q:
    still_there = Q(end_date__isnull=True) | Q(end_date__gte=period.start)
    return Q(start_date__lte=period.end) & still_there


def _employees(period: PayPeriod, employees: Iterable[Employee] | None) -> QuerySet[Employee]:
    chosen = Employee.objects.filter(employed_in(period))
    if isinstance(employees, QuerySet):
        chosen = chosen.filter(pk__in=employees.values("pk"))
    elif employees is not None:
        chosen = chosen.filter(pk__in=[employee.pk for employee in employees])
    return chosen.select_related("user", "location").order_by("employee_number")


def _salaries(period: PayPeriod, employees: QuerySet[Employee]) -> dict[int, Compensation]:
    """Each person's compensation in force at the end of the period, in one query."""
    newest = (
        Compensation.objects.filter(employee=OuterRef("employee"), effective_from__lte=period.end)
        .order_by("-effective_from")
        .values("pk")[:1]
    )
    rows = Compensation.objects.filter(
        employee__in=employees.values("pk"), pk=Subquery(newest)
    ).only("employee_id", "annual_base_salary", "currency")
    return {row.employee_id: row for row in rows}


# --- A whole period -------------------------------------------------------------------------
@dataclass
class CalculationResult:
    slips: list[PreparedSlip] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _who(employee: Employee) -> str:
    name = employee.user.get_full_name() if employee.user_id else ""
    return f"{employee.employee_number} {name}".strip()


def _prepare(
    employee: Employee,
    *,
    structures: Sequence[StructureData],
    tables: dict[str, TaxTableData],
    salary: Compensation | None,
    period: PayPeriod,
) -> PreparedSlip | None:
    structure = structure_for(employee, structures)
    if structure is None:
        raise CalculationProblem(
            _("no salary structure for location %(location)s and no default structure")
            % {"location": employee.location.name}
        )
    if salary is not None and salary.currency != structure.currency:
        raise CalculationProblem(
            _("the salary is recorded in %(salary)s but structure %(code)s pays in %(pays)s")
            % {"salary": salary.currency, "code": structure.code, "pays": structure.currency}
        )
    lines = calculate_employee(
        structure=structure,
        tables=tables,
        employee=employee,
        annual_salary=salary.annual_base_salary if salary else None,
        period=period,
    )
    if not lines:
        return None
    return PreparedSlip(employee_id=employee.pk, currency=structure.currency, lines=lines)


def calculate_period(
    period: PayPeriod, employees: Iterable[Employee] | None = None
) -> CalculationResult:
    """Payslip lines for everyone employed in the period (or the given people among them).

    Seven queries whatever the number of people: structures, components, structure
    locations, tax tables, bands, people (with user and location), salaries.
    """
    structures = load_structures()
    tables = load_tables(period.year)
    people = _employees(period, employees)
    salaries = _salaries(period, people)
    result = CalculationResult()
    for employee in people:
        try:
            slip = _prepare(
                employee,
                structures=structures,
                tables=tables,
                salary=salaries.get(employee.pk),
                period=period,
            )
        except CalculationProblem as problem:
            result.problems.append(f"{_who(employee)}: {problem}")
            continue
        if slip is not None:
            result.slips.append(slip)
    return result
