from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, QueryDict
from django_tables2.templatetags.django_tables2 import table_page_range


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
        raise NotImplementedError
