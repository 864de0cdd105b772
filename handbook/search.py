"""The handbook's contribution to portal search: one document per published section."""

from collections.abc import Collection, Iterator

from ess.content.rendering import plain_text
from handbook.models import Section
from handbook.permissions import PUBLISHED_SECTIONS


def search_documents(keys: Collection[str] | None = None) -> Iterator[dict]:
    sections = (
        Section.objects.filter(PUBLISHED_SECTIONS)
        .select_related("chapter", "current_version")
        .order_by("pk")
    )
    if keys is not None:
        ids = [key.rsplit(":", 1)[-1] for key in keys]
        sections = sections.filter(pk__in=[int(pk) for pk in ids if pk.isdigit()])
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
            "space": "Handbook",
            "category": section.chapter.title,
            "updated": version.published_at,
        }
