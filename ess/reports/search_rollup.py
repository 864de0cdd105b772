"""Daily counts of the portal search, kept so the Knowledge report never reads a year of
the search log (170,000 searches at 10,000 employees) while someone waits.

`SearchDay` holds each day's searches, zero-result searches and searches whose searcher
opened a result (the search analytics' definitions, ess.search.insights); `SearchQueryDay`
the same per normalised query, with the words last typed for it and when it was last asked.
Days are local days of the report zone.

The beat job `reports.rollup_searches` recounts today and yesterday every ten minutes (a
click lands minutes after its search, on the search's day) and everything once a night;
`manage.py reports_rollup --all` recounts everything. Each recount replaces whole days in
one transaction, so a rerun or a second worker leaves the same rows.
"""

import datetime

from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from ess.reports.models import RollupRun, SearchDay, SearchQueryDay
from ess.reports.periods import Period, report_today, report_zone
from ess.reports.rollups import CHUNK_DAYS, RECENT_DAYS, SETTLE_HOUR
from ess.search import insights
from ess.search.models import SearchLog

ROLLUP_NAME = "search_days"
SETTLED_NAME = "search_days_settled"

COUNTS = {
    "searches": Count("pk"),
    "zero_results": Count("pk", filter=insights.ZERO),
    "clicked": Count("pk", filter=insights.CLICKED),
}


def _logs(bounds) -> QuerySet[SearchLog]:
    logs = SearchLog.objects.all()
    if bounds is not None:
        logs = logs.filter(created_at__gte=bounds[0], created_at__lt=bounds[1])
    return logs.annotate(_day=TruncDate("created_at", tzinfo=report_zone())).order_by()


def _counted(bounds) -> tuple[list[SearchDay], list[SearchQueryDay]]:
    days = [
        SearchDay(day=row["_day"], **{name: row[name] for name in COUNTS})
        for row in _logs(bounds).values("_day").annotate(**COUNTS)
    ]
    queries = [
        SearchQueryDay(
            day=row["_day"],
            normalised=row["normalised"],
            query=row["query"],
            last_seen=row["last_seen"],
            last_zero_at=row["last_zero_at"],
            **{name: row[name] for name in COUNTS},
        )
        for row in _logs(bounds)
        .values("_day", "normalised")
        .annotate(
            query=Max("query"),
            last_seen=Max("created_at"),
            last_zero_at=Max("created_at", filter=insights.ZERO),
            **COUNTS,
        )
    ]
    return days, queries


def _write(first: datetime.date, last: datetime.date, days, queries, now) -> int:
    """Replace the days from `first` to `last` with these rows, in one transaction."""
    days = [row for row in days if first <= row.day <= last]
    queries = [row for row in queries if first <= row.day <= last]
    RollupRun.objects.get_or_create(name=ROLLUP_NAME, defaults={"refreshed_at": now})
    with transaction.atomic():
        # Taken first: on PostgreSQL a second run waits here instead of interleaving.
        RollupRun.objects.filter(name=ROLLUP_NAME).update(refreshed_at=now)
        SearchDay.objects.filter(day__gte=first, day__lte=last).delete()
        SearchQueryDay.objects.filter(day__gte=first, day__lte=last).delete()
        SearchDay.objects.bulk_create(days, batch_size=500)
        SearchQueryDay.objects.bulk_create(queries, batch_size=500)
    return len(days) + len(queries)


def rebuild_days(first: datetime.date, last: datetime.date, *, now=None) -> int:
    """Recount the days from `first` to `last` (both included); the rows written."""
    days, queries = _counted(Period(first, last).bounds())
    return _write(first, last, days, queries, now or timezone.now())


def refresh_recent(days: int = RECENT_DAYS, *, today: datetime.date | None = None) -> int:
    today = today or report_today()
    return rebuild_days(today - datetime.timedelta(days=days - 1), today)


def rebuild_all(*, today: datetime.date | None = None, write=None) -> int:
    """Every day up to today, written a month at a time; rows of days without searches
    any more (or after today) are removed."""
    now = timezone.now()
    today = today or report_today()
    days, queries = _counted(None)
    first = min((row.day for row in days), default=today)
    with transaction.atomic():
        SearchDay.objects.exclude(day__gte=first, day__lte=today).delete()
        SearchQueryDay.objects.exclude(day__gte=first, day__lte=today).delete()
    written, day = 0, first
    while day <= today:
        end = min(day + datetime.timedelta(days=CHUNK_DAYS - 1), today)
        chunk = _write(day, end, days, queries, now)
        if write:
            write(f"{ROLLUP_NAME}: {day} to {end}: {chunk} rows")
        written += chunk
        day = end + datetime.timedelta(days=1)
    return written


def refresh_due(now: datetime.datetime | None = None) -> int:
    """The beat job: today and yesterday, and once a night (from 03:00) everything, so a
    search log pruned or a click stamped late is counted again."""
    now = now or timezone.now()
    local = now.astimezone(report_zone())
    settled = (
        RollupRun.objects.filter(name=SETTLED_NAME).values_list("refreshed_at", flat=True).first()
    )
    due = local.hour >= SETTLE_HOUR and (
        settled is None or settled.astimezone(report_zone()).date() < local.date()
    )
    if not due:
        return refresh_recent(today=local.date())
    written = rebuild_all(today=local.date())
    RollupRun.objects.update_or_create(name=SETTLED_NAME, defaults={"refreshed_at": now})
    return written


def last_refresh() -> datetime.datetime | None:
    return RollupRun.objects.filter(name=ROLLUP_NAME).values_list("refreshed_at", flat=True).first()
