"""My team: direct and indirect reports through the reporting line, the decisions waiting
for the manager, and team events on the page."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from hr import team as team_registry
from hr.directory.selectors import team_members
from hr.team import PendingApproval
from tests.directory.factories import person, team

pytestmark = pytest.mark.django_db

# The first cell of each table row: the person the row is about (not their manager).
NAME_CELL = re.compile(r'<tr[^>]*>\s*<td[^>]*><a href="/directory/people/\d+/">([^<]+)</a>')
URL = reverse("directory:team")


def _names(response) -> list[str]:
    assert response.status_code == 200
    return NAME_CELL.findall(response.content.decode())


@pytest.fixture
def boss_team():
    """Bea leads two team leads, each with reports; plus someone outside and a leaver."""
    bea = person("Bea", "Boss")
    lead_a = person("Anna", "Lead", manager=bea)
    lead_b = person("Bert", "Lead", manager=bea)
    team(lead_a, 3, prefix="Alpha")
    deep = person("Dirk", "Deep", manager=lead_b)
    person("Erik", "Deeper", manager=deep)
    person("Gone", "Leaver", manager=lead_a, end=datetime.date(2023, 1, 31))
    person("Olaf", "Outsider")
    return bea


def test_team_members_include_indirect_reports_through_the_reporting_line(boss_team):
    people = team_members(manager=boss_team)
    names = {p.user.first_name for p in people}
    assert names == {"Anna", "Bert", "Alpha0", "Alpha1", "Alpha2", "Dirk", "Erik"}
    assert {p.user.first_name for p in people if p.is_direct} == {"Anna", "Bert"}


def test_manager_filters_direct_and_indirect_reports(client, boss_team):
    client.force_login(boss_team.user)
    assert set(_names(client.get(URL, {"scope": "direct"}))) == {"Anna Lead", "Bert Lead"}
    indirect = set(_names(client.get(URL, {"scope": "indirect"})))
    assert indirect == {
        "Alpha0 Member",
        "Alpha1 Member",
        "Alpha2 Member",
        "Dirk Deep",
        "Erik Deeper",
    }
    everyone = client.get(URL).content.decode()
    assert "7 people" in everyone
    assert "Through another manager" in everyone
    assert "Directly" in everyone
    assert "Olaf" not in everyone
    assert "Gone Leaver" not in everyone


def test_a_team_lead_sees_only_their_own_subtree(client, boss_team):
    lead = boss_team.direct_reports.get(user__first_name="Bert")
    client.force_login(lead.user)
    assert set(_names(client.get(URL))) == {"Dirk Deep", "Erik Deeper"}


@pytest.mark.parametrize(
    "params",
    [{"sort": "manager"}, {"sort": "is_direct"}, {"scope": "everyone"}, {"_export": "json"}],
)
def test_hostile_sort_and_filter_values_answer_400(client, boss_team, params):
    client.force_login(boss_team.user)
    assert client.get(URL, params).status_code == 400


def test_team_page_shows_events_and_an_empty_decision_list(client, boss_team, monkeypatch):
    monkeypatch.setattr(team_registry, "_SOURCES", {})
    monkeypatch.setattr(team_registry, "_COUNTS", {})
    today = timezone.localdate()
    person("Nina", "Newcomer", manager=boss_team, start=today - datetime.timedelta(days=3))
    person("Lena", "Leaving", manager=boss_team, end=today + datetime.timedelta(days=12))
    # Five years on a day in the coming week (never a 29 February, which not every year has).
    day = next(
        d
        for d in (today + datetime.timedelta(days=n) for n in range(1, 4))
        if (d.month, d.day) != (2, 29)
    )
    person("Jubi", "Lee", manager=boss_team, start=day.replace(year=day.year - 5))
    client.force_login(boss_team.user)
    page = client.get(URL).content.decode()
    assert "Nothing is waiting for you" in page
    joiners, anniversaries, leavers = re.split(
        r'id="(?:anniversaries|leavers)-heading"', page.split('id="joiners-heading"')[1]
    )[:3]
    assert "Nina Newcomer" in joiners
    assert "Jubi Lee</a> · 5 years" in anniversaries
    assert "Lena Leaving" in leavers


def test_decisions_from_other_apps_are_listed(client, manager, monkeypatch):
    def source(user):
        return [
            PendingApproval(
                employee_name="Emma <Employee>",
                what="Extra leave: 2 days",
                submitted_at=timezone.now(),
                url="/leave/requests/7/",
            )
        ]

    monkeypatch.setattr(team_registry, "_SOURCES", {})
    monkeypatch.setattr(team_registry, "_COUNTS", {})
    team_registry.register_team_approvals("leave", source)
    client.force_login(manager)
    page = client.get(URL).content.decode()
    assert '<a href="/leave/requests/7/">Extra leave: 2 days</a>' in page
    assert "Emma &lt;Employee&gt;" in page
    home = client.get(reverse("portal:home")).content.decode()
    assert re.search(r"My team <span class=\"badge[^>]*>1<", home)


def test_my_team_tile_is_for_managers_only(client, manager, employee):
    client.force_login(manager)
    assert reverse("directory:team") in client.get(reverse("portal:home")).content.decode()
    client.force_login(employee)
    home = client.get(reverse("portal:home")).content.decode()
    assert reverse("directory:team") not in home
    assert reverse("directory:search") in home


def test_team_page_query_count_is_fixed(
    client, boss_team, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(team_registry, "_SOURCES", {})
    monkeypatch.setattr(team_registry, "_COUNTS", {})
    team(boss_team, 10, prefix="Extra")
    client.force_login(boss_team.user)
    # session, user, groups; the role check (Bea has reports but no synced role yet); the
    # manager's own record; count; team events (joiners and leavers; the first anniversaries
    # with their total); the page of people with their user; that page's departments,
    # locations and managers; the frame: unread notifications count, policies' navigation
    # check (approval sources are other apps' and emptied here)
    with django_assert_max_num_queries(14):
        response = client.get(URL)
    assert len(_names(response)) == 17


def test_team_export_has_work_columns_only(client, boss_team):
    client.force_login(boss_team.user)
    response = client.get(URL, {"_export": "csv", "scope": "direct"})
    lines = response.content.decode().splitlines()
    assert lines[0] == (
        "Name,Job title,Reports to you,Department,Location,Work e-mail,Work phone,Manager"
    )
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["Anna Lead", "Bert Lead"]
