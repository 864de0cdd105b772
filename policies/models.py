import hashlib

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hr.models import Department, Location


class Policy(models.Model):
    """A company policy. Its text lives in versions; the audience says who must acknowledge."""

    class Category(models.TextChoices):
        HR = "hr", _("HR")
        IT_SECURITY = "it_security", _("IT security")
        FINANCE = "finance", _("Finance")
        HEALTH_SAFETY = "health_safety", _("Health & safety")
        LEGAL = "legal", _("Legal & compliance")
        GENERAL = "general", _("General")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_policies",
    )
    audience_everyone = models.BooleanField(_("everyone"), default=True)
    audience_departments = models.ManyToManyField(
        Department, verbose_name=_("departments"), blank=True, related_name="+"
    )
    audience_locations = models.ManyToManyField(
        Location, verbose_name=_("locations"), blank=True, related_name="+"
    )
    audience_roles = models.ManyToManyField(
        Group, verbose_name=_("roles"), blank=True, related_name="+"
    )
    # The published version people read, and the major version they must acknowledge.
    current_version = models.ForeignKey(
        "PolicyVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledgement_version = models.ForeignKey(
        "PolicyVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("policies:detail", args=[self.slug])


class PolicyVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    class Significance(models.TextChoices):
        MAJOR = "major", _("Major: everyone acknowledges again")
        MINOR = "minor", _("Minor: earlier acknowledgements still count")

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text (Markdown)"))
    change_summary = models.CharField(_("what changed"), max_length=500)
    significance = models.CharField(
        _("significance"),
        max_length=10,
        choices=Significance.choices,
        default=Significance.MAJOR,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    effective_date = models.DateField(_("effective from"))
    review_by = models.DateField(_("review by"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    acknowledge_by = models.DateField(_("acknowledge by"), null=True, blank=True)

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="one_number_per_policy")
        ]

    def __str__(self) -> str:
        return f"{self.policy} v{self.number}"

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.body.encode()).hexdigest()

    def clean(self) -> None:
        if self.effective_date and self.review_by and self.review_by <= self.effective_date:
            raise ValidationError(
                {"review_by": _("The review date must be after the effective date.")}
            )


class AcknowledgementRequest(models.Model):
    """Someone in the audience must acknowledge a major version by a date."""

    version = models.ForeignKey(
        PolicyVersion, on_delete=models.CASCADE, related_name="acknowledgement_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="policy_requests"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    due_date = models.DateField(_("due"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # The local day of acknowledgement, so the report groups by an indexed column.
    acknowledged_on = models.DateField(null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)
    # Where the person worked when asked: the report breaks figures down without joining
    # through users and employment records (refreshed by the daily campaign sync).
    department = models.ForeignKey(
        "hr.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    location = models.ForeignKey(
        "hr.Location", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="one_request_per_version")
        ]
        indexes = [
            models.Index(fields=["version", "acknowledged_at", "due_date"]),
            models.Index(fields=["version", "acknowledged_on"]),
            models.Index(fields=["user", "acknowledged_at"]),
            # A team's acknowledgements due in a period, counted from the index alone.
            models.Index(
                fields=["user", "due_date", "acknowledged_at", "version"], name="ack_user_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.version}"


class Acknowledgement(models.Model):
    """Proof that a person read and accepted one version. Written once, never changed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="policy_acknowledgements"
    )
    version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    acknowledged_at = models.DateTimeField(default=timezone.now)
    text_sha256 = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="one_ack_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} acknowledged {self.version_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError("An acknowledgement cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("An acknowledgement cannot be deleted.")


class ComplianceRollup(models.Model):
    """Acknowledgement requests counted per version, department, location, due date and
    state: the company-wide report sums a few hundred of these rows instead of counting
    100,000 requests. Recomputed per version after every change (see services)."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        "hr.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    location = models.ForeignKey(
        "hr.Location", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    due_date = models.DateField()
    is_acknowledged = models.BooleanField()
    requests = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["version", "is_acknowledged", "due_date"])]

    def __str__(self) -> str:
        return f"{self.version_id}: {self.requests}"
