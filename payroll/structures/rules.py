"""The rules a salary structure and a tax table must follow, wherever they are written.

The file import (payroll/structure_file.py) and the officers' pages
(payroll/structure_services.py) both check against these, so a component or band that one
refuses the other refuses too, with the same words. Messages say what to change and do not
say where: the caller prefixes them (`structure[1] NL-STANDARD, component[3] PENSION: ...`).
"""

import re
from collections.abc import Collection, Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

from payroll.calculation import NAMED_BASES, BandData, ComponentData
from payroll.lines import LineKind
from payroll.models import Component

Method = Component.Method

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
COMPONENT_CODE_LENGTH = 20
TABLE_CODE_LENGTH = 40
STRUCTURE_CODE_LENGTH = 40
LABEL_LENGTH = 100
NAME_LENGTH = 150
# What the model's decimal fields hold: amounts to cents below 10^10, rates to 1/10,000 %.
MONEY_PLACES, MONEY_DIGITS = 2, 12
RATE_PLACES, RATE_DIGITS = 4, 7
MAX_RATE = Decimal(100)
# Which of the optional settings each method takes; the others must be left out.
METHOD_NEEDS = {
    Method.SALARY: (),
    Method.FIXED: ("amount",),
    Method.PERCENT: ("rate", "base"),
    Method.BRACKET: ("table", "base"),
}
METHOD_SETTINGS = ("amount", "rate", "base", "table")


def _places(value: Decimal) -> int:
    # Trailing zeros (8.1700 from the database) are not extra precision.
    exponent = value.normalize().as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


def number_problems(key: str, value: Decimal | None, *, rate: bool = False) -> list[str]:
    """A money amount (or a rate) that is negative or does not fit the database."""
    if value is None:
        return []
    places, digits = (RATE_PLACES, RATE_DIGITS) if rate else (MONEY_PLACES, MONEY_DIGITS)
    problems = []
    if value < 0:
        problems.append(_("“%(key)s” cannot be negative.") % {"key": key})
    if _places(value) > places:
        problems.append(
            _("“%(key)s” has more than %(places)s decimals.") % {"key": key, "places": places}
        )
    if abs(value) >= Decimal(10) ** (digits - places):
        problems.append(_("“%(key)s” is too large.") % {"key": key})
    if rate and value > MAX_RATE:
        problems.append(_("“%(key)s” is a percentage and cannot be above 100.") % {"key": key})
    return problems


def code_problems(code: str, *, max_length: int) -> list[str]:
    if not code:
        return [_("The code is missing.")]
    if len(code) > max_length:
        return [
            _("The code “%(code)s” is longer than %(length)s characters.")
            % {"code": code, "length": max_length}
        ]
    if not CODE.match(code):
        return [
            _(
                "The code “%(code)s” may only hold letters, digits, “-”, “_” and “.”, "
                "starting with a letter or digit."
            )
            % {"code": code}
        ]
    return []


def text_problems(key: str, value: str, *, max_length: int, required: bool) -> list[str]:
    if required and not value.strip():
        return [_("“%(key)s” is missing.") % {"key": key}]
    if len(value) > max_length:
        return [
            _("“%(key)s” is longer than %(length)s characters.")
            % {"key": key, "length": max_length}
        ]
    return []


def _setting_of(component: ComponentData, key: str) -> object:
    return {
        "amount": component.amount,
        "rate": component.rate,
        "base": component.base,
        "table": component.table_code,
    }[key]


def _method_problems(component: ComponentData) -> list[str]:
    needs = METHOD_NEEDS[Method(component.method)]
    problems = []
    for key in METHOD_SETTINGS:
        value = _setting_of(component, key)
        present = value is not None and value != ""
        if key in needs and not present:
            problems.append(
                _("Method “%(method)s” needs “%(key)s”.") % {"method": component.method, "key": key}
            )
        elif key not in needs and present:
            problems.append(
                _("“%(key)s” does not apply to method “%(method)s”; leave it out.")
                % {"key": key, "method": component.method}
            )
    return problems


def _base_problems(component: ComponentData, earlier: Sequence[str], later: Sequence[str]):
    base = component.base
    if not base or base in NAMED_BASES or base in earlier:
        return []
    if base == component.code:
        return [_("“base” names the component itself.")]
    if base in later:
        return [
            _(
                "“base” names %(base)s, which comes later; a component can only use the "
                "components before it."
            )
            % {"base": base}
        ]
    return [
        _("“base” names %(base)s, which is not a component of this structure.") % {"base": base}
    ]


