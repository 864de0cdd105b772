"""Northwind's knowledge base for `seed_demo`: five spaces and about forty articles in four
languages, imported through the real importer from `seed_articles.jsonl`, then given
audiences, owners, related links, readers' votes, a review task, questions and some work in
progress. `--scale N` adds 50 times N generated articles for volume tests."""

import datetime
import json
import random
from pathlib import Path

from django.utils import timezone

from ess.accounts.models import User
from ess.accounts.roles import Role
from ess.portal.seeding import EMAIL_DOMAIN, SeedContext
from helpdesk.knowledge import services
from helpdesk.knowledge.importing import kb_import_lines
from helpdesk.knowledge.models import (
    Article,
    ArticleVersion,
    Audience,
    Category,
    Feedback,
    Question,
    ReviewTask,
    Space,
)
from hr.models import Department, Location

ARTICLES_FILE = Path(__file__).with_name("seed_articles.jsonl")
GENERATED_PER_SCALE = 50

SPACES = [
    ("IT", "it", "Laptops, phones, accounts, the network and the software we use."),
    ("HR", "hr", "Leave, absence, your personal data and your development."),
    ("Payroll", "payroll", "Payslips, allowances, expenses and payday."),
    ("Facilities", "facilities", "Offices, workplaces, getting here and staying safe."),
    ("Policies", "policies", "The rules we agreed on, explained in plain words."),
]

# key -> (audience, departments by code, locations by name, roles)
AUDIENCES = {
    "it-agent-escalation": (Audience.AGENTS, [], [], []),
    "it-agent-identity-check": (Audience.AGENTS, [], [], []),
    "hr-manager-onboarding": (Audience.RESTRICTED, [], [], [Role.MANAGER, Role.HR_OFFICER]),
    "pay-payroll-calendar": (Audience.RESTRICTED, [], [], [Role.MANAGER, Role.PAYROLL_OFFICER]),
    "fac-forklift-oslo": (Audience.RESTRICTED, ["operations"], ["Oslo"], []),
    "pay-holiday-allowance-nl": (Audience.RESTRICTED, [], ["Rotterdam"], [Role.PAYROLL_OFFICER]),
    "pay-thirteenth-it": (Audience.RESTRICTED, [], ["Milan"], [Role.PAYROLL_OFFICER]),
    "pay-holiday-pay-nb": (Audience.RESTRICTED, [], ["Oslo"], [Role.PAYROLL_OFFICER]),
}

RELATED = [
    ("it-new-starter-laptop", ["it-docking-station", "it-mfa-new-phone", "hr-manager-onboarding"]),
    ("it-lost-stolen", ["it-phone-new", "it-mfa-new-phone"]),
    ("it-password-expired", ["it-mfa-new-phone", "it-agent-identity-check"]),
    ("hr-leave-request", ["hr-sick-report", "hr-parental-leave"]),
    ("pay-payslip-read", ["pay-bank-account", "pay-expenses"]),
    ("pol-clean-desk", ["it-suspicious-email"]),
]

# Payroll's articles belong to the administrator; everything else to the KB editor.
ADMIN_SPACES = {"Payroll"}

# How likely a reader says an article helped; a few are weaker, for the reports to find.
HELPS = 0.82
HELPS_LESS = {"fac-meeting-room-booking": 0.45, "it-install-software": 0.5, "pol-gifts": 0.55}
RECENT_COMPLAINTS = datetime.timedelta(days=21)


def seed_demo(ctx: SeedContext) -> None:
    summary = seed_knowledge(scale=ctx.scale, rng=ctx.rng)
    ctx.write(
        f"  knowledge: {summary['articles']} articles in {summary['spaces']} spaces, "
        f"{summary['tasks']} open review tasks, {summary['questions']} open questions"
    )


