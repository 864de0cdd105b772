"""The demo search history: counters that agree with the log, real gaps, clicks on real
results, the same history every time, and nobody readable from it."""

import datetime
import re
from collections import Counter

import pytest

from ess.accounts.models import User
from ess.portal.seeding import seed_hooks
from ess.search import sources
from ess.search.models import Document, Gap, SearchLog
from ess.search.seed import DAYS, SEARCHES_PER_SCALE, seed_search
from ess.search.services import searcher_hash
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 4, 15, 30, tzinfo=datetime.UTC)

ARTICLES = [
    ("vpn", "Working from home with the VPN", "Connect to the VPN before you open the files."),
    ("payslip", "Reading your payslip", "Your payslip shows gross pay, tax and net pay."),
    ("password", "Reset your password", "An expired password can be reset from the portal."),
    ("leave", "Requesting annual leave", "Ask for annual leave and holidays in the portal."),
    ("laptop", "Your new laptop", "A new laptop is ready on your first day; a slow one too."),
    ("expenses", "Claiming expenses", "Claim expenses with a receipt within thirty days."),
    ("sick", "Calling in sick", "Calling in sick: tell your manager before nine."),
]


def _demo_articles(keys):
    for key, title, text in ARTICLES:
        if keys is None or key in keys:
            yield {
                "type": "article",
                "key": key,
                "title": title,
                "text": text,
                "language": "en",
                "url": f"/kb/{key}/",
                "updated": NOW,
                "audience": "everyone",
            }


@pytest.fixture
def company(monkeypatch):
    """A few colleagues and a small knowledge base as the only search source."""
    monkeypatch.setattr(sources, "_SOURCES", {"article": _demo_articles})
    return [EmployeeFactory().user for _ in range(8)]


def _history() -> list[tuple]:
    return list(
        SearchLog.objects.order_by("created_at", "query", "searcher").values_list(
            "created_at",
            "query",
            "normalised",
            "result_count",
            "source",
            "searcher",
            "clicked_key",
            "clicked_rank",
        )
    )


def test_gap_counters_agree_with_the_log(company):
    counts = seed_search(now=NOW)

    assert counts["searches"] == SearchLog.objects.count() == SEARCHES_PER_SCALE
    assert Gap.objects.count() == counts["gaps"] > 10
    logs = list(SearchLog.objects.select_related("gap"))
    searches, zero, unclicked = Counter(), Counter(), Counter()
    for log in logs:
        assert log.gap.normalised == log.normalised
        searches[log.normalised] += 1
        zero[log.normalised] += log.result_count == 0
        unclicked[log.normalised] += log.result_count > 0 and log.clicked_at is None
    for gap in Gap.objects.all():
        assert gap.searches == searches[gap.normalised]
        assert gap.zero_results == zero[gap.normalised]
        assert gap.no_clicks == unclicked[gap.normalised]
        assert gap.first_seen <= gap.last_seen


def test_history_has_real_gaps_and_clicks_on_indexed_results(company):
    seed_search(now=NOW)

    assert Document.objects.filter(doc_type="article").count() == len(ARTICLES)
    zero_result_gaps = Gap.objects.filter(zero_results__gt=0)
    assert {"sabbatical", "yoga"} <= set(zero_result_gaps.values_list("normalised", flat=True))
    answered = SearchLog.objects.filter(result_count__gt=0)
    clicked = answered.filter(clicked_at__isnull=False)
    assert clicked.count() > answered.count() / 2
    assert not SearchLog.objects.filter(result_count=0, clicked_at__isnull=False).exists()
    indexed = set(Document.objects.values_list("doc_type", "key"))
    for log in clicked:
        assert (log.clicked_type, log.clicked_key) in indexed
        assert 1 <= log.clicked_rank <= log.result_count
        assert log.created_at < log.clicked_at


def test_searches_spread_over_ninety_days_mostly_on_weekdays(company):
    seed_search(now=NOW)

    moments = list(SearchLog.objects.values_list("created_at", flat=True))
    assert min(moments) >= NOW - datetime.timedelta(days=DAYS)
    assert max(moments) <= NOW
    days = Counter(moment.weekday() for moment in moments)
    assert days[0] + days[1] + days[2] + days[3] + days[4] > 10 * (days[5] + days[6])
    assert len({moment.date() for moment in moments}) > DAYS / 2


def test_the_same_seed_gives_the_same_history(company):
    seed_search(now=NOW)
    first = _history()
    SearchLog.objects.all().delete()
    Gap.objects.all().delete()

    seed_search(now=NOW)

    assert _history() == first


def test_the_log_holds_no_personal_data(company):
    seed_search(now=NOW)

    hashes = {searcher_hash(user) for user in User.objects.all()}
    searchers = set(SearchLog.objects.values_list("searcher", flat=True))
    assert searchers <= hashes
    assert len(searchers) > 3
    assert all(re.fullmatch(r"[0-9a-f]{64}", searcher) for searcher in searchers)
    queries = " ".join(SearchLog.objects.values_list("query", flat=True)).lower()
    for user in User.objects.all():
        assert user.email.lower() not in queries
        assert f"{user.first_name} {user.last_name}".lower() not in queries


def test_search_history_is_seeded_after_every_other_app():
    labels = [label for label, _ in seed_hooks()]

    assert labels[-1] == "search"
    assert {"knowledge", "policies", "handbook", "hr"} <= set(labels[:-1])
