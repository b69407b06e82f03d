"""What every window and dialog shares: the database, the work queue, error reporting."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from ..services.errors import ServiceError
from ..store import Database, StoreError
from .operations import Operations

TITLE = "stpdesk"


@dataclass
class AppContext:
    db: Database
    ops: Operations
    # opens a record anywhere in the app: set by the main window
    open_record: Any = field(default=None)


def show_error(parent: QWidget | None, error: BaseException, doing: str) -> None:
    """A plain message for an expected error; anything else goes to the crash handler."""
    if isinstance(error, ServiceError | StoreError):
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            TITLE,
            f"{doing} did not work.\n\n{error}",
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.setObjectName("error_message")
        box.setAccessibleName("Problem")
        _keep_until_closed(box)
        box.open()  # not exec(): never blocks the window or a test
        return
    from .crash import report_error

    report_error(error, parent=parent)


_shown: set[QMessageBox] = set()


def _keep_until_closed(box: QMessageBox) -> None:
    """A message without a parent window would be destroyed with its Python wrapper."""
    _shown.add(box)
    box.finished.connect(lambda _result: _shown.discard(box))
