"""Writes for personal data: direct edits, change requests HR decides, and their application.

Deciding and applying are conditional UPDATEs on the status column ("… WHERE status =
'pending'"), so two HR officers clicking at once, or two beat workers, cannot both win: the
database says which one changed the row and the other is refused or skips.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from ess.accounts.models import User
from ess.audit.services import audit_record
from ess.content.attachments import attachment_add
from ess.notifications.services import notify, outbox_enqueue
from hr import kinds
from hr.models import (
    ChangeRequest,
    ChangeRequestComment,
    EmergencyContact,
    Employee,
    PersonalProfile,
    ProfileChange,
)
from hr.profile_fields import KIND_FIELDS, SENSITIVE_FIELDS, from_json, to_json

Status = ChangeRequest.Status


class ChangeRefused(Exception):
    """A change-request action that is not allowed in the request's current state."""


@dataclass(frozen=True)
class ContactInput:
    name: str
    relationship: str
    phone: str


def profile_ensure(*, employee: Employee) -> PersonalProfile:
    profile, _created = PersonalProfile.objects.get_or_create(employee=employee)
    return profile


def _history(
    *,
    employee: Employee,
    changes: dict[str, tuple[str, str]],
    source: str,
    actor: User | None,
    request: ChangeRequest | None = None,
) -> None:
    ProfileChange.objects.bulk_create(
        ProfileChange(
            employee=employee,
            field=field,
            old_value=old,
            new_value=new,
            source=source,
            request=request,
            changed_by=actor,
        )
        for field, (old, new) in changes.items()
    )


def _contacts_text(contacts: Sequence[EmergencyContact | ContactInput]) -> str:
    return "; ".join(f"{c.name} ({c.relationship}) {c.phone}" for c in contacts)


@transaction.atomic
def profile_update_direct(
    *,
    actor: User,
    employee: Employee,
    preferred_name: str,
    personal_phone: str,
    personal_email: str,
    contacts: Sequence[ContactInput],
) -> dict[str, tuple[str, str]]:
    """Save the fields a person may change without HR; return what changed (old, new)."""
    profile = PersonalProfile.objects.select_for_update().get(
        pk=profile_ensure(employee=employee).pk
    )
    previous_email = profile.personal_email
    changes: dict[str, tuple[str, str]] = {}
    for field, value in (
        ("preferred_name", preferred_name),
        ("personal_phone", personal_phone),
        ("personal_email", personal_email),
    ):
        old = getattr(profile, field)
        if old != value:
            changes[field] = (old, value)
            setattr(profile, field, value)
    if changes:
        profile.full_clean()
        profile.save()
    existing = list(employee.emergency_contacts.all())
    old_contacts, new_contacts = _contacts_text(existing), _contacts_text(contacts)
    if old_contacts != new_contacts:
        changes["emergency_contacts"] = (old_contacts, new_contacts)
        employee.emergency_contacts.all().delete()
        EmergencyContact.objects.bulk_create(
            EmergencyContact(
                employee=employee,
                name=c.name,
                relationship=c.relationship,
                phone=c.phone,
                position=position,
            )
            for position, c in enumerate(contacts)
        )
    if not changes:
        return changes
    _history(
        employee=employee, changes=changes, source=ProfileChange.Source.SELF_SERVICE, actor=actor
    )
    audit_record(
        actor=actor,
        action="hr.profile_updated",
        target=employee,
        detail={"fields": sorted(changes)},
    )
    if "personal_email" in changes and previous_email:
        _security_notice(
            employee=employee,
            addresses=[previous_email],
            event_key=f"personal-email-{profile.pk}-{timezone.now().timestamp()}",
            subject=_("Your personal e-mail address in ESS was changed"),
            body=_(
                "The personal e-mail address on your employee profile was changed. If this "
                "wasn't you, contact HR and IT security straight away."
            ),
        )
    return changes


def _current_values(profile: PersonalProfile, kind: str) -> dict:
    return {field: to_json(getattr(profile, field)) for field in KIND_FIELDS[kind]}


@transaction.atomic
def change_request_submit(
    *,
    actor: User,
    employee: Employee,
    kind: str,
    values: dict,
    effective_date: datetime.date,
    reason: str = "",
    document: UploadedFile | None = None,
) -> ChangeRequest:
    """File a change for HR. The form has validated `values`; this checks the workflow rules."""
    if set(values) != set(KIND_FIELDS[kind]):
        raise ValueError(f"{kind} changes exactly {KIND_FIELDS[kind]}")
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    if employee.change_requests.filter(
        kind=kind, status__in=[Status.PENDING, Status.INFO_REQUESTED, Status.APPROVED]
    ).exists():
        raise ChangeRefused(
            _(
                "You already have an open request of this type. Add to it or withdraw it "
                "before filing a new one."
            )
        )
    profile = profile_ensure(employee=employee)
    previous = _current_values(profile, kind)
    proposed = {field: to_json(value) for field, value in values.items()}
    if proposed == previous:
        raise ChangeRefused(_("These are the values HR already has; nothing would change."))
    request = ChangeRequest.objects.create(
        employee=employee,
        kind=kind,
        previous=previous,
        proposed=proposed,
        effective_date=effective_date,
        reason=reason,
        submitted_by=actor,
    )
    if document is not None:
        attachment_add(owner=request, upload=document, uploaded_by=actor)
    audit_record(
        actor=actor,
        action="hr.change_request_submitted",
        target=request,
        detail={"kind": kind, "effective_date": effective_date.isoformat()},
    )
    _tell_employee(
        request,
        "submitted",
        _("We received your request: %(kind)s") % {"kind": request.get_kind_display()},
        _("HR will review it. You can follow it and add comments on the request page."),
    )
    if kind == ChangeRequest.Kind.BANK_ACCOUNT:
        _bank_change_notice(request, applied=False)
    return request


