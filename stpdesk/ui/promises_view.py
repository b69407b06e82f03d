"""Promises kept, as a chart: one row per body (or per direction on a body's page), a
stacked bar of on time, late, overdue and dropped, and the figures written beside it.

The bar only repeats the figures: each row's text says every number in words, which a
screen reader reads (the bar's cell carries the same text as its accessible text), and
colour is never the only signal. Rows that name a body open it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from ..services.promises import PromiseTally, figures_text
from .colours import AMBER_COLOUR, DONE_COLOUR, OVERDUE_COLOUR, QUIET_COLOUR

REF_ROLE = Qt.ItemDataRole.UserRole + 10  # "entity:record id", as the dashboard's lists
BAR_ROLE = Qt.ItemDataRole.UserRole + 11  # "on time,late,overdue,dropped" as text

# What the bar draws, in order: PromiseTally field, word, colour.
SEGMENTS = (
    ("on_time", "On time", DONE_COLOUR),
    ("late", "Late", AMBER_COLOUR),
    ("overdue", "Overdue", OVERDUE_COLOUR),
    ("dropped", "Dropped", QUIET_COLOUR),
)
BODY, BAR, FIGURES = range(3)


@dataclass(frozen=True)
class ChartRow:
    label: str  # a body's name, or "To us" / "By us"
    tally: PromiseTally
    ref: str | None = None  # "bodies:<id>": activating the row opens it


def legend_html() -> str:
    """The key to the bar's colours, as swatches with their words (spaced with no-break
    spaces, not "&nbsp;", whose "&" would read as a keyboard shortcut)."""
    return " \u00a0 ".join(
        f'<span style="color:{colour.name()}">■</span> {word}' for _, word, colour in SEGMENTS
    )


class _BarDelegate(QStyledItemDelegate):
    """Draws the stacked bar of a row, scaled to the longest bar of the chart."""

    def __init__(self, chart: PromisesChart) -> None:
        super().__init__(chart)
        self.chart = chart

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else None
        if style is not None:  # background and selection only: the text is in its own column
            option.text = ""
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        counts = [int(part) for part in (index.data(BAR_ROLE) or "").split(",") if part]
        if not counts or not self.chart.scale:
            return
        line = option.fontMetrics.height()
        rect = QRectF(option.rect).adjusted(2, 0, -4, 0)
        rect = QRectF(rect.left(), rect.center().y() - line / 2, rect.width(), line)
        x = rect.left()
        unit = rect.width() / self.chart.scale
        painter.save()
        for count, (_, _, colour) in zip(counts, SEGMENTS, strict=True):
            if count:
                width = count * unit
                painter.fillRect(QRectF(x, rect.top(), max(width - 1, 1), rect.height()), colour)
                x += width
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(160, option.fontMetrics.lineSpacing() + 8)


class PromisesChart(QTreeWidget):
    """The chart itself: columns Body, the bar, and the figures in words."""

    def __init__(self, name: str, first_heading: str = "Body", parent: QWidget | None = None):
        super().__init__(parent)
        self.scale = 0  # the most promises settled (on time, late, overdue, dropped) of a row
        self.setAccessibleName(name)
        self.setColumnCount(3)
        self.setHeaderLabels([first_heading, "Record", "What happened"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setItemDelegateForColumn(BAR, _BarDelegate(self))
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(BODY, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(BAR, QHeaderView.ResizeMode.Fixed)
        self.setColumnWidth(BAR, 140)
        self.itemActivated.connect(self._activated)
        self.open_record = None  # set by the owner: (entity, record id) -> None

    def show_rows(self, rows: list[ChartRow], empty: str) -> None:
        self.clear()
        self.scale = max((self._settled(row.tally) for row in rows), default=0)
        for row in rows:
            figures = figures_text(row.tally)
            item = QTreeWidgetItem([row.label, "", figures])
            counts = [getattr(row.tally, field) for field, _, _ in SEGMENTS]
            item.setData(BAR, BAR_ROLE, ",".join(str(count) for count in counts))
            for column in (BODY, BAR, FIGURES):
                item.setData(column, Qt.ItemDataRole.AccessibleTextRole, f"{row.label}: {figures}")
            item.setToolTip(BODY, row.label)  # a long name may be cut short
            item.setToolTip(BAR, figures)
            item.setToolTip(FIGURES, figures)
            if row.ref:
                item.setData(BODY, REF_ROLE, row.ref)
            self.addTopLevelItem(item)
        if not rows:
            self.addTopLevelItem(QTreeWidgetItem([empty, "", ""]))
            self.setFirstColumnSpanned(0, QModelIndex(), True)
        self.resizeColumnToContents(BODY)
        self.setColumnWidth(BODY, min(max(self.columnWidth(BODY), 110), 300))
        # as tall as its rows (up to 12; more scroll), no taller
        shown = max(min(self.topLevelItemCount(), 12), 1)
        frame = 2 * self.frameWidth()
        self.setFixedHeight(
            self.header().sizeHint().height() + self.sizeHintForRow(0) * shown + frame
        )

    def texts(self) -> list[str]:
        """Each row as a reader hears it: "Label: 8 made: 5 on time, …"."""
        return [
            self.topLevelItem(i).data(BODY, Qt.ItemDataRole.AccessibleTextRole)
            or self.topLevelItem(i).text(BODY)
            for i in range(self.topLevelItemCount())
        ]

    @staticmethod
    def _settled(tally: PromiseTally) -> int:
        return sum(getattr(tally, field) for field, _, _ in SEGMENTS)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        ref = item.data(BODY, REF_ROLE)
        if ref and self.open_record is not None:
            entity, _, record_id = ref.partition(":")
            self.open_record(entity, record_id)


def legend(parent: QWidget | None = None) -> QLabel:
    label = QLabel(legend_html(), parent)
    label.setAccessibleName("Key to the chart")
    label.setTextFormat(Qt.TextFormat.RichText)
    return label
