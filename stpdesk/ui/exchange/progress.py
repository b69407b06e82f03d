"""Progress of long work on the worker thread, shown in a QProgressDialog on the main thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from ...services.errors import ServiceError


class Cancelled(ServiceError):
    """The user pressed Cancel; the service stopped before writing anything."""


class ProgressReporter(QObject):
    """Called as ``progress(done, total)`` by a service on the worker thread.

    It lives on the main thread, so its signal is queued there; only two ints travel.
    Pressing Cancel makes the next call raise :class:`Cancelled`, which the services'
    transactions and part-file writes turn into "nothing written".
    """

    progressed = Signal(int, int)

    def __init__(self, parent: QWidget | None, label: str, title: str) -> None:
        super().__init__(parent)
        self.cancelled = False
        self.highest = 0  # the furthest the work got, for the caller (and tests) to see
        self.dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setObjectName("export_progress")
        self.dialog.setAccessibleName(title)
        self.dialog.setWindowModality(Qt.WindowModality.NonModal)
        self.dialog.setAutoReset(False)
        self.dialog.setAutoClose(False)
        self.dialog.setMinimumDuration(400)  # quick work finishes before it appears
        self.dialog.canceled.connect(self._cancel)
        self.progressed.connect(self._show)

    def __call__(self, done: int, total: int) -> None:
        if self.cancelled and done < total:
            raise Cancelled("Stopped at your request: nothing was written.")
        self.progressed.emit(done, total)

    @Slot(int, int)
    def _show(self, done: int, total: int) -> None:
        if self.dialog.maximum() != total:
            self.dialog.setMaximum(total)
        self.dialog.setValue(done)
        self.highest = max(self.highest, done)

    def _cancel(self) -> None:
        self.cancelled = True
        self.dialog.setLabelText("Stopping…")

    def finish(self) -> None:
        """The work is over (done, failed or cancelled): close the dialog."""
        self.dialog.canceled.disconnect(self._cancel)
        self.dialog.hide()  # not close(): that counts as Cancel and resets the value
