"""The demo desk's set-up: queues with their people, opening hours, holidays and SLA
targets, the service catalog with its forms, canned replies and appointment slots."""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from guardian.shortcuts import assign_perm

from ess.accounts.models import User
from ess.accounts.roles import Role
from ess.accounts.services import role_grant
from ess.portal.seeding import DEMO_PASSWORD, EMAIL_DOMAIN, SeedContext
from helpdesk.models import (
    AppointmentSlot,
    Approval,
    BusinessHours,
    CannedReply,
    FieldKind,
    FormField,
    Holiday,
    Priority,
    Queue,
    RequestType,
    SlaTarget,
)
from hr.models import Employee

OFFICE_HOURS = (datetime.time(8, 30), datetime.time(17, 30))
IT_SATURDAY = (datetime.time(10, 0), datetime.time(14, 0))

# Dutch national holidays on which the desk is closed (Liberation Day is a day off only
# every fifth year, last in 2025; Good Friday is not a national day off).
NL_HOLIDAYS = [
    (datetime.date(2026, 1, 1), "New Year's Day"),
    (datetime.date(2026, 4, 5), "Easter Sunday"),
    (datetime.date(2026, 4, 6), "Easter Monday"),
    (datetime.date(2026, 4, 27), "King's Day"),
    (datetime.date(2026, 5, 14), "Ascension Day"),
    (datetime.date(2026, 5, 24), "Whit Sunday"),
    (datetime.date(2026, 5, 25), "Whit Monday"),
    (datetime.date(2026, 12, 25), "Christmas Day"),
    (datetime.date(2026, 12, 26), "Boxing Day"),
    (datetime.date(2027, 1, 1), "New Year's Day"),
    (datetime.date(2027, 3, 28), "Easter Sunday"),
    (datetime.date(2027, 3, 29), "Easter Monday"),
    (datetime.date(2027, 4, 27), "King's Day"),
    (datetime.date(2027, 5, 6), "Ascension Day"),
    (datetime.date(2027, 5, 16), "Whit Sunday"),
    (datetime.date(2027, 5, 17), "Whit Monday"),
    (datetime.date(2027, 12, 25), "Christmas Day"),
    (datetime.date(2027, 12, 26), "Boxing Day"),
]

# Business minutes per priority: (first response, resolution).
SLA_MINUTES = {
    Priority.URGENT: (30, 4 * 60),
    Priority.HIGH: (60, 8 * 60),
    Priority.NORMAL: (4 * 60, 24 * 60),
    Priority.LOW: (8 * 60, 80 * 60),
}


@dataclass(frozen=True)
class QueueSpec:
    name: str
    slug: str
    description: str
    saturday: bool = False
    confidential: bool = False
    reopen_days: int = 7


QUEUES = [
    QueueSpec(
        "IT",
        "it",
        "Laptops, phones, accounts, software, printers and access to systems and drives.",
        saturday=True,
    ),
    QueueSpec("HR", "hr", "Contracts, letters, working hours, leave questions and your data."),
    QueueSpec("Payroll", "payroll", "Payslips, allowances, tax questions and expense claims."),
    QueueSpec(
        "Facilities", "facilities", "Workplaces, furniture, parking, access badges and repairs."
    ),
    QueueSpec(
        "HR cases",
        "hr-cases",
        "Confidential: concerns about behaviour, integrity or safety. Seen only by the "
        "officers handling them.",
        confidential=True,
        reopen_days=14,
    ),
]


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    help_text: str = ""


@dataclass(frozen=True)
class TypeSpec:
    queue: str
    name: str
    slug: str
    description: str
    icon: str
    keywords: str = ""
    priority: int = Priority.NORMAL
    approval: str = Approval.NONE
    approval_role: str = ""
    appointments: bool = False
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)


