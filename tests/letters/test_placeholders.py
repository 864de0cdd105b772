"""Placeholders: a fixed list, hostile templates refused on save, values never evaluated."""

import pytest
from django.core.exceptions import ValidationError

from hr.letters import codes, placeholders
from hr.letters.models import LetterTemplate
from tests.letters.factories import make_template

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "hostile",
    [
        "{user.password}",
        "{0.__class__}",
        "{employee.user.password}",
        "{full_name.__class__.__mro__}",
        "{__import__}",
        "{{ settings.SECRET_KEY }}",
        "{% debug %}",
        "{ full_name }",
        "{}",
        "{FULL_NAME}",
        "{salary}",
    ],
)
def test_unknown_and_hostile_placeholders_are_refused(hostile):
    with pytest.raises(ValidationError):
        placeholders.validate(f"Dear {hostile},")


def test_the_refusal_names_the_unknown_placeholders():
    with pytest.raises(ValidationError) as caught:
        placeholders.validate("{full_name} {user.password} {0.__class__}")
    message = caught.value.messages[0]
    assert "{user.password}" in message
    assert "{0.__class__}" in message
    assert "{full_name}" not in message


@pytest.mark.parametrize("text", ["Price {full_name", "a } b", "{{full_name}}", "x {today}}"])
def test_stray_braces_are_refused(text):
    with pytest.raises(ValidationError):
        placeholders.validate(text)


def test_control_characters_are_refused():
    with pytest.raises(ValidationError):
        placeholders.validate("Dear\x00 {full_name}")


def test_every_listed_placeholder_is_accepted():
    placeholders.validate(" ".join("{" + name + "}" for name in placeholders.PLACEHOLDERS))


def test_fill_looks_each_name_up_and_never_evaluates():
    values = {"full_name": "{company_name} <b>Ødegård</b>", "company_name": "Northwind"}
    filled = placeholders.fill("Dear {full_name}, from {company_name}.", values)
    # The value is inserted as it is, not scanned again and not formatted.
    assert filled == "Dear {company_name} <b>Ødegård</b>, from Northwind."


def test_fill_leaves_an_unknown_token_as_written():
    assert placeholders.fill("{user.password}", {"full_name": "x"}) == "{user.password}"


def test_fill_strips_control_characters_from_values():
    assert placeholders.fill("{full_name}", {"full_name": "Emma\x07 Smit"}) == "Emma Smit"


def test_salary_placeholders_make_a_salary_letter():
    assert placeholders.uses_salary("You earn {annual_base_salary}.")
    assert placeholders.uses_salary("Subject {currency}", "no salary here")
    assert not placeholders.uses_salary("Dear {full_name}, since {start_date}.")


def test_saving_a_template_with_an_attribute_placeholder_fails_with_a_clear_message(hr_officer):
    with pytest.raises(ValidationError) as caught:
        make_template(actor=hr_officer, body="Your password is {user.password}.")
    assert "body" in caught.value.message_dict
    assert "{user.password}" in caught.value.message_dict["body"][0]
    assert not LetterTemplate.objects.exists()


def test_the_subject_line_is_checked_too(hr_officer):
    with pytest.raises(ValidationError) as caught:
        make_template(actor=hr_officer, subject="Re: {0.__class__}")
    assert "subject" in caught.value.message_dict


def test_markup_in_a_template_is_allowed_and_stays_plain_text(hr_officer):
    template = make_template(actor=hr_officer, body="<script>alert(1)</script> {full_name}")
    assert template.current_version.body.startswith("<script>")


# --- Verification codes ---------------------------------------------------------------------
def test_codes_are_long_random_and_from_the_unambiguous_alphabet():
    made = {codes.generate() for _ in range(200)}
    assert len(made) == 200
    for code in made:
        assert len(code) == 16
        assert set(code) <= set(codes.ALPHABET)
        assert not set(code) & set("ILOU")


def test_codes_are_shown_in_groups_of_four():
    assert codes.display("ABCDEFGHJKMNPQRS") == "ABCD-EFGH-JKMN-PQRS"


@pytest.mark.parametrize(
    "typed",
    [
        "ABCD-EFGH-JKMN-PQR5",
        "abcd efgh jkmn pqr5",
        " abcd-efgh-jkmn-pqr5 ",
        "ABCDEFGHJKMNPQR5",
        "abcd_efgh.jkmn-pqr5",
    ],
)
def test_typed_codes_are_normalised(typed):
    assert codes.normalise(typed) == "ABCDEFGHJKMNPQR5"


def test_letters_read_as_digits_are_corrected():
    assert codes.normalise("O0I1-L000-0000-0000") == "0011100000000000"


@pytest.mark.parametrize("typed", ["", "ABC", "ABCD-EFGH-JKMN-PQRS-T", "ABCD-EFGH-JKMN-PQR!"])
def test_impossible_codes_are_rejected(typed):
    assert codes.normalise(typed) is None
