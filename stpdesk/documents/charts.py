"""Bar charts drawn with reportlab.graphics: vector in the PDF, SVG in the HTML version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab import rl_config

# Shapes check each attribute set against its type (a thousand checks a pack, 1 ms): ours
# are set from checked figures. Off before the shapes module reads it (it decides then).
rl_config.shapeChecking = 0

from reportlab.graphics.charts.barcharts import VerticalBarChart  # noqa: E402
from reportlab.graphics.charts.legends import Legend  # noqa: E402
from reportlab.graphics.shapes import Drawing, String  # noqa: E402
from reportlab.lib import colors  # noqa: E402

from .fonts import FONT, FONT_BOLD, in_one_font, printable  # noqa: E402

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


def _label(x: float, y: float, text: str, font: str, size: float) -> String:
    """A line of user text, in a font on this computer that has its characters if
    DejaVu lacks some."""
    shown, chosen = in_one_font(printable(text), font)
    return String(x, y, shown, fontName=chosen, fontSize=size)


def _in(font: str, text: str) -> str:
    """User text for a place drawn in ``font`` only (axis labels, legends)."""
    return in_one_font(printable(text), font, switch=False)[0]


def bar_chart(data: ChartData, width: float, height: float = 190) -> Drawing:
    """A vertical bar chart (grouped when there are several series) with a legend."""
    drawing = Drawing(width, height)
    drawing.add(_label(0, height - 12, data.title, FONT_BOLD, 10))
    if not data.labels:
        drawing.add(String(0, height / 2, "No figures yet.", fontName=FONT, fontSize=9))
        return drawing
    legend_height = 16 if len(data.series) > 1 else 0
    chart = VerticalBarChart()
    chart.x, chart.y = 34, 38 + legend_height
    chart.width = width - chart.x - 6
    chart.height = height - chart.y - 24
    chart.data = [tuple(values) for values in data.values]
    chart.categoryAxis.categoryNames = [_in(FONT, label) for label in data.labels]
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
            (PALETTE[i % len(PALETTE)], _in(FONT, name)) for i, name in enumerate(data.series)
        ]
        drawing.add(legend)
    return drawing


def svg(drawing: Drawing, *, clipped: bool = True) -> str:
    """The drawing as SVG text. ``clipped=False`` leaves out ReportLab's clip path, which
    Qt's SVG renderer (SVG Tiny) does not know and paints as a black box over the chart."""
    import re

    from reportlab.graphics import renderSVG

    text = renderSVG.drawToString(drawing)
    if clipped:
        return text
    return re.sub(r"<clipPath.*?</clipPath>", "", text, flags=re.DOTALL)


# --- the relationship map's power/interest grid ----------------------------------------

# Strength of the relationship: the darker, the stronger (readable in greyscale).
STRENGTH_FILL = {
    "None": colors.white,
    "Weak": colors.HexColor("#E69F00"),
    "Working": colors.HexColor("#56B4E9"),
    "Strong": colors.HexColor("#0072B2"),
}


@dataclass(frozen=True)
class GridPoint:
    number: int  # the point's number, which the table beside the chart uses too
    name: str
    influence: int
    interest: int
    strength: str  # label: None, Weak, Working, Strong
    quadrant: str  # label: Manage closely…


@dataclass(frozen=True)
class GridData:
    title: str
    points: list[GridPoint]

    def describe(self) -> str:
        if not self.points:
            return f"{self.title}: no one is on the map yet."
        parts = [
            f"{p.number} {p.name}: influence {p.influence}, interest {p.interest}, "
            f"{p.strength.lower()} relationship, {p.quadrant.lower()}"
            for p in self.points
        ]
        return f"{self.title}. " + "; ".join(parts) + "."


