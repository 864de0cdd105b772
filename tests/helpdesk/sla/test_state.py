"""`sla_state` (one ticket, for badges) and `filter_by_sla_state` (SQL, for lists) agree."""

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk.models import Priority, SlaState, Ticket
from helpdesk.sla import filter_by_sla_state, sla_state, warn_windows
from tests.helpdesk.factories import QueueFactory, SlaTargetFactory, TicketFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def grid(it_queue):
    """Tickets in every state, for two queues with different warn windows."""
    other = QueueFactory(name="Facilities")
    SlaTargetFactory(
        queue=other,
        priority=Priority.NORMAL,
        first_response_minutes=100,
        resolution_minutes=1000,
        warn_at_percent=50,
    )
    tickets = []
    for queue in (it_queue, other):
        for priority in (Priority.NORMAL, Priority.HIGH):
            for responded in (None, NOW - timedelta(hours=1)):
                tickets.extend(
                    TicketFactory(
                        queue=queue,
                        priority=priority,
                        first_responded_at=responded,
                        sla_started_at=NOW - timedelta(hours=1),
                        sla_due_at=NOW + timedelta(minutes=offset),
                    )
                    for offset in (-30, 0, 1, 10, 15, 50, 59, 61, 120, 200, 400, 600, 5000)
                )
        tickets.append(TicketFactory(queue=queue))  # no SLA
        tickets.append(
            TicketFactory(queue=queue, sla_started_at=NOW, sla_paused_at=NOW, sla_due_at=None)
        )
    return tickets


def test_every_state_in_sql_matches_the_badge(grid):
    windows = warn_windows()
    expected = {state: set() for state in SlaState}
    for ticket in Ticket.objects.all():
        state = sla_state(ticket, NOW, windows=windows)
        assert state == sla_state(ticket, NOW)
        expected[state].add(ticket.pk)
    for state in SlaState:
        found = set(
            filter_by_sla_state(Ticket.objects.all(), state, NOW).values_list("pk", flat=True)
        )
        assert found == expected[state], state
    assert all(expected[state] for state in SlaState)
    assert sum(len(ids) for ids in expected.values()) == len(grid)


def test_at_risk_uses_the_window_of_the_running_target(it_queue):
    # IT normal: response 240 min, warn at 75% -> the last 60 minutes are at risk.
    waiting = TicketFactory(
        queue=it_queue, priority=Priority.NORMAL, sla_due_at=NOW + timedelta(minutes=59)
    )
    assert sla_state(waiting, NOW) == SlaState.AT_RISK
    waiting.sla_due_at = NOW + timedelta(minutes=61)
    assert sla_state(waiting, NOW) == SlaState.ON_TRACK
    # Answered: the resolution target (1440) has a 360-minute window.
    waiting.first_responded_at = NOW
    assert sla_state(waiting, NOW) == SlaState.AT_RISK


def test_the_filter_asks_one_query_for_targets_and_one_for_tickets(grid, django_assert_num_queries):
    # 1: the SLA targets (warn windows); 2: the tickets.
    with django_assert_num_queries(2):
        list(filter_by_sla_state(Ticket.objects.all(), SlaState.AT_RISK, NOW))


def test_an_unknown_state_is_refused():
    with pytest.raises(ValueError, match="Unknown"):
        filter_by_sla_state(Ticket.objects.all(), "soon", NOW)


@pytest.mark.parametrize("state", [SlaState.AT_RISK, SlaState.ON_TRACK])
def test_naming_the_queues_gives_the_same_tickets_with_fewer_terms(grid, it_queue, state):
    """The workspace passes the queues its list can hold; only their targets are written."""
    its = Ticket.objects.filter(queue=it_queue)
    everything = set(filter_by_sla_state(its, state, NOW).values_list("pk", flat=True))
    narrowed = filter_by_sla_state(its, state, NOW, queue_ids={it_queue.pk})
    assert set(narrowed.values_list("pk", flat=True)) == everything
    assert everything
    full = str(filter_by_sla_state(its, state, NOW).query).count("first_responded_at")
    assert str(narrowed.query).count("first_responded_at") < full
