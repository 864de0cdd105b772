"""Payroll: how each run went (timings, PDF generation), whether people open their
payslips, and how many were corrected.

For payroll officers only, as every payroll page (payroll/permissions.py): being an HR
officer, a manager or an administrator by role does not clear anyone for payroll. And even
officers read no amount here: no gross, net or run total is selected by any query of this
module, so a report, export or digest cannot leak one.

"Opened" means opened by the employee: payroll/services.payslip_read_record() audits
every look at a payslip and counts the employee's own views and downloads on the payslip
(`first_opened_at`, `opens`). An officer's look is not the employee reading their pay, so
it does not count.

What it costs. Payslips released in a period, opened or not, come from one covering index
(payroll_slip_released), corrections from a partial one, so every figure stays a range
scan of the period whatever the history.
"""

import django_tables2 as tables
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ess.accounts.models import User
from ess.portal.charts import Series
from ess.reports import series
from ess.reports.base import (
    Chart,
    Column,
    Drill,
    Figure,
    Report,
    ReportContext,
    Table,
    Unit,
    int_param,
    register_report,
)
from ess.reports.columns import DateColumn, DrillTable, PersonColumn
from ess.reports.periods import Period, report_zone
from hr.models import Employee
from payroll.models import PayrollRun, Payslip
from payroll.permissions import is_payroll_officer


def _moments(period: Period, field: str) -> Q:
    start, after = period.bounds()
    return Q(**{f"{field}__gte": start, f"{field}__lt": after})


def _people(ctx: ReportContext) -> QuerySet[Employee]:
    people = Employee.objects.all()
    if ctx.filters.department is not None:
        people = people.filter(department=ctx.filters.department)
    if ctx.filters.location is not None:
        people = people.filter(location=ctx.filters.location)
    return people


def payslips(ctx: ReportContext) -> QuerySet[Payslip]:
    """Payslips of the people in the department and location filters."""
    rows = Payslip.objects.all()
    if ctx.filters.department is not None:
        rows = rows.filter(employee__department=ctx.filters.department)
    if ctx.filters.location is not None:
        rows = rows.filter(employee__location=ctx.filters.location)
    return rows


def released(ctx: ReportContext) -> QuerySet[Payslip]:
    """Released in the period: every version, a correction is handed out as well."""
    return payslips(ctx).filter(_moments(ctx.period, "released_at"))


# The corrections index's own condition, stated literally: SQLite uses a partial index only
# when the query repeats its condition, which a bound `version > ?` cannot prove.
REISSUED = RawSQL('"payroll_payslip"."version" > 1', (), output_field=BooleanField())


def corrections(ctx: ReportContext) -> QuerySet[Payslip]:
    """Reissued payslips (version 2 or later) made in the period, of any run. The people
    are a list each correction is tested against, written so no index serves it: the few
    corrections lead, from their own index, rather than every payslip of a department."""
    rows = Payslip.objects.filter(REISSUED, _moments(ctx.period, "created_at"))
    if ctx.filters.department is not None or ctx.filters.location is not None:
        rows = rows.annotate(_employee=F("employee_id") + 0).filter(
            _employee__in=_people(ctx).values("pk")
        )
    return rows


def released_by_run(ctx: ReportContext) -> dict[int, dict]:
    """Per run, of its payslips released in the period: how many, how many their employee
    opened, and how often. One GROUP BY over the covering index payroll_slip_released."""

    def compute() -> dict[int, dict]:
        rows = (
            released(ctx)
            .values("run_id")
            .annotate(
                released=Count("pk"),
                opened=Count("pk", filter=Q(first_opened_at__isnull=False)),
                opens=Sum("opens"),
            )
            .order_by()
        )
        return {row["run_id"]: row for row in rows}

    return ctx.remember(f"released_by_run:{ctx.period}", compute)


def corrections_by_run(ctx: ReportContext) -> dict[int, int]:
    def compute() -> dict[int, int]:
        rows = corrections(ctx).values("run_id").annotate(n=Count("pk")).order_by()
        return {row["run_id"]: row["n"] for row in rows}

    return ctx.remember(f"corrections_by_run:{ctx.period}", compute)


def runs_released(ctx: ReportContext) -> QuerySet[PayrollRun]:
    return PayrollRun.objects.filter(_moments(ctx.period, "released_at"))


def runs_in_table(ctx: ReportContext) -> QuerySet[PayrollRun]:
    """Runs released in the period, and runs of the period still on their way."""
    created = _moments(ctx.period, "created_at") & Q(released_at__isnull=True)
    return PayrollRun.objects.filter(_moments(ctx.period, "released_at") | created)


def _hours(value) -> float | None:
    return None if value is None else value.total_seconds() / 3600


def _minutes(value) -> float | None:
    return None if value is None else round(value.total_seconds() / 60, 1)


