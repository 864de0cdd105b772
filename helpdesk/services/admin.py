"""The desk's administration: queues with their hours, holidays, SLA targets and officers,
the service catalog with its form fields, and canned replies. Desk administrators only.

Each change is one transaction together with its audit record ("helpdesk.<action>"); a
change to the catalog re-indexes its request type for search once the transaction commits.
Fields are passed by name; only a model's own editable fields are accepted, never its id or
what the service sets itself (the form a field belongs to, a canned reply's author).
"""

import zoneinfo
from collections.abc import Iterable
from datetime import date, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from ess.accounts.models import User
from ess.accounts.object_permissions import object_permission_grant, object_permission_revoke
from ess.accounts.roles import Role
from ess.audit.services import audit_record
from helpdesk.models import (
    Approval,
    BusinessHours,
    CannedReply,
    FieldKind,
    FormField,
    Holiday,
    Queue,
    RequestType,
    SlaTarget,
)
from helpdesk.permissions import can_manage_desk
from helpdesk.search import catalog_index_refresh

OFFICER_PERM = "helpdesk.handle_confidential"


def _require_desk_admin(actor: User) -> None:
    if not can_manage_desk(actor):
        raise PermissionDenied


def _audit(
    actor: User, request: HttpRequest | None, action: str, target: models.Model, **detail
) -> None:
    audit_record(
        actor=actor, action=f"helpdesk.{action}", target=target, request=request, detail=detail
    )


def _apply(
    instance: models.Model, fields: dict[str, Any], *, fixed: Iterable[str] = ()
) -> list[str]:
    """Set `fields` on `instance` and return the sorted names whose value changed. Only the
    model's own editable fields are accepted, less those the service sets itself (`fixed`)."""
    settable = {
        model_field.name
        for model_field in instance._meta.concrete_fields
        if model_field.editable and not model_field.primary_key
    } - set(fixed)
    unknown = sorted(set(fields) - settable)
    if unknown:
        raise TypeError(f"Not an administrable field of {instance._meta.label}: {unknown}")
    changed = []
    for name, value in fields.items():
        model_field = instance._meta.get_field(name)
        if model_field.is_relation:
            before, after = getattr(instance, model_field.attname), getattr(value, "pk", value)
        else:
            before, after = getattr(instance, name), value
        if before != after:
            changed.append(name)
        setattr(instance, name, value)
    return sorted(changed)


def _locked_or_new(model: type[models.Model], instance: models.Model | None, **defaults):
    # The row as stored, not the caller's copy (a bound form has already changed that one),
    # so the audit names exactly the fields this save changes.
    if instance is None:
        return model(**defaults)
    return model.objects.select_for_update().get(pk=instance.pk)


def _check_time_zone(name: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            {"time_zone": _("Unknown time zone; use a name such as Europe/Amsterdam.")}
        ) from None


def _save_unique(instance: models.Model, refusal: ValidationError) -> None:
    """Save a row whose uniqueness the database decides; a duplicate becomes `refusal`."""
    instance.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise refusal from None


