import pytest
from allauth.usersessions.models import UserSession
from django.urls import reverse

from ess.accounts.models import RoleGrant
from ess.accounts.roles import Role
from ess.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD, EmployeeFactory
from tests.matrix import Row, assert_access, expand

pytestmark = pytest.mark.django_db


def _detail_of_employee(request):
    return reverse("people:detail", args=[request.getfixturevalue("employee").pk])


def _grant_for_employee(request):
    return reverse("people:grant_role", args=[request.getfixturevalue("employee").pk])


def _revoke_sessions_of_employee(request):
    return reverse("people:revoke_sessions", args=[request.getfixturevalue("employee").pk])


MATRIX = [
    Row(
        "people:list",
        {
            "anonymous": 302,
            "employee": 404,
            "manager": 404,
            "it_agent": 404,
            "payroll_officer": 404,
            "hr_officer": 200,
            "auditor": 200,
            "admin_user": 200,
        },
    ),
    Row(
        _detail_of_employee,
        {
            "anonymous": 302,
            "employee": 404,
            "other_employee": 404,
            "manager": 404,
            "hr_officer": 200,
            "auditor": 200,
            "admin_user": 200,
        },
    ),
    Row(
        _grant_for_employee,
        {"anonymous": 302, "employee": 404, "hr_officer": 404, "auditor": 404, "admin_user": 302},
        method="post",
        data={"role": "kb_editor"},
    ),
    Row(
        _revoke_sessions_of_employee,
        {"anonymous": 302, "employee": 404, "auditor": 404, "hr_officer": 302, "admin_user": 302},
        method="post",
    ),
]


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_permission_matrix(client, request, row, who):
    assert_access(client, request, row, who)


def reauthenticate(client, user):
    response = client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:800]


def test_granting_a_role_asks_for_the_password_first(client, admin_user, employee):
    client.force_login(admin_user)
    grant_url = reverse("people:grant_role", args=[employee.pk])
    response = client.post(grant_url, {"role": "auditor"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not RoleGrant.objects.filter(user=employee).exists()
    wrong = client.post(
        reverse("account_reauthenticate"), {"password": "not-it-at-all", "next": grant_url}
    )
    assert wrong.status_code == 200
    assert not RoleGrant.objects.filter(user=employee).exists()
    # The right password resumes the suspended request, which grants the role.
    resumed = client.post(
        reverse("account_reauthenticate"), {"password": TEST_PASSWORD, "next": grant_url}
    )
    assert resumed["Location"] == reverse("people:detail", args=[employee.pk])
    assert RoleGrant.objects.filter(user=employee, role="auditor").exists()


def test_admin_grants_and_revokes_a_hand_given_role_with_audit(client, admin_user, employee):
    client.force_login(admin_user)
    reauthenticate(client, admin_user)
    client.post(reverse("people:grant_role", args=[employee.pk]), {"role": "kb_editor"})
    assert employee.groups.filter(name="kb_editor").exists()
    assert RoleGrant.objects.get(user=employee, role="kb_editor").source == "manual"
    client.post(reverse("people:revoke_role", args=[employee.pk, "kb_editor"]))
    assert not employee.groups.filter(name="kb_editor").exists()
    actions = list(
        AuditEvent.objects.filter(
            target_id=str(employee.pk), action__startswith="role."
        ).values_list("action", "actor_label")
    )
    assert ("role.granted", admin_user.email) in actions
    assert ("role.revoked", admin_user.email) in actions


def test_directory_role_cannot_be_revoked_by_hand(client, admin_user, employee):
    from ess.accounts.services import directory_roles_apply

    directory_roles_apply(user=employee, roles=[Role.IT_AGENT], source_label="ldap")
    client.force_login(admin_user)
    reauthenticate(client, admin_user)
    client.post(reverse("people:revoke_role", args=[employee.pk, "it_agent"]))
    assert employee.groups.filter(name="it_agent").exists()
    html = client.get(reverse("people:detail", args=[employee.pk])).content.decode()
    assert "Directory" in html


def test_unknown_role_is_refused(client, admin_user, employee):
    client.force_login(admin_user)
    reauthenticate(client, admin_user)
    response = client.post(
        reverse("people:grant_role", args=[employee.pk]), {"role": "superhero"}, follow=True
    )
    assert "Choose one of the listed roles" in response.content.decode()
    assert not RoleGrant.objects.filter(user=employee).exists()


def test_revoking_sessions_signs_the_person_out(client, hr_officer, employee):
    from django.test import Client

    theirs = Client()
    theirs.post(reverse("account_login"), {"login": employee.email, "password": TEST_PASSWORD})
    assert theirs.get(reverse("portal:home")).status_code == 200
    assert UserSession.objects.filter(user=employee).count() == 1

    client.force_login(hr_officer)
    client.post(reverse("people:revoke_sessions", args=[employee.pk]))
    assert theirs.get(reverse("portal:home")).status_code == 302
    assert AuditEvent.objects.filter(
        action="user.sessions_revoked", target_id=str(employee.pk)
    ).exists()


def test_people_list_searches_and_has_a_fixed_query_count(
    client, hr_officer, django_assert_max_num_queries
):
    for index in range(8):
        EmployeeFactory(user__last_name=f"Zeta{index}", user__roles=[Role.EMPLOYEE, Role.IT_AGENT])
    client.force_login(hr_officer)
    # session, user, groups (role check), count, page, grants prefetch, groups nav, bell,
    # authenticator (MFA rule)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("people:list"))
    assert response.status_code == 200
    html = client.get(reverse("people:list"), {"q": "Zeta3"}).content.decode()
    assert "Zeta3" in html
    assert "Zeta4" not in html


def test_people_list_exports_csv(client, admin_user, employee):
    client.force_login(admin_user)
    response = client.get(reverse("people:list"), {"_export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert employee.email in response.content.decode()


def test_markup_in_a_name_is_escaped(client, hr_officer, employee):
    employee.last_name = "<script>alert(1)</script>"
    employee.save()
    client.force_login(hr_officer)
    for url in (reverse("people:list"), reverse("people:detail", args=[employee.pk])):
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
