"""Employment letters: templates HR writes, and the letters employees request from them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ess.crypto import EncryptedTextField
from hr.letters import codes


class Letterhead(models.Model):
    """The company block printed at the top of every letter and its signatory (one row)."""

    company_name = models.CharField(_("company name"), max_length=150)
    address = models.TextField(
        _("address"), max_length=500, blank=True, help_text=_("One line per address line.")
    )
    contact_line = models.CharField(
        _("contact line"),
        max_length=200,
        blank=True,
        help_text=_("For example the HR e-mail address and phone number."),
    )
    signatory_name = models.CharField(_("signed by"), max_length=150)
    signatory_title = models.CharField(_("signatory's job title"), max_length=150)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("letterhead")
        verbose_name_plural = _("letterheads")

    def __str__(self) -> str:
        return self.company_name

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]


class LetterTemplate(models.Model):
    """A kind of letter employees may ask for. Its wording lives in versions."""

    class Purpose(models.TextChoices):
        EMPLOYMENT = "employment", _("Employment confirmation")
        SALARY = "salary", _("Salary statement (landlord, bank)")
        VISA = "visa", _("Visa or embassy letter")
        OTHER = "other", _("Other")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        DUTCH = "nl", _("Dutch")

    name = models.CharField(_("name"), max_length=150, unique=True)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    description = models.CharField(
        _("description for employees"),
        max_length=300,
        blank=True,
        help_text=_("Shown when an employee picks a letter: what it is for, who accepts it."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active templates can be requested.")
    )
    current_version = models.ForeignKey(
        "LetterTemplateVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("letters:template_edit", args=[self.pk])


class LetterTemplateVersion(models.Model):
    """The wording of a template at one point. Never changed once written: issued letters
    point at the version they were produced from."""

    template = models.ForeignKey(LetterTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    subject = models.CharField(_("subject line"), max_length=200)
    body = models.TextField(_("letter text"), max_length=10_000)
    # Whether the text reads the salary (see placeholders.SALARY_PLACEHOLDERS): such letters
    # need HR's approval before they are produced.
    uses_salary = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("letter template version")
        verbose_name_plural = _("letter template versions")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="letters_one_number_per_template"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError("A template version cannot be changed; write a new one.")
        super().save(*args, **kwargs)


class Letter(models.Model):
    """One employee's request for a letter, and the letter once it is produced."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for HR approval")
        QUEUED = "queued", _("Being prepared")
        ISSUED = "issued", _("Ready")
        REJECTED = "rejected", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        FAILED = "failed", _("Could not be produced")
        REVOKED = "revoked", _("Revoked")

    employee = models.ForeignKey(
        "hr.Employee", verbose_name=_("employee"), on_delete=models.PROTECT, related_name="letters"
    )
    template = models.ForeignKey(
        LetterTemplate, verbose_name=_("letter"), on_delete=models.PROTECT, related_name="letters"
    )
    # The wording at the time of the request: the letter is produced from exactly this text.
    template_version = models.ForeignKey(
        LetterTemplateVersion, on_delete=models.PROTECT, related_name="letters"
    )
    is_salary = models.BooleanField(_("salary letter"), default=False)
    addressee = models.CharField(_("addressed to"), max_length=200)
    purpose = models.CharField(_("what it is for"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note from HR"), max_length=1000, blank=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    # Crockford base 32 without separators (see codes.py); set when the letter is issued.
    # NULL (not "") until then, so the unique constraint ignores letters without one.
    verification_code = models.CharField(
        max_length=codes.LENGTH, unique=True, null=True, blank=True, editable=False
    )
    # The text exactly as printed, salary included, so the page never reads pay again.
    text = EncryptedTextField(blank=True)
    error = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(_("reason for revoking"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "requested_at"]),
            models.Index(fields=["employee", "requested_at"]),
        ]

    def __str__(self) -> str:
        return f"letter {self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("letters:detail", args=[self.pk])

    @property
    def display_code(self) -> str:
        return codes.display(self.verification_code) if self.verification_code else ""

    @property
    def is_downloadable(self) -> bool:
        return self.status == self.Status.ISSUED


class LetterPdf(models.Model):
    """The produced PDF, encrypted at rest (it may state a salary). `sha256` is of the
    plaintext, so a copy someone shows HR can be checked against it."""

    letter = models.OneToOneField(Letter, on_delete=models.CASCADE, primary_key=True)
    token = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    pages = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("letter PDF")
        verbose_name_plural = _("letter PDFs")

    def __str__(self) -> str:
        return f"PDF of letter {self.letter_id}"
