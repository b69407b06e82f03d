"""File ▸ Export: CSV files, an Excel workbook, a JSON dump, a calendar or an exchange bundle,
written off the UI thread with a progress dialog for long exports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from ...model import clock
from ...services import exchange, exports
from ...services.errors import Cancelled
from ...store import Database
from ..context import AppContext, show_error
from ..jobs import ProgressReporter
from . import choosers

Write = Callable[[Database, Path, ProgressReporter], str]


def _csv(db: Database, folder: Path, progress: ProgressReporter) -> str:
    written = exports.write_csv(db, folder, progress=progress)
    return f"Wrote {len(written)} CSV files to {folder}."


def _xlsx(db: Database, path: Path, progress: ProgressReporter) -> str:
    counts = exports.write_xlsx(db, path, progress=progress)
    sheets = ", ".join(f"{count:,} {name.lower()}" for name, count in counts.items())
    return f"Wrote {path.name}: {sheets}."


def _json(db: Database, path: Path, progress: ProgressReporter) -> str:
    counts = exports.write_json(db, path, progress=progress)
    return f"Wrote {path.name}: {sum(counts.values()):,} rows from {len(counts)} tables."


def _ics(db: Database, path: Path, progress: ProgressReporter) -> str:
    events = exports.write_ics(db, path)
    return f"Wrote {path.name}: {events:,} upcoming meetings and due dates."


def _bundle(db: Database, path: Path, progress: ProgressReporter) -> str:
    info = exchange.export_bundle(db, path, progress=progress)
    return (
        f"Wrote {path.name}: {sum(info.counts.values()):,} records. Copy it to the other "
        "laptop and choose File ▸ Exchange there."
    )


@dataclass(frozen=True)
class ExportKind:
    title: str  # for the chooser and the progress dialog
    suggested: str  # file name offered (a folder name for CSV)
    filters: str
    write: Write
    folder: bool = False


def _today() -> str:
    return clock.today().isoformat()


EXPORTS: dict[str, ExportKind] = {
    "csv": ExportKind("Export CSV files", "stpdesk-csv", "", _csv, folder=True),
    "xlsx": ExportKind("Export Excel workbook", "stpdesk.xlsx", "Excel workbook (*.xlsx)", _xlsx),
    "json": ExportKind("Export everything as JSON", "stpdesk.json", "JSON file (*.json)", _json),
    "ics": ExportKind("Export calendar", "stpdesk-calendar.ics", "Calendar file (*.ics)", _ics),
    "bundle": ExportKind(
        "Make an exchange bundle",
        f"stpdesk{exchange.BUNDLE_SUFFIX}",
        f"stpdesk exchange bundle (*{exchange.BUNDLE_SUFFIX})",
        _bundle,
    ),
}


def _with_suffix(path: Path, suggested: str) -> Path:
    """Add the expected suffix if the user typed a bare name."""
    suffix = Path(suggested).suffix
    return path if path.suffix or not suffix else path.with_suffix(suffix)


def _new_folder(parent_folder: Path) -> Path:
    """A fresh folder for CSV files, so an earlier export is never overwritten."""
    base = parent_folder / f"stpdesk CSV export {_today()}"
    candidate, number = base, 2
    while candidate.exists():
        candidate = base.with_name(f"{base.name} ({number})")
        number += 1
    return candidate


class ExportJob(QObject):
    """One export: the chosen path, its progress dialog and its outcome."""

    finished = Signal(str)  # the message shown to the user ("" if it failed or was cancelled)

    def __init__(
        self, ctx: AppContext, kind: ExportKind, target: Path, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self.target = target
        self.parent_widget = parent
        self.message = ""
        self.progress = ProgressReporter(parent, f"Writing {target.name}…", kind.title)

    def start(self) -> None:
        db, target, progress, write = self.ctx.db, self.target, self.progress, self.kind.write
        self.ctx.ops.run(
            lambda: write(db, target, progress), on_done=self._done, on_error=self._failed
        )

    def _done(self, message: str) -> None:
        self.progress.finish()
        self.message = message
        self.finished.emit(message)

    def _failed(self, error: BaseException) -> None:
        self.progress.finish()
        if not isinstance(error, Cancelled):
            show_error(self.parent_widget, error, self.kind.title)
        self.finished.emit("")


def start_export(ctx: AppContext, parent: QWidget | None, key: str) -> ExportJob | None:
    """Ask where to write, then export off the UI thread. None if the user cancelled."""
    kind = EXPORTS[key]
    if kind.folder:
        chosen = choosers.folder(parent, f"{kind.title}: choose a folder")
        if chosen is None:
            return None
        target = _new_folder(chosen)
    else:
        chosen = choosers.save_file(parent, kind.title, kind.suggested, kind.filters)
        if chosen is None:
            return None
        target = _with_suffix(chosen, kind.suggested)
    job = ExportJob(ctx, kind, target, parent)
    job.start()
    return job
