"""The search page, its live results and suggestions, and opening a result: what people
find, what is logged, and that nobody finds or opens what is not meant for them."""

import pytest
from django.urls import NoReverseMatch, reverse

from ess.search.models import SearchLog
from ess.search.services import index_upsert
from tests.search import web_fixtures
from tests.search.web_fixtures import document

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_search_caches")]

# Fixtures shared with the other search page tests.
fresh_search_caches = web_fixtures.fresh_search_caches
search_index = web_fixtures.search_index

PAGE = reverse("search:page")
OPEN = reverse("search:open")
SUGGEST = reverse("search:suggest")
HTMX = {"HTTP_HX_REQUEST": "true"}


def _page(client, user, **params):
    client.force_login(user)
    return client.get(PAGE, params)


def test_search_page_shows_results_with_type_snippet_and_date(client, employee, search_index):
    response = _page(client, employee, q="quokka")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Set up the Quokka" in html
    assert "Install the <mark>Quokka</mark> client" in html
    assert "Knowledge article" in html
    assert "Policy" in html
    assert "updated March 4, 2025" in html
    assert "4 results for “quokka”" in html


def test_search_page_facets_count_and_filter(client, employee, search_index):
    facets = _page(client, employee, q="quokka").context["facets"]
    assert {entry["value"]: entry["count"] for entry in facets["type"]} == {
        "article": 3,
        "policy": 1,
    }
    assert {entry["value"]: entry["count"] for entry in facets["language"]} == {"en": 3, "nl": 1}
    filtered = _page(client, employee, q="quokka", type="policy")
    assert [hit.key for hit, _, _ in filtered.context["rows"]] == ["policy:travel"]
    assert 'name="type" value="policy"' in filtered.content.decode()


def test_unknown_filter_values_are_ignored_not_errors(client, employee, search_index):
    response = _page(client, employee, q="quokka", type="nonsense", page="x")
    assert response.status_code == 200
    assert response.context["results"].total == 4


def test_paging_ten_per_page(client, employee):
    index_upsert(document(f"wifi-{n}", f"Wifi tip {n}", "wifi wifi") for n in range(13))
    first = _page(client, employee, q="wifi")
    second = _page(client, employee, q="wifi", page=2)
    assert len(first.context["rows"]) == 10
    assert len(second.context["rows"]) == 3
    assert first.context["next_url"] == "?q=wifi&page=2"
    assert second.context["rows"][0][2].count("rank=11")


def test_restricted_documents_never_show_for_outsiders(client, employee, search_index):
    response = _page(client, employee, q="quokka")
    html = response.content.decode()
    assert "salary" not in html.lower()
    assert "Oliver private" not in html
    assert response.context["results"].total == 4
    assert "HR confidential" not in html
    assert "Personal" not in html


def test_audience_holders_find_their_documents(client, hr_officer, other_employee, search_index):
    assert "Confidential salary bands" in _page(client, hr_officer, q="quokka").content.decode()
    assert "Oliver private" in _page(client, other_employee, q="quokka").content.decode()