def power_grid(data: GridData, size: float = 250) -> Drawing:
    """Influence up, interest across, 1 to 5 each, in the four quadrants; each point a
    numbered circle filled by the strength of the relationship."""
    from reportlab.graphics.shapes import Circle, Line, Rect

    from ..model.relationships import HIGH_FROM, Quadrant, spread

    margin_left, margin_bottom, top_room, legend_room = 30, 30, 18, 22
    side = size - margin_left - 6
    drawing = Drawing(size, side + margin_bottom + top_room + legend_room)
    x0, y0 = margin_left, margin_bottom + legend_room
    step = side / 5  # one square per value
    drawing.add(_label(0, drawing.height - 12, data.title, FONT_BOLD, 10))

    def x_of(interest: float) -> float:
        return x0 + (interest - 0.5) * step

    def y_of(influence: float) -> float:
        return y0 + (influence - 0.5) * step

    split = HIGH_FROM - 1  # squares below the split are low
    shades = {
        Quadrant.manage_closely: ("#F2DCDB", split, split),
        Quadrant.keep_satisfied: ("#FDF1DB", split, 0),
        Quadrant.keep_informed: ("#DDEBF7", 0, split),
        Quadrant.monitor: ("#EDEDED", 0, 0),
    }
    for which, (shade, low_rows, low_columns) in shades.items():
        rows = 5 - split if low_rows else split
        columns = 5 - split if low_columns else split
        left, bottom = x0 + low_columns * step, y0 + low_rows * step
        drawing.add(
            Rect(
                left,
                bottom,
                columns * step,
                rows * step,
                fillColor=colors.HexColor(shade),
                strokeColor=None,
            )
        )
        drawing.add(
            String(
                left + 3,
                bottom + rows * step - 10,
                which.label,
                fontName=FONT_BOLD,
                fontSize=7,
                fillColor=colors.HexColor("#444444"),
            )
        )
    for index in range(6):
        weight = 1.2 if index == split else 0.3
        drawing.add(
            Line(
                x0 + index * step,
                y0,
                x0 + index * step,
                y0 + side,
                strokeColor=colors.grey,
                strokeWidth=weight,
            )
        )
        drawing.add(
            Line(
                x0,
                y0 + index * step,
                x0 + side,
                y0 + index * step,
                strokeColor=colors.grey,
                strokeWidth=weight,
            )
        )
    for value in range(1, 6):
        drawing.add(
            String(x_of(value), y0 - 10, str(value), fontName=FONT, fontSize=7, textAnchor="middle")
        )
        drawing.add(
            String(
                x0 - 8, y_of(value) - 2, str(value), fontName=FONT, fontSize=7, textAnchor="middle"
            )
        )
    drawing.add(
        String(
            x0 + side / 2,
            y0 - 21,
            "Interest (alignment with our asks)",
            fontName=FONT,
            fontSize=8,
            textAnchor="middle",
        )
    )
    label = String(0, 0, "Influence", fontName=FONT, fontSize=8, textAnchor="middle")
    from reportlab.graphics.shapes import Group

    turned = Group(label)
    turned.rotate(90)
    turned.translate(y0 + side / 2, -8)
    drawing.add(turned)
    radius = step * 0.13
    squares = [(p.influence, p.interest) for p in data.points]
    for point, (up, across) in zip(data.points, spread(squares), strict=True):
        influence, interest, number = point.influence + up, point.interest + across, point.number
        fill = STRENGTH_FILL.get(point.strength, colors.white)
        drawing.add(
            Circle(
                x_of(interest),
                y_of(influence),
                radius,
                fillColor=fill,
                strokeColor=colors.black,
                strokeWidth=0.6,
            )
        )
        dark = point.strength in ("Strong",)
        drawing.add(
            String(
                x_of(interest),
                y_of(influence) - 2.5,
                str(number),
                fontName=FONT_BOLD,
                fontSize=7,
                textAnchor="middle",
                fillColor=colors.white if dark else colors.black,
            )
        )
    legend_x = 0
    for name, fill in STRENGTH_FILL.items():
        drawing.add(
            Circle(legend_x + 5, 6, 4, fillColor=fill, strokeColor=colors.black, strokeWidth=0.6)
        )
        drawing.add(_label(legend_x + 12, 3, name, FONT, 7))
        legend_x += 14 + len(name) * 4.5
    drawing.add(String(legend_x + 4, 3, "(relationship)", fontName=FONT, fontSize=7))
    return drawing


# --- the temperature of meetings over twelve months ----------------------------------------


