"""The desk's administration: queues (members, hours, holidays, SLA targets, officers), the
service catalog with its form builder, and canned replies. Administrators only (403).

These views parse the forms and show the outcome; the writes, their audit records and the
catalog's search refresh are `helpdesk.services.admin`.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ess.accounts.models import User
from ess.portal.forms import show_refusal
from helpdesk import services
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
from helpdesk.models import CannedReply, FormField, Queue, QueueUserObjectPermission, RequestType
from helpdesk.permissions import can_manage_desk

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


def _run(form, service, **kwargs) -> Any | None:
    """Call `service` with the form's cleaned data; None when it refused (shown on the form)."""
    try:
        return service(**kwargs, **form.cleaned_data)
    except ValidationError as error:
        show_refusal(form, error)
        return None


# --- Queues ----------------------------------------------------------------------------------
def queues(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    form = QueueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        queue = _run(form, services.queue_save, actor=request.user, request=request)
        if queue is not None:
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
    if not form.is_valid() or not _run(
        form, services.queue_save, actor=request.user, queue=item, request=request
    ):
        return {"queue_form": form}
    messages.success(request, _("Queue saved."))
    return _back(item, "details")


def _hours_add(request: HttpRequest, item: Queue):
    form = BusinessHoursForm(request.POST, prefix="hours")
    if not form.is_valid() or not _run(
        form, services.business_hours_add, queue=item, actor=request.user, request=request
    ):
        return {"hours_form": form}
    messages.success(request, _("Business hours added."))
    return _back(item, "hours")


def _hours_delete(request: HttpRequest, item: Queue):
    hours = item.business_hours.filter(pk=request.POST.get("id") or 0).first()
    if hours is None:
        raise Http404
    services.business_hours_remove(hours=hours, actor=request.user, request=request)
    messages.success(request, _("Business hours removed."))
    return _back(item, "hours")


def _holiday_add(request: HttpRequest, item: Queue):
    form = HolidayForm(request.POST, prefix="holiday")
    if not form.is_valid() or not _run(
        form, services.holiday_add, queue=item, actor=request.user, request=request
    ):
        return {"holiday_form": form}
    messages.success(request, _("Holiday added."))
    return _back(item, "holidays")


def _holiday_delete(request: HttpRequest, item: Queue):
    holiday = item.holidays.filter(pk=request.POST.get("id") or 0).first()
    if holiday is None:
        raise Http404
    services.holiday_remove(holiday=holiday, actor=request.user, request=request)
    messages.success(request, _("Holiday removed."))
    return _back(item, "holidays")


def _sla_save(request: HttpRequest, item: Queue):
    """Adds the target of a priority, or replaces the one the queue has."""
    form = SlaTargetForm(request.POST, prefix="sla")
    if not form.is_valid() or not _run(
        form, services.sla_target_save, queue=item, actor=request.user, request=request
    ):
        return {"sla_form": form}
    messages.success(request, _("SLA target saved."))
    return _back(item, "sla")


def _sla_delete(request: HttpRequest, item: Queue):
    target = item.sla_targets.filter(pk=request.POST.get("id") or 0).first()
    if target is None:
        raise Http404
    services.sla_target_remove(target=target, actor=request.user, request=request)
    messages.success(request, _("SLA target removed."))
    return _back(item, "sla")


def _officer_change(request: HttpRequest, item: Queue):
    if not item.confidential:
        raise Http404
    form = OfficerForm(request.POST, prefix="officer", officers=item.agents.order_by("email"))
    if not form.is_valid():
        return {"officer_form": form}
    change = (
        services.queue_officer_revoke
        if form.cleaned_data["revoke"]
        else services.queue_officer_grant
    )
    try:
        change(
            queue=item, officer=form.cleaned_data["officer"], actor=request.user, request=request
        )
    except ValidationError as error:
        show_refusal(form, error)
        return {"officer_form": form}
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
def catalog(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    form = RequestTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = _run(form, services.request_type_save, actor=request.user, request=request)
        if item is not None:
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
    if not form.is_valid() or not _run(
        form, services.request_type_save, actor=request.user, request_type=item, request=request
    ):
        return {"form": form}
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
    if not form.is_valid() or not _run(
        form,
        services.form_field_save,
        request_type=item,
        actor=request.user,
        form_field=editing,
        request=request,
    ):
        return {"field_form": form}
    messages.success(request, _("Form field saved."))
    return _type_back(item, "fields")


def _field_delete(request: HttpRequest, item: RequestType):
    field = _field_or_none(item, request.POST.get("id"))
    if field is None:
        raise Http404
    services.form_field_remove(form_field=field, actor=request.user, request=request)
    messages.success(request, _("Form field removed."))
    return _type_back(item, "fields")


def _field_move(request: HttpRequest, item: RequestType):
    """Moves a field one place up or down; positions are renumbered 1…n."""
    field = _field_or_none(item, request.POST.get("id"))
    if field is None:
        raise Http404
    up = request.POST.get("direction") == "up"
    services.form_field_move(form_field=field, actor=request.user, up=up, request=request)
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
        services.canned_reply_remove(canned=existing, actor=request.user, request=request)
        messages.success(request, _("Canned reply removed."))
        return redirect("helpdesk:admin_canned")
    if action != "save":
        return HttpResponse(status=400)
    form = CannedReplyForm(request.POST, instance=existing)
    if not form.is_valid() or not _run(
        form, services.canned_reply_save, actor=request.user, canned=existing, request=request
    ):
        return form
    messages.success(request, _("Canned reply saved."))
    return redirect("helpdesk:admin_canned")
