"""Verification codes printed on letters.

Sixteen symbols from Crockford's base 32 (no I, L, O or U, so nothing reads as another
symbol or spells a word) drawn with `secrets`: 80 bits, far beyond guessing. Shown in groups
of four for reading aloud over the phone ("7KQ2-M9XD-…"); typed back in any case, with or
without spaces and dashes, and with O, I and L read as 0, 1 and 1.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
GROUP = 4
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -_.\t")


def generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise(raw: str) -> str | None:
    """The stored form of what someone typed, or None if it cannot be a code."""
    code = (raw or "").translate(_SEPARATORS).upper().translate(_READ_AS)
    if len(code) != LENGTH or any(symbol not in ALPHABET for symbol in code):
        return None
    return code
