"""E-mail into the desk, through a real Dovecot: messages go in by IMAP APPEND and come out
through `fetch_mail()`, which reads them by IMAP as production does."""

import pytest

from ess.content.attachments import attachments_of
from ess.notifications.models import OutboxMessage
from helpdesk import mail_in, services
from helpdesk.models import EventKind, InboundEmail, Status, Ticket, TicketEvent
from tests.helpdesk.mail.mails import DESK_ADDRESS, make_mail

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HOSTILE_NAME = "<img src=x onerror=alert(1)>.pdf"
QUOTE = "> Dear Emma,\n> have you tried turning it off and on again?\n"


@pytest.fixture
def ticket(employee, it_queue):
    return services.ticket_create(
        requester=employee,
        subject="Printer on floor 3 jams",
        description="It jams on every page.",
        queue=it_queue,
    )


def answers() -> list[OutboxMessage]:
    """The automatic answers to inbound mail (not the ticket notifications)."""
    return list(OutboxMessage.objects.filter(dedupe_key__startswith="helpdesk:inbound:"))


def replies(ticket) -> list[TicketEvent]:
    return list(ticket.events.filter(kind=EventKind.REPLY))


def test_reply_to_the_reply_address_is_appended_without_quote_or_signature(
    desk_mailbox, ticket, employee
):
    desk_mailbox.append(
        make_mail(
            sender="Emma <EMMA@example.org>",
            to=services.reply_address(ticket),
            subject=f"Re: [#{ticket.pk}] Printer on floor 3 jams",
            body=f"It works again, thank you!\n\n-- \nEmma\nFloor 3\n\n{QUOTE}",
        )
    )

    report = mail_in.fetch_mail()

    assert (report.read, report.appended, report.rejected, report.failed) == (1, 1, 0, 0)
    [reply] = replies(ticket)
    assert reply.body == "It works again, thank you!"
    assert reply.via_email
    assert not reply.internal
    assert reply.actor == employee
    inbound = InboundEmail.objects.get()
    assert (inbound.outcome, inbound.ticket, inbound.sender) == (
        InboundEmail.Outcome.APPENDED,
        ticket,
        "emma@example.org",
    )
    assert desk_mailbox.flags() == ["1 (FLAGS (\\Seen))"]


REPLY_HEADERS = {
    "english": "On Mon, 3 Mar 2025 at 10:00, Ivan <ivan@example.org> wrote:",
    "english over two lines": "On Mon, 3 Mar 2025 at 10:00, Ivan Agent\n<ivan@example.org> wrote:",
    "dutch": "Op ma 3 mrt 2025 om 10:00 schreef Ivan <ivan@example.org>:",
    "italian": "Il giorno lun 3 mar 2025 alle ore 10:00 Ivan <ivan@example.org> ha scritto:",
    "norwegian": "Den man. 3. mar. 2025 kl. 10:00 skrev Ivan <ivan@example.org>:",
    "original message": "-----Original Message-----\nFrom: Ivan\nSubject: printer",
    "outlook block": (
        "From: Ivan Agent <ivan@example.org>\nSent: Monday, 3 March 2025 10:00\n"
        "To: Emma <emma@example.org>\nSubject: RE: printer"
    ),
    "outlook dutch block": (
        "Van: Ivan Agent <ivan@example.org>\nVerzonden: maandag 3 maart 2025 10:00\n"
        "Aan: Emma\nOnderwerp: printer"
    ),
    "outlook rule": "________________________________\nFrom: Ivan Agent\nSent: Monday",
}


@pytest.mark.parametrize("header", REPLY_HEADERS.values(), ids=REPLY_HEADERS.keys())
def test_the_quoted_earlier_message_is_cut_at_its_reply_header(desk_mailbox, ticket, header):
    desk_mailbox.append(
        make_mail(
            sender="emma@example.org",
            to=services.reply_address(ticket),
            body=f"Still jams.\nOnly on A3.\n\n{header}\nHave you tried turning it off?\n",
        )
    )

    mail_in.fetch_mail()

    [reply] = replies(ticket)
    assert reply.body == "Still jams.\nOnly on A3."


