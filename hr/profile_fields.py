"""Which profile fields each kind of change request covers, and how values are shown."""

import datetime
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from django.utils.text import capfirst
from django.utils.translation import get_language

from hr.models import ChangeRequest, PersonalProfile
from hr.validation import mask

Kind = ChangeRequest.Kind

KIND_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.LEGAL_NAME: ("legal_first_name", "legal_last_name"),
    Kind.DATE_OF_BIRTH: ("date_of_birth",),
    Kind.ADDRESS: ("address_line1", "address_line2", "postcode", "city", "country"),
    Kind.BANK_ACCOUNT: ("iban", "bank_account_holder"),
    Kind.NATIONAL_ID: ("national_id_country", "national_id"),
    Kind.TAX_RESIDENCY: ("tax_residency",),
}
# Encrypted at rest, masked on screen, and audited when anyone but the person reads them.
SENSITIVE_FIELDS = frozenset({"iban", "national_id"})
COUNTRY_FIELDS = frozenset({"country", "national_id_country", "tax_residency"})
DATE_FIELDS = frozenset({"date_of_birth"})
# The countries whose formats ESS checks; others are accepted with generic rules.
CHECKED_COUNTRIES = ("NL", "IT", "NO")


def to_json(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def from_json(field: str, value):
    if field in DATE_FIELDS:
        return datetime.date.fromisoformat(value) if value else None
    return value or ""


def field_label(field: str) -> str:
    return capfirst(str(PersonalProfile._meta.get_field(field).verbose_name))


def country_name(code: str) -> str:
    if not code:
        return ""
    try:
        locale = Locale.parse(get_language() or "en", sep="-")
    except (UnknownLocaleError, ValueError):
        locale = Locale("en")
    return locale.territories.get(code, code)


def country_choices() -> list[tuple[str, str]]:
    """ISO country codes named in the reader's language, checked countries first."""
    try:
        locale = Locale.parse(get_language() or "en", sep="-")
    except (UnknownLocaleError, ValueError):
        locale = Locale("en")
    names = {
        code: name
        for code, name in locale.territories.items()
        if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "EZ", "UN", "QO")
    }
    first = [(code, names[code]) for code in CHECKED_COUNTRIES]
    rest = sorted(
        ((code, name) for code, name in names.items() if code not in CHECKED_COUNTRIES),
        key=lambda item: item[1],
    )
    return [("", "—"), *first, *rest]


def display(field: str, value, *, reveal: bool = False) -> str:
    if value in (None, ""):
        return ""
    if field in SENSITIVE_FIELDS and not reveal:
        return mask(str(value))
    if field in COUNTRY_FIELDS:
        return f"{country_name(value)} ({value})"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class DiffRow:
    field: str
    label: str
    old: str
    new: str
    changed: bool


def request_diff(request: ChangeRequest, *, reveal: bool) -> list[DiffRow]:
    return [
        DiffRow(
            field=field,
            label=field_label(field),
            old=display(field, request.previous.get(field), reveal=reveal),
            new=display(field, request.proposed.get(field), reveal=reveal),
            changed=(request.previous.get(field) or "") != (request.proposed.get(field) or ""),
        )
        for field in KIND_FIELDS[request.kind]
    ]


def request_has_sensitive(request: ChangeRequest) -> bool:
    return bool(set(KIND_FIELDS[request.kind]) & SENSITIVE_FIELDS)
