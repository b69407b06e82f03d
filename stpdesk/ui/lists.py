"""A list page: filter box (as you type, debounced), optional status filter, table, count."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..model.clock import today
from ..services.views import LIST_FILTERS
from ..store import Database
from .models import RecordTableModel

FILTER_DELAY_MS = 250

PLURAL_LABELS = {
    "footprints": "footprints",
    "bodies": "bodies",
    "contacts": "contacts",
    "members": "members",
    "meetings": "meetings",
    "asks": "asks",
    "commitments": "commitments",
    "letters": "letters",
}


class RecordTable(QTableView):
    """Enter opens the chosen record, as a double-click does."""

    activated_row = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class ListPage(QWidget):
    open_record = Signal(str, str)  # entity, record id
    selection_changed = Signal()

    def __init__(
        self, db: Database, entity: str, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.entity = entity
        self.title = title
        self.setAccessibleName(title)
        self.model = RecordTableModel(db, entity, self)
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        heading = QLabel(f"<b>{title}</b>", self)
        top.addWidget(heading)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(f"Filter {title.lower()} as you type")
        self.filter.setAccessibleName(f"Filter {title.lower()}")
        self.filter.setClearButtonEnabled(True)
        label = QLabel("F&ilter:", self)
        label.setBuddy(self.filter)
        top.addWidget(label)
        top.addWidget(self.filter, 1)
        self.status_filter: QComboBox | None = None
        filters = LIST_FILTERS.get(entity)
        if filters is not None:
            self._filters = filters
            self.status_filter = QComboBox(self)
            self.status_filter.addItems(list(filters(today())))
            self.status_filter.setAccessibleName(f"Show which {title.lower()}")
            self.status_filter.currentTextChanged.connect(self._status_chosen)
            show = QLabel("S&how:", self)
            show.setBuddy(self.status_filter)
            top.addWidget(show)
            top.addWidget(self.status_filter)
        layout.addLayout(top)
        self.top_row = top

        self.table = RecordTable(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName(f"{title} list")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(False)  # the model sorts in the database; see _header_clicked
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.sectionClicked.connect(self._header_clicked)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.doubleClicked.connect(lambda index: self._open(index.row()))
        self.table.activated_row.connect(self._open)
        layout.addWidget(self.table)

        self.count_label = QLabel(self)
        self.count_label.setAccessibleName(f"Number of {title.lower()}")
        layout.addWidget(self.count_label)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FILTER_DELAY_MS)
        self._timer.timeout.connect(self._apply_filter)
        self.filter.textChanged.connect(lambda _text: self._timer.start())
        self.model.loaded.connect(self._show_count)
        self.model.rowsInserted.connect(lambda *_: self._show_count(self.model.total))
        self.model.modelReset.connect(self.selection_changed)
        self.table.selectionModel().selectionChanged.connect(
            lambda *_: self.selection_changed.emit()
        )
        self.loaded_once = False

    def add_action_button(self, action: QAction) -> QToolButton:
        """A button beside the filter for a window action about this list's records."""
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.top_row.addWidget(button)
        return button

    def ensure_loaded(self) -> None:
        if not self.loaded_once:
            self.loaded_once = True
            self.model.reload()
            self._size_columns()

    def reload(self) -> None:
        if self.loaded_once:
            chosen = self.current_id()
            self.model.reload()
            if chosen:
                self.select(chosen)

    def _size_columns(self) -> None:
        width = self.table.fontMetrics().averageCharWidth()
        for column in range(self.model.columnCount() - 1):
            self.table.setColumnWidth(column, width * 26)

    def _header_clicked(self, column: int) -> None:
        if not self.model.is_sortable(column):
            self.count_label.setText(f"{self.model.columns[column].header} cannot be sorted.")
            return
        header = self.table.horizontalHeader()
        same = self.model.order_field == self.model.columns[column].sort_field
        order = (
            Qt.SortOrder.DescendingOrder
            if same and not self.model.descending
            else Qt.SortOrder.AscendingOrder
        )
        header.setSortIndicator(column, order)
        self.model.sort(column, order)

    def _apply_filter(self) -> None:
        self.model.set_filter(self.filter.text())

    def _status_chosen(self, label: str) -> None:
        self.model.set_where(self._filters(today())[label])

    def show_only(self, label: str) -> None:
        if self.status_filter is not None:
            self.status_filter.setCurrentText(label)

    def _show_count(self, total: int) -> None:
        shown = self.model.rowCount()
        noun = PLURAL_LABELS[self.entity]
        if total == shown:
            self.count_label.setText(f"{total:,} {noun}")
        else:
            self.count_label.setText(f"Showing {shown:,} of {total:,} {noun} (scroll for more)")

    def _open(self, row: int) -> None:
        record_id = self.model.record_id(row)
        if record_id:
            self.open_record.emit(self.entity, record_id)

    def current_id(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().hasSelection():
            return None
        return self.model.record_id(index.row())

    def select(self, record_id: str) -> bool:
        row = self.model.row_of(record_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.selectRow(row)
        self.table.scrollTo(index)
        return True

    def current_index(self) -> QModelIndex:
        return self.table.currentIndex()
