"""Service desk e-mail end to end: ticket mails leave through the outbox, the real worker and
the SMTP sink, threaded and with their reply address; the requester's answer to one of them
goes into a real Dovecot by IMAP APPEND and `helpdesk_fetch_mail` adds it to the ticket.

The tests are transactional: the worker is another process and sees committed rows only.
"""

import re
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command

from ess.accounts.roles import Role
from helpdesk import services
from helpdesk.models import EventKind, InboundEmail, Status, Ticket
from tests.helpdesk.factories import QueueFactory
from tests.imap_server import DovecotError, DovecotServer
from tests.integration.services import ReceivedMail

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

NOTE = "Internal: the printer vendor contract ends in May"
AGENT_REPLY = "A new drum is on its way; it arrives tomorrow."


@pytest.fixture(autouse=True)
def _role_groups():
    for role in Role:
        Group.objects.get_or_create(name=str(role))


@pytest.fixture(scope="module")
def dovecot() -> Iterator[DovecotServer]:
    server = DovecotServer()
    try:
        server.start()
    except DovecotError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def desk_mailbox(dovecot: DovecotServer, settings) -> DovecotServer:
    dovecot.empty()
    settings.HELPDESK_IMAP = {
        "host": dovecot.host,
        "port": dovecot.port,
        "ssl": False,
        "starttls": False,
        "user": dovecot.user,
        "password": dovecot.password,
        "folder": "INBOX",
    }
    return dovecot


@pytest.fixture
def it_queue(it_agent):
    queue = QueueFactory(name="IT", slug="it", email_address="it@localhost")
    queue.agents.add(it_agent)
    return queue


def ticket_mails(mailbox, person, ticket) -> list[ReceivedMail]:
    return [
        mail for mail in mailbox.to(person.email) if mail.subject.startswith(f"[#{ticket.pk}] ")
    ]


def text_of(mail: ReceivedMail) -> str:
    return mail.message.get_body(preferencelist=("plain",)).get_content()


def file_and_answer(employee, it_agent, it_queue) -> Ticket:
    ticket = services.ticket_create(
        requester=employee,
        subject="Printer on floor 3 jams",
        description="It jams on every second page.",
        queue=it_queue,
    )
    services.ticket_note(ticket=ticket, author=it_agent, body=NOTE)
    services.ticket_reply(ticket=ticket, author=it_agent, body=AGENT_REPLY)
    return ticket


def test_ticket_mails_are_threaded_carry_the_reply_address_and_never_a_note(
    employee, it_agent, it_queue, mailbox, wait_for, drain_worker
):
    ticket = file_and_answer(employee, it_agent, it_queue)
    ticket.refresh_from_db()
    services.ticket_update(
        ticket_id=ticket.pk,
        actor=it_agent,
        expected_version=ticket.version,
        status=Status.RESOLVED,
        resolution="Replaced the drum.",
    )

    wait_for(lambda: len(ticket_mails(mailbox, employee, ticket)) >= 3, "three ticket e-mails")
    drain_worker()
    mails = ticket_mails(mailbox, employee, ticket)
    reply_to = services.reply_address(ticket)
    anchor = f"<ticket-{ticket.pk}@{settings.HELPDESK_REPLY_ADDRESS.rsplit('@', 1)[1]}>"
    for mail in mails:
        assert mail.subject == f"[#{ticket.pk}] Printer on floor 3 jams"
        assert mail.message["Reply-To"] == reply_to
        assert mail.message["In-Reply-To"] == anchor
        assert anchor in mail.message["References"]
    bodies = [text_of(mail) for mail in mails]
    assert "It jams on every second page." in bodies[0], "the new-ticket mail comes first"
    assert any(AGENT_REPLY in body for body in bodies)
    [resolved] = [body for body in bodies if "/desk/rate/" in body]
    # The links are signed with a timestamp, so they are read back rather than rebuilt.
    tokens = re.findall(re.escape(settings.SITE_URL) + r"/desk/rate/([^/\s]+)/", resolved)
    assert sorted(services.rating_token_read(token) for token in tokens) == [
        (ticket.pk, rating) for rating in range(1, 6)
    ]
    for mail in mailbox.messages:
        assert NOTE not in mail.message.as_string()
        assert "vendor contract" not in text_of(mail)


def test_a_confidential_case_is_mailed_without_its_subject_or_description(
    employee, mailbox, wait_for, drain_worker
):
    cases = QueueFactory(name="HR cases", slug="hr-cases", confidential=True)
    ticket = services.ticket_create(
        requester=employee,
        subject="Conflict about overtime",
        description="My team lead asks for unpaid overtime every week.",
        queue=cases,
    )

    wait_for(lambda: ticket_mails(mailbox, employee, ticket), "the new-case e-mail")
    drain_worker()
    for mail in mailbox.messages:
        text = mail.message.as_string()
        assert "unpaid overtime" not in text
        assert "Conflict about overtime" not in text
    [mail] = ticket_mails(mailbox, employee, ticket)
    assert mail.message["Reply-To"] == services.reply_address(ticket)


def test_the_requesters_answer_to_a_ticket_mail_lands_on_the_ticket_without_the_quote(
    employee, it_agent, it_queue, mailbox, wait_for, desk_mailbox
):
    ticket = file_and_answer(employee, it_agent, it_queue)
    [received] = wait_for(
        lambda: [
            mail for mail in ticket_mails(mailbox, employee, ticket) if AGENT_REPLY in text_of(mail)
        ],
        "the agent's reply by e-mail",
    )

    answer = EmailMessage()
    answer["From"] = f"Emma <{employee.email}>"
    answer["To"] = received.message["Reply-To"]
    answer["Subject"] = f"Re: {received.subject}"
    answer["Message-ID"] = make_msgid(domain="client.example.org")
    answer["In-Reply-To"] = received.message["Message-ID"]
    answer["References"] = f"{received.message['References']} {received.message['Message-ID']}"
    quoted = "\n".join(f"> {line}" for line in text_of(received).splitlines())
    answer.set_content(
        "Thanks, the new drum fixed it.\n\n"
        f"On Tue, 4 Mar 2025 at 09:12, ESS <ess@localhost> wrote:\n{quoted}\n"
    )
    desk_mailbox.append(answer)
    out = StringIO()

    call_command("helpdesk_fetch_mail", stdout=out)

    assert out.getvalue().startswith("read 1, appended 1")
    reply = ticket.events.filter(kind=EventKind.REPLY, actor=employee).get()
    assert reply.via_email
    assert reply.body == "Thanks, the new drum fixed it."
    assert InboundEmail.objects.get().ticket == ticket
    assert desk_mailbox.flags() == ["1 (FLAGS (\\Seen))"]
