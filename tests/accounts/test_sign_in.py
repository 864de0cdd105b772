import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from ess.accounts.roles import ALL_ROLES
from ess.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_role_groups_exist_after_migrations():
    assert set(Group.objects.values_list("name", flat=True)) >= {str(r) for r in ALL_ROLES}


def test_employee_signs_in_with_email_and_password_and_lands_on_home(client, employee):
    response = client.post(
        reverse("account_login"), {"login": "EMMA@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert AuditEvent.objects.filter(action="auth.login", actor=employee).exists()


def test_wrong_password_is_refused_and_audited_without_the_password(client, employee):
    response = client.post(
        reverse("account_login"), {"login": "emma@example.org", "password": "wrong-password-1"}
    )
    assert response.status_code == 200
    assert b"not correct" in response.content
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.detail == {"login": "emma@example.org"}
    assert "wrong-password-1" not in str(event.detail)


def test_unknown_user_gets_the_same_message_as_a_wrong_password(client, employee):
    wrong = client.post(
        reverse("account_login"), {"login": "emma@example.org", "password": "nope-nope-nope"}
    )
    unknown = client.post(
        reverse("account_login"), {"login": "ghost@example.org", "password": "nope-nope-nope"}
    )
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].errors == wrong.context["form"].errors


def test_sign_in_rotates_the_session_id(client, employee):
    client.get(reverse("account_login"))
    client.cookies["sessionid"] = "attacker-chosen-session-id"
    client.post(reverse("account_login"), {"login": "emma@example.org", "password": TEST_PASSWORD})
    assert client.cookies["sessionid"].value != "attacker-chosen-session-id"


def test_sign_up_is_closed(client):
    response = client.get(reverse("account_signup"))
    assert b"Sign Up Closed" in response.content or response.status_code in (403, 404)


def test_sign_out_is_a_post_and_ends_the_session(client, employee):
    client.force_login(employee)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=employee).exists()


def test_inactive_user_cannot_sign_in(client, employee):
    employee.is_active = False
    employee.save()
    response = client.post(
        reverse("account_login"), {"login": "emma@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code != 302 or response["Location"] != reverse("portal:home")
    assert "_auth_user_id" not in client.session


def test_password_reset_mail_goes_through_the_default_mailer(client, employee, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "emma@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["emma@example.org"]


def test_password_reset_for_unknown_address_reveals_nothing(client, db, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "ghost@example.org"})
    assert response.status_code == 302
    # Prevent-enumeration: the page says the same; the unknown address gets a neutral note.
    assert all("ghost@example.org" in m.to for m in mailoutbox)


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_non_staff_user_cannot_open_the_admin(client, employee):
    client.force_login(employee)
    response = client.get("/admin/")
    assert response.status_code in (302, 403)
    assert not response.get("Location", "").startswith("/admin/auth")


def test_mfa_pages_are_available_to_a_signed_in_user(client, hr_officer):
    client.force_login(hr_officer)
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("mfa_activate_totp")).status_code in (200, 302)
