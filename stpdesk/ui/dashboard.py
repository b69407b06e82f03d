"""The dashboard: what is overdue or due soon, upcoming meetings, open asks, recent
activity and how engagement stands with each footprint. Every line opens its record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..model import kinds
from ..model.dates import format_date, format_datetime
from ..model.engagement import thresholds, waited_text
from ..services import dashboard as dashboard_data
from ..services.dashboard import EngagementSummary
from .colours import DONE_COLOUR, OVERDUE_COLOUR
from .context import AppContext

if TYPE_CHECKING:
    from ..services.promises import PromiseRecord
    from .promises_view import PromisesChart

REF_ROLE = Qt.ItemDataRole.UserRole + 10  # "entity:record id"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class EngagementChart(QWidget):
    """Five small labelled bars; the numbers are printed, so the bars only repeat them."""

    BARS = (
        ("Meetings (90 days)", "meetings_last_90_days", QColor("#3b6ea5")),
        ("Asks made", "asks_made", QColor("#6b5ca5")),
        ("Asks accepted", "asks_accepted", DONE_COLOUR),
        ("Commitments kept", "commitments_kept", DONE_COLOUR),
        ("Commitments overdue", "commitments_overdue", OVERDUE_COLOUR),
    )

    def __init__(self, summary: EngagementSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = summary
        values = ", ".join(f"{label}: {getattr(summary, name)}" for label, name, _ in self.BARS)
        self.setAccessibleName(f"Engagement with {summary.footprint.name}")
        self.setAccessibleDescription(values)
        self.setToolTip(values)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().lineSpacing()
        return QSize(360, (line + 6) * len(self.BARS))

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        metrics = self.fontMetrics()
        line = metrics.lineSpacing() + 6
        label_width = max(metrics.horizontalAdvance(label) for label, _, _ in self.BARS) + 12
        number_width = metrics.horizontalAdvance("00000") + 8
        top = max((getattr(self.summary, name) for _, name, _ in self.BARS), default=0) or 1
        room = max(self.width() - label_width - number_width, 10)
        for row, (label, name, colour) in enumerate(self.BARS):
            value = getattr(self.summary, name)
            y = row * line
            painter.setPen(self.palette().windowText().color())
            painter.drawText(QRectF(0, y, label_width, line), Qt.AlignmentFlag.AlignVCenter, label)
            width = room * value / top
            painter.fillRect(QRectF(label_width, y + 4, width, line - 8), colour)
            painter.drawText(
                QRectF(label_width + width + 4, y, number_width, line),
                Qt.AlignmentFlag.AlignVCenter,
                str(value),
            )
        painter.end()


class Dashboard(QWidget):
    open_record = Signal(str, str)  # entity (plural), record id
    choice_changed = Signal()  # another line of the overdue or due-soon list is chosen
    loaded = Signal()
    load_failed = Signal()
    promises_loaded = Signal()
    engagement_loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data: dashboard_data.Dashboard | None = None
        self._below_fold_wanted = False  # see start_below_fold
        # Read at once, on the worker (mostly inside SQLite, which lets this thread run on),
        # while these widgets and the window round them are built: the figures are there
        # for the window's first paint.
        self.reload()
        self.setAccessibleName("Dashboard")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        outer.addWidget(scroll)
        inner = QWidget()
        scroll.setWidget(inner)
        layout = QVBoxLayout(inner)

        self.heading = QLabel("Dashboard", inner)
        self.heading.setAccessibleName("Dashboard heading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.summary_line = QLabel("Loading…", inner)
        self.summary_line.setAccessibleName("Dashboard summary")
        self.summary_line.setWordWrap(True)
        layout.addWidget(self.summary_line)
        # Shown while nothing is recorded: what to do first, one button each.
        self.first_steps = QGroupBox("Getting started", inner)
        self.first_steps.setAccessibleName("Getting started")
        steps = QVBoxLayout(self.first_steps)
        intro = QLabel(
            "Nothing is recorded yet. Start by recording a meeting or importing your "
            "calendar; the user guide shows the rest.",
            self.first_steps,
        )
        intro.setWordWrap(True)
        steps.addWidget(intro)
        self.first_step_buttons = QHBoxLayout()
        steps.addLayout(self.first_step_buttons)
        self.first_steps.hide()
        layout.addWidget(self.first_steps)

        grid = QGridLayout()
        layout.addLayout(grid)
        self.overdue = self._list("Overdue commitments")
        self.due_soon = self._list(f"Commitments due in the next {thresholds().due_soon_days} days")
        self.upcoming = self._list(f"Meetings in the next {thresholds().due_soon_days} days")
        self.recent = self._list("Recent activity")
        self.awaiting = self._list("Letters awaiting a reply")
        self.open_asks = QTreeWidget()
        self.open_asks.setHeaderHidden(True)
        self.open_asks.setAccessibleName("Open asks by body")
        self.open_asks.itemActivated.connect(self._activated)
        self.engagement_box = QWidget()
        self.engagement_layout = QVBoxLayout(self.engagement_box)
        self.engagement_layout.setContentsMargins(0, 0, 0, 0)
        self.engagement_layout.addWidget(QLabel("Loading…"))  # see start_below_fold
        for position, (title, widget) in enumerate(
            [
                ("Overdue commitments", self.overdue),
                (f"Due in the next {thresholds().due_soon_days} days", self.due_soon),
                (f"Meetings in the next {thresholds().due_soon_days} days", self.upcoming),
                ("Open asks by body", self.open_asks),
                (
                    f"Awaiting a reply ({thresholds().reply_days} working days or more)",
                    self.awaiting,
                ),
                ("Recent activity", self.recent),
                ("Engagement by footprint", self.engagement_box),
            ]
        ):
            group = QGroupBox(title, inner)
            box = QVBoxLayout(group)
            box.addWidget(widget)
            grid.addWidget(group, position // 2, position % 2)
        # Promises kept: read once the rest is on screen (see start_below_fold), full width.
        self.promises_box = QGroupBox("Promises kept to us", inner)
        box = QVBoxLayout(self.promises_box)
        self.promises_caption = QLabel("Loading…", self.promises_box)
        self.promises_caption.setWordWrap(True)
        self.promises_caption.setAccessibleName("Promises kept, period")
        box.addWidget(self.promises_caption)
        self.promises: PromisesChart | None = None  # made once the window is on screen
        grid.addWidget(self.promises_box, grid.rowCount(), 0, 1, 2)  # below every other panel
        layout.addStretch(1)

    def _list(self, name: str) -> QListWidget:
        widget = QListWidget()
        widget.setAccessibleName(name)
        widget.setWordWrap(True)
        widget.itemActivated.connect(self._activated)
        widget.currentItemChanged.connect(lambda *_: self.choice_changed.emit())
        return widget

    def add_first_step(self, text: str, run: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self.first_steps)
        button.setAccessibleName(text.split(" — ")[0])
        button.clicked.connect(lambda _checked=False: run())
        self.first_step_buttons.addWidget(button)
        return button

    def chosen_commitment(self) -> str | None:
        """The overdue or due-soon commitment chosen (they are all still pending)."""
        for widget in (self.overdue, self.due_soon):
            item = widget.currentItem()
            if widget.hasFocus() and item is not None:
                entity, _, record_id = (item.data(REF_ROLE) or "").partition(":")
                if entity == "commitments":
                    return record_id
        return None

    def _activated(self, item: QListWidgetItem | QTreeWidgetItem, _column: int = 0) -> None:
        ref = item.data(0, REF_ROLE) if isinstance(item, QTreeWidgetItem) else item.data(REF_ROLE)
        if ref:
            entity, _, record_id = ref.partition(":")
            self.open_record.emit(entity, record_id)

    # --- loading -----------------------------------------------------------------

    def reload(self) -> None:
        db = self.ctx.db
        self.ctx.ops.run(
            lambda: dashboard_data.dashboard(db), on_done=self.show_data, on_error=self._failed
        )

    def _failed(self, error: BaseException) -> None:
        # A damaged file is reported by the start-up check, which offers the backup.
        self.summary_line.setText(f"The dashboard could not be read. {error}")
        self.load_failed.emit()

    def start_below_fold(self) -> None:
        """Read engagement by footprint and promises kept from now on, with every reload:
        the window asks once its first paint is on screen. Both sit below the fold, and
        their reads would delay that paint (engagement's 90 days of meetings took 12 ms of
        the 18 the dashboard's figures took at 100,000 meetings); the chart of promises and
        its code are made then too."""
        if self.promises is None:
            from .promises_view import PromisesChart, legend

            self.promises = PromisesChart("Promises kept to us, by body")
            self.promises.open_record = self.open_record.emit
            box = self.promises_box.layout()
            box.addWidget(self.promises)
            box.addWidget(legend(self.promises_box))
        self._below_fold_wanted = True
        if self.data is not None:
            self._load_below_fold()

    def _load_below_fold(self) -> None:
        db = self.ctx.db
        self.ctx.ops.run(
            lambda: dashboard_data.footprint_engagement(db),
            on_done=self.show_engagement,
            on_error=self._engagement_failed,
        )
        self.ctx.ops.run(
            lambda: dashboard_data.promises_kept(db),
            on_done=self.show_promises,
            on_error=self._promises_failed,
        )

    def _engagement_failed(self, error: BaseException) -> None:
        self._set_engagement([QLabel(f"Engagement could not be read. {error}")])

    def _promises_failed(self, error: BaseException) -> None:
        self.promises_caption.setText(f"Promises kept could not be read. {error}")

    def show_promises(self, record: PromiseRecord) -> None:
        from .promises_view import ChartRow

        if self.promises is None:  # only start_below_fold asks, having made the chart
            return
        self.promises_caption.setText(
            f"Promises made to us that were first due from {format_date(record.since)} to "
            f"today, by body: delivered on time, delivered late, overdue now or dropped. "
            "Open a body to see its record both ways and its worst cases."
        )
        self.promises.show_rows(
            [
                ChartRow(line.body, line.to_us, f"bodies:{line.body_id}")
                for line in record.bodies
                if line.to_us.made
            ],
            "No body made us promises due in the last 12 months.",
        )
        self.promises_loaded.emit()

    def show_data(self, data: dashboard_data.Dashboard) -> None:
        self.data = data
        if self._below_fold_wanted:
            self._load_below_fold()
        self.summary_line.setText(
            f"Today is {format_date(data.today)}. "
            f"{_plural(data.overdue_total, 'commitment')} overdue, "
            f"{data.due_soon_total:,} due in the next {thresholds().due_soon_days} days, "
            f"{_plural(len(data.upcoming), 'meeting')} coming up."
        )
        self._fill(
            self.overdue,
            [
                (
                    f"⚠ {line.text} — {line.body}, due {format_date(line.due_date)} "
                    f"({_plural(line.days_overdue or 0, 'day')} overdue)",
                    ("commitments", line.id),
                    OVERDUE_COLOUR,
                )
                for line in data.overdue
            ]
            + _more(data.overdue_total - len(data.overdue), "Overdue"),
            "Nothing is overdue.",
        )
        self._fill(
            self.due_soon,
            [
                (
                    f"{line.text} — {line.body}, due {format_date(line.due_date)} "
                    + (
                        "(today)"
                        if line.days_to_go == 0
                        else f"(in {_plural(line.days_to_go or 0, 'day')})"
                    ),
                    ("commitments", line.id),
                    None,
                )
                for line in data.due_soon
            ]
            + _more(
                data.due_soon_total - len(data.due_soon),
                f"Due in the next {thresholds().due_soon_days} days",
            ),
            f"Nothing is due in the next {thresholds().due_soon_days} days.",
        )
        self._fill(
            self.upcoming,
            [
                (
                    f"{format_datetime(m.starts_at)} — {m.title}"
                    + (f", {m.location}" if m.location else ""),
                    ("meetings", m.id),
                    None,
                )
                for m in data.upcoming
            ],
            f"No meetings in the next {thresholds().due_soon_days} days.",
        )
        self._fill(
            self.recent,
            [
                (
                    f"{format_datetime(a.at)} — {a.summary}",
                    (kinds.BY_TABLE[a.entity].name, a.entity_id)
                    if a.entity in kinds.BY_TABLE
                    else None,
                    None,
                )
                for a in data.recent
            ],
            "Nothing recorded yet.",
        )
        self._fill(
            self.awaiting,
            [
                (
                    f"✉ {line.subject} — to {line.recipient}, sent {format_date(line.sent_on)} "
                    f"({waited_text(line.waited)} ago)",
                    ("letters", line.id),
                    None,
                )
                for line in data.awaiting_reply
            ]
            + (
                [(f"… and {more:,} more: see Letters.", None, None)]
                if (more := data.awaiting_reply_total - len(data.awaiting_reply)) > 0
                else []
            ),
            "No letter has waited that long for a reply.",
        )
        self.open_asks.clear()
        for body, total, asks in data.open_asks:
            parent = QTreeWidgetItem([f"{body} ({_plural(total, 'open ask')})"])
            for ask in asks:
                raised = f" (raised {format_date(ask.raised_on)})" if ask.raised_on else ""
                child = QTreeWidgetItem([f"{ask.title}{raised}"])
                child.setData(0, REF_ROLE, f"asks:{ask.id}")
                parent.addChild(child)
            if total > len(asks):
                more = total - len(asks)
                parent.addChild(QTreeWidgetItem([f"… and {more:,} more (see Asks)"]))
            self.open_asks.addTopLevelItem(parent)
        if not data.open_asks:
            self.open_asks.addTopLevelItem(QTreeWidgetItem(["No open asks."]))
        self.open_asks.expandAll()
        # Laid out and shown now rather than on the event loop's next turns, so the next
        # paint (at start-up, the window's first) shows every figure at once.
        for view in self.findChildren(QAbstractItemView):
            view.doItemsLayout()
        self.loaded.emit()

    def show_engagement(self, summaries: list[EngagementSummary]) -> None:
        parts: list[QWidget] = []
        for summary in summaries:
            title = QLabel(
                f"<b>{_escape(summary.footprint.name)}</b> ({summary.footprint.kind.label})"
            )
            title.setAccessibleName(f"Footprint {summary.footprint.name}")
            parts += [title, EngagementChart(summary)]
        self._set_engagement(parts or [QLabel("No footprints yet.")])
        self.engagement_loaded.emit()

    def _set_engagement(self, parts: list[QWidget]) -> None:
        while self.engagement_layout.count():
            widget = self.engagement_layout.takeAt(0).widget()
            if widget is not None:
                widget.hide()  # until it is deleted, on the event loop's next turn
                widget.deleteLater()
        for part in parts:
            self.engagement_layout.addWidget(part)
            part.show()

    @staticmethod
    def _fill(
        widget: QListWidget,
        lines: list[tuple[str, tuple[str, str] | None, QColor | None]],
        empty: str,
    ) -> None:
        widget.clear()
        for text, ref, colour in lines:
            item = QListWidgetItem(text)
            if ref is not None:
                # "entity:id" as text: tuples (and None) in item data trip a PySide
                # reference-counting bug that aborts the process
                item.setData(REF_ROLE, f"{ref[0]}:{ref[1]}")
            if colour is not None:
                item.setForeground(colour)
            widget.addItem(item)
        if not lines:
            widget.addItem(QListWidgetItem(empty))
        rows = max(min(widget.count(), 8), 2)
        widget.setMinimumHeight(widget.fontMetrics().lineSpacing() * rows + 12)

    def texts(self, widget: QListWidget) -> list[str]:
        return [widget.item(i).text() for i in range(widget.count())]


def _more(count: int, view: str) -> list[tuple[str, None, None]]:
    """The line after a shortened list: how many more, and where to see them all."""
    if count <= 0:
        return []
    return [(f"… and {count:,} more: see Commitments, “{view}”.", None, None)]


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
