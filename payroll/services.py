"""Writes for payroll: filling a run, the four-eyes approval, producing the PDFs, release,
notifications, corrections, and reading a stored PDF back.

Every state change is a conditional UPDATE on the state it starts from, so a double press,
two officers at once or a worker that runs a job twice changes nothing the second time.
"""

import datetime
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, Now
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ess.accounts.models import User
from ess.audit.services import audit_record
from ess.crypto import decrypt_bytes, encrypt_bytes, rotate_bytes
from ess.notifications.models import Notification
from ess.notifications.services import notify
from payroll import periods
from payroll.lines import (
    ZERO,
    Line,
    PreparedSlip,
    lines_from_json,
    lines_to_json,
    totals_of,
    with_year_to_date,
    ytd_by_code,
)
from payroll.models import PayPeriod, PayrollRun, Payslip
from payroll.permissions import is_payroll_officer

logger = logging.getLogger(__name__)

RunStatus = PayrollRun.Status
SlipStatus = Payslip.Status
PAYSLIP_KIND = "payslips"
# A worker that took a payslip and died gives it back after this long.
RENDER_LEASE = datetime.timedelta(minutes=5)
# A calculation that shows no progress for this long is taken to have died with its worker.
CALCULATION_STALE = datetime.timedelta(minutes=15)
RENDER_CHUNK = 200
NOTIFY_BATCH = 500
BULK_SIZE = 1000


def _require_officer(actor: User | None) -> None:
    """`None` is the system itself (a command or a beat job); people must hold the role."""
    if actor is not None and not is_payroll_officer(actor):
        raise ValidationError(_("Only payroll officers can do this."), code="not_payroll")


def _refused(run: PayrollRun, message: str) -> ValidationError:
    current = PayrollRun.objects.filter(pk=run.pk).values_list("status", flat=True).first()
    label = str(RunStatus(current).label).lower() if current else "?"
    return ValidationError(message % {"status": label}, code="illegal_transition")


# --- Filling a run --------------------------------------------------------------------------
def previous_year_to_date(period: PayPeriod, employee_ids: Iterable[int]) -> dict[int, dict]:
    """Per person, the year-to-date by line code of their latest current payslip earlier in
    the same year. Only those payslips are decrypted."""
    ids = set(employee_ids)
    latest: dict[int, int] = {}
    rows = (
        Payslip.objects.filter(period__year=period.year, period__month__lt=period.month)
        .exclude(status__in=(SlipStatus.SUPERSEDED, SlipStatus.DRAFT))
        .order_by("employee_id", "-period__month")
        .values_list("employee_id", "pk")
    )
    for employee_id, pk in rows.iterator(chunk_size=5000):
        if employee_id in ids and employee_id not in latest:
            latest[employee_id] = pk
    result: dict[int, dict] = {}
    pks = list(latest.values())
    for start in range(0, len(pks), BULK_SIZE):
        for slip in Payslip.objects.filter(pk__in=pks[start : start + BULK_SIZE]).only(
            "pk", "employee_id", "lines"
        ):
            result[slip.employee_id] = ytd_by_code(lines_from_json(slip.lines))
    return result


def _payslip_from(prepared: PreparedSlip, *, run: PayrollRun, ytd: dict, actor) -> Payslip:
    lines = with_year_to_date(prepared.lines, ytd)
    totals = totals_of(lines)
    return Payslip(
        run=run,
        period_id=run.period_id,
        employee_id=prepared.employee_id,
        currency=prepared.currency,
        gross=totals.gross,
        total_deductions=totals.deductions,
        net=totals.net,
        employer_contributions=totals.employer,
        lines=lines_to_json(lines),
        status=SlipStatus.DRAFT,
        created_by=actor,
    )


