"""`manage.py helpdesk_fetch_mail`: a summary line; exit code 1 when the mailbox is unreachable."""

from io import StringIO

import pytest
from django.core.management import call_command

from helpdesk import services
from helpdesk.management.commands.helpdesk_fetch_mail import Command
from tests.helpdesk.mail.mails import make_mail

pytestmark = pytest.mark.django_db


def test_the_command_prints_what_it_did(desk_mailbox, employee, it_queue):
    ticket = services.ticket_create(requester=employee, subject="Mouse", queue=it_queue)
    desk_mailbox.append(make_mail(sender="emma@example.org", to=services.reply_address(ticket)))
    desk_mailbox.append(make_mail(sender="emma@example.org", to="it@desk.example.org"))
    desk_mailbox.append(make_mail(sender="x@elsewhere.example", to="it@desk.example.org"))
    desk_mailbox.append(
        make_mail(
            sender="emma@example.org", to="it@desk.example.org", headers={"Precedence": "bulk"}
        )
    )
    out = StringIO()

    call_command("helpdesk_fetch_mail", "--limit", "10", stdout=out)

    assert out.getvalue().startswith(
        "read 4, appended 1, opened 1, rejected 1, ignored 1, already handled 0, failed 0"
    )


def test_the_limit_caps_how_many_messages_are_read(desk_mailbox, employee, it_queue):
    for _ in range(3):
        desk_mailbox.append(make_mail(sender="emma@example.org", to="it@desk.example.org"))
    out = StringIO()

    call_command("helpdesk_fetch_mail", "--limit", "2", stdout=out)

    assert out.getvalue().startswith("read 2, appended 0, opened 2")


def test_a_wrong_password_exits_with_1_and_says_so(desk_mailbox, settings, capsys):
    settings.HELPDESK_IMAP = {**settings.HELPDESK_IMAP, "password": "wrong"}

    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "helpdesk_fetch_mail"])

    assert exit_info.value.code == 1
    assert f"refused the login of {desk_mailbox.user}" in capsys.readouterr().err


def test_an_unreachable_server_exits_with_1_and_says_so(desk_mailbox, settings, capsys):
    settings.HELPDESK_IMAP = {**settings.HELPDESK_IMAP, "port": 1}

    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "helpdesk_fetch_mail"])

    assert exit_info.value.code == 1
    assert "Cannot connect to the IMAP server 127.0.0.1:1" in capsys.readouterr().err
