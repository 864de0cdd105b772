from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ess.crypto import EncryptedDecimalField, EncryptedJSONField, EncryptedTextField
from hr import org


class Location(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Amsterdam")

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A unit of the organisation; departments form a tree through `parent`."""

    name = models.CharField(_("name"), max_length=150)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A department cannot sit inside itself.")})
            ancestor = ancestor.parent


class Employee(models.Model):
    """The employment record of one person. Work data only; private data lives elsewhere."""

    class ContractType(models.TextChoices):
        PERMANENT = "permanent", _("Permanent")
        FIXED_TERM = "fixed_term", _("Fixed term")
        TEMPORARY = "temporary", _("Temporary")
        INTERN = "intern", _("Intern")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="employee"
    )
    employee_number = models.CharField(_("employee number"), max_length=20, unique=True)
    job_title = models.CharField(_("job title"), max_length=150)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="employees",
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_reports",
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        related_name="employees",
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    contract_type = models.CharField(
        _("contract type"),
        max_length=20,
        choices=ContractType.choices,
        default=ContractType.PERMANENT,
    )
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=4, decimal_places=1, default=40
    )
    work_phone = models.CharField(_("work phone"), max_length=32, blank=True)
    # The reporting line from the top of the company down to this person, as fixed-width
    # ids (see hr/org.py). "Everyone under X" is then one indexed range query instead of a
    # recursive walk, which keeps My team and the org chart fast at 10,000 people.
    org_path = models.CharField(max_length=255, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["user__last_name", "user__first_name"]
        indexes = [
            models.Index(fields=["manager"]),
            # A department's people; with what the HR report groups and counts by, so its
            # headcount, joiners and leavers are read from the index alone.
            models.Index(
                fields=["department", "location", "contract_type", "start_date", "end_date"],
                name="hr_employee_report",
            ),
            models.Index(fields=["org_path"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.employee_number})"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # Every way of saving one employee keeps the reporting line right; bulk writes call
        # org.org_paths_rebuild() themselves.
        org.org_path_refresh(self)

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start date.")})
        if self.hours_per_week is not None and not 0 < self.hours_per_week <= 60:
            raise ValidationError({"hours_per_week": _("Hours per week must be 1 to 60.")})
        seen = set()
        boss = self.manager
        while boss is not None:
            if boss.pk == self.pk or boss.pk in seen:
                raise ValidationError({"manager": _("This would make a reporting loop.")})
            seen.add(boss.pk)
            boss = boss.manager


class Compensation(models.Model):
    """Base pay from a date on; the newest row not in the future is the current one."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="compensations")
    annual_base_salary = EncryptedDecimalField(_("annual base salary"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    effective_from = models.DateField(_("effective from"))
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("compensation")
        verbose_name_plural = _("compensations")
        ordering = ["employee", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "effective_from"], name="hr_one_compensation_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} from {self.effective_from}"


class PersonalProfile(models.Model):
    """The private side of a person: only they, HR and (for pay) payroll may read it."""

    employee = models.OneToOneField(Employee, on_delete=models.CASCADE, related_name="profile")
    legal_first_name = models.CharField(_("legal first name(s)"), max_length=100, blank=True)
    legal_last_name = models.CharField(_("legal last name"), max_length=100, blank=True)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    national_id = EncryptedTextField(_("national ID"), blank=True)
    national_id_country = models.CharField(_("national ID country"), max_length=2, blank=True)
    address_line1 = models.CharField(_("street and number"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    personal_phone = models.CharField(_("personal phone"), max_length=20, blank=True)
    personal_email = models.EmailField(_("personal e-mail"), blank=True)
    iban = EncryptedTextField(_("IBAN"), blank=True)
    bank_account_holder = models.CharField(_("account holder"), max_length=150, blank=True)
    tax_residency = models.CharField(_("tax residency"), max_length=2, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("personal profile")
        verbose_name_plural = _("personal profiles")

    def __str__(self) -> str:
        return f"profile of {self.employee_id}"


class EmergencyContact(models.Model):
    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="emergency_contacts"
    )
    name = models.CharField(_("name"), max_length=150)
    relationship = models.CharField(_("relationship"), max_length=60)
    phone = models.CharField(_("phone"), max_length=20)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("emergency contact")
        verbose_name_plural = _("emergency contacts")
        ordering = ["employee", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class ChangeRequest(models.Model):
    """A change to personal data that HR must approve before it applies."""

    class Kind(models.TextChoices):
        LEGAL_NAME = "legal_name", _("Legal name")
        DATE_OF_BIRTH = "date_of_birth", _("Date of birth")
        ADDRESS = "address", _("Home address")
        BANK_ACCOUNT = "bank_account", _("Salary bank account")
        NATIONAL_ID = "national_id", _("National ID")
        TAX_RESIDENCY = "tax_residency", _("Tax residency")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        INFO_REQUESTED = "info_requested", _("More information requested")
        APPROVED = "approved", _("Approved, waiting for its date")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="change_requests")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    # Both snapshots are encrypted because a bank account or national ID can be in them.
    previous = EncryptedJSONField(_("values before"))
    proposed = EncryptedJSONField(_("proposed values"))
    effective_date = models.DateField(_("effective date"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Free text about a bank account or ID often quotes it: encrypted like the values.
    decision_note = EncryptedTextField(_("decision note"), blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["status", "effective_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.INFO_REQUESTED)


class ChangeRequestComment(models.Model):
    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.request_id}"


class ProfileChange(models.Model):
    """One field of one person changed: the profile's history. Values are encrypted because
    addresses and account numbers are private even after they stop being current."""

    class Source(models.TextChoices):
        SELF_SERVICE = "self_service", _("Changed by the employee")
        CHANGE_REQUEST = "change_request", _("Approved change request")
        HR = "hr", _("Changed by HR")

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="profile_changes")
    field = models.CharField(max_length=50)
    old_value = EncryptedTextField(blank=True)
    new_value = EncryptedTextField(blank=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    request = models.ForeignKey(
        ChangeRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["employee", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.field} of {self.employee_id}"
