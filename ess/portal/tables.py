import inspect

from django.core.exceptions import FieldDoesNotExist, SuspiciousOperation
from django.db import models
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.db.models.sql.where import WhereNode
from django.http import HttpRequest, QueryDict
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django_tables2.templatetags.django_tables2 import table_page_range
from django_tables2.utils import Accessor


def refuse_unknown_keys(
    request: HttpRequest, table, *, formats=(), trigger: str = "_export"
) -> None:
    """Refuse sort keys and export formats that the table does not offer (400, not a guess).

    django-tables2 quietly ignores an unknown `sort`; an explicit refusal makes probing
    columns by sort order pointless and keeps URLs honest.
    """
    sort = request.GET.get(table.prefixed_order_by_field, "")
    allowed = {name for name, column in table.columns.items() if column.orderable}
    for key in filter(None, sort.split(",")):
        if key.removeprefix("-") not in allowed:
            raise SuspiciousOperation(f"Unknown sort key {key!r}")
    export = request.GET.get(trigger)
    if export is not None and export not in formats:
        raise SuspiciousOperation(f"Unknown export format {export!r}")


class SafeOrderingMixin:
    """`refuse_unknown_keys` for django-tables2's class-based views."""

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        refuse_unknown_keys(
            self.request,
            table,
            formats=getattr(self, "export_formats", ()),
            trigger=getattr(self, "export_trigger_param", "_export"),
        )
        return table


class DrawnTableMixin:
    """Header cells and page links for a table whose template draws its own rows.

    tables2's Bootstrap template renders every header, cell and page link through template
    tags (about 4 ms a row of eleven columns); a busy list draws them in Python instead with
    `page_rows()`, this mixin's `header_cells()` and `page_links()`, and
    templates/portal/_drawn_table.html. Ordering, pagination and export stay tables2's.
    """

    def _query_with(self, key: str, value) -> str:
        query = self.request.GET.copy() if self.request is not None else QueryDict(mutable=True)
        query[key] = value
        return "?" + query.urlencode()

    def header_cells(self) -> list[tuple[str, str, str]]:
        """(th attributes, header, sort link or "") per column."""
        cells = []
        for column in self.columns:
            link = ""
            if column.orderable:
                link = self._query_with(self.prefixed_order_by_field, column.order_by_alias.next)
            cells.append((column.attrs["th"].as_html(), column.header, link))
        return cells

    def page_links(self) -> dict:
        """Previous, numbered and next page links."""
        page, field = self.page, self.prefixed_page_field
        return {
            "previous": self._query_with(field, page.previous_page_number())
            if page.has_previous()
            else "",
            "next": self._query_with(field, page.next_page_number()) if page.has_next() else "",
            "numbers": [
                (number, "" if number == "..." else self._query_with(field, number))
                for number in table_page_range(page, self.paginator)
            ]
            if page.has_previous() or page.has_next()
            else [],
        }

    def page_rows(self) -> list[str]:
        """The page's rows as HTML, each cell as tables2 would render it: the column's or
        the table's render method, a choice field's label, the column's default for an
        empty value, and shown as `{{ value }}` would show it (localised, escaped unless
        safe). What tables2 does again for every cell (inspecting the render method's
        signature, finding the field) is done once per column here. A table with a known
        shape can draw its rows faster still by overriding this."""
        drawers = [
            (column.attrs["td"].as_html(), _CellDrawer(self, column)) for column in self.columns
        ]
        rows = []
        for row in self.page.object_list:
            cells = "".join(f"<td {attrs}>{draw(row)}</td>" for attrs, draw in drawers)
            rows.append(mark_safe(f"<tr {row.attrs.as_html()}>{cells}</tr>"))  # noqa: S308 (escaped cells)
        return rows


class _CellDrawer:
    """One column's cells, drawn as tables2's BoundRow draws them (see its
    _get_and_render_with), with the per-column work done once."""

    def __init__(self, table, bound_column):
        self.table = table
        self.bound_column = bound_column
        self.column = bound_column.column
        self.accessor = Accessor(bound_column.accessor)
        self.render = bound_column.render
        wanted = set(inspect.signature(self.render).parameters)
        self.arguments = wanted & {
            "value",
            "record",
            "column",
            "bound_column",
            "bound_row",
            "table",
        }
        self.takes_all = any(
            p.kind is inspect.Parameter.VAR_KEYWORD
            for p in inspect.signature(self.render).parameters.values()
        )
        self.choices: dict[type, bool] = {}

    def _has_choices(self, record, penultimate) -> bool:
        model = type(penultimate)
        if model not in self.choices:
            try:
                field = self.accessor.get_field(record)
            except FieldDoesNotExist:
                field = None
            self.choices[model] = bool(getattr(field, "choices", ()))
        return self.choices[model]

    def __call__(self, row) -> str:
        record = row.record
        value = None
        penultimate, remainder = self.accessor.penultimate(record)
        if isinstance(penultimate, models.Model) and self._has_choices(record, penultimate):
            display = getattr(penultimate, f"get_{remainder}_display", None)
            if display is not None:
                value, remainder = display(), None
        if remainder:
            value = self.accessor.resolve(record, quiet=True)
        if value in self.column.empty_values:
            return _shown(self.bound_column.default)
        offered = {
            "value": value,
            "record": record,
            "column": self.column,
            "bound_column": self.bound_column,
            "bound_row": row,
            "table": self.table,
        }
        if not self.takes_all:
            offered = {name: offered[name] for name in self.arguments}
        return _shown(self.render(**offered))


def _shown(value) -> str:
    """A value as `{{ value }}` shows it in a template."""
    return conditional_escape(localize(template_localtime(value)))


class _PagesById:
    """A queryset whose slices read the page's ids first, then only those rows.

    A list sorted over tens of thousands of rows makes the database sort whole rows, with
    every join, before it can hand out 50 of them. Sorting the ids alone can be answered
    from an index, and the 50 rows are then read by key. Iterating without a slice (an
    export) reads the rows as usual."""

    _pages_by_id = True

    def __getitem__(self, key):
        plain_rows = self._iterable_class is ModelIterable
        if not plain_rows or not isinstance(key, slice) or self._result_cache is not None:
            return super().__getitem__(key)
        ids = list(self.values_list("pk", flat=True)[key])
        # The list's own query (its annotations, joins and loaded fields) by those ids
        # alone: with its filters repeated, SQLite may take the list's index again
        # instead of 50 key lookups.
        rows = self._chain()
        rows.query.where = WhereNode()
        rows = rows.filter(pk__in=ids).order_by()
        by_id = {row.pk: row for row in rows}
        return [by_id[pk] for pk in ids if pk in by_id]


_PAGED_CLASSES: dict[type, type] = {}


def pages_by_id(queryset: QuerySet) -> QuerySet:
    """`queryset`, paginated by id (see _PagesById); chained querysets keep the behaviour."""
    base = type(queryset)
    if getattr(base, "_pages_by_id", False):
        return queryset
    paged = _PAGED_CLASSES.get(base)
    if paged is None:
        paged = _PAGED_CLASSES[base] = type(f"PagedById{base.__name__}", (_PagesById, base), {})
    clone = queryset._chain()
    clone.__class__ = paged
    return clone
