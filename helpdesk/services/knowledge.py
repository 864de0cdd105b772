"""A knowledge draft from a solved ticket (knowledge-centred service)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ess.accounts.models import User
from helpdesk.models import EventKind, Ticket
from helpdesk.permissions import can_work_ticket


def _latest_desk_reply(ticket: Ticket) -> str:
    replies = ticket.events.filter(
        kind__in=[EventKind.REPLY, EventKind.STATUS], internal=False
    ).exclude(body="")
    if ticket.on_behalf_of_id:
        replies = replies.exclude(actor_id=ticket.on_behalf_of_id)
    latest = replies.exclude(actor_id=ticket.requester_id).order_by("-created_at", "-pk").first()
    return latest.body if latest else ""


@transaction.atomic
def kcs_draft_from_ticket(*, ticket: Ticket, actor: User):
    """A knowledge draft from a solved ticket: the question and the desk's answer. Written
    for the agents' audience; its editor widens that when publishing. Drafted by an agent who
    is not a knowledge editor, it is submitted for the editors' review at once."""
    from helpdesk.knowledge.models import Audience, Space
    from helpdesk.knowledge.permissions import can_edit_knowledge
    from helpdesk.knowledge.services import TITLE_MAX_LENGTH, article_create, article_submit

    if not can_work_ticket(actor, ticket):
        raise PermissionDenied
    if ticket.confidential:
        raise ValidationError(_("A confidential case does not become a knowledge article."))
    space = Space.objects.filter(slug=ticket.queue.slug).first() or Space.objects.first()
    if space is None:
        raise ValidationError(_("The knowledge base has no space yet."))
    question = ticket.description or ticket.subject
    answer = _latest_desk_reply(ticket)
    body = question
    if answer:
        body = f"{question}\n\n## {_('Solution')}\n\n{answer}"
    article = article_create(
        by=actor,
        space=space,
        title=ticket.subject[:TITLE_MAX_LENGTH],
        body=body,
        audience=Audience.AGENTS,
        change_note=_("Drafted from ticket %(reference)s") % {"reference": ticket.reference},
    )
    if not can_edit_knowledge(actor):
        # An agent who is not an editor cannot open the editor: the draft goes straight to
        # the editors' review, and they are told.
        article_submit(by=actor, article=article)
    return article
