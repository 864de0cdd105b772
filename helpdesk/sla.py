"""The SLA clock: business calendars, the hooks that move a ticket's due times, and the sweep.

Targets are business minutes (SlaTarget per queue and priority) counted on the queue's own
calendar: weekly opening intervals in the queue's time zone, closed on holidays, and around
the clock when a queue has no opening hours at all. Due times are stored as absolute
instants, so lists sort and filter on one indexed column (`sla_due_at`).

The clock runs while the desk owes the requester work (new, open, waiting on a third party).
Waiting on a third party does not pause it: the supplier is the desk's problem, and the
requester still waits for an answer. Waiting on the requester pauses it: the business minutes
left are kept in `*_remaining_minutes` and the due times are cleared until the requester
answers. Resolved and closed stop it; a reopened ticket continues with the minutes that were
left when it was resolved.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import wraps
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from helpdesk.models import (
    ACTIVE_STATUSES,
    BusinessHours,
    EventKind,
    Holiday,
    Priority,
    Queue,
    SlaState,
    SlaTarget,
    Status,
    Ticket,
    TicketEvent,
)

logger = logging.getLogger(__name__)

SLA_KIND = "helpdesk.sla"
# A calendar with opening hours but no opening for this long is a configuration error
# (every remaining weekday a holiday); refusing is better than looping for ever.
MAX_CLOSED_DAYS = 366
ONE_MINUTE = timedelta(minutes=1)
# An interval closing at 23:59 or later runs to midnight: TimeField cannot say 24:00.
END_OF_DAY = time(23, 59)
STOPPED_STATUSES = (Status.RESOLVED, Status.CLOSED)
SWEEP_BATCH = 500


class CalendarError(ValueError):
    """The calendar never opens (within MAX_CLOSED_DAYS)."""


# --------------------------------------------------------------------------------------
# Business calendar
# --------------------------------------------------------------------------------------


class BusinessCalendar:
    """Opening intervals of one queue, as aware datetimes, day by day in its own zone.

    Each interval is built in local wall time and each boundary converted on its own, so a
    09:00-17:00 day lasts eight hours on the days clocks change too. Around-the-clock
    calendars count real elapsed minutes (a spring-forward night has 23 hours).
    """

    def __init__(
        self,
        *,
        zone: str,
        weekly: dict[int, list[tuple[time, time]]] | None = None,
        holidays: Iterable[date] = (),
    ) -> None:
        self.zone = ZoneInfo(zone)
        self.holidays = frozenset(holidays)
        self.around_the_clock = not weekly
        if self.around_the_clock:
            self.weekly = {day: [(time(0), END_OF_DAY)] for day in range(7)}
        else:
            self.weekly = {day: _merged(weekly.get(day, [])) for day in range(7)}

    @classmethod
    def for_queue(cls, queue: Queue) -> BusinessCalendar:
        weekly: dict[int, list[tuple[time, time]]] = {}
        for weekday, opens, closes in BusinessHours.objects.filter(queue=queue).values_list(
            "weekday", "opens", "closes"
        ):
            weekly.setdefault(weekday, []).append((opens, closes))
        holidays = Holiday.objects.filter(queue=queue).values_list("date", flat=True)
        return cls(zone=queue.time_zone, weekly=weekly, holidays=holidays)

    # -- intervals ---------------------------------------------------------------------

    def _local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def _intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        if day in self.holidays:
            return []
        intervals = []
        for opens, closes in self.weekly[day.weekday()]:
            start = datetime.combine(day, opens, tzinfo=self.zone)
            if closes >= END_OF_DAY:
                end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone)
            else:
                end = datetime.combine(day, closes, tzinfo=self.zone)
            # Compare and subtract in UTC: aware datetimes in one ZoneInfo subtract as wall
            # time, which would make a DST day's intervals an hour off.
            intervals.append((start.astimezone(UTC), end.astimezone(UTC)))
        return intervals

    def _days(self, start: date, step: int) -> Iterator[date]:
        day, closed_for = start, 0
        while True:
            intervals = self._intervals_on(day)
            closed_for = 0 if intervals else closed_for + 1
            if closed_for > MAX_CLOSED_DAYS:
                raise CalendarError(f"The calendar does not open within {MAX_CLOSED_DAYS} days")
            yield day
            day += timedelta(days=step)

    @property
    def _simple(self) -> bool:
        return self.around_the_clock and not self.holidays

    # -- arithmetic --------------------------------------------------------------------

    def add_minutes(self, start: datetime, minutes: int) -> datetime:
        """The moment `minutes` business minutes after `start` (before it, if negative)."""
        start = start.astimezone(UTC)
        if minutes == 0:
            return start
        if self._simple:
            return start + timedelta(minutes=minutes)
        if minutes < 0:
            return self._subtract(start, timedelta(minutes=-minutes))
        left = timedelta(minutes=minutes)
        for day in self._days(self._local_date(start), 1):
            for opens, closes in self._intervals_on(day):
                if closes <= start:
                    continue
                begin = max(opens, start)
                available = closes - begin
                if available >= left:
                    return begin + left
                left -= available
        raise AssertionError("unreachable")  # pragma: no cover

    def _subtract(self, end: datetime, left: timedelta) -> datetime:
        for day in self._days(self._local_date(end), -1):
            for opens, closes in reversed(self._intervals_on(day)):
                if opens >= end:
                    continue
                finish = min(closes, end)
                available = finish - opens
                if available >= left:
                    return finish - left
                left -= available
        raise AssertionError("unreachable")  # pragma: no cover

    def minutes_between(self, start: datetime, end: datetime) -> int:
        """Whole business minutes from `start` to `end`; negative when `end` is earlier."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end < start:
            return -self.minutes_between(end, start)
        if self._simple:
            return (end - start) // ONE_MINUTE
        total = timedelta(0)
        last_day = self._local_date(end)
        day = self._local_date(start)
        while day <= last_day:
            for opens, closes in self._intervals_on(day):
                overlap = min(closes, end) - max(opens, start)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total // ONE_MINUTE


