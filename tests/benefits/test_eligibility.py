import datetime

import pytest
from django.core.exceptions import ValidationError

from hr.benefits import selectors, services
from hr.benefits.eligibility import department_parents, is_eligible
from hr.benefits.models import Election, Plan
from tests.benefits.factories import PlanFactory, open_window, today
from tests.factories import DepartmentFactory, EmployeeFactory, LocationFactory

pytestmark = pytest.mark.django_db


def _eligible(plan, employee) -> bool:
    plan = Plan.objects.prefetch_related("eligible_locations", "eligible_departments").get(
        pk=plan.pk
    )
    return is_eligible(plan, employee, parents=department_parents(), today=today())


def test_a_plan_without_rules_is_for_everyone():
    plan = PlanFactory()
    assert _eligible(plan, EmployeeFactory())
    assert _eligible(plan, EmployeeFactory(contract_type="intern"))


def test_location_rule_admits_only_people_at_those_locations():
    oslo = LocationFactory(name="Oslo", country="NO")
    plan = PlanFactory()
    plan.eligible_locations.set([oslo])
    assert _eligible(plan, EmployeeFactory(location=oslo))
    assert not _eligible(plan, EmployeeFactory(location=LocationFactory(name="Milan")))


def test_department_rule_includes_sub_departments_but_not_siblings():
    sales = DepartmentFactory(name="Sales")
    italy = DepartmentFactory(name="Sales Italy", parent=sales)
    milan_team = DepartmentFactory(name="Sales Milan", parent=italy)
    finance = DepartmentFactory(name="Finance")
    plan = PlanFactory()
    plan.eligible_departments.set([sales])
    assert _eligible(plan, EmployeeFactory(department=sales))
    assert _eligible(plan, EmployeeFactory(department=milan_team))
    assert not _eligible(plan, EmployeeFactory(department=finance))


def test_contract_type_rule():
    plan = PlanFactory(eligible_contract_types=["permanent", "fixed_term"])
    assert _eligible(plan, EmployeeFactory(contract_type="fixed_term"))
    assert not _eligible(plan, EmployeeFactory(contract_type="intern"))


def test_rules_combine_so_every_restricted_dimension_must_match():
    rotterdam = LocationFactory(name="Rotterdam")
    oslo = LocationFactory(name="Oslo", country="NO")
    plan = PlanFactory(eligible_contract_types=["permanent"])
    plan.eligible_locations.set([rotterdam])
    assert _eligible(plan, EmployeeFactory(location=rotterdam, contract_type="permanent"))
    assert not _eligible(plan, EmployeeFactory(location=oslo, contract_type="permanent"))
    assert not _eligible(plan, EmployeeFactory(location=rotterdam, contract_type="temporary"))


def test_plans_no_longer_offered_and_people_who_left_are_not_eligible():
    assert not _eligible(PlanFactory(is_active=False), EmployeeFactory())
    leaver = EmployeeFactory(end_date=today() - datetime.timedelta(days=1))
    assert not _eligible(PlanFactory(), leaver)


def test_elections_page_lists_only_eligible_plans(employee):
    open_window()
    record = employee.employee
    mine = PlanFactory(name="Everyone's plan")
    elsewhere = PlanFactory(name="Oslo only")
    elsewhere.eligible_locations.set([LocationFactory(name="Oslo", country="NO")])
    rows = selectors.election_rows(employee=record, plan_year=today().year + 1)
    assert [row.plan for row in rows] == [mine]


def test_electing_a_plan_one_is_not_eligible_for_is_refused(employee):
    window = open_window()
    plan = PlanFactory(eligible_contract_types=["intern"])
    with pytest.raises(ValidationError) as caught:
        services.election_make(
            employee=employee.employee,
            plan=plan,
            plan_year=window.plan_year,
            coverage_level=plan.levels.first(),
            actor=employee,
        )
    assert caught.value.code == "not_eligible"
    assert not Election.objects.exists()


def test_someone_no_longer_eligible_still_sees_and_can_waive_their_election(employee):
    window = open_window()
    plan = PlanFactory()
    services.election_make(
        employee=employee.employee,
        plan=plan,
        plan_year=window.plan_year,
        coverage_level=plan.levels.first(),
        actor=employee,
    )
    plan.eligible_contract_types = ["intern"]
    plan.save()
    rows = selectors.election_rows(employee=employee.employee, plan_year=window.plan_year)
    assert [(row.plan, row.eligible) for row in rows] == [(plan, False)]
    election = services.election_make(
        employee=employee.employee,
        plan=plan,
        plan_year=window.plan_year,
        coverage_level=None,
        actor=employee,
    )
    assert election.status == Election.Status.WAIVED
