"""Recently deleted records: listed, restored, or removed for good as an explicit act."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, delete, select, update

from ..model import clock, kinds
from ..model import tables as t
from ..model.enums import AuditAction
from ..store import Database
from . import letters
from .entities import BY_NAME
from .errors import NotFound
from .records import EntityService, audit, snapshot

# The kinds a user can delete and get back, in the order the bin shows them.
RECOVERABLE: tuple[str, ...] = tuple(kind.name for kind in kinds.RECOVERABLE)


@dataclass(frozen=True)
class DeletedRecord:
    kind: str  # plural entity name, e.g. "meetings"
    id: str
    summary: str
    deleted_at: datetime


def recently_deleted(db: Database, *, limit: int = 200) -> list[DeletedRecord]:
    """Deleted records, most recently deleted first."""
    found: list[DeletedRecord] = []
    with db.read() as session:
        for kind in RECOVERABLE:
            service = BY_NAME[kind]
            table = service.spec.table
            rows = session.exec(
                select(table)
                .where(col(table.deleted_at).is_not(None))
                .order_by(col(table.deleted_at).desc())
                .limit(limit)
            ).all()
            found.extend(
                DeletedRecord(kind, row.id, service.spec.summary(row), row.deleted_at)
                for row in rows
            )
    found.sort(key=lambda record: record.deleted_at, reverse=True)
    return found[:limit]


def _find(db: Database, record_id: str) -> EntityService[Any]:
    with db.read() as session:
        for kind in RECOVERABLE:
            service = BY_NAME[kind]
            if session.get(service.spec.table, record_id) is not None:
                return service
    raise NotFound(f"There is no deleted record with id {record_id}.")


def restore(db: Database, record_id: str, *, actor: str | None = None) -> Any:
    """Bring back a deleted record of any kind (a reply with what it did to its asks)."""
    service = _find(db, record_id)
    if service is BY_NAME["replies"]:
        return letters.restore_reply(db, record_id, actor=actor).reply
    return service.restore(db, record_id, actor=actor)


def empty(db: Database, *, older_than_days: int = 0, actor: str | None = None) -> int:
    """Remove deleted records for good (all, or those deleted more than N days ago).

    Each removal leaves an audit entry holding the record as it was, so even then
    the facts can be read back. Returns how many records were removed.
    """
    cutoff = clock.now() - timedelta(days=older_than_days)
    removed = 0
    with db.session() as session:
        for kind in RECOVERABLE:
            service = BY_NAME[kind]
            table = service.spec.table
            rows = session.exec(
                select(table)
                .where(col(table.deleted_at).is_not(None))
                .where(col(table.deleted_at) <= cutoff)
            ).all()
            for row in rows:
                _detach(session, kind, row.id)
                audit(
                    session,
                    action=AuditAction.delete,
                    entity=service.spec.name,
                    record=row,
                    before=snapshot(row),
                    summary=f"Removed for good: {service.spec.label.lower()} “{service.spec.summary(row)}”",
                    actor=actor,
                    removed=True,
                )
                session.delete(row)
                removed += 1
            session.flush()
    return removed


def _detach(session: Session, kind: str, record_id: str) -> None:
    """Clear references to a record about to be removed (its own child rows cascade)."""
    if kind == "meetings":
        session.exec(
            update(t.Ask).where(col(t.Ask.meeting_id) == record_id).values(meeting_id=None)
        )
        session.exec(
            update(t.Commitment)
            .where(col(t.Commitment.meeting_id) == record_id)
            .values(meeting_id=None)
        )
    elif kind == "asks":
        session.exec(
            update(t.Commitment).where(col(t.Commitment.ask_id) == record_id).values(ask_id=None)
        )
        session.exec(delete(t.LetterAsk).where(col(t.LetterAsk.ask_id) == record_id))
    elif kind == "contacts":
        session.exec(
            delete(t.MeetingAttendee).where(col(t.MeetingAttendee.contact_id) == record_id)
        )
        session.exec(
            update(t.Commitment)
            .where(col(t.Commitment.contact_id) == record_id)
            .values(contact_id=None)
        )
        session.exec(
            update(t.Letter)
            .where(col(t.Letter.recipient_contact_id) == record_id)
            .values(recipient_contact_id=None)
        )
    elif kind == "letters":
        session.exec(update(t.Ask).where(col(t.Ask.letter_id) == record_id).values(letter_id=None))
