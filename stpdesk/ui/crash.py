"""The crash handler: an unexpected error is written to a log file and the user is told where.

Expected errors (a bad date, a full disk) never come here: they are shown as
plain messages where they happen.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from .. import __version__
from ..config import log_dir
from ..model import clock

TITLE = "stpdesk"
log = logging.getLogger("stpdesk")


def setup_logging() -> Path | None:
    """Send the app's log to ``stpdesk.log`` in the log folder (best effort)."""
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "stpdesk.log"
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return path


def write_crash_log(
    error: BaseException, tb: TracebackType | None = None, *, folder: Path | None = None
) -> Path:
    """Write the error and its traceback to a new file; returns where."""
    folder = folder or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = clock.local_now().strftime("%Y%m%d-%H%M%S-%f")
    path = folder / f"crash-{stamp}.log"
    lines = traceback.format_exception(type(error), error, tb or error.__traceback__)
    path.write_text(
        f"stpdesk {__version__}, Python {sys.version.split()[0]}, {clock.local_now().isoformat()}\n\n"
        + "".join(lines),
        encoding="utf-8",
    )
    return path


def report_error(
    error: BaseException, tb: TracebackType | None = None, *, parent: QWidget | None = None
) -> Path | None:
    """Log an unexpected error and tell the user, in plain words, where the details are."""
    try:
        path: Path | None = write_crash_log(error, tb)
    except OSError:
        path = None
    log.error("unexpected error", exc_info=(type(error), error, tb or error.__traceback__))
    where = (
        f"The details were written to:\n{path}\n\nPlease send that file to whoever looks after stpdesk."
        if path
        else "The details could not be written to a file."
    )
    if QApplication.instance() is not None:
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            TITLE,
            "Something went wrong inside stpdesk. Your saved records are safe; "
            "anything you had not saved may need entering again.\n\n" + where,
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.setObjectName("crash_report")
        box.setAccessibleName("Error report")
        _keep_until_closed(box)
        box.open()  # not exec(): the app keeps running and tests are never blocked
    return path


def install() -> None:
    """Route uncaught exceptions (including those in Qt slots) to :func:`report_error`."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        report_error(error, tb)

    sys.excepthook = hook


_shown: set[QMessageBox] = set()


def _keep_until_closed(box: QMessageBox) -> None:
    """A message without a parent window would be destroyed with its Python wrapper."""
    _shown.add(box)
    box.finished.connect(lambda _result: _shown.discard(box))
