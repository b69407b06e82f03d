"""Long work on the window's queue (:class:`.operations.Operations`) that shows its
progress and can be stopped: the job a service reports to, and the dialogs that run jobs.

A :class:`Job` is handed to the service on the worker thread. The service reports
through it (``job.progress(done, total, message)``, or calling a
:class:`ProgressReporter` as ``progress(done, total)``) and asks it whether to stop;
the job lives on the main thread, so its signal is queued there and only ints and a
str cross threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QProgressDialog, QWidget

from ..services.errors import Cancelled
from .context import AppContext


class Job(QObject):
    """One piece of work: its progress, and a way to stop it.

    As a child of the work queue it outlives a dialog closed mid-way; the worker emits
    ``reported`` and Qt queues the call to the dialog (and drops it if the dialog has gone).
    """

    reported = Signal(int, int, str)  # done, total (0: not known), message

    def __init__(self, parent: QObject | None) -> None:
        super().__init__(parent)
        self.stop = threading.Event()

    def progress(self, done: int, total: int, message: str) -> None:  # on the worker thread
        if not self.stop.is_set():
            self.reported.emit(done, total, message)

    def cancelled(self) -> bool:
        return self.stop.is_set()


class ProgressReporter(Job):
    """A job shown in a QProgressDialog, for services called as ``progress(done, total)``.

    Pressing Cancel makes the next call raise :class:`Cancelled`, which the services'
    transactions and part-file writes turn into "nothing written".
    """

    def __init__(self, parent: QWidget | None, label: str, title: str) -> None:
        super().__init__(parent)
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
        self.reported.connect(self._show)

    def __call__(self, done: int, total: int) -> None:  # on the worker thread
        if self.cancelled() and done < total:
            raise Cancelled("Stopped at your request: nothing was written.")
        self.reported.emit(done, total, "")

    @Slot(int, int, str)
    def _show(self, done: int, total: int, _message: str) -> None:
        if self.dialog.maximum() != total:
            self.dialog.setMaximum(total)
        self.dialog.setValue(done)
        self.highest = max(self.highest, done)

    def _cancel(self) -> None:
        self.stop.set()
        self.dialog.setLabelText("Stopping…")

    def finish(self) -> None:
        """The work is over (done, failed or cancelled): close the dialog."""
        self.dialog.canceled.disconnect(self._cancel)
        self.dialog.hide()  # not close(): that counts as Cancel and resets the value


class JobDialog(QDialog):
    """A dialog that runs its work as jobs on the window's queue and can stop them."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.job: Job | None = None
        self.closed = False

    def start_job(
        self,
        work: Callable[[Job], Any],
        *,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        on_progress: Callable[[int, int, str], None],
    ) -> Job:
        """Run ``work(job)`` off the UI thread; a job started later replaces (stops) this one."""
        self.cancel_running()
        job = Job(self.ctx.ops)
        job.reported.connect(on_progress)
        self.job = job

        def deliver(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def call(outcome: Any) -> None:
                job.deleteLater()
                if self.job is job:
                    self.job = None
                    if not self.closed:
                        callback(outcome)
                # else: a replaced job, or the dialog has closed; its result is not wanted

            return call

        self.ctx.ops.run(lambda: work(job), on_done=deliver(on_done), on_error=deliver(on_error))
        return job

    @property
    def busy(self) -> bool:
        return self.job is not None

    def cancel_running(self) -> None:
        if self.job is not None:
            self.job.stop.set()

    def showEvent(self, event: QShowEvent) -> None:
        self.closed = False
        super().showEvent(event)

    def done(self, result: int) -> None:  # Close, Escape and the window's close button
        self.closed = True
        if self.job is not None:
            self.job.stop.set()
            self.job = None
        super().done(result)


def cancel_dialog_jobs(window: QWidget) -> None:
    """Stop the work of every job dialog in ``window`` (before the window closes)."""
    for dialog in window.findChildren(JobDialog):
        dialog.cancel_running()
