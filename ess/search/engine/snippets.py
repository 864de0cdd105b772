"""Snippets: the passage of a document that best shows why it matched, with the matched
words marked. Everything is escaped first; only our own <mark> tags are added."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ess.search.engine.analysis import fold, stem
from ess.search.engine.query import ParsedQuery

WINDOW = 30  # words
# Long documents are searched for a passage near the start; enough for a snippet.
MAX_TEXT = 3_000
_WORDS = re.compile(r"\S+")


def _matcher(parsed: ParsedQuery, language: str):
    stems, words = parsed.all_stems, parsed.all_words
    memo: dict[str, bool] = {}

    def matches_folded(folded: str) -> bool:
        found = memo.get(folded)
        if found is None:
            word = folded.strip(_PUNCTUATION)
            found = bool(word) and (word in words or stem(word, language) in stems)
            memo[folded] = found
        return found

    return matches_folded


_PUNCTUATION = ".,;:!?()[]{}\"'*_`<>|/\\"


def _folded_words(words: list[str]) -> list[str]:
    # Folding the text once is much cheaper than word by word; a character whose
    # decomposition adds a space would shift the words, so then go word by word.
    folded = fold(" ".join(words)).split()
    return folded if len(folded) == len(words) else [fold(word) for word in words]


def snippet(text: str, language: str, parsed: ParsedQuery) -> SafeString:
    words = _WORDS.findall(text[:MAX_TEXT])
    if not words:
        return mark_safe("")
    matches = _matcher(parsed, language)
    folded = _folded_words(words)
    hits = [index for index, word in enumerate(folded) if matches(word)]
    start = 0
    if hits:
        # The window holding the most matches; earliest on a tie.
        best, best_count, right = 0, 0, 0
        for left_index, left in enumerate(hits):
            while right < len(hits) and hits[right] < left + WINDOW:
                right += 1
            if right - left_index > best_count:
                best, best_count = left, right - left_index
        start = max(0, best - 5)
    pieces = [
        f"<mark>{escape(word)}</mark>" if matches(folded[index]) else str(escape(word))
        for index, word in enumerate(words[start : start + WINDOW], start)
    ]
    prefix = "… " if start else ""
    suffix = " …" if start + WINDOW < len(words) else ""
    # Every word went through escape() above; only our <mark> tags are markup.
    return mark_safe(prefix + " ".join(pieces) + suffix)  # noqa: S308


def highlight_prefixes(title: str, typed: list[str]) -> SafeString:
    """A title with the words that begin with what was typed marked."""
    prefixes = [fold(word) for word in typed if len(word) >= 2]

    def marked(word: str) -> bool:
        folded = fold(word).strip(_PUNCTUATION)
        return any(folded.startswith(prefix) for prefix in prefixes)

    return mark_safe(  # noqa: S308 -- each word escaped, only <mark> added
        " ".join(
            f"<mark>{escape(word)}</mark>" if marked(word) else str(escape(word))
            for word in title.split()
        )
    )