def seed_knowledge(*, scale: int = 1, rng: random.Random | None = None) -> dict[str, int]:
    rng = rng or random.Random(2026)
    editor = _user("kirsten.editor") or _any_with_role(Role.KB_EDITOR)
    admin = _user("ada.admin") or _any_with_role(Role.ADMIN) or editor
    for position, (name, slug, description) in enumerate(SPACES, start=1):
        Space.objects.update_or_create(
            name=name, defaults={"slug": slug, "description": description, "position": position}
        )
    report = kb_import_lines(ARTICLES_FILE.read_bytes().splitlines(), owner=editor, by=editor)
    if not report.ok:
        raise ValueError("\n".join(report.problems))
    Article.objects.filter(space__name__in=ADMIN_SPACES).update(owner=admin)
    articles = {article.key: article for article in Article.objects.select_related("owner")}
    _audiences(articles, editor)
    for key, others in RELATED:
        services.article_related_set(
            by=editor, article=articles[key], related=[articles[other] for other in others]
        )
    _backdate(articles, rng)
    _views(articles, rng)
    _feedback(articles, rng)
    _work_in_progress(articles, editor)
    _questions(articles, editor)
    services.review_reminders_send()
    if scale > 1:
        _generated(scale, rng, editor)
    return {
        "articles": Article.objects.count(),
        "spaces": Space.objects.count(),
        "tasks": ReviewTask.objects.filter(closed_at__isnull=True).count(),
        "questions": Question.objects.filter(status=Question.Status.OPEN).count(),
    }


def _user(local: str) -> User | None:
    return User.objects.filter(email=f"{local}@{EMAIL_DOMAIN}").first()


def _any_with_role(role: Role) -> User | None:
    return User.objects.filter(groups__name=role, is_active=True).order_by("pk").first()


def _audiences(articles: dict[str, Article], editor: User | None) -> None:
    departments = {department.code: department for department in Department.objects.all()}
    locations = {location.name: location for location in Location.objects.all()}
    for key, (audience, department_codes, location_names, roles) in AUDIENCES.items():
        chosen_departments = [departments[c] for c in department_codes if c in departments]
        chosen_locations = [locations[n] for n in location_names if n in locations]
        if audience == Audience.RESTRICTED and not (
            chosen_departments or chosen_locations or roles
        ):
            continue  # an HR tree without these departments: leave the article for everyone
        services.article_audience_set(
            by=editor,
            article=articles[key],
            audience=audience,
            departments=chosen_departments,
            locations=chosen_locations,
            roles=roles,
        )


def _backdate(articles: dict[str, Article], rng: random.Random) -> None:
    """Spread publication over the last year and a half; one review overdue, one due soon."""
    now = timezone.now()
    today = timezone.localdate()
    rows, versions = [], []
    for article in articles.values():
        published = now - datetime.timedelta(days=rng.randint(3, 330), hours=rng.randint(0, 9))
        article.published_at = article.created_at = article.updated_at = published
        article.review_by = published.date() + services.REVIEW_INTERVAL
        version = article.published_version
        version.published_at = version.created_at = published
        rows.append(article)
        versions.append(version)
    articles["fac-meeting-room-booking"].review_by = today - datetime.timedelta(days=6)
    articles["it-guest-wifi"].review_by = today + datetime.timedelta(days=9)
    Article.objects.bulk_update(
        rows, ["published_at", "created_at", "updated_at", "review_by"], batch_size=500
    )
    ArticleVersion.objects.bulk_update(versions, ["published_at", "created_at"], batch_size=500)


def _views(articles: dict[str, Article], rng: random.Random) -> None:
    popular = {"it-password-expired", "hr-leave-request", "pay-payslip-read", "it-vpn-home"}
    for article in articles.values():
        article.views = rng.randint(400, 1500) if article.key in popular else rng.randint(5, 300)
    Article.objects.bulk_update(list(articles.values()), ["views"], batch_size=500)


def _feedback(articles: dict[str, Article], rng: random.Random) -> None:
    """Readers' votes, given over the months since each article was published, so the
    reports have a year of helpfulness to show; a few articles help less than the rest."""
    readers = list(User.objects.filter(is_active=True, employee__isnull=False).order_by("pk")[:80])
    if len(readers) < 6:
        return
    everyone = [a for a in articles.values() if a.audience == Audience.EVERYONE]
    for reader in readers:
        for article in rng.sample(everyone, k=min(3, len(everyone))):
            helps = HELPS_LESS.get(article.key, HELPS)
            services.feedback_record(user=reader, article=article, helpful=rng.random() < helps)
    # Readers found the slow-laptop advice out of date: enough "no" votes for a review task.
    slow = articles["it-laptop-slow"]
    for reader in readers[:4]:
        services.feedback_record(user=reader, article=slow, helpful=False)
    services.feedback_record(
        user=readers[5],
        article=articles["pay-expenses"],
        helpful=False,
        comment="The limit for hotels in Oslo is too low; €150 does not cover a night there.",
    )
    _backdate_feedback(articles, rng)


