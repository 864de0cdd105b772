"""Time series counted in the database: one statement per series, buckets in the report zone.

The buckets (day, week or month, chosen by the period's length) are bounded by local
midnights in the report zone, so a ticket filed at 00:30 on 1 November in Amsterdam
(23:30 UTC on 31 October) counts in November on SQLite and PostgreSQL alike.
"""

import datetime
from collections.abc import Sequence

from django.db.models import Aggregate, Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.aggregates import AggregateFilter

from ess.reports.periods import Bucket, Period, report_zone


def in_period(queryset: QuerySet, field: str, period: Period, *, is_date: bool = False):
    """Rows whose `field` falls in the period (a DateField compares days, a DateTimeField
    the period's aware bounds)."""
    if is_date:
        return queryset.filter(**{f"{field}__gte": period.start, f"{field}__lte": period.end})
    start, after = period.bounds()
    return queryset.filter(**{f"{field}__gte": start, f"{field}__lt": after})


def _edges(period: Period, *, is_date: bool) -> tuple[list[datetime.date], list]:
    """Each bucket's first day, and the bounds between buckets: days for a DateField,
    local midnights as aware datetimes for a DateTimeField. The first bucket starts at the
    period's first day even when its week or month began before."""
    starts = period.bucket_starts()
    firsts = [max(start, period.start) for start in starts]
    if is_date:
        return starts, [*firsts, period.end + datetime.timedelta(days=1)]
    zone = report_zone()
    midnights = [datetime.datetime.combine(day, datetime.time.min, tzinfo=zone) for day in firsts]
    return starts, [*midnights, period.bounds()[1]]


def bucket_rows(
    queryset: QuerySet, field: str, period: Period, *, is_date: bool = False, **aggregates
) -> dict[datetime.date, dict]:
    """{bucket start: {aggregate: value}} for the buckets that have rows.

    Rows are placed by the buckets' own bounds rather than by truncating each value in the
    database: on SQLite a time-zone truncation is a Python call per row, which a year of
    tickets or searches cannot afford, and on PostgreSQL the plain ranges use the index."""
    aggregates = aggregates or {"n": Count("pk")}
    if is_date:
        return {
            row.pop("_bucket"): row
            for row in _grouped_by_day(queryset, field, period, aggregates, ())
        }
    starts, edges = _edges(period, is_date=is_date)
    if period.bucket == Bucket.DAY:
        rows = _grouped_by_bounds(queryset, field, edges, aggregates)
    else:
        rows = _aggregated_per_bucket(queryset, field, edges, aggregates)
    return {starts[row.pop("_bucket")]: row for row in rows}


def _grouped_by_day(
    queryset: QuerySet, field: str, period: Period, aggregates: dict, keys: Sequence[str]
) -> list[dict]:
    """A DateField's rows grouped by the day itself (no bounds to test, a year is at most
    366 groups per key) and added up per bucket here: for a few aggregates over many
    buckets, cheaper than building every aggregate once per bucket (Django spends more
    compiling 39 restricted sums than SQLite adding up a year of days). For counts and
    sums only: those are what adds up."""
    for aggregate in aggregates.values():
        if not isinstance(aggregate, Count | Sum):
            raise TypeError(f"{aggregate!r} does not add up per bucket")
    grouped = (
        in_period(queryset, field, period, is_date=True)
        .values(field, *keys)
        .annotate(**aggregates)
        .order_by()
    )
    buckets: dict[tuple, dict] = {}
    for row in grouped:
        bucket = period.bucket_of(row.pop(field))
        key = (bucket, *(row[k] for k in keys))
        entry = buckets.setdefault(
            key, {"_bucket": bucket, **{k: row[k] for k in keys}, **dict.fromkeys(aggregates, 0)}
        )
        for name in aggregates:
            entry[name] += row[name] or 0
    return list(buckets.values())


def _grouped_by_bounds(
    queryset: QuerySet, field: str, edges: list, aggregates: dict, keys: Sequence[str] = ()
) -> QuerySet:
    """Up to 45 days: one GROUP BY over a CASE of the day bounds; few enough rows to sort."""
    index = Case(
        *(When(**{f"{field}__lt": edge}, then=Value(n)) for n, edge in enumerate(edges[1:-1])),
        default=Value(len(edges) - 2),
        output_field=IntegerField(),
    )
    return (
        queryset.filter(**{f"{field}__gte": edges[0], f"{field}__lt": edges[-1]})
        .annotate(_bucket=index)
        .values(*keys, "_bucket")
        .annotate(**aggregates)
        .order_by()
    )


