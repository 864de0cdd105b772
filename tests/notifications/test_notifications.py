import pytest
from django.urls import reverse

from ess.notifications import services
from ess.notifications.kinds import NotificationKind, register_kind
from ess.notifications.models import EmailPreference, Notification, OutboxMessage
from tests.matrix import Row, assert_access, expand

pytestmark = pytest.mark.django_db

QUIET = register_kind(NotificationKind("test_quiet", "Quiet test kind", email_by_default=False))


def _notification_of(request):
    owner = request.getfixturevalue("employee")
    note = services.notify(recipient=owner, kind="general", title="Hello")
    return reverse("notifications:mark_read", args=[note.pk])


MATRIX = [
    Row(
        _notification_of,
        {"anonymous": 302, "employee": 302, "other_employee": 302},
        method="post",
        label="mark-read",
    ),
]


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_permission_matrix(client, request, row, who):
    assert_access(client, request, row, who)


def test_other_employee_cannot_mark_someone_elses_notification_read(
    client, employee, other_employee
):
    note = services.notify(recipient=employee, kind="general", title="Yours")
    client.force_login(other_employee)
    client.post(reverse("notifications:mark_read", args=[note.pk]))
    note.refresh_from_db()
    assert note.read_at is None


def test_notify_writes_notification_and_outbox_and_sends_after_commit(
    employee, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notify(
            recipient=employee, kind="general", title="Your request", body="Done", url="/x/"
        )
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["emma@example.org"]
    assert message.subject == "Your request"
    assert "/x/" in message.body
    assert message.extra_headers["Message-ID"].startswith("<ess-")
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


def test_nothing_is_sent_when_the_transaction_rolls_back(
    employee, django_capture_on_commit_callbacks, mailoutbox
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.notify(recipient=employee, kind="general", title="Never")
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mailoutbox == []
    assert not OutboxMessage.objects.exists()


def test_same_dedupe_key_notifies_and_mails_once(
    employee, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.notify(recipient=employee, kind="general", title="A", dedupe_key="k1")
        second = services.notify(recipient=employee, kind="general", title="A", dedupe_key="k1")
    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1


def test_delivering_a_sent_message_again_sends_nothing(
    employee, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipient=employee, kind="general", title="Once")
    message = OutboxMessage.objects.get()
    assert services.outbox_deliver(message_id=message.pk) is False
    assert services.outbox_relay() == 0
    assert len(mailoutbox) == 1


def test_failed_send_stays_pending_with_backoff_then_succeeds(
    employee, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    from django.core.mail import EmailMessage
    from django.utils import timezone

    original = EmailMessage.send

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipient=employee, kind="general", title="Retry me")
    message = OutboxMessage.objects.get()
    assert message.status == OutboxMessage.Status.PENDING
    assert message.attempts == 1
    assert "smtp down" in message.last_error
    assert message.next_attempt_at > timezone.now()
    assert services.outbox_relay() == 0  # not due yet

    monkeypatch.setattr(EmailMessage, "send", original)
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert services.outbox_relay() == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert len(mailoutbox) == 1


def test_message_is_marked_failed_after_the_last_attempt(employee, monkeypatch):
    from django.core.mail import EmailMessage

    monkeypatch.setattr(EmailMessage, "send", lambda *a, **k: (_ for _ in ()).throw(OSError()))
    message = services.outbox_enqueue(to="a@example.org", subject="s", body="b", dedupe_key="f")
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    services.outbox_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED


def test_expired_lease_of_a_killed_worker_is_taken_over(employee, mailoutbox):
    from datetime import timedelta

    from django.utils import timezone

    message = services.outbox_enqueue(to="a@example.org", subject="s", body="b", dedupe_key="l")
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENDING, lease_until=timezone.now() + timedelta(minutes=1)
    )
    assert services.outbox_deliver(message_id=message.pk) is False  # lease still held
    OutboxMessage.objects.filter(pk=message.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert services.outbox_deliver(message_id=message.pk) is True
    assert len(mailoutbox) == 1


def test_broker_outage_on_publish_loses_nothing(employee, monkeypatch, mailoutbox):
    from ess.notifications import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("redis is away")

    monkeypatch.setattr(tasks.deliver_outbox_message, "delay", broker_down)
    services.publish_delivery(message_id=12345)  # must not raise
    message = services.outbox_enqueue(to="a@example.org", subject="s", body="b", dedupe_key="o")
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.PENDING


def test_person_who_opted_out_gets_no_email_but_still_the_notification(
    employee, django_capture_on_commit_callbacks, mailoutbox
):
    services.email_preferences_set(user=employee, choices={"general": False})
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipient=employee, kind="general", title="In-app only")
    assert mailoutbox == []
    assert Notification.objects.filter(recipient=employee).count() == 1


def test_mandatory_security_notices_cannot_be_muted(
    employee, django_capture_on_commit_callbacks, mailoutbox
):
    services.email_preferences_set(user=employee, choices={"security": False})
    assert not EmailPreference.objects.filter(kind="security").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipient=employee, kind="security", title="Bank account changed")
    assert len(mailoutbox) == 1


def test_kind_that_defaults_to_no_email_sends_none(
    employee, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipient=employee, kind=QUIET.key, title="Quiet")
    assert mailoutbox == []


def test_unknown_kind_is_refused(employee):
    with pytest.raises(ValueError, match="Unknown notification kind"):
        services.notify(recipient=employee, kind="nope", title="x")


def test_preferences_page_saves_choices(client, employee):
    client.force_login(employee)
    response = client.post(reverse("notifications:preferences"), {"kind_general": ""})
    assert response.status_code == 302
    assert EmailPreference.objects.get(user=employee, kind="general").email_enabled is False


def test_bell_shows_unread_count_and_mark_all_read_clears_it(client, employee):
    for index in range(3):
        services.notify(recipient=employee, kind="general", title=f"N{index}")
    client.force_login(employee)
    bell = client.get(reverse("notifications:bell")).content.decode()
    assert ">3<" in bell.replace(" ", "") or "3<span" in bell
    client.post(reverse("notifications:mark_all_read"))
    bell = client.get(reverse("notifications:bell")).content.decode()
    assert "badge" not in bell


def test_notification_list_shows_only_my_notifications_with_fixed_queries(
    client, employee, other_employee, django_assert_max_num_queries
):
    for index in range(6):
        services.notify(recipient=employee, kind="general", title=f"Mine {index}")
    services.notify(recipient=other_employee, kind="general", title="Not yours")
    client.force_login(employee)
    # session, user, count, page, groups (nav), unread count
    with django_assert_max_num_queries(7):
        html = client.get(reverse("notifications:list")).content.decode()
    assert html.count('class="list-group-item') == 6
    assert all(f"Mine {index}" in html for index in range(6))
    assert "Not yours" not in html


def test_notification_text_is_escaped(client, employee):
    services.notify(
        recipient=employee,
        kind="general",
        title="<img src=x onerror=alert(1)>",
        body="<script>alert(2)</script>",
    )
    client.force_login(employee)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "<img src=x" not in html
    assert "<script>alert(2)" not in html
