"""The questions councillors ask of their record: what is overdue, what is open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from ..model import tables as t
from ..model.enums import AskStatus, CommitmentStatus
from ..model.types import LONDON
from ..store import Database
from ..store import search as store_search
from .entities import footprints


def today() -> date:
    return datetime.now(LONDON).date()


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


@dataclass(frozen=True)
class EngagementSummary:
    footprint: t.Footprint
    meetings_last_90_days: int
    asks_made: int
    asks_accepted: int
    commitments_kept: int
    commitments_overdue: int


def engagement_summary(
    db: Database, footprint_id: str, *, on: date | None = None
) -> EngagementSummary:
    """How engagement with one footprint's bodies stands (its successor's bodies not included)."""
    on = on or today()
    footprint = footprints.get(db, footprint_id)
    since = datetime.combine(on - timedelta(days=90), time(0), LONDON).astimezone(UTC)
    body_ids = select(t.BodyFootprint.body_id).where(t.BodyFootprint.footprint_id == footprint_id)
    with db.read() as session:
        # Walk the 90 days of meetings on the starts_at index and probe each one's bodies
        # (EXISTS, so no DISTINCT): a join from the bodies would visit every meeting the
        # footprint ever had (0.46 s at 100,000 meetings, against 0.03 s).
        with_footprint_body = (
            select(t.MeetingBody.meeting_id)
            .where(col(t.MeetingBody.meeting_id) == t.Meeting.id)
            .where(col(t.MeetingBody.body_id).in_(body_ids))
            .exists()
        )
        meetings = session.exec(
            select(func.count())
            .select_from(t.Meeting)
            .where(_live(t.Meeting))
            .where(col(t.Meeting.starts_at) >= since)
            .where(
                col(t.Meeting.starts_at)
                <= datetime.combine(on, time(23, 59), LONDON).astimezone(UTC)
            )
            .where(with_footprint_body)
        ).one()
        ask_counts = dict(
            session.exec(
                select(t.Ask.status, func.count())
                .where(col(t.Ask.body_id).in_(body_ids))
                .where(_live(t.Ask))
                .group_by(t.Ask.status)
            ).all()
        )
        # Both commitment counts in one pass over the footprint's commitments.
        kept, overdue = session.exec(
            select(
                func.count().filter(t.Commitment.status == CommitmentStatus.done),
                func.count().filter(
                    (t.Commitment.status == CommitmentStatus.pending)
                    & (col(t.Commitment.due_date) < on)
                ),
            )
            .select_from(t.Commitment)
            .where(col(t.Commitment.body_id).in_(body_ids))
            .where(_live(t.Commitment))
        ).one()
    return EngagementSummary(
        footprint=footprint,
        meetings_last_90_days=meetings,
        asks_made=sum(ask_counts.values()),
        asks_accepted=ask_counts.get(AskStatus.accepted, 0),
        commitments_kept=kept,
        commitments_overdue=overdue,
    )


def search(db: Database, query: str, *, limit: int = 50) -> list[store_search.Hit]:
    """Everything matching ``query``, best first, with a snippet."""
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


def record_counts(db: Database) -> dict[str, int]:
    """How many live records of each kind the database holds."""
    counted = {
        "footprints": t.Footprint,
        "bodies": t.Body,
        "contacts": t.Contact,
        "members": t.Member,
        "meetings": t.Meeting,
        "asks": t.Ask,
        "commitments": t.Commitment,
        "letters": t.Letter,
    }
    counts = {}
    with db.read() as session:
        for name, table in counted.items():
            query = select(func.count()).select_from(table)
            if "deleted_at" in table.model_fields:
                query = query.where(_live(table))
            counts[name] = session.exec(query).one()
    return counts


def upcoming_meetings(db: Database, *, days: int = 14, limit: int = 20) -> list[t.Meeting]:
    now = datetime.now(UTC)
    with db.read() as session:
        return list(
            session.exec(
                select(t.Meeting)
                .where(_live(t.Meeting))
                .where(col(t.Meeting.starts_at) >= now)
                .where(col(t.Meeting.starts_at) <= now + timedelta(days=days))
                .order_by(col(t.Meeting.starts_at))
                .limit(limit)
            ).all()
        )
