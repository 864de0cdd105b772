"""factory_boy factories for the foundation models. Apps add theirs in tests/<app>/factories.py."""

import datetime

import factory
from django.contrib.auth.models import Group

from ess.accounts.models import RoleGrant, User
from ess.accounts.roles import Role
from hr.models import Department, Employee, Location

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """Roles given by hand (as an admin would), except the org-derived ones."""
        if not (create and extracted):
            return
        names = [str(role) for role in extracted]
        RoleGrant.objects.bulk_create(
            RoleGrant(user=self, role=name, source=RoleGrant.Source.MANUAL)
            for name in names
            if name not in (Role.EMPLOYEE, Role.MANAGER)
        )
        self.groups.add(*Group.objects.filter(name__in=names))


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("name",)

    name = "Rotterdam"
    country = "NL"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")
    code = factory.Sequence(lambda n: f"dept-{n}")


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    user = factory.SubFactory(UserFactory, roles=[Role.EMPLOYEE])
    employee_number = factory.Sequence(lambda n: f"E{n:06d}")
    job_title = "Analyst"
    department = factory.SubFactory(DepartmentFactory)
    location = factory.SubFactory(LocationFactory)
    start_date = datetime.date(2020, 1, 1)
