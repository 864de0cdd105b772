"""Fixtures shared by every test: people in each role, and the permission-matrix helper."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings

from ess.accounts.roles import Role
from hr.services import manager_role_sync
from tests.factories import EmployeeFactory, UserFactory


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Database tests, then transactional ones, then the rest — once more, last.

    pytest-django sorts the tests so; pytest's own reordering for the browser tests'
    session-scoped `browser_name` parameter can then move ordinary database tests behind
    the transactional browser tests, whose closing flush removes the role groups those
    tests need. Sorting again after everyone else restores Django's order.
    """
    from pytest_django.plugin import pytest_collection_modifyitems as django_order

    django_order(items)


@pytest.fixture
def employee(db):
    """A plain employee, with a manager (the `manager` fixture's person)."""
    return EmployeeFactory(user__email="emma@example.org").user


@pytest.fixture
def other_employee(db):
    return EmployeeFactory(user__email="oliver@example.org").user


@pytest.fixture
def manager(db, employee):
    boss = EmployeeFactory(user__email="mila@example.org")
    record = employee.employee
    record.manager = boss
    record.save(update_fields=["manager"])
    manager_role_sync()
    return boss.user


def with_totp(user):
    """Enrol a TOTP authenticator, as every holder of an MFA-required role must."""
    TOTP.activate(user, generate_totp_secret())
    return user


def _role_holder(email: str, role: Role):
    user = EmployeeFactory(user__email=email, user__roles=[Role.EMPLOYEE, role]).user
    if role in settings.ESS_MFA_REQUIRED_ROLES:
        with_totp(user)
    return user


@pytest.fixture
def hr_officer(db):
    return _role_holder("hanna@example.org", Role.HR_OFFICER)


@pytest.fixture
def payroll_officer(db):
    return _role_holder("pieter@example.org", Role.PAYROLL_OFFICER)


@pytest.fixture
def it_agent(db):
    return _role_holder("ivan@example.org", Role.IT_AGENT)


@pytest.fixture
def kb_editor(db):
    return _role_holder("kirsten@example.org", Role.KB_EDITOR)


@pytest.fixture
def auditor(db):
    return _role_holder("aldo@example.org", Role.AUDITOR)


@pytest.fixture
def admin_user(db):
    return with_totp(
        UserFactory(email="ada@example.org", is_staff=True, is_superuser=True, roles=[Role.ADMIN])
    )


@pytest.fixture
def service_account(db):
    return UserFactory(email="integration@example.org", is_service_account=True)
