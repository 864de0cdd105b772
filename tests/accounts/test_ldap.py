"""Sign-in against a real OpenLDAP server, roles from its groups, and the directory sync."""

import shutil

import ldap
import pytest
from allauth.usersessions.models import UserSession
from django.core.management import call_command
from django.urls import reverse
from django_auth_ldap.config import GroupOfNamesType, LDAPSearch

from ess.accounts.models import DirectoryIdentity, RoleGrant, User
from ess.accounts.roles import Role
from ess.audit.models import AuditEvent
from tests.accounts.ldap_directory import (
    GROUPS,
    PEOPLE,
    SERVICE_DN,
    SERVICE_PASSWORD,
    USER_PASSWORD,
    start_directory,
)

pytestmark = pytest.mark.django_db(transaction=False)

BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "ess.accounts.ldap.DirectoryLDAPBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]


@pytest.fixture(scope="module")
def directory():
    server, workdir = start_directory()
    server.add_person(
        "boss",
        given="Bea",
        sn="Boss",
        mail="bea.boss@corp.example",
        number="L0001",
        title="Head of Warehousing",
        department="Warehousing",
        locality="Rotterdam",
    )
    server.add_person(
        "emma",
        given="Emma",
        sn="Ødegård",
        mail="emma@corp.example",
        number="L0002",
        title="Inventory Controller",
        department="Warehousing",
        manager_uid="boss",
        locality="Rotterdam",
    )
    server.add_person(
        "hank",
        given="Hank",
        sn="Hr",
        mail="hank@corp.example",
        number="L0003",
        title="HR Advisor",
        department="HR Services",
    )
    server.add_group("hr", ["hank"])
    server.add_group("it-support", ["boss"])
    yield server
    server.stop()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def ldap_settings(settings, directory):
    settings.AUTHENTICATION_BACKENDS = BACKENDS
    settings.AUTH_LDAP_SERVER_URI = directory.ldap_uri
    settings.AUTH_LDAP_BIND_DN = SERVICE_DN
    settings.AUTH_LDAP_BIND_PASSWORD = SERVICE_PASSWORD
    settings.AUTH_LDAP_CONNECTION_OPTIONS = {ldap.OPT_NETWORK_TIMEOUT: 5}
    settings.LDAP_USER_SEARCH_BASE = PEOPLE
    settings.LDAP_USER_FILTER = "(uid=%(user)s)"
    settings.AUTH_LDAP_USER_SEARCH = LDAPSearch(PEOPLE, ldap.SCOPE_SUBTREE, "(uid=%(user)s)")
    settings.AUTH_LDAP_GROUP_SEARCH = LDAPSearch(
        GROUPS, ldap.SCOPE_SUBTREE, "(objectClass=groupOfNames)"
    )
    settings.AUTH_LDAP_GROUP_TYPE = GroupOfNamesType()
    settings.ESS_ROLE_MAP = {
        "hr_officer": frozenset({f"cn=hr,{GROUPS}".lower()}),
        "it_agent": frozenset({"it-support"}),
    }
    return settings


def _sign_in(client, login, password=USER_PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def test_good_password_signs_in_and_provisions_the_employee(client, ldap_settings):
    response = _sign_in(client, "emma")
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="emma@corp.example")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert (user.first_name, user.last_name) == ("Emma", "Ødegård")
    assert not user.has_usable_password()
    employee = user.employee
    assert employee.employee_number == "L0002"
    assert employee.job_title == "Inventory Controller"
    assert employee.department.name == "Warehousing"
    assert employee.location.name == "Rotterdam"
    assert user.has_role(Role.EMPLOYEE)
    assert DirectoryIdentity.objects.get(user=user).subject == "emma"
    assert AuditEvent.objects.filter(
        action="auth.login", actor=user, detail__method="ldap"
    ).exists()


def test_manager_dn_becomes_the_manager_once_both_are_known(client, ldap_settings):
    _sign_in(client, "boss")
    client.post(reverse("account_logout"))
    _sign_in(client, "emma")
    emma = User.objects.get(email="emma@corp.example").employee
    assert emma.manager.user.email == "bea.boss@corp.example"
    assert User.objects.get(email="bea.boss@corp.example").has_role(Role.MANAGER)


