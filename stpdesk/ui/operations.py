"""Database work off the UI thread, results on the main thread (as Anki's aqt.operations).

:meth:`Operations.run` hands a function to a one-thread pool (SQLite has one
writer, and one queue keeps saves and the reloads after them in order), then
calls ``on_done(result)`` or ``on_error(error)`` back on the main thread. A
write names the kinds of record it changed; :attr:`Operations.changed` tells
every view, so each refreshes itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot

from ..services.errors import ServiceError
from ..store import StoreError

log = logging.getLogger(__name__)

# Errors with a message written for the user; anything else is a bug and goes to the log.
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (ServiceError, StoreError)


class _Task(QObject):
    """Lives on the main thread; the worker emits ``finished`` and Qt queues the call here."""

    # No Python objects travel through the queued signal: PySide's copying of them
    # between threads corrupts reference counts (the process aborts on exit). The
    # outcome waits in plain attributes instead; the signal only says "done".
    finished = Signal()

    def __init__(
        self,
        owner: Operations,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        changes: frozenset[str],
    ) -> None:
        super().__init__(owner)
        self.owner = owner
        self.on_done = on_done
        self.on_error = on_error
        self.changes = changes
        self.ok = False
        self.outcome: object = None
        self.finished.connect(self._deliver)

    @Slot()
    def _deliver(self) -> None:
        ok, outcome = self.ok, self.outcome
        self.outcome = None
        self.owner._pending.discard(self)
        try:
            if ok:
                if self.changes:
                    self.owner.changed.emit(set(self.changes))
                if self.on_done is not None and not _receiver_gone(self.on_done):
                    self.on_done(outcome)
            else:
                assert isinstance(outcome, BaseException)
                if self.on_error is not None:
                    if not _receiver_gone(self.on_error):
                        self.on_error(outcome)
                else:
                    self.owner.failed.emit(outcome)
        finally:
            if not self.owner._pending:
                self.owner.idle.emit()
            self.deleteLater()


def _receiver_gone(callback: Callable[..., Any]) -> bool:
    """True for a method of a window closed (and deleted) while its work ran."""
    receiver = getattr(callback, "__self__", None)
    return isinstance(receiver, QObject) and not shiboken6.isValid(receiver)


class _Runner(QRunnable):
    def __init__(self, task: _Task, work: Callable[[], Any]) -> None:
        super().__init__()
        self.task = task
        self.work = work

    def run(self) -> None:
        try:
            result = self.work()
        except BaseException as error:  # delivered to the main thread, never lost
            if not isinstance(error, EXPECTED_ERRORS):
                log.exception("database work failed")
            self.task.ok, self.task.outcome = False, error
        else:
            self.task.ok, self.task.outcome = True, result
        self.task.finished.emit()


class Operations(QObject):
    """The one queue of database work for a window."""

    changed = Signal(set)  # names of the kinds of record changed: {"meetings", "asks"}
    failed = Signal(object)  # an error no caller handled
    idle = Signal()  # nothing is queued or running

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._pending: set[_Task] = set()

    def run(
        self,
        work: Callable[[], Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        changes: Iterable[str] = (),
    ) -> None:
        task = _Task(self, on_done, on_error, frozenset(changes))
        self._pending.add(task)
        self.pool.start(_Runner(task, work))

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def notify(self, changes: Iterable[str]) -> None:
        """Announce a change made some other way (for example by a synchronous undo)."""
        self.changed.emit(set(changes))

    def wait(self, timeout_ms: int) -> bool:
        """Wait up to ``timeout_ms`` for the queued work (its results are delivered later,
        on the main thread's event loop); True if it all finished."""
        return self.pool.waitForDone(timeout_ms)

    def shutdown(self) -> None:
        """Wait for queued work before the database closes."""
        self.pool.waitForDone()


_SHARED: dict[str, Operations] = {}


def app_queue(name: str) -> Operations:
    """A queue that lives as long as the application, for list models made outside a
    window (in tests and benchmarks). A queue owned by a model would be deleted with it
    while its work may still run."""
    if name not in _SHARED:
        _SHARED[name] = Operations(QCoreApplication.instance())
    return _SHARED[name]
