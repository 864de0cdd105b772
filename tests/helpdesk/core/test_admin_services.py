"""The desk's administration as services: queues with their hours, holidays, SLA targets and
officers; request types and their form fields; canned replies. Each change is audited, bad
input is refused with a ValidationError, and only desk administrators may make it."""

from datetime import date, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ess.audit.models import AuditEvent
from helpdesk.models import (
    Approval,
    BusinessHours,
    CannedReply,
    FieldKind,
    FormField,
    Holiday,
    Priority,
    Queue,
    RequestType,
    SlaTarget,
)
from helpdesk.permissions import officer_queue_ids
from helpdesk.services import (
    business_hours_add,
    business_hours_remove,
    canned_reply_remove,
    canned_reply_save,
    form_field_move,
    form_field_remove,
    form_field_save,
    holiday_add,
    holiday_remove,
    queue_officer_grant,
    queue_officer_revoke,
    queue_save,
    request_type_save,
    sla_target_remove,
    sla_target_save,
)
from tests.helpdesk.factories import FormFieldFactory, TicketFactory


def audited(action: str) -> AuditEvent:
    return AuditEvent.objects.get(action=f"helpdesk.{action}")


def error_fields(error: ValidationError) -> set[str]:
    return set(error.error_dict) if hasattr(error, "error_dict") else {"__all__"}


# --- Queues ----------------------------------------------------------------------------------
def test_a_new_queue_is_created_with_its_agents_and_audited(admin_user, it_agent):
    queue = queue_save(
        actor=admin_user,
        agents=[it_agent],
        name="Payroll",
        slug="payroll",
        time_zone="Europe/Amsterdam",
        reopen_days=10,
    )

    assert list(queue.agents.all()) == [it_agent]
    record = audited("queue_created")
    assert record.target_id == str(queue.pk)
    assert record.actor == admin_user
    # Only what differs from a new queue's defaults is named.
    assert record.detail == {"fields": ["agents", "name", "reopen_days", "slug"]}


def test_a_change_names_the_changed_fields_from_the_stored_row(admin_user, it_queue):
    stale_copy = Queue.objects.get(pk=it_queue.pk)
    stale_copy.description = "already changed in memory by a bound form"

    queue_save(
        actor=admin_user,
        queue=stale_copy,
        name="IT",
        description="already changed in memory by a bound form",
        reopen_days=it_queue.reopen_days,
    )

    assert Queue.objects.get(pk=it_queue.pk).description.startswith("already changed")
    assert audited("queue_changed").detail == {"fields": ["description"]}


def test_a_queue_made_confidential_takes_its_tickets_along(admin_user, it_queue, employee):
    ticket = TicketFactory(queue=it_queue, requester=employee)

    queue_save(actor=admin_user, queue=it_queue, confidential=True)

    ticket.refresh_from_db()
    assert ticket.confidential
    assert audited("queue_changed").detail == {"fields": ["confidential"]}


def test_an_unknown_time_zone_is_refused_and_nothing_is_written(admin_user, it_queue):
    with pytest.raises(ValidationError) as refused:
        queue_save(actor=admin_user, queue=it_queue, time_zone="Mars/Olympus")

    assert error_fields(refused.value) == {"time_zone"}
    assert Queue.objects.get(pk=it_queue.pk).time_zone == "Europe/Amsterdam"
    assert not AuditEvent.objects.filter(action="helpdesk.queue_changed").exists()


def test_a_field_the_administration_does_not_offer_cannot_be_set(admin_user, it_queue):
    with pytest.raises(TypeError):
        queue_save(actor=admin_user, queue=it_queue, pk=999)


def test_business_hours_are_added_and_removed_with_audit(admin_user, it_queue):
    hours = business_hours_add(
        queue=it_queue, actor=admin_user, weekday=0, opens=time(9), closes=time(17)
    )
    assert audited("hours_added").detail == {"hours": str(hours)}

    business_hours_remove(hours=hours, actor=admin_user)

    assert not BusinessHours.objects.filter(queue=it_queue).exists()
    assert audited("hours_removed").target_id == str(it_queue.pk)


