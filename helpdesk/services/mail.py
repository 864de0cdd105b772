"""Ticket e-mail: reply addresses, threading headers and one notification per person for an
event. A confidential ticket's notifications name only its reference; internal notes are
never e-mailed.
"""

import hmac
import re
from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from ess.accounts.models import User
from ess.notifications.services import notify
from helpdesk import kinds
from helpdesk.models import Ticket, TicketEvent
from helpdesk.permissions import can_view_ticket, is_requester_side
from helpdesk.services.common import _url
from helpdesk.services.ratings import rating_url


def _followers(ticket: Ticket, *, actor: User | None) -> list[User]:
    """Who hears about public changes: requester, the person it is for and watchers who
    may still see the ticket, never the person who made the change."""
    people = [ticket.requester, ticket.on_behalf_of, *ticket.watchers.all()]
    chosen: list[User] = []
    seen: set[int] = set()
    for person in people:
        if person is None or person.pk in seen or not person.is_active:
            continue
        seen.add(person.pk)
        if actor is not None and person.pk == actor.pk:
            continue
        if can_view_ticket(person, ticket):
            chosen.append(person)
    return chosen


def _mail_domain() -> str:
    return settings.HELPDESK_REPLY_ADDRESS.rsplit("@", 1)[-1]


def thread_headers(ticket: Ticket) -> dict[str, str]:
    """Every e-mail about a ticket points at one anchor, so mail clients thread them."""
    anchor = f"<ticket-{ticket.pk}@{_mail_domain()}>"
    return {"In-Reply-To": anchor, "References": anchor}


def reply_address(ticket: Ticket) -> str:
    """desk+<id>.<token>@domain: a reply to it lands on the ticket (see mail_in)."""
    local, _at, domain = settings.HELPDESK_REPLY_ADDRESS.partition("@")
    return f"{local}+{ticket.pk}.{ticket.reply_token}@{domain}"


def ticket_from_reply_address(address: str) -> Ticket | None:
    """The ticket a reply address belongs to, or None for a wrong or forged address."""
    local, _at, domain = settings.HELPDESK_REPLY_ADDRESS.partition("@")
    _display, email_address = parseaddr(address or "")
    pattern = re.compile(
        rf"^{re.escape(local)}\+(\d{{1,18}})\.([0-9a-z]{{1,64}})@{re.escape(domain)}$",
        re.IGNORECASE,
    )
    match = pattern.match(email_address.strip())
    if match is None:
        return None
    ticket = Ticket.objects.filter(pk=int(match.group(1))).first()
    if ticket is None:
        return None
    if not hmac.compare_digest(match.group(2).lower().encode(), ticket.reply_token.encode()):
        return None
    return ticket


def _mail_title(ticket: Ticket) -> str:
    if ticket.confidential:
        return f"[{ticket.reference}] " + _("Update on a confidential case")
    return f"[{ticket.reference}] {ticket.subject}"


def _rating_lines(ticket: Ticket) -> str:
    lines = [_("How did we do? Rate with one click:")]
    for rating in range(1, 6):
        link = settings.SITE_URL + rating_url(ticket, rating)
        lines.append(f"{'★' * rating}{'☆' * (5 - rating)}  {link}")
    return "\n".join(lines)


def _tell(
    *,
    people: Iterable[User],
    ticket: Ticket,
    event: TicketEvent,
    kind: str,
    summary,
    detail: str = "",
    url_name: str = "ticket",
    with_rating: bool = False,
) -> None:
    """One notification per person for one event, in the person's language.

    `summary` is a callable so it is translated for each recipient. A confidential ticket's
    notification says only that there is an update: no subject, no text, no names.
    """
    for person in people:
        with translation.override(person.language or settings.LANGUAGE_CODE):
            url = _url(url_name, ticket.pk)
            link = f"\n\n{settings.SITE_URL}{url}" if url else ""
            if ticket.confidential:
                text = _(
                    "There is an update on case %(reference)s. Open the portal to read it."
                ) % {"reference": ticket.reference}
                email_text = text + link
            else:
                text = summary()
                if detail:
                    text = f"{text}\n\n{detail}"
                email_text = text
                if with_rating and is_requester_side(person, ticket):
                    email_text += "\n\n" + _rating_lines(ticket)
                email_text += "\n\n" + _("Reply to this e-mail to add to the request.") + link
            notify(
                recipient=person,
                kind=kind,
                title=_mail_title(ticket),
                body=text,
                url=url,
                dedupe_key=f"helpdesk:event:{event.pk}:{person.pk}",
                reply_to=reply_address(ticket),
                email_body=email_text.strip(),
                headers=thread_headers(ticket),
            )


def _tell_followers(ticket: Ticket, event: TicketEvent, *, actor, summary, **kwargs) -> None:
    _tell(
        people=_followers(ticket, actor=actor),
        ticket=ticket,
        event=event,
        kind=kinds.TICKET.key,
        summary=summary,
        **kwargs,
    )


def _tell_assignee(ticket: Ticket, event: TicketEvent, *, actor, summary, detail="") -> None:
    assignee = ticket.assignee
    if assignee is None or not assignee.is_active or (actor and assignee.pk == actor.pk):
        return
    _tell(
        people=[assignee],
        ticket=ticket,
        event=event,
        kind=kinds.ASSIGNED.key,
        summary=summary,
        detail=detail,
        url_name="work",
    )
