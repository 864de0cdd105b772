from ess.accounts.models import User
from ess.accounts.roles import Role

# Pay data is for payroll staff only: neither `manager` nor `hr_officer` implies it.
PAYROLL_ROLES = (Role.PAYROLL_OFFICER,)


def is_payroll_officer(user: User) -> bool:
    return user.is_authenticated and user.has_role(*PAYROLL_ROLES)
