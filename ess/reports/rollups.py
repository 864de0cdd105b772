"""Daily counts of the service desk, kept so the Service desk report never groups a million
tickets while someone waits.

One `TicketDay` row per (day in the report zone, queue, request type, confidential) holds
what happened that day; one `TicketAgentDay` row per (day, queue, confidential, assignee)
the ratings, for satisfaction per agent. `TicketRequesterDay` and `TicketRequesterAgentDay`
hold the same again per department and location of the requesters (the `Grain`s), for the
report's department and location filters. A beat job recounts the last two days every ten
minutes; `manage.py reports_rollup --all` recounts everything; the requesters' rollup is
recounted whole when people changed department or location. Each recount replaces whole
days (delete, then insert, in one short transaction), so running it twice, or on two
workers at once, leaves the same rows.

Every count is defined once, in `MEASURES`, and used three ways: grouped per day for the
rollups, summed over a period from the tickets (`live_totals`, which the tests hold the
rollups to) and as the rows of the report's drill-down lists. So the rollups and the
tickets cannot drift apart in what they mean.

What the counts mean (a ticket merged into another is never counted: it is the same work):

- created: filed that day.
- resolved: resolved that day (`resolved_at`; a reopened ticket loses it and counts again
  on the day it is resolved again).
- response_measured / response_met: the first-response target, counted on the day its
  outcome became known. A ticket is *measured* once it breached (the SLA sweep stamped
  `response_breached_at`) or was answered while it had a due time. It *met* the target when
  the first public answer came no later than `first_response_due_at` and the sweep never
  stamped a breach. The day is that of the breach if there was one (a breach is always
  stamped before the late answer), else of the answer. Tickets without an SLA target (no
  due time, never breached) are not measured: they are not in either count.
- resolution_measured / resolution_met: the same for the resolution target, with
  `resolution_breached_at`, `resolved_at` and `resolution_due_at` (which the SLA clock keeps
  when it stops, precisely so that this comparison can be made).
- responded / response_seconds: tickets first answered that day, and the wall-clock
  seconds from filing to that answer (for the average first-response time; business hours
  and pauses are not taken out).
- rated / rating_sum: satisfaction ratings given that day, and their sum (average = sum /
  rated).
- deflections: "this solved it" clicks that day, under the request type's queue (and no
  queue for clicks outside any request type).
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext

from ess.reports.models import (
    RollupRun,
    TicketAgentDay,
    TicketDay,
    TicketRequesterAgentDay,
    TicketRequesterDay,
)
from ess.reports.periods import Period, report_today, report_zone
from helpdesk.models import Deflection, Queue, Status, Ticket
from hr.models import Employee

ROLLUP_NAME = "ticket_days"
REQUESTERS_NAME = "ticket_requester_days"
SETTLED_NAME = "ticket_days_settled"
# Once a night the beat job recounts this many days (a full read of the tickets per
# measure: seconds at a million tickets, at night).
SETTLE_DAYS = 35
SETTLE_HOUR = 3
# The beat job recounts this many days (today and yesterday): late changes to a day
# (a reply just after midnight) land on the day before at most.
RECENT_DAYS = 2
# A full rebuild writes a month at a time, so no transaction holds the database for long.
CHUNK_DAYS = 31
# A recount of fewer days first finds the tickets they touch (see `_touched`), up to this
# many (SQLite takes 32,766 parameters in one statement).
TOUCHED_DAYS = 62
TOUCHED_MAX = 30_000
# The beat job recounts every ten minutes; older than this, a report says how old.
ROLLUP_LAG = datetime.timedelta(minutes=15)


@dataclass(frozen=True)
class Measure:
    """Tickets counted on the day of `day` (a field or an expression), where `condition`
    holds; `aggregates` are the counts it contributes, each made for a window (or none)."""

    name: str
    day: Any  # a field name or an expression
    condition: Q
    aggregates: dict = field(default_factory=dict)
    # A condition that changes nothing but lets an index serve the day's range in lists
    # of a queue: "every status" turns (queue, status, created_at) into a few range scans.
    # Not for the requesters' lists: their own index is better, and the hint would tempt
    # the planner away from it.
    index_hint: Q = field(default_factory=Q)
    # Lists walk the index of their day (newest first, see the ticket model's indexes)
    # rather than the queue's.
    day_index_first: bool = True

    @property
    def day_alias(self) -> str:
        return f"_{self.name}_at"

    def annotate(self, tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
        day = F(self.day) if isinstance(self.day, str) else self.day
        return tickets.annotate(**{self.day_alias: day})

    def in_range(self, start: datetime.datetime, after: datetime.datetime) -> Q:
        return self.condition & Q(
            **{f"{self.day_alias}__gte": start, f"{self.day_alias}__lt": after}
        )

    def grouped(self) -> dict:
        return {name: make() for name, make in self.aggregates.items()}

    def tickets(self, tickets: QuerySet[Ticket], period: Period) -> QuerySet[Ticket]:
        """The tickets this measure counts in the period (for drill-down lists)."""
        return self.annotate(tickets).filter(self.in_range(*period.bounds()))


RESPONSE_MEASURED = Q(response_breached_at__isnull=False) | Q(
    first_responded_at__isnull=False, first_response_due_at__isnull=False
)
RESPONSE_MET = Q(
    response_breached_at__isnull=True,
    first_responded_at__isnull=False,
    first_response_due_at__isnull=False,
    first_responded_at__lte=F("first_response_due_at"),
)
RESOLUTION_MEASURED = Q(resolution_breached_at__isnull=False) | Q(
    resolved_at__isnull=False, resolution_due_at__isnull=False
)
RESOLUTION_MET = Q(
    resolution_breached_at__isnull=True,
    resolved_at__isnull=False,
    resolution_due_at__isnull=False,
    resolved_at__lte=F("resolution_due_at"),
)
RESPONSE_TIME = ExpressionWrapper(
    F("first_responded_at") - F("created_at"), output_field=DurationField()
)


def _both(first: Q | None, second: Q | None) -> Q | None:
    if first is None or second is None:
        return first if second is None else second
    return first & second


def counting(condition: Q | None = None):
    """A count of tickets (where `condition` holds), for any further window."""
    return lambda window=None: Count("pk", filter=_both(window, condition))


def summing(expression):
    return lambda window=None: Sum(expression, filter=window)


EVERY_STATUS = Q(status__in=Status.values)

MEASURES = {
    measure.name: measure
    for measure in (
        Measure(
            "created",
            "created_at",
            Q(),
            {"created": counting()},
            EVERY_STATUS,
            day_index_first=False,
        ),
        Measure(
            "resolved",
            "resolved_at",
            Q(resolved_at__isnull=False),
            {"resolved": counting()},
        ),
        Measure(
            "response",
            Coalesce("response_breached_at", "first_responded_at"),
            RESPONSE_MEASURED,
            {
                "response_measured": counting(),
                "response_met": counting(RESPONSE_MET),
            },
        ),
        Measure(
            "responded",
            "first_responded_at",
            Q(first_responded_at__isnull=False),
            {"responded": counting(), "response_time": summing(RESPONSE_TIME)},
        ),
        Measure(
            "resolution",
            Coalesce("resolution_breached_at", "resolved_at"),
            RESOLUTION_MEASURED,
            {
                "resolution_measured": counting(),
                "resolution_met": counting(RESOLUTION_MET),
            },
        ),
        Measure(
            "rated",
            "rated_at",
            Q(rating__isnull=False, rated_at__isnull=False),
            {"rated": counting(), "rating_sum": summing("rating")},
        ),
    )
}

COUNT_FIELDS = (
    "created",
    "resolved",
    "response_measured",
    "response_met",
    "responded",
    "response_seconds",
    "resolution_measured",
    "resolution_met",
    "rated",
    "rating_sum",
    "deflections",
)


def counted_tickets() -> QuerySet[Ticket]:
    """Every ticket the desk's figures count: merged duplicates are the same work.

    Written so no index can serve it: nearly every ticket is unmerged, and SQLite, which
    keeps no statistics here, would otherwise walk the merged_into index for all of them
    (four times slower than reading the table) instead of a better index or a scan."""
    unmerged = Coalesce("merged_into_id", Value(0), output_field=IntegerField())
    return Ticket.objects.filter(Exact(unmerged, 0))


def _secret() -> Case:
    """Confidential: the ticket says so, or its queue is a confidential one (the few
    confidential queues are read first, so no row joins the queue table)."""
    secret_queues = list(Queue.objects.filter(confidential=True).values_list("pk", flat=True))
    return Case(
        When(Q(confidential=True) | Q(queue_id__in=secret_queues), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def _opaque(column: str) -> ExpressionWrapper:
    """A column to group by, as an expression no index can serve. Grouped by bare columns,
    SQLite walks the (queue, …) or request-type index to save a sort and looks up every
    row from it: at a million tickets 30 s instead of under a second for a plain read of
    the table. PostgreSQL reads the table either way."""
    return ExpressionWrapper(Coalesce(column, Value(0)) + 0, output_field=IntegerField())


def _id_or_none(value: int) -> int | None:
    return value or None


def _seconds(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.timedelta):
        return int(value.total_seconds())
    return int(value) // 1_000_000  # microseconds, as some backends sum durations


# --- Live totals (what the tests hold the rollups to) -----------------------------------------


def _windowed(tickets: QuerySet[Ticket], period: Period) -> tuple[QuerySet[Ticket], dict]:
    """The tickets with every measure's day, and each count limited to the period. Every
    stamp is at or after filing, so tickets filed after the period are left out first."""
    start, after = period.bounds()
    annotated = tickets.filter(created_at__lt=after)
    aggregates = {}
    for measure in MEASURES.values():
        annotated = measure.annotate(annotated)
        window = measure.in_range(start, after)
        for name, make in measure.aggregates.items():
            aggregates[name] = make(window)
    return annotated, aggregates


def live_totals(tickets: QuerySet[Ticket], period: Period) -> dict[str, int]:
    """The rollup's counts for `tickets` over the period, from the tickets, in one query."""
    annotated, aggregates = _windowed(tickets, period)
    return _normalised(annotated.aggregate(**aggregates))


