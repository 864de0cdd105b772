"""Filing, replying and the agent form: the status machine, the reopen window, the SLA
hooks and optimistic concurrency."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ess.content.models import Attachment
from helpdesk import services
from helpdesk.models import (
    ApprovalState,
    EventKind,
    Priority,
    Status,
    Ticket,
)
from helpdesk.services import (
    ALLOWED_TRANSITIONS,
    TicketConflict,
    TransitionNotAllowed,
    ticket_create,
    ticket_note,
    ticket_reply,
    ticket_update,
)
from tests.helpdesk.core.conftest import mails_to, notifications_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def file(name="screen.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def kinds_of(ticket):
    return list(ticket.events.values_list("kind", flat=True))


@pytest.fixture
def ticket(employee, software_type):
    return ticket_create(requester=employee, subject="Install Inkscape", request_type=software_type)


def test_filing_without_approval_starts_the_sla_and_confirms_to_the_requester(
    employee, software_type
):
    ticket = ticket_create(
        requester=employee,
        subject="  Install Inkscape ",
        description="For the new brochure.",
        request_type=software_type,
        attachments=[file()],
    )
    assert ticket.subject == "Install Inkscape"
    assert ticket.queue == software_type.queue
    assert ticket.priority == Priority.NORMAL
    assert ticket.status == Status.NEW
    assert ticket.approval_state == ApprovalState.NOT_NEEDED
    assert ticket.sla_started_at is not None
    assert ticket.resolution_due_at is not None
    assert kinds_of(ticket) == [EventKind.CREATED]
    created = ticket.events.get()
    assert Attachment.objects.filter(owner_id=created.pk).count() == 1
    [mail] = mails_to(employee)
    assert mail.subject == f"[#{ticket.pk}] Install Inkscape"
    assert mail.reply_to == services.reply_address(ticket)
    assert mail.headers["References"] == f"<ticket-{ticket.pk}@localhost>"
    assert mail.headers["In-Reply-To"] == mail.headers["References"]


def test_filing_does_not_mail_the_queue_agents(ticket, it_agent):
    assert notifications_for(it_agent) == []


def test_form_attachments_are_answered_with_their_ids(employee, software_type):
    ticket = ticket_create(
        requester=employee,
        subject="Licence",
        request_type=software_type,
        form_answers={"reason": "work"},
        uploads={"quote": file("quote.png")},
    )
    attachment = Attachment.objects.get()
    assert ticket.form_answers == {"reason": "work", "quote": attachment.pk}


def test_filing_needs_a_subject_and_a_queue(employee):
    with pytest.raises(ValidationError) as error:
        ticket_create(requester=employee, subject=" ")
    assert set(error.value.message_dict) == {"subject", "queue"}


def test_filing_for_someone_outside_my_reporting_line_is_refused(
    employee, other_employee, software_type
):
    with pytest.raises(ValidationError) as error:
        ticket_create(
            requester=employee,
            subject="Laptop",
            request_type=software_type,
            on_behalf_of=other_employee,
        )
    assert "on_behalf_of" in error.value.message_dict


def test_a_manager_files_for_a_report(employee, report, software_type):
    ticket = ticket_create(
        requester=employee, subject="Access", request_type=software_type, on_behalf_of=report
    )
    assert ticket.on_behalf_of == report
    assert len(mails_to(report)) == 1


def test_a_request_needing_approval_waits_without_sla(employee, manager, laptop_type):
    ticket = ticket_create(requester=employee, subject="New laptop", request_type=laptop_type)
    assert ticket.status == Status.NEW
    assert ticket.approval_state == ApprovalState.PENDING
    assert ticket.sla_started_at is None
    assert ticket.approval.approver == manager
    assert kinds_of(ticket) == [EventKind.CREATED, EventKind.APPROVAL_REQUESTED]
    [note] = notifications_for(manager)
    assert note.kind == "helpdesk.approval"


def test_a_manager_filing_for_a_report_has_approved_by_asking(employee, report, laptop_type):
    ticket = ticket_create(
        requester=employee, subject="Laptop", request_type=laptop_type, on_behalf_of=report
    )
    assert ticket.approval_state == ApprovalState.APPROVED
    assert ticket.sla_started_at is not None


def test_search_context_comes_from_the_last_hour_when_not_given(employee, software_type):
    from ess.search.models import SearchLog
    from ess.search.services import searcher_hash

    SearchLog.objects.create(
        query="inkscape",
        normalised="inkscape",
        result_count=0,
        source="portal",
        searcher=searcher_hash(employee),
    )
    ticket = ticket_create(requester=employee, subject="Inkscape", request_type=software_type)
    assert [entry["query"] for entry in ticket.search_context] == ["inkscape"]


# --- replies -------------------------------------------------------------------------------


def test_the_desks_first_reply_opens_the_ticket_and_stops_the_response_clock(
    ticket, it_agent, employee
):
    reply = ticket_reply(ticket=ticket, author=it_agent, body="On it.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.first_responded_at == reply.created_at
    assert ticket.version == 2
    assert kinds_of(ticket)[-2:] == [EventKind.REPLY, EventKind.STATUS]
    mail = mails_to(employee)[-1]
    assert "On it." in mail.body
    assert mail.subject == f"[#{ticket.pk}] Install Inkscape"


def test_the_requesters_reply_to_a_waiting_ticket_opens_it(ticket, it_agent, employee):
    ticket = ticket_update(
        ticket_id=ticket.pk,
        actor=it_agent,
        expected_version=ticket.version,
        status=Status.WAITING_REQUESTER,
    )
    ticket_reply(ticket=ticket, author=employee, body="Here is the licence key.")
    assert ticket.status == Status.OPEN
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_a_reply_to_a_recently_resolved_ticket_reopens_it(ticket, it_agent, employee):
    ticket = ticket_update(
        ticket_id=ticket.pk, actor=it_agent, expected_version=1, status=Status.RESOLVED
    )
    ticket_reply(ticket=ticket, author=employee, body="It crashes again.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.resolved_at is None
    assert EventKind.REOPENED in kinds_of(ticket)


def test_a_reply_after_the_reopen_window_is_refused(ticket, it_agent, employee):
    ticket_update(ticket_id=ticket.pk, actor=it_agent, expected_version=1, status=Status.RESOLVED)
    Ticket.objects.filter(pk=ticket.pk).update(
        resolved_at=timezone.now() - timedelta(days=ticket.queue.reopen_days, minutes=1)
    )
    with pytest.raises(TransitionNotAllowed):
        ticket_reply(ticket=ticket, author=employee, body="Again?")
    assert ticket.events.filter(kind=EventKind.REPLY).count() == 0


def test_nobody_replies_to_a_closed_ticket(ticket, it_agent, employee):
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
    for author in (employee, it_agent):
        with pytest.raises(TransitionNotAllowed):
            ticket_reply(ticket=ticket, author=author, body="Hello?")


def test_strangers_cannot_reply(ticket, other_employee, facilities_agent):
    for stranger in (other_employee, facilities_agent):
        with pytest.raises(PermissionDenied):
            ticket_reply(ticket=ticket, author=stranger, body="Hi")


def test_internal_notes_are_never_mailed_or_shown_to_the_requester(
    ticket, it_agent, employee, watcher
):
    ticket.watchers.add(watcher)
    before = len(mails_to(employee))
    note = ticket_note(ticket=ticket, author=it_agent, body="Licence pool is empty.")
    assert note.internal
    assert len(mails_to(employee)) == before
    assert mails_to(watcher) == []
    with pytest.raises(PermissionDenied):
        ticket_note(ticket=ticket, author=employee, body="Let me in")


def test_a_reply_mails_the_watchers_but_not_the_author(ticket, it_agent, employee, watcher):
    ticket.watchers.add(watcher)
    ticket_reply(ticket=ticket, author=employee, body="Any news?")
    assert len(mails_to(watcher)) == 1
    assert len(mails_to(employee)) == 1  # only the confirmation of filing


# --- the status machine ---------------------------------------------------------------------


ALL_MOVES = [(old, new) for old in Status for new in Status if old != new]


@pytest.mark.parametrize(("old", "new"), ALL_MOVES)
def test_the_status_machine(it_queue, employee, it_agent, old, new):
    ticket = Ticket.objects.create(
        requester=employee, queue=it_queue, subject="Printer", status=old
    )
    allowed = new in ALLOWED_TRANSITIONS[old]
    if allowed:
        updated = ticket_update(ticket_id=ticket.pk, actor=it_agent, expected_version=1, status=new)
        assert updated.status == new
        assert Ticket.objects.get(pk=ticket.pk).status == new
    else:
        with pytest.raises(TransitionNotAllowed):
            ticket_update(ticket_id=ticket.pk, actor=it_agent, expected_version=1, status=new)
        assert Ticket.objects.get(pk=ticket.pk).status == old


def test_the_machine_matches_the_agreed_moves():
    assert ALLOWED_TRANSITIONS[Status.CLOSED] == set()
    assert Status.CLOSED not in ALLOWED_TRANSITIONS[Status.NEW]
    assert ALLOWED_TRANSITIONS[Status.RESOLVED] == {Status.OPEN, Status.CLOSED}
    assert ALLOWED_TRANSITIONS[Status.WAITING_REQUESTER] == {Status.OPEN, Status.RESOLVED}


def test_resolving_while_approval_is_pending_is_refused(employee, manager, laptop_type, it_agent):
    ticket = ticket_create(requester=employee, subject="Laptop", request_type=laptop_type)
    with pytest.raises(TransitionNotAllowed):
        ticket_update(
            ticket_id=ticket.pk, actor=it_agent, expected_version=1, status=Status.RESOLVED
        )


def test_resolving_records_the_resolution_and_mails_rating_links(ticket, it_agent, employee):
    ticket_update(
        ticket_id=ticket.pk,
        actor=it_agent,
        expected_version=1,
        status=Status.RESOLVED,
        resolution="Installed from the software centre.",
    )
    ticket.refresh_from_db()
    assert ticket.resolved_at is not None
    assert ticket.sla_due_at is None
    event = ticket.events.get(kind=EventKind.STATUS)
    assert event.body == "Installed from the software centre."
    mail = mails_to(employee)[-1]
    assert "Installed from the software centre." in mail.body
    assert "/desk/rate/" in mail.body


def test_priority_and_assignee_changes_are_events_and_tell_the_assignee(ticket, it_agent, it_queue):
    ticket = ticket_update(
        ticket_id=ticket.pk,
        actor=it_agent,
        expected_version=1,
        priority=Priority.URGENT,
        assignee=it_agent,
    )
    assert ticket.version == 2
    assert ticket.priority == Priority.URGENT
    assert {EventKind.PRIORITY, EventKind.ASSIGNED} <= set(kinds_of(ticket))
    # Assigning yourself tells nobody.
    assert notifications_for(it_agent) == []


def test_only_a_queue_agent_can_be_assigned(ticket, it_agent, facilities_agent):
    with pytest.raises(ValidationError):
        ticket_update(
            ticket_id=ticket.pk, actor=it_agent, expected_version=1, assignee=facilities_agent
        )


def test_strangers_cannot_use_the_agent_form(ticket, facilities_agent, employee):
    for stranger in (facilities_agent, employee):
        with pytest.raises(PermissionDenied):
            ticket_update(
                ticket_id=ticket.pk, actor=stranger, expected_version=1, status=Status.OPEN
            )


def test_two_saves_of_the_same_version_conflict_and_nothing_is_overwritten(ticket, it_agent):
    ticket_update(ticket_id=ticket.pk, actor=it_agent, expected_version=1, priority=Priority.HIGH)
    with pytest.raises(TicketConflict) as conflict:
        ticket_update(
            ticket_id=ticket.pk, actor=it_agent, expected_version=1, priority=Priority.LOW
        )
    assert conflict.value.current.priority == Priority.HIGH
    assert conflict.value.current.version == 2
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    assert ticket.events.filter(kind=EventKind.PRIORITY).count() == 1


def test_a_confidential_case_cannot_move_to_a_normal_queue(
    employee, case_type, case_officer, it_queue
):
    ticket = ticket_create(requester=employee, subject="Concern", request_type=case_type)
    with pytest.raises(ValidationError):
        ticket_update(ticket_id=ticket.pk, actor=case_officer, expected_version=1, queue=it_queue)


def test_moving_to_another_queue_drops_an_assignee_who_does_not_work_it(
    ticket, it_agent, facilities_queue
):
    ticket = ticket_update(
        ticket_id=ticket.pk, actor=it_agent, expected_version=1, assignee=it_agent
    )
    ticket = ticket_update(
        ticket_id=ticket.pk, actor=it_agent, expected_version=2, queue=facilities_queue
    )
    assert ticket.queue == facilities_queue
    assert ticket.assignee is None
    assert ticket.events.filter(kind=EventKind.QUEUE).exists()
