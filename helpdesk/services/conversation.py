"""The conversation on a ticket: public replies (which may reopen it) and internal notes.
Both are appended events that never change.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ess.accounts.models import User
from ess.content.attachments import removes_files_on_error
from helpdesk.models import ApprovalState, EventKind, Status, Ticket, TicketEvent
from helpdesk.permissions import can_view_ticket, can_work_ticket, is_requester_side
from helpdesk.services.common import (
    TransitionNotAllowed,
    _attach,
    _event,
    _locked,
    _name,
    _refresh,
    _save_guarded,
    _sla_hook,
    _touch,
)
from helpdesk.services.mail import _tell_assignee, _tell_followers


def _within_reopen_window(ticket: Ticket, now) -> bool:
    if ticket.resolved_at is None:
        return True
    return now <= ticket.resolved_at + timedelta(days=ticket.queue.reopen_days)


@removes_files_on_error
@transaction.atomic
def ticket_reply(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    attachments: Iterable[UploadedFile] = (),
    via_email: bool = False,
) -> TicketEvent:
    """A public reply. The requester's reply brings a waiting or recently resolved ticket
    back to open; the desk's first reply stops the first-response clock."""
    attachments = list(attachments)
    body = (body or "").strip()
    if not body and not attachments:
        raise ValidationError({"body": _("Write a reply.")})
    current = _locked(ticket.pk)
    requester_side = is_requester_side(author, current)
    desk = not requester_side and can_work_ticket(author, current)
    watcher = (
        not (requester_side or desk)
        and current.watchers.filter(pk=author.pk).exists()
        and can_view_ticket(author, current)
    )
    if not (requester_side or desk or watcher):
        raise PermissionDenied
    if current.status == Status.CLOSED:
        raise TransitionNotAllowed(
            _("This request is closed. Please file a new request."), code="closed"
        )

    now = timezone.now()
    old_status = current.status
    new_status = None
    fields: set[str] = set()
    if requester_side:
        if old_status == Status.WAITING_REQUESTER:
            new_status = Status.OPEN
        elif old_status == Status.RESOLVED:
            if not _within_reopen_window(current, now):
                raise TransitionNotAllowed(
                    _(
                        "This request was resolved more than %(days)s days ago. "
                        "Please file a new request."
                    )
                    % {"days": current.queue.reopen_days},
                    code="reopen_window",
                )
            new_status = Status.OPEN
            current.resolved_at = None
            fields.add("resolved_at")
    elif desk:
        if current.first_responded_at is None:
            fields |= _sla_hook("sla_first_response", current, now)
            if current.first_responded_at is None:
                current.first_responded_at = now
            fields.add("first_responded_at")
        if old_status == Status.NEW and current.approval_state != ApprovalState.PENDING:
            new_status = Status.OPEN
    if new_status is not None:
        current.status = new_status
        fields.add("status")
        fields |= _sla_hook("sla_status_changed", current, old_status, new_status, now)
    if fields:
        _save_guarded(current, expected_version=current.version, fields=fields, now=now)
    else:
        _touch(current, now)

    reply = _event(current, EventKind.REPLY, actor=author, now=now, body=body, via_email=via_email)
    _attach(reply, attachments, author)
    if new_status is not None:
        _event(
            current,
            EventKind.REOPENED if old_status == Status.RESOLVED else EventKind.STATUS,
            actor=author,
            now=now,
            data={"from": old_status, "to": new_status},
        )

    def summary() -> str:
        # Called in each recipient's language.
        return _("%(person)s replied on %(reference)s:") % {
            "person": _name(author),
            "reference": current.reference,
        }

    _tell_followers(current, reply, actor=author, summary=summary, detail=body)
    if not desk:
        _tell_assignee(current, reply, actor=author, summary=summary, detail=body)
    _refresh(ticket, current)
    return reply


@removes_files_on_error
@transaction.atomic
def ticket_note(
    *, ticket: Ticket, author: User, body: str, attachments: Iterable[UploadedFile] = ()
) -> TicketEvent:
    """An internal note: only the desk sees it, and it is never e-mailed."""
    attachments = list(attachments)
    body = (body or "").strip()
    if not body and not attachments:
        raise ValidationError({"body": _("Write a note.")})
    if not can_work_ticket(author, ticket):
        raise PermissionDenied
    now = timezone.now()
    note = _event(ticket, EventKind.NOTE, actor=author, now=now, body=body, internal=True)
    _attach(note, attachments, author)
    _touch(ticket, now)
    return note
