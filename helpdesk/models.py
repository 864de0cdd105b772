"""The service desk: queues, the service catalog, tickets with their timeline and SLA clock.

Visibility is decided in `helpdesk.permissions` / `helpdesk.selectors`, never in templates:
a ticket is seen by the people it is for, the agents of its queue and, for a confidential
queue, only by explicitly granted officers (django-guardian, on the queue or on the ticket).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING_REQUESTER = "waiting_requester", _("Waiting on requester")
    WAITING_THIRD_PARTY = "waiting_third_party", _("Waiting on third party")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# Statuses in which someone still owes the requester work; the SLA clock runs only here.
ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING_THIRD_PARTY)
UNFINISHED_STATUSES = (
    Status.NEW,
    Status.OPEN,
    Status.WAITING_REQUESTER,
    Status.WAITING_THIRD_PARTY,
)


class Queue(models.Model):
    """Where tickets land and who works them (IT, HR, Payroll, Facilities…)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name"), max_length=40, unique=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    # An e-mail from an employee to this address opens a ticket in the queue.
    email_address = models.EmailField(_("queue e-mail address"), blank=True)
    # Confidential queues (HR cases, whistleblowing): their tickets are seen only by the
    # requester and officers granted `helpdesk.handle_confidential` on the queue or
    # `helpdesk.view_ticket` on the ticket. Queue membership alone grants nothing.
    confidential = models.BooleanField(_("confidential"), default=False)
    agents = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agents"),
        related_name="helpdesk_queues",
        blank=True,
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("queue lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="helpdesk_led_queues",
        help_text=_("Breached tickets are reassigned to the lead."),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Amsterdam")
    reopen_days = models.PositiveSmallIntegerField(
        _("reopen window (days)"),
        default=7,
        help_text=_("A requester's reply reopens a resolved ticket for this many days."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        permissions = [("handle_confidential", _("Handle the confidential cases of a queue"))]

    def __str__(self) -> str:
        return self.name


class BusinessHours(models.Model):
    """One opening interval of a queue on a weekday (0 = Monday), in the queue's time zone.

    A queue without any rows works around the clock.
    """

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="business_hours")
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["queue", "weekday", "opens"]
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="helpdesk_hours_close_after_open",
            ),
            models.UniqueConstraint(
                fields=["queue", "weekday", "opens"], name="helpdesk_hours_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.queue} {self.weekday} {self.opens}-{self.closes}"


class Holiday(models.Model):
    """A day a queue is closed; its SLA clocks do not run."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [
            models.UniqueConstraint(fields=["queue", "date"], name="helpdesk_holiday_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaTarget(models.Model):
    """First-response and resolution targets for one queue and priority, in business minutes."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="sla_targets")
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (business minutes)"))
    # The warning goes out when this share of the target has been used.
    warn_at_percent = models.PositiveSmallIntegerField(
        _("warn when this share of the target is used (percent)"), default=75
    )

    class Meta:
        ordering = ["queue", "-priority"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["queue", "priority"], name="helpdesk_sla_unique"),
            models.CheckConstraint(
                condition=models.Q(warn_at_percent__gte=1, warn_at_percent__lte=99),
                name="helpdesk_sla_warn_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.queue} {self.get_priority_display()}"


class Approval(models.TextChoices):
    NONE = "", _("No approval")
    MANAGER = "manager", _("The requester's manager")
    ROLE = "role", _("A holder of a role")


class RequestType(models.Model):
    """An entry of the service catalog: what can be asked for, and the form that asks."""

    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="request_types")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    # Words people may use for this request that are not in its name ("notebook", "PC").
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    icon = models.CharField(_("icon"), max_length=40, blank=True, default="question-circle")
    default_priority = models.PositiveSmallIntegerField(
        _("default priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    approval = models.CharField(
        _("approval before work starts"),
        max_length=10,
        choices=Approval.choices,
        blank=True,
        default=Approval.NONE,
    )
    # With approval "role": the group name of the role whose holders may approve.
    approval_role = models.CharField(_("approving role"), max_length=60, blank=True)
    allows_appointments = models.BooleanField(_("offers appointments"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("request type")
        verbose_name_plural = _("request types")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("helpdesk:request", args=[self.slug])


class FieldKind(models.TextChoices):
    TEXT = "text", _("Short text")
    TEXTAREA = "textarea", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    PERSON = "person", _("Person")
    ATTACHMENT = "attachment", _("Attachment")


class FormField(models.Model):
    """One question of a request type's form, defined by the catalog's administrators."""

    request_type = models.ForeignKey(RequestType, on_delete=models.CASCADE, related_name="fields")
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=150)
    kind = models.CharField(_("kind"), max_length=12, choices=FieldKind.choices)
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    # For kind "choice": one option per line.
    choices = models.TextField(_("choices"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["request_type", "position", "id"]
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        constraints = [
            models.UniqueConstraint(
                fields=["request_type", "key"], name="helpdesk_field_unique_key"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class ApprovalState(models.TextChoices):
    NOT_NEEDED = "", _("Not needed")
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SlaState(models.TextChoices):
    """What the workspace filters on; computed from the due times (see helpdesk.sla)."""

    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    PAUSED = "paused", _("Paused")
    NONE = "none", _("No SLA")


def _reply_token() -> str:
    return secrets.token_hex(8)


class Ticket(models.Model):
    """A request to the service desk.

    `requester` filed it; `on_behalf_of` is the person it is for when a manager files for a
    report (empty: for the requester). `version` grows with every save of the agent form:
    a save carrying an older version is a conflict, never a silent overwrite.
    """

    class Source(models.TextChoices):
        PORTAL = "portal", _("Portal")
        EMAIL = "email", _("E-mail")

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="helpdesk_requests",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="helpdesk_requests_for_me",
    )
    queue = models.ForeignKey(
        Queue, verbose_name=_("queue"), on_delete=models.PROTECT, related_name="tickets"
    )
    request_type = models.ForeignKey(
        RequestType,
        verbose_name=_("request type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    # The request type's form, answered: {field key: value}. Attachments are stored as
    # content attachments of the ticket and answered with their ids.
    form_answers = models.JSONField(_("form answers"), default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="new")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="helpdesk_assigned",
    )
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("watchers"),
        related_name="helpdesk_watching",
        blank=True,
    )
    # Copied from the queue when filed or moved, so lists filter on one column.
    confidential = models.BooleanField(_("confidential"), default=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PORTAL)
    version = models.PositiveIntegerField(default=1)
    approval_state = models.CharField(
        _("approval"),
        max_length=10,
        choices=ApprovalState.choices,
        blank=True,
        default=ApprovalState.NOT_NEEDED,
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_tickets",
    )
    # What the requester searched for and opened in the hour before filing:
    # [{"kind": "search", "query": …, "results": n, "at": iso} |
    #  {"kind": "article", "type": …, "key": …, "title": …, "url": …, "at": iso}]
    search_context = models.JSONField(default=list, blank=True)
    # Secret part of the ticket's reply-to address; an e-mail reply must carry it.
    reply_token = models.CharField(max_length=32, default=_reply_token, editable=False)

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    # SLA clock (helpdesk.sla). Due times are absolute; while the clock is paused they are
    # empty and `*_remaining_minutes` hold the business minutes left.
    sla_started_at = models.DateTimeField(null=True, blank=True)
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    first_response_remaining_minutes = models.IntegerField(null=True, blank=True)
    resolution_remaining_minutes = models.IntegerField(null=True, blank=True)
    # The earliest due time still running: what lists sort and filter on.
    sla_due_at = models.DateTimeField(_("SLA due"), null=True, blank=True)
    # When each warning or escalation fired; each fires once (a conditional UPDATE sets it).
    response_warned_at = models.DateTimeField(null=True, blank=True)
    response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_warned_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)

    # Satisfaction, given once the ticket is resolved.
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        default_permissions = ("add", "change", "delete", "view")
        indexes = [
            models.Index(fields=["queue", "status", "-created_at"], name="hd_ticket_queue_status"),
            models.Index(fields=["queue", "sla_due_at"], name="hd_ticket_queue_sla"),
            models.Index(fields=["assignee", "status"], name="hd_ticket_assignee"),
            # A requester's tickets newest first, with what the My team report counts and
            # groups by, so a team's requests are counted from the index alone.
            models.Index(
                fields=[
                    "requester",
                    "-created_at",
                    "confidential",
                    "merged_into",
                    "queue",
                    "request_type",
                ],
                name="hd_ticket_requester",
            ),
            models.Index(fields=["on_behalf_of", "-created_at"], name="hd_ticket_for"),
            models.Index(fields=["status", "sla_due_at"], name="hd_ticket_sla_due"),
            models.Index(fields=["status", "resolved_at"], name="hd_ticket_resolved"),
            # The workspace: a queue's open work by due time, with every column its filters
            # and its access rule read, so a page's ids come from the index alone (see
            # ess.portal.tables.pages_by_id). Closed tickets, nearly all of the table after a
            # few years, are not in it.
            models.Index(
                fields=[
                    "queue",
                    "sla_due_at",
                    "id",
                    "status",
                    "confidential",
                    "requester",
                    "on_behalf_of",
                    "assignee",
                    "priority",
                    "sla_paused_at",
                ],
                name="hd_ticket_open_work",
                condition=models.Q(status__in=list(UNFINISHED_STATUSES)),
            ),
            # The reports' lists of a period's tickets by the moment they count on, newest
            # first: resolved, first answered, rated, and when a target's outcome was known
            # (a breach, else the answer or the resolution). Walked in order, a page of 50
            # needs no sort of the year before it.
            models.Index(
                fields=["resolved_at"],
                name="hd_ticket_resolved_at",
                condition=models.Q(resolved_at__isnull=False),
            ),
            models.Index(
                fields=["first_responded_at"],
                name="hd_ticket_answered_at",
                condition=models.Q(first_responded_at__isnull=False),
            ),
            models.Index(
                fields=["rated_at"],
                name="hd_ticket_rated_at",
                condition=models.Q(rated_at__isnull=False),
            ),
            models.Index(
                Coalesce("response_breached_at", "first_responded_at"),
                name="hd_ticket_response_outcome",
            ),
            models.Index(
                Coalesce("resolution_breached_at", "resolved_at"),
                name="hd_ticket_resolution_outcome",
            ),
            # The reports' backlog by age: open work per queue by filing time (and by whom,
            # for a department's), counted from the index alone (the open-work index above
            # has no filing time).
            models.Index(
                fields=["queue", "confidential", "created_at", "requester"],
                name="hd_ticket_open_age",
                condition=models.Q(status__in=list(UNFINISHED_STATUSES)),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="helpdesk_rating_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("helpdesk:ticket", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"#{self.pk}"

    @property
    def subject_person(self):
        """The person the ticket is for."""
        return self.on_behalf_of or self.requester


class TicketUserObjectPermission(UserObjectPermissionBase):
    """Direct guardian grants on a ticket (a confidential case shared with one officer)."""

    content_object = models.ForeignKey(Ticket, on_delete=models.CASCADE)


class TicketGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Ticket, on_delete=models.CASCADE)


class QueueUserObjectPermission(UserObjectPermissionBase):
    """Officers of a confidential queue (`helpdesk.handle_confidential`)."""

    content_object = models.ForeignKey(Queue, on_delete=models.CASCADE)


class QueueGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Queue, on_delete=models.CASCADE)


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    PRIORITY = "priority", _("Priority changed")
    QUEUE = "queue", _("Moved to another queue")
    APPROVAL_REQUESTED = "approval_requested", _("Approval requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged")
    LINKED = "linked", _("Linked")
    WATCHER = "watcher", _("Watchers changed")
    ATTACHMENT = "attachment", _("Attachment added")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breached")
    REOPENED = "reopened", _("Reopened")
    RATED = "rated", _("Rated")
    APPOINTMENT = "appointment", _("Appointment")
    ACCESS = "access", _("Access granted or revoked")


class TicketEvent(models.Model):
    """One entry of a ticket's timeline. Append-only: nothing updates or deletes events.

    Replies (public) and notes (`internal`) carry a body; other events carry `data`, such as
    {"from": "open", "to": "resolved"}. Internal events are never shown to the requester.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(blank=True)
    internal = models.BooleanField(default=False)
    via_email = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="hd_event_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class TicketLink(models.Model):
    """Two related tickets. Stored once, with the lower id first."""

    from_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    to_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_ticket", "to_ticket"], name="hd_link_unique"),
            models.CheckConstraint(
                condition=models.Q(from_ticket__lt=models.F("to_ticket")), name="hd_link_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_ticket_id} ~ {self.to_ticket_id}"


class ApprovalRequest(models.Model):
    """The approval a ticket waits for before work starts."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="approval")
    # A named approver (the manager) or, for role approval, any holder of `role`.
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="helpdesk_approvals",
    )
    role = models.CharField(max_length=60, blank=True)
    state = models.CharField(
        max_length=10, choices=ApprovalState.choices, default=ApprovalState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["approver", "state"], name="hd_approval_approver")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.state}"


class CannedReply(models.Model):
    """A prepared answer with placeholders such as {requester_first_name} and {reference}."""

    queue = models.ForeignKey(
        Queue,
        verbose_name=_("queue"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_replies",
        help_text=_("Empty: available in every queue."),
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return self.title


class SavedView(models.Model):
    """An agent's named set of workspace filters (stored as the allow-listed query string)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helpdesk_views"
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="hd_saved_view_unique")
        ]

    def __str__(self) -> str:
        return self.name


class AppointmentSlot(models.Model):
    """Time an agent offers for a request type's appointments; booked by at most one ticket."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="slots")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helpdesk_slots"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("location"), max_length=150, blank=True)
    ticket = models.OneToOneField(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointment"
    )
    booked_at = models.DateTimeField(null=True, blank=True)
    # Raised on every booking change, so a calendar replaces its copy of the invitation.
    sequence = models.PositiveIntegerField(default=0)
    uid = models.CharField(max_length=80, unique=True, default=_reply_token)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("appointment slot")
        verbose_name_plural = _("appointment slots")
        constraints = [
            models.UniqueConstraint(fields=["agent", "starts_at"], name="hd_slot_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="hd_slot_order"
            ),
        ]
        indexes = [models.Index(fields=["queue", "starts_at"], name="hd_slot_queue")]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Deflection(models.Model):
    """ "This solved it": someone found the answer before filing. Counted, never named."""

    request_type = models.ForeignKey(
        RequestType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    query = models.CharField(max_length=200, blank=True)
    doc_type = models.CharField(max_length=20)
    doc_key = models.CharField(max_length=120)
    # Same HMAC as search logs (ess.search.services.searcher_hash): repeat clicks by one
    # person count once, and no one can read back who it was.
    searcher = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="hd_deflection_created")]
        constraints = [
            models.UniqueConstraint(
                fields=["searcher", "doc_type", "doc_key", "request_type"],
                name="hd_deflection_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.doc_key}"


class InboundEmail(models.Model):
    """Every e-mail read from the desk mailbox, once: the Message-ID makes fetching idempotent."""

    class Outcome(models.TextChoices):
        APPENDED = "appended", _("Added to a ticket")
        OPENED = "opened", _("Opened a ticket")
        REJECTED_SENDER = "rejected_sender", _("Unknown sender")
        REJECTED_TICKET = "rejected_ticket", _("No matching ticket")
        REJECTED_CLOSED = "rejected_closed", _("Ticket closed")
        IGNORED = "ignored", _("Ignored (automatic reply)")
        # Handling raised; the message stays unread and is tried again on the next run.
        FAILING = "failing", _("Failed, tried again")
        # Failed on every try up to HELPDESK_IMAP["max_attempts"]: flagged or moved aside in
        # the mailbox and left alone; desk administrators were told.
        GAVE_UP = "gave_up", _("Failed too often, set aside")

    message_id = models.CharField(max_length=255, unique=True)
    sender = models.CharField(max_length=255)
    subject = models.CharField(max_length=255, blank=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_emails"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    received_at = models.DateTimeField(default=timezone.now)
    # Failed tries, each written in its own transaction (the try itself is rolled back).
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.message_id} {self.outcome}"


def unfinished_index_condition() -> RawSQL:
    """The open-work index's condition written out as literal SQL, to add to a query that
    already filters on unfinished statuses.

    SQLite uses a partial index only when the query states the index's condition literally:
    a bound `status IN (?, ?, …)` cannot prove it, so the planner walked the whole queue's
    index, closed tickets and all (half a second for a workspace's page 200). The statuses
    are this module's constants, never user input."""
    statuses = ", ".join(f"'{status}'" for status in UNFINISHED_STATUSES)
    condition = f'"{Ticket._meta.db_table}"."status" IN ({statuses})'
    return RawSQL(condition, (), output_field=models.BooleanField())  # noqa: S611 (constants)
