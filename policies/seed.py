"""Ten Northwind policies with versions, campaigns and a realistic acknowledgement trend."""

import datetime

from django.utils import timezone

from ess.accounts.models import User
from ess.portal.seeding import EMAIL_DOMAIN, SeedContext
from policies import services
from policies.models import Acknowledgement, AcknowledgementRequest, Policy, PolicyVersion


def _body(intro: str, sections: list[tuple[str, list[str]]]) -> str:
    parts = [intro, ""]
    for heading, lines in sections:
        parts += [f"## {heading}", ""]
        parts += [*lines, ""]
    return "\n".join(parts)


POLICIES = [
    (
        "code-of-conduct",
        "Code of Conduct",
        "general",
        200,
        0.92,
        _body(
            "Northwind Logistics moves goods for customers across Europe. How we do it matters as "
            "much as what we deliver. This code applies to every employee, temporary worker and "
            "contractor in Rotterdam, Milan and Oslo.",
            [
                (
                    "Respect at work",
                    [
                        "We treat colleagues, drivers, customers and suppliers with "
                        "respect. We do not tolerate discrimination on any ground."
                    ],
                ),
                (
                    "Conflicts of interest",
                    [
                        "- Tell your manager about side jobs that touch our business.",
                        "- Do not accept gifts worth more than EUR 50.",
                        "- Register every gift in the gift register.",
                    ],
                ),
                (
                    "Speaking up",
                    [
                        "If you see something that breaks this code, raise it with your "
                        "manager, HR, or through the whistleblowing channel. Retaliation "
                        "against anyone who speaks up in good faith is itself a breach."
                    ],
                ),
            ],
        ),
    ),
    (
        "remote-work",
        "Remote Work Policy",
        "hr",
        60,
        0.71,
        _body(
            "Office staff may work from home up to three days a week when their role allows it. "
            "Warehouse and transport roles are on site by nature.",
            [
                (
                    "Eligibility",
                    [
                        "Your manager agrees the pattern with you and records it in the "
                        "portal. New joiners work on site for their first four weeks."
                    ],
                ),
                (
                    "Equipment and safety",
                    [
                        "You receive a laptop and, on request, a monitor and chair. "
                        "Your workspace must be safe; complete the home-working "
                        "checklist once a year."
                    ],
                ),
                ("Availability", ["Be reachable during core hours, 10:00–15:00 local time."]),
            ],
        ),
    ),
    (
        "acceptable-it-use",
        "Acceptable Use of IT",
        "it_security",
        40,
        0.55,
        _body(
            "Company devices, accounts and networks are provided for work. Limited personal use is "
            "fine when it does not interfere with work or security.",
            [
                (
                    "Passwords and sign-in",
                    [
                        "Use the company sign-in with multi-factor "
                        "authentication. Never share your password, not even "
                        "with the IT service desk."
                    ],
                ),
                (
                    "Software",
                    [
                        "Install software only from the self-service catalogue, or ask the "
                        "service desk."
                    ],
                ),
                (
                    "Reporting incidents",
                    [
                        "Report a lost laptop or phone within one hour to the IT "
                        "service desk, day or night."
                    ],
                ),
            ],
        ),
    ),
    (
        "data-protection",
        "Data Protection and Privacy",
        "legal",
        120,
        0.88,
        _body(
            "We handle personal data of employees, customers and drivers under the GDPR and the "
            "Norwegian Personal Data Act.",
            [
                (
                    "Principles",
                    [
                        "Collect only what you need, keep it only as long as needed, and "
                        "store it only in approved systems."
                    ],
                ),
                (
                    "Breaches",
                    [
                        "Report a suspected data breach to privacy@northwind.example "
                        "immediately. We must notify the authority within 72 hours."
                    ],
                ),
            ],
        ),
    ),
    (
        "whistleblowing",
        "Whistleblowing Policy",
        "legal",
        300,
        0.95,
        _body(
            "Everyone can report suspected wrongdoing safely and, if they wish, anonymously.",
            [
                (
                    "How to report",
                    [
                        "Use the confidential channel in the service desk, or write to "
                        "the ethics officer. Reports are handled by a small, independent "
                        "team."
                    ],
                ),
                ("Protection", ["No one will suffer for reporting in good faith."]),
            ],
        ),
    ),
    (
        "anti-harassment",
        "Anti-Harassment Policy",
        "hr",
        90,
        0.83,
        _body(
            "Harassment, bullying and sexual harassment are not tolerated anywhere we work, "
            "including at company events and online.",
            [
                (
                    "What to do",
                    [
                        "Tell the person to stop if you feel safe doing so, and talk to your "
                        "manager, HR or a confidential adviser."
                    ],
                ),
                ("Investigation", ["HR investigates every complaint promptly and confidentially."]),
            ],
        ),
    ),
    (
        "business-travel",
        "Business Travel Policy",
        "finance",
        150,
        0.64,
        _body(
            "Travel only when a meeting cannot reasonably happen online.",
            [
                ("Booking", ["Book through the travel desk. Trains are preferred under 600 km."]),
                ("Class of travel", ["Economy class for flights under six hours."]),
            ],
        ),
    ),
    (
        "expenses",
        "Expense Claims Policy",
        "finance",
        45,
        0.38,
        _body(
            "Claim business expenses within 60 days with a receipt.",
            [
                (
                    "What you can claim",
                    [
                        "- Travel and accommodation booked through the travel desk",
                        "- Meals while travelling, up to the daily allowance",
                        "- Work equipment approved by your manager",
                    ],
                ),
                (
                    "How to claim",
                    [
                        "Submit the claim in the expenses tool; your manager approves it "
                        "and payroll pays it with the next salary."
                    ],
                ),
            ],
        ),
    ),
    (
        "warehouse-safety",
        "Health and Safety in the Warehouses",
        "health_safety",
        20,
        0.30,
        _body(
            "Safety comes before speed. Every site has a safety officer and a daily check.",
            [
                (
                    "Personal protective equipment",
                    [
                        "Safety shoes and a high-visibility vest are "
                        "required on the warehouse floor."
                    ],
                ),
                (
                    "Forklifts",
                    ["Only certified drivers may operate forklifts. Keep pedestrian lanes clear."],
                ),
            ],
        ),
    ),
    (
        "information-classification",
        "Information Classification",
        "it_security",
        400,
        0.0,
        _body(
            "Label documents as Public, Internal, Confidential or Strictly Confidential.",
            [
                (
                    "Handling",
                    [
                        "Confidential information is shared only with people who need it, "
                        "and never by personal e-mail."
                    ],
                )
            ],
        ),
    ),
]


