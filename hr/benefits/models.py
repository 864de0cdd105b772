"""Benefit plans, the yearly open enrolment, elections, dependents and life events."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hr.models import Department, Employee, Location

# How long an employee may change elections after HR approves their life event.
LIFE_EVENT_CHANGE_DAYS = 30
# How long after the event it may still be reported, and how far ahead it may be announced.
LIFE_EVENT_REPORT_DAYS_AFTER = 60
LIFE_EVENT_REPORT_DAYS_BEFORE = 30

MONEY = {"max_digits": 10, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class Plan(models.Model):
    """A benefit the company offers; what it costs lives in its coverage levels."""

    class Category(models.TextChoices):
        HEALTH = "health", _("Health insurance")
        DENTAL = "dental", _("Dental and vision")
        PENSION = "pension", _("Pension")
        COMMUTER = "commuter", _("Commuting and bike")
        MEAL = "meal", _("Meal vouchers")
        WELLBEING = "wellbeing", _("Gym and wellbeing")
        EXTRA_LEAVE = "extra_leave", _("Extra leave purchase")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=150)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    provider = models.CharField(_("provider"), max_length=150, blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, default="EUR", help_text=_("ISO 4217 code, e.g. EUR or NOK")
    )
    is_active = models.BooleanField(
        _("offered"), default=True, help_text=_("Plans no longer offered cannot be elected.")
    )
    # Empty means no restriction on that dimension; the dimensions combine with AND.
    eligible_locations = models.ManyToManyField(
        Location, verbose_name=_("locations"), blank=True, related_name="+"
    )
    eligible_departments = models.ManyToManyField(
        Department, verbose_name=_("departments"), blank=True, related_name="+"
    )
    eligible_contract_types = models.JSONField(_("contract types"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("benefit plan")
        verbose_name_plural = _("benefit plans")
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("benefits:manage_plan", args=[self.pk])

    @property
    def contract_type_labels(self) -> list[str]:
        return [str(Employee.ContractType(value).label) for value in self.eligible_contract_types]

    @property
    def needs_manager_approval(self) -> bool:
        return self.category == self.Category.EXTRA_LEAVE

    def clean(self) -> None:
        if len(self.description or "") > 4000:
            raise ValidationError(
                {"description": _("Keep the description under 4,000 characters.")}
            )
        self.currency = (self.currency or "").upper()
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValidationError({"currency": _("Use a three-letter currency code.")})
        known = set(Employee.ContractType.values)
        if (
            not isinstance(self.eligible_contract_types, list)
            or not set(self.eligible_contract_types) <= known
        ):
            raise ValidationError({"eligible_contract_types": _("Unknown contract type.")})


class CoverageLevel(models.Model):
    """One way to take a plan (employee only, with partner, family…) and its monthly price."""

    class Covers(models.TextChoices):
        EMPLOYEE = "employee", _("Employee only")
        PARTNER = "partner", _("Employee and partner")
        CHILDREN = "children", _("Employee and children")
        FAMILY = "family", _("Employee and family")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="levels")
    name = models.CharField(_("name"), max_length=100)
    covers = models.CharField(
        _("who it covers"), max_length=10, choices=Covers.choices, default=Covers.EMPLOYEE
    )
    employee_monthly_cost = models.DecimalField(_("monthly employee cost"), **MONEY)
    employer_monthly_contribution = models.DecimalField(_("monthly employer contribution"), **MONEY)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("coverage level")
        verbose_name_plural = _("coverage levels")
        ordering = ["plan", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="benefits_level_name_per_plan")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def relationships(self) -> frozenset[str]:
        """Which dependents this level may cover."""
        return COVERED_RELATIONSHIPS[self.covers]


class EnrolmentWindow(models.Model):
    """The weeks in which employees choose their benefits for a plan year."""

    plan_year = models.PositiveSmallIntegerField(_("plan year"), unique=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), help_text=_("The last day changes are accepted."))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("open enrolment window")
        verbose_name_plural = _("open enrolment windows")
        ordering = ["-plan_year"]

    def __str__(self) -> str:
        return str(_("Open enrolment %(year)s") % {"year": self.plan_year})

    def is_open(self, today) -> bool:
        return self.opens_on <= today <= self.closes_on

    def clean(self) -> None:
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("The window closes before it opens.")})
        if self.plan_year and not 2000 <= self.plan_year <= 2100:
            raise ValidationError({"plan_year": _("Enter a year between 2000 and 2100.")})
        if self.opens_on and self.closes_on:
            overlapping = EnrolmentWindow.objects.filter(
                opens_on__lte=self.closes_on, closes_on__gte=self.opens_on
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(_("Another open enrolment window overlaps these dates."))


class Dependent(models.Model):
    """A person the employee may cover. Private: only the employee and HR see it."""

    class Relationship(models.TextChoices):
        PARTNER = "partner", _("Spouse or registered partner")
        CHILD = "child", _("Child")

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="dependents")
    full_name = models.CharField(_("full name"), max_length=150)
    relationship = models.CharField(_("relationship"), max_length=10, choices=Relationship.choices)
    date_of_birth = models.DateField(_("date of birth"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("dependent")
        verbose_name_plural = _("dependents")
        ordering = ["employee", "date_of_birth", "pk"]

    def __str__(self) -> str:
        # No name: the audit log and admin lists must not spread private data.
        return f"dependent #{self.pk}"

    def clean(self) -> None:
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": _("The date of birth is in the future.")})
        if self.date_of_birth and self.date_of_birth.year < 1900:
            raise ValidationError({"date_of_birth": _("Check the date of birth.")})
        if not (self.full_name or "").strip():
            raise ValidationError({"full_name": _("Enter the name.")})


COVERED_RELATIONSHIPS = {
    CoverageLevel.Covers.EMPLOYEE: frozenset(),
    CoverageLevel.Covers.PARTNER: frozenset({Dependent.Relationship.PARTNER}),
    CoverageLevel.Covers.CHILDREN: frozenset({Dependent.Relationship.CHILD}),
    CoverageLevel.Covers.FAMILY: frozenset(
        {Dependent.Relationship.PARTNER, Dependent.Relationship.CHILD}
    ),
}


class LifeEvent(models.Model):
    """Something in a person's life that lets them change elections outside the window."""

    class Kind(models.TextChoices):
        PARTNERSHIP = "partnership", _("Marriage or registered partnership")
        SEPARATION = "separation", _("Divorce or end of partnership")
        BIRTH = "birth", _("Birth or adoption of a child")
        MOVE = "move", _("Move to a new home")
        LOSS_OF_COVERAGE = "loss_of_coverage", _("Loss of other coverage")
        DEATH = "death", _("Death of a dependent")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for HR")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="life_events")
    kind = models.CharField(_("what happened"), max_length=20, choices=Kind.choices)
    event_date = models.DateField(_("date of the event"))
    # The plan year whose elections the event opens for change (the year of the event).
    plan_year = models.PositiveSmallIntegerField(_("plan year"))
    description = models.TextField(_("details"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    submitted_at = models.DateTimeField(_("reported"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("note to the employee"), max_length=1000, blank=True)
    changes_until = models.DateField(_("elections can change until"), null=True, blank=True)

    class Meta:
        verbose_name = _("life event")
        verbose_name_plural = _("life events")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["employee", "status", "changes_until"]),
        ]

    def __str__(self) -> str:
        return f"life event #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("benefits:life_event", args=[self.pk])

    def clean(self) -> None:
        if len(self.description or "") > 1000:
            raise ValidationError({"description": _("Keep the details under 1,000 characters.")})

    def allows_changes(self, today) -> bool:
        return (
            self.status == self.Status.APPROVED
            and self.changes_until is not None
            and today <= self.changes_until
        )


class Election(models.Model):
    """What one employee chose for one plan in one plan year: a level, or a waiver."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        WAIVED = "waived", _("Waived")
        PENDING_APPROVAL = "pending_approval", _("Waiting for manager approval")
        REJECTED = "rejected", _("Not approved by manager")

    class Source(models.TextChoices):
        OPEN_ENROLMENT = "open_enrolment", _("Open enrolment")
        LIFE_EVENT = "life_event", _("Life event")

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="elections")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="elections")
    plan_year = models.PositiveSmallIntegerField(_("plan year"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    coverage_level = models.ForeignKey(
        CoverageLevel,
        verbose_name=_("coverage level"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="elections",
    )
    dependents = models.ManyToManyField(
        Dependent, verbose_name=_("covered dependents"), blank=True, related_name="elections"
    )
    # The price when elected: a later price change does not rewrite a confirmed choice.
    employee_monthly_cost = models.DecimalField(_("monthly employee cost"), **MONEY, default=0)
    employer_monthly_contribution = models.DecimalField(
        _("monthly employer contribution"), **MONEY, default=0
    )
    source = models.CharField(
        _("made during"), max_length=20, choices=Source.choices, default=Source.OPEN_ENROLMENT
    )
    life_event = models.ForeignKey(
        LifeEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="elections"
    )
    elected_at = models.DateTimeField(_("chosen"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("manager's note"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["plan_year", "plan__category", "plan__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "plan", "plan_year"], name="benefits_one_election_per_year"
            )
        ]
        indexes = [
            # With the employee, the enrolment report counts from the index alone.
            models.Index(
                fields=["plan_year", "plan", "status", "employee"], name="benefits_elect_year_plan"
            ),
            models.Index(fields=["status", "elected_at"]),
        ]

    def __str__(self) -> str:
        return f"election #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ENROLLED