# --- Drill-down tables -------------------------------------------------------------------------


class RunTable(DrillTable):
    period = tables.Column(
        verbose_name=_("Period"), accessor="period__start", order_by=("period__start",)
    )
    status = tables.Column(verbose_name=_("Status"))
    prepared_at = DateColumn(verbose_name=_("Prepared"), format="Y-m-d H:i")
    approved_at = DateColumn(verbose_name=_("Approved"), format="Y-m-d H:i")
    released_at = DateColumn(verbose_name=_("Released"), format="Y-m-d H:i")
    generation = tables.Column(
        verbose_name=_("PDF generation (minutes)"), empty_values=(), orderable=False
    )
    employee_count = tables.Column(verbose_name=_("Payslips"))

    class Meta:
        orderable = True
        order_by = ("-period",)

    def _period(self, record) -> str:
        return record.period.code

    def render_period(self, record) -> str:
        return self._period(record)

    def value_period(self, record) -> str:
        return self._period(record)

    def render_status(self, record) -> str:
        return record.get_status_display()

    def value_status(self, record) -> str:
        return record.get_status_display()

    def _generation(self, record):
        if record.generation_started_at is None or record.generation_finished_at is None:
            return "-"
        return _minutes(record.generation_finished_at - record.generation_started_at)

    def render_generation(self, record):
        return self._generation(record)

    def value_generation(self, record):
        return self._generation(record)


def _run_rows(rows: QuerySet[PayrollRun]) -> QuerySet[PayrollRun]:
    # Named columns only: a run carries plain totals, which stay out of the query.
    return rows.select_related("period").only(
        "period__year",
        "period__month",
        "period__start",
        "status",
        "prepared_at",
        "approved_at",
        "released_at",
        "generation_started_at",
        "generation_finished_at",
        "employee_count",
    )


class PayslipTable(DrillTable):
    name = PersonColumn("employee__user", verbose_name=_("Employee"))
    department = tables.Column(verbose_name=_("Department"), accessor="employee__department__name")
    period = tables.Column(
        verbose_name=_("Period"), accessor="period__start", order_by=("period__start",)
    )
    version = tables.Column(verbose_name=_("Version"))
    released_at = DateColumn(verbose_name=_("Released"), format="Y-m-d H:i")

    class Meta:
        orderable = True
        # Newest first, read in order from the release index; sorting a year of payslips
        # by name joins every one of them to its person first.
        order_by = ("-released_at",)

    def render_period(self, record) -> str:
        return record.period.code

    def value_period(self, record) -> str:
        return record.period.code


class CorrectionTable(PayslipTable):
    correction_reason = tables.Column(verbose_name=_("Reason"))
    created_at = DateColumn(verbose_name=_("Corrected"), format="Y-m-d H:i")

    class Meta:
        orderable = True
        order_by = ("-created_at",)
        exclude = ("department",)
        sequence = ("name", "period", "version", "correction_reason", "created_at", "released_at")


def _slip_rows(rows: QuerySet[Payslip], run: int | None, *extra: str) -> QuerySet[Payslip]:
    if run is not None:
        rows = rows.filter(run_id=run)
    # .only(): the encrypted amounts are never read, not even to be thrown away.
    return rows.select_related("employee__user", "employee__department", "period").only(
        "employee__user__first_name",
        "employee__user__last_name",
        "employee__department__name",
        "period__year",
        "period__month",
        "period__start",
        "version",
        "released_at",
        *extra,
    )


def unopened(ctx: ReportContext, run: int | None = None) -> QuerySet[Payslip]:
    return _slip_rows(released(ctx).filter(first_opened_at__isnull=True), run)


# --- The report ----------------------------------------------------------------------------------


