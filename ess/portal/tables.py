from django.core.exceptions import SuspiciousOperation


class SafeOrderingMixin:
    """Refuse sort keys and export formats that the table does not offer (400, not a guess).

    django-tables2 quietly ignores an unknown `sort`; an explicit refusal makes probing
    columns by sort order pointless and keeps URLs honest.
    """

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        sort = self.request.GET.get(table.prefixed_order_by_field, "")
        allowed = {name for name, column in table.columns.items() if column.orderable}
        for key in filter(None, sort.split(",")):
            if key.removeprefix("-") not in allowed:
                raise SuspiciousOperation(f"Unknown sort key {key!r}")
        export = self.request.GET.get(getattr(self, "export_trigger_param", "_export"))
        formats = getattr(self, "export_formats", ())
        if export is not None and export not in formats:
            raise SuspiciousOperation(f"Unknown export format {export!r}")
        return table
