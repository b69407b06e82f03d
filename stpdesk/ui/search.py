"""Global search (Ctrl+F / Ctrl+K): everything that matches, best first; Enter opens it."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..services import queries
from ..store import search as store_search
from .context import TITLE, AppContext
from .dashboard import ENTITY_OF_TABLE
from .screen_fit import fit_to_screen

SEARCH_DELAY_MS = 200
KIND_LABELS = {
    "footprint": "Footprint",
    "body": "Body",
    "contact": "Contact",
    "member": "Member",
    "meeting": "Meeting",
    "ask": "Ask",
    "commitment": "Commitment",
    "letter": "Letter",
}


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
        self.ctx.ops.run(
            lambda: queries.search(db, text, limit=50), on_done=lambda hits: self._show(text, hits)
        )

    def _show(self, text: str, hits: store_search.Hits) -> None:
        if text != self._asked:
            return  # an older search finished after a newer one was asked
        self.results.clear()
        for hit in hits:
            if hit.kind not in ENTITY_OF_TABLE:
                continue
            item = QListWidgetItem(
                f"{KIND_LABELS.get(hit.kind, hit.kind)}: {hit.title}\n   {hit.snippet}"
            )
            item.setData(Qt.ItemDataRole.UserRole, f"{ENTITY_OF_TABLE[hit.kind]}:{hit.ref}")
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
