"""Sign-in events go to the audit log and start the session clock. Receivers only hand over."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from ess.accounts import sessions
from ess.accounts.lockout import attempted_login
from ess.audit.services import audit_record


@receiver(user_logged_in, dispatch_uid="ess_session_start")
def _start_session(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        sessions.session_start(request.session)


@receiver(user_logged_in, dispatch_uid="ess_audit_login")
def _audit_login(sender, request, user, **kwargs) -> None:
    method = sessions.sign_in_method(request.session) if request is not None else "unknown"
    audit_record(
        actor=user, action="auth.login", target=user, request=request, detail={"method": method}
    )


@receiver(user_logged_out, dispatch_uid="ess_audit_logout")
def _audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, action="auth.logout", target=user, request=request)


@receiver(user_login_failed, dispatch_uid="ess_audit_login_failed")
def _audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Record who was tried, never the password that was typed.
    audit_record(
        actor=None,
        action="auth.login_failed",
        request=request,
        detail={"login": attempted_login(request, credentials)},
    )
