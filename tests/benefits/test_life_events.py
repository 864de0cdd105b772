import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ess.accounts.roles import Role
from ess.audit.models import AuditEvent
from ess.content.models import Attachment
from ess.notifications.models import Notification
from hr.benefits import services
from hr.benefits.models import LIFE_EVENT_CHANGE_DAYS, Election, LifeEvent
from tests.benefits.factories import (
    DependentFactory,
    LifeEventFactory,
    PlanFactory,
    closed_window,
    today,
)
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_hr(db):
    return EmployeeFactory(
        user__email="henk@example.org", user__roles=[Role.EMPLOYEE, Role.HR_OFFICER]
    ).user


def _report(user, **kwargs):
    fields = {"kind": LifeEvent.Kind.BIRTH, "event_date": today() - datetime.timedelta(days=2)}
    return services.life_event_report(employee=user.employee, actor=user, **{**fields, **kwargs})


def test_a_life_event_is_reported_within_sixty_days_and_not_long_before(employee):
    with pytest.raises(ValidationError) as caught:
        _report(employee, event_date=today() - datetime.timedelta(days=61))
    assert "event_date" in caught.value.message_dict
    with pytest.raises(ValidationError):
        _report(employee, event_date=today() + datetime.timedelta(days=31))
    event = _report(employee)
    assert event.status == LifeEvent.Status.PENDING
    assert event.plan_year == event.event_date.year
    with pytest.raises(ValidationError) as caught:
        _report(employee)  # the same event twice
    assert caught.value.code == "duplicate"


def test_approval_opens_a_change_period_for_that_plan_year(employee, hr_officer):
    closed_window()
    plan = PlanFactory()
    child = DependentFactory(employee=employee.employee, relationship="child")
    event = _report(employee, event_date=max(today() - datetime.timedelta(days=2), window_start()))
    with pytest.raises(ValidationError):  # not yet approved: still closed
        _elect_family(employee, plan, event.plan_year, child)
    services.life_event_decide(event=event, decider=hr_officer, approve=True, note="Welcome!")
    event.refresh_from_db()
    assert event.status == LifeEvent.Status.APPROVED
    assert event.changes_until == today() + datetime.timedelta(days=LIFE_EVENT_CHANGE_DAYS)
    election = _elect_family(employee, plan, event.plan_year, child)
    assert election.source == Election.Source.LIFE_EVENT
    assert election.life_event == event
    notice = Notification.objects.get(recipient=employee)
    assert "approved" in notice.title
    assert AuditEvent.objects.filter(action="benefits.life_event_approved").count() == 1
    # After the change period the elections are closed again.
    with pytest.raises(ValidationError):
        services.election_make(
            employee=employee.employee,
            plan=plan,
            plan_year=event.plan_year,
            coverage_level=None,
            actor=employee,
            today=event.changes_until + datetime.timedelta(days=1),
        )


def window_start() -> datetime.date:
    """Events early in January would fall in last year's plan year; keep them in this one."""
    return datetime.date(today().year, 1, 1)


def _elect_family(user, plan, year, child):
    return services.election_make(
        employee=user.employee,
        plan=plan,
        plan_year=year,
        coverage_level=plan.levels.get(name="Family"),
        dependents=[child],
        actor=user,
    )


def test_a_rejected_event_changes_nothing_and_the_employee_is_told(employee, hr_officer):
    event = _report(employee)
    services.life_event_decide(event=event, decider=hr_officer, approve=False, note="No proof")
    event.refresh_from_db()
    assert event.status == LifeEvent.Status.REJECTED
    assert event.changes_until is None
    notice = Notification.objects.get(recipient=employee)
    assert notice.kind == "benefits_decision"
    assert notice.body == "No proof"


def test_nobody_decides_their_own_life_event(hr_officer, second_hr):
    event = _report(hr_officer)
    with pytest.raises(ValidationError) as caught:
        services.life_event_decide(event=event, decider=hr_officer, approve=True)
    assert caught.value.code == "self_decision"
    event.refresh_from_db()
    assert event.status == LifeEvent.Status.PENDING
    services.life_event_decide(event=event, decider=second_hr, approve=True)


def test_only_hr_decides(employee, manager, payroll_officer):
    event = _report(employee)
    for person in (manager, payroll_officer, employee):
        with pytest.raises(PermissionDenied):
            services.life_event_decide(event=event, decider=person, approve=True)


