"""Synthetic meetings at scale, for ``stpdesk demo --scale N`` and the benchmarks.

:func:`add_scale` adds many synthetic meetings quickly (Core bulk inserts), to try the
application at the size a busy council might reach after years of use. The words it uses
are in ``resources/demo/synthetic.toml``.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session, col, select

from ..config import current_user
from ..model import clock
from ..model import tables as t
from ..model.enums import AuditAction, BodyKind, MeetingKind
from ..model.types import new_id
from ..store import Database
from .demo import COUNT_KEYS, demo_data, email_address
from .entities import BY_NAME
from .records import validate

__all__ = ["SCALE_BATCH", "add_scale"]

SCALE_BATCH = 5_000
SCALE_CACHE_KIB = 131_072  # page cache for add_scale: 128 MiB


@dataclass(frozen=True)
class _Words:
    """resources/demo/synthetic.toml: what synthetic meetings are called and say."""

    meeting_titles: tuple[tuple[MeetingKind, str], ...]
    notes: tuple[str, ...]
    asks: tuple[str, ...]
    commitments: tuple[str, ...]
    locations: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


def _words() -> _Words:
    data = demo_data("synthetic")
    return _Words(
        meeting_titles=tuple(
            (MeetingKind(row["kind"]), row["title"]) for row in data["meeting_titles"]
        ),
        notes=tuple(data["notes"]),
        asks=tuple(data["asks"]),
        commitments=tuple(data["commitments"]),
        locations=tuple(data["locations"]),
        first_names=tuple(data["first_names"]),
        last_names=tuple(data["last_names"]),
    )


def _scale_people(
    session: Session, rng: random.Random, added: dict[str, int], words: _Words
) -> tuple[list[str], list[str], list[str]]:
    """Live bodies, contacts and members to link to; a small set is created if there are none."""

    def create(key: str, data: dict[str, Any]) -> Any:
        service = BY_NAME[key]
        added[key] += 1
        return service.create_in(session, validate(service.spec.create, data))

    body_ids = list(
        session.exec(
            select(t.Body.id).where(col(t.Body.archived_at).is_(None)).order_by(col(t.Body.id))
        ).all()
    )
    if not body_ids:
        for name, kind in (
            ("Example Integrated Care Board", BodyKind.icb),
            ("Example Hospitals NHS Trust", BodyKind.nhs_trust),
            ("Example County Council", BodyKind.county_council),
        ):
            body_ids.append(create("bodies", {"name": name, "kind": kind}).id)
    contact_ids = list(
        session.exec(
            select(t.Contact.id)
            .where(col(t.Contact.archived_at).is_(None))
            .where(col(t.Contact.deleted_at).is_(None))
            .order_by(col(t.Contact.id))
        ).all()
    )
    if not contact_ids:
        for number in range(6):
            name = f"{rng.choice(words.first_names)} {rng.choice(words.last_names)}"
            contact = create(
                "contacts",
                {
                    "name": name,
                    "role": "Programme Manager",
                    "body_id": body_ids[number % len(body_ids)],
                    "email": email_address(f"{name} {number}", "nhs.example"),
                },
            )
            contact_ids.append(contact.id)
    member_ids = list(
        session.exec(
            select(t.Member.id)
            .where(col(t.Member.archived_at).is_(None))
            .order_by(col(t.Member.id))
        ).all()
    )
    if not member_ids:
        for position in ("Leader of the Council", "Cabinet Member for Housing and Health"):
            name = f"{rng.choice(words.first_names)} {rng.choice(words.last_names)}"
            member_ids.append(create("members", {"name": name, "position": position}).id)
    return body_ids, contact_ids, member_ids


def _max_variables(connection: Connection) -> int:
    """How many ``?`` parameters one SQLite statement may hold (999 on old builds)."""
    driver = connection.connection.driver_connection
    try:
        limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[union-attr]
    except (AttributeError, sqlite3.Error):
        limit = 999
    return max(1, min(limit, 32_766))


_Statement = tuple[str, tuple[Any, ...]]


class _BulkStatements:
    """Turn rows into multi-row ``INSERT ... VALUES (...), (...)`` statements.

    Not ``executemany``: there every row is a statement of its own, SQLite opens a
    statement savepoint for each, and FTS5 writes its pending index out at every
    savepoint, so the search triggers make each row several times slower. In one
    statement the triggers still fire per row but FTS5 batches its writes.

    SQLAlchemy compiles a multi-row insert afresh every time (it is not cached), which
    costs more than SQLite's own work, so the statement text is built once per table and
    row count, and every value goes through its column type's bind processor exactly as a
    Core insert would (``UTCDateTime`` refuses naive datetimes; enums and dates are
    converted).
    """

    def __init__(self, dialect: Any, max_variables: int, max_rows: int = 2_000) -> None:
        self.dialect = dialect
        self.max_variables = max_variables
        self.max_rows = max_rows
        self._sql: dict[tuple[str, tuple[str, ...], int], str] = {}
        self._processors: dict[tuple[str, tuple[str, ...]], list[Any]] = {}

    def _text(self, table: Any, names: tuple[str, ...], count: int) -> str:
        key = (table.name, names, count)
        sql = self._sql.get(key)
        if sql is None:
            quote = self.dialect.identifier_preparer
            columns = ", ".join(quote.quote(name) for name in names)
            row = "(" + ", ".join("?" * len(names)) + ")"
            sql = f"INSERT INTO {quote.format_table(table)} ({columns}) VALUES " + ", ".join(
                [row] * count
            )
            self._sql[key] = sql
        return sql

    def build(self, table: Any, rows: list[dict[str, Any]]) -> list[_Statement]:
        if not rows:
            return []
        names = tuple(rows[0])
        processors = self._processors.get((table.name, names))
        if processors is None:
            # dialect_impl: SQLite's own DATETIME/DATE formats, as the ORM stores them.
            processors = [
                table.c[name].type.dialect_impl(self.dialect).bind_processor(self.dialect)
                for name in names
            ]
            self._processors[(table.name, names)] = processors
        pairs = list(zip(names, processors, strict=True))
        per_statement = max(1, min(self.max_rows, self.max_variables // len(names)))
        statements = []
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = tuple(
                process(row[name]) if process else row[name]
                for row in chunk
                for name, process in pairs
            )
            statements.append((self._text(table, names, len(chunk)), params))
        return statements


@dataclass
class _ScaleBatch:
    statements: list[_Statement]
    first_id: str
    counts: dict[str, int]


class _ScaleRows:
    """Generates the synthetic rows, batch by batch, from one seeded random source."""

    def __init__(
        self,
        rng: random.Random,
        today: date,
        body_ids: list[str],
        contact_ids: list[str],
        member_ids: list[str],
        theme_ids: list[str],
        statements: _BulkStatements,
        words: _Words,
    ) -> None:
        self.rng = rng
        self.words = words
        self.today = today
        self.midnight = datetime.combine(today, time(0), UTC)
        self.now = clock.now()
        self.body_ids = body_ids
        self.contact_ids = contact_ids
        self.member_ids = member_ids
        self.theme_ids = theme_ids
        self.statements = statements

    def batch(self, first: int, size: int) -> _ScaleBatch:
        """Meetings numbered ``first`` to ``first + size - 1`` and their related rows."""
        rng, today, now = self.rng, self.today, self.now
        body_ids, contact_ids, member_ids = self.body_ids, self.contact_ids, self.member_ids
        meetings: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        topics: list[dict[str, Any]] = []
        attendees: list[dict[str, Any]] = []
        asks: list[dict[str, Any]] = []
        commitments: list[dict[str, Any]] = []
        for number in range(first, first + size):
            meeting_id = new_id()
            kind, title = rng.choice(self.words.meeting_titles)
            # Mostly the past five years, a few in the next month; 08:00-17:45 UTC.
            day_offset = rng.randint(-1826, 30)
            starts = self.midnight + timedelta(
                days=day_offset, minutes=rng.randrange(480, 1065, 15)
            )
            day = today + timedelta(days=day_offset)
            body_id = rng.choice(body_ids)
            meetings.append(
                {
                    "id": meeting_id,
                    "created_at": now,
                    "updated_at": now,
                    "deleted_at": None,
                    "title": f"{title} (synthetic {number})",
                    "starts_at": starts,
                    "ends_at": starts + timedelta(minutes=rng.choice((45, 60, 90, 120))),
                    "location": rng.choice(self.words.locations),
                    "kind": kind.value,
                    "agenda": None,
                    "notes": " ".join(rng.sample(self.words.notes, 2)),
                    "outcome": None,
                }
            )
            links.append({"meeting_id": meeting_id, "body_id": body_id})
            if self.theme_ids:
                topics.append({"meeting_id": meeting_id, "theme_id": rng.choice(self.theme_ids)})
            for contact_id, member_id in (
                (rng.choice(contact_ids), None),
                (None, rng.choice(member_ids)),
            ):
                attendees.append(
                    {
                        "id": new_id(),
                        "meeting_id": meeting_id,
                        "contact_id": contact_id,
                        "member_id": member_id,
                        "attendance": "present" if rng.random() < 0.9 else "apologies",
                    }
                )
            ask_id = new_id()
            answered = day_offset < -30 and rng.random() < 0.6
            asks.append(
                {
                    "id": ask_id,
                    "created_at": now,
                    "updated_at": now,
                    "deleted_at": None,
                    "title": rng.choice(self.words.asks),
                    "rationale": None,
                    "body_id": body_id,
                    "meeting_id": meeting_id,
                    "letter_id": None,
                    "priority": rng.choice(("high", "medium", "medium", "low")),
                    "status": rng.choice(("accepted", "partly_met", "declined"))
                    if answered
                    else "open",
                    "response": None,
                    "raised_on": day,
                    "responded_on": day + timedelta(days=21) if answered else None,
                }
            )
            due = day + timedelta(days=rng.randint(14, 90))
            status = "pending"
            if due < today:
                status = rng.choice(("done", "done", "done", "pending", "dropped"))
            commitments.append(
                {
                    "id": new_id(),
                    "created_at": now,
                    "updated_at": now,
                    "deleted_at": None,
                    "text": rng.choice(self.words.commitments),
                    "direction": "to_us" if rng.random() < 0.6 else "by_us",
                    "body_id": body_id,
                    "contact_id": rng.choice(contact_ids),
                    "meeting_id": meeting_id,
                    "ask_id": ask_id if rng.random() < 0.5 else None,
                    "due_date": due,
                    "status": status,
                    "evidence": None,
                    "completed_on": due if status == "done" else None,
                }
            )
        statements: list[_Statement] = []
        for table, rows in (
            (t.Meeting.__table__, meetings),  # type: ignore[attr-defined]
            (t.MeetingBody.__table__, links),  # type: ignore[attr-defined]
            (t.MeetingTheme.__table__, topics),  # type: ignore[attr-defined]
            (t.MeetingAttendee.__table__, attendees),  # type: ignore[attr-defined]
            (t.Ask.__table__, asks),  # type: ignore[attr-defined]
            (t.Commitment.__table__, commitments),  # type: ignore[attr-defined]
        ):
            statements.extend(self.statements.build(table, rows))
        counts = {
            "meetings": len(meetings),
            "asks": len(asks),
            "commitments": len(commitments),
            "attendees": len(attendees),
        }
        return _ScaleBatch(statements, meetings[0]["id"], counts)


def add_scale(
    db: Database,
    count: int,
    *,
    seed: int = 0,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Add ``count`` synthetic meetings, each with an ask, a commitment, two attendees
    (a contact and a member), a body and (if there are themes) a theme, linked to the
    bodies and people already in the database (a few are created first if there are none).

    Bulk inserts in batches of :data:`SCALE_BATCH` meetings, all in one transaction, with
    one audit entry for the whole addition; the search index triggers fire for every row.
    ``progress(done)`` is called after each batch. Returns how many records of each kind
    were added, plus ``attendees``.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    today = today or clock.today()
    rng = random.Random(seed)
    added = dict.fromkeys(COUNT_KEYS, 0)
    added["attendees"] = 0
    if count == 0:
        return added
    with db.session() as session:
        words = _words()
        body_ids, contact_ids, member_ids = _scale_people(session, rng, added, words)
        session.flush()
        theme_ids = list(session.exec(select(t.Theme.id).order_by(col(t.Theme.name))).all())
        connection = session.connection()
        statements = _BulkStatements(connection.dialect, _max_variables(connection))
        rows = _ScaleRows(
            rng, today, body_ids, contact_ids, member_ids, theme_ids, statements, words
        )
        first_id = ""
        cache_size = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        # A bigger page cache while the random-id indexes grow; put back afterwards.
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SCALE_CACHE_KIB}")
        try:
            done = 0
            while done < count:
                batch = rows.batch(done + 1, min(SCALE_BATCH, count - done))
                for sql, params in batch.statements:
                    connection.exec_driver_sql(sql, params)
                first_id = first_id or batch.first_id
                for key, value in batch.counts.items():
                    added[key] += value
                done += batch.counts["meetings"]
                if progress is not None:
                    progress(done)
        finally:
            connection.exec_driver_sql(f"PRAGMA cache_size={int(cache_size)}")
        session.add(
            t.AuditEntry(
                actor=current_user(),
                action=AuditAction.create,
                entity="meeting",
                entity_id=first_id,
                summary=f"Added {count} synthetic meetings",
                after={key: value for key, value in added.items() if value} | {"seed": seed},
            )
        )
    return added
