"""HR: headcount and movement, change requests, employment letters and benefit enrolment.

HR officers and administrators read every employee (hr/permissions.py), so the only
narrowing is the department and location filter, applied to the employee behind each row.
Nothing here reads an encrypted column: a change request shows who asked for what kind of
change and when it was decided, never the values before or after; a letter shows its
template, never its text; an election shows the plan, never its price.
"""

import copy
import datetime

import django_tables2 as tables
from django.db.models import Avg, Count, F, Q, QuerySet
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
    choice_param,
    int_param,
    register_report,
)
from ess.reports.columns import DateColumn, DrillTable, PersonColumn
from ess.reports.periods import Period
from hr.benefits.models import Election, Plan
from hr.letters.models import Letter
from hr.models import ChangeRequest, Department, Employee, Location
from hr.permissions import is_hr

DECIDED = (
    ChangeRequest.Status.APPROVED,
    ChangeRequest.Status.APPLIED,
    ChangeRequest.Status.REJECTED,
)


def people(ctx: ReportContext) -> QuerySet[Employee]:
    """Everyone, narrowed by the department and location filters."""
    rows = Employee.objects.all()
    if ctx.filters.department is not None:
        rows = rows.filter(department=ctx.filters.department)
    if ctx.filters.location is not None:
        rows = rows.filter(location=ctx.filters.location)
    return rows


def _of_people(ctx: ReportContext, prefix: str = "employee__") -> Q:
    """The same narrowing for rows that belong to an employee (a join, not an id list)."""
    condition = Q()
    if ctx.filters.department is not None:
        condition &= Q(**{f"{prefix}department": ctx.filters.department})
    if ctx.filters.location is not None:
        condition &= Q(**{f"{prefix}location": ctx.filters.location})
    return condition


def employed_on(day: datetime.date, prefix: str = "") -> Q:
    """On the books at the end of `day`: started, and not left by then (an end date is the
    last working day, so someone leaving on `day` no longer counts; as in My team)."""
    return Q(**{f"{prefix}start_date__lte": day}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": day})
    )


