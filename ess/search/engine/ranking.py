"""Scoring candidates: BM25F over the analysed fields, shaped by how much of the query a
document covers.

The database picks a candidate pool; this module orders it, the same way on every
back-end, so SQLite and PostgreSQL return the same ranking for the same index. Signals:
- BM25F per term, with the title weighing most, then tags and category, then the body;
- each query slot counts once, through its best alternative (literal, synonym, correction);
- coverage: a document matching the rare words of a question beats one matching many
  common ones, which suits natural-language questions;
- words in the title and adjacent query words found next to each other in the title;
- words the person ruled out ("not my address") count against titles that have them;
- helpfulness and freshness as light tie-breakers.
"""

import itertools
import math
from collections import Counter
from dataclasses import dataclass

from django.utils import timezone

from ess.search.engine.query import ParsedQuery, term_stems

K1 = 1.2
FIELDS = (  # (weight, length normalisation b)
    (3.0, 0.3),  # title
    (1.5, 0.3),  # tags, category, space
    (1.0, 0.75),  # body
)
COVERAGE_BASE = 0.5
SCATTERED_PHRASE_FACTOR = 0.4
COVERAGE_POWER = 1
TITLE_COVERAGE_BONUS = 1.0
ADJACENT_IN_TITLE_BONUS = 0.15
EXCLUDED_IN_TITLE_FACTOR = 0.55
SAME_LANGUAGE_FACTOR = 1.3
OTHER_LANGUAGE_FACTOR = 0.7


@dataclass(frozen=True)
class CorpusStats:
    documents: int
    average_lengths: tuple[float, float, float]
    document_frequency: dict[str, int]

    def idf(self, stem: str) -> float:
        df = self.document_frequency.get(stem, 0)
        return math.log(1 + (self.documents - df + 0.5) / (df + 0.5))


@dataclass
class Candidate:
    id: int
    fields: tuple[list[str], list[str], list[str]]
    language: str
    helpfulness: float
    updated_at: object
    score: float = 0.0
    # Which query words (slot, word) the document matched with the very words typed (not a synonym,
    # correction or completion): evidence of the language the query is written in.
    literal_slots: frozenset[tuple[int, int]] = frozenset()


@dataclass(frozen=True)
class PlannedSlot:
    importance: float
    # (weight, per word: the stems it may match as) for each alternative; the first is
    # always the words as typed
    alternatives: tuple[tuple[float, tuple[tuple[str, ...], ...]], ...]
    # Every stem of every alternative, and which alternatives each stem belongs to: a
    # document is only checked against the alternatives its own stems can satisfy.
    all_stems: frozenset[str] = frozenset()
    alternatives_of: dict[str, tuple[int, ...]] | None = None


@dataclass(frozen=True)
class Plan:
    """The query worked out once, before any candidate is scored."""

    slots: tuple[PlannedSlot, ...]
    wanted: frozenset[str]
    idf: dict[str, float]
    excluded: frozenset[str]
    language: str | None


def plan(query: ParsedQuery, stats: CorpusStats) -> Plan:
    slots = []
    for slot in query.slots:
        # An unknown word (a typo) weighs as much as the word it was corrected to.
        source_words = (slot.corrected_to,) if slot.corrected_to else slot.words
        importance = max(
            (stats.idf(stem) for word in source_words for stem in term_stems(word)),
            default=1.0,
        )
        alternatives = tuple(
            (alternative.weight, tuple(tuple(term_stems(word)) for word in alternative.terms))
            for alternative in slot.alternatives
        )
        alternatives_of: dict[str, list[int]] = {}
        for index, (_, words) in enumerate(alternatives):
            for stems in words:
                for stem in stems:
                    owners = alternatives_of.setdefault(stem, [])
                    if not owners or owners[-1] != index:
                        owners.append(index)
        slots.append(
            PlannedSlot(
                importance,
                alternatives,
                frozenset(alternatives_of),
                {stem: tuple(owners) for stem, owners in alternatives_of.items()},
            )
        )
    wanted = frozenset(query.all_stems)
    idf = {stem: stats.idf(stem) for stem in wanted}
    return Plan(
        tuple(slots), wanted | query.excluded_terms, idf, query.excluded_terms, query.language
    )


