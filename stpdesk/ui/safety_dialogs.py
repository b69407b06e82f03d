"""Backups and Recently deleted: the ways back, in the app."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..model.types import format_datetime
from ..services import recycle, safety
from .context import AppContext, show_error
from .screen_fit import fit_to_screen
from .widgets import record_table

EVERYTHING = {
    "footprints",
    "bodies",
    "contacts",
    "members",
    "meetings",
    "asks",
    "commitments",
    "letters",
}


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(1, size // 1024)} KB"


def _on_yes(box: QMessageBox, action: Callable[[], None]) -> None:
    """Open a question without blocking; run ``action`` only if the answer is Yes."""
    yes = box.button(QMessageBox.StandardButton.Yes)
    box.finished.connect(lambda _result: action() if box.clickedButton() is yes else None)
    box.open()


def _cell(text: str) -> QTableWidgetItem:
    return QTableWidgetItem(text)


class BackupsDialog(QDialog):
    """Every backup beside the database, with Back up now and Restore."""

    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Backups")
        self.setAccessibleName("Backups")
        fit_to_screen(self, "backups", 760, 360)
        self.infos: list[safety.store_backup.BackupInfo] = []
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = record_table(self, ["Taken", "Size", "Holds", "File"], "Backups")
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.back_up_button = QPushButton("&Back up now", self)
        self.back_up_button.setAccessibleName("Back up now")
        self.back_up_button.clicked.connect(self.back_up_now)
        self.restore_button = QPushButton("&Restore this backup…", self)
        self.restore_button.setAccessibleName("Restore the chosen backup")
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self.ask_to_restore)
        buttons.addWidget(self.back_up_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        path = self.ctx.db.path
        self.ctx.ops.run(lambda: safety.backups(path), on_done=self._show)

    def _show(self, infos: list[safety.store_backup.BackupInfo]) -> None:
        self.infos = infos
        self.table.setRowCount(len(infos))
        for row, info in enumerate(infos):
            holds = info.summary if info.ok else f"Cannot be used: {info.problem}"
            for column, text in enumerate(
                [format_datetime(info.taken), _size(info.size), holds, info.path.name]
            ):
                self.table.setItem(row, column, _cell(text))
        self.table.resizeColumnsToContents()
        self.summary.setText(
            f"{len(infos)} backup{'' if len(infos) == 1 else 's'} of {self.ctx.db.path.name}, "
            f"newest first, in {self.ctx.db.path.parent / 'backups'}."
            if infos
            else "There are no backups yet. Choose Back up now to make one."
        )
        self._selection_changed()
        self.loaded.emit()

    def _chosen(self) -> safety.store_backup.BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.infos[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        chosen = self._chosen()
        self.restore_button.setEnabled(chosen is not None and chosen.ok)

    def back_up_now(self) -> None:
        path = self.ctx.db.path
        self.back_up_button.setEnabled(False)

        def done(_info: object) -> None:
            self.back_up_button.setEnabled(True)
            self.reload()
            self.ctx.ops.notify({"backups"})

        def failed(error: BaseException) -> None:
            self.back_up_button.setEnabled(True)
            show_error(self, error, "Backing up")

        self.ctx.ops.run(lambda: safety.back_up(path), on_done=done, on_error=failed)

    def ask_to_restore(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Restore backup",
            f"Replace everything in {self.ctx.db.path.name} with the backup taken "
            f"{format_datetime(chosen.taken)}?\n\nWhat is there now is backed up first, "
            "so you can come back to it.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setObjectName("confirm_restore")
        _on_yes(box, lambda: self.restore(chosen))

    def restore(self, chosen: safety.store_backup.BackupInfo) -> None:
        db = self.ctx.db

        def work() -> object:
            db.close()  # drop pooled connections; the engine reconnects on next use
            return safety.restore(db.path, chosen.path)

        def done(result: object) -> None:
            self.reload()
            self.ctx.ops.notify(EVERYTHING | {"backups"})

        self.ctx.ops.run(
            work, on_done=done, on_error=lambda error: show_error(self, error, "Restoring")
        )


class RecentlyDeletedDialog(QDialog):
    """Deleted meetings, asks, commitments, contacts and letters: restore, or remove for good."""

    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.records: list[recycle.DeletedRecord] = []
        self.setWindowTitle("Recently deleted")
        self.setAccessibleName("Recently deleted")
        fit_to_screen(self, "recently_deleted", 720, 360)
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        layout.addWidget(self.summary)
        self.table = record_table(self, ["Deleted", "Kind", "Record"], "Recently deleted records")
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.restore_chosen())
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.restore_button = QPushButton("&Restore", self)
        self.restore_button.setAccessibleName("Restore the chosen record")
        self.restore_button.clicked.connect(self.restore_chosen)
        self.empty_button = QPushButton("&Empty…", self)
        self.empty_button.setAccessibleName("Remove every deleted record for good")
        self.empty_button.clicked.connect(self.ask_to_empty)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.empty_button)
        buttons.addStretch()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.ctx.ops.changed.connect(self._changed)
        self.reload()

    def _changed(self, kinds: set[str]) -> None:
        if kinds & set(recycle.RECOVERABLE):
            self.reload()

    def reload(self) -> None:
        db = self.ctx.db
        self.ctx.ops.run(lambda: recycle.recently_deleted(db), on_done=self._show)

    def _show(self, records: list[recycle.DeletedRecord]) -> None:
        self.records = records
        self.table.setRowCount(len(records))
        for row, record in enumerate(records):
            kind = record.kind[:-1].capitalize()
            for column, text in enumerate(
                [format_datetime(record.deleted_at), kind, record.summary]
            ):
                item = _cell(text)
                item.setData(Qt.ItemDataRole.UserRole, record.id)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.summary.setText(
            "Deleted records stay here until you empty the list."
            if records
            else "Nothing has been deleted."
        )
        self.empty_button.setEnabled(bool(records))
        self._selection_changed()
        self.loaded.emit()

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    def restore_chosen(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        record = self.records[rows[0].row()]
        db = self.ctx.db
        self.ctx.ops.run(
            lambda: recycle.restore(db, record.id),
            changes={record.kind},
            on_error=lambda error: show_error(self, error, "Restoring"),
        )

    def ask_to_empty(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Empty recently deleted",
            f"Remove {len(self.records)} deleted record{'' if len(self.records) == 1 else 's'} "
            "for good? This cannot be undone (a backup taken before today still holds them).",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setObjectName("confirm_empty")
        _on_yes(box, self.empty)

    def empty(self) -> None:
        db = self.ctx.db
        kinds = {record.kind for record in self.records}
        self.ctx.ops.run(
            lambda: recycle.empty(db),
            changes=kinds,
            on_error=lambda error: show_error(self, error, "Emptying"),
        )
