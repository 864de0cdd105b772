import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ess.portal.templatetags.ess import money
from payroll.models import PayrollRun, Payslip

RUN_BADGES = {
    PayrollRun.Status.DRAFT: "text-bg-secondary",
    PayrollRun.Status.CALCULATED: "text-bg-info",
    PayrollRun.Status.APPROVED: "text-bg-warning",
    PayrollRun.Status.RELEASED: "text-bg-success",
}
SLIP_BADGES = {
    Payslip.Status.DRAFT: "text-bg-secondary",
    Payslip.Status.QUEUED: "text-bg-info",
    Payslip.Status.READY: "text-bg-primary",
    Payslip.Status.FAILED: "text-bg-danger",
    Payslip.Status.RELEASED: "text-bg-success",
    Payslip.Status.SUPERSEDED: "text-bg-dark",
}


def badge(css: str, label) -> str:
    return format_html('<span class="badge {}">{}</span>', css, label)


class RunTable(tables.Table):
    period = tables.Column(
        verbose_name=_("Period"),
        accessor="period__year",
        order_by=("period__year", "period__month"),
        linkify=lambda record: record.get_absolute_url(),
    )
    status = tables.Column(verbose_name=_("Status"))
    source = tables.Column(verbose_name=_("Source"))
    employee_count = tables.Column(verbose_name=_("Payslips"))
    gross_total = tables.Column(verbose_name=_("Gross"), attrs={"td": {"class": "text-end"}})
    net_total = tables.Column(verbose_name=_("Net"), attrs={"td": {"class": "text-end"}})
    prepared_by = tables.Column(verbose_name=_("Prepared by"), default="—", orderable=False)
    approved_by = tables.Column(verbose_name=_("Approved by"), default="—", orderable=False)
    released_at = tables.DateTimeColumn(verbose_name=_("Released"), format="Y-m-d H:i", default="—")

    class Meta:
        model = PayrollRun
        fields = (
            "period",
            "status",
            "source",
            "employee_count",
            "gross_total",
            "net_total",
            "prepared_by",
            "approved_by",
            "released_at",
        )
        attrs = {"class": "table table-sm align-middle"}
        empty_text = _("No payroll runs yet. Calculate or import a period to start.")

    def render_period(self, record):
        return record.period.code

    def value_period(self, record):
        return record.period.code

    def render_status(self, record):
        return badge(RUN_BADGES.get(record.status, ""), record.get_status_display())

    def value_status(self, record):
        return record.status

    def render_gross_total(self, value):
        return money(value)

    def render_net_total(self, value):
        return money(value)


class RunPayslipTable(tables.Table):
    employee = tables.Column(
        verbose_name=_("Employee"),
        accessor="employee__user__last_name",
        order_by=("employee__user__last_name", "employee__user__first_name"),
        linkify=lambda record: record.get_absolute_url(),
    )
    employee_number = tables.Column(
        verbose_name=_("Employee number"), accessor="employee__employee_number"
    )
    department = tables.Column(
        verbose_name=_("Department"), accessor="employee__department__name", default="—"
    )
    version = tables.Column(verbose_name=_("Version"))
    status = tables.Column(verbose_name=_("Status"))
    net = tables.Column(verbose_name=_("Net"), orderable=False, attrs={"td": {"class": "text-end"}})

    class Meta:
        model = Payslip
        fields = ("employee", "employee_number", "department", "version", "status", "net")
        attrs = {"class": "table table-sm align-middle"}
        empty_text = _("No payslips match.")

    def render_employee(self, record):
        user = record.employee.user
        return user.get_full_name() or user.email

    def value_employee(self, record):
        return self.render_employee(record)

    def render_status(self, record):
        return badge(SLIP_BADGES.get(record.status, ""), record.get_status_display())

    def value_status(self, record):
        return record.status

    def render_net(self, record):
        return money(record.net, record.currency)

    def value_net(self, record):
        return record.net
