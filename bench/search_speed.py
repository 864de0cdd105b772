"""Search and autocomplete speed with 50,000 documents in the index.

Targets: p95 under 30 ms for a search and under 15 ms for an autocomplete, server time.

    .venv/bin/python bench/search_speed.py [--folder /tmp/ess-bench-search] [--rebuild]
        [--postgres] [--documents 50000] [--profile]

The first run seeds the demo company (`seed_demo`), then indexes generated knowledge-base
documents through `ess.search.services.index_upsert` in batches, and keeps the database in
`--folder` (`bench.sqlite3`, or a PostgreSQL 15 cluster in `pg/` with `--postgres`); later
runs reuse it unless `--rebuild`. The documents are article-like: their sentences are the
demo knowledge base's, handbook's and policies' own, recombined per language (mostly
English, some Dutch, Italian and Norwegian) with a long tail of rare words (system names,
error codes, sites) so word frequencies look like a real knowledge base's; about 5% are
for a restricted audience.

About 200 queries of every kind (title words, questions, typos, synonyms, other
languages, rare words) and 100 autocomplete prefixes of 2 to 8 characters, all drawn from
the documents, are asked once each as a plain signed-in employee through
`GET /api/search?q=…` and `GET /search/suggest/?q=…` (Django's test client), and through
`selectors.search()` / `selectors.suggest()` directly. Each result file section says the
median, p95 and maximum, the SQL statements per call and the SQL share of the time.
`--profile` adds where a search's time goes, by engine stage and by function (cProfile).
"""

import argparse
import contextlib
import cProfile
import datetime
import io
import json
import logging
import os
import platform
import pstats
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, ROOT, setup_django, write

SEARCH_TARGET_MS = 30.0
SUGGEST_TARGET_MS = 15.0
DOCUMENTS = 50_000
INDEX_BATCH = 1_000
LANGUAGE_SHARES = (("en", 0.82), ("nl", 0.07), ("it", 0.06), ("nb", 0.05))
RESTRICTED_SHARE = 0.05
DEMO_EMPLOYEE = "emma.employee@northwind.example"

# Sentences that carry a rare word, per language: how product names, error codes and
# sites turn up in real articles.
RARE_SENTENCES = {
    "en": [
        "This also applies to {w}.",
        "If you use {w}, the steps are the same.",
        "Error {w} means the request did not reach us.",
        "Ask the team that runs {w} when in doubt.",
    ],
    "nl": [
        "Dit geldt ook voor {w}.",
        "Gebruik je {w}, dan zijn de stappen hetzelfde.",
        "Foutmelding {w} betekent dat het verzoek ons niet bereikte.",
    ],
    "it": [
        "Vale anche per {w}.",
        "Se usi {w}, i passaggi sono gli stessi.",
        "L'errore {w} significa che la richiesta non ci è arrivata.",
    ],
    "nb": [
        "Dette gjelder også for {w}.",
        "Bruker du {w}, er stegene de samme.",
        "Feil {w} betyr at forespørselen ikke kom fram.",
    ],
}
TITLE_QUALIFIERS = {
    "en": ["in Rotterdam", "in Milan", "in Oslo", "for managers", "for new starters",
           "for drivers", "for the warehouse", "step by step", "FAQ", "quick guide",
           "for contractors", "when working from home", "2025 update", "checklist"],
    "nl": ["in Rotterdam", "voor leidinggevenden", "stap voor stap", "veelgestelde vragen",
           "voor nieuwe collega's", "in het magazijn"],
    "it": ["a Milano", "per i responsabili", "passo dopo passo", "domande frequenti",
           "per i nuovi colleghi", "in magazzino"],
    "nb": ["i Oslo", "for ledere", "steg for steg", "ofte stilte spørsmål",
           "for nye kolleger", "på lageret"],
}  # fmt: skip
QUESTION_FORMS = {
    "en": ["how do I {q}", "how can I {q}", "what is the {q}", "where do I find {q}",
           "who approves {q}", "can I {q}", "{q} not working", "help with {q}"],
    "nl": ["hoe {q}", "waar vind ik {q}", "wat is {q}"],
    "it": ["come {q}", "dove trovo {q}", "cos'è {q}"],
    "nb": ["hvordan {q}", "hvor finner jeg {q}", "hva er {q}"],
}  # fmt: skip
SPACES = {
    "en": ["it", "hr", "payroll", "facilities", "policies"],
    "nl": ["hr", "payroll", "facilities"],
    "it": ["hr", "payroll", "facilities"],
    "nb": ["it", "hr", "facilities"],
}
CATEGORIES = ["General", "How to", "Troubleshooting", "Rules"]
SUGGEST_LIMIT = 8
KEPT_FOLDER = "/tmp/ess-bench-search"  # noqa: S108 -- kept between runs on purpose
_MARKDOWN = re.compile(r"[#*_`>|]+|\[([^\]]*)\]\([^)]*\)")
_SENTENCE = re.compile(r"(?<=[.!?:])\s+")
_WORDS = re.compile(r"[^\W\d_]{3,}")


