from ess.accounts.models import User
from ess.accounts.roles import Role

HANDBOOK_EDITOR_ROLES = (Role.HR_OFFICER, Role.ADMIN)


def can_edit_handbook(user: User) -> bool:
    return user.is_authenticated and user.has_role(*HANDBOOK_EDITOR_ROLES)
