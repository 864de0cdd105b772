"""What a search returns, shared by the page, the search box, the API and the service desk."""

import datetime
from dataclasses import dataclass, field

from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Hit:
    doc_type: str
    key: str
    title: str
    url: str
    # Escaped text with the matched words wrapped in <mark>; safe to render as is.
    snippet: SafeString
    language: str
    score: float
    space: str = ""
    category: str = ""
    updated_at: datetime.datetime | None = None


@dataclass
class SearchResults:
    query: str
    hits: list[Hit]
    # How many documents the person may open matched, not only this page of them.
    total: int
    # A respelled query that has results for this person, when the query looked misspelt.
    did_you_mean: str | None = None
    # Counts per filter value among everything matched: {"type": {...}, "language": {...},
    # "space": {...}}; all obey the same audience rule as the hits.
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # The SearchLog row, when the search was logged; clicks refer to it.
    log_id: int | None = None
