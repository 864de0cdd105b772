"""Agents' team pages: satisfaction figures per queue and agent, and the availability agents
publish for appointments. Both answer 403 to people without an agent role."""

import csv
import datetime
import zoneinfo

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ess.accounts.models import User
from ess.audit.services import audit_record
from helpdesk import appointments, selectors
from helpdesk.forms_agent import SlotPublishForm
from helpdesk.models import AppointmentSlot, Queue
from helpdesk.permissions import agent_queue_ids
from helpdesk.views_agent import _error_messages, _require_agent

RECENT_COMMENTS = 20


# --- Satisfaction ---------------------------------------------------------------------------------
@require_GET
def csat(request: HttpRequest) -> HttpResponse:
    _require_agent(request.user)
    if set(request.GET) - {"_export"} or request.GET.get("_export") not in (None, "csv"):
        raise SuspiciousOperation("Unknown satisfaction parameters")
    # Only tickets this agent works: confidential cases count only where they are granted.
    scope = selectors.workable_tickets(request.user)
    by_queue = selectors.csat_summary(tickets=scope, by="queue")
    by_agent = selectors.csat_summary(tickets=scope, by="agent")
    if request.GET.get("_export") == "csv":
        return _csat_csv(request, by_queue, by_agent)
    comments = (
        selectors.workable_tickets(request.user)
        .filter(rating__isnull=False)
        .exclude(rating_comment="")
        .select_related("queue", "assignee")
        .order_by("-rated_at")[:RECENT_COMMENTS]
    )
    return render(
        request,
        "helpdesk/agent/csat.html",
        {"by_queue": by_queue, "by_agent": by_agent, "comments": comments, "ratings": range(1, 6)},
    )


def _csat_csv(request: HttpRequest, by_queue: list[dict], by_agent: list[dict]) -> HttpResponse:
    audit_record(actor=request.user, action="helpdesk.csat_exported", request=request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="satisfaction.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Group"), _("Name"), _("Ratings"), _("Average"), "1", "2", "3", "4", "5"])
    for group, rows in ((_("Queue"), by_queue), (_("Agent"), by_agent)):
        for row in rows:
            writer.writerow(
                [
                    group,
                    _csv_safe(str(row["label"] or _("Unassigned"))),
                    row["count"],
                    f"{row['average']:.2f}" if row["average"] is not None else "",
                    *[row["distribution"][n] for n in range(1, 6)],
                ]
            )
    return response


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ would be a formula in a spreadsheet.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


# --- Availability ---------------------------------------------------------------------------------
def _slot_queues(user: User):
    return Queue.objects.filter(pk__in=agent_queue_ids(user), is_active=True)


def slots(request: HttpRequest) -> HttpResponse:
    _require_agent(request.user)
    form = SlotPublishForm(request.POST or None, queues=_slot_queues(request.user))
    if request.method == "POST":
        if form.is_valid():
            return _slots_publish(request, form)
        status = 400
    else:
        status = 200
    now = timezone.now()
    upcoming = (
        AppointmentSlot.objects.filter(agent=request.user, ends_at__gte=now)
        .select_related("queue", "ticket")
        .order_by("starts_at")
    )
    # A lead also sees the booked appointments of their queues' other agents, to cancel one.
    led = (
        appointments.desk_slots(request.user)
        .filter(ticket__isnull=False, ends_at__gte=now)
        .exclude(agent=request.user)
        .select_related("queue", "ticket", "agent")
        .order_by("starts_at")
    )
    return render(
        request,
        "helpdesk/agent/slots.html",
        {"form": form, "slots": upcoming, "led_slots": led},
        status=status,
    )


def _slots_publish(request: HttpRequest, form) -> HttpResponse:
    data = form.cleaned_data
    zone = _queue_zone(data["queue"])
    starts = datetime.datetime.combine(data["date"], data["starts"], tzinfo=zone)
    ends = datetime.datetime.combine(data["date"], data["ends"], tzinfo=zone)
    try:
        made = appointments.slots_publish(
            agent=request.user,
            queue=data["queue"],
            starts_at=starts,
            ends_at=ends,
            length_minutes=data["length_minutes"],
            location=data["location"],
        )
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("%(n)d slots published.") % {"n": len(made)})
    return redirect("helpdesk:slots")


def _queue_zone(queue: Queue):
    try:
        return zoneinfo.ZoneInfo(queue.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


@require_POST
def slot_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    _require_agent(request.user)
    slot = AppointmentSlot.objects.filter(pk=pk, agent=request.user).first()
    if slot is None:
        raise Http404
    try:
        appointments.slot_withdraw(slot=slot, agent=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("Slot withdrawn."))
    return redirect("helpdesk:slots")


@require_POST
def slot_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The slot's agent or the queue's lead cancels its appointment; 404 for anyone else.
    The slot is open for booking again; a second click finds it so and sends nothing."""
    _require_agent(request.user)
    slot = appointments.desk_slots(request.user).filter(pk=pk).first()
    if slot is None:
        raise Http404
    try:
        appointments.slot_cancel(slot=slot, user=request.user)
    except ValidationError as error:
        if getattr(error, "code", None) != "not_booked":
            _error_messages(request, error)
            return redirect("helpdesk:slots")
        messages.info(request, _("This appointment is already cancelled."))
    else:
        messages.success(
            request,
            _(
                "Appointment cancelled. The requester and the agent receive a cancellation "
                "for their calendars; the time is open for booking again."
            ),
        )
    return redirect("helpdesk:slots")
