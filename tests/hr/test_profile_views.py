"""My profile, change requests and the HR queue in the browser's terms: status codes, forms
that keep what was typed, escaping, masking and query ceilings."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ess.audit.models import AuditEvent
from hr import profile_services as services
from hr.models import ChangeRequest, PersonalProfile
from tests.accounts.test_people_access import reauthenticate
from tests.factories import EmployeeFactory
from tests.hr.factories import PersonalProfileFactory
from tests.matrix import Row, assert_access, expand

ADDRESS = {
    "address_line1": "Mauritsweg 44",
    "address_line2": "",
    "postcode": "3012 JT",
    "city": "Rotterdam",
    "country": "NL",
}


def _request_of(user, **values) -> ChangeRequest:
    PersonalProfile.objects.get_or_create(employee=user.employee)
    return services.change_request_submit(
        actor=user,
        employee=user.employee,
        kind=ChangeRequest.Kind.ADDRESS,
        values={**ADDRESS, **values},
        effective_date=timezone.localdate(),
    )


def emmas_request(request) -> str:
    return reverse("hr:request", args=[_request_of(request.getfixturevalue("employee")).pk])


def _action(name):
    def url(request) -> str:
        change = _request_of(request.getfixturevalue("employee"))
        return reverse(f"hr:{name}", args=[change.pk])

    url.__name__ = name
    return url


EVERYONE_OWN = {
    "anonymous": 302,
    "employee": 200,
    "other_employee": 200,
    "manager": 200,
    "hr_officer": 200,
    "payroll_officer": 200,
}
MATRIX = [
    Row("hr:profile", EVERYONE_OWN),
    Row("hr:profile_edit", EVERYONE_OWN),
    Row("hr:history", EVERYONE_OWN),
    Row(lambda r: reverse("hr:request_new", args=["address"]), EVERYONE_OWN, label="new-address"),
    Row(
        "hr:queue",
        {
            "anonymous": 302,
            "employee": 403,
            "other_employee": 403,
            "manager": 403,
            "hr_officer": 200,
            "payroll_officer": 403,
        },
    ),
    Row(
        emmas_request,
        {
            "anonymous": 302,
            "employee": 200,
            "other_employee": 404,
            "manager": 404,
            "hr_officer": 200,
            "payroll_officer": 404,
        },
    ),
    Row(
        _action("request_decide"),
        {
            "anonymous": 302,
            "employee": 403,
            "other_employee": 403,
            "manager": 403,
            "hr_officer": 302,
            "payroll_officer": 403,
        },
        method="post",
        data={"decision": "approve"},
    ),
    Row(
        _action("request_comment"),
        {
            "anonymous": 302,
            "employee": 302,
            "other_employee": 404,
            "manager": 404,
            "hr_officer": 302,
            "payroll_officer": 404,
        },
        method="post",
        data={"body": "Hello"},
    ),
    Row(
        _action("request_withdraw"),
        {
            "anonymous": 302,
            "employee": 302,
            "other_employee": 404,
            "manager": 404,
            "payroll_officer": 404,
        },
        method="post",
    ),
]


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_permission_matrix(client, request, row, who, manager):
    assert_access(client, request, row, who)


def test_request_ids_cannot_be_enumerated(client, employee, other_employee):
    ids = [_request_of(employee).pk]
    client.force_login(other_employee)
    for pk in range(1, max(ids) + 3):
        assert client.get(reverse("hr:request", args=[pk])).status_code == 404


def test_an_unknown_request_type_is_404(client, employee):
    client.force_login(employee)
    assert client.get(reverse("hr:request_new", args=["salary"])).status_code == 404


def test_a_bank_change_asks_for_the_password_again(client, employee):
    client.force_login(employee)
    response = client.get(reverse("hr:request_new_bank"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticate(client, employee)
    assert client.get(reverse("hr:request_new_bank")).status_code == 200


def test_a_bad_postcode_keeps_everything_typed_and_saves_nothing(client, employee):
    client.force_login(employee)
    data = {**ADDRESS, "postcode": "12345", "effective_date": timezone.localdate().isoformat()}
    response = client.post(reverse("hr:request_new", args=["address"]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["postcode"]
    assert "1234 AB" in form.errors["postcode"][0]
    html = response.content.decode()
    assert 'value="Mauritsweg 44"' in html
    assert 'value="12345"' in html
    assert not ChangeRequest.objects.exists()


def test_hostile_and_overlong_input_is_refused_on_its_field(client, employee):
    client.force_login(employee)
    data = {
        "legal_first_name": "<script>alert(1)</script>",
        "legal_last_name": "x" * 101,
        "effective_date": "2001-01-01",
    }
    response = client.post(reverse("hr:request_new", args=["legal_name"]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"legal_first_name", "legal_last_name", "effective_date"}
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("proof.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("proof.html", b"<html><script>alert(1)</script></html>"),
        ("<img src=x onerror=alert(1)>.pdf", b"<html>not a pdf</html>"),
    ],
)
def test_script_carrying_documents_are_refused_and_nothing_is_saved(
    client, employee, name, content
):
    client.force_login(employee)
    data = {
        **ADDRESS,
        "effective_date": timezone.localdate().isoformat(),
        "document": SimpleUploadedFile(name, content, content_type="application/pdf"),
    }
    response = client.post(reverse("hr:request_new", args=["address"]), data)
    assert response.status_code == 200
    assert "document" in response.context["form"].errors
    assert "onerror=alert" not in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_a_pdf_document_is_kept_and_readable_by_the_owner_and_hr_only(
    client, employee, other_employee, hr_officer
):
    client.force_login(employee)
    data = {
        **ADDRESS,
        "effective_date": timezone.localdate().isoformat(),
        "document": SimpleUploadedFile("lease.pdf", b"%PDF-1.4 lease", "application/pdf"),
    }
    response = client.post(reverse("hr:request_new", args=["address"]), data)
    change = ChangeRequest.objects.get()
    assert response["Location"] == reverse("hr:request", args=[change.pk])
    detail = client.get(response["Location"])
    attachment = detail.context["attachments"][0]
    url = reverse("content:attachment", args=[attachment.pk])
    assert client.get(url).status_code == 200
    client.force_login(hr_officer)
    assert client.get(url).status_code == 200
    client.force_login(other_employee)
    assert client.get(url).status_code in (403, 404)


def test_markup_in_free_text_is_shown_as_text(client, employee, hr_officer):
    change = _request_of(employee, address_line1="<img src=x onerror=alert(1)> 1")
    client.force_login(hr_officer)
    html = client.get(reverse("hr:request", args=[change.pk])).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; 1" in html


def test_hr_sees_masked_values_until_it_asks_and_that_is_audited(client, employee, hr_officer):
    PersonalProfileFactory(employee=employee.employee)
    change = services.change_request_submit(
        actor=employee,
        employee=employee.employee,
        kind=ChangeRequest.Kind.BANK_ACCOUNT,
        values={"iban": "DE89 3704 0044 0532 0130 00", "bank_account_holder": "E. de Vries"},
        effective_date=timezone.localdate(),
    )
    url = reverse("hr:request", args=[change.pk])
    client.force_login(hr_officer)
    masked = client.get(url).content.decode()
    assert "DE89 3704 0044 0532 0130 00" not in masked
    assert "•••• 3000" in masked
    assert not AuditEvent.objects.filter(action="hr.sensitive_read").exists()
    revealed = client.get(url + "?reveal=1").content.decode()
    assert "DE89 3704 0044 0532 0130 00" in revealed
    assert "NL91 ABNA 0417 1643 00" in revealed
    event = AuditEvent.objects.get(action="hr.sensitive_read")
    assert (event.actor, event.detail["fields"]) == (hr_officer, ["iban"])
    # The employee cannot switch the mask off through the URL.
    client.force_login(employee)
    assert "DE89 3704" not in client.get(url + "?reveal=1").content.decode()


def test_my_profile_masks_national_id_and_iban(client, employee):
    PersonalProfileFactory(employee=employee.employee)
    client.force_login(employee)
    html = client.get(reverse("hr:profile")).content.decode()
    assert "111222333" not in html
    assert "•••• 2333" in html
    assert "0417 1643" not in html
    assert "•••• 4300" in html
    assert "Coolsingel 40" in html


def test_editing_contact_details_saves_contacts_and_refuses_a_bad_phone_whole(client, employee):
    client.force_login(employee)
    url = reverse("hr:profile_edit")
    data = {
        "preferred_name": "Em",
        "personal_phone": "06 1234",
        "personal_email": "",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-name": "Sam de Vries",
        "contacts-0-relationship": "Partner",
        "contacts-0-phone": "+31687654321",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "personal_phone" in response.context["form"].errors
    assert not PersonalProfile.objects.filter(preferred_name="Em").exists()
    assert not employee.employee.emergency_contacts.exists()

    response = client.post(url, {**data, "personal_phone": "+31 6 1234 5678"})
    assert response.status_code == 302
    profile = PersonalProfile.objects.get(employee=employee.employee)
    assert (profile.preferred_name, profile.personal_phone) == ("Em", "+31612345678")
    assert employee.employee.emergency_contacts.get().phone == "+31687654321"
    history = client.get(reverse("hr:history")).content.decode()
    assert "Preferred name" in history
    assert "Sam de Vries" in history


def test_hr_decides_from_the_request_page(client, employee, hr_officer):
    change = _request_of(employee)
    client.force_login(hr_officer)
    response = client.post(
        reverse("hr:request_decide", args=[change.pk]), {"decision": "approve", "note": ""}
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.APPLIED
    # A second click finds it decided and says so instead of deciding twice.
    response = client.post(
        reverse("hr:request_decide", args=[change.pk]),
        {"decision": "reject", "note": "x"},
        follow=True,
    )
    assert "no longer pending" in response.content.decode()


def test_an_officer_cannot_decide_their_own_request_in_the_browser(client, hr_officer):
    change = _request_of(hr_officer)
    client.force_login(hr_officer)
    page = client.get(reverse("hr:request", args=[change.pk]))
    assert page.context["can_decide"] is False
    response = client.post(
        reverse("hr:request_decide", args=[change.pk]), {"decision": "approve"}, follow=True
    )
    assert "own request" in response.content.decode()
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.PENDING


def _queue_rows(count: int) -> None:
    for _ in range(count):
        _request_of(EmployeeFactory().user)


def test_the_queue_opens_on_pending_requests_within_a_fixed_number_of_queries(
    client, hr_officer, django_assert_max_num_queries
):
    _queue_rows(6)
    client.force_login(hr_officer)
    # session, user, role check (groups), MFA authenticator check, filter department choices,
    # count, page of requests (with employee, user, department, decider and comment count),
    # section badges (pending count) and the notification bell.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("hr:queue"))
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == 6
    _queue_rows(10)
    with django_assert_max_num_queries(12):
        client.get(reverse("hr:queue"))


def test_queue_filters_sorts_and_exports(client, hr_officer, employee):
    change = _request_of(employee)
    client.force_login(hr_officer)
    url = reverse("hr:queue")
    assert client.get(url, {"sort": "employee__profile__iban"}).status_code == 400
    assert client.get(url, {"sort": "-submitted_at"}).status_code == 200
    assert client.get(url, {"_export": "pickle"}).status_code == 400
    response = client.get(url, {"status": "nonsense"})
    assert response.status_code == 200
    department = employee.employee.department
    response = client.get(url, {"status": "pending", "department": department.pk, "age": "today"})
    assert [r.record.pk for r in response.context["table"].page.object_list] == [change.pk]
    export = client.get(url, {"status": "", "_export": "csv"})
    assert export.status_code == 200
    body = b"".join(export.streaming_content if export.streaming else [export.content]).decode()
    assert "Home address" in body
    assert employee.last_name in body
    assert "Mauritsweg" not in body  # the queue never carries the values themselves


def test_my_profile_stays_within_a_fixed_number_of_queries(
    client, employee, hr_officer, django_assert_max_num_queries
):
    PersonalProfileFactory(employee=employee.employee)
    for kind, values in [
        (ChangeRequest.Kind.ADDRESS, ADDRESS),
        (ChangeRequest.Kind.LEGAL_NAME, {"legal_first_name": "Em", "legal_last_name": "Vries"}),
        (ChangeRequest.Kind.TAX_RESIDENCY, {"tax_residency": "BE"}),
        (ChangeRequest.Kind.DATE_OF_BIRTH, {"date_of_birth": "1991-01-01"}),
        (ChangeRequest.Kind.NATIONAL_ID, {"national_id_country": "NL", "national_id": "123456782"}),
    ]:
        change = services.change_request_submit(
            actor=employee,
            employee=employee.employee,
            kind=kind,
            values=values,
            effective_date=timezone.localdate(),
        )
        services.change_request_decide(actor=hr_officer, request=change, decision="approve")
    client.force_login(employee)
    # session, user, employee with department/location/manager/profile, contacts,
    # requests, history (with its requests), section badges and the bell.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("hr:profile"))
    assert response.status_code == 200
    assert len(response.context["requests"]) == 5
    assert len(response.context["history"]) == 7  # one entry per field that changed


def emmas_record(request) -> str:
    employee = request.getfixturevalue("employee")
    return reverse("hr:employee_record", args=[employee.employee.pk])


RECORD_MATRIX = [
    Row(
        emmas_record,
        {
            "anonymous": 302,
            "employee": 403,
            "other_employee": 403,
            "manager": 403,
            "hr_officer": 200,
            "payroll_officer": 403,
        },
    )
]


@pytest.mark.parametrize(("row", "who"), expand(RECORD_MATRIX))
def test_hr_record_permission_matrix(client, request, row, who, manager):
    assert_access(client, request, row, who)


def test_hr_record_masks_secrets_until_revealed_and_audits_the_reveal(client, employee, hr_officer):
    from tests.hr.factories import CompensationFactory

    PersonalProfileFactory(employee=employee.employee)
    CompensationFactory(employee=employee.employee)
    client.force_login(hr_officer)
    url = reverse("hr:employee_record", args=[employee.employee.pk])
    html = client.get(url).content.decode()
    assert "111222333" not in html
    assert "61" not in html.split("Annual base salary")[1][:80]
    assert not AuditEvent.objects.filter(action="hr.sensitive_read").exists()
    html = client.get(url + "?reveal=1").content.decode()
    assert "111222333" in html
    assert "NL91 ABNA 0417 1643 00" in html
    assert "61,873.45" in html
    event = AuditEvent.objects.get(action="hr.sensitive_read")
    assert event.detail == {
        "fields": ["annual_base_salary", "iban", "national_id"],
        "purpose": "hr_record_view",
    }
    assert client.get(reverse("hr:employee_record", args=[99999])).status_code == 404


def test_saving_the_profile_keeps_contacts_that_were_not_touched(client, employee):
    services.profile_update_direct(
        actor=employee,
        employee=employee.employee,
        preferred_name="",
        personal_phone="",
        personal_email="",
        contacts=[
            services.ContactInput("Sam de Vries", "Partner", "+31687654321"),
            services.ContactInput("Ria de Vries", "Parent", "+31611122233"),
        ],
    )
    client.force_login(employee)
    url = reverse("hr:profile_edit")
    form = client.get(url).context["formset"]
    data = {
        "preferred_name": "",
        "personal_phone": "+31 6 1234 5678",  # the only change
        "personal_email": "",
        "contacts-TOTAL_FORMS": str(form.total_form_count()),
        "contacts-INITIAL_FORMS": "2",
        "contacts-0-name": "Sam de Vries",
        "contacts-0-relationship": "Partner",
        "contacts-0-phone": "+31687654321",
        "contacts-1-name": "Ria de Vries",
        "contacts-1-relationship": "Parent",
        "contacts-1-phone": "+31611122233",
    }
    assert client.post(url, data).status_code == 302
    names = list(employee.employee.emergency_contacts.values_list("name", flat=True))
    assert names == ["Sam de Vries", "Ria de Vries"]
    # Ticking "delete" on one removes that one only.
    client.post(url, {**data, "contacts-1-DELETE": "on"})
    names = list(employee.employee.emergency_contacts.values_list("name", flat=True))
    assert names == ["Sam de Vries"]


def test_hr_opening_a_supporting_document_is_a_sensitive_read(client, employee, hr_officer):
    client.force_login(employee)
    reauthenticate(client, employee)
    data = {
        "iban": "DE89 3704 0044 0532 0130 00",
        "bank_account_holder": "E. de Vries",
        "effective_date": timezone.localdate().isoformat(),
        "document": SimpleUploadedFile("statement.pdf", b"%PDF-1.4 iban", "application/pdf"),
    }
    response = client.post(reverse("hr:request_new_bank"), data)
    assert response.status_code == 302, response.content.decode()[:500]
    change = ChangeRequest.objects.get()
    attachment = client.get(response["Location"]).context["attachments"][0]
    url = reverse("content:attachment", args=[attachment.pk])
    assert client.get(url).status_code == 200  # the owner: not audited
    assert not AuditEvent.objects.filter(action="hr.sensitive_read").exists()
    client.force_login(hr_officer)
    assert client.get(url).status_code == 200
    event = AuditEvent.objects.get(action="hr.sensitive_read")
    assert event.actor == hr_officer
    assert event.detail["fields"] == ["iban", "supporting_document"]
    assert change.employee.pk == int(event.target_id)
