from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ess.accounts import sessions
from ess.audit.services import audit_record

# Paths a person who must still enrol a second factor may open.
_MFA_ENROLMENT_PATHS = ("/accounts/", "/static/", "/i18n/", "/healthz")


class UserLanguageMiddleware:
    """Apply a signed-in user's saved language over the browser's preference."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language:
            response.headers.setdefault("Content-Language", language)
        return response


def _to_sign_in(request: HttpRequest, message: str) -> HttpResponse:
    url = f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}"
    messages.warning(request, message)
    if getattr(request, "htmx", False):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


class SessionRulesMiddleware:
    """End idle, too-old and deactivated sessions; send privileged users to enrol in MFA."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            if not user.is_active:
                logout(request)
                return _to_sign_in(request, _("Your account is no longer active."))
            reason = sessions.expiry_reason(request.session)
            if reason:
                audit_record(
                    actor=user,
                    action="auth.session_expired",
                    target=user,
                    request=request,
                    detail={"reason": reason},
                )
                logout(request)
                return _to_sign_in(request, _("Your session has ended. Please sign in again."))
            if sessions.needs_second_factor(user, request.session) and not request.path.startswith(
                _MFA_ENROLMENT_PATHS
            ):
                messages.info(
                    request,
                    _(
                        "Your role needs two-factor authentication. Set up an authenticator app "
                        "to continue."
                    ),
                )
                return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _origin(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme in {"http", "https"} and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def sso_form_action_sources() -> list[str]:
    """Origins of the configured identity providers, from settings (no query per page).

    The sign-in buttons POST to ESS, which redirects to the provider; browsers apply
    `form-action` to that redirect, so the providers' origins must be allowed there.
    """
    providers = settings.SOCIALACCOUNT_PROVIDERS
    urls = [
        app.get("settings", {}).get("server_url", "")
        for app in providers.get("openid_connect", {}).get("APPS", [])
    ]
    for app in providers.get("saml", {}).get("APPS", []):
        idp = app.get("settings", {}).get("idp") or {}
        urls += [idp.get("sso_url"), idp.get("metadata_url")]
    sources: list[str] = []
    for origin in [*map(_origin, urls), *settings.ESS_CSP_FORM_ACTION_EXTRA]:
        if origin and origin not in sources:
            sources.append(origin)
    return sources


class SsoFormActionMiddleware:
    """Widen the CSP's form-action to the configured identity providers, and nothing else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if hasattr(response, "_csp_config") or "text/html" not in response.get("Content-Type", ""):
            return response
        if sources := sso_form_action_sources():
            policy = dict(settings.SECURE_CSP)
            policy["form-action"] = [*policy.get("form-action", []), *sources]
            response._csp_config = policy  # Django's CSP middleware uses this policy instead
        return response
