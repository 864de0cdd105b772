"""Checks for personal data, each returning the value in its normal form or raising a
ValidationError whose message tells the person what to fix.

The identifier rules come from python-stdnum (BSN, codice fiscale, fødselsnummer), schwifty
(IBAN) and phonenumbers (E.164), so the checksums are the published ones, not our reading.
"""

import datetime
import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty import exceptions as iban_errors
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.no import fodselsnummer

# Letters of any script, with the marks, spaces, apostrophes, hyphens and dots that real
# names use (O'Brien, Jean-Luc, J. R. R., Nicolò, Ødegård). Digits and markup are not names.
_NAME_PATTERN = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '\u2019.\-])*$")

POSTCODE_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    # The first digit of a Dutch postcode is never 0, and SA, SD and SS are not issued.
    "NL": (re.compile(r"^([1-9]\d{3}) ?((?!SA|SD|SS)[A-Z]{2})$"), "1234 AB"),
    "IT": (re.compile(r"^(\d{5})$"), "00184"),
    "NO": (re.compile(r"^(\d{4})$"), "0150"),
}
GENERIC_POSTCODE = re.compile(r"^[A-Z0-9][A-Z0-9 \-]{1,9}$")


def has_control_characters(value: str, *, allow_newlines: bool = False) -> bool:
    allowed = {"\n", "\r", "\t"} if allow_newlines else set()
    return any(unicodedata.category(ch)[0] == "C" and ch not in allowed for ch in value)


def clean_text(value: str, *, allow_newlines: bool = False) -> str:
    """Free text: trimmed, normalised to NFC, and without invisible control characters."""
    value = unicodedata.normalize("NFC", value.strip())
    if has_control_characters(value, allow_newlines=allow_newlines):
        raise ValidationError(
            _("Remove the invisible control characters from this text."), code="control"
        )
    return value


def clean_person_name(value: str) -> str:
    value = clean_text(value)
    value = re.sub(r"\s+", " ", value)
    if not value:
        return value
    if not _NAME_PATTERN.match(value):
        raise ValidationError(
            _(
                "A name may contain letters, spaces, apostrophes, hyphens and dots only "
                "(no digits or symbols such as < > { } @)."
            ),
            code="name",
        )
    return value


def clean_iban(value: str) -> str:
    """Return the IBAN in groups of four; explain which rule a bad one breaks."""
    compact = re.sub(r"[\s\-]", "", clean_text(value)).upper()
    if not compact:
        return ""
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", compact):
        raise ValidationError(
            _(
                "An IBAN starts with a two-letter country code and two check digits, "
                "for example NL91 ABNA 0417 1643 00."
            ),
            code="iban_format",
        )
    country = compact[:2]
    try:
        return IBAN(compact).formatted
    except iban_errors.InvalidCountryCode:
        message, code = _("%(country)s is not a country that uses IBANs."), "iban_country"
    except iban_errors.InvalidLength:
        message = _(
            "An IBAN from %(country)s has a different length; "
            "look for a missing or extra character."
        )
        code = "iban_length"
    except iban_errors.InvalidStructure:
        message = _(
            "This is not the layout of an IBAN from %(country)s "
            "(letters where digits belong, or the reverse)."
        )
        code = "iban_structure"
    except iban_errors.InvalidChecksumDigits:
        message = _("The check digits of this IBAN do not match; look for a typing error.")
        code = "iban_checksum"
    except iban_errors.SchwiftyException:
        message, code = _("This is not a valid IBAN."), "iban"
    raise ValidationError(message % {"country": country}, code=code)


def clean_postcode(value: str, *, country: str) -> str:
    compact = clean_text(value).upper()
    compact = re.sub(r"\s+", " ", compact)
    if not compact:
        return ""
    rule = POSTCODE_RULES.get(country)
    if rule is None:
        if not GENERIC_POSTCODE.match(compact):
            raise ValidationError(
                _("A postcode has 2 to 10 letters, digits, spaces or hyphens."), code="postcode"
            )
        return compact
    pattern, example = rule
    match = pattern.match(compact)
    if not match:
        raise ValidationError(
            _("Postcodes in %(country)s look like %(example)s.")
            % {"country": country, "example": example},
            code="postcode",
        )
    return " ".join(match.groups())


def clean_phone(value: str) -> str:
    """Return the number in E.164 (+31201234567)."""
    value = clean_text(value)
    if not value:
        return ""
    hint = _("Write the number with + and the country code, for example +31 20 123 4567.")
    if not value.startswith("+") and not value.startswith("00"):
        raise ValidationError(hint, code="phone_international")
    try:
        number = phonenumbers.parse("+" + value[2:] if value.startswith("00") else value, None)
    except phonenumbers.NumberParseException:
        raise ValidationError(hint, code="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("This is not a valid phone number for the country code +%(code)s.")
            % {"code": number.country_code},
            code="phone_invalid",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_national_id(value: str, *, country: str) -> str:
    value = clean_text(value)
    if not value:
        return ""
    if country == "NL":
        if len(re.sub(r"[\s.\-]", "", value)) != 9:
            raise ValidationError(
                _("A BSN has 9 digits and passes the eleven-test."), code="national_id_format"
            )
        return _checked(bsn, value, _("A BSN has 9 digits and passes the eleven-test."))
    if country == "IT":
        return _checked(
            codicefiscale,
            value,
            _("A codice fiscale has 16 letters and digits, for example RCCMNL83S18D969H."),
        )
    if country == "NO":
        return _checked(
            fodselsnummer,
            value,
            _("A fødselsnummer has 11 digits: the date of birth and two check digits."),
        )
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 \-/.]{3,29}", value):
        raise ValidationError(
            _("A national ID has 4 to 30 letters, digits, spaces, hyphens, dots or slashes."),
            code="national_id",
        )
    return value.upper()


def _checked(module, value: str, explanation: str) -> str:
    try:
        return module.validate(value)
    except InvalidChecksum:
        raise ValidationError(
            _("The check digit does not match; look for a typing error.") + " " + explanation,
            code="national_id_checksum",
        ) from None
    except StdnumError:
        raise ValidationError(explanation, code="national_id_format") from None


def clean_date_of_birth(value: datetime.date | None) -> datetime.date | None:
    if value is None:
        return None
    today = timezone.localdate()
    if value < datetime.date(1900, 1, 1):
        raise ValidationError(_("Enter a date of birth after 1900."), code="date_range")
    if value > today.replace(year=today.year - 14, day=min(today.day, 28)):
        raise ValidationError(
            _("The date of birth must be at least 14 years ago."), code="date_range"
        )
    return value


def clean_effective_date(value: datetime.date) -> datetime.date:
    today = timezone.localdate()
    if value < today:
        raise ValidationError(
            _("A change takes effect today or later, not in the past."), code="date_past"
        )
    if value > today + datetime.timedelta(days=366):
        raise ValidationError(
            _("A change can be planned at most one year ahead."), code="date_future"
        )
    return value


def mask(value: str, *, visible: int = 4) -> str:
    """Show only the end of a secret (•••• 4300), so a person recognises their own data."""
    compact = value.replace(" ", "")
    if not compact:
        return ""
    if len(compact) <= visible:
        return "•" * len(compact)
    return "•••• " + compact[-visible:]
