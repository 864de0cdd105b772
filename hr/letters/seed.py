"""Northwind's letter desk: letterhead, three templates, issued letters and one request that
waits for HR."""

import datetime

from django.utils import timezone

from ess.accounts.models import User
from ess.accounts.roles import Role
from ess.portal.seeding import COMPANY_NAME, EMAIL_DOMAIN, SeedContext
from hr.letters import selectors, services
from hr.letters.models import Letter, LetterTemplate

EMPLOYMENT_EN = """\
To whom it may concern,

We confirm that {full_name}, employee number {employee_number}, has been employed by \
{company_name} since {start_date}.

{first_name} works as {job_title} in our {department} department at our {location} office, \
on a {contract_type} contract of {hours_per_week} hours per week.

This letter is issued at the employee's request for: {purpose}."""

EMPLOYMENT_NL = """\
Geachte heer, mevrouw,

Hierbij bevestigen wij dat {full_name} (personeelsnummer {employee_number}) sinds \
{start_date} in dienst is bij {company_name}.

{first_name} werkt als {job_title} bij de afdeling {department} op ons kantoor in \
{location}, met een {contract_type} contract van {hours_per_week} uur per week.

Deze verklaring is op verzoek van de werknemer opgesteld voor: {purpose}."""

SALARY_EN = """\
Dear Sir or Madam,

We confirm that {full_name} (employee number {employee_number}) has been employed by \
{company_name} since {start_date} as {job_title}, on a {contract_type} contract of \
{hours_per_week} hours per week.

The current gross annual base salary is {annual_base_salary}, which is \
{monthly_base_salary} per month before tax, paid in {currency}. Holiday allowance, \
overtime and bonuses are not included.

This statement is issued at the employee's request for: {purpose}."""

TEMPLATES = [
    (
        "Employment confirmation (English)",
        LetterTemplate.Purpose.EMPLOYMENT,
        "en",
        "For a landlord, a school or a visa application: confirms your job and start date.",
        "Confirmation of employment",
        EMPLOYMENT_EN,
    ),
    (
        "Werkgeversverklaring (Nederlands)",
        LetterTemplate.Purpose.EMPLOYMENT,
        "nl",
        "Bevestigt uw dienstverband, functie en startdatum.",
        "Werkgeversverklaring",
        EMPLOYMENT_NL,
    ),
    (
        "Salary statement (English)",
        LetterTemplate.Purpose.SALARY,
        "en",
        "For a bank or landlord: states your gross annual and monthly base salary.",
        "Salary statement for {full_name}",
        SALARY_EN,
    ),
]

# Two years of letters for the reports' trend: per month, per 150 people.
HISTORY_MONTHS = 24
EMPLOYMENT_PER_MONTH = (1, 3)
SALARY_PER_MONTH = (0, 1)
HISTORY_ADDRESSEES = [
    ("Woonstad Rotterdam", "rental application"),
    ("Embassy of Japan, The Hague", "visa application"),
    ("Comune di Milano", "residence registration"),
    ("Rabobank, mortgage department", "mortgage application"),
    ("Daycare De Kleine Haven", "childcare allowance"),
]

# (email local part, template index, addressee, purpose, days ago)
ISSUED = [
    ("emma.employee", 0, "Maasstad Housing, Rotterdam", "rental application", 40),
    ("oliver.other", 1, "Gemeente Rotterdam", "parkeervergunning", 12),
    ("mila.manager", 0, "Embassy of Canada, The Hague", "visa application", 5),
]