def _aggregated_per_bucket(
    queryset: QuerySet, field: str, edges: list, aggregates: dict
) -> list[dict]:
    """Weeks and months (28 buckets at most): every aggregate once per bucket, restricted
    to the bucket's range, in one statement over the period's index range. Nothing is
    grouped or sorted, and one compiled statement is much cheaper than a UNION of one
    query per bucket (Django spends about 4 ms compiling each part)."""
    annotations = {}
    for n in range(len(edges) - 1):
        within = Q(**{f"{field}__gte": edges[n], f"{field}__lt": edges[n + 1]})
        for name, aggregate in aggregates.items():
            annotations[f"{name}__{n}"] = _restricted(aggregate, within)
    row = queryset.filter(**{f"{field}__gte": edges[0], f"{field}__lt": edges[-1]}).aggregate(
        **annotations
    )
    return [
        {"_bucket": n, **{name: row[f"{name}__{n}"] for name in aggregates}}
        for n in range(len(edges) - 1)
    ]


def _restricted(aggregate: Aggregate, condition: Q) -> Aggregate:
    """The aggregate counted only where `condition` holds (and its own filter, if any)."""
    restricted = aggregate.copy()
    own = aggregate.filter.condition if aggregate.filter is not None else None
    restricted.filter = AggregateFilter(condition if own is None else condition & own)
    return restricted


def counts_by_bucket_and(
    queryset: QuerySet,
    field: str,
    period: Period,
    keys: Sequence[str],
    *,
    is_date: bool = False,
    aggregate: Aggregate | None = None,
) -> list[dict]:
    """Per value of `keys`: the key values and "buckets", the aggregate (a count of rows
    unless given) per bucket in the order of `period.bucket_starts()`, zero-filled. One
    statement, so a figure, a chart and a table by kind can share one read of the rows."""
    starts, edges = _edges(period, is_date=is_date)
    aggregate = aggregate or Count("pk")
    if period.bucket == Bucket.DAY:
        rows: dict[tuple, dict] = {}
        grouped = _grouped_by_bounds(queryset, field, edges, {"n": aggregate}, keys)
        for row in grouped:
            key = tuple(row[k] for k in keys)
            entry = rows.setdefault(
                key, {**{k: row[k] for k in keys}, "buckets": [0] * len(starts)}
            )
            entry["buckets"][row["_bucket"]] = row["n"] or 0
        return list(rows.values())
    annotations = {
        f"n__{n}": _restricted(
            aggregate, Q(**{f"{field}__gte": edges[n], f"{field}__lt": edges[n + 1]})
        )
        for n in range(len(starts))
    }
    grouped = (
        queryset.filter(**{f"{field}__gte": edges[0], f"{field}__lt": edges[-1]})
        .values(*keys)
        .annotate(**annotations)
        .order_by()
    )
    return [
        {**{k: row[k] for k in keys}, "buckets": [row[f"n__{n}"] or 0 for n in range(len(starts))]}
        for row in grouped
    ]


def counts_by_bucket(
    queryset: QuerySet, field: str, period: Period, *, is_date: bool = False
) -> list[int]:
    """Rows per bucket, zero-filled, in the order of `period.bucket_starts()`."""
    rows = bucket_rows(queryset, field, period, is_date=is_date)
    return [rows.get(start, {}).get("n", 0) for start in period.bucket_starts()]


def fill(rows: dict[datetime.date, dict], period: Period, key: str, default=0) -> list:
    return [rows.get(start, {}).get(key, default) or default for start in period.bucket_starts()]


def labels(period: Period) -> list[str]:
    return [period.bucket_label(start) for start in period.bucket_starts()]


def share(part, whole) -> float | None:
    return (part / whole) if whole else None


def shares(parts: Sequence, wholes: Sequence) -> list[float | None]:
    return [share(p, w) for p, w in zip(parts, wholes, strict=True)]
