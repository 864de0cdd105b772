"""Demo search history for `seed_demo`: the index of everything the other apps seeded, and
a year of what Northwind's people searched for, clicked and did not find.

Runs after every other app's seed (see `ess.portal.seeding.seed_hooks`), because the index
reads their documents. Each distinct query is asked once through the real search, so the
result counts, normalised forms and clicked documents are the engine's own; the repeats
are written in bulk. Searchers are only keyed hashes, as in the live log.

The year has a shape, so the reports show trends: more people search as the portal catches
on, new unanswered questions turn up along the way, and a few questions found nothing until
the knowledge article that answers them was published (their gap is then resolved).
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ess.accounts.models import User
from ess.portal.seeding import SeedContext
from ess.search.models import Document, Gap, GapStatus, SearchLog, SearchSource
from ess.search.selectors import parse_query, search
from ess.search.services import index_rebuild, searcher_hash

DAYS = 365
# Searches a day a year ago, as a share of today's: the portal caught on during the year.
ADOPTION_START = 0.35
# A gap closed by an article this recent (or older than the history) is left alone: the
# history then shows no "before".
RESOLVED_MIN_AGE = datetime.timedelta(days=3)
SEARCHES_PER_SCALE = 2500
SEED = 2026
# Monday to Sunday, and hours of the day: office hours, a dip at lunch, a little evening.
WEEKDAY_WEIGHTS = (1.0, 0.95, 0.9, 0.9, 0.7, 0.08, 0.05)
HOUR_WEIGHTS = (0, 0, 0, 0, 0, 0, 1, 3, 8, 10, 9, 7, 4, 7, 8, 7, 5, 3, 2, 1, 1, 1, 0, 0)
SOURCE_WEIGHTS = (
    (SearchSource.BOX, 50),
    (SearchSource.PAGE, 38),
    (SearchSource.DEFLECTION, 8),
    (SearchSource.API, 4),
)
# How often a search that found something ends in a click, by how well the index covers it.
CLICKS_WHEN_ANSWERED = 0.78
CLICKS_WHEN_POORLY_ANSWERED = 0.06
# Which result people click: mostly the first.
RANK_WEIGHTS = (60, 18, 9, 5, 3, 2, 1, 1, 1)


@dataclass(frozen=True)
class DemoQuery:
    text: str
    weight: float  # how often people ask it, relative to the others
    covered: bool = True  # False: the index has nothing that really answers it
    since: int = DAYS  # first asked this many days ago: new questions turn up during the year
    # Found nothing until its best answer, an article, was published; that closed the gap.
    answered_later: bool = False


# What Northwind's people ask, in their four languages, with the typos and casing they use.
ANSWERED = [
    DemoQuery("vpn", 60),
    DemoQuery("VPN not working", 25),
    DemoQuery("reset password", 55),
    DemoQuery("password expired", 30),
    DemoQuery("payslip", 70),
    DemoQuery("paslip", 8),
    DemoQuery("holiday allowance", 28),
    DemoQuery("vakantiegeld", 22),
    DemoQuery("annual leave", 40),
    DemoQuery("how do I request leave", 20),
    DemoQuery("ferie", 18),
    DemoQuery("tredicesima", 10),
    DemoQuery("wifi guest", 15),
    DemoQuery("lost phone", 14, answered_later=True),
    DemoQuery("new laptop", 24),
    DemoQuery("laptop slow", 18),
    DemoQuery("expenses", 45),
    DemoQuery("expense claim receipt", 12),
    DemoQuery("parental leave", 26),
    DemoQuery("calling in sick", 30),
    DemoQuery("ziekmelding", 16),
    DemoQuery("docking station", 12, answered_later=True),
    DemoQuery("second screen", 6, answered_later=True),
    DemoQuery("code of conduct", 14),
    DemoQuery("work from home", 32),
    DemoQuery("thuiswerken", 10),
    DemoQuery("passord", 7),
    DemoQuery("mfa new phone", 16, answered_later=True),
    DemoQuery("authenticator app", 11, answered_later=True),
    DemoQuery("suspicious email", 13),
    DemoQuery("phishing", 9),
    DemoQuery("bank account change", 12),
    DemoQuery("public holidays", 20),
    DemoQuery("business travel", 14),
    DemoQuery("pension", 12),
    DemoQuery("benefits", 10),
    DemoQuery("working hours overtime", 9),
    DemoQuery("forklift licence", 5),
    DemoQuery("richiedere ferie", 6),
    DemoQuery("lønnsslipp", 5),
    DemoQuery("cycling to the office", 6, answered_later=True),
    DemoQuery("install software", 9, answered_later=True),
    DemoQuery("clean desk", 4),
    DemoQuery("whistleblowing", 3),
    DemoQuery("last day", 5),
]
# Real gaps: things the knowledge base does not cover. Some find nothing at all; others
# find loosely related pages that nobody clicks.
GAPS = [
    DemoQuery("bring my dog to the office", 9, covered=False, since=300),
    DemoQuery("dog", 4, covered=False, since=280),
    DemoQuery("hond mee naar kantoor", 3, covered=False, since=200),
    DemoQuery("maternity leave for fathers in Italy", 6, covered=False, since=150),
    DemoQuery("company car", 11, covered=False),
    DemoQuery("lease car", 5, covered=False, since=240),
    DemoQuery("sabbatical", 7, covered=False, since=330),
    DemoQuery("yoga", 3, covered=False, since=100),
    DemoQuery("ev charging", 6, covered=False, since=130),
    DemoQuery("crèche", 3, covered=False, since=75),
    DemoQuery("sabbatsår", 2, covered=False, since=45),
    DemoQuery("stock options", 4, covered=False, since=210),
    DemoQuery("pet policy", 3, covered=False, since=170),
    DemoQuery("canteen menu", 8, covered=False, since=60),
    DemoQuery("christmas party", 5, covered=False, since=40),
]
DEMO_QUERIES = ANSWERED + GAPS


def seed_demo(ctx: SeedContext) -> None:
    counts = seed_search(scale=ctx.scale)
    ctx.write(
        f"  search: {counts['documents']} documents indexed, {counts['searches']} searches "
        f"over {DAYS} days, {counts['clicks']} clicks, {counts['gaps']} queries tracked"
    )


@transaction.atomic
def seed_search(*, scale: int = 1, seed: int = SEED, now: datetime.datetime | None = None):
    """Index everything, then write the search history. Returns what it made."""
    documents = sum(index_rebuild().values())
    rng = random.Random(seed)  # repeatable demo data, not secrets
    now = timezone.localtime(now or timezone.now())  # office hours are local hours
    people = list(
        User.objects.filter(is_active=True, is_service_account=False, employee__isnull=False)
        .order_by("pk")
        .distinct()
    )
    if not people:
        return {"documents": documents, "searches": 0, "clicks": 0, "gaps": 0}
    asker = _plain_employee(people)
    answers = {query.text: _answer(asker, query.text) for query in DEMO_QUERIES}
    asked = [query for query in DEMO_QUERIES if answers[query.text].normalised]
    # A few people search a lot, most a little.
    searchers = [searcher_hash(person) for person in people]
    searcher_weights = [1 / (rank + 1) ** 0.7 for rank in range(len(searchers))]
    rng.shuffle(searchers)
    logs = []
    for _ in range(SEARCHES_PER_SCALE * scale):
        query = rng.choices(asked, [query.weight for query in asked])[0]
        logs.append(
            _log(rng, query, answers[query.text], rng.choices(searchers, searcher_weights)[0], now)
        )
    logs.sort(key=lambda log: log.created_at)
    closed = _answered_later(asked, answers, logs, now)
    gaps = _gaps(logs)
    for normalised, (title, url, resolved_at) in closed.items():
        gap = gaps[normalised]
        gap.status, gap.resolved_title, gap.resolved_url = GapStatus.RESOLVED, title, url
        gap.resolved_at = resolved_at
    Gap.objects.bulk_create(gaps.values())
    for log in logs:
        log.gap = gaps[log.normalised]
    SearchLog.objects.bulk_create(logs, batch_size=1000)
    return {
        "documents": documents,
        "searches": len(logs),
        "clicks": sum(1 for log in logs if log.clicked_at),
        "gaps": len(gaps),
    }


def _plain_employee(people: list[User]) -> User:
    """Result counts as an ordinary employee sees them: no roles beyond employee."""
    for person in people:
        if not person.is_superuser and person.role_names <= {"employee"}:
            return person
    return people[0]


@dataclass(frozen=True)
class _Answer:
    normalised: str
    language: str
    total: int
    hits: tuple[tuple[str, str], ...]  # (type, key) by rank


def _answer(asker: User, text: str) -> _Answer:
    parsed = parse_query(text)
    results = search(user=asker, query=text)
    return _Answer(
        normalised=parsed.normalised[:300],
        language=parsed.language or "",
        total=results.total,
        hits=tuple((hit.doc_type, hit.key) for hit in results.hits),
    )


def _moment(rng: random.Random, now: datetime.datetime, days: int) -> datetime.datetime:
    """A time in the last `days` days, on a weekday pattern and in office hours mostly,
    more often lately than a year ago."""
    while True:
        age = rng.randrange(days)
        day = now - datetime.timedelta(days=age)
        adoption = ADOPTION_START + (1 - ADOPTION_START) * (1 - age / DAYS)
        if rng.random() < WEEKDAY_WEIGHTS[day.weekday()] * adoption:
            break
    hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
    moment = day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
    return min(moment, now - datetime.timedelta(seconds=rng.randrange(60, 3600)))


def _log(rng, query: DemoQuery, answer: _Answer, searcher: str, now) -> SearchLog:
    created_at = _moment(rng, now, min(query.since, DAYS))
    log = SearchLog(
        created_at=created_at,
        query=query.text,
        normalised=answer.normalised,
        language=answer.language,
        result_count=answer.total,
        source=rng.choices(*zip(*SOURCE_WEIGHTS, strict=True))[0],
        searcher=searcher,
    )
    clicks = CLICKS_WHEN_ANSWERED if query.covered else CLICKS_WHEN_POORLY_ANSWERED
    if answer.hits and rng.random() < clicks:
        rank = rng.choices(range(1, len(RANK_WEIGHTS) + 1), RANK_WEIGHTS)[0]
        rank = min(rank, len(answer.hits))
        log.clicked_type, log.clicked_key = answer.hits[rank - 1]
        log.clicked_rank = rank
        log.clicked_at = created_at + datetime.timedelta(seconds=rng.randint(2, 40))
    return log


def _answered_later(
    asked: list[DemoQuery], answers: dict[str, _Answer], logs: list[SearchLog], now
) -> dict[str, tuple[str, str, datetime.datetime]]:
    """Searches for an `answered_later` query made before its article was published found
    nothing (and so were not clicked). Returns the gaps those articles closed:
    {normalised: (article title, url, published)}."""
    closed: dict[str, tuple[str, str, datetime.datetime]] = {}
    for query in asked:
        answer = answers[query.text]
        if not query.answered_later or not answer.hits or answer.hits[0][0] != "article":
            continue
        article = (
            Document.objects.filter(doc_type="article", key=answer.hits[0][1])
            .values("title", "url", "updated_at")
            .first()
        )
        published = article and article["updated_at"]
        if not published or not (
            now - datetime.timedelta(days=DAYS) < published < now - RESOLVED_MIN_AGE
        ):
            continue
        closed[answer.normalised] = (article["title"], article["url"], published)
    for log in logs:
        if log.normalised in closed and log.created_at < closed[log.normalised][2]:
            log.result_count = 0
            log.clicked_type, log.clicked_key, log.clicked_rank, log.clicked_at = "", "", None, None
    return closed


def _gaps(logs: list[SearchLog]) -> dict[str, Gap]:
    """One counter row per normalised query, agreeing with the logs as
    `search_log_record` and `search_click_record` would have left it."""
    searches, zero, unclicked = Counter(), Counter(), Counter()
    gaps: dict[str, Gap] = {}
    for log in logs:  # oldest first: the first query seen is the sample
        key = log.normalised
        searches[key] += 1
        zero[key] += log.result_count == 0
        unclicked[key] += bool(log.result_count) and log.clicked_at is None
        if key not in gaps:
            gaps[key] = Gap(
                normalised=key,
                sample_query=log.query,
                language=log.language,
                first_seen=log.created_at,
            )
        gaps[key].last_seen = log.created_at
    for key, gap in gaps.items():
        gap.searches, gap.zero_results, gap.no_clicks = searches[key], zero[key], unclicked[key]
    return gaps
