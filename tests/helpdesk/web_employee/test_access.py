"""Who may open each employee page of the service desk.

Ticket pages answer 404 to anyone who may not see the ticket, exactly as for a ticket that
does not exist; agents who can work a ticket are sent to the agent page (302); people who
see a ticket without being its requester (the approver, an agent on the requester page's
actions) get 403 on the requester's actions.
"""

import pytest
from django.urls import reverse

from helpdesk import services
from tests.matrix import Row, assert_access, expand

pytestmark = pytest.mark.django_db

CAST = (
    "employee",
    "beneficiary",
    "other_employee",
    "it_agent",
    "facilities_agent",
    "hr_officer",
    "case_officer",
    "manager",
)


def everyone(status: int) -> dict[str, int]:
    return {**dict.fromkeys(CAST, status), "anonymous": 302}


def _ticket_url(name: str, fixture: str = "it_ticket"):
    def url(request):
        # The whole cast exists, so every queue and its agents are in place.
        for who in ("facilities_queue", "cases_queue"):
            request.getfixturevalue(who)
        ticket = request.getfixturevalue(fixture)
        return reverse(f"helpdesk:{name}", args=[ticket.pk])

    url.__name__ = f"{name}-{fixture}"
    return url


def _rate_link(request):
    ticket = request.getfixturevalue("resolved_ticket")
    return services.rating_url(ticket, 4)


def _decide(request):
    ticket = request.getfixturevalue("it_ticket")
    return reverse("helpdesk:approval_decide", args=[ticket.approval.pk])


def _request_page(name: str):
    def url(request):
        request_type = request.getfixturevalue("software_type")
        return reverse(f"helpdesk:{name}", args=[request_type.slug])

    url.__name__ = name
    return url


# The normal ticket: filed by employee for beneficiary, in IT, waiting for manager.
SEES_IT_TICKET = {
    "employee": 200,
    "beneficiary": 200,
    "other_employee": 404,
    "it_agent": 302,  # to the agent page
    "facilities_agent": 404,
    "hr_officer": 404,
    "case_officer": 404,
    "manager": 200,  # the approver
    "anonymous": 302,
}
# The confidential case, filed by employee.
SEES_CASE = {
    "employee": 200,
    "beneficiary": 404,
    "other_employee": 404,
    "it_agent": 404,
    "facilities_agent": 404,
    "hr_officer": 404,  # a member of the queue, but not granted
    "case_officer": 302,  # granted: to the agent page
    "manager": 404,
    "anonymous": 302,
}
REQUESTER_ACTION = {
    "employee": 302,
    "beneficiary": 302,
    "other_employee": 404,
    "it_agent": 403,
    "facilities_agent": 404,
    "hr_officer": 404,
    "case_officer": 404,
    "manager": 403,
    "anonymous": 302,
}

MATRIX = [
    Row("helpdesk:home", everyone(200)),
    Row("helpdesk:my_requests", everyone(200)),
    Row("helpdesk:approvals", everyone(200)),
    Row(_request_page("request"), everyone(200)),
    Row(_request_page("deflect_suggestions"), everyone(200)),
    Row(_ticket_url("ticket"), SEES_IT_TICKET),
    Row(_ticket_url("ticket", "case_ticket"), SEES_CASE),
    Row(_ticket_url("reply"), REQUESTER_ACTION, method="post", data={"body": "Any news?"}),
    Row(
        _ticket_url("reply", "case_ticket"),
        {**SEES_CASE, "employee": 302, "case_officer": 403},
        method="post",
        data={"body": "Any news?"},
    ),
    Row(
        _ticket_url("rate", "resolved_ticket"),
        REQUESTER_ACTION,
        method="post",
        data={"rating": "4", "comment": "Quick"},
    ),
    Row(
        _ticket_url("appointment_ics", "booked_ticket"),
        {**SEES_IT_TICKET, "it_agent": 200},
    ),
    Row(
        _rate_link,
        {**dict.fromkeys(CAST, 404), "employee": 200, "beneficiary": 200, "anonymous": 302},
        label="rate_link",
    ),
    Row(
        _decide,
        {**dict.fromkeys(CAST, 404), "manager": 302, "anonymous": 302},
        method="post",
        data={"decision": "approve"},
        label="approval_decide",
    ),
]


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_permission_matrix(client, request, row, who):
    assert_access(client, request, row, who)


def test_catalog_search_without_htmx_goes_back_to_the_catalog_page(client, employee):
    client.force_login(employee)
    response = client.get(reverse("helpdesk:catalog_search"), {"q": "laptop"})
    assert response.status_code == 302
    assert response["Location"] == reverse("helpdesk:home") + "?q=laptop"


@pytest.mark.parametrize("name", ["ticket", "reply", "rate", "appointment_ics"])
def test_someone_elses_ticket_answers_like_a_missing_one(
    client, other_employee, booked_ticket, case_ticket, name
):
    """Walking the ids: every existing ticket that is not theirs, and the first id after
    them, give the very same 404."""
    client.force_login(other_employee)
    method = client.get if name in ("ticket", "appointment_ics") else client.post
    answers = []
    for pk in range(1, case_ticket.pk + 2):
        response = method(reverse(f"helpdesk:{name}", args=[pk]))
        answers.append((response.status_code, response.content))
    assert {status for status, _ in answers} == {404}
    assert len({content for _, content in answers}) == 1


def test_a_tampered_rating_link_is_not_found(client, employee, resolved_ticket):
    client.force_login(employee)
    url = services.rating_url(resolved_ticket, 5)
    assert client.get(url).status_code == 200
    token = url.rstrip("/").rsplit("/", 1)[-1]
    forged = url.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    assert client.get(forged).status_code == 404
    assert client.get(reverse("helpdesk:rate_link", args=["not-a-token"])).status_code == 404
