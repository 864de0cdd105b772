"""Payroll fixtures: runs built through the real services, as officers would."""

from decimal import Decimal

import pytest

from ess.accounts.roles import Role
from payroll import periods, services
from payroll.lines import Line, LineKind, PreparedSlip
from payroll.models import PayrollRun
from tests.conftest import with_totp
from tests.factories import EmployeeFactory


def standard_lines(base: str = "4000.00") -> list[Line]:
    base_amount = Decimal(base)
    tax = (base_amount * Decimal("0.25")).quantize(Decimal("0.01"))
    pension = (base_amount * Decimal("0.05")).quantize(Decimal("0.01"))
    return [
        Line("BASE", "Base salary", LineKind.EARNING, base_amount),
        Line("TRAVEL", "Travel allowance", LineKind.EARNING, Decimal("120.00")),
        Line("PENSION", "Pension", LineKind.DEDUCTION, pension, rate=Decimal("5")),
        Line("TAX", "Wage tax", LineKind.DEDUCTION, tax),
        Line("ER_PENSION", "Employer pension", LineKind.EMPLOYER_CONTRIBUTION, pension * 2),
        Line("HOLIDAY", "Holiday allowance reserve", LineKind.INFORMATION, Decimal("320.00")),
    ]


def fill(period_code: str, people: dict, *, actor=None) -> PayrollRun:
    """A run holding one payslip per person: {user: lines}."""
    period = periods.period_get_or_create(period_code)
    slips = [
        PreparedSlip(employee_id=user.employee.pk, currency="EUR", lines=lines)
        for user, lines in people.items()
    ]
    return services.run_fill(period=period, slips=slips, source="import", actor=actor)


def produce(run: PayrollRun, approver) -> PayrollRun:
    run = services.run_approve(run=run, actor=approver)
    services.generation_dispatch(run.pk)  # eager tasks render in this process
    run.refresh_from_db()
    return run


def release(run: PayrollRun, officer) -> PayrollRun:
    run = services.run_release(run=run, actor=officer)
    while services.run_notify_batch(run.pk):
        pass
    run.refresh_from_db()
    return run


@pytest.fixture
def second_officer(db):
    return with_totp(
        EmployeeFactory(
            user__email="paula@example.org", user__roles=[Role.EMPLOYEE, Role.PAYROLL_OFFICER]
        ).user
    )


@pytest.fixture
def released_run(employee, other_employee, payroll_officer, second_officer, settings, tmp_path):
    """October 2026 released for `employee` and `other_employee`, September before it."""
    settings.MEDIA_ROOT = tmp_path
    september = fill(
        "2026-09",
        {employee: standard_lines("3900.00"), other_employee: standard_lines("5100.00")},
        actor=payroll_officer,
    )
    release(produce(september, second_officer), second_officer)
    october = fill(
        "2026-10",
        {employee: standard_lines("4000.00"), other_employee: standard_lines("5200.00")},
        actor=payroll_officer,
    )
    return release(produce(october, second_officer), second_officer)


@pytest.fixture
def payslip(released_run, employee):
    return released_run.payslips.get(employee__user=employee)
