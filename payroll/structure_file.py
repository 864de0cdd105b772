"""Salary structures and tax tables as a TOML file: read, check, apply, and write back.

The format is documented in docs/payroll-structures.md and, key by key, in the shipped
example payroll/structures/northwind.toml. A file is checked as a whole before anything is
written: every problem is reported at once, with where it is (`structure[1] NL-STANDARD,
component[3] PENSION`) and what to change, and a file with any problem changes nothing.

The rules for one component and for a table's bands are in payroll/structures/rules.py,
shared with the officers' pages, so a page and a file refuse the same things.
"""

import difflib
import json
import tomllib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ess.audit.services import audit_record
from hr.models import Location
from payroll.calculation import BandData, ComponentData
from payroll.lines import parse_decimal
from payroll.models import Component, SalaryStructure, TaxBand, TaxTable
from payroll.structures.rules import (
    CURRENCY,
    NAME_LENGTH,
    STRUCTURE_CODE_LENGTH,
    TABLE_CODE_LENGTH,
    bands_problems,
    code_problems,
    components_problems,
    text_problems,
)

AUDIT_ACTION = "payroll.structure_imported"

FILE_KEYS = ("tax_table", "structure")
TABLE_KEYS = ("code", "year", "name", "bands")
BAND_KEYS = ("from", "to", "rate")
STRUCTURE_KEYS = ("code", "name", "currency", "description", "default", "locations", "component")
COMPONENT_KEYS = (
    "code",
    "label",
    "label_nl",
    "kind",
    "method",
    "amount",
    "rate",
    "base",
    "table",
    "cap",
    "floor",
    "prorate",
    "taxable",
)
YEARS = range(2000, 2101)


class StructureFileError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ParsedTable:
    code: str
    year: int
    name: str
    bands: tuple[BandData, ...]


@dataclass(frozen=True)
class ParsedStructure:
    code: str
    name: str
    currency: str
    components: tuple[ComponentData, ...]
    description: str = ""
    is_default: bool = False
    locations: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedFile:
    tables: tuple[ParsedTable, ...]
    structures: tuple[ParsedStructure, ...]


