"""The knowledge base: articles in spaces and categories, their versions, and what readers
told us about them.

An article's readers see its `published_version`; editors work on `latest_version`. The
two are the same until someone edits a published article, which leaves the published text
live until the new version is published in its turn.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    EN = "en", "English"
    NL = "nl", "Nederlands"
    IT = "it", "Italiano"
    NB = "nb", "Norsk bokmål"


# The first path segments of the knowledge base's own pages (helpdesk/knowledge/urls.py):
# a space with one of these short names would be hidden behind the page of that name.
RESERVED_SPACE_SLUGS = frozenset({"a", "ask", "questions", "manage"})


def validate_space_slug(value: str) -> None:
    if value in RESERVED_SPACE_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is the address of a knowledge base page; choose another short name."),
            code="reserved",
            params={"slug": value},
        )


class Space(models.Model):
    """A top-level area of the knowledge base (IT, HR, Payroll, Facilities…)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(
        _("short name"), max_length=60, unique=True, validators=[validate_space_slug]
    )
    description = models.CharField(_("description"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("space")
        verbose_name_plural = _("spaces")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("knowledge:space", args=[self.slug])


class Category(models.Model):
    """A node of a space's category tree; `path` is the full name, "IT / Devices"."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="categories")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("short name"), max_length=60)
    path = models.CharField(max_length=300, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["path"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["space", "parent", "slug"], name="knowledge_category_unique_slug"
            )
        ]

    def __str__(self) -> str:
        return self.path

    def get_absolute_url(self) -> str:
        return reverse("knowledge:category", args=[self.space.slug, self.pk])


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    RESTRICTED = "restricted", _("Selected departments, locations or roles")
    AGENTS = "agents", _("Service desk agents only")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Article(models.Model):
    # Stable external id: the import key, or one made from the title on creation.
    key = models.SlugField(_("key"), max_length=120, unique=True)
    space = models.ForeignKey(
        Space, verbose_name=_("space"), on_delete=models.PROTECT, related_name="articles"
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.EN
    )
    # Translations point at their original; the original points at nothing.
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_articles",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    audience = models.CharField(
        _("audience"), max_length=12, choices=Audience.choices, default=Audience.EVERYONE
    )
    audience_departments = models.ManyToManyField(
        "hr.Department", verbose_name=_("departments"), blank=True, related_name="+"
    )
    audience_locations = models.ManyToManyField(
        "hr.Location", verbose_name=_("locations"), blank=True, related_name="+"
    )
    audience_roles = models.ManyToManyField(
        "auth.Group", verbose_name=_("roles"), blank=True, related_name="+"
    )
    related = models.ManyToManyField(
        "self", verbose_name=_("related articles"), blank=True, symmetrical=True
    )
    latest_version = models.ForeignKey(
        "ArticleVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_version = models.ForeignKey(
        "ArticleVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_by = models.DateField(_("review by"), null=True, blank=True)
    review_reminded_on = models.DateField(null=True, blank=True)
    # The knowledge gap this article was written to close, if any.
    source_gap = models.ForeignKey(
        "search.Gap", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    views = models.PositiveIntegerField(default=0)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["status", "-updated_at"]),
            models.Index(fields=["status", "-views"]),
            models.Index(fields=["review_by"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:article", args=[self.key])

    @property
    def title(self) -> str:
        version = self.published_version or self.latest_version
        return version.title if version else self.key


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)

    def __str__(self) -> str:
        return self.name


class ArticleVersion(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"))
    tags = models.ManyToManyField(Tag, blank=True, related_name="versions")
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="knowledge_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article.key} v{self.number}"


class Feedback(models.Model):
    """ "Did this answer your question?" — one answer per person per article, changeable."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField()
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    version_number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="knowledge_feedback_once")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {'yes' if self.helpful else 'no'}"


class ReviewTask(models.Model):
    """Something the owner should look at: negative feedback, a comment, a passed review date."""

    class Reason(models.TextChoices):
        NEGATIVE_FEEDBACK = "negative", _("Readers said it did not help")
        COMMENT = "comment", _("A reader left a comment")
        REVIEW_DUE = "review_due", _("Review date reached")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="review_tasks")
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    detail = models.TextField(blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["closed_at", "article"])]
        constraints = [
            # At most one open task per article and reason: more votes add to it, not pile up.
            models.UniqueConstraint(
                fields=["article", "reason"],
                condition=models.Q(closed_at__isnull=True),
                name="knowledge_one_open_task_per_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.reason}"


class Question(models.Model):
    """ "Ask for help": a question to a space's editors when search did not answer it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    asker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey(Space, verbose_name=_("space"), on_delete=models.PROTECT)
    subject = models.CharField(_("subject"), max_length=200)
    details = models.TextField(_("details"), max_length=5000, blank=True)
    # What the person had searched for before asking, shown to whoever answers.
    searched_for = models.CharField(max_length=300, blank=True)
    from_article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    answer_article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="answered_questions"
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("knowledge:question", args=[self.pk])
