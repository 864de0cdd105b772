"""Ratings: the requester's stars, and the signed one-click links in the resolution e-mail."""

from datetime import timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ess.accounts.models import User
from helpdesk.models import EventKind, Status, Ticket
from helpdesk.permissions import is_requester_side
from helpdesk.services.common import _event

RATING_SALT = "helpdesk.rating"
RATING_MAX_AGE = timedelta(days=90)


def rating_url(ticket: Ticket, rating: int) -> str:
    """A signed one-click path to rate the ticket (the page asks the signed-in requester to
    confirm and may take a comment)."""
    token = signing.dumps({"t": ticket.pk, "r": int(rating)}, salt=RATING_SALT, compress=True)
    return reverse("helpdesk:rate_link", args=[token])


def rating_token_read(token: str) -> tuple[int, int]:
    """(ticket id, rating) from a rating link; raises BadSignature when forged or stale."""
    data = signing.loads(token, salt=RATING_SALT, max_age=RATING_MAX_AGE)
    try:
        ticket_id, rating = int(data["t"]), int(data["r"])
    except (KeyError, TypeError, ValueError) as exc:
        raise signing.BadSignature("Malformed rating token") from exc
    if not 1 <= rating <= 5:
        raise signing.BadSignature("Rating out of range")
    return ticket_id, rating


@transaction.atomic
def ticket_rate(*, ticket: Ticket, user: User, rating: int, comment: str = "") -> Ticket:
    """The requester (or the person it was for) rates a resolved or closed ticket; rating
    again replaces the earlier rating."""
    if not is_requester_side(user, ticket):
        raise PermissionDenied
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError(_("You can rate a request once it is resolved."))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose one to five stars.")})
    comment = (comment or "").strip()[:2000]
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(rating=rating, rating_comment=comment, rated_at=now)
    ticket.rating, ticket.rating_comment, ticket.rated_at = rating, comment, now
    _event(ticket, EventKind.RATED, actor=user, now=now, body=comment, data={"rating": rating})
    return ticket
