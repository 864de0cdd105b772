"""Writes to the search index, the search log and its knowledge gaps."""

import hashlib
import hmac
from collections import Counter
from collections.abc import Collection, Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ess.audit.services import audit_record
from ess.search.engine.analysis import analyse_document
from ess.search.engine.synonyms import forget_cached_table
from ess.search.models import (
    Document,
    DocumentAudience,
    Gap,
    GapStatus,
    SearchLog,
    Stem,
    Synonym,
    Word,
)
from ess.search.sources import registered_sources

BATCH = 500
# Beta(2, 2)-style smoothing: a single vote moves helpfulness a little, fifty a lot.
HELPFUL_PRIOR = 2


def _audience_keys(audience) -> list[str] | None:
    """None for everyone; otherwise the keys. Accepts the dict form the policies and
    handbook sources use ({"departments": [...], "locations": [...], "roles": [...]})."""
    if audience in (None, "everyone"):
        return None
    if isinstance(audience, dict):
        keys = [f"dept:{pk}" for pk in audience.get("departments", ())]
        keys += [f"loc:{pk}" for pk in audience.get("locations", ())]
        keys += [f"role:{name}" for name in audience.get("roles", ())]
        keys += [f"user:{pk}" for pk in audience.get("users", ())]
        return sorted(set(keys))
    return sorted(set(audience))


def _document_fields(data: dict) -> tuple[dict, list[str] | None, frozenset, frozenset]:
    tags = [str(tag) for tag in data.get("tags") or ()]
    keywords = " ".join([*tags, data.get("category", "") or "", data.get("space", "") or ""])
    language = data.get("language") or "en"
    analysed = analyse_document(
        title=data["title"], text=data.get("text", ""), keywords=keywords, language=language
    )
    yes, no = int(data.get("helpful_yes") or 0), int(data.get("helpful_no") or 0)
    fields = {
        "title": data["title"][:300],
        "text": data.get("text", ""),
        "language": language,
        "url": data["url"],
        "space": (data.get("space") or "")[:100],
        "category": (data.get("category") or "")[:300],
        "tags": ", ".join(tags)[:500],
        "updated_at": data.get("updated"),
        "helpful_yes": yes,
        "helpful_no": no,
        "helpfulness": (yes + HELPFUL_PRIOR) / (yes + no + 2 * HELPFUL_PRIOR),
        "popularity": int(data.get("views") or 0),
        "title_terms": analysed.title_terms,
        "keyword_terms": analysed.keyword_terms,
        "body_terms": analysed.body_terms,
        "words": " ".join(sorted(analysed.words)),
        "indexed_at": timezone.now(),
    }
    return fields, _audience_keys(data.get("audience")), analysed.words, analysed.stems


@transaction.atomic
def index_upsert(documents: Iterable[dict]) -> int:
    """Add or replace documents (dicts in the source format). Returns how many."""
    count = 0
    batch: list[dict] = []
    for data in documents:
        batch.append(data)
        if len(batch) >= BATCH:
            count += _upsert_batch(batch)
            batch = []
    if batch:
        count += _upsert_batch(batch)
    return count


