"""Server time of the policy compliance report at 10,000 employees x 10 policies.

Target (issue 6): under 100 ms for the report page.
"""

import argparse
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import measure, seed, setup_django, write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=67, help="67 = about 10,000 employees")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    setup_django("compliance")
    seed_seconds = seed(args.scale)

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from ess.accounts.models import User
    from hr.models import Employee
    from policies.models import AcknowledgementRequest, Policy

    # The auditor reads every figure and, unlike HR, signs in without a second factor here.
    auditor = User.objects.get(email="aldo.auditor@northwind.example")
    # The manager with the largest team under them: the heaviest manager view.
    head = (
        Employee.objects.filter(manager__manager__isnull=True, manager__isnull=False)
        .order_by("pk")
        .first()
    )
    results = {
        "scale": args.scale,
        "employees": Employee.objects.count(),
        "policies": Policy.objects.count(),
        "acknowledgement_requests": AcknowledgementRequest.objects.count(),
        "seed_seconds": round(seed_seconds, 1),
        "database": connection.vendor,
        "python": platform.python_version(),
        "pages": {},
    }
    for label, user, url in [
        ("report (auditor, all people)", auditor, reverse("policies:compliance")),
        ("report (department head, own reports)", head.user, reverse("policies:compliance")),
        (
            "drill-down (auditor, overdue, page 1)",
            auditor,
            reverse("policies:compliance_people", args=["warehouse-safety"]) + "?status=overdue",
        ),
    ]:
        client = Client()
        client.force_login(user)
        queries: list[str] = []

        def count(execute, sql, params, many, context, seen=queries):
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        assert response.status_code == 200, (label, response.status_code)
        timing = measure(lambda c=client, u=url: c.get(u), args.runs)
        timing["queries"] = len(queries)
        results["pages"][label] = timing
        print(
            f"{label:42} median {timing['median_ms']:7.1f} ms   p95 {timing['p95_ms']:7.1f} ms"
            f"   {timing['queries']} queries"
        )
    path = write("compliance_report", results)
    print(
        f"{results['employees']} employees, {results['acknowledgement_requests']} requests; "
        f"seeded in {results['seed_seconds']} s; written to {path}"
    )


if __name__ == "__main__":
    main()
