"""Session rules: idle timeout, absolute lifetime, and a second factor for privileged roles."""

import time

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY

STARTED_AT = "ess_session_started_at"
LAST_SEEN_AT = "ess_session_last_seen_at"
# Writing the session on every request would cost a database write per page; a minute of
# slack on the idle clock is harmless.
LAST_SEEN_RESOLUTION = 60


def session_start(session) -> None:
    now = time.time()
    session[STARTED_AT] = now
    session[LAST_SEEN_AT] = now


def expiry_reason(session, now: float | None = None) -> str | None:
    now = time.time() if now is None else now
    started = session.get(STARTED_AT)
    last_seen = session.get(LAST_SEEN_AT)
    if started is None or last_seen is None:
        # A session from before these rules (or forged without them) gets a fresh clock.
        session_start(session)
        return None
    if now - last_seen > settings.ESS_SESSION_IDLE_MINUTES * 60:
        return "idle"
    if now - started > settings.ESS_SESSION_MAX_HOURS * 3600:
        return "lifetime"
    if now - last_seen > LAST_SEEN_RESOLUTION:
        session[LAST_SEEN_AT] = now
    return None


def sign_in_method(session) -> str:
    """How this session signed in: 'password' (portal), 'ldap', or 'sso'."""
    backend = session.get(BACKEND_SESSION_KEY, "")
    if backend.endswith("DirectoryLDAPBackend"):
        return "ldap"
    methods = session.get("account_authentication_methods") or []
    if any(m.get("method") == "socialaccount" for m in methods):
        return "sso"
    return "password"


def needs_second_factor(user, session) -> bool:
    """A privileged local sign-in that has not passed MFA (and has no authenticator yet)."""
    if not any(role in user.role_names for role in settings.ESS_MFA_REQUIRED_ROLES):
        return False
    if sign_in_method(session) != "password":
        return False  # the directory or the identity provider enforces its own factors
    methods = session.get("account_authentication_methods") or []
    if any(m.get("method") == "mfa" for m in methods):
        return False
    from allauth.mfa.models import Authenticator

    # Someone who already has TOTP passed allauth's MFA stage at sign-in; someone who just
    # enrolled in this session has done what was asked.
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
