"""The HR report: hand-counted figures, who may read it, date edges, query ceilings,
exports and escaping. October 2026 in Amsterdam is the period throughout: summer time
ends on 25 October, so its last day begins at 23:00 UTC on the 30th and ends at 23:00 UTC
on the 31st."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ess.accounts.roles import Role
from hr.benefits.models import Election
from hr.letters.models import Letter
from hr.models import ChangeRequest, Employee
from tests.benefits.factories import PlanFactory
from tests.conftest import with_totp
from tests.factories import DepartmentFactory, EmployeeFactory, LocationFactory, UserFactory
from tests.letters.factories import make_template
from tests.matrix import Row, assert_access, expand

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
UTC = datetime.UTC
OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}


def _url(name="reports:report", *args, **query) -> str:
    from urllib.parse import urlencode

    return reverse(name, args=["hr", *args]) + "?" + urlencode({**OCTOBER, **query})


def _request(employee, *, submitted, decided=None, status=ChangeRequest.Status.PENDING,
             kind=ChangeRequest.Kind.ADDRESS) -> ChangeRequest:  # fmt: skip
    return ChangeRequest.objects.create(
        employee=employee,
        kind=kind,
        status=status,
        previous={"iban": "NL91ABNA0417164300"},
        proposed={"iban": "NL20INGB0001234567"},
        effective_date=datetime.date(2026, 10, 1),
        submitted_by=employee.user,
        submitted_at=submitted,
        decided_at=decided,
    )


@pytest.fixture
def company(hr_officer):
    """Two departments and a hand-counted October.

    headcount at 31 Oct: ann (A), ben (A, joined 1 Oct), the HR officer = 3
    joiners: ben; leavers: cleo (B, last day 31 Oct); dan joins 1 Nov, eve left in September.
    """
    dept_a = DepartmentFactory(name="Alpha")
    dept_b = DepartmentFactory(name="Beta")
    oslo = LocationFactory(name="Oslo", country="NO")
    ann = EmployeeFactory(
        department=dept_a, user__last_name="Ann", start_date=datetime.date(2020, 1, 1)
    )
    ben = EmployeeFactory(
        department=dept_a,
        user__last_name="Ben",
        start_date=datetime.date(2026, 10, 1),
        contract_type=Employee.ContractType.FIXED_TERM,
    )
    cleo = EmployeeFactory(
        department=dept_b,
        user__last_name="Cleo",
        location=oslo,
        start_date=datetime.date(2019, 5, 1),
        end_date=datetime.date(2026, 10, 31),
    )
    EmployeeFactory(department=dept_b, user__last_name="Dan", start_date=datetime.date(2026, 11, 1))
    EmployeeFactory(
        department=dept_b,
        user__last_name="Eve",
        location=oslo,
        start_date=datetime.date(2018, 1, 1),
        end_date=datetime.date(2026, 9, 30),
    )
    # Submitted 1 Oct 00:30 local (30 Sep 22:30 UTC), decided 24 hours later.
    _request(
        ann,
        submitted=datetime.datetime(2026, 10, 1, 0, 30, tzinfo=AMS),
        decided=datetime.datetime(2026, 10, 2, 0, 30, tzinfo=AMS),
        status=ChangeRequest.Status.APPLIED,
    )
    # Submitted in September, rejected on 1 Oct after 12 hours: decided, not submitted.
    _request(
        cleo,
        submitted=datetime.datetime(2026, 9, 30, 23, 30, tzinfo=AMS),
        decided=datetime.datetime(2026, 10, 1, 11, 30, tzinfo=AMS),
        status=ChangeRequest.Status.REJECTED,
        kind=ChangeRequest.Kind.BANK_ACCOUNT,
    )
    # 31 Oct 23:30 UTC is 1 Nov 00:30 in Amsterdam: November's.
    _request(ben, submitted=datetime.datetime(2026, 10, 31, 23, 30, tzinfo=UTC))
    # 31 Oct 22:30 local, the last hour of the period: October's.
    _request(
        ben,
        submitted=datetime.datetime(2026, 10, 31, 22, 30, tzinfo=AMS),
        kind=ChangeRequest.Kind.LEGAL_NAME,
    )
    # Withdrawn by the employee: submitted, never decided.
    _request(
        ann,
        submitted=datetime.datetime(2026, 10, 15, 12, 0, tzinfo=AMS),
        decided=datetime.datetime(2026, 10, 16, 12, 0, tzinfo=AMS),
        status=ChangeRequest.Status.WITHDRAWN,
        kind=ChangeRequest.Kind.TAX_RESIDENCY,
    )
    template = make_template(actor=hr_officer)
    for person, requested, issued in (
        (ann, datetime.datetime(2026, 10, 5, 10, 0, tzinfo=AMS),
         datetime.datetime(2026, 10, 5, 16, 0, tzinfo=AMS)),
        (ben, datetime.datetime(2026, 10, 9, 9, 0, tzinfo=AMS),
         datetime.datetime(2026, 10, 10, 9, 0, tzinfo=AMS)),
        (cleo, datetime.datetime(2026, 10, 30, 9, 0, tzinfo=AMS), None),
    ):  # fmt: skip
        Letter.objects.create(
            employee=person,
            template=template,
            template_version=template.current_version,
            addressee="Secret Landlord BV",
            purpose="mortgage application",
            status=Letter.Status.ISSUED if issued else Letter.Status.PENDING,
            requested_at=requested,
            issued_at=issued,
        )
    health = PlanFactory(name="Health")
    gym = PlanFactory(name="Gym")
    Election.objects.create(
        employee=ann, plan=health, plan_year=2026, status=Election.Status.ENROLLED
    )
    Election.objects.create(employee=ann, plan=gym, plan_year=2025, status=Election.Status.ENROLLED)
    Election.objects.create(
        employee=ben, plan=health, plan_year=2026, status=Election.Status.WAIVED
    )
    Election.objects.create(
        employee=cleo, plan=gym, plan_year=2026, status=Election.Status.ENROLLED
    )  # left on 31 Oct
    return {"a": dept_a, "b": dept_b, "oslo": oslo, "health": health, "gym": gym}


def _figures(response) -> dict:
    return {f.key: f.value for f in response.context["page"].figures}


def _table(response, key):
    return next(t for t in response.context["page"].tables if t.key == key)


def _chart(response, key):
    return next(c for c in response.context["page"].charts if c.key == key)


def test_figures_are_hand_counted(client, hr_officer, company):
    client.force_login(hr_officer)
    response = client.get(_url())
    assert response.status_code == 200
    figures = _figures(response)
    assert figures == {
        "headcount": 3,
        "joiners": 1,
        "leavers": 1,
        "requests_submitted": 3,
        "requests_decided": 2,
        "decision_hours": pytest.approx(18.0),
        "letters_issued": 2,
        "letter_hours": pytest.approx(15.0),
        "enrolments": 1,
    }
    by_department = {row["label"]: row for row in _table(response, "headcount_by_department").rows}
    assert (by_department["Alpha"]["headcount"], by_department["Alpha"]["joiners"]) == (2, 1)
    assert (by_department["Beta"]["headcount"], by_department["Beta"]["leavers"]) == (0, 1)
    by_contract = {r["contract_type"]: r["headcount"] for r in
                   _table(response, "headcount_by_contract").rows}  # fmt: skip
    assert by_contract == {"permanent": 2, "fixed_term": 1}
    plans = {row["plan"]: row for row in _table(response, "enrolment_by_plan").rows}
    assert (plans["Health"]["enrolled"], plans["Health"]["waived"]) == (1, 1)
    assert "Gym" not in plans  # 2025's election, and a leaver's
    kinds = {row["kind"]: row for row in _table(response, "requests_by_kind").rows}
    assert kinds["Home address"]["hours"] == pytest.approx(24.0)
    assert (kinds["Salary bank account"]["submitted"], kinds["Salary bank account"]["decided"]) == (
        0,
        1,
    )
    requests = _chart(response, "requests")
    assert requests.labels[0] == "01-10"
    assert requests.labels[-1] == "31-10"
    assert requests.series[0].values[0] == 1
    assert requests.series[0].values[-1] == 1
    assert sum(requests.series[0].values) == 3
    assert sum(requests.series[1].values) == 2
    letters = _chart(response, "letters")
    assert (sum(letters.series[0].values), sum(letters.series[1].values)) == (3, 2)


def test_drill_downs_list_what_the_figures_count(client, hr_officer, company):
    client.force_login(hr_officer)

    def names(drill, **query):
        response = client.get(_url("reports:drill", drill, **query))
        assert response.status_code == 200
        table = response.context["table"]
        found = [row.get_cell_value("name") for row in table.rows]
        return sorted(found, key=lambda name: name.split()[-1])

    officer = hr_officer.get_full_name()
    assert len(names("headcount")) == 3
    assert officer in names("headcount")
    assert [n.split()[-1] for n in names("joiners")] == ["Ben"]
    assert [n.split()[-1] for n in names("leavers")] == ["Cleo"]
    assert len(names("requests_submitted")) == 3
    assert [n.split()[-1] for n in names("requests_decided")] == ["Ann", "Cleo"]
    assert [n.split()[-1] for n in names("requests_decided", kind="bank_account")] == ["Cleo"]
    assert len(names("letters_issued")) == 2
    assert [n.split()[-1] for n in names("enrolments")] == ["Ann"]
    assert names("enrolments", plan=company["gym"].pk) == []
    assert [n.split()[-1] for n in names("headcount", contract="fixed_term")] == ["Ben"]
    # A department row's drill-down is the headcount under that department filter.
    row = _table(client.get(_url()), "headcount_by_department").rows
    alpha = next(r for r in row if r["label"] == "Alpha")
    assert len(names("headcount", department=alpha["department_id"])) == 2


def test_drill_downs_show_no_private_values(client, hr_officer, company):
    client.force_login(hr_officer)
    for drill in ("requests_submitted", "requests_decided", "letters_issued", "enrolments"):
        body = client.get(_url("reports:drill", drill)).content.decode()
        for secret in ("NL91ABNA", "NL20INGB", "Secret Landlord", "mortgage"):
            assert secret not in body, (drill, secret)
        csv = client.get(_url("reports:drill", drill, _export="csv")).content.decode()
        assert "NL20INGB" not in csv
        assert "Secret Landlord" not in csv


def test_filters_narrow_every_figure(client, hr_officer, company):
    client.force_login(hr_officer)
    figures = _figures(client.get(_url(department=company["a"].pk)))
    assert (figures["headcount"], figures["joiners"], figures["leavers"]) == (2, 1, 0)
    assert (figures["requests_submitted"], figures["requests_decided"]) == (3, 1)
    assert (figures["letters_issued"], figures["enrolments"]) == (2, 1)
    figures = _figures(client.get(_url(location=company["oslo"].pk)))
    assert (figures["headcount"], figures["leavers"], figures["requests_decided"]) == (0, 1, 1)
    drill = client.get(_url("reports:drill", "requests_decided", department=company["a"].pk))
    assert len(drill.context["table"].rows) == 1


@pytest.fixture
def role_admin(db):
    """An administrator by role, not a Django superuser."""
    return with_totp(UserFactory(email="root@example.org", roles=[Role.ADMIN]))


MATRIX = [
    Row(lambda r: _url(), {"anonymous": 302, "employee": 403, "manager": 403,
        "payroll_officer": 403, "it_agent": 403, "auditor": 403, "hr_officer": 200,
        "admin_user": 200, "role_admin": 200}, label="page"),
    Row(lambda r: _url("reports:drill", "requests_decided"), {"employee": 403, "manager": 403,
        "payroll_officer": 403, "hr_officer": 200, "role_admin": 200}, label="drill"),
    Row(lambda r: _url("reports:drill", "headcount", _export="csv"), {"manager": 403,
        "payroll_officer": 403, "hr_officer": 200}, label="drill-csv"),
    Row(lambda r: _url(part="requests", _export="csv"), {"manager": 403, "payroll_officer": 403,
        "hr_officer": 200}, label="chart-csv"),
]  # fmt: skip


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_permission_matrix(client, request, row, who):
    assert_access(client, request, row, who)


def test_the_report_is_listed_for_hr_only(client, hr_officer, payroll_officer):
    client.force_login(hr_officer)
    assert reverse("reports:report", args=["hr"]) in client.get(reverse("reports:index")).text
    client.force_login(payroll_officer)
    index = client.get(reverse("reports:index"))
    assert index.status_code == 403 or reverse("reports:report", args=["hr"]) not in index.text


def test_bad_drill_parameters_are_refused(client, hr_officer):
    client.force_login(hr_officer)
    assert client.get(_url("reports:drill", "requests_decided", kind="salary")).status_code == 400
    assert client.get(_url("reports:drill", "enrolments", plan="1 or 1")).status_code == 400
    assert client.get(_url("reports:drill", "headcount", whatever="1")).status_code == 400


def _people(count: int, department, officer) -> None:
    plan = PlanFactory()
    template = make_template(actor=officer, name=f"Letter {count}")
    for n in range(count):
        person = EmployeeFactory(department=department, start_date=datetime.date(2026, 10, 2))
        _request(person, submitted=datetime.datetime(2026, 10, 3, 9, tzinfo=AMS),
                 decided=datetime.datetime(2026, 10, 4, 9, tzinfo=AMS),
                 status=ChangeRequest.Status.APPLIED)  # fmt: skip
        Letter.objects.create(
            employee=person, template=template, template_version=template.current_version,
            addressee="x", status=Letter.Status.ISSUED,
            requested_at=datetime.datetime(2026, 10, 3, 9, tzinfo=AMS),
            issued_at=datetime.datetime(2026, 10, 3, 12, tzinfo=AMS),
        )  # fmt: skip
        Election.objects.create(employee=person, plan=plan, plan_year=2026,
                                status=Election.Status.ENROLLED)  # fmt: skip
        if n % 2:
            DepartmentFactory()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_rows(client, hr_officer):
    client.force_login(hr_officer)
    small = DepartmentFactory()
    _people(3, small, hr_officer)
    counts_small = (
        _queries(client, _url()),
        _queries(client, _url("reports:drill", "requests_decided")),
        _queries(client, _url("reports:drill", "enrolments")),
    )
    big = DepartmentFactory()
    _people(30, big, hr_officer)
    counts_big = (
        _queries(client, _url()),
        _queries(client, _url("reports:drill", "requests_decided")),
        _queries(client, _url("reports:drill", "enrolments")),
    )
    assert counts_small == counts_big
    assert counts_big[0] <= 30


def test_exports_of_a_chart_and_a_drill_down(client, hr_officer, company):
    client.force_login(hr_officer)
    csv = client.get(_url(part="requests", _export="csv"))
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].split(",")[1:] == ["Submitted", "Decided"]
    assert len(lines) == 32  # a header and 31 days
    xlsx = client.get(_url(part="headcount_by_department", _export="xlsx"))
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"
    drill = client.get(_url("reports:drill", "leavers", _export="csv")).content.decode()
    assert "Cleo" in drill
    assert len(drill.splitlines()) == 2  # a header and Cleo
    drill_xlsx = client.get(_url("reports:drill", "joiners", _export="xlsx"))
    assert drill_xlsx.content[:2] == b"PK"


def test_hostile_names_are_escaped(client, hr_officer):
    client.force_login(hr_officer)
    hostile = "<script>alert(1)</script>"
    EmployeeFactory(
        department=DepartmentFactory(name=hostile),
        user__last_name=hostile,
        start_date=datetime.date(2026, 10, 2),
    )
    page = client.get(_url()).content.decode()
    assert hostile not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    drill = client.get(_url("reports:drill", "joiners")).content.decode()
    assert hostile not in drill
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in drill
