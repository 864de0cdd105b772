"""Northwind's benefit catalogue, last year's and this year's open enrolment, dependents,
elections for most people, a few life events, and Emma's purchase of extra leave that waits
for Mila. Everything is written with bulk_create, so `--scale 67` (10,000 people) stays fast.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from ess.portal.seeding import EMAIL_DOMAIN, SeedContext
from hr.benefits.eligibility import Eligibility, department_parents
from hr.benefits.models import (
    LIFE_EVENT_CHANGE_DAYS,
    CoverageLevel,
    Dependent,
    Election,
    EnrolmentWindow,
    LifeEvent,
    Plan,
)
from hr.models import Employee, Location
from hr.seed import FIRST_NAMES

Covers = CoverageLevel.Covers
Category = Plan.Category
EMPLOYED = ["permanent", "fixed_term"]

# (name, category, provider, currency, locations (country codes), department codes,
#  contract types, share who enrol, description, levels: (name, covers, employee, employer))
CATALOGUE = [
    (
        "Supplementary health insurance (NL)",
        Category.HEALTH,
        "Zilveren Kruis",
        "EUR",
        ["NL"],
        [],
        [],
        0.8,
        "Tops up the Dutch basic insurance: physiotherapy, dental care, glasses and care "
        "abroad. Northwind pays part of the premium through payroll.",
        [
            ("Employee only", Covers.EMPLOYEE, "18.50", "12.00"),
            ("Employee and partner", Covers.PARTNER, "37.00", "20.00"),
            ("Family", Covers.FAMILY, "52.00", "28.00"),
        ],
    ),
    (
        "Metasalute health fund (IT)",
        Category.HEALTH,
        "Metasalute",
        "EUR",
        ["IT"],
        [],
        [],
        0.85,
        "The health fund of the Italian metalworkers' contract: specialist visits, "
        "diagnostics and dental care, reimbursed directly by the fund.",
        [
            ("Employee only", Covers.EMPLOYEE, "0.00", "13.00"),
            ("Employee and family", Covers.FAMILY, "9.00", "13.00"),
        ],
    ),
    (
        "Private health insurance (NO)",
        Category.HEALTH,
        "Storebrand",
        "NOK",
        ["NO"],
        [],
        [],
        0.75,
        "Fast access to specialists and treatment in Norway, with physiotherapy and "
        "psychologist sessions included.",
        [
            ("Employee only", Covers.EMPLOYEE, "0.00", "450.00"),
            ("Employee and children", Covers.CHILDREN, "210.00", "450.00"),
            ("Family", Covers.FAMILY, "390.00", "450.00"),
        ],
    ),
    (
        "Dental and vision plus",
        Category.DENTAL,
        "DKV",
        "EUR",
        ["NL", "IT"],
        [],
        [],
        0.3,
        "Orthodontics, crowns and a new pair of glasses every two years.",
        [
            ("Employee only", Covers.EMPLOYEE, "9.50", "4.00"),
            ("Family", Covers.FAMILY, "24.00", "8.00"),
        ],
    ),
    (
        "Pension top-up (NL)",
        Category.PENSION,
        "Pensioenfonds Vervoer",
        "EUR",
        ["NL"],
        [],
        EMPLOYED,
        0.55,
        "Save extra for your pension on top of the sector scheme. Northwind matches part "
        "of what you put in.",
        [
            ("EUR 50 a month", Covers.EMPLOYEE, "50.00", "25.00"),
            ("EUR 100 a month", Covers.EMPLOYEE, "100.00", "50.00"),
            ("EUR 200 a month", Covers.EMPLOYEE, "200.00", "75.00"),
        ],
    ),
    (
        "Fondo pensione Priamo (IT)",
        Category.PENSION,
        "Fondo Priamo",
        "EUR",
        ["IT"],
        [],
        EMPLOYED,
        0.6,
        "The transport sector's supplementary pension fund, with an employer contribution.",
        [
            ("Standard (1.5%)", Covers.EMPLOYEE, "38.00", "45.00"),
            ("Plus (3%)", Covers.EMPLOYEE, "76.00", "45.00"),
        ],
    ),
    (
        "Supplementary occupational pension (NO)",
        Category.PENSION,
        "KLP",
        "NOK",
        ["NO"],
        [],
        EMPLOYED,
        0.65,
        "Extra savings on top of the mandatory OTP, with a matching employer share.",
        [
            ("2% extra", Covers.EMPLOYEE, "900.00", "900.00"),
            ("4% extra", Covers.EMPLOYEE, "1800.00", "1200.00"),
        ],
    ),
    (
        "Bike plan",
        Category.COMMUTER,
        "Lease a Bike",
        "EUR",
        ["NL"],
        [],
        [],
        0.3,
        "Lease a city bike or an e-bike through a gross salary deduction; insurance and "
        "maintenance included.",
        [
            ("City bike", Covers.EMPLOYEE, "12.50", "20.00"),
            ("E-bike", Covers.EMPLOYEE, "27.50", "30.00"),
        ],
    ),
    (
        "Public transport pass (NO)",
        Category.COMMUTER,
        "Ruter",
        "NOK",
        ["NO"],
        [],
        [],
        0.5,
        "A monthly pass for Oslo and Akershus; Northwind pays half.",
        [("Zones 1-2", Covers.EMPLOYEE, "420.00", "420.00")],
    ),
    (
        "Buoni pasto (IT)",
        Category.MEAL,
        "Edenred",
        "EUR",
        ["IT"],
        [],
        [],
        0.9,
        "Electronic meal vouchers of EUR 8 for every day worked, on a card.",
        [("Electronic vouchers", Covers.EMPLOYEE, "0.00", "168.00")],
    ),
    (
        "Gym and wellbeing",
        Category.WELLBEING,
        "Urban Sports Club",
        "EUR",
        [],
        [],
        [],
        0.25,
        "Access to gyms, swimming pools and classes across Europe, online classes included.",
        [
            ("Basic", Covers.EMPLOYEE, "19.00", "15.00"),
            ("Plus", Covers.EMPLOYEE, "39.00", "20.00"),
            ("Max", Covers.EMPLOYEE, "69.00", "25.00"),
        ],
    ),
    (
        "Electric lease car (Sales)",
        Category.COMMUTER,
        "LeasePlan",
        "EUR",
        [],
        ["sales"],
        ["permanent"],
        0.6,
        "An electric car for account managers who travel to customers, with a personal "
        "contribution for private use.",
        [
            ("Compact", Covers.EMPLOYEE, "95.00", "450.00"),
            ("Mid-size", Covers.EMPLOYEE, "160.00", "560.00"),
        ],
    ),
    (
        "Buy extra leave",
        Category.EXTRA_LEAVE,
        "",
        "EUR",
        [],
        [],
        EMPLOYED,
        0.1,
        "Buy up to five extra days off, paid in twelve monthly deductions. Your manager "
        "approves the purchase so the team can plan for it.",
        [
            ("1 day (8 hours)", Covers.EMPLOYEE, "18.00", "0.00"),
            ("3 days (24 hours)", Covers.EMPLOYEE, "54.00", "0.00"),
            ("5 days (40 hours)", Covers.EMPLOYEE, "90.00", "0.00"),
        ],
    ),
]

LIFE_EVENTS = [
    (LifeEvent.Kind.BIRTH, "Our daughter was born; I would like to add her to my health plan."),
    (LifeEvent.Kind.PARTNERSHIP, "We registered our partnership at the town hall."),
    (LifeEvent.Kind.LOSS_OF_COVERAGE, "My partner's employer ended their family health plan."),
    (LifeEvent.Kind.MOVE, "Moved closer to the warehouse; no longer need the transport pass."),
]


def _catalogue(by_country: dict[str, Location], departments) -> list[Plan]:
    levels, location_links, department_links = [], [], []
    plans = Plan.objects.bulk_create(
        [
            Plan(
                name=name,
                category=category,
                provider=provider,
                currency=currency,
                eligible_contract_types=contracts,
                description=description,
            )
            for name, category, provider, currency, _c, _d, contracts, _s, description, _l in (
                CATALOGUE
            )
        ]
    )
    for plan, entry in zip(plans, CATALOGUE, strict=True):
        countries, codes, level_specs = entry[4], entry[5], entry[9]
        location_links += [
            Plan.eligible_locations.through(plan_id=plan.pk, location_id=by_country[c].pk)
            for c in countries
        ]
        department_links += [
            Plan.eligible_departments.through(plan_id=plan.pk, department_id=departments[c].pk)
            for c in codes
        ]
        levels += [
            CoverageLevel(
                plan=plan,
                name=level_name,
                covers=covers,
                employee_monthly_cost=Decimal(cost),
                employer_monthly_contribution=Decimal(employer),
                position=position,
            )
            for position, (level_name, covers, cost, employer) in enumerate(level_specs)
        ]
    CoverageLevel.objects.bulk_create(levels)
    Plan.eligible_locations.through.objects.bulk_create(location_links)
    Plan.eligible_departments.through.objects.bulk_create(department_links)
    return list(
        Plan.objects.prefetch_related("levels", "eligible_locations", "eligible_departments")
    )


def _dependents(rng, employees: list[Employee], today: datetime.date) -> dict[int, list]:
    """Partners for a good share of people, children for some: in memory, then bulk."""
    rows: list[Dependent] = []
    for employee in employees:
        age = rng.randint(23, 62)
        country = employee.location.country if employee.location_id else "NL"
        first_names = FIRST_NAMES.get(country) or FIRST_NAMES["NL"]
        last_name = employee.user.last_name
        if age > 26 and rng.random() < 0.5:
            rows.append(
                Dependent(
                    employee_id=employee.pk,
                    full_name=f"{rng.choice(first_names)} {last_name}",
                    relationship=Dependent.Relationship.PARTNER,
                    date_of_birth=today - datetime.timedelta(days=365 * (age + rng.randint(-4, 4))),
                )
            )
        if 28 < age < 58 and rng.random() < 0.4:
            rows.extend(
                Dependent(
                    employee_id=employee.pk,
                    full_name=f"{rng.choice(first_names)} {last_name}",
                    relationship=Dependent.Relationship.CHILD,
                    date_of_birth=today - datetime.timedelta(days=rng.randint(200, 365 * 20)),
                )
                for _child in range(rng.choice([1, 1, 2, 2, 3]))
            )
    Dependent.objects.bulk_create(rows, batch_size=2000)
    by_employee: dict[int, list] = {}
    for dependent in rows:
        by_employee.setdefault(dependent.employee_id, []).append(dependent)
    return by_employee


def _pick_level(rng, levels: list[CoverageLevel], dependents: list[Dependent]):
    """A level that fits the family: returns (level, covered dependents)."""
    partner = [d for d in dependents if d.relationship == Dependent.Relationship.PARTNER][:1]
    children = [d for d in dependents if d.relationship == Dependent.Relationship.CHILD]
    wanted = []
    if partner and children:
        wanted = [Covers.FAMILY]
    elif partner:
        wanted = [Covers.PARTNER, Covers.FAMILY]
    elif children:
        wanted = [Covers.CHILDREN, Covers.FAMILY]
    for covers in wanted:
        for level in levels:
            if level.covers == covers:
                return level, [
                    d for d in partner + children if d.relationship in level.relationships
                ]
    singles = [level for level in levels if level.covers == Covers.EMPLOYEE]
    return rng.choice(singles or levels), []


def seed_demo(ctx: SeedContext) -> None:
    rng = ctx.rng
    today = timezone.localdate()
    now = timezone.now()
    employees: list[Employee] = ctx.shared["employees"]
    by_country: dict[str, Location] = ctx.shared["locations"]

    this_year, next_year = today.year, today.year + 1
    EnrolmentWindow.objects.bulk_create(
        [
            EnrolmentWindow(
                plan_year=this_year,
                opens_on=datetime.date(this_year - 1, 11, 1),
                closes_on=datetime.date(this_year - 1, 11, 30),
            ),
            # The current window follows the day of seeding, so the demo always has one open.
            EnrolmentWindow(
                plan_year=next_year,
                opens_on=today - datetime.timedelta(days=10),
                closes_on=today + datetime.timedelta(days=20),
            ),
        ]
    )
    plans = _catalogue(by_country, ctx.shared["departments"])
    share = {entry[0]: entry[7] for entry in CATALOGUE}
    dependents = _dependents(rng, employees, today)
    rules = Eligibility(plans, parents=department_parents(), today=today)
    levels_of = {plan.pk: list(plan.levels.all()) for plan in plans}
    emma_email = f"emma.employee@{EMAIL_DOMAIN}"

    elections: list[Election] = []
    covered: list[tuple[int, list[Dependent]]] = []  # (index in elections, dependents)
    last_window_close = datetime.datetime.combine(
        datetime.date(this_year - 1, 11, 20), datetime.time(10), tzinfo=datetime.UTC
    )
    for employee in employees:
        family = dependents.get(employee.pk, [])
        is_emma = employee.user.email == emma_email
        chooses_next = not is_emma and rng.random() < 0.35
        for plan in plans:
            if not rules.allows(plan, employee):
                continue
            roll = rng.random()
            if roll < share[plan.name]:
                level, people = _pick_level(rng, levels_of[plan.pk], family)
                status = Election.Status.ENROLLED
            elif roll < share[plan.name] + 0.1:
                level, people, status = None, [], Election.Status.WAIVED
            else:
                continue
            years = [this_year] + ([next_year] if chooses_next else [])
            for year in years:
                elected_at = (
                    last_window_close - datetime.timedelta(days=rng.randint(0, 18))
                    if year == this_year
                    else now - datetime.timedelta(days=rng.randint(0, 9), hours=rng.randint(0, 8))
                )
                if status == Election.Status.ENROLLED and plan.needs_manager_approval:
                    pending = year == next_year and rng.random() < 0.5
                    year_status = Election.Status.PENDING_APPROVAL if pending else status
                else:
                    year_status = status
                elections.append(
                    Election(
                        employee_id=employee.pk,
                        plan_id=plan.pk,
                        plan_year=year,
                        status=year_status,
                        coverage_level_id=level.pk if level else None,
                        employee_monthly_cost=level.employee_monthly_cost if level else 0,
                        employer_monthly_contribution=(
                            level.employer_monthly_contribution if level else 0
                        ),
                        elected_at=elected_at,
                        decided_at=(
                            elected_at + datetime.timedelta(days=1)
                            if year_status == Election.Status.ENROLLED
                            and plan.needs_manager_approval
                            else None
                        ),
                    )
                )
                if people:
                    covered.append((len(elections) - 1, people))

    # Emma asks to buy three days of extra leave next year; Mila has to decide.
    emma = next((e for e in employees if e.user.email == emma_email), None)
    extra_leave = next(plan for plan in plans if plan.needs_manager_approval)
    if emma is not None:
        level = levels_of[extra_leave.pk][1]
        elections.append(
            Election(
                employee=emma,
                plan=extra_leave,
                plan_year=next_year,
                status=Election.Status.PENDING_APPROVAL,
                coverage_level=level,
                employee_monthly_cost=level.employee_monthly_cost,
                employer_monthly_contribution=level.employer_monthly_contribution,
                elected_at=now - datetime.timedelta(days=2),
            )
        )

    elections = Election.objects.bulk_create(elections, batch_size=2000)
    through = Election.dependents.through
    through.objects.bulk_create(
        [
            through(election_id=elections[index].pk, dependent_id=person.pk)
            for index, people in covered
            for person in people
        ],
        batch_size=2000,
    )
    demo_people = {email for _role, email, _note in ctx.logins}
    _life_events(rng, [e for e in employees if e.user.email not in demo_people], today, now)
    ctx.write(
        f"  benefits: {len(plans)} plans, {len(elections)} elections, "
        f"{sum(len(v) for v in dependents.values())} dependents"
    )


def _life_events(rng, employees, today, now) -> None:
    """A few pending events for HR's queue and one approved event in its change period."""
    chosen = rng.sample(employees, k=min(len(employees), len(LIFE_EVENTS) + 1))
    events = []
    for employee, (kind, text) in zip(chosen, LIFE_EVENTS, strict=False):
        event_date = today - datetime.timedelta(days=rng.randint(3, 25))
        events.append(
            LifeEvent(
                employee=employee,
                kind=kind,
                event_date=event_date,
                plan_year=event_date.year,
                description=text,
                submitted_at=now - datetime.timedelta(days=rng.randint(0, 2), hours=3),
            )
        )
    if len(chosen) > len(LIFE_EVENTS):
        event_date = today - datetime.timedelta(days=20)
        decided = today - datetime.timedelta(days=5)
        events.append(
            LifeEvent(
                employee=chosen[-1],
                kind=LifeEvent.Kind.BIRTH,
                event_date=event_date,
                plan_year=event_date.year,
                description="Twins!",
                status=LifeEvent.Status.APPROVED,
                submitted_at=now - datetime.timedelta(days=12),
                decided_at=now - datetime.timedelta(days=5),
                changes_until=decided + datetime.timedelta(days=LIFE_EVENT_CHANGE_DAYS),
            )
        )
    LifeEvent.objects.bulk_create(events)
