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
from .engine import Database, check_header, create_file, make_engine, remove_database_files
from .errors import (
    DatabaseDamaged,
    NewerSchema,
    NotStpdesk,
    WriteFailed,
    disk_is_full,
    explain_write_error,
)
from .identity import EMPTY, FOREIGN, INCOMPLETE, NEWER, Identity, identify
from .index_merging import merge_outside_writes
from .lock import APP, COMMAND, SETUP, Hold, hold, real_path

# Oldest first; tests check these match the Alembic scripts. Note for new
# revisions: batch mode rebuilds a table and drops its search and tally triggers, so a
# migration that batch-alters a searchable table must recreate them.
REVISIONS: tuple[str, ...] = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
    "0014",
    "0012",  # after 0014, which reached main first
    "0015",
    "0016",
)
HEAD_REVISION = REVISIONS[-1]


def identify_file(path: Path, *, layout: bool = True) -> Identity:
    """Whose file ``path`` is and whether it is whole; refuses (raises) any file stpdesk
    must not write to: not SQLite, another program's, half-made, or from a newer stpdesk.
    ``layout=False`` leaves out comparing its tables, indexes and triggers with what its
    revision promises (the window has that done behind it, with the integrity check).

    Returns an EMPTY identity for a missing or empty file (nothing of anyone's in it),
    else a STPDESK one."""
    if not path.exists() or path.stat().st_size == 0:
        return Identity(EMPTY)
    check_header(path)
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise DatabaseDamaged(f"{path} cannot be opened: {error}.") from error
    try:
        identity = identify(connection, REVISIONS, layout=layout)
    except sqlite3.DatabaseError as error:
        raise DatabaseDamaged(damaged_message(path, str(error))) from error
    finally:
        connection.close()
    if identity.verdict == FOREIGN:
        raise NotStpdesk(
            f"{path} is an SQLite file but not an stpdesk database ({identity.problems[0]}). "
            "stpdesk has not changed it and will not write to it. Choose another file, or "
            "give a new file name to start a new database."
        )
    if identity.verdict == NEWER:
        raise NewerSchema(
            f"{path} was saved by a newer version of stpdesk (schema {identity.revision}). "
            "Install the newer stpdesk to open it; the file has not been changed."
        )
    if identity.verdict == INCOMPLETE:
        raise DatabaseDamaged(incomplete_message(path, identity))
    return identity


def read_revision(path: Path) -> str | None:
    """The schema revision of an existing file, or None for an empty database."""
    return identify_file(path).revision


def incomplete_message(path: Path, identity: Identity) -> str:
    shown = "; ".join(identity.problems[:3])
    more = len(identity.problems) - 3
    if more > 0:
        shown += f"; and {more} more"
    backups = list_backups(path)
    advice = (
        f"Restore the newest backup ({backups[0]}) with “stpdesk restore”."
        if backups
        else "If it was being created, delete it and create it again; otherwise keep it "
        "and ask IT for help."
    )
    return (
        f"{path} is not a complete stpdesk database (schema {identity.revision or 'unknown'}: "
        f"{shown}). It may have been left half-made when stpdesk was stopped while creating "
        f"or upgrading it. It has not been changed. {advice}"
    )


def quick_check(path: Path) -> None:
    """Refuse a damaged file before anything writes to it."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.OperationalError as error:
        if disk_is_full(path.parent):  # SQLite says "disk I/O error": it is not damage
            raise WriteFailed(
                f"{path} cannot be opened: the disk is full. Nothing was changed. "
                "Free some space, then try again."
            ) from error
        result = str(error)
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
    path: Path,
    *,
    create: bool = True,
    routine_backup: bool = True,
    defer_checks: bool = False,
    role: str = COMMAND,
) -> Database:
    """Open (and if needed create or upgrade) the database at ``path``.

    The file is first taken for this process (``role``: see :mod:`.lock`); another
    stpdesk that has it is named and nothing is touched. A damaged database, another
    program's SQLite file, or one written by a newer stpdesk is refused and left
    untouched. Creating or upgrading is one transaction, under the exclusive lock: it
    commits whole or leaves the file as it was. An older database is backed up before
    it is upgraded, and an existing one is backed up when its newest backup is older
    than the settings allow.

    With ``defer_checks`` (the GUI), a current database's layout and integrity checks and
    its routine backup run on a thread instead (1–2 s at 100,000 meetings): the window
    paints and reads meanwhile, and every save waits for the checks to pass.
    """
    path = real_path(path)
    if not path.exists():
        if not create:
            raise FileNotFoundError(f"There is no database at {path}.")
        path.parent.mkdir(parents=True, exist_ok=True)
    held = hold(path, role)
    try:
        database = _open_held(path, held, routine_backup=routine_backup, defer_checks=defer_checks)
        database.merge_on_close = role == COMMAND  # the window merges when idle instead
        database.checkpoint_when_idle = role == APP
        return database
    except BaseException:
        held.release()
        raise


def _open_held(path: Path, held: Hold, *, routine_backup: bool, defer_checks: bool) -> Database:
    identity = identify_file(path, layout=not defer_checks)
    if identity.revision == HEAD_REVISION and identity.marked:
        if defer_checks:
            database = Database(path, held=held)

            def check() -> None:
                identify_file(path)  # with the layout this time: a half-made file is refused
                quick_check(path)
                merge_outside_writes(path)

            def backup() -> None:
                if routine_backup:
                    database.backup_warning = _routine_backup(path, stop=database.closing.is_set)

            database.run_checks_in_background(check, then=backup)
            return database
        quick_check(path)
        merge_outside_writes(path)
        database = Database(path, held=held)
        if routine_backup:
            database.backup_warning = _routine_backup(path)
        return database
    with hold(path, SETUP):  # creating or upgrading: no other stpdesk meanwhile
        created = _set_up(path)
        merge_outside_writes(path)
    database = Database(path, held=held)
    database.created_file = created
    return database


def _set_up(path: Path) -> bool:
    """Create or upgrade the schema (the caller holds the lock exclusively); True when
    this call created the file. A failure leaves the file as it was, and a file this
    call created is removed again."""
    from . import migrate  # noqa: F401  (Alembic loads before the file exists, not after)

    created = not path.exists()
    if created:
        create_file(path)
    try:
        identity = identify_file(path)  # again: another stpdesk may have set it up meanwhile
        if identity.revision == HEAD_REVISION and identity.marked:
            return created
        if identity.revision is not None:
            quick_check(path)
            make_backup(path, reason=f"before-upgrade-from-{identity.revision}", reuse_same=True)
        _migrate(path)
    except BaseException:
        if created:
            remove_database_files(path)
        raise
    return created


def _migrate(path: Path) -> None:
    from sqlalchemy.exc import DBAPIError  # Alembic (and so SQLAlchemy) only when needed

    from .migrate import MigrationFailed, upgrade

    engine = make_engine(path)
    try:
        upgrade(engine)
    except (DBAPIError, OSError, sqlite3.Error) as error:
        problem = explain_write_error(error, path)
        raise WriteFailed(
            f"{path} could not be set up: {problem} The file is as it was before."
        ) from error
    except MigrationFailed as error:
        raise DatabaseDamaged(
            f"{path} could not be upgraded ({error}). The file is as it was before."
        ) from error
    finally:
        engine.dispose()


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
