"""Reads for benefits: what an employee may choose now, their elections, and HR's views.

Each reader that takes a `user` also decides what that user may see; the list pages and
the detail pages use the same functions, so they cannot disagree.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ess.accounts.models import User
from hr.benefits.eligibility import department_parents, eligible_plans
from hr.benefits.models import (
    Dependent,
    Election,
    EnrolmentWindow,
    LifeEvent,
    Plan,
)
from hr.benefits.permissions import can_manage_benefits, require
from hr.models import Employee
from hr.org import subtree_filter


@dataclass(frozen=True)
class ChangePeriod:
    """A stretch of days in which someone may change their elections for one plan year."""

    plan_year: int
    until: datetime.date
    source: str  # Election.Source
    life_event: LifeEvent | None = None

    @property
    def is_open_enrolment(self) -> bool:
        return self.source == Election.Source.OPEN_ENROLMENT


@dataclass
class PlanRow:
    """One line of the elections page: a plan, the person's election (if any)."""

    plan: Plan
    election: Election | None
    eligible: bool


@dataclass
class Totals:
    """Monthly amounts of the enrolled elections, per currency."""

    by_currency: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    def add(self, currency: str, employee: Decimal, employer: Decimal) -> None:
        entry = self.by_currency.setdefault(
            currency, {"employee": Decimal(0), "employer": Decimal(0)}
        )
        entry["employee"] += employee
        entry["employer"] += employer

    def rows(self) -> list[tuple[str, Decimal, Decimal, Decimal]]:
        """(currency, monthly employee cost, monthly employer contribution, yearly cost)."""
        return [
            (currency, amounts["employee"], amounts["employer"], amounts["employee"] * 12)
            for currency, amounts in sorted(self.by_currency.items())
        ]


# --- the employee ---------------------------------------------------------------------------
def employee_for(user: User) -> Employee | None:
    if not user.is_authenticated:
        return None
    return (
        Employee.objects.select_related("user", "department", "location", "manager__user")
        .filter(user=user)
        .first()
    )


def require_employee(user: User) -> Employee:
    employee = employee_for(user)
    require(employee is not None)
    return employee


def window_for_year(plan_year: int) -> EnrolmentWindow:
    return get_object_or_404(EnrolmentWindow, plan_year=plan_year)


def change_periods(*, employee: Employee, today: datetime.date | None = None) -> list[ChangePeriod]:
    """Every plan year the person may change now: an open window, or an approved life event
    still in its change period (a window for the same year takes precedence)."""
    today = today or timezone.localdate()
    periods = {
        window.plan_year: ChangePeriod(
            window.plan_year, window.closes_on, Election.Source.OPEN_ENROLMENT
        )
        for window in EnrolmentWindow.objects.filter(opens_on__lte=today, closes_on__gte=today)
    }
    events = LifeEvent.objects.filter(
        employee=employee, status=LifeEvent.Status.APPROVED, changes_until__gte=today
    ).order_by("changes_until", "pk")
    for event in events:  # the latest deadline per year wins
        current = periods.get(event.plan_year)
        if current is None or not current.is_open_enrolment:
            periods[event.plan_year] = ChangePeriod(
                event.plan_year, event.changes_until, Election.Source.LIFE_EVENT, event
            )
    return sorted(periods.values(), key=lambda period: period.plan_year)


def change_period_for(
    *, employee: Employee, plan_year: int, today: datetime.date | None = None
) -> ChangePeriod | None:
    for period in change_periods(employee=employee, today=today):
        if period.plan_year == plan_year:
            return period
    return None


def plan_years(*, employee: Employee, today: datetime.date | None = None) -> list[int]:
    """The plan years worth showing: windows that have opened, newest first, and any year
    the person has elections in."""
    today = today or timezone.localdate()
    years = set(
        EnrolmentWindow.objects.filter(opens_on__lte=today).values_list("plan_year", flat=True)
    )
    years |= set(
        Election.objects.filter(employee=employee)
        .order_by()
        .values_list("plan_year", flat=True)
        .distinct()
    )
    return sorted(years, reverse=True)[:4]


