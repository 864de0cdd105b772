from ess.accounts.models import User
from ess.accounts.roles import Role

HR_ROLES = (Role.HR_OFFICER, Role.ADMIN)


def is_hr(user: User) -> bool:
    return user.is_authenticated and user.has_role(*HR_ROLES)