def _backdate_feedback(articles: dict[str, Article], rng: random.Random) -> None:
    """Each vote at a moment between the article's publication and now, more of them lately
    (more people use the portal); the slow-laptop complaints are from the last weeks."""
    now = timezone.now()
    published = {article.pk: article.published_at or now for article in articles.values()}
    recent = {articles["it-laptop-slow"].pk}
    votes = list(Feedback.objects.filter(article__in=articles.values()).order_by("pk"))
    for vote in votes:
        since = published[vote.article_id]
        if vote.article_id in recent:
            since = max(since, now - RECENT_COMPLAINTS)
        # The larger of two draws leans towards now.
        share = max(rng.random(), rng.random())
        vote.created_at = since + (now - since) * share
    Feedback.objects.bulk_update(votes, ["created_at"], batch_size=500)


def _work_in_progress(articles: dict[str, Article], editor: User | None) -> None:
    """An edit waiting for review on a live article, and a new article in draft."""
    vpn = articles["it-vpn-home"]
    services.article_update(
        by=editor,
        article=vpn,
        title=vpn.published_version.title,
        body=vpn.published_version.body.replace("12 hours", "10 hours"),
        tags=[tag.name for tag in vpn.published_version.tags.all()],
        change_note="The VPN now disconnects after 10 hours.",
    )
    services.article_submit(by=editor, article=vpn)
    it = Space.objects.get(name="IT")
    services.article_create(
        by=editor,
        space=it,
        category=Category.objects.filter(path="IT / Devices").first(),
        title="Returning your laptop when you leave",
        body="Bring your laptop, charger and badge to the IT walk-up point on your last day.",
        tags=["leaving", "laptop", "offboarding"],
        key="it-laptop-return",
    )


def _questions(articles: dict[str, Article], editor: User | None) -> None:
    emma = _user("emma.employee") or _any_with_role(Role.EMPLOYEE)
    if emma is None:
        return
    services.question_ask(
        user=emma,
        space=Space.objects.get(name="Facilities"),
        subject="Can I get a parking space for my car in Rotterdam?",
        details="I drive from Gouda on the days I work late shifts.",
        searched_for="car parking rotterdam",
    )
    answered = services.question_ask(
        user=emma,
        space=Space.objects.get(name="IT"),
        subject="Does the VPN work on a Mac?",
        details="",
        searched_for="vpn mac",
    )
    services.question_answer(by=editor, question=answered, article=articles["it-vpn-home"])


TOPICS = [
    ("IT / Devices", "Printer", "printer", "print a document on another floor"),
    ("IT / Software & Collaboration", "Spreadsheet", "excel", "share a workbook with a team"),
    ("IT / Network & Remote work", "Hotspot", "hotspot", "work from a train"),
    ("HR / Leave & Absence", "Leave", "leave", "plan days off around a public holiday"),
    ("HR / Development", "Mentoring", "mentoring", "find a mentor in another country"),
    ("Payroll / Expenses", "Mileage", "mileage", "claim kilometres driven for work"),
    ("Facilities / Workplaces", "Locker", "locker", "get a locker for the week"),
    ("Facilities / Getting here", "Train", "train", "travel between offices by train"),
]
PLACES = ["Rotterdam", "Milan", "Oslo", "the warehouse", "home", "a customer site"]


def _generated(scale: int, rng: random.Random, owner: User | None) -> None:
    """Volume for benchmarks: short, varied articles imported in one go."""
    lines = []
    for number in range(1, GENERATED_PER_SCALE * scale + 1):
        category, noun, tag, task = rng.choice(TOPICS)
        place = rng.choice(PLACES)
        title = f"{noun} tip {number}: how to {task} in {place}"
        body = (
            f"This note explains how to {task} when you are in {place}.\n\n"
            f"1. Open the portal and search for *{tag}*.\n"
            f"2. Follow the steps for {place}.\n"
            f"3. Ask the desk of {place} if something is unclear.\n"
        )
        lines.append(
            json.dumps(
                {
                    "key": f"generated-{number}",
                    "title": title,
                    "body": body,
                    "category": category,
                    "language": "en",
                    "tags": [tag, place.lower()],
                }
            )
        )
    report = kb_import_lines(lines, owner=owner, by=owner)
    if not report.ok:
        raise ValueError("\n".join(report.problems[:10]))