def _normalised(row: dict) -> dict[str, int]:
    result = {name: int(row.get(name) or 0) for name in COUNT_FIELDS if name in row}
    result["response_seconds"] = _seconds(row.get("response_time"))
    result.setdefault("deflections", 0)
    return result


# --- Building the rollup ---------------------------------------------------------------------

Counts = dict[
    tuple, dict
]  # {(day, queue, request type, confidential[, department, location]): {…}}


@dataclass(frozen=True)
class Grain:
    """What one rollup counts per: day, queue, request type and confidentiality, and with
    `by_requester` also the requesters' department and location as they are today (for the
    report's department and location filters). Tickets of people without an employee
    record have neither, so they are not in the requesters' rollup; deflections are
    anonymous, so they are in the desk's only."""

    name: str
    day_model: type
    agent_model: type
    by_requester: bool

    @property
    def keys(self) -> tuple[str, ...]:
        return ("_department", "_location") if self.by_requester else ()

    def people(self, key) -> dict:
        """The model fields of the requesters' part of a key (nothing for the desk's)."""
        if not self.by_requester:
            return {}
        department, location = key
        return {"department_id": department, "location_id": location}


DESK = Grain(ROLLUP_NAME, TicketDay, TicketAgentDay, by_requester=False)
REQUESTERS = Grain(REQUESTERS_NAME, TicketRequesterDay, TicketRequesterAgentDay, by_requester=True)
GRAINS = (DESK, REQUESTERS)


