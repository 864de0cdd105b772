import random

import pytest
from django.utils import timezone

from ess.accounts.models import User
from ess.portal.seeding import SeedContext
from hr import seed as hr_seed
from hr.benefits import seed, selectors
from hr.benefits.models import Election, EnrolmentWindow, LifeEvent, Plan
from hr.models import Employee
from hr.team import team_approvals_for

pytestmark = pytest.mark.django_db


def test_demo_benefits_have_an_open_window_elections_and_work_to_do():
    ctx = SeedContext(rng=random.Random(7), scale=1, write=lambda line: None)
    hr_seed.seed_demo(ctx)
    seed.seed_demo(ctx)

    assert Plan.objects.count() >= 10
    assert set(Plan.objects.values_list("category", flat=True)) >= {
        "health",
        "pension",
        "commuter",
        "meal",
        "wellbeing",
        "extra_leave",
    }
    today = timezone.localdate()
    assert EnrolmentWindow.objects.filter(opens_on__lte=today, closes_on__gte=today).exists()
    people = Employee.objects.count()
    enrolled = Election.objects.values("employee").distinct().count()
    assert enrolled > people * 0.6
    assert LifeEvent.objects.filter(status=LifeEvent.Status.PENDING).count() >= 2

    emma = User.objects.get(email="emma.employee@northwind.example")
    mila = User.objects.get(email="mila.manager@northwind.example")
    pending = Election.objects.get(employee__user=emma, status=Election.Status.PENDING_APPROVAL)
    assert pending.plan.needs_manager_approval
    assert "Emma Employee" in [item.employee_name for item in team_approvals_for(mila)]
    # Every covered dependent fits the level that covers them.
    for election in Election.objects.filter(dependents__isnull=False).distinct()[:200]:
        allowed = election.coverage_level.relationships
        assert all(d.relationship in allowed for d in election.dependents.all())
    # Emma still has choices to make in the open window (the demo journey).
    window = EnrolmentWindow.objects.get(opens_on__lte=today, closes_on__gte=today)
    rows = selectors.election_rows(employee=emma.employee, plan_year=window.plan_year)
    assert any(row.election is None for row in rows)
