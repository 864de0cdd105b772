"""Canned replies filled in for one ticket."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ess.accounts.models import User
from helpdesk.models import CannedReply, Ticket
from helpdesk.services.common import _name

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def canned_reply_render(*, canned: CannedReply, ticket: Ticket, agent: User) -> str:
    """The canned text with its placeholders filled in. Unknown placeholders, and anything
    that only looks like one, stay exactly as typed; the result is plain text that is
    escaped wherever it is shown."""
    if canned.queue_id is not None and canned.queue_id != ticket.queue_id:
        raise ValidationError(_("This canned reply belongs to another queue."))
    requester = ticket.subject_person
    values = {
        "requester_first_name": requester.first_name or _name(requester),
        "requester_name": _name(requester),
        "reference": ticket.reference,
        "subject": ticket.subject,
        "agent_name": _name(agent),
        "queue": ticket.queue.name,
    }
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), canned.body)
