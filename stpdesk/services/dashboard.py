"""The dashboard and the status bar: what a councillor sees on opening the laptop.

These reads run through plain ``sqlite3`` (``Database.reader``), not SQLModel, so the
main window can fill before SQLAlchemy, pydantic and the table classes are imported:
together they cost over a second of every launch. Each statement is served by an index
(see the partial indexes of migrations 0004 and 0005), so the dashboard takes about as
long over 100,000 meetings as over 1,000; counts of asks and commitments come from
``tally_by_body``, which triggers keep in step with every change (migration 0006).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import clock, kinds
from ..model.clock import LONDON, today
from ..model.engagement import due_soon_sql, live_sql, open_ask_sql, thresholds
from ..model.enums import AskStatus, CommitmentStatus, FootprintKind
from ..store.backup import newest_backup_time
from ..store.rows import as_stored, stored_day, stored_moment
from . import engagement
from .engagement import AwaitingLetter, CommitmentRow

if TYPE_CHECKING:
    from ..store.engine import Database
    from .promises import PromiseRecord

# lines of the overdue and due-soon lists (their totals count them all): a screenful or
# two, and fewer lines to lay out before the first paint (100 cost some 30 ms a launch)
LISTED = 25


@dataclass(frozen=True)
class MeetingLine:
    id: str
    title: str
    starts_at: datetime
    location: str | None


@dataclass(frozen=True)
class AskLine:
    id: str
    title: str
    raised_on: date | None


@dataclass(frozen=True)
class ActivityLine:
    at: datetime
    actor: str
    entity: str
    entity_id: str
    summary: str


@dataclass(frozen=True)
class FootprintRef:
    id: str
    name: str
    kind: FootprintKind


@dataclass(frozen=True)
class EngagementSummary:
    footprint: FootprintRef
    meetings_last_90_days: int
    asks_made: int
    asks_accepted: int
    commitments_kept: int
    commitments_overdue: int


@dataclass
class Dashboard:
    today: date
    overdue: list[CommitmentRow] = field(default_factory=list)  # the first LISTED of them
    overdue_total: int = 0
    due_soon: list[CommitmentRow] = field(default_factory=list)
    due_soon_total: int = 0
    upcoming: list[MeetingLine] = field(default_factory=list)
    open_asks: list[tuple[str, int, list[AskLine]]] = field(default_factory=list)
    recent: list[ActivityLine] = field(default_factory=list)
    awaiting_reply: list[AwaitingLetter] = field(default_factory=list)  # the first LISTED
    awaiting_reply_total: int = 0


def dashboard(db: Database, *, on: date | None = None) -> Dashboard:
    """Overdue and due commitments, coming meetings, open asks, letters awaiting a reply
    and recent activity: the panels at the top of the dashboard. Engagement with each
    footprint, below them, is :func:`footprint_engagement` (read after the first paint)."""
    with clock.as_of(on), db.reader() as connection:
        result = Dashboard(today=today())
        result.overdue = engagement.overdue(connection, limit=LISTED)
        result.overdue_total = engagement.overdue_total(connection)
        result.due_soon = engagement.due_soon(connection, limit=LISTED)
        result.due_soon_total = engagement.count_commitments(connection, due_soon_sql("c"))
        result.upcoming = upcoming_meetings(connection, days=thresholds().due_soon_days)
        result.open_asks = open_asks_summary(connection)
        result.recent = recent_activity(connection)
        result.awaiting_reply, result.awaiting_reply_total = engagement.awaiting_replies(
            connection, limit=LISTED
        )
    return result


def footprint_engagement(db: Database, *, on: date | None = None) -> list[EngagementSummary]:
    """How engagement stands with each current footprint, by name: its meetings in the last
    90 days walk that quarter's meetings (12 ms at 100,000 meetings), so the window reads
    this once its first paint, which does not show it, is on screen."""
    with clock.as_of(on), db.reader() as connection:
        footprints = connection.execute(
            "SELECT id, name, kind FROM footprint WHERE successor_id IS NULL ORDER BY name"
        ).fetchall()
        return [
            _engagement(connection, FootprintRef(fid, name, FootprintKind(kind)), today())
            for fid, name, kind in footprints
        ]


def upcoming_meetings(
    connection: sqlite3.Connection, *, days: int, limit: int = 20
) -> list[MeetingLine]:
    now = clock.now()
    rows = connection.execute(
        "SELECT id, title, starts_at, location FROM meeting "
        "WHERE deleted_at IS NULL AND starts_at >= ? AND starts_at <= ? "
        "ORDER BY starts_at, id LIMIT ?",
        (as_stored(now), as_stored(now + timedelta(days=days)), limit),
    ).fetchall()
    return [MeetingLine(row[0], row[1], stored_moment(row[2]), row[3]) for row in rows]


def open_asks_summary(
    connection: sqlite3.Connection, *, per_body: int = 5
) -> list[tuple[str, int, list[AskLine]]]:
    """Open asks by body (name order): how many, and the oldest few of each.

    Counts first, then a few rows per body, so tens of thousands of open asks are
    counted on the index, never loaded."""
    counted = connection.execute(
        "SELECT b.id, b.name, t.live FROM tally_by_body t JOIN body b ON b.id = t.body_id "
        "WHERE t.entity = 'ask' AND t.status = ? AND t.live > 0 ORDER BY b.name, b.id",
        (AskStatus.open.value,),
    ).fetchall()
    result = []
    for body_id, name, total in counted:
        asks = connection.execute(
            f"SELECT id, title, raised_on FROM ask a WHERE a.body_id = ? AND {open_ask_sql('a')} "
            f"AND {live_sql('a')} ORDER BY raised_on, id LIMIT ?",
            (body_id, per_body),
        ).fetchall()
        result.append((name, total, [AskLine(a[0], a[1], stored_day(a[2])) for a in asks]))
    return result


def recent_activity(connection: sqlite3.Connection, *, limit: int = 15) -> list[ActivityLine]:
    rows = connection.execute(
        "SELECT at, actor, entity, entity_id, summary FROM audit_entry ORDER BY id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [ActivityLine(stored_moment(row[0]), row[1], row[2], row[3], row[4]) for row in rows]


def engagement_summary(
    db: Database, footprint_id: str, *, on: date | None = None
) -> EngagementSummary:
    """How engagement with one footprint's bodies stands (its successor's bodies not included)."""
    with clock.as_of(on), db.reader() as connection:
        row = connection.execute(
            "SELECT id, name, kind FROM footprint WHERE id = ?", (footprint_id,)
        ).fetchone()
        if row is None:
            raise LookupError(f"no footprint {footprint_id}")
        return _engagement(connection, FootprintRef(row[0], row[1], FootprintKind(row[2])), today())


_FOOTPRINT_BODIES = "SELECT body_id FROM body_footprint WHERE footprint_id = ?"


def _engagement(
    connection: sqlite3.Connection, footprint: FootprintRef, on: date
) -> EngagementSummary:
    since = datetime.combine(on - timedelta(days=90), time(0), LONDON)
    until = datetime.combine(on, time(23, 59), LONDON)
    # Walk the 90 days of meetings on the starts_at index and probe each one's bodies
    # (EXISTS, so no DISTINCT): a join from the bodies would visit every meeting the
    # footprint ever had (0.46 s at 100,000 meetings, against 0.03 s). The unary + keeps
    # the probe to the meeting's own one or two rows instead of a seek per footprint body
    # (36 -> 18 ms at 100,000 meetings).
    (meetings,) = connection.execute(
        "SELECT count(*) FROM meeting m WHERE m.deleted_at IS NULL "
        "AND m.starts_at >= ? AND m.starts_at <= ? AND EXISTS ("
        "SELECT 1 FROM meeting_body mb WHERE mb.meeting_id = m.id "
        f"AND +mb.body_id IN ({_FOOTPRINT_BODIES}))",
        (as_stored(since), as_stored(until), footprint.id),
    ).fetchone()
    tallies = dict(
        connection.execute(
            "SELECT entity || ':' || status, sum(live) FROM tally_by_body "
            f"WHERE body_id IN ({_FOOTPRINT_BODIES}) GROUP BY entity, status",
            (footprint.id,),
        ).fetchall()
    )
    # Overdue depends on the day, so it cannot be tallied: a range on the body/status/due index.
    body_ids = [row[0] for row in connection.execute(_FOOTPRINT_BODIES, (footprint.id,))]
    overdue = engagement.overdue_total(connection, body_ids)
    return EngagementSummary(
        footprint=footprint,
        meetings_last_90_days=meetings,
        asks_made=sum(n for key, n in tallies.items() if key.startswith("ask:")),
        asks_accepted=tallies.get(f"ask:{AskStatus.accepted.value}", 0),
        commitments_kept=tallies.get(f"commitment:{CommitmentStatus.done.value}", 0),
        commitments_overdue=overdue,
    )


def promises_kept(db: Database, *, on: date | None = None) -> PromiseRecord:
    """Promises kept by every body over the last 12 months (by first due date). Read after
    the dashboard is on screen: one range of the first-due index (migration 0011), about
    0.1 s at 100,000 meetings."""
    from .promises import months_before, promise_record

    with clock.as_of(on):
        return promise_record(db, since=months_before(), worst=0)


# --- the status bar ------------------------------------------------------------------


def record_counts(db: Database) -> dict[str, int]:
    """How many live records of each kind the database holds."""
    counts = {}
    with db.reader() as connection:
        for kind in kinds.LISTED:
            live = " WHERE deleted_at IS NULL" if kind.deletable else ""
            counts[kind.name] = connection.execute(
                f"SELECT count(*) FROM {kind.table}{live}"
            ).fetchone()[0]
    return counts


def is_empty(db: Database) -> bool:
    """No live records of any kind (a first run). One probe per table, at any size."""
    with db.reader() as connection:
        for kind in kinds.LISTED:
            live = " WHERE deleted_at IS NULL" if kind.deletable else ""
            if connection.execute(f"SELECT EXISTS (SELECT 1 FROM {kind.table}{live})").fetchone()[
                0
            ]:
                return False
    return True


@dataclass(frozen=True)
class StatusInfo:
    counts: dict[str, int]
    last_backup: datetime | None


def status(db: Database) -> StatusInfo:
    """What the status bar shows: record counts and when the last backup was taken."""
    return StatusInfo(record_counts(db), last_backup(db.path))


def last_backup(db_path: Path) -> datetime | None:
    return newest_backup_time(db_path)
