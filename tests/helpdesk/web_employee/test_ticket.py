"""A ticket as its requester sees it: the public timeline, replies, ratings, the
appointment, and the queries it costs."""

import pytest
from django.urls import reverse
from django.utils import timezone

from helpdesk import services
from helpdesk.models import EventKind, Status, Ticket, TicketEvent
from tests.helpdesk.factories import TicketFactory
from tests.helpdesk.web_employee.conftest import png

pytestmark = pytest.mark.django_db


def _filed(employee, software_type, **kwargs) -> Ticket:
    return services.ticket_create(
        requester=employee,
        subject=kwargs.pop("subject", "Printer on floor 2"),
        description="It prints blank pages.",
        request_type=software_type,
        search_context=[],
        **kwargs,
    )


def _resolve(ticket: Ticket, agent) -> Ticket:
    ticket.refresh_from_db()
    return services.ticket_update(
        ticket_id=ticket.pk,
        actor=agent,
        expected_version=ticket.version,
        status=Status.RESOLVED,
        resolution="Replaced the toner.",
    )


def test_the_requester_sees_the_public_timeline_but_no_internal_note(
    client, employee, it_agent, software_type
):
    ticket = _filed(employee, software_type)
    services.ticket_reply(ticket=ticket, author=it_agent, body="On my way with toner.")
    services.ticket_note(ticket=ticket, author=it_agent, body="SECRET: check the fuser too")
    client.force_login(employee)

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert "On my way with toner." in html
    assert "SECRET" not in html
    assert "Internal note" not in html
    assert ticket.reference in html
    assert "It prints blank pages." in html
    assert 'name="body"' in html  # the reply form


def test_the_sla_target_is_said_in_words(client, employee, software_type):
    ticket = _filed(employee, software_type)
    ticket.refresh_from_db()
    client.force_login(employee)
    html = client.get(ticket.get_absolute_url()).content.decode()
    if ticket.resolution_due_at:
        assert "We aim to resolve this" in html
        assert "from now" in html


