from django.utils.translation import gettext_lazy as _

from ess.accounts.roles import Role
from ess.portal.sections import Section, register_section

# Every page's menu asks this, so it reads the cached role names only; the reports area
# itself then asks each report, which may look deeper (a manager without the role yet).
REPORT_ROLES = (
    Role.MANAGER,
    Role.HR_OFFICER,
    Role.PAYROLL_OFFICER,
    Role.IT_AGENT,
    Role.KB_EDITOR,
    Role.ADMIN,
)


def _may_have_reports(user) -> bool:
    return user.is_authenticated and user.has_role(*REPORT_ROLES)


register_section(
    Section(
        key="reports",
        label=_("Reports"),
        url_name="reports:index",
        icon="bar-chart-line",
        description=_("Figures for your team and the services you run."),
        visible_to=_may_have_reports,
        order=500,
    )
)
