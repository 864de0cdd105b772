import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from ess.audit.models import AuditEvent


class AuditEventTable(tables.Table):
    occurred_at = tables.DateTimeColumn(verbose_name=_("When"), format="Y-m-d H:i:s")
    actor_label = tables.Column(verbose_name=_("Actor"), empty_values=(), default="—")
    detail = tables.JSONColumn(verbose_name=_("Detail"), orderable=False)

    class Meta:
        model = AuditEvent
        fields = (
            "occurred_at",
            "actor_label",
            "action",
            "target_type",
            "target_id",
            "target_label",
            "ip_address",
            "request_id",
            "detail",
        )
        order_by = ("-occurred_at",)