def _merged(intervals: list[tuple[time, time]]) -> list[tuple[time, time]]:
    merged: list[tuple[time, time]] = []
    for opens, closes in sorted(intervals):
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(closes, merged[-1][1]))
        else:
            merged.append((opens, closes))
    return merged


# --------------------------------------------------------------------------------------
# Hooks: the services call these; they set fields on the instance and say which changed
# --------------------------------------------------------------------------------------


def target_for(ticket: Ticket, *, priority: int | None = None) -> SlaTarget | None:
    return SlaTarget.objects.filter(
        queue_id=ticket.queue_id, priority=priority or ticket.priority
    ).first()


def _response_open(ticket: Ticket) -> bool:
    return ticket.first_responded_at is None


def _refresh_sla_due(ticket: Ticket) -> None:
    """The earliest due time still running: the response due only until someone answered."""
    candidates = [ticket.resolution_due_at]
    if _response_open(ticket):
        candidates.append(ticket.first_response_due_at)
    running = [due for due in candidates if due is not None]
    ticket.sla_due_at = min(running) if running else None


TIMING_FIELDS = [
    "sla_started_at",
    "first_response_due_at",
    "resolution_due_at",
    "sla_paused_at",
    "first_response_remaining_minutes",
    "resolution_remaining_minutes",
    "sla_due_at",
]


def _tolerant(hook):
    """A queue whose calendar never opens must not stop tickets from being filed or
    updated: the hook changes nothing (the ticket has no running SLA) and says why in the log.
    """

    @wraps(hook)
    def wrapper(ticket: Ticket, *args, **kwargs) -> list[str]:
        try:
            return hook(ticket, *args, **kwargs)
        except CalendarError:
            logger.warning("Queue %s has opening hours but never opens", ticket.queue_id)
            return []

    return wrapper


@_tolerant
def sla_start(ticket: Ticket, now: datetime) -> list[str]:
    """Start the clock (filed without approval, or approved). No target: no SLA."""
    ticket.sla_started_at = now
    ticket.first_response_due_at = ticket.resolution_due_at = None
    ticket.first_response_remaining_minutes = ticket.resolution_remaining_minutes = None
    ticket.sla_paused_at = None
    target = target_for(ticket)
    if target is not None:
        calendar = BusinessCalendar.for_queue(ticket.queue)
        if _response_open(ticket):
            ticket.first_response_due_at = calendar.add_minutes(now, target.first_response_minutes)
        ticket.resolution_due_at = calendar.add_minutes(now, target.resolution_minutes)
    _refresh_sla_due(ticket)
    return list(TIMING_FIELDS)