CATALOG = [
    TypeSpec(
        "it",
        "New laptop",
        "new-laptop",
        "A replacement for a slow or broken laptop, or a first one for a new colleague. "
        "Your manager approves the request before we order.",
        "laptop",
        "notebook computer pc macbook replacement",
        approval=Approval.MANAGER,
        fields=(
            FieldSpec(
                "model",
                "Model",
                FieldKind.CHOICE,
                True,
                ('Standard 14"', 'Developer 16"', 'Lightweight 13"'),
                "Developers and designers usually need the 16-inch model.",
            ),
            FieldSpec("reason", "Why do you need it?", FieldKind.TEXTAREA, True),
            FieldSpec("needed_by", "Needed by", FieldKind.DATE, False),
        ),
    ),
    TypeSpec(
        "it",
        "Software install",
        "software-install",
        "Software that is not in the self-service Software Centre.",
        "box-seam",
        "application program app licence license",
        fields=(
            FieldSpec("software", "Software name and version", FieldKind.TEXT, True),
            FieldSpec(
                "licence",
                "Licence",
                FieldKind.CHOICE,
                True,
                ("Free or open source", "Company licence", "New licence needed"),
            ),
            FieldSpec("purpose", "What will you use it for?", FieldKind.TEXTAREA),
        ),
    ),
    TypeSpec(
        "it",
        "Access to a shared drive",
        "shared-drive-access",
        "Read or write access to a department's shared drive or folder. The data owner's "
        "role approves access.",
        "folder-symlink",
        "share folder permission network drive",
        approval=Approval.ROLE,
        approval_role=Role.ADMIN,
        fields=(
            FieldSpec(
                "path",
                "Drive or folder",
                FieldKind.TEXT,
                True,
                help_text=r"For example \\nw-files\finance\reports",
            ),
            FieldSpec(
                "access", "Access level", FieldKind.CHOICE, True, ("Read only", "Read and write")
            ),
            FieldSpec("reason", "Why do you need access?", FieldKind.TEXTAREA, True),
        ),
    ),
    TypeSpec(
        "it",
        "Password or account problem",
        "password-account",
        "Locked out, password expired, MFA on a new phone, or an account that does not work.",
        "key",
        "login locked out mfa authenticator sign in",
        priority=Priority.HIGH,
        fields=(
            FieldSpec(
                "system",
                "Which account?",
                FieldKind.CHOICE,
                True,
                ("Windows / network", "E-mail", "Portal", "Warehouse system", "Other"),
            ),
        ),
    ),
    TypeSpec(
        "it",
        "Printer or scanner problem",
        "printer-scanner",
        "Paper jams we cannot clear, print queues that hang, scanners that do not send.",
        "printer",
        "print scan copier toner",
        fields=(
            FieldSpec(
                "device",
                "Printer name or location",
                FieldKind.TEXT,
                True,
                help_text="The label on the front, e.g. RTM-2-PRN04.",
            ),
        ),
    ),
    TypeSpec(
        "it",
        "IT walk-up appointment",
        "it-walk-up",
        "Book half an hour at the service desk for a hardware swap or a problem that is "
        "easier to show than to describe.",
        "calendar-check",
        "appointment desk visit help in person",
        priority=Priority.LOW,
        appointments=True,
        fields=(FieldSpec("topic", "What should we look at?", FieldKind.TEXT, True),),
    ),
    TypeSpec(
        "hr",
        "Employment letter",
        "employment-letter",
        "A signed letter confirming your employment, e.g. for a mortgage or a rental.",
        "envelope-paper",
        "werkgeversverklaring employer statement proof of employment",
        fields=(
            FieldSpec(
                "purpose",
                "Purpose",
                FieldKind.CHOICE,
                True,
                ("Mortgage", "Rental", "Visa or residence permit", "Other"),
            ),
            FieldSpec(
                "language",
                "Language",
                FieldKind.CHOICE,
                True,
                ("English", "Dutch", "Italian", "Norwegian"),
            ),
            FieldSpec("salary", "Mention my salary", FieldKind.CHOICE, False, ("Yes", "No")),
        ),
    ),
    TypeSpec(
        "hr",
        "Change of working hours",
        "working-hours",
        "More or fewer hours, or a different spread over the week. Your manager approves.",
        "clock-history",
        "part-time parttime hours contract days",
        approval=Approval.MANAGER,
        fields=(
            FieldSpec("hours", "New hours per week", FieldKind.NUMBER, True),
            FieldSpec("from_date", "From", FieldKind.DATE, True),
            FieldSpec("explanation", "Which days, and anything else", FieldKind.TEXTAREA),
        ),
    ),
    TypeSpec(
        "hr",
        "HR consultation",
        "hr-consultation",
        "A conversation with an HR advisor about your contract, leave or career.",
        "people",
        "talk advisor meeting appointment",
        priority=Priority.LOW,
        appointments=True,
        fields=(FieldSpec("topic", "What would you like to discuss?", FieldKind.TEXTAREA, True),),
    ),
    TypeSpec(
        "payroll",
        "Payroll question",
        "payroll-question",
        "A question about your payslip, deductions, allowances or tax.",
        "cash-coin",
        "payslip salary loonstrook wage tax",
        fields=(
            FieldSpec("period", "Pay period", FieldKind.DATE, True, help_text="Any day of it."),
            FieldSpec("question", "Your question", FieldKind.TEXTAREA, True),
        ),
    ),
    TypeSpec(
        "payroll",
        "Expense claim problem",
        "expense-claim",
        "A claim that was rejected, paid wrongly, or is stuck.",
        "receipt",
        "declaration reimbursement declaratie mileage",
        fields=(
            FieldSpec("claim", "Claim number", FieldKind.TEXT, True),
            FieldSpec("amount", "Amount (EUR)", FieldKind.NUMBER),
        ),
    ),
    TypeSpec(
        "facilities",
        "Report a broken chair",
        "broken-chair",
        "An office chair that is broken or unsafe. Add a photo if you can.",
        "tools",
        "furniture seat repair desk chair",
        fields=(
            FieldSpec(
                "location",
                "Where is it?",
                FieldKind.TEXT,
                True,
                help_text="Building, floor and desk number.",
            ),
            FieldSpec("photo", "Photo", FieldKind.ATTACHMENT),
        ),
    ),
    TypeSpec(
        "facilities",
        "Desk or parking space",
        "desk-parking",
        "A fixed desk, a parking space or a charging point.",
        "p-square",
        "parking car charging workplace flex",
        priority=Priority.LOW,
        fields=(
            FieldSpec(
                "kind",
                "What do you need?",
                FieldKind.CHOICE,
                True,
                ("Parking space", "Charging point", "Fixed desk"),
            ),
            FieldSpec("office", "Office", FieldKind.CHOICE, True, ("Rotterdam", "Milan", "Oslo")),
            FieldSpec("from_date", "From", FieldKind.DATE),
        ),
    ),
    TypeSpec(
        "hr-cases",
        "Report a concern",
        "report-a-concern",
        "Unwanted behaviour, integrity or safety. Only the confidential counsellors see it.",
        "shield-lock",
        "harassment bullying integrity whistleblowing confidential",
        priority=Priority.HIGH,
        fields=(
            FieldSpec(
                "kind",
                "What is it about?",
                FieldKind.CHOICE,
                True,
                ("Unwanted behaviour", "Integrity", "Safety", "Something else"),
            ),
            FieldSpec("when", "When did it happen?", FieldKind.DATE),
            FieldSpec(
                "contact",
                "How may we contact you?",
                FieldKind.CHOICE,
                True,
                ("Through the portal only", "By phone", "In person"),
            ),
        ),
    ),
]

