"""Approvals, merging, links, watchers, bulk changes and ratings."""

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError

from ess.audit.models import AuditEvent
from helpdesk.models import ApprovalState, EventKind, Priority, Status, Ticket, TicketLink
from helpdesk.services import (
    approval_decide,
    rating_token_read,
    rating_url,
    ticket_create,
    ticket_link,
    ticket_merge,
    ticket_rate,
    ticket_unlink,
    ticket_update,
    tickets_bulk_update,
    watcher_add,
    watcher_remove,
)
from tests.helpdesk.core.conftest import mails_to, notifications_for
from tests.helpdesk.factories import TicketFactory


@pytest.fixture
def laptop(employee, manager, laptop_type):
    return ticket_create(requester=employee, subject="New laptop", request_type=laptop_type)


@pytest.fixture
def ticket(employee, software_type):
    return ticket_create(requester=employee, subject="Install Inkscape", request_type=software_type)


def resolved(ticket, agent):
    return ticket_update(
        ticket_id=ticket.pk, actor=agent, expected_version=ticket.version, status=Status.RESOLVED
    )


# --- approvals -------------------------------------------------------------------------------


def test_approval_starts_the_sla_and_tells_the_requester(laptop, manager, employee):
    approval_decide(approval=laptop.approval, actor=manager, approve=True, comment="Fine.")
    laptop.refresh_from_db()
    assert laptop.approval_state == ApprovalState.APPROVED
    assert laptop.status == Status.NEW
    assert laptop.sla_started_at is not None
    assert laptop.approval.decided_by == manager
    assert laptop.events.filter(kind=EventKind.APPROVED, body="Fine.").exists()
    assert "approved" in mails_to(employee)[-1].body
    assert AuditEvent.objects.filter(action="helpdesk.approval_approved").count() == 1


def test_rejection_closes_the_ticket_with_the_reason(laptop, manager, employee):
    approval_decide(approval=laptop.approval, actor=manager, approve=False, comment="Not now.")
    laptop.refresh_from_db()
    assert laptop.status == Status.CLOSED
    assert laptop.approval_state == ApprovalState.REJECTED
    assert laptop.sla_started_at is None
    assert "Not now." in mails_to(employee)[-1].body
    assert AuditEvent.objects.filter(action="helpdesk.approval_rejected").count() == 1


def test_only_the_approver_decides_and_only_once(laptop, manager, employee, it_agent):
    for someone in (employee, it_agent):
        with pytest.raises(PermissionDenied):
            approval_decide(approval=laptop.approval, actor=someone, approve=True)
    approval_decide(approval=laptop.approval, actor=manager, approve=True)
    with pytest.raises(PermissionDenied):
        approval_decide(approval=laptop.approval, actor=manager, approve=False)


def test_approved_work_can_then_be_resolved(laptop, manager, it_agent):
    approval_decide(approval=laptop.approval, actor=manager, approve=True)
    laptop.refresh_from_db()
    assert resolved(laptop, it_agent).status == Status.RESOLVED


# --- merge ---------------------------------------------------------------------------------


def test_merging_closes_duplicates_into_the_target_and_their_people_follow_it(
    ticket, it_agent, other_employee, software_type, watcher, employee
):
    duplicate = ticket_create(
        requester=other_employee, subject="Inkscape please", request_type=software_type
    )
    duplicate.watchers.add(watcher)
    ticket_merge(actor=it_agent, target=ticket, duplicates=[duplicate])
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED
    assert duplicate.merged_into == ticket
    assert duplicate.sla_due_at is None
    assert set(ticket.watchers.all()) == {other_employee, watcher}
    assert duplicate.events.filter(kind=EventKind.MERGED).count() == 1
    assert ticket.events.get(kind=EventKind.MERGED).data == {"merged": [duplicate.pk]}
    assert "merged" in mails_to(other_employee)[-1].body
    assert AuditEvent.objects.filter(action="helpdesk.ticket_merged").count() == 1


def test_merge_refusals(ticket, it_agent, software_type, employee, case_type, case_officer):
    with pytest.raises(ValidationError):
        ticket_merge(actor=it_agent, target=ticket, duplicates=[ticket])
    case = ticket_create(requester=employee, subject="Concern", request_type=case_type)
    with pytest.raises(PermissionDenied):
        ticket_merge(actor=it_agent, target=ticket, duplicates=[case])
    other = ticket_create(requester=employee, subject="Again", request_type=software_type)
    ticket_merge(actor=it_agent, target=ticket, duplicates=[other])
    with pytest.raises(ValidationError):
        ticket_merge(actor=it_agent, target=ticket, duplicates=[other])
    with pytest.raises(ValidationError):
        ticket_merge(actor=it_agent, target=other, duplicates=[ticket])


def test_a_confidential_case_and_a_normal_ticket_are_never_merged(
    employee, case_type, case_officer, it_queue
):
    case = ticket_create(requester=employee, subject="Concern", request_type=case_type)
    normal = TicketFactory(requester=employee, queue=it_queue)
    it_queue.agents.add(case_officer)
    with pytest.raises(ValidationError):
        ticket_merge(actor=case_officer, target=case, duplicates=[normal])


# --- links and watchers ----------------------------------------------------------------------