def _upsert_batch(batch: list[dict]) -> int:
    word_delta: Counter[str] = Counter()
    stem_delta: Counter[str] = Counter()
    identities = [(data["type"], data["key"]) for data in batch]
    existing = {
        (doc.doc_type, doc.key): doc
        for doc in Document.objects.filter(
            key__in=[key for _, key in identities], doc_type__in={t for t, _ in identities}
        )
    }
    to_create, to_update, audiences = [], [], {}
    for data in batch:
        fields, audience, words, stems = _document_fields(data)
        identity = (data["type"], data["key"])
        document = existing.get(identity)
        if document is None:
            document = Document(doc_type=data["type"], key=data["key"], **fields)
            to_create.append(document)
        else:
            old_words = set(document.words.split())
            old_stems = set(
                f"{document.title_terms} {document.keyword_terms} {document.body_terms}".split()
            )
            word_delta.subtract(old_words)
            stem_delta.subtract(old_stems)
            for name, value in fields.items():
                setattr(document, name, value)
            to_update.append(document)
        document.audience_everyone = audience is None
        audiences[identity] = audience or []
        word_delta.update(words)
        stem_delta.update(stems)
    Document.objects.bulk_create(to_create)
    if to_update:
        Document.objects.bulk_update(
            to_update,
            [*_document_fields(batch[0])[0].keys(), "audience_everyone"],
        )
    saved = {(doc.doc_type, doc.key): doc for doc in [*to_create, *to_update]}
    if not all(doc.pk for doc in to_create):  # back-ends without RETURNING ids
        saved.update(
            {
                (doc.doc_type, doc.key): doc
                for doc in Document.objects.filter(key__in=[key for _, key in identities])
            }
        )
    DocumentAudience.objects.filter(document__in=[doc.pk for doc in saved.values()]).delete()
    DocumentAudience.objects.bulk_create(
        DocumentAudience(document_id=saved[identity].pk, key=key)
        for identity, keys in audiences.items()
        for key in keys
    )
    _apply_frequencies(Word, "word", word_delta)
    _apply_frequencies(Stem, "stem", stem_delta)
    return len(batch)


def _apply_frequencies(model, field: str, delta: Counter) -> None:
    changes = {term[:64]: change for term, change in delta.items() if change}
    if not changes:
        return
    model.objects.bulk_create(
        [model(**{field: term, "df": 0}) for term in changes], ignore_conflicts=True
    )
    # Row locks in a fixed order, so two nodes indexing at once neither lose a count nor
    # deadlock (SQLite serialises writers anyway).
    rows = list(
        model.objects.select_for_update().filter(**{f"{field}__in": list(changes)}).order_by(field)
    )
    for row in rows:
        row.df = max(row.df + changes[getattr(row, field)], 0)
    model.objects.bulk_update(rows, ["df"], batch_size=BATCH)


@transaction.atomic
def index_remove(*, doc_type: str, keys: Collection[str]) -> int:
    documents = list(Document.objects.filter(doc_type=doc_type, key__in=list(keys)))
    word_delta: Counter[str] = Counter()
    stem_delta: Counter[str] = Counter()
    for document in documents:
        word_delta.subtract(set(document.words.split()))
        stem_delta.subtract(
            set(f"{document.title_terms} {document.keyword_terms} {document.body_terms}".split())
        )
    Document.objects.filter(pk__in=[doc.pk for doc in documents]).delete()
    _apply_frequencies(Word, "word", word_delta)
    _apply_frequencies(Stem, "stem", stem_delta)
    return len(documents)


def index_refresh(*, doc_type: str, keys: Collection[str] | None = None) -> int:
    """Re-read documents from their source. Keys the source no longer yields (unpublished,
    archived, deleted) leave the index."""
    source = registered_sources().get(doc_type)
    if source is None:
        raise LookupError(f"no search source registered for {doc_type!r}")
    with transaction.atomic():
        documents = list(source(None if keys is None else list(keys)))
        seen = {data["key"] for data in documents}
        index_upsert(documents)
        if keys is None:
            stale = (
                set(Document.objects.filter(doc_type=doc_type).values_list("key", flat=True)) - seen
            )
        else:
            stale = set(keys) - seen
        if stale:
            index_remove(doc_type=doc_type, keys=stale)
    return len(documents)


def index_refresh_on_commit(*, doc_type: str, keys: Collection[str] | None = None) -> None:
    """Refresh once the caller's transaction commits, so the index never shows what was
    rolled back. It runs in the request: publishing makes a document findable at once.
    Should it fail, the nightly rebuild puts it right."""
    keys = None if keys is None else list(keys)
    transaction.on_commit(lambda: index_refresh(doc_type=doc_type, keys=keys))


def index_rebuild(*, doc_types: Collection[str] | None = None) -> dict[str, int]:
    counts = {}
    for doc_type in registered_sources():
        if doc_types is None or doc_type in doc_types:
            counts[doc_type] = index_refresh(doc_type=doc_type)
    return counts


