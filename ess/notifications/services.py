"""Writes for notifications and the e-mail outbox."""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from ess.accounts.models import User
from ess.notifications.kinds import get_kind
from ess.notifications.models import EmailPreference, Notification, OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)


def _backoff(attempts: int) -> timedelta:
    # 1, 2, 4 … minutes, capped at two hours: an SMTP outage of an afternoon loses nothing.
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 120))


def wants_email(*, user: User, kind_key: str) -> bool:
    kind = get_kind(kind_key)
    if kind.mandatory:
        return True
    choice = (
        EmailPreference.objects.filter(user=user, kind=kind_key)
        .values_list("email_enabled", flat=True)
        .first()
    )
    return kind.email_by_default if choice is None else choice


@transaction.atomic
def notify(
    *,
    recipient: User,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str | None = None,
    reply_to: str = "",
    email_body: str | None = None,
    headers: dict[str, str] | None = None,
    calendar: str = "",
) -> Notification:
    """Tell one person something: in the portal always, by e-mail if they want it.

    With a `dedupe_key` a second call for the same event returns the first notification
    and sends nothing again. `email_body` replaces the portal text in the e-mail;
    `reply_to`, `headers` and `calendar` (an .ics invitation) go with the e-mail only.
    """
    get_kind(kind)  # fail on a kind nobody registered
    if dedupe_key:
        existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    notification = Notification(
        recipient=recipient,
        kind=kind,
        title=title[:200],
        body=body,
        url=url,
        dedupe_key=dedupe_key or None,
    )
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        # A concurrent call won the race for this dedupe key.
        return Notification.objects.get(dedupe_key=dedupe_key)

    if recipient.is_active and recipient.email and wants_email(user=recipient, kind_key=kind):
        link = f"\n\n{settings.SITE_URL}{url}" if url else ""
        text = email_body if email_body is not None else f"{body}{link}".strip()
        outbox_enqueue(
            to=recipient.email,
            subject=title,
            body=text or title,
            dedupe_key=f"notification:{notification.pk}",
            reply_to=reply_to,
            headers=headers,
            calendar=calendar,
        )
    return notification


def outbox_enqueue(
    *,
    to: str,
    subject: str,
    body: str,
    dedupe_key: str,
    reply_to: str = "",
    headers: dict[str, str] | None = None,
    calendar: str = "",
) -> OutboxMessage:
    """Queue an e-mail inside the caller's transaction; it is relayed after commit."""
    with transaction.atomic():
        message, created = OutboxMessage.objects.get_or_create(
            dedupe_key=dedupe_key,
            defaults={
                "to": to,
                "subject": subject[:255],
                "body": body,
                "reply_to": reply_to,
                "headers": headers or {},
                "calendar": calendar,
            },
        )
    if created:
        transaction.on_commit(lambda: publish_delivery(message_id=message.pk))
    return message


def publish_delivery(*, message_id: int) -> None:
    """Hand a message to the broker; if the broker is down, the beat relay retries later."""
    from ess.notifications.tasks import deliver_outbox_message

    try:
        deliver_outbox_message.delay(message_id)
    except Exception:  # kombu raises OperationalError and friends when Redis is away
        logger.warning("Broker unavailable; outbox message %s waits for the relay", message_id)


def _claim(message_id: int) -> bool:
    """Atomically take a message for sending. Works alike on SQLite and PostgreSQL."""
    now = timezone.now()
    claimable = Q(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboxMessage.Status.SENDING, lease_until__lt=now
    )
    updated = OutboxMessage.objects.filter(claimable, pk=message_id).update(
        status=OutboxMessage.Status.SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1
    )
    return updated == 1


def _message_id_header(message: OutboxMessage) -> str:
    # Stable per logical message, so a receiving system can drop a duplicate delivery.
    digest = hashlib.sha256(message.dedupe_key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "localhost"
    return f"<ess-{digest}@{domain}>"


def _calendar_method(calendar: str) -> str:
    for line in calendar.splitlines():
        if line.upper().startswith("METHOD:"):
            method = line.split(":", 1)[1].strip().upper()
            if method.isalpha():
                return method
    return "PUBLISH"


def outbox_deliver(*, message_id: int) -> bool:
    """Send one outbox message if it is due and not already taken. True when sent now."""
    if not _claim(message_id):
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers={
            **message.headers,
            "Message-ID": _message_id_header(message),
            "Auto-Submitted": "auto-generated",
        },
    )
    if message.calendar:
        # Mail clients act on the MIME method (add or remove the event), so it must match the
        # METHOD line of the invitation itself.
        method = _calendar_method(message.calendar)
        email.attach("invite.ics", message.calendar, f"text/calendar; method={method}")
    try:
        email.send()
    except Exception as exc:
        failed = message.attempts >= MAX_ATTEMPTS
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxMessage.Status.FAILED if failed else OutboxMessage.Status.PENDING,
            next_attempt_at=timezone.now() + _backoff(message.attempts),
            lease_until=None,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        logger.warning(
            "Outbox message %s not sent (attempt %s): %s", message.pk, message.attempts, exc
        )
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENT,
        sent_at=timezone.now(),
        lease_until=None,
        last_error="",
    )
    return True


def outbox_due_ids(*, limit: int = 500) -> list[int]:
    now = timezone.now()
    due = Q(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboxMessage.Status.SENDING, lease_until__lt=now
    )
    return list(OutboxMessage.objects.filter(due).values_list("pk", flat=True)[:limit])


def outbox_relay(*, limit: int = 500) -> int:
    """Publish every due message again (the beat job). Returns how many were published."""
    ids = outbox_due_ids(limit=limit)
    for message_id in ids:
        publish_delivery(message_id=message_id)
    return len(ids)


def notification_mark_read(*, user: User, notification_id: int) -> int:
    return Notification.objects.filter(
        pk=notification_id, recipient=user, read_at__isnull=True
    ).update(read_at=timezone.now())


def notification_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def email_preferences_set(*, user: User, choices: dict[str, bool]) -> None:
    for kind_key, enabled in choices.items():
        if get_kind(kind_key).mandatory:
            continue
        EmailPreference.objects.update_or_create(
            user=user, kind=kind_key, defaults={"email_enabled": enabled}
        )
