"""The sweep warns and escalates each ticket once per target, however often it runs."""

from datetime import UTC, datetime, timedelta

import pytest

from ess.notifications.models import Notification
from helpdesk.models import EventKind, Priority, Status, TicketEvent
from helpdesk.sla import close_resolved, sla_first_response, sla_start, sla_sweep
from helpdesk.tasks import close_resolved_task, sla_sweep_task
from tests.factories import UserFactory
from tests.helpdesk.factories import QueueFactory, SlaTargetFactory, TicketFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 10, 8, 0, tzinfo=UTC)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


@pytest.fixture
def lead(it_queue):
    person = UserFactory(email="lena@example.org", first_name="Lena")
    it_queue.lead = person
    it_queue.save()
    return person


def _started(queue, *, assignee=None, priority=Priority.NORMAL, confidential=False, **extra):
    ticket = TicketFactory(
        queue=queue,
        priority=priority,
        assignee=assignee,
        status=Status.OPEN,
        subject="Printer on fire",
        confidential=confidential,
        **extra,
    )
    sla_start(ticket, NOW)
    ticket.save()
    return ticket


def _events(ticket, kind):
    return TicketEvent.objects.filter(ticket=ticket, kind=kind).count()


def test_a_warning_goes_out_once_when_the_warn_share_is_used(it_queue, it_agent):
    ticket = _started(it_queue, assignee=it_agent)  # response 240, warn at 75%
    assert sla_sweep(NOW + minutes(179))["warnings"] == 0
    assert sla_sweep(NOW + minutes(180))["warnings"] == 1
    assert sla_sweep(NOW + minutes(181))["warnings"] == 0
    ticket.refresh_from_db()
    assert ticket.response_warned_at == NOW + minutes(180)
    assert _events(ticket, EventKind.SLA_WARNING) == 1
    warning = Notification.objects.get(recipient=it_agent, kind="helpdesk.sla")
    assert f"#{ticket.pk}" in warning.title
    assert "Printer on fire" in warning.title


def test_a_breach_escalates_once_raising_priority_and_reassigning_to_the_lead(
    it_queue, it_agent, lead
):
    ticket = _started(it_queue, assignee=it_agent)
    due = ticket.first_response_due_at
    sla_sweep(NOW + minutes(200))
    counts = sla_sweep(NOW + minutes(241))
    assert counts["breaches"] == 1
    ticket.refresh_from_db()
    assert ticket.response_breached_at == NOW + minutes(241)
    assert ticket.priority == Priority.HIGH
    assert ticket.assignee == lead
    assert ticket.version == 2
    # Escalation does not restart the clock.
    assert ticket.first_response_due_at == due
    assert _events(ticket, EventKind.SLA_BREACH) == 1
    assert _events(ticket, EventKind.ASSIGNED) == 1
    assert _events(ticket, EventKind.PRIORITY) == 1
    breach_notes = Notification.objects.filter(kind="helpdesk.sla", title__contains="breached")
    assert {n.recipient for n in breach_notes} == {it_agent, lead}

    before = (Notification.objects.count(), TicketEvent.objects.count())
    for _ in range(3):
        assert sla_sweep(NOW + minutes(300)) == {"checked": 1, "warnings": 0, "breaches": 0}
    assert (Notification.objects.count(), TicketEvent.objects.count()) == before


def test_a_breach_found_late_does_not_send_a_warning_after_it(it_queue, it_agent):
    ticket = _started(it_queue, assignee=it_agent)
    counts = sla_sweep(NOW + minutes(250))
    assert counts == {"checked": 1, "warnings": 0, "breaches": 1}
    ticket.refresh_from_db()
    assert ticket.response_warned_at is not None
    assert _events(ticket, EventKind.SLA_WARNING) == 0


def test_escalation_stops_at_urgent_and_keeps_the_lead_assigned(it_queue, lead):
    ticket = _started(it_queue, assignee=lead, priority=Priority.URGENT)
    sla_sweep(NOW + minutes(31))
    ticket.refresh_from_db()
    assert ticket.priority == Priority.URGENT
    assert ticket.assignee == lead
    assert _events(ticket, EventKind.ASSIGNED) == 0
    assert Notification.objects.filter(recipient=lead).count() == 1


def test_the_resolution_target_fires_after_the_response_was_given(it_queue, it_agent):
    ticket = _started(it_queue, assignee=it_agent)
    sla_first_response(ticket, NOW + minutes(5))
    ticket.save()
    assert sla_sweep(NOW + minutes(1079))["warnings"] == 0
    assert sla_sweep(NOW + minutes(1080))["warnings"] == 1
    assert sla_sweep(NOW + minutes(1441))["breaches"] == 1
    ticket.refresh_from_db()
    assert ticket.response_warned_at is None
    assert ticket.resolution_breached_at == NOW + minutes(1441)
    assert sla_sweep(NOW + minutes(2000))["checked"] == 0


