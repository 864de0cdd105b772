"""The agent's ticket page: what it shows, conflict-safe updates, replies and notes with
canned text, merges, knowledge drafts, escaping, and a query count independent of events."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ess.accounts.roles import Role
from helpdesk import services
from helpdesk.knowledge.models import Article, ArticleStatus
from helpdesk.models import CannedReply, EventKind, Priority, Status, Ticket, TicketEvent
from tests.knowledge.factories import SpaceFactory

XSS = "<script>alert('x')</script>"


def _work(client, ticket):
    return client.get(reverse("helpdesk:work", args=[ticket.pk]))


def _update(client, ticket, **data):
    return client.post(reverse("helpdesk:work_update", args=[ticket.pk]), data)


@pytest.fixture
def filed(employee, software_type):
    """A ticket filed through the service, so it has its events and SLA clock."""
    return services.ticket_create(
        requester=employee,
        subject="Excel crashes on start",
        description="Since this morning.",
        request_type=software_type,
        search_context=[
            {
                "kind": "search",
                "query": "excel crash",
                "results": 3,
                "at": "2026-01-05T09:01:00+00:00",
            },
            {
                "kind": "article",
                "type": "article",
                "key": "excel-safe-mode",
                "title": "Start Excel in safe mode",
                "url": "/kb/a/excel-safe-mode/",
                "at": "2026-01-05T09:02:00+00:00",
            },
        ],
    )


def test_page_shows_search_context_and_internal_notes_labelled(agent_client, filed, it_agent):
    services.ticket_note(ticket=filed, author=it_agent, body="Known issue with add-in")
    content = _work(agent_client, filed).content.decode()
    assert "excel crash" in content
    assert "Start Excel in safe mode" in content
    assert "Internal note" in content
    assert "Known issue with add-in" in content


def test_two_saves_with_the_same_version_conflict_and_keep_the_first(agent_client, filed):
    version = Ticket.objects.get(pk=filed.pk).version
    first = _update(agent_client, filed, version=version, status="open", priority=Priority.HIGH)
    assert first.status_code == 302
    second = _update(
        agent_client, filed, version=version, status="waiting_third_party", priority=Priority.LOW
    )
    assert second.status_code == 409
    content = second.content.decode()
    assert "Someone else changed this ticket" in content
    assert "Priority is now “High”" in content
    fresh = Ticket.objects.get(pk=filed.pk)
    assert fresh.priority == Priority.HIGH
    assert fresh.status == Status.OPEN
    # The form now carries the fresh version, so saving again works.
    assert f'value="{fresh.version}"' in content


def test_resolving_is_disabled_while_approval_is_pending(
    agent_client, employee, manager, laptop_type
):
    ticket = services.ticket_create(
        requester=employee,
        subject="New laptop",
        request_type=laptop_type,
        form_answers={"model": 'Standard 14"', "reason": "Old one died"},
    )
    content = _work(agent_client, ticket).content.decode()
    assert "Waiting for approval" in content
    response = _update(agent_client, ticket, version=ticket.version, status="resolved", priority=2)
    assert Ticket.objects.get(pk=ticket.pk).status != Status.RESOLVED
    assert response.status_code in (302, 400)


def test_reply_and_note_with_attachments(agent_client, filed):
    upload = SimpleUploadedFile(
        "<img src=x onerror=alert(1)>.pdf", b"%PDF-1.4 test", "application/pdf"
    )
    response = agent_client.post(
        reverse("helpdesk:work_reply", args=[filed.pk]),
        {"body": "Please try safe mode.", "attachments": [upload]},
    )
    assert response.status_code == 302
    reply = TicketEvent.objects.get(ticket=filed, kind=EventKind.REPLY)
    assert not reply.internal
    agent_client.post(reverse("helpdesk:work_note", args=[filed.pk]), {"body": "Escalate?"})
    assert TicketEvent.objects.get(ticket=filed, kind=EventKind.NOTE).internal
    content = _work(agent_client, filed).content.decode()
    assert "<img src=x onerror" not in content
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in content


@pytest.mark.parametrize(("action", "kind"), [("work_reply", "reply"), ("work_note", "note")])
def test_a_refused_file_keeps_the_typed_text_and_adds_nothing(agent_client, filed, action, kind):
    svg = SimpleUploadedFile(
        "drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "image/svg+xml"
    )
    response = agent_client.post(
        reverse(f"helpdesk:{action}", args=[filed.pk]),
        {"body": "A long explanation I typed", "attachments": [svg]},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "A long explanation I typed" in content
    assert 'role="alert"' in content
    assert not TicketEvent.objects.filter(ticket=filed, kind=kind).exists()


def test_hostile_text_everywhere_is_escaped(agent_client, employee, it_agent, laptop_type):
    ticket = services.ticket_create(
        requester=employee,
        subject=f"Help {XSS}",
        description=f"Body {XSS}",
        request_type=laptop_type,
        form_answers={"model": 'Standard 14"', "reason": f"Reason {XSS}"},
    )
    services.ticket_note(ticket=ticket, author=it_agent, body=f"Note {XSS}")
    CannedReply.objects.create(title=f"Canned {XSS}", body=f"Text {XSS}")
    content = _work(agent_client, ticket).content.decode()
    assert XSS not in content
    assert "&lt;script&gt;" in content


def test_canned_preview_fills_placeholders_and_escapes(agent_client, filed):
    canned = CannedReply.objects.create(
        title="Safe mode", body="Hi {requester_first_name}, about {reference}: <b>{unknown}</b>"
    )
    response = agent_client.get(
        reverse("helpdesk:canned_preview", args=[filed.pk]),
        {"canned": canned.pk},
        headers={"HX-Request": "true"},
    )
    content = response.content.decode()
    assert f"about #{filed.pk}" in content
    assert "{unknown}" in content
    assert "<b>" not in content
    assert 'id="reply-body"' in content


def test_merge_into_another_ticket(agent_client, filed, employee, software_type):
    target = services.ticket_create(
        requester=employee, subject="Excel again", request_type=software_type
    )
    response = agent_client.post(
        reverse("helpdesk:work_merge", args=[filed.pk]), {"reference": f"#{target.pk}"}
    )
    assert response["Location"] == reverse("helpdesk:work", args=[target.pk])
    assert Ticket.objects.get(pk=filed.pk).merged_into_id == target.pk


def test_merge_into_a_ticket_of_another_queue_says_not_found(
    agent_client, filed, facilities_ticket
):
    response = agent_client.post(
        reverse("helpdesk:work_merge", args=[filed.pk]),
        {"reference": str(facilities_ticket.pk)},
        follow=True,
    )
    assert Ticket.objects.get(pk=filed.pk).merged_into is None
    assert any("No ticket you can work" in str(m) for m in response.context["messages"])


def test_link_and_watchers(agent_client, filed, employee, other_employee, software_type):
    other = services.ticket_create(
        requester=employee, subject="Word too", request_type=software_type
    )
    agent_client.post(reverse("helpdesk:work_link", args=[filed.pk]), {"reference": other.pk})
    agent_client.post(
        reverse("helpdesk:work_watchers", args=[filed.pk]), {"email": other_employee.email}
    )
    content = _work(agent_client, filed).content.decode()
    assert f"#{other.pk} Word too" in content
    assert filed.watchers.filter(pk=other_employee.pk).exists()


def test_knowledge_button_sends_an_agents_draft_to_the_editors(
    agent_client, filed, it_queue, kb_editor
):
    SpaceFactory(slug=it_queue.slug, name="IT")
    response = agent_client.post(reverse("helpdesk:work_kcs", args=[filed.pk]))
    article = Article.objects.get()
    assert response["Location"].startswith(reverse("helpdesk:work", args=[filed.pk]))
    assert article.status == ArticleStatus.IN_REVIEW
    assert kb_editor.notifications.filter(url=article.get_absolute_url()).exists()


def test_knowledge_button_opens_the_editor_for_an_agent_who_edits_knowledge(
    client, filed, it_queue, it_agent
):
    it_agent.groups.add(Group.objects.get(name=Role.KB_EDITOR))
    SpaceFactory(slug=it_queue.slug, name="IT")
    client.force_login(it_agent)
    response = client.post(reverse("helpdesk:work_kcs", args=[filed.pk]))
    article = Article.objects.get()
    assert response["Location"] == reverse("knowledge:article_edit", kwargs={"key": article.key})
    assert article.status == ArticleStatus.DRAFT
    assert client.get(response["Location"]).status_code == 200


def test_officer_grants_another_officer_access_to_a_case(
    client, case_ticket, case_officer, hr_officer
):
    client.force_login(case_officer)
    client.post(reverse("helpdesk:work_access", args=[case_ticket.pk]), {"officer": hr_officer.pk})
    client.force_login(hr_officer)
    assert _work(client, case_ticket).status_code == 200
    client.force_login(case_officer)
    client.post(
        reverse("helpdesk:work_access", args=[case_ticket.pk]),
        {"officer": hr_officer.pk, "revoke": "1"},
    )
    client.force_login(hr_officer)
    assert _work(client, case_ticket).status_code == 404


def _page_queries(client, ticket) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert _work(client, ticket).status_code == 200
    return len(queries)


def test_page_queries_do_not_grow_with_events(agent_client, filed, it_agent):
    # Fixed: session, user, roles, the ticket with requester/queue/type/assignee, answers'
    # fields, timeline and its attachments, canned replies, watchers, links, appointment,
    # assignable agents and queues for the form, and the page frame's own queries.
    for n in range(2):
        services.ticket_note(ticket=filed, author=it_agent, body=f"note {n}")
    _work(agent_client, filed)
    few = _page_queries(agent_client, filed)
    for n in range(27):
        services.ticket_note(ticket=filed, author=it_agent, body=f"more {n}")
    assert _page_queries(agent_client, filed) == few
