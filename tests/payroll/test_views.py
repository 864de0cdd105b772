"""Payroll pages: who sees what, headers, audit, query ceilings, hostile input."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ess.audit.models import AuditEvent
from payroll.lines import Line, LineKind
from payroll.models import PayrollRun, Payslip
from tests.matrix import Row, assert_access, expand
from tests.payroll.conftest import fill, produce, release, standard_lines

# The matrix asks for its fixtures by name at run time; the mark puts it with the other
# database tests, before the transactional ones that flush the role groups.
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _slip(name: str):
    def url(request) -> str:
        payslip = request.getfixturevalue("payslip")
        return reverse(name, args=[payslip.pk])

    url.__name__ = name
    return url


def _run(name: str):
    def url(request) -> str:
        return reverse(name, args=[request.getfixturevalue("released_run").pk])

    url.__name__ = name
    return url


# The owner is `employee`; `manager` is that employee's manager. Nobody but the owner and
# payroll officers sees a payslip, and an unauthorised id answers like one that is not there.
SLIP_ACCESS = {
    "anonymous": 302,
    "employee": 200,
    "other_employee": 404,
    "manager": 404,
    "hr_officer": 404,
    "it_agent": 404,
    "auditor": 404,
    "payroll_officer": 200,
}
OFFICER_ONLY = {
    "anonymous": 302,
    "employee": 403,
    "manager": 403,
    "hr_officer": 403,
    "auditor": 403,
    "payroll_officer": 200,
}
MATRIX = [
    Row("payroll:mine", {"anonymous": 302, "employee": 200, "hr_officer": 200}),
    Row(_slip("payroll:payslip"), SLIP_ACCESS),
    Row(_slip("payroll:pdf"), SLIP_ACCESS),
    Row(_slip("payroll:compare"), SLIP_ACCESS),
    Row(
        lambda request: (
            request.getfixturevalue("payslip"),
            reverse("payroll:annual", args=[2026]),
        )[1],
        {"anonymous": 302, "employee": 200, "manager": 404, "hr_officer": 404},
        label="annual",
    ),
    Row(_slip("payroll:correct"), {**OFFICER_ONLY, "other_employee": 403}),
    Row("payroll:runs", OFFICER_ONLY),
    Row("payroll:import", OFFICER_ONLY),
    Row(_run("payroll:run"), OFFICER_ONLY),
    Row(_run("payroll:progress"), OFFICER_ONLY),
    Row(_run("payroll:release"), {**OFFICER_ONLY, "payroll_officer": 302}, method="post"),
    Row(_run("payroll:approve"), {**OFFICER_ONLY, "payroll_officer": 302}, method="post"),
    Row(_run("payroll:retry"), {**OFFICER_ONLY, "payroll_officer": 302}, method="post"),
    Row("payroll:calculate", {**OFFICER_ONLY, "payroll_officer": 302}, method="post"),
]


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_permission_matrix(client, request, row, who):
    assert_access(client, request, row, who)


def test_counting_through_ids_reveals_nothing(client, released_run, other_employee):
    client.force_login(other_employee)
    own = set(Payslip.objects.filter(employee__user=other_employee).values_list("pk", flat=True))
    top = Payslip.objects.order_by("-pk").values_list("pk", flat=True).first()
    for pk in range(1, top + 3):
        for name in ("payroll:payslip", "payroll:pdf", "payroll:compare"):
            response = client.get(reverse(name, args=[pk]))
            assert response.status_code == (200 if pk in own else 404), (name, pk)


def test_an_unreleased_payslip_is_not_there_for_its_owner(
    client, employee, payroll_officer, second_officer
):
    run = produce(
        fill("2026-11", {employee: standard_lines()}, actor=payroll_officer), second_officer
    )
    payslip = run.payslips.get()
    client.force_login(employee)
    assert client.get(reverse("payroll:payslip", args=[payslip.pk])).status_code == 404
    assert client.get(reverse("payroll:pdf", args=[payslip.pk])).status_code == 404
    assert "November" not in client.get(reverse("payroll:mine")).content.decode()
    release(run, second_officer)
    assert client.get(reverse("payroll:payslip", args=[payslip.pk])).status_code == 200


def test_pages_are_never_cached(client, payslip, employee):
    client.force_login(employee)
    for url in (
        reverse("payroll:mine"),
        reverse("payroll:payslip", args=[payslip.pk]),
        reverse("payroll:pdf", args=[payslip.pk]),
        reverse("payroll:compare", args=[payslip.pk]),
        reverse("payroll:annual", args=[2026]),
    ):
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_download_is_an_audited_attachment_with_the_stored_bytes(client, payslip, employee):
    client.force_login(employee)
    response = client.get(reverse("payroll:pdf", args=[payslip.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="payslip-2026-10.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    import hashlib

    assert hashlib.sha256(response.content).hexdigest() == payslip.pdf_sha256
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert employee.get_full_name() in text
    assert "Travel allowance" in text
    event = AuditEvent.objects.get(action="payroll.payslip_downloaded")
    assert (event.actor, event.target_id) == (employee, str(payslip.pk))
    assert event.detail["employee"] == payslip.employee_id
    assert event.detail["own"] is True


def test_every_view_is_audited_with_who_and_whose(client, payslip, payroll_officer):
    client.force_login(payroll_officer)
    client.get(reverse("payroll:payslip", args=[payslip.pk]))
    client.get(reverse("payroll:compare", args=[payslip.pk]))
    events = AuditEvent.objects.filter(action__startswith="payroll.payslip_").order_by("pk")
    assert [e.action for e in events] == ["payroll.payslip_viewed", "payroll.payslip_compared"]
    assert all(e.actor == payroll_officer and e.detail["own"] is False for e in events)
    assert all(e.detail["employee"] == payslip.employee_id for e in events)


def test_a_tampered_pdf_is_not_handed_out(client, payslip, employee):
    from django.core.files.storage import default_storage

    from ess.crypto import encrypt_bytes

    default_storage.delete(payslip.pdf_name)
    default_storage.save(payslip.pdf_name, io.BytesIO(encrypt_bytes(b"%PDF-1.4 forged")))
    client.force_login(employee)
    assert client.get(reverse("payroll:pdf", args=[payslip.pk])).status_code == 404


def test_detail_shows_lines_year_to_date_and_net(client, payslip, employee):
    client.force_login(employee)
    page = client.get(reverse("payroll:payslip", args=[payslip.pk])).content.decode()
    assert "Travel allowance" in page
    assert "Year to date" in page
    assert "2,920.00" in page  # net
    assert "7,900.00" in page  # base salary so far this year: 3,900 + 4,000


def test_compare_marks_what_changed(client, payslip, employee):
    client.force_login(employee)
    page = client.get(reverse("payroll:compare", args=[payslip.pk])).content.decode()
    assert page.count('class="table-warning"') == 4  # base, pension, tax, employer pension
    assert "Your net pay changed by" in page
    assert "75.00" in page


def test_the_list_filters_by_year_and_keeps_its_query_count(
    client, employee, payroll_officer, second_officer, django_assert_max_num_queries
):
    client.force_login(employee)
    run = fill("2025-12", {employee: standard_lines()}, actor=payroll_officer)
    release(produce(run, second_officer), second_officer)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("payroll:mine"))
    for month in range(1, 7):
        run = fill(f"2026-{month:02d}", {employee: standard_lines()}, actor=payroll_officer)
        release(produce(run, second_officer), second_officer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("payroll:mine")).content.decode()
    assert page.count("payroll/payslips/") >= 7
    only_2025 = client.get(reverse("payroll:mine"), {"year": "2025"}).content.decode()
    assert "December 2025" in only_2025
    assert "June 2026" not in only_2025


def test_run_page_query_count_does_not_grow_with_payslips(
    client, payroll_officer, second_officer, django_assert_max_num_queries
):
    from tests.factories import EmployeeFactory

    people = [EmployeeFactory().user for _ in range(3)]
    run = fill("2026-10", {person: standard_lines() for person in people})
    client.force_login(payroll_officer)
    url = reverse("payroll:run", args=[run.pk])
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    more = [EmployeeFactory().user for _ in range(12)]
    run = fill("2026-10", {person: standard_lines() for person in people + more})
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("/payroll/payslips/") >= 15


def test_hostile_text_is_escaped(client, employee, payroll_officer, second_officer):
    hostile = '<script>alert("pay")</script>'
    lines = [Line("BASE", hostile, LineKind.EARNING, Decimal("10.00"))]
    run = fill("2026-10", {employee: lines}, actor=payroll_officer)
    PayrollRun.objects.filter(pk=run.pk).update(source_name=f"{hostile}.csv")
    release(produce(run, second_officer), second_officer)
    client.force_login(employee)
    payslip = run.payslips.get()
    page = client.get(reverse("payroll:payslip", args=[payslip.pk])).content.decode()
    assert hostile not in page
    assert "&lt;script&gt;" in page
    client.force_login(second_officer)
    page = client.get(reverse("payroll:run", args=[run.pk])).content.decode()
    assert hostile not in page


def test_unknown_sort_and_export_keys_are_refused(client, released_run, payroll_officer):
    client.force_login(payroll_officer)
    url = reverse("payroll:run", args=[released_run.pk])
    assert client.get(url, {"sort": "net"}).status_code == 400
    assert client.get(url, {"sort": "employee__profile__iban"}).status_code == 400
    assert client.get(url, {"_export": "html"}).status_code == 400
    response = client.get(url, {"_export": "csv"})
    assert response.status_code == 200
    assert b"employee" in response.content.lower()
    assert AuditEvent.objects.filter(action="payroll.exported").count() == 1


def test_officer_approves_and_releases_in_the_browser_flow(
    client, employee, payroll_officer, second_officer, django_capture_on_commit_callbacks
):
    run = fill("2026-10", {employee: standard_lines()}, actor=payroll_officer)
    client.force_login(payroll_officer)
    page = client.get(reverse("payroll:run", args=[run.pk])).content.decode()
    assert "another payroll officer must approve" in page
    client.force_login(second_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("payroll:approve", args=[run.pk]), {"release_at": ""})
    progress = client.get(reverse("payroll:progress", args=[run.pk])).content.decode()
    assert "1 of 1 ready, 0 failed" in progress
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("payroll:release", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.RELEASED
    client.force_login(employee)
    assert "October 2026" in client.get(reverse("payroll:mine")).content.decode()


def test_runs_list_query_count_does_not_grow_with_runs(
    client, employee, payroll_officer, django_assert_max_num_queries
):
    fill("2026-01", {employee: standard_lines()}, actor=payroll_officer)
    client.force_login(payroll_officer)
    url = reverse("payroll:runs")
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for month in range(2, 10):
        fill(f"2026-{month:02d}", {employee: standard_lines()}, actor=payroll_officer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("/payroll/runs/") >= 9


def _upload(text: str, name: str = "october.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_import_page_fills_a_run_from_a_good_file(client, employee, payroll_officer):
    number = employee.employee.employee_number
    client.force_login(payroll_officer)
    response = client.post(
        reverse("payroll:import"),
        {
            "period": "2026-10",
            "file": _upload(
                "employee_number,code,label,kind,amount\n"
                f"{number},BASE,Base salary,earning,4000.00\n"
                f"{number},TAX,Wage tax,deduction,1000.00\n"
            ),
        },
    )
    run = PayrollRun.objects.get(period__year=2026, period__month=10)
    assert response.status_code == 302
    assert response["Location"] == run.get_absolute_url()
    assert run.payslips.get().net == Decimal("3000.00")
    assert run.prepared_by == payroll_officer
    assert run.source_name == "october.csv"


def test_import_page_lists_every_problem_and_changes_nothing(client, employee, payroll_officer):
    run = fill("2026-10", {employee: standard_lines()}, actor=payroll_officer)
    before = run.payslips.get().pk
    client.force_login(payroll_officer)
    page = client.post(
        reverse("payroll:import"),
        {
            "period": "2026-10",
            "file": _upload(
                "employee_number,code,label,kind,amount\n"
                "NOBODY,BASE,Base salary,earning,4000.00\n"
                f"{employee.employee.employee_number},TAX,Wage tax,tax,12,50\n"
            ),
        },
    ).content.decode()
    assert "nothing was imported" in page
    assert "No employee has the number" in page
    assert "fields but the header has" in page
    assert list(run.payslips.values_list("pk", flat=True)) == [before]


def test_import_page_takes_the_period_from_the_run_page_link(client, payroll_officer):
    client.force_login(payroll_officer)
    page = client.get(reverse("payroll:import"), {"period": "2026-10"}).content.decode()
    assert 'value="2026-10"' in page


def test_correction_form_round_trips_the_lines_and_issues_a_new_version(
    client, payslip, payroll_officer, django_capture_on_commit_callbacks
):
    client.force_login(payroll_officer)
    url = reverse("payroll:correct", args=[payslip.pk])
    form = client.get(url).context["form"]
    lines = form.initial["lines"].replace("4000.00", "4100.00")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"lines": lines, "reason": "Raise from 1 October"})
    new = Payslip.objects.get(employee=payslip.employee, period=payslip.period, version=2)
    assert response["Location"] == new.get_absolute_url()
    assert new.net - payslip.net == Decimal("100.00")
    assert new.status == Payslip.Status.RELEASED


def test_correction_form_refuses_lines_for_someone_else(
    client, payslip, other_employee, payroll_officer
):
    client.force_login(payroll_officer)
    url = reverse("payroll:correct", args=[payslip.pk])
    lines = (
        client.get(url)
        .context["form"]
        .initial["lines"]
        .replace(payslip.employee.employee_number, other_employee.employee.employee_number)
    )
    response = client.post(url, {"lines": lines, "reason": "Wrong person"})
    assert response.status_code == 200
    assert "Every line must be for employee" in response.content.decode()
    assert response.context["form"]["lines"].value() == lines  # nothing the officer typed is lost
    assert not Payslip.objects.filter(version=2).exists()