@transaction.atomic
def run_fill(
    *,
    period: PayPeriod,
    slips: Sequence[PreparedSlip],
    source: str,
    source_name: str = "",
    actor: User | None = None,
    problems: Sequence[str] = (),
) -> PayrollRun:
    """Replace what a draft or calculated run holds with these payslips.

    An approved or released run is never touched: a mistake there is corrected payslip by
    payslip, as a new version.
    """
    _require_officer(actor)
    run, _created = PayrollRun.objects.get_or_create(period=period, defaults={"created_by": actor})
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    if not run.is_editable:
        raise ValidationError(
            _(
                "The payroll for %(period)s is %(status)s and can no longer be replaced. "
                "Correct single payslips instead."
            )
            % {"period": period.code, "status": str(run.get_status_display()).lower()},
            code="run_locked",
        )
    Payslip.objects.filter(run=run).delete()
    ytd = previous_year_to_date(period, (slip.employee_id for slip in slips))
    payslips = [
        _payslip_from(slip, run=run, ytd=ytd.get(slip.employee_id, {}), actor=actor)
        for slip in slips
    ]
    Payslip.objects.bulk_create(payslips, batch_size=BULK_SIZE)
    gross = deductions = net = employer = ZERO
    for slip in payslips:
        gross += slip.gross
        deductions += slip.total_deductions
        net += slip.net
        employer += slip.employer_contributions
    run.status = RunStatus.CALCULATED if payslips else RunStatus.DRAFT
    run.source, run.source_name = source, source_name[:255]
    run.prepared_by, run.prepared_at = actor, timezone.now()
    run.employee_count = len(payslips)
    run.gross_total, run.deductions_total, run.net_total, run.employer_total = (
        gross,
        deductions,
        net,
        employer,
    )
    run.problems = list(problems)
    run.calculating_since = None
    run.save()
    audit_record(
        actor=actor,
        action="payroll.run_prepared",
        target=run,
        detail={
            "source": source,
            "file": source_name,
            "payslips": len(payslips),
            "problems": len(problems),
        },
    )
    return run


@transaction.atomic
def run_import(
    period_code: str, result, file_name: str = "", actor: User | None = None
) -> PayrollRun:
    """Fill a period's run from a checked import file (see payroll.importing)."""
    _require_officer(actor)
    if not result.ok:
        raise ValidationError(_("The file has problems; nothing was imported."), code="bad_file")
    period = periods.period_get_or_create(period_code)
    return run_fill(
        period=period,
        slips=result.slips,
        source=PayrollRun.Source.IMPORT,
        source_name=file_name,
        actor=actor,
    )


def run_calculate(period_code: str, actor: User | None = None) -> tuple[PayrollRun, list[str]]:
    """Calculate a period from the salary structures, in this process (the command)."""
    from payroll.calculation import calculate_period

    _require_officer(actor)
    period = periods.period_get_or_create(period_code)
    _refuse_locked(period)
    result = calculate_period(period)
    run = run_fill(
        period=period,
        slips=result.slips,
        source=PayrollRun.Source.CALCULATION,
        actor=actor,
        problems=result.problems,
    )
    return run, list(result.problems)


def _refuse_locked(period: PayPeriod) -> None:
    run = PayrollRun.objects.filter(period=period).first()
    if run is not None and not run.is_editable:
        raise ValidationError(
            _(
                "The payroll for %(period)s is %(status)s and can no longer be recalculated. "
                "Correct single payslips instead."
            )
            % {"period": period.code, "status": str(run.get_status_display()).lower()},
            code="run_locked",
        )


@transaction.atomic
def calculation_start(
    *, period_code: str, actor: User, request: HttpRequest | None = None
) -> PayrollRun:
    """Start a calculation in a worker; the run page follows its progress."""
    _require_officer(actor)
    period = periods.period_get_or_create(period_code)
    _refuse_locked(period)
    run, _created = PayrollRun.objects.get_or_create(period=period, defaults={"created_by": actor})
    now = timezone.now()
    started = (
        PayrollRun.objects.filter(pk=run.pk, status__in=(RunStatus.DRAFT, RunStatus.CALCULATED))
        .filter(
            Q(calculating_since__isnull=True) | Q(calculating_since__lt=now - CALCULATION_STALE)
        )
        .update(calculating_since=now, calculation_done=0, calculation_total=0, problems=[])
    )
    if not started:
        raise ValidationError(
            _("A calculation of this period is already running."), code="already_running"
        )
    audit_record(
        actor=actor,
        action="payroll.calculation_started",
        target=run,
        request=request,
        detail={"period": period.code},
    )
    run_id, actor_id = run.pk, actor.pk
    transaction.on_commit(lambda: _publish("calculate_run", run_id, actor_id))
    run.refresh_from_db()
    return run