def test_business_hours_closing_before_opening_or_twice_are_refused(admin_user, it_queue):
    with pytest.raises(ValidationError) as backwards:
        business_hours_add(
            queue=it_queue, actor=admin_user, weekday=0, opens=time(17), closes=time(9)
        )
    assert error_fields(backwards.value) == {"closes"}

    business_hours_add(queue=it_queue, actor=admin_user, weekday=1, opens=time(9), closes=time(17))
    with pytest.raises(ValidationError, match="These hours already exist"):
        business_hours_add(
            queue=it_queue, actor=admin_user, weekday=1, opens=time(9), closes=time(12)
        )
    assert BusinessHours.objects.filter(queue=it_queue).count() == 1
    assert AuditEvent.objects.filter(action="helpdesk.hours_added").count() == 1


def test_holidays_are_added_once_and_removed_with_audit(admin_user, it_queue):
    christmas = holiday_add(
        queue=it_queue, actor=admin_user, date=date(2026, 12, 25), name="Christmas"
    )
    assert audited("holiday_added").detail == {"date": "2026-12-25"}

    with pytest.raises(ValidationError) as twice:
        holiday_add(queue=it_queue, actor=admin_user, date=date(2026, 12, 25), name="Again")
    assert error_fields(twice.value) == {"date"}

    holiday_remove(holiday=christmas, actor=admin_user)
    assert not Holiday.objects.filter(queue=it_queue).exists()
    assert audited("holiday_removed").detail == {"date": "2026-12-25"}


def test_an_sla_target_replaces_the_one_of_its_priority(admin_user, it_queue):
    before = SlaTarget.objects.filter(queue=it_queue).count()

    target = sla_target_save(
        queue=it_queue,
        actor=admin_user,
        priority=Priority.URGENT,
        first_response_minutes=15,
        resolution_minutes=120,
        warn_at_percent=80,
    )

    assert SlaTarget.objects.filter(queue=it_queue).count() == before
    assert (target.first_response_minutes, target.warn_at_percent) == (15, 80)
    assert audited("sla_target_saved").detail == {
        "priority": Priority.URGENT,
        "first_response": 15,
        "resolution": 120,
        "warn": 80,
    }


def test_an_sla_target_resolving_before_the_first_response_is_refused(admin_user, it_queue):
    with pytest.raises(ValidationError) as refused:
        sla_target_save(
            queue=it_queue,
            actor=admin_user,
            priority=Priority.URGENT,
            first_response_minutes=60,
            resolution_minutes=30,
        )
    assert error_fields(refused.value) == {"resolution_minutes"}
    assert SlaTarget.objects.get(queue=it_queue, priority=Priority.URGENT).resolution_minutes == 240


def test_an_sla_target_is_removed_with_audit(admin_user, it_queue):
    target = SlaTarget.objects.get(queue=it_queue, priority=Priority.LOW)

    sla_target_remove(target=target, actor=admin_user)

    assert not SlaTarget.objects.filter(pk=target.pk).exists()
    assert audited("sla_target_removed").detail == {"priority": Priority.LOW}


def test_officers_of_a_confidential_queue_are_granted_and_revoked(
    admin_user, cases_queue, hr_officer
):
    queue_officer_grant(queue=cases_queue, officer=hr_officer, actor=admin_user)
    assert cases_queue.pk in officer_queue_ids(hr_officer)
    assert AuditEvent.objects.filter(action="permission.granted").exists()

    queue_officer_revoke(queue=cases_queue, officer=hr_officer, actor=admin_user)
    assert cases_queue.pk not in officer_queue_ids(hr_officer)
    assert AuditEvent.objects.filter(action="permission.revoked").exists()


def test_officers_are_refused_outside_a_confidential_queue_or_its_members(
    admin_user, it_queue, cases_queue, it_agent
):
    with pytest.raises(ValidationError):
        queue_officer_grant(queue=it_queue, officer=it_agent, actor=admin_user)
    with pytest.raises(ValidationError) as not_a_member:
        queue_officer_grant(queue=cases_queue, officer=it_agent, actor=admin_user)
    assert error_fields(not_a_member.value) == {"officer"}
    assert cases_queue.pk not in officer_queue_ids(it_agent)
    assert not AuditEvent.objects.filter(action="permission.granted").exists()