def sla_first_response(ticket: Ticket, now: datetime) -> list[str]:
    """The first public answer from the desk: only the resolution clock runs on."""
    if ticket.first_responded_at is not None:
        return []
    ticket.first_responded_at = now
    # The due time stays, so reports can compare it with the answer.
    ticket.first_response_remaining_minutes = None
    _refresh_sla_due(ticket)
    return ["first_responded_at", "first_response_remaining_minutes", "sla_due_at"]


def _clock(status: str) -> str:
    if status == Status.WAITING_REQUESTER:
        return "paused"
    if status in STOPPED_STATUSES:
        return "stopped"
    return "running"


def _freeze(ticket: Ticket, now: datetime, calendar: BusinessCalendar) -> None:
    """Keep the business minutes left (negative once overdue) of each unmet target."""
    if _response_open(ticket) and ticket.first_response_due_at is not None:
        ticket.first_response_remaining_minutes = calendar.minutes_between(
            now, ticket.first_response_due_at
        )
    if ticket.resolution_due_at is not None:
        ticket.resolution_remaining_minutes = calendar.minutes_between(
            now, ticket.resolution_due_at
        )


def _thaw(ticket: Ticket, now: datetime, calendar: BusinessCalendar) -> None:
    """Due times again from the minutes that were left."""
    if _response_open(ticket) and ticket.first_response_remaining_minutes is not None:
        ticket.first_response_due_at = calendar.add_minutes(
            now, ticket.first_response_remaining_minutes
        )
    if ticket.resolution_remaining_minutes is not None:
        ticket.resolution_due_at = calendar.add_minutes(now, ticket.resolution_remaining_minutes)
    ticket.first_response_remaining_minutes = ticket.resolution_remaining_minutes = None
    ticket.sla_paused_at = None


@_tolerant
def sla_status_changed(
    ticket: Ticket, old_status: str, new_status: str, now: datetime
) -> list[str]:
    """Pause on waiting-on-requester, resume elsewhere, stop on resolved and closed."""
    before, after = _clock(old_status), _clock(new_status)
    if ticket.sla_started_at is None or before == after:
        return []
    calendar = BusinessCalendar.for_queue(ticket.queue)
    if before != "running":
        # From paused or stopped: due times again from the minutes that were kept.
        _thaw(ticket, now, calendar)
    if after == "paused":
        _freeze(ticket, now, calendar)
        ticket.first_response_due_at = ticket.resolution_due_at = None
        ticket.sla_paused_at = now
        ticket.sla_due_at = None
    elif after == "stopped":
        # The due times stay for reports; the minutes left let a reopened ticket continue.
        _freeze(ticket, now, calendar)
        ticket.sla_due_at = None
    else:
        _refresh_sla_due(ticket)
    return list(TIMING_FIELDS)


