"""Writes for the service desk: filing, replying, the status machine, approvals, merging,
ratings, confidential grants and the small agent tools (canned replies, saved views).

Every change of a ticket's fields goes through one conditional UPDATE on `version`
(`_save_guarded`): a writer holding an older version gets `TicketConflict` and changes
nothing. Events are only ever appended. Notifications are written inside the transaction
(the outbox is transactional); internal notes are never e-mailed, and a confidential
ticket's e-mails name only its reference.
"""

import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from ess.accounts.models import User
from ess.accounts.roles import Role
from ess.audit.services import audit_record
from ess.content.attachments import attachment_add, attachment_check, removes_files_on_error
from ess.notifications.services import notify
from ess.search.services import searcher_hash
from helpdesk import kinds, selectors, sla
from helpdesk.models import (
    Approval,
    ApprovalRequest,
    ApprovalState,
    CannedReply,
    Deflection,
    EventKind,
    Priority,
    Queue,
    RequestType,
    SavedView,
    Status,
    Ticket,
    TicketEvent,
    TicketLink,
    TicketUserObjectPermission,
)
from helpdesk.permissions import (
    CHANGE_TICKET,
    can_approve,
    can_view_ticket,
    can_work_ticket,
    is_agent,
    is_requester_side,
    officer_queue_ids,
)
from hr.models import Employee


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()

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

SUBJECT_MAX_LENGTH = 200
RATING_SALT = "helpdesk.rating"
RATING_MAX_AGE = timedelta(days=90)
# The workspace filters a saved view may carry; anything else is refused, so a stored view
# can never smuggle an ORM lookup or a sort key into the workspace.
SAVED_VIEW_KEYS = frozenset(
    {
        "q",
        "status",
        "priority",
        "queue",
        "assignee",
        "request_type",
        "sla",
        "confidential",
        "created_after",
        "created_before",
        "mine",
        "unassigned",
        "sort",
    }
)
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class TicketConflict(Exception):
    """Someone else saved the ticket since it was loaded; `current` is the fresh ticket."""

    def __init__(self, current: Ticket):
        self.current = current
        super().__init__(_("Someone else changed this ticket in the meantime."))


class TransitionNotAllowed(ValidationError):
    """A status change the status machine refuses."""


@dataclass
class BulkResult:
    updated: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


# --- helpers -----------------------------------------------------------------------------


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


def _followers(ticket: Ticket, *, actor: User | None) -> list[User]:
    """Who hears about public changes: requester, the person it is for and watchers who
    may still see the ticket, never the person who made the change."""
    people = [ticket.requester, ticket.on_behalf_of, *ticket.watchers.all()]
    chosen: list[User] = []
    seen: set[int] = set()
    for person in people:
        if person is None or person.pk in seen or not person.is_active:
            continue
        seen.add(person.pk)
        if actor is not None and person.pk == actor.pk:
            continue
        if can_view_ticket(person, ticket):
            chosen.append(person)
    return chosen


# --- e-mail ------------------------------------------------------------------------------


def _mail_domain() -> str:
    return settings.HELPDESK_REPLY_ADDRESS.rsplit("@", 1)[-1]


def thread_headers(ticket: Ticket) -> dict[str, str]:
    """Every e-mail about a ticket points at one anchor, so mail clients thread them."""
    anchor = f"<ticket-{ticket.pk}@{_mail_domain()}>"
    return {"In-Reply-To": anchor, "References": anchor}


def reply_address(ticket: Ticket) -> str:
    """desk+<id>.<token>@domain: a reply to it lands on the ticket (see mail_in)."""
    local, _at, domain = settings.HELPDESK_REPLY_ADDRESS.partition("@")
    return f"{local}+{ticket.pk}.{ticket.reply_token}@{domain}"


def ticket_from_reply_address(address: str) -> Ticket | None:
    """The ticket a reply address belongs to, or None for a wrong or forged address."""
    local, _at, domain = settings.HELPDESK_REPLY_ADDRESS.partition("@")
    _display, email_address = parseaddr(address or "")
    pattern = re.compile(
        rf"^{re.escape(local)}\+(\d{{1,18}})\.([0-9a-z]{{1,64}})@{re.escape(domain)}$",
        re.IGNORECASE,
    )
    match = pattern.match(email_address.strip())
    if match is None:
        return None
    ticket = Ticket.objects.filter(pk=int(match.group(1))).first()
    if ticket is None:
        return None
    if not hmac.compare_digest(match.group(2).lower().encode(), ticket.reply_token.encode()):
        return None
    return ticket


