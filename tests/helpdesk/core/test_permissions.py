"""Who sees and works which ticket: the per-ticket checks and the list selectors must give
the same answer for every person, on a normal ticket and on a confidential case."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from guardian.shortcuts import assign_perm

from ess.accounts.models import User
from helpdesk.models import ApprovalRequest, ApprovalState
from helpdesk.permissions import (
    agent_queue_ids,
    can_approve,
    can_manage_desk,
    can_view_ticket,
    can_work_ticket,
)
from helpdesk.selectors import pending_approvals, visible_tickets, workable_tickets
from tests.helpdesk.factories import QueueFactory, TicketFactory

PEOPLE = [
    "requester",
    "on_behalf_of",
    "other_employee",
    "it_agent",
    "facilities_agent",
    "hr_officer",
    "case_officer",
    "manager",
    "watcher",
    "admin_user",
    "anonymous",
]
SEES_NORMAL = {"requester", "on_behalf_of", "it_agent", "manager", "watcher", "admin_user"}
SEES_CONFIDENTIAL = {"requester", "on_behalf_of", "case_officer"}
WORKS_NORMAL = {"it_agent"}
WORKS_CONFIDENTIAL = {"case_officer"}


@pytest.fixture
def cast(request, employee, report, manager, watcher, it_queue, cases_queue, facilities_queue):
    """Both tickets are filed by `employee` for `report`, watched by `watcher` and wait for
    `manager`'s approval; one is in IT, the other a confidential HR case."""
    tickets = {}
    for name, queue in (("normal", it_queue), ("confidential", cases_queue)):
        ticket = TicketFactory(requester=employee, on_behalf_of=report, queue=queue)
        ticket.watchers.add(watcher)
        ApprovalRequest.objects.create(ticket=ticket, approver=manager)
        tickets[name] = ticket
    people = {
        "requester": employee,
        "on_behalf_of": report,
        "watcher": watcher,
        "manager": manager,
        "anonymous": AnonymousUser(),
    }
    for name in PEOPLE:
        if name not in people:
            people[name] = request.getfixturevalue(name)
    return people, tickets


@pytest.mark.parametrize("who", PEOPLE)
def test_who_sees_and_works_a_normal_ticket(cast, who):
    people, tickets = cast
    user, ticket = people[who], tickets["normal"]
    assert can_view_ticket(user, ticket) is (who in SEES_NORMAL)
    assert can_work_ticket(user, ticket) is (who in WORKS_NORMAL)
    assert (ticket in visible_tickets(user)) is (who in SEES_NORMAL)
    assert (ticket in workable_tickets(user)) is (who in WORKS_NORMAL)


@pytest.mark.parametrize("who", PEOPLE)
def test_who_sees_and_works_a_confidential_case(cast, who):
    people, tickets = cast
    user, ticket = people[who], tickets["confidential"]
    assert can_view_ticket(user, ticket) is (who in SEES_CONFIDENTIAL)
    assert can_work_ticket(user, ticket) is (who in WORKS_CONFIDENTIAL)
    assert (ticket in visible_tickets(user)) is (who in SEES_CONFIDENTIAL)
    assert (ticket in workable_tickets(user)) is (who in WORKS_CONFIDENTIAL)


def test_counts_of_visible_tickets_do_not_reveal_confidential_cases(cast, hr_officer):
    assert visible_tickets(hr_officer).count() == 0
    assert workable_tickets(hr_officer).count() == 0
    assert visible_tickets(hr_officer).filter(confidential=True).count() == 0


def test_an_officer_who_files_a_case_follows_it_but_does_not_work_it(case_officer, cases_queue):
    ticket = TicketFactory(requester=case_officer, queue=cases_queue)
    assert can_view_ticket(case_officer, ticket)
    assert not can_work_ticket(case_officer, ticket)
    assert ticket not in workable_tickets(case_officer)


def test_an_agent_who_files_in_their_own_queue_may_work_it(it_agent, it_queue):
    ticket = TicketFactory(requester=it_agent, queue=it_queue)
    assert can_work_ticket(it_agent, ticket)


