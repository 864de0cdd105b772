"""Tickets for the demo desk, written straight into the tables in batches.

Every ticket is what the services and the SLA clock would have left behind: a CREATED
event, approvals before the clock starts, due times from the queue's business calendar,
first_responded_at with its REPLY, resolved_at and closed_at for finished work, warnings
and breaches the sweep would have recorded (a breach raises the priority one step and hands
the ticket to the queue lead), ratings only on resolved or closed tickets, and the
confidential flag copied from the queue. Going through the services instead would take
hours at a million tickets.

Moments are epoch seconds until the row is written. `detail_share` decides how many
tickets get their whole story (notes, status changes, requester replies, SLA events);
the rest get the CREATED event, the first reply and the resolution.
"""

import datetime
import json
import random
from collections import deque
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from ess.accounts.roles import Role
from helpdesk.models import (
    Approval,
    ApprovalRequest,
    ApprovalState,
    EventKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)
from helpdesk.seed import stories
from helpdesk.seed.calendar import BusinessTimeline
from helpdesk.seed.catalog import SLA_MINUTES, Desk

BATCH = 5000
HOUR = 3600
DAY = 86400
WARN_SHARE = 0.75  # SlaTarget.warn_at_percent's default
SWEEP_DELAY = 300  # the sweep runs every five minutes

QUEUE_WEIGHTS = {"it": 50, "hr": 15, "payroll": 15, "facilities": 17, "hr-cases": 3}
# Monday..Sunday and hours of the day at which people file.
WEEKDAY_WEIGHTS = (1.0, 0.95, 0.9, 0.9, 0.75, 0.05, 0.03)
HOUR_WEIGHTS = (0, 0, 0, 0, 0, 0, 1, 4, 9, 10, 9, 7, 5, 7, 8, 7, 5, 3, 2, 1, 1, 1, 0, 0)
EMAIL_SHARE = 0.12
RATED_SHARE = 0.35
RATING_WEIGHTS = {5: 50, 4: 25, 3: 10, 2: 8, 1: 7}
MERGED_SHARE = 0.02
ON_BEHALF_SHARE = 0.03


@dataclass
class People:
    requesters: list[int]
    manager_of: dict[int, int]  # user id -> their manager's user id
    reports_of: dict[int, list[int]]
    favourites: list[int] = field(default_factory=list)  # demo sign-ins: more tickets


@dataclass
class Counts:
    tickets: int = 0
    events: int = 0
    approvals: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


class Rows:
    """INSERTs of precomputed tuples with executemany: no model instances, one statement
    per batch, on SQLite and PostgreSQL alike."""

    def __init__(self, model, columns: list[str]) -> None:
        meta = model._meta
        names = [meta.get_field(name).column for name in columns]
        quote = connection.ops.quote_name
        # Table and column names come from the model, never from input.
        table = quote(meta.db_table)
        listed = ", ".join(quote(n) for n in names)
        marks = ", ".join(["%s"] * len(names))
        self.sql = f"INSERT INTO {table} ({listed}) VALUES ({marks})"  # noqa: S608
        self.pending: list[tuple] = []

    def add(self, row: tuple) -> None:
        self.pending.append(row)

    def flush(self, cursor) -> int:
        written = len(self.pending)
        if written:
            cursor.executemany(self.sql, self.pending)
            self.pending = []
        return written


TICKET_COLUMNS = [
    "id", "requester", "on_behalf_of", "queue", "request_type", "form_answers", "subject",
    "description", "priority", "status", "assignee", "confidential", "source", "version",
    "approval_state", "merged_into", "search_context", "reply_token", "created_at",
    "updated_at", "first_responded_at", "resolved_at", "closed_at", "sla_started_at",
    "first_response_due_at", "resolution_due_at", "sla_paused_at",
    "first_response_remaining_minutes", "resolution_remaining_minutes", "sla_due_at",
    "response_warned_at", "response_breached_at", "resolution_warned_at",
    "resolution_breached_at", "rating", "rating_comment", "rated_at",
]  # fmt: skip
EVENT_COLUMNS = ["ticket", "kind", "actor", "body", "internal", "via_email", "data", "created_at"]
APPROVAL_COLUMNS = [
    "ticket", "approver", "role", "state", "decided_by", "decided_at", "comment", "created_at",
]  # fmt: skip


