"""The request → approval → production → revocation workflow, with its notifications and
audit trail."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ess.audit.models import AuditEvent
from ess.notifications.models import Notification
from hr.letters import services
from hr.letters.models import Letter, LetterPdf
from tests.factories import EmployeeFactory
from tests.letters.factories import (
    CompensationFactory,
    issued_letter,
    make_template,
    request_letter,
)

pytestmark = pytest.mark.django_db
Status = Letter.Status


def _productions(callbacks) -> int:
    """How many of the on-commit callbacks queue a letter's production (others send mail)."""
    return sum("_queue_production" in c.__qualname__ for c in callbacks)


def _kinds_for(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_a_letter_without_salary_is_produced_after_commit(
    employee, employment_template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        letter = request_letter(employee, employment_template)
    assert _productions(callbacks) == 1
    letter.refresh_from_db()
    assert letter.status == Status.ISSUED
    assert len(letter.verification_code) == 16
    assert LetterPdf.objects.filter(letter=letter).count() == 1
    assert any("ready" in title for title in _kinds_for(employee))
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"letters.requested", "letters.issued"} <= actions
    # No salary was read for it.
    assert not AuditEvent.objects.filter(action="hr.sensitive_read").exists()


def test_nothing_is_produced_if_the_request_is_rolled_back(
    employee, employment_template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        letter = request_letter(employee, employment_template)
    assert _productions(callbacks) == 1
    letter.refresh_from_db()
    assert letter.status == Status.QUEUED
    assert not LetterPdf.objects.exists()


def test_a_salary_letter_waits_for_hr_and_tells_both_sides(
    employee, hr_officer, paid, salary_letter_template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        letter = request_letter(employee, salary_letter_template)
    assert _productions(callbacks) == 0
    assert letter.status == Status.PENDING
    assert letter.is_salary
    assert any("waiting for HR" in title for title in _kinds_for(employee))
    assert Notification.objects.filter(recipient=hr_officer, kind="letter_approvals").exists()


def test_a_salary_letter_is_refused_without_pay_on_record(employee, salary_letter_template):
    with pytest.raises(ValidationError) as caught:
        request_letter(employee, salary_letter_template)
    assert caught.value.code == "no_compensation"
    assert "no salary on record" in caught.value.messages[0]
    assert not Letter.objects.exists()


def test_pay_that_starts_in_the_future_does_not_count(employee, salary_letter_template):
    CompensationFactory(
        employee=employee.employee, effective_from=timezone.localdate() + datetime.timedelta(30)
    )
    with pytest.raises(ValidationError):
        request_letter(employee, salary_letter_template)


def test_approval_produces_the_letter_and_audits_the_salary_read(
    employee, hr_officer, paid, salary_letter_template, django_capture_on_commit_callbacks
):
    letter = request_letter(employee, salary_letter_template)
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_approve(letter=letter, actor=hr_officer, note="Fine")
    letter.refresh_from_db()
    assert letter.status == Status.ISSUED
    assert letter.decided_by == hr_officer
    assert "€61,873.45" in letter.text
    assert "€5,156.12" in letter.text  # a twelfth, rounded half up
    read = AuditEvent.objects.get(action="hr.sensitive_read")
    assert read.detail["fields"] == ["annual_base_salary"]
    assert read.detail["purpose"] == "letter"
    assert read.target_id == str(employee.employee.pk)
    assert read.actor == hr_officer
    titles = _kinds_for(employee)
    assert any("approved" in t for t in titles)
    assert any("ready" in t for t in titles)


def test_reject_needs_a_note_and_tells_the_employee(
    employee, hr_officer, paid, salary_letter_template
):
    letter = request_letter(employee, salary_letter_template)
    with pytest.raises(ValidationError):
        services.letter_reject(letter=letter, actor=hr_officer, note="  ")
    services.letter_reject(letter=letter, actor=hr_officer, note="Use the bank's own form.")
    letter.refresh_from_db()
    assert letter.status == Status.REJECTED
    assert any("declined" in t for t in _kinds_for(employee))
    assert AuditEvent.objects.filter(action="letters.rejected").exists()


def test_nobody_decides_their_own_request(hr_officer, salary_letter_template):
    CompensationFactory(employee=hr_officer.employee)
    letter = request_letter(hr_officer, salary_letter_template)
    for decide in (
        lambda: services.letter_approve(letter=letter, actor=hr_officer),
        lambda: services.letter_reject(letter=letter, actor=hr_officer, note="no"),
    ):
        with pytest.raises(ValidationError) as caught:
            decide()
        assert caught.value.code == "own_request"
    letter.refresh_from_db()
    assert letter.status == Status.PENDING


def test_only_hr_decides(employee, other_employee, manager, paid, salary_letter_template):
    letter = request_letter(employee, salary_letter_template)
    for outsider in (other_employee, manager):
        with pytest.raises(ValidationError):
            services.letter_approve(letter=letter, actor=outsider)


@pytest.mark.parametrize(
    "status", [Status.QUEUED, Status.ISSUED, Status.REJECTED, Status.WITHDRAWN]
)
def test_only_pending_requests_can_be_decided(
    employee, hr_officer, paid, salary_letter_template, status
):
    letter = request_letter(employee, salary_letter_template)
    Letter.objects.filter(pk=letter.pk).update(status=status)
    with pytest.raises(ValidationError) as caught:
        services.letter_approve(letter=letter, actor=hr_officer)
    assert caught.value.code == "illegal_transition"
    with pytest.raises(ValidationError):
        services.letter_reject(letter=letter, actor=hr_officer, note="no")
    letter.refresh_from_db()
    assert letter.status == status


def test_a_decision_on_a_stale_copy_loses_to_the_first(
    employee, hr_officer, admin_user, paid, salary_letter_template
):
    """Two officers open the same request; the second click finds it decided. The check
    is the UPDATE's own condition, not the (stale) status in memory."""
    letter = request_letter(employee, salary_letter_template)
    first, second = Letter.objects.get(pk=letter.pk), Letter.objects.get(pk=letter.pk)
    services.letter_reject(letter=first, actor=hr_officer, note="Ask again in May.")
    assert second.status == Status.PENDING  # still thinks it is open
    with pytest.raises(ValidationError) as caught:
        services.letter_approve(letter=second, actor=admin_user)
    assert "declined" in caught.value.messages[0]
    letter.refresh_from_db()
    assert (letter.status, letter.decided_by) == (Status.REJECTED, hr_officer)
    assert (
        AuditEvent.objects.filter(action__in=["letters.approved", "letters.rejected"]).count() == 1
    )


def test_production_is_idempotent(employee, employment_template):
    letter = request_letter(employee, employment_template)
    assert services.letter_produce(letter_id=letter.pk) is True
    letter.refresh_from_db()
    pdf = LetterPdf.objects.get(letter=letter)
    before = (letter.verification_code, letter.issued_at, pdf.sha256, bytes(pdf.token))
    assert services.letter_produce(letter_id=letter.pk) is False
    assert services.letter_produce(letter_id=letter.pk) is False
    letter.refresh_from_db()
    pdf.refresh_from_db()
    assert (letter.verification_code, letter.issued_at, pdf.sha256, bytes(pdf.token)) == before
    assert LetterPdf.objects.count() == 1
    assert AuditEvent.objects.filter(action="letters.issued").count() == 1
    assert Notification.objects.filter(recipient=employee, title__contains="ready").count() == 1


def test_production_of_a_pending_or_missing_letter_does_nothing(
    employee, paid, salary_letter_template
):
    letter = request_letter(employee, salary_letter_template)
    assert services.letter_produce(letter_id=letter.pk) is False
    assert services.letter_produce(letter_id=999_999) is False
    letter.refresh_from_db()
    assert letter.status == Status.PENDING


def test_pay_removed_after_approval_fails_the_letter_and_hr_can_retry(
    employee, hr_officer, paid, salary_letter_template
):
    letter = request_letter(employee, salary_letter_template)
    services.letter_approve(letter=letter, actor=hr_officer)
    paid.delete()
    assert services.letter_produce(letter_id=letter.pk) is False
    letter.refresh_from_db()
    assert letter.status == Status.FAILED
    assert "no salary" in letter.error
    assert Notification.objects.filter(
        recipient=hr_officer, kind="letter_approvals", title__contains="could not be produced"
    ).exists()
    CompensationFactory(employee=employee.employee, annual_base_salary=Decimal("50000"))
    services.letter_retry(letter=letter, actor=hr_officer)
    assert services.letter_produce(letter_id=letter.pk) is True
    letter.refresh_from_db()
    assert letter.status == Status.ISSUED
    assert "€50,000.00" in letter.text


def test_the_letter_keeps_the_wording_it_was_requested_with(
    employee, hr_officer, employment_template
):
    letter = request_letter(employee, employment_template)
    services.template_update(
        template=employment_template,
        actor=hr_officer,
        name=employment_template.name,
        purpose=employment_template.purpose,
        language="en",
        subject="A new subject",
        body="Completely new wording for {full_name}.",
    )
    employment_template.refresh_from_db()
    assert employment_template.current_version.number == 2
    services.letter_produce(letter_id=letter.pk)
    letter.refresh_from_db()
    assert letter.template_version.number == 1
    assert letter.text.startswith("Confirmation of employment")
    assert "new wording" not in letter.text


def test_saving_unchanged_wording_writes_no_new_version(hr_officer, employment_template):
    version = employment_template.current_version
    services.template_update(
        template=employment_template,
        actor=hr_officer,
        name="Renamed",
        purpose=employment_template.purpose,
        language="en",
        subject=version.subject,
        body=version.body + "\r\n",
        is_active=False,
    )
    employment_template.refresh_from_db()
    assert employment_template.current_version_id == version.pk
    assert (employment_template.name, employment_template.is_active) == ("Renamed", False)


def test_inactive_templates_cannot_be_requested(employee, hr_officer, letterhead):
    template = make_template(actor=hr_officer, is_active=False)
    with pytest.raises(ValidationError):
        request_letter(employee, template)


def test_someone_without_an_employment_record_cannot_request(employment_template):
    from tests.factories import UserFactory

    with pytest.raises(ValidationError) as caught:
        request_letter(UserFactory(), employment_template)
    assert caught.value.code == "no_employee"


def test_only_hr_writes_templates(employee, letterhead):
    with pytest.raises(ValidationError):
        make_template(actor=employee)


def test_revoking_an_issued_letter(employee, hr_officer, employment_template):
    letter = issued_letter(employee, employment_template)
    with pytest.raises(ValidationError):
        services.letter_revoke(letter=letter, actor=hr_officer, reason="")
    services.letter_revoke(letter=letter, actor=hr_officer, reason="Issued to the wrong address")
    letter.refresh_from_db()
    assert letter.status == Status.REVOKED
    assert letter.revoked_by == hr_officer
    event = AuditEvent.objects.get(action="letters.revoked")
    assert event.detail["code"] == letter.verification_code
    assert any("revoked" in t for t in _kinds_for(employee))
    with pytest.raises(ValidationError):
        services.letter_revoke(letter=letter, actor=hr_officer, reason="again")


def test_employee_withdraws_their_own_pending_request(
    employee, other_employee, paid, salary_letter_template
):
    letter = request_letter(employee, salary_letter_template)
    with pytest.raises(ValidationError):
        services.letter_withdraw(letter=letter, actor=other_employee)
    services.letter_withdraw(letter=letter, actor=employee)
    letter.refresh_from_db()
    assert letter.status == Status.WITHDRAWN


def test_the_legal_name_is_used_when_recorded(employee, employment_template):
    from hr.models import PersonalProfile

    PersonalProfile.objects.create(
        employee=employee.employee, legal_first_name="Emma Johanna", legal_last_name="de Vries"
    )
    letter = issued_letter(employee, employment_template)
    assert "Emma Johanna de Vries" in letter.text


def test_a_second_hr_officer_from_another_team_is_told_too(
    employee, hr_officer, paid, salary_letter_template
):
    from ess.accounts.roles import Role

    colleague = EmployeeFactory(user__roles=[Role.EMPLOYEE, Role.HR_OFFICER]).user
    request_letter(employee, salary_letter_template)
    assert Notification.objects.filter(kind="letter_approvals").count() == 2
    assert Notification.objects.filter(recipient=colleague, kind="letter_approvals").exists()


def test_an_employee_cannot_flood_the_desk_with_requests(employee, employment_template):
    for _ in range(services.DAILY_REQUEST_LIMIT):
        request_letter(employee, employment_template)
    with pytest.raises(ValidationError) as caught:
        request_letter(employee, employment_template)
    assert caught.value.code == "too_many"
    Letter.objects.update(requested_at=timezone.now() - datetime.timedelta(days=2))
    request_letter(employee, employment_template)
