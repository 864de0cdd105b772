import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hr.letters.models import Letter

STATUS_BADGES = {
    Letter.Status.PENDING: "text-bg-warning",
    Letter.Status.QUEUED: "text-bg-info",
    Letter.Status.ISSUED: "text-bg-success",
    Letter.Status.FAILED: "text-bg-danger",
    Letter.Status.REVOKED: "text-bg-dark",
}


def status_badge(letter: Letter) -> str:
    css = STATUS_BADGES.get(letter.status, "text-bg-secondary")
    return format_html('<span class="badge {}">{}</span>', css, letter.get_status_display())


class LetterQueueTable(tables.Table):
    """Every request for HR. All values come from the selector's one joined query."""

    requested_at = tables.DateTimeColumn(verbose_name=_("Requested"), format="Y-m-d H:i")
    employee = tables.Column(
        verbose_name=_("Employee"),
        accessor="employee__user__last_name",
        order_by=("employee__user__last_name", "employee__user__first_name"),
        linkify=("letters:detail", {"pk": tables.A("pk")}),
    )
    employee_number = tables.Column(
        verbose_name=_("Employee number"), accessor="employee__employee_number"
    )
    department = tables.Column(verbose_name=_("Department"), accessor="employee__department__name")
    template = tables.Column(verbose_name=_("Letter"), accessor="template__name")
    is_salary = tables.BooleanColumn(verbose_name=_("Salary"), yesno=(_("yes"), _("no")))
    addressee = tables.Column(verbose_name=_("Addressed to"))
    status = tables.Column(verbose_name=_("Status"))
    issued_at = tables.DateTimeColumn(verbose_name=_("Issued"), format="Y-m-d H:i", default="—")

    class Meta:
        model = Letter
        fields = (
            "requested_at",
            "employee",
            "employee_number",
            "department",
            "template",
            "is_salary",
            "addressee",
            "status",
            "issued_at",
        )
        order_by = ("-requested_at",)
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_employee(self, record) -> str:
        user = record.employee.user
        return user.get_full_name() or user.email

    def value_employee(self, record) -> str:
        return self.render_employee(record)

    def render_status(self, record) -> str:
        return status_badge(record)

    def value_status(self, record) -> str:
        return str(record.get_status_display())


class MyLettersTable(tables.Table):
    template = tables.Column(
        verbose_name=_("Letter"),
        accessor="template__name",
        linkify=("letters:detail", {"pk": tables.A("pk")}),
    )
    addressee = tables.Column(verbose_name=_("Addressed to"))
    requested_at = tables.DateTimeColumn(verbose_name=_("Requested"), format="Y-m-d")
    status = tables.Column(verbose_name=_("Status"))
    download = tables.Column(
        verbose_name=_("Download"), accessor="pk", orderable=False, empty_values=()
    )

    class Meta:
        model = Letter
        fields = ("template", "addressee", "requested_at", "status", "download")
        order_by = ("-requested_at",)
        attrs = {"class": "table table-sm align-middle"}

    def render_status(self, record) -> str:
        return status_badge(record)

    def render_download(self, record) -> str:
        if not record.is_downloadable:
            return "—"
        return format_html(
            '<a class="btn btn-sm btn-outline-primary" href="{}" download>{}'
            '<span class="visually-hidden"> {}</span></a>',
            reverse("letters:pdf", args=[record.pk]),
            _("PDF"),
            record.template.name,
        )