def _moment_writer():
    """Epoch seconds -> the value the database adapter wants for a DateTimeField."""
    utc = datetime.UTC
    if connection.vendor == "sqlite":
        # Django keeps SQLite datetimes as naive UTC text; the day part is formatted once.
        days: dict[int, str] = {}

        def sqlite_text(moment):
            if moment is None:
                return None
            day, second = divmod(int(moment), DAY)
            prefix = days.get(day)
            if prefix is None:
                prefix = days[day] = datetime.datetime.fromtimestamp(day * DAY, utc).strftime(
                    "%Y-%m-%d "
                )
            hour, second = divmod(second, HOUR)
            minute, second = divmod(second, 60)
            return f"{prefix}{hour:02d}:{minute:02d}:{second:02d}"

        return sqlite_text

    def aware(moment):
        return None if moment is None else datetime.datetime.fromtimestamp(moment, utc)

    return aware


@dataclass
class Story:
    queue: str
    type_slug: str | None
    subject: str
    description: str
    answers: dict


class Generator:
    def __init__(
        self,
        *,
        desk: Desk,
        people: People,
        now: datetime.datetime,
        days: int,
        rng: random.Random,
        detail_share: float,
    ) -> None:
        self.desk = desk
        self.people = people
        self.rng = rng
        self.now = int(now.timestamp())
        self.window = days * DAY
        self.detail_share = detail_share
        first = (now - datetime.timedelta(days=days + 2)).date()
        last = (now + datetime.timedelta(days=400)).date()
        self.timelines = {
            slug: BusinessTimeline.for_queue(queue, first=first, last=last)
            for slug, queue in desk.queues.items()
        }
        self.moment = _moment_writer()
        self.queue_slugs = [slug for slug in QUEUE_WEIGHTS if slug in desk.queues]
        self.queue_weights = [QUEUE_WEIGHTS[slug] for slug in self.queue_slugs]
        self.stories = {slug: self._stories_of(slug) for slug in self.queue_slugs}
        self.recent = {slug: deque(maxlen=50) for slug in self.queue_slugs}
        self.with_manager = [u for u in people.requesters if u in people.manager_of]
        self.managers = [m for m in people.reports_of if people.reports_of[m]]
        self.day_weights = self._day_weights()
        self.watching: set[tuple[int, int]] = set()
        # Events on tickets written earlier (the original of a merged duplicate).
        self.target_events: list[tuple] = []

    def _stories_of(self, slug: str) -> list[Story]:
        found = []
        for type_slug, request_type in self.desk.types.items():
            if request_type.queue_id != self.desk.queues[slug].pk:
                continue
            for subject, description, answers in stories.REQUESTS.get(type_slug, []):
                found.append(Story(slug, type_slug, subject, description, answers))
        for subject, description in stories.EMAILS.get(slug, []):
            found.append(Story(slug, None, subject, description, {}))
        return found

    def _day_weights(self) -> tuple[list[int], list[float]]:
        """Start of each hour in the window, weighted by weekday and hour of day."""
        zone = timezone.get_default_timezone()
        starts, weights = [], []
        first = self.now - self.window
        hour = first - first % HOUR
        while hour < self.now:
            local = datetime.datetime.fromtimestamp(hour, zone)
            weight = WEEKDAY_WEIGHTS[local.weekday()] * HOUR_WEIGHTS[local.hour]
            if weight:
                starts.append(hour)
                weights.append(weight)
            hour += HOUR
        return starts, weights

    # -- one ticket ------------------------------------------------------------------

    def created_moments(self, count: int) -> list[int]:
        starts, weights = self.day_weights
        hours = self.rng.choices(starts, weights=weights, k=count)
        moments = [min(h + self.rng.randrange(HOUR), self.now - 60) for h in hours]
        moments.sort()
        return moments

    def story(self) -> Story:
        rng = self.rng
        slug = rng.choices(self.queue_slugs, weights=self.queue_weights)[0]
        options = self.stories[slug]
        emails = [s for s in options if s.type_slug is None]
        if emails and rng.random() < EMAIL_SHARE:
            return rng.choice(emails)
        return rng.choice([s for s in options if s.type_slug is not None] or options)

    def requester(self, story: Story) -> tuple[int, int | None]:
        """Someone to file it; not an agent of the queue, who would answer themselves."""
        agents = self.desk.agents.get(story.queue) or ()
        for _attempt in range(5):
            requester, on_behalf_of = self._someone(story)
            if requester not in agents and on_behalf_of not in agents:
                break
        return requester, on_behalf_of

    def _someone(self, story: Story) -> tuple[int, int | None]:
        rng = self.rng
        people = self.people
        if people.favourites and rng.random() < 0.04:
            return rng.choice(people.favourites), None
        if self.managers and rng.random() < ON_BEHALF_SHARE and story.queue != "hr-cases":
            manager = rng.choice(self.managers)
            return manager, rng.choice(people.reports_of[manager])
        request_type = self.desk.types.get(story.type_slug or "")
        if request_type is not None and request_type.approval == Approval.MANAGER:
            return rng.choice(self.with_manager or people.requesters), None
        return rng.choice(people.requesters), None


