from django.contrib.auth.mixins import LoginRequiredMixin
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from ess.audit.filters import AuditEventFilter
from ess.audit.selectors import audit_event_list
from ess.audit.tables import AuditEventTable
from ess.portal.tables import SafeOrderingMixin


class AuditEventListView(
    LoginRequiredMixin, SafeOrderingMixin, ExportMixin, SingleTableMixin, FilterView
):
    template_name = "audit/auditevent_list.html"
    table_class = AuditEventTable
    filterset_class = AuditEventFilter
    paginate_by = 50
    export_formats = ("csv", "xlsx")
    export_name = "audit-log"

    def get_queryset(self):
        return audit_event_list(user=self.request.user)
