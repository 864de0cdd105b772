"""My team: a manager's direct and indirect reports.

The team is the manager's reporting line as it is today (hr/org.py: one index range on the
materialised path); the department and location filters narrow it. Nothing here shows a
ticket's subject or a confidential ticket: the manager sees how many requests the team
raised and of what kind, not what they wrote.
"""

import datetime
import itertools

import django_tables2 as tables
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ess.accounts.models import User
from ess.portal.charts import Series
from ess.reports import series, team_rollup
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
from ess.reports.columns import ChoiceColumn, DateColumn, DrillTable, PersonColumn, ReferenceColumn
from ess.reports.models import TeamAcknowledgement, TeamRollup, TeamTicketDay
from ess.reports.periods import report_today
from ess.reports.rollups import counted_tickets, rollup_note
from helpdesk.models import Queue, Ticket
from hr.directory.permissions import can_see_team
from hr.models import Employee
from hr.org import subtree_filter
from hr.team import PendingApproval, team_approval_count, team_approvals_for
from policies.models import AcknowledgementRequest


def _viewer(ctx: ReportContext) -> Employee | None:
    return ctx.remember(
        "viewer",
        lambda: Employee.objects.filter(user=ctx.user).only("pk", "org_path").first(),
    )


def counted_ahead(ctx: ReportContext) -> TeamRollup | None:
    """The viewer's team when it is large enough to be counted ahead (team_rollup)."""
    return ctx.remember("counted_ahead", lambda: team_rollup.counted_ahead(_viewer(ctx)))


def _rollup_slice(ctx: ReportContext) -> Q:
    """The counted-ahead rows of the viewer's team under the department and location
    filters: the whole team's rows, or the per-department-and-location ones."""
    department, location = ctx.filters.department, ctx.filters.location
    if department is None and location is None:
        return Q(manager=_viewer(ctx), whole_team=True)
    condition = Q(manager=_viewer(ctx), whole_team=False)
    if department is not None:
        condition &= Q(department=department)
    if location is not None:
        condition &= Q(location=location)
    return condition


def freshness(ctx: ReportContext) -> str:
    """For a counted-ahead team: a note when the counts lag; "" when they are current."""
    if counted_ahead(ctx) is None:
        return ""
    return ctx.remember("freshness", lambda: rollup_note(team_rollup.last_refresh()))


def team(ctx: ReportContext) -> QuerySet[Employee]:
    """The viewer's reports, narrowed by the department and location filters."""

    def compute() -> QuerySet[Employee]:
        viewer = _viewer(ctx)
        path = viewer.org_path if viewer else ""
        if not path:
            return Employee.objects.none()
        people = Employee.objects.filter(subtree_filter(path, include_self=False))
        if ctx.filters.department is not None:
            people = people.filter(department=ctx.filters.department)
        if ctx.filters.location is not None:
            people = people.filter(location=ctx.filters.location)
        return people

    return ctx.remember("team", compute)


def _team_user_ids(ctx: ReportContext) -> QuerySet:
    # A subquery, not a list of ids: a head of department has thousands of reports.
    return team(ctx).values("user_id")


def members_on(ctx: ReportContext, day: datetime.date) -> QuerySet[Employee]:
    return team(ctx).filter(Q(start_date__lte=day), Q(end_date__isnull=True) | Q(end_date__gt=day))


def joiners(ctx: ReportContext) -> QuerySet[Employee]:
    return series.in_period(team(ctx), "start_date", ctx.period, is_date=True)


def leavers(ctx: ReportContext) -> QuerySet[Employee]:
    return series.in_period(team(ctx), "end_date", ctx.period, is_date=True)


def acknowledgement_requests(ctx: ReportContext) -> QuerySet[AcknowledgementRequest]:
    """Acknowledgements the team was asked for with a due date in the period."""
    return series.in_period(
        AcknowledgementRequest.objects.filter(user_id__in=_team_user_ids(ctx)),
        "due_date",
        ctx.period,
        is_date=True,
    )


def overdue_acknowledgements(ctx: ReportContext) -> QuerySet[AcknowledgementRequest]:
    return acknowledgement_requests(ctx).filter(
        acknowledged_at__isnull=True, due_date__lt=report_today()
    )


