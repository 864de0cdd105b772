import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from ess.accounts.models import User


class PeopleAccessTable(tables.Table):
    name = tables.Column(
        verbose_name=_("Name"),
        accessor="last_name",
        linkify=("people:detail", {"pk": tables.A("pk")}),
    )
    email = tables.Column(verbose_name=_("E-mail"))
    department = tables.Column(
        verbose_name=_("Department"),
        accessor="employee__department__name",
        orderable=False,
        default="—",
    )
    roles = tables.Column(verbose_name=_("Roles given"), empty_values=(), orderable=False)
    is_active = tables.BooleanColumn(verbose_name=_("Active"))
    last_login = tables.DateTimeColumn(
        verbose_name=_("Last sign-in"), format="Y-m-d H:i", default="—"
    )

    class Meta:
        model = User
        fields = ("name", "email", "department", "roles", "is_active", "last_login")
        order_by = ("name",)

    def render_name(self, record) -> str:
        return record.get_full_name() or record.email

    def render_roles(self, record) -> str:
        # role_grants is prefetched by the selector: no query per row.
        grants = record.role_grants.all()
        return ", ".join(f"{g.role} ({g.get_source_display()})" for g in grants) or "—"

    def value_roles(self, record) -> str:
        return ", ".join(f"{g.role}:{g.source}" for g in record.role_grants.all())
