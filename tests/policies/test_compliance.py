import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from policies import compliance, services
from policies.models import AcknowledgementRequest
from tests.factories import DepartmentFactory, EmployeeFactory, LocationFactory
from tests.policies.factories import published_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(hr_officer, admin_user, manager, employee, django_capture_on_commit_callbacks):
    """Hand-counted fixture. Mila manages Emma and a team lead, who leads r1 and r2; an
    outsider reports to nobody. The audience is everyone with an employment record: Emma,
    Mila, lead, r1, r2, outsider and Hanna (HR) = 7 (the admin has no employment record).
    Emma, r1 and the outsider acknowledge; r2 is overdue; the rest are pending."""
    mila = manager.employee
    sales = DepartmentFactory(name="Sales")
    oslo = LocationFactory(name="Oslo", country="NO")
    lead = EmployeeFactory(manager=mila, department=sales, location=oslo)
    r1 = EmployeeFactory(manager=lead, department=sales, location=oslo)
    r2 = EmployeeFactory(manager=lead, department=sales)
    outsider = EmployeeFactory(department=sales)
    policy = published_policy(
        owner=hr_officer,
        reviewer=admin_user,
        acknowledge_by=timezone.localdate() + datetime.timedelta(days=5),
    )
    people = {
        "emma": employee,
        "mila": manager,
        "lead": lead.user,
        "r1": r1.user,
        "r2": r2.user,
        "outsider": outsider.user,
        "hanna": hr_officer,
    }
    # Acknowledging recounts the company-wide figures after commit.
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("emma", "r1", "outsider"):
            v = policy.current_version
            services.acknowledge(
                user=people[name],
                policy=policy,
                version_number=v.number,
                text_sha256=v.text_sha256,
            )
    # r2 is overdue: their due date has passed.
    AcknowledgementRequest.objects.filter(user=people["r2"]).update(
        due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    services.rollup_refresh(version_id=policy.acknowledgement_version_id)
    return policy, people


def test_company_wide_figures_follow_each_acknowledgement(
    hr_officer, admin_user, employee, django_capture_on_commit_callbacks
):
    policy = published_policy(owner=hr_officer, reviewer=admin_user)
    [before] = compliance.compliance_by_policy(viewer=hr_officer)
    with django_capture_on_commit_callbacks(execute=True):
        v = policy.current_version
        services.acknowledge(
            user=employee, policy=policy, version_number=v.number, text_sha256=v.text_sha256
        )
    [after] = compliance.compliance_by_policy(viewer=hr_officer)
    assert after["acknowledged"] == before["acknowledged"] + 1
    assert after["total"] == before["total"]


def test_hr_sees_everyone_counted_correctly(company, hr_officer):
    [row] = compliance.compliance_by_policy(viewer=hr_officer)
    assert (row["total"], row["acknowledged"], row["pending"], row["overdue"]) == (7, 3, 3, 1)
    assert row["rate"] == pytest.approx(42.9)


def test_manager_sees_only_direct_and_indirect_reports(company, manager):
    [row] = compliance.compliance_by_policy(viewer=manager)
    # Emma, lead, r1, r2 — not Mila herself, not the outsider, not HR.
    assert (row["total"], row["acknowledged"], row["pending"], row["overdue"]) == (4, 2, 1, 1)


def test_breakdown_by_department_and_location(company, hr_officer):
    policy, _people = company
    by_department = {
        row["group"]: row
        for row in compliance.breakdown(viewer=hr_officer, policy=policy, by="department")
    }
    assert by_department["Sales"]["total"] == 4
    assert by_department["Sales"]["acknowledged"] == 2
    by_location = {
        row["group"]: row
        for row in compliance.breakdown(viewer=hr_officer, policy=policy, by="location")
    }
    assert by_location["Oslo"]["total"] == 2


def test_completion_over_time_ends_at_the_current_share(company, hr_officer):
    policy, _people = company
    timeline = compliance.completion_over_time(viewer=hr_officer, policy=policy)
    assert timeline[-1][1] == 3
    assert timeline[-1][2] == pytest.approx(42.9)


def test_compliance_page_and_drill_down_respect_scope(client, company, manager, hr_officer):
    policy, people = company
    client.force_login(manager)
    html = client.get(reverse("policies:compliance")).content.decode()
    assert "Sales" in html
    drill = client.get(
        reverse("policies:compliance_people", args=[policy.slug]), {"_export": "csv"}
    ).content.decode()
    assert people["r1"].email in drill
    assert people["outsider"].email not in drill
    overdue = client.get(
        reverse("policies:compliance_people", args=[policy.slug]), {"status": "overdue"}
    ).content.decode()
    assert people["r2"].email in overdue
    assert people["emma"].email not in overdue


def test_plain_employee_cannot_open_the_report(client, company, employee, other_employee):
    policy, _people = company
    client.force_login(other_employee)
    assert client.get(reverse("policies:compliance")).status_code == 404
    assert client.get(reverse("policies:compliance_people", args=[policy.slug])).status_code == 404


def test_compliance_report_query_count_is_fixed(
    client, company, hr_officer, django_assert_max_num_queries
):
    client.force_login(hr_officer)
    # session, user, groups, authenticator; scope; summary; policy; breakdown x2; timeline x2;
    # frame (sections, badge, bell)
    with django_assert_max_num_queries(18):
        assert client.get(reverse("policies:compliance")).status_code == 200
