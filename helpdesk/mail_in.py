"""E-mail into the service desk: replies to ticket mails and new requests to a queue address.

`fetch_mail()` reads the unseen messages of the IMAP mailbox in settings.HELPDESK_IMAP. Each
message is handled once: its InboundEmail row (unique Message-ID) is written in the same
transaction as its effect, and only after that commit is the message flagged \\Seen. A crash
in between leaves an unseen message whose Message-ID is already known, so the next run just
flags it. A message whose handling fails is rolled back and stays unseen for the next run;
the failure is counted on its InboundEmail row in a transaction of its own. After
HELPDESK_IMAP["max_attempts"] failures the message is set aside: flagged \\Seen with the
keyword `DeskFailed` (and moved to HELPDESK_IMAP["failed_folder"] when one is configured),
an error is logged and the desk administrators are told once. Marking it unread again (or
moving it back) tries it once more, for after the cause was fixed.

Who may write is decided from the sender, never from the subject alone: a "[#12]" in the
subject can be typed by anyone, while the reply address carries the ticket's secret token.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import hashlib
import html
import imaplib
import logging
import re
import ssl
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses

import nh3
from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ess.accounts.models import User
from ess.accounts.roles import Role
from ess.content.attachments import attachment_add
from ess.notifications.services import notify, outbox_enqueue
from helpdesk import permissions, services
from helpdesk.models import EventKind, InboundEmail, Queue, Status, Ticket, TicketEvent

logger = logging.getLogger(__name__)

# Desk administrators hear of a message set aside through the general kind: the desk has no
# kind for its administrators.
FAILED_MAIL_KIND = "general"

Outcome = InboundEmail.Outcome
MAX_BODY_CHARS = 100_000
IMAP_TIMEOUT = 30
SUBJECT_REFERENCE = re.compile(r"\[#(\d{1,12})\]")
# The Message-ID is quoted back in In-Reply-To only when it has the plain <x@y> shape.
PLAIN_MESSAGE_ID = re.compile(r"^<[^<>\s\"]{1,250}>$")
AUTO_PRECEDENCE = {"bulk", "auto_reply", "list", "junk"}
DEFAULT_MAX_ATTEMPTS = 5
# The IMAP keyword on a message set aside after failing too often (an atom: no spaces).
FAILED_KEYWORD = "DeskFailed"
RETRYABLE = (Outcome.FAILING, Outcome.GAVE_UP)


class MailboxError(Exception):
    """The mailbox cannot be read: no host configured, no connection, or login refused."""


@dataclass
class FetchReport:
    read: int = 0
    appended: int = 0
    opened: int = 0
    rejected: int = 0
    ignored: int = 0
    # Seen before (a previous run committed but could not flag the message).
    duplicates: int = 0
    # Handling raised: rolled back, left unseen, tried again next run.
    failed: int = 0
    # Of those, failed for the last allowed time: set aside in the mailbox, not tried again.
    set_aside: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        if outcome == Outcome.APPENDED:
            self.appended += 1
        elif outcome == Outcome.OPENED:
            self.opened += 1
        elif outcome == Outcome.IGNORED:
            self.ignored += 1
        else:
            self.rejected += 1


# --- the mailbox -----------------------------------------------------------------------------
def _connect() -> imaplib.IMAP4:
    config = settings.HELPDESK_IMAP
    host = config["host"]
    if not host:
        raise MailboxError(_("No IMAP host is configured (HELPDESK_IMAP_HOST is empty)."))
    try:
        if config["ssl"]:
            client = imaplib.IMAP4_SSL(
                host,
                config["port"],
                ssl_context=ssl.create_default_context(),
                timeout=IMAP_TIMEOUT,
            )
        else:
            client = imaplib.IMAP4(host, config["port"], timeout=IMAP_TIMEOUT)
            if config["starttls"]:
                client.starttls(ssl_context=ssl.create_default_context())
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(
            _("Cannot connect to the IMAP server %(host)s:%(port)s: %(error)s")
            % {"host": host, "port": config["port"], "error": exc}
        ) from exc
    try:
        client.login(config["user"], config["password"])
    except (OSError, imaplib.IMAP4.error) as exc:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.shutdown()
        raise MailboxError(
            _("The IMAP server %(host)s refused the login of %(user)s.")
            % {"host": host, "user": config["user"]}
        ) from exc
    return client


def _unseen_uids(client: imaplib.IMAP4, *, limit: int) -> list[bytes]:
    status, detail = client.select(settings.HELPDESK_IMAP["folder"])
    if status != "OK":
        raise MailboxError(
            _("The IMAP folder %(folder)s cannot be opened: %(detail)s")
            % {"folder": settings.HELPDESK_IMAP["folder"], "detail": detail}
        )
    _status, data = client.uid("SEARCH", None, "UNSEEN")
    return (data[0] or b"").split()[:limit]


def _fetch_raw(client: imaplib.IMAP4, uid: bytes) -> bytes | None:
    # BODY.PEEK leaves \Seen alone: it is set only once the message's effect is committed.
    _status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    for item in data or ():
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def _mark_seen(client: imaplib.IMAP4, uid: bytes) -> None:
    client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)")


def _imap_quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _set_aside(client: imaplib.IMAP4, uid: bytes) -> None:
    """Out of the unseen messages for good: \\Seen plus a keyword people can search for, and
    into the failed folder when one is configured."""
    try:
        status, _data = client.uid("STORE", uid, "+FLAGS.SILENT", f"(\\Seen {FAILED_KEYWORD})")
    except imaplib.IMAP4.error:
        status = "NO"
    if status != "OK":  # a server without keywords: \Seen alone keeps it from coming back
        _mark_seen(client, uid)
    folder = settings.HELPDESK_IMAP.get("failed_folder") or ""
    if not folder:
        return
    quoted = _imap_quote(folder)
    client.create(quoted)  # answers NO when it exists already
    try:
        status, _data = client.uid("MOVE", uid, quoted)
    except imaplib.IMAP4.error:
        status = "NO"
    if status != "OK":  # no MOVE (RFC 6851): copy, then delete the original
        status, _data = client.uid("COPY", uid, quoted)
        if status == "OK":
            client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")


def fetch_mail(*, limit: int = 200) -> FetchReport:
    """Read up to `limit` unseen messages and handle each once. Raises MailboxError."""
    report = FetchReport()
    client = _connect()
    try:
        for uid in _unseen_uids(client, limit=limit):
            raw = _fetch_raw(client, uid)
            if raw is None:
                continue
            report.read += 1
            try:
                outcome = process_message(raw)
            except Exception as exc:
                # Rolled back; the message stays unseen and is tried again next run, until it
                # has failed max_attempts times.
                logger.exception("Inbound e-mail (IMAP uid %s) could not be handled", uid)
                error = f"{type(exc).__name__}: {exc}"[:300]
                report.failed += 1
                report.errors.append(error)
                if failure_record(raw, error=error).outcome == Outcome.GAVE_UP:
                    report.set_aside += 1
                    _set_aside(client, uid)
                continue
            if outcome is None:
                report.duplicates += 1
            else:
                report.count(outcome)
            _mark_seen(client, uid)
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
    return report


@shared_task(name="helpdesk.fetch_mail")
def fetch_mail_task() -> dict | None:
    if not settings.HELPDESK_IMAP["host"]:
        logger.info("HELPDESK_IMAP host is empty: the desk mailbox is not read")
        return None
    return asdict(fetch_mail())


# --- one message -----------------------------------------------------------------------------
def message_id_of(message: EmailMessage, raw: bytes) -> str:
    value = str(message.get("Message-ID") or "").strip()
    if value:
        return value[:255]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def process_message(raw: bytes) -> str | None:
    """Handle one raw message once. Returns its outcome, or None if it was handled before.

    A message that failed before (its row says so) is tried again."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    message_id = message_id_of(message, raw)
    earlier = (
        InboundEmail.objects.filter(message_id=message_id).values_list("outcome", flat=True).first()
    )
    if earlier is not None and earlier not in RETRYABLE:
        return None
    try:
        with transaction.atomic():
            record = _claim(message, message_id, retry=earlier is not None)
            if record is None:
                return None
            outcome, ticket = _route(message, message_id)
            record.outcome = outcome
            record.ticket = ticket
            record.save(update_fields=["outcome", "ticket"])
    except IntegrityError:
        if _handled(message_id):
            return None
        raise
    return outcome


