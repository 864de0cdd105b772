"""The catalog home page, its search, the portal search source, my requests and approvals."""

import pytest
from django.urls import reverse

from ess.search import selectors as search_selectors
from ess.search.services import index_refresh
from ess.search.sources import registered_sources
from helpdesk import services
from helpdesk.models import ApprovalState, Status, Ticket
from helpdesk.search import catalog_documents, catalog_index_refresh
from tests.helpdesk.factories import FormFieldFactory, RequestTypeFactory, TicketFactory

pytestmark = pytest.mark.django_db


# --- Catalog ----------------------------------------------------------------------------------
def test_the_home_page_groups_request_types_by_queue(
    client, employee, laptop_type, software_type, case_type
):
    client.force_login(employee)
    html = client.get(reverse("helpdesk:home")).content.decode()
    assert "How can we help?" in html
    assert laptop_type.get_absolute_url() in html
    assert case_type.get_absolute_url() in html
    assert html.index("HR cases") != html.index("IT")
    assert "You have no open requests." in html
    assert "Waiting for your approval" not in html


def test_the_catalog_search_matches_keywords_ignoring_case_and_accents(
    client, employee, laptop_type, software_type
):
    RequestTypeFactory(queue=laptop_type.queue, name="Café card", slug="cafe-card")
    client.force_login(employee)
    url = reverse("helpdesk:catalog_search")
    htmx = {"HX-Request": "true"}

    notebook = client.get(url, {"q": "NOTEBOOK"}, headers=htmx).content.decode()
    cafe = client.get(url, {"q": "cafe"}, headers=htmx).content.decode()
    nothing = client.get(url, {"q": "submarine"}, headers=htmx).content.decode()

    assert "New laptop" in notebook
    assert "Software install" not in notebook
    assert "Café card" in cafe
    assert "New laptop" not in cafe
    assert "Nothing in the catalog matches" in nothing
    assert "<html" not in notebook  # a fragment
    # The count is announced from a live region outside the swapped list.
    assert 'id="catalog-status" hx-swap-oob="innerHTML">1 service matches' in notebook


def test_the_catalog_search_works_without_javascript(client, employee, laptop_type, software_type):
    client.force_login(employee)
    html = client.get(reverse("helpdesk:home"), {"q": "laptop"}).content.decode()
    assert "New laptop" in html
    assert "Software install" not in html


def test_hostile_catalog_queries_come_out_escaped(client, employee, laptop_type):
    client.force_login(employee)
    html = client.get(reverse("helpdesk:home"), {"q": "<script>x</script>"}).content.decode()
    assert "<script>x" not in html


def test_the_home_page_shows_my_open_requests_and_approvals_waiting(
    client, employee, manager, it_ticket
):
    client.force_login(employee)
    assert it_ticket.subject in client.get(reverse("helpdesk:home")).content.decode()
    client.force_login(manager)
    html = client.get(reverse("helpdesk:home")).content.decode()
    assert "Waiting for your approval" in html
    assert "1 request waits for your decision." in html


def test_the_portal_search_finds_a_request_type(employee, laptop_type):
    FormFieldFactory(request_type=laptop_type, key="dock", label="Docking station", position=3)
    assert registered_sources()["catalog"] is catalog_documents
    index_refresh(doc_type="catalog")

    found = search_selectors.search(user=employee, query="new laptop")
    by_keyword = search_selectors.search(user=employee, query="notebook")

    assert found.hits[0].title == "New laptop"
    assert found.hits[0].url == laptop_type.get_absolute_url()
    assert found.hits[0].doc_type == "catalog"
    assert by_keyword.hits
    assert by_keyword.hits[0].title == "New laptop"


def test_a_deactivated_request_type_leaves_the_index(
    employee, laptop_type, django_capture_on_commit_callbacks
):
    index_refresh(doc_type="catalog")
    laptop_type.is_active = False
    laptop_type.save()
    with django_capture_on_commit_callbacks(execute=True):
        catalog_index_refresh([laptop_type.pk])
    assert not search_selectors.search(user=employee, query="new laptop").hits


# --- My requests ------------------------------------------------------------------------------
def test_my_requests_lists_what_i_filed_and_what_was_filed_for_me(
    client, employee, beneficiary, other_employee, it_ticket, it_queue
):
    mine = TicketFactory(requester=beneficiary, queue=it_queue, subject="Bea asks herself")
    TicketFactory(requester=other_employee, queue=it_queue, subject="Not yours")
    client.force_login(beneficiary)

    html = client.get(reverse("helpdesk:my_requests")).content.decode()

    assert it_ticket.subject in html
    assert mine.subject in html
    assert "Not yours" not in html


def test_my_requests_filters_by_status_type_and_text(
    client, employee, it_queue, software_type, laptop_type
):
    TicketFactory(requester=employee, queue=it_queue, request_type=software_type, subject="Zoom")
    TicketFactory(
        requester=employee,
        queue=it_queue,
        request_type=laptop_type,
        subject="Old laptop",
        status=Status.RESOLVED,
    )
    client.force_login(employee)
    url = reverse("helpdesk:my_requests")

    resolved = client.get(url, {"status": "resolved"}).content.decode()
    software = client.get(url, {"request_type": software_type.pk}).content.decode()
    text = client.get(url, {"q": "zoo"}).content.decode()

    assert "Old laptop" in resolved
    assert "Zoom" not in resolved
    assert "Zoom" in software
    assert "Old laptop" not in software
    assert "Zoom" in text
    assert "Old laptop" not in text


