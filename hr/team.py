"""What a manager must act on for their team.

Apps that need a manager's decision (a purchase of extra leave, a service request that needs
approval…) register a source here; My team lists them without knowing the apps.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise

from ess.accounts.models import User


@dataclass(frozen=True)
class PendingApproval:
    employee_name: str
    what: str | Promise
    submitted_at: datetime
    url: str


ApprovalSource = Callable[[User], Sequence[PendingApproval]]

_SOURCES: dict[str, ApprovalSource] = {}


def register_team_approvals(key: str, source: ApprovalSource) -> None:
    _SOURCES[key] = source


def team_approvals_for(manager: User) -> list[PendingApproval]:
    items = [item for _key, source in sorted(_SOURCES.items()) for item in source(manager)]
    return sorted(items, key=lambda item: item.submitted_at)