def team_tickets(ctx: ReportContext) -> QuerySet[Ticket]:
    """Requests the team raised in the period. Confidential ones never count here: being
    someone's manager clears nobody for an HR case."""
    # counted_tickets(): merged duplicates left out in a way no index serves, so the
    # requester index leads (SQLite would otherwise walk the merged_into index).
    tickets = counted_tickets().filter(requester_id__in=_team_user_ids(ctx), confidential=False)
    if ctx.filters.queue is not None:
        tickets = tickets.filter(queue=ctx.filters.queue)
    return series.in_period(tickets, "created_at", ctx.period)


def raised_by_type(ctx: ReportContext) -> list[dict]:
    """Requests raised per request type and queue, each with its count per chart bucket
    and in all: the figure, the chart and the table share this one read."""
    period = ctx.period

    keys = ("request_type_id", "request_type__name", "queue__name")

    def compute() -> list[dict]:
        if counted_ahead(ctx) is not None:
            days = TeamTicketDay.objects.filter(_rollup_slice(ctx))
            if ctx.filters.queue is not None:
                days = days.filter(queue=ctx.filters.queue)
            rows = series.counts_by_bucket_and(
                days, "day", period, keys, is_date=True, aggregate=Sum("created")
            )
        else:
            rows = series.counts_by_bucket_and(team_tickets(ctx), "created_at", period, keys)
        for row in rows:
            row["n"] = sum(row["buckets"])
        return sorted(rows, key=lambda row: (-row["n"], row["request_type__name"] or ""))

    return ctx.remember(f"raised:{period.start}:{period.end}", compute)


def raised_by_bucket(ctx: ReportContext) -> list[int]:
    buckets = [0] * len(ctx.period.bucket_starts())
    for row in raised_by_type(ctx):
        buckets = [a + b for a, b in zip(buckets, row["buckets"], strict=True)]
    return buckets


def acknowledgements_by_policy(ctx: ReportContext) -> list[dict]:
    """Acknowledgements due in the period per policy: due, done and overdue. The figures
    are their sums, so the team's acknowledgements are read once per page."""
    period = ctx.period

    def compute() -> list[dict]:
        if counted_ahead(ctx) is not None:
            return list(
                series.in_period(
                    TeamAcknowledgement.objects.filter(_rollup_slice(ctx)),
                    "due_date",
                    period,
                    is_date=True,
                )
                .values("version__policy_id", "version__policy__title")
                .annotate(
                    total=Sum("requests"),
                    done=Sum("requests", filter=Q(is_acknowledged=True), default=0),
                    overdue=Sum(
                        "requests",
                        filter=Q(is_acknowledged=False, due_date__lt=report_today()),
                        default=0,
                    ),
                )
                .order_by("version__policy__title")
            )
        return list(
            acknowledgement_requests(ctx)
            .values("version__policy_id", "version__policy__title")
            .annotate(
                total=Count("pk"),
                done=Count("pk", filter=Q(acknowledged_at__isnull=False)),
                overdue=Count(
                    "pk", filter=Q(acknowledged_at__isnull=True, due_date__lt=report_today())
                ),
            )
            .order_by("version__policy__title")
        )

    return ctx.remember(f"acks:{period.start}:{period.end}", compute)


# --- Drill-down tables -------------------------------------------------------------------------


class PersonTable(DrillTable):
    name = PersonColumn()
    job_title = tables.Column(verbose_name=_("Job title"))
    department = tables.Column(verbose_name=_("Department"), accessor="department__name")
    location = tables.Column(verbose_name=_("Location"), accessor="location__name")
    start_date = DateColumn(verbose_name=_("Start date"), format="Y-m-d")
    end_date = DateColumn(verbose_name=_("End date"), format="Y-m-d")

    class Meta:
        orderable = True
        order_by = ("name",)


def _people(rows: QuerySet[Employee]) -> QuerySet[Employee]:
    return rows.select_related("user", "department", "location").only(
        "user__first_name",
        "user__last_name",
        "job_title",
        "department__name",
        "location__name",
        "start_date",
        "end_date",
    )


class AcknowledgementTable(DrillTable):
    name = PersonColumn()
    policy = tables.Column(verbose_name=_("Policy"), accessor="version__policy__title")
    version = tables.Column(verbose_name=_("Version"), accessor="version__number")
    due_date = DateColumn(verbose_name=_("Due"), format="Y-m-d")
    acknowledged_on = DateColumn(verbose_name=_("Acknowledged"), format="Y-m-d")

    class Meta:
        orderable = True
        order_by = ("due_date",)