def org_fingerprint() -> str:
    """A digest of who reports to whom, in which department and location. Rollups counted
    per requester's department, location or manager as they are today are recounted whole
    when it changes: a person who moves takes their history with them, as on a live count."""
    digest = hashlib.sha256()
    rows = Employee.objects.order_by("pk").values_list(
        "pk", "user_id", "org_path", "department_id", "location_id"
    )
    for row in rows.iterator(chunk_size=5000):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _measured(
    measure: Measure, bounds, touched: list[int] | None = None, grain: Grain = DESK
) -> QuerySet[Ticket]:
    """The measure's tickets, with their day in the report zone; all of them without bounds.
    `touched`: ids known to hold every ticket the bounds can count (see `_touched`)."""
    tickets = measure.annotate(counted_tickets())
    if touched is not None:
        tickets = tickets.filter(pk__in=touched)
    if bounds is not None:
        tickets = tickets.filter(measure.in_range(*bounds))
    else:
        tickets = tickets.filter(measure.condition, **{f"{measure.day_alias}__isnull": False})
    if grain.by_requester:
        tickets = tickets.filter(requester__employee__isnull=False).annotate(
            _department=F("requester__employee__department_id"),
            _location=F("requester__employee__location_id"),
        )
    return tickets.annotate(
        _day=TruncDate(measure.day_alias, tzinfo=report_zone()),
        _secret=_secret(),
        _queue=_opaque("queue_id"),
        _type=_opaque("request_type_id"),
        _assignee=_opaque("assignee_id"),
    ).order_by()