def test_a_decided_event_cannot_be_decided_again(employee, hr_officer):
    event = _report(employee)
    services.life_event_decide(event=event, decider=hr_officer, approve=False)
    with pytest.raises(ValidationError) as caught:
        services.life_event_decide(event=event, decider=hr_officer, approve=True)
    assert caught.value.code == "not_pending"
    event.refresh_from_db()
    assert event.status == LifeEvent.Status.REJECTED


def test_of_two_concurrent_decisions_exactly_one_wins(employee, hr_officer, second_hr):
    event = _report(employee)
    # Both officers opened the event while it was pending.
    seen_by_first = LifeEvent.objects.select_related("employee__user").get(pk=event.pk)
    seen_by_second = LifeEvent.objects.select_related("employee__user").get(pk=event.pk)
    services.life_event_decide(event=seen_by_first, decider=hr_officer, approve=True)
    with pytest.raises(ValidationError) as caught:
        services.life_event_decide(event=seen_by_second, decider=second_hr, approve=False)
    assert caught.value.code == "not_pending"
    event.refresh_from_db()
    assert (event.status, event.decided_by) == (LifeEvent.Status.APPROVED, hr_officer)
    assert Notification.objects.filter(recipient=employee).count() == 1
    assert (
        AuditEvent.objects.filter(action__startswith="benefits.life_event_")
        .exclude(action="benefits.life_event_reported")
        .count()
        == 1
    )


def test_supporting_document_is_readable_by_the_owner_and_hr_only(
    client, employee, other_employee, manager, hr_officer
):
    upload = SimpleUploadedFile("certificate.pdf", b"%PDF-1.4 birth", "application/pdf")
    event = _report(employee, document=upload)
    item = Attachment.objects.get()
    assert item.owner == event
    url = reverse("content:attachment", args=[item.pk])
    for person, expected in (
        (employee, 200),
        (hr_officer, 200),
        (other_employee, 404),
        (manager, 404),
    ):
        client.force_login(person)
        assert client.get(url).status_code == expected, person


def test_a_document_that_is_not_a_document_is_refused(client, employee):
    client.force_login(employee)
    upload = SimpleUploadedFile("page.pdf", b"<html><script>alert(1)</script>", "application/pdf")
    response = client.post(
        reverse("benefits:life_event_new"),
        {"kind": "birth", "event_date": today().isoformat(), "document": upload},
    )
    assert response.status_code == 200
    assert "cannot be attached" in response.content.decode()
    assert not LifeEvent.objects.exists()


def test_hr_decides_from_the_queue(client, employee, hr_officer):
    event = LifeEventFactory(employee=employee.employee)
    client.force_login(hr_officer)
    queue = client.get(reverse("benefits:manage_life_events")).content.decode()
    assert reverse("benefits:life_event_decide", args=[event.pk, "approve"]) in queue
    response = client.post(
        reverse("benefits:life_event_decide", args=[event.pk, "approve"]), {"next": "queue"}
    )
    assert response["Location"] == reverse("benefits:manage_life_events")
    event.refresh_from_db()
    assert event.status == LifeEvent.Status.APPROVED
    # Pressing again (a second tab) says so instead of deciding twice.
    again = client.post(
        reverse("benefits:life_event_decide", args=[event.pk, "reject"]), follow=True
    )
    assert "already approved" in again.content.decode()


def test_the_queue_offers_no_decision_on_ones_own_event(client, hr_officer):
    event = LifeEventFactory(employee=hr_officer.employee)
    client.force_login(hr_officer)
    queue = client.get(reverse("benefits:manage_life_events")).content.decode()
    assert reverse("benefits:life_event_decide", args=[event.pk, "approve"]) not in queue
    assert "another HR officer decides" in queue
    client.post(reverse("benefits:life_event_decide", args=[event.pk, "approve"]))
    event.refresh_from_db()
    assert event.status == LifeEvent.Status.PENDING


def test_overlong_details_are_refused_by_the_service_too(employee):
    with pytest.raises(ValidationError) as caught:
        _report(employee, description="x" * 1001)
    assert "description" in caught.value.message_dict
    assert not LifeEvent.objects.exists()