def score(candidate: Candidate, plan: Plan, stats: CorpusStats) -> float:
    wanted = plan.wanted
    # Counting in C (Counter over split strings) and intersecting with the query's stems
    # keeps the cost per candidate small; positions are only worked out for the rare
    # synonym phrase that needs them.
    counters = [Counter(terms) for terms in candidate.fields]
    frequencies: dict[str, list[int]] = {}
    for field_index, counter in enumerate(counters):
        for term in wanted & counter.keys():
            counts = frequencies.get(term)
            if counts is None:
                counts = frequencies[term] = [0, 0, 0]
            counts[field_index] = counter[term]
    if not frequencies or not plan.slots:
        return 0.0
    positions = _Positions(candidate.fields, wanted)
    present = set(frequencies)
    norms = [
        1 - b + b * len(terms) / max(average, 1.0)
        for (_, b), terms, average in zip(
            FIELDS, candidate.fields, stats.average_lengths, strict=True
        )
    ]
    term_scores: dict[str, float] = {}
    for stem, counts in frequencies.items():
        weighted = sum(
            weight * count / norm
            for (weight, _), count, norm in zip(FIELDS, counts, norms, strict=True)
            if count
        )
        # How strongly the document is about this term, from 0 to 1; how much the term
        # matters comes from the slot (below), not from the stem itself.
        term_scores[stem] = weighted / (K1 + weighted)

    total = covered = importance = 0.0
    titled = 0
    title_hits: list[bool] = []
    literal: set[tuple[int, int]] = set()
    for slot_index, slot in enumerate(plan.slots):
        best, best_in_title = 0.0, False
        importance += slot.importance
        hits = slot.all_stems & present
        if not hits:
            title_hits.append(False)
            continue
        reachable = sorted({index for stem in hits for index in slot.alternatives_of[stem]})
        for alternative_index in reachable:
            weight, words = slot.alternatives[alternative_index]
            value_sum, all_in_title = 0.0, True
            for word_index, stems in enumerate(words):
                word_best, word_in_title = 0.0, False
                for stem in stems:
                    value = term_scores.get(stem, 0.0)
                    if value:
                        word_best = max(word_best, value)
                        word_in_title = word_in_title or frequencies[stem][0] > 0
                if word_best and alternative_index == 0:
                    literal.add((slot_index, word_index))
                if not word_best and alternative_index:
                    break
                if not word_best:
                    # The words as typed: note each one found (the language evidence)
                    # before giving up on this alternative.
                    value_sum, all_in_title = -1.0, False
                    continue
                value_sum += word_best
                all_in_title = all_in_title and word_in_title
            else:
                if value_sum < 0:
                    continue
                # A synonym counts as much as the word it stands for, whether it is rarer
                # or more common in the index than that word.
                value = weight * slot.importance * value_sum / len(words)
                # A synonym phrase must appear as a phrase: "leave request" is not in
                # "Request parental leave". What the person typed needs no such order.
                if (
                    value > best
                    and alternative_index
                    and len(words) > 1
                    and not _adjacent(words, positions)
                ):
                    value *= SCATTERED_PHRASE_FACTOR
                if value > best:
                    best, best_in_title = value, all_in_title
        if best:
            total += best
            covered += slot.importance
            titled += best_in_title
        title_hits.append(best_in_title)
    candidate.literal_slots = frozenset(literal)
    if not total:
        return 0.0
    coverage = covered / importance if importance else 0.0
    result = total * (COVERAGE_BASE + (1 - COVERAGE_BASE) * coverage**COVERAGE_POWER)
    result *= 1 + TITLE_COVERAGE_BONUS * titled / len(plan.slots)
    adjacent = sum(1 for left, right in itertools.pairwise(title_hits) if left and right)
    result *= 1 + ADJACENT_IN_TITLE_BONUS * adjacent
    if plan.excluded and any(stem in plan.excluded for stem in candidate.fields[0]):
        result *= EXCLUDED_IN_TITLE_FACTOR
    result *= 0.95 + 0.1 * candidate.helpfulness
    result *= 1 + 0.03 * _recency(candidate.updated_at)
    return result


class _Positions:
    """Where each wanted stem occurs, as (field, index); computed on first use."""

    def __init__(self, fields, wanted) -> None:
        self.fields, self.wanted, self.found = fields, wanted, None

    def get(self, stem: str, default=()):
        if self.found is None:
            self.found = {}
            for field_index, terms in enumerate(self.fields):
                for position, term in enumerate(terms):
                    if term in self.wanted:
                        self.found.setdefault(term, set()).add((field_index, position))
        return self.found.get(stem, default)


def _adjacent(words: tuple[tuple[str, ...], ...], positions) -> bool:
    """Whether the words occur one after another in the same field."""
    starts = {spot for stem in words[0] for spot in positions.get(stem, ())}
    for offset, stems in enumerate(words[1:], 1):
        following = {spot for stem in stems for spot in positions.get(stem, ())}
        starts = {(field, at) for field, at in starts if (field, at + offset) in following}
        if not starts:
            return False
    return True


def query_language(candidates: list[Candidate], plan: Plan) -> str | None:
    """The language the query is written in: from its function words when it has some,
    otherwise the language whose documents contain most of the words as typed. "richiesta
    ferie" finds Italian literally and other languages only through synonyms."""
    if plan.language:
        return plan.language
    found: dict[str, set[tuple[int, int]]] = {}
    for candidate in candidates:
        if candidate.literal_slots:
            found.setdefault(candidate.language, set()).update(candidate.literal_slots)
    if not found:
        return None
    best = max(len(slots) for slots in found.values())
    leaders = [language for language, slots in found.items() if len(slots) == best]
    return leaders[0] if len(leaders) == 1 else None


def prefer_language(candidates: list[Candidate], language: str | None) -> None:
    """Answers in the query's language first. A document in another language is a fallback
    for when nothing better exists, unless it has every word as typed that any document
    has (a product or place name reads the same in every language)."""
    if not language:
        return
    typed = set().union(*(candidate.literal_slots for candidate in candidates))
    for candidate in candidates:
        if candidate.language == language:
            candidate.score *= SAME_LANGUAGE_FACTOR
        elif candidate.literal_slots != typed:
            candidate.score *= OTHER_LANGUAGE_FACTOR


def _recency(updated_at) -> float:
    if updated_at is None:
        return 0.0
    days = max((timezone.now() - updated_at).days, 0)
    return math.exp(-days / 365)