# --- Queues ------------------------------------------------------------------------------------
@transaction.atomic
def queue_save(
    *,
    actor: User,
    queue: Queue | None = None,
    agents: Iterable[User] | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Queue:
    """Create a queue, or change one. Tickets carry their queue's confidential flag for the
    lists, so a change of the flag is copied to every ticket of the queue."""
    _require_desk_admin(actor)
    created = queue is None
    item = _locked_or_new(Queue, queue)
    changed = _apply(item, fields)
    _check_time_zone(item.time_zone)
    item.full_clean()
    item.save()
    if agents is not None:
        agents = list(agents)
        before = set() if created else set(item.agents.values_list("pk", flat=True))
        if before != {person.pk for person in agents}:
            changed = sorted([*changed, "agents"])
        item.agents.set(agents)
    _audit(actor, request, "queue_created" if created else "queue_changed", item, fields=changed)
    if not created and "confidential" in changed:
        item.tickets.update(confidential=item.confidential)
    return item


@transaction.atomic
def business_hours_add(
    *,
    queue: Queue,
    actor: User,
    weekday: int,
    opens: time,
    closes: time,
    request: HttpRequest | None = None,
) -> BusinessHours:
    _require_desk_admin(actor)
    if closes <= opens:
        raise ValidationError({"closes": _("Closing time must be after opening time.")})
    hours = BusinessHours(queue=queue, weekday=weekday, opens=opens, closes=closes)
    _save_unique(hours, ValidationError(_("These hours already exist.")))
    _audit(actor, request, "hours_added", queue, hours=str(hours))
    return hours


@transaction.atomic
def business_hours_remove(
    *, hours: BusinessHours, actor: User, request: HttpRequest | None = None
) -> None:
    _require_desk_admin(actor)
    _audit(actor, request, "hours_removed", hours.queue, hours=str(hours))
    hours.delete()


@transaction.atomic
def holiday_add(
    *, queue: Queue, actor: User, date: date, name: str, request: HttpRequest | None = None
) -> Holiday:
    _require_desk_admin(actor)
    holiday = Holiday(queue=queue, date=date, name=name)
    _save_unique(holiday, ValidationError({"date": _("This day is already a holiday.")}))
    _audit(actor, request, "holiday_added", queue, date=str(holiday.date))
    return holiday


@transaction.atomic
def holiday_remove(*, holiday: Holiday, actor: User, request: HttpRequest | None = None) -> None:
    _require_desk_admin(actor)
    _audit(actor, request, "holiday_removed", holiday.queue, date=str(holiday.date))
    holiday.delete()


@transaction.atomic
def sla_target_save(
    *,
    queue: Queue,
    actor: User,
    priority: int,
    first_response_minutes: int,
    resolution_minutes: int,
    warn_at_percent: int = 75,
    request: HttpRequest | None = None,
) -> SlaTarget:
    """Set the targets of one priority: adds them, or replaces those the queue has."""
    _require_desk_admin(actor)
    if resolution_minutes < first_response_minutes:
        raise ValidationError(
            {"resolution_minutes": _("Resolution cannot come before the first response.")}
        )
    target = SlaTarget.objects.select_for_update().filter(
        queue=queue, priority=priority
    ).first() or SlaTarget(queue=queue, priority=priority)
    target.first_response_minutes = first_response_minutes
    target.resolution_minutes = resolution_minutes
    target.warn_at_percent = warn_at_percent
    target.full_clean()
    target.save()
    _audit(
        actor,
        request,
        "sla_target_saved",
        queue,
        priority=target.priority,
        first_response=target.first_response_minutes,
        resolution=target.resolution_minutes,
        warn=target.warn_at_percent,
    )
    return target


@transaction.atomic
def sla_target_remove(
    *, target: SlaTarget, actor: User, request: HttpRequest | None = None
) -> None:
    _require_desk_admin(actor)
    _audit(actor, request, "sla_target_removed", target.queue, priority=target.priority)
    target.delete()


@transaction.atomic
def queue_officer_grant(
    *, queue: Queue, officer: User, actor: User, request: HttpRequest | None = None
) -> None:
    """Let a member of a confidential queue handle its cases (audited as a permission grant)."""
    _require_desk_admin(actor)
    if not queue.confidential:
        raise ValidationError(_("Only a confidential queue has officers."))
    if not (officer.is_active and queue.agents.filter(pk=officer.pk).exists()):
        raise ValidationError({"officer": _("Officers are chosen from the queue's agents.")})
    object_permission_grant(perm=OFFICER_PERM, obj=queue, to=officer, actor=actor, request=request)


@transaction.atomic
def queue_officer_revoke(
    *, queue: Queue, officer: User, actor: User, request: HttpRequest | None = None
) -> None:
    _require_desk_admin(actor)
    if not queue.confidential:
        raise ValidationError(_("Only a confidential queue has officers."))
    object_permission_revoke(perm=OFFICER_PERM, obj=queue, to=officer, actor=actor, request=request)


# --- The catalog -------------------------------------------------------------------------------
@transaction.atomic
def request_type_save(
    *,
    actor: User,
    request_type: RequestType | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> RequestType:
    """Create a request type, or change one. With approval by role the role must be named;
    without it, no role is kept."""
    _require_desk_admin(actor)
    created = request_type is None
    item = _locked_or_new(RequestType, request_type)
    changed = _apply(item, fields)
    if item.approval != Approval.ROLE:
        item.approval_role = ""
    elif item.approval_role not in {role.value for role in Role}:
        raise ValidationError({"approval_role": _("Choose the role whose holders approve.")})
    item.full_clean()
    item.save()
    action = "request_type_created" if created else "request_type_changed"
    _audit(actor, request, action, item, fields=changed)
    catalog_index_refresh([item.pk])
    return item


@transaction.atomic
def form_field_save(
    *,
    request_type: RequestType,
    actor: User,
    form_field: FormField | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> FormField:
    """Add a question to a request type's form, or change one."""
    _require_desk_admin(actor)
    if form_field is not None and form_field.request_type_id != request_type.pk:
        raise ValidationError(_("This field belongs to another form."))
    created = form_field is None
    item = _locked_or_new(FormField, form_field, request_type=request_type)
    changed = _apply(item, fields, fixed=["request_type"])
    if request_type.fields.filter(key=item.key).exclude(pk=item.pk).exists():
        raise ValidationError({"key": _("Another field of this form already has this key.")})
    if item.kind == FieldKind.CHOICE and not item.choice_list:
        raise ValidationError({"choices": _("A choice needs at least one option.")})
    item.full_clean()
    item.save()
    action = "form_field_added" if created else "form_field_changed"
    _audit(actor, request, action, request_type, key=item.key, fields=changed)
    catalog_index_refresh([request_type.pk])
    return item


@transaction.atomic
def form_field_remove(
    *, form_field: FormField, actor: User, request: HttpRequest | None = None
) -> None:
    _require_desk_admin(actor)
    request_type = form_field.request_type
    _audit(actor, request, "form_field_removed", request_type, key=form_field.key)
    form_field.delete()
    catalog_index_refresh([request_type.pk])


@transaction.atomic
def form_field_move(
    *, form_field: FormField, actor: User, up: bool, request: HttpRequest | None = None
) -> list[FormField]:
    """Move a field one place up or down; the form's positions are renumbered 1…n."""
    _require_desk_admin(actor)
    request_type = form_field.request_type
    fields = list(request_type.fields.select_for_update())
    index = next(i for i, each in enumerate(fields) if each.pk == form_field.pk)
    other = index + (-1 if up else 1)
    if 0 <= other < len(fields):
        fields[index], fields[other] = fields[other], fields[index]
    for position, each in enumerate(fields, start=1):
        if each.position != position:
            each.position = position
            each.save(update_fields=["position"])
    order = [each.key for each in fields]
    _audit(actor, request, "form_fields_reordered", request_type, order=order)
    catalog_index_refresh([request_type.pk])
    return fields


# --- Canned replies ----------------------------------------------------------------------------
@transaction.atomic
def canned_reply_save(
    *,
    actor: User,
    canned: CannedReply | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> CannedReply:
    """Add a canned reply, or change one (its text may hold the placeholders that
    `canned_reply_render` fills in)."""
    _require_desk_admin(actor)
    created = canned is None
    item = _locked_or_new(CannedReply, canned, created_by=actor)
    changed = _apply(item, fields, fixed=["created_by", "updated_at"])
    item.updated_at = timezone.now()
    # The author is kept for the record and may since have left.
    item.full_clean(exclude=["created_by"])
    item.save()
    action = "canned_reply_added" if created else "canned_reply_changed"
    _audit(actor, request, action, item, fields=changed)
    return item


@transaction.atomic
def canned_reply_remove(
    *, canned: CannedReply, actor: User, request: HttpRequest | None = None
) -> None:
    _require_desk_admin(actor)
    _audit(actor, request, "canned_reply_removed", canned, title=canned.title)
    canned.delete()
