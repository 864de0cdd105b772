"""Personal data on real PostgreSQL: racing decisions, racing beat runs, the reporting-line
move in SQL, and a pg_dump that holds no national ID, IBAN or salary in the clear."""

import datetime
import os
import subprocess
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from ess.accounts.roles import Role
from hr import profile_services as services
from hr.models import ChangeRequest, Employee, ProfileChange
from tests.conftest import _role_holder
from tests.factories import EmployeeFactory
from tests.hr.factories import CompensationFactory, PersonalProfileFactory
from tests.integration.services import PG_BIN

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ADDRESS = {
    "address_line1": "Mauritsweg 44",
    "address_line2": "",
    "postcode": "3012 JT",
    "city": "Rotterdam",
    "country": "NL",
}


@pytest.fixture(autouse=True)
def _role_groups():
    """The role groups come from a data migration; a transactional test before this one
    may have flushed them, and the factories look them up by name."""
    from django.contrib.auth.models import Group

    for role in Role:
        Group.objects.get_or_create(name=str(role))


def _in_threads(*calls) -> list:
    """Run the calls at the same moment, each on its own database connection."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # the loser's refusal is a result here
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _pending_request(days: int = 5) -> ChangeRequest:
    employee = EmployeeFactory().user
    PersonalProfileFactory(employee=employee.employee)
    return services.change_request_submit(
        actor=employee,
        employee=employee.employee,
        kind=ChangeRequest.Kind.ADDRESS,
        values=ADDRESS,
        effective_date=timezone.localdate() + datetime.timedelta(days=days),
    )


def test_two_officers_deciding_at_the_same_moment_produce_one_decision():
    first = _role_holder("hanna@example.org", Role.HR_OFFICER)
    second = _role_holder("harriet@example.org", Role.HR_OFFICER)
    for _ in range(5):
        request = _pending_request()
        stale_a = ChangeRequest.objects.get(pk=request.pk)
        stale_b = ChangeRequest.objects.get(pk=request.pk)
        results = _in_threads(
            lambda a=stale_a: services.change_request_decide(
                actor=first, request=a, decision="approve"
            ),
            lambda b=stale_b: services.change_request_decide(
                actor=second, request=b, decision="reject", note="No."
            ),
        )
        refusals = [r for r in results if isinstance(r, services.ChangeRefused)]
        assert len(refusals) == 1, results
        request.refresh_from_db()
        winner = first if request.status == ChangeRequest.Status.APPROVED else second
        assert request.decided_by == winner


def test_two_beat_workers_apply_a_due_change_once():
    hr = _role_holder("hanna@example.org", Role.HR_OFFICER)
    request = _pending_request(days=3)
    services.change_request_decide(actor=hr, request=request, decision="approve")
    due_day = timezone.localdate() + datetime.timedelta(days=3)
    results = _in_threads(
        *[lambda: services.change_requests_apply_due(today=due_day) for _ in range(4)]
    )
    assert sorted(results) == [0, 0, 0, 1]
    assert ProfileChange.objects.filter(request=request, field="address_line1").count() == 1


def test_moving_a_manager_moves_the_whole_subtree_in_sql():
    top = EmployeeFactory()
    middle = EmployeeFactory(manager=top)
    leaf = EmployeeFactory(manager=middle)
    other_top = EmployeeFactory()
    middle.manager = other_top
    middle.save()
    leaf = Employee.objects.get(pk=leaf.pk)
    assert leaf.org_path.startswith(other_top.org_path)
    assert leaf.org_path.endswith(f"{middle.pk:09d}{leaf.pk:09d}")


def test_pg_dump_holds_no_plaintext_secrets(postgres_server):
    employee = EmployeeFactory().user
    PersonalProfileFactory(employee=employee.employee)
    CompensationFactory(employee=employee.employee, annual_base_salary=Decimal("61873.45"))
    settings_dict = connection.settings_dict
    result = subprocess.run(
        [
            str(PG_BIN / "pg_dump"),
            "--data-only",
            "-h",
            settings_dict["HOST"],
            "-p",
            str(settings_dict["PORT"]),
            "-U",
            settings_dict["USER"],
            settings_dict["NAME"],
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "PGPASSWORD": settings_dict["PASSWORD"]},
    )
    dump = result.stdout
    assert "fernet:" in dump
    assert "Coolsingel 40" in dump  # a non-secret field, to show the rows are in the dump
    for secret in ("111222333", "NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "61873.45"):
        assert secret not in dump


def test_two_officers_deciding_a_salary_letter_at_once_produce_one_decision():
    from ess.audit.models import AuditEvent
    from hr.letters import services as letters
    from hr.letters.models import Letter
    from tests.letters.factories import request_letter, salary_template

    first = _role_holder("hanna@example.org", Role.HR_OFFICER)
    second = _role_holder("harriet@example.org", Role.HR_OFFICER)
    letters.letterhead_update(
        actor=first,
        company_name="Northwind Logistics",
        address="Maashaven Noordzijde 12\n3072 AD Rotterdam",
        contact_line="hr@northwind.example",
        signatory_name="Hanna Hr",
        signatory_title="HR Advisor",
    )
    template = salary_template(actor=first)
    employee = EmployeeFactory().user
    CompensationFactory(employee=employee.employee)
    letter = request_letter(employee, template)
    assert letter.status == Letter.Status.PENDING
    results = _in_threads(
        lambda: letters.letter_approve(letter=Letter.objects.get(pk=letter.pk), actor=first),
        lambda: letters.letter_reject(
            letter=Letter.objects.get(pk=letter.pk), actor=second, note="Nope."
        ),
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1, results
    decisions = AuditEvent.objects.filter(action__in=["letters.approved", "letters.rejected"])
    assert decisions.count() == 1
