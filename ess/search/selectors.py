"""Reads: searching, suggestions as people type, and whether someone may open a result."""

import threading
import time
import unicodedata
from collections.abc import Sequence

from django.db.models import Avg, Q
from django.db.models.functions import Length
from rapidfuzz.distance import OSA

from ess.search.engine.analysis import LANGUAGES, stem, stopwords
from ess.search.engine.backends import Visibility, current_backend
from ess.search.engine.query import ParsedQuery, Vocabulary, parse, query_words, term_stems
from ess.search.engine.ranking import (
    Candidate,
    CorpusStats,
    plan,
    prefer_language,
    query_language,
    score,
)
from ess.search.engine.snippets import highlight_prefixes, snippet
from ess.search.engine.synonyms import synonym_table
from ess.search.models import Document, DocumentAudience, Stem, Word
from ess.search.results import Hit, SearchResults

# Each of the three candidate questions returns at most this many documents.
POOL = 60
# A word in more than this share of documents (and more than RARE_FLOOR of them) is looked
# for through the two smaller questions only.
RARE_SHARE = 0.02
RARE_FLOOR = 200
# Fewer candidates than this from the cheap questions, and titles are asked for every word.
FEW = 10
# The rarer stems asked of the database may together occur in at most this many times the
# common-word bar of documents.
POSTINGS_BUDGET = 3
# Intersect typed words only when the rarest of them is within this many times the
# common-word bar.
INTERSECTION_SHARE = 3
ALL_STOPWORDS = frozenset().union(*(stopwords(language) for language in LANGUAGES))
# Results scoring below this share of the best one are noise from a single common word.
RELATIVE_FLOOR = 0.12
MAX_QUERY_LENGTH = 300
MIN_PREFIX = 3
SUGGESTION_FIELDS = (
    "doc_type",
    "key",
    "title",
    "url",
    "language",
    "space",
    "category",
    "updated_at",
    "popularity",
)
STATS_SECONDS = 300.0
STATS_SAMPLE = 2000


EVERYTHING = ("*",)


def clean_query(text: str | None) -> str:
    """What was typed, without control characters (PostgreSQL refuses NUL in text) and
    cut to a sane length."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in (text or ""))
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def user_audience_keys(user) -> tuple[str, ...]:
    """The audience keys someone holds: their department and every department above it,
    their location, their roles and themselves."""
    from hr.models import Department, Employee

    if user.is_superuser:
        # Superusers read everything in every app, so they find everything too.
        return EVERYTHING
    keys = [f"user:{user.pk}"]
    keys += [f"role:{name}" for name in sorted(user.role_names)]
    employee = Employee.objects.filter(user=user).values("department_id", "location_id").first()
    if employee:
        if employee["location_id"]:
            keys.append(f"loc:{employee['location_id']}")
        department_id, seen = employee["department_id"], set()
        while department_id and department_id not in seen:
            seen.add(department_id)
            keys.append(f"dept:{department_id}")
            department_id = (
                Department.objects.filter(pk=department_id)
                .values_list("parent_id", flat=True)
                .first()
            )
    return tuple(keys)


class _StatsCache:
    """Corpus size and average field lengths change slowly; reading them for every search
    would scan the table, so each process re-reads them every five minutes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value: tuple[int, tuple[float, float, float]] | None = None
        self.read_at = 0.0

    def get(self) -> tuple[int, tuple[float, float, float]]:
        now = time.monotonic()
        if self.value is None or now - self.read_at > STATS_SECONDS:
            # Average lengths from a sample: reading every body would take most of a
            # second on a large index, and the averages barely move.
            sample = Document.objects.order_by("-pk").values("pk")[:STATS_SAMPLE]
            row = Document.objects.filter(pk__in=sample).aggregate(
                title=Avg(Length("title_terms")),
                keywords=Avg(Length("keyword_terms")),
                body=Avg(Length("body_terms")),
            )
            row["n"] = Document.objects.count()
            # Characters to words: analysed terms average about six letters and a space.
            lengths = tuple(
                max((row[name] or 0) / 7.0, 1.0) for name in ("title", "keywords", "body")
            )
            with self.lock:
                self.value, self.read_at = (row["n"] or 0, lengths), now
        return self.value

    def forget(self) -> None:
        with self.lock:
            self.value = None


corpus_stats_cache = _StatsCache()


def _vocabulary(backend) -> Vocabulary:
    def document_frequency(words: list[str]) -> dict[str, int]:
        return dict(Word.objects.filter(word__in=words).values_list("word", "df"))

    return Vocabulary(
        document_frequency=document_frequency,
        similar_words=backend.similar_words,
        completions=backend.completions,
    )


def parse_query(query: str, *, complete_last: bool = True) -> ParsedQuery:
    backend = current_backend()
    return parse(
        query[:MAX_QUERY_LENGTH],
        synonyms=synonym_table(),
        vocabulary=_vocabulary(backend),
        complete_last=complete_last,
    )


