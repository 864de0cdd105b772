"""What a report is made of, and the registry the reports area lists.

A report (one module per audience: team.py, hr.py, desk.py, knowledge.py, payroll.py)
says who may read it, which filters apply, and builds a `ReportPage` of figures, charts and
tables from database aggregates. Every figure may name a drill-down: a django-tables2 list
of the rows it counted, under the same filters. The views, exports, PDF and digests work on
these types alone and know nothing of the apps behind a report.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from ess.accounts.models import User
from ess.portal.charts import Series, chart_svg, legend_html
from ess.reports.periods import Period

Label = str | Promise


@dataclass(frozen=True)
class ReportFilters:
    period: Period
    preset: str = ""  # the preset chosen, or "" for explicit days
    department: Any = None
    location: Any = None
    queue: Any = None
    compare: bool = False

    def for_period(self, period: Period) -> "ReportFilters":
        return replace(self, period=period, preset="")


@dataclass
class ReportContext:
    """One viewer asking one report for one set of filters. Reports cache per-request
    lookups (a manager's reporting line, an agent's queues) on it."""

    user: User
    filters: ReportFilters
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def period(self) -> Period:
        return self.filters.period

    def for_period(self, period: Period) -> "ReportContext":
        # The viewer's lookups do not depend on the period; share them.
        return ReportContext(self.user, self.filters.for_period(period), self.cache)

    def remember(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


class Unit:
    COUNT = "count"
    PERCENT = "percent"  # a share, 0 to 1
    HOURS = "hours"
    SCORE = "score"  # an average on a 1 to 5 scale


@dataclass
class Figure:
    key: str
    label: Label
    value: float | int | None
    unit: str = Unit.COUNT
    drill: str = ""  # a drill-down key of the same report
    drill_params: dict[str, str] = field(default_factory=dict)
    help: Label = ""
    previous: float | int | None = None
    # False for a figure that is "now" whatever the period (nothing to compare).
    comparable: bool = True
    url: str = ""  # the drill-down address, filled in by the view

    def display(self, value=None) -> str:
        return format_value(self.value if value is None else value, self.unit)

    @property
    def previous_display(self) -> str:
        return format_value(self.previous, self.unit)

    @property
    def change_display(self) -> str:
        """ "+12.5%" against the previous period; for shares, the difference in points."""
        if self.previous is None or self.value is None:
            return ""
        if self.unit == Unit.PERCENT:
            return f"{(self.value - self.previous) * 100:+.1f} pp"
        change = self.change
        return "" if change is None else f"{change * 100:+.0f}%"

    @property
    def change(self) -> float | None:
        """The relative change against the previous period (None when not comparable)."""
        if self.previous in (None, 0) or self.value is None:
            return None
        return (self.value - self.previous) / self.previous


def format_value(value, unit: str) -> str:
    if value is None:
        return "-"
    if unit == Unit.PERCENT:
        return f"{value * 100:.1f}%"
    if unit == Unit.HOURS:
        return f"{value:.1f} h"
    if unit == Unit.SCORE:
        return f"{value:.2f}"
    if isinstance(value, float) and value != int(value):
        return f"{value:.1f}"
    return f"{int(value):,}".replace(",", "\u202f")


@dataclass
class Column:
    key: str
    label: Label
    unit: str = ""  # "" for text


@dataclass
class Table:
    """A breakdown shown as a table (and exported as one). A row may carry `_drill`, the
    drill-down parameters of the list behind it."""

    key: str
    title: Label
    columns: list[Column]
    rows: list[dict]
    drill: str = ""
    note: Label = ""

    def cells(self) -> list[tuple[str, list[tuple[str, bool]]]]:
        """Per row: its drill-down address ("" for none) and (text, is a number) per cell."""
        return [
            (
                row.get("_url", ""),
                [
                    (format_value(row.get(column.key), column.unit), True)
                    if column.unit
                    else (str(row.get(column.key) or ""), False)
                    for column in self.columns
                ],
            )
            for row in self.rows
        ]


@dataclass
class Chart:
    key: str
    title: Label
    description: Label
    x_label: Label
    y_label: Label
    labels: list[str]
    series: list[Series]
    percent: bool = False

    @cached_property
    def svg(self):
        return chart_svg(
            title=self.title,
            description=self.description,
            labels=self.labels,
            series=self.series,
            x_label=self.x_label,
            y_label=self.y_label,
            percent=self.percent,
        )

    @cached_property
    def legend(self):
        return legend_html(self.series)

    def as_table(self) -> Table:
        unit = Unit.PERCENT if self.percent else Unit.COUNT
        columns = [Column("label", self.x_label)] + [
            Column(f"s{n}", item.label, unit) for n, item in enumerate(self.series)
        ]
        rows = [
            {"label": label, **{f"s{n}": item.values[i] for n, item in enumerate(self.series)}}
            for i, label in enumerate(self.labels)
        ]
        return Table(self.key, self.title, columns, rows)


@dataclass
class ReportPage:
    figures: list[Figure]
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def figures_table(self) -> Table:
        columns = [Column("label", _("Figure")), Column("value", _("Value"))]
        if any(f.previous is not None for f in self.figures):
            columns.append(Column("previous", _("Previous period")))
        rows = [
            {
                "label": str(f.label),
                "value": f.display(),
                "previous": f.display(f.previous) if f.previous is not None else "",
            }
            for f in self.figures
        ]
        return Table("figures", _("Figures"), columns, rows)

    def part(self, key: str) -> Table | None:
        """The table behind a chart or breakdown, for exports."""
        if key == "figures":
            return self.figures_table()
        for chart in self.charts:
            if chart.key == key:
                return chart.as_table()
        for table in self.tables:
            if table.key == key:
                return table
        return None


def int_param(value: str) -> int:
    """A drill-down parameter that must be an id: anything else is a hand-made URL (400)."""
    if not value.isdigit() or len(value) > 12:
        raise SuspiciousOperation(f"Not an id: {value!r}")
    return int(value)


def choice_param(*allowed: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in allowed:
            raise SuspiciousOperation(f"Unknown value {value!r}")
        return value

    return parse


def date_param(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise SuspiciousOperation(f"Not a date: {value!r}") from None


@dataclass(frozen=True)
class Drill:
    """The rows behind a figure: `rows(ctx, **params)` gives a queryset (or list) for
    `table`. `params` names the extra query keys the list takes and how each is parsed;
    any other key or a value that does not parse is refused with 400."""

    key: str
    title: Label
    rows: Callable[..., QuerySet | Sequence]
    table: type
    params: dict[str, Callable[[str], Any]] = field(default_factory=dict)
    empty: Label = ""


class Report:
    slug: str = ""
    title: Label = ""
    description: Label = ""
    icon: str = "bar-chart"
    order: int = 100
    # Which filters beyond the period this report honours.
    uses: frozenset[str] = frozenset({"department", "location"})
    drills: dict[str, Drill] = {}

    def visible_to(self, user: User) -> bool:
        raise NotImplementedError

    def queues(self, ctx_user: User) -> QuerySet | None:
        """The queues the queue filter offers this viewer."""
        return None

    def figures(self, ctx: ReportContext) -> list[Figure]:
        raise NotImplementedError

    def details(self, ctx: ReportContext) -> tuple[list[Chart], list[Table]]:
        return [], []

    def build(self, ctx: ReportContext) -> ReportPage:
        figures = self.figures(ctx)
        if ctx.filters.compare:
            before = {f.key: f.value for f in self.figures(ctx.for_period(ctx.period.previous()))}
            for figure in figures:
                if figure.comparable:
                    figure.previous = before.get(figure.key)
        charts, tables = self.details(ctx)
        return ReportPage(figures, charts, tables)


_REPORTS: dict[str, Report] = {}


def register_report(report_class: type[Report]) -> type[Report]:
    report = report_class()
    if report.slug in _REPORTS:
        raise ValueError(f"Report {report.slug!r} is registered twice")
    _REPORTS[report.slug] = report
    return report_class


def all_reports() -> list[Report]:
    return sorted(_REPORTS.values(), key=lambda report: (report.order, report.slug))


def reports_for(user: User) -> list[Report]:
    return [report for report in all_reports() if report.visible_to(user)]


def get_report(slug: str) -> Report | None:
    return _REPORTS.get(slug)
