"""The handbook's contribution to portal search: one document per published section."""

from collections.abc import Iterator

from ess.content.rendering import plain_text
from handbook.models import Section
from handbook.permissions import PUBLISHED_SECTIONS


def search_documents() -> Iterator[dict]:
    sections = (
        Section.objects.filter(PUBLISHED_SECTIONS)
        .select_related("chapter", "current_version")
        .order_by("pk")
    )
    for section in sections.iterator(chunk_size=200):
        version = section.current_version
        yield {
            "type": "handbook",
            "key": f"handbook:section:{section.pk}",
            "title": section.title,
            "text": plain_text(version.body),
            "language": section.language,
            "audience": "everyone",
            "url": section.get_absolute_url(),
            "updated": version.published_at,
        }
