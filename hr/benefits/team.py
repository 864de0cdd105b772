"""Pending purchases of extra leave, for the manager's list of things to approve."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ess.accounts.models import User
from hr.benefits.selectors import team_pending_extra_leave
from hr.team import PendingApproval


def pending_extra_leave(manager: User) -> list[PendingApproval]:
    """Everyone below the manager in the reporting line (direct and indirect reports)."""
    url = reverse("benefits:team")
    return [
        PendingApproval(
            employee_name=item.employee.user.get_full_name() or item.employee.user.email,
            what=_("Extra leave purchase for %(year)s: %(level)s")
            % {"year": item.plan_year, "level": item.coverage_level.name},
            submitted_at=item.elected_at,
            url=url,
        )
        for item in team_pending_extra_leave(user=manager)
    ]