def test_a_grant_on_one_case_opens_that_case_only(hr_officer, cases_queue, employee):
    granted = TicketFactory(requester=employee, queue=cases_queue)
    other = TicketFactory(requester=employee, queue=cases_queue)
    assign_perm("helpdesk.view_ticket", hr_officer, granted)
    assert can_view_ticket(hr_officer, granted)
    assert not can_work_ticket(hr_officer, granted)
    assign_perm("helpdesk.change_ticket", hr_officer, granted)
    assert can_work_ticket(hr_officer, granted)
    assert list(visible_tickets(hr_officer)) == [granted]
    assert list(workable_tickets(hr_officer)) == [granted]
    assert not can_view_ticket(hr_officer, other)


def test_a_group_grant_on_the_queue_makes_its_members_officers(hr_officer, cases_queue, employee):
    ticket = TicketFactory(requester=employee, queue=cases_queue)
    team = Group.objects.create(name="case-team")
    hr_officer.groups.add(team)
    assign_perm("helpdesk.handle_confidential", team, cases_queue)
    assert can_view_ticket(hr_officer, ticket)
    assert can_work_ticket(hr_officer, ticket)
    assert ticket in visible_tickets(hr_officer)


def test_a_role_approver_sees_the_request_and_may_decide(employee, hr_officer, it_queue):
    ticket = TicketFactory(requester=employee, queue=it_queue)
    approval = ApprovalRequest.objects.create(ticket=ticket, role="hr_officer")
    assert can_view_ticket(hr_officer, ticket)
    assert can_approve(hr_officer, approval)
    assert list(pending_approvals(hr_officer)) == [approval]
    approval.state = ApprovalState.APPROVED
    assert not can_approve(hr_officer, approval)


def test_nobody_approves_their_own_request(manager, it_queue):
    ticket = TicketFactory(requester=manager, queue=it_queue)
    approval = ApprovalRequest.objects.create(ticket=ticket, approver=manager)
    assert not can_approve(manager, approval)
    assert list(pending_approvals(manager)) == []


def test_queue_membership_and_desk_management(it_agent, it_queue, admin_user, employee):
    assert agent_queue_ids(it_agent) == {it_queue.pk}
    assert agent_queue_ids(AnonymousUser()) == set()
    assert can_manage_desk(admin_user)
    assert not can_manage_desk(it_agent)
    assert not can_manage_desk(employee)


@pytest.mark.parametrize("selector", [visible_tickets, workable_tickets])
def test_ticket_lists_take_the_same_number_of_queries_for_5_and_50_tickets(
    selector, it_agent, it_queue, django_assert_num_queries
):
    # Visibility: the person's roles (cached on the user) and the tickets, with every rule
    # as a subquery. The workspace reads the person's queues and their queue and ticket
    # grants in one statement, so the ticket query is a plain, indexable list of ids.
    expected = 2
    TicketFactory.create_batch(5, queue=it_queue)
    agent = User.objects.get(pk=it_agent.pk)
    with django_assert_num_queries(expected):
        assert len(list(selector(agent))) == 5
    TicketFactory.create_batch(45, queue=it_queue)
    agent = User.objects.get(pk=it_agent.pk)
    with django_assert_num_queries(expected):
        assert len(list(selector(agent))) == 50


def test_the_workspace_reads_direct_and_group_grants(hr_officer, cases_queue, employee, it_queue):
    """workable_tickets reads the grants in one written-out statement: each of its four
    sources (queue or ticket, to the person or to a group) must count, and nothing else."""
    by_group_queue = TicketFactory(requester=employee, queue=cases_queue)
    team = Group.objects.create(name="case-team")
    assert list(workable_tickets(hr_officer)) == []
    hr_officer.groups.add(team)
    assign_perm("helpdesk.handle_confidential", team, cases_queue)
    assert set(workable_tickets(hr_officer)) == {by_group_queue}

    other_queue = QueueFactory(confidential=True)
    by_user_ticket = TicketFactory(requester=employee, queue=other_queue)
    by_group_ticket = TicketFactory(requester=employee, queue=other_queue)
    seen_only = TicketFactory(requester=employee, queue=other_queue)
    assign_perm("helpdesk.change_ticket", hr_officer, by_user_ticket)
    assign_perm("helpdesk.change_ticket", team, by_group_ticket)
    assign_perm("helpdesk.view_ticket", hr_officer, seen_only)
    assert set(workable_tickets(hr_officer)) == {by_group_queue, by_user_ticket, by_group_ticket}

    hr_officer.groups.remove(team)
    assert set(workable_tickets(hr_officer)) == {by_user_ticket}
