import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ess.audit.models import AuditEvent
from hr.benefits import services
from hr.benefits.models import CoverageLevel, Election, Plan
from tests.benefits.factories import (
    EXTRA_LEAVE_LEVELS,
    DependentFactory,
    PlanFactory,
    closed_window,
    open_window,
)

pytestmark = pytest.mark.django_db


def _elect(user, plan, year, level_name=None, dependents=(), **kwargs):
    level = plan.levels.get(name=level_name) if level_name else None
    return services.election_make(
        employee=user.employee,
        plan=plan,
        plan_year=year,
        coverage_level=level,
        dependents=list(dependents),
        actor=user,
        **kwargs,
    )


def test_employee_elects_changes_and_waives_while_the_window_is_open(employee):
    window = open_window()
    plan = PlanFactory()
    partner = DependentFactory(employee=employee.employee)
    election = _elect(employee, plan, window.plan_year, "Employee only")
    assert election.status == Election.Status.ENROLLED
    assert election.employee_monthly_cost == Decimal("20.00")
    assert election.source == Election.Source.OPEN_ENROLMENT

    changed = _elect(employee, plan, window.plan_year, "Employee and partner", [partner])
    assert changed.pk == election.pk
    assert list(changed.dependents.all()) == [partner]
    assert changed.employee_monthly_cost == Decimal("40.00")

    waived = _elect(employee, plan, window.plan_year)
    assert waived.status == Election.Status.WAIVED
    assert waived.coverage_level is None
    assert not waived.dependents.exists()
    assert waived.employee_monthly_cost == 0
    events = AuditEvent.objects.filter(action="benefits.election_changed").order_by("pk")
    assert [e.detail["to"]["status"] for e in events] == ["enrolled", "enrolled", "waived"]
    assert events[1].detail["from"]["level"] == election.coverage_level_id


def test_making_the_same_choice_twice_records_nothing_new(employee):
    window = open_window()
    plan = PlanFactory()
    _elect(employee, plan, window.plan_year, "Employee only")
    _elect(employee, plan, window.plan_year, "Employee only")
    assert AuditEvent.objects.filter(action="benefits.election_changed").count() == 1


def test_elections_are_refused_once_the_window_has_closed(employee):
    window = closed_window()
    plan = PlanFactory()
    with pytest.raises(ValidationError) as caught:
        _elect(employee, plan, window.plan_year, "Employee only")
    assert caught.value.code == "closed"
    assert not Election.objects.exists()


