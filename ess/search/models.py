"""The portal's one search index, its vocabulary, and what people searched for.

Apps never write these tables themselves: each supplies its documents through a source
function (see `ess.search.sources`) and `ess.search.services` turns them into rows here.
The analysed columns (`*_terms`) hold stemmed, accent-folded words separated by spaces;
SQLite's FTS5 table and PostgreSQL's `tsv` column are both built from them, so the two
back-ends see exactly the same tokens.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    ARTICLE = "article", _("Knowledge article")
    POLICY = "policy", _("Policy")
    HANDBOOK = "handbook", _("Handbook")
    CATALOG = "catalog", _("Service")
    PERSON = "person", _("Person")


class Document(models.Model):
    doc_type = models.CharField(_("type"), max_length=20, choices=DocumentType.choices)
    # Stable across re-indexing: an article's import key, or "policy:<slug>" and the like.
    key = models.CharField(max_length=200)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(blank=True)
    language = models.CharField(_("language"), max_length=8)
    url = models.CharField(max_length=500)
    space = models.CharField(_("space"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=300, blank=True)
    tags = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    # Who may find it: everyone, or holders of one of the audience keys in DocumentAudience
    # ("dept:<id>", "loc:<id>", "role:<name>", "user:<id>").
    audience_everyone = models.BooleanField(default=True)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)
    # Share of readers who said it helped, smoothed towards 0.5 for few votes.
    helpfulness = models.FloatField(default=0.5)
    popularity = models.PositiveIntegerField(default=0)
    title_terms = models.TextField(blank=True)
    keyword_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    # Distinct accent-folded surface words, so re-indexing can adjust Word.df exactly.
    words = models.TextField(blank=True)
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "key"], name="search_document_unique_key")
        ]
        indexes = [models.Index(fields=["key"])]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.key}"


class DocumentAudience(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="audience")
    key = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "key"], name="search_audience_unique")
        ]
        indexes = [models.Index(fields=["key", "document"])]

    def __str__(self) -> str:
        return self.key


class Word(models.Model):
    """A surface word of the index with its document frequency: the dictionary that typo
    correction, prefix completion and "did you mean" draw from."""

    word = models.CharField(max_length=64, unique=True)
    df = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.word


class Stem(models.Model):
    """An analysed term with its document frequency, for inverse document frequency."""

    stem = models.CharField(max_length=64, unique=True)
    df = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.stem


class Synonym(models.Model):
    """An editor-managed group of words or phrases that mean the same (in any language)."""

    terms = models.TextField(
        _("terms"), help_text=_("Words or phrases that mean the same, separated by commas.")
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")

    def __str__(self) -> str:
        return self.terms

    @property
    def phrases(self) -> list[str]:
        return [phrase.strip() for phrase in self.terms.split(",") if phrase.strip()]


class GapStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DRAFTED = "drafted", _("Article in progress")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")


class Gap(models.Model):
    """Something people searched for and did not find: one row per normalised query."""

    normalised = models.CharField(max_length=300, unique=True)
    sample_query = models.CharField(max_length=300)
    language = models.CharField(max_length=8, blank=True)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    searches = models.PositiveIntegerField(default=0)
    zero_results = models.PositiveIntegerField(default=0)
    no_clicks = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=GapStatus.choices, default=GapStatus.OPEN)
    resolved_title = models.CharField(max_length=300, blank=True)
    resolved_url = models.CharField(max_length=500, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["status", "-searches"])]

    def __str__(self) -> str:
        return self.sample_query


class SearchSource(models.TextChoices):
    PAGE = "page", _("Search page")
    BOX = "box", _("Search box")
    API = "api", _("API")
    DEFLECTION = "deflection", _("Before filing a request")


class SearchLog(models.Model):
    """One search. The person is kept only as a keyed hash, so analytics can count people
    and a session's searches can be linked, but nobody can be read back from the log."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    query = models.CharField(max_length=300)
    normalised = models.CharField(max_length=300)
    language = models.CharField(max_length=8, blank=True)
    result_count = models.PositiveIntegerField()
    source = models.CharField(max_length=12, choices=SearchSource.choices)
    searcher = models.CharField(max_length=64)
    clicked_type = models.CharField(max_length=20, blank=True)
    clicked_key = models.CharField(max_length=200, blank=True)
    clicked_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    gap = models.ForeignKey(Gap, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        indexes = [
            models.Index(fields=["normalised"]),
            models.Index(fields=["searcher", "created_at"]),
            # Covers what the reports count per period (searches, found nothing, opened a
            # result), so a year of the log is read from the index alone.
            models.Index(
                fields=["created_at", "result_count", "clicked_at"], name="search_log_report"
            ),
        ]

    def __str__(self) -> str:
        return self.query
