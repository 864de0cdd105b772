"""Who may open which directory page: everyone reads the directory and the org chart; only
managers open My team (403 for others); people who have left are not found (404)."""

import datetime

import pytest
from django.urls import reverse

from tests.directory.factories import person
from tests.matrix import Row, assert_access, expand

pytestmark = pytest.mark.django_db

EVERYONE = {
    "anonymous": 302,
    "employee": 200,
    "other_employee": 200,
    "manager": 200,
    "hr_officer": 200,
    "payroll_officer": 200,
}
NOBODY = {
    "employee": 404,
    "other_employee": 404,
    "manager": 404,
    "hr_officer": 404,
    "payroll_officer": 404,
}


def _own(name: str):
    """A page about `employee` (the owner); the manager fixture makes them a report."""

    def build(request):
        request.getfixturevalue("manager")
        return reverse(name, args=[request.getfixturevalue("employee").employee.pk])

    build.__name__ = f"{name}-owner"
    return build


def _leaver(name: str):
    def build(request):
        gone = person("Gone", "Away", end=datetime.date(2021, 6, 30))
        return reverse(name, args=[gone.pk])

    build.__name__ = f"{name}-leaver"
    return build


def _missing(name: str):
    def build(request):
        return reverse(name, args=[999_999])

    build.__name__ = f"{name}-missing"
    return build


MATRIX = [
    Row("directory:search", EVERYONE),
    Row(_own("directory:card"), EVERYONE),
    Row(_leaver("directory:card"), NOBODY),
    Row(_missing("directory:card"), {"employee": 404}),
    Row("directory:org", EVERYONE),
    Row(_own("directory:org_for"), EVERYONE),
    Row(_leaver("directory:org_for"), NOBODY),
    Row(_missing("directory:org_for"), {"employee": 404}),
    Row(
        "directory:team",
        {
            "anonymous": 302,
            "employee": 403,
            "other_employee": 403,
            "manager": 200,
            "hr_officer": 403,
            "payroll_officer": 403,
        },
    ),
    Row(
        lambda request: reverse("directory:team") + "?_export=csv",
        {"employee": 403, "hr_officer": 403, "payroll_officer": 403, "manager": 200},
        label="team-export",
    ),
    # Refused before the method is even looked at.
    Row("directory:team", {"employee": 403}, method="post"),
]


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_permission_matrix(client, request, row, who):
    assert_access(client, request, row, who)


def test_someone_with_reports_opens_my_team_before_the_role_is_synced(client):
    boss = person("Bea", "Boss")
    person("Rita", "Report", manager=boss)
    assert not boss.user.has_role("manager")  # the role sync has not run
    client.force_login(boss.user)
    assert client.get(reverse("directory:team")).status_code == 200


def test_manager_role_without_reports_sees_an_empty_team(client):
    from ess.accounts.roles import Role
    from tests.factories import UserFactory

    holder = UserFactory(roles=[Role.EMPLOYEE, Role.MANAGER])
    client.force_login(holder)
    response = client.get(reverse("directory:team"))
    assert response.status_code == 200
    assert "Nobody reports to you at the moment" in response.content.decode()
