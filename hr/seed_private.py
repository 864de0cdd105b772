"""Private demo data for `seed_demo`: profiles, pay, emergency contacts and open requests.

Every identifier is generated to pass the same checks the forms apply, so HR can edit the
demo profiles without tripping over invalid seed data.
"""

import datetime
from decimal import Decimal

from django.utils import timezone
from schwifty import IBAN
from schwifty import exceptions as iban_errors
from stdnum.it import codicefiscale
from stdnum.no import fodselsnummer

from ess.portal.seeding import EMAIL_DOMAIN, SeedContext
from hr.models import (
    ChangeRequest,
    Compensation,
    EmergencyContact,
    Employee,
    PersonalProfile,
    ProfileChange,
)
from hr.profile_fields import KIND_FIELDS

STREETS = {
    "NL": ["Coolsingel", "Witte de Withstraat", "Nieuwe Binnenweg", "Lijnbaan", "Blaak"],
    "IT": ["Via Torino", "Corso Buenos Aires", "Via Dante", "Viale Monza", "Via Padova"],
    "NO": ["Karl Johans gate", "Storgata", "Thereses gate", "Bogstadveien", "Trondheimsveien"],
}
CITIES = {"NL": "Rotterdam", "IT": "Milano", "NO": "Oslo"}
BANKS = {"NL": ["ABNA", "INGB", "RABO"], "IT": ["0306909606"], "NO": ["8601"]}
MOBILE_PREFIX = {"NL": "+316", "IT": "+39347", "NO": "+479"}
MOBILE_DIGITS = {"NL": 8, "IT": 7, "NO": 7}


def _digits(rng, count: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(count))


def _bsn(rng) -> str:
    while True:
        body = str(rng.randint(1, 9)) + _digits(rng, 7)
        check = sum(int(d) * (9 - i) for i, d in enumerate(body)) % 11
        if check < 10:
            return body + str(check)


def _fodselsnummer(rng, born: datetime.date) -> str:
    while True:
        body = born.strftime("%d%m%y") + str(rng.randint(0, 4)) + _digits(rng, 2)
        first = fodselsnummer.calc_check_digit1(body)
        if len(first) != 1:
            continue
        second = fodselsnummer.calc_check_digit2(body + first)
        if len(second) == 1:
            return body + first + second


def _codice_fiscale(rng, born: datetime.date) -> str:
    letters = "BCDFGLMNPRSTVZ"
    months = "ABCDEHLMPRST"
    body = (
        "".join(rng.choice(letters) for _ in range(6))
        + born.strftime("%y")
        + months[born.month - 1]
        + f"{born.day:02d}"
        + "F205"
    )
    return body + codicefiscale.calc_check_digit(body)


def _iban(rng, country: str) -> str:
    bank, digits = {"NL": (rng.choice(BANKS["NL"]), 10), "IT": (BANKS["IT"][0], 12)}.get(
        country, (BANKS["NO"][0], 6)
    )
    while True:  # some account numbers have no valid national check digit; draw again
        try:
            return IBAN.generate(
                country, bank_code=bank, account_code=_digits(rng, digits)
            ).formatted
        except iban_errors.SchwiftyException:
            continue


def _postcode(rng, country: str) -> str:
    if country == "NL":
        return f"30{rng.randint(11, 99)} {rng.choice(['AB', 'CD', 'EK', 'LM', 'TR'])}"
    if country == "IT":
        return f"201{rng.randint(21, 62)}"
    return f"0{rng.randint(150, 599)}"


def _salary(rng, employee: Employee) -> Decimal:
    base = 42_000 + rng.randint(0, 30_000)
    if employee.job_title.startswith("Head of"):
        base += 45_000
    scaled = Decimal(base) * employee.hours_per_week / Decimal(40)
    return scaled.quantize(Decimal("100"))


