"""What every ticket write shares: the optimistic save on `version`, appended events, files
checked before any is stored, and the errors the services raise.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from ess.accounts.models import User
from ess.content.attachments import attachment_add, attachment_check
from helpdesk import sla
from helpdesk.models import Ticket, TicketEvent


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


class TicketConflict(Exception):
    """Someone else saved the ticket since it was loaded; `current` is the fresh ticket."""

    def __init__(self, current: Ticket):
        self.current = current
        super().__init__(_("Someone else changed this ticket in the meantime."))


class TransitionNotAllowed(ValidationError):
    """A status change the status machine refuses."""


def _sla_hook(name: str, *args, **kwargs) -> set[str]:
    """Call an SLA hook; it sets fields on the ticket and returns their names."""
    return set(getattr(sla, name)(*args, **kwargs) or ())


def _active(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _url(name: str, *args) -> str:
    return reverse(f"helpdesk:{name}", args=args)


def _locked(ticket_id: int) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("queue", "requester", "on_behalf_of", "assignee")
        .get(pk=ticket_id)
    )


def _save_guarded(ticket: Ticket, *, expected_version: int, fields: Iterable[str], now) -> None:
    """Write `fields` of `ticket` only if nobody saved it since `expected_version`."""
    values = {name: getattr(ticket, name) for name in fields}
    updated = Ticket.objects.filter(pk=ticket.pk, version=expected_version).update(
        **values, version=F("version") + 1, updated_at=now
    )
    if updated != 1:
        raise TicketConflict(current=Ticket.objects.select_related("queue").get(pk=ticket.pk))
    ticket.version = expected_version + 1
    ticket.updated_at = now


def _touch(ticket: Ticket, now) -> None:
    # New replies and notes move a ticket up the lists without being a conflicting edit.
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    ticket.updated_at = now


def _event(
    ticket: Ticket,
    kind: str,
    *,
    actor: User | None,
    now,
    body: str = "",
    internal: bool = False,
    data: dict | None = None,
    via_email: bool = False,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor if _active(actor) else None,
        body=body,
        internal=internal,
        via_email=via_email,
        data=data or {},
        created_at=now,
    )


def _attach(event: TicketEvent, uploads: Iterable[UploadedFile], by: User) -> list[int]:
    uploads = [upload for upload in uploads if upload]
    # Every file is checked before any is stored, so a refused second file stores nothing.
    for upload in uploads:
        attachment_check(upload)
    return [
        attachment_add(owner=event, upload=upload, uploaded_by=by).pk
        for upload in uploads
        if upload
    ]


def _name(user: User | None) -> str:
    return str(user) if user is not None else _("The service desk")


def _refresh(stale: Ticket, fresh: Ticket) -> None:
    """Bring the caller's instance in line with what was written."""
    if stale is fresh:
        return
    for model_field in Ticket._meta.concrete_fields:
        setattr(stale, model_field.attname, getattr(fresh, model_field.attname))