def test_a_pdf_is_kept_and_refused_files_are_noted_without_refusing_the_reply(
    desk_mailbox, ticket, employee
):
    desk_mailbox.append(
        make_mail(
            sender="emma@example.org",
            to=services.reply_address(ticket),
            body="The error report is attached.",
            attachments=(
                ("report.pdf", PDF, "application/pdf"),
                ("drawing.svg", b'<svg onload="alert(1)"/>', "image/svg+xml"),
                ("page.html", b"<script>alert(1)</script>", "text/html"),
                (HOSTILE_NAME, b"<html><script>alert(1)</script></html>", "application/pdf"),
            ),
        )
    )

    report = mail_in.fetch_mail()

    assert (report.appended, report.failed) == (1, 0)
    [reply] = replies(ticket)
    [kept] = attachments_of([reply])[reply.pk]
    assert (kept.original_name, kept.content_type) == ("report.pdf", "application/pdf")
    [note] = ticket.events.filter(kind=EventKind.NOTE)
    assert note.internal
    assert "drawing.svg" in note.body
    assert "page.html" in note.body
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in note.body
    assert "<img" not in note.body


def test_an_unknown_sender_gets_one_polite_answer_and_the_ticket_is_untouched(
    desk_mailbox, ticket, settings
):
    events_before = ticket.events.count()
    desk_mailbox.append(
        make_mail(sender="Mallory <mallory@elsewhere.example>", to=services.reply_address(ticket))
    )

    report = mail_in.fetch_mail()

    assert (report.rejected, report.appended) == (1, 0)
    assert ticket.events.count() == events_before
    [answer] = answers()
    assert answer.to == "mallory@elsewhere.example"
    assert "not known to the service desk" in answer.body
    assert settings.SITE_URL in answer.body
    assert "Printer" not in answer.body + answer.subject
    assert f"#{ticket.pk}" not in answer.body + answer.subject
    assert InboundEmail.objects.get().outcome == InboundEmail.Outcome.REJECTED_SENDER


def test_a_reply_address_with_a_wrong_token_appends_nothing(desk_mailbox, ticket):
    events_before = ticket.events.count()
    desk_mailbox.append(
        make_mail(
            sender="emma@example.org", to=f"desk+{ticket.pk}.0123456789abcdef@desk.example.org"
        )
    )

    report = mail_in.fetch_mail()

    assert report.rejected == 1
    assert ticket.events.count() == events_before
    assert InboundEmail.objects.get().outcome == InboundEmail.Outcome.REJECTED_TICKET
    [answer] = answers()
    assert "Printer" not in answer.body


def test_a_subject_reference_from_someone_outside_the_ticket_is_refused(
    desk_mailbox, ticket, other_employee
):
    events_before = ticket.events.count()
    desk_mailbox.append(
        make_mail(
            sender=other_employee.email,
            to=DESK_ADDRESS,
            subject=f"Re: [#{ticket.pk}] Printer on floor 3 jams",
            body="Close this one, please.",
        )
    )

    report = mail_in.fetch_mail()

    assert report.rejected == 1
    assert ticket.events.count() == events_before
    assert InboundEmail.objects.get().outcome == InboundEmail.Outcome.REJECTED_TICKET


def test_a_subject_reference_from_the_requester_is_appended(desk_mailbox, ticket):
    desk_mailbox.append(
        make_mail(
            sender="emma@example.org",
            to=DESK_ADDRESS,
            subject=f"Re: [#{ticket.pk}] Printer on floor 3 jams",
            body="Any news?",
        )
    )

    assert mail_in.fetch_mail().appended == 1
    assert [event.body for event in replies(ticket)] == ["Any news?"]


def test_an_agent_of_the_queue_replying_by_email_writes_a_public_reply(
    desk_mailbox, ticket, it_agent
):
    desk_mailbox.append(
        make_mail(
            sender=it_agent.email,
            to=services.reply_address(ticket),
            body="A new drum is on its way.",
        )
    )

    assert mail_in.fetch_mail().appended == 1
    [reply] = replies(ticket)
    assert (reply.actor, reply.internal) == (it_agent, False)


def test_an_agent_of_another_queue_cannot_reply_by_email(desk_mailbox, ticket, facilities_agent):
    desk_mailbox.append(make_mail(sender=facilities_agent.email, to=services.reply_address(ticket)))

    assert mail_in.fetch_mail().rejected == 1
    assert replies(ticket) == []


def test_a_watcher_may_reply_by_email(desk_mailbox, ticket, other_employee):
    ticket.watchers.add(other_employee)
    desk_mailbox.append(make_mail(sender=other_employee.email, to=services.reply_address(ticket)))

    assert mail_in.fetch_mail().appended == 1
    assert [event.actor for event in replies(ticket)] == [other_employee]