def seed_private_data(ctx: SeedContext, employees: list[Employee], country_of: dict[int, str]):
    rng = ctx.rng
    profiles, contacts, pay = [], [], []
    for employee in employees:
        country = country_of[employee.pk]
        born = datetime.date(rng.randint(1962, 2001), rng.randint(1, 12), rng.randint(1, 28))
        national_id = {
            "NL": _bsn,
            "NO": lambda r, b=born: _fodselsnummer(r, b),
            "IT": lambda r, b=born: _codice_fiscale(r, b),
        }[country](rng)
        user = employee.user
        profiles.append(
            PersonalProfile(
                employee=employee,
                legal_first_name=user.first_name,
                legal_last_name=user.last_name,
                date_of_birth=born,
                national_id=national_id,
                national_id_country=country,
                address_line1=f"{rng.choice(STREETS[country])} {rng.randint(1, 180)}",
                postcode=_postcode(rng, country),
                city=CITIES[country],
                country=country,
                personal_phone=MOBILE_PREFIX[country] + _digits(rng, MOBILE_DIGITS[country]),
                personal_email=f"{user.first_name}.{user.last_name}.{employee.pk}@home.example".lower().replace(
                    " ", ""
                ),
                iban=_iban(rng, country),
                bank_account_holder=f"{user.first_name} {user.last_name}",
                tax_residency=country,
            )
        )
        if rng.random() < 0.6:
            contacts.append(
                EmergencyContact(
                    employee=employee,
                    name=f"{rng.choice(['Alex', 'Sam', 'Robin', 'Kim'])} {user.last_name}",
                    relationship=rng.choice(["Partner", "Parent", "Sibling"]),
                    phone=MOBILE_PREFIX[country] + _digits(rng, MOBILE_DIGITS[country]),
                )
            )
        pay.append(
            Compensation(
                employee=employee,
                annual_base_salary=_salary(rng, employee),
                currency="NOK" if country == "NO" else "EUR",
                effective_from=employee.start_date,
            )
        )
    PersonalProfile.objects.bulk_create(profiles, batch_size=1000)
    EmergencyContact.objects.bulk_create(contacts, batch_size=1000)
    Compensation.objects.bulk_create(pay, batch_size=1000)
    ctx.write(f"  hr: {len(profiles)} private profiles, {len(pay)} salaries")


def seed_open_requests(ctx: SeedContext, employees: list[Employee]) -> None:
    """A few requests in every state, so the HR queue and My profile have something to show."""
    from hr import profile_services

    by_email = {e.user.email: e for e in employees}
    emma = by_email.get(f"emma.employee@{EMAIL_DOMAIN}")
    hanna = by_email.get(f"hanna.hr@{EMAIL_DOMAIN}")
    today = datetime.date.today()  # noqa: DTZ011  (demo dates follow the day of seeding)
    if emma is not None:
        profile_services.change_request_submit(
            actor=emma.user,
            employee=emma,
            kind=ChangeRequest.Kind.ADDRESS,
            values={
                "address_line1": "Mauritsweg 44",
                "address_line2": "",
                "postcode": "3012 JT",
                "city": "Rotterdam",
                "country": "NL",
            },
            effective_date=today + datetime.timedelta(days=14),
            reason="Moving house at the end of the month.",
        )
    others = [e for e in employees[10:60] if e.user.email != f"hanna.hr@{EMAIL_DOMAIN}"]
    for employee in ctx.rng.sample(others, k=min(6, len(others))):
        request = profile_services.change_request_submit(
            actor=employee.user,
            employee=employee,
            kind=ChangeRequest.Kind.BANK_ACCOUNT,
            values={
                "iban": _iban(ctx.rng, "NL"),
                "bank_account_holder": employee.user.get_full_name(),
            },
            effective_date=today,
        )
        if hanna is not None and employee.pk % 3 == 0:
            profile_services.change_request_decide(
                actor=hanna.user,
                request=request,
                decision="ask_info",
                note="Please attach a bank statement that shows the account holder.",
            )
    ctx.write("  hr: demo change requests filed")


# Two years of decided requests, so the HR report shows volumes and waiting times.
HISTORY_MONTHS = 24
REQUESTS_PER_MONTH = (2, 5)  # per 150 people
HISTORY_KINDS = [
    (ChangeRequest.Kind.ADDRESS, 50),
    (ChangeRequest.Kind.BANK_ACCOUNT, 25),
    (ChangeRequest.Kind.LEGAL_NAME, 10),
    (ChangeRequest.Kind.TAX_RESIDENCY, 15),
]
OUTCOMES = [
    (ChangeRequest.Status.APPLIED, 80),
    (ChangeRequest.Status.REJECTED, 10),
    (ChangeRequest.Status.WITHDRAWN, 10),
]
MAIDEN_NAMES = ["Visser", "Rossi", "Berg", "Smit", "Bianchi", "Lund"]


def _values_now(profile: PersonalProfile, kind: str) -> dict:
    return {field: getattr(profile, field) or "" for field in KIND_FIELDS[kind]}


