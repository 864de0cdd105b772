"""Payday: a real server under signed-in employees opening their new payslip.

gunicorn (sync workers) serves the seeded company over HTTP on 127.0.0.1; the load is open
loop: requests are started on a fixed schedule (`--rate` a second for `--seconds`), whether
or not the earlier ones have finished, by a pool of client threads. The mix, per request:
  * 50% my payslips (24 months),
  * 30% the payslip of the latest month (written to the audit trail),
  * 20% that payslip's PDF (read from storage, decrypted, checked; audited).
Each request is for one of `--users` employees chosen at random, each signed in through a
session made on the server side. Latency is measured from the moment a request was due, so
a client that falls behind shows as latency instead of hiding it; any answer but 200 is an
error.

    .venv/bin/python bench/payday.py --database PATH [--rate 100] [--seconds 60]
        [--workers 4] [--users 1000] [--postgres] [--prepare] [--wait-quiet 600]

`--database` is the kept SQLite file of bench/payslips.py (seeded on first use). With
`--postgres` the same load runs against a PostgreSQL 15 cluster kept in `pg/` next to that
file, filled on first use with a copy of the SQLite company (same rows and ids, so the same
stored PDFs). `--prepare` only seeds (or copies) and renders the PDFs. Server, database and
this client share the machine's cores; the results say how the CPU was spent.
"""

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, ROOT, setup_django, write
from payslips import (
    TICKS,
    cpu_calibration_ms,
    ensure_pdfs,
    latest_payslips,
    machine_busy_seconds,
    sample_employees,
    seed_or_reuse,
    use_database,
    wait_for_quiet,
)

MIX = (("list", 50), ("detail", 30), ("download", 20))
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


# --- PostgreSQL ----------------------------------------------------------------------------
def postgres_url(folder: Path):
    """Start (creating on first use) the cluster kept in `folder/pg`; its URL and server."""
    sys.path.insert(0, str(ROOT))
    from tests.integration.services import PostgresServer, free_ports, pid_alive

    saved = folder / "pg.json"
    if saved.exists():
        settings = json.loads(saved.read_text())
        server = PostgresServer(run_dir=folder, **settings)
        if not (server.pid and pid_alive(server.pid)):
            _restart(server)
    else:
        (port,) = free_ports(1)
        settings = {
            "port": port,
            "user": "ess",
            "password": os.urandom(12).hex(),
            "database": "ess_payday",
        }
        server = PostgresServer(run_dir=folder, **settings)
        server.start()
        saved.write_text(json.dumps(settings))
    url = (
        f"postgres://{settings['user']}:{settings['password']}@127.0.0.1:{settings['port']}"
        f"/{settings['database']}"
    )
    return url, server


def _copied_once(folder: Path, sqlite_file: Path) -> float:
    """Copy the SQLite company into PostgreSQL unless an earlier run finished doing so."""
    done = folder / "pg-copied"
    if not done.exists():
        done.write_text(f"{copy_from_sqlite(sqlite_file):.1f}\n")
    return float(done.read_text())


def _restart(server) -> None:
    """pg_ctl start on a cluster made earlier, with the options PostgresServer.start uses."""
    options = (
        f"-p {server.port} -k {server.base} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    server._run(
        "/usr/lib/postgresql/15/bin/pg_ctl",
        "-D",
        str(server.data),
        "-l",
        str(server.log),
        "-w",
        "-t",
        "30",
        "-o",
        options,
        "start",
    )


