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
    DATA,
    LANGUAGES,
    _data_lines,
    fold,
    stems_for_every_language,
    stopwords,
    tokens,
)
from ess.search.engine.synonyms import SynonymTable, matches_at

SYNONYM_WEIGHT = 0.9
TYPO_WEIGHT = {1: 0.8, 2: 0.6}
COMPLETION_WEIGHT = 0.75
# A word the index knows can still be an unfinished longer one ("parent" → "parental"),
# but it most likely means itself.
KNOWN_WORD_COMPLETION_WEIGHT = 0.45
MAX_QUERY_WORDS = 24
MAX_COMPLETIONS = 8


@dataclass(frozen=True)
class Alternative:
    # Folded surface words; a phrase needs all of them. A word matches a document through
    # any of its stems (see `term_stems`), whatever the document's language.
    terms: tuple[str, ...]
    weight: float
    # The surface word this alternative came from, for "did you mean" and snippets.
    word: str = ""


@dataclass
class Slot:
    words: tuple[str, ...]
    alternatives: list[Alternative] = field(default_factory=list)
    corrected_to: str | None = None

    def add(self, terms: tuple[str, ...], weight: float, word: str = "") -> None:
        for index, existing in enumerate(self.alternatives):
            if existing.terms == terms:
                if weight > existing.weight:
                    self.alternatives[index] = Alternative(terms, weight, word or existing.word)
                return
        self.alternatives.append(Alternative(terms, weight, word))


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


def _excluding(word: str, negations: frozenset[str]) -> bool:
    # "not X" rules X out; contracted auxiliaries ("doesn't prompt", "don't understand")
    # describe the problem itself, so they do not.
    return word in negations and "'" not in word and not word.endswith("nt")


def detect_language(words: list[str]) -> str | None:
    """The language whose function words the query uses most, if any clearly leads."""
    hits = {language: sum(word in stopwords(language) for word in words) for language in LANGUAGES}
    best = max(hits.values())
    if best == 0:
        return None
    leaders = [language for language, count in hits.items() if count == best]
    return leaders[0] if len(leaders) == 1 else ("en" if "en" in leaders else None)


def parse(
    text: str, *, synonyms: SynonymTable, vocabulary: Vocabulary, complete_last: bool = True
) -> ParsedQuery:
    text = text.strip()
    negations, contrasts = _cue_lists()
    surface = tokens(text)[: MAX_QUERY_WORDS * 2]
    # Clause boundaries (commas and the like) end a negation's reach.
    words, clause_starts = [], set()
    cursor = 0
    for token in surface:
        if token.compound and "-" not in token.word:
            continue
        words.append(token.word)
    lowered = fold(text)
    for index, word in enumerate(words):
        location = lowered.find(word, cursor)
        if location > 0 and any(mark in lowered[cursor:location] for mark in ",;.!?()"):
            clause_starts.add(index)
        if location >= 0:
            cursor = location + len(word)
    words = words[:MAX_QUERY_WORDS]
    language = detect_language(words)
    stop = stopwords(language) if language else stopwords("en")

    excluded_positions: set[int] = set()
    negated = False
    for index, word in enumerate(words):
        if index in clause_starts or word in contrasts:
            negated = False
        if _excluding(word, negations):
            # "printer not working": a negation right after a thing describes its state.
            # "…, not my address" or "I did not forget my password" rules out what follows.
            previous = words[index - 1] if index else ""
            negated = (
                index == 0 or index in clause_starts or previous in contrasts or previous in stop
            )
            continue
        if negated:
            excluded_positions.add(index)

    slots: list[Slot] = []
    index = 0
    frequencies = vocabulary.document_frequency(list(dict.fromkeys(words)))
    while index < len(words):
        if index in excluded_positions:
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
                    slot.add(_phrase_terms(phrase), SYNONYM_WEIGHT, " ".join(phrase))
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
    allowed = 1 if len(word) <= 5 else 2
    best: tuple[int, int, str] | None = None
    for candidate, df in vocabulary.similar_words(word):
        if candidate == word or abs(len(candidate) - len(word)) > allowed:
            continue
        distance = OSA.distance(word, candidate, score_cutoff=allowed)
        if distance > allowed:
            continue
        slot.add((candidate,), TYPO_WEIGHT[distance], candidate)
        rank = (distance, -df, candidate)
        if best is None or rank < best:
            best = rank
    if best is not None:
        slot.corrected_to = best[2]
