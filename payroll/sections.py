from django.utils.translation import gettext_lazy as _

from ess.portal.sections import Section, register_section
from payroll.permissions import is_payroll_officer

register_section(
    Section(
        key="payslips",
        label=_("Payslips"),
        url_name="payroll:mine",
        icon="cash-coin",
        description=_("Your payslips, the PDF, what changed since last month, annual statements."),
        order=410,
    )
)
register_section(
    Section(
        key="payroll-runs",
        label=_("Payroll runs"),
        url_name="payroll:runs",
        icon="calculator",
        description=_("Calculate or import a period, approve, release, correct payslips."),
        visible_to=is_payroll_officer,
        order=670,
        group="admin",
    )
)
