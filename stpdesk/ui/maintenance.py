"""Upkeep the window does when it is idle, on the worker thread (issue 22).

- Merging the full-text indexes' segments (``store/index_merging.py``): saves only add
  to the indexes, and a moment after the last change the merging is done in short steps,
  each its own transaction, so a save queued meanwhile waits one step at most; then the
  write-ahead log is copied back into the file, which the window's saves leave too.
- The day's routine backup begins after the window's first idle minute, not as it opens:
  a window closed again within seconds leaves the backup for next time rather than
  abandoning a copy half made.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from ..store import Database
from ..store.index_merging import merge_some
from .operations import Operations

MERGE_AFTER_MS = 2_000  # quiet this long after a change before merging
MERGE_GAP_MS = 50  # between merge steps: other work queued meanwhile goes first
BACKUP_AFTER_MS = 60_000  # the first idle minute
BUSY_RETRY_MS = 5_000  # the queue was busy when the time came: look again after this


class IdleUpkeep(QObject):
    """Runs the upkeep above on the window's queue when it is idle."""

    merged = Signal()  # the indexes are merged as far as they go, for now
    backup_started = Signal()

    def __init__(self, db: Database, ops: Operations, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.ops = ops
        self.merging = False  # a step is on the queue
        self._again = False  # a change came during a step: look again after it
        self._merge_timer = QTimer(self)
        self._merge_timer.setSingleShot(True)
        self._merge_timer.timeout.connect(self._merge_step)
        self._backup_timer = QTimer(self)
        self._backup_timer.setSingleShot(True)
        self._backup_timer.timeout.connect(self._start_backup)
        ops.changed.connect(lambda _changed: self.merge_soon())

    def start(self) -> None:
        """The window is on screen and its checks have passed."""
        self.merge_soon()  # what earlier sessions or the command line left
        if not self.db.routine_backup_started():
            self._backup_timer.start(BACKUP_AFTER_MS)

    @property
    def merge_pending(self) -> bool:
        return self.merging or self._merge_timer.isActive()

    def merge_soon(self, delay_ms: int | None = None) -> None:
        if self.merging:
            self._again = True
        else:
            self._merge_timer.start(MERGE_AFTER_MS if delay_ms is None else delay_ms)

    def _merge_step(self) -> None:
        if self.ops.busy:
            self._merge_timer.start(MERGE_GAP_MS)
            return
        self.merging = True
        self.ops.run(lambda: merge_some(self.db), on_done=self._stepped, on_error=self._stopped)

    def _stepped(self, more: object) -> None:
        self.merging = False
        if self._again:
            self._again = False
            self.merge_soon()
        elif more:
            self._merge_timer.start(MERGE_GAP_MS)
        else:
            self.merged.emit()

    def _stopped(self, _error: BaseException) -> None:
        # Not merged: the indexes stay exact, and FTS5 merges a crowded level itself.
        self.merging = self._again = False

    def _start_backup(self) -> None:
        if self.ops.busy or self.merging:
            self._backup_timer.start(BUSY_RETRY_MS)
            return
        self.db.start_routine_backup()
        self.backup_started.emit()
