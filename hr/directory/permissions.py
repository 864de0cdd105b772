from django.core.exceptions import PermissionDenied

from ess.accounts.models import User
from ess.accounts.roles import Role
from hr.models import Employee


def has_manager_role(user: User) -> bool:
    """Cheap (the role names are cached on the user): for navigation on every page."""
    return user.is_authenticated and user.has_role(Role.MANAGER)


def can_see_team(user: User) -> bool:
    """Managers, and anyone with direct reports even before the role sync has run."""
    if not user.is_authenticated:
        return False
    return has_manager_role(user) or Employee.objects.filter(manager__user=user).exists()


def require_team(user: User) -> None:
    """My team is a known page that only managers may open: refuse with 403."""
    if not can_see_team(user):
        raise PermissionDenied
