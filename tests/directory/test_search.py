"""Directory search: by name, department (with sub-departments), job title and location;
current employees only; whitelisted sorting; hostile input refused; names escaped."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.directory.factories import person
from tests.factories import DepartmentFactory, LocationFactory

pytestmark = pytest.mark.django_db

# The first cell of each table row: the person the row is about (not their manager).
NAME_CELL = re.compile(r'<tr[^>]*>\s*<td[^>]*><a href="/directory/people/\d+/">([^<]+)</a>')
URL = reverse("directory:search")


@pytest.fixture
def company():
    operations = DepartmentFactory(name="Operations", code="operations")
    warehousing = DepartmentFactory(name="Warehousing", code="warehousing", parent=operations)
    night = DepartmentFactory(name="Night shift", code="night", parent=warehousing)
    finance = DepartmentFactory(name="Finance", code="finance")
    rotterdam = LocationFactory(name="Rotterdam", country="NL")
    oslo = LocationFactory(name="Oslo", country="NO")
    people = {
        "head": person("Olga", "Jansen", department=operations, title="Director of Operations"),
        "sigrid": person(
            "Sigrid",
            "Ødegård",
            department=warehousing,
            location=oslo,
            title="Forklift Driver",
            email="sigrid.o@example.org",  # the name alone must match, in any case
        ),
        "night": person("Noor", "Jansma", department=night, title="Shift Supervisor"),
        "money": person("Marco", "Rossi", department=finance, title="Accountant"),
        "left": person("Lars", "Jansen", department=warehousing, end=datetime.date(2024, 1, 31)),
        "future": person(
            "Fleur",
            "Jansen",
            department=warehousing,
            start=timezone.localdate() + datetime.timedelta(days=10),
        ),
    }
    people["rotterdam"], people["oslo"] = rotterdam, oslo
    people["departments"] = {"operations": operations, "warehousing": warehousing}
    return people


def _names(response) -> set[str]:
    assert response.status_code == 200
    return set(NAME_CELL.findall(response.content.decode()))


@pytest.fixture
def searcher(client, other_employee):
    client.force_login(other_employee)
    return client


def test_employee_finds_a_colleague_by_surname_prefix_but_not_leavers_or_future_starters(
    searcher, company
):
    assert _names(searcher.get(URL, {"q": "jans"})) == {"Olga Jansen", "Noor Jansma"}


def test_every_word_must_match_first_name_last_name_or_email(searcher, company):
    assert _names(searcher.get(URL, {"q": "olga jansen"})) == {"Olga Jansen"}
    assert _names(searcher.get(URL, {"q": "marco.rossi@"})) == {"Marco Rossi"}
    assert _names(searcher.get(URL, {"q": "ødegård"})) == {"Sigrid Ødegård"}


def test_a_broad_search_matches_through_a_subquery(searcher, company, monkeypatch):
    monkeypatch.setattr("hr.directory.selectors.NAME_MATCHES_INLINE", 1)
    assert _names(searcher.get(URL, {"q": "jans"})) == {"Olga Jansen", "Noor Jansma"}


def test_non_ascii_names_match_in_any_case(searcher, company):
    for typed in ("ØDEGÅRD", "Ødegård", "ødegård"):
        assert _names(searcher.get(URL, {"q": f"sigrid {typed}"})) == {"Sigrid Ødegård"}


def test_department_filter_takes_in_sub_departments(searcher, company):
    operations = company["departments"]["operations"]
    warehousing = company["departments"]["warehousing"]
    assert _names(searcher.get(URL, {"department": operations.pk})) == {
        "Olga Jansen",
        "Sigrid Ødegård",
        "Noor Jansma",
    }
    assert _names(searcher.get(URL, {"department": warehousing.pk})) == {
        "Sigrid Ødegård",
        "Noor Jansma",
    }


def test_department_choices_are_labelled_with_their_path(searcher, company):
    page = searcher.get(URL).content.decode()
    assert "Operations / Warehousing / Night shift" in page


def test_job_title_and_location_filters(searcher, company):
    assert _names(searcher.get(URL, {"title": "driver"})) == {"Sigrid Ødegård"}
    assert _names(searcher.get(URL, {"location": company["oslo"].pk})) == {"Sigrid Ødegård"}
    both = searcher.get(URL, {"location": company["rotterdam"].pk, "title": "shift"})
    assert _names(both) == {"Noor Jansma"}


def test_results_sort_by_whitelisted_columns(searcher, company):
    page = searcher.get(URL, {"sort": "-job_title"}).content.decode()
    order = re.findall(r'<a href="/directory/people/\d+/">([^<]+)</a>', page)
    titles = ["Shift Supervisor", "Forklift Driver", "Director of Operations", "Accountant"]
    people = ["Noor Jansma", "Sigrid Ødegård", "Olga Jansen", "Marco Rossi"]
    assert [name for name in order if name in people] == people, titles
    assert searcher.get(URL, {"sort": "department,-location"}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "user__password"},
        {"sort": "-profile__national_id"},
        {"sort": "name,compensations__annual_base_salary"},
        {"sort": "email"},  # shown, but not offered for sorting
        {"_export": "csv"},  # the directory offers no export
        {"department": "not-a-number"},
        {"department": "999999"},
        {"location": "1 OR 1=1"},
        {"q": "x" * 500},
        {"per_page": "10000"},  # everyone on one page
        {"sort": ["name", "user__password"]},
    ],
)
def test_hostile_sort_and_filter_values_answer_400(searcher, company, params):
    assert searcher.get(URL, params).status_code == 400


def test_orm_lookups_in_the_query_string_are_ignored_not_used_as_an_oracle(searcher, company):
    everyone = _names(searcher.get(URL))
    for probe in (
        {"user__password__startswith": "md5"},
        {"profile__iban__startswith": "NL"},
        {"compensations__annual_base_salary__gt": "0"},
    ):
        assert _names(searcher.get(URL, probe)) == everyone


def test_names_and_titles_are_escaped(searcher):
    evil = person(
        '<script>alert("x")</script>',
        "<img src=x onerror=alert(1)>",
        title="<b onmouseover=alert(2)>Boss</b>",
        phone='"><svg onload=alert(3)>',
    )
    report = person("Rita", "Report", manager=evil, title="<i onclick=alert(4)>x</i>")
    pages = [
        searcher.get(URL).content.decode(),
        searcher.get(reverse("directory:card", args=[evil.pk])).content.decode(),
        searcher.get(reverse("directory:org_for", args=[evil.pk])).content.decode(),
        searcher.get(reverse("directory:card", args=[report.pk])).content.decode(),
    ]
    searcher.force_login(evil.user)  # their team page names them as Rita's manager
    pages.append(searcher.get(reverse("directory:team")).content.decode())
    for page in pages:
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "<b onmouseover" not in page
        assert "<svg onload" not in page
        assert "<i onclick" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_search_query_count_is_fixed(searcher, company, django_assert_max_num_queries):
    for n in range(20):
        person(
            f"Extra{n}",
            "Jansen",
            manager=company["head"] if n % 2 else company["sigrid"],
            department=company["departments"]["warehousing"],
        )
    operations = company["departments"]["operations"]
    # session, user, groups (navigation role checks); departments (filter choices and
    # sub-departments), locations (filter choices); the ids of users whose names match;
    # count; the page of people with their user; that page's departments, locations and
    # managers (with their users); the frame: unread notifications count, the policies'
    # navigation check
    with django_assert_max_num_queries(13):
        response = searcher.get(URL, {"q": "jans", "department": operations.pk})
    assert len(_names(response)) == 22
    assert response.content.decode().count('<a href="/directory/people/') >= 42  # + managers