@dataclass
class TicketDraft:
    """One ticket's values while it is being decided; moments are epoch seconds."""

    id: int
    story: Story
    requester: int
    on_behalf_of: int | None
    created: int
    priority: int
    status: str = Status.NEW
    assignee: int | None = None
    approval_state: str = ApprovalState.NOT_NEEDED
    merged_into: int | None = None
    version: int = 1
    updated: int = 0
    responded: int | None = None
    resolved: int | None = None
    closed: int | None = None
    started: int | None = None
    response_due: int | None = None
    resolution_due: int | None = None
    paused: int | None = None
    response_left: int | None = None
    resolution_left: int | None = None
    sla_due: int | None = None
    response_warned: int | None = None
    response_breached: int | None = None
    resolution_warned: int | None = None
    resolution_breached: int | None = None
    rating: int | None = None
    rating_comment: str = ""
    rated: int | None = None
    events: list = field(default_factory=list)  # (kind, actor, body, internal, data, at)
    watch_target: tuple[int, int] | None = None  # merged: (original id, its requester)


def tickets_generate(
    *,
    desk: Desk,
    people: People,
    count: int,
    days: int,
    rng: random.Random,
    detail_share: float = 1.0,
    now: datetime.datetime | None = None,
    progress=None,
) -> Counts:
    """Write `count` tickets created over the last `days` days, in batches of 5,000."""
    now = now or timezone.now()
    gen = Generator(
        desk=desk, people=people, now=now, days=days, rng=rng, detail_share=detail_share
    )
    tickets = Rows(Ticket, TICKET_COLUMNS)
    events = Rows(TicketEvent, EVENT_COLUMNS)
    approvals = Rows(ApprovalRequest, APPROVAL_COLUMNS)
    watchers = Rows(Ticket.watchers.through, ["ticket", "user"])
    counts = Counts()
    next_id = (Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    moments = gen.created_moments(count)
    for start in range(0, count, BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            for created in moments[start : start + BATCH]:
                draft = _decide(gen, next_id, created, approvals)
                _write(gen, draft, tickets, events, watchers)
                counts.by_status[draft.status] = counts.by_status.get(draft.status, 0) + 1
                next_id += 1
            counts.tickets += tickets.flush(cursor)
            counts.events += events.flush(cursor)
            counts.approvals += approvals.flush(cursor)
            watchers.flush(cursor)
        if progress is not None:
            progress(counts.tickets)
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket]):
                cursor.execute(sql)
    return counts


# -- deciding a ticket's life ------------------------------------------------------------