def test_a_reply_to_a_merged_ticket_joins_the_ticket_it_was_merged_into(
    desk_mailbox, ticket, employee, it_queue
):
    target = services.ticket_create(requester=employee, subject="Printers", queue=it_queue)
    Ticket.objects.filter(pk=ticket.pk).update(merged_into=target, status=Status.CLOSED)
    desk_mailbox.append(make_mail(sender="emma@example.org", to=services.reply_address(ticket)))

    assert mail_in.fetch_mail().appended == 1
    assert replies(ticket) == []
    assert len(replies(target)) == 1
    assert InboundEmail.objects.get().ticket == target


def test_mail_from_the_desks_own_addresses_is_ignored(desk_mailbox, ticket, it_queue):
    desk_mailbox.append(make_mail(sender=DESK_ADDRESS, to="it@desk.example.org"))
    desk_mailbox.append(make_mail(sender="it@desk.example.org", to=services.reply_address(ticket)))

    assert mail_in.fetch_mail().ignored == 2
    assert answers() == []


def test_mail_to_a_queue_address_from_an_employee_opens_a_ticket(desk_mailbox, employee, it_queue):
    desk_mailbox.append(
        make_mail(
            sender="emma@example.org",
            to="IT <IT@desk.example.org>",
            subject="VPN drops every hour",
            body="Since Monday the VPN drops.\n\n-- \nEmma",
            attachments=(("log.pdf", PDF, "application/pdf"),),
        )
    )

    report = mail_in.fetch_mail()

    assert report.opened == 1
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.queue, ticket.source) == (employee, it_queue, "email")
    assert ticket.subject == "VPN drops every hour"
    assert ticket.description == "Since Monday the VPN drops."
    created = ticket.events.get(kind=EventKind.CREATED)
    assert [a.original_name for a in attachments_of([created])[created.pk]] == ["log.pdf"]
    assert InboundEmail.objects.get().ticket == ticket


def test_mail_to_a_queue_address_from_a_stranger_opens_nothing(desk_mailbox, it_queue):
    desk_mailbox.append(
        make_mail(sender="someone@elsewhere.example", to="it@desk.example.org", subject="Hi")
    )

    assert mail_in.fetch_mail().rejected == 1
    assert not Ticket.objects.exists()
    [answer] = answers()
    assert answer.to == "someone@elsewhere.example"


AUTOMATIC = {
    "auto-submitted": {"Auto-Submitted": "auto-replied"},
    "precedence bulk": {"Precedence": "bulk"},
    "precedence auto_reply": {"Precedence": "auto_reply"},
    "precedence list": {"Precedence": "list"},
    "x-autoreply": {"X-Autoreply": "yes"},
    "empty return path": {"Return-Path": "<>"},
}


@pytest.mark.parametrize("headers", AUTOMATIC.values(), ids=AUTOMATIC.keys())
def test_automatic_replies_are_ignored_and_never_answered(desk_mailbox, ticket, headers):
    events_before = ticket.events.count()
    for sender in ("emma@example.org", "stranger@elsewhere.example"):
        desk_mailbox.append(
            make_mail(
                sender=sender,
                to=services.reply_address(ticket),
                subject="Out of office",
                headers=headers,
            )
        )

    report = mail_in.fetch_mail()

    assert (report.ignored, report.appended, report.rejected) == (2, 0, 0)
    assert ticket.events.count() == events_before
    assert answers() == []
    assert set(InboundEmail.objects.values_list("outcome", flat=True)) == {"ignored"}


def test_auto_submitted_no_is_a_person_writing(desk_mailbox, ticket):
    desk_mailbox.append(
        make_mail(
            sender="emma@example.org",
            to=services.reply_address(ticket),
            headers={"Auto-Submitted": "no"},
        )
    )

    assert mail_in.fetch_mail().appended == 1


def test_fetching_twice_handles_each_message_once(desk_mailbox, ticket):
    desk_mailbox.append(make_mail(sender="emma@example.org", to=services.reply_address(ticket)))

    first = mail_in.fetch_mail()
    events = ticket.events.count()
    second = mail_in.fetch_mail()

    assert (first.read, first.appended) == (1, 1)
    assert (second.read, second.appended) == (0, 0)
    assert InboundEmail.objects.count() == 1
    assert ticket.events.count() == events


