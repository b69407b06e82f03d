"""The questions councillors ask of their record: what is overdue, what is open."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import col, select

from ..model import tables as t
from ..model.clock import today
from ..model.enums import AskStatus, CommitmentStatus
from ..store import Database
from ..store import search as store_search
from .dashboard import record_counts  # noqa: F401  (one home: plain sqlite3, light)


def _live(table: Any) -> Any:
    return col(table.deleted_at).is_(None)


def overdue_commitments(
    db: Database, *, on: date | None = None, limit: int = 500
) -> list[t.Commitment]:
    """Pending commitments past their due date, most overdue first."""
    on = on or today()
    with db.read() as session:
        return list(
            session.exec(
                select(t.Commitment)
                .where(_live(t.Commitment))
                .where(t.Commitment.status == CommitmentStatus.pending)
                .where(col(t.Commitment.due_date) < on)
                .order_by(col(t.Commitment.due_date))
                .limit(limit)
            ).all()
        )


def commitments_due_within(
    db: Database, days: int, *, on: date | None = None, limit: int = 500
) -> list[t.Commitment]:
    """Pending commitments due from today to ``days`` ahead, soonest first."""
    on = on or today()
    with db.read() as session:
        return list(
            session.exec(
                select(t.Commitment)
                .where(_live(t.Commitment))
                .where(t.Commitment.status == CommitmentStatus.pending)
                .where(col(t.Commitment.due_date) >= on)
                .where(col(t.Commitment.due_date) <= on + timedelta(days=days))
                .order_by(col(t.Commitment.due_date))
                .limit(limit)
            ).all()
        )


def open_asks_by_body(db: Database) -> list[tuple[t.Body, list[t.Ask]]]:
    """Open asks grouped by the body they were made of, bodies in name order."""
    with db.read() as session:
        rows = session.exec(
            select(t.Body, t.Ask)
            .join(t.Ask, col(t.Ask.body_id) == t.Body.id)
            .where(_live(t.Ask))
            .where(t.Ask.status == AskStatus.open)
            .order_by(col(t.Body.name), col(t.Ask.raised_on))
        ).all()
    grouped: dict[str, tuple[t.Body, list[t.Ask]]] = {}
    for body, ask in rows:
        grouped.setdefault(body.id, (body, []))[1].append(ask)
    return list(grouped.values())


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


def audit_trail(db: Database, entity_id: str) -> list[t.AuditEntry]:
    with db.read() as session:
        return list(
            session.exec(
                select(t.AuditEntry)
                .where(t.AuditEntry.entity_id == entity_id)
                .order_by(col(t.AuditEntry.id))
            ).all()
        )
