"""Briefing packs in the app: choose a template, make the pack off the UI thread with
progress, preview it (QtPdf), print it, save it as PDF or accessible HTML; and make the
packs for every meeting in the next few days in one go.

The documents come from :mod:`stpdesk.documents.packs`, the same code the ``stpdesk
brief`` command runs; these dialogs only choose, show progress and handle files.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QProcess,
    QProcessEnvironment,
    QStandardPaths,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..config import user_templates_dir
from ..documents import packs
from ..documents.fonts import missing_message, noting_missing
from ..documents.templates import TemplateInfo, list_templates
from ..model import clock
from ..model.types import format_date
from ..safe_files import safe_file_name
from ..services import briefing, entities
from ..services.errors import Cancelled, ServiceError
from ..services.files import SaveFailed
from .context import TITLE, AppContext, show_error
from .jobs import Job, JobDialog
from .print_child import PAGE_LINE, printer_settings
from .printing import PrintFailed, prepare_printer
from .screen_fit import fit_to_screen
from .widgets import ProblemLabel

PDF_FILTER = "PDF for printing (*.pdf)"
HTML_FILTER = "Accessible web page (*.html *.htm)"
REGENERATE_DELAY_MS = 500
OPTIONS_PER_ROW = 3


@dataclass(frozen=True)
class PackKind:
    """What a pack is made for: the list it is opened from and the function that makes it."""

    entity: str
    target: str  # the ``for`` in a template's header
    default_template: str
    make: Callable[..., bytes]


KINDS: dict[str, PackKind] = {
    "meetings": PackKind("meetings", "meeting", packs.MEETING_TEMPLATE, packs.meeting_pack),
    "footprints": PackKind(
        "footprints", "footprint", packs.FOOTPRINT_TEMPLATE, packs.footprint_pack
    ),
}
PACK_ENTITIES = frozenset(KINDS)


def _documents_folder() -> Path:
    return Path(
        QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        or Path.home()
    )


def _saving(path: Path, write: Callable[[], Path]) -> Path:
    """Run a write, turning a file system refusal into a message the user can act on."""
    try:
        return write()
    except OSError as error:
        raise SaveFailed(
            f"{path} could not be saved: {error.strerror or error}. "
            "Choose another folder or file name."
        ) from None


# --- choosing a template ---------------------------------------------------------------


class TemplateChooser(QWidget):
    """The templates for a meeting (or footprint), their description and their options."""

    chosen = Signal()  # another template was chosen
    options_changed = Signal()

    def __init__(self, target: str, preferred: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target = target
        self.infos: list[TemplateInfo] = []
        self.option_widgets: dict[str, QWidget] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.box = QComboBox(self)
        self.box.setAccessibleName("Template")
        label = QLabel("&Template:", self)
        label.setBuddy(self.box)
        row.addWidget(label)
        row.addWidget(self.box, 1)
        layout.addLayout(row)
        self.description = QLabel(self)
        self.description.setWordWrap(True)
        self.description.setTextFormat(Qt.TextFormat.PlainText)  # a user template's own words
        self.description.setAccessibleName("What the template is for")
        layout.addWidget(self.description)
        self.options_box = QGroupBox("Options", self)
        self.options_grid = QGridLayout(self.options_box)
        self.options_grid.setColumnStretch(OPTIONS_PER_ROW * 2, 1)  # options keep to the left
        layout.addWidget(self.options_box)
        self.problems = ProblemLabel("Templates", self)
        self.problems.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.problems)
        self.reload(preferred)
        self.box.currentIndexChanged.connect(self._chosen)

    def reload(self, preferred: str) -> None:
        """Read the template folders again (an officer may have added or fixed one)."""
        everything = list_templates()
        self.infos = [info for info in everything if info.target == self.target]
        broken = [info for info in everything if info.problem]
        self.box.blockSignals(True)
        self.box.clear()
        for info in self.infos:
            text = info.title if info.origin == "shipped" else f"{info.title} (yours)"
            self.box.addItem(text, info.name)
            self.box.setItemData(
                self.box.count() - 1,
                f"{info.description}\n{info.location}",
                Qt.ItemDataRole.ToolTipRole,
            )
        names = [info.name for info in self.infos]
        if names:
            self.box.setCurrentIndex(names.index(preferred) if preferred in names else 0)
        self.box.blockSignals(False)
        notes = [f"A template cannot be used: {info.problem}" for info in broken]
        if not self.infos:
            notes.insert(
                0,
                f"There is no template for a {self.target}. Put one in {user_templates_dir()}.",
            )
        self.problems.show_problem("\n".join(notes) or None)
        self._show_options()

    @property
    def info(self) -> TemplateInfo | None:
        index = self.box.currentIndex()
        return self.infos[index] if 0 <= index < len(self.infos) else None

    def name(self) -> str | None:
        info = self.info
        return info.name if info else None

    def _chosen(self, _index: int) -> None:
        self._show_options()
        self.chosen.emit()

    def _show_options(self) -> None:
        while self.options_grid.count():
            item = self.options_grid.takeAt(0)
            if widget := item.widget():
                widget.deleteLater()
        self.option_widgets = {}
        info = self.info
        self.description.setText(info.description if info else "")
        options = info.options if info else {}
        self.options_box.setVisible(bool(options))
        for number, (key, default) in enumerate(options.items()):
            label_text = key.replace("_", " ").capitalize()
            widget = self._option_widget(label_text, default)
            widget.setAccessibleName(label_text)
            self.option_widgets[key] = widget
            row, column = divmod(number, OPTIONS_PER_ROW)
            if isinstance(widget, QCheckBox):
                self.options_grid.addWidget(widget, row, column * 2, 1, 2)
            else:
                label = QLabel(f"{label_text}:", self.options_box)
                label.setBuddy(widget)
                self.options_grid.addWidget(label, row, column * 2)
                self.options_grid.addWidget(widget, row, column * 2 + 1)

    def _option_widget(self, label: str, default: Any) -> QWidget:
        parent = self.options_box
        if isinstance(default, bool):
            check = QCheckBox(label, parent)
            check.setChecked(default)
            check.toggled.connect(lambda _on: self.options_changed.emit())
            return check
        if isinstance(default, int):
            spin = QSpinBox(parent)
            spin.setRange(0, max(1000, default))
            spin.setValue(default)
            spin.valueChanged.connect(lambda _value: self.options_changed.emit())
            return spin
        if isinstance(default, float):
            number = QDoubleSpinBox(parent)
            number.setRange(0, max(1000.0, default))
            number.setValue(default)
            number.valueChanged.connect(lambda _value: self.options_changed.emit())
            return number
        line = QLineEdit(str(default), parent)
        line.textChanged.connect(lambda _text: self.options_changed.emit())
        return line

    def options(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key, widget in self.option_widgets.items():
            if isinstance(widget, QCheckBox):
                values[key] = widget.isChecked()
            elif isinstance(widget, QSpinBox | QDoubleSpinBox):
                values[key] = widget.value()
            elif isinstance(widget, QLineEdit):
                values[key] = widget.text()
        return values


# --- one pack: preview, print, save ----------------------------------------------------


class PackDialog(JobDialog):
    """The briefing pack for one meeting or footprint: template, preview, Print, Save as."""

    pack_ready = Signal()  # the preview shows a newly made pack
    pack_stopped = Signal(str)  # making the pack was stopped or failed: what the user was told
    saved = Signal(str)  # the file written
    printed = Signal(int)  # pages sent to the printer
    last_folder: Path | None = None  # where the last pack was saved, while the app runs

    def __init__(
        self,
        ctx: AppContext,
        entity: str,
        record_id: str,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.kind = KINDS[entity]
        self.record_id = record_id
        self.today = today
        record = entities.BY_NAME[entity].get(ctx.db, record_id)  # NotFound: the caller says so
        self.record_title = entities.BY_NAME[entity].spec.summary(record)
        self.suggested_name = (
            packs.file_name(record)
            if entity == "meetings"
            else safe_file_name(f"{record.name} briefing", ".pdf", fallback="briefing")
        )
        self.pdf_bytes: bytes | None = None
        self.missing_characters: set[str] = set()  # what the PDF shown prints as �
        self.made_with: tuple[str, dict[str, Any]] | None = None  # template and options shown
        self.buffer: QBuffer | None = None
        self.printing = False
        self.print_process: QProcess | None = None
        self._print_file: Path | None = None
        self._pages_sent = 0
        self._print_stopped = False
        self.setWindowTitle(f"Briefing pack: {self.record_title} — {TITLE}")
        self.setAccessibleName("Briefing pack")
        self.setObjectName("briefing_pack_dialog")
        fit_to_screen(self, "briefing_pack", 920, 900)
        layout = QVBoxLayout(self)

        heading = QLabel(self)
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setText(f"Briefing pack for {self.record_title}")
        heading.setWordWrap(True)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)

        self.chooser = TemplateChooser(self.kind.target, self.kind.default_template, self)
        self.chooser.chosen.connect(self.generate)
        self.chooser.options_changed.connect(self._options_changed)
        layout.addWidget(self.chooser)
        self._regenerate = QTimer(self)
        self._regenerate.setSingleShot(True)
        self._regenerate.setInterval(REGENERATE_DELAY_MS)
        self._regenerate.timeout.connect(self.generate)

        progress_row = QHBoxLayout()
        self.status = QLabel(self)
        self.status.setAccessibleName("Briefing pack status")
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # it names files and templates
        self.status.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Progress making the pack")
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.stop_button = QPushButton("S&top", self)
        self.stop_button.setAccessibleName("Stop making the pack")
        self.stop_button.clicked.connect(self.stop)
        progress_row.addWidget(self.status, 1)
        progress_row.addWidget(self.progress)
        progress_row.addWidget(self.stop_button)
        self.refresh_button = QPushButton("&Refresh", self)
        self.refresh_button.setAccessibleName(
            "Make the pack again from the records as they are now"
        )
        self.refresh_button.clicked.connect(self.generate)
        progress_row.addWidget(self.refresh_button)
        layout.addLayout(progress_row)
        ctx.ops.changed.connect(self._records_changed)

        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setAccessibleName("Preview of the pack")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.pageNavigator().currentPageChanged.connect(lambda _page: self._show_page())
        layout.addWidget(self.view, 1)

        bottom = QHBoxLayout()
        self.page_label = QLabel(self)
        self.page_label.setAccessibleName("Page shown")
        self.zoom = QComboBox(self)
        self.zoom.setAccessibleName("Zoom")
        for text in ("Fit width", "Whole page", "100 %", "150 %", "200 %"):
            self.zoom.addItem(text)
        self.zoom.currentTextChanged.connect(self._zoom_chosen)
        self.print_button = QPushButton("&Print…", self)
        self.print_button.setAccessibleName("Print the pack")
        # Ctrl+P as well as the button's Alt+P (setShortcut would replace the Alt+P)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self, self.print_button.click)
        self.print_button.setToolTip("Print the pack (Ctrl+P)")
        self.print_button.clicked.connect(self.print_pack)
        self.save_button = QPushButton("&Save as…", self)
        self.save_button.setAccessibleName("Save the pack as a PDF or an accessible web page")
        QShortcut(QKeySequence("Ctrl+S"), self, self.save_button.click)
        self.save_button.setToolTip(
            "Save as a PDF to print, or as an accessible web page for screen readers (Ctrl+S)"
        )
        self.save_button.clicked.connect(self.save_as)
        close = QPushButton("Close", self)
        close.setAccessibleName("Close")
        close.clicked.connect(self.reject)
        buttons = (
            self.stop_button,
            self.refresh_button,
            self.print_button,
            self.save_button,
            close,
        )
        for button in buttons:
            button.setAutoDefault(False)
        bottom.addWidget(self.page_label)
        bottom.addStretch(1)
        zoom_label = QLabel("&Zoom:", self)
        zoom_label.setBuddy(self.zoom)
        bottom.addWidget(zoom_label)
        bottom.addWidget(self.zoom)
        bottom.addSpacing(12)
        bottom.addWidget(self.print_button)
        bottom.addWidget(self.save_button)
        bottom.addWidget(close)
        layout.addLayout(bottom)

        self._set_busy(False)
        self.generate()

    # --- making the pack ---------------------------------------------------------

    def _maker(self, template: str, options: dict[str, Any]) -> Callable[..., Any]:
        """Makes this pack with ``template`` and ``options`` in a given format; what it
        needs is read here, on the UI thread, not by the job."""
        return partial(
            self.kind.make,
            self.ctx.db,
            self.record_id,
            template=template,
            options=options,
            today=self.today,
        )

    def generate(self) -> None:
        """Make the pack with the chosen template and options, off the UI thread."""
        self._regenerate.stop()
        template = self.chooser.name()
        if template is None:
            self.status.setText("Choose a template to make the pack.")
            return
        options = self.chooser.options()
        make = self._maker(template, options)

        def work(job: Job) -> tuple[bytes, str, dict[str, Any], set[str]]:
            with noting_missing() as missing:
                data = make(fmt="pdf", progress=job.progress, cancelled=job.cancelled)
            return data, template, options, missing

        self._set_busy(True)
        self.status.setText("Making the pack…")
        self.progress.setRange(0, 0)
        self.start_job(
            work, on_done=self._show_pack, on_error=self._not_made, on_progress=self._progress
        )

    def _records_changed(self, kinds: set[str]) -> None:
        if self.pdf_bytes is not None and not self.busy and kinds - {"backups"}:
            self.status.setText(
                "The records have changed since this pack was made. "
                "Choose Refresh to bring it up to date."
            )

    def _options_changed(self) -> None:
        self._regenerate.start()

    def stop(self) -> None:
        if self._stop_printing() or self.job is not None:
            if self.job is not None:
                self.job.stop.set()
            self.status.setText("Stopping…")

    @Slot(int, int, str)
    def _progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        else:
            self.progress.setRange(0, 0)  # busy: how many pages is not known yet
        self.status.setText(f"{message}…" if message != "Done" else "Showing the pack…")

    def _show_pack(self, result: tuple[bytes, str, dict[str, Any], set[str]]) -> None:
        data, template, options, self.missing_characters = result
        buffer = QBuffer(self)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(buffer)  # closes the pack shown before, so its buffer can go
        if self.buffer is not None:
            self.buffer.close()
            self.buffer.deleteLater()
        self.buffer = buffer
        if self.document.status() != QPdfDocument.Status.Ready:
            self.pdf_bytes = self.made_with = None
            self._set_busy(False)
            message = "The pack was made but cannot be shown here. Save it and open the file."
            self.status.setText(message)
            self.pack_stopped.emit(message)
            return
        self.pdf_bytes, self.made_with = data, (template, options)
        self._set_busy(False)
        pages = self.document.pageCount()
        info = self.chooser.info
        made = f"“{info.title}”" if info and info.name == template else f"“{template}”"
        self.status.setText(f"{pages} page{'' if pages == 1 else 's'}, made with {made}.")
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self._show_page()
        self.pack_ready.emit()

    def _not_made(self, error: BaseException) -> None:
        self._set_busy(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        if isinstance(error, Cancelled):
            message = "Stopped. " + (
                "The preview shows the pack made before."
                if self.pdf_bytes
                else "Choose a template to make the pack again."
            )
        else:
            message = f"The pack could not be made: {error}"
            show_error(self, error, "Making the briefing pack")
        self.status.setText(message)
        self.pack_stopped.emit(message)

    def _set_busy(self, busy: bool) -> None:
        self.stop_button.setVisible(busy)
        self.progress.setVisible(busy)
        self.refresh_button.setEnabled(not busy)
        ready = not busy and self.pdf_bytes is not None
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    # --- viewing ---------------------------------------------------------------------

    def _show_page(self) -> None:
        pages = self.document.pageCount()
        if pages:
            current = self.view.pageNavigator().currentPage() + 1
            self.page_label.setText(f"Page {current} of {pages}")
        else:
            self.page_label.clear()

    def _zoom_chosen(self, text: str) -> None:
        navigator = self.view.pageNavigator()
        page = navigator.currentPage()
        if text == "Fit width":
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        elif text == "Whole page":
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(int(text.split()[0]) / 100)
        # stay on the page being read, once the view has laid the pages out at the new size
        QTimer.singleShot(0, self, lambda: self._scroll_to_page(page))

    def _scroll_to_page(self, page: int) -> None:
        bar, pages = self.view.verticalScrollBar(), self.document.pageCount()
        if pages:  # every page of a pack is the same size
            bar.setValue(round(page * (bar.maximum() + bar.pageStep()) / pages))

    # --- printing ----------------------------------------------------------------------

    def print_pack(self) -> None:
        """The system print dialog, then the pack to the printer chosen."""
        if self.pdf_bytes is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        prepare_printer(printer, self.document, self.record_title)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print briefing pack")
        dialog.setMinMax(1, self.document.pageCount())
        # the system's own dialog is modal on every platform
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """Print to a printer already set up, in a process of its own (print_child.py): the
        window stays free while the pages are rendered. ``printed`` gives the pages sent,
        ``pack_stopped`` says why not."""
        if self.pdf_bytes is None or self.print_process is not None:
            return
        handle, name = tempfile.mkstemp(prefix="stpdesk-print-", suffix=".pdf")  # owner-only
        with os.fdopen(handle, "wb") as file:
            file.write(self.pdf_bytes)
        self._print_file = Path(name)
        self._pages_sent = 0
        process = QProcess(self)
        process.setProgram(sys.executable)
        process.setArguments(["-m", "stpdesk.ui.print_child", name])
        environment = QProcessEnvironment.systemEnvironment()
        environment.insert("QT_QPA_PLATFORM", "offscreen")  # it shows no window
        process.setProcessEnvironment(environment)
        process.readyReadStandardOutput.connect(self._print_progress)
        process.finished.connect(self._print_finished)
        self.print_process = process
        self.printing = True
        self._set_busy(True)
        self.progress.setRange(0, 0)
        self.status.setText("Printing…")
        process.start()
        process.write((json.dumps(printer_settings(printer)) + "\n").encode())
        process.closeWriteChannel()

    def _print_progress(self) -> None:
        process = self.print_process
        if process is None:
            return
        while process.canReadLine():
            words = bytes(process.readLine().data()).decode(errors="replace").split()
            if len(words) == 3 and words[0] == PAGE_LINE:
                done, total = int(words[1]), int(words[2])
                self._pages_sent = done
                self.progress.setRange(0, total)
                self.progress.setValue(done)
                self.status.setText(f"Printing page {done} of {total}…")

    def _print_finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        process = self.print_process
        if process is None:
            return
        self._print_progress()
        problem = bytes(process.readAllStandardError().data()).decode(errors="replace").strip()
        self.print_process = None
        process.deleteLater()
        if self._print_file is not None:
            self._print_file.unlink(missing_ok=True)
            self._print_file = None
        self.printing = False
        self._set_busy(False)
        sent = self._pages_sent
        pages = f"{sent} page{'' if sent == 1 else 's'}"
        if exit_status == QProcess.ExitStatus.NormalExit and exit_code == 0:
            self.status.setText(f"Sent {pages} to the printer.")
            self.printed.emit(sent)
            return
        if self._print_stopped:
            self.status.setText(f"Printing stopped at your request after {pages}.")
        else:
            self.status.setText("The pack was not printed.")
            lines = [line for line in problem.splitlines() if line.strip()]
            reason = (
                lines[-1]
                if lines and exit_status == QProcess.ExitStatus.NormalExit
                else (
                    "The printing stopped unexpectedly. Try again, or save the pack and print the file."
                )
            )
            show_error(self, PrintFailed(reason), "Printing")
        self._print_stopped = False
        self.pack_stopped.emit(self.status.text())

    def _stop_printing(self) -> bool:
        if self.print_process is None:
            return False
        self._print_stopped = True
        self.print_process.kill()
        return True

    def done(self, result: int) -> None:
        process, handed_over = self.print_process, self._print_file
        if self._stop_printing() and process is not None:
            process.waitForFinished(2000)  # killed: it goes at once, with the dialog
            if handed_over is not None:
                handed_over.unlink(missing_ok=True)  # the dialog may go before it hears
        super().done(result)

    # --- saving ----------------------------------------------------------------------

    def save_as(self) -> None:
        if self.pdf_bytes is None:
            return
        folder = PackDialog.last_folder or _documents_folder()
        path, chosen_filter = QFileDialog.getSaveFileName(
            self,
            "Save briefing pack",
            str(folder / self.suggested_name),
            f"{PDF_FILTER};;{HTML_FILTER}",
        )
        if not path:
            return
        if not Path(path).suffix:
            path += ".html" if chosen_filter == HTML_FILTER else ".pdf"
        self.save_to(path)

    def save_to(self, path: str | Path) -> None:
        """Save the pack shown: a .pdf as previewed, a .html as the accessible version."""
        if self.pdf_bytes is None or self.made_with is None:
            return
        target = Path(path).expanduser()
        try:
            fmt = packs.format_for(target)
        except ServiceError as error:
            show_error(self, error, "Saving the pack")
            return
        data = self.pdf_bytes
        template, options = self.made_with
        make = self._maker(template, options)

        def work(job: Job) -> Path:
            if fmt == "html":
                html = make(fmt="html", progress=job.progress, cancelled=job.cancelled)
                if job.cancelled():  # the web page is made in one step: stop before writing
                    raise Cancelled("Stopped: the file was not saved.")
                return _saving(target, lambda: packs.save(html, target))
            return _saving(target, lambda: packs.save(data, target))

        def done(written: Path) -> None:
            self._set_busy(False)
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
            PackDialog.last_folder = written.parent
            kind = "accessible web page" if fmt == "html" else "PDF"
            missing = "" if fmt == "html" else missing_message(self.missing_characters, "web page")
            self.status.setText(f"Saved the {kind} as {written}. {missing}".strip())
            self.saved.emit(str(written))

        def failed(error: BaseException) -> None:
            self._set_busy(False)
            if isinstance(error, Cancelled):
                self.status.setText("Stopped: the file was not saved.")
            else:
                self.status.setText("The pack was not saved.")
                show_error(self, error, "Saving the pack")
            self.pack_stopped.emit(self.status.text())

        self._set_busy(True)
        self.status.setText(f"Saving {target.name}…")
        self.start_job(work, on_done=done, on_error=failed, on_progress=self._progress)


def open_pack_dialog(
    ctx: AppContext, entity: str, record_id: str, parent: QWidget | None = None
) -> PackDialog | None:
    """Show the pack for a record, or say why it cannot be made."""
    try:
        dialog = PackDialog(ctx, entity, record_id, parent)
    except ServiceError as error:
        show_error(parent, error, "Opening the briefing pack")
        return None
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


# --- packs for the meetings ahead -----------------------------------------------------


class BatchPacksDialog(JobDialog):
    """Packs for every meeting in the next few days: a PDF each, or one with them all."""

    counted = Signal(int)  # meetings in the period chosen
    batch_finished = Signal()  # written, stopped or failed: the status says which

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, today: date | None = None
    ) -> None:
        super().__init__(ctx, parent)
        self.today = today
        self.result: packs.BatchResult | None = None
        self.setWindowTitle(f"Batch briefing packs — {TITLE}")
        self.setAccessibleName("Batch briefing packs")
        self.setObjectName("batch_packs_dialog")
        fit_to_screen(self, "batch_packs", 640, 460)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Make the briefing pack for every meeting in the next few days, ready to print.", self
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        self.days = QSpinBox(self)
        self.days.setRange(1, 366)
        self.days.setValue(14)
        self.days.setSuffix(" days")
        self.days.setAccessibleName("How many days ahead")
        self.days.valueChanged.connect(lambda _days: self._count())
        days_row = QHBoxLayout()
        days_row.addWidget(self.days)
        days_row.addStretch(1)
        days_label = QLabel("&Meetings in the next:", self)
        days_label.setBuddy(self.days)
        form.addRow(days_label, days_row)
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName("Meetings found")
        form.addRow("", self.count_label)

        self.chooser = TemplateChooser("meeting", packs.MEETING_TEMPLATE, self)
        form.addRow(self.chooser)

        folder_row = QHBoxLayout()
        self.folder = QLineEdit(str(_documents_folder() / "Briefing packs"), self)
        self.folder.setAccessibleName("Folder to save the packs in")
        browse = QPushButton("&Browse…", self)
        browse.setAccessibleName("Choose the folder")
        browse.setAutoDefault(False)
        browse.clicked.connect(self._browse)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        folder_label = QLabel("&Folder:", self)
        folder_label.setBuddy(self.folder)
        form.addRow(folder_label, folder_row)
        self.folder_problem = ProblemLabel("Folder", self)
        form.addRow("", self.folder_problem)

        self.each = QRadioButton("One PDF for &each meeting", self)
        self.each.setChecked(True)
        self.combined = QRadioButton("One PDF &with every pack, to print in one go", self)
        form.addRow("Make:", self.each)
        form.addRow("", self.combined)
        layout.addLayout(form)

        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Progress making the packs")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("%v of %m")
        layout.addWidget(self.progress)
        self.status = QLabel(self)
        self.status.setAccessibleName("Batch status")
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # it names meetings and folders
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        layout.addStretch(1)

        buttons = QHBoxLayout()
        self.make_button = QPushButton("&Make packs", self)
        self.make_button.setAccessibleName("Make the packs")
        self.make_button.setDefault(True)
        self.make_button.clicked.connect(self.start)
        self.stop_button = QPushButton("S&top", self)
        self.stop_button.setAccessibleName("Stop making the packs")
        self.stop_button.clicked.connect(self.stop)
        self.open_folder_button = QPushButton("&Open folder", self)
        self.open_folder_button.setAccessibleName("Open the folder with the packs")
        self.open_folder_button.clicked.connect(self._open_folder)
        close = QPushButton("Close", self)
        close.setAccessibleName("Close")
        close.clicked.connect(self.reject)
        for button in (self.stop_button, self.open_folder_button, close):
            button.setAutoDefault(False)
        buttons.addWidget(self.make_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_folder_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)

        self.open_folder_button.setEnabled(False)
        self._set_busy(False)
        self._count()

    def _start_day(self) -> date:
        return self.today or clock.today()

    def _count(self) -> None:
        db, days, today = self.ctx.db, self.days.value(), self.today
        start = self._start_day()
        end = start + timedelta(days=days)

        def show(ids: list[str]) -> None:
            if self.closed or days != self.days.value():
                return  # the dialog has gone, or another number of days was chosen since
            noun = "meeting" if len(ids) == 1 else "meetings"
            self.count_label.setText(
                f"{len(ids)} {noun} from {format_date(start)} to {format_date(end)}."
            )
            self.counted.emit(len(ids))

        self.ctx.ops.run(
            lambda: briefing.upcoming_meeting_ids(db, days, on=today),
            on_done=show,
            on_error=lambda error: None if self.closed else show_error(self, error, "Counting"),
        )

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Folder for the briefing packs", self.folder.text()
        )
        if folder:
            self.folder.setText(folder)

    def combined_name(self) -> str:
        start = self._start_day()
        end = start + timedelta(days=self.days.value())
        return f"Briefing packs {start:%Y-%m-%d} to {end:%Y-%m-%d}.pdf"

    def start(self) -> None:
        text = self.folder.text().strip()
        folder = Path(text).expanduser() if text else None
        if folder is None:
            problem = "Folder: choose the folder to save the packs in."
        elif folder.exists() and not folder.is_dir():
            problem = f"Folder: {folder} is a file, not a folder. Choose a folder."
        else:
            problem = None
        self.folder_problem.show_problem(problem)
        template = self.chooser.name()
        if problem or folder is None or template is None:
            (self.folder if problem else self.chooser.box).setFocus()
            return
        db, days, today, options = (
            self.ctx.db,
            self.days.value(),
            self.today,
            self.chooser.options(),
        )
        combined = folder / self.combined_name() if self.combined.isChecked() else None
        each = None if combined is not None else folder

        def work(job: Job) -> packs.BatchResult:
            return _saving(
                folder,
                lambda: packs.upcoming_packs(
                    db,
                    days,
                    folder=each,
                    combined=combined,
                    template=template,
                    options=options,
                    today=today,
                    progress=job.progress,
                    cancelled=job.cancelled,
                ),
            )

        self.result = None
        self.target_folder = folder
        self.open_folder_button.setEnabled(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText("Finding the meetings…")
        self._set_busy(True)
        self.start_job(work, on_done=self._done, on_error=self._failed, on_progress=self._progress)

    def stop(self) -> None:
        if self.job is not None:
            self.job.stop.set()
            self.status.setText("Stopping…")

    @Slot(int, int, str)
    def _progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        self.status.setText(message if done == total else f"{message}…")

    def _done(self, result: packs.BatchResult) -> None:
        self.result = result
        self._set_busy(False)
        days = self.days.value()
        if not result.meetings:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.status.setText(
                f"There are no meetings in the next {days} days, so no packs were made."
            )
        else:
            packs_made = f"{result.meetings} pack{'' if result.meetings == 1 else 's'}"
            if len(result.files) == 1 and result.meetings > 1:
                self.status.setText(f"Saved {packs_made} in one file: {result.files[0]}")
            else:
                self.status.setText(f"Saved {packs_made} in {self.target_folder}.")
            self.open_folder_button.setEnabled(True)
        self.batch_finished.emit()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.progress.setValue(0)
        if isinstance(error, Cancelled):  # stopped between packs or part way through one
            self.status.setText("Stopped: no packs were saved.")
        else:
            self.status.setText("No packs were saved.")
            show_error(self, error, "Making the briefing packs")
        self.batch_finished.emit()

    def _set_busy(self, busy: bool) -> None:
        self.make_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        for widget in (self.days, self.chooser, self.folder, self.each, self.combined):
            widget.setEnabled(not busy)

    def _open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.target_folder)))
