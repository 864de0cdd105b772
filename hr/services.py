"""Writes for the organisation: people, managers and the roles that follow from them."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from ess.accounts.models import RoleGrant, User
from ess.accounts.roles import Role
from ess.accounts.services import role_set_members
from ess.audit.services import audit_record
from hr.models import Department, Employee, Location


def manager_role_sync() -> tuple[int, int]:
    """Give `manager` to exactly the people with direct reports (or a grant of the role).

    Returns (added, removed).
    """
    with_reports = set(
        Employee.objects.filter(direct_reports__isnull=False).values_list("user_id", flat=True)
    )
    granted = set(RoleGrant.objects.filter(role=Role.MANAGER).values_list("user_id", flat=True))
    return role_set_members(role=Role.MANAGER, user_ids=with_reports | granted)


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


def _department_named(name: str) -> Department:
    name = name.strip() or "Unassigned"
    code = slugify(name)[:50] or "unassigned"
    department, _ = Department.objects.get_or_create(code=code, defaults={"name": name[:150]})
    return department


def _location_named(name: str) -> Location:
    name = name.strip() or "Unassigned"
    location, _ = Location.objects.get_or_create(name=name[:100], defaults={"country": ""})
    return location


@transaction.atomic
def employee_upsert_from_directory(
    *,
    user: User,
    employee_number: str,
    job_title: str,
    department_name: str,
    location_name: str,
    manager: Employee | None,
) -> Employee:
    """Create or refresh the employment record the company directory describes.

    Fields the directory leaves empty keep what HR recorded; a new person starts today.
    """
    employee = Employee.objects.filter(user=user).first()
    manager_changed = manager is not None and (
        employee is None or employee.manager_id != manager.pk
    )
    number = employee_number.strip()[:20]
    if number and Employee.objects.filter(employee_number=number).exclude(user=user).exists():
        number = ""  # someone else holds it; HR sorts that out, sign-in must not fail
    if employee is None:
        employee = Employee(
            user=user,
            employee_number=number or f"DIR{user.pk:07d}",
            job_title=job_title[:150] or "Employee",
            department=_department_named(department_name),
            location=_location_named(location_name),
            start_date=timezone.localdate(),
            manager=manager,
        )
        employee.full_clean()
        employee.save()
        audit_record(actor=None, action="employee.provisioned", target=employee)
    else:
        changes = {}
        if number and number != employee.employee_number:
            changes["employee_number"] = number
        if job_title and job_title[:150] != employee.job_title:
            changes["job_title"] = job_title[:150]
        if department_name and department_name.strip() != employee.department.name:
            changes["department"] = _department_named(department_name)
        if location_name and location_name.strip() != employee.location.name:
            changes["location"] = _location_named(location_name)
        if manager is not None and manager.pk != employee.manager_id:
            changes["manager"] = manager
        for field, value in changes.items():
            setattr(employee, field, value)
        if changes:
            employee.full_clean()
            employee.save(update_fields=list(changes))
            audit_record(
                actor=None,
                action="employee.updated_from_directory",
                target=employee,
                detail={"fields": sorted(changes)},
            )
    if manager_changed:
        manager_role_sync()
    return employee
