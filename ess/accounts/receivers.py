"""Sign-in events go to the audit log. The receivers only hand over to the audit service."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from ess.audit.services import audit_record


@receiver(user_logged_in, dispatch_uid="ess_audit_login")
def _audit_login(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action="auth.login", target=user, request=request)


@receiver(user_logged_out, dispatch_uid="ess_audit_logout")
def _audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, action="auth.logout", target=user, request=request)


@receiver(user_login_failed, dispatch_uid="ess_audit_login_failed")
def _audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Record who was tried, never the password that was typed.
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:254]
    audit_record(
        actor=None, action="auth.login_failed", request=request, detail={"login": attempted}
    )
