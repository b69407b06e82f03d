"""The database: one SQLite file, opened safely, with a session per unit of work."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..model.engagement import SQL_FUNCTIONS
from ..safe_files import new_private_file
from .errors import DatabaseDamaged, StoreError, WriteFailed, explain_write_error

# SQLAlchemy and SQLModel take over half a second to import: they load when the first
# session is opened, so the main window can paint (reading through plain sqlite3) first.
if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from .lock import Hold

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


def add_functions(connection: sqlite3.Connection) -> None:
    """Register the app's SQL functions (``app_today()``: see model.engagement)."""
    for name, function in SQL_FUNCTIONS.items():
        # deterministic: evaluated once per statement, not once per row (the clock and the
        # thresholds do not move within a statement); never used in an index or a check
        connection.create_function(name, 0, function, deterministic=True)


def _set_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    add_functions(dbapi_connection)
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite and must be asked for per connection.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL, not NORMAL: in WAL mode NORMAL can lose the last commits when a laptop's
    # battery dies. Saves are human-paced and bulk writes use one transaction, so an
    # fsync per commit costs nothing a user notices.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def create_file(path: Path) -> None:
    """Create an empty database file, readable by its owner only, already in WAL mode.

    Switching a file to WAL is itself a write through a rollback journal; killed half-way
    it would leave a hot journal that only a writable connection may roll back. So it is
    done to a file beside it, which then takes the database's name: the name only ever
    holds a sound empty database. (The caller holds the lock: no one else creates it.)"""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(path.name + ".new")
    remove_database_files(fresh)  # left by a process killed here before
    new_private_file(fresh)
    try:
        connection = sqlite3.connect(fresh)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
        finally:
            connection.close()
        os.replace(fresh, path)
    except BaseException:
        remove_database_files(fresh)
        raise


def remove_database_files(path: Path) -> None:
    """Remove a database with its write-ahead log and shared-memory files (only ever a
    file this process has just created and holds exclusively)."""
    for name in (path.name, path.name + "-wal", path.name + "-shm", path.name + "-journal"):
        path.with_name(name).unlink(missing_ok=True)


def check_header(path: Path) -> None:
    """Refuse a file that is not an SQLite database, before anything writes to it."""
    size = path.stat().st_size
    if size == 0:
        return
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise DatabaseDamaged(
            f"{path} is not an stpdesk database (it is not an SQLite file, or it is damaged). "
            "It has not been changed. Choose another file, or restore a backup."
        )
    if size < 512:
        raise DatabaseDamaged(
            f"{path} is truncated ({size} bytes). It has not been changed. Restore a backup."
        )