def _mail_title(ticket: Ticket) -> str:
    if ticket.confidential:
        return f"[{ticket.reference}] " + _("Update on a confidential case")
    return f"[{ticket.reference}] {ticket.subject}"


def rating_url(ticket: Ticket, rating: int) -> str:
    """A signed one-click path to rate the ticket (the page asks the signed-in requester to
    confirm and may take a comment)."""
    token = signing.dumps({"t": ticket.pk, "r": int(rating)}, salt=RATING_SALT, compress=True)
    return reverse("helpdesk:rate_link", args=[token])


def rating_token_read(token: str) -> tuple[int, int]:
    """(ticket id, rating) from a rating link; raises BadSignature when forged or stale."""
    data = signing.loads(token, salt=RATING_SALT, max_age=RATING_MAX_AGE)
    try:
        ticket_id, rating = int(data["t"]), int(data["r"])
    except (KeyError, TypeError, ValueError) as exc:
        raise signing.BadSignature("Malformed rating token") from exc
    if not 1 <= rating <= 5:
        raise signing.BadSignature("Rating out of range")
    return ticket_id, rating


def _rating_lines(ticket: Ticket) -> str:
    lines = [_("How did we do? Rate with one click:")]
    for rating in range(1, 6):
        link = settings.SITE_URL + rating_url(ticket, rating)
        lines.append(f"{'★' * rating}{'☆' * (5 - rating)}  {link}")
    return "\n".join(lines)


def _tell(
    *,
    people: Iterable[User],
    ticket: Ticket,
    event: TicketEvent,
    kind: str,
    summary,
    detail: str = "",
    url_name: str = "ticket",
    with_rating: bool = False,
) -> None:
    """One notification per person for one event, in the person's language.

    `summary` is a callable so it is translated for each recipient. A confidential ticket's
    notification says only that there is an update: no subject, no text, no names.
    """
    for person in people:
        with translation.override(person.language or settings.LANGUAGE_CODE):
            url = _url(url_name, ticket.pk)
            link = f"\n\n{settings.SITE_URL}{url}" if url else ""
            if ticket.confidential:
                text = _(
                    "There is an update on case %(reference)s. Open the portal to read it."
                ) % {"reference": ticket.reference}
                email_text = text + link
            else:
                text = summary()
                if detail:
                    text = f"{text}\n\n{detail}"
                email_text = text
                if with_rating and is_requester_side(person, ticket):
                    email_text += "\n\n" + _rating_lines(ticket)
                email_text += "\n\n" + _("Reply to this e-mail to add to the request.") + link
            notify(
                recipient=person,
                kind=kind,
                title=_mail_title(ticket),
                body=text,
                url=url,
                dedupe_key=f"helpdesk:event:{event.pk}:{person.pk}",
                reply_to=reply_address(ticket),
                email_body=email_text.strip(),
                headers=thread_headers(ticket),
            )


def _tell_followers(ticket: Ticket, event: TicketEvent, *, actor, summary, **kwargs) -> None:
    _tell(
        people=_followers(ticket, actor=actor),
        ticket=ticket,
        event=event,
        kind=kinds.TICKET.key,
        summary=summary,
        **kwargs,
    )


def _tell_assignee(ticket: Ticket, event: TicketEvent, *, actor, summary, detail="") -> None:
    assignee = ticket.assignee
    if assignee is None or not assignee.is_active or (actor and assignee.pk == actor.pk):
        return
    _tell(
        people=[assignee],
        ticket=ticket,
        event=event,
        kind=kinds.ASSIGNED.key,
        summary=summary,
        detail=detail,
        url_name="work",
    )


def _status_label(status: str) -> str:
    return str(Status(status).label)


# --- filing --------------------------------------------------------------------------------


def _reports_to(person: User, boss: User) -> bool:
    """Whether `person` is somewhere below `boss` in the reporting line."""
    paths = dict(
        Employee.objects.filter(user_id__in=[person.pk, boss.pk]).values_list("user_id", "org_path")
    )
    mine, theirs = paths.get(boss.pk), paths.get(person.pk)
    return bool(mine and theirs and theirs != mine and theirs.startswith(mine))


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


# --- conversation ----------------------------------------------------------------------------


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

    _tell_followers(
        current,
        reply,
        actor=author,
        summary=lambda: (
            _("%(person)s replied on %(reference)s:")
            % {"person": _name(author), "reference": current.reference}
        ),
        detail=body,
    )
    if not desk:
        _tell_assignee(
            current,
            reply,
            actor=author,
            summary=lambda: (
                _("%(person)s replied on %(reference)s:")
                % {"person": _name(author), "reference": current.reference}
            ),
            detail=body,
        )
    _refresh(ticket, current)
    return reply


