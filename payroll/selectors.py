"""Reads for payroll. Who may see what is decided here, once:

- an employee sees their own payslips, and only once released;
- payroll officers see every payslip and run;
- nobody else sees any pay: not HR, not a manager, not an agent, not an auditor (the
  auditor reads the audit trail instead).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404

from ess.accounts.models import User
from payroll.lines import ZERO, LineKind, lines_from_json
from payroll.models import PayrollRun, Payslip
from payroll.permissions import is_payroll_officer

SlipStatus = Payslip.Status


def payslips_of(user: User, *, year: int | None = None) -> QuerySet[Payslip]:
    """Someone's own released payslips, newest period first, corrections next to the
    version they replaced."""
    payslips = (
        Payslip.objects.filter(employee__user=user, released_at__isnull=False)
        .select_related("period")
        # Only what the list shows: every amount is encrypted, and each one loaded is one
        # more decryption per row.
        .only("version", "currency", "net", "status", "pdf_name", "period")
        .order_by("-period__year", "-period__month", "-version")
    )
    if year is not None:
        payslips = payslips.filter(period__year=year)
    return payslips


def payslip_years(user: User) -> list[int]:
    return list(
        Payslip.objects.filter(employee__user=user, released_at__isnull=False)
        .order_by("-period__year")
        .values_list("period__year", flat=True)
        .distinct()
    )


def payslip_for_viewer(*, user: User, pk: int) -> Payslip:
    """The payslip if this person may open it; otherwise 404, so ids reveal nothing."""
    # Only the relations these pages read: loading the run, the department and the newer
    # version (a whole payslip, decrypted) doubled this lookup's time. The rare replaced
    # payslip's banner fetches its newer version itself.
    payslips = Payslip.objects.select_related("period", "employee__user")
    if not is_payroll_officer(user):
        payslips = payslips.filter(employee__user=user, released_at__isnull=False)
    try:
        return payslips.get(pk=pk)
    except Payslip.DoesNotExist:
        raise Http404 from None


def previous_payslip(payslip: Payslip) -> Payslip | None:
    """The same person's current payslip for the period before, as they could see it."""
    earlier = (
        Payslip.objects.filter(employee_id=payslip.employee_id)
        .exclude(status=SlipStatus.SUPERSEDED)
        .filter(
            Q(period__year__lt=payslip.period.year)
            | Q(period__year=payslip.period.year, period__month__lt=payslip.period.month)
        )
        .select_related("period")
        .order_by("-period__year", "-period__month")
    )
    if payslip.released_at is not None:
        earlier = earlier.filter(released_at__isnull=False)
    return earlier.first()


def payslip_versions(payslip: Payslip) -> list[Payslip]:
    """Every version of this person's payslip for this period that the viewer may see."""
    versions = (
        Payslip.objects.filter(employee_id=payslip.employee_id, period_id=payslip.period_id)
        # The version list shows no amounts: none is loaded, so none is decrypted.
        .only("version", "status", "created_at")
        .order_by("-version")
    )
    if payslip.released_at is not None:
        versions = versions.filter(released_at__isnull=False)
    return list(versions)


@dataclass(frozen=True)
class LineDifference:
    code: str
    label: str
    kind: str
    current: Decimal | None
    previous: Decimal | None

    @property
    def change(self) -> Decimal:
        return (self.current or ZERO) - (self.previous or ZERO)

    @property
    def changed(self) -> bool:
        return self.change != ZERO


def compare_lines(current: Payslip, previous: Payslip | None) -> list[LineDifference]:
    """Line by line (by code), this payslip against the one before, in payslip order."""
    now = lines_from_json(current.lines)
    before = {line.code: line for line in lines_from_json(previous.lines)} if previous else {}
    rows = [
        LineDifference(
            code=line.code,
            label=line.label,
            kind=line.kind,
            current=line.amount,
            previous=before.pop(line.code).amount if line.code in before else None,
        )
        for line in now
    ]
    rows += [
        LineDifference(
            code=line.code, label=line.label, kind=line.kind, current=None, previous=line.amount
        )
        for line in before.values()
    ]
    order = {kind: index for index, kind in enumerate(LineKind.values)}
    return sorted(rows, key=lambda row: order[row.kind])


def annual_payslips(user: User, year: int) -> list[Payslip]:
    """The current released payslips of one year: what the annual statement adds up."""
    return list(
        Payslip.objects.filter(
            employee__user=user,
            period__year=year,
            released_at__isnull=False,
            status=SlipStatus.RELEASED,
        )
        .select_related("period", "employee__user", "employee__profile")
        .order_by("period__month")
    )


# --- Officers -------------------------------------------------------------------------------
def runs() -> QuerySet[PayrollRun]:
    return PayrollRun.objects.select_related(
        "period", "prepared_by", "approved_by", "released_by"
    ).order_by("-period__year", "-period__month")


def run_payslips(run: PayrollRun) -> QuerySet[Payslip]:
    return (
        Payslip.objects.filter(run=run)
        .select_related("employee__user", "employee__department", "period")
        .defer("lines", "gross", "total_deductions", "employer_contributions")
        .order_by("employee__user__last_name", "employee__user__first_name", "-version")
    )
