"""SQLite details of erasing personal data: freed pages zeroed, the search index and
the write-ahead log left without the erased text."""

from __future__ import annotations

from typing import Any

from .engine import Database


def zero_freed_pages(connection: Any) -> None:
    """From now on this connection overwrites deleted content instead of leaving it in free pages."""
    connection.exec_driver_sql("PRAGMA secure_delete=ON")


FULL_TEXT_INDEXES = ("search_fts", "filter_meeting", "filter_ask", "filter_commitment")


def compact_search_index(connection: Any) -> None:
    """Merge the FTS5 segments (search and list filter indexes) so replaced text is not
    left in old ones."""
    for index in FULL_TEXT_INDEXES:
        connection.exec_driver_sql(f"INSERT INTO {index}({index}) VALUES('optimize')")


def flush_log(db: Database) -> None:
    """Copy the write-ahead log into the database and empty it, so old page images go."""
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