def test_an_agent_of_the_queue_is_sent_to_the_agent_page(client, it_agent, it_ticket):
    client.force_login(it_agent)
    response = client.get(it_ticket.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == reverse("helpdesk:work", args=[it_ticket.pk])


def test_an_agent_who_filed_a_ticket_sees_the_requester_page(client, it_agent, software_type):
    ticket = _filed(it_agent, software_type)
    client.force_login(it_agent)
    assert client.get(ticket.get_absolute_url()).status_code == 200


def test_a_reply_with_a_file_is_added_to_the_timeline(client, employee, software_type):
    ticket = _filed(employee, software_type)
    client.force_login(employee)

    response = client.post(
        reverse("helpdesk:reply", args=[ticket.pk]),
        {"body": "Here is a photo", "attachments": [png("photo.png")]},
    )

    assert response.status_code == 302
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "Here is a photo" in html
    assert "photo.png" in html
    assert reverse("content:attachment", args=[1]).rsplit("/", 2)[0] in html


def test_an_empty_reply_is_refused_with_the_error_listed(client, employee, software_type):
    ticket = _filed(employee, software_type)
    client.force_login(employee)
    response = client.post(reverse("helpdesk:reply", args=[ticket.pk]), {"body": ""})
    assert response.status_code == 400
    assert 'href="#id_body"' in response.content.decode()


def test_a_reply_reopens_a_resolved_ticket(client, employee, it_agent, software_type):
    ticket = _resolve(_filed(employee, software_type), it_agent)
    client.force_login(employee)

    client.post(reverse("helpdesk:reply", args=[ticket.pk]), {"body": "Still blank pages."})

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.events.filter(kind=EventKind.REOPENED).exists()


def test_a_closed_ticket_takes_no_reply(client, employee, software_type):
    ticket = _filed(employee, software_type)
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
    client.force_login(employee)

    assert 'name="body"' not in client.get(ticket.get_absolute_url()).content.decode()
    response = client.post(reverse("helpdesk:reply", args=[ticket.pk]), {"body": "Hello?"})
    assert response.status_code == 400
    assert "closed" in response.content.decode()


def test_a_merged_ticket_points_to_where_it_went(client, employee, it_ticket):
    target = TicketFactory(requester=employee, queue=it_ticket.queue, subject="The main one")
    Ticket.objects.filter(pk=it_ticket.pk).update(merged_into=target, status=Status.CLOSED)
    client.force_login(employee)
    html = client.get(it_ticket.get_absolute_url()).content.decode()
    assert f"merged into {target.reference}" in html
    assert target.get_absolute_url() in html


# --- Ratings ----------------------------------------------------------------------------------
def test_a_resolved_ticket_offers_the_rating_form_and_records_it(
    client, employee, it_agent, software_type
):
    ticket = _resolve(_filed(employee, software_type), it_agent)
    client.force_login(employee)
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "<fieldset" in html
    assert 'name="rating"' in html

    response = client.post(
        reverse("helpdesk:rate", args=[ticket.pk]), {"rating": "5", "comment": "Fast!"}
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.rating, ticket.rating_comment) == (5, "Fast!")
    assert "You rated this 5 out of 5." in client.get(ticket.get_absolute_url()).content.decode()


def test_an_open_ticket_cannot_be_rated(client, employee, software_type):
    ticket = _filed(employee, software_type)
    client.force_login(employee)
    response = client.post(reverse("helpdesk:rate", args=[ticket.pk]), {"rating": "5"})
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.rating is None


def test_the_rating_link_shows_the_rating_chosen_and_records_on_post(
    client, employee, it_agent, software_type
):
    ticket = _resolve(_filed(employee, software_type), it_agent)
    url = services.rating_url(ticket, 2)
    client.force_login(employee)

    page = client.get(url)

    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="2"' in html
    assert 'value="2" class="form-check-input" id="id_rating_1" checked' in html or (
        'id="id_rating_1" checked' in html
    )
    ticket.refresh_from_db()
    assert ticket.rating is None  # opening the link records nothing

    response = client.post(url, {"rating": "3", "comment": "Took a while"})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.rating == 3


# --- Appointment ------------------------------------------------------------------------------
def test_the_appointment_downloads_as_a_calendar_file(client, employee, booked_ticket):
    client.force_login(employee)
    html = client.get(booked_ticket.get_absolute_url()).content.decode()
    assert "Add to calendar" in html
    assert "Desk 4" in html

    response = client.get(reverse("helpdesk:appointment_ics", args=[booked_ticket.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    assert b"BEGIN:VCALENDAR" in response.content


def test_no_appointment_means_no_calendar_file(client, employee, it_ticket):
    client.force_login(employee)
    response = client.get(reverse("helpdesk:appointment_ics", args=[it_ticket.pk]))
    assert response.status_code == 404


# --- Queries ----------------------------------------------------------------------------------
def _add_replies(ticket, people, count):
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket=ticket,
            kind=EventKind.REPLY,
            actor=people[n % len(people)],
            body=f"Reply {n}",
            created_at=timezone.now(),
        )
        for n in range(count)
    )


def test_the_ticket_page_costs_the_same_queries_for_3_and_30_events(
    client, employee, manager, it_agent, laptop_type, django_assert_max_num_queries
):
    ticket = services.ticket_create(
        requester=employee,
        subject="New laptop",
        request_type=laptop_type,
        form_answers={"model": 'Standard 14"', "reason": "Mine broke"},
        search_context=[],
    )
    _add_replies(ticket, [employee, it_agent], 3)
    client.force_login(employee)
    url = ticket.get_absolute_url()
    client.get(url)  # the first request settles the session
    # Session, user and roles (3); the ticket with its queue, type and people (1); the
    # public timeline with actors (1) and its files (1); the request type's questions (1);
    # the appointment (1); the page frame: unread notifications and the navigation (2).
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    _add_replies(ticket, [employee, it_agent], 27)
    with django_assert_max_num_queries(10) as many:
        assert "Reply 26" in client.get(url).content.decode()
    assert len(many) == len(few)


def test_a_rating_without_stars_links_the_error_to_the_first_option(
    client, employee, it_agent, software_type
):
    ticket = _resolve(_filed(employee, software_type), it_agent)
    client.force_login(employee)
    response = client.post(reverse("helpdesk:rate", args=[ticket.pk]), {"comment": "Hm"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_rating_0"' in html
    assert 'id="id_rating_0"' in html
    assert "<legend" in html
