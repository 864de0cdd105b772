"""What the search log says: figures for the analytics page and knowledge gaps grouped by
similarity. Reads only; every figure is an aggregate computed by the database."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, F, FloatField, Max, Q, QuerySet
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
from rapidfuzz import fuzz

from ess.search.models import Document, DocumentType, Gap, GapStatus, SearchLog

# --- Analytics ---------------------------------------------------------------------------------
CLICKED = Q(clicked_at__isnull=False)
ZERO = Q(result_count=0)
TOP_LIMIT = 20


def day_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, ...]:
    """The range's first day from local midnight up to the midnight after its last day."""
    zone = timezone.get_current_timezone()
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    after = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, zone)
    return first, after


def searches_between(start: datetime.date, end: datetime.date) -> QuerySet[SearchLog]:
    first, after = day_bounds(start, end)
    return SearchLog.objects.filter(created_at__gte=first, created_at__lt=after)


@dataclass(frozen=True)
class Totals:
    searches: int
    zero_results: int
    with_results: int
    clicked: int
    searchers: int

    @property
    def zero_rate(self) -> float | None:
        return self.zero_results / self.searches if self.searches else None

    @property
    def click_through_rate(self) -> float | None:
        """Share of searches that found something in which the person opened a result; a
        search without results cannot be clicked, so it would only lower both rates."""
        return self.clicked / self.with_results if self.with_results else None


def search_totals(start: datetime.date, end: datetime.date) -> Totals:
    figures = searches_between(start, end).aggregate(
        searches=Count("pk"),
        zero_results=Count("pk", filter=ZERO),
        clicked=Count("pk", filter=CLICKED),
        searchers=Count("searcher", distinct=True),
    )
    return Totals(
        with_results=figures["searches"] - figures["zero_results"],
        **figures,
    )


@dataclass(frozen=True)
class Day:
    day: datetime.date
    searches: int = 0
    zero_results: int = 0
    clicked: int = 0

    @property
    def zero_rate(self) -> float | None:
        return self.zero_results / self.searches if self.searches else None

    @property
    def click_through_rate(self) -> float | None:
        with_results = self.searches - self.zero_results
        return self.clicked / with_results if with_results else None


def searches_per_day(start: datetime.date, end: datetime.date) -> list[Day]:
    """One entry per day of the range, days without searches included (as zeros)."""
    rows = (
        searches_between(start, end)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(
            searches=Count("pk"),
            zero_results=Count("pk", filter=ZERO),
            clicked=Count("pk", filter=CLICKED),
        )
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    days = []
    for offset in range((end - start).days + 1):
        day = start + datetime.timedelta(days=offset)
        row = by_day.get(day)
        days.append(
            Day(day, row["searches"], row["zero_results"], row["clicked"]) if row else Day(day)
        )
    return days


def _by_query(logs: QuerySet[SearchLog]) -> QuerySet:
    # The newest spelling someone used stands for its normalised form; MAX is one that
    # actually occurred, which a made-up "display" form would not be.
    return (
        logs.values("normalised")
        .annotate(
            query=Max("query"),
            searches=Count("pk"),
            results=Max("result_count"),
            clicked=Count("pk", filter=CLICKED),
            last_seen=Max("created_at"),
        )
        .annotate(
            click_through_rate=Cast(F("clicked"), FloatField()) / Cast(F("searches"), FloatField())
        )
        .order_by("-searches", "normalised")
    )


def top_queries(start: datetime.date, end: datetime.date, *, limit: int = TOP_LIMIT) -> list:
    return list(_by_query(searches_between(start, end))[:limit])


def top_zero_result_queries(
    start: datetime.date, end: datetime.date, *, limit: int = TOP_LIMIT
) -> list:
    return list(_by_query(searches_between(start, end).filter(ZERO))[:limit])


def least_helpful_articles(*, limit: int = TOP_LIMIT) -> list[Document]:
    """Articles readers rated, worst first. Votes are counted since publication, not per
    period: the index keeps totals only."""
    return list(
        Document.objects.filter(doc_type=DocumentType.ARTICLE)
        .annotate(votes=F("helpful_yes") + F("helpful_no"))
        .filter(votes__gt=0)
        .order_by("helpfulness", "-votes", "title")
        .only("title", "url", "language", "space", "helpful_yes", "helpful_no", "helpfulness")[
            :limit
        ]
    )


# --- Knowledge gaps ----------------------------------------------------------------------------
# Grouping compares every gap with the groups found so far; bounding the input keeps that
# quadratic step to milliseconds, and the long tail below the top gaps is one-off noise.
GAP_GROUPING_LIMIT = 500
# Same words in another order, or a typo or two: "vpn not working" ~ "not working vpn".
SAME_WORDS_SIMILARITY = 80
# One query's words contained in the other's ("vpn setup" in "vpn setup mac"), when both
# have at least two words: single words are too broad to merge ("vpn" ≠ "vpn invoice").
CONTAINED_SIMILARITY = 95
SAMPLES_PER_GROUP = 5


@dataclass
class GapGroup:
    lead: Gap
    members: list[Gap] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.lead.pk

    @property
    def sample_query(self) -> str:
        return self.lead.sample_query

    @property
    def other_queries(self) -> list[str]:
        return [gap.sample_query for gap in self.members[1:SAMPLES_PER_GROUP]]

    @property
    def gap_ids(self) -> list[int]:
        return [gap.pk for gap in self.members]

    @property
    def searches(self) -> int:
        return sum(gap.searches for gap in self.members)

    @property
    def zero_results(self) -> int:
        return sum(gap.zero_results for gap in self.members)

    @property
    def no_clicks(self) -> int:
        return sum(gap.no_clicks for gap in self.members)

    @property
    def last_seen(self) -> datetime.datetime:
        return max(gap.last_seen for gap in self.members)

    @property
    def status(self) -> str:
        return self.lead.status

    @property
    def resolved(self) -> Gap | None:
        return next((gap for gap in self.members if gap.status == GapStatus.RESOLVED), None)


def similar_queries(first: str, second: str) -> bool:
    if fuzz.token_sort_ratio(first, second) >= SAME_WORDS_SIMILARITY:
        return True
    shortest = min(len(first.split()), len(second.split()))
    return shortest >= 2 and fuzz.token_set_ratio(first, second) >= CONTAINED_SIMILARITY


def group_gaps(gaps: Iterable[Gap]) -> list[GapGroup]:
    """Greedy grouping in order of frequency: each gap joins the first group whose leading
    (most searched) query it resembles, or leads a new group. Groups come out most searched
    first."""
    groups: list[GapGroup] = []
    for gap in gaps:
        for group in groups:
            if similar_queries(group.lead.normalised, gap.normalised):
                group.members.append(gap)
                break
        else:
            groups.append(GapGroup(lead=gap, members=[gap]))
    return sorted(groups, key=lambda group: (-group.searches, group.sample_query))


def gap_groups(gaps: QuerySet[Gap]) -> list[GapGroup]:
    """The most searched gaps of the queryset (one query), grouped."""
    top = gaps.select_related("resolved_by").order_by("-searches", "-last_seen", "pk")
    return group_gaps(top[:GAP_GROUPING_LIMIT])


def gaps_by_ids(ids: Sequence[int]) -> QuerySet[Gap]:
    return Gap.objects.filter(pk__in=ids)
