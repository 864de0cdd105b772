"""Pay periods, payroll runs, payslips, and the salary structures that calculate them.

Pay is salary data, so every amount that belongs to one person is encrypted at rest: a
payslip's totals are encrypted decimals and its lines are one encrypted document (nothing
ever looks up a single line on its own, and one decryption per payslip keeps payday fast).
Run totals are aggregates over many people and stay plain so officers can compare runs.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ess.crypto import EncryptedDecimalField, EncryptedJSONField
from hr.models import Employee, Location
from payroll.lines import LineKind


class PayPeriod(models.Model):
    """A calendar month (by default) and the day its pay reaches the bank."""

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    pay_date = models.DateField(_("pay date"))

    class Meta:
        verbose_name = _("pay period")
        verbose_name_plural = _("pay periods")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="payroll_one_period_a_month"),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="payroll_period_month_range"
            ),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="payroll_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def as_date(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)


class PayrollRun(models.Model):
    """One period's payroll: filled by import or calculation, approved by a second officer,
    then released to employees."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CALCULATED = "calculated", _("Calculated")
        APPROVED = "approved", _("Approved")
        RELEASED = "released", _("Released")

    class Source(models.TextChoices):
        IMPORT = "import", _("Imported")
        CALCULATION = "calculation", _("Calculated")

    period = models.OneToOneField(PayPeriod, on_delete=models.PROTECT, related_name="run")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, blank=True)
    source_name = models.CharField(_("file"), max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    prepared_at = models.DateTimeField(_("calculated or imported"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    release_at = models.DateTimeField(_("release at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    generation_started_at = models.DateTimeField(null=True, blank=True)
    generation_finished_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    # A calculation runs in a worker; these drive its progress bar.
    calculating_since = models.DateTimeField(null=True, blank=True)
    calculation_total = models.PositiveIntegerField(default=0)
    calculation_done = models.PositiveIntegerField(default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    employee_count = models.PositiveIntegerField(_("payslips"), default=0)
    gross_total = models.DecimalField(_("gross"), max_digits=16, decimal_places=2, default=0)
    deductions_total = models.DecimalField(
        _("deductions"), max_digits=16, decimal_places=2, default=0
    )
    net_total = models.DecimalField(_("net"), max_digits=16, decimal_places=2, default=0)
    employer_total = models.DecimalField(
        _("employer contributions"), max_digits=16, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("payroll run")
        verbose_name_plural = _("payroll runs")
        ordering = ["-period__year", "-period__month"]
        indexes = [models.Index(fields=["status", "release_at"], name="payroll_run_due")]

    def __str__(self) -> str:
        return f"Payroll {self.period_id and self.period.code}"

    def get_absolute_url(self) -> str:
        return reverse("payroll:run", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.CALCULATED)


class Payslip(models.Model):
    """One person's pay for one period. A correction is a new version; the old one stays,
    marked superseded, so the employee sees the history."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        QUEUED = "queued", _("Waiting for its PDF")
        READY = "ready", _("Ready")
        FAILED = "failed", _("PDF failed")
        RELEASED = "released", _("Released")
        SUPERSEDED = "superseded", _("Superseded")

    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="payslips")
    period = models.ForeignKey(PayPeriod, on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="payslips")
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    gross = EncryptedDecimalField(_("gross pay"))
    total_deductions = EncryptedDecimalField(_("deductions"))
    net = EncryptedDecimalField(_("net pay"))
    employer_contributions = EncryptedDecimalField(_("employer contributions"))
    lines = EncryptedJSONField(default=list)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    pdf_name = models.CharField(max_length=255, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_size = models.PositiveIntegerField(null=True, blank=True)
    pdf_generated_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    superseded_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    correction_reason = models.CharField(_("reason for the correction"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The employee's own views and downloads (an officer's look is not counted): kept beside
    # the audit trail so the payroll report counts openings from an index, not by probing
    # the audit log once per payslip.
    first_opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    opens = models.PositiveIntegerField(_("opened"), default=0)

    class Meta:
        verbose_name = _("payslip")
        verbose_name_plural = _("payslips")
        ordering = ["-period__year", "-period__month", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "period", "version"], name="payroll_payslip_version"
            ),
            # Exactly one current payslip per person and period, whatever a worker does.
            models.UniqueConstraint(
                fields=["employee", "period"],
                condition=~Q(status="superseded"),
                name="payroll_one_current_payslip",
            ),
        ]
        indexes = [
            # A person's payslips by release; with what the payroll report counts, so a
            # department's year is counted from the index alone.
            models.Index(
                fields=["employee", "released_at", "run", "first_opened_at", "opens"],
                name="payroll_slip_mine",
            ),
            models.Index(fields=["run", "status"], name="payroll_slip_run_status"),
            # The payroll report: payslips released in a period, per run, opened or not,
            # read from the index alone (the rows carry the encrypted amounts).
            models.Index(
                fields=["released_at", "run", "first_opened_at", "opens"],
                name="payroll_slip_released",
            ),
            # Corrections (version 2 and later) made in a period, and whose.
            models.Index(
                fields=["created_at", "run", "employee"],
                condition=Q(version__gt=1),
                name="payroll_slip_corrections",
            ),
        ]

    def __str__(self) -> str:
        return f"Payslip {self.period_id} v{self.version} for {self.employee_id}"

    def get_absolute_url(self) -> str:
        return reverse("payroll:payslip", args=[self.pk])

    @property
    def is_released(self) -> bool:
        return self.released_at is not None

    @property
    def is_current(self) -> bool:
        return self.status != self.Status.SUPERSEDED


# --- Salary structures ----------------------------------------------------------------------
class TaxTable(models.Model):
    """A progressive table for one year: ordered bands, each taxed at its own rate."""

    code = models.CharField(_("code"), max_length=40)
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=150)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tax table")
        verbose_name_plural = _("tax tables")
        ordering = ["code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["code", "year"], name="payroll_table_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("payroll:table", args=[self.pk])


class TaxBand(models.Model):
    table = models.ForeignKey(TaxTable, on_delete=models.CASCADE, related_name="bands")
    lower = models.DecimalField(_("from"), max_digits=12, decimal_places=2)
    upper = models.DecimalField(_("up to"), max_digits=12, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField(_("rate (%)"), max_digits=7, decimal_places=4)

    class Meta:
        verbose_name = _("tax band")
        verbose_name_plural = _("tax bands")
        ordering = ["table", "lower"]
        constraints = [
            models.UniqueConstraint(fields=["table", "lower"], name="payroll_band_lower")
        ]

    def __str__(self) -> str:
        return f"{self.lower} to {self.upper or 'no limit'} at {self.rate}%"


class SalaryStructure(models.Model):
    """How pay is calculated for a group of people: an ordered list of components."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Used for everyone whose location has none.")
    )
    locations = models.ManyToManyField(Location, blank=True, related_name="salary_structures")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("salary structure")
        verbose_name_plural = _("salary structures")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="payroll_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("payroll:structure", args=[self.pk])


class Component(models.Model):
    """One line a structure produces, evaluated in `position` order."""

    class Method(models.TextChoices):
        SALARY = "salary", _("Monthly base salary")
        FIXED = "fixed", _("Fixed amount")
        PERCENT = "percent", _("Percentage of a base")
        BRACKET = "bracket", _("Progressive table")

    structure = models.ForeignKey(
        SalaryStructure, on_delete=models.CASCADE, related_name="components"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    code = models.CharField(_("code"), max_length=20)
    label = models.CharField(_("label"), max_length=100)
    label_nl = models.CharField(_("Dutch label"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=LineKind.choices)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    rate = models.DecimalField(_("rate (%)"), max_digits=7, decimal_places=4, null=True, blank=True)
    base = models.CharField(
        _("of"),
        max_length=20,
        blank=True,
        help_text=_("“gross”, “taxable”, or the code of an earlier component."),
    )
    table_code = models.CharField(_("tax table"), max_length=40, blank=True)
    cap = models.DecimalField(_("at most"), max_digits=12, decimal_places=2, null=True, blank=True)
    floor = models.DecimalField(
        _("at least"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    prorate = models.BooleanField(_("prorate by days employed"), default=False)
    taxable = models.BooleanField(
        _("counts for taxable pay"),
        default=False,
        help_text=_("An earning adds to taxable pay; a deduction lowers it."),
    )

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ["structure", "position"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "code"], name="payroll_component_code"),
            models.UniqueConstraint(
                fields=["structure", "position"], name="payroll_component_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_method_display()})"
