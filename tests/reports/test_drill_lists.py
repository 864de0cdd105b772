"""Drill-down lists at any size: no count of the whole list, pages of ids first, rows drawn
in Python exactly as django-tables2 would draw them, and each list newest first by the
moment it counts on."""

import datetime
import re

import django_tables2 as tables
import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape

from ess.portal.tables import pages_by_id
from ess.reports.columns import ChoiceColumn, DateColumn, DrillTable, PersonColumn
from helpdesk.models import Status, Ticket
from tests.factories import UserFactory
from tests.helpdesk.factories import QueueFactory, RequestTypeFactory, TicketFactory

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def at(day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2025, 10, day, hour, tzinfo=UTC)


@pytest.fixture
def desk_tickets(it_agent):
    """60 IT tickets filed, answered, resolved and rated in October 2025, one a day-hour
    apart, plus a queue the agent does not work in."""
    it = QueueFactory(name="IT", slug="it")
    it.agents.add(it_agent)
    laptop = RequestTypeFactory(queue=it, name="Laptop")
    made = []
    for n in range(60):
        filed = at(1 + n // 3, 8 + n % 3)
        made.append(
            TicketFactory(
                queue=it,
                request_type=laptop,
                status=Status.CLOSED,
                assignee=it_agent,
                created_at=filed,
                first_response_due_at=filed + datetime.timedelta(hours=4),
                first_responded_at=filed + datetime.timedelta(hours=1),
                resolution_due_at=filed + datetime.timedelta(days=3),
                # Resolved in the opposite order to filing, so the orders differ.
                resolved_at=at(28, 8) + datetime.timedelta(minutes=60 - n),
                rating=1 + n % 5,
                rated_at=at(29) + datetime.timedelta(minutes=n),
            )
        )
    TicketFactory(queue=QueueFactory(name="Elsewhere"), created_at=at(5))
    return made


OCTOBER = {"start": "2025-10-01", "end": "2025-10-31"}


def _drill(client, user, name, **params):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:drill", args=["desk", name]), params)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries]


@pytest.mark.parametrize(
    ("drill", "moment"),
    [
        ("created", "created_at"),
        ("resolved", "resolved_at"),
        ("responded", "first_responded_at"),
        ("rated", "rated_at"),
        ("response", "first_responded_at"),  # no breach: the outcome is the answer
        ("resolution", "resolved_at"),
    ],
)
def test_lists_page_newest_first_without_counting(client, it_agent, desk_tickets, drill, moment):
    first, queries = _drill(client, it_agent, drill, **OCTOBER)
    assert not any('FROM "helpdesk_ticket"' in sql and "COUNT(" in sql for sql in queries)
    expected = [t.pk for t in sorted(desk_tickets, key=lambda t: getattr(t, moment), reverse=True)]
    assert [row.record.pk for row in first.context["table"].page.object_list] == expected[:50]
    assert "page=2" in first.content.decode()
    second, more_queries = _drill(client, it_agent, drill, page=2, **OCTOBER)
    assert [row.record.pk for row in second.context["table"].page.object_list] == expected[50:]
    # The same statements for any page, whatever the list's length.
    assert len(more_queries) == len(queries)
    assert len(queries) <= 10
    assert "page=3" not in second.content.decode()


def test_sla_list_keeps_its_annotations_on_the_page(client, it_agent, desk_tickets):
    response, _queries = _drill(client, it_agent, "response", **OCTOBER)
    page = response.content.decode()
    assert page.count(">Yes</td>") == 50  # every target met, said per row
    newest = max(desk_tickets, key=lambda t: t.first_responded_at)
    shown = timezone.localtime(newest.first_responded_at).strftime("%Y-%m-%d %H:%M")
    assert shown in page  # "Outcome known"


def test_an_empty_list_says_so(client, it_agent, desk_tickets):
    response, _queries = _drill(client, it_agent, "created", start="2024-01-01", end="2024-01-31")
    assert list(response.context["table"].page.object_list) == []
    assert "Nothing in this period." in response.content.decode()


def test_export_still_has_every_row(client, it_agent, desk_tickets):
    client.force_login(it_agent)
    response = client.get(
        reverse("reports:drill", args=["desk", "created"]), {**OCTOBER, "_export": "csv"}
    )
    assert response.status_code == 200
    assert len(response.content.decode().strip().splitlines()) == 61  # header and 60 rows


# --- The two mechanisms on their own ------------------------------------------------------------


def test_pages_by_id_reads_ids_then_only_the_page(desk_tickets):
    listed = pages_by_id(
        Ticket.objects.filter(queue=desk_tickets[0].queue)
        .select_related("queue")
        .order_by("-created_at", "-id")
    )
    with CaptureQueriesContext(connection) as queries:
        page = listed[10:20]
    assert [t.pk for t in page] == [t.pk for t in reversed(desk_tickets)][10:20]
    assert len(queries) == 2
    assert 'SELECT "helpdesk_ticket"."id" AS "pk"' in queries[0]["sql"]
    with CaptureQueriesContext(connection) as queries:
        assert page[0].queue.name == "IT"  # joined on the page's query, not one each
    assert len(queries) == 0
    assert len(list(listed)) == 60  # iterating (an export) is a plain read
    assert listed.filter(pk=page[0].pk)[0:1][0].pk == page[0].pk  # chaining keeps it


class SampleTable(DrillTable):
    name = PersonColumn("requester", verbose_name="Requester")
    status = ChoiceColumn(verbose_name="Status")
    priority = tables.Column(verbose_name="Priority")  # a choice field, plain column
    request_type = tables.Column(accessor="request_type__name", default="—")
    created_at = DateColumn(verbose_name="Filed", format="Y-m-d H:i")
    resolved_at = DateColumn(verbose_name="Resolved", format="Y-m-d")
    subject = tables.Column()

    def render_subject(self, value, record) -> str:
        return f"{value} ({record.pk})"


def test_drawn_rows_are_the_cells_tables2_renders(desk_tickets):
    hostile = UserFactory(first_name="<b>Eve</b>", last_name="<script>x</script>")
    TicketFactory(
        queue=desk_tickets[0].queue,
        requester=hostile,
        subject="<img src=x onerror=alert(1)>",
        request_type=None,
        created_at=at(31, 22),  # 23:00 in Amsterdam
    )
    table = SampleTable(
        Ticket.objects.select_related("requester", "request_type").order_by("-created_at")
    )
    tables.RequestConfig(RequestFactory().get("/"), paginate={"per_page": 5}).configure(table)
    drawn = table.page_rows()
    assert len(drawn) == 5
    for html, row in zip(drawn, table.page.object_list, strict=True):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", html)
        expected = [str(row.get_cell(column.name)) for column in table.columns]
        assert cells == [str(conditional_escape(value)) for value in expected]
    first = drawn[0]
    assert "<script>" not in first
    assert "&lt;script&gt;" in first
    assert "&lt;img src=x onerror=alert(1)&gt;" in first
    assert "2025-10-31 23:00" in first  # local time
    assert "—" in first  # the default for an empty request type
