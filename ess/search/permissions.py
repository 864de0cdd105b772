"""Who may look after search: its knowledge gaps, synonyms and figures.

Everyone signed in searches; what they find is filtered by audience in the engine itself.
Knowledge base editors and administrators manage gaps and synonyms. Auditors may read the
analytics as well: the log holds no names (people are keyed hashes), only what was asked.
"""

from django.core.exceptions import PermissionDenied

from ess.accounts.models import User
from ess.accounts.roles import Role

SEARCH_MANAGER_ROLES = (Role.KB_EDITOR, Role.ADMIN)
SEARCH_ANALYTICS_ROLES = (*SEARCH_MANAGER_ROLES, Role.AUDITOR)


def can_manage_search(user: User) -> bool:
    return user.is_authenticated and user.has_role(*SEARCH_MANAGER_ROLES)


def can_view_search_analytics(user: User) -> bool:
    return user.is_authenticated and user.has_role(*SEARCH_ANALYTICS_ROLES)


def require_search_manager(user: User) -> None:
    if not can_manage_search(user):
        raise PermissionDenied


def require_search_analytics(user: User) -> None:
    if not can_view_search_analytics(user):
        raise PermissionDenied
