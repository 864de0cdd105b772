"""The change-request workflow: who may decide, in which state, and applying exactly once."""

import datetime

import pytest
from django.utils import timezone

from ess.audit.models import AuditEvent
from ess.notifications.models import Notification, OutboxMessage
from hr import profile_services as services
from hr.models import ChangeRequest, PersonalProfile, ProfileChange
from hr.tasks import apply_due_change_requests
from tests.hr.factories import PersonalProfileFactory

Status = ChangeRequest.Status
NEW_ADDRESS = {
    "address_line1": "Mauritsweg 44",
    "address_line2": "",
    "postcode": "3012 JT",
    "city": "Rotterdam",
    "country": "NL",
}


@pytest.fixture
def profile(employee):
    return PersonalProfileFactory(employee=employee.employee, personal_email="emma@home.example")


def _submit(user, *, kind=ChangeRequest.Kind.ADDRESS, values=None, days=0):
    return services.change_request_submit(
        actor=user,
        employee=user.employee,
        kind=kind,
        values=values or NEW_ADDRESS,
        effective_date=timezone.localdate() + datetime.timedelta(days=days),
    )


def test_a_request_keeps_the_old_and_new_values_for_the_diff(profile, employee):
    request = _submit(employee)
    assert request.status == Status.PENDING
    assert request.previous["address_line1"] == "Coolsingel 40"
    assert request.proposed["address_line1"] == "Mauritsweg 44"
    assert Notification.objects.filter(recipient=employee, kind="hr_change_request").count() == 1
    assert AuditEvent.objects.filter(action="hr.change_request_submitted").count() == 1


def test_one_open_request_per_type(profile, employee):
    _submit(employee)
    with pytest.raises(services.ChangeRefused, match="already have an open request"):
        _submit(employee, values={**NEW_ADDRESS, "city": "Delft"})


def test_a_request_that_changes_nothing_is_refused(profile, employee):
    current = {
        "address_line1": "Coolsingel 40",
        "address_line2": "",
        "postcode": "3011 AD",
        "city": "Rotterdam",
        "country": "NL",
    }
    with pytest.raises(services.ChangeRefused, match="nothing would change"):
        _submit(employee, values=current)
    assert not ChangeRequest.objects.exists()


def test_approving_a_change_for_today_applies_it_with_history(profile, employee, hr_officer):
    request = _submit(employee)
    services.change_request_decide(actor=hr_officer, request=request, decision="approve")
    request.refresh_from_db()
    assert request.status == Status.APPLIED
    assert request.decided_by == hr_officer
    profile.refresh_from_db()
    assert (profile.address_line1, profile.postcode) == ("Mauritsweg 44", "3012 JT")
    changes = {c.field: c for c in ProfileChange.objects.filter(request=request)}
    assert set(changes) == {"address_line1", "postcode"}
    assert changes["postcode"].old_value == "3011 AD"
    assert changes["postcode"].source == ProfileChange.Source.CHANGE_REQUEST
    titles = list(Notification.objects.filter(recipient=employee).values_list("title", flat=True))
    assert any("approved" in t for t in titles)
    assert any("now in your profile" in t for t in titles)
    assert AuditEvent.objects.filter(action="hr.change_request_approved").exists()


def test_a_future_change_waits_for_its_date_and_applies_exactly_once(profile, employee, hr_officer):
    request = _submit(employee, days=10)
    services.change_request_decide(actor=hr_officer, request=request, decision="approve")
    request.refresh_from_db()
    assert request.status == Status.APPROVED
    today = timezone.localdate()
    assert services.change_requests_apply_due(today=today) == 0
    profile.refresh_from_db()
    assert profile.address_line1 == "Coolsingel 40"

    due_day = today + datetime.timedelta(days=10)
    assert services.change_requests_apply_due(today=due_day) == 1
    assert services.change_requests_apply_due(today=due_day) == 0  # a second beat run
    assert services.change_request_apply(request_id=request.pk) is False  # a stray retry
    profile.refresh_from_db()
    assert profile.address_line1 == "Mauritsweg 44"
    assert ProfileChange.objects.filter(request=request, field="address_line1").count() == 1
    assert AuditEvent.objects.filter(action="hr.change_request_applied").count() == 1
    assert Notification.objects.filter(title__contains="now in your profile").count() == 1


def test_the_beat_task_applies_due_changes(profile, employee, hr_officer):
    request = _submit(employee, days=0)
    ChangeRequest.objects.filter(pk=request.pk).update(
        status=Status.APPROVED, decided_by=hr_officer, decided_at=timezone.now()
    )
    assert apply_due_change_requests.delay().get() == 1
    assert apply_due_change_requests.delay().get() == 0
    request.refresh_from_db()
    assert request.status == Status.APPLIED


def test_nobody_decides_their_own_request(hr_officer):
    PersonalProfileFactory(employee=hr_officer.employee)
    request = _submit(hr_officer)
    with pytest.raises(services.ChangeRefused, match="own request"):
        services.change_request_decide(actor=hr_officer, request=request, decision="approve")
    request.refresh_from_db()
    assert request.status == Status.PENDING


@pytest.mark.parametrize("first", ["approve", "reject", "ask_info"])
def test_only_pending_requests_can_be_decided(profile, employee, hr_officer, first):
    request = _submit(employee, days=5)
    services.change_request_decide(actor=hr_officer, request=request, decision=first, note="x")
    for decision in ("approve", "reject", "ask_info"):
        with pytest.raises(services.ChangeRefused, match="no longer pending"):
            services.change_request_decide(
                actor=hr_officer, request=request, decision=decision, note="again"
            )