# --- The catalog -------------------------------------------------------------------------------
def test_a_request_type_is_created_indexed_and_audited(
    admin_user, it_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        item = request_type_save(
            actor=admin_user,
            name="Parking card",
            slug="parking-card",
            queue=it_queue,
            approval=Approval.ROLE,
            approval_role="hr_officer",
        )

    assert RequestType.objects.get(slug="parking-card").approval_role == "hr_officer"
    assert callbacks, "the catalog is re-indexed once the change commits"
    record = audited("request_type_created")
    assert record.target_id == str(item.pk)
    assert "approval_role" in record.detail["fields"]


def test_a_request_type_without_role_approval_keeps_no_role(admin_user, laptop_type):
    request_type_save(
        actor=admin_user,
        request_type=laptop_type,
        approval=Approval.NONE,
        approval_role="hr_officer",
    )

    laptop_type.refresh_from_db()
    assert (laptop_type.approval, laptop_type.approval_role) == ("", "")
    assert audited("request_type_changed").detail == {"fields": ["approval", "approval_role"]}


def test_role_approval_without_a_known_role_is_refused(admin_user, it_queue):
    with pytest.raises(ValidationError) as refused:
        request_type_save(
            actor=admin_user,
            name="Parking card",
            slug="parking-card",
            queue=it_queue,
            approval=Approval.ROLE,
            approval_role="janitor",
        )
    assert error_fields(refused.value) == {"approval_role"}
    assert not RequestType.objects.filter(slug="parking-card").exists()


def test_a_form_field_is_added_then_changed_with_audit(admin_user, laptop_type):
    field = form_field_save(
        request_type=laptop_type,
        actor=admin_user,
        label="Cost centre",
        key="cost_centre",
        kind=FieldKind.TEXT,
        position=3,
    )
    assert audited("form_field_added").detail["key"] == "cost_centre"

    form_field_save(
        request_type=laptop_type, actor=admin_user, form_field=field, label="Cost center"
    )

    assert FormField.objects.get(pk=field.pk).label == "Cost center"
    assert audited("form_field_changed").detail == {"key": "cost_centre", "fields": ["label"]}


def test_a_form_field_with_a_taken_key_or_a_choice_without_options_is_refused(
    admin_user, laptop_type
):
    with pytest.raises(ValidationError) as taken:
        form_field_save(
            request_type=laptop_type, actor=admin_user, label="Again", key="model", kind="text"
        )
    assert error_fields(taken.value) == {"key"}
    with pytest.raises(ValidationError) as no_options:
        form_field_save(
            request_type=laptop_type,
            actor=admin_user,
            label="Colour",
            key="colour",
            kind=FieldKind.CHOICE,
            choices="  \n ",
        )
    assert error_fields(no_options.value) == {"choices"}
    assert laptop_type.fields.count() == 2


def test_a_form_field_of_another_form_is_refused(admin_user, laptop_type, software_type):
    other = FormFieldFactory(request_type=software_type, key="version")

    with pytest.raises(ValidationError):
        form_field_save(request_type=laptop_type, actor=admin_user, form_field=other, label="x")
    assert FormField.objects.get(pk=other.pk).request_type == software_type


def test_form_fields_are_moved_renumbered_and_removed_with_audit(admin_user, laptop_type):
    reason = laptop_type.fields.get(key="reason")

    form_field_move(form_field=reason, actor=admin_user, up=True)
    assert list(laptop_type.fields.values_list("key", "position")) == [
        ("reason", 1),
        ("model", 2),
    ]
    assert audited("form_fields_reordered").detail == {"order": ["reason", "model"]}

    form_field_move(form_field=reason, actor=admin_user, up=True)  # already first: stays
    assert list(laptop_type.fields.values_list("key", flat=True)) == ["reason", "model"]

    form_field_remove(form_field=reason, actor=admin_user)
    assert list(laptop_type.fields.values_list("key", flat=True)) == ["model"]
    assert audited("form_field_removed").detail == {"key": "reason"}


# --- Canned replies ----------------------------------------------------------------------------
def test_a_canned_reply_is_added_changed_and_removed_with_audit(admin_user, it_queue):
    reply = canned_reply_save(
        actor=admin_user, title="Reset", body="Hello {requester_first_name}", queue=it_queue
    )
    assert reply.created_by == admin_user
    assert audited("canned_reply_added").detail == {"fields": ["body", "queue", "title"]}

    reply = canned_reply_save(actor=admin_user, canned=reply, title="Password reset")
    assert audited("canned_reply_changed").detail == {"fields": ["title"]}

    canned_reply_remove(canned=reply, actor=admin_user)
    assert not CannedReply.objects.exists()
    assert audited("canned_reply_removed").detail == {"title": "Password reset"}


def test_a_canned_reply_without_text_is_refused(admin_user):
    with pytest.raises(ValidationError) as refused:
        canned_reply_save(actor=admin_user, title="Empty", body="")
    assert error_fields(refused.value) == {"body"}
    assert not CannedReply.objects.exists()


# --- Who may ---------------------------------------------------------------------------------
def _every_admin_write(queue, cases, request_type, officer):
    """One call of every administration service, each waiting for its actor."""
    field = request_type.fields.first()
    hours = BusinessHours.objects.create(queue=queue, weekday=0, opens=time(9), closes=time(17))
    holiday = Holiday.objects.create(queue=queue, date=date(2026, 1, 1), name="New Year")
    canned = CannedReply.objects.create(title="Hi", body="Hello")
    return {
        "queue_save": lambda actor: queue_save(actor=actor, name="X", slug="x"),
        "business_hours_add": lambda actor: business_hours_add(
            queue=queue, actor=actor, weekday=1, opens=time(9), closes=time(17)
        ),
        "business_hours_remove": lambda actor: business_hours_remove(hours=hours, actor=actor),
        "holiday_add": lambda actor: holiday_add(
            queue=queue, actor=actor, date=date(2026, 1, 2), name="Day after"
        ),
        "holiday_remove": lambda actor: holiday_remove(holiday=holiday, actor=actor),
        "sla_target_save": lambda actor: sla_target_save(
            queue=queue,
            actor=actor,
            priority=Priority.LOW,
            first_response_minutes=1,
            resolution_minutes=2,
        ),
        "sla_target_remove": lambda actor: sla_target_remove(
            target=queue.sla_targets.first(), actor=actor
        ),
        "queue_officer_grant": lambda actor: queue_officer_grant(
            queue=cases, officer=officer, actor=actor
        ),
        "queue_officer_revoke": lambda actor: queue_officer_revoke(
            queue=cases, officer=officer, actor=actor
        ),
        "request_type_save": lambda actor: request_type_save(
            actor=actor, request_type=request_type, name="X"
        ),
        "form_field_save": lambda actor: form_field_save(
            request_type=request_type, actor=actor, form_field=field, label="X"
        ),
        "form_field_move": lambda actor: form_field_move(form_field=field, actor=actor, up=False),
        "form_field_remove": lambda actor: form_field_remove(form_field=field, actor=actor),
        "canned_reply_save": lambda actor: canned_reply_save(actor=actor, title="X", body="Y"),
        "canned_reply_remove": lambda actor: canned_reply_remove(canned=canned, actor=actor),
    }


SERVICES = [
    "queue_save",
    "business_hours_add",
    "business_hours_remove",
    "holiday_add",
    "holiday_remove",
    "sla_target_save",
    "sla_target_remove",
    "queue_officer_grant",
    "queue_officer_revoke",
    "request_type_save",
    "form_field_save",
    "form_field_move",
    "form_field_remove",
    "canned_reply_save",
    "canned_reply_remove",
]


@pytest.mark.parametrize("service", SERVICES)
def test_only_desk_administrators_may_change_the_desk(
    service, it_agent, it_queue, cases_queue, laptop_type, hr_officer
):
    """An agent (even of the queue) changes nothing and leaves no audit record."""
    calls = _every_admin_write(it_queue, cases_queue, laptop_type, hr_officer)
    audit_rows = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        calls[service](it_agent)

    assert AuditEvent.objects.count() == audit_rows


def test_the_refusal_list_covers_every_administration_service(
    it_queue, cases_queue, laptop_type, hr_officer
):
    from helpdesk.services import admin

    public = {
        name
        for name, value in vars(admin).items()
        if callable(value) and not name.startswith("_") and value.__module__ == admin.__name__
    }
    calls = _every_admin_write(it_queue, cases_queue, laptop_type, hr_officer)
    assert public == set(SERVICES) == set(calls)
