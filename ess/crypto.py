"""Encryption at rest for the few values that must never sit readable in a database dump.

Keys come from `ESS_FIELD_KEYS`: a comma-separated list of Fernet keys (AES-128-CBC with an
HMAC-SHA256 tag, so tampering is detected). The first key encrypts; every key decrypts, which
is how rotation works: put a new key first, run `manage.py rotate_field_keys`, then drop the
old one. The keys are deliberately independent of SECRET_KEY, which rotates for other reasons.
"""

import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

TOKEN_PREFIX = "fernet:"  # noqa: S105  (a marker, not a secret)


class FieldDecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


@cache
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("ESS_FIELD_KEYS must hold at least one Fernet key.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "ESS_FIELD_KEYS holds a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes; see README)."
        ) from error


def field_cipher() -> MultiFernet:
    return _cipher(tuple(settings.ESS_FIELD_KEYS))


def encrypt_bytes(data: bytes) -> bytes:
    return field_cipher().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return field_cipher().decrypt(token)
    except InvalidToken as error:
        raise FieldDecryptionError("No configured key decrypts this value.") from error


def rotate_bytes(token: bytes) -> bytes:
    """Re-encrypt under the current first key (no-op in meaning, new ciphertext)."""
    try:
        return field_cipher().rotate(token)
    except InvalidToken as error:
        raise FieldDecryptionError("No configured key decrypts this value.") from error


def encrypt_text(value: str) -> str:
    return TOKEN_PREFIX + encrypt_bytes(value.encode()).decode("ascii")


def decrypt_text(stored: str) -> str:
    if not stored.startswith(TOKEN_PREFIX):
        raise FieldDecryptionError("The stored value is not an ESS ciphertext.")
    return decrypt_bytes(stored.removeprefix(TOKEN_PREFIX).encode("ascii")).decode()


def rotate_text(stored: str) -> str:
    return TOKEN_PREFIX + rotate_bytes(stored.removeprefix(TOKEN_PREFIX).encode()).decode()


class EncryptedField(models.TextField):
    """Stores `to_text(value)` encrypted; empty values stay empty so "not given" is cheap.

    Encrypted columns cannot be filtered or sorted on in SQL; code that needs to find a
    record by one of these values must use another column.
    """

    def to_text(self, value) -> str:
        return str(value)

    def from_text(self, text: str):
        return text

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return self._empty()
        return self.from_text(decrypt_text(value))

    def _empty(self):
        return None if self.null else ""

    def get_prep_value(self, value):
        if value is None or value == "":
            return None if self.null else ""
        return encrypt_text(self.to_text(value))

    def to_python(self, value):
        if value is None or value == "" or not isinstance(value, str):
            return value
        if value.startswith(TOKEN_PREFIX):  # loaddata of a dump made by value_to_string
            value = decrypt_text(value)
        return self.from_text(value)

    def get_internal_type(self) -> str:
        return "TextField"

    def value_to_string(self, obj) -> str:
        # Serialisation (dumpdata) writes the ciphertext, never the plaintext.
        value = self.value_from_object(obj)
        return self.get_prep_value(value) or ""


class EncryptedTextField(EncryptedField):
    pass


class EncryptedDecimalField(EncryptedField):
    def to_text(self, value) -> str:
        return str(Decimal(value))

    def from_text(self, text: str) -> Decimal:
        return Decimal(text)

    def value_from_object(self, obj):
        # Serializers pass Decimals through untouched ("protected types"); as a string the
        # value goes through value_to_string, so dumpdata writes ciphertext for it too.
        value = super().value_from_object(obj)
        return None if value is None else str(value)

    def _empty(self):
        return None


class EncryptedJSONField(EncryptedField):
    def to_text(self, value) -> str:
        return json.dumps(value, sort_keys=True, default=str)

    def from_text(self, text: str):
        return json.loads(text)

    def to_python(self, value):
        if isinstance(value, str) and value.startswith(TOKEN_PREFIX):
            return self.from_text(decrypt_text(value))
        return value

    def _empty(self):
        return None if self.null else {}

    def get_prep_value(self, value):
        if value is None:
            return None if self.null else ""
        return encrypt_text(self.to_text(value))


# Encrypted data that does not live in a model field (stored files, for instance) joins the
# rotation by registering a function that re-encrypts it and returns how many items it did.
_ROTATORS: dict[str, Callable[[], int]] = {}


def register_rotation(label: str, rotate: Callable[[], int]) -> None:
    _ROTATORS[label] = rotate


def registered_rotations() -> Iterable[tuple[str, Callable[[], int]]]:
    return sorted(_ROTATORS.items())
