"""File ▸ Export ▸ Action log: which commitments (everything, one body or one footprint)
and which format (a spreadsheet or a PDF), then where to save; written off the UI
thread as every export is (see export.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QGroupBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ...documents.action_log import save_action_log
from ...model import clock
from ...safe_files import safe_file_name
from ...services import workflows
from ...services.action_log import FORMATS
from ...store import Database
from ..context import TITLE, AppContext
from ..jobs import ProgressReporter
from ..screen_fit import fit_to_screen
from ..widgets import Picker, ProblemLabel, ok_and_cancel
from . import choosers
from .export import ExportJob, ExportKind

FILTERS = {".xlsx": "Excel workbook (*.xlsx)", ".pdf": "PDF document (*.pdf)"}


class ActionLogDialog(QDialog):
    """Choose the scope and format; Save asks where, then the export runs."""

    started = Signal(object)  # the ExportJob writing the file

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("action_log_dialog")
        self.setWindowTitle(f"Export action log — {TITLE}")
        self.setAccessibleName("Export action log")
        self.ctx = ctx
        self.job: ExportJob | None = None  # the export once Save is pressed
        layout = QVBoxLayout(self)
        about = QLabel(
            "Every commitment made to us and by us, in the columns NHS boards use for their "
            "action logs: reference, where it was promised, who leads, the date first "
            "promised and the latest, red, amber or green, and the latest update.",
            self,
        )
        about.setWordWrap(True)
        layout.addWidget(about)

        scope = QGroupBox("Which commitments", self)
        grid = QGridLayout(scope)
        self.everything = QRadioButton("&Everything", scope)
        self.one_body = QRadioButton("One &body:", scope)
        self.one_footprint = QRadioButton("One &footprint:", scope)
        self.body_picker = Picker("body", scope)
        self.body_picker.setAccessibleName("Body")
        self.body_picker.set_choices(workflows.choices(ctx.db, "bodies"))
        self.footprint_picker = Picker("footprint", scope)
        self.footprint_picker.setAccessibleName("Footprint")
        self.footprint_picker.set_choices(workflows.choices(ctx.db, "footprints"))
        self.scopes = QButtonGroup(self)
        for row, (button, picker) in enumerate(
            (
                (self.everything, None),
                (self.one_body, self.body_picker),
                (self.one_footprint, self.footprint_picker),
            )
        ):
            self.scopes.addButton(button)
            grid.addWidget(button, row, 0)
            if picker is not None:
                grid.addWidget(picker, row, 1)
                # typing a name chooses that scope
                picker.textEdited.connect(lambda _text, button=button: button.setChecked(True))
        grid.setColumnStretch(1, 1)
        self.everything.setChecked(True)
        layout.addWidget(scope)

        kind = QGroupBox("Save as", self)
        box = QVBoxLayout(kind)
        self.spreadsheet = QRadioButton("&Spreadsheet (.xlsx), with filters", kind)
        self.pdf = QRadioButton("&PDF (.pdf), landscape A4, to print or circulate", kind)
        self.formats = QButtonGroup(self)
        for button in (self.spreadsheet, self.pdf):
            self.formats.addButton(button)
            box.addWidget(button)
        self.spreadsheet.setChecked(True)
        layout.addWidget(kind)

        self.problem = ProblemLabel("the action log", self)
        layout.addWidget(self.problem)
        buttons, self.save_button = ok_and_cancel(self, "Sa&ve…", self.save)
        layout.addWidget(buttons)
        fit_to_screen(self, "action_log", 560, 0)

    @property
    def suffix(self) -> str:
        return ".pdf" if self.pdf.isChecked() else ".xlsx"

    def chosen(self) -> tuple[str | None, str | None, str] | None:
        """(body id, footprint id, a name for the file), or None with the problem shown."""
        for button, picker, noun in (
            (self.one_body, self.body_picker, "body"),
            (self.one_footprint, self.footprint_picker, "footprint"),
        ):
            if not button.isChecked():
                continue
            choice = picker.current()
            if choice is None:
                problem = picker.problem() or f"type the name of a {noun} and pick it"
                self.problem.show_problem(f"{noun.capitalize()}: {problem}")
                picker.setFocus()
                return None
            ids = (choice.id, None) if noun == "body" else (None, choice.id)
            return (*ids, choice.label)
        return None, None, "everything"

    def save(self) -> ExportJob | None:
        """Ask where, then write off the UI thread; None if there is a problem or the user
        cancelled the file chooser."""
        self.problem.show_problem(None)
        chosen = self.chosen()
        if chosen is None:
            return None
        body_id, footprint_id, name = chosen
        suggested = file_name(name, self.suffix)
        path = choosers.save_file(self, "Export action log", suggested, FILTERS[self.suffix])
        if path is None:
            return None
        if path.suffix.lower() not in FORMATS:  # a bare name takes the chosen format
            path = path.with_name(path.name + self.suffix)

        def write(db: Database, target: Path, progress: ProgressReporter) -> str:
            log = save_action_log(
                db, target, body_id=body_id, footprint_id=footprint_id, progress=progress
            )
            return f"Wrote {target.name}: the action log of {log.scope}, {log.summary()}."

        kind = ExportKind("Export action log", suggested, FILTERS[self.suffix], write)
        # the main window keeps the job and its progress: this dialog closes now
        self.job = ExportJob(self.ctx, kind, path, self.parentWidget())
        self.started.emit(self.job)
        self.job.start()
        self.accept()
        return self.job


def file_name(scope: str, suffix: str) -> str:
    """ "Action log - Kent and Medway 2026-12-06.xlsx": safe on Windows too."""
    return safe_file_name(
        f"Action log - {scope} {clock.today().isoformat()}", suffix, fallback="Action log"
    )
