"""Backups and restore as use cases, shared by the CLI and the app."""

from __future__ import annotations

from pathlib import Path

from ..store import backup as store_backup
from ..store.lock import DatabaseLock
from ..store.schema import REVISIONS, open_database


def inspect(path: Path) -> store_backup.BackupInfo:
    return store_backup.inspect_backup(path, known_revisions=REVISIONS)


def back_up(db_path: Path, target: Path | None = None) -> store_backup.BackupInfo:
    """A backup on demand: into the backups folder, or to ``target``."""
    made = store_backup.backup_to(db_path, target) if target else store_backup.make_backup(db_path)
    return inspect(made)


def backups(db_path: Path) -> list[store_backup.BackupInfo]:
    """Every backup beside the database, newest first, each checked."""
    return [inspect(path) for path in store_backup.list_backups(db_path)]


def restore(
    db_path: Path, backup: Path, *, locked_by_caller: bool = False
) -> store_backup.RestoreResult:
    """Replace the database with ``backup`` (checked first; the current file kept),
    then open it once so an older backup is upgraded to the current schema.

    Refused while another stpdesk window has the database open; the window that
    holds the lock itself passes ``locked_by_caller``.
    """
    lock = DatabaseLock(db_path)
    if not locked_by_caller:
        lock.acquire()
    try:
        result = store_backup.restore_backup(db_path, backup, known_revisions=REVISIONS)
        open_database(db_path, routine_backup=False).close()
    finally:
        lock.release()
    return result


def newest_good_backup(db_path: Path) -> store_backup.BackupInfo | None:
    """The newest backup that passes its checks, to offer when the database is damaged."""
    for path in store_backup.list_backups(db_path):
        info = inspect(path)
        if info.ok:
            return info
    return None
