"""Who may see and change access: the People & access pages."""

from django.http import Http404

from ess.accounts.models import User
from ess.accounts.roles import Role

ACCESS_VIEWERS = (Role.HR_OFFICER, Role.ADMIN, Role.AUDITOR)
ROLE_MANAGERS = (Role.ADMIN,)
SESSION_REVOKERS = (Role.HR_OFFICER, Role.ADMIN)


def can_view_access(user: User) -> bool:
    return user.is_authenticated and user.has_role(*ACCESS_VIEWERS)


def can_manage_roles(user: User) -> bool:
    return user.is_authenticated and user.has_role(*ROLE_MANAGERS)


def can_revoke_sessions(user: User) -> bool:
    return user.is_authenticated and user.has_role(*SESSION_REVOKERS)


def require(allowed: bool) -> None:
    """People without the role do not learn that the page exists."""
    if not allowed:
        raise Http404
