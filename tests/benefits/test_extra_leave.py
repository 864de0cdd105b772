import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ess.audit.models import AuditEvent
from ess.notifications.models import Notification
from hr.benefits import services
from hr.benefits.models import Election, Plan
from hr.services import manager_role_sync
from hr.team import team_approvals_for
from tests.benefits.factories import EXTRA_LEAVE_LEVELS, PlanFactory, open_window
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_boss(manager):
    """The manager's own manager: indirectly above the employee."""
    boss = EmployeeFactory(user__email="bea@example.org")
    record = manager.employee
    record.manager = boss
    record.save(update_fields=["manager"])
    manager_role_sync()
    return boss.user


@pytest.fixture
def request_for_leave(employee, manager):
    window = open_window()
    plan = PlanFactory(
        name="Buy extra leave", category=Plan.Category.EXTRA_LEAVE, levels=EXTRA_LEAVE_LEVELS
    )
    return services.election_make(
        employee=employee.employee,
        plan=plan,
        plan_year=window.plan_year,
        coverage_level=plan.levels.get(),
        actor=employee,
    )


def test_the_manager_is_told_and_approves(request_for_leave, employee, manager):
    assert Notification.objects.get(recipient=manager).kind == "benefits_team_approval"
    election = services.extra_leave_decide(
        election=request_for_leave,
        decider=manager,
        approve=True,
        seen_at=request_for_leave.elected_at,
    )
    assert election.status == Election.Status.ENROLLED
    assert election.decided_by == manager
    assert "approved" in Notification.objects.get(recipient=employee).title
    assert AuditEvent.objects.filter(action="benefits.extra_leave_approved").count() == 1


def test_a_manager_higher_up_may_decide(request_for_leave, big_boss):
    election = services.extra_leave_decide(
        election=request_for_leave, decider=big_boss, approve=False, note="Peak season"
    )
    assert election.status == Election.Status.REJECTED
    assert election.decision_note == "Peak season"


def test_nobody_outside_the_manager_chain_decides(
    request_for_leave, employee, other_employee, hr_officer
):
    for person in (employee, other_employee, hr_officer):
        with pytest.raises(PermissionDenied):
            services.extra_leave_decide(election=request_for_leave, decider=person, approve=True)
    request_for_leave.refresh_from_db()
    assert request_for_leave.status == Election.Status.PENDING_APPROVAL


def test_a_manager_cannot_approve_their_own_purchase(manager, big_boss):
    window = open_window()
    plan = PlanFactory(category=Plan.Category.EXTRA_LEAVE, levels=EXTRA_LEAVE_LEVELS)
    own = services.election_make(
        employee=manager.employee,
        plan=plan,
        plan_year=window.plan_year,
        coverage_level=plan.levels.get(),
        actor=manager,
    )
    with pytest.raises(PermissionDenied):
        services.extra_leave_decide(election=own, decider=manager, approve=True)
    services.extra_leave_decide(election=own, decider=big_boss, approve=True)


def test_a_request_changed_since_the_manager_saw_it_is_not_decided(
    request_for_leave, employee, manager
):
    seen = request_for_leave.elected_at
    plan = request_for_leave.plan
    services.election_make(
        employee=employee.employee,
        plan=plan,
        plan_year=request_for_leave.plan_year,
        coverage_level=None,
        actor=employee,
    )
    services.election_make(
        employee=employee.employee,
        plan=plan,
        plan_year=request_for_leave.plan_year,
        coverage_level=plan.levels.get(),
        actor=employee,
    )
    with pytest.raises(ValidationError) as caught:
        services.extra_leave_decide(
            election=request_for_leave, decider=manager, approve=True, seen_at=seen
        )
    assert caught.value.code == "stale"


def test_a_decided_request_cannot_be_decided_again(request_for_leave, manager, big_boss):
    services.extra_leave_decide(election=request_for_leave, decider=manager, approve=True)
    with pytest.raises(ValidationError):
        services.extra_leave_decide(election=request_for_leave, decider=big_boss, approve=False)
    request_for_leave.refresh_from_db()
    assert request_for_leave.status == Election.Status.ENROLLED


def test_my_team_lists_the_request_for_the_whole_manager_chain_only(
    request_for_leave, employee, manager, big_boss, other_employee
):
    for person in (manager, big_boss):
        items = team_approvals_for(person)
        assert [item.employee_name for item in items] == [employee.get_full_name()]
        assert items[0].url == reverse("benefits:team")
    assert team_approvals_for(employee) == []
    assert team_approvals_for(other_employee) == []


def test_manager_approves_on_the_team_page(client, request_for_leave, manager):
    client.force_login(manager)
    page = client.get(reverse("benefits:team")).content.decode()
    assert "Buy extra leave" in page
    response = client.post(
        reverse("benefits:team_decide", args=[request_for_leave.pk, "approve"]),
        {"seen": request_for_leave.elected_at.isoformat(), "note": ""},
        follow=True,
    )
    assert "Approved the request" in response.content.decode()
    request_for_leave.refresh_from_db()
    assert request_for_leave.status == Election.Status.ENROLLED


def test_the_team_page_refuses_a_tampered_timestamp(client, request_for_leave, manager):
    client.force_login(manager)
    for seen in ("not-a-date", "2026-13-45T99:00:00"):
        response = client.post(
            reverse("benefits:team_decide", args=[request_for_leave.pk, "approve"]),
            {"seen": seen},
            follow=True,
        )
        assert response.status_code == 200
    request_for_leave.refresh_from_db()
    assert request_for_leave.status == Election.Status.PENDING_APPROVAL
