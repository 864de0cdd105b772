from ess.accounts.models import User
from ess.accounts.roles import Role

AGENT_ROLES = (Role.IT_AGENT, Role.HR_OFFICER, Role.PAYROLL_OFFICER, Role.ADMIN)


def is_agent(user: User) -> bool:
    return user.is_authenticated and user.has_role(*AGENT_ROLES)
