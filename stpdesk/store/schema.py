"""Opening a database: refuse damage and newer schemas, upgrade older ones safely.

Reading the schema revision needs only ``sqlite3``; Alembic is imported only
when a database must actually be created or upgraded, keeping start-up quick.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from ..config import load_settings
from .backup import BackupStopped, backup_if_due, list_backups, make_backup, rotate
from .engine import Database, check_header, create_file
from .errors import DatabaseDamaged, NewerSchema

# Oldest first; tests check these match the Alembic scripts. Note for new
# revisions: batch mode rebuilds a table and drops its search and tally triggers, so a
# migration that batch-alters a searchable table must recreate them.
REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004", "0005", "0006", "0007")
HEAD_REVISION = REVISIONS[-1]


def read_revision(path: Path) -> str | None:
    """The schema revision of an existing file, or None for an empty database."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise DatabaseDamaged(f"{path} cannot be opened: {error}.") from error
    try:
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if "alembic_version" not in tables:
            if tables:
                raise DatabaseDamaged(
                    f"{path} is an SQLite file but not an stpdesk database. "
                    "It has not been changed. Choose another file."
                )
            return None
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError as error:
        raise DatabaseDamaged(damaged_message(path, str(error))) from error
    finally:
        connection.close()


def quick_check(path: Path) -> None:
    """Refuse a damaged file before anything writes to it."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        result = str(error)
    if result != "ok":
        raise DatabaseDamaged(damaged_message(path, result))


def damaged_message(path: Path, detail: str) -> str:
    """What is wrong and what to do: restore the newest backup, which is named."""
    backups = list_backups(path)
    advice = (
        f"Restore the newest backup ({backups[0]}) with “stpdesk restore”."
        if backups
        else "No backup was found beside it; keep the file and ask IT for help."
    )
    return f"{path} is damaged ({detail}). It has not been changed. {advice}"


def open_database(
    path: Path, *, create: bool = True, routine_backup: bool = True, defer_checks: bool = False
) -> Database:
    """Open (and if needed create or upgrade) the database at ``path``.

    A damaged database, or one written by a newer stpdesk, is refused and left
    untouched. An older one is backed up before it is upgraded, and an existing one
    is backed up when its newest backup is older than the settings allow.

    With ``defer_checks`` (the GUI), a current database's integrity check and routine
    backup run on a thread instead (1–2 s at 100,000 meetings): the window paints and
    reads meanwhile, and every save waits for the check to pass.
    """
    path = Path(path)
    existed = path.exists()
    if not existed:
        if not create:
            raise FileNotFoundError(f"There is no database at {path}.")
        create_file(path)
    check_header(path)
    revision = read_revision(path) if path.stat().st_size else None
    if revision is not None and revision not in REVISIONS:
        raise NewerSchema(
            f"{path} was saved by a newer version of stpdesk (schema {revision}). "
            "Install the newer stpdesk to open it; the file has not been changed."
        )
    if revision == HEAD_REVISION and defer_checks:
        database = Database(path)

        def backup() -> None:
            if existed and routine_backup:
                database.backup_warning = _routine_backup(path, stop=database.closing.is_set)

        database.run_checks_in_background(lambda: quick_check(path), then=backup)
        return database
    if revision is not None:
        quick_check(path)
    warning = None
    if existed and revision == HEAD_REVISION and routine_backup:
        warning = _routine_backup(path)
    database = Database(path)
    if revision != HEAD_REVISION:
        if revision is not None:
            make_backup(path, reason=f"before-upgrade-from-{revision}")
        from .migrate import upgrade  # Alembic only when needed

        upgrade(database.engine)
    database.backup_warning = warning
    return database


def _routine_backup(path: Path, *, stop: Callable[[], bool] | None = None) -> str | None:
    """Daily backup and rotation; a failure is reported, never fatal to opening.

    ``stop`` is asked between steps of the copy: closing the app abandons the backup
    (its partial file is removed; the next launch takes it)."""
    settings = load_settings()
    try:
        backup_if_due(path, every=timedelta(hours=settings.backup_every_hours), stop=stop)
        rotate(
            path,
            keep_last=settings.backup_keep_last,
            keep_daily_days=settings.backup_keep_daily_days,
        )
    except BackupStopped:
        return None
    except (OSError, sqlite3.Error) as error:
        return f"The routine backup could not be written ({error}). Your data is safe; check the backups folder."
    return None
