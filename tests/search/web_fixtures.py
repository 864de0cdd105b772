"""Documents in the search index and search log rows for the search pages' tests."""

import datetime

import pytest
from django.utils import timezone

from ess.search.engine.synonyms import forget_cached_table
from ess.search.models import Gap, SearchLog
from ess.search.selectors import corpus_stats_cache
from ess.search.services import index_upsert, searcher_hash

UPDATED = datetime.datetime(2025, 3, 4, 10, 0, tzinfo=datetime.UTC)


def document(key: str, title: str, text: str, **extra) -> dict:
    return {
        "type": "article",
        "key": key,
        "title": title,
        "text": text,
        "language": "en",
        "url": f"/kb/articles/{key}/",
        "updated": UPDATED,
        "audience": "everyone",
        "space": "IT",
        "category": "IT / Network",
        **extra,
    }


@pytest.fixture
def fresh_search_caches():
    """The engine keeps corpus figures and synonyms per process for a minute; each test
    builds its own index, so it starts from fresh ones."""
    corpus_stats_cache.forget()
    forget_cached_table()
    yield
    corpus_stats_cache.forget()
    forget_cached_table()


@pytest.fixture
def search_index(db, other_employee, hr_officer):
    """Public documents about Quokka and travel; one only HR officers may find, and one
    only `other_employee` may find. All of them mention "quokka"."""
    index_upsert(
        [
            document("vpn-setup", "Set up the Quokka", "Install the Quokka client and sign in."),
            document(
                "vpn-trouble",
                "Quokka does not connect",
                "When the Quokka client fails, restart it and check your password.",
            ),
            document(
                "policy:travel",
                "Travel policy: Quokka abroad",
                "Book travel through the portal; use the Quokka abroad.",
                type="policy",
                url="/policies/travel/",
                space="",
                category="",
            ),
            document(
                "vpn-nl",
                "Quokka instellen",
                "Installeer de Quokka client en meld je aan.",
                language="nl",
            ),
            document(
                "salary-bands",
                "Confidential salary bands Quokka",
                "Salary bands per grade; read over the Quokka only.",
                audience=["role:hr_officer"],
                space="HR confidential",
            ),
            document(
                "oliver-note",
                "Oliver private Quokka exception",
                "A Quokka exception granted to one person: the Quokka stays on.",
                audience=[f"user:{other_employee.pk}"],
                space="Personal",
            ),
        ]
    )


def log_search(
    query: str,
    *,
    at: datetime.datetime,
    results: int = 3,
    clicked: bool = False,
    searcher: str = "someone",
) -> SearchLog:
    return SearchLog.objects.create(
        created_at=at,
        query=query,
        normalised=" ".join(query.lower().split()),
        result_count=results,
        source="page",
        searcher=searcher_hash(type("Person", (), {"pk": searcher})),
        clicked_at=at if clicked else None,
        clicked_type="article" if clicked else "",
        clicked_key="vpn-setup" if clicked else "",
        clicked_rank=1 if clicked else None,
    )


def local(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def gap(query: str, *, searches: int = 1, zero: int = 1, no_clicks: int = 0, **extra) -> Gap:
    return Gap.objects.create(
        normalised=" ".join(query.lower().split()),
        sample_query=query,
        searches=searches,
        zero_results=zero,
        no_clicks=no_clicks,
        **extra,
    )
