"""The service desk's cast: queues with their agents, a confidential queue with its officer,
and the catalog entries the tests file against."""

import pytest
from guardian.shortcuts import assign_perm

from ess.accounts.roles import Role
from helpdesk.models import Approval, FieldKind, Priority
from tests.conftest import _role_holder
from tests.helpdesk.factories import (
    FormFieldFactory,
    QueueFactory,
    RequestTypeFactory,
    SlaTargetFactory,
)


@pytest.fixture
def it_queue(db, it_agent):
    queue = QueueFactory(name="IT", slug="it", email_address="it@desk.example.org")
    queue.agents.add(it_agent)
    for priority, response, resolution in (
        (Priority.LOW, 480, 4800),
        (Priority.NORMAL, 240, 1440),
        (Priority.HIGH, 60, 480),
        (Priority.URGENT, 30, 240),
    ):
        SlaTargetFactory(
            queue=queue,
            priority=priority,
            first_response_minutes=response,
            resolution_minutes=resolution,
        )
    return queue


@pytest.fixture
def facilities_agent(db):
    """An agent, but of another queue than IT."""
    return _role_holder("fenna@example.org", Role.IT_AGENT)


@pytest.fixture
def facilities_queue(db, facilities_agent):
    queue = QueueFactory(name="Facilities", slug="facilities")
    queue.agents.add(facilities_agent)
    return queue


@pytest.fixture
def case_officer(db):
    """The officer granted the confidential HR cases queue."""
    return _role_holder("carla@example.org", Role.HR_OFFICER)


@pytest.fixture
def cases_queue(db, hr_officer, case_officer):
    """A confidential queue: `hr_officer` is a member but not granted; `case_officer` is."""
    queue = QueueFactory(name="HR cases", slug="hr-cases", confidential=True)
    queue.agents.add(hr_officer, case_officer)
    assign_perm("helpdesk.handle_confidential", case_officer, queue)
    return queue


@pytest.fixture
def laptop_type(db, it_queue):
    """ "New laptop": needs the manager's approval, with a choice and a required reason."""
    request_type = RequestTypeFactory(
        queue=it_queue,
        name="New laptop",
        slug="new-laptop",
        keywords="notebook computer",
        approval=Approval.MANAGER,
        default_priority=Priority.NORMAL,
    )
    FormFieldFactory(
        request_type=request_type,
        key="model",
        label="Model",
        kind=FieldKind.CHOICE,
        choices='Standard 14"\nDeveloper 16"',
        required=True,
        position=1,
    )
    FormFieldFactory(
        request_type=request_type,
        key="reason",
        label="Why do you need it?",
        kind=FieldKind.TEXTAREA,
        required=True,
        position=2,
    )
    return request_type


@pytest.fixture
def software_type(db, it_queue):
    return RequestTypeFactory(queue=it_queue, name="Software install", slug="software-install")


@pytest.fixture
def case_type(db, cases_queue):
    return RequestTypeFactory(queue=cases_queue, name="Report a concern", slug="report-a-concern")
