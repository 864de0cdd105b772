"""Approvals: who approves a request, telling them, and their decision."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ess.accounts.models import User
from ess.accounts.roles import Role
from ess.audit.services import audit_record
from ess.notifications.services import notify
from helpdesk import kinds
from helpdesk.models import (
    Approval,
    ApprovalRequest,
    ApprovalState,
    EventKind,
    RequestType,
    Status,
    Ticket,
    TicketEvent,
)
from helpdesk.permissions import can_approve, is_requester_side
from helpdesk.services.common import _event, _locked, _name, _save_guarded, _sla_hook, _url
from helpdesk.services.mail import _tell_followers
from hr.models import Employee


def _approver_for(request_type: RequestType, ticket: Ticket) -> tuple[User | None, str]:
    """(named approver, role): the subject person's manager, or holders of a role. Without
    a manager on record the desk's administrators decide."""
    if request_type.approval == Approval.MANAGER:
        boss = (
            Employee.objects.filter(user=ticket.subject_person, manager__isnull=False)
            .select_related("manager__user")
            .first()
        )
        if boss is not None and boss.manager.user.is_active:
            return boss.manager.user, ""
        return None, Role.ADMIN.value
    return None, request_type.approval_role or Role.ADMIN.value


def _approval_holders(approval: ApprovalRequest) -> list[User]:
    if approval.approver is not None:
        people = [approval.approver]
    else:
        people = list(User.objects.filter(groups__name=approval.role, is_active=True))
    ticket = approval.ticket
    return [person for person in people if not is_requester_side(person, ticket)]


def _tell_approvers(approval: ApprovalRequest, event: TicketEvent) -> None:
    ticket = approval.ticket
    for person in _approval_holders(approval):
        with translation.override(person.language or settings.LANGUAGE_CODE):
            if ticket.confidential:
                text = _("A confidential request %(reference)s waits for your approval.") % {
                    "reference": ticket.reference
                }
            else:
                text = _("%(person)s asks for %(what)s: %(subject)s") % {
                    "person": _name(ticket.requester),
                    "what": ticket.request_type.name if ticket.request_type else ticket.queue,
                    "subject": ticket.subject,
                }
            url = _url("approvals")
            notify(
                recipient=person,
                kind=kinds.APPROVAL.key,
                title=f"[{ticket.reference}] " + _("Approval needed"),
                body=text,
                url=url,
                dedupe_key=f"helpdesk:event:{event.pk}:{person.pk}",
            )


@transaction.atomic
def approval_decide(
    *, approval: ApprovalRequest, actor: User, approve: bool, comment: str = ""
) -> ApprovalRequest:
    """Approve (the SLA clock starts; the ticket stays new for the queue to pick up) or
    reject (the ticket closes with the reason). The requester hears either way."""
    if not can_approve(actor, approval):
        raise PermissionDenied
    now = timezone.now()
    comment = (comment or "").strip()
    state = ApprovalState.APPROVED if approve else ApprovalState.REJECTED
    decided = ApprovalRequest.objects.filter(pk=approval.pk, state=ApprovalState.PENDING).update(
        state=state, decided_by=actor, decided_at=now, comment=comment
    )
    if not decided:
        raise ValidationError(_("This request has already been decided."))
    approval.state, approval.decided_by, approval.decided_at = state, actor, now
    approval.comment = comment

    ticket = _locked(approval.ticket_id)
    ticket.approval_state = state
    fields = {"approval_state"}
    if approve:
        fields |= _sla_hook("sla_start", ticket, now)
    else:
        ticket.status = Status.CLOSED
        ticket.closed_at = now
        fields |= {"status", "closed_at"}
    _save_guarded(ticket, expected_version=ticket.version, fields=fields, now=now)
    event = _event(
        ticket,
        EventKind.APPROVED if approve else EventKind.REJECTED,
        actor=actor,
        now=now,
        body=comment,
    )
    audit_record(
        actor=actor,
        action="helpdesk.approval_approved" if approve else "helpdesk.approval_rejected",
        target=ticket,
        detail={"approval": approval.pk},
    )
    _tell_followers(
        ticket,
        event,
        actor=actor,
        summary=lambda: (
            (
                _("%(person)s approved your request %(reference)s.")
                if approve
                else _("%(person)s did not approve your request %(reference)s; it is closed.")
            )
            % {"person": _name(actor), "reference": ticket.reference}
        ),
        detail=comment,
    )
    approval.ticket = ticket
    return approval
