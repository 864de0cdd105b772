"""The hooks the ticket services call: start, first response, pause, resume, stop, priority."""

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk.models import Priority, SlaState, Status
from helpdesk.sla import (
    sla_first_response,
    sla_priority_changed,
    sla_start,
    sla_state,
    sla_status_changed,
)
from tests.helpdesk.factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 10, 8, 0, tzinfo=UTC)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


@pytest.fixture
def ticket(it_queue):
    # The IT queue works around the clock; normal priority: response 240, resolution 1440.
    return TicketFactory(queue=it_queue, priority=Priority.NORMAL)


def _move(ticket, new_status, now):
    fields = sla_status_changed(ticket, ticket.status, new_status, now)
    ticket.status = new_status
    ticket.save()
    return fields


def test_starting_sets_both_due_times_and_the_earliest_as_sla_due(ticket):
    fields = sla_start(ticket, NOW)
    assert "sla_due_at" in fields
    assert ticket.sla_started_at == NOW
    assert ticket.first_response_due_at == NOW + minutes(240)
    assert ticket.resolution_due_at == NOW + minutes(1440)
    assert ticket.sla_due_at == NOW + minutes(240)


def test_a_queue_without_a_target_has_no_sla(db):
    ticket = TicketFactory(queue=QueueFactory(name="Canteen"))
    sla_start(ticket, NOW)
    assert ticket.first_response_due_at is None
    assert ticket.resolution_due_at is None
    assert ticket.sla_due_at is None
    assert sla_state(ticket, NOW) == SlaState.NONE


def test_first_response_leaves_only_the_resolution_clock(ticket):
    sla_start(ticket, NOW)
    fields = sla_first_response(ticket, NOW + minutes(30))
    assert ticket.first_responded_at == NOW + minutes(30)
    assert ticket.sla_due_at == ticket.resolution_due_at
    assert set(fields) >= {"first_responded_at", "sla_due_at"}
    assert sla_first_response(ticket, NOW + minutes(60)) == []
    assert ticket.first_responded_at == NOW + minutes(30)


def test_waiting_on_the_requester_pauses_and_keeps_the_minutes_left(ticket):
    sla_start(ticket, NOW)
    ticket.save()
    _move(ticket, Status.OPEN, NOW)
    _move(ticket, Status.WAITING_REQUESTER, NOW + minutes(100))
    assert ticket.sla_paused_at == NOW + minutes(100)
    assert ticket.first_response_remaining_minutes == 140
    assert ticket.resolution_remaining_minutes == 1340
    assert ticket.first_response_due_at is None
    assert ticket.sla_due_at is None
    assert sla_state(ticket, NOW + minutes(5000)) == SlaState.PAUSED

    # Three days later the requester answers: the clock continues with what was left.
    resumed = NOW + timedelta(days=3)
    _move(ticket, Status.OPEN, resumed)
    assert ticket.sla_paused_at is None
    assert ticket.first_response_due_at == resumed + minutes(140)
    assert ticket.resolution_due_at == resumed + minutes(1340)
    assert ticket.sla_due_at == resumed + minutes(140)
    assert ticket.first_response_remaining_minutes is None


def test_waiting_on_a_third_party_does_not_pause(ticket):
    sla_start(ticket, NOW)
    due = ticket.sla_due_at
    assert _move(ticket, Status.OPEN, NOW) == []
    assert _move(ticket, Status.WAITING_THIRD_PARTY, NOW + minutes(10)) == []
    assert ticket.sla_due_at == due
    assert ticket.sla_paused_at is None


def test_pause_keeps_business_minutes_on_an_office_hours_queue(ticket, it_queue):
    from datetime import time

    from helpdesk.models import BusinessHours

    for weekday in range(5):
        BusinessHours.objects.create(
            queue=it_queue, weekday=weekday, opens=time(9), closes=time(17)
        )
    # Tuesday 10 June 2025 09:00 in Amsterdam is 07:00 UTC.
    start = datetime(2025, 6, 10, 7, tzinfo=UTC)
    sla_start(ticket, start)
    sla_first_response(ticket, start + minutes(10))
    _move(ticket, Status.WAITING_REQUESTER, start + minutes(60))
    assert ticket.resolution_remaining_minutes == 1380
    # Resumed Friday 16:00 local (14:00 UTC): 60 minutes on Friday, 480 on Monday and on
    # Tuesday, the last 360 on Wednesday: due Wednesday 15:00 local.
    _move(ticket, Status.OPEN, datetime(2025, 6, 13, 14, tzinfo=UTC))
    assert ticket.resolution_due_at == datetime(2025, 6, 18, 13, tzinfo=UTC)


