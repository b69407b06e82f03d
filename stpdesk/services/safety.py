"""Backups and restore as use cases, shared by the CLI and the app."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..store import backup as store_backup
from ..store.errors import WriteFailed, short_reason
from ..store.lock import COMMAND, SETUP, hold, real_path
from ..store.schema import REVISIONS, open_database


def inspect(path: Path) -> store_backup.BackupInfo:
    return store_backup.inspect_backup(path, known_revisions=REVISIONS)


def back_up(db_path: Path, target: Path | None = None) -> store_backup.BackupInfo:
    """A backup on demand: into the backups folder, or to ``target``.

    Refused (AlreadyOpen) while the app has the database: the app backs up from its own
    menu. A full disk or a read-only folder is a StoreError saying so; no partial file
    is left."""
    db_path = real_path(db_path)
    with hold(db_path, COMMAND):
        try:
            made = (
                store_backup.backup_to(db_path, target)
                if target
                else store_backup.make_backup(db_path)
            )
        except (OSError, sqlite3.Error) as error:
            where = target or store_backup.backup_dir_for(db_path)
            raise WriteFailed(
                f"The backup could not be written to {where}: {short_reason(error, where if where.is_dir() else where.parent)}. "
                "The database itself is unchanged; free some space or choose another place."
            ) from error
    return inspect(made)


def backups(db_path: Path) -> list[store_backup.BackupInfo]:
    """Every backup beside the database, newest first, each checked."""
    return [inspect(path) for path in store_backup.list_backups(db_path)]


def restore(db_path: Path, backup: Path) -> store_backup.RestoreResult:
    """Replace the database with ``backup`` (checked first; the current file kept),
    then open it once so an older backup is upgraded to the current schema.

    The real file is replaced (a symlinked path is followed), under the exclusive lock:
    refused while another stpdesk has the database; the app restoring its own database
    already holds it.
    """
    db_path = real_path(db_path)
    with hold(db_path, SETUP):
        result = store_backup.restore_backup(db_path, backup, known_revisions=REVISIONS)
        open_database(db_path, routine_backup=False).close()
    return result


def newest_good_backup(db_path: Path) -> store_backup.BackupInfo | None:
    """The newest backup that passes its checks, to offer when the database is damaged."""
    for path in store_backup.list_backups(db_path):
        info = inspect(path)
        if info.ok:
            return info
    return None
