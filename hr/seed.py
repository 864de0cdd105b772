"""Northwind Logistics: offices, a department tree and its people, for `seed_demo`."""

import datetime
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from ess.accounts.models import RoleGrant, User
from ess.accounts.roles import Role
from ess.portal.seeding import DEMO_PASSWORD, EMAIL_DOMAIN, SeedContext
from hr.models import Department, Employee, Location
from hr.org import org_paths_rebuild
from hr.seed_private import seed_open_requests, seed_private_data, seed_request_history
from hr.services import manager_role_sync

# Dates are anchored, not taken from today, so the same seed gives the same company.
ANCHOR = datetime.date(2026, 11, 1)
PEOPLE_PER_SCALE = 150
TEAM_SIZE = 8
# Recent movement, so reports show a trend: two years of monthly joiners and leavers,
# counted back from the day of seeding (like the payroll history), per 150 people.
HISTORY_MONTHS = 24
JOINERS_PER_MONTH = (1, 2)
LEAVERS_PER_MONTH = (0, 2)
UPCOMING_LEAVERS = 2

LOCATIONS = [
    ("Rotterdam", "NL", "Europe/Amsterdam"),
    ("Milan", "IT", "Europe/Rome"),
    ("Oslo", "NO", "Europe/Oslo"),
]

FIRST_NAMES = {
    "NL": [
        "Daan",
        "Sanne",
        "Bram",
        "Lotte",
        "Jeroen",
        "Femke",
        "Sem",
        "Noor",
        "Thijs",
        "Anouk",
        "Ruben",
        "Esmee",
        "Joris",
        "Marloes",
        "Wouter",
        "Ilse",
        "Şahin",
        "Łukasz",
        "Fleur",
        "Koen",
    ],
    "IT": [
        "Nicolò",
        "Giulia",
        "Matteo",
        "Chiara",
        "Lorenzo",
        "Francesca",
        "Alessandro",
        "Sara",
        "Davide",
        "Martina",
        "Gabriele",
        "Elena",
        "Tommaso",
        "Aurora",
        "Riccardo",
        "Beatrice",
        "Federico",
        "Alice",
        "Andrea",
        "Ilaria",
    ],
    "NO": [
        "Ole",
        "Ingrid",
        "Lars",
        "Sigrid",
        "Magnus",
        "Astrid",
        "Håkon",
        "Solveig",
        "Eirik",
        "Kari",
        "Sindre",
        "Marte",
        "Jørgen",
        "Tuva",
        "Øystein",
        "Hedda",
        "Torbjørn",
        "Ragnhild",
        "Aksel",
        "Liv",
    ],
}
LAST_NAMES = {
    "NL": [
        "de Vries",
        "Jansen",
        "van den Berg",
        "Bakker",
        "Visser",
        "Smit",
        "Meijer",
        "de Boer",
        "Mulder",
        "de Groot",
        "Bos",
        "Vos",
        "Peters",
        "Hendriks",
        "van Dijk",
        "Dekker",
        "Yılmaz",
        "Kowalski",
        "Brouwer",
        "van Leeuwen",
    ],
    "IT": [
        "Rossi",
        "Russo",
        "Ferrari",
        "Esposito",
        "Bianchi",
        "Romano",
        "Colombo",
        "Ricci",
        "Marino",
        "Greco",
        "Bruno",
        "Gallo",
        "Conti",
        "De Luca",
        "Mancini",
        "Costa",
        "Giordano",
        "Rizzo",
        "Lombardi",
        "Moretti",
    ],
    "NO": [
        "Hansen",
        "Johansen",
        "Olsen",
        "Larsen",
        "Andersen",
        "Pedersen",
        "Nilsen",
        "Kristiansen",
        "Jensen",
        "Karlsen",
        "Ødegård",
        "Berg",
        "Haugen",
        "Hagen",
        "Johannessen",
        "Bråthen",
        "Eriksen",
        "Sæther",
        "Dahl",
        "Lie",
    ],
}

