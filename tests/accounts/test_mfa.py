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


def test_user_with_totp_must_enter_a_code_after_the_password(client, hr_officer):
    secret = generate_totp_secret()
    TOTP.activate(hr_officer, secret)
    response = _sign_in(client, hr_officer.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    right = client.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(hr_officer.pk)


def test_recovery_code_signs_in_once(client, hr_officer):
    TOTP.activate(hr_officer, generate_totp_secret())
    codes = RecoveryCodes.activate(hr_officer).get_unused_codes()
    _sign_in(client, hr_officer.email)
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert client.session["_auth_user_id"] == str(hr_officer.pk)

    client.post(reverse("account_logout"))
    _sign_in(client, hr_officer.email)
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert "_auth_user_id" not in client.session