def _values_other(rng, profile: PersonalProfile, kind: str) -> dict:
    """Plausible values the person had before, or asked for in vain."""
    country = profile.country or "NL"
    if kind == ChangeRequest.Kind.ADDRESS:
        return {
            "address_line1": f"{rng.choice(STREETS[country])} {rng.randint(1, 180)}",
            "address_line2": "",
            "postcode": _postcode(rng, country),
            "city": CITIES[country],
            "country": country,
        }
    if kind == ChangeRequest.Kind.BANK_ACCOUNT:
        return {"iban": _iban(rng, country), "bank_account_holder": profile.bank_account_holder}
    if kind == ChangeRequest.Kind.LEGAL_NAME:
        return {
            "legal_first_name": profile.legal_first_name,
            "legal_last_name": rng.choice(MAIDEN_NAMES),
        }
    others = [code for code in ("NL", "IT", "NO", "BE", "DE") if code != profile.tax_residency]
    return {"tax_residency": rng.choice(others)}


def _moment_in_month(rng, today: datetime.date, months_back: int) -> datetime.datetime:
    index = today.year * 12 + today.month - 1 - months_back
    first = datetime.date(index // 12, index % 12 + 1, 1)
    day = first + datetime.timedelta(days=rng.randint(0, 27))
    clock = datetime.time(rng.randint(7, 21), rng.randint(0, 59))
    return datetime.datetime.combine(day, clock, tzinfo=timezone.get_current_timezone())


def seed_request_history(ctx: SeedContext, employees: list[Employee]) -> None:
    """Decided change requests over the last two years: mostly applied within a few
    working days, some rejected or withdrawn. An applied request's proposal is the profile
    as it is now (with its field history); a refused one never changed it."""
    rng = ctx.rng
    hanna = next((e for e in employees if e.user.email == f"hanna.hr@{EMAIL_DOMAIN}"), None)
    if hanna is None:
        return
    now = timezone.now()
    today = timezone.localdate()
    low, high = REQUESTS_PER_MONTH
    kinds, kind_weights = zip(*HISTORY_KINDS, strict=True)
    outcomes, outcome_weights = zip(*OUTCOMES, strict=True)
    planned: list[tuple[Employee, str, str, datetime.datetime, datetime.datetime]] = []
    for months_back in range(HISTORY_MONTHS):
        for _ in range(rng.randint(low * ctx.scale, high * ctx.scale)):
            employee = rng.choice(employees)
            submitted = _moment_in_month(rng, today, months_back)
            # A day's wait at least: HR reads requests in working hours, sometimes late.
            decided = submitted + datetime.timedelta(hours=rng.choice([2, 5, 20, 26, 50, 75, 120]))
            employed = employee.start_date <= submitted.date() and (
                employee.end_date is None or submitted.date() <= employee.end_date
            )
            if employee is hanna or decided >= now or not employed:
                continue
            kind = rng.choices(kinds, weights=kind_weights, k=1)[0]
            outcome = rng.choices(outcomes, weights=outcome_weights, k=1)[0]
            planned.append((employee, kind, outcome, submitted, decided))
    profiles = {
        p.employee_id: p
        for p in PersonalProfile.objects.filter(employee__in={row[0].pk for row in planned})
    }
    requests, histories = [], []
    for employee, kind, outcome, submitted, decided in planned:
        profile = profiles.get(employee.pk)
        if profile is None:
            continue
        now_values, other = _values_now(profile, kind), _values_other(rng, profile, kind)
        applied = outcome == ChangeRequest.Status.APPLIED
        previous, proposed = (other, now_values) if applied else (now_values, other)
        withdrawn = outcome == ChangeRequest.Status.WITHDRAWN
        request = ChangeRequest(
            employee=employee,
            kind=kind,
            status=outcome,
            previous=previous,
            proposed=proposed,
            effective_date=decided.date(),
            submitted_by=employee.user,
            submitted_at=submitted,
            decided_by=None if withdrawn else hanna.user,
            decided_at=None if withdrawn else decided,
            applied_at=decided if applied else None,
        )
        requests.append(request)
        if applied:
            histories.append((request, previous, proposed))
    ChangeRequest.objects.bulk_create(requests, batch_size=500)
    ProfileChange.objects.bulk_create(
        [
            ProfileChange(
                employee_id=request.employee_id,
                field=field,
                old_value=previous[field],
                new_value=proposed[field],
                source=ProfileChange.Source.CHANGE_REQUEST,
                request=request,
                changed_by=hanna.user,
                changed_at=request.applied_at,
            )
            for request, previous, proposed in histories
            for field in proposed
            if previous[field] != proposed[field]
        ],
        batch_size=500,
    )
    ctx.write(f"  hr: {len(requests)} decided change requests over {HISTORY_MONTHS} months")
