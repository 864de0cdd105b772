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
ApprovalCount = Callable[[User], int]

_SOURCES: dict[str, ApprovalSource] = {}
_COUNTS: dict[str, ApprovalCount] = {}


def register_team_approvals(
    key: str, source: ApprovalSource, *, count: ApprovalCount | None = None
) -> None:
    """`count` answers "how many?" cheaply for the navigation badge, which every page of a
    manager shows; without it the badge builds the whole list."""
    _SOURCES[key] = source
    _COUNTS[key] = count or (lambda manager: len(source(manager)))


def team_approval_count(manager: User) -> int:
    return sum(count(manager) for _key, count in sorted(_COUNTS.items()))


def team_approvals_for(manager: User) -> list[PendingApproval]:
    items = [item for _key, source in sorted(_SOURCES.items()) for item in source(manager)]
    return sorted(items, key=lambda item: item.submitted_at)
