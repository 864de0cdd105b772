"""OpenID Connect and SAML sign-in through django-allauth.

People are keyed by the identity provider's subject (`sub`, or the SAML NameID), never by
e-mail: an e-mail that already belongs to another account is refused unless
ESS_SSO_LINK_BY_VERIFIED_EMAIL is on and the provider vouches for the address.
"""

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render

from ess.accounts.directory import DirectoryProfile
from ess.accounts.models import User
from ess.accounts.provisioning import directory_user_upsert
from ess.audit.services import audit_record

# Optional OIDC claims that fill the employment record, when the provider sends them.
OIDC_PROFILE_CLAIMS = {
    "employee_number": "employee_number",
    "job_title": "job_title",
    "department": "department",
    "location": "locality",
}


def _text(value) -> str:
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value or "").strip()


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


def _oidc_claims(sociallogin: SocialLogin) -> dict:
    extra = sociallogin.account.extra_data or {}
    claims = dict(extra.get("id_token") or {})
    claims.update(extra.get("userinfo") or {})
    return claims or dict(extra)


def profile_from_sociallogin(sociallogin: SocialLogin) -> tuple[DirectoryProfile, bool]:
    """The person the provider describes, and whether it vouches for their e-mail."""
    provider = sociallogin.account.get_provider()
    if provider.id == "saml":
        attributes = sociallogin.account.extra_data or {}
        mapping = provider.app.settings.get("attribute_mapping", {})

        def attribute(key: str) -> str:
            names = mapping.get(key) or []
            for name in [names] if isinstance(names, str) else names:
                if attributes.get(name):
                    return _text(attributes[name])
            return ""

        email = attribute("email") or (sociallogin.user.email if sociallogin.user else "")
        profile = DirectoryProfile(
            email=email,
            first_name=attribute("first_name"),
            last_name=attribute("last_name"),
            employee_number=attribute("employee_number"),
            job_title=attribute("job_title"),
            department=attribute("department"),
            location=attribute("location"),
            groups=frozenset(_as_list(attributes.get(settings.SAML_GROUPS_ATTRIBUTE))),
        )
        # A signed assertion from the company IdP is the IdP vouching for the address.
        return profile, True
    claims = _oidc_claims(sociallogin)
    profile = DirectoryProfile(
        email=_text(claims.get("email")),
        first_name=_text(claims.get("given_name")),
        last_name=_text(claims.get("family_name")),
        groups=frozenset(_as_list(claims.get(settings.OIDC_GROUPS_CLAIM))),
        **{field: _text(claims.get(claim)) for field, claim in OIDC_PROFILE_CLAIMS.items()},
    )
    return profile, claims.get("email_verified") is True


def _source_label(sociallogin: SocialLogin) -> str:
    provider = sociallogin.account.get_provider()
    kind = "saml" if provider.id == "saml" else "oidc"
    return f"{kind}:{sociallogin.account.provider}"


def _refuse(request: HttpRequest, reason: str, message_template: str, **detail) -> None:
    audit_record(
        actor=None, action="auth.sso_refused", request=request, detail={"reason": reason, **detail}
    )
    raise ImmediateHttpResponse(render(request, message_template, {"reason": reason}, status=403))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        # Just-in-time provisioning: the identity provider decides who is an employee.
        return True

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return True

    def pre_social_login(self, request, sociallogin) -> None:
        profile, email_verified = profile_from_sociallogin(sociallogin)
        source = _source_label(sociallogin)
        if sociallogin.is_existing:
            directory_user_upsert(
                user=sociallogin.user, profile=profile, source_label=source, request=request
            )
            return
        if not profile.email:
            _refuse(request, "no_email", "socialaccount/sso_refused.html", source=source)
        existing = User.objects.filter(email__iexact=profile.email).first()
        if existing is None:
            return  # save_user() provisions the new person
        if settings.ESS_SSO_LINK_BY_VERIFIED_EMAIL and email_verified:
            sociallogin.connect(request, existing)
            audit_record(
                actor=None,
                action="auth.sso_linked_by_email",
                target=existing,
                request=request,
                detail={"source": source},
            )
            directory_user_upsert(
                user=existing, profile=profile, source_label=source, request=request
            )
            return
        _refuse(request, "email_in_use", "socialaccount/sso_refused.html", source=source)

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.email = (user.email or "").lower()
        return user

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        profile, _verified = profile_from_sociallogin(sociallogin)
        source = _source_label(sociallogin)
        audit_record(
            actor=None,
            action="user.provisioned",
            target=user,
            request=request,
            detail={"source": source},
        )
        directory_user_upsert(user=user, profile=profile, source_label=source, request=request)
        return user

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        audit_record(
            actor=None,
            action="auth.sso_failed",
            request=request,
            detail={"provider": getattr(provider, "id", str(provider)), "error": str(error)},
        )
