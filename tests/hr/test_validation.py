"""Each format ESS checks, with the message a person sees when they get it wrong."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hr import validation


def _code(callable_, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        callable_(*args, **kwargs)
    return caught.value.code


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("NL91ABNA0417164300", "NL91 ABNA 0417 1643 00"),
        ("nl91 abna 0417 1643 00", "NL91 ABNA 0417 1643 00"),
        ("IT60 X054 2811 1010 0000 0123 456", "IT60 X054 2811 1010 0000 0123 456"),
        ("NO93 8601 1117 947", "NO93 8601 1117 947"),
    ],
)
def test_valid_ibans_are_stored_in_groups_of_four(typed, stored):
    assert validation.clean_iban(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("NL92ABNA0417164300", "iban_checksum"),
        ("NL91ABNA041716430", "iban_length"),
        ("NL91ABNA04171643AA", "iban_structure"),
        ("XX91ABNA0417164300", "iban_country"),
        ("not an iban", "iban_format"),
        ("<script>alert(1)</script>", "iban_format"),
    ],
)
def test_bad_ibans_say_which_rule_they_break(typed, code):
    assert _code(validation.clean_iban, typed) == code


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [
        ("NL", "3012jt", "3012 JT"),
        ("NL", "1234 AB", "1234 AB"),
        ("IT", "20121", "20121"),
        ("NO", "0150", "0150"),
        ("DE", "10115", "10115"),
    ],
)
def test_postcodes_are_normalised_per_country(country, typed, stored):
    assert validation.clean_postcode(typed, country=country) == stored


@pytest.mark.parametrize(
    ("country", "typed"),
    [
        ("NL", "0123 AB"),
        ("NL", "1234 SS"),
        ("NL", "12345"),
        ("IT", "2012"),
        ("IT", "2012A"),
        ("NO", "01500"),
        ("NO", "O150"),
        ("DE", "<b>"),
    ],
)
def test_postcodes_in_the_wrong_format_are_refused(country, typed):
    assert _code(validation.clean_postcode, typed, country=country) == "postcode"


def test_the_postcode_message_shows_an_example_of_the_right_format():
    with pytest.raises(ValidationError) as caught:
        validation.clean_postcode("12345", country="NL")
    assert "1234 AB" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+31 20 123 4567", "+31201234567"),
        ("0031 6 1234 5678", "+31612345678"),
        ("+47 22 12 34 56", "+4722123456"),
        ("+39 02 1234 5678", "+390212345678"),
    ],
)
def test_phone_numbers_are_stored_in_e164(typed, stored):
    assert validation.clean_phone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("020 123 4567", "phone_international"),
        ("+31 12", "phone_invalid"),
        ("+abc", "phone"),
        ("+31 20 123 4567\x07", "control"),
    ],
)
def test_bad_phone_numbers_are_refused(typed, code):
    assert _code(validation.clean_phone, typed) == code


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [
        ("NL", "111222333", "111222333"),
        ("NL", "1112.22.333", "111222333"),
        ("IT", "RCCMNL83S18D969H", "RCCMNL83S18D969H"),
        ("NO", "15108695088", "15108695088"),
        ("DE", "L01X00T47", "L01X00T47"),
    ],
)
def test_national_ids_pass_their_published_checks(country, typed, stored):
    assert validation.clean_national_id(typed, country=country) == stored


@pytest.mark.parametrize(
    ("country", "typed", "code"),
    [
        ("NL", "111222334", "national_id_checksum"),  # fails the eleven-test
        ("NL", "12345", "national_id_format"),
        ("IT", "RCCMNL83S18D969X", "national_id_checksum"),
        ("IT", "RCCMNL83S18", "national_id_format"),
        ("NO", "15108695089", "national_id_checksum"),
        ("NO", "1510869508", "national_id_format"),
        ("DE", "<svg onload=x>", "national_id"),
    ],
)
def test_bad_national_ids_are_refused(country, typed, code):
    assert _code(validation.clean_national_id, typed, country=country) == code


@pytest.mark.parametrize(
    "name", ["Ødegård", "Nicolò", "Łukasz", "Şahin", "O'Brien", "Jean-Luc", "J. R. R."]
)
def test_real_names_are_accepted(name):
    assert validation.clean_person_name(name) == name


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("<script>alert(1)</script>", "name"),
        ("Robert'); DROP TABLE", "name"),
        ("R2D2", "name"),
        ("Ann\u202eeve", "control"),
        ("Ann\x00", "control"),
        ("{{ 7*7 }}", "name"),
    ],
)
def test_markup_digits_and_control_characters_are_not_names(name, code):
    assert _code(validation.clean_person_name, name) == code


def test_dates_of_birth_must_be_plausible():
    today = timezone.localdate()
    assert _code(validation.clean_date_of_birth, datetime.date(1899, 12, 31)) == "date_range"
    assert _code(validation.clean_date_of_birth, today) == "date_range"
    assert validation.clean_date_of_birth(datetime.date(1990, 2, 28)) == datetime.date(1990, 2, 28)


def test_changes_take_effect_today_or_within_a_year():
    today = timezone.localdate()
    assert validation.clean_effective_date(today) == today
    assert _code(validation.clean_effective_date, today - datetime.timedelta(days=1)) == "date_past"
    assert (
        _code(validation.clean_effective_date, today + datetime.timedelta(days=400))
        == "date_future"
    )


def test_masking_shows_only_the_last_four_characters():
    assert validation.mask("NL91 ABNA 0417 1643 00") == "•••• 4300"
    assert validation.mask("123") == "•••"
    assert validation.mask("") == ""
