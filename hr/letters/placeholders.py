"""Placeholders in letter templates: a fixed list, checked on save, filled in by lookup.

HR writes `{full_name}` and the like into a template. Filling in is a plain dictionary
lookup per token: never the template engine and never `str.format`, so a template cannot
reach attributes (`{user.password}`), indexes (`{0.__class__}`) or anything else. Every
`{` and `}` in a template must belong to a known placeholder; anything else is refused
when the template is saved.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

TOKEN = re.compile(r"\{([^{}]*)\}")
# Characters that have no place in a letter: C0/C1 controls except line breaks and tabs.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Placeholder:
    name: str
    label: str | Promise
    salary: bool = False


PLACEHOLDERS = {
    p.name: p
    for p in (
        Placeholder("full_name", _("Full (legal) name")),
        Placeholder("first_name", _("First name")),
        Placeholder("last_name", _("Last name")),
        Placeholder("employee_number", _("Employee number")),
        Placeholder("job_title", _("Job title")),
        Placeholder("department", _("Department")),
        Placeholder("location", _("Office")),
        Placeholder("start_date", _("Start date")),
        Placeholder("end_date", _("End date (or 'no end date')")),
        Placeholder("contract_type", _("Contract type")),
        Placeholder("hours_per_week", _("Hours per week")),
        Placeholder("annual_base_salary", _("Annual base salary"), salary=True),
        Placeholder("monthly_base_salary", _("Monthly base salary (annual / 12)"), salary=True),
        Placeholder("currency", _("Salary currency"), salary=True),
        Placeholder("today", _("Date of the letter")),
        Placeholder("company_name", _("Company name (letterhead)")),
        Placeholder("addressee", _("Addressee the employee gave")),
        Placeholder("purpose", _("Purpose the employee gave")),
    )
}
SALARY_PLACEHOLDERS = frozenset(name for name, p in PLACEHOLDERS.items() if p.salary)


def used(text: str) -> set[str]:
    """Every placeholder name written in the text, known or not."""
    return set(TOKEN.findall(text or ""))


def validate(text: str) -> None:
    """Refuse unknown placeholders and stray braces, with a message saying which."""
    unknown = sorted(name for name in used(text) if name not in PLACEHOLDERS)
    if unknown:
        shown = ", ".join("{" + name + "}" for name in unknown)
        raise ValidationError(
            ngettext(
                "Unknown placeholder %(names)s. Use only the placeholders listed below.",
                "Unknown placeholders %(names)s. Use only the placeholders listed below.",
                len(unknown),
            )
            % {"names": shown},
            code="unknown_placeholder",
        )
    if "{" in TOKEN.sub("", text) or "}" in TOKEN.sub("", text):
        raise ValidationError(
            _(
                "Curly braces are only for placeholders such as {full_name}; one is not "
                "closed or not opened."
            ),
            code="stray_brace",
        )
    if CONTROL.search(text or ""):
        raise ValidationError(
            _("The text contains invisible control characters. Retype it."),
            code="control_character",
        )


def uses_salary(*texts: str) -> bool:
    return any(used(text) & SALARY_PLACEHOLDERS for text in texts)


def fill(text: str, values: dict[str, str]) -> str:
    """Replace each known placeholder by its value (one lookup, nothing evaluated).

    Values are inserted as they are and never scanned again, so a value containing
    `{full_name}` stays literal text. The template was validated when saved; a token that
    is somehow unknown is left as written rather than guessed.
    """

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS or name not in values:
            return match.group(0)
        return CONTROL.sub("", str(values[name]))

    return TOKEN.sub(replace, text)