def _tell_employee(request: ChangeRequest, event: str, title: str, body: str = "") -> None:
    notify(
        recipient=request.employee.user,
        kind=kinds.CHANGE_REQUEST.key,
        title=title,
        body=body,
        url=reverse("hr:request", args=[request.pk]),
        dedupe_key=f"hr-change-{request.pk}-{event}",
    )


def _contact_addresses(employee: Employee) -> list[str]:
    profile = PersonalProfile.objects.filter(employee=employee).first()
    addresses = [employee.user.email]
    if profile and profile.personal_email and profile.personal_email not in addresses:
        addresses.append(profile.personal_email)
    return addresses


def _security_notice(
    *, employee: Employee, addresses: Sequence[str], event_key: str, subject: str, body: str
) -> None:
    for address in addresses:
        outbox_enqueue(
            to=address,
            subject=subject,
            body=body,
            dedupe_key=f"hr-security-{event_key}-{address}"[:200],
        )


def _bank_change_notice(request: ChangeRequest, *, applied: bool) -> None:
    """Tell every address we had before the change, so a hijacked account cannot hide it."""
    employee = request.employee
    with override(employee.user.language or None):
        if applied:
            subject = _("Your salary account was changed")
            body = _(
                "The bank account your salary is paid into was changed in ESS today "
                "(change request #%(number)s). If this wasn't you, contact HR and IT security "
                "straight away."
            ) % {"number": request.pk}
        else:
            subject = _("A change of your salary account was requested")
            body = _(
                "Someone signed in as you asked HR to change the bank account your salary is "
                "paid into (change request #%(number)s). If this wasn't you, contact HR and "
                "IT security straight away."
            ) % {"number": request.pk}
    # The notification e-mails the work address (security notices cannot be muted); the
    # other addresses on file get the same text straight from the outbox.
    _security_notice(
        employee=employee,
        addresses=[a for a in _contact_addresses(employee) if a != employee.user.email],
        event_key=f"bank-{request.pk}-{'applied' if applied else 'requested'}",
        subject=subject,
        body=body,
    )
    notify(
        recipient=employee.user,
        kind=kinds.PERSONAL_DATA_SECURITY.key,
        title=subject,
        body=body,
        url=reverse("hr:request", args=[request.pk]),
        dedupe_key=f"hr-bank-{request.pk}-{'applied' if applied else 'requested'}",
    )


DECISIONS = {
    "approve": Status.APPROVED,
    "reject": Status.REJECTED,
    "ask_info": Status.INFO_REQUESTED,
}


@transaction.atomic
def change_request_decide(
    *, actor: User, request: ChangeRequest, decision: str, note: str = ""
) -> ChangeRequest:
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    if request.employee.user_id == actor.pk:
        raise ChangeRefused(_("Nobody decides on their own request; another HR officer must."))
    if decision in ("reject", "ask_info") and not note.strip():
        raise ChangeRefused(_("Say why, so the employee knows what to do next."))
    now = timezone.now()
    won = ChangeRequest.objects.filter(pk=request.pk, status=Status.PENDING).update(
        status=DECISIONS[decision],
        decided_by=actor,
        decided_at=now,
        decision_note=note if decision != "ask_info" else "",
    )
    if not won:
        raise ChangeRefused(
            _("This request is no longer pending; someone may have decided it already.")
        )
    request.refresh_from_db()
    if decision == "ask_info":
        ChangeRequestComment.objects.create(request=request, author=actor, body=note)
    audit_record(
        actor=actor,
        action=f"hr.change_request_{request.status}",
        target=request,
        detail={"kind": request.kind, "employee": request.employee_id},
    )
    messages = {
        Status.APPROVED: (
            _("Your request was approved: %(kind)s"),
            _("It takes effect on %(date)s."),
        ),
        # HR's words stay on the request page: they may quote an account or ID number, and
        # notifications and e-mails are not encrypted.
        Status.REJECTED: (
            _("Your request was rejected: %(kind)s"),
            _("Open the request to read HR's reason."),
        ),
        Status.INFO_REQUESTED: (
            _("HR needs more information: %(kind)s"),
            _("Open the request to read HR's question and answer it."),
        ),
    }
    title, body = messages[request.status]
    params = {
        "kind": request.get_kind_display(),
        "date": request.effective_date.isoformat(),
        "note": note,
    }
    event = "info-" + str(request.comments.count()) if decision == "ask_info" else decision
    _tell_employee(request, event, title % params, body % params)
    if request.status == Status.APPROVED and request.effective_date <= timezone.localdate():
        change_request_apply(request_id=request.pk)
        request.refresh_from_db()
    return request