@_tolerant
def sla_priority_changed(
    ticket: Ticket,
    now: datetime,
    *,
    old_priority: int | None = None,
    old_queue_id: int | None = None,
) -> list[str]:
    """New targets for a new priority (or queue), keeping the business time already used.

    Used = old target - minutes left now, so pauses stay excluded without storing them.
    Pass `old_priority` / `old_queue_id`; without them the values still stored in the
    database are taken, so call this before saving the ticket.
    """
    if ticket.sla_started_at is None:
        return []
    if old_priority is None or old_queue_id is None:
        stored = Ticket.objects.filter(pk=ticket.pk).values("priority", "queue_id").first() or {}
        old_priority = old_priority or stored.get("priority", ticket.priority)
        old_queue_id = old_queue_id or stored.get("queue_id", ticket.queue_id)
    old_target = SlaTarget.objects.filter(queue_id=old_queue_id, priority=old_priority).first()
    new_target = target_for(ticket)
    calendar = BusinessCalendar.for_queue(ticket.queue)
    old_calendar = (
        calendar
        if old_queue_id == ticket.queue_id
        else BusinessCalendar.for_queue(Queue.objects.get(pk=old_queue_id))
    )
    paused = ticket.sla_paused_at is not None
    stopped = ticket.status in STOPPED_STATUSES

    def used(limit: int | None, due: datetime | None, remaining: int | None) -> int:
        if paused or stopped:
            left = remaining
        else:
            left = old_calendar.minutes_between(now, due) if due is not None else None
        if limit is None or left is None:
            # Never had a target: all business time since the start counts.
            return calendar.minutes_between(ticket.sla_started_at, now)
        return limit - left

    used_response = used(
        old_target.first_response_minutes if old_target else None,
        ticket.first_response_due_at,
        ticket.first_response_remaining_minutes,
    )
    used_resolution = used(
        old_target.resolution_minutes if old_target else None,
        ticket.resolution_due_at,
        ticket.resolution_remaining_minutes,
    )
    if new_target is None:
        ticket.first_response_due_at = ticket.resolution_due_at = None
        ticket.first_response_remaining_minutes = ticket.resolution_remaining_minutes = None
        ticket.sla_due_at = None
        return list(TIMING_FIELDS)

    left_response = new_target.first_response_minutes - used_response
    left_resolution = new_target.resolution_minutes - used_resolution
    if paused or stopped:
        if _response_open(ticket):
            ticket.first_response_remaining_minutes = left_response
        ticket.resolution_remaining_minutes = left_resolution
    else:
        if _response_open(ticket):
            ticket.first_response_due_at = calendar.add_minutes(now, left_response)
        ticket.resolution_due_at = calendar.add_minutes(now, left_resolution)
        _refresh_sla_due(ticket)
    return list(TIMING_FIELDS)


# --------------------------------------------------------------------------------------
# State for badges and lists
# --------------------------------------------------------------------------------------
#
# "At risk" means: the running due time is within the warn window of its target, measured in
# wall-clock minutes: (100 - warn_at_percent)% of the target's minutes, per queue and
# priority, of the response target until someone answered and of the resolution target
# after. In SQL that is one indexable range per target, `sla_due_at <= now + window`, ORed
# over the (few) targets — served by the (queue, sla_due_at) and (status, sla_due_at)
# indexes. The sweep's warning counts business minutes instead, so a window that spans a
# night shows "at risk" from the next opening, which is when someone can act on it.


Windows = dict[tuple[int, int], tuple[timedelta, timedelta]]


def _windows_of(target: SlaTarget) -> tuple[timedelta, timedelta]:
    share = (100 - target.warn_at_percent) / 100
    return (
        timedelta(minutes=target.first_response_minutes * share),
        timedelta(minutes=target.resolution_minutes * share),
    )


def warn_windows() -> Windows:
    """(queue id, priority) -> (response window, resolution window), in wall time."""
    return {(t.queue_id, t.priority): _windows_of(t) for t in SlaTarget.objects.all()}


def sla_state(ticket: Ticket, now: datetime, *, windows: Windows | None = None) -> SlaState:
    """The badge. For a list, pass `windows=warn_windows()` once instead of a query per row."""
    if ticket.sla_paused_at is not None:
        return SlaState.PAUSED
    if ticket.sla_due_at is None:
        return SlaState.NONE
    if ticket.sla_due_at <= now:
        return SlaState.BREACHED
    if windows is None:
        target = target_for(ticket)
        windows = (
            {} if target is None else {(ticket.queue_id, ticket.priority): _windows_of(target)}
        )
    response_window, resolution_window = windows.get(
        (ticket.queue_id, ticket.priority), (timedelta(0), timedelta(0))
    )
    window = response_window if _response_open(ticket) else resolution_window
    return SlaState.AT_RISK if ticket.sla_due_at <= now + window else SlaState.ON_TRACK


