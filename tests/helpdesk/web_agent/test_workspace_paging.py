"""The workspace's own table markup (headers, sort and page links) and the query plan that
keeps it fast on a large ticket table."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpdesk.models import Status, Ticket
from helpdesk.views_agent import PAGE_SIZE
from tests.helpdesk.factories import TicketFactory

WORKSPACE = "helpdesk:workspace"


@pytest.fixture
def many(it_queue, employee):
    return TicketFactory.create_batch(PAGE_SIZE * 2 + 3, queue=it_queue, requester=employee)


def _links(html: str, rel_text: str) -> list[str]:
    return re.findall(rf'<a href="([^"]+)" class="page-link">[^<]*{rel_text}', html)


def test_pages_link_forward_and_back_keeping_the_filters(agent_client, many):
    params = {"assignee": "unassigned", "q": "Ticket subject"}
    first = agent_client.get(reverse(WORKSPACE), params).content.decode()
    assert 'aria-label="Pages"' in first
    assert not _links(first, "Previous")
    (next_link,) = re.findall(r'<a href="([^"]+)" class="page-link">Next', first)
    assert "page=2" in next_link
    assert "assignee=unassigned" in next_link
    assert "q=Ticket+subject" in next_link

    second = agent_client.get(reverse(WORKSPACE) + next_link.replace("&amp;", "&")).content
    second = second.decode()
    assert 'aria-current="page"' in second
    assert re.findall(
        r'<a href="([^"]+)" class="page-link"><span aria-hidden="true">&laquo;', second
    )


def test_sort_links_toggle_and_keep_the_filters(agent_client, many):
    html = agent_client.get(reverse(WORKSPACE), {"sort": "subject", "q": "Ticket"}).content.decode()
    headers = dict(re.findall(r'<th [^>]*scope="col"><a href="([^"]+)">([^<]+)</a>', html))
    subject_link = next(link for link, label in headers.items() if label == "Subject")
    assert "sort=-subject" in subject_link
    assert "q=Ticket" in subject_link
    assert "Requester" not in headers.values()  # not orderable: a plain header


def test_one_page_has_no_page_links(agent_client, it_queue, employee):
    TicketFactory(queue=it_queue, requester=employee)
    assert 'aria-label="Pages"' not in agent_client.get(reverse(WORKSPACE)).content.decode()


def test_the_open_ticket_list_is_read_from_the_partial_index(agent_client, many):
    """SQLite uses a partial index only when the query states its condition literally; a
    bound `status IN (?, …)` makes it walk every ticket of the queue, closed ones included."""
    with CaptureQueriesContext(connection) as queries:
        agent_client.get(reverse(WORKSPACE), {"page": 2})
    listing = [
        q["sql"] for q in queries if 'FROM "helpdesk_ticket"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert listing, "the page query was not found"
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + listing[-1])
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "hd_ticket_open_work" in plan


def test_a_chosen_finished_status_is_listed_without_the_index_condition(agent_client, many):
    closed = TicketFactory(queue=many[0].queue, requester=many[0].requester, status=Status.CLOSED)
    response = agent_client.get(reverse(WORKSPACE), {"status": [Status.CLOSED, Status.OPEN]})
    listed = {row.record.pk for row in response.context["table"].page.object_list}
    assert closed.pk in listed
    assert Ticket.objects.count() == len(many) + 1