def plan_catalogue() -> QuerySet[Plan]:
    """Offered plans with their levels and restrictions (four queries when evaluated)."""
    return Plan.objects.filter(is_active=True).prefetch_related(
        "levels", "eligible_locations", "eligible_departments"
    )


def plans_for_employee(*, employee: Employee, today: datetime.date | None = None) -> list[Plan]:
    return eligible_plans(
        plan_catalogue(),
        employee,
        parents=department_parents(),
        today=today or timezone.localdate(),
    )


def elections_for(*, employee: Employee, plan_year: int) -> QuerySet[Election]:
    return (
        Election.objects.filter(employee=employee, plan_year=plan_year)
        .select_related("plan", "coverage_level", "life_event")
        .prefetch_related(Prefetch("dependents", queryset=Dependent.objects.order_by("pk")))
    )


def election_rows(
    *, employee: Employee, plan_year: int, today: datetime.date | None = None
) -> list[PlanRow]:
    """Every plan the person can take, with their election, and plans they elected that they
    can no longer take (so a waiver stays possible)."""
    elections = {e.plan_id: e for e in elections_for(employee=employee, plan_year=plan_year)}
    rows = [
        PlanRow(plan=plan, election=elections.pop(plan.pk, None), eligible=True)
        for plan in plans_for_employee(employee=employee, today=today)
    ]
    rows += [PlanRow(plan=e.plan, election=e, eligible=False) for e in elections.values()]
    return sorted(rows, key=lambda row: (row.plan.category, row.plan.name))


def totals_of(elections) -> Totals:
    totals = Totals()
    for election in elections:
        if election is not None and election.status == Election.Status.ENROLLED:
            totals.add(
                election.plan.currency,
                election.employee_monthly_cost,
                election.employer_monthly_contribution,
            )
    return totals


def plan_for_election(*, employee: Employee, plan_id: int, plan_year: int) -> PlanRow:
    """The plan someone opens to choose: one they may take, or one they already elected."""
    for row in election_rows(employee=employee, plan_year=plan_year):
        if row.plan.pk == plan_id:
            return row
    raise Http404


def dependents_of(*, employee: Employee) -> QuerySet[Dependent]:
    return Dependent.objects.filter(employee=employee).order_by("date_of_birth", "pk")


def dependent_for_owner(*, user: User, pk: int) -> Dependent:
    """Only the person edits their dependents; anyone else gets a 404."""
    return get_object_or_404(
        Dependent.objects.select_related("employee"), pk=pk, employee__user=user
    )


def life_events_of(*, employee: Employee) -> QuerySet[LifeEvent]:
    return LifeEvent.objects.filter(employee=employee).select_related("decided_by")


def life_event_for_viewer(*, user: User, pk: int) -> LifeEvent:
    """The person who reported it and HR; 404 for everyone else (managers included)."""
    events = LifeEvent.objects.select_related(
        "employee__user", "employee__department", "decided_by"
    )
    if can_manage_benefits(user):
        return get_object_or_404(events, pk=pk)
    return get_object_or_404(events, pk=pk, employee__user=user)


def can_read_life_event(user: User, event: LifeEvent) -> bool:
    """For the supporting documents attached to a life event."""
    if not user.is_authenticated:
        return False
    return can_manage_benefits(user) or event.employee.user_id == user.pk


def statement_subject(*, user: User, employee_id: int) -> Employee:
    """Whose statement a person may download: their own, or anyone's for HR."""
    people = Employee.objects.select_related("user", "department", "location")
    if can_manage_benefits(user):
        return get_object_or_404(people, pk=employee_id)
    return get_object_or_404(people, pk=employee_id, user=user)


