"""The org chart: the reporting line up to the top, the person, their direct reports with
report counts; a constant number of queries however deep the person sits."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hr.directory.selectors import org_chart
from hr.services import employee_set_manager
from tests.directory.factories import chain, person, team

pytestmark = pytest.mark.django_db


def test_chart_shows_the_chain_top_first_then_the_person_and_their_reports(employee):
    line = chain(8)
    centre = line[-1]
    reports = team(centre, 6)
    person("Sub", "Report", manager=reports[0])
    person("Former", "Report", manager=centre, end=datetime.date(2022, 12, 31))

    chart = org_chart(viewer=employee, pk=centre.pk)

    assert [boss.pk for boss in chart.chain] == [boss.pk for boss in line[:-1]]
    assert chart.person == centre
    assert {r.pk for r in chart.reports} == {r.pk for r in reports}  # not the leaver
    assert {r.pk: r.report_count for r in chart.reports}[reports[0].pk] == 1
    assert sum(r.report_count for r in chart.reports) == 1
    assert chart.team_size == 7


def test_chart_shows_the_first_reports_of_a_large_team_until_asked_for_all(
    client, employee, monkeypatch
):
    monkeypatch.setattr("hr.directory.selectors.REPORTS_SHOWN", 5)
    boss = person("Bea", "Boss")
    team(boss, 7)
    assert len(org_chart(viewer=employee, pk=boss.pk).reports) == 5
    assert len(org_chart(viewer=employee, pk=boss.pk, all_reports=True).reports) == 7
    client.force_login(employee)
    url = reverse("directory:org_for", args=[boss.pk])
    page = client.get(url).content.decode()
    assert "Showing 5 of 7 direct reports." in page
    assert page.count("centre the chart here") == 5
    assert client.get(url, {"reports": "all"}).content.decode().count("centre the chart here") == 7


def test_chart_follows_a_move_in_the_reporting_line(employee):
    line = chain(4)
    other_top = person("Other", "Top")
    employee_set_manager(employee=line[2], manager=other_top)
    chart = org_chart(viewer=employee, pk=line[3].pk)
    assert [boss.pk for boss in chart.chain] == [other_top.pk, line[2].pk]


def test_chart_page_lists_the_line_as_nested_lists_with_links_to_recentre(client, employee):
    line = chain(3)
    reports = team(line[-1], 2)
    client.force_login(employee)
    page = client.get(reverse("directory:org_for", args=[line[-1].pk])).content.decode()
    assert "Org chart: Level2 Boss" in page
    assert page.count('<ol class="list-unstyled ms-1') == 2  # one nested list per level
    assert '<li aria-current="true">' in page
    for someone in [*line[:-1], *reports]:
        assert f'href="/directory/people/{someone.pk}/org/"' in page
    headings = re.findall(r"<h(\d)", page)
    assert headings == sorted(headings)  # h1, h2, h3: in order


def test_org_chart_without_a_person_centres_on_me(client, manager, employee):
    client.force_login(employee)
    page = client.get(reverse("directory:org")).content.decode()
    name = employee.get_full_name()
    assert f"Org chart: {name}" in page
    assert f'href="/directory/people/{manager.employee.pk}/org/"' in page


def test_org_chart_for_an_account_without_a_record_starts_at_the_top(client, admin_user):
    line = chain(2)
    client.force_login(admin_user)
    page = client.get(reverse("directory:org")).content.decode()
    assert f"Org chart: {line[0].user.get_full_name()}" in page


def test_org_chart_with_nobody_on_record_says_so(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("directory:org")).content.decode()
    assert "Nobody is on record yet" in page


def _queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_org_chart_query_count_does_not_grow_with_depth(
    client, employee, django_assert_max_num_queries
):
    line = chain(8)
    team(line[-1], 6)
    team(line[1], 6, prefix="Shallow")
    client.force_login(employee)
    # session, user, groups; the person with their report count; the reporting line (ids
    # from org_path); direct reports with their report counts, then those reports'
    # departments and locations; the size of the whole team; the frame: unread
    # notifications count, the policies' navigation check
    with django_assert_max_num_queries(11):
        deep = client.get(reverse("directory:org_for", args=[line[-1].pk]))
    assert deep.content.decode().count("centre the chart here") == 7 + 6
    shallow = _queries_for(client, reverse("directory:org_for", args=[line[1].pk]))
    deepest = _queries_for(client, reverse("directory:org_for", args=[line[-1].pk]))
    assert deepest == shallow


def test_card_shows_work_data_manager_and_report_count(client, other_employee):
    boss = person("Bea", "Boss")
    colleague = person(
        "Cas", "Colleague", manager=boss, title="Route Planner", phone="+31 10 123 4567"
    )
    team(colleague, 3)
    client.force_login(other_employee)
    page = client.get(reverse("directory:card", args=[colleague.pk])).content.decode()
    assert "Route Planner" in page
    assert 'href="tel:+31101234567"' in page
    assert 'href="mailto:cas.colleague@example.org"' in page
    assert f'<a href="/directory/people/{boss.pk}/">Bea Boss</a>' in page
    assert "Cas has 3 direct reports." in page
    assert f'href="/directory/people/{colleague.pk}/org/"' in page


def test_card_names_a_manager_who_left_without_linking_them(client, other_employee):
    gone = person("Gone", "Boss", end=datetime.date(2023, 5, 31))
    colleague = person("Cas", "Colleague", manager=gone)
    client.force_login(other_employee)
    page = client.get(reverse("directory:card", args=[colleague.pk])).content.decode()
    assert "Gone Boss" in page
    assert f"/directory/people/{gone.pk}/" not in page


def test_card_query_count_is_fixed(client, other_employee, django_assert_max_num_queries):
    colleague = person("Cas", "Colleague", manager=person("Bea", "Boss"))
    team(colleague, 6)
    client.force_login(other_employee)
    # session, user, groups; the person with department (and parent), location, manager
    # and report count; the frame: unread notifications count, policies' navigation check
    with django_assert_max_num_queries(6):
        client.get(reverse("directory:card", args=[colleague.pk]))