def _decide(gen: Generator, ticket_id: int, created: int, approvals: Rows) -> TicketDraft:
    rng = gen.rng
    story = gen.story()
    requester, on_behalf_of = gen.requester(story)
    request_type = gen.desk.types.get(story.type_slug or "")
    priority = request_type.default_priority if request_type else Priority.NORMAL
    roll = rng.random()
    if roll < 0.08:
        priority = min(priority + 1, Priority.URGENT)
    elif roll < 0.13:
        priority = max(priority - 1, Priority.LOW)
    draft = TicketDraft(
        id=ticket_id,
        story=story,
        requester=requester,
        on_behalf_of=on_behalf_of,
        created=created,
        priority=priority,
        updated=created,
    )
    detailed = rng.random() < gen.detail_share
    draft.events.append((EventKind.CREATED, requester, "", False, {}, created))
    start = created
    recent = gen.recent[story.queue]
    needs_approval = request_type is not None and request_type.approval
    if needs_approval:
        start = _approval(gen, draft, request_type, approvals, detailed)
        if start is None:
            return draft
    elif recent and rng.random() < MERGED_SHARE and gen.now - created > HOUR:
        _merged(gen, draft, recent[-1 - rng.randrange(len(recent))], detailed)
        return draft
    _work(gen, draft, start, detailed)
    recent.append((draft.id, draft.requester))
    return draft


def _approval(gen, draft, request_type, approvals: Rows, detailed: bool) -> int | None:
    """The approval before work starts; the moment the SLA starts, or None if it never does."""
    rng = gen.rng
    subject = draft.on_behalf_of or draft.requester
    role = ""
    approver = None
    if request_type.approval == Approval.MANAGER:
        approver = gen.people.manager_of.get(subject)
    if approver is None:
        role = request_type.approval_role or Role.ADMIN
    decider = approver or gen.desk.role_approver_id
    age = gen.now - draft.created
    asked = draft.created
    draft.events.append(
        (
            EventKind.APPROVAL_REQUESTED,
            None,
            "",
            False,
            {"approver": approver} if approver else {"role": role},
            asked,
        )
    )
    if age < 7 * DAY and rng.random() < 0.6:
        draft.approval_state = ApprovalState.PENDING
        approvals.add(
            (draft.id, approver, role, ApprovalState.PENDING, None, None, "", _t(gen, asked))
        )
        return None
    decided = asked + min(int(rng.uniform(0.5, 30) * HOUR), max(age - 60, 60))
    rejected = rng.random() < 0.08
    state = ApprovalState.REJECTED if rejected else ApprovalState.APPROVED
    comment = stories.REJECTIONS.get(request_type.slug, "") if rejected else ""
    approvals.add(
        (draft.id, approver, role, state, decider, _t(gen, decided), comment, _t(gen, asked))
    )
    draft.approval_state = state
    kind = EventKind.REJECTED if rejected else EventKind.APPROVED
    draft.events.append((kind, decider, comment, False, {}, decided))
    draft.updated = decided
    if rejected:
        draft.status = Status.CLOSED
        draft.closed = decided
        draft.events.append(
            (EventKind.STATUS, decider, "", False, {"from": "new", "to": "closed"}, decided)
        )
        return None
    return decided


def _merged(gen, draft: TicketDraft, target: tuple[int, int], detailed: bool) -> None:
    """A duplicate of a recent ticket in the same queue, closed into it by an agent."""
    rng = gen.rng
    agent = rng.choice(gen.desk.agents[draft.story.queue] or [None])
    at = min(draft.created + rng.randrange(10 * 60, 6 * HOUR), gen.now - 30)
    draft.status = Status.CLOSED
    draft.closed = draft.updated = at
    draft.merged_into = target[0]
    draft.assignee = agent
    draft.version = 2
    draft.events.append((EventKind.MERGED, agent, "", False, {"into": target[0]}, at))
    draft.watch_target = target  # the duplicate's requester follows the original
    gen.target_events.append(
        (target[0], EventKind.MERGED, agent, "", False, {"duplicates": [draft.id]}, at)
    )


