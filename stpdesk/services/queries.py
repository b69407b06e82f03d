"""Searching the record, and a record's history. (What is overdue or due soon is read
through ``services.engagement``.)"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from ..model import tables as t
from ..store import Database
from ..store import search as store_search


def _live(table: Any) -> Any:
    return col(table.deleted_at).is_(None)


def meetings_with_body(db: Database, body_id: str, *, limit: int = 100) -> list[t.Meeting]:
    """Meetings a body took part in, newest first."""
    with db.read() as session:
        return list(
            session.exec(
                select(t.Meeting)
                .join(t.MeetingBody, col(t.MeetingBody.meeting_id) == t.Meeting.id)
                .where(t.MeetingBody.body_id == body_id)
                .where(_live(t.Meeting))
                .order_by(col(t.Meeting.starts_at).desc())
                .limit(limit)
            ).all()
        )


def search(db: Database, query: str, *, limit: int = 50) -> store_search.Hits:
    """Everything matching ``query``, best first, with a snippet (and how many matched)."""
    with db.read() as session:
        return store_search.search(session, query, limit=limit)


def meeting_starts(db: Database, meeting_ids: list[str]) -> dict[str, Any]:
    """When each of these meetings starts, by id (search results show it)."""
    if not meeting_ids:
        return {}
    with db.read() as session:
        rows = session.exec(
            select(t.Meeting.id, t.Meeting.starts_at).where(col(t.Meeting.id).in_(meeting_ids))
        ).all()
    return dict(rows)


def audit_trail(db: Database, entity_id: str) -> list[t.AuditEntry]:
    with db.read() as session:
        return list(
            session.exec(
                select(t.AuditEntry)
                .where(t.AuditEntry.entity_id == entity_id)
                .order_by(col(t.AuditEntry.id))
            ).all()
        )
