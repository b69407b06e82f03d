"""Plain-SQL reads: rows as named tuples, and the one decoder for stored dates and moments.

SQLAlchemy writes a ``date`` as ``2026-12-06`` and a moment (``UTCDateTime``) as naive
UTC text, ``2026-12-06 09:30:00.000000``. Reads that skip the ORM (the dashboard, packs,
engagement counts) decode those texts here and nowhere else.
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from .errors import StoreError

if TYPE_CHECKING:
    from sqlmodel import Session


def stored_day(text: str | None) -> date | None:
    """A stored date column as a date (``None`` stays ``None``)."""
    return date.fromisoformat(text[:10]) if text else None


def stored_moment(text: str | None) -> datetime | None:
    """A stored moment column as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None


def as_stored(moment: datetime) -> str:
    """A moment as the text the store holds, so comparisons in SQL match UTCDateTime's."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def marks(count: int) -> str:
    """``?, ?, ?`` for an IN list of ``count`` values."""
    return ", ".join("?" * count)


@cache
def _row_type(columns: tuple[str, ...]) -> Any:
    return namedtuple("Row", columns, rename=True)  # type: ignore[misc]


def fetch(connection: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """Rows as named tuples (attribute per column), without SQLAlchemy's result machinery."""
    cursor = connection.cursor()
    try:
        cursor.execute(sql, tuple(params))
        row = _row_type(tuple(column[0] for column in cursor.description))
        return [row._make(values) for values in cursor.fetchall()]
    except sqlite3.Error as error:  # worded as Database.read() words SQLAlchemy's errors
        raise StoreError(f"The database could not be read: {error}") from error
    finally:
        cursor.close()


def connection_of(session: Session) -> sqlite3.Connection:
    """The SQLite connection under a read session, for plain-SQL reads inside it."""
    return session.connection().connection.driver_connection  # type: ignore[return-value]