def test_a_message_committed_but_not_flagged_is_not_appended_again(
    desk_mailbox, ticket, monkeypatch
):
    """A crash between the commit and the \\Seen flag: the Message-ID makes the rerun a no-op."""
    desk_mailbox.append(make_mail(sender="emma@example.org", to=services.reply_address(ticket)))
    with monkeypatch.context() as patch:
        patch.setattr(mail_in, "_mark_seen", lambda client, uid: None)
        assert mail_in.fetch_mail().appended == 1
    assert desk_mailbox.flags() == ["1 (FLAGS ())"]

    rerun = mail_in.fetch_mail()

    assert (rerun.read, rerun.duplicates, rerun.appended) == (1, 1, 0)
    assert len(replies(ticket)) == 1
    assert InboundEmail.objects.count() == 1
    assert desk_mailbox.flags() == ["1 (FLAGS (\\Seen))"]


def test_a_message_without_message_id_is_handled_once_by_its_content(desk_mailbox, ticket):
    message = make_mail(sender="emma@example.org", to=services.reply_address(ticket))
    del message["Message-ID"]
    desk_mailbox.append(message)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mail_in, "_mark_seen", lambda client, uid: None)
        mail_in.fetch_mail()

    assert mail_in.fetch_mail().duplicates == 1
    assert InboundEmail.objects.get().message_id.startswith("sha256:")
    assert len(replies(ticket)) == 1


def test_a_message_whose_handling_fails_is_rolled_back_and_retried_next_run(
    desk_mailbox, ticket, monkeypatch
):
    desk_mailbox.append(
        make_mail(
            sender="emma@example.org",
            to=services.reply_address(ticket),
            attachments=(("report.pdf", PDF, "application/pdf"),),
        )
    )
    events_before = ticket.events.count()

    def broken_attach(*args, **kwargs):
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(mail_in, "attachment_add", broken_attach)
        failed = mail_in.fetch_mail()

    assert (failed.read, failed.failed, failed.appended) == (1, 1, 0)
    assert "disk full" in failed.errors[0]
    assert ticket.events.count() == events_before
    failing = InboundEmail.objects.get()  # only the count of failed tries
    assert (failing.outcome, failing.failed_attempts, failing.ticket) == ("failing", 1, None)
    assert desk_mailbox.flags() == ["1 (FLAGS ())"]

    retried = mail_in.fetch_mail()

    assert (retried.read, retried.appended) == (1, 1)
    [reply] = replies(ticket)
    assert len(attachments_of([reply])[reply.pk]) == 1


def test_a_reply_to_a_closed_ticket_gets_a_polite_answer(desk_mailbox, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
    events_before = ticket.events.count()
    desk_mailbox.append(make_mail(sender="emma@example.org", to=services.reply_address(ticket)))

    report = mail_in.fetch_mail()

    assert report.rejected == 1
    assert ticket.events.count() == events_before
    [answer] = answers()
    assert answer.to == "emma@example.org"
    assert f"#{ticket.pk} is closed" in answer.body
    assert "new request" in answer.body
    assert InboundEmail.objects.get().outcome == InboundEmail.Outcome.REJECTED_CLOSED


def test_an_html_only_mail_is_stored_as_text_without_its_script(desk_mailbox, ticket):
    desk_mailbox.append(
        make_mail(
            sender="emma@example.org",
            to=services.reply_address(ticket),
            body=None,
            html=(
                "<html><head><style>p {color: red}</style></head><body>"
                "<p>Fixed &amp; working.</p><script>alert('x')</script>"
                "<p><b>Thanks</b> &lt;3</p><blockquote>old</blockquote></body></html>"
            ),
        )
    )

    mail_in.fetch_mail()

    [reply] = replies(ticket)
    assert "alert" not in reply.body
    assert "color" not in reply.body
    assert "<script" not in reply.body
    assert reply.body.splitlines()[:2] == ["Fixed & working.", "Thanks <3"]


def test_an_empty_host_is_a_clear_error_and_the_task_does_nothing(settings):
    settings.HELPDESK_IMAP = {**settings.HELPDESK_IMAP, "host": ""}

    with pytest.raises(mail_in.MailboxError, match="No IMAP host"):
        mail_in.fetch_mail()
    assert mail_in.fetch_mail_task.delay().get() is None


def test_the_task_reads_the_mailbox_when_a_host_is_set(desk_mailbox, ticket):
    desk_mailbox.append(make_mail(sender="emma@example.org", to=services.reply_address(ticket)))

    result = mail_in.fetch_mail_task.delay().get()

    assert (result["read"], result["appended"]) == (1, 1)


def test_a_wrong_password_is_a_login_error(desk_mailbox, settings):
    settings.HELPDESK_IMAP = {**settings.HELPDESK_IMAP, "password": "wrong"}

    with pytest.raises(mail_in.MailboxError, match="refused the login"):
        mail_in.fetch_mail()
