"""Eligibility rules: a plan applies to an employee when every dimension it restricts matches.

A plan may restrict locations, departments (a department includes its sub-departments) and
contract types; an empty list does not restrict. The rules run in Python over plans loaded
with their restrictions prefetched, so one employee's plans and the demo seeding of 10,000
people share one implementation.
"""

import datetime
from collections.abc import Iterable

from hr.benefits.models import Plan
from hr.models import Department, Employee


def department_parents() -> dict[int, int | None]:
    """Every department's parent, in one query (departments number in the dozens)."""
    return dict(Department.objects.values_list("pk", "parent_id"))


def department_line(department_id: int, parents: dict[int, int | None]) -> set[int]:
    """The department and all departments above it."""
    line: set[int] = set()
    current: int | None = department_id
    while current is not None and current not in line:
        line.add(current)
        current = parents.get(current)
    return line


def plan_rules(plan: Plan) -> tuple[set[int], set[int], set[str]]:
    """The restrictions of a plan whose locations and departments are prefetched."""
    return (
        {location.pk for location in plan.eligible_locations.all()},
        {department.pk for department in plan.eligible_departments.all()},
        set(plan.eligible_contract_types or ()),
    )


def is_eligible(
    plan: Plan,
    employee: Employee,
    *,
    parents: dict[int, int | None],
    today: datetime.date | None = None,
) -> bool:
    return Eligibility([plan], parents=parents, today=today).allows(plan, employee)


class Eligibility:
    """The rules of several plans read once, for checking many people (the demo seeding)."""

    def __init__(
        self,
        plans: Iterable[Plan],
        *,
        parents: dict[int, int | None],
        today: datetime.date | None = None,
    ) -> None:
        self.rules = {plan.pk: plan_rules(plan) for plan in plans}
        self.parents = parents
        self.today = today
        self._lines: dict[int, set[int]] = {}

    def allows(self, plan: Plan, employee: Employee) -> bool:
        if not plan.is_active:
            return False
        if self.today and employee.end_date is not None and employee.end_date < self.today:
            return False
        locations, departments, contracts = self.rules[plan.pk]
        if locations and employee.location_id not in locations:
            return False
        if departments and not departments & self._line(employee.department_id):
            return False
        return not contracts or employee.contract_type in contracts

    def _line(self, department_id: int) -> set[int]:
        if department_id not in self._lines:
            self._lines[department_id] = department_line(department_id, self.parents)
        return self._lines[department_id]


def eligible_plans(
    plans: Iterable[Plan], employee: Employee, *, parents: dict[int, int | None], today=None
) -> list[Plan]:
    plans = list(plans)
    rules = Eligibility(plans, parents=parents, today=today)
    return [plan for plan in plans if rules.allows(plan, employee)]


def with_subdepartments(department_ids: Iterable[int], parents: dict[int, int | None]) -> set[int]:
    """The departments and everything below them (for filters such as the enrolment report)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in parents.items():
        children.setdefault(parent, []).append(pk)
    found, frontier = set(department_ids), list(department_ids)
    while frontier:
        current = frontier.pop()
        for child in children.get(current, ()):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found