def _at_risk_condition(now: datetime, queue_ids: Iterable[int] | None = None) -> RawSQL | None:
    """Tickets whose due time falls within their target's warning window, as one boolean
    SQL expression.

    The windows differ per queue, priority and clock (response or resolution), so this is
    an OR over every SLA target. Built from Q objects it took Django 20 ms to compile at
    twenty targets, more than the whole rest of the page; written out here it costs
    nothing. Only ids, constants and prepared datetimes go in as parameters.
    """
    windows = warn_windows()
    if queue_ids is not None:
        # Only the targets of the queues the tickets can be in: fewer terms to plan.
        wanted = set(queue_ids)
        windows = {key: window for key, window in windows.items() if key[0] in wanted}
    if not windows:
        return None
    table = connection.ops.quote_name(Ticket._meta.db_table)
    due_field = Ticket._meta.get_field("sla_due_at")

    def column(name: str) -> str:
        return f"{table}.{connection.ops.quote_name(Ticket._meta.get_field(name).column)}"

    terms, params = [], []
    for (queue_id, priority), (response, resolution) in windows.items():
        for responded, window in (("IS NULL", response), ("IS NOT NULL", resolution)):
            terms.append(
                f"({column('queue')} = %s AND {column('priority')} = %s"
                f" AND {column('first_responded_at')} {responded}"
                f" AND {column('sla_due_at')} <= %s)"
            )
            params += [queue_id, priority, due_field.get_db_prep_value(now + window, connection)]
    return RawSQL(f"({' OR '.join(terms)})", params, output_field=BooleanField())  # noqa: S611


def filter_by_sla_state(
    queryset: QuerySet[Ticket],
    state: str,
    now: datetime,
    *,
    queue_ids: Iterable[int] | None = None,
) -> QuerySet[Ticket]:
    """The tickets whose `sla_state` is `state`, as SQL (one small query for the targets).
    `queue_ids`: every queue the queryset's tickets can be in, when the caller knows it."""
    running = Q(sla_paused_at__isnull=True, sla_due_at__isnull=False)
    if state == SlaState.PAUSED:
        return queryset.filter(sla_paused_at__isnull=False)
    if state == SlaState.NONE:
        return queryset.filter(sla_paused_at__isnull=True, sla_due_at__isnull=True)
    if state == SlaState.BREACHED:
        return queryset.filter(running, sla_due_at__lte=now)
    at_risk = _at_risk_condition(now, queue_ids)
    if state == SlaState.AT_RISK:
        if at_risk is None:
            return queryset.none()
        return queryset.filter(running, sla_due_at__gt=now).filter(at_risk)
    if state == SlaState.ON_TRACK:
        upcoming = queryset.filter(running, sla_due_at__gt=now)
        return upcoming if at_risk is None else upcoming.exclude(at_risk)
    raise ValueError(f"Unknown SLA state {state!r}")


# --------------------------------------------------------------------------------------
# The sweep: warnings, then breaches, each once per ticket and target
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Threshold:
    name: str  # "response" or "resolution"
    due_field: str
    warned_field: str
    breached_field: str
    minutes_field: str

    def open_on(self, ticket: Ticket) -> bool:
        if self.name == "response" and not _response_open(ticket):
            return False
        return getattr(ticket, self.due_field) is not None


THRESHOLDS = (
    _Threshold(
        "response",
        "first_response_due_at",
        "response_warned_at",
        "response_breached_at",
        "first_response_minutes",
    ),
    _Threshold(
        "resolution",
        "resolution_due_at",
        "resolution_warned_at",
        "resolution_breached_at",
        "resolution_minutes",
    ),
)


class _SweepContext:
    """Calendars and targets read once per sweep (admins edit them, so never cached longer)."""

    def __init__(self) -> None:
        self.calendars: dict[int, BusinessCalendar] = {}
        self.targets = {(t.queue_id, t.priority): t for t in SlaTarget.objects.all()}

    def calendar(self, queue: Queue) -> BusinessCalendar:
        if queue.pk not in self.calendars:
            self.calendars[queue.pk] = BusinessCalendar.for_queue(queue)
        return self.calendars[queue.pk]

    def window(self, ticket: Ticket, threshold: _Threshold) -> int:
        target = self.targets.get((ticket.queue_id, ticket.priority))
        if target is None:
            return 0
        return getattr(target, threshold.minutes_field) * (100 - target.warn_at_percent) // 100


