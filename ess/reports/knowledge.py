"""Knowledge: how well search and the knowledge base answer people.

Two sources with different rules. The search log names nobody (a searcher is a keyed hash,
see ess/search/models.py), so its figures cover every search in the portal and no
department or location filter can narrow them: this report takes the period only. Query
texts are shown, as on the search analytics page, to the same readers. The search figures
and lists come from the daily search rollup (ess.reports.search_rollup): a year of the log
is 170,000 searches at 10,000 employees.

Articles are scoped like the knowledge base itself: editors and administrators count and see
every article; anyone else reading this report (an auditor) only the live articles in their
audience (helpdesk/knowledge/permissions.py `readable_filter`), so no title, vote or count of
an agents-only or restricted article reaches someone who may not open it.
"""

import datetime

import django_tables2 as tables
from django.db.models import (
    Count,
    F,
    FloatField,
    Max,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ess.accounts.models import User
from ess.portal.charts import Series
from ess.reports import search_rollup, series
from ess.reports.base import (
    Chart,
    Column,
    Drill,
    Figure,
    Report,
    ReportContext,
    Table,
    Unit,
    format_value,
    int_param,
    register_report,
)
from ess.reports.columns import DateColumn, DrillTable
from ess.reports.models import SearchDay, SearchQueryDay
from ess.reports.periods import report_today, report_zone
from ess.reports.rollups import rollup_note
from ess.search import insights
from ess.search.models import Gap, GapStatus
from ess.search.permissions import can_view_search_analytics
from helpdesk.knowledge.models import Article, ArticleVersion, Feedback
from helpdesk.knowledge.permissions import LIVE_ARTICLES, can_edit_knowledge, readable_filter

# An article's helpfulness from one or two votes says nothing; the best and worst lists
# need at least this many votes in the period.
MIN_VOTES = 3
TOP_ARTICLES = 10
TOP_QUERIES = 20
# A tracked query is a gap when some of its searches found nothing, or nothing anyone
# opened: the definition the knowledge gaps page gives (its counters are since first seen).
GAP_LIKE = Q(zero_results__gt=0) | Q(no_clicks__gt=0)
NUMBER = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}


def can_read_knowledge_report(user: User) -> bool:
    return can_edit_knowledge(user) or can_view_search_analytics(user)


# --- Scoping ------------------------------------------------------------------------------------


def _article_scope(ctx: ReportContext) -> Q:
    """The articles the viewer may open, as a filter on Article (empty for editors, who may
    open every article, drafts included)."""

    def compute() -> Q:
        return Q() if can_edit_knowledge(ctx.user) else readable_filter(ctx.user)

    return ctx.remember("article_scope", compute)


def articles(ctx: ReportContext) -> QuerySet[Article]:
    return Article.objects.filter(_article_scope(ctx))


def _of_visible_articles(queryset: QuerySet, ctx: ReportContext) -> QuerySet:
    scope = _article_scope(ctx)
    if not scope:
        return queryset
    # A subquery: the audience tests join many-to-many tables of their own.
    return queryset.filter(article_id__in=Article.objects.filter(scope).values("pk"))


# --- What is counted ------------------------------------------------------------------------------


SEARCH_COUNTS = ("searches", "zero_results", "clicked")


def _rates(day: datetime.date, row: dict) -> insights.Day:
    """The search analytics page's own definitions of the zero-result and click-through
    rates (click-through among searches that found something), for a period or a bucket
    starting on `day`."""
    return insights.Day(
        day, row.get("searches", 0), row.get("zero_results", 0), row.get("clicked", 0)
    )


def search_buckets(ctx: ReportContext) -> dict[datetime.date, dict]:
    """Searches, zero-result searches and opened results per chart bucket, summed from the
    daily rollup (ess.reports.search_rollup). The figures add them up."""
    period = ctx.period
    return ctx.remember(
        f"search_buckets:{period.start}:{period.end}",
        lambda: series.bucket_rows(
            SearchDay.objects.all(),
            "day",
            period,
            is_date=True,
            **{name: Sum(name, default=0) for name in SEARCH_COUNTS},
        ),
    )


def search_totals(ctx: ReportContext) -> insights.Day:
    rows = search_buckets(ctx).values()
    totals = {key: sum(row[key] for row in rows) for key in SEARCH_COUNTS}
    return _rates(ctx.period.start, totals)


def search_freshness(ctx: ReportContext) -> str:
    """A note when the search rollup lags; "" when it is current."""
    return ctx.remember("search_freshness", lambda: rollup_note(search_rollup.last_refresh()))