def _work(gen: Generator, draft: TicketDraft, start: int, detailed: bool) -> None:
    rng = gen.rng
    now = gen.now
    slug = draft.story.queue
    timeline = gen.timelines[slug]
    response_minutes, resolution_minutes = SLA_MINUTES[draft.priority]
    draft.started = start
    draft.response_due = round(timeline.add_minutes(start, response_minutes))
    draft.resolution_due = round(timeline.add_minutes(start, resolution_minutes))
    age = now - start
    final = _final_status(rng, age) if age > 300 else Status.NEW
    request_type = gen.desk.types.get(draft.story.type_slug or "")
    if request_type is not None and request_type.allows_appointments and age < 10 * DAY:
        final = Status.OPEN  # answered with "pick a time"; the meeting is still to come
    agents = gen.desk.agents.get(slug) or [None]
    agent = rng.choice(agents)

    # The first answer: mostly inside the target, sometimes late.
    if final != Status.NEW:
        late = rng.random() < 0.1
        share = rng.uniform(1.05, 3.0) if late else rng.uniform(0.05, 0.9)
        responded = round(timeline.add_minutes(start, response_minutes * share))
        if responded >= now:
            responded = start + int((now - start) * rng.uniform(0.05, 0.5))
        draft.responded = max(responded, start + 60)
        draft.assignee = agent
        draft.version += 1
        body = rng.choice(stories.FIRST_REPLIES[slug])
        draft.events.append((EventKind.REPLY, agent, body, False, {}, draft.responded))
        if detailed:
            draft.events.append(
                (EventKind.STATUS, agent, "", False, {"from": "new", "to": "open"}, draft.responded)
            )
    elif rng.random() < 0.2:
        draft.assignee = agent

    end = now  # until when the clock ran
    if final in (Status.RESOLVED, Status.CLOSED):
        late = rng.random() < 0.08
        share = rng.uniform(1.05, 2.5) if late else rng.uniform(0.1, 0.95)
        resolved = round(timeline.add_minutes(start, resolution_minutes * share))
        if resolved >= now or resolved <= draft.responded:
            resolved = draft.responded + int((now - draft.responded) * rng.uniform(0.1, 0.9))
        draft.resolved = end = resolved
        draft.status = Status.RESOLVED
        draft.version += 1
        if detailed:
            body = rng.choice(stories.RESOLUTIONS[slug])
            draft.events.append((EventKind.REPLY, draft.assignee, body, False, {}, resolved))
            data = {"from": "open", "to": "resolved"}
            draft.events.append((EventKind.STATUS, draft.assignee, "", False, data, resolved))
        reopen_days = gen.desk.queues[slug].reopen_days
        closes = resolved + reopen_days * DAY + rng.randrange(HOUR)
        if closes < now:
            draft.status = Status.CLOSED
            draft.closed = closes
            if detailed:
                data = {"from": "resolved", "to": "closed"}
                draft.events.append((EventKind.STATUS, None, "", False, data, closes))
        _rating(gen, draft, detailed)
    elif final == Status.WAITING_REQUESTER:
        paused = draft.responded + int((now - draft.responded) * rng.uniform(0.05, 0.6))
        draft.paused = end = max(paused, draft.responded)
        draft.status = final
        draft.version += 1
        if detailed:
            body = rng.choice(stories.WAITING_ON_REQUESTER)
            draft.events.append((EventKind.REPLY, draft.assignee, body, False, {}, draft.paused))
            data = {"from": "open", "to": "waiting_requester"}
            draft.events.append((EventKind.STATUS, draft.assignee, "", False, data, draft.paused))
    elif final != Status.NEW:
        draft.status = final
        if final == Status.WAITING_THIRD_PARTY and detailed:
            draft.version += 1
            data = {"from": "open", "to": "waiting_third_party"}
            at = draft.responded + int((now - draft.responded) * 0.3)
            draft.events.append((EventKind.STATUS, draft.assignee, "", False, data, at))

    _sla_marks(gen, draft, timeline, response_minutes, resolution_minutes, end, detailed)
    if detailed and draft.responded is not None:
        _conversation(gen, draft, end)
    draft.updated = max(at for *_rest, at in draft.events)


