import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ess.portal.templatetags.ess import money
from hr.benefits.models import Election, LifeEvent


def _name(user) -> str:
    return user.get_full_name() or user.email


class EnrolmentTable(tables.Table):
    employee = tables.Column(
        verbose_name=_("Employee"),
        accessor="employee__user__last_name",
        order_by=("employee__user__last_name", "employee__user__first_name"),
    )
    employee_number = tables.Column(
        verbose_name=_("Employee number"), accessor="employee__employee_number"
    )
    department = tables.Column(verbose_name=_("Department"), accessor="employee__department__name")
    location = tables.Column(verbose_name=_("Location"), accessor="employee__location__name")
    plan_year = tables.Column(verbose_name=_("Plan year"))
    plan = tables.Column(verbose_name=_("Plan"), accessor="plan__name")
    coverage_level = tables.Column(
        verbose_name=_("Coverage level"), accessor="coverage_level__name", default="—"
    )
    status = tables.Column(verbose_name=_("Status"))
    employee_monthly_cost = tables.Column(verbose_name=_("Employee pays per month"))
    employer_monthly_contribution = tables.Column(verbose_name=_("Employer pays per month"))
    currency = tables.Column(
        verbose_name=_("Currency"), accessor="plan__currency", visible=False, orderable=False
    )
    elected_at = tables.DateTimeColumn(verbose_name=_("Chosen"), format="Y-m-d H:i")

    class Meta:
        model = Election
        fields = (
            "employee",
            "employee_number",
            "department",
            "location",
            "plan_year",
            "plan",
            "coverage_level",
            "status",
            "employee_monthly_cost",
            "employer_monthly_contribution",
            "currency",
            "elected_at",
        )
        order_by = ("employee",)

    def render_employee(self, record) -> str:
        url = reverse("benefits:manage_employee", args=[record.employee_id])
        return format_html('<a href="{}">{}</a>', url, _name(record.employee.user))

    def value_employee(self, record) -> str:
        return _name(record.employee.user)

    def render_employee_monthly_cost(self, value, record) -> str:
        return money(value, record.plan.currency)

    def render_employer_monthly_contribution(self, value, record) -> str:
        return money(value, record.plan.currency)

    def value_employee_monthly_cost(self, value) -> str:
        return str(value)

    def value_employer_monthly_contribution(self, value) -> str:
        return str(value)


class LifeEventTable(tables.Table):
    employee = tables.Column(
        verbose_name=_("Employee"),
        accessor="employee__user__last_name",
        order_by=("employee__user__last_name", "employee__user__first_name"),
    )
    department = tables.Column(verbose_name=_("Department"), accessor="employee__department__name")
    kind = tables.Column(verbose_name=_("What happened"))
    event_date = tables.DateColumn(verbose_name=_("Date of the event"))
    submitted_at = tables.DateTimeColumn(verbose_name=_("Reported"), format="Y-m-d H:i")
    status = tables.Column(verbose_name=_("Status"))
    actions = tables.TemplateColumn(
        verbose_name=_("Decision"),
        template_name="benefits/_life_event_actions.html",
        orderable=False,
        exclude_from_export=True,
    )

    class Meta:
        model = LifeEvent
        fields = ("employee", "department", "kind", "event_date", "submitted_at", "status")
        order_by = ("submitted_at",)

    def render_employee(self, record) -> str:
        url = reverse("benefits:life_event", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, _name(record.employee.user))