def _handled(message_id: str) -> bool:
    return (
        InboundEmail.objects.filter(message_id=message_id).exclude(outcome__in=RETRYABLE).exists()
    )


def _claim(message: EmailMessage, message_id: str, *, retry: bool) -> InboundEmail | None:
    """The message's row, taken for this run; None if another fetcher took it meanwhile.

    A new row is written first: a second fetcher running at the same time waits on the
    unique Message-ID and then fails instead of handling the message again. A failed
    message's row is taken by a conditional UPDATE, which a second fetcher finds done."""
    if not retry:
        return InboundEmail.objects.create(
            message_id=message_id,
            sender=_sender_address(message)[:255],
            subject=_header(message, "Subject")[:255],
            outcome=Outcome.IGNORED,
        )
    taken = InboundEmail.objects.filter(message_id=message_id, outcome__in=RETRYABLE).update(
        outcome=Outcome.IGNORED
    )
    return InboundEmail.objects.get(message_id=message_id) if taken else None


# --- failures ----------------------------------------------------------------------------------
def max_attempts() -> int:
    return max(int(settings.HELPDESK_IMAP.get("max_attempts", DEFAULT_MAX_ATTEMPTS)), 1)


def _identity(raw: bytes) -> tuple[str, str, str]:
    """(Message-ID, sender, subject) of a message that failed, as far as it can be read: the
    failure may be the parsing itself."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        return message_id_of(message, raw), _sender_address(message), _header(message, "Subject")
    except Exception:  # whatever broke the handling may break reading it here too
        return "sha256:" + hashlib.sha256(raw).hexdigest(), "", ""


@transaction.atomic
def failure_record(raw: bytes, *, error: str) -> InboundEmail:
    """Count a failed try of a message. On the last allowed try the row becomes GAVE_UP,
    an error is logged and the desk administrators are told, once."""
    message_id, sender, subject = _identity(raw)
    try:
        with transaction.atomic():
            record, _created = InboundEmail.objects.get_or_create(
                message_id=message_id,
                defaults={
                    "sender": sender[:255],
                    "subject": subject[:255],
                    "outcome": Outcome.FAILING,
                },
            )
    except IntegrityError:  # another fetcher wrote it meanwhile
        record = InboundEmail.objects.get(message_id=message_id)
    InboundEmail.objects.filter(pk=record.pk).update(
        failed_attempts=F("failed_attempts") + 1, last_error=error[:300]
    )
    record.refresh_from_db()
    if record.outcome == Outcome.FAILING and record.failed_attempts >= max_attempts():
        gave_up = InboundEmail.objects.filter(pk=record.pk, outcome=Outcome.FAILING).update(
            outcome=Outcome.GAVE_UP
        )
        record.refresh_from_db()
        if gave_up:
            logger.error(
                "Inbound e-mail %s from %s failed %d times and is set aside: %s",
                record.message_id,
                record.sender or "(unknown sender)",
                record.failed_attempts,
                record.last_error,
            )
            _tell_desk_admins(record)
    return record


def _desk_admins():
    return (
        User.objects.filter(Q(is_superuser=True) | Q(groups__name=Role.ADMIN), is_active=True)
        .exclude(is_service_account=True)
        .distinct()
        .order_by("pk")
    )


def _tell_desk_admins(record: InboundEmail) -> None:
    digest = hashlib.sha256(record.message_id.encode()).hexdigest()
    for admin in _desk_admins():
        with translation.override(admin.language or settings.LANGUAGE_CODE):
            notify(
                recipient=admin,
                kind=FAILED_MAIL_KIND,
                title=_("An e-mail to the service desk could not be handled"),
                body=_(
                    "The e-mail from %(sender)s with the subject “%(subject)s” failed "
                    "%(attempts)d times and is no longer tried. It is kept in the desk "
                    "mailbox, marked read with the keyword %(keyword)s. Last error: "
                    "%(error)s\n\nOnce the cause is fixed, mark it unread to try it again."
                )
                % {
                    "sender": record.sender or _("an unknown sender"),
                    "subject": record.subject or _("(no subject)"),
                    "attempts": record.failed_attempts,
                    "keyword": FAILED_KEYWORD,
                    "error": record.last_error,
                },
                dedupe_key=f"helpdesk:inbound-failed:{digest}:{admin.pk}",
            )


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError):  # a header the parser cannot make sense of
        return ""
    return " ".join(str(value or "").split())


def _addresses(message: EmailMessage, *names: str) -> list[str]:
    values = []
    for name in names:
        try:
            values.extend(str(value) for value in message.get_all(name) or ())
        except (ValueError, IndexError):
            continue
    return [address.strip().lower() for _name, address in getaddresses(values) if "@" in address]


def _sender_address(message: EmailMessage) -> str:
    found = _addresses(message, "From")
    return found[0] if found else ""


def is_automatic(message: EmailMessage) -> bool:
    """Out-of-office replies, bounces and list mail: never answered, so mail cannot loop."""
    auto_submitted = _header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if _header(message, "Precedence").lower() in AUTO_PRECEDENCE:
        return True
    if message.get("X-Autoreply") is not None or message.get("X-Autorespond") is not None:
        return True
    return _header(message, "Return-Path") == "<>"


def _route(message: EmailMessage, message_id: str) -> tuple[str, Ticket | None]:
    sender_address = _sender_address(message)
    if is_automatic(message) or not sender_address or _is_desk_address(sender_address):
        return Outcome.IGNORED, None
    sender = _active_user(sender_address)
    if sender is None:
        _answer(sender_address, message_id, _unknown_sender_text())
        return Outcome.REJECTED_SENDER, None

    recipients = _addresses(message, "To", "Cc", "Delivered-To", "X-Original-To")
    ticket, claimed = _ticket_from_recipients(recipients)
    if ticket is None and not claimed:
        ticket, claimed = _ticket_from_subject(_header(message, "Subject"))
    if claimed:
        if ticket is None or not may_reply(sender, ticket):
            _answer(sender_address, message_id, _no_match_text())
            return Outcome.REJECTED_TICKET, None
        return _append(message, message_id, ticket=ticket, sender=sender)

    queue = _queue_from_recipients(recipients)
    if queue is None:
        _answer(sender_address, message_id, _no_match_text())
        return Outcome.REJECTED_TICKET, None
    return _open(message, queue=queue, sender=sender)


def _reply_address_parts() -> tuple[str, str]:
    local, _at, domain = settings.HELPDESK_REPLY_ADDRESS.rpartition("@")
    return local.lower(), domain.lower()


def _is_desk_address(address: str) -> bool:
    local, domain = _reply_address_parts()
    mine = address.rpartition("@")
    if mine[2] == domain and (mine[0] == local or mine[0].startswith(local + "+")):
        return True
    return Queue.objects.filter(email_address__iexact=address).exists()


def _ticket_from_recipients(recipients: list[str]) -> tuple[Ticket | None, bool]:
    """The ticket of a reply address among the recipients; `claimed` if one looked like it."""
    local, domain = _reply_address_parts()
    claimed = False
    for address in recipients:
        address_local, _at, address_domain = address.rpartition("@")
        if address_domain != domain or not address_local.startswith(local + "+"):
            continue
        claimed = True
        ticket = services.ticket_from_reply_address(address)
        if ticket is not None:
            return ticket, True
    return None, claimed


def _ticket_from_subject(subject: str) -> tuple[Ticket | None, bool]:
    """A "[#12]" subject; the caller accepts it only from someone who may reply there."""
    match = SUBJECT_REFERENCE.search(subject)
    if match is None:
        return None, False
    ticket = Ticket.objects.select_related("queue").filter(pk=int(match.group(1))).first()
    return ticket, True


def _queue_from_recipients(recipients: list[str]) -> Queue | None:
    for address in recipients:
        queue = Queue.objects.filter(email_address__iexact=address, is_active=True).first()
        if queue is not None:
            return queue
    return None


def _active_user(address: str) -> User | None:
    return (
        User.objects.filter(email__iexact=address, is_active=True, is_service_account=False)
        .order_by("pk")
        .first()
    )


def may_reply(user: User, ticket: Ticket) -> bool:
    """Requester, the person it is for, watchers who may see it, and agents who work it."""
    if permissions.is_requester_side(user, ticket) or permissions.can_work_ticket(user, ticket):
        return True
    return ticket.watchers.filter(pk=user.pk).exists() and permissions.can_view_ticket(user, ticket)


def _append(
    message: EmailMessage, message_id: str, *, ticket: Ticket, sender: User
) -> tuple[str, Ticket | None]:
    while ticket.merged_into_id is not None and ticket.merged_into_id != ticket.pk:
        target = Ticket.objects.get(pk=ticket.merged_into_id)
        if not may_reply(sender, target):
            break
        ticket = target
    if ticket.status == Status.CLOSED:
        _answer(sender.email, message_id, _closed_text(ticket))
        return Outcome.REJECTED_CLOSED, ticket
    body = message_text(message) or _("(The e-mail had no text.)")
    try:
        with transaction.atomic():
            event = services.ticket_reply(ticket=ticket, author=sender, body=body, via_email=True)
    except services.TransitionNotAllowed:
        _answer(sender.email, message_id, _closed_text(ticket))
        return Outcome.REJECTED_CLOSED, ticket
    except PermissionDenied:
        _answer(sender.email, message_id, _no_match_text())
        return Outcome.REJECTED_TICKET, None
    _attach_files(message, event=event, sender=sender)
    return Outcome.APPENDED, ticket


def _open(message: EmailMessage, *, queue: Queue, sender: User) -> tuple[str, Ticket | None]:
    subject = _header(message, "Subject")[:200] or _("(no subject)")
    ticket = services.ticket_create(
        requester=sender,
        subject=subject,
        description=message_text(message),
        queue=queue,
        source=Ticket.Source.EMAIL,
    )
    created = ticket.events.filter(kind=EventKind.CREATED).order_by("pk").first()
    if created is not None:
        _attach_files(message, event=created, sender=sender)
    return Outcome.OPENED, ticket


# --- the text ---------------------------------------------------------------------------------
_BLOCK_END = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6]|/blockquote|/pre)\b[^>]*>", re.I)
# A line that starts a quoted earlier message, in the languages the portal speaks.
_REPLY_HEADER = re.compile(
    r"^\s*("
    r"On\s.+\swrote:"
    r"|Op\s.+\sschreef\s?.*:"
    r"|Il giorno\s.+\sha scritto:"
    r"|Den\s.+\sskrev\s?.*:"
    r"|-{2,}\s*(Original Message|Oorspronkelijk bericht|Messaggio originale"
    r"|Opprinnelig melding|Originalmelding)\s*-{2,}"
    r"|_{10,}"
    r")\s*$",
    re.I,
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(From|Van|Da|Fra):\*?\s", re.I)
_OUTLOOK_SENT = re.compile(
    r"^\s*\*?(Sent|Verzonden|Inviato|Sendt|Date|Datum|Data|Dato):\*?\s", re.I
)


def html_to_text(markup: str) -> str:
    """Text of an HTML mail: tags (and script/style content) removed, entities decoded."""
    markup = _BLOCK_END.sub("\n", markup)
    stripped = nh3.clean(markup, tags=set(), clean_content_tags={"script", "style", "head"})
    return html.unescape(stripped)


def _part_text(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError, KeyError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def _body_text(message: EmailMessage) -> str:
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None:
        return _part_text(plain)
    rich = message.get_body(preferencelist=("html",))
    if rich is not None:
        return html_to_text(_part_text(rich))
    return ""


def strip_quoted(text: str) -> str:
    """The new part of a reply: no quoted lines, earlier message or signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if line.rstrip() in ("--", "-- "):
            break
        if _REPLY_HEADER.match(line) or _REPLY_HEADER.match(f"{line} {following.strip()}"):
            break
        if _OUTLOOK_FROM.match(line) and any(
            _OUTLOOK_SENT.match(later) for later in lines[index + 1 : index + 4]
        ):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def message_text(message: EmailMessage) -> str:
    return strip_quoted(_body_text(message))[:MAX_BODY_CHARS]


