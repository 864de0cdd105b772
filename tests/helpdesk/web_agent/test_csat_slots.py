"""Satisfaction figures only over tickets the agent works; availability slots."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from helpdesk.models import AppointmentSlot, Status
from tests.helpdesk.factories import TicketFactory


@pytest.fixture
def rated(it_queue, cases_queue, employee):
    now = timezone.now()
    common = {"requester": employee, "status": Status.RESOLVED, "rated_at": now}
    return [
        TicketFactory(queue=it_queue, rating=5, rating_comment="Quick and kind", **common),
        TicketFactory(queue=it_queue, rating=3, rating_comment="", **common),
        TicketFactory(queue=cases_queue, rating=1, rating_comment="Secret case feedback", **common),
    ]


def test_csat_counts_only_workable_tickets(agent_client, rated):
    response = agent_client.get(reverse("helpdesk:csat"))
    content = response.content.decode()
    by_queue = response.context["by_queue"]
    assert [(row["label"], row["count"]) for row in by_queue] == [("IT", 2)]
    assert "Quick and kind" in content
    assert "Secret case feedback" not in content
    assert "HR cases" not in content


def test_csat_csv_leaves_out_confidential_queues(agent_client, rated):
    response = agent_client.get(reverse("helpdesk:csat"), {"_export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Queue", "IT", "2", "4.00", "0", "0", "1", "0", "1"] in rows
    assert not any("HR cases" in cell for row in rows for cell in row)


def test_csat_for_the_granted_officer_shows_the_case_queue(client, case_officer, rated):
    client.force_login(case_officer)
    response = client.get(reverse("helpdesk:csat"))
    assert [row["label"] for row in response.context["by_queue"]] == ["HR cases"]


def test_csat_refuses_unknown_parameters(agent_client):
    assert agent_client.get(reverse("helpdesk:csat"), {"by": "requester"}).status_code == 400
    assert agent_client.get(reverse("helpdesk:csat"), {"_export": "xlsx"}).status_code == 400


def test_agent_publishes_and_withdraws_slots(agent_client, it_queue, it_agent):
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = agent_client.post(
        reverse("helpdesk:slots"),
        {
            "queue": it_queue.pk,
            "date": day,
            "starts": "09:00",
            "ends": "10:00",
            "length_minutes": 30,
            "location": "Desk 4",
        },
    )
    assert response.status_code == 302
    slots = list(AppointmentSlot.objects.filter(agent=it_agent))
    assert len(slots) == 2
    page = agent_client.get(reverse("helpdesk:slots")).content.decode()
    assert "Desk 4" in page
    agent_client.post(reverse("helpdesk:slot_withdraw", args=[slots[0].pk]))
    assert AppointmentSlot.objects.filter(agent=it_agent).count() == 1


def test_slot_end_before_start_is_refused(agent_client, it_queue):
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = agent_client.post(
        reverse("helpdesk:slots"),
        {
            "queue": it_queue.pk,
            "date": day,
            "starts": "10:00",
            "ends": "09:00",
            "length_minutes": 30,
        },
    )
    assert response.status_code == 400


def test_another_agents_slot_cannot_be_withdrawn(client, it_queue, it_agent, facilities_agent):
    start = timezone.now() + timedelta(days=2)
    slot = AppointmentSlot.objects.create(
        queue=it_queue, agent=it_agent, starts_at=start, ends_at=start + timedelta(minutes=30)
    )
    client.force_login(facilities_agent)
    assert client.post(reverse("helpdesk:slot_withdraw", args=[slot.pk])).status_code == 404