@register_report
class PayrollReport(Report):
    slug = "payroll"
    title = _("Payroll")
    description = _("Run timings, PDF generation, payslips opened and corrections. No amounts.")
    icon = "cash-stack"
    order = 50
    uses = frozenset({"department", "location"})
    drills = {
        "runs": Drill(
            "runs",
            _("Payroll runs released in the period"),
            lambda ctx: _run_rows(runs_released(ctx)),
            RunTable,
        ),
        "released": Drill(
            "released",
            _("Payslips released"),
            lambda ctx, run=None: _slip_rows(released(ctx), run),
            PayslipTable,
            params={"run": int_param},
        ),
        "unopened": Drill(
            "unopened",
            _("Released payslips not opened yet"),
            unopened,
            PayslipTable,
            params={"run": int_param},
            empty=_("Everyone has opened their payslip."),
        ),
        "corrections": Drill(
            "corrections",
            _("Corrected payslips"),
            lambda ctx, run=None: _slip_rows(
                corrections(ctx), run, "correction_reason", "created_at"
            ),
            CorrectionTable,
            params={"run": int_param},
            empty=_("No payslip was corrected."),
        ),
    }

    def visible_to(self, user: User) -> bool:
        return is_payroll_officer(user)

    def figures(self, ctx: ReportContext) -> list[Figure]:
        runs = runs_released(ctx).aggregate(
            n=Count("pk"),
            to_release=Avg(F("released_at") - F("prepared_at")),
            generation=Avg(F("generation_finished_at") - F("generation_started_at")),
        )
        by_run = released_by_run(ctx).values()
        released_count = sum(row["released"] for row in by_run)
        opened = sum(row["opened"] for row in by_run)
        return [
            Figure("runs", _("Runs released"), runs["n"], drill="runs"),
            Figure("payslips", _("Payslips released"), released_count, drill="released",
                   help=_("Every version released in the period, corrections included.")),
            Figure("release_hours", _("Average time from prepared to released"),
                   _hours(runs["to_release"]), unit=Unit.HOURS, drill="runs",
                   help=_("For runs released in the period, whatever the filters.")),
            Figure("generation_minutes", _("Average PDF generation (minutes)"),
                   _minutes(runs["generation"]), drill="runs",
                   help=_("From approval to the last PDF, for runs released in the period.")),
            Figure("opened", _("Payslips opened"), series.share(opened, released_count),
                   unit=Unit.PERCENT, drill="unopened",
                   help=_("Of the payslips released in the period, the share their employee "
                          "has viewed or downloaded.")),
            Figure("corrections", _("Corrections"), sum(corrections_by_run(ctx).values()),
                   drill="corrections", help=_("Payslips reissued in the period, of any run.")),
        ]  # fmt: skip

    def details(self, ctx: ReportContext):
        rows = self._per_run(ctx)
        chart = Chart(
            "opened_per_run",
            _("Payslips opened per run"),
            _("Bars: payslips released in the period; line: those their employee opened."),
            _("Run"),
            _("Payslips"),
            [row["period"] for row in rows],
            [
                Series(_("Released"), [row["released"] for row in rows], kind="bar"),
                Series(_("Opened"), [row["opened"] for row in rows], kind="line", css="success"),
            ],
        )
        table = Table(
            "runs",
            _("Runs"),
            [
                Column("period", _("Period")),
                Column("status", _("Status")),
                Column("prepared", _("Prepared")),
                Column("approved", _("Approved")),
                Column("released_at", _("Released")),
                Column("generation", _("PDF generation (minutes)"), Unit.COUNT),
                Column("released", _("Payslips"), Unit.COUNT),
                Column("share", _("Opened"), Unit.PERCENT),
                Column("opens", _("Opens"), Unit.COUNT),
                Column("corrections", _("Corrections"), Unit.COUNT),
            ],
            rows,
            note=_(
                "Payslips: of the run, released in the period. Opened: the share of those their "
                "employee opened; opens counts every view and download. The link lists the "
                "payslips not opened yet."
            ),
        )
        fixes = Table(
            "corrections_by_run",
            _("Corrections by run"),
            [Column("period", _("Period")), Column("corrections", _("Corrections"), Unit.COUNT)],
            [
                {
                    "period": row["period"],
                    "corrections": row["corrections"],
                    "_drill": ("corrections", {"run": row["run"]}),
                }
                for row in rows
                if row["corrections"]
            ],
            note=_("Payslips of the run reissued in the period."),
        )
        return [chart], [table, fixes]

    def _per_run(self, ctx: ReportContext) -> list[dict]:
        """One row per run: the run's own columns and its payslips' counts (shared with the
        figures, so the per-payslip lookups run once a page)."""
        runs = _run_rows(runs_in_table(ctx)).order_by("period__year", "period__month")
        counts = released_by_run(ctx)
        fixes = corrections_by_run(ctx)
        rows = []
        for run in runs:
            count = counts.get(run.pk, {})
            generation = None
            if run.generation_started_at and run.generation_finished_at:
                generation = _minutes(run.generation_finished_at - run.generation_started_at)
            rows.append(
                {
                    "run": run.pk,
                    "period": run.period.code,
                    "status": run.get_status_display(),
                    "prepared": _stamp(run.prepared_at),
                    "approved": _stamp(run.approved_at),
                    "released_at": _stamp(run.released_at),
                    "generation": generation,
                    "released": count.get("released", 0),
                    "opened": count.get("opened", 0),
                    "share": series.share(count.get("opened", 0), count.get("released", 0)),
                    "opens": count.get("opens") or 0,
                    "corrections": fixes.get(run.pk, 0),
                    "_drill": ("unopened", {"run": run.pk}),
                }
            )
        return rows


def _stamp(moment) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment, report_zone()).strftime("%Y-%m-%d %H:%M")
