"""Promises kept: how each body's commitments to us (and ours to it) turned out.

Over a period, by the date each commitment was first due (``original_due_date``), so a
promise that keeps slipping cannot slide out of the window it was made for. Reads
through the one definition of state (``model.engagement``) on the plain read path.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from ..model import clock
from ..model.engagement import (
    days_late_sql,
    done_late_sql,
    live_sql,
    moves_sql,
    overdue_sql,
    pending_sql,
)
from ..model.enums import CommitmentDirection, CommitmentStatus
from ..store import Database
from ..store.rows import marks
from . import engagement

FIRST_DUE = "coalesce(c.original_due_date, c.due_date)"
FIRST_DUE_INDEX = "ix_commitment_live_first_due"
BODY_FIRST_DUE_INDEX = "ix_commitment_live_body_first_due"
"""The date a commitment was first due (one first dated by a reschedule: that date). The
period is read by it, on the indexes migrations 0011 (every body: the dashboard) and 0016
(a few bodies: a pack, 12 ms down to 2 at 100,000 meetings) made of this very expression."""


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
        import statistics  # 9 ms to import: not before the dashboard is on screen

        return statistics.median(self.days_late) if self.days_late else None

    @property
    def delivered(self) -> int:
        return self.on_time + self.late

    @property
    def kept_share(self) -> float | None:
        """Delivered on time, of those due by now (delivered, overdue or dropped)."""
        settled = self.on_time + self.late + self.overdue + self.dropped
        return self.on_time / settled if settled else None

    def count(
        self, status: CommitmentStatus, made: int, overdue: int, late: int, moved: int
    ) -> None:
        """Count ``made`` commitments in ``status``: of them, ``overdue`` pending ones past
        their due date, ``late`` done ones delivered after it, ``moved`` moved at least once
        (the days each late one took are added apart, to :attr:`days_late`)."""
        self.made += made
        self.moved += moved
        if status == CommitmentStatus.done:
            self.on_time += made - late
            self.late += late
        elif status == CommitmentStatus.pending:
            self.overdue += overdue
            self.to_come += made - overdue
        else:
            self.dropped += made


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
        scope = engagement.scope_of(connection, body_id, footprint_id)
        return promises_in(connection, scope.body_ids, since, worst)


def _quoted(values: type[CommitmentDirection] | type[CommitmentStatus]) -> str:
    return ", ".join(f"'{value.value}'" for value in values)


def _how_many(condition: str) -> str:
    """How many rows of a group meet ``condition`` (one that is NULL on a missing date is
    not met)."""
    return f"sum(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def promises_in(
    connection: sqlite3.Connection,
    body_ids: Sequence[str] | None,
    since: date | None,
    worst: int = 5,
) -> PromiseRecord:
    """As ``promise_record``, on an open connection (packs read inside their own)."""
    today = clock.today()
    where = [live_sql("c"), f"{FIRST_DUE} <= ?"]
    params: list[object] = [today.isoformat()]
    if since is not None:
        where.append(f"{FIRST_DUE} >= ?")
        params.append(since.isoformat())
    index = FIRST_DUE_INDEX
    if body_ids is not None:
        where.append(f"c.body_id IN ({marks(len(body_ids))})")
        params += body_ids
        # every direction and status named, so SQLite seeks each (body, direction, status)
        # run of the index to the period and counts the runs in the index's order, unsorted
        where.append(f"c.direction IN ({_quoted(CommitmentDirection)})")
        where.append(f"c.status IN ({_quoted(CommitmentStatus)})")
        index = BODY_FIRST_DUE_INDEX
    # Both reads walk a first-due index (migrations 0011 and 0016), which holds every column
    # they test: by the body or status index SQLite would fetch each row from the table.
    # Counted inside SQLite, one row per body, direction and status, with how many of them
    # are overdue, were delivered late and moved; then the days each late one took.
    found = f"FROM commitment c INDEXED BY {index} WHERE {' AND '.join(where)}"
    rows = connection.execute(
        "SELECT g.body_id, coalesce(b.name, ''), g.direction, g.status, g.n, g.overdue, g.late, "
        f"g.moved FROM (SELECT c.body_id, c.direction, c.status, count(*) AS n, "
        f"{_how_many(overdue_sql('c'))} AS overdue, {_how_many(done_late_sql('c'))} AS late, "
        f"{_how_many(moves_sql('c') + ' > 0')} AS moved {found} GROUP BY 1, 2, 3) g "
        "JOIN body b ON b.id = g.body_id",
        params,
    ).fetchall()
    late_rows = connection.execute(
        f"SELECT c.body_id, c.direction, {days_late_sql('c')}, count(*) {found} "
        f"AND {done_late_sql('c')} GROUP BY 1, 2, 3",
        params,
    ).fetchall()
    bodies: dict[str, BodyPromises] = {}
    to_us, by_us = PromiseTally(), PromiseTally()

    def tallies(body_id: str, direction: str) -> tuple[PromiseTally, PromiseTally]:
        line = bodies[body_id]
        if direction == CommitmentDirection.by_us.value:
            return line.by_us, by_us
        return line.to_us, to_us

    for body_id, name, direction, status, made, overdue, late, moved in rows:
        bodies.setdefault(body_id, BodyPromises(body_id, name))
        for tally in tallies(body_id, direction):
            tally.count(CommitmentStatus(status), made, overdue, late, moved)
    for body_id, direction, days, count in late_rows:
        for tally in tallies(body_id, direction):
            tally.days_late += [days] * count
    worst_rows: list[engagement.CommitmentRow] = []
    if worst:
        # the worst few found on the index (their rowids), then only those rows read
        order = f"c.due_date, {moves_sql('c')} DESC, c.rowid"
        found = connection.execute(
            f"SELECT c.rowid FROM commitment c INDEXED BY {index} "
            f"WHERE {' AND '.join(where)} AND c.direction = ? AND {pending_sql('c')} "
            f"AND ({overdue_sql('c')} OR {moves_sql('c')} > 0) ORDER BY {order} LIMIT ?",
            [*params, CommitmentDirection.to_us.value, worst],
        ).fetchall()
        rowids = [row[0] for row in found]
        worst_rows = engagement.commitments(
            connection, f"c.rowid IN ({marks(len(rowids))})", rowids, order=order
        )
    return PromiseRecord(
        since=since,
        until=today,
        bodies=sorted(bodies.values(), key=lambda line: line.body.casefold()),
        to_us=to_us,
        by_us=by_us,
        worst=worst_rows,
    )


# --- the figures in words, as the dashboard, a body's page, packs and the command print ---

DEFAULT_MONTHS = 12


def months_before(day: date | None = None, months: int = DEFAULT_MONTHS) -> date:
    """The first day of a period of ``months`` months up to and including ``day`` (default:
    today): the same day of the month that many months before (or that month's last day:
    28 February for 29 February)."""
    import calendar

    day = day or clock.today()
    year, month = divmod(day.month - 1 - months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _days(count: float) -> str:
    figure = f"{count:g}" if count != int(count) else f"{int(count)}"
    return f"{figure} day{'' if count == 1 else 's'}"


def median_late_text(tally: PromiseTally) -> str:
    """ "9 days" (half days as "6.5 days"); "" when none was delivered late."""
    median = tally.median_days_late
    return "" if median is None else _days(median)


def figures_text(tally: PromiseTally) -> str:
    """ "8 made: 4 on time, 2 late (median 9 days), 1 overdue, 1 not yet due": the parts
    that are not nought, in the order the chart draws them."""
    if not tally.made:
        return "None made"
    parts = [
        f"{count} {words}"
        for count, words in (
            (tally.on_time, "on time"),
            (tally.late, f"late (median {median_late_text(tally)})"),
            (tally.overdue, "overdue"),
            (tally.dropped, "dropped"),
            (tally.to_come, "not yet due"),
        )
        if count
    ]
    return f"{tally.made} made: " + ", ".join(parts)


@dataclass(frozen=True)
class PromiseLine:
    """One body's figures, as a table row (packs, ``stpdesk report promises``)."""

    body_id: str
    body: str
    made: int
    on_time: int
    late: int
    median_late: str  # "9 days", "" when none was late
    overdue: int
    dropped: int
    to_come: int

    @classmethod
    def of(cls, body_id: str, body: str, tally: PromiseTally) -> PromiseLine:
        return cls(
            body_id=body_id,
            body=body,
            made=tally.made,
            on_time=tally.on_time,
            late=tally.late,
            median_late=median_late_text(tally),
            overdue=tally.overdue,
            dropped=tally.dropped,
            to_come=tally.to_come,
        )


