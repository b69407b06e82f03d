"""Bar charts drawn with reportlab.graphics: vector in the PDF, SVG in the HTML version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from .fonts import FONT, FONT_BOLD, printable

# Colour-blind-safe (Okabe–Ito) colours, dark enough to print in greyscale.
PALETTE = (
    colors.HexColor("#0072B2"),
    colors.HexColor("#D55E00"),
    colors.HexColor("#009E73"),
    colors.HexColor("#CC79A7"),
    colors.HexColor("#E69F00"),
    colors.HexColor("#56B4E9"),
)


@dataclass(frozen=True)
class ChartData:
    title: str
    labels: list[str]
    series: list[str]
    values: list[list[float]]  # one list per series, one value per label

    def describe(self) -> str:
        """The chart's figures in words, for alt text and screen readers."""
        if not self.labels:
            return f"{self.title}: no figures yet."
        parts = []
        for index, label in enumerate(self.labels):
            figures = ", ".join(
                f"{name} {_number(values[index])}"
                if len(self.series) > 1
                else _number(values[index])
                for name, values in zip(self.series, self.values, strict=True)
            )
            parts.append(f"{label}: {figures}")
        return f"{self.title}. " + "; ".join(parts) + "."


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


def chart_data(
    rows: Sequence[Sequence[object]], title: str, series: Sequence[str] | None = None
) -> ChartData:
    """``rows`` are ``[label, value, value…]``; ``series`` names the value columns."""
    labels: list[str] = []
    columns: list[list[float]] = []
    width = None
    for number, row in enumerate(rows, start=1):
        row = list(row)
        if len(row) < 2:
            raise ValueError(f"chart row {number} needs a label and at least one value")
        if width is None:
            width = len(row) - 1
            columns = [[] for _ in range(width)]
        if len(row) - 1 != width:
            raise ValueError(f"chart row {number} has {len(row) - 1} values, not {width}")
        labels.append(str(row[0]))
        for index, value in enumerate(row[1:]):
            try:
                columns[index].append(float(value))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise ValueError(f"chart row {number}: “{value}” is not a number") from None
    names = list(series or [])
    if width is not None and len(names) != width:
        names = names[:width] + [f"Series {i + 1}" for i in range(len(names), width)]
    return ChartData(title=title, labels=labels, series=names, values=columns)


def bar_chart(data: ChartData, width: float, height: float = 190) -> Drawing:
    """A vertical bar chart (grouped when there are several series) with a legend."""
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, printable(data.title), fontName=FONT_BOLD, fontSize=10))
    if not data.labels:
        drawing.add(String(0, height / 2, "No figures yet.", fontName=FONT, fontSize=9))
        return drawing
    legend_height = 16 if len(data.series) > 1 else 0
    chart = VerticalBarChart()
    chart.x, chart.y = 34, 38 + legend_height
    chart.width = width - chart.x - 6
    chart.height = height - chart.y - 24
    chart.data = [tuple(values) for values in data.values]
    chart.categoryAxis.categoryNames = [printable(label) for label in data.labels]
    many = len(data.labels) > 8
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7 if many else 8
    chart.categoryAxis.labels.angle = 45 if many else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if many else "n"
    chart.categoryAxis.labels.dy = -2
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    top = max((max(values) for values in data.values if values), default=0)
    if top <= 5:
        chart.valueAxis.valueMax = max(top, 1) + 1
        chart.valueAxis.valueStep = 1
    chart.valueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
    chart.valueAxis.visibleGrid = True
    chart.barSpacing = 1
    chart.groupSpacing = 6
    for index in range(len(data.values)):
        chart.bars[index].fillColor = PALETTE[index % len(PALETTE)]
        chart.bars[index].strokeColor = None
    chart.barLabelFormat = lambda value: _number(value) if value else ""
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6 if many else 7
    chart.barLabels.nudge = 6
    drawing.add(chart)
    if legend_height:
        legend = Legend()
        legend.x, legend.y = chart.x, 10
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.deltax = 90
        legend.dx = legend.dy = 7
        legend.fontName = FONT
        legend.fontSize = 8
        legend.boxAnchor = "sw"
        legend.colorNamePairs = [
            (PALETTE[i % len(PALETTE)], printable(name)) for i, name in enumerate(data.series)
        ]
        drawing.add(legend)
    return drawing


def svg(drawing: Drawing) -> str:
    from reportlab.graphics import renderSVG

    return renderSVG.drawToString(drawing)
