"""Changes to many tickets at once: bulk updates and merging duplicates."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ess.accounts.models import User
from ess.audit.services import audit_record
from helpdesk import selectors
from helpdesk.models import EventKind, Status, Ticket
from helpdesk.permissions import can_work_ticket
from helpdesk.services.common import (
    UNSET,
    TicketConflict,
    _event,
    _locked,
    _save_guarded,
    _sla_hook,
    _touch,
)
from helpdesk.services.mail import _tell_followers
from helpdesk.services.tickets import ticket_update


@dataclass
class BulkResult:
    updated: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def tickets_bulk_update(
    *,
    actor: User,
    ticket_ids: Iterable[int],
    status: Any = UNSET,
    priority: Any = UNSET,
    assignee: Any = UNSET,
) -> BulkResult:
    """Apply one change to many tickets, each at its current version; a ticket the actor
    may not work, or whose move is refused, is skipped with the reason."""
    wanted = list(dict.fromkeys(int(pk) for pk in ticket_ids))
    result = BulkResult()
    with transaction.atomic():
        versions = dict(
            selectors.workable_tickets(actor).filter(pk__in=wanted).values_list("pk", "version")
        )
        for pk in wanted:
            if pk not in versions:
                result.skipped.append((pk, _("Not found, or not yours to work.")))
                continue
            try:
                with transaction.atomic():
                    ticket_update(
                        ticket_id=pk,
                        actor=actor,
                        expected_version=versions[pk],
                        status=status,
                        priority=priority,
                        assignee=assignee,
                    )
            except TicketConflict:
                result.skipped.append((pk, _("Someone else changed it in the meantime.")))
            except PermissionDenied:
                result.skipped.append((pk, _("Not found, or not yours to work.")))
            except ValidationError as exc:
                result.skipped.append((pk, " ".join(exc.messages)))
            else:
                result.updated.append(pk)
        changes = {
            name: (getattr(value, "pk", value))
            for name, value in (("status", status), ("priority", priority), ("assignee", assignee))
            if value is not UNSET
        }
        audit_record(
            actor=actor,
            action="helpdesk.bulk_update",
            detail={"changes": changes, "updated": result.updated, "skipped": len(result.skipped)},
        )
    return result


@transaction.atomic
def ticket_merge(*, actor: User, target: Ticket, duplicates: list[Ticket]) -> None:
    """Close each duplicate into `target`; its people follow the target from now on."""
    target = _locked(target.pk)
    if not can_work_ticket(actor, target):
        raise PermissionDenied
    if target.merged_into_id is not None or target.status == Status.CLOSED:
        raise ValidationError(
            _("%(reference)s is closed; merge into an open ticket.")
            % {"reference": target.reference}
        )
    now = timezone.now()
    merged: list[int] = []
    for duplicate in duplicates:
        duplicate = _locked(duplicate.pk)
        if duplicate.pk == target.pk:
            raise ValidationError(_("A ticket cannot be merged into itself."))
        if not can_work_ticket(actor, duplicate):
            raise PermissionDenied
        if duplicate.merged_into_id is not None:
            raise ValidationError(
                _("%(reference)s is already merged.") % {"reference": duplicate.reference}
            )
        if duplicate.confidential != target.confidential:
            raise ValidationError(_("A confidential case and a normal ticket cannot be merged."))
        old_status = duplicate.status
        duplicate.status = Status.CLOSED
        duplicate.closed_at = now
        duplicate.merged_into = target
        fields = {"status", "closed_at", "merged_into"}
        if old_status != Status.CLOSED:
            fields |= _sla_hook("sla_status_changed", duplicate, old_status, Status.CLOSED, now)
        _save_guarded(duplicate, expected_version=duplicate.version, fields=fields, now=now)
        people = [duplicate.requester_id, duplicate.on_behalf_of_id]
        people += list(duplicate.watchers.values_list("pk", flat=True))
        newcomers = {
            pk for pk in people if pk and pk not in (target.requester_id, target.on_behalf_of_id)
        }
        target.watchers.add(*newcomers)
        event = _event(
            duplicate,
            EventKind.MERGED,
            actor=actor,
            now=now,
            data={"into": target.pk, "from": old_status},
        )
        _tell_followers(
            duplicate,
            event,
            actor=actor,
            summary=lambda d=duplicate: (
                _("%(reference)s was merged into %(target)s, where the work continues.")
                % {"reference": d.reference, "target": target.reference}
            ),
        )
        merged.append(duplicate.pk)
    if not merged:
        raise ValidationError(_("Choose the tickets to merge."))
    _event(target, EventKind.MERGED, actor=actor, now=now, data={"merged": merged})
    _touch(target, now)
    audit_record(
        actor=actor, action="helpdesk.ticket_merged", target=target, detail={"merged": merged}
    )