def component_problems(
    component: ComponentData,
    *,
    earlier: Sequence[str] = (),
    later: Sequence[str] = (),
    table_codes: Collection[str] = (),
) -> list[str]:
    """What is wrong with one component, given the codes before and after it."""
    problems = code_problems(component.code, max_length=COMPONENT_CODE_LENGTH)
    if component.code in NAMED_BASES:
        problems.append(
            _("The code “%(code)s” is reserved for a base; choose another.")
            % {"code": component.code}
        )
    problems += text_problems("label", component.label, max_length=LABEL_LENGTH, required=True)
    problems += text_problems(
        "label_nl", component.label_nl, max_length=LABEL_LENGTH, required=False
    )
    if component.kind not in LineKind.values:
        problems.append(
            _("“kind” is “%(kind)s”; write one of %(choices)s.")
            % {"kind": component.kind, "choices": ", ".join(LineKind.values)}
        )
    if component.method not in Method.values:
        problems.append(
            _("“method” is “%(method)s”; write one of %(choices)s.")
            % {"method": component.method, "choices": ", ".join(Method.values)}
        )
    else:
        problems += _method_problems(component)
    problems += _base_problems(component, earlier, later)
    if component.table_code and component.table_code not in table_codes:
        problems.append(
            _("Tax table %(table)s does not exist; define it in the file or import it first.")
            % {"table": component.table_code}
        )
    for key in ("amount", "cap", "floor"):
        problems += number_problems(key, getattr(component, key))
    problems += number_problems("rate", component.rate, rate=True)
    if (
        component.cap is not None
        and component.floor is not None
        and component.cap < component.floor
    ):
        problems.append(
            _("“cap” (%(cap)s) is below “floor” (%(floor)s).")
            % {"cap": component.cap, "floor": component.floor}
        )
    if component.taxable and component.kind not in (LineKind.EARNING, LineKind.DEDUCTION):
        problems.append(_("“taxable” only applies to earnings and deductions."))
    return problems


def components_problems(
    components: Sequence[ComponentData],
    *,
    table_codes: Collection[str],
    skip: Collection[int] = (),
) -> list[str]:
    """Every component of one structure, in order, each problem prefixed with where it is.

    `skip` holds the indexes of components already reported as unreadable."""
    codes = [component.code for component in components]
    problems = []
    if not components:
        problems.append(_("A structure needs at least one component."))
    for index, component in enumerate(components):
        if index in skip:
            continue
        where = f"component[{index + 1}] {component.code}".rstrip()
        found = component_problems(
            component,
            earlier=codes[:index],
            later=codes[index + 1 :],
            table_codes=table_codes,
        )
        if component.code and component.code in codes[:index]:
            found.append(_("The code %(code)s is used twice.") % {"code": component.code})
        problems += [f"{where}: {problem}" for problem in found]
    return problems


def bands_problems(bands: Sequence[BandData]) -> list[str]:
    """Bands must start at 0, follow on without gaps or overlaps, and end open-ended."""
    if not bands:
        return [_("A tax table needs at least one band.")]
    problems = []
    if bands[0].lower != 0:
        problems.append(
            _("band[1]: “from” is %(lower)s; the first band must start at 0.")
            % {"lower": bands[0].lower}
        )
    for index, band in enumerate(bands):
        where = f"band[{index + 1}]"
        found = number_problems("from", band.lower) + number_problems("to", band.upper)
        found += number_problems("rate", band.rate, rate=True)
        last = index == len(bands) - 1
        if band.upper is not None and band.upper <= band.lower:
            found.append(
                _("“to” (%(upper)s) must be above “from” (%(lower)s).")
                % {"upper": band.upper, "lower": band.lower}
            )
        if band.upper is None and not last:
            found.append(_("Only the last band can be left without “to”."))
        if band.upper is not None and last:
            found.append(_("Leave out “to” on the last band, so that every amount is in a band."))
        if index and bands[index - 1].upper is not None and band.lower != bands[index - 1].upper:
            found.append(
                _(
                    "“from” is %(lower)s but the band before ends at %(upper)s; each band "
                    "must start where the one before it ends."
                )
                % {"lower": band.lower, "upper": bands[index - 1].upper}
            )
        problems += [f"{where}: {problem}" for problem in found]
    return problems