def test_of_two_officers_deciding_at_once_only_one_wins(profile, employee, hr_officer):
    from ess.accounts.roles import Role
    from tests.conftest import _role_holder

    second_officer = _role_holder("harriet@example.org", Role.HR_OFFICER)
    request = _submit(employee, days=5)
    # Both officers loaded the page while it was pending.
    seen_by_first = ChangeRequest.objects.get(pk=request.pk)
    seen_by_second = ChangeRequest.objects.get(pk=request.pk)
    services.change_request_decide(actor=hr_officer, request=seen_by_first, decision="approve")
    with pytest.raises(services.ChangeRefused):
        services.change_request_decide(
            actor=second_officer, request=seen_by_second, decision="reject", note="no"
        )
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (Status.APPROVED, hr_officer)


def test_rejecting_or_asking_needs_a_reason(profile, employee, hr_officer):
    request = _submit(employee)
    for decision in ("reject", "ask_info"):
        with pytest.raises(services.ChangeRefused, match="Say why"):
            services.change_request_decide(actor=hr_officer, request=request, decision=decision)


def test_an_answer_to_a_question_sends_the_request_back_to_hr(profile, employee, hr_officer):
    request = _submit(employee)
    services.change_request_decide(
        actor=hr_officer, request=request, decision="ask_info", note="Proof of address?"
    )
    request.refresh_from_db()
    assert request.status == Status.INFO_REQUESTED
    assert request.comments.get().body == "Proof of address?"
    services.change_request_comment(actor=employee, request=request, body="Attached the lease.")
    request.refresh_from_db()
    assert request.status == Status.PENDING
    assert request.comments.count() == 2


def test_withdrawing_is_for_the_owner_and_only_while_open(profile, employee, hr_officer):
    request = _submit(employee)
    with pytest.raises(services.ChangeRefused):
        services.change_request_withdraw(actor=hr_officer, request=request)
    services.change_request_withdraw(actor=employee, request=request)
    request.refresh_from_db()
    assert request.status == Status.WITHDRAWN
    with pytest.raises(services.ChangeRefused):
        services.change_request_withdraw(actor=employee, request=request)
    with pytest.raises(services.ChangeRefused):
        services.change_request_decide(actor=hr_officer, request=request, decision="approve")


BANK = {"iban": "DE89 3704 0044 0532 0130 00", "bank_account_holder": "E. de Vries"}


def test_a_bank_change_warns_every_address_on_file_once_per_step(profile, employee, hr_officer):
    request = _submit(employee, kind=ChangeRequest.Kind.BANK_ACCOUNT, values=BANK)
    requested = OutboxMessage.objects.filter(subject__contains="was requested")
    assert sorted(requested.values_list("to", flat=True)) == sorted(
        [employee.email, "emma@home.example"]
    )
    services.change_request_decide(actor=hr_officer, request=request, decision="approve")
    services.change_request_apply(request_id=request.pk)  # a duplicate run sends nothing more
    changed = OutboxMessage.objects.filter(subject__contains="was changed")
    assert sorted(changed.values_list("to", flat=True)) == sorted(
        [employee.email, "emma@home.example"]
    )
    profile.refresh_from_db()
    assert profile.iban == BANK["iban"]
    security = Notification.objects.filter(recipient=employee, kind="hr_personal_data_security")
    assert security.count() == 2


def test_direct_changes_apply_at_once_with_history_and_warn_the_old_address(profile, employee):
    changes = services.profile_update_direct(
        actor=employee,
        employee=employee.employee,
        preferred_name="Em",
        personal_phone="+31612345678",
        personal_email="emma@new.example",
        contacts=[services.ContactInput("Sam de Vries", "Partner", "+31687654321")],
    )
    assert set(changes) == {"preferred_name", "personal_email", "emergency_contacts"}
    profile.refresh_from_db()
    assert profile.preferred_name == "Em"
    assert employee.employee.emergency_contacts.get().name == "Sam de Vries"
    assert ProfileChange.objects.filter(source="self_service").count() == 3
    warned = OutboxMessage.objects.get(subject__contains="personal e-mail")
    assert warned.to == "emma@home.example"
    # Saving the same values again changes and records nothing.
    again = services.profile_update_direct(
        actor=employee,
        employee=employee.employee,
        preferred_name="Em",
        personal_phone="+31612345678",
        personal_email="emma@new.example",
        contacts=[services.ContactInput("Sam de Vries", "Partner", "+31687654321")],
    )
    assert again == {}
    assert ProfileChange.objects.count() == 3


def test_reading_someone_elses_secrets_is_audited_but_reading_your_own_is_not(
    profile, employee, hr_officer
):
    services.sensitive_read_record(
        actor=employee, employee=employee.employee, fields=["iban"], purpose="x"
    )
    assert not AuditEvent.objects.filter(action="hr.sensitive_read").exists()
    services.sensitive_read_record(
        actor=hr_officer, employee=employee.employee, fields=["iban"], purpose="review"
    )
    event = AuditEvent.objects.get(action="hr.sensitive_read")
    assert event.actor == hr_officer
    assert event.detail == {"fields": ["iban"], "purpose": "review"}


def test_a_profile_is_created_on_first_use(employee):
    assert not PersonalProfile.objects.exists()
    _submit(employee)
    assert PersonalProfile.objects.filter(employee=employee.employee).exists()
