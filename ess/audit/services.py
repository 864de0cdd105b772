"""The one way to write to the audit log."""

from typing import Any

from django.db import models
from django.http import HttpRequest

from ess.audit.client import client_ip
from ess.audit.models import AuditEvent


def audit_record(
    *,
    actor: Any = None,
    action: str,
    target: models.Model | None = None,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    event = AuditEvent(
        actor=actor,
        actor_label=(str(getattr(actor, "email", actor)) if actor else "")[:254],
        action=action,
        detail=detail or {},
    )
    if target is not None:
        event.target_type = target._meta.label_lower
        event.target_id = str(target.pk)
        event.target_label = str(target)[:254]
    if request is not None:
        event.ip_address = client_ip(request)
        event.request_id = getattr(request, "request_id", "")
    event.save()
    return event