def queries(ctx: ReportContext, *, zero_only: bool = False) -> QuerySet:
    """Searches grouped by normalised query, most asked first (as insights.top_queries, but
    over the report's period in the report zone), from the daily rollup. `zero_only`:
    the searches that found nothing, and when one last did."""
    counted = "zero_results" if zero_only else "searches"
    rows = series.in_period(SearchQueryDay.objects.all(), "day", ctx.period, is_date=True)
    if zero_only:
        rows = rows.filter(zero_results__gt=0)
    return (
        rows.values("normalised")
        .annotate(
            query=Max("query"),
            last_seen=Max("last_zero_at" if zero_only else "last_seen"),
            searches=Sum(counted),
            zero_results=Sum("zero_results"),
            clicked=Sum("clicked"),
        )
        .annotate(
            click_through_rate=Cast(F("clicked"), FloatField())
            / NullIf(F("searches") - F("zero_results"), 0)
        )
        .order_by("-searches", "normalised")
    )


def votes(ctx: ReportContext) -> QuerySet[Feedback]:
    """Readers' votes given in the period on articles the viewer may open. A vote changed
    later counts when it was last given: the knowledge base keeps one vote per reader."""
    return _of_visible_articles(
        series.in_period(Feedback.objects.all(), "created_at", ctx.period), ctx
    )


VOTE_COUNTS = {
    "votes": Count("pk"),
    "helped": Count("pk", filter=Q(helpful=True)),
    "not_helped": Count("pk", filter=Q(helpful=False)),
}
HELPFUL_SHARE = Cast(F("helped"), FloatField()) / NullIf(F("votes"), 0)


def votes_by_article(ctx: ReportContext, *, space: int | None = None) -> QuerySet:
    rows = votes(ctx)
    if space is not None:
        rows = rows.filter(article__space_id=space)
    return (
        rows.values(
            "article_id",
            "article__key",
            "article__language",
            "article__space_id",
            "article__space__name",
        )
        .annotate(
            title=Coalesce(
                F("article__published_version__title"), F("article__latest_version__title")
            ),
            **VOTE_COUNTS,
        )
        .annotate(share=HELPFUL_SHARE)
        .order_by("share", "-votes", "title")
    )


def published(ctx: ReportContext) -> QuerySet[Article]:
    """Articles with a version published in the period (a first publication or an update)."""
    versions = series.in_period(ArticleVersion.objects.all(), "published_at", ctx.period)
    return articles(ctx).filter(pk__in=versions.values("article_id"))


def stale(ctx: ReportContext) -> QuerySet[Article]:
    """Live articles past their review date today (the knowledge base's "past its review
    date" filter, on what readers can see), whatever the period."""
    return articles(ctx).filter(LIVE_ARTICLES, review_by__lt=report_today())


def gaps_opened(ctx: ReportContext) -> QuerySet[Gap]:
    return series.in_period(Gap.objects.filter(GAP_LIKE), "first_seen", ctx.period)


def gaps_closed(ctx: ReportContext) -> QuerySet[Gap]:
    """Gaps an article resolved in the period. A dismissed gap keeps no date, so it cannot
    be placed in a period and is not counted as closed."""
    return series.in_period(
        Gap.objects.filter(status=GapStatus.RESOLVED), "resolved_at", ctx.period
    )


# --- Drill-down tables -------------------------------------------------------------------------


def _percent(value) -> str:
    return format_value(value, Unit.PERCENT)


class QueryTable(DrillTable):
    query = tables.Column(verbose_name=_("Query"))
    searches = tables.Column(verbose_name=_("Searches"), attrs=NUMBER)
    zero_results = tables.Column(verbose_name=_("Without results"), attrs=NUMBER)
    clicked = tables.Column(verbose_name=_("Opened a result"), attrs=NUMBER)
    click_through_rate = tables.Column(verbose_name=_("Click-through rate"), attrs=NUMBER)
    last_seen = DateColumn(verbose_name=_("Last searched"), format="Y-m-d H:i")

    class Meta:
        orderable = True
        order_by = ("-searches",)

    def render_click_through_rate(self, value) -> str:
        return _percent(value)

    def value_click_through_rate(self, value) -> str:
        return _percent(value)


class ZeroQueryTable(DrillTable):
    query = tables.Column(verbose_name=_("Query"))
    searches = tables.Column(verbose_name=_("Searches without results"), attrs=NUMBER)
    last_seen = DateColumn(verbose_name=_("Last searched"), format="Y-m-d H:i")

    class Meta:
        orderable = True
        order_by = ("-searches",)


