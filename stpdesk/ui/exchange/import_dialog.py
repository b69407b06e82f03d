"""Import previews: what a calendar or contacts file would add, update or skip, with
each problem by line. Import is offered only when the file has no problems, and the
import itself runs off the UI thread, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...model import clock
from ...model.types import format_date
from ...services import imports
from ...services.errors import ServiceError
from ..context import AppContext, show_error
from ..widgets import PROBLEM_STYLE
from . import columns

ACTION_TEXT = {"add": "Add", "update": "Update", "skip": "Skip"}
NOT_USED = "(not used)"
RANGE_DELAY_MS = 300
MAPPING_COLUMNS = 3  # label-and-choice pairs side by side, to leave room for the rows


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


class ImportDialog(QDialog):
    """The preview shared by both kinds of import; subclasses add their options."""

    previewed = Signal()  # a preview (or the reason there is none) is on show
    imported = Signal(dict)  # the counts the import reports

    noun = "record"
    changes: frozenset[str] = frozenset()

    def __init__(self, ctx: AppContext, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.path = path
        self.preview: imports.ImportPreview | None = None
        self._generation = 0  # a preview asked for before the options changed is dropped
        self.resize(900, 640)
        layout = QVBoxLayout(self)

        self.summary = QLabel("Reading the file…", self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("What the import would do")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)

        self.options = QVBoxLayout()
        layout.addLayout(self.options)

        self.notes = QLabel(self)
        self.notes.setWordWrap(True)
        self.notes.setAccessibleName("About the file")
        self.notes.hide()
        layout.addWidget(self.notes)

        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels(["Line", "Action", self.noun.capitalize(), "Notes"])
        self.table.setAccessibleName(f"{self.noun.capitalize()}s in the file")
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        layout.addWidget(self.table, 3)

        self.problems_box = QGroupBox(
            "Problems: nothing can be imported until they are put right", self
        )
        self.problems_box.setStyleSheet(f"QGroupBox {{ {PROBLEM_STYLE} }}")
        problems_layout = QVBoxLayout(self.problems_box)
        self.problems = QListWidget(self.problems_box)
        self.problems.setAccessibleName("Problems in the file")
        problems_layout.addWidget(self.problems)
        hint = QLabel(
            "Correct these lines in the file (or choose other columns above), save it and "
            "open it again. Nothing has been written.",
            self.problems_box,
        )
        hint.setWordWrap(True)
        problems_layout.addWidget(hint)
        self.problems_box.hide()
        layout.addWidget(self.problems_box, 1)

        self.extra_box = QGroupBox(self)
        extra_layout = QVBoxLayout(self.extra_box)
        self.extra_list = QListWidget(self.extra_box)
        self.extra_list.setMaximumHeight(self.fontMetrics().lineSpacing() * 6)
        extra_layout.addWidget(self.extra_list)
        self.extra_check = QCheckBox(self.extra_box)
        self.extra_check.toggled.connect(lambda _on: self.refresh_preview())
        extra_layout.addWidget(self.extra_check)
        self.extra_box.hide()
        layout.addWidget(self.extra_box, 1)

        self.buttons = QDialogButtonBox(self)
        self.import_button = QPushButton("&Import", self)
        self.import_button.setAccessibleName("Import")
        self.import_button.setEnabled(False)
        self.import_button.setDefault(True)
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.clicked.connect(self.import_now)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    # --- what subclasses provide ------------------------------------------------------

    def preview_work(self) -> Callable[[], Any]:
        raise NotImplementedError

    def import_work(self) -> Callable[[], tuple[imports.ImportPreview, dict[str, int]]]:
        raise NotImplementedError

    def extra_items(self, preview: imports.ImportPreview) -> list[str]:
        return []

    # --- preview ------------------------------------------------------------------------

    def refresh_preview(self) -> None:
        self._generation += 1
        generation = self._generation
        self.import_button.setEnabled(False)
        self.summary.setText("Reading the file…")
        self.ctx.ops.run(
            self.preview_work(),
            on_done=lambda result: self._previewed(generation, result),
            on_error=lambda error: self._failed(generation, error),
        )

    def _previewed(self, generation: int, result: Any) -> None:
        if generation == self._generation:
            self.show_result(result)

    def show_result(self, result: Any) -> None:
        self.show_preview(result)

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        if not isinstance(error, ServiceError):
            show_error(self, error, "Reading the file")
        self.show_unreadable(str(error))

    def show_unreadable(self, message: str) -> None:
        """The file cannot be read at all: say why, offer nothing to import."""
        self.preview = None
        self.summary.setText(f"{self.path.name} cannot be imported.")
        self.table.setRowCount(0)
        self.notes.hide()
        self.extra_box.hide()
        self._show_problems([message])
        self.import_button.setEnabled(False)
        self.previewed.emit()

    def show_preview(self, preview: imports.ImportPreview) -> None:
        self.preview = preview
        self.summary.setText(preview.summary())
        self.notes.setText("\n".join(preview.notes))
        self.notes.setVisible(bool(preview.notes))
        self.table.setRowCount(len(preview.rows))
        for row, planned in enumerate(preview.rows):
            cells = [
                str(planned.line),
                ACTION_TEXT.get(planned.action, planned.action),
                planned.summary,
                "; ".join(planned.notes),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 3 and text:
                    item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(2, min(self.table.columnWidth(2), 560))
        self._show_problems([str(problem) for problem in preview.problems])
        extra = self.extra_items(preview)
        self.extra_list.clear()
        self.extra_list.addItems(extra)
        self.extra_box.setVisible(bool(extra))
        writes = preview.count("add") + preview.count("update")
        self.import_button.setEnabled(preview.ok and writes > 0)
        if preview.ok and not writes:
            self.summary.setText(preview.summary() + " There is nothing new to import.")
        self.previewed.emit()

    def _show_problems(self, problems: list[str]) -> None:
        self.problems.clear()
        self.problems.addItems([text[0].upper() + text[1:] for text in problems if text])
        self.problems_box.setTitle(
            f"{_plural(len(problems), 'problem')}: nothing can be imported until "
            f"{'it is' if len(problems) == 1 else 'they are'} put right"
        )
        self.problems_box.setVisible(bool(problems))

    # --- import ---------------------------------------------------------------------------

    def import_now(self) -> None:
        if self.preview is None or not self.preview.ok:
            return
        self.import_button.setEnabled(False)
        self.summary.setText(f"Importing {self.path.name}…")
        self.ctx.ops.run(
            self.import_work(),
            on_done=self._imported,
            on_error=self._import_failed,
            changes=self.changes,
        )

    def _imported(self, result: tuple[imports.ImportPreview, dict[str, int]]) -> None:
        _preview, counts = result
        self.counts = counts
        self.imported.emit(counts)
        self.accept()

    def _import_failed(self, error: BaseException) -> None:
        if isinstance(error, imports.ImportRefused):  # the file changed since the preview
            self.show_preview(error.preview)
            return
        self.import_button.setEnabled(self.preview is not None and self.preview.ok)
        self.summary.setText(f"{self.path.name} was not imported: nothing was written.")
        show_error(self, error, "Importing")


def imported_message(noun: str, counts: dict[str, int]) -> str:
    """'Imported 13 meetings (2 updated, 1 already here); 4 new contacts.'"""
    text = f"Imported {_plural(counts.get('added', 0), noun)}"
    extras = []
    if counts.get("updated"):
        extras.append(f"{counts['updated']:,} updated")
    if counts.get("skipped"):
        extras.append(f"{counts['skipped']:,} already here or skipped")
    if extras:
        text += f" ({', '.join(extras)})"
    for key in ("new contacts", "new bodies"):
        if counts.get(key):
            text += f"; {counts[key]:,} {key}"
    return text + "."


class CalendarImportDialog(ImportDialog):
    """Meetings from an .ics file, optionally only those in a date range."""

    noun = "meeting"
    changes = frozenset({"meetings", "contacts"})

    def __init__(self, ctx: AppContext, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(ctx, path, parent)
        self.setWindowTitle(f"Import calendar — {path.name}")
        self.setAccessibleName("Import calendar")
        self.setObjectName("import_calendar_dialog")
        row = QHBoxLayout()
        self.limit = QCheckBox("Only meetings &between", self)
        self.limit.setAccessibleName("Only import meetings in a date range")
        today = clock.today()
        self.start = self._date_edit("First day", today - timedelta(days=365))
        self.end = self._date_edit("Last day", today + timedelta(days=365))
        self.start.setEnabled(False)
        self.end.setEnabled(False)
        row.addWidget(self.limit)
        row.addWidget(self.start)
        row.addWidget(QLabel("and", self))
        row.addWidget(self.end)
        row.addStretch()
        self.options.addLayout(row)
        self._range_timer = QTimer(self)
        self._range_timer.setSingleShot(True)
        self._range_timer.setInterval(RANGE_DELAY_MS)
        self._range_timer.timeout.connect(self.refresh_preview)
        self.limit.toggled.connect(self._limit_toggled)
        self.extra_box.setTitle("People in the invitations who are not yet in your contacts")
        self.extra_list.setAccessibleName("People not yet in your contacts")
        self.extra_check.setText("&Add them as contacts")
        self.extra_check.setAccessibleName("Add them as contacts")
        self.refresh_preview()

    def _date_edit(self, name: str, day: date) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day), self)
        edit.setDisplayFormat("d MMMM yyyy")
        edit.setCalendarPopup(True)
        edit.setAccessibleName(name)
        edit.dateChanged.connect(lambda _day: self._range_timer.start())
        return edit

    def _limit_toggled(self, on: bool) -> None:
        self.start.setEnabled(on)
        self.end.setEnabled(on)
        self.refresh_preview()

    def set_range(self, start: date | None, end: date | None) -> None:
        """Choose the range as a user would (tests use this)."""
        self.limit.blockSignals(True)
        self.limit.setChecked(start is not None)
        self.limit.blockSignals(False)
        self.start.setEnabled(start is not None)
        self.end.setEnabled(start is not None)
        if start and end:
            self.start.setDate(QDate(start.year, start.month, start.day))
            self.end.setDate(QDate(end.year, end.month, end.day))
        self._range_timer.stop()
        self.refresh_preview()

    def _options(self) -> dict[str, Any]:
        start = end = None
        if self.limit.isChecked():
            start, end = self.start.date().toPython(), self.end.date().toPython()
        return {"start": start, "end": end, "add_contacts": self.extra_check.isChecked()}

    def preview_work(self) -> Callable[[], Any]:
        db, path, options = self.ctx.db, self.path, self._options()
        return lambda: imports.preview_ics(db, path, **options)

    def import_work(self) -> Callable[[], Any]:
        db, path, options = self.ctx.db, self.path, self._options()
        return lambda: imports.import_ics(db, path, **options)

    def extra_items(self, preview: imports.ImportPreview) -> list[str]:
        return [
            f"{person.name} <{person.email}> (line {person.line})" for person in preview.new_people
        ]

    def describe_range(self) -> str:
        options = self._options()
        if options["start"] is None:
            return ""
        return f"{format_date(options['start'])} to {format_date(options['end'])}"


class ContactsImportDialog(ImportDialog):
    """Contacts from a CSV file (with its columns mapped to contact fields) or a vCard file."""

    noun = "contact"
    changes = frozenset({"contacts", "bodies"})

    def __init__(self, ctx: AppContext, path: Path, parent: QWidget | None = None) -> None:
        self.combos: dict[str, QComboBox] = {}
        self.automatic: dict[str, str] = {}
        self.unknown_bodies: list[str] = []
        super().__init__(ctx, path, parent)
        self.setWindowTitle(f"Import contacts — {path.name}")
        self.setAccessibleName("Import contacts")
        self.setObjectName("import_contacts_dialog")
        self.extra_box.setTitle("Organisations that are not yet bodies in stpdesk")
        self.extra_list.setAccessibleName("New bodies")
        self.extra_check.setText("&Add them as bodies (otherwise the contacts have no body)")
        self.extra_check.setAccessibleName("Add them as bodies")
        self.mapping_box = QGroupBox("Which column holds what", self)
        self.mapping_grid = QGridLayout(self.mapping_box)
        self.mapping_box.hide()
        self.options.addWidget(self.mapping_box)
        if columns.is_vcard(path):
            self.refresh_preview()
        else:
            self.ctx.ops.run(
                lambda: columns.csv_columns(path),
                on_done=self._show_columns,
                on_error=lambda error: self._failed(self._generation, error),
            )

    def _show_columns(self, found: tuple[list[str], dict[str, str]]) -> None:
        headers, self.automatic = found
        choices = [header for header in headers if header.strip()]
        for number, (field, label) in enumerate(columns.FIELD_LABELS.items()):
            combo = QComboBox(self.mapping_box)
            combo.setAccessibleName(f"Column for {label.lower()}")
            if field not in self.automatic:  # a column found by its name cannot be unset
                combo.addItem(NOT_USED)
            combo.addItems(choices)
            if field in self.automatic:
                combo.setCurrentText(self.automatic[field])
            combo.currentTextChanged.connect(lambda _text: self.refresh_preview())
            self.combos[field] = combo
            caption = QLabel(f"{label}:", self.mapping_box)
            caption.setBuddy(combo)
            row, column = divmod(number, MAPPING_COLUMNS)
            self.mapping_grid.addWidget(caption, row, column * 2)
            self.mapping_grid.addWidget(combo, row, column * 2 + 1)
        self.mapping_box.show()
        self.refresh_preview()

    def choose_column(self, field: str, header: str) -> None:
        """Map a field to a column as a user would (tests use this)."""
        self.combos[field].setCurrentText(header)

    def mapping(self) -> dict[str, str]:
        """The columns the user chose that differ from those found by name."""
        chosen = {}
        for field, combo in self.combos.items():
            header = combo.currentText()
            if header != NOT_USED and header != self.automatic.get(field):
                chosen[field] = header
        return chosen

    def _options(self) -> dict[str, Any]:
        return {"mapping": self.mapping(), "add_bodies": self.extra_check.isChecked()}

    def preview_work(self) -> Callable[[], Any]:
        db, path, options = self.ctx.db, self.path, self._options()

        def work() -> tuple[imports.ImportPreview, list[str]]:
            preview = imports.preview_contacts(db, path, **options)
            if options["add_bodies"]:
                return preview, preview.new_bodies
            # which organisations are unknown, so the user can choose to add them
            unknown = imports.preview_contacts(
                db, path, mapping=options["mapping"], add_bodies=True
            )
            return preview, unknown.new_bodies

        return work

    def show_result(self, result: tuple[imports.ImportPreview, list[str]]) -> None:
        preview, self.unknown_bodies = result
        self.show_preview(preview)

    def import_work(self) -> Callable[[], Any]:
        db, path, options = self.ctx.db, self.path, self._options()
        return lambda: imports.import_contacts(db, path, **options)

    def extra_items(self, preview: imports.ImportPreview) -> list[str]:
        return list(self.unknown_bodies)
