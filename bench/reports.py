"""Server time of every report page at the size the issue names: 10,000 employees,
1,000,000 tickets and 24 months of payslips.

The company is `seed_demo --scale 67` (about 10,000 employees with 24 released payroll
months), its desk topped up to `--tickets` with `helpdesk.seed.tickets_add`. The database
is kept in `--folder` (default /tmp/ess-bench-reports) and reused by later runs; after
each migrate the report rollups are rebuilt (`manage.py reports_rollup --all`, when the
command exists) as the beat job would keep them.

Each page is asked through Django's test client, `--samples` times after a warm-up, for the
person the report is for: My team for a first-line manager and for the head of the company
(every employee in the reporting line), HR for the HR officer, the service desk for an IT
agent and for the HR officer who is cleared for the confidential queue, knowledge for the
knowledge manager, payroll for the payroll officer. Periods: last 30 days, last quarter
compared with the quarter before, last 12 months, and last 12 months narrowed to one
department. Plus the lists behind the figures with the most rows (a year of them). Median,
p95 and SQL statements are written to bench/results/reports.json. Target: p95 under 200 ms.

The rollups the beat jobs keep (the service desk's, the requesters', the large teams', the
search's) are rebuilt after seeding with `manage.py reports_rollup --all` (about 12 minutes
at this size on SQLite); `--keep-rollup` reuses them.

    .venv/bin/python bench/reports.py [--scale 67] [--tickets 1000000] [--samples 30]
        [--folder /tmp/ess-bench-reports] [--only team,hr]
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, write
from helpdesk_desk import seed_or_reuse, setup

KEPT_FOLDER = "/tmp/ess-bench-reports"  # noqa: S108 (a benchmark scratch folder)
TARGET_P95_MS = 200.0
PERIODS = {
    "last 30 days": "period=last_30",
    "last quarter, compared": "period=last_quarter&compare=on",
    "last 12 months": "period=last_12_months",
}
VIEWERS = {
    "team": {"manager": "mila.manager", "head of the company": None},
    "hr": {"HR officer": "hanna.hr"},
    "desk": {
        "IT agent": "ivan.agent",
        "HR officer (cleared)": "hanna.hr",
        "desk administrator": "ada.admin",
    },
    "knowledge": {"knowledge manager": "kirsten.editor"},
    "payroll": {"payroll officer": "pieter.payroll"},
}
# Lists behind the figures, a year of them: the ones with the most rows behind them.
DRILLS = {
    "team": ("overdue", "tickets"),
    "hr": ("headcount", "enrolments"),
    "desk": ("created", "response", "rated"),
    "knowledge": ("queries", "zero_results"),
    "payroll": ("unopened", "released"),
}


def build_rollups() -> float | None:
    """Rebuild the report rollups, as the beat job keeps them; None without rollups."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    started = time.perf_counter()
    try:
        with open(os.devnull, "w") as quiet:
            call_command("reports_rollup", "--all", stdout=quiet)
    except CommandError:
        return None
    return round(time.perf_counter() - started, 1)


def user_for(login: str | None):
    from ess.accounts.models import User
    from hr.models import Employee

    if login is None:
        top = Employee.objects.filter(manager__isnull=True).order_by("org_path", "pk").first()
        return top.user
    first, last = login.split(".")
    return User.objects.get(email__iexact=f"{first}.{last}@northwind.example")


def summary(samples: list[float], queries: list[int], url: str) -> dict:
    ordered = sorted(samples)
    return {
        "requests": len(ordered),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(int(len(ordered) * 0.95) - 1, 0)], 1),
        "max_ms": round(ordered[-1], 1),
        "queries": int(statistics.median(queries)),
        "queries_max": max(queries),
        "example_url": url,
    }


def measure(client, url: str, samples: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    times, queries = [], []
    for _ in range(samples):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured))
    return summary(times, queries, url)


def pages_for(slug: str, department_id: int) -> dict[str, str]:
    from django.urls import reverse

    base = reverse("reports:report", args=[slug])
    pages = {name: f"{base}?{query}" for name, query in PERIODS.items()}
    pages["last 12 months, one department"] = (
        f"{base}?period=last_12_months&department={department_id}"
    )
    for name in DRILLS.get(slug, ()):
        drill = reverse("reports:drill", args=[slug, name])
        pages[f"drill-down: {name}"] = f"{drill}?period=last_12_months"
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=67)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--folder", default=KEPT_FOLDER)
    parser.add_argument("--only", default="", help="comma-separated report slugs")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument(
        "--keep-rollup", action="store_true", help="reuse the rollup of an earlier run"
    )
    args = parser.parse_args()

    folder = Path(args.folder)
    setup(folder, postgres=False)
    seeded = seed_or_reuse(folder, args.tickets, scale=args.scale)
    if args.seed_only:
        print(json.dumps(seeded, indent=2))
        return
    rollup_seconds = None if args.keep_rollup else build_rollups()

    from django.db.models import Count
    from django.test import Client

    from ess.reports.base import get_report
    from helpdesk.models import Ticket
    from hr.models import Employee
    from payroll.models import Payslip

    # The largest department: the heaviest "one department" filter.
    department = (
        Employee.objects.values("department_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["department_id"]
    )
    wanted = [s for s in args.only.split(",") if s] or list(VIEWERS)
    results: dict[str, dict] = {}
    for slug in wanted:
        if get_report(slug) is None:
            print(f"{slug}: no such report yet", flush=True)
            continue
        for who, login in VIEWERS[slug].items():
            client = Client()
            client.force_login(user_for(login))
            # HR and payroll officers sign in with a second factor (ESS_MFA_REQUIRED_ROLES).
            session = client.session
            session["account_authentication_methods"] = [{"method": "password"}, {"method": "mfa"}]
            session.save()
            for name, url in pages_for(slug, department).items():
                key = f"{slug}: {who}, {name}"
                results[key] = measure(client, url, args.samples)
                print(
                    f"{key:<70} median {results[key]['median_ms']:>7.1f} ms  "
                    f"p95 {results[key]['p95_ms']:>7.1f} ms  {results[key]['queries']} SQL",
                    flush=True,
                )
    if args.only and (RESULTS / "reports.json").exists():
        # A partial run replaces its own reports' rows and keeps the others'.
        kept = json.loads((RESULTS / "reports.json").read_text())["pages"]
        slugs = tuple(f"{slug}:" for slug in wanted)
        results = {k: v for k, v in kept.items() if not k.startswith(slugs)} | results
    worst = max((page["p95_ms"] for page in results.values()), default=None)
    write(
        "reports",
        {
            "scale": seeded.get("company_scale", args.scale),
            "employees": Employee.objects.count(),
            "tickets": Ticket.objects.count(),
            "payslips": Payslip.objects.count(),
            "seeded": seeded,
            "rollup_rebuild_seconds": rollup_seconds,
            "database": "sqlite",
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "load_average": list(os.getloadavg()),
            "samples_per_page": args.samples,
            "target_p95_ms": TARGET_P95_MS,
            "worst_p95_ms": worst,
            "pages": results,
        },
    )


if __name__ == "__main__":
    main()