def _article_link(key: str, title: str) -> str:
    return format_html('<a href="{}">{}</a>', reverse("knowledge:article", args=[key]), title)


class HelpfulnessTable(DrillTable):
    title = tables.Column(verbose_name=_("Article"))
    space = tables.Column(verbose_name=_("Space"), accessor="article__space__name")
    language = tables.Column(verbose_name=_("Language"), accessor="article__language")
    votes = tables.Column(verbose_name=_("Votes"), attrs=NUMBER)
    helped = tables.Column(verbose_name=_("Helped"), attrs=NUMBER)
    not_helped = tables.Column(verbose_name=_("Did not help"), attrs=NUMBER)
    share = tables.Column(verbose_name=_("Helpful share"), attrs=NUMBER)

    class Meta:
        orderable = True
        order_by = ("share",)

    def render_title(self, record, value) -> str:
        return _article_link(record["article__key"], value)

    def render_share(self, value) -> str:
        return _percent(value)

    def value_share(self, value) -> str:
        return _percent(value)


class ArticleTable(DrillTable):
    title = tables.Column(
        verbose_name=_("Article"),
        accessor="key",  # never empty, so the title is always rendered from the record
        order_by=("published_version__title", "latest_version__title"),
    )
    space = tables.Column(verbose_name=_("Space"), accessor="space__name")
    language = tables.Column(verbose_name=_("Language"))
    status = tables.Column(verbose_name=_("Status"))
    owner = tables.Column(
        verbose_name=_("Owner"), accessor="owner__last_name", order_by=("owner__last_name",)
    )
    published_at = DateColumn(verbose_name=_("Last published"), format="Y-m-d")
    review_by = DateColumn(verbose_name=_("Review by"), format="Y-m-d")

    class Meta:
        orderable = True

    def render_title(self, record) -> str:
        return _article_link(record.key, record.title)

    def value_title(self, record) -> str:
        return record.title

    def render_status(self, record) -> str:
        return record.get_status_display()

    def value_status(self, record) -> str:
        return record.get_status_display()

    def render_owner(self, record) -> str:
        return record.owner.get_full_name()

    def value_owner(self, record) -> str:
        return record.owner.get_full_name() if record.owner else ""


def _article_rows(rows: QuerySet[Article], order: str) -> QuerySet[Article]:
    return (
        rows.select_related("space", "owner", "published_version", "latest_version")
        .only(
            "key",
            "language",
            "status",
            "published_at",
            "review_by",
            "space__name",
            "owner__first_name",
            "owner__last_name",
            "published_version__title",
            "latest_version__title",
        )
        .order_by(order, "pk")
    )


class GapTable(DrillTable):
    sample_query = tables.Column(verbose_name=_("What people searched for"))
    first_seen = DateColumn(verbose_name=_("First searched"), format="Y-m-d H:i")
    last_seen = DateColumn(verbose_name=_("Last searched"), format="Y-m-d H:i")
    searches = tables.Column(verbose_name=_("Searches"), attrs=NUMBER)
    zero_results = tables.Column(verbose_name=_("No results"), attrs=NUMBER)
    no_clicks = tables.Column(verbose_name=_("Nothing opened"), attrs=NUMBER)
    status = tables.Column(verbose_name=_("Status"))
    resolved_at = DateColumn(verbose_name=_("Resolved"), format="Y-m-d H:i")
    resolved_title = tables.Column(verbose_name=_("Answered by"), orderable=False)

    class Meta:
        orderable = True
        order_by = ("-searches",)

    def render_status(self, record) -> str:
        return record.get_status_display()

    def value_status(self, record) -> str:
        return record.get_status_display()

    def _answer(self, record) -> str:
        # The title is an article's; only editors may open every article. Others read the
        # status alone rather than a title they might not be allowed to see.
        user = getattr(getattr(self, "request", None), "user", None)
        return record.resolved_title if user and can_edit_knowledge(user) else ""

    def render_resolved_title(self, record) -> str:
        return self._answer(record) or "—"

    def value_resolved_title(self, record) -> str:
        return self._answer(record)


def _gap_rows(rows: QuerySet[Gap]) -> QuerySet[Gap]:
    return rows.only(
        "sample_query",
        "first_seen",
        "last_seen",
        "searches",
        "zero_results",
        "no_clicks",
        "status",
        "resolved_at",
        "resolved_title",
    )


# --- The report ----------------------------------------------------------------------------------


