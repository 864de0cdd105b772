"""Benefits test data: plans with levels, windows relative to today, dependents."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from hr.benefits.models import CoverageLevel, Dependent, EnrolmentWindow, LifeEvent, Plan


def today() -> datetime.date:
    return timezone.localdate()


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Plan {n}")
    category = Plan.Category.HEALTH
    currency = "EUR"
    description = "A plan."

    @factory.post_generation
    def levels(self, create, extracted, **kwargs):
        """levels=[(name, covers, employee cost, employer contribution), …]; default: three
        health levels (employee only, with partner, family)."""
        if not create:
            return
        specs = extracted if extracted is not None else DEFAULT_LEVELS
        for position, (name, covers, cost, employer) in enumerate(specs):
            CoverageLevel.objects.create(
                plan=self,
                name=name,
                covers=covers,
                employee_monthly_cost=Decimal(cost),
                employer_monthly_contribution=Decimal(employer),
                position=position,
            )


DEFAULT_LEVELS = [
    ("Employee only", CoverageLevel.Covers.EMPLOYEE, "20.00", "10.00"),
    ("Employee and partner", CoverageLevel.Covers.PARTNER, "40.00", "15.00"),
    ("Family", CoverageLevel.Covers.FAMILY, "55.00", "25.00"),
]
EXTRA_LEAVE_LEVELS = [("3 days", CoverageLevel.Covers.EMPLOYEE, "54.00", "0.00")]


def open_window(year: int | None = None) -> EnrolmentWindow:
    """Open enrolment for next year, open today."""
    return EnrolmentWindow.objects.create(
        plan_year=year or today().year + 1,
        opens_on=today() - datetime.timedelta(days=5),
        closes_on=today() + datetime.timedelta(days=5),
    )


def closed_window(year: int | None = None) -> EnrolmentWindow:
    """This year's window, which closed last autumn."""
    year = year or today().year
    return EnrolmentWindow.objects.create(
        plan_year=year,
        opens_on=datetime.date(year - 1, 11, 1),
        closes_on=datetime.date(year - 1, 11, 30),
    )


class DependentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dependent

    full_name = factory.Sequence(lambda n: f"Dependent {n}")
    relationship = Dependent.Relationship.PARTNER
    date_of_birth = datetime.date(1990, 5, 17)


class LifeEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LifeEvent

    kind = LifeEvent.Kind.BIRTH
    event_date = factory.LazyFunction(lambda: today() - datetime.timedelta(days=3))
    plan_year = factory.LazyAttribute(lambda event: event.event_date.year)
    description = "Our son was born."
