"""Service desk: the work of the viewer's queues (volume in and out, backlog, SLA,
satisfaction, deflections, request types).

Who reads it: queue agents, queue leads, officers of confidential queues and desk
administrators. Only the viewer's queues count (a desk administrator's are all of them); a
confidential ticket, or any ticket of a confidential queue, counts only for an officer
cleared for that queue: membership alone, leading it or the admin role give nothing, as on
the desk itself (helpdesk.permissions). Merged duplicates never count.

Speed: the figures come from the daily rollups (ess.reports.rollups: one row per day,
queue, request type and confidentiality), so a year of a million tickets is a sum over a
few thousand rows. With the department or location filter they come from the requesters'
rollup, the same rows again per department and location of the people who filed the
tickets. The backlog is always live: it is "now", and the open-work index holds only
unfinished tickets.

Drill-down lists never show a subject or a description: the reference, request type,
queue, status, priority, dates and assignee say enough, for confidential cases too.
"""

import datetime
from dataclasses import dataclass
from functools import reduce
from operator import or_

import django_tables2 as tables
from django.db.models import BooleanField as BooleanOutput
from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ess.accounts.models import User
from ess.portal.charts import Series
from ess.reports import rollups, series
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
from ess.reports.columns import ChoiceColumn, DateColumn, DrillTable, PersonColumn, ReferenceColumn
from ess.reports.models import (
    TicketAgentDay,
    TicketDay,
    TicketRequesterAgentDay,
    TicketRequesterDay,
)
from helpdesk.models import (
    Deflection,
    Queue,
    RequestType,
    Ticket,
    unfinished_index_condition,
)
from helpdesk.permissions import desk_access, is_desk_admin
from hr.models import Employee

TOP_REQUEST_TYPES = 10
# Age bands of the backlog: (key, label, older than (days), at most (days)).
AGE_BANDS = (
    ("1d", _("Less than a day"), 0, 1),
    ("3d", _("1 to 3 days"), 1, 3),
    ("7d", _("3 to 7 days"), 3, 7),
    ("30d", _("7 to 30 days"), 7, 30),
    ("older", _("More than 30 days"), 30, None),
)

# --- Scope ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeskScope:
    """The queues whose work a viewer may count."""

    plain: frozenset[int] = frozenset()  # their normal tickets count
    cleared: frozenset[int] = frozenset()  # every ticket counts, confidential ones too
    # Deflections outside any request type belong to no queue: administrators only.
    unqueued: bool = False
    # Works on the desk at all (a member of only a confidential queue, without the grant,
    # may read the report and finds nothing counted).
    desk_worker: bool = False

    @property
    def queue_ids(self) -> frozenset[int]:
        return self.plain | self.cleared

    def narrowed(self, queue: Queue | None) -> "DeskScope":
        if queue is None:
            return self
        only = frozenset({queue.pk})
        return DeskScope(
            plain=self.plain & only, cleared=self.cleared & only, desk_worker=self.desk_worker
        )

    def ticket_filter(self, queue: str = "queue_id") -> Q:
        """Plain tickets of the plain queues, every ticket of the cleared ones. Written as
        one queue range and a test on each row rather than an OR of the two: SQLite cannot
        read an OR of two index ranges in order, so a list sorted newest first would sort
        the whole year before showing 50 rows."""
        return Q(**{f"{queue}__in": sorted(self.plain | self.cleared)}) & (
            Q(confidential=False) | Q(**{f"{queue}__in": sorted(self.cleared)})
        )

    def rollup_filter(self) -> Q:
        # Rollup rows carry "confidential" for confidential tickets and for every ticket of
        # a queue that was confidential when counted; `plain` leaves out queues that are
        # confidential now, so a queue made confidential later hides its past too.
        condition = self.ticket_filter()
        if self.unqueued:
            condition |= Q(queue__isnull=True)
        return condition

    def deflection_filter(self) -> Q:
        parts = [
            Q(
                request_type__queue_id__in=sorted(self.plain),
                request_type__queue__confidential=False,
            ),
            Q(request_type__queue_id__in=sorted(self.cleared)),
        ]
        if self.unqueued:
            parts.append(Q(request_type__isnull=True))
        return reduce(or_, parts)


