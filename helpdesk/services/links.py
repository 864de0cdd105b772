"""Related tickets and watchers. Confidential cases are linked only with each other and have
no watchers.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ess.accounts.models import User
from helpdesk.models import EventKind, Ticket, TicketLink
from helpdesk.permissions import can_view_ticket, can_work_ticket, is_requester_side
from helpdesk.services.common import _active, _event


def _pair(ticket: Ticket, other: Ticket) -> tuple[int, int]:
    return (ticket.pk, other.pk) if ticket.pk < other.pk else (other.pk, ticket.pk)


def _check_linkable(actor: User, ticket: Ticket, other: Ticket) -> None:
    if not (can_work_ticket(actor, ticket) and can_work_ticket(actor, other)):
        raise PermissionDenied
    if ticket.pk == other.pk:
        raise ValidationError(_("A ticket cannot be linked to itself."))
    if ticket.confidential != other.confidential:
        raise ValidationError(_("A confidential case and a normal ticket cannot be linked."))


@transaction.atomic
def ticket_link(*, actor: User, ticket: Ticket, other: Ticket) -> TicketLink:
    _check_linkable(actor, ticket, other)
    low, high = _pair(ticket, other)
    link, created = TicketLink.objects.get_or_create(
        from_ticket_id=low, to_ticket_id=high, defaults={"created_by": actor}
    )
    if created:
        now = timezone.now()
        _event(
            ticket, EventKind.LINKED, actor=actor, now=now, internal=True, data={"linked": other.pk}
        )
        _event(
            other, EventKind.LINKED, actor=actor, now=now, internal=True, data={"linked": ticket.pk}
        )
    return link


@transaction.atomic
def ticket_unlink(*, actor: User, ticket: Ticket, other: Ticket) -> bool:
    _check_linkable(actor, ticket, other)
    low, high = _pair(ticket, other)
    deleted, _rows = TicketLink.objects.filter(from_ticket_id=low, to_ticket_id=high).delete()
    if deleted:
        now = timezone.now()
        _event(
            ticket,
            EventKind.LINKED,
            actor=actor,
            now=now,
            internal=True,
            data={"unlinked": other.pk},
        )
        _event(
            other,
            EventKind.LINKED,
            actor=actor,
            now=now,
            internal=True,
            data={"unlinked": ticket.pk},
        )
    return bool(deleted)


@transaction.atomic
def watcher_add(*, ticket: Ticket, user: User, actor: User) -> bool:
    """Add a watcher (the desk adds anyone; others may add only themselves). Confidential
    cases have no watchers: access there is a grant."""
    if ticket.confidential:
        raise ValidationError(_("A confidential case has no watchers; grant access instead."))
    if not can_work_ticket(actor, ticket) and not (
        actor.pk == user.pk and can_view_ticket(actor, ticket)
    ):
        raise PermissionDenied
    if not _active(user):
        raise ValidationError(_("This person cannot sign in."))
    if is_requester_side(user, ticket) or ticket.watchers.filter(pk=user.pk).exists():
        return False
    ticket.watchers.add(user)
    _event(
        ticket,
        EventKind.WATCHER,
        actor=actor,
        now=timezone.now(),
        internal=True,
        data={"added": user.pk},
    )
    return True


@transaction.atomic
def watcher_remove(*, ticket: Ticket, user: User, actor: User) -> bool:
    if actor.pk != user.pk and not can_work_ticket(actor, ticket):
        raise PermissionDenied
    if not ticket.watchers.filter(pk=user.pk).exists():
        return False
    ticket.watchers.remove(user)
    _event(
        ticket,
        EventKind.WATCHER,
        actor=actor,
        now=timezone.now(),
        internal=True,
        data={"removed": user.pk},
    )
    return True
