"""A report's dashboard as a PDF: the figures, each chart drawn with its data table, and
the breakdown tables, under the filters that produced them.

All text is escaped before reportlab reads it (a department named "<b>" prints as
written), and DejaVu Sans is embedded, so every name prints.
"""

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from ess.pdf import BRAND, MUTED, register_fonts
from ess.reports.base import Chart, Report, ReportContext, ReportPage, Table

SERIES_COLOURS = {
    "primary": colors.HexColor("#1d4e89"),
    "success": colors.HexColor("#146c43"),
    "danger": colors.HexColor("#b02a37"),
    "secondary": colors.HexColor("#6c757d"),
}
# More rows than this make a chart's table run over pages; the chart itself still shows
# them all, and the CSV/XLSX exports have every row.
MAX_TABLE_ROWS = 60


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("Body", fontName="ESS", fontSize=9, leading=12)
    return {
        "Body": body,
        "Title": ParagraphStyle(
            "Title", parent=body, fontName="ESS-Bold", fontSize=16, leading=20, textColor=BRAND
        ),
        "Heading": ParagraphStyle(
            "Heading", parent=body, fontName="ESS-Bold", fontSize=11, leading=14, spaceBefore=8
        ),
        "Muted": ParagraphStyle("Muted", parent=body, textColor=MUTED),
        "Cell": ParagraphStyle("Cell", parent=body, fontSize=8, leading=10),
    }


def _filter_lines(ctx: ReportContext) -> list[str]:
    filters = ctx.filters
    lines = [
        _("From %(start)s to %(end)s, both included.")
        % {"start": filters.period.start.isoformat(), "end": filters.period.end.isoformat()}
    ]
    for label, value in (
        (_("Department"), filters.department),
        (_("Location"), filters.location),
        (_("Queue"), filters.queue),
    ):
        if value is not None:
            lines.append(f"{label}: {value}")
    return lines


def _grid(rows: list[list[str]], styles, widths=None) -> PdfTable:
    cells = [[Paragraph(escape(str(cell)), styles["Cell"]) for cell in row] for row in rows]
    table = PdfTable(cells, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, BRAND),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#cccccc")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _table_rows(table: Table) -> list[list[str]]:
    header = [str(column.label) for column in table.columns]
    return [header] + [
        [text for text, _number in cells] for _url, cells in table.cells()[:MAX_TABLE_ROWS]
    ]


def _chart_drawing(chart: Chart) -> Drawing:
    width, height = 170 * mm, 60 * mm
    drawing = Drawing(width, height)
    bars = VerticalBarChart()
    bars.x, bars.y = 30, 28
    bars.width, bars.height = width - 40, height - 40
    bars.data = [
        [0 if value is None else (value * 100 if chart.percent else value) for value in s.values]
        for s in chart.series
    ]
    bars.categoryAxis.categoryNames = chart.labels
    every = max(1, -(-len(chart.labels) // 12))
    bars.categoryAxis.labels.fontName = "ESS"
    bars.categoryAxis.labels.fontSize = 6
    bars.categoryAxis.labels.angle = 0
    bars.categoryAxis.visibleLabels = 1
    if every > 1:
        bars.categoryAxis.categoryNames = [
            label if n % every == 0 else "" for n, label in enumerate(chart.labels)
        ]
    bars.valueAxis.labels.fontName = "ESS"
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.valueMin = 0
    values = [value for row in bars.data for value in row]
    if (
        not chart.percent
        and all(float(v).is_integer() for v in values)
        and max(values, default=0) <= 8
    ):
        # Whole steps for small counts: no "0.5 people" on the axis.
        bars.valueAxis.valueStep = 1
        bars.valueAxis.valueMax = max(4, max(values, default=0))
    for n, item in enumerate(chart.series):
        bars.bars[n].fillColor = SERIES_COLOURS.get(item.css, BRAND)
        bars.bars[n].strokeColor = None
    drawing.add(bars)
    drawing.add(
        String(
            0, 4, str(chart.y_label) + (" (%)" if chart.percent else ""), fontName="ESS", fontSize=7
        )
    )
    return drawing


def _legend(chart: Chart) -> str:
    names = {
        "primary": _("blue"),
        "success": _("green"),
        "danger": _("red"),
        "secondary": _("grey"),
    }
    return "; ".join(f"{item.label}: {names.get(item.css, '')}" for item in chart.series)


def dashboard_pdf(*, report: Report, ctx: ReportContext, page: ReportPage) -> bytes:
    register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=str(report.title),
        author="ESS",
    )
    story = [Paragraph(escape(str(report.title)), styles["Title"]), Spacer(1, 2 * mm)]
    story += [Paragraph(escape(line), styles["Muted"]) for line in _filter_lines(ctx)]
    story.append(
        Paragraph(
            escape(
                _("Printed %(when)s") % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
            ),
            styles["Muted"],
        )
    )
    story.append(Paragraph(escape(_("Figures")), styles["Heading"]))
    story.append(_grid(_table_rows(page.figures_table()), styles))
    for chart in page.charts:
        story.append(
            KeepTogether(
                [
                    Paragraph(escape(str(chart.title)), styles["Heading"]),
                    Paragraph(escape(str(chart.description)), styles["Muted"]),
                    Paragraph(escape(_legend(chart)), styles["Muted"]),
                    _chart_drawing(chart),
                ]
            )
        )
        story.append(_grid(_table_rows(chart.as_table()), styles))
    for table in page.tables:
        story.append(Paragraph(escape(str(table.title)), styles["Heading"]))
        if not table.rows:
            story.append(Paragraph(escape(_("Nothing in this period.")), styles["Muted"]))
            continue
        story.append(_grid(_table_rows(table), styles))
    document.build(story)
    return buffer.getvalue()
