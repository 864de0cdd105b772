"""Appointment slots: publish, book once, cancel, and invitations both calendars accept."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from ess.notifications.models import Notification, OutboxMessage
from helpdesk.appointments import (
    ics_invitation,
    open_slots,
    slot_book,
    slot_cancel,
    slot_ics_download,
    slot_withdraw,
    slots_publish,
)
from helpdesk.models import AppointmentSlot, EventKind, Status, TicketEvent
from tests.helpdesk.factories import TicketFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 10, 8, 0, tzinfo=UTC)
HOSTILE_LOCATION = "a;b,c\\n<script>"


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def _properties(text: str) -> dict[str, str]:
    found = {}
    for line in _unfold(text):
        name, _sep, value = line.partition(":")
        found.setdefault(name.split(";")[0], line)
        found[name.split(";")[0] + "_value"] = value
    return found


@pytest.fixture
def slots(it_queue, it_agent):
    start = NOW + timedelta(days=1)
    return slots_publish(
        agent=it_agent,
        queue=it_queue,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        length_minutes=30,
        location=HOSTILE_LOCATION,
        now=NOW,
    )


@pytest.fixture
def ticket(it_queue, employee):
    return TicketFactory(
        queue=it_queue, requester=employee, subject="Laptop, new; <b>fast</b>", status=Status.NEW
    )


def test_publishing_cuts_the_period_into_slots(slots, it_queue, it_agent):
    assert len(slots) == 4
    assert [s.ends_at - s.starts_at for s in slots] == [timedelta(minutes=30)] * 4
    # Publishing the same period again adds nothing.
    again = slots_publish(
        agent=it_agent,
        queue=it_queue,
        starts_at=slots[0].starts_at,
        ends_at=slots[-1].ends_at,
        length_minutes=30,
        now=NOW,
    )
    assert again == []
    assert open_slots(queue=it_queue, now=NOW).count() == 4


@pytest.mark.parametrize(
    ("offset_hours", "length", "hours"),
    [(-1, 30, 2), (24, 2, 2), (24, 30, 0), (24, 60, 0.5)],
)
def test_publishing_refuses_past_odd_or_empty_periods(
    it_queue, it_agent, offset_hours, length, hours
):
    start = NOW + timedelta(hours=offset_hours)
    with pytest.raises(ValidationError):
        slots_publish(
            agent=it_agent,
            queue=it_queue,
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            length_minutes=length,
            now=NOW,
        )


def test_only_agents_of_the_queue_publish(it_queue, facilities_agent):
    with pytest.raises(ValidationError):
        slots_publish(
            agent=facilities_agent,
            queue=it_queue,
            starts_at=NOW + timedelta(days=1),
            ends_at=NOW + timedelta(days=1, hours=1),
            length_minutes=30,
            now=NOW,
        )


def test_booking_takes_the_slot_and_invites_both(slots, ticket, employee, it_agent):
    slot = slot_book(slot_id=slots[0].pk, ticket=ticket, user=employee, now=NOW)
    assert slot.ticket == ticket
    assert slot.sequence == 1
    assert open_slots(queue=ticket.queue, now=NOW).count() == 3
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.APPOINTMENT)
    assert event.data["action"] == "booked"
    notes = Notification.objects.filter(kind="helpdesk.appointment")
    assert {n.recipient for n in notes} == {employee, it_agent}
    calendars = OutboxMessage.objects.exclude(calendar="").values_list("calendar", flat=True)
    assert len(calendars) == 2
    assert all("METHOD:REQUEST" in c for c in calendars)


def test_a_taken_slot_is_refused(slots, ticket, employee, it_queue):
    slot_book(slot_id=slots[0].pk, ticket=ticket, user=employee, now=NOW)
    other = TicketFactory(queue=it_queue, requester=employee)
    with pytest.raises(ValidationError, match="no longer available"):
        slot_book(slot_id=slots[0].pk, ticket=other, user=employee, now=NOW)


def test_a_ticket_books_only_one_slot(slots, ticket, employee):
    slot_book(slot_id=slots[0].pk, ticket=ticket, user=employee, now=NOW)
    with pytest.raises(ValidationError, match="already has"):
        slot_book(slot_id=slots[1].pk, ticket=ticket, user=employee, now=NOW)


def test_past_slots_and_other_queues_are_refused(slots, employee, facilities_queue):
    elsewhere = TicketFactory(queue=facilities_queue, requester=employee)
    with pytest.raises(ValidationError):
        slot_book(slot_id=slots[0].pk, ticket=elsewhere, user=employee, now=NOW)
    mine = TicketFactory(queue=slots[0].queue, requester=employee)
    with pytest.raises(ValidationError):
        slot_book(slot_id=slots[0].pk, ticket=mine, user=employee, now=NOW + timedelta(days=2))


def test_strangers_cannot_book_for_someone_elses_ticket(slots, ticket, other_employee):
    with pytest.raises(ValidationError):
        slot_book(slot_id=slots[0].pk, ticket=ticket, user=other_employee, now=NOW)


def test_cancelling_frees_the_slot_and_sends_a_cancellation(slots, ticket, employee):
    slot = slot_book(slot_id=slots[0].pk, ticket=ticket, user=employee, now=NOW)
    slot_cancel(slot=slot, user=employee, now=NOW)
    slot.refresh_from_db()
    assert slot.ticket is None
    assert slot.sequence == 2
    cancellations = OutboxMessage.objects.filter(calendar__contains="METHOD:CANCEL")
    assert cancellations.count() == 2
    assert all("STATUS:CANCELLED" in m.calendar for m in cancellations)
    assert all(f"UID:{slot.uid}@" in m.calendar.replace("\r\n ", "") for m in cancellations)
    with pytest.raises(ValidationError):
        slot_cancel(slot=slot, user=employee, now=NOW)


def test_a_booked_slot_cannot_be_withdrawn(slots, ticket, employee, it_agent):
    slot_book(slot_id=slots[0].pk, ticket=ticket, user=employee, now=NOW)
    with pytest.raises(ValidationError):
        slot_withdraw(slot=slots[0], agent=it_agent)
    slot_withdraw(slot=slots[1], agent=it_agent)
    assert not AppointmentSlot.objects.filter(pk=slots[1].pk).exists()


def test_the_invitation_follows_rfc_5545(slots, ticket, employee, it_agent):
    it_agent.first_name, it_agent.last_name = 'Ivan "the fixer"', "Agent;Jr"
    it_agent.save()
    slot = slot_book(slot_id=slots[0].pk, ticket=ticket, user=employee, now=NOW)
    text = ics_invitation(slot, now=NOW)
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    for physical in text.split("\r\n"):
        assert len(physical.encode()) <= 75
    lines = _unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    props = _properties(text)
    assert props["LOCATION_value"] == "a\\;b\\,c\\\\n<script>"
    assert props["SUMMARY_value"].endswith("Laptop\\, new\\; <b>fast</b>")
    assert props["DTSTART_value"] == "20250611T080000Z"
    assert props["DTEND_value"] == "20250611T083000Z"
    assert props["DTSTAMP_value"] == "20250610T080000Z"
    assert props["SEQUENCE_value"] == "1"
    assert props["UID_value"] == f"{slot.uid}@localhost"
    assert props["ORGANIZER"].startswith('ORGANIZER;CN="Ivan the fixer Agent;Jr":mailto:')
    assert "mailto:emma@example.org" in props["ATTENDEE"]
    assert props["METHOD_value"] == "REQUEST"


def test_long_lines_fold_without_splitting_characters(slots, ticket, employee):
    ticket.subject = "Ünïcödé " * 20
    ticket.save()
    slot = slot_book(slot_id=slots[0].pk, ticket=ticket, user=employee, now=NOW)
    text = ics_invitation(slot, now=NOW)
    physical = text.split("\r\n")
    assert any(line.startswith(" ") for line in physical)
    for line in physical:
        assert len(line.encode()) <= 75
        line.encode().decode()  # each physical line is whole UTF-8
    assert _properties(text)["SUMMARY_value"].endswith("Ünïcödé " * 20)


def test_a_confidential_invitation_carries_no_subject(cases_queue, case_officer, employee):
    ticket = TicketFactory(queue=cases_queue, requester=employee, subject="About my manager")
    start = NOW + timedelta(days=1)
    (slot,) = slots_publish(
        agent=case_officer,
        queue=cases_queue,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        length_minutes=30,
        now=NOW,
    )
    slot = slot_book(slot_id=slot.pk, ticket=ticket, user=employee, now=NOW)
    assert "manager" not in ics_invitation(slot, now=NOW)
    assert not OutboxMessage.objects.filter(calendar__contains="manager").exists()


def test_the_download_is_a_published_event(slots, ticket, employee):
    slot = slot_book(slot_id=slots[0].pk, ticket=ticket, user=employee, now=NOW)
    name, text = slot_ics_download(slot)
    assert name == f"appointment-{ticket.pk}.ics"
    assert "METHOD:PUBLISH" in text
