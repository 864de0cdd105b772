"""Search analytics computed by the database, checked against hand-counted log rows,
including the edges of the date range (local midnight on both sides)."""

import datetime

import pytest
from django.utils import timezone

from ess.search import insights
from ess.search.services import index_upsert
from tests.search.web_fixtures import document, local, log_search

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2025, 3, 3)
SUNDAY = MONDAY + datetime.timedelta(days=6)


@pytest.fixture
def week(db):
    """Searches on Monday to Sunday, plus one a minute either side of the week."""
    log_search("before", at=local(MONDAY - datetime.timedelta(days=1), 23, 59), results=0)
    log_search("vpn", at=local(MONDAY, 0, 0), results=3, clicked=True, searcher="a")
    log_search("vpn", at=local(MONDAY, 8), results=3, searcher="b")
    log_search("Parking", at=local(MONDAY, 9), results=0, searcher="a")
    log_search("vpn", at=local(MONDAY + datetime.timedelta(days=2), 14), results=5, clicked=True)
    log_search("parking", at=local(SUNDAY, 23, 59), results=0, searcher="c")
    log_search("after", at=local(SUNDAY + datetime.timedelta(days=1), 0, 0), results=0)


def test_totals_count_only_the_range(week):
    totals = insights.search_totals(MONDAY, SUNDAY)
    assert totals.searches == 5
    assert totals.zero_results == 2
    assert totals.with_results == 3
    assert totals.clicked == 2
    assert totals.searchers == 4
    assert totals.zero_rate == pytest.approx(0.4)
    assert totals.click_through_rate == pytest.approx(2 / 3)


def test_rates_are_none_without_searches(db):
    totals = insights.search_totals(MONDAY, SUNDAY)
    assert (totals.searches, totals.zero_rate, totals.click_through_rate) == (0, None, None)


def test_searches_per_day_includes_empty_days(week):
    days = insights.searches_per_day(MONDAY, SUNDAY)
    assert [day.day for day in days] == [MONDAY + datetime.timedelta(days=n) for n in range(7)]
    assert [day.searches for day in days] == [3, 0, 1, 0, 0, 0, 1]
    assert [day.zero_results for day in days] == [1, 0, 0, 0, 0, 0, 1]
    assert [day.clicked for day in days] == [1, 0, 1, 0, 0, 0, 0]
    assert days[0].click_through_rate == pytest.approx(0.5)
    assert days[1].zero_rate is None
    assert days[6].click_through_rate is None


def test_one_day_range_is_local_midnight_to_midnight(week):
    assert insights.search_totals(SUNDAY, SUNDAY).searches == 1
    after = SUNDAY + datetime.timedelta(days=1)
    assert insights.search_totals(after, after).searches == 1


def test_top_queries_group_by_normalised_form(week):
    top = insights.top_queries(MONDAY, SUNDAY)
    assert [(row["normalised"], row["searches"], row["clicked"]) for row in top] == [
        ("vpn", 3, 2),
        ("parking", 2, 0),
    ]
    assert top[0]["results"] == 5
    assert top[0]["click_through_rate"] == pytest.approx(2 / 3)
    # The spelling shown is one that people actually typed.
    assert top[1]["query"] in {"Parking", "parking"}


def test_top_zero_result_queries(week):
    zero = insights.top_zero_result_queries(MONDAY, SUNDAY)
    assert [(row["normalised"], row["searches"]) for row in zero] == [("parking", 2)]
    assert zero[0]["last_seen"] == local(SUNDAY, 23, 59)


def test_top_queries_respect_the_limit(db):
    at = timezone.now()
    for n in range(5):
        log_search(f"query {n}", at=at)
    today = timezone.localdate()
    assert len(insights.top_queries(today, today, limit=3)) == 3


def test_least_helpful_articles_worst_first_and_only_rated_articles(db):
    index_upsert(
        [
            document("good", "Good", "x", helpful_yes=20, helpful_no=1),
            document("bad", "Bad", "x", helpful_yes=0, helpful_no=10),
            document("meh", "Meh", "x", helpful_yes=3, helpful_no=3),
            document("unrated", "Unrated", "x"),
            document("policy", "Policy", "x", type="policy", helpful_no=50),
        ]
    )
    assert [doc.title for doc in insights.least_helpful_articles()] == ["Bad", "Meh", "Good"]
