from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from ess.accounts.models import User
from ess.audit.models import AuditEvent
from ess.audit.permissions import can_read_audit_log


def audit_event_list(*, user: User) -> QuerySet[AuditEvent]:
    if not can_read_audit_log(user):
        raise PermissionDenied
    # actor_label is denormalised so the list needs no join to users.
    return AuditEvent.objects.all()