CANNED = {
    None: [
        (
            "Thanks, we are on it",
            "Hi {requester_first_name},\n\nThanks for your request {reference}. "
            "{agent_name} from {queue} is looking into it and will get back to you.",
        ),
        (
            "Closing: no reply",
            "Hi {requester_first_name},\n\nWe did not hear back from you, so we are closing "
            "{reference}. Just reply if you still need help.",
        ),
    ],
    "it": [
        (
            "Password reset done",
            "Hi {requester_first_name},\n\nYour password has been reset. You will get a "
            "temporary password by text message; you are asked to choose a new one at the "
            "first sign-in.\n\n{agent_name}",
        ),
        (
            "Laptop ordered",
            "Hi {requester_first_name},\n\nYour laptop is ordered and usually arrives in "
            "five working days. We will let you know when it is ready to collect at the "
            "service desk.",
        ),
        (
            "Please restart first",
            "Hi {requester_first_name},\n\nCould you restart your laptop while it is "
            "connected to the office network or the VPN, and tell us whether the problem is "
            "still there?",
        ),
    ],
    "hr": [
        (
            "Letter is ready",
            "Hi {requester_first_name},\n\nYour letter is signed and in My documents. "
            "Kind regards,\n{agent_name}, HR",
        ),
        (
            "Change approved and processed",
            "Hi {requester_first_name},\n\nThe change is processed; your new contract "
            "addendum is in My documents for signing.",
        ),
    ],
    "payroll": [
        (
            "Correction in next payslip",
            "Hi {requester_first_name},\n\nYou are right, and we are sorry. The correction "
            "is in your next payslip, as a separate line.",
        ),
        (
            "Explanation of deductions",
            "Hi {requester_first_name},\n\nThe difference comes from the tax table: in "
            "months with a holiday allowance payment more tax is withheld. Over the year "
            "this evens out in your annual statement.",
        ),
    ],
    "facilities": [
        (
            "Repair scheduled",
            "Hi {requester_first_name},\n\nThe technician will come by this week. Please "
            "leave a note on the item so it is not used in the meantime.",
        ),
        (
            "Parking request on the waiting list",
            "Hi {requester_first_name},\n\nAll spaces are taken right now; you are on the "
            "waiting list and we will contact you when one is free.",
        ),
    ],
    "hr-cases": [
        (
            "Confidential: first contact",
            "Dear {requester_first_name},\n\nThank you for trusting us with this. Only the "
            "confidential counsellors can read {reference}. When would suit you for a "
            "conversation?",
        ),
    ],
}