def _useful(stems) -> list[str]:
    # Function words inside synonym phrases ("book a room") would match nearly every
    # document: they are left to the ranker, not asked of the database.
    return [stem for stem in sorted(stems) if len(stem) > 1 and stem not in ALL_STOPWORDS]


def _candidates(parsed: ParsedQuery, visibility: Visibility, frequencies, documents) -> list[int]:
    """The pool the ranker orders, from a few cheap questions instead of one costly one.

    What costs time in a large index is ranking every document that holds a common word:
    such words occur in a good share of all bodies. So the database is asked for
    (1) documents holding every typed word (an intersection: small), (2) titles, tags and
    categories holding any rarer word or synonym (a small index), and (3) documents holding
    any of those rarer words anywhere. Only when that finds almost nothing are titles asked for
    the common words too. In a small index every word is rare, and (3) covers everything.
    """
    backend = current_backend()
    common = max(RARE_SHARE * documents, RARE_FLOOR)

    typed = parsed.typed_stems

    def rare(stems) -> list[str]:
        """The rarer stems, what was typed first, within a budget of postings: the work of
        ranking grows with the number of documents the stems occur in."""
        chosen, postings = [], 0
        for term in sorted(_useful(stems), key=lambda t: (t not in typed, frequencies.get(t, 0))):
            df = frequencies.get(term, 0)
            # A stem no document holds cannot match; leaving it out keeps the question
            # short, which PostgreSQL's planner needs to choose the GIN index.
            if not df or df > common or postings + df > POSTINGS_BUDGET * common:
                continue
            chosen.append(term)
            postings += df
        return chosen

    typed_groups = [
        _useful(
            stem
            for alt in slot.alternatives
            if not alt.synonym
            for word in alt.terms
            for stem in term_stems(word)
        )
        for slot in parsed.slots
    ]
    typed_groups = [[stem for stem in group if frequencies.get(stem)] for group in typed_groups]
    if not all(typed_groups):
        typed_groups = []  # some typed word is in no document: no document has them all
    found: dict[int, None] = {}
    # The intersection is at most as large as the rarest group; ranking it is cheap unless
    # every typed word is common.
    smallest = min(
        (sum(frequencies.get(stem, 0) for stem in group) for group in typed_groups), default=0
    )
    if len(typed_groups) > 1 and smallest <= INTERSECTION_SHARE * common:
        found.update(
            dict.fromkeys(backend.candidates(typed_groups, visibility, POOL, every_group=True))
        )
    rare_everything = rare(parsed.all_stems)
    if rare_everything:
        found.update(
            dict.fromkeys(backend.candidates([rare_everything], visibility, POOL, titles_only=True))
        )
    if rare_everything:
        found.update(dict.fromkeys(backend.candidates([rare_everything], visibility, POOL)))
    if len(found) < FEW:
        every_typed = [stem for stem in _useful(parsed.typed_stems) if frequencies.get(stem)]
        if every_typed:
            found.update(
                dict.fromkeys(backend.candidates([every_typed], visibility, POOL, titles_only=True))
            )
    return list(found)


def _ranked(parsed: ParsedQuery, visibility: Visibility) -> list[Candidate]:
    stems = sorted(parsed.all_stems)
    documents, average_lengths = corpus_stats_cache.get()
    frequencies = dict(
        Stem.objects.filter(stem__in=stems + sorted(parsed.excluded_terms)).values_list(
            "stem", "df"
        )
    )
    ids = _candidates(parsed, visibility, frequencies, documents)
    if not ids:
        return []
    stats = CorpusStats(max(documents, 1), average_lengths, frequencies)
    query_plan = plan(parsed, stats)
    rows = Document.objects.filter(pk__in=ids).values_list(
        "pk", "title_terms", "keyword_terms", "body_terms", "language", "helpfulness", "updated_at"
    )
    candidates = []
    for pk, title, keywords, body, language, helpfulness, updated_at in rows:
        candidate = Candidate(
            pk, (title.split(), keywords.split(), body.split()), language, helpfulness, updated_at
        )
        candidate.score = score(candidate, query_plan, stats)
        if candidate.score > 0:
            candidates.append(candidate)
    prefer_language(candidates, query_language(candidates, query_plan))
    candidates.sort(key=lambda c: (-c.score, c.id))
    if candidates:
        floor = candidates[0].score * RELATIVE_FLOOR
        candidates = [c for c in candidates if c.score >= floor]
    return candidates


