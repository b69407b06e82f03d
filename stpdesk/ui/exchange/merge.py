"""File ▸ Exchange: merge a bundle from another laptop, then settle each record that was
changed on both laptops by choosing one version, shown side by side."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...model import kinds
from ...services import exchange
from ..context import AppContext, show_error
from ..jobs import ProgressReporter
from ..screen_fit import fit_to_screen
from ..widgets import record_table
from . import choosers, describe
from .export import ExportJob, start_export

# The lists that show each kind of record, so the right views refresh.
EVERYTHING = frozenset(kind.name for kind in kinds.KINDS)


class ExchangeDialog(QDialog):
    """Import a bundle, see what the merge did, and the conflicts still to settle."""

    loaded = Signal()  # the conflict list is up to date
    merged = Signal(str)  # the merge summary

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.conflicts: list[exchange.ConflictInfo] = []
        self.export_job: ExportJob | None = None
        self.conflict_dialog: ConflictDialog | None = None
        self.setWindowTitle("Exchange with another laptop")
        self.setAccessibleName("Exchange with another laptop")
        self.setObjectName("exchange_dialog")
        fit_to_screen(self, "exchange", 820, 480)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "To share records without a server, make a bundle on one laptop, copy it across "
            "(a memory stick or a secure email) and import it on the other. Records changed "
            "on only one laptop are taken; records changed on both are listed below for you "
            "to choose which version to keep.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.import_button = QPushButton("&Import a bundle from the other laptop…", self)
        self.import_button.setAccessibleName("Import a bundle from the other laptop")
        self.import_button.clicked.connect(self.choose_bundle)
        self.export_button = QPushButton("&Make a bundle for the other laptop…", self)
        self.export_button.setAccessibleName("Make a bundle for the other laptop")
        self.export_button.clicked.connect(self.make_bundle)
        row.addWidget(self.import_button)
        row.addWidget(self.export_button)
        row.addStretch()
        layout.addLayout(row)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("What the last exchange did")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        self.conflicts_label = QLabel(self)
        layout.addWidget(self.conflicts_label)
        self.table = record_table(
            self, ["Record", "Changed on both laptops"], "Conflicts to resolve"
        )
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.resolve_chosen())
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.resolve_button = QPushButton("&Resolve…", self)
        self.resolve_button.setAccessibleName("Resolve the chosen conflict")
        self.resolve_button.setEnabled(False)
        self.resolve_button.clicked.connect(self.resolve_chosen)
        buttons.addWidget(self.resolve_button)
        buttons.addStretch()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        db = self.ctx.db
        self.ctx.ops.run(
            lambda: exchange.conflicts(db),
            on_done=self._show_conflicts,
            on_error=lambda error: show_error(self, error, "Listing conflicts"),
        )

    def _show_conflicts(self, found: list[exchange.ConflictInfo]) -> None:
        self.conflicts = found
        self.table.setRowCount(len(found))
        for row, conflict in enumerate(found):
            fields = ", ".join(describe.field_label(name) for name, _, _ in conflict.differences)
            for column, text in enumerate([conflict.label, fields]):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, conflict.id)
                self.table.setItem(row, column, item)
        self.table.resizeColumnToContents(0)
        count = len(found)
        self.conflicts_label.setText(
            f"{count} record{' was' if count == 1 else 's were'} changed on both laptops. "
            "Choose one and Resolve to keep one version."
            if count
            else "No conflicts: nothing is waiting for you to choose."
        )
        if count and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        self._selection_changed()
        self.loaded.emit()

    def _chosen(self) -> exchange.ConflictInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.conflicts[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        self.resolve_button.setEnabled(self._chosen() is not None)

    # --- importing ------------------------------------------------------------------------

    def choose_bundle(self) -> None:
        path = choosers.open_file(
            self,
            "Import a bundle from the other laptop",
            f"stpdesk exchange bundle (*{exchange.BUNDLE_SUFFIX});;All files (*)",
        )
        if path is not None:
            self.import_bundle(path)

    def import_bundle(self, path: Path) -> None:
        db = self.ctx.db
        progress = ProgressReporter(self, f"Merging {path.name}…", "Exchange")
        self.import_button.setEnabled(False)
        self.summary.setText(f"Merging {path.name}…")

        def done(result: exchange.MergeResult) -> None:
            progress.finish()
            self.import_button.setEnabled(True)
            text = f"Merged {path.name}: {result.summary()}"
            if result.not_restored:
                text += (
                    f" {result.not_restored:,} records removed for good here were not brought back."
                )
            self.summary.setText(text)
            self.reload()
            self.merged.emit(text)

        def failed(error: BaseException) -> None:
            progress.finish()
            self.import_button.setEnabled(True)
            self.summary.setText(f"{path.name} was not imported: nothing was changed.")
            show_error(self, error, "Importing the bundle")

        self.ctx.ops.run(
            lambda: exchange.import_bundle(db, path, progress=progress),
            on_done=done,
            on_error=failed,
            changes=EVERYTHING,
        )

    def make_bundle(self) -> None:
        self.export_job = start_export(self.ctx, self, "bundle")
        if self.export_job is not None:
            self.export_job.finished.connect(
                lambda message: self.summary.setText(message) if message else None
            )

    # --- resolving ----------------------------------------------------------------------

    def resolve_chosen(self) -> ConflictDialog | None:
        chosen = self._chosen()
        if chosen is None:
            return None
        dialog = ConflictDialog(self.ctx, chosen, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resolved.connect(lambda _choice: self.reload())
        dialog.show()
        self.conflict_dialog = dialog
        return dialog


class ConflictDialog(QDialog):
    """One record changed on both laptops: both versions side by side, keep one."""

    loaded = Signal()
    resolved = Signal(str)  # "ours" or "theirs"

    def __init__(
        self, ctx: AppContext, conflict: exchange.ConflictInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.conflict = conflict
        self.setWindowTitle(f"Resolve: {conflict.label}")
        self.setAccessibleName("Resolve a conflict")
        self.setObjectName("conflict_dialog")
        fit_to_screen(self, "conflict", 820, 420)
        layout = QVBoxLayout(self)
        heading = QLabel(
            f"{conflict.label} was changed on this laptop and on the other one. "
            "These are the fields that differ; choose which version to keep. The "
            "choice is recorded in the record's history.",
            self,
        )
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.table = record_table(
            self, ["Field", "This laptop", "Other laptop"], "The two versions side by side"
        )
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(self)
        self.keep_ours = QPushButton("Keep &this laptop's", self)
        self.keep_ours.setAccessibleName("Keep this laptop's version")
        self.keep_theirs = QPushButton("Keep the &other laptop's", self)
        self.keep_theirs.setAccessibleName("Keep the other laptop's version")
        buttons.addButton(self.keep_ours, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.keep_theirs, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        self.keep_ours.clicked.connect(lambda: self.keep("ours"))
        self.keep_theirs.clicked.connect(lambda: self.keep("theirs"))
        layout.addWidget(buttons)
        self._set_rows([(describe.field_label(n), "…", "…") for n, _o, _t in conflict.differences])
        db = ctx.db
        ctx.ops.run(
            lambda: describe.describe_differences(db, conflict),
            on_done=self._described,
            on_error=lambda error: show_error(self, error, "Showing the two versions"),
        )

    def _set_rows(self, rows: list[tuple[str, str, str]]) -> None:
        self.table.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()

    def _described(self, rows: list[tuple[str, str, str]]) -> None:
        self._set_rows(rows)
        self.loaded.emit()

    def rows(self) -> list[tuple[str, str, str]]:
        return [
            tuple(self.table.item(row, column).text() for column in range(3))  # type: ignore[misc]
            for row in range(self.table.rowCount())
        ]

    def keep(self, choice: str) -> None:
        self.keep_ours.setEnabled(False)
        self.keep_theirs.setEnabled(False)
        db, conflict_id = self.ctx.db, self.conflict.id

        def done(_result: object) -> None:
            self.resolved.emit(choice)
            self.accept()

        def failed(error: BaseException) -> None:
            self.keep_ours.setEnabled(True)
            self.keep_theirs.setEnabled(True)
            show_error(self, error, "Resolving the conflict")

        self.ctx.ops.run(
            lambda: exchange.resolve(db, conflict_id, choice),
            on_done=done,
            on_error=failed,
            changes={kinds.BY_TABLE[self.conflict.entity].name},
        )
