"""The desk cancels an appointment from the availability page: the slot's agent and the
queue's lead may, nobody else; the requester and the agent get one cancellation, the
ticket's timeline says so, and a double click changes nothing more."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ess.accounts.roles import Role
from ess.notifications.models import OutboxMessage
from helpdesk.appointments import slot_book
from helpdesk.models import AppointmentSlot, EventKind, Status, TicketEvent
from tests.conftest import _role_holder
from tests.helpdesk.factories import TicketFactory
from tests.matrix import Row, assert_access, expand

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue_lead(it_queue):
    lead = _role_holder("lena@example.org", Role.IT_AGENT)
    it_queue.agents.add(lead)
    it_queue.lead = lead
    it_queue.save(update_fields=["lead"])
    return lead


@pytest.fixture
def colleague(it_queue):
    """An agent of the same queue, who works the ticket but owns neither slot nor queue."""
    agent = _role_holder("carl@example.org", Role.IT_AGENT)
    it_queue.agents.add(agent)
    return agent


@pytest.fixture
def ticket(it_queue, employee):
    return TicketFactory(
        queue=it_queue, requester=employee, subject="Laptop handover", status=Status.OPEN
    )


@pytest.fixture
def booked(it_queue, it_agent, ticket, employee, queue_lead):
    start = timezone.now() + timedelta(days=2)
    slot = AppointmentSlot.objects.create(
        queue=it_queue,
        agent=it_agent,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        location="Desk 4",
    )
    return slot_book(slot_id=slot.pk, ticket=ticket, user=employee)


def _cancel_url(request) -> str:
    return reverse("helpdesk:slot_cancel", args=[request.getfixturevalue("booked").pk])


MATRIX = [
    Row(
        _cancel_url,
        {
            "anonymous": 302,
            "it_agent": 302,
            "queue_lead": 302,
            "colleague": 404,
            "facilities_agent": 404,
            "employee": 403,
        },
        method="post",
        label="slot-cancel",
    ),
    Row(_cancel_url, {"it_agent": 405, "queue_lead": 405}, label="slot-cancel-get"),
]


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_who_may_cancel_an_appointment(client, request, row, who):
    assert_access(client, request, row, who)
    slot = request.getfixturevalue("booked")
    slot.refresh_from_db()
    cancelled = row.method == "post" and who in ("it_agent", "queue_lead")
    assert (slot.ticket_id is None) is cancelled


def _cancellations() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(calendar__contains="METHOD:CANCEL"))


@pytest.mark.parametrize("who", ["it_agent", "queue_lead"])
def test_cancelling_frees_the_slot_notes_the_timeline_and_sends_cancel_invitations(
    client, request, who, booked, ticket, employee, it_agent
):
    actor = request.getfixturevalue(who)
    client.force_login(actor)

    response = client.post(reverse("helpdesk:slot_cancel", args=[booked.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("helpdesk:slots")
    assert "Appointment cancelled" in response.content.decode()
    booked.refresh_from_db()
    assert (booked.ticket_id, booked.booked_at, booked.sequence) == (None, None, 2)
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.APPOINTMENT).latest("pk")
    assert (event.actor, event.data["action"], event.internal) == (actor, "cancelled", False)
    cancellations = _cancellations()
    assert sorted(message.to for message in cancellations) == sorted(
        [employee.email, it_agent.email]
    )
    for message in cancellations:
        calendar = message.calendar.replace("\r\n ", "")
        assert f"UID:{booked.uid}@" in calendar
        assert "SEQUENCE:2" in calendar
        assert "STATUS:CANCELLED" in calendar


def test_a_double_click_cancels_once(client, booked, ticket, it_agent):
    client.force_login(it_agent)
    url = reverse("helpdesk:slot_cancel", args=[booked.pk])

    first = client.post(url)
    second = client.post(url, follow=True)

    assert first.status_code == 302
    assert second.status_code == 200
    assert "already cancelled" in second.content.decode()
    booked.refresh_from_db()
    assert booked.sequence == 2
    assert len(_cancellations()) == 2  # one each for the requester and the agent
    events = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.APPOINTMENT)
    assert [event.data["action"] for event in events.order_by("pk")] == ["booked", "cancelled"]


def test_the_requester_sees_the_cancellation_on_their_ticket(client, booked, ticket, employee):
    client.force_login(booked.agent)
    client.post(reverse("helpdesk:slot_cancel", args=[booked.pk]))
    client.force_login(employee)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert "Appointment cancelled" in page
    assert "Add to calendar" not in page


def test_the_availability_page_offers_the_cancel_button_to_owner_and_lead(
    client, booked, it_agent, queue_lead, colleague
):
    url = reverse("helpdesk:slot_cancel", args=[booked.pk])
    for person, offered in ((it_agent, True), (queue_lead, True), (colleague, False)):
        client.force_login(person)
        page = client.get(reverse("helpdesk:slots")).content.decode()
        assert (f'action="{url}"' in page) is offered
    client.force_login(queue_lead)
    page = client.get(reverse("helpdesk:slots")).content.decode()
    assert "Booked appointments in queues you lead" in page