# --- The documents -------------------------------------------------------------------------
def _plain(markdown: str) -> str:
    text = _MARKDOWN.sub(lambda m: m.group(1) or " ", markdown)
    return " ".join(text.split())


def _sentences(markdown: str) -> list[str]:
    """Sentences of a Markdown body, table rows and headings dropped."""
    lines = [
        line.strip(" -0123456789.")
        for line in markdown.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "|"))
    ]
    return [
        sentence
        for sentence in _SENTENCE.split(_plain(" ".join(lines)))
        if len(sentence.split()) >= 4
    ]


def seed_corpus() -> dict[str, dict[str, list]]:
    """The project's own demo content, per language: titles and sentences."""
    from handbook.seed_content import CHAPTERS
    from policies.seed import POLICIES

    corpus: dict[str, dict[str, list]] = defaultdict(lambda: {"titles": [], "sentences": []})
    articles = ROOT / "helpdesk" / "knowledge" / "seed_articles.jsonl"
    for line in articles.read_text().splitlines():
        article = json.loads(line)
        corpus[article["language"]]["titles"].append(article["title"])
        corpus[article["language"]]["sentences"] += _sentences(article["body"])

    def sections(items):
        for section in items:
            yield section
            yield from sections(section.get("children", ()))

    for chapter in CHAPTERS:
        corpus["en"]["titles"].append(chapter["title"])
        for section in sections(chapter["sections"]):
            corpus["en"]["titles"].append(section["title"])
            corpus["en"]["sentences"] += _sentences(section["body"])
    for policy in POLICIES:
        corpus["en"]["titles"].append(policy[1])
        corpus["en"]["sentences"] += _sentences(policy[5])
    return dict(corpus)


def _rare_words(rng: random.Random, count: int) -> list[str]:
    """Names and codes that occur in a handful of documents each: system names, error
    codes, sites, forms."""
    syllables = "ka lo mi nor vik dal sen tor bri ana eld fjor mar ost run gen pal".split()  # noqa: SIM905
    words = set()
    while len(words) < count:
        kind = rng.random()
        if kind < 0.5:
            words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))))
        elif kind < 0.8:
            words.add(f"{rng.choice('EWKTX')}{rng.randint(1000, 9999)}")
        else:
            words.add(f"{rng.choice(syllables)}{rng.randint(10, 99)}")
    return sorted(words)


