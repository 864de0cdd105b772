"""Appointments: agents publish time slots, a requester books one for a ticket.

Booking is a conditional UPDATE (... WHERE ticket IS NULL), so two people clicking the same
slot get one booking and one refusal. Both parties receive an iCalendar invitation
(RFC 5545, written here: it is a small, fixed shape) and a cancellation replaces it by UID
and a higher SEQUENCE.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ess.accounts.models import User
from helpdesk.models import (
    UNFINISHED_STATUSES,
    AppointmentSlot,
    EventKind,
    Queue,
    Ticket,
    TicketEvent,
)

APPOINTMENT_KIND = "helpdesk.appointment"
MIN_LENGTH, MAX_LENGTH = 5, 480
MAX_SLOTS_PER_PUBLISH = 200
PRODID = "-//ESS//Service desk//EN"


# --- Publishing --------------------------------------------------------------------------


def _is_queue_agent(user: User, queue: Queue) -> bool:
    return queue.agents.filter(pk=user.pk).exists()


@transaction.atomic
def slots_publish(
    *,
    agent: User,
    queue: Queue,
    starts_at: datetime,
    ends_at: datetime,
    length_minutes: int,
    location: str = "",
    now: datetime | None = None,
) -> list[AppointmentSlot]:
    """Cut [starts_at, ends_at) into slots of `length_minutes`; existing starts are skipped."""
    now = now or timezone.now()
    if not _is_queue_agent(agent, queue):
        raise ValidationError(_("Only agents of this queue can offer its appointments."))
    if not MIN_LENGTH <= length_minutes <= MAX_LENGTH:
        raise ValidationError(
            _("A slot lasts between %(min)d and %(max)d minutes.")
            % {"min": MIN_LENGTH, "max": MAX_LENGTH}
        )
    if ends_at <= starts_at:
        raise ValidationError(_("The end must come after the start."))
    if starts_at <= now:
        raise ValidationError(_("Slots must start in the future."))
    length = timedelta(minutes=length_minutes)
    starts = []
    moment = starts_at
    while moment + length <= ends_at:
        starts.append(moment)
        moment += length
    if not starts:
        raise ValidationError(_("The period is shorter than one slot."))
    if len(starts) > MAX_SLOTS_PER_PUBLISH:
        raise ValidationError(_("At most %(n)d slots at once.") % {"n": MAX_SLOTS_PER_PUBLISH})
    taken = set(
        AppointmentSlot.objects.filter(agent=agent, starts_at__in=starts).values_list(
            "starts_at", flat=True
        )
    )
    made = [
        AppointmentSlot(
            queue=queue,
            agent=agent,
            starts_at=start,
            ends_at=start + length,
            location=location.strip()[:150],
        )
        for start in starts
        if start not in taken
    ]
    return AppointmentSlot.objects.bulk_create(made)


def slot_withdraw(*, slot: AppointmentSlot, agent: User) -> None:
    """An agent takes back an unbooked slot of their own."""
    if slot.agent_id != agent.pk:
        raise ValidationError(_("You can withdraw only your own slots."))
    deleted, _rows = AppointmentSlot.objects.filter(pk=slot.pk, ticket__isnull=True).delete()
    if not deleted:
        raise ValidationError(_("This slot is booked; cancel the appointment first."))


def open_slots(*, queue: Queue, now: datetime | None = None) -> QuerySet[AppointmentSlot]:
    now = now or timezone.now()
    return AppointmentSlot.objects.filter(
        queue=queue, ticket__isnull=True, starts_at__gt=now
    ).select_related("agent")


# --- Booking and cancelling ----------------------------------------------------------------


def _may_arrange(user: User, ticket: Ticket) -> bool:
    from helpdesk.permissions import can_work_ticket

    return user.pk in (ticket.requester_id, ticket.on_behalf_of_id) or can_work_ticket(user, ticket)


def _attendees(ticket: Ticket) -> list[User]:
    people = [ticket.requester]
    if ticket.on_behalf_of_id and ticket.on_behalf_of_id != ticket.requester_id:
        people.append(ticket.on_behalf_of)
    return people


@transaction.atomic
def slot_book(
    *, slot_id: int, ticket: Ticket, user: User, now: datetime | None = None
) -> AppointmentSlot:
    now = now or timezone.now()
    if not _may_arrange(user, ticket):
        raise ValidationError(_("You cannot arrange an appointment for this request."))
    if ticket.status not in UNFINISHED_STATUSES:
        raise ValidationError(_("This request is finished; no appointment can be made."))
    if AppointmentSlot.objects.filter(ticket=ticket).exists():
        raise ValidationError(_("This request already has an appointment."))
    try:
        with transaction.atomic():
            won = AppointmentSlot.objects.filter(
                pk=slot_id, ticket__isnull=True, queue_id=ticket.queue_id, starts_at__gt=now
            ).update(ticket=ticket, booked_at=now, sequence=F("sequence") + 1)
    except IntegrityError:
        # Another booking for this ticket won the race (one slot per ticket).
        raise ValidationError(_("This request already has an appointment.")) from None
    if won != 1:
        raise ValidationError(
            _("This time is no longer available. Please choose another."), code="taken"
        )
    slot = AppointmentSlot.objects.select_related("agent", "queue").get(pk=slot_id)
    _record(ticket, user, slot, "booked", now)
    _send(slot, ticket, method="REQUEST")
    return slot


def desk_slots(user: User) -> QuerySet[AppointmentSlot]:
    """The slots whose appointments this person may cancel for the desk: their own, and
    every slot of the queues they lead."""
    return AppointmentSlot.objects.filter(Q(agent=user) | Q(queue__lead=user))


@transaction.atomic
def slot_cancel(*, slot: AppointmentSlot, user: User, now: datetime | None = None) -> None:
    """The requester, the agent of the slot, the queue's lead or an agent working the ticket
    cancels a booked appointment. The slot is free again (its agent may withdraw it); both
    sides get a cancellation. Cancelling a slot that is no longer booked raises
    ValidationError with code "not_booked" and changes nothing, so a double click sends
    one cancellation."""
    now = now or timezone.now()
    ticket = Ticket.objects.filter(appointment=slot.pk).first()
    if ticket is None:
        raise ValidationError(_("This slot is not booked."), code="not_booked")
    lead_id = Queue.objects.filter(pk=slot.queue_id).values_list("lead_id", flat=True).first()
    if not (user.pk in (slot.agent_id, lead_id) or _may_arrange(user, ticket)):
        raise ValidationError(_("You cannot cancel this appointment."))
    won = AppointmentSlot.objects.filter(pk=slot.pk, ticket=ticket).update(
        ticket=None, booked_at=None, sequence=F("sequence") + 1
    )
    if won != 1:  # a second click racing the first
        raise ValidationError(_("This slot is not booked."), code="not_booked")
    slot.refresh_from_db()
    _record(ticket, user, slot, "cancelled", now)
    _send(slot, ticket, method="CANCEL")


def _record(ticket: Ticket, user: User, slot: AppointmentSlot, what: str, now: datetime) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        kind=EventKind.APPOINTMENT,
        actor=user,
        data={
            "action": what,
            "slot": slot.pk,
            "starts_at": slot.starts_at.isoformat(),
            "ends_at": slot.ends_at.isoformat(),
            "location": slot.location,
            "agent": slot.agent_id,
        },
        created_at=now,
    )


def _send(slot: AppointmentSlot, ticket: Ticket, *, method: str) -> None:
    from ess.notifications.services import notify

    calendar = ics_invitation(slot, method=method, ticket=ticket)
    for person in [slot.agent, *_attendees(ticket)]:
        with translation.override(person.language or settings.LANGUAGE_CODE):
            when = timezone.localtime(slot.starts_at).strftime("%Y-%m-%d %H:%M")
            title = (
                _("Appointment for %(ticket)s on %(when)s")
                if method == "REQUEST"
                else _("Appointment for %(ticket)s on %(when)s cancelled")
            ) % {"ticket": ticket.reference, "when": when}
            notify(
                recipient=person,
                kind=APPOINTMENT_KIND,
                title=title,
                body=slot.location,
                url=ticket.get_absolute_url(),
                calendar=calendar,
                dedupe_key=f"helpdesk.appointment:{slot.uid}:{slot.sequence}:{person.pk}",
            )


# --- iCalendar -------------------------------------------------------------------------------


def _escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11); control characters other than newlines go."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(ch for ch in value if ch == "\n" or (ch >= " " and ch != "\x7f"))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _param(value: str) -> str:
    """A quoted parameter value: DQUOTE and control characters cannot appear inside."""
    cleaned = "".join(ch for ch in value if ch >= " " and ch not in '"\x7f')
    return f'"{cleaned}"'


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a space, never splitting a character."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for ch in line:
        piece = ch.encode()
        if len(current) + len(piece) > limit:
            parts.append(current.decode())
            current, limit = b"", 74  # the leading space counts
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip().strip(">")
    return address or "localhost"


def _cal_address(user: User, role: str = "") -> str:
    name = user.get_full_name() or user.email
    return f";CN={_param(name)}{role}:mailto:{user.email}"


def ics_invitation(
    slot: AppointmentSlot,
    *,
    method: str = "REQUEST",
    ticket: Ticket | None = None,
    now: datetime | None = None,
) -> str:
    """The appointment as iCalendar text: REQUEST (a booking), CANCEL, or PUBLISH."""
    if method not in ("REQUEST", "CANCEL", "PUBLISH"):
        raise ValueError(f"Unknown iTIP method {method!r}")
    ticket = ticket or slot.ticket
    now = now or timezone.now()
    about = ticket.reference if ticket.confidential else f"{ticket.reference} {ticket.subject}"
    summary = _("Service desk appointment: %(ticket)s") % {"ticket": about}
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{slot.uid}@{_domain()}",
        f"DTSTAMP:{_utc(now)}",
        f"SEQUENCE:{slot.sequence}",
        f"DTSTART:{_utc(slot.starts_at)}",
        f"DTEND:{_utc(slot.ends_at)}",
        f"SUMMARY:{_escape_text(summary)}",
    ]
    if slot.location:
        lines.append(f"LOCATION:{_escape_text(slot.location)}")
    lines.append(f"DESCRIPTION:{_escape_text(settings.SITE_URL + ticket.get_absolute_url())}")
    lines.append(f"ORGANIZER{_cal_address(slot.agent)}")
    for person in _attendees(ticket):
        partstat = "ACCEPTED" if method == "PUBLISH" else "NEEDS-ACTION"
        lines.append(
            "ATTENDEE" + _cal_address(person, f";ROLE=REQ-PARTICIPANT;PARTSTAT={partstat}")
        )
    lines.append("STATUS:CANCELLED" if method == "CANCEL" else "STATUS:CONFIRMED")
    lines += ["TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR"]
    return "".join(_fold(line) + "\r\n" for line in lines)


def slot_ics_download(slot: AppointmentSlot) -> tuple[str, str]:
    """(file name, iCalendar text) for an "Add to calendar" link on the booked ticket."""
    return f"appointment-{slot.ticket_id}.ics", ics_invitation(slot, method="PUBLISH")
