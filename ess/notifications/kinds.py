"""The notification kinds people can receive, and whether they e-mail by default.

Each app registers its kinds here when it loads, so the preferences page lists them all.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str | Promise
    email_by_default: bool = True
    # Security notices (a changed bank account, a new sign-in method) cannot be muted.
    mandatory: bool = False


_KINDS: dict[str, NotificationKind] = {}


def register_kind(kind: NotificationKind) -> NotificationKind:
    existing = _KINDS.get(kind.key)
    if existing is not None and existing != kind:
        raise ValueError(f"Notification kind {kind.key!r} is registered twice")
    _KINDS[kind.key] = kind
    return kind


def get_kind(key: str) -> NotificationKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise ValueError(f"Unknown notification kind {key!r}") from None


def all_kinds() -> list[NotificationKind]:
    return sorted(_KINDS.values(), key=lambda kind: str(kind.label))


GENERAL = register_kind(NotificationKind("general", _("General announcements")))
SECURITY = register_kind(
    NotificationKind("security", _("Security notices about my account"), mandatory=True)
)