def generate_documents(count: int, audience_keys: list[str], seed: int = 2026):
    """Article-like documents built from the demo content: (documents, rare words)."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data
    corpus = seed_corpus()
    rare = _rare_words(rng, 20_000)
    # Zipf-like: a few rare words are common, most occur once or twice.
    rare_weights = [1 / (rank + 1) ** 0.9 for rank in range(len(rare))]
    languages, shares = zip(*LANGUAGE_SHARES, strict=True)
    now = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
    documents = []
    for number in range(count):
        language = rng.choices(languages, shares)[0]
        titles, sentences = corpus[language]["titles"], corpus[language]["sentences"]
        # A topic: a run of neighbouring sentences from one source, then others mixed in.
        start = rng.randrange(len(sentences))
        words_wanted = rng.randint(100, 400)
        picked, words = [], 0
        topic = rng.randint(3, 8)
        while words < words_wanted:
            if topic:
                sentence = sentences[(start + len(picked)) % len(sentences)]
                topic -= 1
            elif rng.random() < 0.08:
                term = rng.choices(rare, rare_weights)[0]
                sentence = rng.choice(RARE_SENTENCES[language]).format(w=term)
            else:
                sentence = rng.choice(sentences)
            picked.append(sentence)
            words += len(sentence.split())
        paragraphs = [" ".join(picked[i : i + 4]) for i in range(0, len(picked), 4)]
        title = rng.choice(titles)
        if rng.random() < 0.7:
            title = f"{title} {rng.choice(TITLE_QUALIFIERS[language])}"
        if rng.random() < 0.25:
            title = f"{title} ({rng.choices(rare, rare_weights)[0]})"
        space = rng.choice(SPACES[language])
        title_words = sorted({w.lower() for w in _WORDS.findall(title)})
        tags = rng.sample(title_words, min(2, len(title_words)))
        documents.append(
            {
                "type": "article",
                "key": f"bench-{number:05d}",
                "title": title,
                "text": "\n\n".join(paragraphs),
                "language": language,
                "url": f"/kb/bench-{number:05d}/",
                "updated": now - datetime.timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60)),
                "audience": (
                    rng.sample(audience_keys, rng.randint(1, 2))
                    if rng.random() < RESTRICTED_SHARE
                    else "everyone"
                ),
                "space": space,
                "category": f"{space.upper()} / {rng.choice(CATEGORIES)}",
                "tags": tags,
                "helpful_yes": rng.randint(0, 40),
                "helpful_no": rng.randint(0, 10),
                "views": int(rng.paretovariate(1.2) * 10),
            }
        )
    return documents, rare


# --- The queries ---------------------------------------------------------------------------
def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    change = rng.choice(("swap", "drop", "double", "replace"))
    if change == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if change == "drop":
        return word[:i] + word[i + 1 :]
    if change == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiourstn") + word[i + 1 :]


def make_queries(documents: list[dict], rare: list[str], seed: int = 7) -> dict[str, list]:
    """~200 searches of every kind and 100 autocomplete prefixes, from the documents."""
    from ess.search.engine.synonyms import starter_groups

    rng = random.Random(seed)  # noqa: S311 -- reproducible test data
    by_language = defaultdict(list)
    for document in documents:
        by_language[document["language"]].append(document)
    english = by_language["en"]

    def title_words(document, least=4):
        return [w.lower() for w in _WORDS.findall(document["title"]) if len(w) >= least]

    def some_words(documents, count):
        while True:
            words = title_words(rng.choice(documents))
            if words:
                start = rng.randrange(len(words))
                return " ".join(words[start : start + count])

    searches = [("title words", some_words(english, rng.randint(1, 3))) for _ in range(40)]
    searches += [
        ("question", rng.choice(QUESTION_FORMS["en"]).format(q=some_words(english, n)))
        for n in (rng.randint(1, 3) for _ in range(35))
    ]
    for _ in range(30):
        words = title_words(rng.choice(english), 5) or ["laptop"]
        typo = _typo(rng, rng.choice(words))
        searches.append(("typo", " ".join([typo, *rng.sample(words, min(1, len(words) - 1))])))
    vocabulary = Counter(w.lower() for d in english[:5000] for w in _WORDS.findall(d["text"]))
    groups = [g for g in starter_groups() if any(p.lower() in vocabulary for p in g)]
    searches += [("synonym", rng.choice(g)) for g in rng.sample(groups, min(30, len(groups)))]
    for language in ("nl", "it", "nb"):
        for _ in range(12):
            text = some_words(by_language[language], rng.randint(1, 3))
            if rng.random() < 0.4:
                text = rng.choice(QUESTION_FORMS[language]).format(q=text)
            searches.append((f"language {language}", text))
    searches += [("rare word", rng.choice(rare[:2000])) for _ in range(15)]
    searches += [
        ("long question", f"{some_words(english, 2)} {some_words(english, 4)}") for _ in range(14)
    ]

    prefixes = []
    for _ in range(100):
        document = rng.choice(english if rng.random() < 0.8 else documents)
        words = [w.lower() for w in _WORDS.findall(document["title"])]
        if rng.random() < 0.6 or len(words) < 2:
            prefix = words[0][: rng.randint(2, 8)]
        else:
            prefix = f"{words[0]} {words[1][: rng.randint(1, 4)]}"
        prefixes.append(("prefix", prefix[: max(2, len(prefix))]))
    return {"search": searches, "suggest": prefixes}


def restricted_audiences() -> list[str]:
    """Audience keys of the seeded company, for the few restricted documents."""
    from hr.models import Department, Location

    keys = [f"dept:{pk}" for pk in Department.objects.order_by("pk").values_list("pk", flat=True)]
    keys += [f"loc:{pk}" for pk in Location.objects.order_by("pk").values_list("pk", flat=True)]
    return [*keys, "role:it_agent", "role:manager", "role:hr_officer", "role:payroll_officer"]


# --- Building the database -----------------------------------------------------------------
def build(args, marker: Path) -> dict:
    """Seed the company and index the generated documents, once; the figures of that."""
    from django.core.management import call_command

    from ess.search.models import Document
    from hr.models import Employee

    started = time.perf_counter()
    call_command("migrate", verbosity=0)  # a kept database gets the index's newer migrations
    if marker.exists() and not args.rebuild:
        _analyse()
        return json.loads(marker.read_text())
    if args.rebuild:
        call_command("flush", interactive=False, verbosity=0)
    migrated = time.perf_counter() - started
    if not Employee.objects.exists():
        # The console mailer and Celery's log would drown the figures.
        logging.disable(logging.INFO)
        with (
            open(os.devnull, "w") as quiet,
            contextlib.redirect_stdout(quiet),
            contextlib.redirect_stderr(quiet),
        ):
            call_command("seed_demo", stdout=quiet)
        logging.disable(logging.NOTSET)
    seeded = time.perf_counter() - started - migrated
    documents, _ = generate_documents(args.documents, restricted_audiences())
    from ess.search.services import index_upsert

    Document.objects.filter(key__startswith="bench-").delete()
    started = time.perf_counter()
    for start in range(0, len(documents), INDEX_BATCH):
        index_upsert(documents[start : start + INDEX_BATCH])
    indexed = time.perf_counter() - started
    _analyse()
    figures = {
        "migrate_seconds": round(migrated, 1),
        "seed_demo_seconds": round(seeded, 1),
        "documents_indexed": len(documents),
        "index_seconds": round(indexed, 1),
        "index_documents_per_second": round(len(documents) / indexed),
        "index_batch": INDEX_BATCH,
    }
    marker.write_text(json.dumps(figures))
    return figures


def _analyse() -> None:
    """Planner statistics as a live database has them (autovacuum would get there too)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- Measuring -----------------------------------------------------------------------------
