"""Sharing a ticket with one more person (guardian grants on the ticket), audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from ess.accounts.models import User
from ess.audit.services import audit_record
from helpdesk import kinds
from helpdesk.models import EventKind, Ticket
from helpdesk.permissions import can_work_ticket, is_requester_side, officer_queue_ids
from helpdesk.services.common import _active, _event, _locked, _name, _refresh, _save_guarded
from helpdesk.services.mail import _tell
from helpdesk.services.tickets import _may_be_assigned


def _check_granting(actor: User, ticket: Ticket) -> None:
    if ticket.confidential:
        # Only the queue's own officers share a case, never someone it was shared with.
        if ticket.queue_id not in officer_queue_ids(actor) or is_requester_side(actor, ticket):
            raise PermissionDenied
    elif not can_work_ticket(actor, ticket):
        raise PermissionDenied


@transaction.atomic
def confidential_grant(*, ticket: Ticket, officer: User, actor: User) -> None:
    """Let one more person see and work this ticket (guardian grants on the ticket)."""
    _check_granting(actor, ticket)
    if not _active(officer):
        raise ValidationError(_("This person cannot sign in."))
    if is_requester_side(officer, ticket):
        raise ValidationError(_("The requester already sees their own case."))
    assign_perm("helpdesk.view_ticket", officer, ticket)
    assign_perm("helpdesk.change_ticket", officer, ticket)
    now = timezone.now()
    event = _event(
        ticket, EventKind.ACCESS, actor=actor, now=now, internal=True, data={"granted": officer.pk}
    )
    audit_record(
        actor=actor,
        action="helpdesk.access_granted",
        target=ticket,
        detail={"officer": officer.pk, "confidential": ticket.confidential},
    )
    _tell(
        people=[officer],
        ticket=ticket,
        event=event,
        kind=kinds.ASSIGNED.key,
        summary=lambda: (
            _("%(person)s gave you access to %(reference)s.")
            % {"person": _name(actor), "reference": ticket.reference}
        ),
        url_name="work",
    )


@transaction.atomic
def confidential_revoke(*, ticket: Ticket, officer: User, actor: User) -> None:
    _check_granting(actor, ticket)
    remove_perm("helpdesk.view_ticket", officer, ticket)
    remove_perm("helpdesk.change_ticket", officer, ticket)
    current = _locked(ticket.pk)
    if current.assignee_id == officer.pk and not _may_be_assigned(officer, current.queue, current):
        current.assignee = None
        _save_guarded(
            current, expected_version=current.version, fields={"assignee"}, now=timezone.now()
        )
        _refresh(ticket, current)
    _event(
        ticket,
        EventKind.ACCESS,
        actor=actor,
        now=timezone.now(),
        internal=True,
        data={"revoked": officer.pk},
    )
    audit_record(
        actor=actor,
        action="helpdesk.access_revoked",
        target=ticket,
        detail={"officer": officer.pk, "confidential": ticket.confidential},
    )