@dataclass
class Desk:
    """What the ticket generator needs to know about the seeded desk."""

    queues: dict[str, Queue]
    types: dict[str, RequestType]
    agents: dict[str, list[int]]  # queue slug -> agent user ids
    leads: dict[str, int]
    officer_id: int | None  # granted on the confidential queue
    role_approver_id: int | None


def _demo_user(local: str) -> User | None:
    return User.objects.filter(email=f"{local}@{EMAIL_DOMAIN}").first()


def _with_role(role: Role) -> User | None:
    return User.objects.filter(groups__name=role, is_active=True).order_by("pk").first()


def facilities_agent(ctx: SeedContext) -> User | None:
    """A facilities coordinator who works the Facilities queue: a demo sign-in.

    Agents need an agent role; the desk has no facilities role, so the coordinator holds
    the service desk's (as agents of any non-IT queue do)."""
    employee = (
        Employee.objects.filter(department__code="facilities", user__is_active=True)
        .select_related("user")
        .order_by("-job_title", "pk")  # "Office Manager" before "Maintenance Technician"
        .filter(job_title__in=["Office Manager", "Facilities Coordinator"])
        .first()
    )
    if employee is None:
        return None
    user = employee.user
    user.password = make_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    role_grant(user=user, role=Role.IT_AGENT)
    ctx.logins.append((Role.IT_AGENT.value, user.email, f"{employee.job_title} (Facilities)"))
    return user


