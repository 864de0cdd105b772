"""Where the index's documents come from: each app registers one function per type.

A source function takes the keys to re-read (or None for all) and yields plain dicts:
`type`, `key`, `title`, `text`, `language`, `url`, `updated`, `audience` ("everyone" or
audience keys such as "dept:3", "loc:1", "role:it_agent", "user:42"), and optionally
`space`, `category`, `tags`, `helpful_yes`, `helpful_no`, `views`. With keys given it yields
only those of them that may still be found; the index drops the others.
"""

from collections.abc import Callable, Collection, Iterable

SourceFunction = Callable[[Collection[str] | None], Iterable[dict]]

_SOURCES: dict[str, SourceFunction] = {}


def register_source(doc_type: str, documents: SourceFunction) -> None:
    _SOURCES[doc_type] = documents


def registered_sources() -> dict[str, SourceFunction]:
    return dict(_SOURCES)
