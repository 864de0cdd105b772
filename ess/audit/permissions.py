from ess.accounts.models import User
from ess.accounts.roles import Role

AUDIT_READERS = (Role.AUDITOR, Role.ADMIN)


def can_read_audit_log(user: User) -> bool:
    return user.is_authenticated and user.has_role(*AUDIT_READERS)