def _checkpoint_when_idle(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Copying the write-ahead log back into the file (1,000 pages and a sync, in one save
    # of every thirty or so) is left out of saves, as index merging is: the window does it
    # when idle (ui/maintenance.py), and the last connection to close does it anyway.
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


def make_engine(path: Path, *, checkpoint_when_idle: bool = False) -> Engine:
    from sqlalchemy import event
    from sqlmodel import create_engine

    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )
    event.listen(engine, "connect", _set_pragmas)
    if checkpoint_when_idle:
        event.listen(engine, "connect", _checkpoint_when_idle)
    return engine


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


class Database:
    """An open stpdesk database file.

    Use :meth:`session` for each unit of work: it commits when the block ends
    and rolls back on any error, so a save is all or nothing.
    """

    def __init__(
        self, path: Path, engine: Engine | None = None, *, held: Hold | None = None
    ) -> None:
        self.path = path
        self._held = held  # this process's lock on the file, released on close
        self.created_file = False  # open_database made the file (a failed fill removes it)
        self._engine = engine
        self._engine_lock = threading.Lock()
        self._identity = _file_identity(path)
        self.backup_warning: str | None = None  # set when the routine backup failed
        self._background: threading.Thread | None = None
        self._checked = threading.Event()
        self._checked.set()  # until checks are handed to run_checks_in_background
        self._check_failed: StoreError | None = None
        self.closing = threading.Event()  # tells background work (the backup) to stop
        self.merge_on_close = False  # a command's: merge the full-text indexes as it closes
        self.checkpoint_when_idle = False  # the window's: saves leave the log to idle time
        self._backup_go = threading.Event()  # the routine backup may start (or is not wanted)

    @property
    def engine(self) -> Engine:
        with self._engine_lock:
            if self._engine is None:
                self._engine = make_engine(
                    self.path, checkpoint_when_idle=self.checkpoint_when_idle
                )
            return self._engine

    # --- checks run behind the first window --------------------------------------------

    def run_checks_in_background(
        self, check: Callable[[], None], then: Callable[[], None] | None = None
    ) -> None:
        """Hold saves until ``check`` has passed; it runs on a thread, then ``then`` (the
        routine backup) on the same thread once :meth:`start_routine_backup` is called.

        The thread starts with :meth:`start_checks` (the window calls it once its dashboard
        shows, so the check does not compete with filling it) or, at the latest, when the
        first save waits for it. ``check`` raises a StoreError (DatabaseDamaged) when the
        file must not be written. The window starts the backup after its first idle minute:
        a copy of a large file takes a while, and one begun as the app opened was abandoned
        whenever it was closed again within seconds."""
        self._checked.clear()
        self._backup_go.clear()

        def work() -> None:
            try:
                check()
            except StoreError as error:
                self._check_failed = error
                return
            finally:
                self._checked.set()
            self._backup_go.wait()
            if then is not None and not self.closing.is_set():
                then()

        self._background = threading.Thread(target=work, name="stpdesk-checks", daemon=True)

    def start_checks(self) -> None:
        with self._engine_lock:
            if self._background is not None and self._background.ident is None:
                self._background.start()

    def start_routine_backup(self) -> None:
        """Let the routine backup begin once the checks have passed (see above)."""
        self.start_checks()
        self._backup_go.set()

    def routine_backup_started(self) -> bool:
        return self._backup_go.is_set()

    def wait_for_checks(self) -> None:
        """Block until the start-up check is done; raise its error if it failed."""
        self.start_checks()
        self._checked.wait()
        if self._check_failed is not None:
            raise self._check_failed

    def background_work_done(self) -> bool:
        return self._background is None or (
            self._background.ident is not None and not self._background.is_alive()
        )

    def wait_for_background_work(self) -> None:
        """Block until the start-up check and the routine backup after it are done."""
        if self._background is not None and self._background.ident is not None:
            self._background.join()

    def _check_file_still_there(self) -> None:
        """SQLite keeps writing to a deleted file's open handle, so a save to a
        pulled USB stick or a deleted file would vanish silently: refuse it."""
        if _file_identity(self.path) != self._identity:
            raise WriteFailed(
                f"The database file {self.path} is no longer there (was the drive removed "
                "or the file moved?), so nothing was saved. Reconnect the drive, then save again."
            )

    @contextmanager
    def session(self) -> Iterator[Session]:
        from sqlalchemy.exc import DBAPIError
        from sqlmodel import Session

        self.wait_for_checks()  # nothing is written to a file not yet known to be sound
        session = Session(self.engine, expire_on_commit=False)
        try:
            yield session
            self._check_file_still_there()
            session.commit()
        except (DBAPIError, OSError) as error:
            session.rollback()
            raise explain_write_error(error, self.path) from error
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries only."""
        from sqlalchemy.exc import DBAPIError
        from sqlmodel import Session

        session = Session(self.engine, expire_on_commit=False)
        try:
            yield session
        except DBAPIError as error:
            raise StoreError(f"The database could not be read: {error.orig}") from error
        finally:
            session.close()  # expunges without expiring, so records stay readable

    @contextmanager
    def reader(self) -> Iterator[sqlite3.Connection]:
        """A plain sqlite3 connection for queries only (``query_only``: it cannot write).

        For reads that must not wait for SQLAlchemy to import, such as the dashboard."""
        try:
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as error:
            raise StoreError(f"The database could not be read: {error}") from error
        try:
            add_functions(connection)
            connection.execute("PRAGMA query_only=ON")
            yield connection
        except sqlite3.DatabaseError as error:
            raise StoreError(f"The database could not be read: {error}") from error
        finally:
            connection.close()

    def raw_connection(self) -> sqlite3.Connection:
        """A plain sqlite3 connection to the same file (for backups and checks)."""
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        add_functions(connection)
        return connection

    def close(self, *, remove_file: bool = False) -> None:
        """Close every connection, then (with ``remove_file``: a new database whose first
        filling failed) remove the file, before letting other stpdesk processes in."""
        self.closing.set()  # a routine backup under way stops and removes its partial file
        self._backup_go.set()  # one not yet begun is left to the next time
        self.wait_for_background_work()
        try:
            if self._engine is not None:
                self._engine.dispose()
            if self.merge_on_close and not remove_file and self._check_failed is None:
                from .index_merging import merge_pending

                merge_pending(self.path)
            if remove_file:
                remove_database_files(self.path)
        finally:
            if self._held is not None:
                self._held.release()
                self._held = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
