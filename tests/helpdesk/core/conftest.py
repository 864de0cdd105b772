"""People and tickets for the core service desk tests: a report of `employee` (for
requests filed on someone's behalf), a watcher, and helpers to read notifications."""

import pytest

from ess.notifications.models import Notification, OutboxMessage
from tests.factories import EmployeeFactory


@pytest.fixture
def report(db, employee):
    """Someone who reports to `employee`."""
    person = EmployeeFactory(user__email="rik@example.org", user__first_name="Rik")
    person.manager = employee.employee
    person.save()
    return person.user


@pytest.fixture
def watcher(db):
    return EmployeeFactory(user__email="wim@example.org").user


def notifications_for(user):
    return list(Notification.objects.filter(recipient=user))


def mails_to(user):
    return list(OutboxMessage.objects.filter(to=user.email))