def _refresh(stale: Ticket, fresh: Ticket) -> None:
    """Bring the caller's instance in line with what was written."""
    if stale is fresh:
        return
    for model_field in Ticket._meta.concrete_fields:
        setattr(stale, model_field.attname, getattr(fresh, model_field.attname))


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


# --- the agent form --------------------------------------------------------------------------


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


def tickets_bulk_update(
    *,
    actor: User,
    ticket_ids: Iterable[int],
    status: Any = UNSET,
    priority: Any = UNSET,
    assignee: Any = UNSET,
) -> BulkResult:
    """Apply one change to many tickets, each at its current version; a ticket the actor
    may not work, or whose move is refused, is skipped with the reason."""
    wanted = list(dict.fromkeys(int(pk) for pk in ticket_ids))
    result = BulkResult()
    with transaction.atomic():
        versions = dict(
            selectors.workable_tickets(actor).filter(pk__in=wanted).values_list("pk", "version")
        )
        for pk in wanted:
            if pk not in versions:
                result.skipped.append((pk, _("Not found, or not yours to work.")))
                continue
            try:
                with transaction.atomic():
                    ticket_update(
                        ticket_id=pk,
                        actor=actor,
                        expected_version=versions[pk],
                        status=status,
                        priority=priority,
                        assignee=assignee,
                    )
            except TicketConflict:
                result.skipped.append((pk, _("Someone else changed it in the meantime.")))
            except PermissionDenied:
                result.skipped.append((pk, _("Not found, or not yours to work.")))
            except ValidationError as exc:
                result.skipped.append((pk, " ".join(exc.messages)))
            else:
                result.updated.append(pk)
        changes = {
            name: (getattr(value, "pk", value))
            for name, value in (("status", status), ("priority", priority), ("assignee", assignee))
            if value is not UNSET
        }
        audit_record(
            actor=actor,
            action="helpdesk.bulk_update",
            detail={"changes": changes, "updated": result.updated, "skipped": len(result.skipped)},
        )
    return result


# --- merge, links, watchers --------------------------------------------------------------


@transaction.atomic
def ticket_merge(*, actor: User, target: Ticket, duplicates: list[Ticket]) -> None:
    """Close each duplicate into `target`; its people follow the target from now on."""
    target = _locked(target.pk)
    if not can_work_ticket(actor, target):
        raise PermissionDenied
    if target.merged_into_id is not None or target.status == Status.CLOSED:
        raise ValidationError(
            _("%(reference)s is closed; merge into an open ticket.")
            % {"reference": target.reference}
        )
    now = timezone.now()
    merged: list[int] = []
    for duplicate in duplicates:
        duplicate = _locked(duplicate.pk)
        if duplicate.pk == target.pk:
            raise ValidationError(_("A ticket cannot be merged into itself."))
        if not can_work_ticket(actor, duplicate):
            raise PermissionDenied
        if duplicate.merged_into_id is not None:
            raise ValidationError(
                _("%(reference)s is already merged.") % {"reference": duplicate.reference}
            )
        if duplicate.confidential != target.confidential:
            raise ValidationError(_("A confidential case and a normal ticket cannot be merged."))
        old_status = duplicate.status
        duplicate.status = Status.CLOSED
        duplicate.closed_at = now
        duplicate.merged_into = target
        fields = {"status", "closed_at", "merged_into"}
        if old_status != Status.CLOSED:
            fields |= _sla_hook("sla_status_changed", duplicate, old_status, Status.CLOSED, now)
        _save_guarded(duplicate, expected_version=duplicate.version, fields=fields, now=now)
        people = [duplicate.requester_id, duplicate.on_behalf_of_id]
        people += list(duplicate.watchers.values_list("pk", flat=True))
        newcomers = {
            pk for pk in people if pk and pk not in (target.requester_id, target.on_behalf_of_id)
        }
        target.watchers.add(*newcomers)
        event = _event(
            duplicate,
            EventKind.MERGED,
            actor=actor,
            now=now,
            data={"into": target.pk, "from": old_status},
        )
        _tell_followers(
            duplicate,
            event,
            actor=actor,
            summary=lambda d=duplicate: (
                _("%(reference)s was merged into %(target)s, where the work continues.")
                % {"reference": d.reference, "target": target.reference}
            ),
        )
        merged.append(duplicate.pk)
    if not merged:
        raise ValidationError(_("Choose the tickets to merge."))
    _event(target, EventKind.MERGED, actor=actor, now=now, data={"merged": merged})
    _touch(target, now)
    audit_record(
        actor=actor, action="helpdesk.ticket_merged", target=target, detail={"merged": merged}
    )


