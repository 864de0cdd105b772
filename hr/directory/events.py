"""Team events for My team: who joins, who celebrates a work anniversary, who leaves.

A start date of 29 February has its anniversary on 28 February in years without that day,
so the day is celebrated in the same month and never skipped.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, Func, Q, When, Window
from django.utils import timezone

from hr.directory.selectors import is_current_filter
from hr.models import Employee
from hr.org import subtree_filter

WINDOW_DAYS = 30
SHOWN_PER_KIND = 25


class MonthDay(Func):
    """A date's month and day as the text "MMDD", comparable as a string, computed by the
    database's own date formatting (no per-row Python call on SQLite)."""

    output_field = CharField()
    arity = 1
    template = "to_char(%(expressions)s, 'MMDD')"  # PostgreSQL and Oracle

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="strftime('%%%%m%%%%d', %(expressions)s)")


def anniversary_in(start: datetime.date, year: int) -> datetime.date:
    """The anniversary of `start` in `year`; 29 February falls on the 28th in common years."""
    if start.month == 2 and start.day == 29 and not calendar.isleap(year):
        return datetime.date(year, 2, 28)
    return start.replace(year=year)


def next_anniversary(start: datetime.date, today: datetime.date) -> tuple[datetime.date, int]:
    """The first anniversary on or after today, and the whole years it completes."""
    for year in (today.year, today.year + 1):
        day = anniversary_in(start, year)
        if day >= today:
            return day, year - start.year
    raise AssertionError("unreachable: next year's anniversary is always after today")


def _month_days(first: datetime.date, last: datetime.date) -> Q:
    """Start dates whose anniversary falls between two dates (less than a year apart), as a
    condition on an annotated `start_md` ("MMDD"). A 29 February start counts on the 28th
    when the 28th in the window is in a common year."""
    low, high = first.strftime("%m%d"), last.strftime("%m%d")
    if low <= high:
        condition = Q(start_md__gte=low, start_md__lte=high)
    else:  # the window crosses New Year
        condition = Q(start_md__gte=low) | Q(start_md__lte=high)
    for year in {first.year, last.year}:
        feb_28 = datetime.date(year, 2, 28)
        if not calendar.isleap(year) and first <= feb_28 <= last:
            condition |= Q(start_md="0229")
    return condition


@dataclass(frozen=True)
class TeamEvent:
    pk: int  # the employee's
    name: str
    date: datetime.date
    years: int = 0  # for anniversaries
    started: bool = True  # False for joiners still to come: they have no card yet


@dataclass(frozen=True)
class TeamEvents:
    joiners: list[TeamEvent]
    anniversaries: list[TeamEvent]
    leavers: list[TeamEvent]
    counts: dict[str, int]

    @property
    def any(self) -> bool:
        return any(self.counts.values())


def team_events(
    *, manager: Employee | None, today: datetime.date | None = None, limit: int = SHOWN_PER_KIND
) -> TeamEvents:
    """Joiners (started in the last 30 days or starting in the next 30), work anniversaries
    in the next 30 days, and leavers whose last day is within 30 days: two queries."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=WINDOW_DAYS)
    if manager is None or not manager.org_path:
        return TeamEvents([], [], [], {"joiners": 0, "anniversaries": 0, "leavers": 0})
    team = Employee.objects.filter(subtree_filter(manager.org_path, include_self=False)).annotate(
        start_md=MonthDay(F("start_date"))
    )
    fields = ("pk", "start_date", "end_date", "user__first_name", "user__last_name", "user__email")
    not_gone = Q(end_date__isnull=True) | Q(end_date__gte=today)
    joiners = Q(start_date__gte=today - datetime.timedelta(days=WINDOW_DAYS)) & Q(
        start_date__lte=horizon
    )
    leavers = is_current_filter(today) & Q(end_date__lte=horizon)
    # Few people join or leave in a month: all of them, classified below.
    moves = team.filter(not_gone & (joiners | leavers)).order_by().values_list(*fields)
    # A large team has hundreds of anniversaries a month: the database picks the first
    # `limit` by their day (this year's rest of the calendar first, then next year's) and
    # counts them all in the same pass.
    upcoming = (
        team.filter(
            is_current_filter(today) & Q(start_date__lt=today) & _month_days(today, horizon)
        )
        .annotate(
            total=Window(Count("pk")),
            next_year=Case(When(start_md__lt=today.strftime("%m%d"), then=1), default=0),
        )
        .order_by("next_year", "start_md", "user__last_name", "user__first_name")
        .values_list(*fields, "total")[:limit]
    )
    found: dict[str, list[TeamEvent]] = {"joiners": [], "anniversaries": [], "leavers": []}
    for pk, start, end, first, last, email in moves:
        name = f"{first} {last}".strip() or email
        if today - datetime.timedelta(days=WINDOW_DAYS) <= start <= horizon:
            found["joiners"].append(TeamEvent(pk, name, start, started=start <= today))
        if end is not None and today <= end <= horizon:
            found["leavers"].append(TeamEvent(pk, name, end))
    anniversaries_total = 0
    for pk, start, _end, first, last, email, total in upcoming:
        day, years = next_anniversary(start, today)
        name = f"{first} {last}".strip() or email
        found["anniversaries"].append(TeamEvent(pk, name, day, years))
        anniversaries_total = total
    for events in found.values():
        events.sort(key=lambda e: (e.date, e.name))
    counts = {kind: len(events) for kind, events in found.items()}
    counts["anniversaries"] = anniversaries_total
    return TeamEvents(
        joiners=found["joiners"][:limit],
        anniversaries=found["anniversaries"],
        leavers=found["leavers"][:limit],
        counts=counts,
    )
