import pytest
from django.core.management import call_command

from ess.accounts.models import User
from policies.compliance import compliance_by_policy
from policies.models import Acknowledgement, Policy

pytestmark = pytest.mark.django_db


def test_demo_policies_show_pending_overdue_and_acknowledged_figures():
    call_command("seed_demo", "--seed", "3")
    assert Policy.objects.count() == 10
    auditor = User.objects.get(email="aldo.auditor@northwind.example")
    rows = compliance_by_policy(viewer=auditor)
    assert len(rows) == 10
    assert any(row["pending"] for row in rows)
    assert any(row["overdue"] for row in rows)
    assert all(
        row["total"] == row["acknowledged"] + row["pending"] + row["overdue"] for row in rows
    )
    assert Acknowledgement.objects.count() == sum(row["acknowledged"] for row in rows)
    expenses = Policy.objects.get(slug="expenses")
    assert expenses.current_version.number == 2  # a minor edit on top of the major version
    assert expenses.acknowledgement_version.number == 1