def _ticket_counts(bounds, touched: list[int] | None = None, grain: Grain = DESK) -> Counts:
    """One GROUP BY per measure (each one pass over the tickets), merged per key."""
    rows: Counts = {}
    for measure in MEASURES.values():
        grouped = (
            _measured(measure, bounds, touched, grain)
            .values("_day", "_queue", "_type", "_secret", *grain.keys)
            .annotate(**measure.grouped())
        )
        for row in grouped:
            key = (
                row["_day"],
                row["_queue"],
                _id_or_none(row["_type"]),
                row["_secret"],
                *(row[k] for k in grain.keys),
            )
            counts = rows.setdefault(key, {})
            for name in measure.aggregates:
                if name == "response_time":
                    counts["response_seconds"] = _seconds(row[name])
                else:
                    counts[name] = row[name] or 0
    if grain.by_requester:
        return rows
    deflections = Deflection.objects.all()
    if bounds is not None:
        deflections = deflections.filter(created_at__gte=bounds[0], created_at__lt=bounds[1])
    grouped = (
        deflections.annotate(
            _day=TruncDate("created_at", tzinfo=report_zone()),
            _secret=Coalesce("request_type__queue__confidential", Value(False)),
        )
        .order_by()
        .values("_day", "request_type__queue_id", "request_type_id", "_secret")
        .annotate(n=Count("pk"))
    )
    for row in grouped:
        key = (row["_day"], row["request_type__queue_id"], row["request_type_id"], row["_secret"])
        rows.setdefault(key, {})["deflections"] = row["n"]
    return rows


def _agent_counts(bounds, touched: list[int] | None = None, grain: Grain = DESK) -> list[dict]:
    return list(
        _measured(MEASURES["rated"], bounds, touched, grain)
        .values("_day", "_queue", "_secret", "_assignee", *grain.keys)
        .annotate(rated=Count("pk"), rating_sum=Sum("rating"))
    )


def _write(
    grain: Grain,
    first: datetime.date,
    last: datetime.date,
    ticket_rows: Counts,
    agent_rows,
    now,
    fingerprint: str | None = None,
) -> int:
    """Replace the grain's days from `first` to `last` with these rows, in one transaction."""
    days = [
        grain.day_model(
            day=day,
            queue_id=queue_id,
            request_type_id=request_type_id,
            confidential=secret,
            **grain.people(people),
            **counts,
        )
        for (day, queue_id, request_type_id, secret, *people), counts in ticket_rows.items()
        if first <= day <= last
    ]
    agents = [
        grain.agent_model(
            day=row["_day"],
            queue_id=row["_queue"],
            confidential=row["_secret"],
            assignee_id=_id_or_none(row["_assignee"]),
            rated=row["rated"],
            rating_sum=row["rating_sum"] or 0,
            **grain.people(tuple(row[k] for k in grain.keys)),
        )
        for row in agent_rows
        if first <= row["_day"] <= last
    ]
    RollupRun.objects.get_or_create(name=grain.name, defaults={"refreshed_at": now})
    stamp = {"refreshed_at": now}
    if fingerprint is not None:
        stamp["fingerprint"] = fingerprint
    with transaction.atomic():
        # Taken first: on PostgreSQL a second run waits here instead of interleaving.
        RollupRun.objects.filter(name=grain.name).update(**stamp)
        grain.day_model.objects.filter(day__gte=first, day__lte=last).delete()
        grain.agent_model.objects.filter(day__gte=first, day__lte=last).delete()
        grain.day_model.objects.bulk_create(days, batch_size=500)
        grain.agent_model.objects.bulk_create(agents, batch_size=500)
    return len(days) + len(agents)


def rebuild_days(
    first: datetime.date, last: datetime.date, *, now=None, grains: tuple[Grain, ...] = GRAINS
) -> int:
    """Recount the days from `first` to `last` (both included); the rows written.

    The counting runs before the transaction: on SQLite a write transaction blocks every
    other writer, and the counting is the slow part. Two runs at once each replace the same
    days whole, so the later write wins and nothing is counted twice."""
    now = now or timezone.now()
    bounds = Period(first, last).bounds()
    touched = _touched(bounds) if (last - first).days < TOUCHED_DAYS else None
    return sum(
        _write(
            grain,
            first,
            last,
            _ticket_counts(bounds, touched, grain),
            _agent_counts(bounds, touched, grain),
            now,
        )
        for grain in grains
    )