def _candidates(now: datetime, context: _SweepContext) -> QuerySet[Ticket]:
    """Running clocks whose due time is within reach of a warning or already past.

    The reach of a queue is the moment its largest warn window (in business minutes) ends,
    on its own calendar: one indexed range per queue.
    """
    reach = Q(sla_due_at__lte=now)
    largest: dict[int, int] = {}
    for (queue_id, _priority), target in context.targets.items():
        window = max(
            target.first_response_minutes * (100 - target.warn_at_percent) // 100,
            target.resolution_minutes * (100 - target.warn_at_percent) // 100,
        )
        largest[queue_id] = max(largest.get(queue_id, 0), window)
    for queue in Queue.objects.filter(pk__in=largest):
        try:
            until = context.calendar(queue).add_minutes(now, largest[queue.pk])
        except CalendarError:
            logger.warning("Queue %s has opening hours but never opens", queue.pk)
            continue
        reach |= Q(queue_id=queue.pk, sla_due_at__lte=until)
    return (
        Ticket.objects.filter(
            reach,
            status__in=ACTIVE_STATUSES,
            sla_paused_at__isnull=True,
            sla_due_at__isnull=False,
        )
        # Long-breached tickets whose every threshold has fired are not looked at again.
        .filter(
            Q(resolution_breached_at__isnull=True)
            | Q(first_responded_at__isnull=True, response_breached_at__isnull=True)
        )
        .select_related("queue", "assignee", "queue__lead")
        .order_by("sla_due_at", "pk")
    )


def _claim(ticket: Ticket, field: str, now: datetime) -> bool:
    """Only one sweep (of two beat workers, or a rerun) wins a threshold."""
    won = Ticket.objects.filter(pk=ticket.pk, **{f"{field}__isnull": True}).update(**{field: now})
    return won == 1


def _agent_url(ticket: Ticket) -> str:
    try:
        return reverse("helpdesk:work", args=[ticket.pk])
    except NoReverseMatch:
        return ""


def _language_of(user):
    return translation.override(user.language or settings.LANGUAGE_CODE)


def _notify_sla(ticket: Ticket, recipients: list, *, threshold: _Threshold, breach: bool) -> None:
    from ess.notifications.services import notify

    seen = set()
    for person in recipients:
        if person is None or person.pk in seen or not person.is_active:
            continue
        seen.add(person.pk)
        with _language_of(person):
            # A confidential case is named only by its reference: the subject may say who.
            about = (
                ticket.reference if ticket.confidential else f"{ticket.reference} {ticket.subject}"
            )
            if breach:
                title = (
                    _("SLA breached (first response): %(ticket)s")
                    if threshold.name == "response"
                    else _("SLA breached (resolution): %(ticket)s")
                )
            else:
                title = (
                    _("SLA warning (first response): %(ticket)s")
                    if threshold.name == "response"
                    else _("SLA warning (resolution): %(ticket)s")
                )
            due = getattr(ticket, threshold.due_field)
            body = _("Due %(due)s.") % {
                "due": timezone.localtime(due, ZoneInfo(ticket.queue.time_zone)).strftime(
                    "%Y-%m-%d %H:%M"
                )
            }
            notify(
                recipient=person,
                kind=SLA_KIND,
                title=title % {"ticket": about},
                body=body,
                url=_agent_url(ticket),
                dedupe_key=(
                    f"helpdesk.sla:{ticket.pk}:{threshold.name}:"
                    f"{'breach' if breach else 'warning'}:{person.pk}"
                ),
            )


def _warn(ticket: Ticket, threshold: _Threshold, now: datetime) -> bool:
    with transaction.atomic():
        if not _claim(ticket, threshold.warned_field, now):
            return False
        TicketEvent.objects.create(
            ticket=ticket,
            kind=EventKind.SLA_WARNING,
            internal=True,
            data={
                "target": threshold.name,
                "due": getattr(ticket, threshold.due_field).isoformat(),
            },
            created_at=now,
        )
        _notify_sla(
            ticket, [ticket.assignee or ticket.queue.lead], threshold=threshold, breach=False
        )
    return True