def test_wrong_password_is_refused(client, ldap_settings):
    response = _sign_in(client, "emma", "not-the-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="emma@corp.example").exists()
    assert AuditEvent.objects.filter(action="auth.login_failed", detail__login="emma").exists()


def test_unknown_user_is_refused_like_a_wrong_password(client, ldap_settings):
    wrong = _sign_in(client, "emma", "not-the-password")
    unknown = _sign_in(client, "nobody", "not-the-password")
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].errors == wrong.context["form"].errors


def test_group_grants_a_role_and_removal_takes_it_back(client, ldap_settings, directory):
    _sign_in(client, "hank")
    hank = User.objects.get(email="hank@corp.example")
    assert hank.has_role(Role.HR_OFFICER)
    assert RoleGrant.objects.get(user=hank, role="hr_officer").source == "directory"

    client.post(reverse("account_logout"))
    directory.remove_member("hr", "hank")
    try:
        _sign_in(client, "hank")
        hank = User.objects.get(pk=hank.pk)
        assert not hank.has_role(Role.HR_OFFICER)
        assert AuditEvent.objects.filter(
            action="role.directory_revoked", target_id=str(hank.pk), detail__role="hr_officer"
        ).exists()
    finally:
        directory.add_member("hr", "hank")


def test_group_matched_by_common_name(client, ldap_settings):
    _sign_in(client, "boss")
    assert User.objects.get(email="bea.boss@corp.example").has_role(Role.IT_AGENT)


def test_hand_given_role_survives_a_directory_sign_in(client, ldap_settings, admin_user):
    from ess.accounts.services import role_grant

    _sign_in(client, "emma")
    emma = User.objects.get(email="emma@corp.example")
    role_grant(user=emma, role=Role.KB_EDITOR, actor=admin_user)
    client.post(reverse("account_logout"))
    _sign_in(client, "emma")
    assert User.objects.get(pk=emma.pk).has_role(Role.KB_EDITOR)


def test_existing_local_account_with_the_same_email_is_not_taken_over(client, ldap_settings):
    from tests.factories import UserFactory

    local = UserFactory(email="emma@corp.example")
    response = client.post(
        reverse("account_login"), {"login": "emma", "password": USER_PASSWORD}, follow=True
    )
    assert "_auth_user_id" not in client.session
    assert "not linked" in response.content.decode()
    assert not DirectoryIdentity.objects.filter(user=local).exists()


def test_ldap_sync_updates_everyone_and_deactivates_leavers(client, ldap_settings, directory):
    call_command("ldap_sync")
    assert User.objects.filter(email__endswith="@corp.example").count() == 3

    _sign_in(client, "emma")
    emma = User.objects.get(email="emma@corp.example")
    assert UserSession.objects.filter(user=emma).exists()

    directory.remove_person("emma")
    try:
        call_command("ldap_sync", "--dry-run")
        assert User.objects.get(pk=emma.pk).is_active  # dry run changes nothing

        call_command("ldap_sync")
        emma.refresh_from_db()
        assert not emma.is_active
        assert not UserSession.objects.filter(user=emma).exists()
        # Her browser session is over at once.
        response = client.get(reverse("portal:home"))
        assert response.status_code == 302
        assert AuditEvent.objects.filter(
            action="user.deactivated",
            target_id=str(emma.pk),
            detail__reason="no longer in the directory",
        ).exists()
    finally:
        directory.add_person(
            "emma",
            given="Emma",
            sn="Ødegård",
            mail="emma@corp.example",
            number="L0002",
            manager_uid="boss",
        )


def test_ldap_sync_dry_run_prints_what_would_change(ldap_settings, capsys):
    call_command("ldap_sync", "--dry-run")
    out = capsys.readouterr().out
    assert "dry run" in out
    assert "created: 3" in out
    assert not User.objects.filter(email__endswith="@corp.example").exists()


def test_active_directory_style_filter(client, ldap_settings):
    # AD sites search by another attribute; the same code path serves any filter.
    ldap_settings.LDAP_USER_FILTER = "(mail=%(user)s)"
    ldap_settings.AUTH_LDAP_USER_SEARCH = LDAPSearch(PEOPLE, ldap.SCOPE_SUBTREE, "(mail=%(user)s)")
    response = _sign_in(client, "hank@corp.example")
    assert response.status_code == 302
    assert User.objects.get(email="hank@corp.example").has_role(Role.HR_OFFICER)
