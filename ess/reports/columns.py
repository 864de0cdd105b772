"""The drill-down tables' base, and the columns they share: a person's name, a ticket
reference, a choice's label. Each renders the same text on the page and in CSV/XLSX
exports."""

import datetime

import django_tables2 as tables
from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy as _

from ess.portal.tables import DrawnTableMixin


class DrillTable(DrawnTableMixin, tables.Table):
    """A drill-down list: its rows are drawn in Python (templates/portal/_drawn_table.html),
    a page of 50 rows costing a few milliseconds instead of tables2's template tags' 150."""


class DateColumn(tables.Column):
    """A date or moment written with a date format ("Y-m-d"; a moment in the local time
    zone), the same on the page and in exports. tables2's own date columns compile a
    template for every cell."""

    def __init__(self, *, format: str, **kwargs):
        self.format = format
        super().__init__(**kwargs)

    def render(self, value) -> str:
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
        return dateformat.format(value, self.format)

    def value(self, value) -> str:
        return "" if value in self.empty_values else self.render(value)


class PersonColumn(tables.Column):
    """The full name of the user at `user` (a django-tables2 accessor path, e.g.
    "employee__user"), sorted by last then first name."""

    def __init__(self, user: str = "user", *, verbose_name=None, **kwargs):
        self.user_path = user
        kwargs.setdefault("default", "-")
        # Rendered even when the last name is empty: the first name may not be.
        kwargs.setdefault("empty_values", ())
        super().__init__(
            verbose_name=verbose_name or _("Name"),
            accessor=f"{user}__last_name",
            order_by=(f"{user}__last_name", f"{user}__first_name"),
            **kwargs,
        )

    def _name(self, record) -> str:
        user = tables.A(self.user_path).resolve(record, quiet=True)
        return user.get_full_name() if user is not None else ""

    def render(self, record) -> str:
        return self._name(record) or self.default

    def value(self, record, value) -> str:
        return self._name(record)


class ReferenceColumn(tables.Column):
    """A ticket's reference, "#123", sorted by id."""

    def __init__(self, **kwargs):
        super().__init__(verbose_name=_("Ticket"), accessor="pk", order_by=("id",), **kwargs)

    def render(self, value) -> str:
        return f"#{value}"

    def value(self, value) -> str:
        return f"#{value}"


class ChoiceColumn(tables.Column):
    """A choice field shown by its label, sorted by its stored value."""

    def render(self, record, bound_column) -> str:
        return str(getattr(record, f"get_{bound_column.accessor}_display")())

    def value(self, record, bound_column) -> str:
        return self.render(record, bound_column)
