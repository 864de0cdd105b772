"""The service catalog's contribution to portal search: one document per active request type,
so searching "new laptop" or "notebook" finds the form that asks for one.

Everyone may file any request, so every entry is findable by everyone. The catalog changes
in the desk's administration screens; they call `catalog_index_refresh` after a save.
"""

import re
from collections.abc import Collection, Iterable, Iterator

from django.conf import settings
from django.db.models import Prefetch

from ess.search.services import index_refresh_on_commit
from ess.search.sources import register_source
from helpdesk.models import FormField, RequestType

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