def test_links_are_stored_once_and_can_be_removed(ticket, it_agent, software_type, employee):
    other = ticket_create(requester=employee, subject="Related", request_type=software_type)
    ticket_link(actor=it_agent, ticket=other, other=ticket)
    ticket_link(actor=it_agent, ticket=ticket, other=other)
    link = TicketLink.objects.get()
    assert (link.from_ticket_id, link.to_ticket_id) == (ticket.pk, other.pk)
    assert ticket_unlink(actor=it_agent, ticket=ticket, other=other)
    assert not TicketLink.objects.exists()
    with pytest.raises(ValidationError):
        ticket_link(actor=it_agent, ticket=ticket, other=ticket)


def test_watchers(ticket, it_agent, watcher, other_employee, employee):
    assert watcher_add(ticket=ticket, user=watcher, actor=it_agent)
    assert not watcher_add(ticket=ticket, user=watcher, actor=it_agent)
    with pytest.raises(PermissionDenied):
        watcher_add(ticket=ticket, user=other_employee, actor=other_employee)
    assert watcher_remove(ticket=ticket, user=watcher, actor=watcher)
    assert not ticket.watchers.exists()


def test_a_confidential_case_has_no_watchers(employee, case_type, case_officer, watcher):
    case = ticket_create(requester=employee, subject="Concern", request_type=case_type)
    with pytest.raises(ValidationError):
        watcher_add(ticket=case, user=watcher, actor=case_officer)


# --- bulk ----------------------------------------------------------------------------------


def test_bulk_update_changes_what_the_agent_may_work_and_skips_the_rest(
    it_agent, it_queue, facilities_queue, employee
):
    mine = TicketFactory.create_batch(3, queue=it_queue, requester=employee)
    theirs = TicketFactory(queue=facilities_queue, requester=employee)
    closed = TicketFactory(queue=it_queue, requester=employee, status=Status.CLOSED)
    result = tickets_bulk_update(
        actor=it_agent,
        ticket_ids=[t.pk for t in mine] + [theirs.pk, closed.pk],
        priority=Priority.HIGH,
        status=Status.OPEN,
    )
    assert result.updated == [t.pk for t in mine]
    assert [pk for pk, _reason in result.skipped] == [theirs.pk, closed.pk]
    assert set(Ticket.objects.filter(priority=Priority.HIGH).values_list("pk", flat=True)) == {
        t.pk for t in mine
    }
    assert Ticket.objects.get(pk=closed.pk).status == Status.CLOSED
    assert AuditEvent.objects.filter(action="helpdesk.bulk_update").count() == 1


# --- ratings -------------------------------------------------------------------------------


def test_only_the_requester_rates_and_only_once_resolved(ticket, it_agent, employee, watcher):
    with pytest.raises(ValidationError):
        ticket_rate(ticket=ticket, user=employee, rating=5)
    resolved(ticket, it_agent)
    ticket.refresh_from_db()
    for someone in (it_agent, watcher):
        with pytest.raises(PermissionDenied):
            ticket_rate(ticket=ticket, user=someone, rating=1)
    with pytest.raises(ValidationError):
        ticket_rate(ticket=ticket, user=employee, rating=6)
    ticket_rate(ticket=ticket, user=employee, rating=4, comment="Quick")
    ticket_rate(ticket=ticket, user=employee, rating=5)
    ticket.refresh_from_db()
    assert (ticket.rating, ticket.rating_comment) == (5, "")
    assert ticket.events.filter(kind=EventKind.RATED).count() == 2


def test_a_rating_link_reads_back_and_refuses_tampering(ticket):
    url = rating_url(ticket, 4)
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert rating_token_read(token) == (ticket.pk, 4)
    with pytest.raises(signing.BadSignature):
        rating_token_read(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    forged = signing.dumps({"t": ticket.pk, "r": 5}, salt="another-purpose")
    with pytest.raises(signing.BadSignature):
        rating_token_read(forged)


def test_the_assignee_hears_of_a_requester_reply(ticket, it_agent, employee):
    from helpdesk.services import ticket_reply

    ticket = ticket_update(
        ticket_id=ticket.pk, actor=it_agent, expected_version=1, assignee=it_agent
    )
    ticket_reply(ticket=ticket, author=employee, body="Any news?")
    [note] = notifications_for(it_agent)
    assert note.kind == "helpdesk.assigned"


def test_a_request_merged_away_while_waiting_leaves_the_approvers_list(
    laptop, manager, employee, it_agent, software_type
):
    from helpdesk.selectors import pending_approvals

    target = ticket_create(requester=employee, subject="Laptop too", request_type=software_type)
    assert list(pending_approvals(manager)) == [laptop.approval]
    ticket_merge(actor=it_agent, target=target, duplicates=[laptop])
    assert list(pending_approvals(manager)) == []
    laptop.approval.refresh_from_db()
    with pytest.raises(PermissionDenied):
        approval_decide(approval=laptop.approval, actor=manager, approve=True)


def test_a_role_approval_asks_every_holder_but_the_requester(
    employee, it_queue, hr_officer, case_officer
):
    from helpdesk.models import Approval, RequestType

    request_type = RequestType.objects.create(
        queue=it_queue,
        name="Badge",
        slug="badge",
        approval=Approval.ROLE,
        approval_role="hr_officer",
    )
    ticket = ticket_create(requester=case_officer, subject="Badge", request_type=request_type)
    assert ticket.approval.role == "hr_officer"
    assert [n.kind for n in notifications_for(hr_officer)] == ["helpdesk.approval"]
    assert [n.kind for n in notifications_for(case_officer)] == ["helpdesk.ticket"]
    approval_decide(approval=ticket.approval, actor=hr_officer, approve=True)
    assert Ticket.objects.get(pk=ticket.pk).approval_state == ApprovalState.APPROVED
