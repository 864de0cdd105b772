"""The reports area: who finds it, and what each person finds there."""

import pytest
from django.urls import reverse

from ess.reports.base import all_reports


def _listed(client, user) -> set[str]:
    client.force_login(user)
    response = client.get(reverse("reports:index"))
    assert response.status_code == 200
    return {report.slug for report in response.context["reports"]}


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(reverse("reports:index"))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_an_employee_without_a_report_is_refused_and_sees_no_menu_entry(client, other_employee):
    client.force_login(other_employee)
    assert client.get(reverse("reports:index")).status_code == 403
    home = client.get(reverse("portal:home")).content.decode()
    assert reverse("reports:index") not in home


def test_a_manager_finds_my_team(client, manager):
    assert "team" in _listed(client, manager)
    home = client.get(reverse("portal:home")).content.decode()
    assert reverse("reports:index") in home


def test_every_listed_report_opens_for_its_viewer(client, manager, hr_officer, it_agent):
    for user in (manager, hr_officer, it_agent):
        client.force_login(user)
        response = client.get(reverse("reports:index"))
        if response.status_code == 403:
            continue
        for report in response.context["reports"]:
            page = client.get(reverse("reports:report", args=[report.slug]))
            assert page.status_code == 200, (user, report.slug)


@pytest.mark.parametrize("report", all_reports(), ids=lambda report: report.slug)
def test_every_report_has_a_title_and_its_drill_downs_name_their_tables(report):
    assert str(report.title)
    for key, drill in report.drills.items():
        assert drill.key == key
        assert drill.table is not None