def _calculate_in_chunks(
    run_id: int, period: PayPeriod, ids: list[int], chunk: int
) -> tuple[list[PreparedSlip], list[str]]:
    from hr.models import Employee
    from payroll.calculation import calculate_period

    slips: list[PreparedSlip] = []
    problems: list[str] = []
    for start in range(0, len(ids), chunk):
        part = Employee.objects.filter(pk__in=ids[start : start + chunk])
        result = calculate_period(period, employees=part)
        slips.extend(result.slips)
        problems.extend(result.problems)
        PayrollRun.objects.filter(pk=run_id).update(
            calculation_done=min(start + chunk, len(ids)), calculating_since=timezone.now()
        )
    return slips, problems


def calculation_perform(*, run_id: int, actor_id: int | None, chunk: int = 500) -> int:
    """The worker's side of a calculation: people in chunks, progress after each, and the
    run filled at the end, all or nothing. Returns the number of payslips."""
    from hr.models import Employee
    from payroll.calculation import employed_in

    run = PayrollRun.objects.select_related("period").get(pk=run_id)
    if run.calculating_since is None or not run.is_editable:
        return 0  # finished or superseded by another worker already
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    period = run.period
    ids = list(
        Employee.objects.filter(employed_in(period)).order_by("pk").values_list("pk", flat=True)
    )
    PayrollRun.objects.filter(pk=run_id).update(
        calculation_total=len(ids), calculation_done=0, calculating_since=timezone.now()
    )
    try:
        slips, problems = _calculate_in_chunks(run_id, period, ids, chunk)
    except Exception as error:
        # Without this the page would show "calculating" until the run is taken as stale.
        logger.exception("Calculation of run %s failed", run_id)
        PayrollRun.objects.filter(pk=run_id).update(
            calculating_since=None,
            problems=[_("The calculation stopped: %(error)s") % {"error": type(error).__name__}],
        )
        return 0
    try:
        run_fill(
            period=period,
            slips=slips,
            source=PayrollRun.Source.CALCULATION,
            actor=actor,
            problems=problems,
        )
    except ValidationError as error:
        PayrollRun.objects.filter(pk=run_id).update(
            calculating_since=None, problems=[*problems, *error.messages]
        )
        return 0
    return len(slips)


