"""Editing a salary structure one component at a time, and a tax table one band at a time.

Each change is checked against the whole structure or table as it would be afterwards,
with the same rules as the file import (payroll/structures/rules.py), so a page cannot
save what a file would refuse. Every change is audited with what it changed.
"""

from dataclasses import asdict, replace
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from ess.accounts.models import User
from ess.audit.services import audit_record
from payroll.calculation import BandData, ComponentData
from payroll.models import Component, SalaryStructure, TaxBand, TaxTable
from payroll.permissions import is_payroll_officer
from payroll.structure_file import component_row
from payroll.structures.rules import bands_problems, components_problems

# Positions are unique per structure; rows step aside to here while they are renumbered.
PARKING = 10_000


def _require_officer(actor: User) -> None:
    if not is_payroll_officer(actor):
        raise PermissionDenied


def _known_table_codes() -> set[str]:
    return set(TaxTable.objects.values_list("code", flat=True).distinct())


# --- Components -----------------------------------------------------------------------------
def _locked_components(structure: SalaryStructure) -> list[Component]:
    # Locking the structure row serialises edits of one structure.
    SalaryStructure.objects.select_for_update().filter(pk=structure.pk).first()
    return list(structure.components.order_by("position"))


def _check(structure_rows: list[Component], data: dict[int, ComponentData]) -> None:
    """`data` holds the components' new values by their index in `structure_rows`."""
    components = [
        data.get(index) or ComponentData.from_model(row) for index, row in enumerate(structure_rows)
    ]
    problems = components_problems(components, table_codes=_known_table_codes())
    if problems:
        raise ValidationError(problems)


def _renumber(structure: SalaryStructure, ordered: list[Component]) -> None:
    Component.objects.filter(structure=structure).update(position=F("position") + PARKING)
    for position, row in enumerate(ordered, start=1):
        row.position = position
    Component.objects.bulk_update([row for row in ordered if row.pk], ["position"])


def _place(rows: list[Component], row: Component, position: int | None) -> list[Component]:
    """The structure's order with `row` at `position` (1 is first; None keeps its place)."""
    others = [other for other in rows if other is not row]
    if position is None:
        index = rows.index(row) if row in rows else len(others)
    else:
        index = min(max(position - 1, 0), len(others))
    return [*others[:index], row, *others[index:]]


def _touch(structure: SalaryStructure, actor: User) -> None:
    structure.updated_at = timezone.now()
    structure.updated_by = actor
    structure.save(update_fields=["updated_at", "updated_by"])


def _values(data: ComponentData) -> dict[str, str]:
    return {key: "" if value is None else str(value) for key, value in asdict(data).items()}


def _save(structure: SalaryStructure, ordered: list[Component], row: Component) -> None:
    _renumber(structure, ordered)
    row.full_clean(validate_unique=False, validate_constraints=False)
    row.save()


@transaction.atomic
def component_add(
    *,
    structure: SalaryStructure,
    data: ComponentData,
    actor: User,
    position: int | None = None,
    request: HttpRequest | None = None,
) -> Component:
    """A new component, at `position` (1 is first) or at the end."""
    _require_officer(actor)
    rows = _locked_components(structure)
    row = component_row(structure, 0, data)
    ordered = _place(rows, row, position)
    _check(ordered, {ordered.index(row): data})
    _save(structure, ordered, row)
    _touch(structure, actor)
    audit_record(
        actor=actor,
        action="payroll.component_added",
        target=structure,
        request=request,
        detail={"component": data.code, "position": row.position, "values": _values(data)},
    )
    return row


@transaction.atomic
def component_update(
    *,
    component: Component,
    data: ComponentData,
    actor: User,
    position: int | None = None,
    request: HttpRequest | None = None,
) -> Component:
    """Change a component's settings and, with `position`, where it sits in the order."""
    _require_officer(actor)
    structure = component.structure
    rows = _locked_components(structure)
    row = next(row for row in rows if row.pk == component.pk)
    before = ComponentData.from_model(row)
    ordered = _place(rows, row, position)
    _check(ordered, {ordered.index(row): data})
    for key, value in asdict(data).items():
        setattr(row, key, value)
    _save(structure, ordered, row)
    _touch(structure, actor)
    old, new = _values(before), _values(data)
    audit_record(
        actor=actor,
        action="payroll.component_changed",
        target=structure,
        request=request,
        detail={
            "component": before.code,
            "position": row.position,
            "changes": {key: [old[key], new[key]] for key in new if old[key] != new[key]},
        },
    )
    return row


@transaction.atomic
def component_delete(
    *, component: Component, actor: User, request: HttpRequest | None = None
) -> None:
    """Remove a component; refused while a later component uses it as its base."""
    _require_officer(actor)
    structure = component.structure
    rows = _locked_components(structure)
    remaining = [row for row in rows if row.pk != component.pk]
    _check(remaining, {})
    removed = next(row for row in rows if row.pk == component.pk)
    values = _values(ComponentData.from_model(removed))
    removed.delete()
    _renumber(structure, remaining)
    _touch(structure, actor)
    audit_record(
        actor=actor,
        action="payroll.component_removed",
        target=structure,
        request=request,
        detail={"component": values["code"], "values": values},
    )


