"""The agent form: the status machine and `ticket_update`, one conditional UPDATE on
`version` per save, with an event per change.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ess.accounts.models import User
from helpdesk.models import (
    ApprovalState,
    EventKind,
    Priority,
    Queue,
    Status,
    Ticket,
    TicketUserObjectPermission,
)
from helpdesk.permissions import (
    CHANGE_TICKET,
    can_work_ticket,
    is_requester_side,
    officer_queue_ids,
)
from helpdesk.services.common import (
    UNSET,
    TicketConflict,
    TransitionNotAllowed,
    _active,
    _event,
    _locked,
    _name,
    _save_guarded,
    _sla_hook,
)
from helpdesk.services.mail import _tell_assignee, _tell_followers

# Moves an agent may make with ticket_update. Closing a new ticket happens only through a
# merge or a rejected approval; a closed ticket is final.
ALLOWED_TRANSITIONS: dict[Status, set[Status]] = {
    Status.NEW: {
        Status.OPEN,
        Status.WAITING_REQUESTER,
        Status.WAITING_THIRD_PARTY,
        Status.RESOLVED,
    },
    Status.OPEN: {Status.WAITING_REQUESTER, Status.WAITING_THIRD_PARTY, Status.RESOLVED},
    Status.WAITING_REQUESTER: {Status.OPEN, Status.RESOLVED},
    Status.WAITING_THIRD_PARTY: {Status.OPEN, Status.RESOLVED},
    Status.RESOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: set(),
}


def _status_label(status: str) -> str:
    return str(Status(status).label)


def _check_transition(ticket: Ticket, new_status: str) -> None:
    if new_status not in Status.values:
        raise TransitionNotAllowed(_("Unknown status."), code="status")
    if new_status not in ALLOWED_TRANSITIONS[Status(ticket.status)]:
        raise TransitionNotAllowed(
            _("A ticket that is %(from)s cannot become %(to)s.")
            % {"from": _status_label(ticket.status), "to": _status_label(new_status)},
            code="transition",
        )
    if new_status == Status.RESOLVED and ticket.approval_state == ApprovalState.PENDING:
        raise TransitionNotAllowed(
            _("This request still waits for approval; it cannot be resolved yet."),
            code="approval_pending",
        )


def _may_be_assigned(user: User, queue: Queue, ticket: Ticket) -> bool:
    if not _active(user):
        return False
    if queue.confidential:
        if is_requester_side(user, ticket):
            return False
        if queue.pk in officer_queue_ids(user):
            return True
        return TicketUserObjectPermission.objects.filter(
            user=user, content_object=ticket, permission__codename=CHANGE_TICKET
        ).exists()
    return queue.agents.filter(pk=user.pk).exists()


@transaction.atomic
def ticket_update(
    *,
    ticket_id: int,
    actor: User,
    expected_version: int,
    status: Any = UNSET,
    priority: Any = UNSET,
    assignee: Any = UNSET,
    queue: Any = UNSET,
    resolution: str = "",
) -> Ticket:
    """Save the agent form. A stale `expected_version` raises TicketConflict and writes
    nothing; each change appends its event and tells whom it concerns."""
    ticket = _locked(ticket_id)
    if not can_work_ticket(actor, ticket):
        raise PermissionDenied
    if ticket.version != expected_version:
        raise TicketConflict(current=ticket)
    now = timezone.now()
    fields: set[str] = set()
    pending_events: list[dict] = []
    old_status, old_priority, old_queue_id = ticket.status, ticket.priority, ticket.queue_id
    status_changed = False

    if queue is not UNSET and queue is not None and queue.pk != ticket.queue_id:
        if ticket.confidential and not queue.confidential:
            raise ValidationError(
                {"queue": _("A confidential case cannot move to a queue that is not.")}
            )
        if not queue.is_active:
            raise ValidationError({"queue": _("This queue no longer takes requests.")})
        old_queue = ticket.queue
        ticket.queue = queue
        ticket.confidential = queue.confidential
        fields |= {"queue", "confidential"}
        keeps_assignee = assignee is UNSET and ticket.assignee is not None
        if keeps_assignee and not _may_be_assigned(ticket.assignee, queue, ticket):
            ticket.assignee = None
            fields.add("assignee")
        pending_events.append(
            {
                "kind": EventKind.QUEUE,
                "internal": True,
                "data": {"from": old_queue.pk, "to": queue.pk, "from_name": old_queue.name},
            }
        )

    if priority is not UNSET and priority != ticket.priority:
        if priority not in Priority.values:
            raise ValidationError({"priority": _("Choose a priority.")})
        old_priority = ticket.priority
        ticket.priority = priority
        fields.add("priority")
        pending_events.append(
            {
                "kind": EventKind.PRIORITY,
                "internal": True,
                "data": {"from": old_priority, "to": priority},
            }
        )

    if ticket.priority != old_priority or ticket.queue_id != old_queue_id:
        # New targets from the same start, keeping the business time already used.
        fields |= _sla_hook(
            "sla_priority_changed",
            ticket,
            now,
            old_priority=old_priority,
            old_queue_id=old_queue_id,
        )

    new_assignee = None
    if assignee is not UNSET and getattr(assignee, "pk", None) != ticket.assignee_id:
        if assignee is not None and not _may_be_assigned(assignee, ticket.queue, ticket):
            raise ValidationError({"assignee": _("This person does not work this queue.")})
        old_assignee_id = ticket.assignee_id
        ticket.assignee = assignee
        fields.add("assignee")
        new_assignee = assignee
        pending_events.append(
            {
                "kind": EventKind.ASSIGNED,
                "internal": True,
                "data": {"from": old_assignee_id, "to": assignee.pk if assignee else None},
            }
        )

    if status is not UNSET and status != ticket.status:
        _check_transition(ticket, status)
        ticket.status = status
        fields.add("status")
        if status == Status.RESOLVED:
            ticket.resolved_at = now
            fields.add("resolved_at")
        elif status == Status.CLOSED:
            ticket.closed_at = now
            fields.add("closed_at")
        elif old_status == Status.RESOLVED:
            ticket.resolved_at = None
            fields.add("resolved_at")
        fields |= _sla_hook("sla_status_changed", ticket, old_status, status, now)
        status_changed = True

    if not fields:
        return ticket
    _save_guarded(ticket, expected_version=expected_version, fields=fields, now=now)

    for spec in pending_events:
        event = _event(ticket, spec["kind"], actor=actor, now=now, internal=True, data=spec["data"])
        if spec["kind"] == EventKind.ASSIGNED and new_assignee is not None:
            _tell_assignee(
                ticket,
                event,
                actor=actor,
                summary=lambda: (
                    _("%(person)s assigned %(reference)s to you: %(subject)s")
                    % {
                        "person": _name(actor),
                        "reference": ticket.reference,
                        "subject": ticket.subject,
                    }
                ),
            )
    if status_changed:
        reopened = old_status == Status.RESOLVED and ticket.status == Status.OPEN
        event = _event(
            ticket,
            EventKind.REOPENED if reopened else EventKind.STATUS,
            actor=actor,
            now=now,
            body=(resolution or "").strip() if ticket.status == Status.RESOLVED else "",
            data={"from": old_status, "to": ticket.status},
        )
        _tell_followers(
            ticket,
            event,
            actor=actor,
            summary=lambda: (
                _("%(reference)s is now: %(status)s")
                % {"reference": ticket.reference, "status": _status_label(ticket.status)}
            ),
            detail=event.body,
            with_rating=ticket.status == Status.RESOLVED,
        )
    return ticket
