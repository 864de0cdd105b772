"""Reports on real PostgreSQL: the same hand-counted figures and local-day buckets as on
SQLite, and two beat runs racing for the same digest sending it once."""

import datetime
import threading

import pytest
from django.db import connections
from django.urls import reverse

from ess.accounts.roles import Role
from ess.notifications.models import Notification, OutboxMessage
from ess.reports import digests
from ess.reports.models import DigestDelivery, DigestSubscription
from tests.reports.conftest import team  # noqa: F401  (the fixture)
from tests.reports.test_team import OCTOBER

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _role_groups():
    from django.contrib.auth.models import Group

    for role in Role:
        Group.objects.get_or_create(name=str(role))


def test_team_figures_and_local_day_buckets_match_sqlite(client, team):  # noqa: F811
    client.force_login(team["mila"])
    response = client.get(reverse("reports:report", args=["team"]), OCTOBER)
    page = response.context["page"]
    assert {f.key: f.value for f in page.figures} == {
        "headcount": 2,
        "joiners": 1,
        "leavers": 1,
        "waiting": 0,
        "ack_rate": 0.5,
        "ack_overdue": 1,
        "tickets": 3,
    }
    chart = next(chart for chart in page.charts if chart.key == "tickets")
    by_day = dict(zip(chart.labels, chart.series[0].values, strict=True))
    assert (by_day["01-10"], by_day["10-10"], by_day["31-10"]) == (1, 1, 1)
    # Last 12 months in month buckets: the same three requests, all in October.
    months = client.get(
        reverse("reports:report", args=["team"]), {"start": "2025-11-01", "end": "2026-10-31"}
    ).context["page"]
    chart = next(chart for chart in months.charts if chart.key == "tickets")
    assert dict(zip(chart.labels, chart.series[0].values, strict=True))["2026-10"] == 3


def test_counted_ahead_team_and_searches_match_the_live_counts(client, team, monkeypatch):  # noqa: F811
    """The rollups group by local day with PostgreSQL's own time-zone conversion: the
    counted-ahead My team page equals the live one, by day and by month, and the search
    rollup puts 00:30 local on 1 October in October."""
    from ess.reports import search_rollup, team_rollup
    from ess.reports.models import SearchDay
    from ess.search.models import SearchLog

    monkeypatch.setattr(team_rollup, "LARGE_TEAM", 1)
    client.force_login(team["mila"])

    def shown(params):
        page = client.get(reverse("reports:report", args=["team"]), params).context["page"]
        return (
            [(f.key, f.value) for f in page.figures],
            [(c.key, [list(s.values) for s in c.series]) for c in page.charts],
            [(t.key, t.rows) for t in page.tables],
        )

    months = {"start": "2025-11-01", "end": "2026-10-31"}
    live = shown(OCTOBER), shown(months)
    team_rollup.rebuild_all()
    assert (shown(OCTOBER), shown(months)) == live

    first_night = datetime.datetime(2025, 9, 30, 22, 30, tzinfo=datetime.UTC)
    for moment, results in ((first_night, 3), (first_night + datetime.timedelta(days=3), 0)):
        SearchLog.objects.create(
            created_at=moment, query="VPN", normalised="vpn", result_count=results,
            source="page", searcher="x",
        )  # fmt: skip
    search_rollup.rebuild_all()
    assert sorted(SearchDay.objects.values_list("day", "searches", "zero_results")) == [
        (datetime.date(2025, 10, 1), 1, 0),
        (datetime.date(2025, 10, 4), 1, 1),
    ]


def test_racing_digest_runs_send_once(team):  # noqa: F811
    DigestSubscription.objects.create(user=team["mila"], report="team", frequency="weekly")
    today = datetime.date(2026, 11, 23)
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(index):
        try:
            barrier.wait()
            results[index] = digests.digests_send_due(today=today)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    assert DigestDelivery.objects.count() == 1
    assert Notification.objects.filter(kind="reports.digest").count() == 1
    assert OutboxMessage.objects.filter(to=team["mila"].email).count() == 1
