"""The knowledge base's contribution to portal search: one document per live article,
built from its published version, with the audience in the index's terms."""

from collections.abc import Collection, Iterator

from django.db.models import Prefetch

from ess.content.rendering import plain_text
from helpdesk.knowledge.models import Article, Tag
from helpdesk.knowledge.permissions import LIVE_ARTICLES, audience_keys

CHUNK = 500


def findable_articles(keys: Collection[str] | None = None):
    articles = (
        Article.objects.filter(LIVE_ARTICLES)
        .select_related("space", "category", "published_version")
        .prefetch_related(
            "audience_departments",
            "audience_locations",
            "audience_roles",
            Prefetch(
                "published_version__tags",
                queryset=Tag.objects.order_by("name"),
            ),
        )
        .order_by("pk")
    )
    if keys is not None:
        articles = articles.filter(key__in=list(keys))
    return articles


def search_documents(keys: Collection[str] | None = None) -> Iterator[dict]:
    """Yield the search documents of live articles (only those named, given `keys`).
    Streams in chunks, with the audience and tags prefetched per chunk."""
    for article in findable_articles(keys).iterator(chunk_size=CHUNK):
        version = article.published_version
        yield {
            "type": "article",
            "key": article.key,
            "title": version.title,
            "text": plain_text(version.body),
            "language": article.language,
            "url": article.get_absolute_url(),
            "updated": version.published_at or article.published_at,
            "audience": audience_keys(article),
            "space": article.space.name,
            "category": article.category.path if article.category else "",
            "tags": [tag.name for tag in version.tags.all()],
            "helpful_yes": article.helpful_yes,
            "helpful_no": article.helpful_no,
            "views": article.views,
        }