# --- Bands ----------------------------------------------------------------------------------
def _locked_bands(table: TaxTable) -> list[TaxBand]:
    TaxTable.objects.select_for_update().filter(pk=table.pk).first()
    return list(table.bands.order_by("lower"))


def _band_data(row: TaxBand) -> BandData:
    return BandData(lower=row.lower, upper=row.upper, rate=row.rate)


def _check_bands(bands: list[BandData]) -> None:
    problems = bands_problems(bands)
    if problems:
        raise ValidationError(problems)


def _write_bands(rows: list[TaxBand], bands: list[BandData]) -> None:
    # Each change moves at most one band's "from", to a value no other band has, so the
    # one-band-per-"from" constraint holds after every single save.
    for row, band in zip(rows, bands, strict=True):
        if band != _band_data(row):
            row.lower, row.upper, row.rate = band.lower, band.upper, band.rate
            row.save(update_fields=["lower", "upper", "rate"])


def _table_touched(
    table: TaxTable, actor: User, request: HttpRequest | None, action: str, detail: dict
) -> None:
    table.updated_at = timezone.now()
    table.save(update_fields=["updated_at"])
    audit_record(actor=actor, action=action, target=table, request=request, detail=detail)


def _band_label(band: BandData) -> str:
    upper = "" if band.upper is None else str(band.upper)
    return f"{band.lower} to {upper or 'no limit'} at {band.rate}%"


@transaction.atomic
def band_update(
    *,
    band: TaxBand,
    rate: Decimal,
    actor: User,
    upper: Decimal | None = None,
    request: HttpRequest | None = None,
) -> TaxBand:
    """A band's rate and where it ends; the next band then starts there. The last band has
    no end, so only its rate changes."""
    _require_officer(actor)
    rows = _locked_bands(band.table)
    index = next(i for i, row in enumerate(rows) if row.pk == band.pk)
    bands = [_band_data(row) for row in rows]
    before = bands[index]
    last = index == len(rows) - 1
    bands[index] = replace(before, rate=rate, upper=None if last else upper)
    if not last and upper is not None:
        bands[index + 1] = replace(bands[index + 1], lower=upper)
    _check_bands(bands)
    _write_bands(rows, bands)
    _table_touched(
        band.table,
        actor,
        request,
        "payroll.band_changed",
        {"band": index + 1, "before": _band_label(before), "after": _band_label(bands[index])},
    )
    return rows[index]


@transaction.atomic
def band_add(
    *,
    table: TaxTable,
    lower: Decimal,
    rate: Decimal,
    actor: User,
    request: HttpRequest | None = None,
) -> TaxBand:
    """A new band from `lower`: the band it falls in is split there."""
    _require_officer(actor)
    rows = _locked_bands(table)
    if any(row.lower == lower for row in rows):
        raise ValidationError(
            _("A band already starts at %(lower)s; change that band instead.") % {"lower": lower}
        )
    bands = [_band_data(row) for row in rows]
    index = next(
        (
            i
            for i, band in enumerate(bands)
            if band.lower < lower and (band.upper is None or lower < band.upper)
        ),
        None,
    )
    if index is None:
        raise ValidationError(_("The new band must start above 0."))
    split = bands[index]
    new = BandData(lower=lower, upper=split.upper, rate=rate)
    bands[index] = replace(split, upper=lower)
    _check_bands([*bands[: index + 1], new, *bands[index + 1 :]])
    _write_bands(rows, bands)
    row = TaxBand.objects.create(table=table, lower=new.lower, upper=new.upper, rate=new.rate)
    _table_touched(table, actor, request, "payroll.band_added", {"band": _band_label(new)})
    return row


@transaction.atomic
def band_delete(*, band: TaxBand, actor: User, request: HttpRequest | None = None) -> None:
    """Remove a band; the band before it (or after it, for the first) takes over its range."""
    _require_officer(actor)
    rows = _locked_bands(band.table)
    if len(rows) == 1:
        raise ValidationError(_("A tax table needs at least one band."))
    index = next(i for i, row in enumerate(rows) if row.pk == band.pk)
    removed = _band_data(rows[index])
    remaining_rows = rows[:index] + rows[index + 1 :]
    bands = [_band_data(row) for row in remaining_rows]
    if index == 0:
        bands[0] = replace(bands[0], lower=Decimal(0))
    else:
        bands[index - 1] = replace(bands[index - 1], upper=removed.upper)
    _check_bands(bands)
    rows[index].delete()
    _write_bands(remaining_rows, bands)
    _table_touched(
        band.table, actor, request, "payroll.band_removed", {"band": _band_label(removed)}
    )
