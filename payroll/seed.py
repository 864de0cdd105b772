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
from ess.audit.models import AuditEvent
from ess.portal.seeding import SeedContext
from payroll import services
from payroll.calculation import calculate_period
from payroll.models import PayrollRun, Payslip
from payroll.periods import period_get_or_create
from payroll.structure_file import parse_structure_file, structure_file_apply

STRUCTURES = Path(__file__).parent / "structures" / "northwind.toml"
HISTORY_MONTHS = 24
# Most people open their payslip within days of payday; some download it.
OPENED_SHARE = 0.85
DOWNLOADED_SHARE = 0.3


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
    # Calculated the working day before approval, as the nightly job and an officer would.
    prepared = approved - datetime.timedelta(hours=22)
    PayrollRun.objects.filter(pk=run.pk).update(
        created_at=prepared - datetime.timedelta(minutes=5),
        prepared_at=prepared,
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


def _record_opens(rng, run: PayrollRun) -> None:
    """People opening their released payslips, as services.payslip_read_record() records
    it: the audit trail and the payslip's own counters (which the payroll report reads)."""
    released = Payslip.objects.filter(run=run, released_at__isnull=False).values_list(
        "pk", "version", "released_at", "employee_id", "employee__user_id", "employee__user__email"
    )
    code = PayrollRun.objects.values_list("period__year", "period__month").get(pk=run.pk)
    period = f"{code[0]:04d}-{code[1]:02d}"
    now = timezone.now()
    events = []
    opened = []
    for pk, version, released_at, employee_id, user_id, email in released:
        if rng.random() >= OPENED_SHARE:
            continue
        seen = released_at + datetime.timedelta(hours=rng.randint(1, 240))
        if seen >= now:  # last month's payday was only days ago
            continue
        actions = ["viewed"] + (["downloaded"] if rng.random() < DOWNLOADED_SHARE else [])
        opened.append(Payslip(pk=pk, first_opened_at=seen, opens=len(actions)))
        for minutes, what in enumerate(actions):
            events.append(
                AuditEvent(
                    occurred_at=seen + datetime.timedelta(minutes=minutes),
                    actor_id=user_id,
                    actor_label=email,
                    action=f"payroll.payslip_{what}",
                    target_type=Payslip._meta.label_lower,
                    target_id=str(pk),
                    target_label=f"Payslip {run.period_id} v{version} for {employee_id}",
                    detail={
                        "employee": employee_id,
                        "period": period,
                        "version": version,
                        "own": True,
                    },
                )
            )
    AuditEvent.objects.bulk_create(events, batch_size=2000)
    Payslip.objects.bulk_update(opened, ["first_opened_at", "opens"], batch_size=1000)


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
        _record_opens(ctx.rng, run)
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
