"""Reads for the service desk. Every list of tickets starts from `visible_tickets` or
`workable_tickets`, which carry the permission rules as SQL (see helpdesk.permissions)."""

from datetime import timedelta
from typing import Literal

from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ess.accounts.models import User
from ess.content.attachments import attachments_of
from ess.search.models import Document, SearchLog
from ess.search.services import searcher_hash
from helpdesk.models import (
    ApprovalRequest,
    CannedReply,
    SavedView,
    Ticket,
    TicketEvent,
)
from helpdesk.permissions import (
    DeskAccess,
    pending_approval_filter,
    visibility_filter,
    work_filter_listed,
)

RECENT_SEARCH_LIMIT = 20


def visible_tickets(user: User) -> QuerySet[Ticket]:
    """Exactly the tickets `can_view_ticket` allows, in one query."""
    return Ticket.objects.filter(visibility_filter(user))


def workable_tickets(user: User, *, access: DeskAccess | None = None) -> QuerySet[Ticket]:
    """The agent workspace: normal tickets of the user's queues, and the confidential
    cases they handle. `access`: the user's `desk_access`, when the caller has read it."""
    return Ticket.objects.filter(work_filter_listed(user, access=access))


def my_requests(user: User) -> QuerySet[Ticket]:
    if not user.is_authenticated:
        return Ticket.objects.none()
    return Ticket.objects.filter(Q(requester=user) | Q(on_behalf_of=user)).select_related(
        "queue", "request_type", "requester", "on_behalf_of"
    )


def pending_approvals(user: User) -> QuerySet[ApprovalRequest]:
    return (
        ApprovalRequest.objects.filter(pending_approval_filter(user))
        .select_related(
            "ticket",
            "ticket__requester",
            "ticket__on_behalf_of",
            "ticket__request_type",
            "ticket__queue",
        )
        .order_by("created_at", "pk")
    )


def ticket_for_viewer(user: User, pk: int) -> Ticket:
    """The ticket, or 404 when it does not exist or the user may not see it (the same
    answer, so no one learns which tickets exist)."""
    ticket = (
        visible_tickets(user)
        .select_related(
            "queue", "request_type", "requester", "on_behalf_of", "assignee", "merged_into"
        )
        .filter(pk=pk)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def ticket_timeline(ticket: Ticket, *, include_internal: bool) -> list[TicketEvent]:
    """The ticket's events, oldest first, each with `.attachment_list` (two queries)."""
    events = ticket.events.select_related("actor")
    if not include_internal:
        events = events.filter(internal=False)
    events = list(events)
    files = attachments_of(events)
    for event in events:
        event.attachment_list = files.get(event.pk, [])
    return events


def recent_search_context(user: User, *, since_minutes: int = 60) -> list[dict]:
    """What the person searched for and opened in the last hour, newest first (at most 20),
    in the shape stored on Ticket.search_context."""
    if not user.is_authenticated:
        return []
    since = timezone.now() - timedelta(minutes=since_minutes)
    logs = list(
        SearchLog.objects.filter(searcher=searcher_hash(user), created_at__gte=since).order_by(
            "-created_at", "-pk"
        )[:RECENT_SEARCH_LIMIT]
    )
    clicked = {(log.clicked_type, log.clicked_key) for log in logs if log.clicked_at}
    documents = {}
    if clicked:
        wanted = Q(pk__in=[])
        for doc_type, key in clicked:
            wanted |= Q(doc_type=doc_type, key=key)
        documents = {
            (doc.doc_type, doc.key): doc
            for doc in Document.objects.filter(wanted).only("doc_type", "key", "title", "url")
        }
    entries: list[tuple] = []
    for log in logs:
        entries.append(
            (
                log.created_at,
                {
                    "kind": "search",
                    "query": log.query,
                    "results": log.result_count,
                    "at": log.created_at.isoformat(),
                },
            )
        )
        if log.clicked_at:
            doc = documents.get((log.clicked_type, log.clicked_key))
            entries.append(
                (
                    log.clicked_at,
                    {
                        "kind": "article",
                        "type": log.clicked_type,
                        "key": log.clicked_key,
                        "title": doc.title if doc else log.clicked_key,
                        "url": doc.url if doc else "",
                        "at": log.clicked_at.isoformat(),
                    },
                )
            )
    entries.sort(key=lambda entry: entry[0], reverse=True)
    return [entry for _, entry in entries[:RECENT_SEARCH_LIMIT]]


def csat_summary(
    *,
    queue_ids=None,
    by: Literal["queue", "agent"] = "queue",
    tickets: QuerySet[Ticket] | None = None,
) -> list[dict]:
    """Satisfaction per queue or per agent: count, average and the 1-5 distribution.

    Only rated tickets in `tickets` (default: all) and, when given, in `queue_ids` count;
    the caller decides the scope (an agent's workable tickets, or everything for admins).
    """
    scope = (tickets if tickets is not None else Ticket.objects.all()).filter(rating__isnull=False)
    if queue_ids is not None:
        scope = scope.filter(queue_id__in=list(queue_ids))
    if by == "queue":
        key, label = "queue_id", "queue__name"
    elif by == "agent":
        key, label = "assignee_id", "assignee__email"
    else:
        raise ValueError(f"Unknown grouping {by!r}")
    stars = {f"r{n}": Count("pk", filter=Q(rating=n)) for n in range(1, 6)}
    rows = list(
        scope.order_by()
        .values(key, label)
        .annotate(count=Count("pk"), average=Avg("rating"), **stars)
        .order_by(label)
    )
    names = {}
    if by == "agent":
        names = {
            user.pk: str(user)
            for user in User.objects.filter(pk__in=[row[key] for row in rows if row[key]])
        }
    return [
        {
            "key": row[key],
            "label": names.get(row[key], row[label]) if by == "agent" else row[label],
            "count": row["count"],
            "average": round(row["average"], 2) if row["average"] is not None else None,
            "distribution": {n: row[f"r{n}"] for n in range(1, 6)},
        }
        for row in rows
    ]


def canned_replies_for(ticket: Ticket) -> QuerySet[CannedReply]:
    return CannedReply.objects.filter(Q(queue__isnull=True) | Q(queue_id=ticket.queue_id))


def saved_views(user: User) -> QuerySet[SavedView]:
    if not user.is_authenticated:
        return SavedView.objects.none()
    return SavedView.objects.filter(owner=user)