def _breach(ticket: Ticket, threshold: _Threshold, now: datetime) -> bool:
    with transaction.atomic():
        if not _claim(ticket, threshold.breached_field, now):
            return False
        # A breach found before its warning: the warning would only be noise now.
        _claim(ticket, threshold.warned_field, now)
        fresh = Ticket.objects.select_related("queue", "assignee", "queue__lead").get(pk=ticket.pk)
        lead = fresh.queue.lead
        previous_assignee = fresh.assignee
        changes: dict = {"version": F("version") + 1, "updated_at": now}
        if fresh.priority < Priority.URGENT:
            # Escalation raises the priority but keeps the due times: the clock runs on.
            changes["priority"] = fresh.priority + 1
        if lead is not None and lead.is_active and fresh.assignee_id != lead.pk:
            changes["assignee"] = lead
        Ticket.objects.filter(pk=fresh.pk).update(**changes)
        TicketEvent.objects.create(
            ticket=fresh,
            kind=EventKind.SLA_BREACH,
            internal=True,
            data={"target": threshold.name, "due": getattr(fresh, threshold.due_field).isoformat()},
            created_at=now,
        )
        if "priority" in changes:
            TicketEvent.objects.create(
                ticket=fresh,
                kind=EventKind.PRIORITY,
                internal=True,
                data={"from": fresh.priority, "to": changes["priority"], "reason": "sla_breach"},
                created_at=now,
            )
        if "assignee" in changes:
            TicketEvent.objects.create(
                ticket=fresh,
                kind=EventKind.ASSIGNED,
                internal=True,
                data={
                    "from": previous_assignee.pk if previous_assignee else None,
                    "to": lead.pk,
                    "reason": "sla_breach",
                },
                created_at=now,
            )
        _notify_sla(fresh, [previous_assignee, lead], threshold=threshold, breach=True)
    return True


def sla_sweep(now: datetime | None = None) -> dict[str, int]:
    """Send due warnings, then handle breaches; safe to run twice or on two workers."""
    now = now or timezone.now()
    context = _SweepContext()
    counts = {"checked": 0, "warnings": 0, "breaches": 0}
    candidates = _candidates(now, context)
    last = (None, 0)
    while True:
        batch = candidates
        if last[0] is not None:
            batch = batch.filter(Q(sla_due_at__gt=last[0]) | Q(sla_due_at=last[0], pk__gt=last[1]))
        tickets = list(batch[:SWEEP_BATCH])
        if not tickets:
            break
        for ticket in tickets:
            counts["checked"] += 1
            for threshold in THRESHOLDS:
                if not threshold.open_on(ticket):
                    continue
                due = getattr(ticket, threshold.due_field)
                if due <= now:
                    if getattr(ticket, threshold.breached_field) is None and _breach(
                        ticket, threshold, now
                    ):
                        counts["breaches"] += 1
                    continue
                if getattr(ticket, threshold.warned_field) is not None:
                    continue
                try:
                    left = context.calendar(ticket.queue).minutes_between(now, due)
                except CalendarError:
                    continue
                if left <= context.window(ticket, threshold) and _warn(ticket, threshold, now):
                    counts["warnings"] += 1
        last = (tickets[-1].sla_due_at, tickets[-1].pk)
    return counts


# --------------------------------------------------------------------------------------
# Closing resolved tickets once their reopen window has passed
# --------------------------------------------------------------------------------------


def close_resolved(now: datetime | None = None) -> int:
    """Resolved tickets past their queue's reopen window become closed, each exactly once."""
    now = now or timezone.now()
    closed = 0
    for queue in Queue.objects.all():
        cutoff = now - timedelta(days=queue.reopen_days)
        ids = list(
            Ticket.objects.filter(
                queue=queue, status=Status.RESOLVED, resolved_at__lt=cutoff
            ).values_list("pk", flat=True)[: SWEEP_BATCH * 20]
        )
        for ticket_id in ids:
            with transaction.atomic():
                won = Ticket.objects.filter(pk=ticket_id, status=Status.RESOLVED).update(
                    status=Status.CLOSED,
                    closed_at=now,
                    updated_at=now,
                    version=F("version") + 1,
                )
                if won != 1:
                    continue
                TicketEvent.objects.create(
                    ticket_id=ticket_id,
                    kind=EventKind.STATUS,
                    internal=True,
                    data={"from": Status.RESOLVED, "to": Status.CLOSED, "reason": "reopen_window"},
                    created_at=now,
                )
                closed += 1
    return closed