def seed_demo(ctx: SeedContext) -> None:
    hr_officer = User.objects.filter(email=f"hanna.hr@{EMAIL_DOMAIN}").first()
    if hr_officer is None:
        ctx.write("  letters: skipped (no HR officer in the demo company)")
        return
    services.letterhead_update(
        actor=hr_officer,
        company_name=COMPANY_NAME,
        address="Maashaven Noordzijde 12\n3072 AD Rotterdam\nThe Netherlands",
        contact_line=f"HR Services · hr@{EMAIL_DOMAIN} · +31 10 200 4000",
        signatory_name=hr_officer.get_full_name(),
        signatory_title="HR Advisor",
    )
    templates = [
        services.template_create(
            actor=hr_officer,
            name=name,
            purpose=purpose,
            language=language,
            description=description,
            subject=subject,
            body=body,
        )
        for name, purpose, language, description, subject, body in TEMPLATES
    ]
    users = {
        u.email.split("@")[0]: u
        for u in User.objects.filter(
            email__in=[f"{local}@{EMAIL_DOMAIN}" for local, *_ in ISSUED]
        ).select_related("employee")
    }
    issued = 0
    now = timezone.now()
    for local, index, addressee, purpose, days_ago in ISSUED:
        user = users.get(local)
        if user is None:
            continue
        letter = services.letter_request(
            user=user, template=templates[index], addressee=addressee, purpose=purpose
        )
        issued += services.letter_produce(letter_id=letter.pk)
        # Produced by the worker a couple of minutes after the request.
        when = now - datetime.timedelta(days=days_ago)
        Letter.objects.filter(pk=letter.pk).update(
            requested_at=when - datetime.timedelta(minutes=2), issued_at=when
        )
    history = _seed_history(ctx, templates, hr_officer, exclude={u.pk for u in users.values()})

    emma = users.get("emma.employee")
    pending = 0
    if emma is not None and selectors.has_compensation(emma.employee):
        services.letter_request(
            user=emma,
            template=templates[2],
            addressee="ING Bank, mortgage department",
            purpose="mortgage application",
        )
        pending = 1
    note = "" if pending else " (no salary letter: nobody has pay recorded yet)"
    ctx.write(
        f"  letters: {len(templates)} templates, {issued} issued, {pending} waiting for HR{note}"
    )
    ctx.write(f"  letters: {history} earlier letters over {HISTORY_MONTHS} months")


def _seed_history(ctx: SeedContext, templates, hr_officer: User, *, exclude: set[int]) -> int:
    """Letters people asked for over the last two years, produced by the real services and
    dated back: an employment letter is ready within minutes, a salary statement after HR
    approved it, some hours or days later."""
    rng = ctx.rng
    people = list(
        User.objects.filter(
            is_active=True,
            employee__isnull=False,
            employee__end_date__isnull=True,
            groups__name=Role.EMPLOYEE,
        )
        .exclude(pk__in=exclude | {hr_officer.pk})
        .select_related("employee")
        .order_by("pk")
    )
    if not people:
        return 0
    now = timezone.now()
    zone = timezone.get_current_timezone()
    made = 0
    for months_back in range(HISTORY_MONTHS, 0, -1):
        index = now.year * 12 + now.month - 1 - months_back
        first = datetime.date(index // 12, index % 12 + 1, 1)
        counts = [
            (templates[rng.choice([0, 0, 1])], rng.randint(*EMPLOYMENT_PER_MONTH) * ctx.scale),
            (templates[2], rng.randint(*SALARY_PER_MONTH) * ctx.scale),
        ]
        for template, count in counts:
            for _ in range(count):
                user = rng.choice(people)
                if user.employee.start_date > first:
                    continue
                addressee, purpose = rng.choice(HISTORY_ADDRESSEES)
                letter = services.letter_request(
                    user=user, template=template, addressee=addressee, purpose=purpose
                )
                if letter.is_salary:
                    services.letter_approve(letter=letter, actor=hr_officer)
                services.letter_produce(letter_id=letter.pk)
                requested = datetime.datetime.combine(
                    first + datetime.timedelta(days=rng.randint(0, 27)),
                    datetime.time(rng.randint(8, 20), rng.randint(0, 59)),
                    tzinfo=zone,
                )
                wait = (
                    datetime.timedelta(hours=rng.choice([3, 6, 20, 26, 44, 70]))
                    if letter.is_salary
                    else datetime.timedelta(minutes=rng.randint(1, 4))
                )
                Letter.objects.filter(pk=letter.pk, status=Letter.Status.ISSUED).update(
                    requested_at=requested,
                    decided_at=requested + wait / 2 if letter.is_salary else None,
                    issued_at=requested + wait,
                )
                made += 1
    return made