# (code, name, parent code, share of headcount, usual location, job titles)
DEPARTMENTS = [
    ("northwind", "Northwind Logistics", None, 0, "NL", ["Chief Executive Officer"]),
    ("operations", "Operations", "northwind", 0, "NL", ["Director of Operations"]),
    (
        "warehousing",
        "Warehousing",
        "operations",
        18,
        "NL",
        ["Warehouse Operative", "Forklift Driver", "Inventory Controller", "Shift Supervisor"],
    ),
    (
        "transport",
        "Transport Planning",
        "operations",
        12,
        "IT",
        ["Transport Planner", "Route Optimisation Analyst", "Fleet Coordinator"],
    ),
    (
        "customs",
        "Customs & Compliance",
        "operations",
        6,
        "NL",
        ["Customs Specialist", "Trade Compliance Officer"],
    ),
    ("finance", "Finance", "northwind", 0, "NL", ["Chief Financial Officer"]),
    ("accounting", "Accounting", "finance", 6, "NL", ["Accountant", "Accounts Payable Clerk"]),
    ("payroll", "Payroll", "finance", 3, "NL", ["Payroll Specialist"]),
    ("people", "People & Culture", "northwind", 0, "NL", ["Chief People Officer"]),
    ("hr-services", "HR Services", "people", 5, "NL", ["HR Advisor", "HR Business Partner"]),
    ("recruitment", "Recruitment", "people", 3, "IT", ["Recruiter", "Talent Sourcer"]),
    ("it", "IT", "northwind", 0, "NO", ["Chief Information Officer"]),
    (
        "service-desk",
        "IT Service Desk",
        "it",
        5,
        "NO",
        ["Service Desk Agent", "Desktop Support Engineer"],
    ),
    (
        "infrastructure",
        "Infrastructure",
        "it",
        4,
        "NO",
        ["Systems Engineer", "Network Engineer", "Cloud Engineer"],
    ),
    (
        "development",
        "Software Development",
        "it",
        7,
        "NO",
        ["Software Engineer", "Product Owner", "QA Engineer"],
    ),
    (
        "facilities",
        "Facilities",
        "northwind",
        4,
        "IT",
        ["Facilities Coordinator", "Office Manager", "Maintenance Technician"],
    ),
    ("sales", "Sales", "northwind", 0, "IT", ["Chief Commercial Officer"]),
    ("sales-benelux", "Sales Benelux", "sales", 5, "NL", ["Account Manager", "Sales Executive"]),
    ("sales-italy", "Sales Italy", "sales", 5, "IT", ["Account Manager", "Sales Executive"]),
    ("sales-nordics", "Sales Nordics", "sales", 4, "NO", ["Account Manager", "Sales Executive"]),
    (
        "customer-service",
        "Customer Service",
        "northwind",
        8,
        "IT",
        ["Customer Service Agent", "Customer Success Manager"],
    ),
]

# Named accounts that the README lists, one per role. (role, first, last, department, title)
DEMO_PEOPLE = [
    (Role.EMPLOYEE, "Emma", "Employee", "warehousing", "Inventory Controller"),
    (Role.EMPLOYEE, "Oliver", "Other", "warehousing", "Forklift Driver"),
    (Role.MANAGER, "Mila", "Manager", "warehousing", "Warehouse Team Lead"),
    (Role.HR_OFFICER, "Hanna", "Hr", "hr-services", "HR Advisor"),
    (Role.PAYROLL_OFFICER, "Pieter", "Payroll", "payroll", "Payroll Specialist"),
    (Role.IT_AGENT, "Ivan", "Agent", "service-desk", "Service Desk Agent"),
    (Role.KB_EDITOR, "Kirsten", "Editor", "service-desk", "Knowledge Manager"),
    (Role.AUDITOR, "Aldo", "Auditor", "accounting", "Internal Auditor"),
    (Role.ADMIN, "Ada", "Admin", "infrastructure", "Portal Administrator"),
]


def _location_for(rng, usual: str, by_country: dict[str, Location]) -> Location:
    # Most people work in their department's usual office; some sit elsewhere.
    country = usual if rng.random() < 0.8 else rng.choice(sorted(by_country))
    return by_country[country]