def _pair(ticket: Ticket, other: Ticket) -> tuple[int, int]:
    return (ticket.pk, other.pk) if ticket.pk < other.pk else (other.pk, ticket.pk)


def _check_linkable(actor: User, ticket: Ticket, other: Ticket) -> None:
    if not (can_work_ticket(actor, ticket) and can_work_ticket(actor, other)):
        raise PermissionDenied
    if ticket.pk == other.pk:
        raise ValidationError(_("A ticket cannot be linked to itself."))
    if ticket.confidential != other.confidential:
        raise ValidationError(_("A confidential case and a normal ticket cannot be linked."))


@transaction.atomic
def ticket_link(*, actor: User, ticket: Ticket, other: Ticket) -> TicketLink:
    _check_linkable(actor, ticket, other)
    low, high = _pair(ticket, other)
    link, created = TicketLink.objects.get_or_create(
        from_ticket_id=low, to_ticket_id=high, defaults={"created_by": actor}
    )
    if created:
        now = timezone.now()
        _event(
            ticket, EventKind.LINKED, actor=actor, now=now, internal=True, data={"linked": other.pk}
        )
        _event(
            other, EventKind.LINKED, actor=actor, now=now, internal=True, data={"linked": ticket.pk}
        )
    return link


@transaction.atomic
def ticket_unlink(*, actor: User, ticket: Ticket, other: Ticket) -> bool:
    _check_linkable(actor, ticket, other)
    low, high = _pair(ticket, other)
    deleted, _rows = TicketLink.objects.filter(from_ticket_id=low, to_ticket_id=high).delete()
    if deleted:
        now = timezone.now()
        _event(
            ticket,
            EventKind.LINKED,
            actor=actor,
            now=now,
            internal=True,
            data={"unlinked": other.pk},
        )
        _event(
            other,
            EventKind.LINKED,
            actor=actor,
            now=now,
            internal=True,
            data={"unlinked": ticket.pk},
        )
    return bool(deleted)


@transaction.atomic
def watcher_add(*, ticket: Ticket, user: User, actor: User) -> bool:
    """Add a watcher (the desk adds anyone; others may add only themselves). Confidential
    cases have no watchers: access there is a grant."""
    if ticket.confidential:
        raise ValidationError(_("A confidential case has no watchers; grant access instead."))
    if not can_work_ticket(actor, ticket) and not (
        actor.pk == user.pk and can_view_ticket(actor, ticket)
    ):
        raise PermissionDenied
    if not _active(user):
        raise ValidationError(_("This person cannot sign in."))
    if is_requester_side(user, ticket) or ticket.watchers.filter(pk=user.pk).exists():
        return False
    ticket.watchers.add(user)
    _event(
        ticket,
        EventKind.WATCHER,
        actor=actor,
        now=timezone.now(),
        internal=True,
        data={"added": user.pk},
    )
    return True


@transaction.atomic
def watcher_remove(*, ticket: Ticket, user: User, actor: User) -> bool:
    if actor.pk != user.pk and not can_work_ticket(actor, ticket):
        raise PermissionDenied
    if not ticket.watchers.filter(pk=user.pk).exists():
        return False
    ticket.watchers.remove(user)
    _event(
        ticket,
        EventKind.WATCHER,
        actor=actor,
        now=timezone.now(),
        internal=True,
        data={"removed": user.pk},
    )
    return True


# --- approvals and ratings -------------------------------------------------------------------


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


@transaction.atomic
def ticket_rate(*, ticket: Ticket, user: User, rating: int, comment: str = "") -> Ticket:
    """The requester (or the person it was for) rates a resolved or closed ticket; rating
    again replaces the earlier rating."""
    if not is_requester_side(user, ticket):
        raise PermissionDenied
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError(_("You can rate a request once it is resolved."))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose one to five stars.")})
    comment = (comment or "").strip()[:2000]
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(rating=rating, rating_comment=comment, rated_at=now)
    ticket.rating, ticket.rating_comment, ticket.rated_at = rating, comment, now
    _event(ticket, EventKind.RATED, actor=user, now=now, body=comment, data={"rating": rating})
    return ticket


# --- confidential access -------------------------------------------------------------------


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


# --- deflection, canned replies, saved views, knowledge --------------------------------


