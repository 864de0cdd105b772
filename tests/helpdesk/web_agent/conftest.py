"""Tickets for the agent pages: one in IT (worked by `it_agent`), one in Facilities (worked
by `facilities_agent`) and a confidential case (worked only by `case_officer`)."""

import pytest

from helpdesk.models import Priority, Status
from tests.helpdesk.factories import TicketFactory


@pytest.fixture
def it_ticket(db, employee, it_queue, software_type):
    return TicketFactory(
        requester=employee,
        queue=it_queue,
        request_type=software_type,
        subject="Printer on floor 3 is jammed",
        priority=Priority.NORMAL,
        status=Status.OPEN,
    )


@pytest.fixture
def facilities_ticket(db, other_employee, facilities_queue):
    return TicketFactory(
        requester=other_employee, queue=facilities_queue, subject="Broken chair in room 2.14"
    )


@pytest.fixture
def case_ticket(db, employee, cases_queue, case_type):
    return TicketFactory(
        requester=employee,
        queue=cases_queue,
        request_type=case_type,
        subject="Confidential: a concern about my team lead",
        confidential=True,
    )


@pytest.fixture
def agent_client(client, it_agent):
    client.force_login(it_agent)
    return client