# --- Approval and PDFs ----------------------------------------------------------------------
@transaction.atomic
def run_approve(
    *,
    run: PayrollRun,
    actor: User,
    release_at: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> PayrollRun:
    """Four eyes: whoever calculated or imported the run cannot approve it."""
    _require_officer(actor)
    if run.prepared_by_id == actor.pk:
        raise ValidationError(
            _("You prepared this run, so another payroll officer must approve it."),
            code="four_eyes",
        )
    if release_at is not None and release_at <= timezone.now():
        raise ValidationError(_("Choose a release time in the future."), code="release_past")
    now = timezone.now()
    updated = (
        PayrollRun.objects.filter(pk=run.pk, status=RunStatus.CALCULATED, calculating_since=None)
        .exclude(prepared_by=actor)
        .update(
            status=RunStatus.APPROVED,
            approved_by=actor,
            approved_at=now,
            release_at=release_at,
            generation_started_at=now,
            generation_finished_at=None,
        )
    )
    if not updated:
        raise _refused(run, _("This run is %(status)s, so it cannot be approved."))
    Payslip.objects.filter(run=run, status=SlipStatus.DRAFT).update(status=SlipStatus.QUEUED)
    audit_record(
        actor=actor,
        action="payroll.run_approved",
        target=run,
        request=request,
        detail={"release_at": release_at.isoformat() if release_at else None},
    )
    run_id = run.pk
    transaction.on_commit(lambda: _publish("generate_run", run_id))
    run.refresh_from_db()
    return run


def _publish(task_name: str, *args) -> None:
    """Hand work to the broker after commit; when it is away, the beat sweep picks it up."""
    from payroll import tasks

    try:
        getattr(tasks, task_name).delay(*args)
    except Exception:  # kombu raises OperationalError and friends when Redis is away
        logger.warning("Broker unavailable; payroll job %s%s waits for the sweep", task_name, args)


def pending_render_ids(run_id: int) -> list[int]:
    now = timezone.now()
    return list(
        Payslip.objects.filter(run_id=run_id, status=SlipStatus.QUEUED)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def generation_dispatch(run_id: int) -> int:
    """Split a run's waiting payslips into chunks, one task each. Returns the chunks sent."""
    ids = pending_render_ids(run_id)
    chunks = [ids[start : start + RENDER_CHUNK] for start in range(0, len(ids), RENDER_CHUNK)]
    for chunk in chunks:
        _publish("render_payslips", chunk)
    if not ids:
        generation_check_finished(run_id)
    return len(chunks)


def _storage_name(payslip: Payslip) -> str:
    # Stable per payslip version: a second render after a killed worker replaces the file
    # instead of leaving an orphan next to it.
    return f"payroll/{payslip.period.code}/{payslip.pk:09d}-v{payslip.version}.pdf.enc"


@dataclass(frozen=True)
class Company:
    name: str
    address_lines: list[str]


def company() -> Company:
    from hr.letters.models import Letterhead

    letterhead = Letterhead.objects.order_by("pk").first()
    if letterhead is None:
        return Company(name="ESS", address_lines=[])
    return Company(name=letterhead.company_name, address_lines=letterhead.address_lines)


def payslip_document(payslip: Payslip, *, firm: Company):
    """What the PDF shows, in the employee's language."""
    from hr.validation import mask
    from payroll.pdf import PayslipDocument

    employee = payslip.employee
    user = employee.user
    language = "nl" if (user.language or "").startswith("nl") else "en"
    profile = getattr(employee, "profile", None)
    iban = mask(profile.iban, visible=4) if profile is not None and profile.iban else ""
    lines = lines_from_json(payslip.lines)
    return PayslipDocument(
        language=language,
        company_name=firm.name,
        company_address_lines=list(firm.address_lines),
        employee_name=user.get_full_name() or user.email,
        employee_number=employee.employee_number,
        job_title=employee.job_title,
        department=employee.department.name if employee.department_id else "",
        period_label=periods.period_label(payslip.period, language),
        period_start=payslip.period.start,
        period_end=payslip.period.end,
        pay_date=payslip.period.pay_date,
        currency=payslip.currency,
        lines=lines,
        totals=totals_of(lines),
        masked_iban=iban,
        version=payslip.version,
        correction_reason=payslip.correction_reason,
        reference=f"{payslip.period.code}/{employee.employee_number}/v{payslip.version}",
    )


def _claim_for_render(payslip_id: int) -> bool:
    now = timezone.now()
    return bool(
        Payslip.objects.filter(pk=payslip_id, status=SlipStatus.QUEUED)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + RENDER_LEASE)
    )


def payslip_render(payslip_id: int, *, firm: Company | None = None) -> bool:
    """Render and store one payslip's PDF, once. True when this call produced it.

    Taking the payslip is a conditional UPDATE with a lease, so two workers never render the
    same payslip at once; a worker killed mid-way leaves it QUEUED and the lease runs out.
    The PDF is deterministic, so a second render of the same version is byte-identical.
    """
    from payroll.pdf import render_payslip

    if not _claim_for_render(payslip_id):
        return False
    payslip = Payslip.objects.select_related(
        "period", "run", "employee__user", "employee__department", "employee__profile"
    ).get(pk=payslip_id)
    try:
        data = render_payslip(payslip_document(payslip, firm=firm or company()))
    except Exception as exc:
        logger.exception("Payslip %s could not be rendered", payslip_id)
        Payslip.objects.filter(pk=payslip_id, status=SlipStatus.QUEUED).update(
            status=SlipStatus.FAILED, lease_until=None, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return False
    name = _storage_name(payslip)
    if default_storage.exists(name):
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(encrypt_bytes(data)))
    now = timezone.now()
    released = payslip.run.status == RunStatus.RELEASED  # a correction after release
    with transaction.atomic():
        updated = Payslip.objects.filter(pk=payslip_id, status=SlipStatus.QUEUED).update(
            status=SlipStatus.RELEASED if released else SlipStatus.READY,
            released_at=now if released else None,
            pdf_name=stored,
            pdf_sha256=hashlib.sha256(data).hexdigest(),
            pdf_size=len(data),
            pdf_generated_at=now,
            lease_until=None,
            error="",
        )
        if updated and released:
            payslip.refresh_from_db()
            _tell_released(payslip)
    return bool(updated)


def render_chunk(payslip_ids: Sequence[int]) -> int:
    firm = company()
    done = sum(1 for pk in payslip_ids if payslip_render(pk, firm=firm))
    run_ids = set(
        Payslip.objects.filter(pk__in=payslip_ids).values_list("run_id", flat=True).distinct()
    )
    for run_id in run_ids:
        generation_check_finished(run_id)
    return done


def generation_check_finished(run_id: int) -> bool:
    """Note when the last PDF of a run is done, for the timings report."""
    waiting = Payslip.objects.filter(run_id=run_id, status=SlipStatus.QUEUED).exists()
    if waiting:
        return False
    PayrollRun.objects.filter(pk=run_id, generation_finished_at__isnull=True).exclude(
        generation_started_at=None
    ).update(generation_finished_at=timezone.now())
    return True


@transaction.atomic
def run_retry_failed(*, run: PayrollRun, actor: User, request: HttpRequest | None = None) -> int:
    _require_officer(actor)
    count = Payslip.objects.filter(run=run, status=SlipStatus.FAILED).update(
        status=SlipStatus.QUEUED, error="", lease_until=None
    )
    PayrollRun.objects.filter(pk=run.pk).update(generation_finished_at=None)
    audit_record(
        actor=actor,
        action="payroll.generation_retried",
        target=run,
        request=request,
        detail={"payslips": count},
    )
    run_id = run.pk
    transaction.on_commit(lambda: _publish("generate_run", run_id))
    return count


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    failed: int
    waiting: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def generation_progress(run: PayrollRun) -> Progress:
    counts = dict(
        Payslip.objects.filter(run=run)
        .exclude(status=SlipStatus.SUPERSEDED)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    done = counts.get(SlipStatus.READY, 0) + counts.get(SlipStatus.RELEASED, 0)
    failed = counts.get(SlipStatus.FAILED, 0)
    waiting = counts.get(SlipStatus.QUEUED, 0) + counts.get(SlipStatus.DRAFT, 0)
    return Progress(total=done + failed + waiting, done=done, failed=failed, waiting=waiting)


# --- Release --------------------------------------------------------------------------------
@transaction.atomic
def run_release(
    *, run: PayrollRun, actor: User | None = None, request: HttpRequest | None = None
) -> PayrollRun:
    """Make an approved run's payslips visible to their employees, all at once."""
    _require_officer(actor)
    unfinished = (
        Payslip.objects.filter(run=run)
        .exclude(status__in=(SlipStatus.READY, SlipStatus.SUPERSEDED))
        .count()
    )
    if unfinished:
        raise ValidationError(
            _(
                "%(count)d payslips have no PDF yet (still being produced, or failed). "
                "Release when every payslip is ready."
            )
            % {"count": unfinished},
            code="not_ready",
        )
    now = timezone.now()
    updated = PayrollRun.objects.filter(pk=run.pk, status=RunStatus.APPROVED).update(
        status=RunStatus.RELEASED, released_by=actor, released_at=now
    )
    if not updated:
        raise _refused(run, _("This run is %(status)s, so it cannot be released."))
    Payslip.objects.filter(run=run, status=SlipStatus.READY).update(
        status=SlipStatus.RELEASED, released_at=now
    )
    audit_record(
        actor=actor,
        action="payroll.run_released",
        target=run,
        request=request,
        detail={"scheduled": actor is None},
    )
    run_id = run.pk
    transaction.on_commit(lambda: _publish("notify_run", run_id))
    run.refresh_from_db()
    return run


def release_due_runs() -> list[int]:
    """The beat job: release each approved run whose chosen time has come and whose PDFs are
    all there. A run still producing is released on a later pass."""
    released = []
    due = PayrollRun.objects.filter(status=RunStatus.APPROVED, release_at__lte=timezone.now())
    for run in due:
        try:
            run_release(run=run)
        except ValidationError as error:
            logger.warning("Run %s is due but not released: %s", run.pk, " ".join(error.messages))
        else:
            released.append(run.pk)
    return released


def _notice_key(payslip_id: int) -> str:
    return f"payslip:{payslip_id}:released"


def _tell_released(payslip: Payslip) -> None:
    user = payslip.employee.user
    with translation.override(user.language or None):
        label = periods.period_label(payslip.period, translation.get_language() or "en")
        if payslip.version > 1:
            title = _("A corrected payslip for %(period)s is ready") % {"period": label}
        else:
            title = _("Your payslip for %(period)s is ready") % {"period": label}
        body = _("Paid on %(date)s. Open it in the portal.") % {
            "date": payslip.period.pay_date.isoformat()
        }
    notify(
        recipient=user,
        kind=PAYSLIP_KIND,
        title=title,
        body=body,
        url=reverse("payroll:payslip", args=[payslip.pk]),
        dedupe_key=_notice_key(payslip.pk),
    )


def run_notify_batch(run_id: int, *, batch: int = NOTIFY_BATCH) -> int:
    """Tell the next batch of a released run's employees. Returns how many were told; a
    caller repeats until 0. Who was told is read from the notifications themselves, so a
    repeat after a crash skips them: nobody is told twice."""
    told = 0
    candidates = (
        Payslip.objects.filter(run_id=run_id, status=SlipStatus.RELEASED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    last = 0
    while told < batch:
        ids = list(candidates.filter(pk__gt=last)[: batch * 2])
        if not ids:
            break
        last = ids[-1]
        keys = {_notice_key(pk): pk for pk in ids}
        done = set(
            Notification.objects.filter(dedupe_key__in=list(keys)).values_list(
                "dedupe_key", flat=True
            )
        )
        todo = [pk for key, pk in keys.items() if key not in done][: batch - told]
        if not todo:
            continue
        with transaction.atomic():
            for payslip in Payslip.objects.filter(pk__in=todo).select_related(
                "employee__user", "period"
            ):
                _tell_released(payslip)
                told += 1
    if told == 0:
        PayrollRun.objects.filter(pk=run_id, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
    return told


# --- Corrections ----------------------------------------------------------------------------
@transaction.atomic
def payslip_reissue(
    *,
    payslip: Payslip,
    lines: Sequence[Line],
    reason: str,
    actor: User,
    request: HttpRequest | None = None,
) -> Payslip:
    """Correct one payslip of an approved or released run as a new version. The old one is
    kept, marked superseded; the employee sees both."""
    _require_officer(actor)
    if not reason.strip():
        raise ValidationError(
            _("Say why the payslip is corrected; the employee reads it."), code="reason"
        )
    if not lines:
        raise ValidationError(_("A payslip needs at least one line."), code="no_lines")
    old = (
        Payslip.objects.select_for_update(of=("self",))
        .select_related("period", "run")
        .get(pk=payslip.pk)
    )
    if old.status not in (SlipStatus.READY, SlipStatus.RELEASED):
        raise ValidationError(
            _(
                "Only payslips of an approved or released run are corrected this way; "
                "recalculate or re-import a run that is not approved yet."
            ),
            code="not_correctable",
        )
    ytd = previous_year_to_date(old.period, [old.employee_id]).get(old.employee_id, {})
    new = _payslip_from(
        PreparedSlip(employee_id=old.employee_id, currency=old.currency, lines=list(lines)),
        run=old.run,
        ytd=ytd,
        actor=actor,
    )
    new.version = old.version + 1
    new.status = SlipStatus.QUEUED
    new.correction_reason = reason.strip()[:500]
    superseded = Payslip.objects.filter(
        pk=old.pk, status__in=(SlipStatus.READY, SlipStatus.RELEASED)
    ).update(status=SlipStatus.SUPERSEDED)
    if not superseded:
        raise ValidationError(_("This payslip was corrected already."), code="superseded")
    new.save()
    Payslip.objects.filter(pk=old.pk).update(superseded_by=new)
    PayrollRun.objects.filter(pk=old.run_id).update(
        gross_total=F("gross_total") - old.gross + new.gross,
        deductions_total=F("deductions_total") - old.total_deductions + new.total_deductions,
        net_total=F("net_total") - old.net + new.net,
        employer_total=F("employer_total")
        - old.employer_contributions
        + new.employer_contributions,
    )
    audit_record(
        actor=actor,
        action="payroll.payslip_reissued",
        target=new,
        request=request,
        detail={
            "employee": old.employee_id,
            "period": old.period.code,
            "replaces": old.pk,
            "version": new.version,
            "reason": new.correction_reason,
        },
    )
    new_id = new.pk
    transaction.on_commit(lambda: _publish("render_payslips", [new_id]))
    return new


# --- Reading stored PDFs --------------------------------------------------------------------
class PdfIntegrityError(Exception):
    """A stored PDF is missing or no longer matches the checksum taken when it was made."""


def stored_pdf(payslip: Payslip) -> bytes:
    if not payslip.pdf_name:
        raise PdfIntegrityError(f"payslip {payslip.pk} has no PDF")
    try:
        with default_storage.open(payslip.pdf_name, "rb") as handle:
            data = decrypt_bytes(handle.read())
    except FileNotFoundError as exc:
        raise PdfIntegrityError(f"payslip {payslip.pk}: file missing") from exc
    if hashlib.sha256(data).hexdigest() != payslip.pdf_sha256:
        raise PdfIntegrityError(f"payslip {payslip.pk}: checksum mismatch")
    return data


def payslip_read_record(
    *, payslip: Payslip, viewer: User, what: str, request: HttpRequest | None = None
) -> None:
    """Every look at a payslip, by anyone, is in the audit trail: who, whose, when. The
    employee's own looks are also counted on the payslip, for the payroll report."""
    own = payslip.employee.user_id == viewer.pk
    if own:
        Payslip.objects.filter(pk=payslip.pk).update(
            opens=F("opens") + 1, first_opened_at=Coalesce("first_opened_at", Now())
        )
    audit_record(
        actor=viewer,
        action=f"payroll.payslip_{what}",
        target=payslip,
        request=request,
        detail={
            "employee": payslip.employee_id,
            "period": payslip.period.code,
            "version": payslip.version,
            "own": own,
        },
    )


def annual_statement_pdf(
    *, user: User, year: int, language: str, request: HttpRequest | None = None
) -> bytes | None:
    """The person's own annual statement, added up from their released payslips of the
    year (None when there are none). Rendered on request: it is one PDF a year per person,
    not the payday load. Audited like a payslip download."""
    from payroll.pdf import render_annual_statement
    from payroll.selectors import annual_payslips
    from payroll.statements import annual_document

    payslips = annual_payslips(user, year)
    if not payslips:
        return None
    data = render_annual_statement(
        annual_document(payslips, year=year, language=language, firm=company())
    )
    audit_record(
        actor=user,
        action="payroll.annual_statement_downloaded",
        target=payslips[0].employee,
        request=request,
        detail={"year": year, "payslips": len(payslips)},
    )
    return data


def export_record(*, actor: User, table: str, request: HttpRequest | None = None) -> None:
    """Exports carry pay totals out of the portal: who took which table is in the trail."""
    audit_record(actor=actor, action="payroll.exported", request=request, detail={"table": table})


def payslip_pdf_bytes(*, payslip: Payslip, viewer: User, request: HttpRequest | None) -> bytes:
    data = stored_pdf(payslip)
    payslip_read_record(payslip=payslip, viewer=viewer, what="downloaded", request=request)
    return data


def pdf_keys_rotate() -> int:
    """Re-encrypt every stored payslip PDF with the newest field key."""
    count = 0
    names = Payslip.objects.exclude(pdf_name="").values_list("pdf_name", flat=True)
    for name in names.iterator(chunk_size=2000):
        if not default_storage.exists(name):
            continue
        with default_storage.open(name, "rb") as handle:
            token = handle.read()
        default_storage.delete(name)
        default_storage.save(name, ContentFile(rotate_bytes(token)))
        count += 1
    return count


def sweep_unfinished() -> int:
    """Re-dispatch what a dead worker or an absent broker left behind. Returns the number
    of runs it touched."""
    touched = 0
    busy = PayrollRun.objects.filter(
        status__in=(RunStatus.APPROVED, RunStatus.RELEASED),
        payslips__status=SlipStatus.QUEUED,
    ).distinct()
    for run_id in busy.values_list("pk", flat=True):
        if pending_render_ids(run_id):
            _publish("generate_run", run_id)
            touched += 1
    for run_id in PayrollRun.objects.filter(
        status=RunStatus.RELEASED, notified_at__isnull=True
    ).values_list("pk", flat=True):
        _publish("notify_run", run_id)
        touched += 1
    return touched
