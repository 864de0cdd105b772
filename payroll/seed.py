"""Demo payroll: the shipped salary structures and tax tables, 24 released months for
everyone, and this month's run calculated and waiting for approval.

Each month goes through the real calculation and the real run filling (so year-to-date
figures and encryption are what production writes); only the approval and release of past
months are written directly, because the demo has no officer clicking through two years.
PDFs are rendered for the demo sign-ins' every month and, at the default size, for
everyone's latest month; other payslips show without a download link (rendering 3,600, or
at `--scale` 240,000, PDFs would make the seed take minutes to hours).
"""

import datetime
from pathlib import Path

from django.utils import timezone

from ess.accounts.models import User
from ess.accounts.roles import Role
from ess.portal.seeding import SeedContext
from payroll import services
from payroll.calculation import calculate_period
from payroll.models import PayrollRun, Payslip
from payroll.periods import period_get_or_create
from payroll.structure_file import parse_structure_file, structure_file_apply

STRUCTURES = Path(__file__).parent / "structures" / "northwind.toml"
HISTORY_MONTHS = 24


def _months_before(today: datetime.date, count: int) -> list[str]:
    year, month = today.year, today.month
    codes = []
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        codes.append(f"{year:04d}-{month:02d}")
    return list(reversed(codes))


def _release_directly(run: PayrollRun, approver: User | None, *, pdfs_for) -> None:
    pay_day = datetime.datetime.combine(
        run.period.pay_date, datetime.time(8, 0), tzinfo=timezone.get_current_timezone()
    )
    approved = pay_day - datetime.timedelta(days=3)
    PayrollRun.objects.filter(pk=run.pk).update(
        status=PayrollRun.Status.APPROVED,
        approved_by=approver,
        approved_at=approved,
        generation_started_at=approved,
    )
    render = Payslip.objects.filter(run=run)
    if pdfs_for is not None:
        render = render.filter(employee__user__email__in=pdfs_for)
    render.update(status=Payslip.Status.QUEUED)
    services.render_chunk(services.pending_render_ids(run.pk))
    PayrollRun.objects.filter(pk=run.pk).update(
        status=PayrollRun.Status.RELEASED,
        released_at=pay_day,
        notified_at=pay_day,
        generation_finished_at=approved + datetime.timedelta(minutes=20),
    )
    Payslip.objects.filter(run=run).exclude(status=Payslip.Status.FAILED).update(
        status=Payslip.Status.RELEASED, released_at=pay_day
    )


def seed_demo(ctx: SeedContext) -> None:
    structure_file_apply(parse_structure_file(STRUCTURES.read_bytes()))
    approver = User.objects.filter(groups__name=Role.PAYROLL_OFFICER).order_by("pk").first()
    demo_people = [email for _role, email, _note in ctx.logins]
    months = _months_before(timezone.localdate(), HISTORY_MONTHS)
    payslips = 0
    for index, code in enumerate(months):
        period = period_get_or_create(code)
        result = calculate_period(period)
        run = services.run_fill(
            period=period,
            slips=result.slips,
            source=PayrollRun.Source.CALCULATION,
            problems=result.problems,
        )
        everyone = ctx.scale == 1 and index == len(months) - 1
        _release_directly(run, approver, pdfs_for=None if everyone else demo_people)
        payslips += run.employee_count
    # This month: calculated by the nightly job, waiting for a payroll officer's approval.
    current = timezone.localdate()
    period = period_get_or_create(f"{current.year:04d}-{current.month:02d}")
    result = calculate_period(period)
    services.run_fill(
        period=period,
        slips=result.slips,
        source=PayrollRun.Source.CALCULATION,
        problems=result.problems,
    )
    ctx.write(f"  payroll: {len(months)} released months, {payslips} payslips, next run waiting")
