"""Lockout after repeated sign-in failures (django-axes)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ess.audit.services import audit_record


def attempted_login(request: HttpRequest, credentials: dict | None) -> str:
    """The login that was tried, whichever form or backend carried it."""
    credentials = credentials or {}
    login = credentials.get("username") or credentials.get("email")
    if not login and request is not None and request.method == "POST":
        login = request.POST.get("login") or request.POST.get("username")
    return str(login or "").strip().lower()[:254]


def locked_out_response(request: HttpRequest, credentials: dict | None, *args, **kwargs):
    audit_record(
        actor=None,
        action="auth.locked_out",
        request=request,
        detail={"login": attempted_login(request, credentials)},
    )
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response: HttpResponse = render(
        request, "account/locked_out.html", {"minutes": minutes}, status=429
    )
    return response
