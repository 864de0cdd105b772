"""The payroll report: hand-counted figures, payroll officers only, date edges, query
ceilings, exports, escaping, and never an amount. October 2026 in Amsterdam is the period:
summer time ends on 25 October, so the month runs from 30 Sep 22:00 UTC to 31 Oct 23:00 UTC.
"""

import datetime
import importlib
import io
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from ess.accounts.roles import Role
from payroll import services
from payroll.models import PayrollRun, Payslip
from payroll.periods import period_get_or_create
from tests.conftest import with_totp
from tests.factories import DepartmentFactory, EmployeeFactory, UserFactory
from tests.matrix import Row, assert_access, expand

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
UTC = datetime.UTC
OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}
# Every payslip carries this amount: it must appear nowhere in the report.
AMOUNT = Decimal("98765.43")


def _url(name="reports:report", *args, **query) -> str:
    return reverse(name, args=["payroll", *args]) + "?" + urlencode({**OCTOBER, **query})


def _at(*args, tz=AMS) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=tz)


def _run(code, *, prepared, approved, released, minutes=20) -> PayrollRun:
    return PayrollRun.objects.create(
        period=period_get_or_create(code),
        status=PayrollRun.Status.RELEASED,
        prepared_at=prepared,
        approved_at=approved,
        generation_started_at=approved,
        generation_finished_at=approved + datetime.timedelta(minutes=minutes),
        released_at=released,
        employee_count=3,
        gross_total=AMOUNT,
        net_total=AMOUNT,
    )


def _slip(run, employee, *, version=1, released_at=None, **extra) -> Payslip:
    return Payslip.objects.create(
        run=run,
        period=run.period,
        employee=employee,
        version=version,
        gross=AMOUNT,
        total_deductions=AMOUNT,
        net=AMOUNT,
        employer_contributions=AMOUNT,
        status=Payslip.Status.RELEASED,
        released_at=released_at or run.released_at,
        **extra,
    )


def _open(payslip, viewer, what="viewed") -> None:
    services.payslip_read_record(payslip=payslip, viewer=viewer, what=what)


@pytest.fixture
def payday(employee, other_employee, payroll_officer):
    """Three people, three runs.

    A (2026-09) released 1 Oct 00:30 local (first hour of October), prepared 62.5 h before.
    B (2026-10) released 31 Oct 22:30 local (last hour), prepared 84.5 h before; Emma's
        payslip corrected (version 2) on 31 Oct.
    C (2026-08) released 31 Oct 23:30 UTC = 1 Nov 00:30 local: November's.
    Emma opened A three times (two views, a download), Oliver opened B once, the officer
    looked at Ceri's A payslip (not an employee's own look), Emma opened C.
    """
    emma, oliver = employee.employee, other_employee.employee
    ceri = EmployeeFactory(department=emma.department, user__last_name="Ceri")
    run_a = _run(
        "2026-09",
        prepared=_at(2026, 9, 28, 10),
        approved=_at(2026, 9, 29, 10),
        released=_at(2026, 10, 1, 0, 30),
        minutes=20,
    )
    run_b = _run(
        "2026-10",
        prepared=_at(2026, 10, 28, 10),
        approved=_at(2026, 10, 29, 10),
        released=_at(2026, 10, 31, 22, 30),
        minutes=30,
    )
    run_c = _run("2026-08", prepared=_at(2026, 10, 20, 10), approved=_at(2026, 10, 21, 10),
                 released=_at(2026, 10, 31, 23, 30, tz=UTC))  # fmt: skip
    a_emma, _a_oliver, a_ceri = (_slip(run_a, person) for person in (emma, oliver, ceri))
    b_emma, b_oliver, _b_ceri = (_slip(run_b, person) for person in (emma, oliver, ceri))
    Payslip.objects.filter(pk=b_emma.pk).update(status=Payslip.Status.SUPERSEDED)
    fixed = _slip(run_b, emma, version=2, correction_reason="Overtime of October was missing",
                  created_at=_at(2026, 10, 31, 23, 10))  # fmt: skip
    Payslip.objects.filter(pk=b_emma.pk).update(superseded_by=fixed)
    c_emma = _slip(run_c, emma)
    _open(a_emma, employee)
    _open(a_emma, employee)
    _open(a_emma, employee, "downloaded")
    _open(b_oliver, other_employee)
    _open(a_ceri, payroll_officer)
    _open(c_emma, employee)
    return {"a": run_a, "b": run_b, "c": run_c, "oliver": oliver, "ceri": ceri}


def _figures(response) -> dict:
    return {f.key: f.value for f in response.context["page"].figures}


