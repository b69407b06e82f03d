"""SQLite details of erasing personal data: freed pages zeroed, the search index and
the write-ahead log left without the erased text."""

from __future__ import annotations

from typing import Any

from .engine import Database


def zero_freed_pages(connection: Any) -> None:
    """From now on this connection overwrites deleted content instead of leaving it in free pages."""
    connection.exec_driver_sql("PRAGMA secure_delete=ON")


def compact_search_index(connection: Any) -> None:
    """Merge the FTS5 segments so replaced text is not left in old ones."""
    connection.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES('optimize')")


def flush_log(db: Database) -> None:
    """Copy the write-ahead log into the database and empty it, so old page images go."""
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
