"""Mail that cannot be handled, through a real Dovecot: each failure is counted, a message
that keeps failing is set aside in the mailbox after HELPDESK_IMAP["max_attempts"] tries
and the desk administrators hear of it once; one that fails once and then works is handled
once."""

import pytest

from ess.accounts.roles import Role
from ess.notifications.models import Notification
from helpdesk import mail_in, services
from helpdesk.models import EventKind, InboundEmail
from tests.factories import UserFactory
from tests.helpdesk.mail.mails import make_mail

pytestmark = pytest.mark.django_db

FAILED_FOLDER = "Desk failed"
QUOTED_FOLDER = f'"{FAILED_FOLDER}"'  # as the test helper must name it in IMAP commands


@pytest.fixture
def ticket(employee, it_queue):
    return services.ticket_create(
        requester=employee, subject="Printer on floor 3 jams", queue=it_queue
    )


@pytest.fixture
def desk_admins(db):
    """A desk administrator by role and one superuser: both are told."""
    return [
        UserFactory(email="dora@example.org", roles=[Role.EMPLOYEE, Role.ADMIN]),
        UserFactory(email="root@example.org", is_superuser=True),
    ]


@pytest.fixture
def three_attempts(desk_mailbox, settings):
    settings.HELPDESK_IMAP = {**settings.HELPDESK_IMAP, "max_attempts": 3}
    return desk_mailbox


class Broken:
    """Stands in for the handling of a reply and fails the first `failures` times."""

    def __init__(self, failures: int = 10**6) -> None:
        self.calls = 0
        self.failures = failures
        self.real = mail_in._append

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError("a malformed MIME part")
        return self.real(*args, **kwargs)


def replies(ticket) -> int:
    return ticket.events.filter(kind=EventKind.REPLY).count()


def failure_notices() -> list[Notification]:
    return list(Notification.objects.filter(dedupe_key__startswith="helpdesk:inbound-failed:"))


def mark_unread(mailbox) -> None:
    client = mailbox.connect()
    try:
        client.select("INBOX")
        client.store("1:*", "-FLAGS.SILENT", r"(\Seen)")
    finally:
        client.logout()


def test_without_a_setting_a_message_is_tried_five_times(desk_mailbox, settings):
    assert "max_attempts" not in settings.HELPDESK_IMAP
    assert mail_in.max_attempts() == 5


def test_a_message_that_always_fails_is_tried_max_attempts_times_then_set_aside(
    three_attempts, ticket, desk_admins, monkeypatch
):
    three_attempts.append(make_mail(sender="emma@example.org", to=services.reply_address(ticket)))
    broken = Broken()
    monkeypatch.setattr(mail_in, "_append", broken)

    runs = [mail_in.fetch_mail() for _ in range(5)]

    assert broken.calls == 3
    assert [(run.read, run.failed, run.set_aside) for run in runs] == [
        (1, 1, 0),
        (1, 1, 0),
        (1, 1, 1),
        (0, 0, 0),
        (0, 0, 0),
    ]
    assert three_attempts.flags() == ["1 (FLAGS (\\Seen DeskFailed))"]
    inbound = InboundEmail.objects.get()
    assert (inbound.outcome, inbound.failed_attempts, inbound.sender) == (
        InboundEmail.Outcome.GAVE_UP,
        3,
        "emma@example.org",
    )
    assert "malformed MIME part" in inbound.last_error
    assert replies(ticket) == 0
    notices = failure_notices()
    assert sorted(notice.recipient.email for notice in notices) == [
        "dora@example.org",
        "root@example.org",
    ]
    assert all("3 times" in notice.body for notice in notices)
    assert all("emma@example.org" in notice.body for notice in notices)


def test_failures_before_the_last_try_notify_nobody_and_leave_the_message_unread(
    three_attempts, ticket, desk_admins, monkeypatch
):
    three_attempts.append(make_mail(sender="emma@example.org", to=services.reply_address(ticket)))
    monkeypatch.setattr(mail_in, "_append", Broken())

    mail_in.fetch_mail()
    mail_in.fetch_mail()

    assert three_attempts.flags() == ["1 (FLAGS ())"]
    inbound = InboundEmail.objects.get()
    assert (inbound.outcome, inbound.failed_attempts) == (InboundEmail.Outcome.FAILING, 2)
    assert failure_notices() == []


def test_a_message_that_fails_once_then_works_is_handled_once(
    three_attempts, ticket, desk_admins, monkeypatch
):
    three_attempts.append(make_mail(sender="emma@example.org", to=services.reply_address(ticket)))
    broken = Broken(failures=1)
    monkeypatch.setattr(mail_in, "_append", broken)

    first, second, third = (mail_in.fetch_mail() for _ in range(3))

    assert (first.failed, second.appended, third.read) == (1, 1, 0)
    assert broken.calls == 2
    assert replies(ticket) == 1
    inbound = InboundEmail.objects.get()
    assert (inbound.outcome, inbound.failed_attempts, inbound.ticket) == (
        InboundEmail.Outcome.APPENDED,
        1,
        ticket,
    )
    assert three_attempts.flags() == ["1 (FLAGS (\\Seen))"]
    assert failure_notices() == []


def test_a_message_set_aside_and_marked_unread_again_is_tried_once_more(
    three_attempts, ticket, desk_admins, monkeypatch
):
    three_attempts.append(make_mail(sender="emma@example.org", to=services.reply_address(ticket)))
    broken = Broken(failures=3)
    monkeypatch.setattr(mail_in, "_append", broken)
    for _ in range(3):
        mail_in.fetch_mail()
    mark_unread(three_attempts)  # the cause is fixed; someone asks for another try

    retried = mail_in.fetch_mail()

    assert (retried.read, retried.appended, broken.calls) == (1, 1, 4)
    assert replies(ticket) == 1
    assert InboundEmail.objects.get().outcome == InboundEmail.Outcome.APPENDED
    assert len(failure_notices()) == 2  # told once, not again


def test_a_set_aside_message_moves_to_the_failed_folder_when_one_is_configured(
    three_attempts, ticket, desk_admins, monkeypatch, settings
):
    three_attempts.empty(folder=QUOTED_FOLDER)
    settings.HELPDESK_IMAP = {**settings.HELPDESK_IMAP, "failed_folder": FAILED_FOLDER}
    three_attempts.append(make_mail(sender="emma@example.org", to=services.reply_address(ticket)))
    monkeypatch.setattr(mail_in, "_append", Broken())

    for _ in range(4):
        mail_in.fetch_mail()

    assert three_attempts.count() == 0
    assert three_attempts.count(folder=QUOTED_FOLDER) == 1
    assert "DeskFailed" in three_attempts.flags(folder=QUOTED_FOLDER)[0]


def test_a_message_that_cannot_even_be_parsed_is_counted_by_its_content(
    three_attempts, monkeypatch
):
    raw = make_mail(sender="emma@example.org", to="it@desk.example.org").as_bytes()

    def unreadable(*args, **kwargs):
        raise ValueError("no parse")

    monkeypatch.setattr(mail_in.email, "message_from_bytes", unreadable)
    record = mail_in.failure_record(raw, error="ValueError: no parse")

    assert record.message_id.startswith("sha256:")
    assert (record.outcome, record.failed_attempts) == (InboundEmail.Outcome.FAILING, 1)
