"""Global search (Ctrl+F / Ctrl+K): everything that matches, best first; Enter opens it."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QKeyEvent,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ..model import kinds
from ..model.dates import format_datetime
from ..services import queries
from ..store import search as store_search
from .context import TITLE, AppContext
from .screen_fit import fit_to_screen

SEARCH_DELAY_MS = 200
HTML_ROLE = Qt.ItemDataRole.UserRole + 1  # the result as rich text, the match highlighted
MATCH_STYLE = "background-color: #ffe066; color: #000000; font-weight: bold"


def snippet_texts(snippet: str) -> tuple[str, str]:
    """The search's snippet (matches between the store's markers) as plain text, and as
    HTML with each match highlighted."""
    plain, marked, inside = [], [], False
    for char in snippet:
        if char == store_search.SNIPPET_OPEN and not inside:
            inside = True
            marked.append(f'<span style="{MATCH_STYLE}">')
        elif char == store_search.SNIPPET_CLOSE and inside:
            inside = False
            marked.append("</span>")
        else:
            plain.append(char)
            marked.append(escape(char))
    if inside:
        marked.append("</span>")
    return "".join(plain), "".join(marked)


class _HighlightDelegate(QStyledItemDelegate):
    """Draws a result from its HTML, so the words found stand out."""

    def _document(self, option: QStyleOptionViewItem, index: QModelIndex) -> QTextDocument:
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setHtml(index.data(HTML_ROLE) or escape(index.data() or ""))
        document.setTextWidth(max(option.rect.width(), 100))
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        self.initStyleOption(option, index)
        document = self._document(option, index)
        option.text = ""
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        context = QAbstractTextDocumentLayout.PaintContext()
        if option.state & QStyle.StateFlag.State_Selected:
            context.palette.setColor(
                QPalette.ColorRole.Text, option.palette.color(QPalette.ColorRole.HighlightedText)
            )
        painter.save()
        painter.translate(option.rect.topLeft())
        painter.setClipRect(option.rect.translated(-option.rect.topLeft()))
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        self.initStyleOption(option, index)
        document = self._document(option, index)
        return QSize(int(document.idealWidth()), int(document.size().height()))


class _SearchBox(QLineEdit):
    down = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down:
            self.down.emit()
            return
        super().keyPressEvent(event)


class SearchDialog(QDialog):
    open_record = Signal(str, str)
    results_shown = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(f"Find — {TITLE}")
        self.setAccessibleName("Find")
        fit_to_screen(self, "search", 620, 420)
        layout = QVBoxLayout(self)
        self.query = _SearchBox(self)
        self.query.setAccessibleName("Search everything")
        self.query.setPlaceholderText(
            "Search meetings, notes, asks, commitments, people and letters"
        )
        label = QLabel("&Search:", self)
        label.setBuddy(self.query)
        layout.addWidget(label)
        layout.addWidget(self.query)
        self.results = QListWidget(self)
        self.results.setAccessibleName("Search results")
        self.results.setWordWrap(True)
        self.results.setItemDelegate(_HighlightDelegate(self.results))
        layout.addWidget(self.results)
        self.summary = QLabel("Type to search.", self)
        self.summary.setAccessibleName("Search summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search)
        self.query.textChanged.connect(lambda _t: self._timer.start())
        self.query.returnPressed.connect(self._open_first)
        self.query.down.connect(self._to_results)
        self.results.itemActivated.connect(self._open_item)
        self._asked = ""

    def _search(self) -> None:
        text = self.query.text()
        self._asked = text
        db = self.ctx.db

        def work() -> tuple[store_search.Hits, dict[str, Any]]:
            hits = queries.search(db, text, limit=50)
            starts = queries.meeting_starts(db, [h.ref for h in hits if h.kind == "meeting"])
            return hits, starts

        self.ctx.ops.run(work, on_done=lambda found: self._show(text, *found))

    def _show(
        self, text: str, hits: store_search.Hits, starts: dict[str, Any] | None = None
    ) -> None:
        if text != self._asked:
            return  # an older search finished after a newer one was asked
        starts = starts or {}
        self.results.clear()
        for hit in hits:
            if hit.kind not in kinds.BY_TABLE:
                continue
            heading = f"{kinds.BY_TABLE[hit.kind].label}: {hit.title}"
            if hit.ref in starts:  # repeated board meetings differ only by their date
                heading += f" — {format_datetime(starts[hit.ref])}"
            plain, marked = snippet_texts(hit.snippet)
            item = QListWidgetItem(f"{heading}\n   {plain}")
            item.setData(HTML_ROLE, f"<b>{escape(heading)}</b><br>&nbsp;&nbsp;&nbsp;{marked}")
            item.setData(Qt.ItemDataRole.UserRole, f"{kinds.BY_TABLE[hit.kind].name}:{hit.ref}")
            self.results.addItem(item)
        count = self.results.count()
        note = hits.note()  # the matches not shown, if any
        if not text.strip():
            self.summary.setText("Type to search.")
        elif count and note:
            self.summary.setText(f"{note} Press Enter to open the first, or ↓ to choose.")
        elif count:
            self.summary.setText(f"{count} found. Press Enter to open the first, or ↓ to choose.")
        else:
            self.summary.setText(f"Nothing matches “{text}”.")
        if count:
            self.results.setCurrentRow(0)
        self.results_shown.emit()

    def _to_results(self) -> None:
        if self.results.count():
            self.results.setFocus()
            self.results.setCurrentRow(0)

    def _open_first(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self._search()
            return
        if self.results.count():
            self._open_item(self.results.item(0))

    def _open_item(self, item: QListWidgetItem) -> None:
        ref = item.data(Qt.ItemDataRole.UserRole)
        if ref:
            entity, _, record_id = ref.partition(":")
            self.open_record.emit(entity, record_id)
            self.accept()
