"""Server time of the service desk's pages with 1,000,000 tickets.

The company is `seed_demo --scale 10` (about 1,500 employees, with the demo desk of 75,000
tickets), topped up to `--tickets` with `helpdesk.seed.tickets_add`, which writes rows in
batches with precomputed due times (a million in minutes; the rate is recorded). The
database is kept in `--folder` (default /tmp/ess-bench-desk: `bench.sqlite3`, or a
PostgreSQL 15 cluster in `pg/` with `--postgres`) and reused by later runs.

Measured through Django's test client, each page asked once per sample:
  * the workspace as an IT agent (ivan.agent) and as an HR officer granted the
    confidential HR cases queue (hanna.hr): default view, SLA breached, SLA at risk,
    sorted by SLA due, a text filter, page 50;
  * the agent ticket page (`helpdesk:work`) for 200 sampled tickets of each agent;
  * "my requests" for 200 sampled employees.
Target: p95 under 50 ms for the workspace and the ticket page. Median, p95 and the SQL
statements of every request (which must not grow with the data) are written to
bench/results/helpdesk_desk.json.

    .venv/bin/python bench/helpdesk_desk.py [--postgres] [--tickets 1000000] [--samples 200]
        [--rebuild] [--explain]
"""

import argparse
import contextlib
import json
import logging
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, ROOT, write

KEPT_FOLDER = "/tmp/ess-bench-desk"  # noqa: S108 (a benchmark scratch folder)
TARGET_P95_MS = 50.0
COMPANY_SCALE = 10
SAMPLE_SEED = 2026
AGENTS = {"IT agent": "ivan.agent", "HR officer (confidential grants)": "hanna.hr"}
WORKSPACE_VIEWS = {
    "workspace": "",
    "workspace, SLA breached": "?sla=breached",
    "workspace, SLA at risk": "?sla=at_risk",
    "workspace, by SLA due": "?sort=sla_due_at",
    "workspace, text filter": "?q=printer",
    "workspace, page 50": "?page=50",
}


def setup(folder: Path, postgres: bool):
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)  # the postgres user must reach its data folder inside
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    server = None
    if postgres:
        from payday import postgres_url

        os.environ["DATABASE_URL"], server = postgres_url(folder)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    sys.path.insert(0, str(ROOT))
    os.environ["ESS_BENCH"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    return server


def seed_or_reuse(folder: Path, tickets: int, *, scale: int = COMPANY_SCALE) -> dict:
    """Seed the company (`seed_demo --scale`) and top the desk up to `tickets`; what it
    took, now or before. The reports benchmark uses it too, with its own scale."""
    from django.core.management import call_command
    from django.db import connection

    import helpdesk.seed
    from helpdesk.models import Ticket
    from hr.models import Employee

    noted = folder / f"seeded-{connection.vendor}.json"
    call_command("migrate", verbosity=0)
    seeded = json.loads(noted.read_text()) if noted.exists() else {}
    if not Employee.objects.exists():
        started = time.perf_counter()
        # The eager Celery tasks of the seed log every mail; the console mailer prints it.
        logging.disable(logging.INFO)
        try:
            with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
                call_command("seed_demo", "--scale", str(scale), stdout=quiet)
        finally:
            logging.disable(logging.NOTSET)
        seeded = {
            "company_scale": scale,
            "seed_demo_seconds": time.perf_counter() - started,
        }
    missing = tickets - Ticket.objects.count()
    if missing > 0:
        started = time.perf_counter()

        def progress(done: int) -> None:
            if done % 100_000 < 5000:
                rate = done / (time.perf_counter() - started)
                print(f"  {done:,} tickets added ({rate:,.0f}/s)", flush=True)

        counts = helpdesk.seed.tickets_add(count=missing, progress=progress)
        if connection.vendor == "postgresql":
            # What autovacuum does some time after a bulk load: statistics for the planner
            # and the visibility map that lets index-only scans skip the table.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        seconds = time.perf_counter() - started
        seeded.update(
            {
                "tickets_added": counts.tickets,
                "events_added": counts.events,
                "tickets_add_seconds": round(seconds, 1),
                "tickets_per_second": round(counts.tickets / seconds),
            }
        )
    noted.write_text(json.dumps(seeded, indent=2))
    return seeded


def summary(samples: list[float], queries: list[int]) -> dict:
    ordered = sorted(samples)
    return {
        "requests": len(ordered),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(int(len(ordered) * 0.95) - 1, 0)], 1),
        "max_ms": round(ordered[-1], 1),
        "queries": int(statistics.median(queries)),
        "queries_min": min(queries),
        "queries_max": max(queries),
    }


