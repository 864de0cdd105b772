"""An agent's saved workspace filters."""

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from ess.accounts.models import User
from helpdesk.models import SavedView
from helpdesk.permissions import is_agent

# The workspace filters a saved view may carry; anything else is refused, so a stored view
# can never smuggle an ORM lookup or a sort key into the workspace.
SAVED_VIEW_KEYS = frozenset(
    {
        "q",
        "status",
        "priority",
        "queue",
        "assignee",
        "request_type",
        "sla",
        "confidential",
        "created_after",
        "created_before",
        "mine",
        "unassigned",
        "sort",
    }
)


def saved_view_save(
    *, owner: User, name: str, query: str, allowed_keys: Iterable[str] = SAVED_VIEW_KEYS
) -> SavedView:
    """Store (or replace, by name) an agent's workspace filter."""
    if not is_agent(owner):
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    if len(name) > 80:
        raise ValidationError({"name": _("A name has at most 80 characters.")})
    pairs = parse_qsl((query or "").lstrip("?"), keep_blank_values=True)
    allowed = set(allowed_keys)
    unknown = sorted({key for key, _value in pairs if key not in allowed})
    if unknown:
        raise ValidationError(
            {"query": _("These filters are not known: %(keys)s") % {"keys": ", ".join(unknown)}}
        )
    normalised = urlencode([(key, value) for key, value in pairs if value != ""])
    if len(normalised) > 1000:
        raise ValidationError({"query": _("This view has too many filters.")})
    view, _created = SavedView.objects.update_or_create(
        owner=owner, name=name, defaults={"query": normalised}
    )
    return view


def saved_view_delete(*, owner: User, view_id: int) -> bool:
    deleted, _rows = SavedView.objects.filter(owner=owner, pk=view_id).delete()
    return bool(deleted)
