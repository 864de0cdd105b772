"""The agent workspace: filters, sorting and export keys, confidential leaks, bulk actions,
saved views and query ceilings."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from ess.audit.models import AuditEvent
from helpdesk.models import Priority, SavedView, Status, Ticket
from helpdesk.views_agent import PAGE_SIZE
from tests.helpdesk.factories import TicketFactory

WORKSPACE = "helpdesk:workspace"


def _listed(response) -> set[int]:
    return {row.record.pk for row in response.context["table"].page.object_list}


def _get(client, **params):
    return client.get(reverse(WORKSPACE), params)


@pytest.fixture
def mixed(it_queue, employee, other_employee, it_agent, software_type, laptop_type):
    """IT tickets in several states, keyed by what makes each one special."""
    now = timezone.now()
    make = lambda **kw: TicketFactory(queue=it_queue, requester=employee, **kw)  # noqa: E731
    return {
        "mine": make(subject="VPN drops every hour", assignee=it_agent, status=Status.OPEN),
        "unassigned": make(subject="Monitor flickers", request_type=software_type),
        "urgent": make(subject="Server room alarm", priority=Priority.URGENT),
        "resolved": make(subject="Password reset done", status=Status.RESOLVED),
        "breached": make(subject="Old laptop", sla_due_at=now - timedelta(hours=3)),
        "at_risk": make(subject="Soon due", sla_due_at=now + timedelta(minutes=30)),
        "on_track": make(subject="Far away", sla_due_at=now + timedelta(hours=20)),
        "paused": make(
            subject="Waiting on you",
            status=Status.WAITING_REQUESTER,
            sla_paused_at=now,
        ),
        "old": make(subject="Ancient request", created_at=now - timedelta(days=40)),
        "laptop": make(subject="New laptop please", request_type=laptop_type),
    }


def test_workspace_lists_unfinished_tickets_of_the_agents_queues(
    agent_client, mixed, facilities_ticket, case_ticket
):
    listed = _listed(_get(agent_client))
    assert mixed["mine"].pk in listed
    assert mixed["resolved"].pk not in listed
    assert facilities_ticket.pk not in listed
    assert case_ticket.pk not in listed


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"assignee": "me"}, {"mine"}),
        ({"priority": "4"}, {"urgent"}),
        ({"status": "resolved"}, {"resolved"}),
        ({"sla": "breached"}, {"breached"}),
        ({"sla": "at_risk"}, {"at_risk"}),
        ({"sla": "on_track"}, {"on_track"}),
        ({"sla": "paused"}, {"paused"}),
        ({"older_than": "30"}, {"old"}),
        ({"q": "flickers"}, {"unassigned"}),
    ],
)
def test_each_filter_narrows_the_list(agent_client, mixed, params, expected):
    listed = _listed(_get(agent_client, **params))
    assert listed == {mixed[key].pk for key in expected}


def test_filters_by_reference_request_type_creation_and_unassigned(agent_client, mixed):
    target = mixed["urgent"]
    assert _listed(_get(agent_client, q=f"#{target.pk}")) == {target.pk}
    assert _listed(_get(agent_client, q=str(target.pk))) >= {target.pk}
    by_type = _listed(_get(agent_client, request_type=mixed["laptop"].request_type_id))
    assert by_type == {mixed["laptop"].pk}
    recent = _listed(_get(agent_client, created_after=str(timezone.localdate())))
    assert mixed["old"].pk not in recent
    assert mixed["urgent"].pk in recent
    before = _listed(_get(agent_client, created_before=str(timezone.localdate())))
    assert before == {mixed["old"].pk}
    unassigned = _listed(_get(agent_client, assignee="unassigned"))
    assert mixed["mine"].pk not in unassigned
    assert mixed["urgent"].pk in unassigned


def test_the_queue_filter_offers_only_the_agents_queues(agent_client, mixed, facilities_queue):
    response = _get(agent_client, queue=facilities_queue.pk)
    assert response.status_code == 200
    assert _listed(response) == set()
    offered = dict(response.context["filter"].form.fields["queue"].choices)
    assert str(facilities_queue.pk) not in offered
    assert str(mixed["mine"].queue_id) in offered


def test_the_forms_choice_lists_follow_a_change_of_the_queue_at_once(
    agent_client, it_queue, it_agent, employee, facilities_queue
):
    """The lists are cached; saving a queue, its members or a person renews them."""

    def offered(field):
        return dict(
            agent_client.get(reverse(WORKSPACE)).context["filter"].form.fields[field].choices
        )

    assert "Hotline" not in offered("queue").values()
    colleague = it_queue.agents.create(email="new.agent@example.com", first_name="Nia")
    assert offered("assignee")[str(colleague.pk)] == "Nia"
    it_queue.name = "Hotline"
    it_queue.save()
    assert offered("queue")[str(it_queue.pk)] == "Hotline"
    colleague.first_name = "Nina"
    colleague.save()
    assert offered("assignee")[str(colleague.pk)] == "Nina"
    it_queue.agents.remove(colleague)
    assert str(colleague.pk) not in offered("assignee")
    facilities_queue.agents.add(it_agent)
    assert str(facilities_queue.pk) in offered("queue")


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "requester__password"},
        {"sort": "-confidential"},
        {"sort": "subject,reply_token"},
        {"_export": "json"},
        {"requester__email__startswith": "a"},
        {"confidential": "1"},
    ],
)
def test_hostile_sort_filter_and_export_keys_are_refused(agent_client, mixed, params):
    assert _get(agent_client, **params).status_code == 400


def test_allowed_sort_keys_work(agent_client, mixed):
    for key in ("reference", "-sla_due_at", "subject", "priority", "-updated_at", "status"):
        assert _get(agent_client, sort=key).status_code == 200, key


def test_csv_export_holds_only_workable_tickets_and_is_audited(
    agent_client, mixed, case_ticket, facilities_ticket
):
    response = _get(agent_client, _export="csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    text = response.content.decode()
    assert "Server room alarm" in text
    assert case_ticket.subject not in text
    assert facilities_ticket.subject not in text
    assert len(rows) == 1 + sum(1 for t in mixed.values() if t.status != Status.RESOLVED)
    assert AuditEvent.objects.filter(action="helpdesk.tickets_exported").exists()


def test_xlsx_export_of_a_granted_officer_holds_the_cases_and_nothing_else(
    client, case_officer, case_ticket, mixed
):
    client.force_login(case_officer)
    response = _get(client, _export="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = {str(cell.value) for row in book.active.iter_rows() for cell in row}
    assert case_ticket.subject in cells
    assert mixed["urgent"].subject not in cells


def test_confidential_cases_stay_out_of_an_ungranted_members_workspace(
    client, hr_officer, case_ticket
):
    client.force_login(hr_officer)
    response = _get(client)
    assert case_ticket.pk not in _listed(response)
    assert case_ticket.subject.encode() not in response.content
    export = _get(client, _export="csv")
    assert case_ticket.subject.encode() not in export.content


def test_sla_due_is_shown_in_words(agent_client, mixed):
    content = _get(agent_client).content.decode()
    assert "overdue 3 h" in content
    assert "in 30 min" in content or "in 29 min" in content
    assert "paused" in content


def test_workspace_queries_do_not_grow_with_rows(
    agent_client, it_queue, employee, it_agent, django_assert_num_queries
):
    # Expected queries: session, user, the user's groups (role check), agent queue ids (read
    # once for the list, the filter and the bulk form), grants, the agents offered by both
    # forms, the filter's queues and request types, saved views, the page frame's own
    # (notification count, menu), and TWO for the page of tickets: its ids, then its rows.
    # LazyPaginator reads one row more instead of counting.
    TicketFactory.create_batch(5, queue=it_queue, requester=employee, assignee=it_agent)
    agent_client.get(reverse(WORKSPACE))  # warm caches (content types, sites)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as five:
        assert agent_client.get(reverse(WORKSPACE)).status_code == 200
    TicketFactory.create_batch(55, queue=it_queue, requester=employee, assignee=it_agent)
    with CaptureQueriesContext(connection) as sixty:
        response = agent_client.get(reverse(WORKSPACE))
    assert len(response.context["table"].page.object_list) == PAGE_SIZE
    assert len(sixty) == len(five), [q["sql"] for q in sixty.captured_queries]
    ticket_sql = [
        q["sql"].upper()
        for q in sixty.captured_queries
        if 'FROM "HELPDESK_TICKET"' in q["sql"].upper()
    ]
    # The page's ids first (from the open-work index), then those rows by primary key.
    ids_sql, rows_sql = ticket_sql
    assert ids_sql.startswith('SELECT "HELPDESK_TICKET"."ID" AS "PK" FROM')
    assert 'WHERE "HELPDESK_TICKET"."ID" IN (' in rows_sql
    # The agent's queues and grants are read first, so the list needs no subquery.
    assert "OBJECTPERMISSION" not in ids_sql
    assert "COUNT(" not in ids_sql
    assert "DISTINCT" not in ids_sql


def test_subject_and_names_are_escaped(agent_client, it_queue, employee):
    TicketFactory(queue=it_queue, requester=employee, subject="<script>alert(1)</script>")
    content = _get(agent_client).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_each_row_checkbox_has_a_label(agent_client, mixed):
    content = _get(agent_client).content.decode()
    assert f'aria-label="Select ticket #{mixed["urgent"].pk}"' in content
    assert 'aria-label="Select all tickets on this page"' in content


# --- bulk actions ----------------------------------------------------------------------------
def test_bulk_update_changes_allowed_tickets_and_reports_the_rest(
    agent_client, mixed, facilities_ticket, case_ticket
):
    ids = [mixed["urgent"].pk, mixed["unassigned"].pk, facilities_ticket.pk, case_ticket.pk]
    response = agent_client.post(
        reverse("helpdesk:bulk"),
        {"ticket_ids": ids, "action": "priority", "priority": Priority.HIGH},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert Ticket.objects.get(pk=mixed["unassigned"].pk).priority == Priority.HIGH
    assert Ticket.objects.get(pk=facilities_ticket.pk).priority == Priority.NORMAL
    assert Ticket.objects.get(pk=case_ticket.pk).priority == Priority.NORMAL
    skipped = [text for text in texts if text.startswith("Skipped")]
    assert any(f"#{facilities_ticket.pk}" in text for text in skipped)
    assert any(f"#{case_ticket.pk}" in text for text in skipped)


def test_bulk_assign(agent_client, mixed, it_agent):
    agent_client.post(
        reverse("helpdesk:bulk"),
        {"ticket_ids": [mixed["unassigned"].pk], "action": "assign", "assignee": it_agent.pk},
    )
    assert Ticket.objects.get(pk=mixed["unassigned"].pk).assignee == it_agent


def test_bulk_merge_closes_the_duplicates_into_the_target(agent_client, mixed, facilities_ticket):
    target = mixed["urgent"]
    duplicate = mixed["unassigned"]
    response = agent_client.post(
        reverse("helpdesk:bulk"),
        {
            "ticket_ids": [duplicate.pk, facilities_ticket.pk],
            "action": "merge",
            "target": f"#{target.pk}",
        },
        follow=True,
    )
    duplicate.refresh_from_db()
    assert duplicate.merged_into == target
    assert duplicate.status == Status.CLOSED
    assert Ticket.objects.get(pk=facilities_ticket.pk).merged_into is None
    texts = [str(m) for m in response.context["messages"]]
    assert any(f"#{facilities_ticket.pk}" in text for text in texts)


def test_bulk_merge_into_a_ticket_of_another_queue_is_refused(
    agent_client, mixed, facilities_ticket
):
    agent_client.post(
        reverse("helpdesk:bulk"),
        {
            "ticket_ids": [mixed["urgent"].pk],
            "action": "merge",
            "target": str(facilities_ticket.pk),
        },
    )
    assert Ticket.objects.get(pk=mixed["urgent"].pk).merged_into is None


# --- saved views -----------------------------------------------------------------------------
def test_saved_view_keeps_the_filters_and_is_listed(agent_client, it_agent, mixed):
    response = agent_client.post(
        reverse("helpdesk:saved_view_save"),
        {"name": "My urgent", "query": "priority=4&assignee=me&sort=subject&page=2"},
    )
    view = SavedView.objects.get(owner=it_agent, name="My urgent")
    assert view.query == "assignee=me&priority=4"
    assert response["Location"].endswith("?assignee=me&priority=4")
    listing = _get(agent_client).content.decode()
    assert "My urgent" in listing
    assert "?assignee=me&amp;priority=4" in listing


def test_saved_view_drops_unknown_keys_and_can_be_deleted(agent_client, it_agent):
    agent_client.post(
        reverse("helpdesk:saved_view_save"),
        {"name": "Odd", "query": "requester__email=x&q=vpn"},
    )
    view = SavedView.objects.get(owner=it_agent, name="Odd")
    assert view.query == "q=vpn"
    agent_client.post(reverse("helpdesk:saved_view_delete", args=[view.pk]))
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_saved_view_name_is_escaped(agent_client, it_agent):
    SavedView.objects.create(owner=it_agent, name="<img src=x onerror=alert(1)>", query="")
    content = _get(agent_client).content.decode()
    assert "<img src=x onerror" not in content
