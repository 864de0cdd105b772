"""Writes for the organisation: people, managers and the roles that follow from them."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction

from ess.accounts.models import User
from ess.accounts.roles import Role
from ess.accounts.services import role_set_members
from ess.audit.services import audit_record
from hr.models import Department, Employee, Location


def manager_role_sync() -> tuple[int, int]:
    """Give `manager` to exactly the people with direct reports. Returns (added, removed)."""
    manager_user_ids = (
        Employee.objects.filter(direct_reports__isnull=False)
        .values_list("user_id", flat=True)
        .distinct()
    )
    return role_set_members(role=Role.MANAGER, user_ids=manager_user_ids)


@transaction.atomic
def employee_create(
    *,
    email: str,
    first_name: str,
    last_name: str,
    employee_number: str,
    job_title: str,
    department: Department,
    location: Location,
    start_date: datetime.date,
    manager: Employee | None = None,
    contract_type: str = Employee.ContractType.PERMANENT,
    hours_per_week: Decimal = Decimal(40),
    work_phone: str = "",
    actor: User | None = None,
) -> Employee:
    user = User(email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    user.groups.add(Group.objects.get(name=Role.EMPLOYEE))
    employee = Employee(
        user=user,
        employee_number=employee_number,
        job_title=job_title,
        department=department,
        location=location,
        start_date=start_date,
        manager=manager,
        contract_type=contract_type,
        hours_per_week=hours_per_week,
        work_phone=work_phone,
    )
    employee.full_clean()
    employee.save()
    if manager is not None:
        manager_role_sync()
    audit_record(actor=actor, action="employee.created", target=employee)
    return employee


@transaction.atomic
def employee_set_manager(
    *, employee: Employee, manager: Employee | None, actor: User | None = None
) -> Employee:
    previous = employee.manager_id
    employee.manager = manager
    employee.full_clean()
    employee.save(update_fields=["manager"])
    manager_role_sync()
    audit_record(
        actor=actor,
        action="employee.manager_changed",
        target=employee,
        detail={"from": previous, "to": manager.pk if manager else None},
    )
    return employee