def viewer_scope(user: User) -> DeskScope:
    """The viewer's queues: member, lead or officer (all of them for a desk administrator).
    Two statements, kept on the user object for the rest of the request (the report asks
    for it to decide access, the queue filter and every figure)."""
    cached = getattr(user, "_desk_report_scope", None)
    if cached is not None:
        return cached
    scope = DeskScope()
    if user.is_authenticated and user.is_active:
        access = desk_access(user)
        admin = is_desk_admin(user)
        queues = Queue.objects.values_list("pk", "confidential", "lead_id")
        mine = {
            pk
            for pk, _confidential, lead_id in queues
            if admin
            or pk in access.member_queue_ids
            or pk in access.officer_queue_ids
            or lead_id == user.pk
        }
        confidential = {pk for pk, secret, _lead in queues if secret}
        scope = DeskScope(
            plain=frozenset(mine - confidential),
            cleared=frozenset(access.officer_queue_ids),
            unqueued=admin,
            desk_worker=admin or bool(mine),
        )
    user._desk_report_scope = scope
    return scope


def scope(ctx: ReportContext) -> DeskScope:
    return viewer_scope(ctx.user).narrowed(ctx.filters.queue)


def by_requester(ctx: ReportContext) -> bool:
    """Narrowed to the people who filed the tickets: the requesters' rollup counts these."""
    return ctx.filters.department is not None or ctx.filters.location is not None


def grain(ctx: ReportContext) -> rollups.Grain:
    return rollups.REQUESTERS if by_requester(ctx) else rollups.DESK


def _requesters_slice(ctx: ReportContext) -> Q:
    """The requesters' rollup rows of the department and location filters."""
    condition = Q()
    if ctx.filters.department is not None:
        condition &= Q(department=ctx.filters.department)
    if ctx.filters.location is not None:
        condition &= Q(location=ctx.filters.location)
    return condition


