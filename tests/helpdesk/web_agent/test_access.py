"""Who may open which agent page: 403 for people without an agent role, 404 for tickets the
agent may not work (the same answer as for a ticket that does not exist)."""

import pytest
from django.urls import reverse

from helpdesk.models import CannedReply, SavedView
from tests.matrix import Row, assert_access, expand

pytestmark = pytest.mark.django_db

PEOPLE = (
    "anonymous",
    "employee",
    "other_employee",
    "manager",
    "it_agent",
    "facilities_agent",
    "hr_officer",
    "case_officer",
    "admin_user",
)
MISSING = 987654


def _everyone(**overrides) -> dict[str, int]:
    """Non-agents 403, agents `overrides` or 404, anonymous to the sign-in page."""
    expected = {
        "anonymous": 302,
        "employee": 403,
        "other_employee": 403,
        "manager": 403,
        "it_agent": 404,
        "facilities_agent": 404,
        "hr_officer": 404,
        "case_officer": 404,
        "admin_user": 404,
    }
    expected.update(overrides)
    return expected


def _ticket_url(name: str, fixture: str):
    def build(request):
        return reverse(name, args=[request.getfixturevalue(fixture).pk])

    build.__name__ = f"{name}-{fixture}"
    return build


def _missing_url(name: str):
    def build(request):
        request.getfixturevalue("it_ticket")
        return reverse(name, args=[MISSING])

    build.__name__ = f"{name}-missing"
    return build


TICKET_PAGES = [
    ("helpdesk:work", "get", {}, 200),
    ("helpdesk:work_note", "post", {"body": "Checked the logs."}, 302),
    ("helpdesk:work_update", "post", {"version": 1, "status": "open", "priority": 2}, 302),
    ("helpdesk:work_reply", "post", {"body": "On it."}, 302),
    ("helpdesk:work_merge", "post", {"reference": str(MISSING)}, 302),
    ("helpdesk:work_link", "post", {"reference": str(MISSING)}, 302),
    ("helpdesk:work_watchers", "post", {"email": "nobody@example.org"}, 302),
    ("helpdesk:canned_preview", "get", {}, 200),
]

MATRIX = []
for name, method, data, ok in TICKET_PAGES:
    MATRIX.append(Row(_ticket_url(name, "it_ticket"), _everyone(it_agent=ok), method, data))
    MATRIX.append(Row(_ticket_url(name, "case_ticket"), _everyone(case_officer=ok), method, data))
    MATRIX.append(
        Row(_ticket_url(name, "facilities_ticket"), _everyone(facilities_agent=ok), method, data)
    )
    MATRIX.append(Row(_missing_url(name), _everyone(), method, data))

AGENT_PAGES = {
    "anonymous": 302,
    "employee": 403,
    "other_employee": 403,
    "manager": 403,
    "it_agent": 200,
    "facilities_agent": 200,
    "hr_officer": 200,
    "case_officer": 200,
    "admin_user": 200,
}
ADMIN_PAGES = dict.fromkeys(PEOPLE, 403) | {"anonymous": 302, "admin_user": 200}

MATRIX += [
    Row("helpdesk:workspace", AGENT_PAGES),
    Row("helpdesk:csat", AGENT_PAGES),
    Row("helpdesk:slots", AGENT_PAGES),
    Row(
        "helpdesk:bulk",
        AGENT_PAGES | {k: 302 for k in AGENT_PAGES if AGENT_PAGES[k] == 200},
        "post",
        {"action": "status", "status": "open"},
    ),
    Row(
        "helpdesk:saved_view_save",
        AGENT_PAGES | {k: 302 for k in AGENT_PAGES if AGENT_PAGES[k] == 200},
        "post",
        {"name": "Mine", "query": "assignee=me"},
    ),
    Row("helpdesk:admin_queues", ADMIN_PAGES),
    Row("helpdesk:admin_catalog", ADMIN_PAGES),
    Row("helpdesk:admin_canned", ADMIN_PAGES),
    Row(_ticket_url("helpdesk:admin_queue", "it_queue"), ADMIN_PAGES),
    Row(_ticket_url("helpdesk:admin_request_type", "software_type"), ADMIN_PAGES),
]


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_permission_matrix(client, request, row, who):
    assert_access(client, request, row, who)


def test_access_grants_only_on_confidential_cases_for_their_officers(
    client, it_ticket, case_ticket, it_agent, case_officer, hr_officer
):
    data = {"officer": hr_officer.pk}
    client.force_login(it_agent)
    assert (
        client.post(reverse("helpdesk:work_access", args=[it_ticket.pk]), data).status_code == 404
    )
    assert (
        client.post(reverse("helpdesk:work_access", args=[case_ticket.pk]), data).status_code == 404
    )
    client.force_login(hr_officer)
    assert (
        client.post(reverse("helpdesk:work_access", args=[case_ticket.pk]), data).status_code == 404
    )
    client.force_login(case_officer)
    assert (
        client.post(reverse("helpdesk:work_access", args=[case_ticket.pk]), data).status_code == 302
    )


def test_knowledge_button_is_refused_to_agents_of_other_queues(client, it_ticket, facilities_agent):
    client.force_login(facilities_agent)
    assert client.post(reverse("helpdesk:work_kcs", args=[it_ticket.pk])).status_code == 404


def test_missing_and_forbidden_tickets_answer_identically(client, it_ticket, facilities_agent):
    client.force_login(facilities_agent)
    forbidden = client.get(reverse("helpdesk:work", args=[it_ticket.pk]))
    missing = client.get(reverse("helpdesk:work", args=[MISSING]))
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content


def test_an_agent_cannot_delete_another_agents_saved_view(client, it_agent, facilities_agent):
    view = SavedView.objects.create(owner=it_agent, name="Mine", query="assignee=me")
    client.force_login(facilities_agent)
    client.post(reverse("helpdesk:saved_view_delete", args=[view.pk]))
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_canned_preview_of_another_queue_stays_empty(agent_client, it_ticket, facilities_queue):
    other = CannedReply.objects.create(queue=facilities_queue, title="Chairs", body="Secret text")
    response = agent_client.get(
        reverse("helpdesk:canned_preview", args=[it_ticket.pk]), {"canned": other.pk}
    )
    assert response.status_code == 200
    assert b"Secret text" not in response.content
