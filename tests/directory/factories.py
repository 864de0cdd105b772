"""People for the directory tests: named colleagues, reporting chains and teams."""

import datetime

from hr.models import Department, Employee, Location
from tests.factories import DepartmentFactory, EmployeeFactory, LocationFactory

START = datetime.date(2020, 1, 1)


def person(
    first: str,
    last: str,
    *,
    manager: Employee | None = None,
    department: Department | None = None,
    location: Location | None = None,
    title: str = "Analyst",
    start: datetime.date = START,
    end: datetime.date | None = None,
    phone: str = "",
    email: str | None = None,
) -> Employee:
    return EmployeeFactory(
        user__first_name=first,
        user__last_name=last,
        user__email=email or f"{first}.{last}@example.org".lower().replace(" ", ""),
        manager=manager,
        department=department or DepartmentFactory(),
        location=location or LocationFactory(),
        job_title=title,
        start_date=start,
        end_date=end,
        work_phone=phone,
    )


def chain(levels: int, *, department: Department | None = None) -> list[Employee]:
    """A reporting line `levels` deep: the first is the top, the last reports to the one
    before."""
    department = department or DepartmentFactory(name="Line", code="line")
    people: list[Employee] = []
    for level in range(levels):
        people.append(
            person(
                f"Level{level}",
                "Boss",
                manager=people[-1] if people else None,
                department=department,
                title=f"Level {level} lead",
            )
        )
    return people


def team(manager: Employee, size: int, *, prefix: str = "Report") -> list[Employee]:
    return [
        person(f"{prefix}{n}", "Member", manager=manager, department=manager.department)
        for n in range(size)
    ]