def _final_status(rng: random.Random, age: int) -> str:
    if age < 2 * DAY:
        table = ((Status.NEW, 30), (Status.OPEN, 35), (Status.WAITING_REQUESTER, 10),
                 (Status.WAITING_THIRD_PARTY, 5), (Status.RESOLVED, 20))  # fmt: skip
    elif age < 10 * DAY:
        table = ((Status.NEW, 4), (Status.OPEN, 24), (Status.WAITING_REQUESTER, 12),
                 (Status.WAITING_THIRD_PARTY, 8), (Status.RESOLVED, 52))  # fmt: skip
    elif age < 40 * DAY:
        table = ((Status.OPEN, 5), (Status.WAITING_REQUESTER, 4),
                 (Status.WAITING_THIRD_PARTY, 3), (Status.RESOLVED, 88))  # fmt: skip
    else:
        table = ((Status.OPEN, 4), (Status.WAITING_REQUESTER, 4),
                 (Status.WAITING_THIRD_PARTY, 4), (Status.RESOLVED, 988))  # fmt: skip
    statuses, weights = zip(*table, strict=True)
    return rng.choices(statuses, weights=weights)[0]


def _sla_marks(
    gen, draft: TicketDraft, timeline, response_minutes, resolution_minutes, end, detailed
):
    """Warnings and breaches the sweep recorded while the clock ran, and the clock's state."""
    status = draft.status
    running_until = end
    for which in ("response", "resolution"):
        minutes = response_minutes if which == "response" else resolution_minutes
        due = draft.response_due if which == "response" else draft.resolution_due
        met = draft.responded if which == "response" else draft.resolved
        stop = met if met is not None else running_until
        if which == "response" and met is None and status == Status.WAITING_REQUESTER:
            stop = draft.paused
        warn = round(timeline.add_minutes(draft.started, minutes * WARN_SHARE))
        breached = None
        if due + SWEEP_DELAY < stop:
            breached = due + SWEEP_DELAY
        warned = warn + SWEEP_DELAY if warn + SWEEP_DELAY < stop else None
        if breached is not None and (warned is None or warned > breached):
            warned = breached
        if which == "response":
            draft.response_warned, draft.response_breached = warned, breached
        else:
            draft.resolution_warned, draft.resolution_breached = warned, breached
        if breached is not None:
            lead = gen.desk.leads.get(draft.story.queue)
            draft.version += 1
            if detailed:
                data = {"target": which}
                draft.events.append((EventKind.SLA_BREACH, None, "", True, data, breached))
            if draft.priority < Priority.URGENT:
                if detailed:
                    data = {
                        "from": draft.priority,
                        "to": draft.priority + 1,
                        "reason": "sla_breach",
                    }
                    draft.events.append((EventKind.PRIORITY, None, "", True, data, breached))
                draft.priority += 1
            if lead is not None and draft.assignee != lead:
                if detailed:
                    data = {"from": draft.assignee, "to": lead, "reason": "sla_breach"}
                    draft.events.append((EventKind.ASSIGNED, None, "", True, data, breached))
                draft.assignee = lead
        elif warned is not None and detailed:
            draft.events.append((EventKind.SLA_WARNING, None, "", True, {"target": which}, warned))

    if status in (Status.RESOLVED, Status.CLOSED):
        # Stopped: the due times stay for reports, with the minutes that were left.
        draft.resolution_left = timeline.minutes_between(draft.resolved, draft.resolution_due)
    elif status == Status.WAITING_REQUESTER:
        draft.resolution_left = timeline.minutes_between(draft.paused, draft.resolution_due)
        draft.response_due = draft.resolution_due = None
    else:
        running = [draft.resolution_due]
        if draft.responded is None:
            running.append(draft.response_due)
        draft.sla_due = min(running)


def _conversation(gen, draft: TicketDraft, end: int) -> None:
    """Internal notes and a requester's answer between the first reply and the end."""
    rng = gen.rng
    span = end - draft.responded
    if span <= 120:
        return
    if rng.random() < 0.25:
        at = draft.responded + int(span * rng.uniform(0.1, 0.9))
        body = rng.choice(stories.NOTES)
        draft.events.append((EventKind.NOTE, draft.assignee, body, True, {}, at))
    if rng.random() < 0.35:
        at = draft.responded + int(span * rng.uniform(0.1, 0.9))
        author = (
            draft.on_behalf_of if draft.on_behalf_of and rng.random() < 0.5 else draft.requester
        )
        body = rng.choice(stories.REQUESTER_REPLIES)
        draft.events.append((EventKind.REPLY, author, body, False, {}, at))


