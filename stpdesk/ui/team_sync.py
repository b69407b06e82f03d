"""Syncing with the team database from the window: the Sync action, its part of the
status bar (last sync, changes waiting, conflicts) and syncing in the background.

Syncs run on a queue of their own (a second :class:`.operations.Operations`), so a slow
or unreachable server never holds up saves, and never the keyboard. Progress comes
through a :class:`.jobs.Job`. An unreachable server is said in the status bar, never in
a dialog: the changes wait on this laptop for the next sync.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

from ..config import load_settings
from ..model import kinds
from ..model.dates import format_datetime
from ..services.errors import ServiceError
from ..services.team_status import SyncStatus, status
from .actions import ActionId
from .jobs import Job
from .operations import Operations

if TYPE_CHECKING:  # SQLAlchemy and psycopg load behind the first window, not before it
    from ..services import team
    from .app import MainWindow


def _team() -> Any:
    """services.team, imported on first use (on whichever thread gets there first)."""
    from .app import HEAVY_IMPORTS

    with HEAVY_IMPORTS:
        from ..services import team

    return team


AUTOMATIC_EVERY_MS = 60_000  # a background sync a minute, when the server is reachable
FIRST_AFTER_MS = 2_000  # the first once the window has settled


class TeamSync(QObject):
    """The window's link to the team database."""

    synced = Signal(object)  # a SyncResult, after each sync that finished
    sync_failed = Signal(str)  # the message, after each sync that did not
    status_changed = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.db = window.db
        self.queue = Operations(self)  # its own thread: a slow server never holds up saves
        self.queue.changed.connect(window.refresh)
        self.running = False
        self.started = False  # automatic syncing waits for the window's background work
        self.last_problem = ""  # why the last sync did not finish, or what it could not send
        self.problem_summary = ""  # the same in a few words, for the status bar
        self.state: SyncStatus | None = None
        self.label = QLabel("", window)
        self.label.setAccessibleName("Team database")
        self.label.setVisible(False)
        window.statusBar().addPermanentWidget(self.label)
        window.actions.connect(ActionId.SYNC, self.sync_now)
        window.actions.enable(ActionId.SYNC, False)  # until the database says it is linked
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._automatic)
        window.ops.changed.connect(lambda _changed: self.refresh_status())

    def start(self) -> None:
        """Begin: read the status; once it says the database is in a team (and automatic
        syncing is on), sync shortly and then every minute."""
        self.started = True
        self.refresh_status()

    def settings_changed(self) -> None:
        self.timer.stop()
        self.refresh_status()  # restarts the timer if automatic syncing is still wanted

    def _keep_time(self, linked: bool) -> None:
        """Run the automatic-sync timer only for a database in a team, when wanted."""
        wanted = self.started and linked and load_settings().team_auto_sync
        if wanted and not self.timer.isActive():
            self.timer.start(AUTOMATIC_EVERY_MS)
            QTimer.singleShot(FIRST_AFTER_MS, self, self._automatic)
        elif not wanted and self.timer.isActive():
            self.timer.stop()

    def refresh_status(self) -> None:
        db = self.db
        self.window.ops.run(lambda: status(db), on_done=self._show_status)

    def _show_status(self, state: SyncStatus) -> None:
        self.state = state
        self._keep_time(state.linked)
        self.window.actions.enable(ActionId.SYNC, state.linked and not self.running)
        self.label.setVisible(state.linked)
        if not state.linked:
            self.status_changed.emit()
            return
        parts = []
        if self.running:
            parts.append("Syncing…")
        elif self.last_problem:
            parts.append(self.problem_summary)
        elif state.last_sync:
            parts.append(f"Synced {format_datetime(state.last_sync)}")
        else:
            parts.append("Not synced yet")
        parts.append(
            "no changes waiting"
            if not state.waiting
            else kinds_text(state.waiting, "change waiting", "changes waiting")
        )
        if state.conflicts:
            parts.append(kinds_text(state.conflicts, "conflict", "conflicts"))
        self.label.setText("Team: " + " · ".join(parts))
        self.label.setToolTip(
            self.last_problem
            or ("Settle conflicts in File ▸ Exchange…" if state.conflicts else "Sync: Ctrl+Shift+Y")
        )
        self.status_changed.emit()

    def _automatic(self) -> None:
        if self.state is not None and self.state.linked and not self.running:
            self.sync_now(quiet=True)

    def sync_now(self, *, quiet: bool = False) -> None:
        """Sync in the background; ``quiet`` (automatic) keeps messages to the status bar
        label (it never shows a dialog in any case)."""
        if self.running:
            return
        self.running = True
        self.window.actions.enable(ActionId.SYNC, False)
        job = Job(self.queue)
        job.reported.connect(lambda _d, _t, message: self.label.setText(f"Team: {message}…"))
        db = self.db

        def work() -> team.SyncResult:
            return _team().sync(db, progress=lambda message: job.progress(0, 0, message))

        self.queue.run(
            work,
            on_done=lambda result: self._done(result, quiet),
            on_error=lambda error: self._failed(error, quiet),
        )
        self.refresh_status()

    def join(self, url: str) -> None:
        """Join the team database at ``url`` (from Preferences) in the background."""
        if self.running:
            return
        self.running = True
        db = self.db
        self.queue.run(
            lambda: _team().join(db, url),
            on_done=lambda result: self._done(result, False),
            on_error=lambda error: self._failed(error, False),
        )
        self.refresh_status()

    def _done(self, result: team.SyncResult, quiet: bool) -> None:
        self.running = False
        self.last_problem = result.refusal
        self.problem_summary = "changes not accepted (your login may only read)"
        if result.pulled or result.conflicts:
            self.queue.notify(set(kinds.LISTED_NAMES))
        if not quiet or result.pulled or result.conflicts:
            self.window.statusBar().showMessage(f"Team database: {result.summary()}", 10000)
        self.refresh_status()
        self.synced.emit(result)

    def _failed(self, error: BaseException, quiet: bool) -> None:
        self.running = False
        from ..store.team import TeamError, TeamUnreachable  # loaded by the sync already

        if isinstance(error, TeamError | ServiceError):
            message = str(error)
        else:  # a bug: logged by the queue; the user still gets a plain line
            message = "The sync failed unexpectedly; nothing was changed on this laptop."
        self.last_problem = message
        self.problem_summary = (
            "Team database not reachable" if isinstance(error, TeamUnreachable) else "Sync failed"
        )
        if not quiet or not isinstance(error, TeamUnreachable):
            self.window.statusBar().showMessage(message, 15000)
        self.refresh_status()
        self.sync_failed.emit(message)


def kinds_text(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"
