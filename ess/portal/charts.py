"""Small server-drawn SVG charts: no script, no inline style (the CSP forbids both).

Each chart is an `<svg role="img">` named by its `<title>` and described by `<desc>`; the
page puts the same figures in a table beside it, which is what screen readers and
keyboard users read. Colours come from CSS classes, and series also differ in shape
(bars against a dashed line with square markers), so colour is never the only signal.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 56


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]
    # "bar" or "line"; a CSS class "ess-chart-<css>" colours it.
    kind: str = "bar"
    css: str = "primary"


def _n(value: float) -> str:
    """A coordinate with one decimal (format_html escapes its arguments, so numbers are
    formatted before they reach it)."""
    return f"{value:.1f}"


def _nice_max(value: float) -> float:
    """A round axis maximum at or above the value: 1, 2, 5, 10, 20, 50…"""
    if value <= 0:
        return 1
    step = 1.0
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor:
                return step * factor
        step *= 10


def _axis(highest: float, *, percent: bool, whole: bool) -> tuple[float, int]:
    """The axis maximum and how many steps up to it. Counts get whole-number steps (no
    "0.5 people"), so a small maximum is raised to four."""
    if percent:
        return 1.0, 4
    top = _nice_max(highest)
    if whole:
        top = max(top, 4)
        for count in (4, 5):
            if (top / count).is_integer():
                return top, count
    return top, 4


def _ticks(maximum: float, count: int = 4) -> list[float]:
    return [maximum * i / count for i in range(count + 1)]


def _label_every(count: int) -> int:
    """Show at most about a dozen x labels, so they do not overlap."""
    return max(1, -(-count // 12))


def _format_tick(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f}%"
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def chart_svg(
    *,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    x_label: str,
    y_label: str,
    percent: bool = False,
) -> SafeString:
    """One chart with a shared y axis from zero; None values are gaps (no bar, no point)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    values = [v for s in series for v in s.values if v is not None]
    whole = all(float(v).is_integer() for v in values)
    top, steps = _axis(max(values, default=0), percent=percent, whole=whole)
    slot = plot_w / max(len(labels), 1)

    def y(value: float) -> float:
        return TOP + plot_h - (value / top) * plot_h

    parts = [
        format_html(
            '<line class="ess-chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
            '<text class="ess-chart-tick" x="{}" y="{}" text-anchor="end">{}</text>',
            LEFT,
            WIDTH - RIGHT,
            _n(y(tick)),
            _n(y(tick)),
            LEFT - 6,
            _n(y(tick) + 4),
            _format_tick(tick, percent),
        )
        for tick in _ticks(top, steps)
    ]
    every = _label_every(len(labels))
    parts += [
        format_html(
            '<text class="ess-chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
            _n(LEFT + slot * (i + 0.5)),
            TOP + plot_h + 16,
            label,
        )
        for i, label in enumerate(labels)
        if i % every == 0
    ]
    bar_series = [s for s in series if s.kind == "bar"]
    bar_w = slot * 0.8 / max(len(bar_series), 1)
    for n, item in enumerate(bar_series):
        parts += [
            format_html(
                '<rect class="ess-chart-{}" x="{}" y="{}" width="{}" height="{}">'
                "<title>{}: {}</title></rect>",
                item.css,
                _n(LEFT + slot * (i + 0.1) + bar_w * n),
                _n(y(value)),
                _n(bar_w),
                _n(TOP + plot_h - y(value)),
                labels[i],
                _format_tick(value, percent),
            )
            for i, value in enumerate(item.values)
            if value is not None
        ]
    for item in (s for s in series if s.kind == "line"):
        points = [
            (LEFT + slot * (i + 0.5), y(value), labels[i], value)
            for i, value in enumerate(item.values)
            if value is not None
        ]
        if points:
            parts.append(
                format_html(
                    '<polyline class="ess-chart-line ess-chart-{}" fill="none" '
                    'stroke-dasharray="6 3" points="{}"></polyline>',
                    item.css,
                    " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in points),
                )
            )
            parts += [
                format_html(
                    '<rect class="ess-chart-{}" x="{}" y="{}" width="6" height="6">'
                    "<title>{}: {}</title></rect>",
                    item.css,
                    _n(px - 3),
                    _n(py - 3),
                    label,
                    _format_tick(value, percent),
                )
                for px, py, label, value in points
            ]
    axes = format_html(
        '<line class="ess-chart-axis" x1="{l}" x2="{l}" y1="{t}" y2="{b}"></line>'
        '<line class="ess-chart-axis" x1="{l}" x2="{r}" y1="{b}" y2="{b}"></line>'
        '<text class="ess-chart-axis-label" x="{cx}" y="{xl}" text-anchor="middle">{x}</text>'
        '<text class="ess-chart-axis-label" transform="rotate(-90)" x="{cy}" y="14" '
        'text-anchor="middle">{y}</text>',
        l=LEFT,
        r=WIDTH - RIGHT,
        t=TOP,
        b=TOP + plot_h,
        cx=_n(LEFT + plot_w / 2),
        xl=HEIGHT - 8,
        cy=_n(-(TOP + plot_h / 2)),
        x=x_label,
        y=y_label,
    )
    return format_html(
        '<svg class="ess-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{id}-t {id}-d" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title>'
        '<desc id="{id}-d">{}</desc>{}{}</svg>',
        WIDTH,
        HEIGHT,
        title,
        description,
        mark_safe("".join(parts)),  # noqa: S308 - every part came from format_html
        axes,
        id=_svg_id(title),
    )


def _svg_id(title: str) -> str:
    return "chart-" + "".join(c if c.isalnum() else "-" for c in str(title).lower())[:40]


def legend_html(series: Sequence[Series]) -> SafeString:
    return format_html(
        '<ul class="list-inline small mb-1 ess-chart-legend">{}</ul>',
        format_html_join(
            "",
            '<li class="list-inline-item"><span class="ess-chart-key ess-chart-key-{} '
            'ess-chart-{}" aria-hidden="true"></span> {}</li>',
            ((s.kind, s.css, s.label) for s in series),
        ),
    )
