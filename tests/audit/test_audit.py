import csv
import io

import pytest
from django.urls import reverse

from ess.audit.models import AuditEvent
from ess.audit.services import audit_record
from tests.matrix import Row, assert_access, expand

pytestmark = pytest.mark.django_db

MATRIX = [
    Row(
        "audit:list",
        {
            "anonymous": 302,
            "employee": 403,
            "manager": 403,
            "hr_officer": 403,
            "payroll_officer": 403,
            "it_agent": 403,
            "auditor": 200,
            "admin_user": 200,
        },
    ),
]


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_permission_matrix(client, request, row, who):
    assert_access(client, request, row, who)


def test_audit_record_keeps_actor_target_request_id_and_ip(rf, employee, hr_officer):
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    request.request_id = "req-123"
    event = audit_record(
        actor=hr_officer,
        action="hr.viewed",
        target=employee,
        request=request,
        detail={"field": "iban"},
    )
    assert event.actor == hr_officer
    assert event.actor_label == "hanna@example.org"
    assert (event.target_type, event.target_id) == ("accounts.user", str(employee.pk))
    assert event.ip_address == "10.1.2.3"
    assert event.request_id == "req-123"


def test_every_response_carries_a_request_id(client, employee):
    client.force_login(employee)
    response = client.get(reverse("portal:home"), HTTP_X_REQUEST_ID="lb-abc.123")
    assert response["X-Request-ID"] == "lb-abc.123"
    hostile = client.get(reverse("portal:home"), HTTP_X_REQUEST_ID="<script>")
    assert hostile["X-Request-ID"] != "<script>"
    assert len(hostile["X-Request-ID"]) == 32


def _events(n, actor):
    for index in range(n):
        audit_record(actor=actor, action=f"test.action{index}", detail={"n": index})


def test_audit_list_query_count_does_not_grow_with_rows(
    client, auditor, django_assert_max_num_queries
):
    _events(30, auditor)
    client.force_login(auditor)
    # session, user, user's groups (role check), count, page of events, unread bell count
    with django_assert_max_num_queries(7):
        response = client.get(reverse("audit:list"))
    assert response.status_code == 200
    assert response.content.decode().count("test.action") >= 25


def test_audit_list_filters_by_action_prefix_and_text(client, auditor, employee):
    audit_record(actor=employee, action="payroll.payslip_viewed")
    audit_record(actor=auditor, action="hr.change_approved")
    client.force_login(auditor)
    html = client.get(reverse("audit:list"), {"action": "payroll."}).content.decode()
    assert "payroll.payslip_viewed" in html
    assert "hr.change_approved" not in html
    html = client.get(reverse("audit:list"), {"q": "emma@"}).content.decode()
    assert "payroll.payslip_viewed" in html
    assert "hr.change_approved" not in html


def test_audit_list_exports_csv_with_the_filter_applied(client, auditor, employee):
    audit_record(actor=employee, action="payroll.payslip_viewed")
    audit_record(actor=auditor, action="hr.change_approved")
    client.force_login(auditor)
    response = client.get(reverse("audit:list"), {"action": "payroll.", "_export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["When", "Actor", "Action"]
    assert [r[2] for r in rows[1:]] == ["payroll.payslip_viewed"]


def test_audit_list_exports_xlsx(client, auditor):
    _events(3, auditor)
    client.force_login(auditor)
    response = client.get(reverse("audit:list"), {"_export": "xlsx"})
    assert response.status_code == 200
    assert response.content[:2] == b"PK"


@pytest.mark.parametrize(
    "params", [{"sort": "actor__password"}, {"sort": "-detail__secret"}, {"_export": "pdf"}]
)
def test_unknown_sort_keys_and_export_formats_are_refused(client, auditor, params):
    client.force_login(auditor)
    assert client.get(reverse("audit:list"), params).status_code == 400


def test_known_sort_key_is_accepted(client, auditor):
    client.force_login(auditor)
    assert client.get(reverse("audit:list"), {"sort": "-action"}).status_code == 200


def test_markup_in_audit_labels_is_escaped(client, auditor, employee):
    employee.first_name = "<script>alert(1)</script>"
    employee.save()
    audit_record(actor=auditor, action="test.xss", target=employee)
    client.force_login(auditor)
    html = client.get(reverse("audit:list")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_audit_events_are_read_only_in_the_admin(client, admin_user, auditor):
    event = audit_record(actor=auditor, action="test.immutable")
    client.force_login(admin_user)
    url = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
