"""Finding the service catalog: one portal search document per active request type, so
searching "new laptop" or "notebook" finds the form that asks for one, and the catalog
page's own narrowing search.

Everyone may file any request, so every entry is findable by everyone. The catalog changes
in the desk's administration screens; they call `catalog_index_refresh` after a save.
"""

import re
from collections.abc import Collection, Iterable, Iterator

from django.conf import settings
from django.db.models import Prefetch

from ess.search.engine.analysis import fold
from ess.search.services import index_refresh_on_commit
from ess.search.sources import register_source
from helpdesk.models import FormField, Queue, RequestType

DOC_TYPE = "catalog"
KEY_PREFIX = "catalog:"
_KEYWORD_SPLIT = re.compile(r"[,;\s]+")


def catalog_key(request_type_id: int) -> str:
    """The index key of a request type: its id, which survives renaming its short name."""
    return f"{KEY_PREFIX}{request_type_id}"


def _ids_of(keys: Iterable[str | int]) -> list[int]:
    ids = []
    for key in keys:
        raw = str(key).removeprefix(KEY_PREFIX)
        if raw.isdigit():
            ids.append(int(raw))
    return ids


def findable_request_types(keys: Collection[str] | None = None):
    request_types = (
        RequestType.objects.filter(is_active=True, queue__is_active=True)
        .select_related("queue")
        .prefetch_related(Prefetch("fields", queryset=FormField.objects.order_by("position", "pk")))
        .order_by("pk")
    )
    if keys is not None:
        request_types = request_types.filter(pk__in=_ids_of(keys))
    return request_types


def catalog_documents(keys: Collection[str] | None = None) -> Iterator[dict]:
    """Yield the search documents of the active request types (only those named, given
    `keys`); inactive ones, and those of an inactive queue, are left out so the index drops
    them."""
    for request_type in findable_request_types(keys):
        labels = [field.label for field in request_type.fields.all()]
        yield {
            "type": DOC_TYPE,
            "key": catalog_key(request_type.pk),
            "title": request_type.name,
            "text": "\n".join(
                part for part in (request_type.description, request_type.keywords, *labels) if part
            ),
            "language": settings.LANGUAGE_CODE[:2],
            "url": request_type.get_absolute_url(),
            "updated": None,
            "audience": "everyone",
            "space": request_type.queue.name,
            # The index weighs tags as keywords: the words people use besides the name.
            "tags": [word for word in _KEYWORD_SPLIT.split(request_type.keywords) if word],
        }


def catalog_by_queue(query: str = "") -> list[tuple[Queue, list[RequestType]]]:
    """The catalog page's own search: active request types grouped by queue, narrowed to
    those whose name, description or keywords hold every typed word, ignoring case and
    accents. A catalog has dozens of entries, so one query and matching here beats an
    accent-folding index on both database back-ends."""
    words = fold(query).split()
    groups: dict[int, tuple[Queue, list[RequestType]]] = {}
    request_types = (
        RequestType.objects.filter(is_active=True, queue__is_active=True)
        .select_related("queue")
        .order_by("queue__position", "queue__name", "position", "name")
    )
    for item in request_types:
        haystack = fold(f"{item.name} {item.description} {item.keywords}")
        if all(word in haystack for word in words):
            groups.setdefault(item.queue_id, (item.queue, []))[1].append(item)
    return list(groups.values())


def catalog_index_refresh(keys: Iterable[str | int] | None = None) -> None:
    """Re-index request types once the current transaction commits.

    `keys`: the ids of the request types that changed (or their index keys,
    "catalog:<id>"); None re-reads the whole catalog. A request type that was deactivated
    or deleted leaves the index.
    """
    index_refresh_on_commit(
        doc_type=DOC_TYPE,
        keys=None if keys is None else [catalog_key(pk) for pk in _ids_of(keys)],
    )


register_source(DOC_TYPE, catalog_documents)