class SqlCounter:
    """Counts the SQL statements of one call and the time spent in them."""

    def __init__(self) -> None:
        self.statements, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.statements += 1


def _summary(samples: list[float], statements: list[int], sql: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "calls": len(samples),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(int(len(ordered) * 0.95) - 1, 0)], 1),
        "max_ms": round(ordered[-1], 1),
        "sql_statements": dict(sorted(Counter(statements).items())),
        "sql_share": round(sum(sql) / sum(samples), 2),
    }


def timed_calls(call, queries: list[tuple[str, str]]) -> tuple[dict, dict]:
    """Each query once (after one warm-up pass over a few): overall and per kind."""
    from django.db import connection

    for _, text in queries[:10]:
        call(text)
    samples, statements, sql = [], [], []
    per_kind = defaultdict(list)
    for kind, text in queries:
        counter = SqlCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            call(text)
            elapsed = (time.perf_counter() - started) * 1000
        samples.append(elapsed)
        statements.append(counter.statements)
        sql.append(counter.seconds * 1000)
        per_kind[kind].append(elapsed)
    kinds = {
        kind: {
            "n": len(values),
            "median_ms": round(statistics.median(values), 1),
            "max_ms": round(max(values), 1),
        }
        for kind, values in per_kind.items()
    }
    return _summary(samples, statements, sql), kinds


