"""Lockout, session lifetime rules and client addresses behind proxies."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse

from ess.accounts import sessions
from ess.audit.client import client_ip
from ess.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _attempt(client, password, login="emma@example.org", **extra):
    return client.post(reverse("account_login"), {"login": login, "password": password}, **extra)


def test_account_is_locked_after_repeated_failures_even_with_the_right_password(
    client, employee, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "wrong-password-123")
    locked = _attempt(client, TEST_PASSWORD)
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()


def test_lockout_is_per_user_and_address(client, employee, other_employee, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "wrong-password-123")
    # Another person from the same address is not punished for Emma's typos.
    assert _attempt(client, TEST_PASSWORD, login="oliver@example.org").status_code == 302
    # Emma from another address is not locked either.
    other = _attempt(client, TEST_PASSWORD, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302


def test_lockout_ends_after_the_cool_off(client, employee, settings):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "wrong-password-123")
    assert _attempt(client, TEST_PASSWORD).status_code == 429
    # Let the cool-off pass by ageing the recorded attempts.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(seconds=1)
    )
    assert _attempt(client, TEST_PASSWORD).status_code == 302


def test_admin_sign_in_is_covered_by_the_same_lockout(client, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "wrong-password-123", login=admin_user.email)
    assert _attempt(client, TEST_PASSWORD, login=admin_user.email).status_code == 429


def test_client_address_trusts_only_the_configured_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.ESS_TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.1"
    settings.ESS_TRUSTED_PROXIES = 1
    assert client_ip(request) == "203.0.113.7"  # the client cannot forge what the LB appended


def test_lockout_behind_a_proxy_keys_on_the_forwarded_address(client, employee, settings):
    settings.ESS_TRUSTED_PROXIES = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "wrong-password-123", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert _attempt(client, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert _attempt(client, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 302


def _signed_in(client, user):
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    return client


def _age_session(client, *, idle=0.0, total=0.0):
    session = client.session
    now = time.time()
    session[sessions.LAST_SEEN_AT] = now - idle
    session[sessions.STARTED_AT] = now - total
    session.save()


def test_session_ends_after_the_idle_timeout(client, employee, settings):
    _signed_in(client, employee)
    _age_session(client, idle=settings.ESS_SESSION_IDLE_MINUTES * 60 + 5, total=3600)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.session_expired", detail__reason="idle").exists()


def test_active_session_survives_within_the_idle_timeout(client, employee, settings):
    _signed_in(client, employee)
    _age_session(client, idle=settings.ESS_SESSION_IDLE_MINUTES * 60 - 60, total=3600)
    assert client.get(reverse("portal:home")).status_code == 200


def test_session_ends_at_the_absolute_lifetime_however_active(client, employee, settings):
    _signed_in(client, employee)
    _age_session(client, idle=10, total=settings.ESS_SESSION_MAX_HOURS * 3600 + 5)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action="auth.session_expired", detail__reason="lifetime"
    ).exists()


def test_htmx_request_on_an_expired_session_gets_a_client_redirect(client, employee, settings):
    _signed_in(client, employee)
    _age_session(client, idle=settings.ESS_SESSION_IDLE_MINUTES * 60 + 5)
    response = client.get(reverse("notifications:bell"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("account_login"))


def test_deactivated_user_is_signed_out_on_the_next_request(client, employee):
    _signed_in(client, employee)
    employee.is_active = False
    employee.save()
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_local_sign_in_can_be_switched_off_with_a_break_glass_path(
    client, employee, admin_user, settings
):
    settings.ESS_LOCAL_LOGIN = False
    page = client.get(reverse("account_login")).content.decode()
    assert 'name="password"' not in page
    refused = _attempt(client, TEST_PASSWORD)
    assert refused.status_code == 200
    assert "company account" in refused.content.decode()
    assert "_auth_user_id" not in client.session

    glass = client.get(reverse("account_login") + "?break-glass=1").content.decode()
    assert 'name="password"' in glass
    ok = client.post(
        reverse("account_login") + "?break-glass=1",
        {"login": admin_user.email, "password": TEST_PASSWORD},
    )
    assert ok.status_code == 302