def searcher_hash(user) -> str:
    """A stable pseudonym for a person in the search log: a keyed hash of their id."""
    key = hashlib.sha256(f"search-log:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, str(user.pk).encode(), hashlib.sha256).hexdigest()


NO_CLICK_AFTER_SECONDS = 0  # a search counts as "no click" until a click arrives


@transaction.atomic
def search_log_record(
    *, user, query: str, normalised: str, language: str, result_count: int, source: str
) -> SearchLog:
    normalised = normalised[:300]
    gap = None
    if normalised:
        gap, _ = Gap.objects.get_or_create(
            normalised=normalised,
            defaults={"sample_query": query[:300], "language": language or ""},
        )
        Gap.objects.filter(pk=gap.pk).update(
            searches=F("searches") + 1,
            zero_results=F("zero_results") + (1 if result_count == 0 else 0),
            # Counted as not clicked until a click arrives; the click takes it back.
            no_clicks=F("no_clicks") + (1 if result_count else 0),
            last_seen=timezone.now(),
        )
    return SearchLog.objects.create(
        query=query[:300],
        normalised=normalised,
        language=language or "",
        result_count=result_count,
        source=source,
        searcher=searcher_hash(user),
        gap=gap,
    )


@transaction.atomic
def search_click_record(*, user, log_id: int, doc_type: str, key: str, rank: int) -> bool:
    """The first click on a search's results; later clicks on the same search are ignored
    so click-through stays a share of searches. Returns whether it was recorded."""
    updated = SearchLog.objects.filter(
        pk=log_id, searcher=searcher_hash(user), clicked_at__isnull=True
    ).update(
        clicked_type=doc_type[:20],
        clicked_key=key[:200],
        clicked_rank=max(0, min(rank, 32767)),
        clicked_at=timezone.now(),
    )
    if updated:
        gap_id = SearchLog.objects.filter(pk=log_id).values_list("gap_id", flat=True).first()
        if gap_id:
            Gap.objects.filter(pk=gap_id, no_clicks__gt=0).update(no_clicks=F("no_clicks") - 1)
    return bool(updated)


def gap_mark_drafted(*, gap_id: int) -> None:
    Gap.objects.filter(pk=gap_id, status=GapStatus.OPEN).update(status=GapStatus.DRAFTED)


def gap_resolve(*, gap_id: int, title: str, url: str, by) -> None:
    Gap.objects.filter(pk=gap_id).exclude(status=GapStatus.RESOLVED).update(
        status=GapStatus.RESOLVED,
        resolved_title=title[:300],
        resolved_url=url[:500],
        resolved_at=timezone.now(),
        resolved_by=by,
    )


def gap_dismiss(*, gap_id: int, by) -> None:
    gap = Gap.objects.filter(pk=gap_id).first()
    if gap is None:
        return
    Gap.objects.filter(pk=gap_id).update(status=GapStatus.DISMISSED, resolved_by=by)
    audit_record(
        actor=by, action="search.gap_dismiss", target=gap, detail={"query": gap.sample_query}
    )


@transaction.atomic
def synonym_save(*, by, terms: str, synonym: Synonym | None = None, active: bool = True) -> Synonym:
    phrases = [phrase.strip().lower() for phrase in terms.split(",") if phrase.strip()]
    cleaned = ", ".join(dict.fromkeys(phrases))
    if synonym is None:
        synonym = Synonym.objects.create(terms=cleaned, active=active, created_by=by)
        action = "search.synonym_add"
    else:
        synonym.terms, synonym.active = cleaned, active
        synonym.save(update_fields=["terms", "active", "updated_at"])
        action = "search.synonym_change"
    audit_record(
        actor=by, action=action, target=synonym, detail={"terms": cleaned, "active": active}
    )
    transaction.on_commit(forget_cached_table)
    return synonym


@transaction.atomic
def synonym_delete(*, by, synonym: Synonym) -> None:
    audit_record(
        actor=by, action="search.synonym_delete", target=synonym, detail={"terms": synonym.terms}
    )
    synonym.delete()
    transaction.on_commit(forget_cached_table)
