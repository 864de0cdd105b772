"""The demo desk: a consistent set of queues, catalog and tickets, as the services would
have left them, written quickly and only once."""

import datetime
import random

import pytest
from django.db.models import Count, F, Q
from django.utils import timezone
from guardian.shortcuts import get_users_with_perms

import helpdesk.seed
from ess.portal.seeding import SeedContext
from helpdesk.models import (
    AppointmentSlot,
    ApprovalRequest,
    ApprovalState,
    CannedReply,
    EventKind,
    Priority,
    Queue,
    RequestType,
    SlaTarget,
    Status,
    Ticket,
    TicketEvent,
)
from helpdesk.seed.catalog import SLA_MINUTES
from hr.seed import seed_demo as seed_hr

pytestmark = pytest.mark.django_db

FINISHED = (Status.RESOLVED, Status.CLOSED)


@pytest.fixture
def seeded():
    ctx = SeedContext(rng=random.Random(2026), scale=1, write=lambda line: None)
    seed_hr(ctx)
    summary = helpdesk.seed.seed_helpdesk(ctx=ctx, tickets=helpdesk.seed.DEFAULT_TICKETS)
    return ctx, summary


def test_the_desk_has_queues_people_hours_and_a_catalog(seeded):
    ctx, summary = seeded
    assert set(Queue.objects.values_list("slug", flat=True)) == {
        "it", "hr", "payroll", "facilities", "hr-cases",
    }  # fmt: skip
    cases = Queue.objects.get(slug="hr-cases")
    assert cases.confidential
    assert [
        u.email for u in get_users_with_perms(cases, only_with_perms_in=["handle_confidential"])
    ] == ["hanna.hr@northwind.example"]
    it = Queue.objects.get(slug="it")
    assert it.agents.filter(email="ivan.agent@northwind.example").exists()
    assert it.business_hours.filter(weekday=5).exists()
    assert not Queue.objects.get(slug="hr").business_hours.filter(weekday=5).exists()
    assert it.holidays.filter(date=datetime.date(2026, 4, 27)).exists()
    assert all(queue.lead_id and queue.agents.exists() for queue in Queue.objects.all())
    assert SlaTarget.objects.count() == 5 * 4
    assert RequestType.objects.count() == 14
    laptop = RequestType.objects.get(slug="new-laptop")
    assert laptop.approval == "manager"
    assert list(laptop.fields.values_list("key", flat=True)) == ["model", "reason", "needed_by"]
    assert RequestType.objects.filter(allows_appointments=True).count() == 2
    assert RequestType.objects.get(slug="report-a-concern").queue == cases
    assert set(CannedReply.objects.values_list("queue__slug", flat=True)) >= {
        None, "it", "hr", "payroll", "facilities", "hr-cases",
    }  # fmt: skip
    assert any(note.endswith("(Facilities)") for _role, _email, note in ctx.logins)
    assert summary["tickets"] == Ticket.objects.count() == helpdesk.seed.DEFAULT_TICKETS


def test_every_ticket_tells_a_consistent_story(seeded):
    tickets = Ticket.objects.all()
    assert set(tickets.values_list("status", flat=True)) == set(Status.values)
    # One CREATED event each, by the requester, at the ticket's creation.
    created = TicketEvent.objects.filter(kind=EventKind.CREATED)
    assert created.count() == tickets.count()
    assert not created.exclude(created_at=F("ticket__created_at")).exists()
    assert not created.exclude(actor=F("ticket__requester")).exists()
    # Answered: a public reply by someone else at that moment.
    answered = tickets.filter(first_responded_at__isnull=False)
    replies = TicketEvent.objects.filter(
        kind=EventKind.REPLY, internal=False, created_at=F("ticket__first_responded_at")
    ).exclude(actor=F("ticket__requester"))
    assert replies.values("ticket").distinct().count() == answered.count()
    assert not tickets.filter(status=Status.NEW, first_responded_at__isnull=False).exists()
    # Finished work has its times; unfinished has none.
    assert not tickets.exclude(status__in=FINISHED).filter(resolved_at__isnull=False).exists()
    assert not tickets.filter(status=Status.CLOSED, closed_at__isnull=True).exists()
    assert not tickets.exclude(status=Status.CLOSED).filter(closed_at__isnull=False).exists()
    assert not tickets.filter(status=Status.RESOLVED, resolved_at__isnull=True).exists()
    assert not tickets.filter(resolved_at__lt=F("created_at")).exists()
    assert not tickets.filter(updated_at__lt=F("created_at")).exists()
    assert not tickets.filter(created_at__gt=timezone.now()).exists()
    # Ratings only on finished tickets.
    rated = tickets.filter(rating__isnull=False)
    assert rated.exists()
    assert rated.exclude(rating_comment="").exists()
    assert not rated.exclude(status__in=FINISHED).exists()
    assert not rated.filter(rated_at__isnull=True).exists()
    assert not tickets.filter(rating__isnull=True, rated_at__isnull=False).exists()
    # Confidential exactly in the confidential queue.
    assert not tickets.exclude(confidential=F("queue__confidential")).exists()
    assert tickets.filter(confidential=True).exists()
    # Merged duplicates are closed into a ticket of the same queue.
    merged = tickets.filter(merged_into__isnull=False)
    assert merged.exists()
    assert not merged.exclude(status=Status.CLOSED).exists()
    assert not merged.exclude(queue=F("merged_into__queue")).exists()
    assert Ticket.watchers.through.objects.exists()


