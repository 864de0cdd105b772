"""Northwind's service desk for `seed_demo`: five queues (one confidential) with their
agents, opening hours, Dutch holidays and SLA targets, a catalog of fourteen request types
with their forms, canned replies, appointment slots for the next two weeks, and tickets in
every status over the last 120 days.

Volume: 600 tickets at the default size; `--scale N` (N > 1) makes N x 7,500, so
`--scale 134` gives about a million. Other apps grow with the same scale (at 134, some
20,000 employees and half a million payslips), so benchmarks that only need many tickets
seed a smaller company and add tickets with `tickets_add(count=...)`.
"""

import datetime
import random

from django.db import connection, transaction
from django.utils import timezone

from ess.accounts.models import User
from ess.portal.seeding import EMAIL_DOMAIN, SeedContext
from helpdesk.models import (
    AppointmentSlot,
    EventKind,
    Queue,
    RequestType,
    Status,
    Ticket,
    TicketEvent,
)
from helpdesk.seed.catalog import Desk, desk_create, slots_create
from helpdesk.seed.tickets import Counts, People, tickets_generate
from hr.models import Employee

DEFAULT_TICKETS = 600
TICKETS_PER_SCALE = 7500
DEFAULT_DAYS = 120
# A million tickets over 120 days would be 8,000 a day; at volume the history is longer,
# at about 900 tickets a working day.
TICKETS_PER_DAY = 900
DETAIL_SHARE_AT_VOLUME = 0.1
FAVOURITES = ("emma.employee", "oliver.other", "mila.manager")
BOOKED_PER_QUEUE = 3
DEFER_INDEXES_FROM = 100_000


def tickets_for_scale(scale: int) -> int:
    return DEFAULT_TICKETS if scale <= 1 else scale * TICKETS_PER_SCALE


def days_for(tickets: int) -> int:
    return max(DEFAULT_DAYS, tickets // TICKETS_PER_DAY)


def seed_demo(ctx: SeedContext) -> None:
    summary = seed_helpdesk(ctx=ctx, tickets=tickets_for_scale(ctx.scale))
    if summary is None:
        ctx.write("  helpdesk: already seeded; nothing to do")
        return
    ctx.write(
        f"  helpdesk: {summary['queues']} queues, {summary['request_types']} request types, "
        f"{summary['tickets']} tickets, {summary['events']} events, "
        f"{summary['booked']} booked appointments"
    )


def seed_helpdesk(
    *, ctx: SeedContext, tickets: int, now: datetime.datetime | None = None
) -> dict | None:
    """The desk and `tickets` tickets; None (and nothing written) when a desk exists."""
    if Queue.objects.exists():
        return None
    now = now or timezone.now()
    rng = random.Random(ctx.rng.randrange(2**32))  # noqa: S311 (demo data)
    desk = desk_create(ctx)
    slots = slots_create(desk, now=now)
    detail = 1.0 if tickets <= DEFAULT_TICKETS else DETAIL_SHARE_AT_VOLUME
    counts = tickets_generate(
        desk=desk,
        people=people_load(),
        count=tickets,
        days=days_for(tickets),
        rng=rng,
        detail_share=detail,
        now=now,
    )
    booked = slots_book(desk, slots, now=now, rng=rng)
    return {
        "queues": len(desk.queues),
        "request_types": len(desk.types),
        "tickets": counts.tickets,
        "events": counts.events,
        "approvals": counts.approvals,
        "booked": booked,
        "by_status": counts.by_status,
    }


def tickets_add(*, count: int, seed: int = 2026, days: int | None = None, progress=None) -> Counts:
    """Add `count` tickets to the seeded desk (benchmarks), dated over `days` days."""
    desk = desk_load()
    indexes = [(model, index) for model in (Ticket, TicketEvent) for index in model._meta.indexes]
    # Large loads: the indexes are built once afterwards instead of updated per row.
    defer = count >= DEFER_INDEXES_FROM
    if defer:
        with connection.schema_editor() as editor:
            for model, index in indexes:
                editor.remove_index(model, index)
    try:
        return tickets_generate(
            desk=desk,
            people=people_load(),
            count=count,
            days=days or days_for(Ticket.objects.count() + count),
            rng=random.Random(seed),  # noqa: S311 (demo data)
            detail_share=DETAIL_SHARE_AT_VOLUME,
            progress=progress,
        )
    finally:
        if defer:
            with connection.schema_editor() as editor:
                for model, index in indexes:
                    editor.add_index(model, index)


def desk_load() -> Desk:
    from ess.accounts.roles import Role

    queues = {queue.slug: queue for queue in Queue.objects.prefetch_related("agents")}
    types = {request_type.slug: request_type for request_type in RequestType.objects.all()}
    officer = (
        User.objects.filter(email=f"hanna.hr@{EMAIL_DOMAIN}").values_list("pk", flat=True).first()
    )
    approver = (
        User.objects.filter(groups__name=Role.ADMIN).order_by("pk").values_list("pk", flat=True)
    ).first()
    return Desk(
        queues=queues,
        types=types,
        agents={slug: sorted(a.pk for a in q.agents.all()) for slug, q in queues.items()},
        leads={slug: q.lead_id for slug, q in queues.items() if q.lead_id},
        officer_id=officer,
        role_approver_id=approver,
    )


def people_load() -> People:
    rows = Employee.objects.filter(user__is_active=True).values_list("user_id", "manager__user_id")
    requesters, manager_of, reports_of = [], {}, {}
    for user_id, manager_id in rows:
        requesters.append(user_id)
        if manager_id:
            manager_of[user_id] = manager_id
            reports_of.setdefault(manager_id, []).append(user_id)
    requesters.sort()
    favourites = list(
        User.objects.filter(
            email__in=[f"{local}@{EMAIL_DOMAIN}" for local in FAVOURITES]
        ).values_list("pk", flat=True)
    )
    for reports in reports_of.values():
        reports.sort()
    return People(
        requesters=requesters,
        manager_of=manager_of,
        reports_of=reports_of,
        favourites=sorted(favourites),
    )


def slots_book(desk: Desk, slots: list[AppointmentSlot], *, now, rng) -> int:
    """Book a few of the coming slots for recent open appointment requests."""
    booked = 0
    with transaction.atomic():
        for slug, type_slug in (("it", "it-walk-up"), ("hr", "hr-consultation")):
            request_type = desk.types.get(type_slug)
            free = [slot for slot in slots if slot.queue_id == desk.queues[slug].pk]
            if request_type is None or not free:
                continue
            waiting = list(
                Ticket.objects.filter(
                    request_type=request_type,
                    status__in=[Status.NEW, Status.OPEN],
                    created_at__gte=now - datetime.timedelta(days=10),
                ).order_by("-created_at")[:BOOKED_PER_QUEUE]
            )
            for ticket, slot in zip(
                waiting, rng.sample(free, min(len(free), len(waiting))), strict=False
            ):
                booked_at = max(
                    ticket.created_at + datetime.timedelta(minutes=2), ticket.updated_at
                )
                AppointmentSlot.objects.filter(pk=slot.pk).update(
                    ticket=ticket, booked_at=booked_at, sequence=1
                )
                TicketEvent.objects.create(
                    ticket=ticket,
                    kind=EventKind.APPOINTMENT,
                    actor=ticket.requester,
                    data={"slot": slot.pk, "starts_at": slot.starts_at.isoformat()},
                    created_at=booked_at,
                )
                Ticket.objects.filter(pk=ticket.pk).update(updated_at=booked_at)
                booked += 1
    return booked