def _by_requesters(ctx: ReportContext, tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Tickets filed by people of the department and location filters. A subquery of the
    people, so the database starts from them (the requester index) rather than from
    every ticket of the queue."""
    if not by_requester(ctx):
        return tickets
    people = Employee.objects.all()
    if ctx.filters.department is not None:
        people = people.filter(department=ctx.filters.department)
    if ctx.filters.location is not None:
        people = people.filter(location=ctx.filters.location)
    return tickets.filter(requester_id__in=people.values("user_id"))


def scoped_tickets(ctx: ReportContext, *, queue_index: bool = True) -> QuerySet[Ticket]:
    """Every ticket the viewer may count, narrowed by the filters (but not by the period).
    `queue_index=False` when a better index than the queue's should lead."""
    tickets = rollups.counted_tickets()
    if queue_index and not by_requester(ctx):
        return tickets.filter(scope(ctx).ticket_filter())
    # The queue test as an expression no index serves: SQLite would otherwise walk the
    # queue's index (half a million tickets for IT) instead of the requesters' tickets
    # or the day's own index.
    tickets = tickets.annotate(_queue=F("queue_id") + 0)
    return _by_requesters(ctx, tickets.filter(scope(ctx).ticket_filter("_queue")))


def rollup_days(ctx: ReportContext) -> QuerySet[TicketDay | TicketRequesterDay]:
    period = ctx.period
    return grain(ctx).day_model.objects.filter(
        scope(ctx).rollup_filter(),
        _requesters_slice(ctx),
        day__gte=period.start,
        day__lte=period.end,
    )


def rollup_agent_days(ctx: ReportContext) -> QuerySet[TicketAgentDay | TicketRequesterAgentDay]:
    period = ctx.period
    return grain(ctx).agent_model.objects.filter(
        scope(ctx).ticket_filter(),
        _requesters_slice(ctx),
        day__gte=period.start,
        day__lte=period.end,
    )


def scoped_deflections(ctx: ReportContext) -> QuerySet[Deflection]:
    if by_requester(ctx):
        return Deflection.objects.none()  # anonymous: no department, no location
    return series.in_period(
        Deflection.objects.filter(scope(ctx).deflection_filter()), "created_at", ctx.period
    )


def unfinished_tickets(ctx: ReportContext) -> QuerySet[Ticket]:
    """Open work now, counted from the small partial index of open tickets by filing time
    (hd_ticket_open_age). The unfinished statuses are stated only as the index's literal
    condition: a second, bound `status IN (…)` would make SQLite read every row to check
    it. Merged duplicates are closed when merged, so they are never in it."""
    tickets = Ticket.objects.filter(scope(ctx).ticket_filter())
    return _by_requesters(ctx, tickets.filter(unfinished_index_condition()))


def _age_condition(key: str, now: datetime.datetime) -> Q:
    for band, _label, older, at_most in AGE_BANDS:
        if band == key:
            condition = Q(created_at__lte=now - datetime.timedelta(days=older)) if older else Q()
            if at_most is not None:
                condition &= Q(created_at__gt=now - datetime.timedelta(days=at_most))
            return condition
    raise ValueError(key)


def backlog(ctx: ReportContext) -> dict[str, int]:
    """Unfinished tickets now, in total and per age band; one query, once per page."""

    def compute() -> dict[str, int]:
        now = timezone.now()
        return unfinished_tickets(ctx).aggregate(
            total=Count("pk"),
            **{key: Count("pk", filter=_age_condition(key, now)) for key, *_rest in AGE_BANDS},
        )

    return ctx.remember("backlog", compute)


# --- Totals --------------------------------------------------------------------------------------

SUMS = {name: Sum(name) for name in rollups.COUNT_FIELDS}


def totals(ctx: ReportContext) -> dict[str, int | None]:
    """The period's counts (see ess.reports.rollups for what each means); no deflections
    for a department or location, as they are anonymous."""
    result: dict = _summed(rollup_groups(ctx))
    if by_requester(ctx):
        result["deflections"] = None
    return result


def _names(ctx: ReportContext) -> tuple[dict[int, str], dict[int, str]]:
    """Every queue's and request type's name, read once per page (a few dozen rows)."""
    return ctx.remember(
        "names",
        lambda: (
            dict(Queue.objects.values_list("pk", "name")),
            dict(RequestType.objects.values_list("pk", "name")),
        ),
    )


def rollup_groups(ctx: ReportContext) -> list[dict]:
    """The period's rollup summed per queue and request type: one GROUP BY that the
    figures, the table by queue and the top request types all fold (a few dozen rows).
    Grouped by ids alone: the names are filled in afterwards rather than joined to each
    of the year's rows."""

    def compute() -> list[dict]:
        queues, request_types = _names(ctx)
        rows = rollup_days(ctx).order_by().values("queue_id", "request_type_id").annotate(**SUMS)
        return [
            {
                **row,
                "queue__name": queues.get(row["queue_id"]),
                "request_type__name": request_types.get(row["request_type_id"]),
                **{name: row[name] or 0 for name in rollups.COUNT_FIELDS},
            }
            for row in rows
        ]

    return ctx.remember(f"rollup_groups:{ctx.period}", compute)


def _summed(rows: list[dict]) -> dict[str, int]:
    return {name: sum(row[name] for row in rows) for name in rollups.COUNT_FIELDS}


def _folded(rows: list[dict], *keys: str) -> list[dict]:
    """Rows summed per value of `keys`."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(row[key] for key in keys), []).append(row)
    return [
        {**dict(zip(keys, values, strict=True)), **_summed(members)}
        for values, members in groups.items()
    ]


def _average_hours(seconds, count) -> float | None:
    return seconds / count / 3600 if count else None


def _average(total, count) -> float | None:
    return total / count if count else None


def _deflection_rate(counts: dict) -> float | None:
    if counts["deflections"] is None:
        return None
    return series.share(counts["deflections"], counts["deflections"] + counts["created"])


def freshness(ctx: ReportContext) -> str:
    """A note when the rollup lags (or never ran); "" when the figures are current."""
    return ctx.remember("freshness", lambda: rollups.rollup_note(rollups.last_refresh(grain(ctx))))


# --- Drill-down tables ---------------------------------------------------------------------------


class DeskTicketTable(DrillTable):
    reference = ReferenceColumn()
    request_type = tables.Column(
        verbose_name=_("Request type"), accessor="request_type__name", default="-"
    )
    queue = tables.Column(verbose_name=_("Queue"), accessor="queue__name")
    status = ChoiceColumn(verbose_name=_("Status"))
    priority = ChoiceColumn(verbose_name=_("Priority"))
    created_at = DateColumn(verbose_name=_("Opened"), format="Y-m-d H:i")
    resolved_at = DateColumn(verbose_name=_("Resolved"), format="Y-m-d H:i")
    assignee = PersonColumn("assignee", verbose_name=_("Assignee"))

    class Meta:
        orderable = True
        order_by = ("-created_at",)


def _yes_no(value) -> str:
    return gettext("Yes") if value else gettext("No")


class ResolvedTicketTable(DeskTicketTable):
    class Meta(DeskTicketTable.Meta):
        order_by = ("-resolved_at",)


class AnsweredTicketTable(DeskTicketTable):
    first_responded_at = DateColumn(verbose_name=_("First answer"), format="Y-m-d H:i")

    class Meta(DeskTicketTable.Meta):
        order_by = ("-first_responded_at",)


class SlaTicketTable(DeskTicketTable):
    # The moment the target's outcome was known: the day the measure counts it on.
    outcome_at = DateColumn(
        verbose_name=_("Outcome known"), format="Y-m-d H:i", accessor="_outcome_at"
    )
    met = tables.Column(verbose_name=_("Target met"), accessor="_met")

    class Meta(DeskTicketTable.Meta):
        order_by = ("-outcome_at",)

    def render_met(self, value) -> str:
        return _yes_no(value)

    def value_met(self, value) -> str:
        return _yes_no(value)


class RatedTicketTable(DeskTicketTable):
    rating = tables.Column(verbose_name=_("Rating"))
    rated_at = DateColumn(verbose_name=_("Rated"), format="Y-m-d H:i")

    class Meta(DeskTicketTable.Meta):
        order_by = ("-rated_at",)


TICKET_FIELDS = (
    "request_type__name",
    "queue__name",
    "status",
    "priority",
    "created_at",
    "resolved_at",
    "assignee__first_name",
    "assignee__last_name",
)

MET = {
    "response": rollups.RESPONSE_MET,
    "resolution": rollups.RESOLUTION_MET,
}


def _drill_tickets(
    ctx: ReportContext,
    measure: str,
    *,
    request_type: int | None = None,
    in_queue: int | None = None,
    assignee: int | None = None,
    met: str | None = None,
) -> QuerySet[Ticket]:
    counted = rollups.MEASURES[measure]
    tickets = scoped_tickets(ctx, queue_index=not counted.day_index_first)
    rows = counted.tickets(tickets, ctx.period)
    if not by_requester(ctx):
        rows = rows.filter(counted.index_hint)
    if request_type is not None:
        rows = rows.filter(request_type_id=request_type)
    if in_queue is not None:
        rows = rows.filter(queue_id=in_queue)
    if assignee is not None:
        rows = rows.filter(assignee_id=assignee)
    fields = list(TICKET_FIELDS)
    if measure in MET:
        condition = MET[measure]
        rows = rows.annotate(
            _met=Case(
                When(condition, then=Value(True)),
                default=Value(False),
                output_field=BooleanOutput(),
            )
        )
        if met == "yes":
            rows = rows.filter(condition)
        elif met == "no":
            rows = rows.exclude(condition)
        rows = rows.annotate(_outcome_at=F(counted.day_alias))
    if measure == "rated":
        fields += ["rating", "rated_at"]
    if measure == "responded":
        fields.append("first_responded_at")
    return rows.select_related("request_type", "queue", "assignee").only(*fields)


def _drill_backlog(ctx: ReportContext, age: str | None = None) -> QuerySet[Ticket]:
    rows = unfinished_tickets(ctx)
    if age is not None:
        rows = rows.filter(_age_condition(age, timezone.now()))
    return rows.select_related("request_type", "queue", "assignee").only(*TICKET_FIELDS)


class DeflectionTable(DrillTable):
    created_at = DateColumn(verbose_name=_("When"), format="Y-m-d H:i")
    request_type = tables.Column(
        verbose_name=_("Request type"), accessor="request_type__name", default="-"
    )
    queue = tables.Column(
        verbose_name=_("Queue"), accessor="request_type__queue__name", default="-"
    )
    doc_type = tables.Column(verbose_name=_("Kind of article"))
    doc_key = tables.Column(verbose_name=_("Article"))

    class Meta:
        orderable = True
        order_by = ("-created_at",)


def _drill_deflections(ctx: ReportContext, request_type: int | None = None):
    rows = scoped_deflections(ctx)
    if request_type is not None:
        rows = rows.filter(request_type_id=request_type)
    # Who it was is a one-way hash, and the words they searched for stay out of lists.
    return rows.select_related("request_type__queue").only(
        "created_at", "request_type__name", "request_type__queue__name", "doc_type", "doc_key"
    )


TICKET_PARAMS = {"request_type": int_param, "in_queue": int_param, "assignee": int_param}
SLA_PARAMS = {**TICKET_PARAMS, "met": choice_param("yes", "no")}


def _ticket_drill(key: str, title, measure: str, table=DeskTicketTable, params=None) -> Drill:
    return Drill(
        key,
        title,
        lambda ctx, **found: _drill_tickets(ctx, measure, **found),
        table,
        params=params or TICKET_PARAMS,
    )


# --- The report ----------------------------------------------------------------------------------


@register_report
class DeskReport(Report):
    slug = "desk"
    title = _("Service desk")
    description = _(
        "Tickets in and out, backlog, SLA attainment, satisfaction, deflections and request types."
    )
    icon = "headset"
    order = 30
    uses = frozenset({"department", "location", "queue"})
    drills = {
        "created": _ticket_drill("created", _("Tickets filed"), "created"),
        "resolved": _ticket_drill(
            "resolved", _("Tickets resolved"), "resolved", ResolvedTicketTable
        ),
        "response": _ticket_drill(
            "response",
            _("First-response targets measured"),
            "response",
            SlaTicketTable,
            SLA_PARAMS,
        ),
        "resolution": _ticket_drill(
            "resolution",
            _("Resolution targets measured"),
            "resolution",
            SlaTicketTable,
            SLA_PARAMS,
        ),
        "responded": _ticket_drill(
            "responded", _("Tickets first answered"), "responded", AnsweredTicketTable
        ),
        "rated": _ticket_drill("rated", _("Rated tickets"), "rated", RatedTicketTable),
        "backlog": Drill(
            "backlog",
            _("Unfinished tickets now"),
            _drill_backlog,
            DeskTicketTable,
            params={"age": choice_param(*(band for band, *_rest in AGE_BANDS))},
            empty=_("Nothing is waiting."),
        ),
        "deflections": Drill(
            "deflections",
            _("Answers found instead of filing"),
            _drill_deflections,
            DeflectionTable,
            params={"request_type": int_param},
            empty=_("No deflections here (they are anonymous, so no department or location)."),
        ),
    }

    def visible_to(self, user: User) -> bool:
        return viewer_scope(user).desk_worker

    def queues(self, user: User) -> QuerySet[Queue]:
        return Queue.objects.filter(pk__in=sorted(viewer_scope(user).queue_ids)).order_by(
            "position", "name"
        )

    def figures(self, ctx: ReportContext) -> list[Figure]:
        counts = totals(ctx)
        waiting = backlog(ctx)
        note = freshness(ctx)
        return [
            Figure("tickets_in", _("Tickets in"), counts["created"], drill="created",
                   help=note or _("Filed in the period.")),
            Figure("tickets_out", _("Tickets out"), counts["resolved"], drill="resolved",
                   help=_("Resolved in the period.")),
            Figure("backlog", _("Backlog now"), waiting["total"], drill="backlog",
                   help=_("Unfinished now, whatever the period."), comparable=False),
            Figure("response_sla", _("First response within target"),
                   series.share(counts["response_met"], counts["response_measured"]),
                   unit=Unit.PERCENT, drill="response",
                   help=_("Of the first-response targets met or missed in the period.")),
            Figure("resolution_sla", _("Resolution within target"),
                   series.share(counts["resolution_met"], counts["resolution_measured"]),
                   unit=Unit.PERCENT, drill="resolution",
                   help=_("Of the resolution targets met or missed in the period.")),
            Figure("response_hours", _("Average first response"),
                   _average_hours(counts["response_seconds"], counts["responded"]),
                   unit=Unit.HOURS, drill="responded",
                   help=_("From filing to the first answer, in clock hours.")),
            Figure("csat", _("Satisfaction"), _average(counts["rating_sum"], counts["rated"]),
                   unit=Unit.SCORE, drill="rated",
                   help=_("Average rating (1 to 5) given in the period.")),
            Figure("deflections", _("Deflections"), counts["deflections"], drill="deflections",
                   help=_("Answers found in the knowledge base instead of filing.")),
            Figure("deflection_rate", _("Deflection rate"), _deflection_rate(counts),
                   unit=Unit.PERCENT, drill="deflections",
                   help=_("Deflections out of deflections and tickets filed.")),
        ]  # fmt: skip

    def details(self, ctx: ReportContext):
        charts = self._charts(ctx)
        note = freshness(ctx)
        tables_ = [
            self._backlog_table(ctx),
            self._queue_table(ctx, note),
            self._agent_table(ctx, note),
            self._request_type_table(ctx, note),
        ]
        return charts, tables_

    # -- charts ------------------------------------------------------------------------------

    def _bucket_counts(self, ctx: ReportContext) -> dict[str, list]:
        period = ctx.period
        names = ("created", "resolved", "response_met", "response_measured")
        names += ("resolution_met", "resolution_measured")
        # Summed per day by the database (at most 731 rows), then per bucket here:
        # SQLite truncates dates to weeks or months with a Python function per row,
        # which at a year of every queue's rollup cost more than the rest of the page.
        days = rollup_days(ctx).order_by().values("day").annotate(**{n: Sum(n) for n in names})
        buckets: dict = {}
        for row in days:
            bucket = buckets.setdefault(period.bucket_of(row["day"]), dict.fromkeys(names, 0))
            for name in names:
                bucket[name] += row[name] or 0
        return {name: series.fill(buckets, period, name) for name in names}

    def _charts(self, ctx: ReportContext) -> list[Chart]:
        labels = series.labels(ctx.period)
        counts = self._bucket_counts(ctx)
        return [
            Chart(
                "volume",
                _("Tickets in and out"),
                _("Bars: tickets filed in each interval; line: tickets resolved."),
                _("Interval"),
                _("Tickets"),
                labels,
                [
                    Series(_("In"), counts["created"], kind="bar"),
                    Series(_("Out"), counts["resolved"], kind="line", css="success"),
                ],
            ),
            Chart(
                "sla",
                _("SLA attainment"),
                _(
                    "Lines: share of first-response and of resolution targets met, of those "
                    "met or missed in each interval."
                ),
                _("Interval"),
                _("Within target"),
                labels,
                [
                    Series(
                        _("First response"),
                        series.shares(counts["response_met"], counts["response_measured"]),
                        kind="line",
                    ),
                    Series(
                        _("Resolution"),
                        series.shares(counts["resolution_met"], counts["resolution_measured"]),
                        kind="line",
                        css="success",
                    ),
                ],
                percent=True,
            ),
        ]

    # -- tables ------------------------------------------------------------------------------

    def _backlog_table(self, ctx: ReportContext) -> Table:
        waiting = backlog(ctx)
        return Table(
            "backlog_by_age",
            _("Backlog by age"),
            [Column("age", _("Open for")), Column("n", _("Tickets"), Unit.COUNT)],
            [
                {"age": label, "n": waiting[key], "_drill": ("backlog", {"age": key})}
                for key, label, *_rest in AGE_BANDS
            ],
            note=_("Unfinished tickets now, by the time since they were filed."),
        )

    def _queue_rows(self, ctx: ReportContext) -> list[dict]:
        queued = [row for row in rollup_groups(ctx) if row["queue_id"] is not None]
        rows = _folded(queued, "queue_id", "queue__name")
        return sorted(rows, key=lambda row: row["queue__name"])

    def _queue_table(self, ctx: ReportContext, note: str) -> Table:
        return Table(
            "by_queue",
            _("By queue"),
            [
                Column("queue", _("Queue")),
                Column("created", _("In"), Unit.COUNT),
                Column("resolved", _("Out"), Unit.COUNT),
                Column("response", _("First response within target"), Unit.PERCENT),
                Column("resolution", _("Resolution within target"), Unit.PERCENT),
                Column("rated", _("Ratings"), Unit.COUNT),
                Column("csat", _("Satisfaction"), Unit.SCORE),
            ],
            [
                {
                    "queue": row["queue__name"],
                    "created": row["created"] or 0,
                    "resolved": row["resolved"] or 0,
                    "response": series.share(row["response_met"], row["response_measured"]),
                    "resolution": series.share(row["resolution_met"], row["resolution_measured"]),
                    "rated": row["rated"] or 0,
                    "csat": _average(row["rating_sum"], row["rated"]),
                    "_drill": ("created", {"in_queue": row["queue_id"]}),
                }
                for row in self._queue_rows(ctx)
            ],
            note=note,
        )

    def _agent_table(self, ctx: ReportContext, note: str) -> Table:
        name_fields = ("assignee_id", "assignee__first_name", "assignee__last_name")
        rows = (
            rollup_agent_days(ctx)
            .order_by()
            .values(*name_fields)
            .annotate(rated=Sum("rated"), rating_sum=Sum("rating_sum"))
        )
        rows = sorted(
            rows, key=lambda row: (-(row["rated"] or 0), row["assignee__last_name"] or "")
        )
        return Table(
            "csat_by_agent",
            _("Satisfaction by agent"),
            [
                Column("agent", _("Agent")),
                Column("rated", _("Ratings"), Unit.COUNT),
                Column("csat", _("Average rating"), Unit.SCORE),
            ],
            [
                {
                    "agent": " ".join(
                        part
                        for part in (row["assignee__first_name"], row["assignee__last_name"])
                        if part
                    )
                    or gettext("Nobody assigned"),
                    "rated": row["rated"],
                    "csat": _average(row["rating_sum"], row["rated"]),
                    "_drill": ("rated", {"assignee": row["assignee_id"]})
                    if row["assignee_id"]
                    else ("rated", {}),
                }
                for row in rows
            ],
            note=note,
        )

    def _request_type_table(self, ctx: ReportContext, note: str) -> Table:
        name_fields = ("request_type_id", "request_type__name", "queue__name")
        queued = [row for row in rollup_groups(ctx) if row["queue_id"] is not None]
        folded = [row for row in _folded(queued, *name_fields) if row["created"]]
        rows = sorted(
            folded,
            key=lambda row: (-row["created"], row["request_type__name"] or ""),
        )[:TOP_REQUEST_TYPES]
        columns = [
            Column("request_type", _("Request type")),
            Column("queue", _("Queue")),
            Column("created", _("Tickets in"), Unit.COUNT),
        ]
        if not by_requester(ctx):
            columns.append(Column("deflections", _("Deflections"), Unit.COUNT))
        return Table(
            "request_types",
            _("Top request types"),
            columns,
            [
                {
                    "request_type": row["request_type__name"] or gettext("Other"),
                    "queue": row["queue__name"],
                    "created": row["created"] or 0,
                    "deflections": row.get("deflections") or 0,
                    **(
                        {"_drill": ("created", {"request_type": row["request_type_id"]})}
                        if row["request_type_id"]
                        else {}
                    ),
                }
                for row in rows
            ],
            note=note,
        )
