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

from ..model import kinds
from ..services.views import LIST_FILTERS
from ..store import Database
from .models import RecordTableModel
from .operations import Operations
from .screen_fit import window_settings

FILTER_DELAY_MS = 250
MAX_COLUMN_CHARS = 16  # a column of names or places fitted to its content grows no wider

# What to do about an empty list, said in it.
NEXT_STEP = {
    "meetings": "Record a meeting — Ctrl+N — or import your calendar (File ▸ Import calendar).",
    "contacts": "Add a contact — Ctrl+Shift+N — or import your contacts (File ▸ Import contacts).",
    "asks": "Asks are added with the meeting they were made at: record a meeting — Ctrl+N.",
    "commitments": "Commitments are added with the meeting they were given at: "
    "record a meeting — Ctrl+N.",
    "letters": "Write a letter — Ctrl+Shift+L.",
    "*": "Add one — Ctrl+Shift+N.",
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
        self,
        db: Database,
        entity: str,
        title: str,
        parent: QWidget | None = None,
        *,
        ops: Operations | None = None,
    ) -> None:
        super().__init__(parent)
        self.entity = entity
        self.title = title
        self.setAccessibleName(title)
        self.model = RecordTableModel(db, entity, self, ops=ops)
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
            self.status_filter.addItems(list(filters()))
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
        self.table.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setResizeContentsPrecision(0)  # fit columns to the rows in view, not 1,000
        header.setStretchLastSection(False)  # the main text column stretches instead
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.sectionClicked.connect(self._header_clicked)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.doubleClicked.connect(lambda index: self._open(index.row()))
        self.table.activated_row.connect(self._open)
        layout.addWidget(self.table)

        self.empty_label = QLabel(self)  # says what to do when the list is empty
        self.empty_label.setAccessibleName(f"No {title.lower()}")
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()
        layout.insertWidget(1, self.empty_label)

        self.count_label = QLabel(self)
        self.count_label.setAccessibleName(f"Number of {title.lower()}")
        layout.addWidget(self.count_label)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FILTER_DELAY_MS)
        self._timer.timeout.connect(self._apply_filter)
        self.filter.textChanged.connect(lambda _text: self._timer.start())
        self.model.loaded.connect(self._first_page_shown)
        self.model.counted.connect(self._show_count)
        self.model.load_failed.connect(self._not_loaded)
        self.model.rowsInserted.connect(lambda *_: self._show_count(self.model.total))
        self.model.modelReset.connect(self.selection_changed)
        self.table.selectionModel().selectionChanged.connect(
            lambda *_: self.selection_changed.emit()
        )
        self.loaded_once = False
        self._columns_sized = False
        self._reselect: str | None = None  # chosen before a reload, chosen again after it

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
            self._restore_sort()
            self.count_label.setText("Reading…")
            self.model.reload()

    def reload(self) -> None:
        if self.loaded_once:
            self._reselect = self.current_id() or self._reselect
            self.model.reload()

    def _first_page_shown(self, total: int) -> None:
        if not self._columns_sized:  # fitted to the first rows
            self._columns_sized = True
            self._size_columns()
        self._show_count(total)
        chosen, self._reselect = self._reselect, None
        if chosen:
            self.select(chosen)

    def _not_loaded(self, problem: str) -> None:
        self.count_label.setText(f"The list could not be read: {problem}")

    # --- columns and sort order, remembered per list ------------------------------------

    def _settings_key(self, what: str) -> str:
        return f"lists/{self.entity}/{what}"

    def _size_columns(self) -> None:
        """The main text column takes the spare width; dates and words from a fixed list
        fit their content, other columns up to a limit, unless the user has given a
        column a width before."""
        header = self.table.horizontalHeader()
        saved = window_settings().value(self._settings_key("widths")) or {}
        saved = saved if isinstance(saved, dict) else {}
        most = self.table.fontMetrics().averageCharWidth() * MAX_COLUMN_CHARS
        for column, spec in enumerate(self.model.columns):
            if spec.stretch:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
                continue
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            width = _as_int(saved.get(spec.header))
            if width is None:
                self.table.resizeColumnToContents(column)
                width = self.table.columnWidth(column)
                width = width if spec.short else min(width, most)
            self.table.setColumnWidth(column, width)
        header.sectionResized.connect(self._column_resized)

    def _column_resized(self, column: int, _old: int, new: int) -> None:
        spec = self.model.columns[column]
        if spec.stretch:
            return
        settings = window_settings()
        widths = settings.value(self._settings_key("widths")) or {}
        widths = dict(widths) if isinstance(widths, dict) else {}
        widths[spec.header] = new
        settings.setValue(self._settings_key("widths"), widths)

    def _restore_sort(self) -> None:
        settings = window_settings()
        field = settings.value(self._settings_key("sort"))
        descending = settings.value(self._settings_key("descending")) in (True, "true")
        for column, spec in enumerate(self.model.columns):
            if field and spec.sort_field == field:
                self.model.order_field, self.model.descending = field, descending
                order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
                self.table.horizontalHeader().setSortIndicator(column, order)

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
        settings = window_settings()
        settings.setValue(self._settings_key("sort"), self.model.order_field)
        settings.setValue(self._settings_key("descending"), bool(self.model.descending))

    def _apply_filter(self) -> None:
        self.model.set_filter(self.filter.text())

    def _status_chosen(self, label: str) -> None:
        self.model.set_where(self._filters()[label])

    def show_only(self, label: str) -> None:
        if self.status_filter is not None:
            self.status_filter.setCurrentText(label)

    def _show_count(self, total: int) -> None:
        shown = self.model.rowCount()
        noun = kinds.BY_NAME[self.entity].plural.lower()
        if total < 0:  # a short filter found in many: counted in the background
            self.empty_label.hide()
            self.count_label.setText(f"Showing the first {shown:,} {noun} (counting the rest…)")
            return
        self._show_empty_state(total)
        if total == shown:
            self.count_label.setText(f"{total:,} {noun}")
        else:
            self.count_label.setText(f"Showing {shown:,} of {total:,} {noun} (scroll for more)")

    def _show_empty_state(self, total: int) -> None:
        noun = kinds.BY_NAME[self.entity].plural.lower()
        if total:
            self.empty_label.hide()
            return
        if self.model.filter_text:
            text = f"No {noun} match “{self.model.filter_text}”. Clear the filter to see them all."
        elif self.model.where:
            text = f"No {noun} to show here. Choose another “Show” to see the others."
        else:
            text = f"No {noun} yet. {NEXT_STEP.get(self.entity, NEXT_STEP['*'])}"
        self.empty_label.setText(text)
        self.empty_label.show()

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
        """Choose the record's row; while the list is being read, once it has been read."""
        if self.model.loading:
            self._reselect = record_id
            return False
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


def _as_int(value: object) -> int | None:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None