def _table(response, key):
    return next(t for t in response.context["page"].tables if t.key == key)


def test_figures_are_hand_counted(client, payroll_officer, payday):
    client.force_login(payroll_officer)
    response = client.get(_url())
    assert response.status_code == 200
    assert _figures(response) == {
        "runs": 2,
        "payslips": 7,  # A: 3, B: 3 and the correction
        "release_hours": pytest.approx(73.5),
        "generation_minutes": 25.0,
        "opened": pytest.approx(2 / 7),
        "corrections": 1,
    }
    runs = {row["period"]: row for row in _table(response, "runs").rows}
    assert set(runs) == {"2026-09", "2026-10"}
    assert (runs["2026-09"]["released"], runs["2026-09"]["opened"]) == (3, 1)
    assert (runs["2026-09"]["opens"], runs["2026-09"]["generation"]) == (3, 20.0)
    assert runs["2026-09"]["share"] == pytest.approx(1 / 3)
    assert (runs["2026-10"]["released"], runs["2026-10"]["opened"]) == (4, 1)
    assert (runs["2026-10"]["opens"], runs["2026-10"]["corrections"]) == (1, 1)
    assert runs["2026-10"]["released_at"] == "2026-10-31 22:30"
    fixes = _table(response, "corrections_by_run").rows
    assert [(row["period"], row["corrections"]) for row in fixes] == [("2026-10", 1)]
    chart = response.context["page"].charts[0]
    assert chart.labels == ["2026-09", "2026-10"]
    assert [s.values for s in chart.series] == [[3, 4], [1, 1]]


def test_november_gets_the_run_released_at_half_past_midnight(client, payroll_officer, payday):
    client.force_login(payroll_officer)
    figures = _figures(client.get(_url(start="2026-11-01", end="2026-11-30")))
    assert (figures["runs"], figures["payslips"], figures["opened"]) == (1, 1, 1.0)


def test_drill_downs_list_what_the_figures_count(client, payroll_officer, payday):
    client.force_login(payroll_officer)

    def rows(drill, **query):
        response = client.get(_url("reports:drill", drill, **query))
        assert response.status_code == 200
        return list(response.context["table"].rows)

    assert len(rows("runs")) == 2
    assert len(rows("released")) == 7
    assert len(rows("unopened")) == 5
    unopened_a = rows("unopened", run=payday["a"].pk)
    assert sorted(r.record.employee_id for r in unopened_a) == sorted(
        [payday["oliver"].pk, payday["ceri"].pk]
    )
    fixes = rows("corrections")
    assert [
        (r.get_cell_value("version"), r.get_cell_value("correction_reason")) for r in fixes
    ] == [(2, "Overtime of October was missing")]
    assert rows("corrections", run=payday["a"].pk) == []


def test_filters_narrow_the_payslip_figures(client, payroll_officer, other_employee, payday):
    client.force_login(payroll_officer)
    department = other_employee.employee.department_id
    figures = _figures(client.get(_url(department=department)))
    assert (figures["payslips"], figures["opened"], figures["corrections"]) == (2, 0.5, 0)
    assert figures["runs"] == 2  # a run is the whole company's
    drill = client.get(_url("reports:drill", "unopened", department=department))
    assert len(drill.context["table"].rows) == 1


