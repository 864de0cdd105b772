"""Sign-in against LDAP or Active Directory, and the nightly directory sync.

django-auth-ldap does the binding and searching; this module decides who the person is
(by their directory user name, never by e-mail alone) and hands the entry to provisioning.
"""

import logging
import re
from dataclasses import dataclass, field

import ldap
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_auth_ldap.backend import LDAPBackend

from ess.accounts.directory import DirectoryProfile
from ess.accounts.models import DirectoryIdentity, User
from ess.accounts.provisioning import directory_user_upsert
from ess.accounts.services import user_deactivate, user_reactivate

logger = logging.getLogger(__name__)

BACKEND_PATH = "ess.accounts.ldap.DirectoryLDAPBackend"
SOURCE = "ldap"
_AD_ACCOUNT_DISABLED = 0x2


def ldap_enabled() -> bool:
    return BACKEND_PATH in settings.AUTHENTICATION_BACKENDS


def _first(attrs, name: str) -> str:
    if not name:
        return ""
    values = attrs.get(name) or []
    value = values[0] if values else ""
    return value.decode() if isinstance(value, bytes) else str(value)


def profile_from_entry(attrs, group_dns) -> DirectoryProfile:
    mapping = settings.LDAP_ATTR_MAP
    return DirectoryProfile(
        email=_first(attrs, mapping["email"]).strip(),
        first_name=_first(attrs, mapping["first_name"]),
        last_name=_first(attrs, mapping["last_name"]),
        employee_number=_first(attrs, mapping["employee_number"]),
        job_title=_first(attrs, mapping["job_title"]),
        department=_first(attrs, mapping["department"]),
        location=_first(attrs, mapping["location"]),
        manager_key=_first(attrs, mapping["manager"]),
        groups=frozenset(group_dns or ()),
    )


def entry_is_disabled(attrs) -> bool:
    """AD's ACCOUNTDISABLE flag, or the lock markers OpenLDAP and 389-DS use."""
    flags = _first(attrs, "userAccountControl")
    if flags.isdigit() and int(flags) & _AD_ACCOUNT_DISABLED:
        return True
    if _first(attrs, "nsAccountLock").lower() == "true":
        return True
    return bool(_first(attrs, "pwdAccountLockedTime"))


class DirectoryLDAPBackend(LDAPBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        # The sign-in form passes the login as `username`; allauth's own e-mail flow as `email`.
        login = username or kwargs.get("email")
        if not login:
            return None
        return super().authenticate(request, username=login, password=password)

    def get_or_build_user(self, username, ldap_user):
        subject = username.strip().lower()
        attrs = ldap_user.attrs
        if entry_is_disabled(attrs):
            raise ldap_user.AuthenticationFailed("the directory account is disabled")
        profile = profile_from_entry(attrs, ldap_user.group_dns)
        if not profile.email:
            raise ldap_user.AuthenticationFailed("the directory entry has no e-mail address")
        identity = (
            DirectoryIdentity.objects.select_related("user")
            .filter(source=SOURCE, subject=subject)
            .first()
        )
        user = identity.user if identity else None
        if user is None and User.objects.filter(email__iexact=profile.email).exists():
            if not settings.ESS_SSO_LINK_BY_VERIFIED_EMAIL:
                request = ldap_user._request
                if request is not None:
                    messages.error(
                        request,
                        _(
                            "A portal account with this e-mail address already exists and is not "
                            "linked to your directory account. Ask the service desk to link them."
                        ),
                    )
                raise ldap_user.AuthenticationFailed("e-mail belongs to an unlinked account")
            user = User.objects.get(email__iexact=profile.email)
        with transaction.atomic():
            user = directory_user_upsert(
                user=user, profile=profile, source_label=SOURCE, request=ldap_user._request
            )
            DirectoryIdentity.objects.update_or_create(
                source=SOURCE,
                subject=subject,
                defaults={"user": user, "dn": ldap_user.dn or "", "last_seen_at": timezone.now()},
            )
        return user, False


@dataclass
class SyncSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        for label in ("created", "updated", "deactivated", "reactivated", "failed"):
            names = getattr(self, label)
            out.append(f"{label}: {len(names)}" + (f" ({', '.join(names[:20])})" if names else ""))
        return out


def _login_attribute() -> str:
    match = re.search(r"\(([A-Za-z0-9-]+)=%\(user\)s\)", settings.LDAP_USER_FILTER)
    if not match:
        raise ValueError(f"Cannot find the login attribute in {settings.LDAP_USER_FILTER!r}")
    return match.group(1)


def _directory_entries() -> list[tuple[str, dict]]:
    connection = ldap.initialize(settings.AUTH_LDAP_SERVER_URI)
    for option, value in settings.AUTH_LDAP_CONNECTION_OPTIONS.items():
        connection.set_option(option, value)
    if settings.AUTH_LDAP_START_TLS:
        connection.start_tls_s()
    connection.simple_bind_s(settings.AUTH_LDAP_BIND_DN, settings.AUTH_LDAP_BIND_PASSWORD)
    try:
        everyone = settings.LDAP_USER_FILTER.replace("%(user)s", "*")
        return connection.search_s(settings.LDAP_USER_SEARCH_BASE, ldap.SCOPE_SUBTREE, everyone)
    finally:
        connection.unbind_s()


def ldap_sync(*, dry_run: bool = False) -> SyncSummary:
    """Bring every directory person up to date; deactivate those who left or are disabled.

    With `dry_run` the work happens inside a transaction that is rolled back, so the summary
    is exactly what a real run would do.
    """
    summary = SyncSummary()
    login_attribute = _login_attribute()
    backend = DirectoryLDAPBackend()
    with transaction.atomic():
        known = {
            i.subject: i
            for i in DirectoryIdentity.objects.filter(source=SOURCE).select_related("user")
        }
        present: set[str] = set()
        for _dn, raw_attrs in _directory_entries():
            attrs = ldap.cidict.cidict({k: [v.decode() for v in vs] for k, vs in raw_attrs.items()})
            subject = _first(attrs, login_attribute).lower()
            if not subject:
                continue
            identity = known.get(subject)
            if entry_is_disabled(attrs):
                if identity and identity.user.is_active:
                    user_deactivate(user=identity.user, reason="disabled in the directory")
                    summary.deactivated.append(subject)
                continue
            present.add(subject)
            user = backend.populate_user(subject)
            if user is None:
                summary.failed.append(subject)
            elif identity is None:
                summary.created.append(subject)
            else:
                if not identity.user.is_active:
                    user_reactivate(user=identity.user, reason="enabled in the directory")
                    summary.reactivated.append(subject)
                summary.updated.append(subject)
        for subject, identity in known.items():
            if subject not in present and identity.user.is_active:
                reason = "no longer in the directory"
                user_deactivate(user=identity.user, reason=reason)
                summary.deactivated.append(subject)
        if dry_run:
            transaction.set_rollback(True)
    return summary