# --- managers -------------------------------------------------------------------------------
def team_elections(*, user: User) -> QuerySet[Election]:
    """Extra-leave elections of everyone below the person in the reporting line."""
    path = Employee.objects.filter(user=user).values_list("org_path", flat=True).first()
    if not path:
        return Election.objects.none()
    return (
        Election.objects.filter(plan__category=Plan.Category.EXTRA_LEAVE)
        .filter(subtree_filter(path, field="employee__org_path", include_self=False))
        .select_related("employee__user", "plan", "coverage_level")
    )


def team_pending_extra_leave(*, user: User) -> QuerySet[Election]:
    return (
        team_elections(user=user)
        .filter(status=Election.Status.PENDING_APPROVAL)
        .order_by("elected_at", "pk")
    )


def team_election_for_decider(*, user: User, pk: int) -> Election:
    return get_object_or_404(team_elections(user=user), pk=pk)


def team_pending_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return team_pending_extra_leave(user=user).count()


# --- HR -------------------------------------------------------------------------------------
def plans_for_hr(*, user: User) -> QuerySet[Plan]:
    require(can_manage_benefits(user))
    return Plan.objects.annotate(level_count=Count("levels", distinct=True)).order_by(
        "category", "name"
    )


def plan_for_hr(*, user: User, pk: int) -> Plan:
    require(can_manage_benefits(user))
    return get_object_or_404(
        Plan.objects.prefetch_related("levels", "eligible_locations", "eligible_departments"),
        pk=pk,
    )


def windows_for_hr(*, user: User) -> QuerySet[EnrolmentWindow]:
    require(can_manage_benefits(user))
    return EnrolmentWindow.objects.order_by("-plan_year")


def enrolment_elections(*, user: User) -> QuerySet[Election]:
    require(can_manage_benefits(user))
    return Election.objects.select_related(
        "employee__user", "employee__department", "employee__location", "plan", "coverage_level"
    )


def enrolment_summary(elections: QuerySet[Election]) -> list[dict]:
    """Elections counted by plan, coverage level and status, with their monthly sums (one
    query over the filtered elections)."""
    groups = (
        elections.order_by()
        .values(
            "plan_id",
            "plan__name",
            "plan__currency",
            "coverage_level__name",
            "coverage_level__position",
            "status",
        )
        .annotate(
            people=Count("pk"),
            employee_total=Sum("employee_monthly_cost"),
            employer_total=Sum("employer_monthly_contribution"),
        )
    )
    by_plan: dict[int, dict] = defaultdict(lambda: {"rows": [], "people": 0})
    for group in groups:
        plan = by_plan[group["plan_id"]]
        plan.update(name=group["plan__name"], currency=group["plan__currency"])
        plan["people"] += group["people"]
        plan["rows"].append({**group, "status_label": Election.Status(group["status"]).label})
    for plan in by_plan.values():
        plan["rows"].sort(
            key=lambda g: (
                g["coverage_level__position"] is None,
                g["coverage_level__position"] or 0,
            )
        )
    return sorted(by_plan.values(), key=lambda plan: plan["name"])


def life_event_queue(*, user: User) -> QuerySet[LifeEvent]:
    require(can_manage_benefits(user))
    return LifeEvent.objects.select_related(
        "employee__user", "employee__department", "employee__location", "decided_by"
    )


def employee_for_hr(*, user: User, employee_id: int) -> Employee:
    require(can_manage_benefits(user))
    return get_object_or_404(
        Employee.objects.select_related("user", "department", "location", "manager__user"),
        pk=employee_id,
    )


def all_elections_of(*, employee: Employee) -> QuerySet[Election]:
    return (
        Election.objects.filter(employee=employee)
        .select_related("plan", "coverage_level")
        .prefetch_related(Prefetch("dependents", queryset=Dependent.objects.order_by("pk")))
        .order_by("-plan_year", "plan__category", "plan__name")
    )
