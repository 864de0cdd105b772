"""The Knowledge report: search figures over everyone (the log names nobody), readers' votes,
stale articles and knowledge gaps; article titles only for viewers who may open them."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ess.accounts.roles import Role
from ess.reports import search_rollup, series
from ess.reports.models import RollupRun, SearchDay, SearchQueryDay
from ess.reports.periods import Period, report_zone
from ess.search.models import Gap, GapStatus, SearchLog
from ess.search.services import searcher_hash
from helpdesk.knowledge.models import Article, ArticleVersion, Audience, Feedback
from tests.factories import UserFactory
from tests.knowledge.factories import SpaceFactory, draft_article, published_article
from tests.matrix import Row, assert_access, expand

pytestmark = pytest.mark.django_db

OCTOBER = {"start": "2025-10-01", "end": "2025-10-31"}
NOVEMBER = {"start": "2025-11-01", "end": "2025-11-30"}
HOSTILE = "<script>alert('x')</script>"
AGENTS_TITLE = f"Escalation {HOSTILE}"


def local(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=report_zone())


def oct_(day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return local(datetime.date(2025, 10, day), hour, minute)


# 23:30 UTC on 31 October is 00:30 on 1 November in Amsterdam: November's, not October's.
LAST_OCTOBER_NIGHT_UTC = datetime.datetime(2025, 10, 31, 23, 30, tzinfo=datetime.UTC)
# 22:30 UTC on 30 September is 00:30 on 1 October in Amsterdam (summer time): October's.
FIRST_OCTOBER_NIGHT_UTC = datetime.datetime(2025, 9, 30, 22, 30, tzinfo=datetime.UTC)


def log(query: str, at, *, results: int = 3, clicked: bool = False) -> SearchLog:
    return SearchLog.objects.create(
        created_at=at,
        query=query,
        normalised=" ".join(query.lower().split()),
        result_count=results,
        source="page",
        searcher=searcher_hash(type("Person", (), {"pk": query})),
        clicked_at=at if clicked else None,
        clicked_type="article" if clicked else "",
        clicked_key="vpn" if clicked else "",
        clicked_rank=1 if clicked else None,
    )


def gap(query: str, first_seen, *, zero: int = 0, no_clicks: int = 0, **extra) -> Gap:
    return Gap.objects.create(
        normalised=" ".join(query.lower().split()),
        sample_query=query,
        first_seen=first_seen,
        last_seen=first_seen,
        searches=zero + no_clicks + 1,
        zero_results=zero,
        no_clicks=no_clicks,
        **extra,
    )


def publish(title: str, *, space, on: datetime.datetime, review_by: datetime.date, **kwargs):
    article = published_article(title=title, space=space, **kwargs)
    ArticleVersion.objects.filter(article=article).update(published_at=on)
    Article.objects.filter(pk=article.pk).update(published_at=on, review_by=review_by)
    return article


def vote(article: Article, helpful: bool, at) -> Feedback:
    return Feedback.objects.create(
        article=article, user=UserFactory(), helpful=helpful, version_number=1, created_at=at
    )


@pytest.fixture
def world(db):
    """October 2025, counted by hand.

    Searches: 5 in October (2 without results, 3 with, 2 of those opened), one the minute
    before and one the minute after. Votes: 8 in October (4 helped), 5 of them on articles
    everyone may read (4 helped). Published in October: 2 (1 everyone may read). Stale now:
    2 (1 everyone may read). Gaps opened: 2; closed: 1.
    """
    today = timezone.localdate()
    it, hr = SpaceFactory(name="IT"), SpaceFactory(name="HR")
    vpn = publish("VPN guide", space=it, on=oct_(5), review_by=today - datetime.timedelta(days=1))
    agents = publish(
        AGENTS_TITLE,
        space=it,
        on=oct_(6),
        review_by=today - datetime.timedelta(days=10),
        audience=Audience.AGENTS,
    )
    leave = publish(
        "Requesting leave", space=hr, on=local(datetime.date(2025, 9, 1)), review_by=today
    )
    # Past its review date but never published: readers see nothing stale.
    draft = draft_article(title="Unpublished draft", space=it)
    Article.objects.filter(pk=draft.pk).update(review_by=today - datetime.timedelta(days=3))

    log("before", local(datetime.date(2025, 9, 30), 23, 59), results=0)
    log("vpn", FIRST_OCTOBER_NIGHT_UTC, clicked=True)
    log("vpn", oct_(10))
    log(HOSTILE, oct_(15), results=0)
    log(HOSTILE, oct_(31, 23, 59), results=0)
    log("payslip", oct_(20), clicked=True)
    log("after", LAST_OCTOBER_NIGHT_UTC, results=0)

    for helpful in (True, True, True, False):
        vote(vpn, helpful, oct_(7))
    vote(vpn, True, local(datetime.date(2025, 9, 30), 23, 59))  # September's
    for _ in range(3):
        vote(agents, False, oct_(8))
    vote(leave, True, LAST_OCTOBER_NIGHT_UTC - datetime.timedelta(hours=1))  # 23:30 local, 31st

    gap(HOSTILE, oct_(15), zero=2)
    gap("vpn", FIRST_OCTOBER_NIGHT_UTC, no_clicks=1)
    gap("payslip", oct_(20))  # always answered and opened: not a gap
    gap(
        "dog",
        local(datetime.date(2025, 9, 1)),
        zero=1,
        status=GapStatus.RESOLVED,
        resolved_at=LAST_OCTOBER_NIGHT_UTC,
        resolved_title="Dogs at work",
    )
    gap(
        "company car",
        local(datetime.date(2025, 8, 1)),
        zero=1,
        status=GapStatus.RESOLVED,
        resolved_at=oct_(10),
        resolved_title=AGENTS_TITLE,
    )
    search_rollup.rebuild_all()  # as the beat job keeps it
    return {"vpn": vpn, "agents": agents, "leave": leave, "it": it, "hr": hr}


def page(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("reports:report", args=["knowledge"]), params)
    assert response.status_code == 200
    return response


def figures(response) -> dict:
    return {figure.key: figure.value for figure in response.context["page"].figures}


def table(response, key: str):
    return next(t for t in response.context["page"].tables if t.key == key)


def chart(response, key: str):
    return next(c for c in response.context["page"].charts if c.key == key)


def drill(client, user, key: str, **params):
    client.force_login(user)
    return client.get(reverse("reports:drill", args=["knowledge", key]), params)


def drill_rows(response) -> list:
    return list(response.context["table"].data)


# --- Who may read it ----------------------------------------------------------------------------


def _url(name: str, *args: str, query: str = ""):
    def build(request) -> str:
        return reverse(name, args=["knowledge", *args]) + query

    build.__name__ = "-".join(["knowledge", name.split(":")[1], *args, query[1:]])
    return build


MATRIX = [
    Row(
        _url("reports:report"),
        {
            "anonymous": 302,
            "employee": 403,
            "manager": 403,
            "it_agent": 403,
            "hr_officer": 403,
            "kb_editor": 200,
            "auditor": 200,
            "admin_user": 200,
        },
    ),
    Row(
        _url("reports:drill", "stale"),
        {"employee": 403, "it_agent": 403, "kb_editor": 200, "auditor": 200, "admin_user": 200},
    ),
    Row(
        _url("reports:drill", "queries", query="?_export=csv"),
        {"employee": 403, "it_agent": 403, "kb_editor": 200, "auditor": 200},
    ),
    Row(
        _url("reports:report", query="?part=searches&_export=csv"),
        {"employee": 403, "it_agent": 403, "kb_editor": 200, "auditor": 200},
    ),
    Row(_url("reports:pdf"), {"employee": 403, "auditor": 200}),
]


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_who_may_read_the_report(client, request, row, who):
    assert_access(client, request, row, who)


def test_the_report_takes_no_department_or_location(client, kb_editor):
    response = page(client, kb_editor)
    form = response.context["form"]
    assert "department" not in form.fields
    assert "location" not in form.fields
    assert "queue" not in form.fields


# --- Figures against hand-counted rows ------------------------------------------------------------


def test_figures_for_an_editor(client, kb_editor, world):
    values = figures(page(client, kb_editor, **OCTOBER))

    assert values["searches"] == 5
    assert values["zero_rate"] == pytest.approx(2 / 5)
    assert values["click_through"] == pytest.approx(2 / 3)
    assert values["helpful"] == pytest.approx(4 / 8)
    assert values["published"] == 2
    assert values["stale"] == 2
    assert values["gaps_opened"] == 2
    assert values["gaps_closed"] == 1


def test_tables_for_an_editor(client, kb_editor, world):
    response = page(client, kb_editor, **OCTOBER)

    by_space = {row["space"]: row for row in table(response, "helpfulness_by_space").rows}
    assert {name: (r["votes"], r["helped"], r["not_helped"]) for name, r in by_space.items()} == {
        "IT": (7, 3, 4),
        "HR": (1, 1, 0),
    }
    assert by_space["IT"]["share"] == pytest.approx(3 / 7)
    assert [r["title"] for r in table(response, "least_helpful").rows] == [
        AGENTS_TITLE,
        "VPN guide",
    ]
    assert [r["title"] for r in table(response, "most_helpful").rows] == [
        "VPN guide",
        AGENTS_TITLE,
    ]
    zero = table(response, "zero_result_queries").rows
    assert [(r["query"], r["searches"]) for r in zero] == [(HOSTILE, 2)]
    assert zero[0]["last_seen"] == "2025-10-31 23:59"


def test_charts_count_per_bucket(client, kb_editor, world):
    response = page(client, kb_editor, start="2025-01-01", end="2025-12-31")  # months

    searches = chart(response, "searches")
    october = searches.labels.index("2025-10")
    assert searches.series[0].values[october - 1 : october + 2] == [1, 5, 1]
    assert searches.series[1].values[october - 1 : october + 2] == [1, 2, 1]
    rates = chart(response, "search_rates")
    assert rates.series[0].values[october] == pytest.approx(2 / 3)
    assert rates.series[1].values[october] == pytest.approx(2 / 5)
    assert rates.series[0].values[0] is None  # no searches in January
    gaps = chart(response, "gaps")
    assert gaps.series[0].values[october] == 2
    assert gaps.series[1].values[october - 2 : october + 2] == [0, 0, 1, 1]


def test_drill_downs_list_what_the_figures_count(client, kb_editor, world):
    queries = drill_rows(drill(client, kb_editor, "queries", **OCTOBER))
    assert {(r["query"], r["searches"], r["clicked"]) for r in queries} == {
        ("vpn", 2, 1),
        (HOSTILE, 2, 0),
        ("payslip", 1, 1),
    }
    zero = drill_rows(drill(client, kb_editor, "zero_results", **OCTOBER))
    assert [(r["query"], r["searches"]) for r in zero] == [(HOSTILE, 2)]
    helpfulness = drill_rows(drill(client, kb_editor, "helpfulness", **OCTOBER))
    assert [(r["title"], r["votes"]) for r in helpfulness] == [
        (AGENTS_TITLE, 3),
        ("VPN guide", 4),
        ("Requesting leave", 1),
    ]
    hr_only = drill_rows(drill(client, kb_editor, "helpfulness", space=world["hr"].pk, **OCTOBER))
    assert [r["title"] for r in hr_only] == ["Requesting leave"]
    published = drill_rows(drill(client, kb_editor, "published", **OCTOBER))
    assert {a.title for a in published} == {"VPN guide", AGENTS_TITLE}
    stale = drill_rows(drill(client, kb_editor, "stale", **OCTOBER))
    assert [a.title for a in stale] == [AGENTS_TITLE, "VPN guide"]
    opened = drill_rows(drill(client, kb_editor, "gaps_opened", **OCTOBER))
    assert {g.sample_query for g in opened} == {HOSTILE, "vpn"}
    closed = drill_rows(drill(client, kb_editor, "gaps_closed", **OCTOBER))
    assert [g.sample_query for g in closed] == ["company car"]


# --- Scoping ------------------------------------------------------------------------------------


def test_an_auditor_counts_and_sees_only_articles_they_may_open(client, auditor, world):
    response = page(client, auditor, **OCTOBER)
    values = figures(response)

    # Search figures are the same for everyone; articles only those everyone may read.
    assert values["searches"] == 5
    assert values["helpful"] == pytest.approx(4 / 5)
    assert values["published"] == 1
    assert values["stale"] == 1
    by_space = {row["space"]: row["votes"] for row in table(response, "helpfulness_by_space").rows}
    assert by_space == {"IT": 4, "HR": 1}
    assert [r["title"] for r in table(response, "least_helpful").rows] == ["VPN guide"]
    assert "Escalation" not in response.content.decode()

    for key in ("helpfulness", "published", "stale"):
        listing = drill(client, auditor, key, **OCTOBER)
        assert listing.status_code == 200
        assert "Escalation" not in listing.content.decode()
        export = drill(client, auditor, key, _export="csv", **OCTOBER)
        assert "Escalation" not in export.content.decode()


def test_a_resolved_gaps_article_title_is_shown_to_editors_only(client, kb_editor, auditor, world):
    assert "Escalation" in drill(client, kb_editor, "gaps_closed", **OCTOBER).content.decode()
    for response in (
        drill(client, auditor, "gaps_closed", **OCTOBER),
        drill(client, auditor, "gaps_closed", _export="csv", **OCTOBER),
    ):
        assert response.status_code == 200
        assert "company car" in response.content.decode()
        assert "Escalation" not in response.content.decode()


def test_an_auditor_who_is_an_agent_counts_agents_only_articles(client, world):
    auditing_agent = UserFactory(roles=[Role.EMPLOYEE, Role.IT_AGENT, Role.AUDITOR])
    values = figures(page(client, auditing_agent, **OCTOBER))

    assert values["published"] == 2
    assert values["helpful"] == pytest.approx(4 / 8)


# --- Date edges ---------------------------------------------------------------------------------


def test_the_last_night_of_october_in_utc_counts_in_november(client, kb_editor, world):
    values = figures(page(client, kb_editor, **NOVEMBER))

    assert values["searches"] == 1  # "after", 00:30 on 1 November in Amsterdam
    assert values["zero_rate"] == 1
    assert values["click_through"] is None
    assert values["gaps_closed"] == 1  # "dog"
    assert values["helpful"] is None
    assert values["published"] == 0


def test_first_and_last_day_are_included(client, kb_editor, world):
    first = figures(page(client, kb_editor, start="2025-10-01", end="2025-10-01"))
    last = figures(page(client, kb_editor, start="2025-10-31", end="2025-10-31"))

    assert first["searches"] == 1  # 22:30 UTC on 30 September
    assert first["gaps_opened"] == 1
    assert last["searches"] == 1  # 23:59 local
    assert last["helpful"] == 1  # the vote at 23:30 local


def test_compare_counts_the_previous_period(client, kb_editor, world):
    response = page(client, kb_editor, **NOVEMBER, compare="on")
    previous = {f.key: f.previous for f in response.context["page"].figures}

    # Explicit days compare with as many days before: 2 to 31 October, so not the search
    # at 00:30 on 1 October.
    assert previous["searches"] == 4
    assert previous["stale"] is None  # now, whatever the period


# --- Parameters, exports, escaping ---------------------------------------------------------------


def test_bad_drill_parameters_are_refused(client, kb_editor, world):
    assert drill(client, kb_editor, "helpfulness", space="IT").status_code == 400
    assert drill(client, kb_editor, "queries", space="1").status_code == 400
    assert drill(client, kb_editor, "nope").status_code == 404


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_exports_of_a_chart_and_a_drill_down(client, kb_editor, world):
    client.force_login(kb_editor)
    url = reverse("reports:report", args=["knowledge"])

    chart_csv = client.get(url, {**OCTOBER, "part": "searches", "_export": "csv"})
    assert chart_csv.status_code == 200
    rows = _csv(chart_csv)
    assert rows[0] == ["Interval", "Searches", "Without results"]
    assert ["01-10", "1", "0"] in rows  # the search at 00:30 on 1 October (22:30 UTC)

    chart_xlsx = client.get(url, {**OCTOBER, "part": "search_rates", "_export": "xlsx"})
    assert chart_xlsx.status_code == 200
    assert chart_xlsx.content[:2] == b"PK"

    zero = drill(client, kb_editor, "zero_results", _export="csv", **OCTOBER)
    assert zero.status_code == 200
    rows = _csv(zero)
    assert rows[0][:2] == ["Query", "Searches without results"]
    assert rows[1][:2] == [HOSTILE, "2"]
    xlsx = drill(client, kb_editor, "helpfulness", _export="xlsx", **OCTOBER)
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"


def test_hostile_text_is_escaped(client, kb_editor, world):
    for response in (
        page(client, kb_editor, **OCTOBER),
        drill(client, kb_editor, "zero_results", **OCTOBER),
        drill(client, kb_editor, "helpfulness", **OCTOBER),
        drill(client, kb_editor, "stale", **OCTOBER),
    ):
        body = response.content.decode()
        assert HOSTILE not in body
        assert "&lt;script&gt;" in body


# --- Query counts -------------------------------------------------------------------------------


def _more(first: int, n: int) -> None:
    space = SpaceFactory(name="IT")
    for number in range(first, first + n):
        article = publish(
            f"Extra {number}",
            space=space,
            on=oct_(3),
            review_by=timezone.localdate() - datetime.timedelta(days=2),
        )
        for _ in range(3):
            vote(article, number % 2 == 0, oct_(9))
        log(f"query {number}", oct_(11), results=0)
        log(f"found {number}", oct_(12), clicked=True)
        gap(f"query {number}", oct_(11), zero=1)
        gap(
            f"solved {number}",
            oct_(1),
            zero=1,
            status=GapStatus.RESOLVED,
            resolved_at=oct_(13),
            resolved_title=f"Solved {number}",
        )
    search_rollup.rebuild_all()


def _count(client, user, url: str, params: dict) -> int:
    client.force_login(user)
    client.get(url, params)  # warm the session and per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


DRILLS = ("queries", "zero_results", "helpfulness", "published", "stale", "gaps_closed")


@pytest.mark.parametrize("who", ["kb_editor", "auditor"])
def test_query_count_does_not_grow_with_the_data(client, request, who):
    user = request.getfixturevalue(who)
    page_url = reverse("reports:report", args=["knowledge"])
    params = {**OCTOBER, "compare": "on"}
    _more(0, 3)
    small = {
        "page": _count(client, user, page_url, params),
        **{
            key: _count(client, user, reverse("reports:drill", args=["knowledge", key]), OCTOBER)
            for key in DRILLS
        },
    }
    _more(3, 27)
    large = {
        "page": _count(client, user, page_url, params),
        **{
            key: _count(client, user, reverse("reports:drill", args=["knowledge", key]), OCTOBER)
            for key in DRILLS
        },
    }
    assert small == large
    assert large["page"] <= 30


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2025-10-01", "2025-10-31"),  # days, across the end of summer time on the 26th
        ("2025-09-03", "2025-11-30"),  # weeks, the first one begun before the period
        ("2025-01-01", "2025-12-31"),  # months
    ],
)
def test_search_buckets_follow_local_days(world, start, end):
    """Rows are placed by the buckets' local-midnight bounds (no per-row truncation): each
    bucket holds exactly the rows whose local day falls in it, across the DST change."""
    period = Period(datetime.date.fromisoformat(start), datetime.date.fromisoformat(end))
    buckets = series.bucket_rows(
        SearchLog.objects.all(), "created_at", period, searches=Count("pk")
    )

    lower, upper = period.bounds()
    expected = {}
    for moment in SearchLog.objects.filter(created_at__gte=lower, created_at__lt=upper).values_list(
        "created_at", flat=True
    ):
        bucket = period.bucket_of(moment.astimezone(report_zone()).date())
        expected[bucket] = expected.get(bucket, 0) + 1
    assert series.fill(buckets, period, "searches") == [
        expected.get(start, 0) for start in period.bucket_starts()
    ]


# --- The daily search rollup ----------------------------------------------------------------------


def test_search_rollup_counts_local_days(world):
    by_day = {row.day: row for row in SearchDay.objects.all()}
    expected: dict = {}
    for moment, results, clicked in SearchLog.objects.values_list(
        "created_at", "result_count", "clicked_at"
    ):
        day = moment.astimezone(report_zone()).date()
        counts = expected.setdefault(day, [0, 0, 0])
        counts[0] += 1
        counts[1] += results == 0
        counts[2] += clicked is not None
    assert {
        day: [row.searches, row.zero_results, row.clicked] for day, row in by_day.items()
    } == expected
    # 00:30 local on 1 October was 22:30 UTC the day before.
    assert by_day[datetime.date(2025, 10, 1)].searches == 1
    # 23:59 local on 31 October is October's; 00:30 local on 1 November is November's.
    assert by_day[datetime.date(2025, 10, 31)].searches == 1
    assert by_day[datetime.date(2025, 11, 1)].searches == 1
    hostile = SearchQueryDay.objects.get(
        normalised=" ".join(HOSTILE.lower().split()), day=datetime.date(2025, 10, 15)
    )
    assert (hostile.searches, hostile.zero_results, hostile.last_zero_at) == (
        1,
        1,
        hostile.last_seen,
    )


def test_search_rollup_is_idempotent_and_follows_late_clicks(client, kb_editor, world):
    def rows():
        return (
            sorted(SearchDay.objects.values_list("day", "searches", "zero_results", "clicked")),
            sorted(SearchQueryDay.objects.values_list("day", "normalised", "searches", "clicked")),
        )

    first = rows()
    search_rollup.rebuild_all()
    search_rollup.rebuild_days(datetime.date(2025, 10, 1), datetime.date(2025, 10, 31))
    assert rows() == first
    # A search of today, opened a minute later: counted on the next run.
    now = timezone.now()
    made = log("holiday", now)
    today = {"period": "last_7"}
    before = figures(page(client, kb_editor, **today))["searches"]
    search_rollup.refresh_recent()
    assert figures(page(client, kb_editor, **today))["searches"] == before + 1
    SearchLog.objects.filter(pk=made.pk).update(clicked_at=now)
    from ess.reports.tasks import rollup_searches

    rollup_searches()
    assert SearchDay.objects.get(day=now.astimezone(report_zone()).date()).clicked >= 1


def test_knowledge_page_reads_the_rollup_and_says_when_it_lags(client, kb_editor, world):
    SearchLog.objects.all().delete()  # the page counts the rollup, not the log
    assert figures(page(client, kb_editor, **OCTOBER))["searches"] == 5
    help_text = str(page(client, kb_editor, **OCTOBER).context["page"].figures[0].help)
    assert "Figures up to" not in help_text
    RollupRun.objects.filter(name=search_rollup.ROLLUP_NAME).update(
        refreshed_at=timezone.now() - datetime.timedelta(hours=3)
    )
    help_text = str(page(client, kb_editor, **OCTOBER).context["page"].figures[0].help)
    assert "Figures up to" in help_text
    search_rollup.rebuild_all()  # the log is empty now: so is the rollup
    assert figures(page(client, kb_editor, **OCTOBER))["searches"] == 0


def test_the_nightly_search_run_counts_everything(world):
    night = datetime.datetime(2026, 11, 22, 3, 5, tzinfo=report_zone())
    search_rollup.refresh_due(now=night - datetime.timedelta(hours=4))  # first: everything
    settled = RollupRun.objects.get(name=search_rollup.SETTLED_NAME).refreshed_at
    search_rollup.refresh_due(now=night - datetime.timedelta(hours=3))  # 00:05: recent days
    assert RollupRun.objects.get(name=search_rollup.SETTLED_NAME).refreshed_at == settled
    search_rollup.refresh_due(now=night)
    assert RollupRun.objects.get(name=search_rollup.SETTLED_NAME).refreshed_at == night
