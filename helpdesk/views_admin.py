"""The desk's administration: queues (members, hours, holidays, SLA targets, officers), the
service catalog with its form builder, and canned replies. Administrators only (403).

Every change is written in one transaction together with its audit record; a change to the
catalog re-indexes the request type for search once the transaction commits.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ess.accounts.models import User
from ess.accounts.object_permissions import object_permission_grant, object_permission_revoke
from ess.audit.services import audit_record
from helpdesk.forms_agent import (
    BusinessHoursForm,
    CannedReplyForm,
    FormFieldForm,
    HolidayForm,
    OfficerForm,
    QueueForm,
    RequestTypeForm,
    SlaTargetForm,
)
from helpdesk.models import (
    BusinessHours,
    CannedReply,
    FormField,
    Holiday,
    Queue,
    QueueUserObjectPermission,
    RequestType,
    SlaTarget,
)
from helpdesk.permissions import can_manage_desk
from helpdesk.search import catalog_index_refresh

OFFICER_PERM = "helpdesk.handle_confidential"
PLACEHOLDERS = (
    "{requester_first_name}",
    "{requester_name}",
    "{reference}",
    "{subject}",
    "{agent_name}",
    "{queue}",
)


def _require_admin(user: User) -> None:
    if not can_manage_desk(user):
        raise PermissionDenied


def _audit(request: HttpRequest, action: str, target, **detail) -> None:
    audit_record(
        actor=request.user,
        action=f"helpdesk.{action}",
        target=target,
        request=request,
        detail=detail,
    )


def _changed(form) -> list[str]:
    return sorted(form.changed_data)


# --- Queues ----------------------------------------------------------------------------------
def queues(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    form = QueueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            queue = form.save()
            _audit(request, "queue_created", queue, fields=_changed(form))
        messages.success(request, _("Queue “%(name)s” created.") % {"name": queue.name})
        return redirect("helpdesk:admin_queue", pk=queue.pk)
    items = Queue.objects.prefetch_related("agents").select_related("lead")
    return render(
        request,
        "helpdesk/admin/queues.html",
        {"queues": items, "form": form},
        status=400 if form.errors else 200,
    )


def _officers(queue: Queue) -> list[User]:
    rows = QueueUserObjectPermission.objects.filter(
        content_object=queue, permission__codename="handle_confidential"
    ).select_related("user")
    return sorted({row.user for row in rows}, key=lambda user: (str(user), user.pk))


def queue(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request.user)
    item = get_object_or_404(Queue, pk=pk)
    forms = {
        "queue_form": QueueForm(instance=item, prefix="queue"),
        "hours_form": BusinessHoursForm(prefix="hours"),
        "holiday_form": HolidayForm(prefix="holiday"),
        "sla_form": SlaTargetForm(prefix="sla"),
        "officer_form": OfficerForm(prefix="officer", officers=item.agents.order_by("email")),
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        handler = QUEUE_ACTIONS.get(action)
        if handler is None:
            return HttpResponse(status=400)
        result = handler(request, item)
        if isinstance(result, HttpResponse):
            return result
        forms.update(result)
        status = 400
    return render(
        request,
        "helpdesk/admin/queue.html",
        {
            "queue": item,
            "hours": item.business_hours.all(),
            "holidays": item.holidays.all(),
            "targets": item.sla_targets.all(),
            "officers": _officers(item) if item.confidential else [],
            **forms,
        },
        status=status,
    )


def _back(item: Queue, anchor: str) -> HttpResponse:
    return redirect(reverse("helpdesk:admin_queue", args=[item.pk]) + f"#{anchor}")


def _queue_save(request: HttpRequest, item: Queue):
    form = QueueForm(request.POST, instance=item, prefix="queue")
    if not form.is_valid():
        return {"queue_form": form}
    with transaction.atomic():
        form.save()
        _audit(request, "queue_changed", item, fields=_changed(form))
        if "confidential" in form.changed_data:
            # Tickets carry the flag for their lists; they follow their queue.
            item.tickets.update(confidential=item.confidential)
    messages.success(request, _("Queue saved."))
    return _back(item, "details")


def _hours_add(request: HttpRequest, item: Queue):
    form = BusinessHoursForm(request.POST, prefix="hours", instance=BusinessHours(queue=item))
    if not form.is_valid():
        return {"hours_form": form}
    try:
        with transaction.atomic():
            hours = form.save()
            _audit(request, "hours_added", item, hours=str(hours))
    except IntegrityError:
        form.add_error(None, _("These hours already exist."))
        return {"hours_form": form}
    messages.success(request, _("Business hours added."))
    return _back(item, "hours")


def _hours_delete(request: HttpRequest, item: Queue):
    hours = item.business_hours.filter(pk=request.POST.get("id") or 0).first()
    if hours is None:
        raise Http404
    with transaction.atomic():
        _audit(request, "hours_removed", item, hours=str(hours))
        hours.delete()
    messages.success(request, _("Business hours removed."))
    return _back(item, "hours")


def _holiday_add(request: HttpRequest, item: Queue):
    form = HolidayForm(request.POST, prefix="holiday", instance=Holiday(queue=item))
    if not form.is_valid():
        return {"holiday_form": form}
    try:
        with transaction.atomic():
            holiday = form.save()
            _audit(request, "holiday_added", item, date=str(holiday.date))
    except IntegrityError:
        form.add_error("date", _("This day is already a holiday."))
        return {"holiday_form": form}
    messages.success(request, _("Holiday added."))
    return _back(item, "holidays")


def _holiday_delete(request: HttpRequest, item: Queue):
    holiday = item.holidays.filter(pk=request.POST.get("id") or 0).first()
    if holiday is None:
        raise Http404
    with transaction.atomic():
        _audit(request, "holiday_removed", item, date=str(holiday.date))
        holiday.delete()
    messages.success(request, _("Holiday removed."))
    return _back(item, "holidays")


def _sla_save(request: HttpRequest, item: Queue):
    """Adds the target of a priority, or replaces the one the queue has."""
    priority = request.POST.get("sla-priority", "")
    existing = (
        item.sla_targets.filter(priority=int(priority)).first() if priority.isdigit() else None
    )
    form = SlaTargetForm(request.POST, prefix="sla", instance=existing or SlaTarget(queue=item))
    if not form.is_valid():
        return {"sla_form": form}
    with transaction.atomic():
        target = form.save()
        _audit(
            request,
            "sla_target_saved",
            item,
            priority=target.priority,
            first_response=target.first_response_minutes,
            resolution=target.resolution_minutes,
            warn=target.warn_at_percent,
        )
    messages.success(request, _("SLA target saved."))
    return _back(item, "sla")


def _sla_delete(request: HttpRequest, item: Queue):
    target = item.sla_targets.filter(pk=request.POST.get("id") or 0).first()
    if target is None:
        raise Http404
    with transaction.atomic():
        _audit(request, "sla_target_removed", item, priority=target.priority)
        target.delete()
    messages.success(request, _("SLA target removed."))
    return _back(item, "sla")


def _officer_change(request: HttpRequest, item: Queue):
    if not item.confidential:
        raise Http404
    form = OfficerForm(request.POST, prefix="officer", officers=item.agents.order_by("email"))
    if not form.is_valid():
        return {"officer_form": form}
    officer = form.cleaned_data["officer"]
    change = object_permission_revoke if form.cleaned_data["revoke"] else object_permission_grant
    with transaction.atomic():
        change(perm=OFFICER_PERM, obj=item, to=officer, actor=request.user, request=request)
    messages.success(request, _("Officers updated."))
    return _back(item, "officers")


QUEUE_ACTIONS = {
    "queue": _queue_save,
    "hours_add": _hours_add,
    "hours_delete": _hours_delete,
    "holiday_add": _holiday_add,
    "holiday_delete": _holiday_delete,
    "sla_save": _sla_save,
    "sla_delete": _sla_delete,
    "officer": _officer_change,
}


# --- The catalog ---------------------------------------------------------------------------------
def _refresh_catalog(request_type: RequestType) -> None:
    # Queued for after the commit: search reads the saved rows.
    catalog_index_refresh([request_type.pk])


def catalog(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    form = RequestTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            item = form.save()
            _audit(request, "request_type_created", item, fields=_changed(form))
            _refresh_catalog(item)
        messages.success(request, _("Request type “%(name)s” created.") % {"name": item.name})
        return redirect("helpdesk:admin_request_type", pk=item.pk)
    items = RequestType.objects.select_related("queue").order_by("queue__name", "position", "name")
    return render(
        request,
        "helpdesk/admin/catalog.html",
        {"request_types": items, "form": form},
        status=400 if form.errors else 200,
    )


def request_type(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request.user)
    item = get_object_or_404(RequestType.objects.select_related("queue"), pk=pk)
    fields = list(item.fields.all())
    editing = _field_or_none(item, request.GET.get("field"))
    forms = {
        "form": RequestTypeForm(instance=item, prefix="type"),
        "field_form": FormFieldForm(
            instance=editing,
            prefix="field",
            request_type=item,
            initial=None if editing else {"position": len(fields) + 1},
        ),
    }
    status = 200
    if request.method == "POST":
        handler = FIELD_ACTIONS.get(request.POST.get("action", ""))
        if handler is None:
            return HttpResponse(status=400)
        result = handler(request, item)
        if isinstance(result, HttpResponse):
            return result
        forms.update(result)
        status = 400
    return render(
        request,
        "helpdesk/admin/request_type.html",
        {"request_type": item, "fields": fields, "editing": editing, **forms},
        status=status,
    )


def _field_or_none(item: RequestType, field_id) -> FormField | None:
    if not field_id or not str(field_id).isdigit():
        return None
    return item.fields.filter(pk=int(field_id)).first()


def _type_back(item: RequestType, anchor: str = "") -> HttpResponse:
    url = reverse("helpdesk:admin_request_type", args=[item.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _type_save(request: HttpRequest, item: RequestType):
    form = RequestTypeForm(request.POST, instance=item, prefix="type")
    if not form.is_valid():
        return {"form": form}
    with transaction.atomic():
        form.save()
        _audit(request, "request_type_changed", item, fields=_changed(form))
        _refresh_catalog(item)
    messages.success(request, _("Request type saved."))
    return _type_back(item)


def _field_save(request: HttpRequest, item: RequestType):
    editing = _field_or_none(item, request.POST.get("id"))
    if request.POST.get("id") and editing is None:
        raise Http404
    form = FormFieldForm(
        request.POST,
        prefix="field",
        request_type=item,
        instance=editing or FormField(request_type=item),
    )
    if not form.is_valid():
        return {"field_form": form}
    with transaction.atomic():
        field = form.save()
        _audit(
            request,
            "form_field_changed" if editing else "form_field_added",
            item,
            key=field.key,
            fields=_changed(form),
        )
        _refresh_catalog(item)
    messages.success(request, _("Form field saved."))
    return _type_back(item, "fields")


def _field_delete(request: HttpRequest, item: RequestType):
    field = _field_or_none(item, request.POST.get("id"))
    if field is None:
        raise Http404
    with transaction.atomic():
        _audit(request, "form_field_removed", item, key=field.key)
        field.delete()
        _refresh_catalog(item)
    messages.success(request, _("Form field removed."))
    return _type_back(item, "fields")


def _field_move(request: HttpRequest, item: RequestType):
    """Moves a field one place up or down; positions are renumbered 1…n."""
    fields = list(item.fields.all())
    field = _field_or_none(item, request.POST.get("id"))
    if field is None:
        raise Http404
    index = next(i for i, each in enumerate(fields) if each.pk == field.pk)
    other = index + (-1 if request.POST.get("direction") == "up" else 1)
    if 0 <= other < len(fields):
        fields[index], fields[other] = fields[other], fields[index]
    with transaction.atomic():
        for position, each in enumerate(fields, start=1):
            if each.position != position:
                each.position = position
                each.save(update_fields=["position"])
        _audit(request, "form_fields_reordered", item, order=[each.key for each in fields])
        _refresh_catalog(item)
    return _type_back(item, "fields")


FIELD_ACTIONS = {
    "type": _type_save,
    "field": _field_save,
    "field_delete": _field_delete,
    "field_move": _field_move,
}


# --- Canned replies --------------------------------------------------------------------------
def canned(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    editing = None
    if (request.GET.get("edit") or "").isdigit():
        editing = CannedReply.objects.filter(pk=int(request.GET["edit"])).first()
    form = CannedReplyForm(instance=editing)
    status = 200
    if request.method == "POST":
        result = _canned_post(request)
        if isinstance(result, HttpResponse):
            return result
        form, status = result, 400
    return render(
        request,
        "helpdesk/admin/canned.html",
        {
            "replies": CannedReply.objects.select_related("queue"),
            "form": form,
            "editing": editing,
            "placeholders": PLACEHOLDERS,
        },
        status=status,
    )


def _canned_post(request: HttpRequest):
    action = request.POST.get("action", "")
    reply_id = request.POST.get("id") or ""
    existing = None
    if reply_id:
        pk = int(reply_id) if reply_id.isdigit() else 0
        existing = CannedReply.objects.filter(pk=pk).first()
        if existing is None:
            raise Http404
    if action == "delete":
        if existing is None:
            raise Http404
        with transaction.atomic():
            _audit(request, "canned_reply_removed", existing, title=existing.title)
            existing.delete()
        messages.success(request, _("Canned reply removed."))
        return redirect("helpdesk:admin_canned")
    if action != "save":
        return HttpResponse(status=400)
    form = CannedReplyForm(request.POST, instance=existing or CannedReply(created_by=request.user))
    if not form.is_valid():
        return form
    form.instance.updated_at = timezone.now()
    with transaction.atomic():
        item = form.save()
        _audit(
            request,
            "canned_reply_changed" if existing else "canned_reply_added",
            item,
            fields=_changed(form),
        )
    messages.success(request, _("Canned reply saved."))
    return redirect("helpdesk:admin_canned")
