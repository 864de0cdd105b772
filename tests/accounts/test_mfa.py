"""Local sign-in with TOTP and recovery codes (allauth.mfa)."""

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _current_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def _sign_in(client, email):
    return client.post(reverse("account_login"), {"login": email, "password": TEST_PASSWORD})


def test_user_with_totp_must_enter_a_code_after_the_password(client, employee):
    secret = generate_totp_secret()
    TOTP.activate(employee, secret)
    response = _sign_in(client, employee.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    right = client.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(employee.pk)


def test_recovery_code_signs_in_once(client, employee):
    TOTP.activate(employee, generate_totp_secret())
    codes = RecoveryCodes.activate(employee).get_unused_codes()
    _sign_in(client, employee.email)
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert client.session["_auth_user_id"] == str(employee.pk)

    client.post(reverse("account_logout"))
    _sign_in(client, employee.email)
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert "_auth_user_id" not in client.session


def test_privileged_role_without_totp_is_sent_to_enrol_after_password_sign_in(client):
    from ess.accounts.roles import Role
    from tests.factories import EmployeeFactory

    officer = EmployeeFactory(user__roles=[Role.EMPLOYEE, Role.PAYROLL_OFFICER]).user
    _sign_in(client, officer.email)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("mfa_activate_totp")).status_code in (200, 302)

    # Once an authenticator is enrolled the portal opens.
    TOTP.activate(officer, generate_totp_secret())
    assert client.get(reverse("portal:home")).status_code == 200


def test_plain_employee_is_not_forced_into_mfa(client, employee):
    _sign_in(client, employee.email)
    assert client.get(reverse("portal:home")).status_code == 200