# --- The rules, shared with the officers' pages --------------------------------------------
# --- Reading the file -----------------------------------------------------------------------
class _Reader:
    """Reads typed values out of one TOML table, noting each problem with where it is."""

    def __init__(self, problems: list[str], where: str, data: Any, allowed: Sequence[str]):
        self.problems = problems
        self.where = where
        self.data = data if isinstance(data, dict) else {}
        if not isinstance(data, dict):
            self.note(_("This should be a table of keys and values."))
            return
        for key in data:
            if key not in allowed:
                self.note(_unknown_key(key, allowed))

    def note(self, message: str) -> None:
        self.problems.append(f"{self.where}: {message}")

    def text(self, key: str, *, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.note(_("“%(key)s” is missing.") % {"key": key})
            return ""
        if not isinstance(value, str):
            self.note(_("“%(key)s” should be text in quotes.") % {"key": key})
            return ""
        return value.strip()

    def number(self, key: str) -> Decimal | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
            self.note(_("“%(key)s” should be a number.") % {"key": key})
            return None
        try:
            return parse_decimal(str(value))
        except ValueError:
            self.note(_("“%(key)s” should be a number.") % {"key": key})
            return None

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.note(_("“%(key)s” should be true or false.") % {"key": key})
            return False
        return value

    def tables(self, key: str) -> list[Any]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            self.note(_("“%(key)s” should be a list.") % {"key": key})
            return []
        return value


def _unknown_key(key: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=3)
    # Swapped letters ("lable") are the likeliest typo: prefer a key with the same letters.
    close.sort(key=lambda candidate: sorted(candidate) != sorted(key))
    if close:
        return _("Unknown key “%(key)s”; did you mean “%(close)s”?") % {
            "key": key,
            "close": close[0],
        }
    return _("Unknown key “%(key)s”; the keys here are %(keys)s.") % {
        "key": key,
        "keys": ", ".join(allowed),
    }


def _read_band(problems: list[str], where: str, data: Any) -> BandData:
    reader = _Reader(problems, where, data, BAND_KEYS)
    lower = reader.number("from")
    rate = reader.number("rate")
    if lower is None and "from" not in reader.data:
        reader.note(_("“%(key)s” is missing.") % {"key": "from"})
    if rate is None and "rate" not in reader.data:
        reader.note(_("“%(key)s” is missing.") % {"key": "rate"})
    return BandData(lower=lower or Decimal(0), upper=reader.number("to"), rate=rate or Decimal(0))


def _read_table(problems: list[str], number: int, data: Any) -> ParsedTable:
    reader = _Reader(problems, f"tax_table[{number}]", data, TABLE_KEYS)
    code = reader.text("code", required=True)
    year = reader.data.get("year")
    if year is None:
        reader.note(_("“%(key)s” is missing.") % {"key": "year"})
    elif isinstance(year, bool) or not isinstance(year, int) or year not in YEARS:
        reader.note(_("“year” should be a year such as 2026, without quotes."))
        year = None
    reader.where = " ".join(
        part for part in (f"tax_table[{number}]", code, str(year or "")) if part
    )
    for problem in code_problems(code, max_length=TABLE_CODE_LENGTH) if code else []:
        reader.note(problem)
    name = reader.text("name", required=True)
    for problem in text_problems("name", name, max_length=NAME_LENGTH, required=False):
        reader.note(problem)
    if "bands" not in reader.data and isinstance(data, dict):
        reader.note(_("“%(key)s” is missing.") % {"key": "bands"})
    band_problems: list[str] = []
    bands = tuple(
        _read_band(band_problems, f"band[{index}]", item)
        for index, item in enumerate(reader.tables("bands"), start=1)
    )
    if band_problems:
        problems += [f"{reader.where}, {problem}" for problem in band_problems]
    elif "bands" in reader.data:
        problems += [f"{reader.where}, {problem}" for problem in bands_problems(bands)]
    return ParsedTable(code=code, year=year or 0, name=name, bands=bands)


def _read_component(problems: list[str], index: int, data: Any) -> ComponentData:
    code = data.get("code") if isinstance(data, dict) else None
    where = f"component[{index + 1}] {code if isinstance(code, str) else ''}".rstrip()
    reader = _Reader(problems, where, data, COMPONENT_KEYS)
    return ComponentData(
        code=reader.text("code", required=True),
        label=reader.text("label", required=True),
        label_nl=reader.text("label_nl"),
        kind=reader.text("kind", required=True),
        method=reader.text("method", required=True),
        amount=reader.number("amount"),
        rate=reader.number("rate"),
        base=reader.text("base"),
        table_code=reader.text("table"),
        cap=reader.number("cap"),
        floor=reader.number("floor"),
        prorate=reader.flag("prorate"),
        taxable=reader.flag("taxable"),
    )


def _read_structure(
    problems: list[str], number: int, data: Any, table_codes: Collection[str]
) -> ParsedStructure:
    reader = _Reader(problems, f"structure[{number}]", data, STRUCTURE_KEYS)
    code = reader.text("code", required=True)
    reader.where = f"structure[{number}] {code}".rstrip()
    for problem in code_problems(code, max_length=STRUCTURE_CODE_LENGTH) if code else []:
        reader.note(problem)
    name = reader.text("name", required=True)
    for problem in text_problems("name", name, max_length=NAME_LENGTH, required=False):
        reader.note(problem)
    currency = reader.text("currency") or "EUR"
    if not CURRENCY.match(currency):
        reader.note(_("“currency” should be a three-letter code such as EUR."))
    locations = reader.tables("locations")
    if not all(isinstance(location, str) for location in locations):
        reader.note(_("“locations” should be a list of location names in quotes."))
        locations = []
    found: list[str] = []
    components: list[ComponentData] = []
    unreadable: set[int] = set()
    for index, item in enumerate(reader.tables("component")):
        before = len(found)
        components.append(_read_component(found, index, item))
        if len(found) > before:
            unreadable.add(index)
    found += components_problems(components, table_codes=table_codes, skip=unreadable)
    problems += [f"{reader.where}, {problem}" for problem in found]
    return ParsedStructure(
        code=code,
        name=name,
        currency=currency,
        description=reader.text("description"),
        is_default=reader.flag("default"),
        locations=tuple(location.strip() for location in locations),
        components=tuple(components),
    )


def _load_toml(data: bytes) -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StructureFileError([_("The file is not UTF-8 text.")]) from exc
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise StructureFileError(
            [_("The file is not valid TOML: %(error)s") % {"error": exc}]
        ) from exc


def _cross_checks(parsed: ParsedFile, problems: list[str]) -> None:
    """What only shows across entries: duplicates, two defaults, a location claimed twice."""
    seen_tables: dict[tuple[str, int], int] = {}
    for number, table in enumerate(parsed.tables, start=1):
        first = seen_tables.setdefault((table.code, table.year), number)
        if first != number and table.code:
            problems.append(
                f"tax_table[{number}]: "
                + _("%(code)s %(year)s is already defined by tax_table[%(first)s].")
                % {"code": table.code, "year": table.year, "first": first}
            )
    seen_codes: dict[str, int] = {}
    seen_locations: dict[str, int] = {}
    default_at = None
    for number, structure in enumerate(parsed.structures, start=1):
        where = f"structure[{number}] {structure.code}".rstrip()
        first = seen_codes.setdefault(structure.code, number)
        if first != number and structure.code:
            problems.append(
                f"{where}: "
                + _("The code is already used by structure[%(first)s].") % {"first": first}
            )
        if structure.is_default:
            if default_at is not None:
                problems.append(
                    f"{where}: "
                    + _("Only one structure can be the default; structure[%(first)s] already is.")
                    % {"first": default_at}
                )
            default_at = default_at or number
        for location in structure.locations:
            first = seen_locations.setdefault(location, number)
            if first != number:
                problems.append(
                    f"{where}: "
                    + _("Location %(location)s is already linked to structure[%(first)s].")
                    % {"location": location, "first": first}
                )


def _location_checks(parsed: ParsedFile, problems: list[str]) -> None:
    wanted = {location for structure in parsed.structures for location in structure.locations}
    known = set(Location.objects.filter(name__in=wanted).values_list("name", flat=True))
    problems.extend(
        f"structure[{number}] {structure.code}: "
        + _("Location %(location)s does not exist.") % {"location": location}
        for number, structure in enumerate(parsed.structures, start=1)
        for location in structure.locations
        if location not in known
    )


def parse_structure_file(data: bytes) -> ParsedFile:
    """The file's tables and structures, checked; raises StructureFileError with every
    problem found. Reads the database for locations and known tax tables, writes nothing."""
    document = _load_toml(data)
    problems = [_unknown_key(key, FILE_KEYS) for key in document if key not in FILE_KEYS]
    problems.extend(
        _("“%(key)s” should be written as [[%(key)s]] sections.") % {"key": key}
        for key in FILE_KEYS
        if key in document and not isinstance(document[key], list)
    )
    raw_tables = document.get("tax_table") if isinstance(document.get("tax_table"), list) else []
    raw_structures = (
        document.get("structure") if isinstance(document.get("structure"), list) else []
    )
    if not raw_tables and not raw_structures and not problems:
        problems.append(_("The file defines no [[tax_table]] and no [[structure]]."))
    tables = tuple(
        _read_table(problems, number, item) for number, item in enumerate(raw_tables, start=1)
    )
    table_codes = {table.code for table in tables} | set(
        TaxTable.objects.values_list("code", flat=True).distinct()
    )
    structures = tuple(
        _read_structure(problems, number, item, table_codes)
        for number, item in enumerate(raw_structures, start=1)
    )
    parsed = ParsedFile(tables=tables, structures=structures)
    _cross_checks(parsed, problems)
    _location_checks(parsed, problems)
    if problems:
        raise StructureFileError(problems)
    return parsed


# --- Applying it ----------------------------------------------------------------------------
@dataclass
class ApplySummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = (
            [_("Created: %(items)s") % {"items": ", ".join(self.created)}] if self.created else []
        )
        if self.updated:
            lines.append(_("Replaced: %(items)s") % {"items": ", ".join(self.updated)})
        return lines + self.notes

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _apply_table(table: ParsedTable, actor, request, summary: ApplySummary) -> None:
    row, created = TaxTable.objects.select_for_update().get_or_create(
        code=table.code, year=table.year, defaults={"name": table.name}
    )
    row.name = table.name
    row.updated_at = timezone.now()
    row.save(update_fields=["name", "updated_at"])
    row.bands.all().delete()
    TaxBand.objects.bulk_create(
        TaxBand(table=row, lower=band.lower, upper=band.upper, rate=band.rate)
        for band in table.bands
    )
    (summary.created if created else summary.updated).append(str(row))
    audit_record(
        actor=actor,
        action=AUDIT_ACTION,
        target=row,
        request=request,
        detail={"tax_table": str(row), "created": created, "bands": len(table.bands)},
    )


def component_row(structure: SalaryStructure, position: int, data: ComponentData) -> Component:
    return Component(
        structure=structure,
        position=position,
        code=data.code,
        label=data.label,
        label_nl=data.label_nl,
        kind=data.kind,
        method=data.method,
        amount=data.amount,
        rate=data.rate,
        base=data.base,
        table_code=data.table_code,
        cap=data.cap,
        floor=data.floor,
        prorate=data.prorate,
        taxable=data.taxable,
    )


def _move_locations(row: SalaryStructure, names: Sequence[str], summary: ApplySummary) -> None:
    locations = list(Location.objects.filter(name__in=names))
    if len(locations) != len(set(names)):
        missing = sorted(set(names) - {location.name for location in locations})
        raise StructureFileError(
            [_("Location %(location)s does not exist.") % {"location": ", ".join(missing)}]
        )
    links = SalaryStructure.locations.through.objects.filter(location__in=locations).exclude(
        salarystructure=row
    )
    for link in links.select_related("location", "salarystructure"):
        summary.notes.append(
            _("%(location)s moved from %(old)s to %(new)s.")
            % {"location": link.location.name, "old": link.salarystructure.code, "new": row.code}
        )
    links.delete()
    row.locations.set(locations)


def _apply_structure(structure: ParsedStructure, actor, request, summary: ApplySummary) -> None:
    row = SalaryStructure.objects.select_for_update().filter(code=structure.code).first()
    created = row is None
    row = row or SalaryStructure(code=structure.code)
    row.name = structure.name
    row.currency = structure.currency
    row.description = structure.description
    row.is_default = structure.is_default
    row.updated_at = timezone.now()
    row.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    row.save()
    row.components.all().delete()
    Component.objects.bulk_create(
        component_row(row, position, component)
        for position, component in enumerate(structure.components, start=1)
    )
    _move_locations(row, structure.locations, summary)
    (summary.created if created else summary.updated).append(row.code)
    audit_record(
        actor=actor,
        action=AUDIT_ACTION,
        target=row,
        request=request,
        detail={
            "structure": row.code,
            "created": created,
            "components": [component.code for component in structure.components],
            "default": row.is_default,
            "locations": list(structure.locations),
        },
    )


@transaction.atomic
def structure_file_apply(parsed: ParsedFile, actor=None, *, request=None) -> ApplySummary:
    """Write a checked file: each table's bands and each structure's components are replaced
    by the file's, all or nothing. Structures and tables not in the file stay as they are."""
    summary = ApplySummary()
    for table in parsed.tables:
        _apply_table(table, actor, request, summary)
    new_default = next((s.code for s in parsed.structures if s.is_default), None)
    if new_default:
        # Before any save, so that the one-default constraint never sees two.
        for old in SalaryStructure.objects.filter(is_default=True).exclude(code=new_default):
            old.is_default = False
            old.save(update_fields=["is_default"])
            summary.notes.append(
                _("%(old)s is no longer the default; %(new)s is.")
                % {"old": old.code, "new": new_default}
            )
    for structure in parsed.structures:
        _apply_structure(structure, actor, request, summary)
    return summary


# --- Writing it back ------------------------------------------------------------------------
def _string(value: str) -> str:
    # A JSON string is a valid TOML basic string once DEL is escaped as well.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _table_lines(table: TaxTable) -> list[str]:
    lines = [
        "[[tax_table]]",
        f"code = {_string(table.code)}",
        f"year = {table.year}",
        f"name = {_string(table.name)}",
        "bands = [",
    ]
    for band in table.bands.all():
        upper = "" if band.upper is None else f", to = {_number(band.upper)}"
        lines.append(f"  {{ from = {_number(band.lower)}{upper}, rate = {_number(band.rate)} }},")
    return [*lines, "]", ""]


def _component_lines(component: Component) -> list[str]:
    lines = ["[[structure.component]]"]
    values: list[tuple[str, object]] = [
        ("code", component.code),
        ("label", component.label),
        ("label_nl", component.label_nl),
        ("kind", component.kind),
        ("method", component.method),
        ("amount", component.amount),
        ("rate", component.rate),
        ("base", component.base),
        ("table", component.table_code),
        ("cap", component.cap),
        ("floor", component.floor),
        ("prorate", component.prorate),
        ("taxable", component.taxable),
    ]
    for key, value in values:
        if value is None or value == "" or value is False:
            continue
        if isinstance(value, bool):
            lines.append(f"{key} = true")
        elif isinstance(value, Decimal):
            lines.append(f"{key} = {_number(value)}")
        else:
            lines.append(f"{key} = {_string(str(value))}")
    return [*lines, ""]


def _structure_lines(structure: SalaryStructure) -> list[str]:
    lines = [
        "[[structure]]",
        f"code = {_string(structure.code)}",
        f"name = {_string(structure.name)}",
        f"currency = {_string(structure.currency)}",
    ]
    if structure.description:
        lines.append(f"description = {_string(structure.description)}")
    if structure.is_default:
        lines.append("default = true")
    names = sorted(location.name for location in structure.locations.all())
    if names:
        lines.append(f"locations = [{', '.join(_string(name) for name in names)}]")
    lines.append("")
    for component in structure.components.all():
        lines += _component_lines(component)
    return lines


def structure_file_export() -> str:
    """Every tax table and structure in the database, in the format the import reads."""
    lines = [
        "# ESS salary structures and tax tables.",
        "# The format is described in docs/payroll-structures.md.",
        "",
    ]
    for table in TaxTable.objects.order_by("code", "year").prefetch_related("bands"):
        lines += _table_lines(table)
    structures = SalaryStructure.objects.order_by("code").prefetch_related(
        "locations", "components"
    )
    for structure in structures:
        lines += _structure_lines(structure)
    return "\n".join(lines).rstrip() + "\n"
