"""Who may do what with benefits. Unseen objects answer 404, never 403."""

from django.db.models import Q
from django.http import Http404

from ess.accounts.models import User
from hr.models import Employee
from hr.permissions import is_hr


def can_manage_benefits(user: User) -> bool:
    """HR officers (and administrators) run plans, windows, the reports and the queue."""
    return is_hr(user)


def is_in_manager_chain(user: User, employee: Employee) -> bool:
    """True when `user` is above `employee` in the reporting line (never the person)."""
    if not user.is_authenticated:
        return False
    # Both paths from the database: the reporting line may have moved since `employee` loaded.
    paths = dict(
        Employee.objects.filter(Q(user=user) | Q(pk=employee.pk)).values_list("pk", "org_path")
    )
    mine = next((path for pk, path in paths.items() if pk != employee.pk), "")
    theirs = paths.get(employee.pk, "")
    return bool(mine and theirs) and theirs.startswith(mine) and len(theirs) > len(mine)


def require(allowed: bool) -> None:
    if not allowed:
        raise Http404
