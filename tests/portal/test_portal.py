import pytest
from django.urls import reverse

from tests.matrix import Row, assert_access, expand

pytestmark = pytest.mark.django_db

MATRIX = [
    Row("portal:home", {"anonymous": 302, "employee": 200, "service_account": 200}),
    Row("accounts:settings", {"anonymous": 302, "employee": 200}),
    Row("notifications:list", {"anonymous": 302, "employee": 200}),
    Row("notifications:preferences", {"anonymous": 302, "employee": 200}),
    # The admin's own login page hands over to allauth; non-staff are refused there.
    Row("/admin/login/", {"anonymous": 302, "employee": 403}),
    Row("/admin/", {"admin_user": 200}),
]


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_permission_matrix(client, request, row, who):
    assert_access(client, request, row, who)


def test_home_greets_the_employee_with_manager_and_department(client, employee, manager):
    client.force_login(employee)
    html = client.get(reverse("portal:home")).content.decode()
    assert f"Hello, {employee.first_name}" in html
    assert manager.get_full_name() in html
    assert employee.employee.department.name in html


def test_home_query_count_is_fixed(client, employee, manager, django_assert_max_num_queries):
    client.force_login(employee)
    # session, user, employee with department+location+manager, groups (nav), owned policies
    # (compliance link), policies waiting (tile badge), unread count
    with django_assert_max_num_queries(8):
        assert client.get(reverse("portal:home")).status_code == 200


def test_service_account_without_employee_record_sees_a_plain_home(client, service_account):
    client.force_login(service_account)
    html = client.get(reverse("portal:home")).content.decode()
    assert "no employment record" in html


def test_audit_log_link_only_for_auditors(client, employee, auditor):
    client.force_login(employee)
    assert reverse("audit:list") not in client.get(reverse("portal:home")).content.decode()
    client.force_login(auditor)
    assert reverse("audit:list") in client.get(reverse("portal:home")).content.decode()


def test_healthz_is_public_and_reports_each_check(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


def test_healthz_answers_503_when_the_database_fails(client, db, monkeypatch):
    from ess.portal import health

    def broken():
        raise RuntimeError("connection refused")

    monkeypatch.setattr(health, "check_database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"
    assert "refused" not in response.content.decode()


def test_pages_send_a_strict_content_security_policy(client, employee):
    client.force_login(employee)
    response = client.get(reverse("portal:home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_scripts(client, employee):
    client.force_login(employee)
    html = client.get(reverse("portal:home")).content.decode()
    assert "<script>" not in html
    assert "onclick=" not in html


@pytest.mark.parametrize(
    "path", ["/accounts/login/?next=https://evil.example/", "/accounts/login/?next=//evil.example"]
)
def test_sign_in_never_redirects_off_site(client, employee, path):
    from tests.factories import TEST_PASSWORD

    response = client.post(path, {"login": "emma@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_form_action_allows_exactly_the_configured_identity_providers(client, db, settings):
    oidc_app = {
        "provider_id": "corp",
        "name": "Corp",
        "client_id": "ess",
        "secret": "s",
        "settings": {"server_url": "https://sso.corp.example/realms/x"},
    }
    saml_app = {
        "provider_id": "urn:adfs",
        "name": "ADFS",
        "client_id": "corp",
        "settings": {
            "idp": {"entity_id": "urn:adfs", "metadata_url": "https://adfs.corp.example/md"}
        },
    }
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {"APPS": [oidc_app]},
        "saml": {"APPS": [saml_app]},
    }
    csp = client.get(reverse("account_login"))["Content-Security-Policy"]
    form_action = next(d for d in csp.split(";") if d.strip().startswith("form-action"))
    assert form_action.split()[1:] == [
        "'self'",
        "https://sso.corp.example",
        "https://adfs.corp.example",
    ]
