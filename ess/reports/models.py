from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DigestSubscription(models.Model):
    """Someone asked for a report's figures by e-mail every week or month."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_digests"
    )
    report = models.CharField(_("report"), max_length=40)
    frequency = models.CharField(_("how often"), max_length=10, choices=Frequency.choices)
    department = models.ForeignKey(
        "hr.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    location = models.ForeignKey(
        "hr.Location", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    queue = models.ForeignKey(
        "helpdesk.Queue", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report digest")
        verbose_name_plural = _("report digests")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "report", "frequency"], name="one_digest_per_report_frequency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.frequency} for {self.user_id}"


class DigestDelivery(models.Model):
    """One digest sent for one period. The unique pair is what makes a rerun of the beat
    job, or two workers running it at once, send nothing twice."""

    subscription = models.ForeignKey(
        DigestSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period_start"], name="one_digest_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.period_start}"


class RatingCounts(models.Model):
    """Satisfaction ratings given on a day: how many, and their sum."""

    rated = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DeskCounts(RatingCounts):
    """What the service desk did on a day (see ess.reports.rollups for each count)."""

    created = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    response_measured = models.PositiveIntegerField(default=0)
    response_met = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    response_seconds = models.BigIntegerField(default=0)
    resolution_measured = models.PositiveIntegerField(default=0)
    resolution_met = models.PositiveIntegerField(default=0)
    deflections = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class TicketDay(DeskCounts):
    """What the service desk did on one day (in the report zone), per queue, request type
    and confidentiality: the Service desk report sums these instead of the tickets.
    Written only by ess.reports.rollups, which explains each count."""

    day = models.DateField()
    # Empty for deflections outside any request type.
    queue = models.ForeignKey(
        "helpdesk.Queue", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    request_type = models.ForeignKey(
        "helpdesk.RequestType", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    confidential = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["day", "queue"], name="reports_ticketday_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.queue_id}/{self.request_type_id}"


class TicketAgentDay(RatingCounts):
    """Ratings given on one day per queue, confidentiality and assignee (satisfaction per
    agent); written with TicketDay."""

    day = models.DateField()
    queue = models.ForeignKey("helpdesk.Queue", on_delete=models.CASCADE, related_name="+")
    confidential = models.BooleanField(default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["day", "queue"], name="reports_agentday_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.queue_id} {self.assignee_id}"


class TicketRequesterDay(DeskCounts):
    """TicketDay again per department and location of the requesters (as they are
    today), for the Service desk report's department and location filters. Tickets of
    people without an employee record are not in it; deflections never (anonymous)."""

    day = models.DateField()
    department = models.ForeignKey("hr.Department", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("hr.Location", on_delete=models.CASCADE, related_name="+")
    queue = models.ForeignKey("helpdesk.Queue", on_delete=models.CASCADE, related_name="+")
    request_type = models.ForeignKey(
        "helpdesk.RequestType", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    confidential = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["department", "day"], name="reports_reqday_department"),
            models.Index(fields=["location", "day"], name="reports_reqday_location"),
            models.Index(fields=["day"], name="reports_reqday_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}/{self.location_id} {self.queue_id}"


class TicketRequesterAgentDay(RatingCounts):
    """TicketAgentDay again per department and location of the requesters."""

    day = models.DateField()
    department = models.ForeignKey("hr.Department", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("hr.Location", on_delete=models.CASCADE, related_name="+")
    queue = models.ForeignKey("helpdesk.Queue", on_delete=models.CASCADE, related_name="+")
    confidential = models.BooleanField(default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["department", "day"], name="reports_reqagent_department"),
            models.Index(fields=["location", "day"], name="reports_reqagent_location"),
            models.Index(fields=["day"], name="reports_reqagent_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}/{self.location_id} {self.assignee_id}"


class SearchDay(models.Model):
    """The portal search's use on one day (report zone): searches, those that found
    nothing, those whose searcher opened a result. Written only by
    ess.reports.search_rollup."""

    day = models.DateField(unique=True)
    searches = models.PositiveIntegerField(default=0)
    zero_results = models.PositiveIntegerField(default=0)
    clicked = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.searches}"


class SearchQueryDay(models.Model):
    """One normalised query's searches on one day, with the last words typed for it and
    when it was last asked (and last found nothing)."""

    day = models.DateField()
    normalised = models.CharField(max_length=300)
    query = models.CharField(max_length=300)
    searches = models.PositiveIntegerField(default=0)
    zero_results = models.PositiveIntegerField(default=0)
    clicked = models.PositiveIntegerField(default=0)
    last_seen = models.DateTimeField()
    last_zero_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["day", "normalised"], name="reports_searchqueryday_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.normalised}: {self.searches}"


class TeamRollup(models.Model):
    """A large reporting line whose My team figures come from the team rollup below
    (see ess.reports.team_rollup); smaller teams are counted live."""

    manager = models.OneToOneField("hr.Employee", on_delete=models.CASCADE, related_name="+")
    people = models.PositiveIntegerField()
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.manager_id}: {self.people}"


class TeamTicketDay(models.Model):
    """Requests a large team raised on one day (report zone), per queue and request type.
    Each day is written twice: once for the whole team (`whole_team`, no department or
    location) and once per department and location of the requesters, for the filters."""

    manager = models.ForeignKey("hr.Employee", on_delete=models.CASCADE, related_name="+")
    whole_team = models.BooleanField()
    department = models.ForeignKey(
        "hr.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    location = models.ForeignKey(
        "hr.Location", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    queue = models.ForeignKey("helpdesk.Queue", on_delete=models.CASCADE, related_name="+")
    request_type = models.ForeignKey(
        "helpdesk.RequestType", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=[
                    "manager",
                    "whole_team",
                    "department",
                    "location",
                    "day",
                    "queue",
                    "request_type",
                    "created",
                ],
                name="reports_teamday_read",
            ),
            models.Index(fields=["day"], name="reports_teamday_day"),
        ]

    def __str__(self) -> str:
        return f"{self.manager_id} {self.day} {self.request_type_id}: {self.created}"


class TeamAcknowledgement(models.Model):
    """A large team's acknowledgement requests per policy version, due date and state,
    whole team and per department and location as in TeamTicketDay."""

    manager = models.ForeignKey("hr.Employee", on_delete=models.CASCADE, related_name="+")
    whole_team = models.BooleanField()
    department = models.ForeignKey(
        "hr.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    location = models.ForeignKey(
        "hr.Location", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    version = models.ForeignKey(
        "policies.PolicyVersion", on_delete=models.CASCADE, related_name="+"
    )
    due_date = models.DateField()
    is_acknowledged = models.BooleanField()
    requests = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["manager", "whole_team", "department", "location", "due_date"],
                name="reports_teamack_read",
            )
        ]

    def __str__(self) -> str:
        return f"{self.manager_id} {self.version_id} {self.due_date}: {self.requests}"


class RollupRun(models.Model):
    """When a rollup last recounted: the report says "figures up to" when it lags."""

    name = models.CharField(max_length=40, unique=True)
    refreshed_at = models.DateTimeField()
    # What the rollup was counted against (the team rollup: the reporting lines,
    # departments and locations); a different one means a full recount is due.
    fingerprint = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.name} {self.refreshed_at:%Y-%m-%d %H:%M}"
