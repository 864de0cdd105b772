from django.http import Http404

from ess.accounts.models import User
from ess.accounts.roles import Role

POLICY_EDITOR_ROLES = (Role.HR_OFFICER, Role.ADMIN)
COMPLIANCE_READER_ROLES = (Role.HR_OFFICER, Role.ADMIN, Role.AUDITOR)


def can_edit_policies(user: User) -> bool:
    return user.is_authenticated and user.has_role(*POLICY_EDITOR_ROLES)


def can_read_all_compliance(user: User) -> bool:
    return user.is_authenticated and user.has_role(*COMPLIANCE_READER_ROLES)


def can_read_compliance(user: User) -> bool:
    """HR and auditors see everyone; managers their own reports; owners their policies."""
    return user.is_authenticated and (
        can_read_all_compliance(user) or user.has_role(Role.MANAGER) or user.owned_policies.exists()
    )


def require(allowed: bool) -> None:
    if not allowed:
        raise Http404
