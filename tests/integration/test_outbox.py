"""The e-mail outbox end to end: notify() → PostgreSQL → Redis → Celery worker → SMTP.

The tests are transactional: the worker is another process and sees committed rows only.
"""

import logging
import time

import pytest
from django.conf import settings
from django.db import transaction

from ess.notifications.models import Notification, OutboxMessage
from ess.notifications.services import notify, outbox_relay
from ess.notifications.tasks import deliver_outbox_message

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TITLE = "Your leave request was approved: 3 days in März"


class Rollback(Exception):
    pass


def outbox_for(user) -> OutboxMessage:
    return OutboxMessage.objects.get(to=user.email)


def test_notify_sends_one_email_through_the_worker_once_the_transaction_commits(
    employee, mailbox, wait_for, drain_worker
):
    with transaction.atomic():
        notification = notify(
            recipient=employee, kind="general", title=TITLE, body="Enjoy.", url="/hr/leave/"
        )
        assert outbox_for(employee).status == OutboxMessage.Status.PENDING

    wait_for(
        lambda: outbox_for(employee).status == OutboxMessage.Status.SENT,
        "the outbox message to be marked sent",
    )
    drain_worker()
    [mail] = mailbox.to(employee.email)
    assert mail.rcpt_tos == (employee.email,)
    assert mail.mail_from == "ess@localhost"
    assert mail.subject == TITLE
    assert mail.message["To"] == employee.email
    assert mail.message["Auto-Submitted"] == "auto-generated"
    # SMTP carries CRLF line ends.
    body = mail.message.get_content().strip().splitlines()
    assert body == ["Enjoy.", "", f"{settings.SITE_URL}/hr/leave/"]
    message = outbox_for(employee)
    assert message.attempts == 1
    assert message.sent_at is not None
    assert message.dedupe_key == f"notification:{notification.pk}"


def test_notify_in_a_rolled_back_transaction_sends_nothing(employee, mailbox, drain_worker):
    def notify_then_roll_back():
        with transaction.atomic():
            notify(recipient=employee, kind="general", title=TITLE)
            raise Rollback

    with pytest.raises(Rollback):
        notify_then_roll_back()

    drain_worker()
    assert mailbox.to(employee.email) == []
    assert not OutboxMessage.objects.filter(to=employee.email).exists()


def test_notify_twice_with_the_same_dedupe_key_sends_one_email(
    employee, mailbox, wait_for, drain_worker
):
    for _ in range(2):
        with transaction.atomic():
            notify(recipient=employee, kind="general", title=TITLE, dedupe_key="leave:42:ok")

    wait_for(
        lambda: outbox_for(employee).status == OutboxMessage.Status.SENT,
        "the outbox message to be marked sent",
    )
    drain_worker()
    assert len(mailbox.to(employee.email)) == 1
    assert Notification.objects.filter(recipient=employee).count() == 1


def test_mail_queued_during_a_broker_outage_is_sent_once_by_the_relay(
    employee, broker, mailbox, wait_for, drain_worker, caplog
):
    broker.stop()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="ess.notifications.services"):
        notify(recipient=employee, kind="general", title=TITLE)
    elapsed = time.monotonic() - started

    # The publish failed fast and quietly; the committed row waits for the relay.
    assert elapsed < 5, f"notify() took {elapsed:.1f} s with the broker down"
    assert "Broker unavailable" in caplog.text
    message = outbox_for(employee)
    assert message.status == OutboxMessage.Status.PENDING
    assert message.attempts == 0

    broker.start()  # the same port; the worker reconnects by itself
    assert outbox_relay() == 1
    wait_for(
        lambda: outbox_for(employee).status == OutboxMessage.Status.SENT,
        "the relayed message to be marked sent",
    )

    # Idempotent: a second relay finds nothing due, and a stray redelivery of the sent
    # message is refused by the claim.
    assert outbox_relay() == 0
    deliver_outbox_message.delay(message.pk)
    drain_worker()
    [mail] = mailbox.to(employee.email)
    assert mail.subject == TITLE
    assert outbox_for(employee).attempts == 1