def test_the_window_is_open_on_its_last_day_and_closed_the_day_after(employee):
    window = open_window()
    plan = PlanFactory()
    _elect(employee, plan, window.plan_year, "Employee only", today=window.closes_on)
    with pytest.raises(ValidationError):
        _elect(
            employee,
            plan,
            window.plan_year,
            "Family",
            [DependentFactory(employee=employee.employee)],
            today=window.closes_on + datetime.timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        _elect(
            employee,
            plan,
            window.plan_year,
            "Employee only",
            today=window.opens_on - datetime.timedelta(days=1),
        )


def test_a_level_covers_only_the_dependents_it_is_for(employee):
    window = open_window()
    plan = PlanFactory()
    partner = DependentFactory(employee=employee.employee)
    child = DependentFactory(employee=employee.employee, relationship="child")
    year = window.plan_year
    with pytest.raises(ValidationError) as caught:
        _elect(employee, plan, year, "Employee only", [partner])
    assert caught.value.code == "dependent_not_covered"
    with pytest.raises(ValidationError) as caught:
        _elect(employee, plan, year, "Employee and partner", [child])
    assert caught.value.code == "dependent_not_covered"
    with pytest.raises(ValidationError) as caught:
        _elect(employee, plan, year, "Employee and partner")
    assert caught.value.code == "no_partner"
    with pytest.raises(ValidationError) as caught:
        _elect(employee, plan, year, "Family")
    assert caught.value.code == "no_family"
    second = DependentFactory(employee=employee.employee)
    with pytest.raises(ValidationError) as caught:
        _elect(employee, plan, year, "Family", [partner, second])
    assert caught.value.code == "two_partners"
    assert _elect(employee, plan, year, "Family", [partner, child]).dependents.count() == 2


def test_nobody_covers_someone_elses_dependents_or_elects_for_someone_else(
    employee, other_employee
):
    window = open_window()
    plan = PlanFactory()
    theirs = DependentFactory(employee=other_employee.employee)
    with pytest.raises(PermissionDenied):
        _elect(employee, plan, window.plan_year, "Employee and partner", [theirs])
    with pytest.raises(PermissionDenied):
        services.election_make(
            employee=employee.employee,
            plan=plan,
            plan_year=window.plan_year,
            coverage_level=plan.levels.first(),
            actor=other_employee,
        )


def test_a_level_of_another_plan_is_refused(employee):
    window = open_window()
    plan, other = PlanFactory(), PlanFactory()
    with pytest.raises(ValidationError):
        services.election_make(
            employee=employee.employee,
            plan=plan,
            plan_year=window.plan_year,
            coverage_level=other.levels.first(),
            actor=employee,
        )


def test_a_new_price_leaves_confirmed_elections_alone(employee, hr_officer):
    window = open_window()
    plan = PlanFactory()
    election = _elect(employee, plan, window.plan_year, "Employee only")
    level = plan.levels.get(name="Employee only")
    services.level_save(
        actor=hr_officer,
        plan=plan,
        level=level,
        employee_monthly_cost=Decimal("99.00"),
    )
    election.refresh_from_db()
    assert election.employee_monthly_cost == Decimal("20.00")


def test_extra_leave_waits_for_the_manager_and_is_direct_without_one(
    employee, manager, other_employee
):
    window = open_window()
    plan = PlanFactory(category=Plan.Category.EXTRA_LEAVE, levels=EXTRA_LEAVE_LEVELS)
    pending = _elect(employee, plan, window.plan_year, "3 days")
    assert pending.status == Election.Status.PENDING_APPROVAL
    # other_employee has nobody above them: the purchase stands at once.
    direct = _elect(other_employee, plan, window.plan_year, "3 days")
    assert direct.status == Election.Status.ENROLLED


def test_employee_elects_through_the_page_during_the_window(client, employee):
    window = open_window()
    plan = PlanFactory()
    level = plan.levels.get(name="Employee only")
    client.force_login(employee)
    url = reverse("benefits:elect", args=[window.plan_year, plan.pk])
    assert 'value="waive"' in client.get(url).content.decode()
    response = client.post(url, {"choice": str(level.pk)})
    assert response.status_code == 302
    assert Election.objects.get(employee=employee.employee).coverage_level == level
    page = client.get(reverse("benefits:year", args=[window.plan_year])).content.decode()
    assert "Employee only" in page
    assert "Enrolled" in page


def test_outside_the_window_the_page_offers_no_form_and_a_post_changes_nothing(client, employee):
    window = closed_window()
    plan = PlanFactory()
    client.force_login(employee)
    url = reverse("benefits:elect", args=[window.plan_year, plan.pk])
    html = client.get(url).content.decode()
    assert "cannot be changed now" in html
    assert 'name="choice"' not in html
    response = client.post(url, {"choice": str(plan.levels.first().pk)})
    assert response.status_code == 200
    assert not Election.objects.exists()


def test_a_choice_outside_the_plans_levels_is_a_form_error(client, employee):
    window = open_window()
    plan, other = PlanFactory(), PlanFactory()
    client.force_login(employee)
    url = reverse("benefits:elect", args=[window.plan_year, plan.pk])
    response = client.post(url, {"choice": str(other.levels.first().pk)})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Election.objects.exists()


def test_a_dependent_on_a_current_election_cannot_be_removed(employee):
    window = open_window()
    plan = PlanFactory()
    partner = DependentFactory(employee=employee.employee)
    _elect(employee, plan, window.plan_year, "Employee and partner", [partner])
    with pytest.raises(ValidationError):
        services.dependent_remove(dependent=partner, actor=employee)
    _elect(employee, plan, window.plan_year, "Employee only")
    services.dependent_remove(dependent=partner, actor=employee)
    assert not employee.employee.dependents.exists()


def test_removing_a_level_in_use_is_refused(employee, hr_officer):
    window = open_window()
    plan = PlanFactory()
    _elect(employee, plan, window.plan_year, "Employee only")
    with pytest.raises(ValidationError):
        services.level_delete(actor=hr_officer, level=plan.levels.get(name="Employee only"))
    services.level_delete(actor=hr_officer, level=plan.levels.get(name="Family"))
    assert not CoverageLevel.objects.filter(name="Family").exists()


def test_a_second_first_choice_saved_at_the_same_moment_is_refused_cleanly(employee):
    window = open_window()
    plan = PlanFactory()
    # Another request inserted the row after this one looked for it.
    Election.objects.create(
        employee=employee.employee, plan=plan, plan_year=window.plan_year, status="waived"
    )
    with mock.patch.object(Election.objects, "select_for_update") as lookup:
        lookup.return_value.filter.return_value.first.return_value = None
        with pytest.raises(ValidationError) as caught:
            _elect(employee, plan, window.plan_year, "Employee only")
    assert caught.value.code == "concurrent"
    assert Election.objects.get().status == Election.Status.WAIVED