def test_my_requests_without_any_points_to_the_catalog(client, employee):
    client.force_login(employee)
    html = client.get(reverse("helpdesk:my_requests")).content.decode()
    assert "You have not asked the service desk for anything yet." in html
    assert reverse("helpdesk:home") in html


@pytest.mark.parametrize(
    "query",
    [
        {"sort": "requester__password"},
        {"sort": "-reply_token"},
        {"requester__email": "x"},
        {"confidential": "1"},
        {"_export": "csv"},
    ],
)
def test_my_requests_refuses_keys_outside_the_allow_list(client, employee, query):
    client.force_login(employee)
    assert client.get(reverse("helpdesk:my_requests"), query).status_code == 400


def test_my_requests_sorts_by_an_offered_column(client, employee, it_queue):
    TicketFactory(requester=employee, queue=it_queue, subject="Alpha")
    client.force_login(employee)
    assert client.get(reverse("helpdesk:my_requests"), {"sort": "-subject"}).status_code == 200


def test_my_requests_costs_the_same_queries_for_3_and_30_tickets(
    client, employee, beneficiary, it_queue, software_type, django_assert_max_num_queries
):
    def add(count):
        for n in range(count):
            TicketFactory(
                requester=employee,
                on_behalf_of=beneficiary if n % 2 else None,
                queue=it_queue,
                request_type=software_type,
            )

    add(3)
    client.force_login(employee)
    url = reverse("helpdesk:my_requests")
    client.get(url)
    # Session, user and roles (3); the request types of the filter (1); the count and the
    # page of tickets with their type and people (2); the page frame: unread notifications
    # and the navigation (2).
    with django_assert_max_num_queries(8) as few:
        client.get(url)
    add(27)
    with django_assert_max_num_queries(8) as many:
        client.get(url)
    assert len(many) == len(few)


# --- Approvals --------------------------------------------------------------------------------
@pytest.fixture
def laptop_request(employee, manager, laptop_type):
    return services.ticket_create(
        requester=employee,
        subject="New laptop please",
        request_type=laptop_type,
        form_answers={"model": 'Developer 16"', "reason": "Builds take an hour"},
        search_context=[],
    )


def test_the_approver_sees_the_request_with_its_answers(client, manager, laptop_request):
    client.force_login(manager)
    html = client.get(reverse("helpdesk:approvals")).content.decode()
    assert "New laptop please" in html
    assert "Builds take an hour" in html
    assert "Why do you need it?" in html


def test_nobody_else_sees_the_approval(client, employee, other_employee, laptop_request):
    for person in (employee, other_employee):
        client.force_login(person)
        html = client.get(reverse("helpdesk:approvals")).content.decode()
        assert "New laptop please" not in html
        assert "Nothing waits for your approval." in html


def test_approving_starts_the_work(client, manager, laptop_request):
    client.force_login(manager)
    response = client.post(
        reverse("helpdesk:approval_decide", args=[laptop_request.approval.pk]),
        {"decision": "approve"},
    )
    assert response.status_code == 302
    laptop_request.refresh_from_db()
    assert laptop_request.approval_state == ApprovalState.APPROVED


def test_rejecting_needs_a_reason(client, manager, laptop_request):
    client.force_login(manager)
    url = reverse("helpdesk:approval_decide", args=[laptop_request.approval.pk])

    refused = client.post(url, {"decision": "reject"})

    assert refused.status_code == 400
    assert f'href="#approval-{laptop_request.approval.pk}-comment"' in refused.content.decode()
    laptop_request.refresh_from_db()
    assert laptop_request.approval_state == ApprovalState.PENDING

    client.post(url, {"decision": "reject", "comment": "Your laptop is a year old."})

    laptop_request.refresh_from_db()
    assert laptop_request.approval_state == ApprovalState.REJECTED
    assert laptop_request.status == Status.CLOSED


def test_a_decided_approval_cannot_be_decided_again(client, manager, laptop_request):
    client.force_login(manager)
    url = reverse("helpdesk:approval_decide", args=[laptop_request.approval.pk])
    client.post(url, {"decision": "approve"})
    assert client.post(url, {"decision": "reject", "comment": "no"}).status_code == 404
    assert Ticket.objects.get().approval_state == ApprovalState.APPROVED


def test_my_requests_rows_link_escape_and_page(client, employee, manager, it_queue, software_type):
    """The rows are drawn in Python (DrawnTableMixin): each value escaped, each ticket linked,
    and the pages linked with the sort kept."""
    hostile = TicketFactory(
        requester=employee,
        queue=it_queue,
        request_type=software_type,
        subject='<script>alert("x")</script> & more',
    )
    TicketFactory(requester=manager, on_behalf_of=employee, queue=it_queue)
    TicketFactory.create_batch(25, requester=employee, queue=it_queue)
    client.force_login(employee)
    url = reverse("helpdesk:my_requests")

    first = client.get(url, {"sort": "reference"})
    html = first.content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in html
    ticket_url = reverse("helpdesk:ticket", args=[hostile.pk])
    assert f'<a href="{ticket_url}">#{hostile.pk}</a>' in html
    assert f"<td>{software_type.name}</td>" in html
    assert 'aria-label="Pages"' in html
    next_link = html.split('class="page-link">Next')[0].rsplit('href="', 1)[1].split('"')[0]
    assert "page=2" in next_link
    assert "sort=reference" in next_link
    second = client.get(url + next_link.replace("&amp;", "&"))
    listed = [
        row.record.pk for page in (first, second) for row in page.context["table"].page.object_list
    ]
    assert sorted(listed) == sorted(Ticket.objects.values_list("pk", flat=True))