def _days(period: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def _moments(period: Period, field: str) -> Q:
    start, after = period.bounds()
    return Q(**{f"{field}__gte": start, f"{field}__lt": after})


def headcount(ctx: ReportContext) -> QuerySet[Employee]:
    return people(ctx).filter(employed_on(ctx.period.end))


def joiners(ctx: ReportContext) -> QuerySet[Employee]:
    return people(ctx).filter(_days(ctx.period, "start_date"))


def leavers(ctx: ReportContext) -> QuerySet[Employee]:
    return people(ctx).filter(_days(ctx.period, "end_date"))


def change_requests(ctx: ReportContext) -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.filter(_of_people(ctx))


def requests_submitted(ctx: ReportContext) -> QuerySet[ChangeRequest]:
    return change_requests(ctx).filter(_moments(ctx.period, "submitted_at"))


def requests_decided(ctx: ReportContext) -> QuerySet[ChangeRequest]:
    """Approved or rejected in the period. A withdrawal is the employee's, not a decision."""
    return change_requests(ctx).filter(
        _moments(ctx.period, "decided_at"), status__in=DECIDED, decided_at__isnull=False
    )


def letters(ctx: ReportContext) -> QuerySet[Letter]:
    return Letter.objects.filter(_of_people(ctx))


def letters_issued(ctx: ReportContext) -> QuerySet[Letter]:
    # A letter revoked later was still issued in the period; it keeps its issued_at.
    return letters(ctx).filter(_moments(ctx.period, "issued_at"))


def enrolment_year(ctx: ReportContext) -> int:
    """Enrolment is counted for the plan year that holds the period's last day."""
    return ctx.period.end.year


def elections(ctx: ReportContext) -> QuerySet[Election]:
    """This plan year's elections of people still employed at the end of the period."""
    # An IN over the employed people's ids, not a join: the database builds the set once
    # instead of reading an employee row per election.
    return Election.objects.filter(
        employee_id__in=headcount(ctx).values("pk"), plan_year=enrolment_year(ctx)
    )


def active_enrolments(ctx: ReportContext) -> QuerySet[Election]:
    return elections(ctx).filter(status=Election.Status.ENROLLED)


ELECTION_COUNTS = {
    "elections": Count("pk"),
    "enrolled": Count("pk", filter=Q(status=Election.Status.ENROLLED)),
    "waived": Count("pk", filter=Q(status=Election.Status.WAIVED)),
    "pending": Count("pk", filter=Q(status=Election.Status.PENDING_APPROVAL)),
}


def _election_counts(rows: QuerySet[Election]) -> dict[int, dict[str, int]]:
    """{plan id: {enrolled, waived, pending}}, grouped by the plan's id alone, in the
    election index's order (the dozen plans' names are read apart)."""
    grouped = rows.values("plan_id").annotate(**ELECTION_COUNTS).order_by()
    return {row.pop("plan_id"): row for row in grouped}


def elections_by_plan(ctx: ReportContext) -> list[dict]:
    """Enrolled, waived and waiting per plan: one GROUP BY, shared by the figure and the
    table (tens of thousands of elections at 10,000 people)."""

    def compute() -> list[dict]:
        if ctx.filters.department is not None or ctx.filters.location is not None:
            by_plan = _election_counts(elections(ctx))
        else:
            # The same counts as everyone's elections of the plan year less those of the
            # few hundred people not on the books at the end, instead of testing each of
            # tens of thousands of elections against ten thousand employed people.
            day = ctx.period.end
            absent = Employee.objects.filter(Q(start_date__gt=day) | Q(end_date__lte=day))
            year = enrolment_year(ctx)
            everyone = Election.objects.filter(plan_year=year)
            # A period and the one compared with it mostly share the plan year.
            by_plan = copy.deepcopy(
                ctx.remember(f"elections:{year}", lambda: _election_counts(everyone))
            )
            for plan, counts in _election_counts(
                everyone.filter(employee_id__in=absent.values("pk"))
            ).items():
                for name, n in counts.items():
                    by_plan[plan][name] -= n
            by_plan = {plan: counts for plan, counts in by_plan.items() if counts["elections"]}
        plans = Plan.objects.filter(pk__in=by_plan).order_by("category", "name")
        return [
            {
                "plan_id": plan.pk,
                **by_plan[plan.pk],
                "plan__name": plan.name,
                "plan__category": plan.category,
            }
            for plan in plans.only("name", "category")
        ]

    return ctx.remember(f"elections_by_plan:{ctx.period}", compute)


def _hours(value: datetime.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / 3600


# --- Drill-down tables -------------------------------------------------------------------------


class PersonTable(DrillTable):
    name = PersonColumn()
    employee_number = tables.Column(verbose_name=_("Employee number"))
    job_title = tables.Column(verbose_name=_("Job title"))
    department = tables.Column(verbose_name=_("Department"), accessor="department__name")
    location = tables.Column(verbose_name=_("Location"), accessor="location__name")
    contract_type = tables.Column(verbose_name=_("Contract"))
    start_date = DateColumn(verbose_name=_("Start date"), format="Y-m-d")
    end_date = DateColumn(verbose_name=_("End date"), format="Y-m-d")

    class Meta:
        orderable = True
        order_by = ("name",)

    def render_contract_type(self, record) -> str:
        return record.get_contract_type_display()

    def value_contract_type(self, record) -> str:
        return record.get_contract_type_display()


def _person_rows(rows: QuerySet[Employee], contract: str | None = None) -> QuerySet[Employee]:
    if contract is not None:
        rows = rows.filter(contract_type=contract)
    return rows.select_related("user", "department", "location").only(
        "user__first_name",
        "user__last_name",
        "employee_number",
        "job_title",
        "department__name",
        "location__name",
        "contract_type",
        "start_date",
        "end_date",
    )


class ChangeRequestTable(DrillTable):
    """Who asked for which kind of change and what became of it; never the values."""

    name = PersonColumn("employee__user", verbose_name=_("Employee"))
    kind = tables.Column(verbose_name=_("Type"))
    status = tables.Column(verbose_name=_("Status"))
    submitted_at = DateColumn(verbose_name=_("Submitted"), format="Y-m-d H:i")
    decided_at = DateColumn(verbose_name=_("Decided"), format="Y-m-d H:i")

    class Meta:
        orderable = True
        order_by = ("-submitted_at",)

    def render_kind(self, record) -> str:
        return record.get_kind_display()

    def value_kind(self, record) -> str:
        return record.get_kind_display()

    def render_status(self, record) -> str:
        return record.get_status_display()

    def value_status(self, record) -> str:
        return record.get_status_display()


def _request_rows(rows: QuerySet[ChangeRequest], kind: str | None = None):
    if kind is not None:
        rows = rows.filter(kind=kind)
    # .only() keeps the encrypted snapshots and note out of the query altogether.
    return rows.select_related("employee__user").only(
        "employee__user__first_name",
        "employee__user__last_name",
        "kind",
        "status",
        "submitted_at",
        "decided_at",
    )


class LetterTable(DrillTable):
    name = PersonColumn("employee__user", verbose_name=_("Employee"))
    template = tables.Column(verbose_name=_("Letter"), accessor="template__name")
    status = tables.Column(verbose_name=_("Status"))
    requested_at = DateColumn(verbose_name=_("Requested"), format="Y-m-d H:i")
    issued_at = DateColumn(verbose_name=_("Issued"), format="Y-m-d H:i")

    class Meta:
        orderable = True
        order_by = ("-issued_at",)

    def render_status(self, record) -> str:
        return record.get_status_display()

    def value_status(self, record) -> str:
        return record.get_status_display()


def _letter_rows(rows: QuerySet[Letter]) -> QuerySet[Letter]:
    # Not the addressee, the purpose or the text: a mortgage or a visa is private.
    return rows.select_related("employee__user", "template").only(
        "employee__user__first_name",
        "employee__user__last_name",
        "template__name",
        "status",
        "requested_at",
        "issued_at",
    )


class EnrolmentTable(DrillTable):
    name = PersonColumn("employee__user", verbose_name=_("Employee"))
    department = tables.Column(verbose_name=_("Department"), accessor="employee__department__name")
    plan = tables.Column(verbose_name=_("Plan"), accessor="plan__name")
    plan_year = tables.Column(verbose_name=_("Plan year"))
    elected_at = DateColumn(verbose_name=_("Chosen"), format="Y-m-d")

    class Meta:
        orderable = True
        order_by = ("name",)


def _enrolment_rows(rows: QuerySet[Election], plan: int | None = None) -> QuerySet[Election]:
    if plan is not None:
        rows = rows.filter(plan_id=plan)
    # No coverage level, dependents or price: who is covered is the employee's business.
    return rows.select_related("employee__user", "employee__department", "plan").only(
        "employee__user__first_name",
        "employee__user__last_name",
        "employee__department__name",
        "plan__name",
        "plan_year",
        "elected_at",
    )


_KINDS = choice_param(*ChangeRequest.Kind.values)
_CONTRACTS = choice_param(*Employee.ContractType.values)


# --- The report ----------------------------------------------------------------------------------


@register_report
class HRReport(Report):
    slug = "hr"
    title = _("HR")
    description = _(
        "Headcount and movement, change requests, employment letters and benefit enrolment."
    )
    icon = "person-vcard"
    order = 20
    uses = frozenset({"department", "location"})
    drills = {
        "headcount": Drill(
            "headcount",
            _("Employees at the end of the period"),
            lambda ctx, contract=None: _person_rows(headcount(ctx), contract),
            PersonTable,
            params={"contract": _CONTRACTS},
        ),
        "joiners": Drill(
            "joiners",
            _("Joiners"),
            lambda ctx, contract=None: _person_rows(joiners(ctx), contract),
            PersonTable,
            params={"contract": _CONTRACTS},
        ),
        "leavers": Drill(
            "leavers",
            _("Leavers"),
            lambda ctx, contract=None: _person_rows(leavers(ctx), contract),
            PersonTable,
            params={"contract": _CONTRACTS},
        ),
        "requests_submitted": Drill(
            "requests_submitted",
            _("Change requests submitted"),
            lambda ctx, kind=None: _request_rows(requests_submitted(ctx), kind),
            ChangeRequestTable,
            params={"kind": _KINDS},
        ),
        "requests_decided": Drill(
            "requests_decided",
            _("Change requests decided"),
            lambda ctx, kind=None: _request_rows(requests_decided(ctx), kind),
            ChangeRequestTable,
            params={"kind": _KINDS},
        ),
        "letters_issued": Drill(
            "letters_issued",
            _("Letters issued"),
            lambda ctx: _letter_rows(letters_issued(ctx)),
            LetterTable,
        ),
        "enrolments": Drill(
            "enrolments",
            _("Active benefit enrolments"),
            lambda ctx, plan=None: _enrolment_rows(active_enrolments(ctx), plan),
            EnrolmentTable,
            params={"plan": int_param},
        ),
    }

    def visible_to(self, user: User) -> bool:
        return is_hr(user)

    def figures(self, ctx: ReportContext) -> list[Figure]:
        period = ctx.period
        staff = people(ctx).aggregate(
            headcount=Count("pk", filter=employed_on(period.end)),
            joiners=Count("pk", filter=_days(period, "start_date")),
            leavers=Count("pk", filter=_days(period, "end_date")),
        )
        decided = _moments(period, "decided_at") & Q(status__in=DECIDED)
        requests = (
            change_requests(ctx)
            .filter(_moments(period, "submitted_at") | decided)
            .aggregate(
                submitted=Count("pk", filter=_moments(period, "submitted_at")),
                decided=Count("pk", filter=decided),
                wait=Avg(F("decided_at") - F("submitted_at"), filter=decided),
            )
        )
        issued = letters_issued(ctx).aggregate(
            n=Count("pk"), turnaround=Avg(F("issued_at") - F("requested_at"))
        )
        return [
            Figure("headcount", _("Headcount"), staff["headcount"], drill="headcount",
                   help=_("Employed at the end of the period.")),
            Figure("joiners", _("Joiners"), staff["joiners"], drill="joiners"),
            Figure("leavers", _("Leavers"), staff["leavers"], drill="leavers",
                   help=_("Whose last working day falls in the period.")),
            Figure("requests_submitted", _("Change requests submitted"),
                   requests["submitted"], drill="requests_submitted"),
            Figure("requests_decided", _("Change requests decided"), requests["decided"],
                   drill="requests_decided", help=_("Approved or rejected in the period.")),
            Figure("decision_hours", _("Average time to decision"), _hours(requests["wait"]),
                   unit=Unit.HOURS, drill="requests_decided",
                   help=_("From submission to decision, for requests decided in the period.")),
            Figure("letters_issued", _("Letters issued"), issued["n"], drill="letters_issued"),
            Figure("letter_hours", _("Average letter turnaround"), _hours(issued["turnaround"]),
                   unit=Unit.HOURS, drill="letters_issued",
                   help=_("From request to issue, for letters issued in the period.")),
            Figure("enrolments", _("Active benefit enrolments"),
                   sum(row["enrolled"] for row in elections_by_plan(ctx)), drill="enrolments",
                   help=_("Enrolled for the plan year of the period's last day, "
                          "by people still employed then.")),
        ]  # fmt: skip

    def details(self, ctx: ReportContext):
        period = ctx.period
        labels = series.labels(period)
        submitted = series.counts_by_bucket(change_requests(ctx), "submitted_at", period)
        decided = series.counts_by_bucket(
            change_requests(ctx).filter(status__in=DECIDED), "decided_at", period
        )
        requested = series.counts_by_bucket(letters(ctx), "requested_at", period)
        issued = series.counts_by_bucket(letters(ctx), "issued_at", period)
        by_department = self._breakdown(ctx, "department")
        charts = [
            Chart(
                "requests",
                _("Change requests"),
                _("Bars: requests submitted in each interval; line: requests decided."),
                _("Interval"),
                _("Requests"),
                labels,
                [
                    Series(_("Submitted"), submitted, kind="bar"),
                    Series(_("Decided"), decided, kind="line", css="success"),
                ],
            ),
            Chart(
                "headcount_by_department",
                _("Headcount by department"),
                _("Bars: people employed in each department at the end of the period."),
                _("Department"),
                _("People"),
                [row["label"] for row in by_department],
                [Series(_("Headcount"), [row["headcount"] for row in by_department])],
            ),
            Chart(
                "letters",
                _("Employment letters"),
                _("Bars: letters requested in each interval; line: letters issued."),
                _("Interval"),
                _("Letters"),
                labels,
                [
                    Series(_("Requested"), requested, kind="bar"),
                    Series(_("Issued"), issued, kind="line", css="success"),
                ],
            ),
        ]
        tables_ = [
            self._headcount_table(
                "headcount_by_department", _("Headcount by department"), _("Department"),
                by_department,
            ),
            self._headcount_table(
                "headcount_by_location", _("Headcount by location"), _("Location"),
                self._breakdown(ctx, "location"),
            ),
            self._headcount_table(
                "headcount_by_contract", _("Headcount by contract type"), _("Contract"),
                self._breakdown(ctx, "contract_type"),
            ),
            self._enrolment_table(ctx),
            self._requests_table(ctx),
        ]  # fmt: skip
        return charts, tables_

    def _movement_cells(self, ctx: ReportContext) -> list[dict]:
        """Headcount at the end, joiners and leavers per department x location x contract
        type: one GROUP BY for all three breakdowns. Its rows are bounded by the org's
        shape (departments x offices x 4), not by the number of people."""

        def compute() -> list[dict]:
            period = ctx.period
            moved = _days(period, "start_date") | _days(period, "end_date")
            # Grouped by ids alone; the few departments' and offices' names are read
            # apart rather than joined to every person.
            cells = list(
                people(ctx)
                .filter(employed_on(period.end) | moved)
                .values("department_id", "location_id", "contract_type")
                .annotate(
                    headcount=Count("pk", filter=employed_on(period.end)),
                    joiners=Count("pk", filter=_days(period, "start_date")),
                    leavers=Count("pk", filter=_days(period, "end_date")),
                )
                .order_by()
            )
            departments = dict(
                Department.objects.filter(
                    pk__in={cell["department_id"] for cell in cells}
                ).values_list("pk", "name")
            )
            locations = dict(
                Location.objects.filter(pk__in={cell["location_id"] for cell in cells}).values_list(
                    "pk", "name"
                )
            )
            for cell in cells:
                cell["department__name"] = departments.get(cell["department_id"])
                cell["location__name"] = locations.get(cell["location_id"])
            return cells

        return ctx.remember(f"movement:{ctx.period}", compute)

    def _breakdown(self, ctx: ReportContext, by: str) -> list[dict]:
        """The cells added up per department, location or contract type. Each row links to
        the people it counts, under that narrowing."""
        contracts = dict(Employee.ContractType.choices)
        rows: dict = {}
        for cell in self._movement_cells(ctx):
            if by == "contract_type":
                key = cell["contract_type"]
                label, drill = contracts.get(key, key), {"contract": key}
            else:
                # The department or location filter is the drill-down's narrowing.
                key = cell[f"{by}_id"]
                label, drill = cell[f"{by}__name"], {by: key}
            row = rows.setdefault(
                key,
                {f"{by}_id": key, by: key, "label": label, "headcount": 0, "joiners": 0,
                 "leavers": 0, "_drill": ("headcount", drill)},
            )  # fmt: skip
            for figure in ("headcount", "joiners", "leavers"):
                row[figure] += cell[figure]
        return sorted(rows.values(), key=lambda row: str(row["label"]))

    def _headcount_table(self, key: str, title, label, rows: list[dict]) -> Table:
        return Table(
            key,
            title,
            [
                Column("label", label),
                Column("headcount", _("Headcount"), Unit.COUNT),
                Column("joiners", _("Joiners"), Unit.COUNT),
                Column("leavers", _("Leavers"), Unit.COUNT),
            ],
            rows,
            note=_("Headcount at the end of the period; joiners and leavers during it."),
        )

    def _enrolment_table(self, ctx: ReportContext) -> Table:
        rows = elections_by_plan(ctx)
        return Table(
            "enrolment_by_plan",
            _("Benefit enrolment by plan"),
            [
                Column("plan", _("Plan")),
                Column("enrolled", _("Enrolled"), Unit.COUNT),
                Column("waived", _("Waived"), Unit.COUNT),
                Column("pending", _("Waiting for approval"), Unit.COUNT),
            ],
            [
                {
                    "plan": row["plan__name"],
                    "enrolled": row["enrolled"],
                    "waived": row["waived"],
                    "pending": row["pending"],
                    "_drill": ("enrolments", {"plan": row["plan_id"]}),
                }
                for row in rows
            ],
            note=_("Plan year %(year)s, people employed at the end of the period.")
            % {"year": enrolment_year(ctx)},
        )

    def _requests_table(self, ctx: ReportContext) -> Table:
        period = ctx.period
        decided = _moments(period, "decided_at") & Q(status__in=DECIDED)
        rows = (
            change_requests(ctx)
            .filter(_moments(period, "submitted_at") | decided)
            .values("kind")
            .annotate(
                submitted=Count("pk", filter=_moments(period, "submitted_at")),
                decided=Count("pk", filter=decided),
                wait=Avg(F("decided_at") - F("submitted_at"), filter=decided),
            )
            .order_by("kind")
        )
        kinds = dict(ChangeRequest.Kind.choices)
        return Table(
            "requests_by_kind",
            _("Change requests by type"),
            [
                Column("kind", _("Type")),
                Column("submitted", _("Submitted"), Unit.COUNT),
                Column("decided", _("Decided"), Unit.COUNT),
                Column("hours", _("Average time to decision"), Unit.HOURS),
            ],
            [
                {
                    "kind": kinds.get(row["kind"], row["kind"]),
                    "submitted": row["submitted"],
                    "decided": row["decided"],
                    "hours": _hours(row["wait"]),
                    "_drill": ("requests_submitted", {"kind": row["kind"]}),
                }
                for row in rows
            ],
        )
