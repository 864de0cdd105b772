import io

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tables2.export import TableExport
from openpyxl import Workbook
from tablib import Dataset

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


class EnrolmentExport(TableExport):
    """The enrolment list as CSV or XLSX, written from one values() query in the table's
    order and with its column headers. The generic export resolves every cell through
    the table, which takes some 20 seconds for the 10,000 elections of a plan year."""

    FIELDS = (
        "employee__user__first_name",
        "employee__user__last_name",
        "employee__user__email",
        "employee__employee_number",
        "employee__department__name",
        "employee__location__name",
        "plan_year",
        "plan__name",
        "coverage_level__name",
        "status",
        "employee_monthly_cost",
        "employer_monthly_contribution",
        "plan__currency",
        "elected_at",
    )

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        dataset = Dataset(title=str(_("Elections")), **(dataset_kwargs or {}))
        columns = [
            column
            for column in table.columns.iterall()
            if not (column.column.exclude_from_export or column.name in (exclude_columns or ()))
        ]
        dataset.headers = [str(column.header) for column in columns]
        statuses = dict(Election.Status.choices)
        for values in table.data.data.values_list(*self.FIELDS).iterator(chunk_size=2000):
            row = dict(zip(self.FIELDS, values, strict=True))
            first, last, email = values[:3]
            cells = {
                "employee": f"{first} {last}".strip() or email,
                "employee_number": row["employee__employee_number"],
                "department": row["employee__department__name"],
                "location": row["employee__location__name"],
                "plan_year": row["plan_year"],
                "plan": row["plan__name"],
                "coverage_level": row["coverage_level__name"] or "—",
                "status": str(statuses.get(row["status"], row["status"])),
                "employee_monthly_cost": str(row["employee_monthly_cost"]),
                "employer_monthly_contribution": str(row["employer_monthly_contribution"]),
                "currency": row["plan__currency"],
                "elected_at": timezone.localtime(row["elected_at"]).strftime("%Y-%m-%d %H:%M"),
            }
            dataset.append([cells[column.name] for column in columns])
        return dataset

    def export(self):
        if self.format != self.XLSX:
            return super().export()
        # openpyxl's streaming writer: about 30 % faster than tablib's in-memory workbook.
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=self.dataset.title)
        sheet.append(self.dataset.headers)
        for row in self.dataset:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