def copy_from_sqlite(sqlite_file: Path) -> float:
    """Fill the migrated PostgreSQL database with the kept SQLite company, table by table
    with COPY, in one transaction (Django's foreign keys are checked at commit). The same
    rows and ids, so both databases share the stored PDFs. Seconds taken.

    Copied rather than seeded: the same company on both sides makes the comparison fair,
    and it takes a minute instead of the seed's quarter of an hour."""
    import sqlite3

    from django.apps import apps
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection, transaction

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    source = sqlite3.connect(f"file:{sqlite_file}?mode=ro", uri=True)
    present = {
        name for (name,) in source.execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    tables = [name for name in connection.introspection.table_names() if name in present]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")  # SQLite holds Django's UTC times without zone
        cursor.execute(f"TRUNCATE {', '.join(map(connection.ops.quote_name, tables))} CASCADE")
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        for table in tables:
            name = connection.ops.quote_name(table)
            description = connection.introspection.get_table_description(cursor, table)
            columns = ", ".join(connection.ops.quote_name(column.name) for column in description)
            rows = source.execute(f"SELECT {columns} FROM {name}")  # noqa: S608 - schema names
            with raw.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics, before the first query
    source.close()
    return time.perf_counter() - started


# --- The server ----------------------------------------------------------------------------
def sessions_for(employees) -> list[str]:
    """A signed-in session per employee, made as django.contrib.auth.login makes it, and
    started as SessionRulesMiddleware expects; the cookie header for each."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from ess.accounts.sessions import session_start

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    cookies = []
    for employee in employees:
        store = store_class()
        store[SESSION_KEY] = str(employee.user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = employee.user.get_session_auth_hash()
        session_start(store)
        store.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={store.session_key}")
    return cookies


@contextlib.contextmanager
def gunicorn(*, workers: int, port: int, environment: dict, log: Path):
    """gunicorn on 127.0.0.1:port until the block ends; stopped by its PID."""
    env = {**os.environ, **environment}
    with open(log, "w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [
                str(GUNICORN),
                "ess.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                f"--workers={workers}",
                "--worker-class=sync",
                "--timeout=120",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while _status(port, "/healthz") != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {log}")
            time.sleep(0.2)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _status(port: int, path: str, cookie: str = "") -> int:
    try:
        return _get(port, path, cookie)[0]
    except OSError:
        return 0


def _get(port: int, path: str, cookie: str) -> tuple[int, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        connection.close()


# --- Where the CPU went ----------------------------------------------------------------------
def process_cpu_seconds(pid: int) -> float:
    """User and system time of one process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def children_cpu_seconds(parent: int | None) -> dict[int, float]:
    """CPU seconds of each child of `parent` (gunicorn's workers, PostgreSQL's backends)."""
    if parent is None:
        return {}
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return {int(pid): process_cpu_seconds(int(pid)) for pid in children}


def used_since(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds the children used between two readings (a new child from zero)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


# --- The load ------------------------------------------------------------------------------
@dataclass
class Outcome:
    kind: str
    due: float
    started: float
    finished: float
    status: int
    error: str = ""


def plan(count: int, visitors: list[tuple[str, dict]], rng: random.Random) -> list:
    """(kind, cookie, path) for each request, in the order they are due."""
    kinds = [kind for kind, _weight in MIX]
    weights = [weight for _kind, weight in MIX]
    requests = []
    for kind in rng.choices(kinds, weights=weights, k=count):
        cookie, paths = rng.choice(visitors)
        requests.append((kind, cookie, paths[kind]))
    return requests


def fire(port: int, requests: list, *, rate: float, threads: int) -> tuple[list, float]:
    """Start each request at its due time; every outcome, and the second the first was due."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def one(kind: str, cookie: str, path: str, due: float) -> None:
        started = time.perf_counter()
        try:
            status, _size = _get(port, path, cookie)
            error = ""
        except OSError as exc:
            status, error = 0, f"{type(exc).__name__}: {exc}"
        outcome = Outcome(kind, due, started, time.perf_counter(), status, error)
        with lock:
            outcomes.append(outcome)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        begin = time.perf_counter() + 0.5
        for index, (kind, cookie, path) in enumerate(requests):
            due = begin + index / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            pool.submit(one, kind, cookie, path, due)
    return outcomes, begin


def percentile(ordered: list[float], share: float) -> float:
    return ordered[max(int(len(ordered) * share) - 1, 0)]


def latency(outcomes: list[Outcome]) -> dict:
    due = sorted((o.finished - o.due) * 1000 for o in outcomes)
    served = sorted((o.finished - o.started) * 1000 for o in outcomes)
    return {
        "requests": len(outcomes),
        "errors": sum(1 for o in outcomes if o.status != 200),
        "median_ms": round(statistics.median(due), 1),
        "p95_ms": round(percentile(due, 0.95), 1),
        "p99_ms": round(percentile(due, 0.99), 1),
        "max_ms": round(due[-1], 1),
        # From the moment a client thread sent it: without waiting for a free thread.
        "sent_median_ms": round(statistics.median(served), 1),
        "sent_p95_ms": round(percentile(served, 0.95), 1),
    }


def report(outcomes: list[Outcome], begin: float, *, rate: float, seconds: int) -> dict:
    end = max(o.finished for o in outcomes)
    late = sorted((o.started - o.due) * 1000 for o in outcomes)
    errors: dict[str, int] = {}
    for o in outcomes:
        if o.status != 200:
            key = o.error or f"HTTP {o.status}"
            errors[key] = errors.get(key, 0) + 1
    return {
        "target_rate": rate,
        "seconds": seconds,
        "achieved_rate": round(len(outcomes) / (end - begin), 1),
        "completed_within_seconds": round(end - begin, 1),
        "client_start_lateness_p95_ms": round(percentile(late, 0.95), 1),
        "errors": sum(errors.values()),
        "errors_by_cause": errors,
        "all": latency(outcomes),
        "by_kind": {
            kind: latency([o for o in outcomes if o.kind == kind]) for kind, _weight in MIX
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True, help="the kept SQLite file")
    parser.add_argument("--scale", type=int, default=67, help="only for a first seeding")
    parser.add_argument("--rate", type=float, default=100.0, help="requests a second")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=64, help="client threads")
    parser.add_argument("--users", type=int, default=1000, help="signed-in employees")
    parser.add_argument("--postgres", action="store_true", help="run against PostgreSQL")
    parser.add_argument(
        "--wait-quiet", type=float, default=600, help="seconds to wait for an idle machine"
    )
    parser.add_argument(
        "--prepare", action="store_true", help="only seed and render the PDFs, then stop"
    )
    args = parser.parse_args()

    use_database(args.database)
    sqlite_file = Path(args.database).resolve()
    folder = sqlite_file.parent
    postgres = None
    if args.postgres:
        if not sqlite_file.exists():
            sys.exit("--postgres copies the kept SQLite company: run once without it first")
        # The copy keeps the SQLite file's ids, so its PDFs (in MEDIA_ROOT) serve both.
        os.environ["DATABASE_URL"], postgres = postgres_url(folder)
    try:
        run(args, folder, sqlite_file if args.postgres else None, postgres)
    finally:
        if postgres is not None:
            postgres.stop()


def run(args, folder: Path, copy_from: Path | None, postgres) -> None:
    setup_django("payday")
    if copy_from is None:
        prepared, seconds = f"seed_demo --scale {args.scale}", seed_or_reuse(args.scale, keep=True)
    else:
        prepared, seconds = f"copied from {copy_from.name}", _copied_once(folder, copy_from)

    from django.db import connection, connections
    from django.urls import reverse

    from ess.audit.models import AuditEvent
    from hr.models import Employee

    employees = sample_employees(args.users)
    latest = latest_payslips(employees)
    rendered = ensure_pdfs(latest.values())
    if args.prepare:
        print(f"{prepared}: {seconds} s; {rendered} PDFs rendered; ready")
        return
    cookies = sessions_for(employees)
    visitors = [
        (
            cookie,
            {
                "list": reverse("payroll:mine"),
                "detail": reverse("payroll:payslip", args=[latest[e.pk].pk]),
                "download": reverse("payroll:pdf", args=[latest[e.pk].pk]),
            },
        )
        for cookie, e in zip(cookies, employees, strict=True)
    ]
    audit_before = AuditEvent.objects.count()
    vendor = connection.vendor
    employee_count = Employee.objects.count()
    connections.close_all()

    sys.path.insert(0, str(ROOT))
    from tests.integration.services import free_ports

    (port,) = free_ports(1)
    log = folder / f"payday-gunicorn-{vendor}.log"
    environment = {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "ESS_BENCH": "1",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "MEDIA_ROOT": os.environ["MEDIA_ROOT"],
    }
    rng = random.Random(2026)  # noqa: S311 - a repeatable mix, not a secret
    results = {
        "database": vendor,
        "employees": employee_count,
        "prepared_by": prepared,
        "prepare_seconds": None if seconds is None else round(seconds, 1),
        "pdfs_rendered_for_sample": rendered,
        "server": f"gunicorn, {args.workers} sync workers",
        "client_threads": args.threads,
        "signed_in_users": len(visitors),
        "mix": dict(MIX),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
    }
    with gunicorn(workers=args.workers, port=port, environment=environment, log=log) as server:
        # Warm-up, not counted: every worker loads its templates and translations.
        warm, _begin = fire(port, plan(200, visitors, rng), rate=20, threads=8)
        requests = plan(int(args.rate * args.seconds), visitors, rng)
        results["busy_share_before"] = wait_for_quiet(args.wait_quiet)
        results["load_average_before"] = os.getloadavg()
        results["cpu_calibration_ms"] = cpu_calibration_ms()
        database_pid = postgres.pid if postgres is not None else None
        workers_before = children_cpu_seconds(server.pid)
        database_before = children_cpu_seconds(database_pid)
        machine_before, client_before = machine_busy_seconds(), time.process_time()
        outcomes, begin = fire(port, requests, rate=args.rate, threads=args.threads)
        client_seconds = time.process_time() - client_before
        machine_after = machine_busy_seconds()
        served = used_since(workers_before, children_cpu_seconds(server.pid))
        database = used_since(database_before, children_cpu_seconds(database_pid))
    results["load_average_after"] = os.getloadavg()
    busy = machine_after[0] - machine_before[0]
    results["cpu"] = {
        "machine_busy_share": round(busy / (machine_after[1] - machine_before[1]), 2),
        "server_workers_seconds": round(served, 1),
        "server_workers_ms_per_request": round(served * 1000 / len(outcomes), 1),
        "database_server_seconds": round(database, 1),
        "load_client_seconds": round(client_seconds, 1),
        # Anything else running on the machine meanwhile: other people's work.
        "everything_else_seconds": round(busy - served - database - client_seconds, 1),
    }
    # What the cores could serve if nothing else ran: all of them over the CPU one request
    # costs here (server, database and this client together).
    per_request = (served + database + client_seconds) / len(outcomes)
    results["cpu"]["capacity_estimate_rps"] = round(os.cpu_count() / per_request, 1)
    results["warm_up_errors"] = sum(1 for o in warm if o.status != 200)
    results.update(report(outcomes, begin, rate=args.rate, seconds=args.seconds))
    server_log = log.read_text(errors="replace")
    results["server_log"] = {
        "tracebacks": server_log.count("Traceback"),
        "database_is_locked": server_log.count("database is locked"),
        "path": str(log),
    }
    # Every detail and download (warm-up included) writes one audit event.
    results["audit_events_written"] = AuditEvent.objects.count() - audit_before
    # One file for every database and rate tried: each run replaces only its own entry.
    kept = RESULTS / "payday.json"
    runs = json.loads(kept.read_text())["runs"] if kept.exists() else {}
    runs[f"{vendor}, {args.workers} workers, {args.rate:g} requests/s"] = results
    path = write("payday", {"runs": runs})
    _print(results, path)


def _print(results: dict, path: Path) -> None:
    print(
        f"{results['database']}, {results['server']}, {results['signed_in_users']} users: "
        f"{results['achieved_rate']} req/s of {results['target_rate']:.0f} asked, "
        f"{results['errors']} errors {results['errors_by_cause'] or ''}"
    )
    print(f"{'':10} {'requests':>8} {'median':>8} {'p95':>8} {'p99':>8} {'max':>8} {'errors':>7}")
    for label, row in [("all", results["all"]), *results["by_kind"].items()]:
        print(
            f"{label:10} {row['requests']:8} {row['median_ms']:6.1f}ms {row['p95_ms']:6.1f}ms "
            f"{row['p99_ms']:6.1f}ms {row['max_ms']:6.1f}ms {row['errors']:7}"
        )
    print(f"CPU: {results['cpu']}")
    print(f"server log: {results['server_log']}; written to {path}")


if __name__ == "__main__":
    main()
