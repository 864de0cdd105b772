"""A real Dovecot for the desk mailbox: one server per test session, emptied for each test."""

from collections.abc import Iterator

import pytest

from tests.helpdesk.mail.mails import DESK_ADDRESS
from tests.imap_server import DovecotError, DovecotServer


@pytest.fixture(scope="session")
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
    """The desk's IMAP mailbox, empty, with the settings pointing at it."""
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
    settings.HELPDESK_REPLY_ADDRESS = DESK_ADDRESS
    return dovecot