def search(
    *,
    user,
    query: str,
    limit: int = 10,
    offset: int = 0,
    doc_types: Sequence[str] = (),
    space: str = "",
    language: str = "",
    log_source: str | None = None,
) -> SearchResults:
    query = clean_query(query)
    parsed = parse_query(query)
    keys = user_audience_keys(user)
    filtered = Visibility(keys, tuple(doc_types), space, language)
    candidates = _ranked(parsed, filtered) if parsed.slots else []
    page = candidates[offset : offset + limit]
    documents = Document.objects.in_bulk([c.id for c in page])
    hits = []
    for candidate in page:
        document = documents[candidate.id]
        hits.append(
            Hit(
                doc_type=document.doc_type,
                key=document.key,
                title=document.title,
                url=document.url,
                snippet=snippet(document.text, document.language, parsed),
                language=document.language,
                score=round(candidate.score, 4),
                space=document.space,
                category=document.category,
                updated_at=document.updated_at,
            )
        )
    unfiltered = not (doc_types or space or language)
    facets = _facets(candidates if unfiltered else _ranked(parsed, Visibility(keys)))
    did_you_mean = parsed.did_you_mean if candidates else None
    results = SearchResults(
        query=query,
        hits=hits,
        total=len(candidates),
        did_you_mean=did_you_mean,
        facets=facets,
    )
    if log_source and parsed.normalised:
        from ess.search.services import search_log_record

        results.log_id = search_log_record(
            user=user,
            query=query,
            normalised=parsed.normalised,
            language=parsed.language or "",
            result_count=results.total,
            source=log_source,
        ).pk
    return results


def _facets(candidates: list[Candidate]) -> dict[str, dict[str, int]]:
    """Counts per type, language and space over what the person may find, before filters,
    so each filter shows what choosing it would give."""
    if not candidates:
        return {"type": {}, "language": {}, "space": {}}
    rows = Document.objects.filter(pk__in=[c.id for c in candidates]).values_list(
        "doc_type", "language", "space"
    )
    facets: dict[str, dict[str, int]] = {"type": {}, "language": {}, "space": {}}
    for doc_type, language, space in rows:
        facets["type"][doc_type] = facets["type"].get(doc_type, 0) + 1
        facets["language"][language] = facets["language"].get(language, 0) + 1
        if space:
            facets["space"][space] = facets["space"].get(space, 0) + 1
    return facets


def suggest(*, user, prefix: str, limit: int = 8) -> list[Hit]:
    """Titles for the search box as people type: every finished word must be in the title
    and the last, unfinished one must begin a title word. Asked of the small title index
    without any spelling work, so it keeps up with typing; a misspelt word is the search
    page's job ("did you mean"), once the person presses Enter."""
    prefix = clean_query(prefix)[:100]
    words = [word for word in query_words(prefix)[0] if word]
    content = [word for word in words if word not in ALL_STOPWORDS or word is words[-1]]
    if not content:
        return []
    finished, last = content[:-1], content[-1]
    if not finished and len(last) < MIN_PREFIX:
        # Two letters begin a good share of all title words; ranking them all is slow and
        # tells the person nothing yet.
        return []
    # Titles are stemmed in their own language; the unfinished word is matched raw and a
    # finished word through its English stem, which covers most titles; the full search
    # fallback covers the rest.
    backend = current_backend()
    visibility = Visibility(user_audience_keys(user))
    # The unfinished word as typed, or its stem: "quarterly" is indexed as "quarter".
    prefixes = sorted({last, *term_stems(last)})
    ids = backend.title_prefix_candidates(
        [stem(word, "en") for word in finished], prefixes, visibility, limit * 3
    )
    if not ids and finished:
        # A misspelt finished word: one more try with the closest spellings the index knows.
        corrected = [_closest_spelling(backend, word) for word in finished]
        if corrected != finished:
            ids = backend.title_prefix_candidates(
                [stem(word, "en") for word in corrected], prefixes, visibility, limit * 3
            )
    documents = Document.objects.only(*SUGGESTION_FIELDS).in_bulk(ids)
    ordered = [documents[pk] for pk in ids if pk in documents]
    ordered.sort(key=lambda document: (-document.popularity, len(document.title)))
    return [
        Hit(
            doc_type=document.doc_type,
            key=document.key,
            title=document.title,
            url=document.url,
            snippet=highlight_prefixes(document.title, content),
            language=document.language,
            score=0.0,
            space=document.space,
            category=document.category,
            updated_at=document.updated_at,
        )
        for document in ordered[:limit]
    ]


def _closest_spelling(backend, word: str) -> str:
    if Word.objects.filter(word=word, df__gt=0).exists() or len(word) < 4:
        return word
    found = [
        (OSA.distance(word, candidate), -df, candidate)
        for candidate, df in backend.similar_words(word)
    ]
    found = [item for item in found if item[0] <= (1 if len(word) < 8 else 2)]
    return min(found)[2] if found else word


def visible_document(user, doc_type: str, key: str) -> Document | None:
    if "\x00" in doc_type or "\x00" in key:  # PostgreSQL refuses NUL; no key holds one
        return None
    keys = user_audience_keys(user)
    documents = Document.objects.filter(doc_type=doc_type, key=key)
    if keys == EVERYTHING:
        return documents.first()
    return documents.filter(
        Q(audience_everyone=True)
        | Q(pk__in=DocumentAudience.objects.filter(key__in=keys).values("document_id"))
    ).first()
