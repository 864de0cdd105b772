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


class TicketDay(models.Model):
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
    created = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    response_measured = models.PositiveIntegerField(default=0)
    response_met = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    response_seconds = models.BigIntegerField(default=0)
    resolution_measured = models.PositiveIntegerField(default=0)
    resolution_met = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    deflections = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "queue"], name="reports_ticketday_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.queue_id}/{self.request_type_id}"


class TicketAgentDay(models.Model):
    """Ratings given on one day per queue, confidentiality and assignee (satisfaction per
    agent); written with TicketDay."""

    day = models.DateField()
    queue = models.ForeignKey("helpdesk.Queue", on_delete=models.CASCADE, related_name="+")
    confidential = models.BooleanField(default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rated = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "queue"], name="reports_agentday_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.queue_id} {self.assignee_id}"


class RollupRun(models.Model):
    """When a rollup last recounted: the report says "figures up to" when it lags."""

    name = models.CharField(max_length=40, unique=True)
    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.refreshed_at:%Y-%m-%d %H:%M}"