def deflection_record(
    *, user: User, request_type: RequestType | None, query: str, doc_type: str, doc_key: str
) -> bool:
    """Count "this solved it" once per person, article and request type. True if new."""
    if not user.is_authenticated:
        return False
    try:
        with transaction.atomic():
            _row, created = Deflection.objects.get_or_create(
                searcher=searcher_hash(user),
                doc_type=(doc_type or "")[:20],
                doc_key=(doc_key or "")[:120],
                request_type=request_type,
                defaults={"query": (query or "")[:200]},
            )
    except IntegrityError:  # a double click racing itself
        return False
    return created


def canned_reply_render(*, canned: CannedReply, ticket: Ticket, agent: User) -> str:
    """The canned text with its placeholders filled in. Unknown placeholders, and anything
    that only looks like one, stay exactly as typed; the result is plain text that is
    escaped wherever it is shown."""
    if canned.queue_id is not None and canned.queue_id != ticket.queue_id:
        raise ValidationError(_("This canned reply belongs to another queue."))
    requester = ticket.subject_person
    values = {
        "requester_first_name": requester.first_name or _name(requester),
        "requester_name": _name(requester),
        "reference": ticket.reference,
        "subject": ticket.subject,
        "agent_name": _name(agent),
        "queue": ticket.queue.name,
    }
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), canned.body)


def saved_view_save(
    *, owner: User, name: str, query: str, allowed_keys: Iterable[str] = SAVED_VIEW_KEYS
) -> SavedView:
    """Store (or replace, by name) an agent's workspace filter."""
    if not is_agent(owner):
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    if len(name) > 80:
        raise ValidationError({"name": _("A name has at most 80 characters.")})
    pairs = parse_qsl((query or "").lstrip("?"), keep_blank_values=True)
    allowed = set(allowed_keys)
    unknown = sorted({key for key, _value in pairs if key not in allowed})
    if unknown:
        raise ValidationError(
            {"query": _("These filters are not known: %(keys)s") % {"keys": ", ".join(unknown)}}
        )
    normalised = urlencode([(key, value) for key, value in pairs if value != ""])
    if len(normalised) > 1000:
        raise ValidationError({"query": _("This view has too many filters.")})
    view, _created = SavedView.objects.update_or_create(
        owner=owner, name=name, defaults={"query": normalised}
    )
    return view


def saved_view_delete(*, owner: User, view_id: int) -> bool:
    deleted, _rows = SavedView.objects.filter(owner=owner, pk=view_id).delete()
    return bool(deleted)


def _latest_desk_reply(ticket: Ticket) -> str:
    replies = ticket.events.filter(
        kind__in=[EventKind.REPLY, EventKind.STATUS], internal=False
    ).exclude(body="")
    if ticket.on_behalf_of_id:
        replies = replies.exclude(actor_id=ticket.on_behalf_of_id)
    latest = replies.exclude(actor_id=ticket.requester_id).order_by("-created_at", "-pk").first()
    return latest.body if latest else ""


@transaction.atomic
def kcs_draft_from_ticket(*, ticket: Ticket, actor: User):
    """A knowledge draft from a solved ticket: the question and the desk's answer. Written
    for the agents' audience; its editor widens that when publishing. Drafted by an agent who
    is not a knowledge editor, it is submitted for the editors' review at once."""
    from helpdesk.knowledge.models import Audience, Space
    from helpdesk.knowledge.permissions import can_edit_knowledge
    from helpdesk.knowledge.services import TITLE_MAX_LENGTH, article_create, article_submit

    if not can_work_ticket(actor, ticket):
        raise PermissionDenied
    if ticket.confidential:
        raise ValidationError(_("A confidential case does not become a knowledge article."))
    space = Space.objects.filter(slug=ticket.queue.slug).first() or Space.objects.first()
    if space is None:
        raise ValidationError(_("The knowledge base has no space yet."))
    question = ticket.description or ticket.subject
    answer = _latest_desk_reply(ticket)
    body = question
    if answer:
        body = f"{question}\n\n## {_('Solution')}\n\n{answer}"
    article = article_create(
        by=actor,
        space=space,
        title=ticket.subject[:TITLE_MAX_LENGTH],
        body=body,
        audience=Audience.AGENTS,
        change_note=_("Drafted from ticket %(reference)s") % {"reference": ticket.reference},
    )
    if not can_edit_knowledge(actor):
        # An agent who is not an editor cannot open the editor: the draft goes straight to
        # the editors' review, and they are told.
        article_submit(by=actor, article=article)
    return article
