"""The calculation engine: hand-computed payslips, which structure applies, and the queries
a whole period costs. Expected amounts are literals with their arithmetic beside them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from ess.accounts.models import User
from hr.models import Employee
from payroll.calculation import (
    BandData,
    ComponentData,
    StructureData,
    TaxTableData,
    calculate_employee,
    calculate_period,
    days_employed,
    structure_for,
)
from payroll.lines import LineKind, totals_of
from payroll.models import Component, PayPeriod, SalaryStructure, TaxBand, TaxTable
from tests.factories import EmployeeFactory, LocationFactory
from tests.hr.factories import CompensationFactory

D = Decimal
EARNING, DEDUCTION = LineKind.EARNING, LineKind.DEDUCTION
EMPLOYER, INFORMATION = LineKind.EMPLOYER_CONTRIBUTION, LineKind.INFORMATION
MAY_2026 = PayPeriod(
    year=2026,
    month=5,
    start=datetime.date(2026, 5, 1),
    end=datetime.date(2026, 5, 31),
    pay_date=datetime.date(2026, 5, 25),
)

BASE = ComponentData("BASE", "Base salary", EARNING, "salary", taxable=True, prorate=True)


def structure(*components: ComponentData, **kwargs) -> StructureData:
    return StructureData(code="TEST", name="Test", currency="EUR", components=components, **kwargs)


def person(start=datetime.date(2020, 1, 1), end=None, language="", location_id=None) -> Employee:
    """An unsaved employee: the engine reads dates, language and location, nothing else."""
    return Employee(
        employee_number="E1",
        start_date=start,
        end_date=end,
        user=User(language=language),
        location_id=location_id,
    )


def calculate(*components, annual, tables=None, employee=None, period=MAY_2026, **kwargs):
    return calculate_employee(
        structure=structure(*components, **kwargs),
        tables=tables or {},
        employee=employee or person(),
        annual_salary=None if annual is None else D(annual),
        period=period,
    )


def amounts(lines) -> dict[str, Decimal]:
    return {line.code: line.amount for line in lines}


# --- Methods --------------------------------------------------------------------------------
def test_a_progressive_table_taxes_each_part_at_its_bands_rate():
    table = TaxTableData(
        code="WAGE",
        year=2026,
        bands=(
            BandData(D("0"), D("3000"), D("10")),
            BandData(D("3000"), D("5000"), D("20")),
            BandData(D("5000"), None, D("30")),
        ),
    )
    tax = ComponentData("TAX", "Wage tax", DEDUCTION, "bracket", table_code="WAGE", base="taxable")
    lines = calculate(BASE, tax, annual="72000", tables={"WAGE": table})
    # 72000 / 12 = 6000.00, crossing both band edges:
    # 3000 x 10% = 300.00, (5000 - 3000) x 20% = 400.00, (6000 - 5000) x 30% = 300.00
    assert amounts(lines) == {"BASE": D("6000.00"), "TAX": D("1000.00")}
    assert totals_of(lines).net == D("5000.00")


def test_a_base_inside_the_first_band_is_taxed_only_there():
    table = TaxTableData(
        "WAGE", 2026, (BandData(D(0), D(3000), D(10)), BandData(D(3000), None, D(50)))
    )
    tax = ComponentData("TAX", "Tax", DEDUCTION, "bracket", table_code="WAGE", base="gross")
    lines = calculate(BASE, tax, annual="30000", tables={"WAGE": table})
    # 30000 / 12 = 2500.00; 2500 x 10% = 250.00
    assert amounts(lines)["TAX"] == D("250.00")


def test_a_joiner_is_paid_for_the_days_from_the_start_date():
    travel = ComponentData("TRAVEL", "Travel", EARNING, "fixed", amount=D("120.00"), prorate=True)
    joiner = person(start=datetime.date(2026, 5, 12))
    lines = calculate(BASE, travel, annual="60000", employee=joiner)
    # 12 to 31 May = 20 of 31 days
    # BASE:   60000 / 12 = 5000; 5000 x 20 / 31 = 3225.806... -> 3225.81
    # TRAVEL: 120 x 20 / 31 = 77.419... -> 77.42
    assert amounts(lines) == {"BASE": D("3225.81"), "TRAVEL": D("77.42")}
    assert [line.quantity for line in lines] == [D(20), D(20)]


def test_a_leaver_is_paid_up_to_the_end_date():
    leaver = person(end=datetime.date(2026, 5, 10))
    lines = calculate(BASE, annual="60000", employee=leaver)
    # 1 to 10 May = 10 of 31 days; 5000 x 10 / 31 = 1612.903... -> 1612.90
    assert amounts(lines) == {"BASE": D("1612.90")}
    assert lines[0].quantity == D(10)


def test_a_full_month_has_no_quantity_and_components_without_prorate_stay_whole():
    travel = ComponentData("TRAVEL", "Travel", EARNING, "fixed", amount=D("120.00"))
    joiner = person(start=datetime.date(2026, 5, 12))
    assert calculate(BASE, annual="60000")[0].quantity is None
    # Not prorated: the full 120.00 even in a partial month.
    assert amounts(calculate(BASE, travel, annual="60000", employee=joiner))["TRAVEL"] == D(
        "120.00"
    )


def test_a_cap_bounds_the_amount():
    pension = ComponentData(
        "PENSION", "Pension", DEDUCTION, "percent", rate=D("5.5"), base="BASE", cap=D("250.00")
    )
    lines = calculate(BASE, pension, annual="72000")
    # 6000.00 x 5.5% = 330.00, capped at 250.00
    assert amounts(lines)["PENSION"] == D("250.00")
    assert lines[1].rate == D("5.5")


def test_a_floor_applies_after_proration():
    pension = ComponentData(
        "OTP", "Pension", EMPLOYER, "percent", rate=D("2"), base="BASE", floor=D("50.00")
    )
    joiner = person(start=datetime.date(2026, 5, 12))
    lines = calculate(BASE, pension, annual="60000", employee=joiner)
    # BASE 3225.81 (see the joiner); 3225.81 x 2% = 64.5162 -> 64.52, above the floor
    assert amounts(lines)["OTP"] == D("64.52")
    lines = calculate(BASE, pension, annual="24000")
    # 24000 / 12 = 2000.00; 2000 x 2% = 40.00, raised to the floor of 50.00
    assert amounts(lines)["OTP"] == D("50.00")


def test_a_percentage_of_another_component_uses_its_rounded_amount():
    reserve = ComponentData("HOLIDAY", "Reserve", INFORMATION, "percent", rate=D(8), base="BASE")
    lines = calculate(BASE, reserve, annual="49481.40")
    # 49481.40 / 12 = 4123.45; 4123.45 x 8% = 329.876 -> 329.88
    assert amounts(lines) == {"BASE": D("4123.45"), "HOLIDAY": D("329.88")}
    # An information line changes neither gross nor net.
    assert totals_of(lines).net == D("4123.45")


def test_a_percentage_of_taxable_pay_counts_taxable_earnings_less_taxable_deductions():
    travel = ComponentData("TRAVEL", "Travel", EARNING, "fixed", amount=D("120.00"))
    pension = ComponentData(
        "PENSION", "Pension", DEDUCTION, "percent", rate=D(5), base="BASE", taxable=True
    )
    on_taxable = ComponentData("TAX", "Tax", DEDUCTION, "percent", rate=D(10), base="taxable")
    on_gross = ComponentData("LEVY", "Levy", DEDUCTION, "percent", rate=D(1), base="gross")
    lines = calculate(BASE, travel, pension, on_taxable, on_gross, annual="60000")
    # BASE 5000.00 (taxable), TRAVEL 120.00 (not taxable), PENSION 5000 x 5% = 250.00
    # taxable = 5000.00 - 250.00 = 4750.00; TAX = 4750 x 10% = 475.00
    # gross = 5000.00 + 120.00 = 5120.00;   LEVY = 5120 x 1% = 51.20
    assert amounts(lines) == {
        "BASE": D("5000.00"),
        "TRAVEL": D("120.00"),
        "PENSION": D("250.00"),
        "TAX": D("475.00"),
        "LEVY": D("51.20"),
    }


def test_three_half_cent_lines_round_up_and_the_payslip_reconciles():
    half = ComponentData("HALF", "Half", DEDUCTION, "percent", rate=D(50), base="BASE")
    quarter = ComponentData("QUARTER", "Quarter", DEDUCTION, "percent", rate=D(50), base="HALF")
    lines = calculate(BASE, half, quarter, annual="12000.06")
    # BASE:    12000.06 / 12 = 1000.005  -> 1000.01
    # HALF:    1000.01 x 50% = 500.005   -> 500.01  (of the rounded BASE)
    # QUARTER: 500.01 x 50%  = 250.005   -> 250.01  (of the rounded HALF)
    assert amounts(lines) == {"BASE": D("1000.01"), "HALF": D("500.01"), "QUARTER": D("250.01")}
    totals = totals_of(lines)
    # deductions 500.01 + 250.01 = 750.02; net 1000.01 - 750.02 = 249.99, although the
    # unrounded amounts (1000.005 - 500.0025 - 250.00125 = 250.00125) would say 250.00.
    assert totals.gross == D("1000.01")
    assert totals.deductions == D("750.02")
    assert totals.net == D("249.99")
    assert totals.gross - totals.deductions == totals.net
    assert totals.deductions == sum(line.amount for line in lines if line.kind == DEDUCTION)


def test_zero_lines_are_left_out_except_the_salary():
    nothing = ComponentData("BONUS", "Bonus", EARNING, "fixed", amount=D("0.00"))
    tax = ComponentData("TAX", "Tax", DEDUCTION, "percent", rate=D(10), base="BONUS")
    lines = calculate(BASE, nothing, tax, annual="0")
    assert [(line.code, line.amount) for line in lines] == [("BASE", D("0.00"))]


def test_dutch_speakers_read_the_dutch_label_when_there_is_one():
    travel = ComponentData("TRAVEL", "Travel allowance", EARNING, "fixed", amount=D(1))
    base = ComponentData("BASE", "Base salary", EARNING, "salary", label_nl="Basissalaris")
    dutch = calculate(base, travel, annual="12000", employee=person(language="nl"))
    english = calculate(base, travel, annual="12000", employee=person(language="en"))
    assert [line.label for line in dutch] == ["Basissalaris", "Travel allowance"]
    assert [line.label for line in english] == ["Base salary", "Travel allowance"]


def test_days_employed_counts_both_ends_and_nothing_outside_the_period():
    assert days_employed(person(start=datetime.date(2026, 5, 31)), MAY_2026) == 1
    assert days_employed(person(end=datetime.date(2026, 4, 30)), MAY_2026) == 0
    assert days_employed(person(start=datetime.date(2026, 6, 1)), MAY_2026) == 0
    assert calculate(BASE, annual="60000", employee=person(start=datetime.date(2026, 6, 1))) == []


def test_which_structure_by_location_then_the_default():
    rotterdam = structure(BASE, location_ids=frozenset({1}))
    default = StructureData("DEF", "Default", "EUR", (BASE,), is_default=True)
    assert structure_for(person(location_id=1), [default, rotterdam]) is rotterdam
    assert structure_for(person(location_id=2), [default, rotterdam]) is default
    assert structure_for(person(location_id=2), [rotterdam]) is None


# --- A whole period -------------------------------------------------------------------------
def make_structure(code="NL", *, default=False, locations=(), with_tax=True) -> SalaryStructure:
    row = SalaryStructure.objects.create(code=code, name=code, is_default=default)
    row.locations.set(locations)
    Component.objects.create(
        structure=row,
        position=1,
        code="BASE",
        label="Base salary",
        label_nl="Basissalaris",
        kind=EARNING,
        method="salary",
        prorate=True,
        taxable=True,
    )
    if with_tax:
        Component.objects.create(
            structure=row,
            position=2,
            code="TAX",
            label="Wage tax",
            kind=DEDUCTION,
            method="bracket",
            table_code="WAGE",
            base="taxable",
        )
    return row


def make_table(year=2026) -> TaxTable:
    table = TaxTable.objects.create(code="WAGE", year=year, name="Wage tax")
    TaxBand.objects.create(table=table, lower=0, upper=3000, rate=10)
    TaxBand.objects.create(table=table, lower=3000, upper=None, rate=40)
    return table


@pytest.fixture
def period(db):
    return PayPeriod.objects.create(
        year=2026,
        month=5,
        start=datetime.date(2026, 5, 1),
        end=datetime.date(2026, 5, 31),
        pay_date=datetime.date(2026, 5, 25),
    )


def paid(annual="48000", **employee) -> Employee:
    person = EmployeeFactory(**employee)
    CompensationFactory(employee=person, annual_base_salary=D(annual))
    return person


def test_a_period_calculates_everyone_employed_in_it(period):
    make_structure(default=True)
    make_table()
    staying = paid("48000", user__language="nl")
    joiner = paid("60000", start_date=datetime.date(2026, 5, 12))
    paid("60000", end_date=datetime.date(2026, 4, 30))  # left before May
    paid("60000", start_date=datetime.date(2026, 6, 1))  # starts after May
    result = calculate_period(period)
    assert result.problems == []
    slips = {slip.employee_id: slip for slip in result.slips}
    assert set(slips) == {staying.pk, joiner.pk}
    # 48000 / 12 = 4000.00; tax 3000 x 10% + 1000 x 40% = 300 + 400 = 700.00
    assert amounts(slips[staying.pk].lines) == {"BASE": D("4000.00"), "TAX": D("700.00")}
    assert slips[staying.pk].lines[0].label == "Basissalaris"
    assert slips[staying.pk].currency == "EUR"
    # 5000 x 20 / 31 = 3225.81; tax 3000 x 10% + 225.81 x 40% = 300 + 90.324 -> 390.32
    assert amounts(slips[joiner.pk].lines) == {"BASE": D("3225.81"), "TAX": D("390.32")}


def test_the_salary_in_force_at_the_end_of_the_period_is_used(period):
    make_structure(default=True, with_tax=False)
    person = paid("36000")  # from 2024-01-01
    CompensationFactory(
        employee=person, annual_base_salary=D("48000"), effective_from=datetime.date(2026, 5, 20)
    )
    CompensationFactory(
        employee=person, annual_base_salary=D("99000"), effective_from=datetime.date(2026, 6, 1)
    )
    (slip,) = calculate_period(period).slips
    # The raise of 20 May is in force at the end of May: 48000 / 12 = 4000.00
    assert amounts(slip.lines) == {"BASE": D("4000.00")}


def test_a_location_structure_wins_over_the_default(period):
    milan = LocationFactory(name="Milan", country="IT")
    make_structure("NL", default=True, with_tax=False)
    italy = make_structure("IT", locations=[milan], with_tax=False)
    italy.components.update(label="Stipendio base")
    dutch = paid()
    italian = paid(location=milan)
    slips = {slip.employee_id: slip for slip in calculate_period(period).slips}
    assert slips[dutch.pk].lines[0].label == "Base salary"
    assert slips[italian.pk].lines[0].label == "Stipendio base"


def test_missing_pieces_are_problems_for_that_person_only(period):
    milan = LocationFactory(name="Milan", country="IT")
    make_structure("NL", locations=[LocationFactory()])  # no default structure
    fine = paid()
    paid(location=milan, user__first_name="Nico", user__last_name="Rossi")
    unpaid = EmployeeFactory(user__first_name="Uma", user__last_name="Unpaid")
    make_table()
    result = calculate_period(period)
    assert [slip.employee_id for slip in result.slips] == [fine.pk]
    assert len(result.problems) == 2
    milan_problem = next(problem for problem in result.problems if "Rossi" in problem)
    assert "no salary structure for location Milan and no default structure" in milan_problem
    assert f"{unpaid.employee_number} Uma Unpaid: no salary on record" in result.problems


def test_a_missing_tax_table_for_the_year_is_a_problem_not_a_crash(period):
    make_structure(default=True)
    make_table(year=2025)
    person = paid()
    result = calculate_period(period)
    assert result.slips == []
    assert result.problems == [
        f"{person.employee_number} {person.user.get_full_name()}: no tax table WAGE for 2026"
    ]


def test_a_salary_in_another_currency_is_a_problem(period):
    make_structure(default=True, with_tax=False)
    person = paid()
    person.compensations.update(currency="NOK")
    (problem,) = calculate_period(period).problems
    assert "recorded in NOK but structure NL pays in EUR" in problem


def test_only_the_given_people_are_calculated(period):
    make_structure(default=True, with_tax=False)
    first, second, _third = paid(), paid(), paid()
    result = calculate_period(period, employees=[first, second])
    assert {slip.employee_id for slip in result.slips} == {first.pk, second.pk}
    result = calculate_period(period, employees=Employee.objects.filter(pk=second.pk))
    assert [slip.employee_id for slip in result.slips] == [second.pk]


@pytest.mark.parametrize("people", [5, 15])
def test_a_period_costs_the_same_queries_for_5_or_15_people(
    period, people, django_assert_max_num_queries
):
    make_structure(default=True)
    make_table()
    for _ in range(people):
        paid()
    # structures, components, structure locations, tax tables, bands,
    # people (with user and location), salaries
    with django_assert_max_num_queries(7):
        result = calculate_period(period)
    assert len(result.slips) == people


# --- The command ----------------------------------------------------------------------------
def test_the_calculate_command_reports_payslips_and_problems(db, capsys):
    make_structure(default=True)
    make_table()
    paid()
    EmployeeFactory(user__first_name="Uma", user__last_name="Unpaid")
    call_command("payroll_calculate", "--period", "2026-05")
    out = capsys.readouterr().out
    assert "Payroll 2026-05: 1 payslip(s) calculated (run status: calculated)" in out
    assert "1 person(s) could not be calculated" in out
    assert "Uma Unpaid: no salary on record" in out


def test_the_calculate_command_refuses_a_locked_run(db, monkeypatch):
    def locked(period_code, actor=None):
        raise ValidationError(
            "The payroll for 2026-05 is approved and can no longer be recalculated."
        )

    monkeypatch.setattr("payroll.services.run_calculate", locked)
    with pytest.raises(CommandError, match="is approved and can no longer be recalculated"):
        call_command("payroll_calculate", "--period", "2026-05")
