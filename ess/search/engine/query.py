"""Understanding what someone typed: which words matter, what else they may have meant.

A query becomes a list of slots, one per meaningful word or recognised phrase. Each slot
has alternatives: the word's stems in every language, synonyms, spelling corrections and
completions of an unfinished word, each with a weight below 1 for the less certain ones.
A document earns a slot's score through its best alternative, so adding alternatives never
dilutes a query; it only widens what can match.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA

from ess.search.engine.analysis import (
    _WORD,
    DATA,
    LANGUAGES,
    MAX_WORD,
    _data_lines,
    fold,
    stems_for_every_language,
    stopwords,
)
from ess.search.engine.synonyms import SynonymTable, matches_at

SYNONYM_WEIGHT = 0.9
HINTED_SYNONYM_WEIGHT = 0.6
TYPO_WEIGHT = {1: 0.8, 2: 0.6}
COMPLETION_WEIGHT = 0.75
# A word the index knows can still be an unfinished longer one ("parent" → "parental"),
# but it most likely means itself.
KNOWN_WORD_COMPLETION_WEIGHT = 0.45
MAX_QUERY_WORDS = 24
MAX_COMPLETIONS = 8
TWO_EDITS_FROM = 8


@dataclass(frozen=True)
class Alternative:
    # Folded surface words; a phrase needs all of them. A word matches a document through
    # any of its stems (see `term_stems`), whatever the document's language.
    terms: tuple[str, ...]
    weight: float
    # The surface word this alternative came from, for "did you mean" and snippets.
    word: str = ""
    # A synonym may be found in titles and tags only when the index is large; what was
    # typed, corrected or completed is looked for everywhere.
    synonym: bool = False


@dataclass
class Slot:
    words: tuple[str, ...]
    alternatives: list[Alternative] = field(default_factory=list)
    corrected_to: str | None = None

    def add(
        self, terms: tuple[str, ...], weight: float, word: str = "", *, synonym: bool = False
    ) -> None:
        for index, existing in enumerate(self.alternatives):
            if existing.terms == terms:
                if weight > existing.weight:
                    self.alternatives[index] = Alternative(
                        terms, weight, word or existing.word, synonym and existing.synonym
                    )
                return
        self.alternatives.append(Alternative(terms, weight, word, synonym))


@dataclass
class ParsedQuery:
    text: str
    normalised: str
    language: str | None
    slots: list[Slot]
    # Words the person said they do not mean ("…, not my address").
    excluded_terms: frozenset[str]

    @functools.cached_property
    def all_words(self) -> set[str]:
        return {word for slot in self.slots for alt in slot.alternatives for word in alt.terms}

    @functools.cached_property
    def typed_stems(self) -> set[str]:
        """Stems of what was typed, corrected or completed — not of synonyms."""
        return {
            stem
            for slot in self.slots
            for alt in slot.alternatives
            if not alt.synonym
            for word in alt.terms
            for stem in term_stems(word)
        }

    @functools.cached_property
    def all_stems(self) -> set[str]:
        return {stem for word in self.all_words for stem in term_stems(word)}

    @property
    def did_you_mean(self) -> str | None:
        if not any(slot.corrected_to for slot in self.slots):
            return None
        return " ".join(slot.corrected_to or " ".join(slot.words) for slot in self.slots)


@dataclass(frozen=True)
class Vocabulary:
    """What the query parser may ask the index: how common a word is, words spelt alike,
    and words that begin with a prefix. Back-ends supply these."""

    document_frequency: Callable[[list[str]], dict[str, int]]
    similar_words: Callable[[str], list[tuple[str, int]]]
    completions: Callable[[str, int], list[tuple[str, int]]]


@functools.cache
def _cue_lists() -> tuple[frozenset[str], frozenset[str]]:
    path = DATA / "negations.txt"
    negations, contrasts = set(), set()
    if path.exists():
        target = negations
        for line in _data_lines(path):
            if line.strip() == "[contrast]":
                target = contrasts
                continue
            target.add(fold(line.strip()))
    return frozenset(negations), frozenset(contrasts)


def _excluding(cue: str, negations: frozenset[str]) -> bool:
    # "not X" rules X out; contracted auxiliaries ("doesn't prompt", "don't understand")
    # describe the problem itself, so they do not.
    return cue in negations and "'" not in cue and not cue.endswith("nt")


def detect_language(words: list[str]) -> str | None:
    """The language whose function words the query uses most, if any clearly leads."""
    hits = {language: sum(word in stopwords(language) for word in words) for language in LANGUAGES}
    best = max(hits.values())
    if best == 0:
        return None
    leaders = [language for language, count in hits.items() if count == best]
    return leaders[0] if len(leaders) == 1 else ("en" if "en" in leaders else None)


def query_words(text: str) -> tuple[list[str], set[int]]:
    """The query's words (a hyphenated word once, joined: "wi-fi" → "wifi") and the
    indexes of words that begin a new clause after punctuation."""
    lowered = fold(text)
    words: list[str] = []
    clause_starts: set[int] = set()
    previous_end = 0
    for match in _WORD.finditer(lowered):
        raw = match.group().replace("\u2019", "'")
        if "-" in raw:
            raw = "".join(part for part in raw.split("-") if part)
        if any(mark in lowered[previous_end : match.start()] for mark in ",;.!?()") and words:
            clause_starts.add(len(words))
        words.append(raw[:MAX_WORD])
        previous_end = match.end()
        if len(words) >= MAX_QUERY_WORDS:
            break
    return words, clause_starts


def _cue_positions(words: list[str], cues: frozenset[str]) -> dict[int, int]:
    """Where cues of one or more words occur: {index of their last word: their length}."""
    found: dict[int, int] = {}
    longest = max((cue.count(" ") + 1 for cue in cues), default=1)
    for index in range(len(words)):
        for length in range(min(longest, index + 1), 0, -1):
            if " ".join(words[index - length + 1 : index + 1]) in cues:
                found[index] = length
                break
    return found


def _excluded_positions(
    words: list[str], clause_starts: set[int], stop: frozenset[str]
) -> tuple[set[int], set[int]]:
    """Words the person rules out, and the positions of the cue words themselves.

    "…, not my address" and "although I did not forget my password" rule out what follows:
    the negation opens its clause (only pronouns and auxiliaries before it). "printer not
    working", "vpn is not working" and "no sound in Teams" describe the problem instead,
    so nothing is ruled out there; nor at the very start of the query.
    """
    negations, contrasts = _cue_lists()
    negation_at = {
        index: length
        for index, length in _cue_positions(words, negations).items()
        if _excluding(" ".join(words[index - length + 1 : index + 1]), negations)
    }
    contrast_at = _cue_positions(words, contrasts)
    cue_words = {
        position
        for at in (negation_at, contrast_at)
        for index, length in at.items()
        for position in range(index - length + 1, index + 1)
    }
    excluded: set[int] = set()
    boundary: int | None = None  # index after the latest clause boundary inside the query
    negated = False
    for index in range(len(words)):
        if index in clause_starts:
            boundary, negated = index, False
        if index in contrast_at:
            boundary, negated = index + 1, False
            continue
        if index in negation_at:
            start = index - negation_at[index] + 1
            negated = boundary is not None and all(
                words[position] in stop for position in range(boundary, start)
            )
            continue
        if negated and index not in cue_words:
            excluded.add(index)
    return excluded, cue_words


def parse(
    text: str, *, synonyms: SynonymTable, vocabulary: Vocabulary, complete_last: bool = True
) -> ParsedQuery:
    text = text.strip()
    negations, contrasts = _cue_lists()
    words, clause_starts = query_words(text)
    language = detect_language(words)
    stop = stopwords(language) if language else stopwords("en")
    excluded_positions, cue_words = _excluded_positions(words, clause_starts, stop)
    if all(
        index in excluded_positions or index in cue_words or words[index] in stop
        for index in range(len(words))
    ):
        # Ruling out everything leaves nothing to look for: read it as a description.
        excluded_positions = set()

    slots: list[Slot] = []
    index = 0
    frequencies = vocabulary.document_frequency(list(dict.fromkeys(words)))
    while index < len(words):
        if index in excluded_positions or index in cue_words:
            index += 1
            continue
        phrase_matches = matches_at(synonyms, words, index)
        if phrase_matches:
            length, _group = phrase_matches[0]
            span = tuple(words[index : index + length])
            slot = Slot(span)
            _add_literal(slot, span, language)
            for length_, group in phrase_matches:
                if length_ != length:
                    continue
                for phrase in synonyms.groups[group]:
                    if phrase == span:
                        continue
                    slot.add(_phrase_terms(phrase), SYNONYM_WEIGHT, " ".join(phrase), synonym=True)
            slots.append(slot)
            index += length
            continue
        word = words[index]
        is_last = index == len(words) - 1
        if word in stop or word in negations or word in contrasts or len(word) < 2:
            index += 1
            continue
        slot = Slot((word,))
        _add_literal(slot, (word,), language)
        hinted = synonyms.hinted_group.get(word)
        if hinted is not None and word not in stop:
            for phrase in synonyms.groups[hinted]:
                slot.add(
                    _phrase_terms(phrase), HINTED_SYNONYM_WEIGHT, " ".join(phrase), synonym=True
                )
        known = frequencies.get(word, 0) > 0
        if not known and len(word) >= 4 and not word.isdigit():
            _add_corrections(slot, word, vocabulary, synonyms, language)
        if complete_last and is_last and len(word) >= 3 and not word.isdigit():
            weight = KNOWN_WORD_COMPLETION_WEIGHT if known else COMPLETION_WEIGHT
            for completion, _df in vocabulary.completions(word, MAX_COMPLETIONS):
                if completion != word:
                    slot.add((completion,), weight, completion)
        slots.append(slot)
        index += 1

    wanted = {
        stem
        for slot in slots
        for alt in slot.alternatives
        for w in alt.terms
        for stem in term_stems(w)
    }
    excluded_terms = (
        frozenset(
            stem
            for position in excluded_positions
            if words[position] not in stop
            for stem in term_stems(words[position])
        )
        - wanted
    )
    normalised = " ".join(word for word in words if word not in stop)
    return ParsedQuery(text, normalised, language, slots, excluded_terms)


def _phrase_terms(phrase: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(phrase)


@functools.lru_cache(maxsize=50_000)
def term_stems(word: str) -> frozenset[str]:
    return frozenset(stems_for_every_language(word))


def _add_literal(slot: Slot, words: tuple[str, ...], language: str | None) -> None:
    slot.add(tuple(words), 1.0, " ".join(words))


def _add_corrections(
    slot: Slot, word: str, vocabulary: Vocabulary, synonyms: SynonymTable, language: str | None
) -> None:
    # Two edits turn most short words into other words; allow them from eight letters.
    allowed = 1 if len(word) < TWO_EDITS_FROM else 2
    found: list[tuple[int, int, str]] = []
    for candidate, df in vocabulary.similar_words(word):
        if candidate == word or abs(len(candidate) - len(word)) > allowed:
            continue
        distance = OSA.distance(word, candidate, score_cutoff=allowed)
        if distance <= allowed:
            found.append((distance, -df, candidate))
    if not found:
        return
    # Only the closest spellings: "arived" means "arrived", not also "drive".
    closest = min(distance for distance, _, _ in found)
    for distance, _, candidate in sorted(found):
        if distance == closest:
            slot.add((candidate,), TYPO_WEIGHT[distance], candidate)
    slot.corrected_to = min(found)[2]
