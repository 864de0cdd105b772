"""The desk's smaller tools and reads: canned replies, saved views, deflections, reply
addresses, knowledge drafts, satisfaction figures, search context and the timeline."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from ess.search.models import Document, SearchLog
from ess.search.services import searcher_hash
from helpdesk.knowledge.models import Article, Audience, Space
from helpdesk.models import CannedReply, Deflection, SavedView, Status, Ticket
from helpdesk.selectors import (
    canned_replies_for,
    csat_summary,
    my_requests,
    recent_search_context,
    saved_views,
    ticket_for_viewer,
    ticket_timeline,
)
from helpdesk.services import (
    canned_reply_render,
    deflection_record,
    kcs_draft_from_ticket,
    reply_address,
    saved_view_delete,
    saved_view_save,
    ticket_create,
    ticket_from_reply_address,
    ticket_note,
    ticket_reply,
    ticket_update,
)
from tests.helpdesk.factories import QueueFactory, TicketFactory


@pytest.fixture
def ticket(employee, software_type):
    employee.first_name, employee.last_name = "Emma", "Jansen"
    employee.save()
    return ticket_create(requester=employee, subject="Install Inkscape", request_type=software_type)


# --- canned replies --------------------------------------------------------------------------


def test_canned_reply_fills_the_known_placeholders(ticket, it_agent):
    canned = CannedReply.objects.create(
        title="Done",
        body="Hi {requester_first_name}, {reference} ({subject}) in {queue} is done. {agent_name}",
    )
    text = canned_reply_render(canned=canned, ticket=ticket, agent=it_agent)
    assert text == (
        f"Hi Emma, #{ticket.pk} (Install Inkscape) in IT is done. {it_agent.get_full_name()}"
    )


def test_canned_reply_leaves_hostile_and_unknown_text_as_typed(ticket, it_agent):
    hostile = "{__class__} {0} {requester_name.__dict__} {unknown} <script>alert(1)</script> {"
    canned = CannedReply.objects.create(title="Odd", body=hostile + " {requester_name}")
    text = canned_reply_render(canned=canned, ticket=ticket, agent=it_agent)
    assert text == hostile + " Emma Jansen"


def test_a_subject_that_looks_like_a_placeholder_is_not_expanded_again(
    employee, software_type, it_agent
):
    ticket = ticket_create(
        requester=employee, subject="{agent_name} {__class__}", request_type=software_type
    )
    canned = CannedReply.objects.create(title="Echo", body="Re: {subject}")
    assert canned_reply_render(canned=canned, ticket=ticket, agent=it_agent) == (
        "Re: {agent_name} {__class__}"
    )


def test_canned_replies_of_the_queue_and_global_ones(ticket, facilities_queue, it_agent):
    everywhere = CannedReply.objects.create(title="A", body="a")
    here = CannedReply.objects.create(title="B", body="b", queue=ticket.queue)
    elsewhere = CannedReply.objects.create(title="C", body="c", queue=facilities_queue)
    assert list(canned_replies_for(ticket)) == [everywhere, here]
    with pytest.raises(ValidationError):
        canned_reply_render(canned=elsewhere, ticket=ticket, agent=it_agent)


# --- saved views -----------------------------------------------------------------------------


def test_a_saved_view_keeps_only_known_filters(it_agent):
    view = saved_view_save(owner=it_agent, name="Urgent", query="?status=open&priority=4&q=")
    assert view.query == "status=open&priority=4"
    again = saved_view_save(owner=it_agent, name="Urgent", query="status=new")
    assert again.pk == view.pk
    assert list(saved_views(it_agent)) == [again]


def test_a_saved_view_with_an_unknown_key_is_refused(it_agent):
    with pytest.raises(ValidationError) as error:
        saved_view_save(owner=it_agent, name="Sneaky", query="requester__password__startswith=a")
    assert "requester__password__startswith" in str(error.value)
    assert not SavedView.objects.exists()


def test_only_agents_save_views_and_only_their_own_are_deleted(it_agent, employee, hr_officer):
    with pytest.raises(PermissionDenied):
        saved_view_save(owner=employee, name="Mine", query="status=open")
    view = saved_view_save(owner=it_agent, name="Mine", query="status=open")
    assert not saved_view_delete(owner=hr_officer, view_id=view.pk)
    assert saved_view_delete(owner=it_agent, view_id=view.pk)


# --- deflection and reply addresses ----------------------------------------------------------


def test_a_deflection_counts_once_per_person_article_and_request_type(employee, software_type):
    args = {"request_type": software_type, "doc_type": "article", "doc_key": "vpn"}
    assert deflection_record(user=employee, query="vpn", **args)
    assert not deflection_record(user=employee, query="vpn again", **args)
    row = Deflection.objects.get()
    assert row.searcher == searcher_hash(employee)
    assert row.query == "vpn"


@override_settings(HELPDESK_REPLY_ADDRESS="desk@help.example.org")
def test_a_reply_address_finds_its_ticket_and_a_forged_one_does_not(ticket):
    address = reply_address(ticket)
    assert address == f"desk+{ticket.pk}.{ticket.reply_token}@help.example.org"
    assert ticket_from_reply_address(f"Desk <{address.upper()}>") == ticket
    assert ticket_from_reply_address(address.replace(ticket.reply_token, "0" * 16)) is None
    assert ticket_from_reply_address(f"desk+{ticket.pk + 1}.{ticket.reply_token}@x.org") is None
    assert ticket_from_reply_address("someone@help.example.org") is None


# --- knowledge drafts -----------------------------------------------------------------------


def test_a_knowledge_draft_from_a_solved_ticket(ticket, it_agent):
    space = Space.objects.create(name="IT", slug="it")
    ticket_reply(ticket=ticket, author=it_agent, body="Use the software centre.")
    article = kcs_draft_from_ticket(ticket=ticket, actor=it_agent)
    assert isinstance(article, Article)
    assert article.space == space
    assert article.audience == Audience.AGENTS
    version = article.latest_version
    assert version.title == "Install Inkscape"
    assert "Use the software centre." in version.body


def test_no_knowledge_draft_from_a_confidential_case(employee, case_type, case_officer):
    Space.objects.create(name="HR", slug="hr")
    case = ticket_create(requester=employee, subject="Concern", request_type=case_type)
    with pytest.raises(ValidationError):
        kcs_draft_from_ticket(ticket=case, actor=case_officer)


# --- satisfaction ----------------------------------------------------------------------------


def test_satisfaction_per_queue_and_per_agent(it_queue, facilities_queue, it_agent, employee):
    for rating in (5, 4, 4):
        TicketFactory(
            queue=it_queue,
            requester=employee,
            status=Status.RESOLVED,
            rating=rating,
            assignee=it_agent,
        )
    TicketFactory(queue=facilities_queue, requester=employee, status=Status.RESOLVED, rating=1)
    TicketFactory(queue=it_queue, requester=employee)  # not rated
    by_queue = csat_summary(by="queue")
    assert [(row["label"], row["count"], row["average"]) for row in by_queue] == [
        ("Facilities", 1, 1.0),
        ("IT", 3, 4.33),
    ]
    assert by_queue[1]["distribution"] == {1: 0, 2: 0, 3: 0, 4: 2, 5: 1}
    assert [row["count"] for row in csat_summary(by="queue", queue_ids=[it_queue.pk])] == [3]
    [agent_row, unassigned] = sorted(csat_summary(by="agent"), key=lambda row: row["key"] is None)
    assert agent_row["label"] == str(it_agent)
    assert unassigned["count"] == 1
    scoped = csat_summary(by="queue", tickets=Ticket.objects.filter(queue=facilities_queue))
    assert [row["label"] for row in scoped] == ["Facilities"]


# --- search context --------------------------------------------------------------------------


def test_recent_search_context_lists_searches_and_opened_results_newest_first(
    employee, other_employee
):
    now = timezone.now()
    Document.objects.create(
        doc_type="article",
        key="vpn-setup",
        title="Set up the VPN",
        language="en",
        url="/kb/vpn-setup/",
    )
    SearchLog.objects.create(
        query="vpn",
        normalised="vpn",
        result_count=3,
        source="page",
        searcher=searcher_hash(employee),
        created_at=now - timedelta(minutes=10),
        clicked_type="article",
        clicked_key="vpn-setup",
        clicked_at=now - timedelta(minutes=9),
    )
    SearchLog.objects.create(
        query="vpn broken",
        normalised="vpn broken",
        result_count=0,
        source="box",
        searcher=searcher_hash(employee),
        created_at=now - timedelta(minutes=5),
    )
    SearchLog.objects.create(  # too old
        query="printer",
        normalised="printer",
        result_count=2,
        source="box",
        searcher=searcher_hash(employee),
        created_at=now - timedelta(minutes=90),
    )
    SearchLog.objects.create(  # someone else
        query="salary",
        normalised="salary",
        result_count=2,
        source="box",
        searcher=searcher_hash(other_employee),
        created_at=now,
    )
    context = recent_search_context(employee)
    assert [entry["kind"] for entry in context] == ["search", "article", "search"]
    assert context[0]["query"] == "vpn broken"
    assert context[0]["results"] == 0
    assert context[1] == {
        "kind": "article",
        "type": "article",
        "key": "vpn-setup",
        "title": "Set up the VPN",
        "url": "/kb/vpn-setup/",
        "at": (now - timedelta(minutes=9)).isoformat(),
    }


# --- reads -----------------------------------------------------------------------------------


def test_the_timeline_hides_internal_events_from_the_requester(ticket, it_agent):
    ticket_reply(ticket=ticket, author=it_agent, body="Public")
    ticket_note(ticket=ticket, author=it_agent, body="Secret")
    public = ticket_timeline(ticket, include_internal=False)
    everything = ticket_timeline(ticket, include_internal=True)
    assert "Secret" not in [event.body for event in public]
    assert "Secret" in [event.body for event in everything]
    assert all(event.attachment_list == [] for event in everything)


def test_the_timeline_takes_the_same_queries_for_few_and_many_events(
    ticket, it_agent, django_assert_num_queries
):
    # The events with their actors, then every attachment of those events (content type
    # is cached by Django after the first lookup).
    ticket_timeline(ticket, include_internal=True)
    with django_assert_num_queries(2):
        ticket_timeline(ticket, include_internal=True)
    for n in range(20):
        ticket_note(ticket=ticket, author=it_agent, body=f"note {n}")
    with django_assert_num_queries(2):
        assert len(ticket_timeline(ticket, include_internal=True)) > 20


def test_ticket_for_viewer_answers_404_for_missing_and_hidden_tickets(
    ticket, employee, other_employee
):
    assert ticket_for_viewer(employee, ticket.pk) == ticket
    with pytest.raises(Http404):
        ticket_for_viewer(other_employee, ticket.pk)
    with pytest.raises(Http404):
        ticket_for_viewer(employee, ticket.pk + 1000)


def test_my_requests_are_those_i_filed_or_that_are_for_me(
    employee, report, software_type, other_employee
):
    mine = ticket_create(requester=employee, subject="Mine", request_type=software_type)
    for_report = ticket_create(
        requester=employee, subject="For Rik", request_type=software_type, on_behalf_of=report
    )
    ticket_create(requester=other_employee, subject="Theirs", request_type=software_type)
    assert set(my_requests(employee)) == {mine, for_report}
    assert list(my_requests(report)) == [for_report]


def test_an_inactive_queue_takes_no_requests(employee):
    queue = QueueFactory(name="Old", slug="old", is_active=False)
    with pytest.raises(ValidationError):
        ticket_create(requester=employee, subject="Hello", queue=queue)


def test_the_agent_sees_updates_without_a_version_bump_for_replies(ticket, it_agent, employee):
    ticket = ticket_update(
        ticket_id=ticket.pk, actor=it_agent, expected_version=1, status=Status.OPEN
    )
    ticket_reply(ticket=ticket, author=employee, body="More details")
    ticket.refresh_from_db()
    # A reply that changes no field does not invalidate the agent's open form.
    assert ticket.version == 2
