"""My team figures of large reporting lines, counted ahead.

A team lead's reports raise a few hundred requests a year, counted live in milliseconds
through the requester index. A head of department has thousands of reports and the head
of the company everyone: their year is half a million tickets and a hundred thousand
acknowledgement requests, seconds to count while they wait. So for every manager with at
least `LARGE_TEAM` people in their reporting line the requests per day and the
acknowledgement requests per due date are counted ahead into `TeamTicketDay` and
`TeamAcknowledgement`, and the report reads those (a few thousand rows) instead.

The rows mean exactly what the live path counts (ess.reports.team): the team as it is
today, the requesters' departments and locations as they are today, no confidential
ticket and no merged duplicate. Each day is stored for the whole team and again per
department and location, so the report's filters read a narrow slice either way.

Keeping them current (the beat job `reports.rollup_tickets`, every ten minutes):
- the acknowledgement counts are recounted whole on every run (a second at 10,000 people),
  so an acknowledgement shows within ten minutes;
- requests of today and yesterday are recounted on every run;
- everything is recounted once a night, and at once when the reporting lines, departments
  or locations changed since the last full count (`org_fingerprint`): a person who moved
  takes their history with them, as on the live path.
Every recount replaces a manager's rows whole in one transaction, so a rerun or a second
worker leaves the same rows.
"""

import bisect
import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import BooleanField, Case, Count, F, Q, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from ess.reports.models import RollupRun, TeamAcknowledgement, TeamRollup, TeamTicketDay
from ess.reports.periods import Period, report_zone
from ess.reports.rollups import RECENT_DAYS, SETTLE_HOUR, counted_tickets, org_fingerprint
from hr.models import Employee
from hr.org import subtree_filter
from policies.models import AcknowledgementRequest

# Teams at least this large are counted ahead. Below it the live count through the
# requester index stays within a few milliseconds.
LARGE_TEAM = 250
FULL_NAME = "team_days"
RECENT_NAME = "team_days_recent"


def large_teams() -> dict[int, tuple[str, int]]:
    """{manager's employee id: (org path, people in the reporting line)} for the managers
    with at least LARGE_TEAM people under them (themselves not included)."""
    people = list(Employee.objects.order_by("org_path").values_list("pk", "org_path"))
    paths = [path for _, path in people]
    managers = set(
        Employee.objects.filter(manager__isnull=False).values_list("manager_id", flat=True)
    )
    teams = {}
    for pk, path in people:
        if pk not in managers or not path:
            continue
        # Paths are fixed-width digits, so the reporting line is the sorted run of paths
        # that start with this one.
        first = bisect.bisect_right(paths, path)
        last = bisect.bisect_left(paths, path + ":")  # ":" sorts right after "9"
        if last - first >= LARGE_TEAM:
            teams[pk] = (path, last - first)
    return teams


def _members(path: str) -> Q:
    return subtree_filter(path, include_self=False)


WHOLE_TEAM = "whole team"


def _breakdown(rows, keys: tuple[str, ...], value: str) -> dict[tuple, int]:
    """{(department, location, *keys): n}, and the whole team's sums under
    (WHOLE_TEAM, WHOLE_TEAM, *keys)."""
    counts: dict[tuple, int] = defaultdict(int)
    for row in rows:
        rest = tuple(row[key] for key in keys)
        counts[(row["_department"], row["_location"], *rest)] += row[value]
        counts[(WHOLE_TEAM, WHOLE_TEAM, *rest)] += row[value]
    return counts


def _dimensions(department, location) -> dict:
    if department == WHOLE_TEAM:
        return {"whole_team": True, "department_id": None, "location_id": None}
    return {"whole_team": False, "department_id": department, "location_id": location}


def _ticket_rows(manager_id: int, path: str, bounds) -> list[TeamTicketDay]:
    """The team's requests per day, queue and request type (within `bounds`, or all)."""
    tickets = counted_tickets().filter(
        confidential=False, requester__employee__in=Employee.objects.filter(_members(path))
    )
    if bounds is not None:
        tickets = tickets.filter(created_at__gte=bounds[0], created_at__lt=bounds[1])
    grouped = (
        tickets.annotate(
            day=TruncDate("created_at", tzinfo=report_zone()),
            _department=F("requester__employee__department_id"),
            _location=F("requester__employee__location_id"),
        )
        .order_by()
        .values("day", "queue_id", "request_type_id", "_department", "_location")
        .annotate(n=Count("pk"))
    )
    counts = _breakdown(grouped, ("day", "queue_id", "request_type_id"), "n")
    return [
        TeamTicketDay(
            manager_id=manager_id,
            **_dimensions(department, location),
            day=day,
            queue_id=queue_id,
            request_type_id=request_type_id,
            created=n,
        )
        for (department, location, day, queue_id, request_type_id), n in counts.items()
    ]


