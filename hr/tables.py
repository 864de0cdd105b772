import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hr.models import ChangeRequest


class ChangeRequestTable(tables.Table):
    pk = tables.Column(verbose_name=_("No."), linkify=("hr:request", {"pk": tables.A("pk")}))
    employee = tables.Column(
        verbose_name=_("Employee"),
        accessor="employee__user",
        order_by=("employee__user__last_name", "employee__user__first_name"),
    )
    department = tables.Column(verbose_name=_("Department"), accessor="employee__department")
    kind = tables.Column(verbose_name=_("Type"))
    status = tables.Column(verbose_name=_("Status"))
    submitted_at = tables.DateTimeColumn(verbose_name=_("Filed"), format="Y-m-d H:i")
    effective_date = tables.DateColumn(verbose_name=_("Takes effect"), format="Y-m-d")
    comment_count = tables.Column(verbose_name=_("Comments"))
    decided_by = tables.Column(verbose_name=_("Decided by"), default="—")

    class Meta:
        model = ChangeRequest
        fields = ()
        sequence = (
            "pk",
            "employee",
            "department",
            "kind",
            "status",
            "submitted_at",
            "effective_date",
            "comment_count",
            "decided_by",
        )
        order_by = ("-submitted_at",)

    def render_status(self, record, value):
        css = {
            ChangeRequest.Status.PENDING: "text-bg-warning",
            ChangeRequest.Status.INFO_REQUESTED: "text-bg-info",
            ChangeRequest.Status.REJECTED: "text-bg-secondary",
            ChangeRequest.Status.WITHDRAWN: "text-bg-light",
        }.get(record.status, "text-bg-success")
        return format_html('<span class="badge {}">{}</span>', css, value)

    def value_status(self, record, value):
        return value
