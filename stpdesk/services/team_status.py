"""What the status bar says of the team database: read with plain ``sqlite3``, so the
window can show it without loading SQLAlchemy or psycopg (services/team.py syncs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..store import Database
from ..store.rows import fetch, stored_moment

SERVER, LAST_SYNC = "team_server", "team_last_sync"  # sync_meta keys


@dataclass(frozen=True)
class SyncStatus:
    server: str | None  # the address, None when not linked
    last_sync: datetime | None
    waiting: int  # records changed here since the last sync
    conflicts: int  # open conflicts

    @property
    def linked(self) -> bool:
        return self.server is not None


def status(db: Database) -> SyncStatus:
    """The team database this laptop syncs with, when it last did, what waits to go, and
    the conflicts waiting for the user; reads this laptop only."""
    with db.reader() as connection:
        meta = {
            row.key: row.value
            for row in fetch(
                connection,
                "SELECT key, value FROM sync_meta WHERE key IN (?, ?)",
                (SERVER, LAST_SYNC),
            )
        }
        [counts] = fetch(
            connection,
            "SELECT (SELECT count(*) FROM (SELECT DISTINCT entity, record_id FROM sync_journal)) "
            "AS waiting, (SELECT count(*) FROM sync_conflict WHERE resolved_at IS NULL) "
            "AS conflicts",
        )
    last = meta.get(LAST_SYNC)
    return SyncStatus(
        meta.get(SERVER), stored_moment(last) if last else None, counts.waiting, counts.conflicts
    )
