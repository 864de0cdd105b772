"""Synonym groups: the shipped starter list plus the ones editors manage in the portal.

Groups are language-neutral concepts ("holiday, annual leave, vacation, vakantie, ferie"),
so a Dutch word can find an English article and the other way round. Phrases are compared
by their folded words, and a word also matches through its stem ("payslips" ↔ "payslip").

Editors' groups live in the database; each process keeps the merged table and re-reads it
when the newest change differs from the one it loaded (checked at most every few seconds),
so a saved group is live on every web node within that time.
"""

import functools
import threading
import time
from dataclasses import dataclass

from ess.search.engine.analysis import DATA, _data_lines, fold, stem, tokens

RECHECK_SECONDS = 5.0


@functools.cache
def starter_groups() -> list[list[str]]:
    path = DATA / "synonyms.txt"
    if not path.exists():
        return []
    groups = []
    for line in _data_lines(path):
        phrases = [phrase.strip() for phrase in line.split(",") if phrase.strip()]
        if len(phrases) >= 2:
            groups.append(phrases)
    return groups


def phrase_words(phrase: str) -> tuple[str, ...]:
    """A phrase's words as a query sees them: hyphenated words joined ("sign-on" → signon)."""
    words: dict[int, str] = {}
    for token in tokens(phrase):
        # The joined form of a hyphenated word comes last at its position and wins.
        words[token.position] = token.word
    return tuple(words[position] for position in sorted(words))


@dataclass(frozen=True)
class SynonymTable:
    # group index → its phrases as word tuples
    groups: tuple[tuple[tuple[str, ...], ...], ...]
    # first word key → [(phrase words, group index)], longest phrases first
    by_first_word: dict[str, list[tuple[tuple[str, ...], int]]]
    # A word that only ever occurs inside longer phrases of one group ("scam" in "scam
    # email") hints at that group even when the rest of the phrase differs.
    hinted_group: dict[str, int]

    def keys_of(self, word: str) -> set[str]:
        return word_keys(word)


@functools.lru_cache(maxsize=50_000)
def word_keys(word: str) -> frozenset[str]:
    """What a word may be matched by: itself and its English stem, so plurals and verb
    forms of the (mostly English) groups match. Stems in every language would let
    unrelated words collide ("stipend" and Italian "stipendio"); the groups list other
    languages' forms themselves."""
    return frozenset({word, stem(word, "en")})


def build_table(groups: list[list[str]]) -> SynonymTable:
    word_groups: list[tuple[tuple[str, ...], ...]] = []
    by_first: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for phrases in groups:
        parsed = tuple(dict.fromkeys(words for words in map(phrase_words, phrases) if words))
        if len(parsed) < 2:
            continue
        index = len(word_groups)
        word_groups.append(parsed)
        for words in parsed:
            for key in word_keys(words[0]):
                by_first.setdefault(key, []).append((words, index))
    for entries in by_first.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return SynonymTable(tuple(word_groups), by_first, _hints(word_groups))


HINT_MIN_LENGTH = 4


def _hints(word_groups: list[tuple[tuple[str, ...], ...]]) -> dict[str, int]:
    inside: dict[str, set[int]] = {}
    alone: set[str] = set()
    for index, phrases in enumerate(word_groups):
        for words in phrases:
            if len(words) == 1:
                alone.add(words[0])
                continue
            for word in words:
                inside.setdefault(word, set()).add(index)
    return {
        word: next(iter(groups))
        for word, groups in inside.items()
        if len(groups) == 1 and word not in alone and len(word) >= HINT_MIN_LENGTH
    }


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.table: SynonymTable | None = None
        self.stamp: object = None
        self.checked = 0.0

    def current(self) -> SynonymTable:
        now = time.monotonic()
        if self.table is not None and now - self.checked < RECHECK_SECONDS:
            return self.table
        stamp = _database_stamp()
        with self.lock:
            if self.table is None or stamp != self.stamp:
                self.table = build_table(starter_groups() + _database_groups())
                self.stamp = stamp
            self.checked = now
            return self.table

    def forget(self) -> None:
        with self.lock:
            self.table = None


_cache = _Cache()


def synonym_table() -> SynonymTable:
    return _cache.current()


def forget_cached_table() -> None:
    """Called after an editor saves a group, so this process sees it at once."""
    _cache.forget()


def _database_stamp() -> tuple:
    from django.db.models import Count, Max

    from ess.search.models import Synonym

    stamp = Synonym.objects.aggregate(count=Count("pk"), newest=Max("updated_at"))
    return (stamp["count"], stamp["newest"])


def _database_groups() -> list[list[str]]:
    from ess.search.models import Synonym

    return [group.phrases for group in Synonym.objects.filter(active=True)]


def matches_at(table: SynonymTable, words: list[str], start: int):
    """Synonym phrases that begin at words[start]: [(length, group index)], longest first."""
    found = []
    first_keys = word_keys(words[start])
    seen = set()
    for key in first_keys:
        for phrase, group in table.by_first_word.get(key, ()):
            end = start + len(phrase)
            if end > len(words) or (len(phrase), group) in seen:
                continue
            if all(
                word_keys(words[start + offset]) & word_keys(phrase[offset])
                for offset in range(1, len(phrase))
            ):
                seen.add((len(phrase), group))
                found.append((len(phrase), group))
    found.sort(key=lambda item: -item[0])
    return found


__all__ = ["fold", "forget_cached_table", "matches_at", "starter_groups", "synonym_table"]