@dataclass(frozen=True)
class TemperaturePoint:
    number: int  # the reading's number, which the table beside the chart uses too
    day: int  # days since the start of the twelve months
    score: int  # −2 .. +2


@dataclass(frozen=True)
class TemperatureData:
    title: str
    days: int  # the length of the period in days
    months: list[tuple[int, str]]  # (day, "Jan") where each month starts
    points: list[TemperaturePoint]
    words: list[str] = field(default_factory=list)  # each reading in words, for describe

    def describe(self) -> str:
        if not self.points:
            return f"{self.title}: no readings in these twelve months."
        return f"{self.title}. " + "; ".join(self.words) + "."


def temperature_chart(data: TemperatureData, width: float = 420, height: float = 150) -> Drawing:
    """Readings over twelve months: time across, −2 (hostile) to +2 (supportive) up, each
    reading a numbered circle joined to the next. The scale is written in words on the
    axis, so the chart reads in greyscale and the numbers lead to the table."""
    from reportlab.graphics.shapes import Circle, Line, Path, PolyLine

    from ..model.relationships import TEMPERATURE_WORDS, score_text

    left, bottom, top_room = 78, 16, 26 if data.title else 10
    plot_w, plot_h = width - left - 8, height - bottom - top_room
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, printable(data.title), fontName=FONT_BOLD, fontSize=10))
    step = plot_h / 4

    def x_of(day: float) -> float:
        return left + plot_w * day / max(data.days, 1)

    def y_of(score: float) -> float:
        return bottom + (score + 2) * step

    # the dashed grid lines and the month ticks are one path each: a node apiece took
    # a third of the chart's drawing time
    grid = Path(strokeColor=colors.grey, strokeWidth=0.3, strokeDashArray=[2, 2], fillColor=None)
    for score in range(-2, 3):
        if score == 0:
            drawing.add(Line(left, y_of(0), left + plot_w, y_of(0), strokeColor=colors.grey))
        else:
            grid.moveTo(left, y_of(score))
            grid.lineTo(left + plot_w, y_of(score))
        drawing.add(
            String(
                left - 4,
                y_of(score) - 2.5,
                f"{score_text(score)} {TEMPERATURE_WORDS[score]}",
                fontName=FONT,
                fontSize=7,
                textAnchor="end",
            )
        )
    drawing.add(grid)
    ticks = Path(strokeColor=colors.grey, strokeWidth=1, fillColor=None)
    for day, name in data.months:
        ticks.moveTo(x_of(day), bottom)
        ticks.lineTo(x_of(day), bottom - 3)
        drawing.add(String(x_of(day) + 2, bottom - 11, name, fontName=FONT, fontSize=6.5))
    if data.months:
        drawing.add(ticks)
    if len(data.points) > 1:
        line: list[float] = []
        for point in data.points:
            line += [x_of(point.day), y_of(point.score)]
        drawing.add(PolyLine(line, strokeColor=PALETTE[0], strokeWidth=1))
    for point in data.points:
        x, y = x_of(point.day), y_of(point.score)
        drawing.add(
            Circle(x, y, 6, fillColor=colors.white, strokeColor=colors.black, strokeWidth=0.7)
        )
        drawing.add(
            String(
                x, y - 2.5, str(point.number), fontName=FONT_BOLD, fontSize=6.5, textAnchor="middle"
            )
        )
    return drawing


def trend_data(trend: Any, title: str) -> TemperatureData:
    """A body's temperature trend (services.temperature.Trend) as the chart draws it."""
    from datetime import date

    months = []
    first = date(trend.since.year, trend.since.month, 1)
    while first <= trend.until:
        if first >= trend.since:
            months.append(((first - trend.since).days, f"{first:%b}"))
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    points = [
        TemperaturePoint(number, (reading.on - trend.since).days, reading.score)
        for number, reading in enumerate(trend.readings, start=1)
    ]
    from ..model.dates import format_date

    words = [
        f"{number}. {format_date(reading.on)}, {reading.meeting}: {reading.words}"
        for number, reading in enumerate(trend.readings, start=1)
    ]
    return TemperatureData(title, (trend.until - trend.since).days + 1, months, points, words)