# --- attachments ------------------------------------------------------------------------------
def _attach_files(message: EmailMessage, *, event: TicketEvent, sender: User) -> None:
    """Keep each attached file the portal would accept; list the refused ones in a note."""
    refused: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if not filename:
            continue
        content = part.get_payload(decode=True) or b""
        upload = SimpleUploadedFile(filename, content, content_type=part.get_content_type())
        try:
            with transaction.atomic():
                attachment_add(owner=event, upload=upload, uploaded_by=sender)
        except ValidationError as exc:
            refused.append(f"- {html.escape(filename)}: {' '.join(exc.messages)}")
    if refused:
        TicketEvent.objects.create(
            ticket=event.ticket,
            kind=EventKind.NOTE,
            internal=True,
            via_email=True,
            body=_("These files of the e-mail were not accepted:") + "\n" + "\n".join(refused),
            data={"refused_attachments": len(refused)},
            created_at=timezone.now(),
        )


# --- answers ------------------------------------------------------------------------------------
def _portal_url(name: str) -> str:
    try:
        path = reverse(name)
    except NoReverseMatch:
        path = "/desk/"
    return f"{settings.SITE_URL}{path}"


def _unknown_sender_text() -> str:
    return _(
        "Thank you for your e-mail. The address it was sent from is not known to the "
        "service desk, so it was not added to any request.\n\n"
        "Please sign in to the portal and use the service desk there:\n%(url)s\n\n"
        "This is an automatic message."
    ) % {"url": _portal_url("helpdesk:home")}


