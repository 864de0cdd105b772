"""The letter pages: who reaches what, the request form, downloads, the HR desk."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ess.audit.models import AuditEvent
from hr.letters import services
from hr.letters.models import Letter, LetterTemplate
from tests.factories import DepartmentFactory, EmployeeFactory
from tests.letters.factories import (
    CompensationFactory,
    issued_letter,
    make_template,
    request_letter,
)
from tests.matrix import Row, assert_access, expand

pytestmark = pytest.mark.django_db

EVERYONE = ("employee", "other_employee", "manager", "hr_officer", "payroll_officer")


def _issued(request) -> Letter:
    employee = request.getfixturevalue("employee")
    return issued_letter(employee, request.getfixturevalue("employment_template"))


def _pending(request) -> Letter:
    employee = request.getfixturevalue("employee")
    request.getfixturevalue("paid")
    return request_letter(employee, request.getfixturevalue("salary_letter_template"))


def _url(name: str, make=_issued):
    def build(request):
        return reverse(name, args=[make(request).pk])

    build.__name__ = f"{name}-{make.__name__.strip('_')}"
    return build


def _template_url(request):
    return reverse(
        "letters:template_edit", args=[request.getfixturevalue("employment_template").pk]
    )


def _everyone(status: int) -> dict[str, int]:
    return {"anonymous": 302, **dict.fromkeys(EVERYONE, status)}


# The owner and HR reach a letter; anyone else, the owner's manager included, gets a 404.
OWNER_AND_HR = {
    "anonymous": 302,
    "employee": 200,
    "other_employee": 404,
    "manager": 404,
    "payroll_officer": 404,
    "hr_officer": 200,
}
HR_ONLY = {
    "anonymous": 302,
    "employee": 404,
    "other_employee": 404,
    "manager": 404,
    "payroll_officer": 404,
    "hr_officer": 200,
}
HR_ACTION = {**HR_ONLY, "hr_officer": 302}

MATRIX = [
    Row("letters:mine", _everyone(200)),
    Row("letters:request", _everyone(200)),
    Row(_url("letters:detail"), OWNER_AND_HR),
    Row(_url("letters:detail", _pending), OWNER_AND_HR),
    Row(_url("letters:pdf"), OWNER_AND_HR),
    Row(_url("letters:pdf", _pending), {**OWNER_AND_HR, "employee": 404, "hr_officer": 404}),
    Row(
        _url("letters:withdraw", _pending),
        {**OWNER_AND_HR, "employee": 302, "hr_officer": 302},
        method="post",
    ),
    Row(_url("letters:approve", _pending), HR_ACTION, method="post"),
    Row(_url("letters:reject", _pending), HR_ACTION, method="post", data={"note": "No."}),
    Row(_url("letters:revoke"), HR_ACTION, method="post", data={"reason": "Wrong address"}),
    Row(_url("letters:retry"), HR_ACTION, method="post"),
    Row("letters:queue", HR_ONLY),
    Row("letters:verify", HR_ONLY),
    Row("letters:templates", HR_ONLY),
    Row("letters:template_create", HR_ONLY),
    Row(_template_url, HR_ONLY, label="template_edit"),
    Row("letters:letterhead", HR_ONLY),
]


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_permission_matrix(client, request, row, who):
    assert_access(client, request, row, who)


def test_the_matrix_covers_every_url():
    from hr.letters.urls import urlpatterns

    covered = {row.url if isinstance(row.url, str) else row.name for row in MATRIX}
    for pattern in urlpatterns:
        assert any(f"letters:{pattern.name}" in name or pattern.name in name for name in covered)


# --- Employees ------------------------------------------------------------------------------
def test_employee_requests_a_letter_and_reads_it(
    client, employee, employment_template, django_capture_on_commit_callbacks
):
    client.force_login(employee)
    page = client.get(reverse("letters:request")).content.decode()
    assert "Employment confirmation" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("letters:request"),
            {
                "template": employment_template.pk,
                "addressee": "  Maasstad   Housing ",
                "purpose": "rental application",
            },
        )
    letter = Letter.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("letters:detail", args=[letter.pk])
    assert letter.addressee == "Maasstad Housing"
    page = client.get(response["Location"]).content.decode()
    assert "Ready" in page
    assert letter.display_code in page
    assert "Issued for: rental application." in page
    assert reverse("letters:pdf", args=[letter.pk]) in page


@pytest.mark.parametrize(
    ("addressee", "message"),
    [
        ("<script>alert(1)</script>", "Leave out the signs"),
        ("{user.password}", "Leave out the signs"),
        ("See https://evil.example", "Leave out web addresses"),
        ("www.evil.example", "Leave out web addresses"),
        ("Bank\x07 Ltd", "control characters"),
        ("Bank\x00", "Null characters are not allowed"),
        ("!!", "Write who the letter is addressed to"),
    ],
)
def test_the_addressee_is_validated(client, employee, employment_template, addressee, message):
    client.force_login(employee)
    response = client.post(
        reverse("letters:request"),
        {"template": employment_template.pk, "addressee": addressee, "purpose": "rent"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Letter.objects.exists()


def test_a_salary_letter_without_pay_on_record_is_refused_with_a_clear_message(
    client, employee, salary_letter_template
):
    client.force_login(employee)
    response = client.post(
        reverse("letters:request"),
        {"template": salary_letter_template.pk, "addressee": "ING Bank", "purpose": "mortgage"},
    )
    assert response.status_code == 200
    assert "We have no salary on record for you" in response.content.decode()
    assert not Letter.objects.exists()


def test_inactive_templates_are_not_offered(client, employee, hr_officer, letterhead):
    make_template(actor=hr_officer, name="Old letter", is_active=False)
    make_template(actor=hr_officer, name="Current letter")
    client.force_login(employee)
    page = client.get(reverse("letters:request")).content.decode()
    assert "Current letter" in page
    assert "Old letter" not in page


def test_the_download_is_an_uncached_attachment(client, employee, employment_template):
    letter = issued_letter(employee, employment_template)
    client.force_login(employee)
    response = client.get(reverse("letters:pdf", args=[letter.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="employment-confirmation-'
    )
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"%PDF")


def test_a_revoked_letter_is_no_longer_downloaded_by_its_owner_but_hr_keeps_it(
    client, employee, hr_officer, employment_template
):
    letter = issued_letter(employee, employment_template)
    services.letter_revoke(letter=letter, actor=hr_officer, reason="Wrong address")
    client.force_login(employee)
    response = client.get(reverse("letters:pdf", args=[letter.pk]), follow=True)
    assert "was revoked" in response.content.decode()
    client.force_login(hr_officer)
    assert client.get(reverse("letters:pdf", args=[letter.pk])).status_code == 200


def test_hr_sees_no_letter_text_on_the_page(client, employee, hr_officer, employment_template):
    letter = issued_letter(employee, employment_template)
    client.force_login(hr_officer)
    page = client.get(reverse("letters:detail", args=[letter.pk])).content.decode()
    assert "Issued for: rent" not in page
    assert letter.display_code in page


def test_hr_cannot_decide_on_their_own_request_in_the_page(
    client, hr_officer, salary_letter_template
):
    CompensationFactory(employee=hr_officer.employee)
    letter = request_letter(hr_officer, salary_letter_template)
    client.force_login(hr_officer)
    page = client.get(reverse("letters:detail", args=[letter.pk])).content.decode()
    assert "Another HR officer decides" in page
    assert reverse("letters:approve", args=[letter.pk]) not in page
    response = client.post(reverse("letters:approve", args=[letter.pk]), follow=True)
    assert "cannot decide on your own letter" in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == Letter.Status.PENDING


def test_hr_approves_from_the_page(
    client, employee, hr_officer, paid, salary_letter_template, django_capture_on_commit_callbacks
):
    letter = request_letter(employee, salary_letter_template)
    client.force_login(hr_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("letters:approve", args=[letter.pk]), {"note": "OK"}, follow=True
        )
    assert "Approved" in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == Letter.Status.ISSUED
    # A second press finds it decided.
    response = client.post(reverse("letters:reject", args=[letter.pk]), {"note": "x"}, follow=True)
    assert "cannot be declined" in response.content.decode()


# --- Verification ---------------------------------------------------------------------------
def test_hr_verifies_a_code_typed_loosely(client, employee, hr_officer, employment_template):
    letter = issued_letter(employee, employment_template)
    typed = " ".join(letter.display_code.lower().split("-"))
    client.force_login(hr_officer)
    page = client.get(reverse("letters:verify"), {"code": typed}).content.decode()
    assert "Genuine letter" in page
    assert employee.get_full_name() in page
    assert employment_template.name in page
    assert letter.letterpdf.sha256 in page
    event = AuditEvent.objects.get(action="letters.verified")
    assert event.detail == {"code": letter.verification_code, "found": True}


def test_verifying_a_revoked_letter_says_so(client, employee, hr_officer, employment_template):
    letter = issued_letter(employee, employment_template)
    services.letter_revoke(letter=letter, actor=hr_officer, reason="Superseded by a new letter")
    client.force_login(hr_officer)
    page = client.get(reverse("letters:verify"), {"code": letter.display_code}).content.decode()
    assert "Revoked: this letter is no longer valid" in page
    assert "Superseded by a new letter" in page
    assert "Genuine letter" not in page


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKMN-PQRS", "nonsense", "' OR 1=1 --"])
def test_an_unknown_code_finds_nothing(client, employee, hr_officer, employment_template, code):
    issued_letter(employee, employment_template)
    client.force_login(hr_officer)
    page = client.get(reverse("letters:verify"), {"code": code}).content.decode()
    assert "No letter found" in page
    assert AuditEvent.objects.filter(action="letters.verified").get().detail["found"] is False


# --- Templates and letterhead ---------------------------------------------------------------
def _template_form(**overrides):
    return {
        "name": "Visa letter",
        "purpose": LetterTemplate.Purpose.VISA,
        "language": "en",
        "description": "For an embassy",
        "is_active": "on",
        "subject": "Visa support for {full_name}",
        "body": "Dear consul,\n\n{full_name} works for us since {start_date}.",
        **overrides,
    }


def test_hr_creates_and_edits_a_template_with_versions(client, hr_officer, letterhead):
    client.force_login(hr_officer)
    response = client.post(reverse("letters:template_create"), _template_form())
    template = LetterTemplate.objects.get(name="Visa letter")
    assert response["Location"] == reverse("letters:template_edit", args=[template.pk])
    client.post(
        response["Location"],
        _template_form(body="Dear consul,\n\n{full_name} earns {annual_base_salary}."),
    )
    template.refresh_from_db()
    assert template.current_version.number == 2
    assert template.current_version.uses_salary
    page = client.get(response["Location"]).content.decode()
    assert "Version 1" in page
    assert "Version 2" in page


@pytest.mark.parametrize(
    "body", ["{user.password}", "{0.__class__}", "{{ request.user }}", "Unclosed {full_name"]
)
def test_a_hostile_template_is_refused_in_the_form(client, hr_officer, letterhead, body):
    client.force_login(hr_officer)
    response = client.post(reverse("letters:template_create"), _template_form(body=body))
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert not LetterTemplate.objects.exists()


def test_hr_sets_the_letterhead(client, hr_officer):
    client.force_login(hr_officer)
    assert "not set up yet" in client.get(reverse("letters:templates")).content.decode()
    client.post(
        reverse("letters:letterhead"),
        {
            "company_name": "Northwind Logistics",
            "address": "Maashaven 12\nRotterdam",
            "contact_line": "",
            "signatory_name": "Hanna Hr",
            "signatory_title": "HR Advisor",
        },
    )
    assert "not set up yet" not in client.get(reverse("letters:templates")).content.decode()
    page = client.get(reverse("letters:letterhead")).content.decode()
    assert "Maashaven 12" in page


# --- The HR queue ---------------------------------------------------------------------------
@pytest.fixture
def queue(employee, other_employee, hr_officer, employment_template, salary_letter_template):
    """Seven letters from five people in two departments, some pending, some old."""
    people = [employee, other_employee] + [EmployeeFactory().user for _ in range(3)]
    letters = [issued_letter(user, employment_template) for user in people]
    for user in people[:2]:
        CompensationFactory(employee=user.employee)
        letters.append(request_letter(user, salary_letter_template))
    Letter.objects.filter(pk=letters[0].pk).update(
        requested_at=timezone.now() - datetime.timedelta(days=45)
    )
    return letters


def test_queue_filters_by_status_department_and_age(client, hr_officer, queue, employee):
    client.force_login(hr_officer)
    url = reverse("letters:queue")

    def rows(**params) -> int:
        return client.get(url, params).context["table"].page.paginator.count

    assert rows() == 7
    assert rows(status="pending") == 2
    assert rows(status="issued") == 5
    assert rows(department=employee.employee.department_id) == 2
    assert rows(age="older") == 1
    assert rows(age="7") == 6
    assert rows(q=employee.last_name) >= 2
    assert rows(template=queue[-1].template_id) == 2


def test_queue_exports_csv_and_xlsx(client, hr_officer, queue):
    client.force_login(hr_officer)
    response = client.get(reverse("letters:queue"), {"_export": "csv", "status": "pending"})
    assert response.status_code == 200
    lines = b"".join(response.streaming_content if response.streaming else [response.content])
    text = lines.decode()
    assert text.splitlines()[0].startswith("Requested,Employee,Employee number")
    assert len(text.strip().splitlines()) == 3
    assert "Waiting for HR approval" in text
    response = client.get(reverse("letters:queue"), {"_export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize(
    "params", [{"sort": "employee__user__password"}, {"sort": "-text"}, {"_export": "json"}]
)
def test_queue_refuses_unknown_sort_keys_and_formats(client, hr_officer, params):
    client.force_login(hr_officer)
    assert client.get(reverse("letters:queue"), params).status_code == 400


def test_queue_query_count_is_fixed(client, hr_officer, queue, django_assert_max_num_queries):
    client.force_login(hr_officer)
    # session, user, groups (role check), MFA check, count, page of letters with employee,
    # user, department and template joined, filter choices: templates, departments; the
    # frame: unread count
    with django_assert_max_num_queries(9):
        response = client.get(reverse("letters:queue"))
    assert response.content.decode().count('href="/letters/') >= 7 + 4


def test_my_letters_query_count_is_fixed(
    client, employee, employment_template, django_assert_max_num_queries
):
    for _ in range(6):
        issued_letter(employee, employment_template)
    client.force_login(employee)
    # session, user, count, page of letters with their template; the frame: groups (role
    # checks for the navigation), unread count, policies' nav check
    with django_assert_max_num_queries(7):
        response = client.get(reverse("letters:mine"))
    page = response.content.decode()
    assert page.count("/pdf/") == 6


def test_template_list_query_count_is_fixed(
    client, hr_officer, letterhead, django_assert_max_num_queries
):
    for n in range(6):
        make_template(actor=hr_officer, name=f"Letter {n}")
    client.force_login(hr_officer)
    # session, user, groups, MFA check, templates with their current version, letterhead
    # exists; the frame: unread count
    with django_assert_max_num_queries(7):
        response = client.get(reverse("letters:templates"))
    assert response.content.decode().count("/letters/templates/") >= 6


def test_department_filter_offers_departments(client, hr_officer):
    DepartmentFactory(name="Customs")
    client.force_login(hr_officer)
    assert "Customs" in client.get(reverse("letters:queue")).content.decode()