@dataclass(frozen=True)
class WorstCase:
    """A promise to us still outstanding and overdue or moved, as a table row."""

    id: str
    text: str
    body: str
    first_due: str  # "14 March 2027"
    moves: int
    now: str  # "30 June 2027 (12 days overdue)", "30 June 2027 (due in 40 days)"
    standing: str  # "12 days overdue", "due in 40 days"
    slipped: str  # "due 14 March 2027, moved twice, now 30 June 2027" ("" if never moved)


def worst_case(row: engagement.CommitmentRow) -> WorstCase:
    from ..model.dates import format_date
    from ..model.engagement import slippage_text, status_text

    standing = status_text(row.status, row.due_date).lower() if row.due_date else ""
    now = f"{format_date(row.due_date)} ({standing})" if standing else ""
    return WorstCase(
        id=row.id,
        text=row.text,
        body=row.body,
        first_due=format_date(row.original_due_date or row.due_date),
        moves=row.moves,
        now=now,
        standing=standing,
        slipped=slippage_text(row.original_due_date, row.due_date, row.moves),
    )


@dataclass(frozen=True)
class PromiseSection:
    """What a pack's "Their record on promises" shows for its bodies."""

    since: date
    until: date
    lines: list[PromiseLine]  # the bodies that made us promises first due in the period
    without: list[str]  # the names of those that made none
    worst: list[WorstCase]
    total: str  # all of them together in words, when more than one made any ("" if not)


def promise_section(
    connection: sqlite3.Connection,
    bodies: Sequence[tuple[str, str]],
    *,
    since: date,
    worst: int = 5,
    archived: Collection[str] = (),
) -> PromiseSection:
    """The record of promises to us of ``bodies`` (id, name), first due from ``since`` to
    today, on an open connection. Bodies that made none are named, ``archived`` ones
    (merged or closed) only if they made some."""
    record = promises_in(connection, [body_id for body_id, _ in bodies], since, worst)
    made = {line.body_id: line for line in record.bodies if line.to_us.made}
    lines = [PromiseLine.of(i, line.body, line.to_us) for i, line in made.items()]
    return PromiseSection(
        since=since,
        until=record.until,
        lines=lines,
        without=[
            name for body_id, name in bodies if body_id not in made and body_id not in archived
        ],
        worst=[worst_case(row) for row in record.worst],
        total=figures_text(record.to_us) if len(lines) > 1 else "",
    )
