from ess.accounts.models import User
from ess.accounts.roles import Role

POLICY_EDITOR_ROLES = (Role.HR_OFFICER, Role.ADMIN)


def can_edit_policies(user: User) -> bool:
    return user.is_authenticated and user.has_role(*POLICY_EDITOR_ROLES)
