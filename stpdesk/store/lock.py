"""Who may use a database file: an OS lock on a file beside it, honoured by every stpdesk process.

SQLite's own locks on Linux and macOS are POSIX locks, and any ``close()`` of any
descriptor of the database file in the process drops them all (Qt's file dialog does
it when it shows the database's folder). So stpdesk does not rely on them between its
processes: every process first takes ``flock()`` on ``<real file>.lock``. An flock
belongs to one open file description, so other descriptors being closed leave it be,
and the operating system drops it when the process ends, however it ends.

- The app holds it exclusively for as long as its window is open: a second window, or
  any command, is told plainly that the database is open in the app.
- Creating, upgrading, restoring or filling a new database (``setup``) holds it
  exclusively for that step: others wait up to :data:`SETUP_WAIT_SECONDS`.
- Any other command holds it shared, so commands can run side by side (their SQLite
  locks are sound: a command never opens and closes the database file itself).

Within one process the holds nest: the app's restore, or a test that opens the database
and runs a command, share the process's one lock.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import StoreError

APP, SETUP, COMMAND = "app", "setup", "command"
EXCLUSIVE_ROLES = (APP, SETUP)
SETUP_WAIT_SECONDS = 30.0  # a command waits this long for another's setup to finish
APP_WAIT_SECONDS = 5.0  # the app waits this long for commands to finish
_POLL_SECONDS = 0.05


class AlreadyOpen(StoreError):
    """Another stpdesk process has the database; nothing was changed."""


def real_path(db_path: Path | str) -> Path:
    """The file itself, symlinks resolved: the lock and every check go by it."""
    return Path(os.path.realpath(os.path.expanduser(db_path)))


def lock_path_for(db_path: Path | str) -> Path:
    real = real_path(db_path)
    return real.with_name(real.name + ".lock")


def _name(lock_file: Path) -> str:
    return lock_file.name.removesuffix(".lock")


def _refusal(lock_file: Path, requester: str, holder: str) -> AlreadyOpen:
    name = _name(lock_file)
    if holder == APP and requester == APP:
        return AlreadyOpen(
            f"{name} is already open in another stpdesk window. "
            "Switch to that window, or close it and try again."
        )
    if holder == APP:
        return AlreadyOpen(
            f"{name} is open in the stpdesk app, so the command line cannot use it now "
            "(two programs writing to one file can lose each other's saves). "
            "Close the app, then run the command again. Nothing was changed."
        )
    if holder == SETUP:
        return AlreadyOpen(
            f"Another stpdesk is setting up {name} (creating, upgrading, restoring or "
            "filling it). Try again when it has finished. Nothing was changed."
        )
    return AlreadyOpen(
        f"{name} is in use by another stpdesk command. "
        "Try again when it has finished. Nothing was changed."
    )


# --- the lock file's note: who holds it exclusively ---------------------------------


def _write_note(lock_file: Path, role: str) -> None:
    # Through a descriptor of its own, closed at once: the lock's descriptor is read-only
    # (a writable one left open would stop a USB stick being remounted read-only).
    try:
        fd = os.open(lock_file, os.O_WRONLY | os.O_TRUNC)
    except OSError:  # a read-only lock file: the note is only for messages
        return
    try:
        os.write(fd, f"{role} {os.getpid()}\n".encode())
    except OSError:  # a full disk: the same
        pass
    finally:
        os.close(fd)


def _clear_note(lock_file: Path) -> None:
    with contextlib.suppress(OSError):
        os.truncate(lock_file, 0)


def _read_note(fd: int) -> str:
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace")
    except OSError:
        return ""
    return text.split(" ", 1)[0].strip()


def _open_lock_file(lock_file: Path) -> int | None:
    """A read-only descriptor of the lock file (made if need be); None where the folder is
    read-only and there is no lock file (then nothing can write the database there either)."""
    try:
        os.close(os.open(lock_file, os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError as error:
        if error.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise
    try:
        return os.open(lock_file, os.O_RDONLY)
    except FileNotFoundError:
        return None


def _take(fd: int, lock_file: Path, role: str, wait: float) -> None:
    """Take the lock in ``role``'s mode, waiting out another's setup; or raise AlreadyOpen."""
    deadline = time.monotonic() + wait
    exclusive = role in EXCLUSIVE_ROLES
    while True:
        if _try_lock(fd, exclusive=exclusive):
            return
        holder = _read_note(fd) or COMMAND
        if holder == APP or time.monotonic() >= deadline:
            raise _refusal(lock_file, role, holder)
        time.sleep(_POLL_SECONDS)


# --- one lock per file per process ---------------------------------------------------


@dataclass
class _Entry:
    fd: int | None
    roles: list[str] = field(default_factory=list)

    @property
    def exclusive_role(self) -> str | None:
        return next((role for role in self.roles if role in EXCLUSIVE_ROLES), None)


_entries: dict[Path, _Entry] = {}
_entries_lock = threading.Lock()


class Hold:
    """One use of a database by this process; :meth:`release` ends it."""

    def __init__(self, lock_file: Path, role: str) -> None:
        self.lock_file = lock_file
        self.role = role
        self._released = False

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        _release(self.lock_file, self.role)

    def __enter__(self) -> Hold:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def hold(db_path: Path | str, role: str = COMMAND, *, wait: float | None = None) -> Hold:
    """Take the database for ``role`` (APP, SETUP or COMMAND) or raise AlreadyOpen."""
    if wait is None:
        wait = APP_WAIT_SECONDS if role == APP else SETUP_WAIT_SECONDS
    lock_file = lock_path_for(db_path)
    with _entries_lock:
        entry = _entries.get(lock_file)
        if entry is not None:
            if entry.exclusive_role is not None or role not in EXCLUSIVE_ROLES:
                entry.roles.append(role)  # this process already has what it needs
                return Hold(lock_file, role)
            if entry.fd is not None:  # shared, now exclusive: a nested setup
                try:
                    _take(entry.fd, lock_file, role, wait)
                except AlreadyOpen:
                    _try_lock(entry.fd, exclusive=False)  # a failed conversion drops the lock
                    raise
                _write_note(lock_file, role)
            entry.roles.append(role)
            return Hold(lock_file, role)
        fd = _open_lock_file(lock_file)
        if fd is not None:
            try:
                _take(fd, lock_file, role, wait)
            except BaseException:
                os.close(fd)
                raise
            if role in EXCLUSIVE_ROLES:
                _write_note(lock_file, role)
            else:
                if _read_note(fd):  # held shared, so no one holds it exclusively: the note is stale
                    _clear_note(lock_file)
        _entries[lock_file] = _Entry(fd, [role])
        return Hold(lock_file, role)


def _release(lock_file: Path, role: str) -> None:
    with _entries_lock:
        entry = _entries.get(lock_file)
        if entry is None or role not in entry.roles:
            return
        was_exclusive = entry.exclusive_role is not None
        entry.roles.remove(role)
        if entry.fd is None:
            if not entry.roles:
                del _entries[lock_file]
            return
        if not entry.roles:
            if was_exclusive:
                _clear_note(lock_file)
            _unlock(entry.fd)
            os.close(entry.fd)
            del _entries[lock_file]
        elif was_exclusive and entry.exclusive_role is None:
            _clear_note(lock_file)
            _try_lock(entry.fd, exclusive=False)
        elif entry.exclusive_role is not None:
            _write_note(lock_file, entry.exclusive_role)


def held_by_this_process(db_path: Path | str) -> bool:
    with _entries_lock:
        return lock_path_for(db_path) in _entries


class DatabaseLock:
    """An app's lock on its own open file description (a second window in tests)."""

    def __init__(self, db_path: Path) -> None:
        self.path = lock_path_for(db_path)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`AlreadyOpen`."""
        if self._fd is not None:
            return
        fd = _open_lock_file(self.path)
        assert fd is not None
        try:
            _take(fd, self.path, APP, 0)
        except BaseException:
            os.close(fd)
            raise
        _write_note(self.path, APP)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            _clear_note(self.path)
            _unlock(self._fd)
        finally:
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> DatabaseLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    # Windows has no shared flock: every hold is exclusive (commands take turns).
    def _try_lock(fd: int, *, exclusive: bool) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int, *, exclusive: bool) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
