"""Shared fixtures of the report tests."""

import datetime

import pytest

from hr.services import manager_role_sync
from policies.models import AcknowledgementRequest
from tests.factories import DepartmentFactory, EmployeeFactory
from tests.helpdesk.factories import QueueFactory, RequestTypeFactory, TicketFactory
from tests.policies.factories import published_policy

D = datetime.date


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.UTC)


@pytest.fixture
def team(db, hr_officer, admin_user):
    """Mila manages Anna (direct) and Ben (Anna's report), Eva (left in October) and Finn
    (starts in November). Carl works elsewhere. Hand-counted for October 2026:

    headcount on 31 October: Anna, Ben = 2; joiners: Ben = 1; leavers: Eva = 1;
    requests raised: 3 (one at 00:30 on 1 October and one at 23:30 on 31 October, Amsterdam
    time); acknowledgements due: 2, acknowledged 1, overdue 1 (Ben).
    """
    sales, ops = DepartmentFactory(name="Sales"), DepartmentFactory(name="Operations")
    mila = EmployeeFactory(user__email="mila@example.org", user__first_name="Mila")
    anna = EmployeeFactory(
        user__first_name="Anna", user__last_name="Adams", manager=mila, department=sales
    )
    ben = EmployeeFactory(
        user__first_name="Ben",
        user__last_name="Berg",
        manager=anna,
        department=ops,
        start_date=D(2026, 10, 15),
    )
    eva = EmployeeFactory(
        user__first_name="Eva",
        manager=mila,
        start_date=D(2019, 1, 1),
        end_date=D(2026, 10, 20),
        department=sales,
    )
    finn = EmployeeFactory(user__first_name="Finn", manager=mila, start_date=D(2026, 11, 5))
    carl = EmployeeFactory(user__first_name="Carl", start_date=D(2026, 10, 2))
    manager_role_sync()

    it = QueueFactory(name="IT")
    laptop = RequestTypeFactory(queue=it, name="Laptop")
    access = RequestTypeFactory(queue=it, name="Access")
    hr_cases = QueueFactory(name="HR cases", confidential=True)
    TicketFactory(
        requester=anna.user, queue=it, request_type=laptop, created_at=at(2026, 10, 10, 12)
    )
    # 00:30 on 1 October in Amsterdam (summer time, UTC+2): October.
    TicketFactory(
        requester=anna.user, queue=it, request_type=access, created_at=at(2026, 9, 30, 22, 30)
    )
    # 23:30 on 31 October in Amsterdam (winter time, UTC+1): still October.
    TicketFactory(
        requester=ben.user, queue=it, request_type=laptop, created_at=at(2026, 10, 31, 22, 30)
    )
    # 00:30 on 1 November in Amsterdam: not October.
    TicketFactory(
        requester=ben.user, queue=it, request_type=laptop, created_at=at(2026, 10, 31, 23, 30)
    )
    # A confidential case and someone else's request never count.
    TicketFactory(requester=anna.user, queue=hr_cases, created_at=at(2026, 10, 12, 9))
    TicketFactory(
        requester=carl.user, queue=it, request_type=laptop, created_at=at(2026, 10, 12, 9)
    )

    policy = published_policy(owner=hr_officer, reviewer=admin_user, slug="conduct")
    version = policy.current_version
    AcknowledgementRequest.objects.filter(version=version).delete()
    ack = AcknowledgementRequest.objects.create
    ack(
        version=version,
        user=anna.user,
        due_date=D(2026, 10, 5),
        acknowledged_at=at(2026, 10, 3, 9),
        acknowledged_on=D(2026, 10, 3),
    )
    ack(version=version, user=ben.user, due_date=D(2026, 10, 20))
    ack(version=version, user=eva.user, due_date=D(2026, 11, 30))
    ack(version=version, user=carl.user, due_date=D(2026, 10, 10))  # fmt: skip
    return {
        "mila": mila.user,
        "anna": anna,
        "ben": ben,
        "eva": eva,
        "finn": finn,
        "carl": carl,
        "sales": sales,
        "laptop": laptop,
        "policy": policy,
        "it": it,
    }