def desk_create(ctx: SeedContext) -> Desk:
    ivan = _demo_user("ivan.agent") or _with_role(Role.IT_AGENT)
    ada = _demo_user("ada.admin") or _with_role(Role.ADMIN)
    hanna = _demo_user("hanna.hr") or _with_role(Role.HR_OFFICER)
    pieter = _demo_user("pieter.payroll") or _with_role(Role.PAYROLL_OFFICER)
    fenna = facilities_agent(ctx) or ada
    people = {
        "it": ([ivan, ada], ada),
        "hr": ([hanna], hanna),
        "payroll": ([pieter], pieter),
        "facilities": ([fenna], fenna),
        "hr-cases": ([hanna], hanna),
    }
    queues: dict[str, Queue] = {}
    agents: dict[str, list[int]] = {}
    leads: dict[str, int] = {}
    for position, spec in enumerate(QUEUES, start=1):
        members, lead = people[spec.slug]
        members = [m for m in members if m is not None]
        queue = Queue.objects.create(
            name=spec.name,
            slug=spec.slug,
            description=spec.description,
            email_address=f"{spec.slug}@desk.{EMAIL_DOMAIN}",
            confidential=spec.confidential,
            lead=lead,
            reopen_days=spec.reopen_days,
            position=position,
        )
        queue.agents.set(members)
        queues[spec.slug] = queue
        agents[spec.slug] = [m.pk for m in members]
        if lead is not None:
            leads[spec.slug] = lead.pk
        hours = [
            BusinessHours(queue=queue, weekday=d, opens=OFFICE_HOURS[0], closes=OFFICE_HOURS[1])
            for d in range(5)
        ]
        if spec.saturday:
            hours.append(
                BusinessHours(queue=queue, weekday=5, opens=IT_SATURDAY[0], closes=IT_SATURDAY[1])
            )
        BusinessHours.objects.bulk_create(hours)
        Holiday.objects.bulk_create(
            Holiday(queue=queue, date=day, name=name) for day, name in NL_HOLIDAYS
        )
        SlaTarget.objects.bulk_create(
            SlaTarget(
                queue=queue,
                priority=priority,
                first_response_minutes=response,
                resolution_minutes=resolution,
            )
            for priority, (response, resolution) in SLA_MINUTES.items()
        )
    if hanna is not None:
        assign_perm("helpdesk.handle_confidential", hanna, queues["hr-cases"])

    types: dict[str, RequestType] = {}
    for position, spec in enumerate(CATALOG, start=1):
        request_type = RequestType.objects.create(
            queue=queues[spec.queue],
            name=spec.name,
            slug=spec.slug,
            description=spec.description,
            keywords=spec.keywords,
            icon=spec.icon,
            default_priority=spec.priority,
            approval=spec.approval,
            approval_role=spec.approval_role,
            allows_appointments=spec.appointments,
            position=position,
        )
        FormField.objects.bulk_create(
            FormField(
                request_type=request_type,
                key=f.key,
                label=f.label,
                kind=f.kind,
                required=f.required,
                help_text=f.help_text,
                choices="\n".join(f.choices),
                position=index,
            )
            for index, f in enumerate(spec.fields, start=1)
        )
        types[spec.slug] = request_type

    CannedReply.objects.bulk_create(
        CannedReply(
            queue=queues[slug] if slug else None,
            title=title,
            body=body,
            created_by=queues[slug].lead if slug else ada,
        )
        for slug, replies in CANNED.items()
        for title, body in replies
    )
    return Desk(
        queues=queues,
        types=types,
        agents=agents,
        leads=leads,
        officer_id=hanna.pk if hanna else None,
        role_approver_id=ada.pk if ada else None,
    )


def slots_create(desk: Desk, *, now: datetime.datetime) -> list[AppointmentSlot]:
    """Half-hour slots on the next ten working days: IT walk-up mornings, HR consultations
    in the afternoon."""
    zone = ZoneInfo(desk.queues["it"].time_zone)
    today = now.astimezone(zone).date()
    holidays = {day for day, _name in NL_HOLIDAYS}
    offers = [
        ("it", datetime.time(10, 0), 4, "Rotterdam, service desk (ground floor)"),
        ("hr", datetime.time(14, 0), 3, "Rotterdam, HR, room 3.12 (or Teams)"),
    ]
    slots = []
    day = today + datetime.timedelta(days=1)
    working_days = 0
    while working_days < 10:
        if day.weekday() < 5 and day not in holidays:
            working_days += 1
            for slug, first, count, location in offers:
                agents = desk.agents.get(slug) or []
                if not agents:
                    continue
                for index in range(count):
                    starts = datetime.datetime.combine(
                        day, first, tzinfo=zone
                    ) + datetime.timedelta(minutes=30 * index)
                    slots.append(
                        AppointmentSlot(
                            queue=desk.queues[slug],
                            agent_id=agents[0],
                            starts_at=starts,
                            ends_at=starts + datetime.timedelta(minutes=30),
                            location=location,
                        )
                    )
        day += datetime.timedelta(days=1)
    return AppointmentSlot.objects.bulk_create(slots)