def _touched(bounds) -> list[int] | None:
    """The tickets with any counted moment in the bounds, in one pass over the table.

    Every measure counts on one of these columns (a breach, else the answer or the
    resolution), so the per-measure GROUP BYs then read only these rows by key. Without it
    each GROUP BY walks the whole table on its own (a second each at a million tickets,
    the beat job's ten seconds). None when there are too many to name in one statement."""
    start, after = bounds
    moments = (
        "created_at",
        "resolved_at",
        "first_responded_at",
        "response_breached_at",
        "resolution_breached_at",
        "rated_at",
    )
    condition = reduce(or_, (Q(**{f"{m}__gte": start, f"{m}__lt": after}) for m in moments))
    ids = list(
        counted_tickets()
        .filter(condition)
        .order_by()
        .values_list("pk", flat=True)[: TOUCHED_MAX + 1]
    )
    return ids if len(ids) <= TOUCHED_MAX else None


def refresh_recent(days: int = RECENT_DAYS, *, today: datetime.date | None = None) -> int:
    """Today and yesterday (every ten minutes, by the beat job)."""
    today = today or report_today()
    return rebuild_days(today - datetime.timedelta(days=days - 1), today)


def refresh_due(now: datetime.datetime | None = None) -> int:
    """The beat job: today and yesterday, and once a night (from 03:00) the last
    SETTLE_DAYS too, so a ticket reopened, merged or rated weeks later is counted on its
    days again without anyone running `reports_rollup`. Older changes wait for
    `reports_rollup --all`. The requesters' rollup is recounted whole first when people
    changed department or location since it was counted."""
    now = now or timezone.now()
    today = now.astimezone(report_zone()).date()
    written = 0
    counted_for = (
        RollupRun.objects.filter(name=REQUESTERS.name).values_list("fingerprint", flat=True).first()
    )
    if counted_for != org_fingerprint():
        written += rebuild_all(today=today, grains=(REQUESTERS,))
    settled = (
        RollupRun.objects.filter(name=SETTLED_NAME).values_list("refreshed_at", flat=True).first()
    )
    due = now.astimezone(report_zone()).hour >= SETTLE_HOUR and (
        settled is None or settled.astimezone(report_zone()).date() < today
    )
    if not due:
        return written + refresh_recent(today=today)
    written += rebuild_days(today - datetime.timedelta(days=SETTLE_DAYS - 1), today, now=now)
    RollupRun.objects.update_or_create(name=SETTLED_NAME, defaults={"refreshed_at": now})
    return written


def rebuild_all(
    *, today: datetime.date | None = None, write=None, grains: tuple[Grain, ...] = GRAINS
) -> int:
    """Every day up to today: counted in one pass per measure over all tickets, written a
    month at a time so no transaction holds the database for long. Rows of days before
    the first ticket or after today are removed."""
    now = timezone.now()
    today = today or report_today()
    written = 0
    for grain in grains:
        fingerprint = org_fingerprint() if grain.by_requester else None
        ticket_rows, agent_rows = (
            _ticket_counts(None, grain=grain),
            _agent_counts(None, grain=grain),
        )
        first = min((key[0] for key in ticket_rows), default=today)
        grain.day_model.objects.exclude(day__gte=first, day__lte=today).delete()
        grain.agent_model.objects.exclude(day__gte=first, day__lte=today).delete()
        day = first
        while day <= today:
            end = min(day + datetime.timedelta(days=CHUNK_DAYS - 1), today)
            chunk = _write(grain, day, end, ticket_rows, agent_rows, now, fingerprint)
            if write:
                write(f"{grain.name}: {day} to {end}: {chunk} rows")
            written += chunk
            day = end + datetime.timedelta(days=1)
    return written


def rollup_note(refreshed: datetime.datetime | None) -> str:
    """What a report says of counts kept by the beat job: nothing while they are current,
    else up to when they count (or that they were never built)."""
    if refreshed is None:
        return gettext("The daily counts have not been built yet.")
    if timezone.now() - refreshed <= ROLLUP_LAG:
        return ""
    local = refreshed.astimezone(report_zone())
    shown = (
        f"{local:%H:%M}"
        if local.date() == timezone.now().astimezone(report_zone()).date()
        else f"{local:%Y-%m-%d %H:%M}"
    )
    return gettext("Figures up to %(time)s.") % {"time": shown}


def last_refresh(grain: Grain = DESK) -> datetime.datetime | None:
    return RollupRun.objects.filter(name=grain.name).values_list("refreshed_at", flat=True).first()