@transaction.atomic
def change_request_comment(*, actor: User, request: ChangeRequest, body: str) -> ChangeRequest:
    """Add to the thread. The employee's answer to a question sends the request back to HR."""
    if not request.is_open:
        raise ChangeRefused(_("This request is closed; comments are no longer possible."))
    comment = ChangeRequestComment.objects.create(request=request, author=actor, body=body)
    is_owner = request.employee.user_id == actor.pk
    if is_owner and request.status == Status.INFO_REQUESTED:
        ChangeRequest.objects.filter(pk=request.pk, status=Status.INFO_REQUESTED).update(
            status=Status.PENDING
        )
        request.refresh_from_db()
    elif not is_owner:
        _tell_employee(
            request,
            f"comment-{comment.pk}",
            _("HR commented on your request: %(kind)s") % {"kind": request.get_kind_display()},
            _("Open the request to read the comment."),
        )
    audit_record(actor=actor, action="hr.change_request_commented", target=request)
    return request


@transaction.atomic
def change_request_withdraw(*, actor: User, request: ChangeRequest) -> ChangeRequest:
    if request.employee.user_id != actor.pk:
        raise ChangeRefused(_("Only the person who asked can withdraw a request."))
    withdrawn = ChangeRequest.objects.filter(
        pk=request.pk, status__in=[Status.PENDING, Status.INFO_REQUESTED, Status.APPROVED]
    ).update(status=Status.WITHDRAWN)
    if not withdrawn:
        raise ChangeRefused(_("This request can no longer be withdrawn."))
    request.refresh_from_db()
    audit_record(actor=actor, action="hr.change_request_withdrawn", target=request)
    return request


@transaction.atomic
def change_request_apply(*, request_id: int) -> bool:
    """Write an approved request into the profile. Safe to call twice: only one call wins."""
    now = timezone.now()
    won = ChangeRequest.objects.filter(
        pk=request_id, status=Status.APPROVED, applied_at__isnull=True
    ).update(status=Status.APPLIED, applied_at=now)
    if not won:
        return False
    request = ChangeRequest.objects.select_related("employee__user").get(pk=request_id)
    profile = PersonalProfile.objects.select_for_update().get(
        pk=profile_ensure(employee=request.employee).pk
    )
    changes = {}
    for field, raw in request.proposed.items():
        old = getattr(profile, field)
        new = from_json(field, raw)
        if old != new:
            changes[field] = (to_json(old) or "", to_json(new) or "")
            setattr(profile, field, new)
    profile.save()
    _history(
        employee=request.employee,
        changes=changes,
        source=ProfileChange.Source.CHANGE_REQUEST,
        actor=request.decided_by,
        request=request,
    )
    audit_record(
        actor=None,
        action="hr.change_request_applied",
        target=request,
        detail={"fields": sorted(changes), "sensitive": sorted(set(changes) & SENSITIVE_FIELDS)},
    )
    _tell_employee(
        request,
        "applied",
        _("Your change is now in your profile: %(kind)s") % {"kind": request.get_kind_display()},
    )
    if request.kind == ChangeRequest.Kind.BANK_ACCOUNT:
        _bank_change_notice(request, applied=True)
    return True


def change_requests_apply_due(*, today: datetime.date | None = None) -> int:
    """Apply every approved request whose date has come; each in its own transaction."""
    today = today or timezone.localdate()
    due = ChangeRequest.objects.filter(
        status=Status.APPROVED, applied_at__isnull=True, effective_date__lte=today
    ).values_list("pk", flat=True)
    return sum(change_request_apply(request_id=pk) for pk in list(due))


def sensitive_read_record(
    *, actor: User, employee: Employee, fields: Sequence[str], purpose: str, request=None
) -> None:
    """Audit that someone other than the person saw encrypted data in the clear."""
    if actor.pk == employee.user_id or not fields:
        return
    audit_record(
        actor=actor,
        action="hr.sensitive_read",
        target=employee,
        request=request,
        detail={"fields": sorted(fields), "purpose": purpose},
    )


def change_request_document_read(actor: User, request: ChangeRequest, attachment) -> None:
    """A supporting document (a bank statement, an ID scan) shows what the mask hides: HR
    opening one is a sensitive read like revealing the values."""
    sensitive = sorted(set(request.proposed) & SENSITIVE_FIELDS)
    sensitive_read_record(
        actor=actor,
        employee=request.employee,
        fields=[*sensitive, "supporting_document"],
        purpose=f"change_request_document:{attachment.pk}",
    )
