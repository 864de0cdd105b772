"""The server-drawn SVG charts shared by search analytics and reports."""

import re

from ess.portal.charts import Series, chart_svg


def _ticks(svg: str) -> list[str]:
    return re.findall(
        r'<text class="ess-chart-tick" x="[\d.]+" y="[\d.]+" text-anchor="end">([^<]+)<', svg
    )


def _chart(values, *, percent=False, labels=None):
    labels = labels or [f"d{n}" for n in range(len(values))]
    return str(
        chart_svg(
            title="Title",
            description="Description",
            labels=labels,
            series=[Series("Count", values)],
            x_label="Day",
            y_label="People",
            percent=percent,
        )
    )


def test_counts_get_whole_number_steps():
    assert _ticks(_chart([1, 2])) == ["0", "1", "2", "3", "4"]
    assert _ticks(_chart([3])) == ["0", "1", "2", "3", "4", "5"]
    assert _ticks(_chart([7, 9])) == ["0", "2", "4", "6", "8", "10"]
    assert _ticks(_chart([41])) == ["0", "10", "20", "30", "40", "50"]


def test_fractions_and_shares_keep_their_axis():
    assert _ticks(_chart([0.5, 1.5])) == ["0", "0.5", "1", "1.5", "2"]
    assert _ticks(_chart([0.25, 0.8], percent=True)) == ["0%", "25%", "50%", "75%", "100%"]


def test_labels_and_titles_are_escaped_and_missing_values_are_gaps():
    svg = _chart([1, None], labels=["<script>", "b"])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert svg.count("<rect") == 1
    assert 'role="img"' in svg
    assert "<title" in svg
    assert "<desc" in svg
