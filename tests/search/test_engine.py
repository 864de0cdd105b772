"""The search engine through its public reads and writes, on whichever database runs the
tests: this module runs in the SQLite suite, and tests/integration/test_search_postgres.py
runs the same tests on PostgreSQL, so both back-ends are held to the same behaviour."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from ess.search import selectors, services
from ess.search.engine.synonyms import forget_cached_table
from ess.search.models import Document, Gap, SearchLog, Word
from ess.search.selectors import corpus_stats_cache
from tests.factories import DepartmentFactory, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_engine_caches():
    corpus_stats_cache.forget()
    forget_cached_table()
    yield
    corpus_stats_cache.forget()
    forget_cached_table()


def doc(key, title, text, *, language="en", audience="everyone", doc_type="article", **extra):
    return {
        "type": doc_type,
        "key": key,
        "title": title,
        "text": text,
        "language": language,
        "url": f"/kb/a/{key}/",
        "audience": audience,
        "updated": None,
        **extra,
    }


FILLER = [
    doc("parking", "Parking at the office", "Park in the garage under the building."),
    doc("canteen", "Canteen and catering", "Lunch is served from noon; vegan options daily."),
    doc("travel", "Book business travel", "Trains and flights are booked through the portal."),
    doc("address", "Change your home address", "Update your address in My profile."),
    doc("bank", "Change your bank account", "Your salary is paid into the bank account you give."),
    doc("password", "Reset your network password", "Use the self-service page to reset it."),
    doc("laptop", "Request a new laptop", "Laptops are replaced every four years."),
    doc("expense", "Expense claim for travel", "Claim train tickets and hotel costs afterwards."),
    doc("relocation", "Relocation support", "Moving to another office? We help with housing."),
    doc(
        "ziek",
        "Ziekmelding doorgeven",
        "Meld u ziek bij uw leidinggevende voor negen uur. Vergoedingen lopen door.",
        language="nl",
    ),
    doc(
        "ferie-it",
        "Richiedere le ferie",
        "Le richieste di ferie si inviano dal portale con due settimane di anticipo.",
        language="it",
    ),
    doc(
        "feriepenger",
        "Feriepenger",
        "Feriepengene utbetales i juni i stedet for ordinær lønn.",
        language="nb",
    ),
]


@pytest.fixture
def employee_user():
    return EmployeeFactory().user


@pytest.fixture
def indexed():
    services.index_upsert(FILLER)
    return FILLER


def keys(results):
    return [hit.key for hit in results.hits]


def top(user, query, **kwargs):
    return keys(selectors.search(user=user, query=query, **kwargs))[:3]


# --- Language-aware stemming --------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("laptop replacement", "laptop"),  # en: replaced / replacement
        ("claims", "expense"),  # en plural
        ("vergoeding", "ziek"),  # nl: vergoedingen
        ("richieste ferie", "ferie-it"),  # it: richieste / richiedere
        ("feriepengene", "feriepenger"),  # nb: definite plural
    ],
)
def test_words_match_their_other_forms_in_each_language(indexed, employee_user, query, expected):
    assert top(employee_user, query)[0] == expected


# --- Typos ----------------------------------------------------------------------------------
def test_a_misspelt_word_finds_the_article_and_suggests_the_spelling(indexed, employee_user):
    results = selectors.search(user=employee_user, query="netwrok pasword")
    assert keys(results)[0] == "password"
    assert results.did_you_mean == "network password"


def test_correctly_spelt_queries_get_no_spelling_suggestion(indexed, employee_user):
    assert selectors.search(user=employee_user, query="network password").did_you_mean is None


# --- Synonyms -------------------------------------------------------------------------------
def test_a_starter_synonym_finds_an_article_without_the_word(indexed, employee_user):
    # "notebook" is nowhere in the index; the shipped list makes it a laptop.
    assert not Word.objects.filter(word="notebook").exists()
    assert top(employee_user, "notebook")[0] == "laptop"


def test_an_editor_synonym_works_once_saved(
    indexed, employee_user, django_capture_on_commit_callbacks
):
    assert "canteen" not in top(employee_user, "nosherie")
    with django_capture_on_commit_callbacks(execute=True):
        services.synonym_save(by=None, terms="canteen, nosherie")
    assert top(employee_user, "nosherie")[0] == "canteen"


def test_cross_language_synonyms_reach_the_article_in_another_language(indexed, employee_user):
    # The starter list joins English "sick leave" with Dutch "ziekmelding".
    assert "ziek" in top(employee_user, "call in sick")


# --- Prefixes and suggestions -----------------------------------------------------------------
@pytest.mark.parametrize(("typed", "expected"), [("reloc", "relocation"), ("expen", "expense")])
def test_an_unfinished_word_completes(indexed, employee_user, typed, expected):
    assert top(employee_user, typed)[0] == expected
    assert next(hit.key for hit in selectors.suggest(user=employee_user, prefix=typed)) == expected


def test_suggestions_mark_the_typed_prefix_in_the_title(indexed, employee_user):
    (hit, *_) = selectors.suggest(user=employee_user, prefix="canteen and cat")
    assert hit.key == "canteen"
    assert "<mark>Canteen</mark>" in hit.snippet


# --- Ranking signals --------------------------------------------------------------------------
def test_words_ruled_out_after_a_comma_push_that_article_down(indexed, employee_user):
    found = top(employee_user, "change bank account, not my address")
    assert found[0] == "bank"


def test_a_query_in_dutch_finds_the_dutch_article_first(indexed, employee_user):
    assert top(employee_user, "hoe meld ik me ziek")[0] == "ziek"


def test_snippets_mark_matches_and_escape_the_text(employee_user):
    services.index_upsert(
        [doc("xss", "Badge help", "Lost your badge? <script>alert(1)</script> Ask reception.")]
    )
    (hit,) = selectors.search(user=employee_user, query="badge").hits
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "<mark>badge?</mark>" in hit.snippet


# --- Audience ---------------------------------------------------------------------------------
@pytest.fixture
def restricted(indexed):
    finance = DepartmentFactory(name="Finance")
    treasury = DepartmentFactory(name="Treasury", parent=finance)
    services.index_upsert(
        [
            doc(
                "quokka-finance",
                "Quokka budget rules",
                "Only for the finance department: quokka budgets close in March.",
                audience=[f"dept:{finance.pk}"],
            ),
            doc(
                "quokka-agents",
                "Quokka agent script",
                "Internal script for quokka calls.",
                audience=["role:it_agent"],
            ),
        ]
    )
    return finance, treasury


def test_restricted_documents_never_reach_people_outside_their_audience(restricted, employee_user):
    results = selectors.search(user=employee_user, query="quokka")
    assert results.hits == []
    assert results.total == 0
    assert results.facets == {"type": {}, "language": {}, "space": {}}
    assert selectors.suggest(user=employee_user, prefix="quok") == []
    # A spelling suggestion would reveal the word too.
    assert selectors.search(user=employee_user, query="quoka").did_you_mean is None
    assert selectors.visible_document(employee_user, "article", "quokka-finance") is None


def test_restricted_documents_reach_their_audience(restricted):
    _finance, treasury = restricted
    in_subdepartment = EmployeeFactory(department=treasury).user
    assert keys(selectors.search(user=in_subdepartment, query="quokka")) == ["quokka-finance"]
    agent = UserFactory()
    agent.groups.add(Group.objects.get_or_create(name="it_agent")[0])
    assert keys(selectors.search(user=agent, query="quokka")) == ["quokka-agents"]
    superuser = UserFactory(is_superuser=True)
    assert set(keys(selectors.search(user=superuser, query="quokka"))) == {
        "quokka-finance",
        "quokka-agents",
    }


# --- Index maintenance ------------------------------------------------------------------------
def test_refresh_drops_what_the_source_no_longer_yields(employee_user):
    from ess.search import sources

    published = {
        "walrus": doc("walrus", "Walrus feeding", "Walruses eat clams.", doc_type="test-walrus")
    }
    sources.register_source("test-walrus", lambda keys: list(published.values()))
    try:
        services.index_refresh(doc_type="test-walrus")
        assert Word.objects.get(word="walrus").df == 1
        published.clear()
        services.index_refresh(doc_type="test-walrus", keys=["walrus"])
        assert not Document.objects.filter(key="walrus").exists()
        assert Word.objects.get(word="walrus").df == 0
        assert selectors.search(user=employee_user, query="walrus").hits == []
    finally:
        sources._SOURCES.pop("test-walrus")


def test_reindexing_a_document_keeps_word_counts_exact(indexed):
    before = Word.objects.get(word="garage").df
    services.index_upsert([FILLER[0]])
    services.index_upsert([FILLER[0]])
    assert Word.objects.get(word="garage").df == before == 1


# --- Hostile input ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "x" * 5000,
        "!!! ??? ... ,,,",
        '"',
        '"unbalanced quote',
        "*",
        "park*",
        "NEAR(parking canteen)",
        "parking OR canteen",
        "parking AND NOT canteen",
        "title_terms: parking",
        "'; DROP TABLE search_document; --",
        "1' OR '1'='1",
        "^parking",
        "parking\x00canteen",
        "((((",
        "🙂 🚗",
        "a" * 41 + " b",
    ],
)
def test_hostile_queries_are_answered_without_errors(indexed, employee_user, query):
    results = selectors.search(user=employee_user, query=query, log_source="api")
    assert isinstance(results.hits, list)
    selectors.suggest(user=employee_user, prefix=query)
    assert Document.objects.count() == len(FILLER)


# --- Logging and gaps -------------------------------------------------------------------------
def test_searches_are_logged_without_naming_the_person(indexed, employee_user):
    results = selectors.search(user=employee_user, query="Quokka shelter", log_source="page")
    log = SearchLog.objects.get(pk=results.log_id)
    assert (log.result_count, log.normalised, log.source) == (0, "quokka shelter", "page")
    # A keyed hash: the same person links their searches, but the log names nobody.
    assert log.searcher == services.searcher_hash(employee_user)
    assert len(log.searcher) == 64
    assert employee_user.email not in log.searcher
    assert not any(field.related_model for field in SearchLog._meta.fields if field.name != "gap")
    gap = Gap.objects.get(normalised="quokka shelter")
    assert (gap.searches, gap.zero_results, gap.no_clicks) == (1, 1, 0)


def test_only_the_first_click_on_a_search_counts(indexed, employee_user):
    results = selectors.search(user=employee_user, query="parking", log_source="page")
    gap = Gap.objects.get(normalised="parking")
    assert gap.no_clicks == 1
    assert services.search_click_record(
        user=employee_user, log_id=results.log_id, doc_type="article", key="parking", rank=1
    )
    assert not services.search_click_record(
        user=employee_user, log_id=results.log_id, doc_type="article", key="canteen", rank=2
    )
    other = UserFactory()
    assert not services.search_click_record(
        user=other, log_id=results.log_id, doc_type="article", key="parking", rank=1
    )
    gap.refresh_from_db()
    assert gap.no_clicks == 0
    assert SearchLog.objects.get(pk=results.log_id).clicked_key == "parking"


def test_a_resolved_gap_records_the_article(indexed):
    gap = Gap.objects.create(normalised="dog office", sample_query="Dog at the office?")
    services.gap_mark_drafted(gap_id=gap.pk)
    services.gap_resolve(gap_id=gap.pk, title="Pets", url="/kb/a/pets/", by=None)
    gap.refresh_from_db()
    assert (gap.status, gap.resolved_title, gap.resolved_url) == ("resolved", "Pets", "/kb/a/pets/")


# --- The JSON endpoint ------------------------------------------------------------------------
def test_the_api_returns_results_in_the_documented_shape(indexed, client, employee_user):
    client.force_login(employee_user)
    response = client.get("/api/search", {"q": "parkng", "limit": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["did_you_mean"] == "parking"
    first = body["results"][0]
    assert set(first) == {"type", "key", "title", "url", "snippet", "language", "score"}
    assert (first["type"], first["key"], first["url"]) == ("article", "parking", "/kb/a/parking/")
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "params", [{"q": "x", "limit": "0"}, {"q": "x", "limit": "abc"}, {"q": "x", "type": "secret"}]
)
def test_the_api_refuses_bad_parameters(client, employee_user, params):
    client.force_login(employee_user)
    assert client.get("/api/search", params).status_code == 400


def test_the_api_is_for_signed_in_people(client):
    response = client.get("/api/search", {"q": "parking"})
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_search_takes_the_same_number_of_queries_whatever_the_index_size(
    employee_user, django_assert_max_num_queries
):
    services.index_upsert(FILLER[:3])
    selectors.search(user=employee_user, query="parking garage")
    with django_assert_max_num_queries(12) as small:
        selectors.search(user=employee_user, query="parking garage")
    services.index_upsert(
        doc(f"bulk-{n}", f"Parking note {n}", "Garage rules and parking.") for n in range(60)
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        selectors.search(user=employee_user, query="parking garage")


def test_a_key_with_a_nul_byte_finds_nothing_rather_than_failing(indexed, employee_user):
    assert selectors.visible_document(employee_user, "article", "parking\x00") is None
