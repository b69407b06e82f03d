"""Promises kept: how each body's commitments to us (and ours to it) turned out.

Over a period, by the date each commitment was first due (``original_due_date``), so a
promise that keeps slipping cannot slide out of the window it was made for. Reads
through the one definition of state (``model.engagement``) on the plain read path.
"""

from __future__ import annotations

import sqlite3
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from ..model import clock
from ..model.engagement import (
    CommitmentState,
    commitment_state_sql,
    days_late_sql,
    live_sql,
    moves_sql,
    overdue_sql,
    pending_sql,
)
from ..model.enums import CommitmentDirection
from ..store import Database
from ..store.rows import marks
from . import engagement
from .errors import NotFound


@dataclass
class PromiseTally:
    """How a set of commitments turned out."""

    made: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    dropped: int = 0
    to_come: int = 0  # pending and not yet overdue
    days_late: list[int] = field(default_factory=list)  # of each one delivered late
    moved: int = 0  # how many moved at least once

    @property
    def median_days_late(self) -> float | None:
        return statistics.median(self.days_late) if self.days_late else None

    @property
    def delivered(self) -> int:
        return self.on_time + self.late

    @property
    def kept_share(self) -> float | None:
        """Delivered on time, of those due by now (delivered, overdue or dropped)."""
        settled = self.on_time + self.late + self.overdue + self.dropped
        return self.on_time / settled if settled else None

    def add(self, state: CommitmentState, days_late: int | None, moves: int) -> None:
        self.made += 1
        self.moved += moves > 0
        if state == CommitmentState.done:
            self.on_time += 1
        elif state == CommitmentState.done_late:
            self.late += 1
            self.days_late.append(days_late or 0)
        elif state == CommitmentState.overdue:
            self.overdue += 1
        elif state == CommitmentState.dropped:
            self.dropped += 1
        else:
            self.to_come += 1


@dataclass
class BodyPromises:
    body_id: str
    body: str
    to_us: PromiseTally = field(default_factory=PromiseTally)  # what the body promised us
    by_us: PromiseTally = field(default_factory=PromiseTally)  # what we promised the body


@dataclass
class PromiseRecord:
    since: date | None
    until: date
    bodies: list[BodyPromises]
    to_us: PromiseTally  # all the bodies together
    by_us: PromiseTally
    worst: list[engagement.CommitmentRow]  # their most overdue and most moved, worst first


def promise_record(
    db: Database,
    *,
    body_id: str | None = None,
    footprint_id: str | None = None,
    since: date | None = None,
    worst: int = 5,
) -> PromiseRecord:
    """Promises made by (and to) one body, a footprint's bodies, or every body, first due
    from ``since`` (default: all) to today."""
    with db.reader() as connection:
        return promises_in(connection, _bodies(connection, body_id, footprint_id), since, worst)


def _bodies(
    connection: sqlite3.Connection, body_id: str | None, footprint_id: str | None
) -> list[str] | None:
    if body_id is not None:
        if connection.execute("SELECT 1 FROM body WHERE id = ?", (body_id,)).fetchone() is None:
            raise NotFound(f"There is no body with id {body_id}.")
        return [body_id]
    if footprint_id is not None:
        found = connection.execute("SELECT 1 FROM footprint WHERE id = ?", (footprint_id,))
        if found.fetchone() is None:
            raise NotFound(f"There is no footprint with id {footprint_id}.")
        rows = connection.execute(
            "SELECT body_id FROM body_footprint WHERE footprint_id = ?", (footprint_id,)
        )
        return [row[0] for row in rows]
    return None


def promises_in(
    connection: sqlite3.Connection,
    body_ids: Sequence[str] | None,
    since: date | None,
    worst: int = 5,
) -> PromiseRecord:
    """As ``promise_record``, on an open connection (packs read inside their own)."""
    today = clock.today()
    where = [live_sql("c"), "coalesce(c.original_due_date, c.due_date) <= ?"]
    params: list[object] = [today.isoformat()]
    if since is not None:
        where.append("coalesce(c.original_due_date, c.due_date) >= ?")
        params.append(since.isoformat())
    if body_ids is not None:
        where.append(f"c.body_id IN ({marks(len(body_ids))})")
        params += body_ids
    rows = connection.execute(
        f"SELECT c.body_id, coalesce(b.name, ''), c.direction, {commitment_state_sql('c')}, "
        f"{days_late_sql('c')}, {moves_sql('c')} FROM commitment c "
        f"JOIN body b ON b.id = c.body_id WHERE {' AND '.join(where)}",
        params,
    ).fetchall()
    bodies: dict[str, BodyPromises] = {}
    to_us, by_us = PromiseTally(), PromiseTally()
    for body_id, name, direction, state, days_late, moves in rows:
        line = bodies.setdefault(body_id, BodyPromises(body_id, name))
        is_ours = direction == CommitmentDirection.by_us.value
        for tally in (line.by_us, by_us) if is_ours else (line.to_us, to_us):
            tally.add(CommitmentState(state), days_late, moves)
    worst_rows = (
        engagement.commitments(
            connection,
            f"{' AND '.join(where[1:])} AND c.direction = ? AND {pending_sql('c')} "
            f"AND ({overdue_sql('c')} OR {moves_sql('c')} > 0)",
            [*params, CommitmentDirection.to_us.value],
            order=f"c.due_date, {moves_sql('c')} DESC, c.id",
            limit=worst,
        )
        if worst
        else []
    )
    return PromiseRecord(
        since=since,
        until=today,
        bodies=sorted(bodies.values(), key=lambda line: line.body.casefold()),
        to_us=to_us,
        by_us=by_us,
        worst=worst_rows,
    )