def test_live_request_renders_the_fragment_with_out_of_band_count(client, employee, search_index):
    response = _page(client, employee, q="quokka", **{})
    client.force_login(employee)
    response = client.get(PAGE, {"q": "quokka"}, **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="search-status" hx-swap-oob="innerHTML"' in html
    assert "Set up the Quokka" in html
    assert response["Vary"].count("HX-Request")


def test_live_results_while_typing_are_not_logged_the_final_one_is(client, employee, search_index):
    client.force_login(employee)
    for typed in ("v", "vp", "vpn"):
        client.get(PAGE, {"q": typed}, **HTMX)
    assert SearchLog.objects.count() == 0
    client.get(PAGE, {"q": "vpn", "final": "1"}, **HTMX)
    assert list(SearchLog.objects.values_list("query", "source")) == [("vpn", "page")]


def test_full_page_loads_are_logged_with_their_source(client, employee, search_index):
    _page(client, employee, q="quokka")
    _page(client, employee, q="travel", **{"from": "box"})
    assert set(SearchLog.objects.values_list("query", "source")) == {
        ("quokka", "page"),
        ("travel", "box"),
    }


def test_history_restore_is_not_logged_again(client, employee, search_index):
    client.force_login(employee)
    response = client.get(
        PAGE, {"q": "quokka"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()
    assert SearchLog.objects.count() == 0


def test_empty_search_offers_help(client, employee, search_index):
    response = _page(client, employee, q="parking permit")
    html = response.content.decode()
    assert "Nothing found for “parking permit”" in html
    assert "data-empty-state" in html
    assert "Try fewer or more general words." in html


def test_did_you_mean_links_to_the_respelled_search(client, employee, search_index):
    response = _page(client, employee, q="pasword")
    assert response.context["results"].did_you_mean == "password"
    assert 'href="?q=password"' in response.content.decode()
    assert "Did you mean" in response.content.decode()


def test_ask_for_help_carries_the_query_once_the_knowledge_base_has_the_page(
    client, employee, search_index
):
    html = _page(client, employee, q="parking permit & <b>").content.decode()
    try:
        ask = reverse("knowledge:ask")
    except NoReverseMatch:
        pytest.skip("the knowledge base's ask page is not mounted yet")
    assert f'href="{ask}?q=parking%20permit%20%26%20%3Cb%3E"' in html


@pytest.mark.parametrize(
    "query",
    [
        "x" * 5000,
        "?!.,;:()[]{}",
        '"',
        "*",
        "vpn NEAR password",
        "vpn OR travel",
        "'; DROP TABLE search_document; --",
        "<script>alert(1)</script>",
        'vpn "unterminated',
        "-vpn",
        "^vpn:*",
    ],
)
def test_hostile_queries_render_escaped(client, employee, search_index, query):
    response = _page(client, employee, q=query)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    client.get(PAGE, {"q": query}, **HTMX)
    assert client.get(SUGGEST, {"q": query}).status_code == 200


# --- Opening a result -------------------------------------------------------------------------
def _logged_search(client, user, query="quokka"):
    client.force_login(user)
    return client.get(PAGE, {"q": query}).context["results"].log_id


def test_opening_a_result_records_the_click_and_goes_to_the_stored_url(
    client, employee, search_index
):
    log_id = _logged_search(client, employee)
    response = client.get(
        OPEN, {"log": log_id, "type": "policy", "key": "policy:travel", "rank": 4}
    )
    assert response.status_code == 302
    assert response["Location"] == "/policies/travel/"
    log = SearchLog.objects.get(pk=log_id)
    assert (log.clicked_type, log.clicked_key, log.clicked_rank) == ("policy", "policy:travel", 4)


def test_articles_carry_the_query_on(client, employee, search_index):
    log_id = _logged_search(client, employee)
    params = {"log": log_id, "type": "article", "key": "vpn-setup", "rank": 1, "q": "quokka client"}
    response = client.get(OPEN, params)
    assert response["Location"] == "/kb/articles/vpn-setup/?q=quokka+client"


def test_a_click_is_recorded_once(client, employee, search_index):
    log_id = _logged_search(client, employee)
    client.get(OPEN, {"log": log_id, "type": "article", "key": "vpn-setup", "rank": 2})
    client.get(OPEN, {"log": log_id, "type": "article", "key": "vpn-trouble", "rank": 3})
    log = SearchLog.objects.get(pk=log_id)
    assert (log.clicked_key, log.clicked_rank) == ("vpn-setup", 2)


def test_opening_from_unlogged_live_results_logs_the_search_once(client, employee, search_index):
    client.force_login(employee)
    client.get(OPEN, {"type": "article", "key": "vpn-setup", "rank": 1, "q": "vpn"})
    log = SearchLog.objects.get()
    assert (log.query, log.clicked_key) == ("vpn", "vpn-setup")


def test_someone_elses_log_row_is_not_clicked(client, employee, other_employee, search_index):
    log_id = _logged_search(client, other_employee)
    client.force_login(employee)
    response = client.get(OPEN, {"log": log_id, "type": "article", "key": "vpn-setup"})
    assert response.status_code == 302
    assert SearchLog.objects.get(pk=log_id).clicked_at is None


@pytest.mark.parametrize(
    "params",
    [
        {"type": "article", "key": "salary-bands"},
        {"type": "article", "key": "oliver-note"},
        {"type": "article", "key": "does-not-exist"},
        {"type": "policy", "key": "vpn-setup"},
        {"type": "article", "key": "vpn-setup/../../evil"},
        {"type": "", "key": ""},
        {},
    ],
    ids=["restricted", "another-persons", "missing", "wrong-type", "forged", "empty", "none"],
)
def test_opening_what_one_may_not_see_is_404_and_records_nothing(
    client, employee, search_index, params
):
    log_id = _logged_search(client, employee)
    response = client.get(OPEN, {"log": log_id, **params, "next": "https://evil.example"})
    assert response.status_code == 404
    assert SearchLog.objects.get(pk=log_id).clicked_at is None


def test_open_never_redirects_off_site_even_if_the_index_says_so(client, employee):
    index_upsert([document("odd", "Odd link", "odd", url="https://evil.example/")])
    client.force_login(employee)
    assert client.get(OPEN, {"type": "article", "key": "odd"}).status_code == 404


# --- Suggestions ------------------------------------------------------------------------------
def test_suggestions_list_matching_titles_as_options(client, employee, search_index):
    client.force_login(employee)
    html = client.get(SUGGEST, {"q": "quokka"}).content.decode()
    assert 'role="option"' in html
    assert "Set up the Quokka" in html
    assert "/search/open/?type=article&amp;key=vpn-setup" in html
    assert "salary" not in html.lower()
    assert "Oliver" not in html


def test_suggestions_need_two_characters(client, employee, search_index):
    client.force_login(employee)
    html = client.get(SUGGEST, {"q": "v"}).content.decode()
    assert 'role="option"' not in html


def test_suggestions_escape_titles(client, employee):
    index_upsert([document("xss", "<img src=x onerror=alert(1)> Quokka", "vpn")])
    client.force_login(employee)
    html = client.get(SUGGEST, {"q": "quokka"}).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


# --- The search box in the page frame ---------------------------------------------------------
def test_every_page_has_the_search_combobox_for_signed_in_people(client, employee):
    client.force_login(employee)
    html = client.get(reverse("portal:home")).content.decode()
    assert 'role="combobox"' in html
    assert 'aria-controls="ess-search-box-listbox"' in html
    assert 'name="from" value="box"' in html
    assert "search/combobox.js" in html


def test_the_search_page_does_not_repeat_the_header_box(client, employee):
    client.force_login(employee)
    html = client.get(PAGE).content.decode()
    assert 'id="ess-search-box"' not in html
    assert 'id="search-q"' in html


def test_anonymous_people_see_no_search_box(client):
    html = client.get(reverse("account_login")).content.decode()
    assert 'id="ess-search-box"' not in html