def _search_stages(selectors, backend) -> list[tuple]:
    return [
        (selectors, "user_audience_keys", "audience keys"),
        (selectors, "parse_query", "parse (synonyms, vocabulary, typo and prefix lookups)"),
        (backend, "similar_words", "  of which: similar-word SQL (typos)"),
        (backend, "completions", "  of which: completion SQL (last word)"),
        (selectors, "_ranked", "candidates and ranking"),
        (backend, "candidates", "  of which: candidate SQL (full text)"),
        (selectors, "score", "  of which: scoring in Python"),
        (selectors, "snippet", "snippets"),
        (selectors, "_facets", "facets"),
    ]


def _suggest_stages(selectors, backend) -> list[tuple]:
    return [
        (selectors, "user_audience_keys", "audience keys"),
        (selectors, "parse_query", "parse (synonyms, vocabulary, typo and prefix lookups)"),
        (backend, "title_prefix_candidates", "title prefix SQL"),
        (selectors, "search", "fallback to a full search (no title fits)"),
        (selectors, "highlight_prefixes", "highlighting titles"),
    ]


def stage_breakdown(call, queries, stages) -> dict:
    """Milliseconds per call spent in each engine stage (inclusive), by wrapping the
    selectors' collaborators for the duration of the measurement; calls counts how many
    calls reached each stage at least once."""
    from ess.search import selectors
    from ess.search.engine import backends

    totals: Counter[str] = Counter()
    reached: defaultdict[str, set] = defaultdict(set)
    patches = []
    current = [0]

    def wrap(owner, name, label):
        original = getattr(owner, name, None)
        if original is None:  # the engine has moved on; time what is still there
            return

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                totals[label] += time.perf_counter() - started
                reached[label].add(current[0])

        setattr(owner, name, timed)
        patches.append((owner, name, original, label))

    for owner, name, label in stages(selectors, type(backends.current_backend())):
        wrap(owner, name, label)
    started = time.perf_counter()
    try:
        for number, (_, text) in enumerate(queries):
            current[0] = number
            call(text)
    finally:
        for owner, name, original, _ in patches:
            setattr(owner, name, original)
    total = time.perf_counter() - started
    stages_ms = {
        label: {"ms": round(totals[label] * 1000 / len(queries), 2), "calls": len(reached[label])}
        for *_, label in patches
    }
    stages_ms["whole call"] = {"ms": round(total * 1000 / len(queries), 2), "calls": len(queries)}
    return stages_ms


