"""The temperature of meetings in the app: the meeting editor's readings (one row per
body at the meeting) and a body's trend over twelve months (a chart and the readings in
words, so colour and position are never the only signs)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..model.relationships import TEMPERATURE_WORDS, temperature_text
from ..model.tables import REASON_LENGTH
from ..model.types import format_date
from .widgets import ProblemLabel

NOT_RECORDED = "Not recorded"


class TemperaturePanel(QGroupBox):
    """How each body at the meeting seemed: a reading (or none) and a short reason."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Temperature of the meeting", parent)
        outer = QVBoxLayout(self)
        self.caption = QLabel(
            "How each body seemed: −2 hostile, −1 cool, 0 neutral, +1 warm, +2 supportive.",
            self,
        )
        self.caption.setWordWrap(True)
        outer.addWidget(self.caption)
        self.grid = QGridLayout()
        outer.addLayout(self.grid)
        self.problem = ProblemLabel("Temperature", self)
        outer.addWidget(self.problem)
        # body id -> (name label, reading, reason)
        self.rows: dict[str, tuple[QLabel, QComboBox, QLineEdit]] = {}
        self._kept: dict[str, tuple[int | None, str]] = {}
        self.set_bodies([])

    def set_bodies(self, bodies: Sequence[tuple[str, str]]) -> None:
        """One row per body at the meeting (id, name); readings typed so far are kept."""
        for body_id, (_name, score, reason) in self.rows.items():
            self._kept[body_id] = (score.currentData(), reason.text())
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            if widget is not None:
                widget.hide()  # gone at once, not when the event loop gets to it
                widget.setParent(None)
                widget.deleteLater()
        self.rows = {}
        if not bodies:
            empty = QLabel("Add the bodies at the meeting above to record how each seemed.")
            empty.setWordWrap(True)
            self.grid.addWidget(empty, 0, 0, 1, 3)
            return
        for row, (body_id, name) in enumerate(bodies):
            label = QLabel(name, self)
            label.setWordWrap(True)
            score = QComboBox(self)
            score.addItem(NOT_RECORDED, None)
            for value in sorted(TEMPERATURE_WORDS, reverse=True):
                score.addItem(temperature_text(value), value)
            score.setAccessibleName(f"Temperature of {name}")
            reason = QLineEdit(self)
            reason.setMaxLength(REASON_LENGTH)
            reason.setPlaceholderText("Why, in a few words")
            reason.setAccessibleName(f"Reason for the temperature of {name}")
            kept_score, kept_reason = self._kept.get(body_id, (None, ""))
            score.setCurrentIndex(max(score.findData(kept_score), 0))
            reason.setText(kept_reason)
            score.currentIndexChanged.connect(self.changed)
            reason.textEdited.connect(self.changed)
            self.grid.addWidget(label, row, 0)
            self.grid.addWidget(score, row, 1)
            self.grid.addWidget(reason, row, 2)
            self.rows[body_id] = (label, score, reason)
        self.grid.setColumnStretch(0, 2)
        self.grid.setColumnStretch(2, 3)

    def set_readings(self, readings: Sequence[dict[str, Any]]) -> None:
        """Show saved readings ({"body_id", "score", "reason"})."""
        self._kept = {r["body_id"]: (r["score"], r["reason"] or "") for r in readings}
        for body_id, (_label, score, reason) in self.rows.items():
            kept_score, kept_reason = self._kept.get(body_id, (None, ""))
            score.setCurrentIndex(max(score.findData(kept_score), 0))
            reason.setText(kept_reason)

    def values(self) -> tuple[list[dict[str, Any]], str | None]:
        """The readings to save, and a problem to show (a reason with no reading)."""
        readings = []
        for body_id, (label, score, reason) in self.rows.items():
            value, why = score.currentData(), reason.text().strip()
            if value is None:
                if why:
                    return [], (
                        f"Temperature of {label.text()}: choose a reading for the reason "
                        "given, or clear the reason"
                    )
                continue
            readings.append({"body_id": body_id, "score": value, "reason": why or None})
        return readings, None

    def first_control(self) -> QWidget | None:
        return next((score for _label, score, _reason in self.rows.values()), None)


class ChartView(QWidget):
    """A chart drawn by documents.charts, shown as the PDF shows it (from its SVG)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.renderer = QSvgRenderer(self)
        self.setAccessibleName(name)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._size = QSize(420, 150)

    def show_drawing(self, drawing: Any, description: str) -> None:
        from ..documents.charts import svg

        self.renderer.load(QByteArray(svg(drawing, clipped=False).encode("utf-8")))
        self._size = QSize(int(drawing.width), int(drawing.height))
        self.setFixedHeight(int(drawing.height))
        self.setAccessibleDescription(description)
        self.setToolTip(description)
        self.update()

    def sizeHint(self) -> QSize:
        return self._size

    def paintEvent(self, _event: Any) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)  # the chart is drawn for paper
        bounds = self.rect()
        width = min(
            bounds.width(), self._size.width() * bounds.height() / max(self._size.height(), 1)
        )
        bounds.setWidth(int(width))
        self.renderer.render(painter, bounds)


class TrendBox(QGroupBox):
    """A body's temperature at meetings over twelve months: chart, sentence, readings."""

    def __init__(
        self, open_meeting: Callable[[str], None] | None, parent: QWidget | None = None
    ) -> None:
        super().__init__("Temperature at meetings, last 12 months", parent)
        self.open_meeting = open_meeting
        box = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        box.addWidget(self.summary)
        self.chart = ChartView("Temperature chart", self)
        box.addWidget(self.chart)
        self.readings = QListWidget(self)
        self.readings.setAccessibleName("Temperature readings")
        self.readings.setWordWrap(True)
        self.readings.itemActivated.connect(self._open)
        title = QLabel("&Readings (open one to see its meeting)", self)
        title.setBuddy(self.readings)
        box.addWidget(title)
        box.addWidget(self.readings)

    def show_trend(self, trend: Any) -> None:
        from ..documents.charts import temperature_chart, trend_data

        self.summary.setText(
            f"From {format_date(trend.since)} to {format_date(trend.until)}: {trend.summary()}"
        )
        data = trend_data(trend, "")
        self.chart.show_drawing(temperature_chart(data, 420, 130), trend.summary())
        self.chart.setVisible(bool(trend.readings))
        self.readings.clear()
        for number, reading in enumerate(trend.readings, start=1):
            why = f" — {reading.reason}" if reading.reason else ""
            item = QListWidgetItem(
                f"{number}. {format_date(reading.on)}, {reading.meeting}: {reading.words}{why}"
            )
            item.setData(Qt.ItemDataRole.UserRole, reading.meeting_id)
            self.readings.addItem(item)
        if not trend.readings:
            self.readings.addItem("None recorded: readings are made in the meeting editor.")
        lines = max(min(self.readings.count(), 5), 1)
        self.readings.setFixedHeight(self.readings.fontMetrics().lineSpacing() * lines * 2 + 12)

    def _open(self, item: QListWidgetItem) -> None:
        meeting_id = item.data(Qt.ItemDataRole.UserRole)
        if meeting_id and self.open_meeting is not None:
            self.open_meeting(meeting_id)
