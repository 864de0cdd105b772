"""CSV and XLSX of a report's figures, charts and tables, and of its drill-down lists."""

import django_tables2 as tables
from django.http import HttpResponse
from django_tables2.export import TableExport

from ess.reports.base import Table, Unit

FORMATS = ("csv", "xlsx")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A text cell that a spreadsheet would run as a formula is written as text: a name
    like "=HYPERLINK(…)" must not become a link when HR opens the export."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class SafeTableExport(TableExport):
    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        dataset = super().table_to_dataset(table, exclude_columns, dataset_kwargs)
        safe = [tuple(spreadsheet_safe(cell) for cell in row) for row in dataset]
        headers = dataset.headers
        dataset.wipe()
        dataset.headers = headers
        for row in safe:
            dataset.append(row)
        return dataset


def _export_value(value, unit: str):
    if value is None:
        return ""
    if unit == Unit.PERCENT:
        return round(value * 100, 1)
    if unit in (Unit.HOURS, Unit.SCORE):
        return round(value, 2)
    return value if unit else str(value)


def _as_tables2(table: Table) -> tables.Table:
    columns = [
        (
            column.key,
            tables.Column(
                verbose_name=str(column.label) + (" (%)" if column.unit == Unit.PERCENT else "")
            ),
        )
        for column in table.columns
    ]
    rows = [
        {column.key: _export_value(row.get(column.key), column.unit) for column in table.columns}
        for row in table.rows
    ]
    return tables.Table(rows, extra_columns=columns)


def part_response(table: Table, fmt: str, filename: str) -> HttpResponse:
    return SafeTableExport(
        fmt, _as_tables2(table), dataset_kwargs={"title": str(table.title)[:31]}
    ).response(f"{filename}.{fmt}")


def list_response(table: tables.Table, fmt: str, filename: str) -> HttpResponse:
    return SafeTableExport(fmt, table).response(f"{filename}.{fmt}")