def profile(call, queries, top: int = 30) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _, text in queries:
        call(text)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def run(args, folder: Path) -> dict:
    setup_django("search-speed")
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from ess.accounts.models import User
    from ess.search import selectors
    from ess.search.models import Document, Word

    backend = connection.vendor
    figures = build(args, folder / f"built-{backend}.json")
    documents, rare = generate_documents(args.documents, restricted_audiences())
    queries = make_queries(documents, rare)
    user = User.objects.get(email=DEMO_EMPLOYEE)
    client = Client()
    client.force_login(user)
    api, suggest_url = reverse("search_api:search"), reverse("search:suggest")

    def through_api(text):
        response = client.get(api, {"q": text})
        assert response.status_code == 200, (text, response.status_code)

    def through_suggest_view(text):
        response = client.get(suggest_url, {"q": text}, headers={"hx-request": "true"})
        assert response.status_code == 200, (text, response.status_code)

    interfaces = {
        "search: GET /api/search": (through_api, "search"),
        "search: selectors.search()": (
            lambda text: selectors.search(user=user, query=text),
            "search",
        ),
        "autocomplete: GET /search/suggest/": (through_suggest_view, "suggest"),
        "autocomplete: selectors.suggest()": (
            lambda text: selectors.suggest(user=user, prefix=text, limit=SUGGEST_LIMIT),
            "suggest",
        ),
    }
    result = {
        "database": backend,
        "documents_in_index": Document.objects.count(),
        "distinct_words": Word.objects.filter(df__gt=0).count(),
        **figures,
        "interfaces": {},
        "per_kind": {},
    }
    print(f"{backend}: {result['documents_in_index']} documents, {result['distinct_words']} words")
    print(f"{'interface':40} {'median':>8} {'p95':>8} {'max':>8}  SQL statements (count: calls)")
    for label, (call, mix) in interfaces.items():
        summary, kinds = timed_calls(call, queries[mix])
        target = SEARCH_TARGET_MS if mix == "search" else SUGGEST_TARGET_MS
        summary["target_p95_ms"] = target
        summary["target_met"] = summary["p95_ms"] < target
        result["interfaces"][label], result["per_kind"][label] = summary, kinds
        print(
            f"{label:40} {summary['median_ms']:6.1f}ms {summary['p95_ms']:6.1f}ms "
            f"{summary['max_ms']:6.1f}ms  {summary['sql_statements']}"
            f"{'' if summary['target_met'] else '  MISSED'}"
        )
    results_by_hits = Counter(
        "none" if not selectors.search(user=user, query=text).total else "some"
        for _, text in queries["search"]
    )
    result["searches_with_results"] = dict(results_by_hits)
    searching = {
        "selectors.search()": (
            lambda text: selectors.search(user=user, query=text),
            queries["search"],
            _search_stages,
        ),
        "selectors.suggest()": (
            lambda text: selectors.suggest(user=user, prefix=text, limit=SUGGEST_LIMIT),
            queries["suggest"],
            _suggest_stages,
        ),
    }
    result["stages"] = {}
    for label, (call, mix, stages) in searching.items():
        result["stages"][label] = breakdown = stage_breakdown(call, mix, stages)
        print(f"where a {label} call spends its time (ms per call, inclusive; calls reaching it):")
        for stage, figures in breakdown.items():
            print(f"  {stage:58} {figures['ms']:7.2f} {figures['calls']:5}")
    if args.profile:
        for label, (call, mix, _) in searching.items():
            report = profile(call, mix)
            name = label.split(".")[1].split("(")[0]
            (folder / f"profile-{backend}-{name}.txt").write_text(report)
            print(f"cProfile of {label}, written to {folder}/profile-{backend}-{name}.txt")
            print(report)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default=KEPT_FOLDER, help="kept databases")
    parser.add_argument("--rebuild", action="store_true", help="seed and index again")
    parser.add_argument("--postgres", action="store_true", help="run against PostgreSQL")
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    parser.add_argument("--profile", action="store_true", help="add a cProfile of searches")
    args = parser.parse_args()

    folder = Path(args.folder).resolve()
    if args.rebuild and folder.exists():
        for name in ("built-sqlite.json", "built-postgresql.json"):
            (folder / name).unlink(missing_ok=True)
        if not args.postgres:
            (folder / "bench.sqlite3").unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)  # the postgres user must reach its data folder inside
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    postgres = None
    if args.postgres:
        from payday import postgres_url

        os.environ["DATABASE_URL"], postgres = postgres_url(folder)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    try:
        result = run(args, folder)
    finally:
        if postgres is not None:
            postgres.stop()
    path = RESULTS / "search_speed.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    previous.update(
        {
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "targets_p95_ms": {"search": SEARCH_TARGET_MS, "autocomplete": SUGGEST_TARGET_MS},
            result["database"]: {**result, "load_average": os.getloadavg()},
        }
    )
    write("search_speed", previous)
    print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