def signed_in(user):
    """A client with a session past the second factor (HR officers must pass MFA)."""
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [{"method": "password"}, {"method": "mfa"}]
    session.save()
    client.get(reverse("healthz"))  # builds the middleware chain: not a page's cost
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default=KEPT_FOLDER)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true", help="seed the SQLite file again")
    parser.add_argument("--explain", action="store_true", help="print the slowest SQL plans")
    args = parser.parse_args()

    folder = Path(args.folder).resolve()
    if args.rebuild and not args.postgres:
        (folder / "bench.sqlite3").unlink(missing_ok=True)
    server = setup(folder, args.postgres)
    try:
        result = run(args, folder)
    finally:
        if server is not None:
            server.stop()
    path = RESULTS / "helpdesk_desk.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    previous.update(
        {
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "target_p95_ms": TARGET_P95_MS,
            result["database"]: result,
        }
    )
    write("helpdesk_desk", previous)
    print(f"written to {path.relative_to(ROOT)}")


def run(args, folder: Path) -> dict:
    from django.db import connection
    from django.urls import reverse

    from ess.accounts.models import User
    from ess.portal.seeding import EMAIL_DOMAIN
    from helpdesk.models import Ticket
    from helpdesk.selectors import workable_tickets
    from hr.models import Employee

    seeded = seed_or_reuse(folder, args.tickets)
    rng = random.Random(SAMPLE_SEED)  # noqa: S311 (a repeatable sample)
    queries: list[tuple] = []

    def count(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    def get(client, url: str) -> tuple[float, int]:
        queries.clear()
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        return elapsed, len(queries)

    pages: dict[str, dict] = {}
    slowest_sql: dict[str, list[tuple]] = {}
    with connection.execute_wrapper(count):
        for label, local in AGENTS.items():
            agent = User.objects.get(email=f"{local}@{EMAIL_DOMAIN}")
            client = signed_in(agent)
            base = reverse("helpdesk:workspace")
            for view, query in WORKSPACE_VIEWS.items():
                get(client, base + query)  # warm-up
                timings = [get(client, base + query) for _ in range(args.samples // 4)]
                pages[f"{view} ({label})"] = summary(*zip(*timings, strict=True))
                slowest_sql[f"{view} ({label})"] = list(queries)
            ids = list(workable_tickets(agent).order_by().values_list("pk", flat=True))
            sample = rng.sample(ids, min(args.samples, len(ids)))
            get(client, reverse("helpdesk:work", args=[sample[0]]))
            timings = [get(client, reverse("helpdesk:work", args=[pk])) for pk in sample]
            pages[f"ticket page ({label})"] = summary(*zip(*timings, strict=True))
            slowest_sql[f"ticket page ({label})"] = list(queries)
        people = list(
            Employee.objects.filter(user__is_active=True, user__helpdesk_requests__isnull=False)
            .exclude(user__groups__name__in=["hr_officer", "payroll_officer", "admin"])
            .values_list("user_id", flat=True)
            .distinct()
        )
        people.sort()
        timings = []
        for user_id in rng.sample(people, min(args.samples, len(people))):
            client = signed_in(User.objects.get(pk=user_id))
            timings.append(get(client, reverse("helpdesk:my_requests")))
        pages["my requests (employees)"] = summary(*zip(*timings, strict=True))

    missed = [
        label
        for label, timing in pages.items()
        if not label.startswith("my requests") and timing["p95_ms"] >= TARGET_P95_MS
    ]
    print(f"{'page':58} {'median':>8} {'p95':>8} {'queries':>8}")
    for label, timing in pages.items():
        print(
            f"{label:58} {timing['median_ms']:6.1f}ms {timing['p95_ms']:6.1f}ms "
            f"{timing['queries_min']:>4}-{timing['queries_max']}"
        )
    if args.explain:
        _explain(slowest_sql, pages)
    return {
        "database": connection.vendor,
        "tickets": Ticket.objects.count(),
        "employees": Employee.objects.count(),
        "seeding": seeded,
        "load_average": os.getloadavg(),
        "pages": pages,
        "constant_query_counts": all(t["queries_min"] == t["queries_max"] for t in pages.values()),
        "target_missed_by": missed,
    }


def _explain(slowest_sql: dict[str, list[tuple]], pages: dict[str, dict]) -> None:
    """The plan of each statement of the pages that missed the target (SQLite or PostgreSQL)."""
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    for label, statements in slowest_sql.items():
        if pages[label]["p95_ms"] < TARGET_P95_MS:
            continue
        print(f"\n== {label}")
        with connection.cursor() as cursor:
            for sql, params in statements:
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                print(sql[:600], params)
                cursor.execute(prefix + sql, params)
                for row in cursor.fetchall():
                    print("   ", row)


if __name__ == "__main__":
    main()
