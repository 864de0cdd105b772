from ess.accounts.models import User
from hr.models import Employee


def employee_for_user(*, user: User) -> Employee | None:
    """The signed-in person's employment record with what the dashboard shows, in one query."""
    return (
        Employee.objects.select_related("department", "location", "manager__user")
        .filter(user=user)
        .first()
    )
