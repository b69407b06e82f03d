"""Opening a database: refuse damage and newer schemas, upgrade older ones safely.

Reading the schema revision needs only ``sqlite3``; Alembic is imported only
when a database must actually be created or upgraded, keeping start-up quick.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .backup import make_backup
from .engine import Database, check_header, create_file, make_engine
from .errors import DatabaseDamaged, NewerSchema

# Oldest first; tests check these match the Alembic scripts. Note for new
# revisions: batch mode rebuilds a table and drops its search triggers, so a
# migration that batch-alters a searchable table must recreate them.
REVISIONS: tuple[str, ...] = ("0001", "0002")
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
        raise DatabaseDamaged(
            f"{path} is damaged ({error}). It has not been changed. "
            "Run “stpdesk check” to see which backup to restore."
        ) from error
    finally:
        connection.close()


def open_database(path: Path, *, create: bool = True) -> Database:
    """Open (and if needed create or upgrade) the database at ``path``.

    An older database is backed up before it is upgraded; a database written by a
    newer stpdesk, or one that is damaged, is refused and left untouched.
    """
    path = Path(path)
    if not path.exists():
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
    engine = make_engine(path)
    if revision != HEAD_REVISION:
        if revision is not None:
            make_backup(path, reason=f"before-upgrade-from-{revision}")
        from .migrate import upgrade  # Alembic only when needed

        upgrade(engine)
    return Database(path, engine)