def test_no_amount_anywhere(client, payroll_officer, payday):
    client.force_login(payroll_officer)
    urls = [_url(), _url(part="runs", _export="csv"), _url(part="figures", _export="csv")]
    for drill in ("runs", "released", "unopened", "corrections"):
        urls += [_url("reports:drill", drill), _url("reports:drill", drill, _export="csv")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        for text in ("98765", "98 765", "98,765", "98.765"):
            assert text.encode() not in response.content, url
    pdf = client.get(reverse("reports:pdf", args=["payroll"]) + "?" + urlencode(OCTOBER))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "2026-10" in text
    for amount in ("98765", "98 765", "98,765", "98.765", "98\u202f765"):
        assert amount not in text


@pytest.fixture
def role_admin(db):
    """An administrator by role (not a Django superuser), without the payroll role."""
    return with_totp(UserFactory(email="root@example.org", roles=[Role.ADMIN]))


MATRIX = [
    Row(lambda r: _url(), {"anonymous": 302, "employee": 403, "manager": 403,
        "hr_officer": 403, "it_agent": 403, "auditor": 403, "role_admin": 403,
        "payroll_officer": 200}, label="page"),
    Row(lambda r: _url("reports:drill", "unopened"), {"manager": 403, "hr_officer": 403,
        "role_admin": 403, "payroll_officer": 200}, label="drill"),
    Row(lambda r: _url("reports:drill", "corrections", _export="csv"), {"hr_officer": 403,
        "role_admin": 403, "payroll_officer": 200}, label="drill-csv"),
    Row(lambda r: _url(part="opened_per_run", _export="csv"), {"hr_officer": 403,
        "role_admin": 403, "payroll_officer": 200}, label="chart-csv"),
    Row(lambda r: reverse("reports:pdf", args=["payroll"]), {"hr_officer": 403,
        "role_admin": 403}, label="pdf"),
]  # fmt: skip


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_permission_matrix(client, request, row, who):
    assert_access(client, request, row, who)


def test_bad_drill_parameters_are_refused(client, payroll_officer):
    client.force_login(payroll_officer)
    assert client.get(_url("reports:drill", "unopened", run="x")).status_code == 400
    assert client.get(_url("reports:drill", "runs", run="1")).status_code == 400


def _payslips(run, count: int) -> None:
    """`count` released payslips, every other one opened, and one correction."""
    department = DepartmentFactory()
    for n in range(count):
        slip = _slip(run, EmployeeFactory(department=department))
        if n % 2:
            _open(slip, slip.employee.user)
    _slip(run, EmployeeFactory(department=department), version=2, correction_reason="x",
          created_at=_at(2026, 10, 5, 9))  # fmt: skip


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_rows(client, payroll_officer):
    client.force_login(payroll_officer)
    urls = [
        _url(),
        _url(compare="on"),
        _url("reports:drill", "unopened"),
        _url("reports:drill", "corrections"),
    ]
    run = _run("2026-07", prepared=_at(2026, 10, 2, 9), approved=_at(2026, 10, 3, 9),
               released=_at(2026, 10, 4, 9))  # fmt: skip
    _payslips(run, 3)
    small = [_queries(client, url) for url in urls]
    _payslips(run, 30)
    big = [_queries(client, url) for url in urls]
    assert small == big
    assert big[0] <= 20


def test_exports_of_a_chart_and_a_drill_down(client, payroll_officer, payday):
    client.force_login(payroll_officer)
    csv = client.get(_url(part="opened_per_run", _export="csv"))
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[1:] == ["2026-09,3,1", "2026-10,4,1"]
    xlsx = client.get(_url(part="runs", _export="xlsx"))
    assert xlsx.content[:2] == b"PK"
    drill = client.get(_url("reports:drill", "corrections", _export="csv")).content.decode()
    assert "Overtime of October was missing" in drill
    assert len(drill.splitlines()) == 2
    assert client.get(_url("reports:drill", "unopened", _export="xlsx")).content[:2] == b"PK"


def test_hostile_names_are_escaped(client, payroll_officer):
    client.force_login(payroll_officer)
    hostile = "<script>alert(1)</script>"
    person = EmployeeFactory(department=DepartmentFactory(name=hostile), user__last_name=hostile)
    run = _run("2026-10", prepared=_at(2026, 10, 2, 9), approved=_at(2026, 10, 3, 9),
               released=_at(2026, 10, 4, 9))  # fmt: skip
    _slip(run, person)
    page = client.get(_url()).content.decode()
    assert hostile not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    drill = client.get(_url("reports:drill", "unopened")).content.decode()
    assert hostile not in drill
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in drill


def test_opening_counts_only_the_employees_own_looks(payday, employee, payroll_officer):
    emma_a = Payslip.objects.get(run=payday["a"], employee=employee.employee)
    ceri_a = Payslip.objects.get(run=payday["a"], employee=payday["ceri"])
    assert emma_a.opens == 3
    assert emma_a.first_opened_at is not None
    first = emma_a.first_opened_at
    _open(emma_a, employee)
    emma_a.refresh_from_db()
    assert (emma_a.opens, emma_a.first_opened_at) == (4, first)
    # The officer looked at Ceri's payslip: audited, but not an opening.
    assert (ceri_a.opens, ceri_a.first_opened_at) == (0, None)


def test_the_migration_fills_openings_from_the_audit_trail(payday, employee):
    from django.apps import apps

    migration = importlib.import_module("payroll.migrations.0002_payslip_opened")
    Payslip.objects.update(opens=0, first_opened_at=None)
    migration.opens_from_the_audit_trail(apps, None)
    emma_a = Payslip.objects.get(run=payday["a"], employee=employee.employee)
    ceri_a = Payslip.objects.get(run=payday["a"], employee=payday["ceri"])
    assert emma_a.opens == 3
    assert ceri_a.opens == 0
    assert Payslip.objects.filter(first_opened_at__isnull=False).count() == 3
