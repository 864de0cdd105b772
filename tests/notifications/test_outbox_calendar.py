"""Calendar invitations travel with outbox e-mail under the MIME method of the invitation."""

import pytest
from django.core import mail

from ess.notifications.services import outbox_deliver, outbox_enqueue

pytestmark = pytest.mark.django_db

INVITE = "BEGIN:VCALENDAR\r\nMETHOD:{method}\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_calendar_is_attached_with_its_own_method(method, django_capture_on_commit_callbacks):
    message = outbox_enqueue(
        to="emma@example.org",
        subject="Appointment",
        body="See the invitation.",
        dedupe_key=f"calendar-{method}",
        headers={"In-Reply-To": "<ticket-1@localhost>"},
        calendar=INVITE.format(method=method),
    )
    assert outbox_deliver(message_id=message.pk)
    sent = mail.outbox[-1]
    raw = sent.message().as_string()
    assert f'text/calendar; method="{method}"' in raw
    assert "In-Reply-To: <ticket-1@localhost>" in raw
