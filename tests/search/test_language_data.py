"""The language data shipped with the search engine: synonym groups, stop words and
negation cues. These are hand-edited text files, so the tests guard their shape and the
mistakes that quietly hurt search (a phrase in two groups, a stop word that is also a
negation, a synonym that would fire on every question)."""

import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest
import Stemmer

DATA = Path(__file__).resolve().parents[2] / "ess" / "search" / "engine" / "data"
LANGUAGES = ("en", "nl", "it", "nb")
SNOWBALL = {"en": "english", "nl": "dutch", "it": "italian", "nb": "norwegian"}
STOPWORD_FILES = [f"stopwords_{language}.txt" for language in LANGUAGES]
ALL_FILES = ["synonyms.txt", "negations.txt", *STOPWORD_FILES]
CONTRAST_MARKER = "[contrast]"
# Letters (any script), digits, and the few marks real phrases use: "wi-fi", "doctor's",
# "carta d'identità", "13. månedslønn", "lønns- og trekkoppgave".
PHRASE = re.compile(r"^[^\W_](?:[^\W_]|[ '.-])*$")
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def fold(text: str) -> str:
    """Lower-case without accents, as the engine compares words ("però" → "pero")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def entries(name: str) -> list[str]:
    """The meaningful lines of a data file: comments and blank lines dropped."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def synonym_groups() -> list[list[str]]:
    return [line.split(", ") for line in entries("synonyms.txt")]


def cue_sections() -> tuple[list[str], list[str]]:
    lines = entries("negations.txt")
    marker = lines.index(CONTRAST_MARKER)
    return lines[:marker], lines[marker + 1 :]


def all_stopwords() -> set[str]:
    return {fold(word) for name in STOPWORD_FILES for word in entries(name)}


def stems(word: str) -> set[str]:
    return {Stemmer.Stemmer(SNOWBALL[language]).stemWord(word) for language in LANGUAGES}


@pytest.mark.parametrize("name", ALL_FILES)
def test_data_file_is_clean_lowercase_utf8(name):
    raw = (DATA / name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
    text = raw.decode("utf-8")
    assert text.endswith("\n"), "ends with a newline"
    assert not text.endswith("\n\n"), "no blank lines at the end"
    assert "\r" not in text
    assert "\t" not in text
    for number, line in enumerate(text.splitlines(), start=1):
        assert line == line.rstrip(), f"{name}:{number} has trailing whitespace"
        assert line == "" or line.strip(), f"{name}:{number} is blank but not empty"
        if line and not line.startswith("#"):
            assert line == line.lower(), f"{name}:{number} is not lowercase: {line!r}"
            assert line == line.strip(), f"{name}:{number} has leading whitespace"


def test_synonym_groups_are_well_formed():
    groups = synonym_groups()
    assert len(groups) >= 250
    for group in groups:
        assert len(group) >= 2, f"a group needs two phrases: {group}"
        for phrase in group:
            assert PHRASE.match(phrase), f"odd phrase {phrase!r} in {group[0]!r}"
            assert "  " not in phrase
            assert "," not in phrase


def test_every_phrase_belongs_to_one_group_only():
    owner: dict[str, str] = {}
    problems = []
    for group in synonym_groups():
        for phrase in group:
            key = fold(phrase)
            if key in owner:
                problems.append(f"{phrase!r} is in {owner[key]!r} and {group[0]!r}")
            owner[key] = group[0]
    assert not problems


def test_single_words_of_different_groups_do_not_share_a_stem():
    # A query word matches a phrase through its stem in any of the four languages, so
    # "pension" and "pensione" in two groups would pull both groups into one query.
    claimed: dict[str, str] = {}
    problems = []
    for group in synonym_groups():
        for phrase in group:
            words = WORD.findall(fold(phrase))
            if len(words) != 1:
                continue
            for stem in stems(words[0]):
                other = claimed.setdefault(stem, group[0])
                if other != group[0]:
                    problems.append(f"{phrase!r} ({group[0]!r}) shares {stem!r} with {other!r}")
    assert not problems


def test_every_phrase_has_a_word_that_is_not_a_stop_word():
    # Phrases are matched before stop words are dropped: a phrase of stop words only
    # ("it", "do") would expand every question that contains it.
    stop = all_stopwords()
    only_stop_words = [
        phrase
        for group in synonym_groups()
        for phrase in group
        if all(word in stop for word in WORD.findall(fold(phrase)))
    ]
    assert not only_stop_words


def test_no_single_word_phrase_stems_to_a_stop_word():
    # Synonym phrases are looked up before stop words are dropped, so "aed" (English
    # stem "a") would expand every question that contains "a".
    stop = all_stopwords()
    clashes = [
        phrase
        for group in synonym_groups()
        for phrase in group
        if len(WORD.findall(fold(phrase))) == 1 and stems(fold(phrase)) & stop
    ]
    assert not clashes


def test_hyphenated_words_stand_alone_and_come_joined_too():
    # People type "wifi" and "wi-fi", so the joined form is always there. A hyphenated
    # word inside a longer phrase is not allowed: the engine keeps only a phrase's plain
    # words, so "single sign-on" would shrink to "single". Write "single sign on".
    # ("lønns- og trekkoppgave" is a written-out list, not a hyphenated word.)
    hyphenated = [
        (phrase, group)
        for group in synonym_groups()
        for phrase in group
        if "-" in phrase and "- " not in phrase
    ]
    inside_a_phrase = [phrase for phrase, _group in hyphenated if " " in phrase]
    assert not inside_a_phrase
    missing_joined = [
        phrase for phrase, group in hyphenated if phrase.replace("-", "") not in group
    ]
    assert not missing_joined


def test_synonym_phrases_are_not_negation_cues():
    negations, contrasts = cue_sections()
    cues = {fold(cue) for cue in negations + contrasts}
    for group in synonym_groups():
        assert not cues & {fold(phrase) for phrase in group}


@pytest.mark.parametrize("name", STOPWORD_FILES)
def test_stop_word_list_is_one_word_a_line_without_repeats(name):
    words = entries(name)
    assert 150 <= len(words) <= 250
    for word in words:
        assert WORD.fullmatch(word), f"{name}: {word!r} is not a single word"
    folded = [fold(word) for word in words]
    repeated = sorted({word for word in folded if folded.count(word) > 1})
    assert not repeated, f"{name} repeats {repeated}"


def test_no_stop_word_is_a_negation_or_contrast_cue():
    # Cues are compared across languages (a query's language is a guess), and without
    # accents, the way the engine compares them.
    negations, contrasts = cue_sections()
    cues = {fold(cue) for cue in negations + contrasts}
    assert not all_stopwords() & cues


def test_negation_file_has_both_sections_without_repeats():
    text = (DATA / "negations.txt").read_text(encoding="utf-8")
    assert text.splitlines().count(CONTRAST_MARKER) == 1
    negations, contrasts = cue_sections()
    assert {"not", "no", "niet", "geen", "non", "senza", "ikke", "uten"} <= set(negations)
    assert {"but", "maar", "ma", "men"} <= set(contrasts)
    folded = [fold(cue) for cue in negations + contrasts]
    by_cue = defaultdict(int)
    for cue in folded:
        by_cue[cue] += 1
    assert not [cue for cue, count in by_cue.items() if count > 1]
    for cue in negations + contrasts:
        assert all(WORD.fullmatch(word) for word in cue.split(" ")), f"odd cue {cue!r}"