@register_report
class KnowledgeReport(Report):
    slug = "knowledge"
    title = _("Knowledge")
    description = _(
        "Searches, zero results and click-through, readers' votes, stale articles and "
        "knowledge gaps."
    )
    icon = "journal-text"
    order = 40
    # The search log names nobody and articles are written for everyone: no department or
    # location of a person to narrow by.
    uses = frozenset()
    drills = {
        "queries": Drill(
            "queries",
            _("What people searched for"),
            lambda ctx: queries(ctx),
            QueryTable,
            empty=_("Nobody searched in this period."),
        ),
        "zero_results": Drill(
            "zero_results",
            _("Searches without results"),
            lambda ctx: queries(ctx, zero_only=True),
            ZeroQueryTable,
            empty=_("Every search in this period found something."),
        ),
        "helpfulness": Drill(
            "helpfulness",
            _("Articles by helpfulness"),
            lambda ctx, space=None: votes_by_article(ctx, space=space),
            HelpfulnessTable,
            params={"space": int_param},
            empty=_("No votes in this period."),
        ),
        "published": Drill(
            "published",
            _("Articles published in the period"),
            lambda ctx: _article_rows(published(ctx), "-published_at"),
            ArticleTable,
        ),
        "stale": Drill(
            "stale",
            _("Articles past their review date"),
            lambda ctx: _article_rows(stale(ctx), "review_by"),
            ArticleTable,
            empty=_("Every live article is within its review date."),
        ),
        "gaps_opened": Drill(
            "gaps_opened",
            _("Knowledge gaps first searched in the period"),
            lambda ctx: _gap_rows(gaps_opened(ctx)),
            GapTable,
        ),
        "gaps_closed": Drill(
            "gaps_closed",
            _("Knowledge gaps resolved in the period"),
            lambda ctx: _gap_rows(gaps_closed(ctx)),
            GapTable,
        ),
    }

    def visible_to(self, user: User) -> bool:
        return can_read_knowledge_report(user)

    def figures(self, ctx: ReportContext) -> list[Figure]:
        search = search_totals(ctx)
        voted = votes(ctx).aggregate(**VOTE_COUNTS)
        start, after = ctx.period.bounds()
        gaps = Gap.objects.aggregate(
            opened=Count("pk", filter=GAP_LIKE & Q(first_seen__gte=start, first_seen__lt=after)),
            closed=Count(
                "pk",
                filter=Q(status=GapStatus.RESOLVED, resolved_at__gte=start, resolved_at__lt=after),
            ),
        )
        return [
            Figure("searches", _("Searches"), search.searches, drill="queries",
                   help=search_freshness(ctx)
                   or _("Every search in the portal: the log names nobody, so no department "
                        "or location applies.")),
            Figure("zero_rate", _("Zero-result rate"), search.zero_rate, unit=Unit.PERCENT,
                   drill="zero_results", help=_("Share of searches that found nothing.")),
            Figure("click_through", _("Click-through rate"), search.click_through_rate,
                   unit=Unit.PERCENT, drill="queries",
                   help=_("Share of searches with results in which a result was opened.")),
            Figure("helpful", _("Helpful votes"),
                   series.share(voted["helped"], voted["votes"]), unit=Unit.PERCENT,
                   drill="helpfulness",
                   help=_("Share of readers' votes in the period that said the article "
                          "helped.")),
            Figure("published", _("Articles published"), published(ctx).count(),
                   drill="published", help=_("New articles and updates.")),
            Figure("stale", _("Past their review date"), self._stale(ctx), drill="stale",
                   help=_("Live articles, now, whatever the period."), comparable=False),
            Figure("gaps_opened", _("Gaps opened"), gaps["opened"], drill="gaps_opened",
                   help=_("Queries first searched in the period that found nothing, or "
                          "nothing opened.")),
            Figure("gaps_closed", _("Gaps closed"), gaps["closed"], drill="gaps_closed",
                   help=_("Resolved by an article published for them.")),
        ]  # fmt: skip

    def _stale(self, ctx: ReportContext) -> int:
        # Counted once per page: it does not depend on the period.
        return ctx.remember("stale", lambda: stale(ctx).count())

    def details(self, ctx: ReportContext):
        return self._charts(ctx), self._tables(ctx)

    def _charts(self, ctx: ReportContext) -> list[Chart]:
        period = ctx.period
        labels = series.labels(period)
        by_bucket = search_buckets(ctx)
        rates = [_rates(start, by_bucket.get(start, {})) for start in period.bucket_starts()]
        opened = series.counts_by_bucket(Gap.objects.filter(GAP_LIKE), "first_seen", period)
        closed = series.counts_by_bucket(
            Gap.objects.filter(status=GapStatus.RESOLVED), "resolved_at", period
        )
        return [
            Chart(
                "searches",
                _("Searches"),
                _("Bars: searches in each interval; line: searches that found nothing."),
                _("Interval"),
                _("Searches"),
                labels,
                [
                    Series(_("Searches"), [rate.searches for rate in rates]),
                    Series(
                        _("Without results"),
                        [rate.zero_results for rate in rates],
                        kind="line",
                        css="danger",
                    ),
                ],
            ),
            Chart(
                "search_rates",
                _("Click-through and zero-result rate"),
                _(
                    "Lines: share of searches with results in which a result was opened, and "
                    "share of searches that found nothing, in each interval."
                ),
                _("Interval"),
                _("Share of searches"),
                labels,
                [
                    Series(
                        _("Click-through rate"),
                        [rate.click_through_rate for rate in rates],
                        kind="line",
                        css="success",
                    ),
                    Series(
                        _("Zero-result rate"),
                        [rate.zero_rate for rate in rates],
                        kind="line",
                        css="danger",
                    ),
                ],
                percent=True,
            ),
            Chart(
                "gaps",
                _("Knowledge gaps opened and closed"),
                _("Bars: gaps first searched in each interval; line: gaps resolved."),
                _("Interval"),
                _("Gaps"),
                labels,
                [
                    Series(_("Opened"), opened, kind="bar", css="warning"),
                    Series(_("Closed"), closed, kind="line", css="success"),
                ],
            ),
        ]

    def _tables(self, ctx: ReportContext) -> list[Table]:
        by_space = (
            votes(ctx)
            .values("article__space_id", "article__space__name")
            .annotate(**VOTE_COUNTS)
            .order_by("article__space__name")
        )
        rated = votes_by_article(ctx).filter(votes__gte=MIN_VOTES)
        least = rated[:TOP_ARTICLES]
        most = rated.order_by("-share", "-votes", "title")[:TOP_ARTICLES]
        zero = queries(ctx, zero_only=True)[:TOP_QUERIES]
        article_columns = [
            Column("title", _("Article")),
            Column("space", _("Space")),
            Column("votes", _("Votes"), Unit.COUNT),
            Column("share", _("Helpful share"), Unit.PERCENT),
        ]
        article_note = _(
            "Articles with at least %(votes)d votes in the period. Each reader has one vote "
            "per article; a changed vote counts when it was last given."
        ) % {"votes": MIN_VOTES}
        return [
            Table(
                "helpfulness_by_space",
                _("Helpfulness by space"),
                [
                    Column("space", _("Space")),
                    Column("votes", _("Votes"), Unit.COUNT),
                    Column("helped", _("Helped"), Unit.COUNT),
                    Column("not_helped", _("Did not help"), Unit.COUNT),
                    Column("share", _("Helpful share"), Unit.PERCENT),
                ],
                [
                    {
                        "space": row["article__space__name"],
                        "votes": row["votes"],
                        "helped": row["helped"],
                        "not_helped": row["not_helped"],
                        "share": series.share(row["helped"], row["votes"]),
                        "_drill": ("helpfulness", {"space": row["article__space_id"]}),
                    }
                    for row in by_space
                ],
                note=_("Readers' votes given in the period, on the articles you may open."),
            ),
            Table(
                "least_helpful",
                _("Least helpful articles"),
                article_columns,
                self._article_rows(least),
                note=article_note,
            ),
            Table(
                "most_helpful",
                _("Most helpful articles"),
                article_columns,
                self._article_rows(most),
                note=article_note,
            ),
            Table(
                "zero_result_queries",
                _("Top searches without results"),
                [
                    Column("query", _("Query")),
                    Column("searches", _("Searches"), Unit.COUNT),
                    Column("last_seen", _("Last searched")),
                ],
                [
                    {
                        "query": row["query"],
                        "searches": row["searches"],
                        "last_seen": f"{row['last_seen'].astimezone(report_zone()):%Y-%m-%d %H:%M}",
                        "_drill": ("zero_results", {}),
                    }
                    for row in zero
                ],
                note=_(
                    "All searches in the portal; the log keeps no names, so these cover everyone."
                ),
            ),
        ]

    @staticmethod
    def _article_rows(rows) -> list[dict]:
        return [
            {
                "title": row["title"],
                "space": row["article__space__name"],
                "votes": row["votes"],
                "share": row["share"],
                "_drill": ("helpfulness", {"space": row["article__space_id"]}),
            }
            for row in rows
        ]