def _rating(gen, draft: TicketDraft, detailed: bool) -> None:
    rng = gen.rng
    if rng.random() >= RATED_SHARE:
        return
    rating = rng.choices(list(RATING_WEIGHTS), weights=list(RATING_WEIGHTS.values()))[0]
    rated = draft.resolved + rng.randrange(10 * 60, 2 * DAY)
    if rated >= gen.now:
        return
    comment = rng.choice(stories.RATING_COMMENTS[rating]) if rng.random() < 0.4 else ""
    draft.rating, draft.rating_comment, draft.rated = rating, comment, rated
    if detailed:
        data = {"rating": rating}
        draft.events.append((EventKind.RATED, draft.requester, "", False, data, rated))


# -- writing ---------------------------------------------------------------------------------


def _t(gen, moment):
    return gen.moment(moment)


def _answers(story: Story, created: int) -> dict:
    answers = dict(story.answers)
    day = datetime.datetime.fromtimestamp(created, datetime.UTC).date()
    if story.type_slug == "new-laptop":
        answers["needed_by"] = (day + datetime.timedelta(days=14)).isoformat()
    elif story.type_slug in ("working-hours", "desk-parking"):
        answers["from_date"] = (
            (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1).isoformat()
        )
    elif story.type_slug == "payroll-question":
        answers["period"] = day.replace(day=1).isoformat()
    elif story.type_slug == "report-a-concern":
        answers["when"] = (day - datetime.timedelta(days=5)).isoformat()
    return answers


def _write(gen: Generator, draft: TicketDraft, tickets: Rows, events: Rows, watchers: Rows):
    moment = gen.moment
    story = draft.story
    rng = gen.rng
    queue = gen.desk.queues[story.queue]
    request_type = gen.desk.types.get(story.type_slug or "")
    search_context = []
    if story.type_slug and rng.random() < 0.1:
        query, results = rng.choice(stories.SEARCHES)
        at = datetime.datetime.fromtimestamp(draft.created - 300, datetime.UTC).isoformat()
        search_context = [{"kind": "search", "query": query, "results": results, "at": at}]
    tickets.add(
        (
            draft.id,
            draft.requester,
            draft.on_behalf_of,
            queue.pk,
            request_type.pk if request_type else None,
            json.dumps(_answers(story, draft.created) if request_type else {}),
            story.subject,
            story.description,
            draft.priority,
            str(draft.status),
            draft.assignee,
            queue.confidential,
            "portal" if request_type else "email",
            draft.version,
            str(draft.approval_state),
            draft.merged_into,
            json.dumps(search_context) if search_context else "[]",
            f"{rng.getrandbits(64):016x}",
            moment(draft.created),
            moment(draft.updated),
            moment(draft.responded),
            moment(draft.resolved),
            moment(draft.closed),
            moment(draft.started),
            moment(draft.response_due),
            moment(draft.resolution_due),
            moment(draft.paused),
            draft.response_left,
            draft.resolution_left,
            moment(draft.sla_due),
            moment(draft.response_warned),
            moment(draft.response_breached),
            moment(draft.resolution_warned),
            moment(draft.resolution_breached),
            draft.rating,
            draft.rating_comment,
            moment(draft.rated),
        )
    )
    via_email = request_type is None
    for index, (kind, actor, body, internal, data, at) in enumerate(draft.events):
        events.add(
            (
                draft.id,
                str(kind),
                actor,
                body,
                internal,
                via_email and index == 0,
                json.dumps(data) if data else "{}",
                moment(at),
            )
        )
    target = draft.watch_target
    if target is not None and target[1] != draft.requester:
        pair = (target[0], draft.requester)
        if pair not in gen.watching:
            gen.watching.add(pair)
            watchers.add(pair)
    for ticket_id, kind, actor, body, internal, data, at in gen.target_events:
        events.add(
            (ticket_id, str(kind), actor, body, internal, False, json.dumps(data), moment(at))
        )
    gen.target_events.clear()
