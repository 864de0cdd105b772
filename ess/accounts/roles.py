"""The portal's roles. Each is a Django group created by a data migration.

Directory groups (LDAP, OIDC, SAML) map onto these names; nothing else in the code base
should spell a role as a string literal.
"""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    EMPLOYEE = "employee"
    MANAGER = "manager"
    HR_OFFICER = "hr_officer"
    PAYROLL_OFFICER = "payroll_officer"
    IT_AGENT = "it_agent"
    KB_EDITOR = "kb_editor"
    AUDITOR = "auditor"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.EMPLOYEE: _("Employee"),
    Role.MANAGER: _("Manager"),
    Role.HR_OFFICER: _("HR officer"),
    Role.PAYROLL_OFFICER: _("Payroll officer"),
    Role.IT_AGENT: _("IT agent"),
    Role.KB_EDITOR: _("Knowledge base editor"),
    Role.AUDITOR: _("Auditor"),
    Role.ADMIN: _("Administrator"),
}

ALL_ROLES = tuple(Role)