def test_approvals_hold_the_clock_until_decided(seeded):
    approvals = ApprovalRequest.objects.select_related("ticket", "ticket__request_type")
    assert {a.state for a in approvals} == {
        ApprovalState.PENDING, ApprovalState.APPROVED, ApprovalState.REJECTED,
    }  # fmt: skip
    for approval in approvals:
        ticket = approval.ticket
        assert ticket.request_type.approval
        assert ticket.approval_state == approval.state
        assert bool(approval.approver_id) != bool(approval.role)
        if approval.state == ApprovalState.PENDING:
            assert ticket.status == Status.NEW
            assert ticket.sla_started_at is None
            assert approval.decided_at is None
        elif approval.state == ApprovalState.REJECTED:
            assert ticket.status == Status.CLOSED
            assert ticket.sla_started_at is None
            assert ticket.resolved_at is None
        else:
            assert ticket.sla_started_at == approval.decided_at
    without = Ticket.objects.filter(request_type__approval="").exclude(approval_state="")
    assert not without.exists()


def test_sla_fields_follow_the_clock(seeded):
    from helpdesk.sla import BusinessCalendar

    tickets = Ticket.objects.select_related("queue").exclude(sla_started_at=None)
    assert tickets.filter(
        Q(response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False)
    ).exists()
    paused = tickets.filter(status=Status.WAITING_REQUESTER)
    assert paused.exists()
    assert not paused.filter(
        Q(sla_paused_at=None) | Q(sla_due_at__isnull=False) | Q(resolution_due_at__isnull=False)
    ).exists()
    assert (
        not tickets.exclude(status=Status.WAITING_REQUESTER)
        .filter(sla_paused_at__isnull=False)
        .exists()
    )
    assert not tickets.filter(status__in=FINISHED, sla_due_at__isnull=False).exists()
    running = tickets.filter(status__in=[Status.NEW, Status.OPEN, Status.WAITING_THIRD_PARTY])
    for ticket in running:
        due = [ticket.resolution_due_at]
        if ticket.first_responded_at is None:
            due.append(ticket.first_response_due_at)
        assert ticket.sla_due_at == min(due)
    # Due times are the queue's business calendar's (the escalation keeps them).
    calendars = {}
    unbreached = tickets.exclude(status=Status.WAITING_REQUESTER).filter(
        response_breached_at=None, resolution_breached_at=None
    )
    for ticket in unbreached[:120]:
        calendar = calendars.setdefault(ticket.queue_id, BusinessCalendar.for_queue(ticket.queue))
        response, resolution = SLA_MINUTES[Priority(ticket.priority)]
        start = ticket.sla_started_at
        assert ticket.first_response_due_at == calendar.add_minutes(start, response)
        assert ticket.resolution_due_at == calendar.add_minutes(start, resolution)
    escalated = tickets.filter(resolution_breached_at__isnull=False)
    assert not escalated.exclude(assignee=F("queue__lead")).exists()


def test_appointment_slots_for_the_next_two_weeks_some_booked(seeded):
    now = timezone.now()
    slots = AppointmentSlot.objects.all()
    assert slots.count() >= 50
    assert not slots.filter(starts_at__lt=now).exists()
    assert not slots.filter(starts_at__gt=now + datetime.timedelta(days=21)).exists()
    booked = slots.filter(ticket__isnull=False)
    assert booked.exists()
    assert not booked.exclude(ticket__request_type__allows_appointments=True).exists()
    assert not booked.exclude(ticket__queue=F("queue")).exists()


def test_seeding_again_changes_nothing(seeded):
    ctx, _summary = seeded
    counts = (Queue.objects.count(), Ticket.objects.count(), TicketEvent.objects.count())
    assert helpdesk.seed.seed_helpdesk(ctx=ctx, tickets=100) is None
    lines: list[str] = []
    ctx.write = lines.append
    helpdesk.seed.seed_demo(ctx)
    assert lines == ["  helpdesk: already seeded; nothing to do"]
    assert (Queue.objects.count(), Ticket.objects.count(), TicketEvent.objects.count()) == counts


def test_a_larger_scale_makes_its_share_of_tickets(monkeypatch):
    assert helpdesk.seed.tickets_for_scale(134) == 1_005_000
    monkeypatch.setattr(helpdesk.seed, "TICKETS_PER_SCALE", 700)
    ctx = SeedContext(rng=random.Random(7), scale=3, write=lambda line: None)
    seed_hr(SeedContext(rng=random.Random(7), scale=1, write=lambda line: None))
    helpdesk.seed.seed_demo(ctx)
    assert Ticket.objects.count() == 2100
    per_ticket = Ticket.objects.annotate(
        created=Count("events", filter=Q(events__kind=EventKind.CREATED))
    )
    assert not per_ticket.exclude(created=1).exists()
    added = helpdesk.seed.tickets_add(count=900)
    assert added.tickets == 900
    assert Ticket.objects.count() == 3000
