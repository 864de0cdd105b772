"""Turning text into index terms, the same way for documents and for queries.

Words are case-folded and stripped of accents; each document's words are stemmed with the
Snowball stemmer of its own language. A query's language is usually unknown, so its words
are stemmed with every stemmer and any of the results may match (see `query.py`).
Hyphenated words are also indexed joined ("Wi-Fi" → wi, fi, wifi), because people type
them both ways.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import Stemmer

LANGUAGES = ("en", "nl", "it", "nb")
_SNOWBALL = {"en": "english", "nl": "dutch", "it": "italian", "nb": "norwegian"}
DATA = Path(__file__).resolve().parent / "data"

# Letters and digits, with inner apostrophes kept so "don't" stays one word; hyphenated
# compounds are matched whole and split afterwards.
_APOSTROPHES = "'\u2019"  # typewriter and typographic
_WORD = re.compile(rf"[^\W_]+(?:[{_APOSTROPHES}][^\W_]+)*(?:-[^\W_]+(?:[{_APOSTROPHES}][^\W_]+)*)*")
MAX_WORD = 40


@functools.cache
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_SNOWBALL.get(language, "english"))


# The combining marks of the blocks Latin, Greek and Cyrillic text use; deleting them after
# NFKD decomposition strips accents ("é" → "e") in one pass of the regular expression engine.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower-case without accents: "Ødegård Café" → "ødegard cafe"."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))


@dataclass(frozen=True)
class Token:
    word: str  # folded surface form
    position: int
    # Set on the parts of a hyphenated word and on the joined form, which all share the
    # position of the whole.
    compound: bool = False


def tokens(text: str) -> list[Token]:
    found: list[Token] = []
    for position, match in enumerate(_WORD.finditer(fold(text))):
        raw = match.group().replace("\u2019", "'")
        if "-" in raw:
            parts = [part for part in raw.split("-") if part]
            found.extend(Token(_clip(part), position, compound=True) for part in parts)
            found.append(Token(_clip("".join(parts)), position, compound=True))
        else:
            found.append(Token(_clip(raw), position))
    return found


def _clip(word: str) -> str:
    return word[:MAX_WORD]


def stem(word: str, language: str) -> str:
    # Apostrophes do not survive into terms: "don't" → "dont", matching what people type.
    return _stemmer(language).stemWord(word.replace("'", ""))


def stems_for_every_language(word: str) -> list[str]:
    seen: list[str] = []
    for language in LANGUAGES:
        term = stem(word, language)
        if term and term not in seen:
            seen.append(term)
    return seen


@functools.cache
def stopwords(language: str) -> frozenset[str]:
    path = DATA / f"stopwords_{language}.txt"
    if not path.exists():
        return frozenset()
    return frozenset(fold(line.strip()) for line in _data_lines(path))


def _data_lines(path: Path) -> list[str]:
    return [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


@dataclass(frozen=True)
class AnalysedDocument:
    title_terms: str
    keyword_terms: str
    body_terms: str
    words: frozenset[str]
    stems: frozenset[str]


def analyse_document(*, title: str, text: str, keywords: str, language: str) -> AnalysedDocument:
    """Index terms per field, plus the distinct surface words and stems it contributes to
    the vocabulary. Stop words stay in: they cost little and keep phrases adjacent."""
    fields = []
    words: set[str] = set()
    for value in (title, keywords, text):
        field_tokens = tokens(value)
        words.update(token.word for token in field_tokens if not token.word.isdigit())
        fields.append(" ".join(stem(token.word, language) for token in field_tokens))
    stems = frozenset(" ".join(fields).split())
    return AnalysedDocument(fields[0], fields[1], fields[2], frozenset(words), stems)
