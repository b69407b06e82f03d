"""Flat, JSON-ready rows for lists (CLI and exports), loaded a page at a time.

Related names for a whole page come from one query per relation, never one
query per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, func, select

from ..model import clock
from ..model import tables as t
from ..model.clock import today
from ..model.engagement import (
    days_late,
    due_soon_sql,
    due_within_sql,
    is_overdue,
    overdue_sql,
    pending_sql,
    rag,
    reply_wait_days,
    thresholds,
)
from ..model.enums import AskStatus, CommitmentStatus
from ..store import Database
from .entities import BY_NAME, display_name, meetings


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _value(member: Any) -> str | None:
    return member.value if member is not None else None


def _first_line(text: str | None) -> str | None:
    return text.strip().splitlines()[0] if text and text.strip() else None


def _names(session: Session, table: Any, ids: set[str]) -> dict[str, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    rows = session.exec(select(table).where(col(table.id).in_(ids))).all()
    return {row.id: display_name(row) if table is t.Member else row.name for row in rows}


def _linked_names(
    session: Session,
    link: Any,
    own: str,
    other: str,
    table: Any,
    ids: Sequence[str],
    ordered: bool = False,
) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {i: [] for i in ids}
    if not ids:
        return result
    query = (
        select(getattr(link, own), table)
        .join(table, col(table.id) == getattr(link, other))
        .where(col(getattr(link, own)).in_(ids))
    )
    if ordered:
        query = query.order_by(link.position)
    for own_id, record in session.exec(query).all():
        result[own_id].append(display_name(record) if table is t.Member else record.name)
    return result


def _mapped(record: t.Body | t.Contact) -> dict[str, Any]:
    """A body's or contact's place on the relationship map."""
    return {
        "influence": record.influence,
        "interest": record.interest,
        "strength": record.strength.value,
    }


def rows(
    db: Database, entity: str, records: Sequence[Any], *, on: date | None = None
) -> list[dict[str, Any]]:
    """The fields users see for each record of ``entity`` (a plural name)."""
    ids = [r.id for r in records]
    on = on or today()
    with db.read() as session:
        if entity == "footprints":
            successors = _names(session, t.Footprint, {r.successor_id for r in records})
            return [
                {
                    "id": r.id,
                    "code": r.code,
                    "name": r.name,
                    "kind": r.kind.value,
                    "region": r.region,
                    "successor_id": r.successor_id,
                    "successor": successors.get(r.successor_id),
                }
                for r in records
            ]
        if entity == "bodies":
            footprints = _linked_names(
                session, t.BodyFootprint, "body_id", "footprint_id", t.Footprint, ids
            )
            return [
                {
                    "id": r.id,
                    "name": r.name,
                    "kind": r.kind.value,
                    "code": r.code,
                    "footprints": footprints[r.id],
                    "archived": r.archived_at is not None,
                    **_mapped(r),
                }
                for r in records
            ]
        if entity == "contacts":
            bodies = _names(session, t.Body, {r.body_id for r in records})
            return [
                {
                    "id": r.id,
                    "name": r.name,
                    "role": r.role,
                    "body_id": r.body_id,
                    "body": bodies.get(r.body_id),
                    "email": r.email,
                    "phone": r.phone,
                    "archived": r.archived_at is not None,
                    **_mapped(r),
                }
                for r in records
            ]
        if entity == "members":
            return [
                {
                    "id": r.id,
                    "title": r.title,
                    "name": r.name,
                    "position": r.position,
                    "council": r.council,
                    "email": r.email,
                }
                for r in records
            ]
        if entity == "meetings":
            attendees = meetings.attendees_of(session, ids)
            readings = meetings.temperatures_of(session, ids)
            bodies = _linked_names(session, t.MeetingBody, "meeting_id", "body_id", t.Body, ids)
            return [
                {
                    "id": r.id,
                    "title": r.title,
                    "starts_at": _iso(r.starts_at),
                    "ends_at": _iso(r.ends_at),
                    "location": r.location,
                    "kind": r.kind.value,
                    "attendees": [a["name"] for a in attendees[r.id]],
                    "bodies": bodies[r.id],
                    "outcome": r.outcome,
                    "temperature": [
                        {"body_id": x["body_id"], "score": x["score"], "reason": x["reason"]}
                        for x in readings[r.id]
                    ],
                }
                for r in records
            ]
        if entity == "asks":
            bodies = _names(session, t.Body, {r.body_id for r in records})
            return [
                {
                    "id": r.id,
                    "title": r.title,
                    "status": r.status.value,
                    "priority": r.priority.value,
                    "body_id": r.body_id,
                    "body": bodies.get(r.body_id),
                    "meeting_id": r.meeting_id,
                    "raised_on": _iso(r.raised_on),
                    "responded_on": _iso(r.responded_on),
                }
                for r in records
            ]
        if entity == "commitments":
            bodies = _names(session, t.Body, {r.body_id for r in records})
            return [
                {
                    "id": r.id,
                    "text": r.text,
                    "direction": r.direction.value,
                    "body_id": r.body_id,
                    "body": bodies.get(r.body_id),
                    "meeting_id": r.meeting_id,
                    "original_due_date": _iso(r.original_due_date),
                    "due_date": _iso(r.due_date),
                    "revisions": len(r.revisions or []),
                    "status": r.status.value,
                    "overdue": is_overdue(r.status, r.due_date, today=on),
                    "rag": _value(
                        rag(r.status, r.due_date, r.completed_on, len(r.revisions or []), today=on)
                    ),
                    "delivered_on": _iso(r.completed_on),
                    "days_late": days_late(r.status, r.due_date, r.completed_on),
                }
                for r in records
            ]
        if entity == "letters":
            recipients = _names(session, t.Contact, {r.recipient_contact_id for r in records})
            signatories = _linked_names(
                session, t.LetterSignatory, "letter_id", "member_id", t.Member, ids, ordered=True
            )
            reply_counts = dict(
                session.exec(
                    select(t.LetterReply.letter_id, func.count())
                    .where(col(t.LetterReply.letter_id).in_(ids))
                    .where(col(t.LetterReply.deleted_at).is_(None))
                    .group_by(col(t.LetterReply.letter_id))
                ).all()
            )
            return [
                {
                    "id": r.id,
                    "template": r.template,
                    "subject": r.subject,
                    "recipient": recipients.get(r.recipient_contact_id)
                    or _first_line(r.recipient_address),
                    "signatories": signatories[r.id],
                    "letter_date": _iso(r.letter_date),
                    "reference": r.reference,
                    "cc": r.cc or [],
                    "status": r.status.value,
                    "sent_on": _iso(r.sent_on),
                    "sent_by": _value(r.sent_by),
                    "replies": reply_counts.get(r.id, 0),
                    "awaiting_reply_days": reply_wait_days(
                        r.status, r.sent_on, deleted=r.deleted_at is not None, today=on
                    ),
                    "file_path": r.file_path,
                    "files": r.files or ([r.file_path] if r.file_path else []),
                }
                for r in records
            ]
    raise ValueError(f"unknown entity {entity!r}")


def list_rows(
    db: Database,
    entity: str,
    *,
    limit: int = 50,
    offset: int = 0,
    overdue: bool = False,
    due_within: int | None = None,
    on: date | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of rows for ``stpdesk list`` and the total that matched. For commitments,
    ``overdue`` and ``due_within`` together mean due by that day, overdue ones included."""
    service = BY_NAME[entity]
    where: list[Any] = []
    if entity == "commitments":
        if due_within is not None:
            where.append(text(due_within_sql("commitment", due_within, from_today=not overdue)))
        elif overdue:
            where.append(text(overdue_sql("commitment")))
    with clock.as_of(on):
        page = service.page(db, offset=offset, limit=limit, where=where)
        return rows(db, entity, page.rows), page.total


# Filters offered above some lists: label -> conditions the list's query adds.
def commitment_filters() -> dict[str, list[Any]]:
    return {
        "All commitments": [],
        "Pending": [text(pending_sql("commitment"))],
        "Overdue": [text(overdue_sql("commitment"))],
        f"Due in the next {thresholds().due_soon_days} days": [text(due_soon_sql("commitment"))],
        "Done": [t.Commitment.status == CommitmentStatus.done],
        "Dropped": [t.Commitment.status == CommitmentStatus.dropped],
    }


def ask_filters() -> dict[str, list[Any]]:
    return {"All asks": []} | {status.label: [t.Ask.status == status] for status in AskStatus}


LIST_FILTERS = {"commitments": commitment_filters, "asks": ask_filters}
