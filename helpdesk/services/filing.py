"""Filing a ticket: checks, the CREATED event with its files, the approval step or the SLA
clock, and the requester's confirmation.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ess.accounts.models import User
from ess.content.attachments import removes_files_on_error
from helpdesk import kinds, selectors
from helpdesk.models import (
    ApprovalRequest,
    ApprovalState,
    EventKind,
    Priority,
    Queue,
    RequestType,
    Ticket,
)
from helpdesk.services.approvals import _approver_for, _tell_approvers
from helpdesk.services.common import _active, _attach, _event, _sla_hook
from helpdesk.services.mail import _tell
from hr.models import Employee

SUBJECT_MAX_LENGTH = 200


def _reports_to(person: User, boss: User) -> bool:
    """Whether `person` is somewhere below `boss` in the reporting line."""
    paths = dict(
        Employee.objects.filter(user_id__in=[person.pk, boss.pk]).values_list("user_id", "org_path")
    )
    mine, theirs = paths.get(boss.pk), paths.get(person.pk)
    return bool(mine and theirs and theirs != mine and theirs.startswith(mine))


def _start_clock_on_filing(ticket: Ticket, now) -> None:
    # Nobody else holds the ticket yet: a plain save, and it stays at version 1.
    fields = _sla_hook("sla_start", ticket, now)
    if fields:
        ticket.save(update_fields=sorted(fields))


@removes_files_on_error
@transaction.atomic
def ticket_create(
    *,
    requester: User,
    subject: str,
    description: str = "",
    request_type: RequestType | None = None,
    queue: Queue | None = None,
    form_answers: dict | None = None,
    uploads: dict[str, UploadedFile] | None = None,
    attachments: Iterable[UploadedFile] = (),
    on_behalf_of: User | None = None,
    priority: int | None = None,
    source: str = Ticket.Source.PORTAL,
    search_context: list | None = None,
) -> Ticket:
    """File a ticket. With an approval step it waits (status new, approval pending, no SLA
    clock) until approved; otherwise the SLA clock starts now. Files from the form and the
    description belong to the CREATED event; a form's attachment answer holds their ids."""
    if not _active(requester):
        raise PermissionDenied
    subject = (subject or "").strip()
    errors: dict[str, str] = {}
    if not subject:
        errors["subject"] = _("Say in a few words what you need.")
    elif len(subject) > SUBJECT_MAX_LENGTH:
        errors["subject"] = _("A subject has at most %(max)s characters.") % {
            "max": SUBJECT_MAX_LENGTH
        }
    if request_type is not None:
        if not request_type.is_active:
            errors["request_type"] = _("This service can no longer be requested.")
        if queue is not None and queue.pk != request_type.queue_id:
            errors["queue"] = _("This service belongs to another queue.")
        queue = request_type.queue
    if queue is None:
        errors["queue"] = _("Choose where the request goes.")
    elif not queue.is_active:
        errors["queue"] = _("This queue no longer takes requests.")
    if priority is None:
        priority = request_type.default_priority if request_type else Priority.NORMAL
    if priority not in Priority.values:
        errors["priority"] = _("Choose a priority.")
    if source not in Ticket.Source.values:
        errors["source"] = _("Unknown source.")
    if on_behalf_of is not None and on_behalf_of.pk == requester.pk:
        on_behalf_of = None
    if on_behalf_of is not None and not (
        on_behalf_of.is_active and _reports_to(on_behalf_of, requester)
    ):
        errors["on_behalf_of"] = _("You can file requests only for people who report to you.")
    if form_answers is not None and not isinstance(form_answers, dict):
        errors["form_answers"] = _("The form's answers are not readable.")
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    if search_context is None:
        search_context = selectors.recent_search_context(requester)
    ticket = Ticket.objects.create(
        requester=requester,
        on_behalf_of=on_behalf_of,
        queue=queue,
        request_type=request_type,
        form_answers=dict(form_answers or {}),
        subject=subject,
        description=(description or "").strip(),
        priority=priority,
        confidential=queue.confidential,
        source=source,
        search_context=search_context,
        created_at=now,
        updated_at=now,
    )
    created = _event(ticket, EventKind.CREATED, actor=requester, now=now, data={"source": source})
    if uploads:
        answers = dict(ticket.form_answers)
        for key, upload in uploads.items():
            files = upload if isinstance(upload, list | tuple) else [upload]
            ids = _attach(created, files, requester)
            if ids:
                answers[key] = ids if isinstance(upload, list | tuple) else ids[0]
        ticket.form_answers = answers
        ticket.save(update_fields=["form_answers"])
    _attach(created, attachments, requester)

    approval = None
    if request_type is not None and request_type.approval:
        approver, role = _approver_for(request_type, ticket)
        if approver is not None and approver.pk == requester.pk:
            # A manager filing for their own report approves by asking.
            ApprovalRequest.objects.create(
                ticket=ticket,
                approver=requester,
                state=ApprovalState.APPROVED,
                decided_by=requester,
                decided_at=now,
                created_at=now,
            )
            ticket.approval_state = ApprovalState.APPROVED
            ticket.save(update_fields=["approval_state"])
            _event(ticket, EventKind.APPROVED, actor=requester, now=now, data={"by_filing": True})
            _start_clock_on_filing(ticket, now)
        else:
            approval = ApprovalRequest.objects.create(
                ticket=ticket, approver=approver, role=role, created_at=now
            )
            ticket.approval_state = ApprovalState.PENDING
            ticket.save(update_fields=["approval_state"])
            _event(
                ticket,
                EventKind.APPROVAL_REQUESTED,
                actor=requester,
                now=now,
                data={"approver": approver.pk if approver else None, "role": role},
            )
    else:
        _start_clock_on_filing(ticket, now)

    _tell(
        people=[person for person in (requester, on_behalf_of) if person and person.is_active],
        ticket=ticket,
        event=created,
        kind=kinds.TICKET.key,
        summary=lambda: (
            _("We received your request %(reference)s: %(subject)s")
            % {"reference": ticket.reference, "subject": ticket.subject}
        ),
        detail=ticket.description,
    )
    if approval is not None:
        _tell_approvers(approval, created)
    return ticket