def seed_demo(ctx: SeedContext) -> None:
    rng = ctx.rng
    by_country = {
        country: Location.objects.create(name=name, country=country, time_zone=tz)
        for name, country, tz in LOCATIONS
    }
    departments: dict[str, Department] = {}
    for code, name, parent, *_ in DEPARTMENTS:
        departments[code] = Department.objects.create(
            code=code, name=name, parent=departments.get(parent) if parent else None
        )

    # Who works where: heads for every department, then staff spread by share.
    total = PEOPLE_PER_SCALE * ctx.scale
    shares = {code: share for code, _n, _p, share, *_ in DEPARTMENTS}
    share_sum = sum(shares.values())
    plan: list[tuple[str, str]] = []  # (department code, job title) in creation order
    for code, _name, _parent, _share, _country, titles in DEPARTMENTS:
        plan.append((code, titles[0] if not shares[code] else f"Head of {_name}"))
    staff_left = total - len(plan) - len(DEMO_PEOPLE)
    for code, _name, _parent, share, _country, titles in DEPARTMENTS:
        if share:
            count = round(staff_left * share / share_sum)
            plan.extend((code, rng.choice(titles)) for _ in range(count))

    usual_country = {code: country for code, _n, _p, _s, country, _t in DEPARTMENTS}
    used_emails: set[str] = set()
    unusable = make_password(None)
    users, records = [], []
    for index, (code, title) in enumerate(plan, start=1):
        location = _location_for(rng, usual_country[code], by_country)
        first = rng.choice(FIRST_NAMES[location.country])
        last = rng.choice(LAST_NAMES[location.country])
        local = f"{first}.{last}".lower().replace(" ", "")
        email = f"{local}@{EMAIL_DOMAIN}"
        if email in used_emails:
            email = f"{local}{index}@{EMAIL_DOMAIN}"
        used_emails.add(email)
        users.append(User(email=email, first_name=first, last_name=last, password=unusable))
        records.append((code, title, location))

    demo_password = make_password(DEMO_PASSWORD)
    for role, first, last, code, title in DEMO_PEOPLE:
        email = f"{first}.{last}@{EMAIL_DOMAIN}".lower()
        users.append(
            User(
                email=email,
                first_name=first,
                last_name=last,
                password=demo_password,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )
        )
        records.append((code, title, by_country[usual_country[code]]))
        ctx.logins.append((role.value, email, title))

    users = User.objects.bulk_create(users, batch_size=1000)
    user_by_email = {user.email: user for user in users}

    employees = []
    for number, (user, (code, title, location)) in enumerate(
        zip(users, records, strict=True), start=1
    ):
        start = ANCHOR - datetime.timedelta(days=rng.randint(30, 365 * 15))
        contract = rng.choices(list(Employee.ContractType), weights=[80, 12, 5, 3], k=1)[0]
        employees.append(
            Employee(
                user=user,
                employee_number=f"NW{number:06d}",
                job_title=title,
                department=departments[code],
                location=location,
                start_date=start,
                contract_type=contract,
                hours_per_week=Decimal(rng.choice([40, 40, 40, 36, 32, 24])),
                work_phone=f"+31 10 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            )
        )
    demo_emails = {e for _r, e, _t in ctx.logins}
    heads = len(DEPARTMENTS)  # the first records of the plan head a department
    _recent_joiners(rng, ctx.scale, employees[heads : len(plan)])
    employees = Employee.objects.bulk_create(employees, batch_size=1000)

    _assign_managers(employees, departments, demo_emails=demo_emails)
    _recent_leavers(rng, ctx.scale, employees, demo_emails)

    through = User.groups.through
    groups = {group.name: group for group in Group.objects.all()}
    memberships = [through(user_id=e.user_id, group=groups[Role.EMPLOYEE]) for e in employees]
    grants = []
    for role, email, _title in ctx.logins:
        if role not in (Role.EMPLOYEE, Role.MANAGER):
            # Given by hand, as an administrator would before the directory is connected.
            user_id = user_by_email[email].pk
            memberships.append(through(user_id=user_id, group=groups[role]))
            grants.append(RoleGrant(user_id=user_id, role=role, source=RoleGrant.Source.MANUAL))
    through.objects.bulk_create(memberships, batch_size=2000, ignore_conflicts=True)
    RoleGrant.objects.bulk_create(grants)
    manager_role_sync()

    country_of = {e.pk: e.location.country for e in employees}
    seed_private_data(ctx, employees, country_of)
    seed_open_requests(ctx, employees)
    seed_request_history(ctx, employees)

    ctx.shared["employees"] = employees
    ctx.shared["departments"] = departments
    ctx.shared["locations"] = by_country
    ctx.write(f"  hr: {len(employees)} employees in {len(departments)} departments")


def _month_days(today: datetime.date, months_back: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the month `months_back` before today's (today itself for
    the current month: nobody joins or leaves in the future here)."""
    index = today.year * 12 + today.month - 1 - months_back
    first = datetime.date(index // 12, index % 12 + 1, 1)
    following = datetime.date((index + 1) // 12, (index + 1) % 12 + 1, 1)
    return first, min(following - datetime.timedelta(days=1), today)


def _day_in(rng, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def _recent_joiners(rng, scale: int, staff: list[Employee]) -> None:
    """Some staff started in each of the last two years' months (the rest over 15 years)."""
    today = datetime.date.today()  # noqa: DTZ011  (history follows the day of seeding)
    low, high = JOINERS_PER_MONTH
    pool = rng.sample(range(len(staff)), k=len(staff))
    for months_back in range(HISTORY_MONTHS):
        first, last = _month_days(today, months_back)
        for _ in range(rng.randint(low * scale, high * scale)):
            if pool:
                staff[pool.pop()].start_date = _day_in(rng, first, last)


def _recent_leavers(rng, scale: int, employees: list[Employee], demo_emails: set[str]):
    """People who left in the last two years, and a few who leave in the coming weeks.

    Only people who manage nobody leave, so no team is left without its lead. A leaver's
    account is deactivated, as the directory sync does when someone leaves; those still
    serving their notice keep theirs until their last day.
    """
    today = datetime.date.today()  # noqa: DTZ011  (history follows the day of seeding)
    managers = {e.manager_id for e in employees if e.manager_id}
    candidates = [e for e in employees if e.pk not in managers and e.user.email not in demo_emails]
    rng.shuffle(candidates)
    last_days: list[datetime.date] = [
        today + datetime.timedelta(days=rng.randint(7, 42)) for _ in range(UPCOMING_LEAVERS * scale)
    ]
    low, high = LEAVERS_PER_MONTH
    for months_back in range(HISTORY_MONTHS):
        first, last = _month_days(today, months_back)
        last_days += [_day_in(rng, first, last) for _ in range(rng.randint(low, high) * scale)]
    gone, users = [], []
    for end in last_days:
        # Someone who joined less than a month before the day would not be a leaver yet.
        while candidates and candidates[-1].start_date > end - datetime.timedelta(days=30):
            candidates.pop()
        if not candidates:
            break
        person = candidates.pop()
        person.end_date = end
        gone.append(person)
        if end < today:
            person.user.is_active = False
            users.append(person.user)
    Employee.objects.bulk_update(gone, ["end_date"], batch_size=1000)
    User.objects.bulk_update(users, ["is_active"], batch_size=1000)


def _assign_managers(employees, departments, *, demo_emails: set[str]) -> None:
    """Heads report up the department tree; staff form teams of eight under team leads."""
    by_department: dict[int, list[Employee]] = {}
    for employee in employees:
        by_department.setdefault(employee.department_id, []).append(employee)

    heads: dict[int, Employee] = {}
    for department in departments.values():
        members = [
            e for e in by_department.get(department.pk, []) if e.user.email not in demo_emails
        ]
        heads[department.pk] = members[0]

    for department in departments.values():
        head = heads[department.pk]
        head.manager = heads.get(department.parent_id) if department.parent_id else None
        staff = [
            e
            for e in by_department.get(department.pk, [])
            if e is not head and e.user.email not in demo_emails
        ]
        for start in range(0, len(staff), TEAM_SIZE):
            team = staff[start : start + TEAM_SIZE]
            lead, members = team[0], team[1:]
            lead.manager = head
            for member in members:
                member.manager = lead

    # The demo people: Mila leads Emma and Oliver; the rest report to their department head.
    demo = {e.user.email: e for e in employees if e.user.email in demo_emails}
    mila = demo.get(f"mila.manager@{EMAIL_DOMAIN}")
    for email, employee in demo.items():
        if email in (f"emma.employee@{EMAIL_DOMAIN}", f"oliver.other@{EMAIL_DOMAIN}"):
            employee.manager = mila
        else:
            employee.manager = heads[employee.department_id]
    Employee.objects.bulk_update(employees, ["manager"], batch_size=1000)
    org_paths_rebuild(Employee)
