"""Merging the full-text indexes' segments at idle time, not inside saves (issue 22).

Each transaction that writes to an FTS5 table adds a small segment to its index, and by
default FTS5 merges segments as it writes ("automerge"): at 100,000 meetings one save in
three ended up merging for 50–400 ms. Here writes only add their segment; the merging is
done by :func:`merge_step`, a bounded piece of work in its own short transaction, which the
window runs on its worker thread when it has been idle a moment (``ui/maintenance.py``).
A command (the command line, which never idles) merges what its writes left as it closes
the database (:func:`merge_pending`): a level left to fill up to ``CRISIS_MERGE`` segments
would otherwise be merged all at once inside some later save, large segments and all.

The indexes stay exact throughout: merging changes how an index is stored, not what it
finds. Plain ``sqlite3`` only, so opening a database does not import SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .engine import BUSY_TIMEOUT_MS

if TYPE_CHECKING:
    from .engine import Database

AUTOMERGE = 0  # no merging inside a write
CRISIS_MERGE = 64  # ... unless a level holds this many segments (FTS5's default is 16)
MERGE_STEP_PAGES = 64  # one idle step: a few ms of work, so a save never waits long for it
CLOSE_STEP_PAGES = 1000  # a command merging as it closes: nothing waits for it
CLOSE_MERGE_SECONDS = 10.0  # at most, after a large import; usually there is nothing to do


_SHADOW_PARTS = ("data", "idx", "content", "docsize", "config")


def fts_tables(connection: sqlite3.Connection) -> list[str]:
    """The database's FTS5 tables (search and the list filters)."""
    rows = connection.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' "
        "AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%' ORDER BY name"
    ).fetchall()
    return [name for (name,) in rows]


def _settings(connection: sqlite3.Connection, table: str) -> dict[str, object]:
    return dict(connection.execute(f'SELECT k, v FROM "{table}_config"').fetchall())


def _stale_statistics(connection: sqlite3.Connection, tables: list[str]) -> list[str]:
    """FTS5 shadow tables with planner statistics (sqlite_stat1) in the file.

    Migration 0005 ran ANALYZE on a new, empty database, which told SQLite that
    ``search_fts_data`` holds 2 rows: it then reads the whole table (48 MB at 100,000
    meetings) for each segment FTS5 deletes after a merge, 16–40 ms a segment, so a merge
    of 64 small segments inside a save took over a second. Without statistics SQLite
    looks the rows up by their ids, as FTS5 expects."""
    if not connection.execute(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat1'"
    ).fetchone():
        return []
    shadows = [f"{table}_{part}" for table in tables for part in _SHADOW_PARTS]
    marks = ", ".join("?" * len(shadows))
    rows = connection.execute(
        f"SELECT DISTINCT tbl FROM sqlite_stat1 WHERE tbl IN ({marks})", shadows
    ).fetchall()
    return [name for (name,) in rows]


def merge_outside_writes(path: Path) -> bool:
    """Set every FTS5 index of the database at ``path`` to leave merging to idle time
    (settings kept in the file, so this writes only the first time), and drop misleading
    planner statistics about their storage; True if it wrote. A file that cannot be
    written is left as it is: FTS5's own merging is slower, not wrong."""
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        wanted = {"automerge": AUTOMERGE, "crisismerge": CRISIS_MERGE}
        all_tables = fts_tables(connection)
        tables = [
            table
            for table in all_tables
            if any(_settings(connection, table).get(k) != v for k, v in wanted.items())
        ]
        stale = _stale_statistics(connection, all_tables)
        if not tables and not stale:
            return False
        connection.execute("BEGIN IMMEDIATE")
        for name in stale:
            connection.execute("DELETE FROM sqlite_stat1 WHERE tbl = ?", (name,))
        for table in tables:
            for name, value in wanted.items():
                connection.execute(
                    f'INSERT INTO "{table}"("{table}", rank) VALUES (?, ?)', (name, value)
                )
        connection.execute("COMMIT")
        return True
    except sqlite3.Error:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        return False
    finally:
        connection.close()


def merge_pending(path: Path, *, seconds: float = CLOSE_MERGE_SECONDS) -> bool:
    """Merge what the writes of a command left (a command never idles), in steps, for up
    to ``seconds``; True if all is merged. Nothing left to merge costs a few reads."""
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    deadline = time.monotonic() + seconds  # a time budget, not a business date
    try:
        while merge_step(connection, CLOSE_STEP_PAGES):
            if time.monotonic() > deadline:
                return False  # the rest waits for the next command or the window
        return True
    except sqlite3.Error:
        return False  # not merged: the indexes stay exact, FTS5 merges a crowded level
    finally:
        connection.close()


def merge_step(connection: sqlite3.Connection, pages: int = MERGE_STEP_PAGES) -> bool:
    """Merge up to ``pages`` pages of each FTS5 index, each index in a transaction of its
    own; True while there is more merging to do."""
    more = False
    for table in fts_tables(connection):
        before = connection.total_changes
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute(
                f'INSERT INTO "{table}"("{table}", rank) VALUES (?, ?)', ("merge", pages)
            )
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        # FTS5 says "nothing left to merge" by changing fewer than two rows
        more = more or connection.total_changes - before >= 2
    return more


def merge_some(db: Database) -> bool:
    """One step of merging on ``db``'s full-text indexes; True while more is left. Once
    all is merged, the write-ahead log is copied back into the file."""
    db.wait_for_checks()  # nothing is written to a file not yet known to be sound
    connection = db.raw_connection()
    try:
        connection.isolation_level = None  # merge_step opens its own transactions
        more = merge_step(connection)
        if not more:  # then the log saves leave (engine.py), without keeping readers waiting
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        return more
    finally:
        connection.close()