def _no_match_text() -> str:
    return _(
        "Thank you for your e-mail. It could not be matched to a request of yours, so it "
        "was not added to any request.\n\n"
        "To follow up on a request, reply to one of its e-mails or open it in the portal; "
        "to ask for something new, use the service desk:\n%(url)s\n\n"
        "This is an automatic message."
    ) % {"url": _portal_url("helpdesk:home")}


def _closed_text(ticket: Ticket) -> str:
    return _(
        "Thank you for your e-mail. Request %(reference)s is closed, so your message was "
        "not added to it.\n\n"
        "If you still need help, please file a new request:\n%(url)s\n\n"
        "This is an automatic message."
    ) % {"reference": ticket.reference, "url": _portal_url("helpdesk:home")}


def _answer(to: str, message_id: str, text: str) -> None:
    """One polite automatic answer per inbound message (deduplicated by its Message-ID)."""
    if not to or _is_desk_address(to):
        return
    headers = {}
    if PLAIN_MESSAGE_ID.match(message_id):
        headers = {"In-Reply-To": message_id, "References": message_id}
    digest = hashlib.sha256(message_id.encode()).hexdigest()
    outbox_enqueue(
        to=to,
        subject=_("Your e-mail to the service desk"),
        body=text,
        dedupe_key=f"helpdesk:inbound:{digest}",
        headers=headers,
    )
