"""The employee handbook: chapters hold ordered sections; a section's text lives in versions.

A version moves draft → in review → approved → published (see `services.TRANSITIONS`); the
section points at its published version, and publishing a newer one retires the older.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Chapter slugs that would shadow the handbook's own pages.
RESERVED_SLUGS = frozenset({"manage", "print", "pdf"})


def _not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This short name is used by the handbook itself; choose another."))


class Chapter(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True, validators=[_not_reserved])
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("handbook:chapter", args=[self.slug])


class Section(models.Model):
    """A part of a chapter; a section may hold sub-sections, one level deep."""

    chapter = models.ForeignKey(
        Chapter, verbose_name=_("chapter"), on_delete=models.PROTECT, related_name="sections"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of section"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    language = models.CharField(
        _("language of the text"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_handbook_sections",
    )
    review_by = models.DateField(_("review by"))
    # The version people read; set and changed only by `version_publish`.
    current_version = models.ForeignKey(
        "SectionVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("handbook section")
        verbose_name_plural = _("handbook sections")
        ordering = ["chapter__position", "chapter_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["chapter", "slug"], name="handbook_one_slug_per_chapter"
            )
        ]
        indexes = [models.Index(fields=["review_by"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("handbook:section", args=[self.chapter.slug, self.slug])

    def clean(self) -> None:
        if self.parent_id is None:
            return
        if self.parent_id == self.pk:
            raise ValidationError({"parent": _("A section cannot be part of itself.")})
        if self.parent.parent_id is not None:
            raise ValidationError(
                {"parent": _("Sub-sections go one level deep: choose a top-level section.")}
            )
        if self.parent.chapter_id != self.chapter_id:
            raise ValidationError({"parent": _("Choose a section of the same chapter.")})
        if self.pk and self.children.exists():
            raise ValidationError(
                {"parent": _("This section has sub-sections of its own, so it stays top-level.")}
            )


class SectionVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    # A version that is still being worked on; a section has at most one at a time.
    OPEN_STATUSES = (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED)
    # What readers may see in a section's history.
    READABLE_STATUSES = (Status.PUBLISHED, Status.RETIRED)

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text (Markdown)"))
    change_summary = models.CharField(_("what changed"), max_length=500)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Whoever last changed the text; like the author, they may not review it.
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("handbook section version")
        verbose_name_plural = _("handbook section versions")
        ordering = ["section", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "number"], name="handbook_one_number_per_section"
            ),
            models.UniqueConstraint(
                fields=["section"],
                condition=Q(status="published"),
                name="handbook_one_published_version",
            ),
            models.UniqueConstraint(
                fields=["section"],
                condition=Q(status__in=["draft", "in_review", "approved"]),
                name="handbook_one_open_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section} v{self.number}"

    @property
    def body_sha256(self) -> str:
        return hashlib.sha256(self.body.encode()).hexdigest()

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


def _pdf_path(instance: "HandbookPdf", filename: str) -> str:
    return f"private/handbook/{instance.content_hash}.pdf"


class HandbookPdf(models.Model):
    """The whole published handbook as one PDF, built once per distinct content.

    `content_hash` fingerprints what went into it (titles, order and published texts), so a
    publish that changes nothing builds nothing. The file sits under MEDIA_ROOT/private and
    is served only by `handbook:pdf`.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        GENERATING = "generating", _("Being generated")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        SUPERSEDED = "superseded", _("Superseded")

    content_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(upload_to=_pdf_path, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    requested_at = models.DateTimeField(default=timezone.now)
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)
    # A worker holds a build for a while; one killed mid-build leaves a lease that expires.
    lease_until = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("handbook PDF")
        verbose_name_plural = _("handbook PDFs")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "generated_at"])]

    def __str__(self) -> str:
        return f"handbook PDF {self.content_hash[:12]} ({self.status})"