def _acknowledgement_rows(manager_id: int, path: str) -> list[TeamAcknowledgement]:
    grouped = (
        AcknowledgementRequest.objects.filter(
            user__employee__in=Employee.objects.filter(_members(path))
        )
        .annotate(
            done=Case(
                When(acknowledged_at__isnull=False, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            _department=F("user__employee__department_id"),
            _location=F("user__employee__location_id"),
        )
        .order_by()
        .values("version_id", "due_date", "done", "_department", "_location")
        .annotate(n=Count("pk"))
    )
    counts = _breakdown(grouped, ("version_id", "due_date", "done"), "n")
    return [
        TeamAcknowledgement(
            manager_id=manager_id,
            **_dimensions(department, location),
            version_id=version_id,
            due_date=due_date,
            is_acknowledged=bool(done),
            requests=n,
        )
        for (department, location, version_id, due_date, done), n in counts.items()
    ]


def _replace(manager_id: int, people: int, tickets, acknowledgements, first, last, now) -> int:
    """A manager's rows replaced in one transaction: their requests between `first` and
    `last` (every day when both are None), and their acknowledgements when given."""
    RollupRun.objects.get_or_create(name=RECENT_NAME, defaults={"refreshed_at": now})
    with transaction.atomic():
        # Taken first: on PostgreSQL a second run waits here instead of interleaving its
        # delete and insert with this one's (and counting a team twice).
        RollupRun.objects.filter(name=RECENT_NAME).update(refreshed_at=now)
        days = TeamTicketDay.objects.filter(manager_id=manager_id)
        if first is not None:
            days = days.filter(day__gte=first, day__lte=last)
            tickets = [row for row in tickets if first <= row.day <= last]
        days.delete()
        TeamTicketDay.objects.bulk_create(tickets, batch_size=1000)
        if acknowledgements is not None:
            TeamAcknowledgement.objects.filter(manager_id=manager_id).delete()
            TeamAcknowledgement.objects.bulk_create(acknowledgements, batch_size=1000)
        TeamRollup.objects.update_or_create(
            manager_id=manager_id, defaults={"people": people, "built_at": now}
        )
    return len(tickets) + len(acknowledgements or [])


def _forget_small_teams(teams: dict) -> None:
    """Managers whose team fell under LARGE_TEAM go back to the live count."""
    with transaction.atomic():
        TeamRollup.objects.exclude(manager_id__in=teams).delete()
        TeamTicketDay.objects.exclude(manager_id__in=teams).delete()
        TeamAcknowledgement.objects.exclude(manager_id__in=teams).delete()


def rebuild_all(*, now=None, write=None) -> int:
    """Every large team counted whole: all their requests and acknowledgements."""
    now = now or timezone.now()
    fingerprint = org_fingerprint()
    teams = large_teams()
    _forget_small_teams(teams)
    written = 0
    for manager_id, (path, people) in teams.items():
        rows = _replace(
            manager_id,
            people,
            _ticket_rows(manager_id, path, None),
            _acknowledgement_rows(manager_id, path),
            None,
            None,
            now,
        )
        if write:
            write(f"team of employee {manager_id} ({people} people): {rows} rows")
        written += rows
    for name in (FULL_NAME, RECENT_NAME):
        RollupRun.objects.update_or_create(
            name=name, defaults={"refreshed_at": now, "fingerprint": fingerprint}
        )
    return written


def refresh_recent(*, now=None, days: int = RECENT_DAYS) -> int:
    """Today's and yesterday's requests and every acknowledgement, for the large teams of
    the last full count."""
    now = now or timezone.now()
    today = now.astimezone(report_zone()).date()
    first = today - datetime.timedelta(days=days - 1)
    bounds = Period(first, today).bounds()
    written = 0
    teams = TeamRollup.objects.select_related("manager").only("people", "manager__org_path")
    for team in teams:
        path = team.manager.org_path
        written += _replace(
            team.manager_id,
            team.people,
            _ticket_rows(team.manager_id, path, bounds),
            _acknowledgement_rows(team.manager_id, path),
            first,
            today,
            now,
        )
    RollupRun.objects.update_or_create(name=RECENT_NAME, defaults={"refreshed_at": now})
    return written


def refresh_due(now: datetime.datetime | None = None) -> int:
    """The beat job: a full count once a night (from SETTLE_HOUR) and whenever the
    reporting lines changed since the last one; otherwise the recent days."""
    now = now or timezone.now()
    full = RollupRun.objects.filter(name=FULL_NAME).first()
    local = now.astimezone(report_zone())
    nightly = local.hour >= SETTLE_HOUR and (
        full is None or full.refreshed_at.astimezone(report_zone()).date() < local.date()
    )
    if full is None or nightly or full.fingerprint != org_fingerprint():
        return rebuild_all(now=now)
    return refresh_recent(now=now)


def counted_ahead(manager: Employee | None) -> TeamRollup | None:
    """The manager's counted-ahead team, or None when their team is counted live."""
    if manager is None:
        return None
    return TeamRollup.objects.filter(manager=manager).first()


def last_refresh() -> datetime.datetime | None:
    return RollupRun.objects.filter(name=RECENT_NAME).values_list("refreshed_at", flat=True).first()