def _acknowledgement_rows(rows: QuerySet[AcknowledgementRequest], policy: int | None = None):
    if policy is not None:
        rows = rows.filter(version__policy_id=policy)
    return rows.select_related("user", "version__policy").only(
        "user__first_name",
        "user__last_name",
        "version__number",
        "version__policy__title",
        "due_date",
        "acknowledged_on",
    )


class TeamTicketTable(DrillTable):
    reference = ReferenceColumn()
    name = PersonColumn("requester", verbose_name=_("Raised by"))
    request_type = tables.Column(
        verbose_name=_("Request type"), accessor="request_type__name", default="-"
    )
    queue = tables.Column(verbose_name=_("Queue"), accessor="queue__name")
    status = ChoiceColumn(verbose_name=_("Status"))
    created_at = DateColumn(verbose_name=_("Opened"), format="Y-m-d H:i")

    class Meta:
        orderable = True
        order_by = ("-created_at",)


def _ticket_rows(ctx: ReportContext, request_type: int | None = None) -> QuerySet[Ticket]:
    rows = team_tickets(ctx)
    if request_type is not None:
        rows = rows.filter(request_type_id=request_type)
    return rows.select_related("requester", "request_type", "queue").only(
        "requester__first_name",
        "requester__last_name",
        "request_type__name",
        "queue__name",
        "status",
        "created_at",
    )


class ApprovalTable(DrillTable):
    employee_name = tables.Column(verbose_name=_("Name"), orderable=False)
    what = tables.Column(verbose_name=_("Waiting for"), orderable=False)
    submitted_at = DateColumn(verbose_name=_("Submitted"), format="Y-m-d H:i", orderable=False)
    url = tables.Column(verbose_name=_("Link"), orderable=False)

    def render_url(self, value) -> str:
        return format_html('<a href="{}">{}</a>', value, gettext("Open"))


def _approvals(ctx: ReportContext) -> list[PendingApproval]:
    return team_approvals_for(ctx.user)


# --- The report ----------------------------------------------------------------------------------


