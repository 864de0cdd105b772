from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest


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
