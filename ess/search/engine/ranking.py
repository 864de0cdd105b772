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
from dataclasses import dataclass

from django.utils import timezone

from ess.search.engine.query import ParsedQuery, term_stems

K1 = 1.2
FIELDS = (  # (weight, length normalisation b)
    (3.0, 0.3),  # title
    (1.5, 0.3),  # tags, category, space
    (1.0, 0.75),  # body
)
TITLE_COVERAGE_BONUS = 0.5
ADJACENT_IN_TITLE_BONUS = 0.15
EXCLUDED_IN_TITLE_FACTOR = 0.55
SAME_LANGUAGE_FACTOR = 1.15


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


@dataclass(frozen=True)
class PlannedSlot:
    importance: float
    # (weight, per word: the stems it may match as) for each alternative
    alternatives: tuple[tuple[float, tuple[tuple[str, ...], ...]], ...]


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
        slots.append(PlannedSlot(importance, alternatives))
    wanted = frozenset(query.all_stems)
    idf = {stem: stats.idf(stem) for stem in wanted}
    return Plan(
        tuple(slots), wanted | query.excluded_terms, idf, query.excluded_terms, query.language
    )


def score(candidate: Candidate, plan: Plan, stats: CorpusStats) -> float:
    wanted = plan.wanted
    frequencies: dict[str, list[int]] = {}
    for field_index, terms in enumerate(candidate.fields):
        for term in terms:
            if term in wanted:
                counts = frequencies.get(term)
                if counts is None:
                    counts = frequencies[term] = [0, 0, 0]
                counts[field_index] += 1
    if not frequencies or not plan.slots:
        return 0.0
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
        term_scores[stem] = plan.idf.get(stem, 0.0) * weighted / (K1 + weighted)

    total = covered = importance = 0.0
    titled = 0
    title_hits: list[bool] = []
    for slot in plan.slots:
        importance += slot.importance
        best, best_in_title = 0.0, False
        for weight, words in slot.alternatives:
            value_sum, all_in_title = 0.0, True
            for stems in words:
                word_best, word_in_title = 0.0, False
                for stem in stems:
                    value = term_scores.get(stem, 0.0)
                    if value:
                        word_best = max(word_best, value)
                        word_in_title = word_in_title or frequencies[stem][0] > 0
                if not word_best:
                    break
                value_sum += word_best
                all_in_title = all_in_title and word_in_title
            else:
                value = weight * value_sum / len(words)
                if value > best:
                    best, best_in_title = value, all_in_title
        if best:
            total += best
            covered += slot.importance
            titled += best_in_title
        title_hits.append(best_in_title)
    if not total:
        return 0.0
    coverage = covered / importance if importance else 0.0
    result = total * (0.25 + 0.75 * coverage * coverage)
    result *= 1 + TITLE_COVERAGE_BONUS * titled / len(plan.slots)
    adjacent = sum(1 for left, right in itertools.pairwise(title_hits) if left and right)
    result *= 1 + ADJACENT_IN_TITLE_BONUS * adjacent
    if plan.excluded and any(stem in plan.excluded for stem in candidate.fields[0]):
        result *= EXCLUDED_IN_TITLE_FACTOR
    if plan.language and candidate.language == plan.language:
        result *= SAME_LANGUAGE_FACTOR
    result *= 0.95 + 0.1 * candidate.helpfulness
    result *= 1 + 0.03 * _recency(candidate.updated_at)
    return result


def _recency(updated_at) -> float:
    if updated_at is None:
        return 0.0
    days = max((timezone.now() - updated_at).days, 0)
    return math.exp(-days / 365)
