"""Merging the full-text indexes' segments at idle time, not inside saves (issue 22).

Each transaction that writes to an FTS5 table adds a small segment to its index, and by
default FTS5 merges segments as it writes ("automerge"): at 100,000 meetings one save in
three ended up merging for 50–400 ms. Here writes only add their segment; the merging is
done by :func:`merge_step`, a bounded piece of work in its own short transaction, which the
window runs on its worker thread when it has been idle a moment (``ui/maintenance.py``).
Should no idle time come for a long while (a long import from the command line), FTS5
still merges a level once it holds ``CRISIS_MERGE`` segments, so reads never slow much.

The indexes stay exact throughout: merging changes how an index is stored, not what it
finds. Plain ``sqlite3`` only, so opening a database does not import SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .engine import BUSY_TIMEOUT_MS

AUTOMERGE = 0  # no merging inside a write
CRISIS_MERGE = 64  # ... unless a level holds this many segments (FTS5's default is 16)
MERGE_STEP_PAGES = 64  # one idle step: a few ms of work, so a save never waits long for it


def fts_tables(connection: sqlite3.Connection) -> list[str]:
    """The database's FTS5 tables (search and the list filters)."""
    rows = connection.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' "
        "AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%' ORDER BY name"
    ).fetchall()
    return [name for (name,) in rows]


def _settings(connection: sqlite3.Connection, table: str) -> dict[str, object]:
    return dict(connection.execute(f'SELECT k, v FROM "{table}_config"').fetchall())


def merge_outside_writes(path: Path) -> bool:
    """Set every FTS5 index of the database at ``path`` to leave merging to idle time
    (settings kept in the file, so this writes only the first time); True if it wrote.
    A file that cannot be written is left as it is: FTS5's own merging is slower, not wrong."""
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        wanted = {"automerge": AUTOMERGE, "crisismerge": CRISIS_MERGE}
        tables = [
            table
            for table in fts_tables(connection)
            if any(_settings(connection, table).get(k) != v for k, v in wanted.items())
        ]
        if not tables:
            return False
        connection.execute("BEGIN IMMEDIATE")
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
