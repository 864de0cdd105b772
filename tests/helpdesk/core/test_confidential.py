"""Confidential cases: who hears about them, what their e-mails say, and grants."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ess.audit.models import AuditEvent
from ess.content.attachments import can_read_attachment
from ess.content.models import Attachment
from ess.notifications.models import Notification, OutboxMessage
from helpdesk.models import EventKind, Status
from helpdesk.permissions import can_view_ticket, can_work_ticket
from helpdesk.services import (
    confidential_grant,
    confidential_revoke,
    ticket_create,
    ticket_note,
    ticket_reply,
    ticket_update,
)
from tests.helpdesk.core.conftest import mails_to

SECRET = "My team lead shouts at me"
DETAIL = "It happened on Monday in room 4."
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def case(employee, case_type):
    return ticket_create(
        requester=employee,
        subject=SECRET,
        description=DETAIL,
        request_type=case_type,
        attachments=[SimpleUploadedFile("evidence.png", PNG)],
    )


def test_a_case_is_filed_confidential_and_its_mail_carries_no_content(case, employee):
    assert case.confidential
    [mail] = mails_to(employee)
    assert SECRET not in mail.subject
    assert SECRET not in mail.body
    assert DETAIL not in mail.body
    assert f"#{case.pk}" in mail.subject
    [note] = Notification.objects.filter(recipient=employee)
    assert SECRET not in note.title + note.body


def test_nobody_but_the_requester_hears_of_a_new_case(case, employee, hr_officer, case_officer):
    assert set(Notification.objects.values_list("recipient", flat=True)) == {employee.pk}
    assert set(OutboxMessage.objects.values_list("to", flat=True)) == {employee.email}


def test_replies_on_a_case_reach_the_requester_without_content(
    case, case_officer, employee, hr_officer
):
    ticket_reply(ticket=case, author=case_officer, body="We will call you. " + DETAIL)
    ticket_note(ticket=case, author=case_officer, body="Talk to the lead first.")
    ticket_update(
        ticket_id=case.pk, actor=case_officer, expected_version=2, status=Status.WAITING_REQUESTER
    )
    mails = mails_to(employee)
    assert len(mails) == 3  # filed, replied, waiting for you
    for mail in mails:
        assert DETAIL not in mail.body
        assert "We will call you" not in mail.body
        assert SECRET not in mail.subject
    assert mails_to(hr_officer) == []
    assert not Notification.objects.filter(recipient=hr_officer).exists()


def test_a_watcher_added_before_a_move_hears_nothing_of_the_case(
    employee, software_type, it_agent, watcher, cases_queue, case_officer
):
    ticket = ticket_create(requester=employee, subject=SECRET, request_type=software_type)
    ticket.watchers.add(watcher)
    cases_queue.agents.add(it_agent)
    from guardian.shortcuts import assign_perm

    assign_perm("helpdesk.handle_confidential", it_agent, cases_queue)
    ticket = ticket_update(
        ticket_id=ticket.pk, actor=it_agent, expected_version=1, queue=cases_queue
    )
    assert ticket.confidential
    ticket_reply(ticket=ticket, author=employee, body=DETAIL)
    assert mails_to(watcher) == []
    assert not can_view_ticket(watcher, ticket)


def test_a_grant_opens_one_case_to_one_officer_and_is_audited(case, case_officer, hr_officer):
    assert not can_view_ticket(hr_officer, case)
    confidential_grant(ticket=case, officer=hr_officer, actor=case_officer)
    assert can_view_ticket(hr_officer, case)
    assert can_work_ticket(hr_officer, case)
    [mail] = mails_to(hr_officer)
    assert SECRET not in mail.subject + mail.body
    assert case.events.filter(kind=EventKind.ACCESS, internal=True).count() == 1
    confidential_revoke(ticket=case, officer=hr_officer, actor=case_officer)
    assert not can_view_ticket(hr_officer, case)
    assert list(
        AuditEvent.objects.filter(target_id=str(case.pk))
        .exclude(action="attachment.added")
        .values_list("action", flat=True)
        .order_by("pk")
    ) == ["helpdesk.access_granted", "helpdesk.access_revoked"]


def test_only_the_queues_officers_grant_access(case, hr_officer, admin_user, employee):
    for someone in (hr_officer, admin_user, employee):
        with pytest.raises(PermissionDenied):
            confidential_grant(ticket=case, officer=someone, actor=someone)


def test_the_requester_needs_no_grant(case, case_officer, employee):
    with pytest.raises(ValidationError):
        confidential_grant(ticket=case, officer=employee, actor=case_officer)


def test_case_files_open_only_for_those_who_see_the_case(case, employee, case_officer, hr_officer):
    attachment = Attachment.objects.get()
    assert can_read_attachment(employee, attachment)
    assert can_read_attachment(case_officer, attachment)
    assert not can_read_attachment(hr_officer, attachment)


def test_files_on_internal_notes_are_for_the_desk_only(
    employee, software_type, it_agent, facilities_agent
):
    ticket = ticket_create(requester=employee, subject="Printer", request_type=software_type)
    ticket_note(
        ticket=ticket,
        author=it_agent,
        body="Log attached",
        attachments=[SimpleUploadedFile("log.png", PNG)],
    )
    attachment = Attachment.objects.get()
    assert can_read_attachment(it_agent, attachment)
    assert not can_read_attachment(employee, attachment)
    assert not can_read_attachment(facilities_agent, attachment)