def test_paused_and_finished_tickets_are_left_alone(it_queue, it_agent):
    paused = _started(it_queue, assignee=it_agent)
    paused.status, paused.sla_paused_at, paused.sla_due_at = Status.WAITING_REQUESTER, NOW, None
    paused.first_response_due_at = paused.resolution_due_at = None
    paused.save()
    done = _started(it_queue, assignee=it_agent)
    done.status, done.sla_due_at = Status.RESOLVED, None
    done.save()
    assert sla_sweep(NOW + timedelta(days=10)) == {"checked": 0, "warnings": 0, "breaches": 0}


def test_confidential_notifications_name_only_the_reference(case_officer):
    queue = QueueFactory(slug="hr-cases", name="HR cases", confidential=True, lead=case_officer)
    SlaTargetFactory(queue=queue, priority=Priority.NORMAL)
    ticket = _started(queue, assignee=case_officer, confidential=True)
    sla_sweep(NOW + minutes(200))
    sla_sweep(NOW + minutes(300))
    notes = Notification.objects.filter(recipient=case_officer)
    assert notes.count() == 2
    for note in notes:
        assert "Printer" not in note.title
        assert "Printer" not in note.body
        assert f"#{ticket.pk}" in note.title


def test_the_sweep_follows_the_queues_opening_hours(it_queue, it_agent):
    from datetime import time

    from helpdesk.models import BusinessHours

    for weekday in range(5):
        BusinessHours.objects.create(
            queue=it_queue, weekday=weekday, opens=time(9), closes=time(17)
        )
    # Filed Friday 13 June 16:00 local (14:00 UTC): response due Monday 12:00 local.
    filed = datetime(2025, 6, 13, 14, tzinfo=UTC)
    ticket = TicketFactory(queue=it_queue, status=Status.OPEN, assignee=it_agent)
    sla_start(ticket, filed)
    ticket.save()
    assert ticket.first_response_due_at == datetime(2025, 6, 16, 10, tzinfo=UTC)
    # 180 business minutes are used on Monday at 11:00 local (09:00 UTC).
    assert sla_sweep(datetime(2025, 6, 14, 12, tzinfo=UTC))["warnings"] == 0
    assert sla_sweep(datetime(2025, 6, 16, 8, 59, tzinfo=UTC))["warnings"] == 0
    assert sla_sweep(datetime(2025, 6, 16, 9, 0, tzinfo=UTC))["warnings"] == 1


def test_the_sweep_task_runs_the_sweep(it_queue):
    assert set(sla_sweep_task()) == {"checked", "warnings", "breaches"}


def test_resolved_tickets_close_once_after_the_reopen_window(it_queue):
    old = TicketFactory(queue=it_queue, status=Status.RESOLVED, resolved_at=NOW - timedelta(days=8))
    recent = TicketFactory(
        queue=it_queue, status=Status.RESOLVED, resolved_at=NOW - timedelta(days=6)
    )
    assert close_resolved(NOW) == 1
    assert close_resolved(NOW) == 0
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == Status.CLOSED
    assert old.closed_at == NOW
    assert old.version == 2
    assert recent.status == Status.RESOLVED
    event = TicketEvent.objects.get(ticket=old)
    assert event.kind == EventKind.STATUS
    assert event.internal
    assert event.data["to"] == Status.CLOSED


def test_the_close_task_uses_each_queues_window(it_queue):
    quick = QueueFactory(name="Quick", reopen_days=1)
    ticket = TicketFactory(
        queue=quick, status=Status.RESOLVED, resolved_at=datetime.now(UTC) - timedelta(days=2)
    )
    assert close_resolved_task() == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_a_second_worker_with_a_stale_row_sends_nothing(it_queue, it_agent):
    from helpdesk.sla import THRESHOLDS, _breach, _warn

    ticket = _started(it_queue, assignee=it_agent)
    stale = type(ticket).objects.get(pk=ticket.pk)
    assert sla_sweep(NOW + minutes(250))["breaches"] == 1
    before = (Notification.objects.count(), TicketEvent.objects.count())
    # The other worker read the ticket before the first one claimed it.
    assert _warn(stale, THRESHOLDS[0], NOW + minutes(250)) is False
    assert _breach(stale, THRESHOLDS[0], NOW + minutes(250)) is False
    assert (Notification.objects.count(), TicketEvent.objects.count()) == before
    stale.refresh_from_db()
    assert stale.priority == Priority.HIGH  # raised once, not twice


def test_the_sweep_reads_in_a_bounded_number_of_queries(
    it_queue, it_agent, django_assert_max_num_queries
):
    for _ in range(5):
        _started(it_queue, assignee=it_agent)
    # targets, queues of the targets, the queue's hours and holidays, one candidate batch
    # and the empty batch that ends the loop; all five are within reach of a warning but
    # none is due one, so nothing is asked per ticket.
    with django_assert_max_num_queries(6):
        assert sla_sweep(NOW + minutes(10)) == {"checked": 5, "warnings": 0, "breaches": 0}