def seed_demo(ctx: SeedContext) -> None:
    rng = ctx.rng
    # Campaign dates follow the day of seeding, so the youngest policies are still pending.
    today = timezone.localdate()
    owner = User.objects.get(email=f"hanna.hr@{EMAIL_DOMAIN}")
    reviewer = User.objects.get(email=f"ada.admin@{EMAIL_DOMAIN}")
    now = timezone.now()
    for slug, title, category, age_days, share_done, body in POLICIES:
        policy = services.policy_create(
            title=title, slug=slug, category=category, owner=owner, actor=owner
        )
        published = today - datetime.timedelta(days=age_days)
        version = services.version_draft(
            policy=policy,
            body=body,
            change_summary="First published version.",
            significance=PolicyVersion.Significance.MAJOR,
            effective_date=published,
            review_by=published + datetime.timedelta(days=365),
            author=owner,
        )
        services.version_submit(version=version, actor=owner)
        services.version_approve(version=version, reviewer=reviewer)
        services.version_publish(
            version=version,
            actor=reviewer,
            notify_people=False,
            acknowledge_by=max(published + datetime.timedelta(days=30), today),
        )
        PolicyVersion.objects.filter(pk=version.pk).update(
            published_at=now - datetime.timedelta(days=age_days)
        )
        AcknowledgementRequest.objects.filter(version=version).update(
            due_date=published + datetime.timedelta(days=30),
            requested_at=now - datetime.timedelta(days=age_days),
        )
        _acknowledge_share(rng, version, share_done, age_days, now)
    # One policy has a later minor edit: earlier acknowledgements still count.
    policy = Policy.objects.get(slug="expenses")
    minor = services.version_draft(
        policy=policy,
        body=policy.current_version.body + "\nReceipts may be photographed.\n",
        change_summary="Photographed receipts are accepted.",
        significance=PolicyVersion.Significance.MINOR,
        effective_date=today,
        review_by=today + datetime.timedelta(days=365),
        author=owner,
    )
    services.version_submit(version=minor, actor=owner)
    services.version_approve(version=minor, reviewer=reviewer)
    services.version_publish(version=minor, actor=reviewer, notify_people=False)
    ctx.write(
        f"  policies: {Policy.objects.count()} policies, "
        f"{AcknowledgementRequest.objects.count()} acknowledgement requests"
    )


def _acknowledge_share(rng, version, share, age_days, now) -> None:
    """Acknowledge a share of the requests, most of them soon after publication."""
    requests = list(
        AcknowledgementRequest.objects.filter(version=version).values_list("pk", "user_id")
    )
    chosen = [item for item in requests if rng.random() < share]
    acks, updates = [], []
    for request_pk, user_id in chosen:
        days_after = min(int(rng.expovariate(1 / 6)), max(age_days - 1, 0))
        when = now - datetime.timedelta(days=age_days - days_after, hours=rng.randint(0, 8))
        acks.append(
            Acknowledgement(
                user_id=user_id,
                version=version,
                acknowledged_at=when,
                text_sha256=version.text_sha256,
            )
        )
        updates.append(
            AcknowledgementRequest(
                pk=request_pk, acknowledged_at=when, acknowledged_on=timezone.localdate(when)
            )
        )
    Acknowledgement.objects.bulk_create(acks, batch_size=2000)
    AcknowledgementRequest.objects.bulk_update(
        updates, ["acknowledged_at", "acknowledged_on"], batch_size=2000
    )
    services.rollup_refresh(version_id=version.pk)
