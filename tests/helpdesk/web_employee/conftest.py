"""Tickets seen from the requester's side: one filed for a colleague (so both the requester
and the person it is for are in the cast), one waiting for the manager's approval, and a
confidential case."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from helpdesk.models import AppointmentSlot, ApprovalRequest, Status
from tests.factories import EmployeeFactory
from tests.helpdesk.factories import TicketFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def png(name: str = "screenshot.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def svg(name: str = "drawing.svg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, SVG, content_type="image/svg+xml")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def beneficiary(db):
    """The person a ticket was filed for (`on_behalf_of`)."""
    return EmployeeFactory(user__email="bea@example.org").user


@pytest.fixture
def it_ticket(db, employee, beneficiary, it_queue, software_type, manager):
    """Filed by `employee` for `beneficiary`, waiting for `manager`'s approval."""
    ticket = TicketFactory(
        requester=employee,
        on_behalf_of=beneficiary,
        queue=it_queue,
        request_type=software_type,
        subject="Install the VPN client",
        approval_state="pending",
    )
    ApprovalRequest.objects.create(ticket=ticket, approver=manager)
    return ticket


@pytest.fixture
def resolved_ticket(it_ticket):
    it_ticket.status = Status.RESOLVED
    it_ticket.approval_state = "approved"
    it_ticket.save(update_fields=["status", "approval_state"])
    it_ticket.approval.state = "approved"
    it_ticket.approval.save(update_fields=["state"])
    return it_ticket


@pytest.fixture
def booked_ticket(it_ticket, it_agent):
    import datetime

    from django.utils import timezone

    start = timezone.now() + datetime.timedelta(days=2)
    AppointmentSlot.objects.create(
        queue=it_ticket.queue,
        agent=it_agent,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=30),
        location="Desk 4",
        ticket=it_ticket,
        booked_at=timezone.now(),
    )
    return it_ticket


@pytest.fixture
def case_ticket(db, employee, cases_queue, case_type):
    return TicketFactory(
        requester=employee, queue=cases_queue, request_type=case_type, subject="A concern"
    )
