"""Files that come with a ticket belong to the event they came with (the CREATED event for
the form and description, a reply or a note). Whoever may see that event may open them."""

from ess.accounts.models import User
from ess.content.attachments import register_attachment_owner
from helpdesk.models import TicketEvent
from helpdesk.permissions import can_view_ticket, can_work_ticket


def can_read_event_files(user: User, event: TicketEvent) -> bool:
    ticket = event.ticket
    if not can_view_ticket(user, ticket):
        return False
    return not event.internal or can_work_ticket(user, ticket)


# Ticket files come from anyone (e-mail included): images too are downloaded, never shown.
register_attachment_owner("helpdesk.ticketevent", can_read_event_files, inline_images=False)