@register_report
class TeamReport(Report):
    slug = "team"
    title = _("My team")
    description = _("Headcount, joiners and leavers, approvals, acknowledgements and requests.")
    icon = "people"
    order = 10
    uses = frozenset({"department", "location", "queue"})
    drills = {
        "members": Drill(
            "members",
            _("Team members at the end of the period"),
            lambda ctx: _people(members_on(ctx, ctx.period.end)),
            PersonTable,
        ),
        "joiners": Drill("joiners", _("Joiners"), lambda ctx: _people(joiners(ctx)), PersonTable),
        "leavers": Drill("leavers", _("Leavers"), lambda ctx: _people(leavers(ctx)), PersonTable),
        "approvals": Drill(
            "approvals",
            _("Waiting for your decision"),
            _approvals,
            ApprovalTable,
            empty=_("Nothing is waiting for you."),
        ),
        "acknowledgements": Drill(
            "acknowledgements",
            _("Policy acknowledgements due in the period"),
            lambda ctx, policy=None: _acknowledgement_rows(acknowledgement_requests(ctx), policy),
            AcknowledgementTable,
            params={"policy": int_param},
        ),
        "overdue": Drill(
            "overdue",
            _("Overdue acknowledgements"),
            lambda ctx, policy=None: _acknowledgement_rows(overdue_acknowledgements(ctx), policy),
            AcknowledgementTable,
            params={"policy": int_param},
            empty=_("Nobody in the team is late."),
        ),
        "tickets": Drill(
            "tickets",
            _("Requests raised by the team"),
            lambda ctx, request_type=None: _ticket_rows(ctx, request_type),
            TeamTicketTable,
            params={"request_type": int_param},
        ),
    }

    def visible_to(self, user: User) -> bool:
        return can_see_team(user)

    def queues(self, user: User) -> QuerySet[Queue]:
        return Queue.objects.filter(is_active=True, confidential=False).order_by("position", "name")

    def figures(self, ctx: ReportContext) -> list[Figure]:
        people = team(ctx).aggregate(
            headcount=Count(
                "pk",
                filter=Q(start_date__lte=ctx.period.end)
                & (Q(end_date__isnull=True) | Q(end_date__gt=ctx.period.end)),
            ),
            joiners=Count(
                "pk", filter=Q(start_date__gte=ctx.period.start, start_date__lte=ctx.period.end)
            ),
            leavers=Count(
                "pk", filter=Q(end_date__gte=ctx.period.start, end_date__lte=ctx.period.end)
            ),
        )
        by_policy = acknowledgements_by_policy(ctx)
        acks = {key: sum(row[key] for row in by_policy) for key in ("total", "done", "overdue")}
        note = freshness(ctx)
        return [
            Figure("headcount", _("Headcount"), people["headcount"], drill="members",
                   help=_("At the end of the period.")),
            Figure("joiners", _("Joiners"), people["joiners"], drill="joiners"),
            Figure("leavers", _("Leavers"), people["leavers"], drill="leavers"),
            Figure("waiting", _("Waiting for you"), self._waiting(ctx), drill="approvals",
                   help=_("Now, whatever the period."), comparable=False),
            Figure("ack_rate", _("Acknowledged"),
                   series.share(acks["done"], acks["total"]), unit=Unit.PERCENT,
                   drill="acknowledgements",
                   help=note or _("Of the acknowledgements due in the period.")),
            Figure("ack_overdue", _("Overdue acknowledgements"), acks["overdue"], drill="overdue"),
            Figure("tickets", _("Requests raised"), sum(raised_by_bucket(ctx)), drill="tickets",
                   help=note),
        ]  # fmt: skip

    def _waiting(self, ctx: ReportContext) -> int:
        # Counted once per page: it does not depend on the period.
        return ctx.remember("waiting", lambda: team_approval_count(ctx.user))

    def details(self, ctx: ReportContext):
        period = ctx.period
        labels = series.labels(period)
        joined = series.counts_by_bucket(team(ctx), "start_date", period, is_date=True)
        left = series.counts_by_bucket(team(ctx), "end_date", period, is_date=True)
        # The headcount at the end of each interval: the team on the day before the
        # period, plus who joined and less who left since (a member on day d started on
        # or before d and leaves after d), instead of counting the team once per interval.
        before = members_on(ctx, period.start - datetime.timedelta(days=1)).count()
        headcount = list(
            itertools.accumulate((j - n for j, n in zip(joined, left, strict=True)), initial=before)
        )[1:]
        raised = raised_by_bucket(ctx)
        charts = [
            Chart(
                "headcount",
                _("Headcount"),
                _("Bars: people in the team at the end of each interval."),
                _("Interval"),
                _("People"),
                labels,
                [Series(_("Headcount"), headcount)],
            ),
            Chart(
                "movement",
                _("Joiners and leavers"),
                _("Bars: people who joined; dashed line: people who left."),
                _("Interval"),
                _("People"),
                labels,
                [
                    Series(_("Joiners"), joined, kind="bar", css="success"),
                    Series(_("Leavers"), left, kind="line", css="danger"),
                ],
            ),
            Chart(
                "tickets",
                _("Requests raised by the team"),
                _("Bars: requests the team filed in each interval."),
                _("Interval"),
                _("Requests"),
                labels,
                [Series(_("Requests"), raised)],
            ),
        ]
        by_type = raised_by_type(ctx)
        by_policy = acknowledgements_by_policy(ctx)
        tables_ = [
            Table(
                "tickets_by_type",
                _("Requests by category"),
                [
                    Column("request_type", _("Request type")),
                    Column("queue", _("Queue")),
                    Column("n", _("Requests"), Unit.COUNT),
                ],
                [
                    {
                        "request_type": row["request_type__name"] or _("Other"),
                        "queue": row["queue__name"],
                        "n": row["n"],
                        "_drill": ("tickets", {"request_type": row["request_type_id"]}),
                    }
                    for row in by_type
                ],
            ),
            Table(
                "acknowledgements_by_policy",
                _("Acknowledgements by policy"),
                [
                    Column("policy", _("Policy")),
                    Column("total", _("Due"), Unit.COUNT),
                    Column("done", _("Acknowledged"), Unit.COUNT),
                    Column("overdue", _("Overdue"), Unit.COUNT),
                    Column("rate", _("Completion"), Unit.PERCENT),
                ],
                [
                    {
                        "policy": row["version__policy__title"],
                        "total": row["total"],
                        "done": row["done"],
                        "overdue": row["overdue"],
                        "rate": series.share(row["done"], row["total"]),
                        "_drill": ("overdue", {"policy": row["version__policy_id"]}),
                    }
                    for row in by_policy
                ],
            ),
        ]
        return charts, tables_
