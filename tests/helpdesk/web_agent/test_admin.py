"""The desk's administration: queues with hours, holidays, SLA targets and officers; the
catalog's form builder; canned replies. Every change is audited; bad input is refused."""

import pytest
from django.urls import reverse

from ess.audit.models import AuditEvent
from helpdesk.models import BusinessHours, CannedReply, FormField, Queue, RequestType, SlaTarget
from helpdesk.permissions import officer_queue_ids


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _queue_post(client, queue, **data):
    return client.post(reverse("helpdesk:admin_queue", args=[queue.pk]), data)


def test_create_a_queue_with_members(admin_client, it_agent):
    response = admin_client.post(
        reverse("helpdesk:admin_queues"),
        {
            "name": "Payroll",
            "slug": "payroll",
            "time_zone": "Europe/Amsterdam",
            "reopen_days": 7,
            "position": 0,
            "is_active": "on",
            "agents": [it_agent.pk],
        },
    )
    queue = Queue.objects.get(slug="payroll")
    assert response.status_code == 302
    assert list(queue.agents.all()) == [it_agent]
    assert AuditEvent.objects.filter(action="helpdesk.queue_created").exists()


def test_a_bad_time_zone_is_refused(admin_client, it_queue):
    response = _queue_post(
        admin_client,
        it_queue,
        action="queue",
        **{
            "queue-name": "IT",
            "queue-slug": "it",
            "queue-time_zone": "Mars/Olympus",
            "queue-reopen_days": 7,
            "queue-position": 0,
        },
    )
    assert response.status_code == 400
    assert "Unknown time zone" in response.content.decode()
    assert Queue.objects.get(pk=it_queue.pk).time_zone == "Europe/Amsterdam"


def test_hours_closing_before_opening_are_refused(admin_client, it_queue):
    bad = _queue_post(
        admin_client,
        it_queue,
        action="hours_add",
        **{"hours-weekday": 0, "hours-opens": "17:00", "hours-closes": "09:00"},
    )
    assert bad.status_code == 400
    assert "Closing time must be after opening time" in bad.content.decode()
    good = _queue_post(
        admin_client,
        it_queue,
        action="hours_add",
        **{"hours-weekday": 0, "hours-opens": "09:00", "hours-closes": "17:00"},
    )
    assert good.status_code == 302
    hours = BusinessHours.objects.get(queue=it_queue)
    _queue_post(admin_client, it_queue, action="hours_delete", id=hours.pk)
    assert not BusinessHours.objects.filter(queue=it_queue).exists()
    assert AuditEvent.objects.filter(action="helpdesk.hours_removed").exists()


def test_holidays_and_sla_targets(admin_client, it_queue):
    _queue_post(
        admin_client,
        it_queue,
        action="holiday_add",
        **{"holiday-date": "2026-12-25", "holiday-name": "Christmas"},
    )
    duplicate = _queue_post(
        admin_client,
        it_queue,
        action="holiday_add",
        **{"holiday-date": "2026-12-25", "holiday-name": "Again"},
    )
    assert duplicate.status_code == 400
    assert it_queue.holidays.count() == 1
    _queue_post(
        admin_client,
        it_queue,
        action="sla_save",
        **{
            "sla-priority": 4,
            "sla-first_response_minutes": 15,
            "sla-resolution_minutes": 120,
            "sla-warn_at_percent": 80,
        },
    )
    target = SlaTarget.objects.get(queue=it_queue, priority=4)
    assert target.first_response_minutes == 15
    bad = _queue_post(
        admin_client,
        it_queue,
        action="sla_save",
        **{
            "sla-priority": 4,
            "sla-first_response_minutes": 60,
            "sla-resolution_minutes": 30,
            "sla-warn_at_percent": 80,
        },
    )
    assert bad.status_code == 400


def test_officers_are_granted_and_revoked(admin_client, cases_queue, hr_officer):
    _queue_post(admin_client, cases_queue, action="officer", **{"officer-officer": hr_officer.pk})
    assert cases_queue.pk in officer_queue_ids(hr_officer)
    _queue_post(
        admin_client,
        cases_queue,
        action="officer",
        **{"officer-officer": hr_officer.pk, "officer-revoke": "1"},
    )
    assert cases_queue.pk not in officer_queue_ids(hr_officer)
    assert AuditEvent.objects.filter(action="permission.granted").exists()


def test_unknown_admin_action_is_refused(admin_client, it_queue):
    assert _queue_post(admin_client, it_queue, action="drop_table").status_code == 400


def test_form_builder_adds_reorders_and_deletes_fields(
    admin_client, laptop_type, django_capture_on_commit_callbacks
):
    url = reverse("helpdesk:admin_request_type", args=[laptop_type.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url,
            {
                "action": "field",
                "field-label": "Cost centre",
                "field-key": "cost_centre",
                "field-kind": "text",
                "field-position": 3,
            },
        )
    assert response.status_code == 302
    duplicate = admin_client.post(
        url,
        {
            "action": "field",
            "field-label": "Again",
            "field-key": "model",
            "field-kind": "text",
            "field-position": 4,
        },
    )
    assert duplicate.status_code == 400
    assert "already has this key" in duplicate.content.decode()
    empty_choice = admin_client.post(
        url,
        {
            "action": "field",
            "field-label": "Colour",
            "field-key": "colour",
            "field-kind": "choice",
            "field-position": 4,
        },
    )
    assert empty_choice.status_code == 400
    added = FormField.objects.get(request_type=laptop_type, key="cost_centre")
    admin_client.post(url, {"action": "field_move", "id": added.pk, "direction": "up"})
    keys = list(laptop_type.fields.order_by("position").values_list("key", flat=True))
    assert keys == ["model", "cost_centre", "reason"]
    admin_client.post(url, {"action": "field_delete", "id": added.pk})
    assert not FormField.objects.filter(pk=added.pk).exists()
    assert AuditEvent.objects.filter(action="helpdesk.form_field_added").exists()


def test_request_type_is_created_and_edited_with_role_approval(admin_client, it_queue):
    response = admin_client.post(
        reverse("helpdesk:admin_catalog"),
        {
            "name": "Parking card",
            "slug": "parking-card",
            "queue": it_queue.pk,
            "default_priority": 2,
            "approval": "role",
            "approval_role": "",
            "position": 0,
            "is_active": "on",
            "icon": "car-front",
        },
    )
    assert response.status_code == 400
    response = admin_client.post(
        reverse("helpdesk:admin_catalog"),
        {
            "name": "Parking card",
            "slug": "parking-card",
            "queue": it_queue.pk,
            "default_priority": 2,
            "approval": "role",
            "approval_role": "hr_officer",
            "position": 0,
            "is_active": "on",
            "icon": "car-front",
        },
    )
    assert response.status_code == 302
    assert RequestType.objects.get(slug="parking-card").approval_role == "hr_officer"


def test_canned_replies_crud_escapes_text(admin_client):
    admin_client.post(
        reverse("helpdesk:admin_canned"),
        {
            "action": "save",
            "title": "<b>Hi</b>",
            "body": "Hello {requester_first_name} <script>x</script>",
        },
    )
    reply = CannedReply.objects.get()
    content = admin_client.get(reverse("helpdesk:admin_canned")).content.decode()
    assert "<script>x</script>" not in content
    assert "{requester_first_name}" in content
    admin_client.post(reverse("helpdesk:admin_canned"), {"action": "delete", "id": reply.pk})
    assert not CannedReply.objects.exists()