def test_resolving_stops_the_clock_and_reopening_continues_it(ticket):
    sla_start(ticket, NOW)
    sla_first_response(ticket, NOW + minutes(5))
    _move(ticket, Status.OPEN, NOW + minutes(5))
    _move(ticket, Status.RESOLVED, NOW + minutes(440))
    assert ticket.sla_due_at is None
    assert ticket.resolution_remaining_minutes == 1000
    assert ticket.resolution_due_at == NOW + minutes(1440)  # kept for reports
    assert sla_state(ticket, NOW + timedelta(days=5)) == SlaState.NONE

    reopened = NOW + timedelta(days=2)
    _move(ticket, Status.OPEN, reopened)
    assert ticket.resolution_due_at == reopened + minutes(1000)
    assert ticket.sla_due_at == reopened + minutes(1000)
    _move(ticket, Status.CLOSED, reopened + minutes(10))
    assert ticket.sla_due_at is None


def test_resolving_while_paused_stops_without_a_pause(ticket):
    sla_start(ticket, NOW)
    _move(ticket, Status.WAITING_REQUESTER, NOW + minutes(20))
    _move(ticket, Status.RESOLVED, NOW + minutes(300))
    assert ticket.sla_paused_at is None
    assert ticket.sla_due_at is None
    assert ticket.resolution_remaining_minutes == 1420


def test_a_ticket_whose_clock_never_started_is_left_alone(ticket):
    assert _move(ticket, Status.WAITING_REQUESTER, NOW) == []
    assert ticket.sla_paused_at is None


def test_raising_the_priority_keeps_the_time_already_used(ticket):
    sla_start(ticket, NOW)
    ticket.save()
    ticket.priority = Priority.HIGH  # response 60, resolution 480
    sla_priority_changed(ticket, NOW + minutes(30))
    assert ticket.first_response_due_at == NOW + minutes(60)
    assert ticket.resolution_due_at == NOW + minutes(480)
    assert ticket.sla_due_at == NOW + minutes(60)


def test_raising_the_priority_after_the_new_target_passed_breaches_at_once(ticket):
    sla_start(ticket, NOW)
    ticket.save()
    ticket.priority = Priority.URGENT  # response 30
    later = NOW + minutes(100)
    sla_priority_changed(ticket, later, old_priority=Priority.NORMAL, old_queue_id=ticket.queue_id)
    assert ticket.first_response_due_at == NOW + minutes(30)
    assert sla_state(ticket, later) == SlaState.BREACHED


def test_changing_the_priority_while_paused_adjusts_the_minutes_left(ticket):
    sla_start(ticket, NOW)
    sla_first_response(ticket, NOW + minutes(10))
    _move(ticket, Status.WAITING_REQUESTER, NOW + minutes(40))
    assert ticket.resolution_remaining_minutes == 1400
    ticket.priority = Priority.LOW  # resolution 4800
    sla_priority_changed(ticket, NOW + minutes(500), old_priority=Priority.NORMAL)
    assert ticket.resolution_remaining_minutes == 4760
    assert ticket.sla_due_at is None
    assert ticket.sla_paused_at is not None


def test_a_priority_without_a_target_ends_the_sla(ticket, it_queue):
    sla_start(ticket, NOW)
    ticket.save()
    it_queue.sla_targets.filter(priority=Priority.LOW).delete()
    ticket.priority = Priority.LOW
    sla_priority_changed(ticket, NOW + minutes(5))
    assert ticket.sla_due_at is None
    assert sla_state(ticket, NOW + minutes(5)) == SlaState.NONE


def test_a_queue_that_never_opens_files_tickets_without_an_sla(ticket, it_queue):
    from datetime import date, time

    from helpdesk.models import BusinessHours, Holiday

    BusinessHours.objects.create(queue=it_queue, weekday=0, opens=time(9), closes=time(17))
    for week in range(60):
        Holiday.objects.create(
            queue=it_queue, date=date(2025, 6, 16) + timedelta(weeks=week), name="Closed"
        )
    assert sla_start(ticket, NOW) == []
