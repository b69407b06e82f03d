"""Data-protection requests (UK GDPR): subject access, erasure and retention review.

* :func:`subject_access` gathers everything held about one contact.
* :func:`erase` anonymises a contact everywhere: the record, mentions of their name
  and email in other records, the before/after snapshots of past audit entries and
  conflicts waiting in the exchange list. Its own audit entry records that an erasure
  happened, never what was erased.
* :func:`retention_review` lists contacts not engaged with for a number of years.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, cast, func, or_
from sqlmodel import Session, col, select

from ..config import current_user
from ..model import clock
from ..model import sync as s
from ..model import tables as t
from ..model.enums import AuditAction
from ..model.types import LONDON
from ..store import Database
from ..store.erasure import compact_search_index, flush_log, zero_freed_pages
from .errors import NotFound, ServiceError
from .records import snapshot

ERASED_NAME = "Erased contact"
ERASED_TEXT = "[erased]"

# Free-text columns where a person may be mentioned by name or email.
TEXT_COLUMNS: dict[type, tuple[str, ...]] = {
    t.Meeting: ("title", "location", "agenda", "notes", "outcome"),
    t.Ask: ("title", "rationale", "response"),
    t.Commitment: ("text", "evidence"),
    t.Letter: ("subject", "recipient_address", "opening", "closing", "reply_notes"),
    t.Contact: ("notes",),
    t.Body: ("notes",),
    t.MeetingTemperature: ("reason",),  # why a body seemed hostile may name someone
}


def find_contact(db: Database, text: str) -> t.Contact:
    """A contact by id, email or exact name (which must be unique)."""
    wanted = text.strip()
    with db.read() as session:
        contact = session.get(t.Contact, wanted)
        if contact is not None:
            return contact
        live = col(t.Contact.deleted_at).is_(None)
        found = session.exec(
            select(t.Contact).where(live).where(func.lower(t.Contact.email) == wanted.lower())
        ).all()
        if not found:
            found = session.exec(
                select(t.Contact).where(live).where(func.lower(t.Contact.name) == wanted.lower())
            ).all()
    if not found:
        raise NotFound(f"There is no contact with the id, email or name “{wanted}”.")
    if len(found) > 1:
        raise ServiceError(
            f"{len(found)} contacts are called “{wanted}”; give the email or id instead: "
            + ", ".join(f"{c.email or c.id}" for c in found)
        )
    return found[0]


def _terms(contact: t.Contact) -> list[str]:
    """What identifies the person in free text: their full name and email."""
    terms = [term for term in (contact.email, contact.name) if term and len(term.strip()) >= 3]
    return sorted({term.strip() for term in terms}, key=len, reverse=True)


def _pattern(terms: list[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    return re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)


def _like_any(column: Any, terms: list[str]) -> Any:
    """SQL filter narrowing the rows to check; the exact test is done in Python.

    JSON columns hold non-ASCII letters as \\u escapes, so those spellings are tried too.
    """
    spellings = set()
    for term in terms:
        spellings.add(term)
        spellings.add(json.dumps(term)[1:-1])
    return or_(*(cast(column, String).ilike(f"%{spelling}%") for spelling in spellings))


# --- subject access ----------------------------------------------------------------------


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _excerpt(text: str, match: re.Match[str], width: int = 80) -> str:
    start, end = max(0, match.start() - width), min(len(text), match.end() + width)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def _mentions(session: Session, contact: t.Contact) -> list[dict[str, Any]]:
    pattern = _pattern(_terms(contact))
    if pattern is None:
        return []
    found = []
    for model, columns in TEXT_COLUMNS.items():
        query = select(model).where(
            or_(*(_like_any(getattr(model, name), _terms(contact)) for name in columns))
        )
        for record in session.exec(query).all():
            if model is t.Contact and record.id == contact.id:
                continue
            for name in columns:
                text = getattr(record, name) or ""
                match = pattern.search(text)
                if match:
                    found.append(
                        {
                            "kind": model.__tablename__,
                            "id": getattr(record, "id", None) or record.meeting_id,
                            "record": getattr(record, "title", None)
                            or getattr(record, "name", None)
                            or getattr(record, "subject", None)
                            or getattr(record, "text", "")[:80],
                            "field": name,
                            "excerpt": _excerpt(text, match),
                        }
                    )
    return found


def subject_access(db: Database, contact_id: str) -> dict[str, Any]:
    """Everything held about one contact, as JSON-ready data."""
    with db.read() as session:
        contact = session.get(t.Contact, contact_id)
        if contact is None:
            raise NotFound(f"There is no contact with id {contact_id}.")
        body = session.get(t.Body, contact.body_id) if contact.body_id else None
        attended = session.exec(
            select(t.Meeting, t.MeetingAttendee)
            .join(t.MeetingAttendee, col(t.MeetingAttendee.meeting_id) == t.Meeting.id)
            .where(t.MeetingAttendee.contact_id == contact.id)
            .order_by(col(t.Meeting.starts_at))
        ).all()
        meeting_ids = [meeting.id for meeting, _ in attended]
        asks = (
            session.exec(
                select(t.Ask)
                .where(col(t.Ask.meeting_id).in_(meeting_ids))
                .order_by(col(t.Ask.raised_on))
            ).all()
            if meeting_ids
            else []
        )
        commitments = session.exec(
            select(t.Commitment).where(t.Commitment.contact_id == contact.id)
        ).all()
        letters = session.exec(
            select(t.Letter).where(t.Letter.recipient_contact_id == contact.id)
        ).all()
        terms = _terms(contact)
        audit_query = select(t.AuditEntry).where(
            or_(
                t.AuditEntry.entity_id == contact.id,
                _like_any(t.AuditEntry.before, terms + [contact.id]),
                _like_any(t.AuditEntry.after, terms + [contact.id]),
            )
        )
        audit = session.exec(audit_query.order_by(col(t.AuditEntry.id))).all()
        return {
            "title": f"Subject access: everything held about {contact.name}",
            "generated_at": clock.now().isoformat(),
            "generated_by": current_user(),
            "contact": {**(snapshot(contact) or {}), "body": body.name if body else None},
            "meetings": [
                {
                    "id": meeting.id,
                    "title": meeting.title,
                    "starts_at": _iso(meeting.starts_at),
                    "location": meeting.location,
                    "attendance": attendee.attendance.label,
                    "deleted": meeting.deleted_at is not None,
                }
                for meeting, attendee in attended
            ],
            "mentions": _mentions(session, contact),
            "asks": [
                {
                    "id": ask.id,
                    "title": ask.title,
                    "status": ask.status.label,
                    "raised_on": _iso(ask.raised_on),
                    "meeting_id": ask.meeting_id,
                }
                for ask in asks
            ],
            "commitments": [
                {
                    "id": c.id,
                    "text": c.text,
                    "due_date": _iso(c.due_date),
                    "status": c.status.label,
                    "evidence": c.evidence,
                }
                for c in commitments
            ],
            "letters": [
                {
                    "id": letter.id,
                    "subject": letter.subject,
                    "letter_date": _iso(letter.letter_date),
                    "status": letter.status.label,
                    "recipient_address": letter.recipient_address,
                }
                for letter in letters
            ],
            "audit_entries": [
                {
                    "at": _iso(entry.at),
                    "actor": entry.actor,
                    "action": entry.action.label,
                    "entity": entry.entity,
                    "entity_id": entry.entity_id,
                    "summary": entry.summary,
                    "before": entry.before,
                    "after": entry.after,
                }
                for entry in audit
            ],
        }


# --- erasure --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureResult:
    contact_id: str
    mentions_removed: int  # fields in other records where the name or email was replaced
    audit_entries_scrubbed: int


def _scrub(value: Any, pattern: re.Pattern[str]) -> tuple[Any, int]:
    """Replace the person's name and email inside JSON data; returns (new value, count)."""
    if isinstance(value, str):
        new, count = pattern.subn(ERASED_TEXT, value)
        return new, count
    if isinstance(value, dict):
        total, out = 0, {}
        for key, item in value.items():
            out[key], count = _scrub(item, pattern)
            total += count
        return out, total
    if isinstance(value, list):
        total, items = 0, []
        for item in value:
            new, count = _scrub(item, pattern)
            items.append(new)
            total += count
        return items, total
    return value, 0


def _record_key(record: Any) -> tuple[str, str]:
    """The record a changed row belongs to, as the team sync names it: a temperature
    reading is part of its meeting."""
    if isinstance(record, t.MeetingTemperature):
        return "meeting", record.meeting_id
    return record.__tablename__, record.id


def erase(
    db: Database, contact_id: str, *, actor: str | None = None, first_here: bool = True
) -> ErasureResult:
    """Anonymise a contact everywhere, in one transaction. Cannot be undone (that is the point).
    ``first_here``: the erasure was asked for on this laptop (not brought by a sync), so
    on a team its changes go over whatever the team database holds."""
    mentions = scrubbed = 0
    touched: set[tuple[str, str]] = set()  # (table, id) of every record changed
    with db.session() as session:
        connection = session.connection()
        zero_freed_pages(connection)
        contact = session.get(t.Contact, contact_id)
        if contact is None:
            raise NotFound(f"There is no contact with id {contact_id}.")
        if contact.name == ERASED_NAME and not contact.email:
            raise ServiceError("This contact's personal data has already been erased.")
        terms = _terms(contact)
        pattern = _pattern(terms)
        if pattern is not None:
            for model, columns in TEXT_COLUMNS.items():
                query = select(model).where(
                    or_(*(_like_any(getattr(model, name), terms) for name in columns))
                )
                for record in session.exec(query).all():
                    for name in columns:
                        text = getattr(record, name)
                        if text and pattern.search(text):
                            setattr(record, name, pattern.sub(ERASED_TEXT, text))
                            mentions += 1
                            touched.add(_record_key(record))
                    session.add(record)
        touched.add(("contact", contact_id))
        contact.name = ERASED_NAME
        contact.role = contact.email = contact.phone = contact.notes = None
        contact.archived_at = contact.archived_at or clock.now()
        contact.updated_at = clock.now()
        session.add(contact)
        session.flush()
        audit_rows = session.exec(
            select(t.AuditEntry).where(
                or_(
                    t.AuditEntry.entity_id == contact_id,
                    _like_any(t.AuditEntry.before, terms or [contact_id]),
                    _like_any(t.AuditEntry.after, terms or [contact_id]),
                    _like_any(t.AuditEntry.summary, terms or [contact_id]),
                )
            )
        ).all()
        for entry in audit_rows:
            if entry.entity_id == contact_id:
                entry.before = entry.after = None
                entry.summary = (
                    pattern.sub(ERASED_TEXT, entry.summary) if pattern else entry.summary
                )
            elif pattern is not None:
                entry.before, _ = _scrub(entry.before, pattern)
                entry.after, _ = _scrub(entry.after, pattern)
                entry.summary = pattern.sub(ERASED_TEXT, entry.summary)
            session.add(entry)
            scrubbed += 1
        if first_here and session.get(s.SyncMeta, "team_server") is not None:
            # These changes go to the team database ahead of any made elsewhere meanwhile.
            session.add_all(
                s.SyncJournal(entity=entity, record_id=record_id, erasure=True)
                for entity, record_id in sorted(touched)
            )
        if pattern is not None:
            for conflict in session.exec(select(s.SyncConflict)).all():
                local, a = _scrub(conflict.local, pattern)
                remote, b = _scrub(conflict.remote, pattern)
                if a or b:
                    conflict.local, conflict.remote = local, remote
                    session.add(conflict)
        session.add(
            t.AuditEntry(
                actor=actor or current_user(),
                action=AuditAction.update,
                entity="contact",
                entity_id=contact_id,
                summary="Personal data erased on request (UK GDPR right to erasure)",
                before=None,
                after={
                    "erased": True,
                    "fields_cleared": ["name", "role", "email", "phone", "notes"],
                    "mentions_removed": mentions,
                    "audit_entries_scrubbed": scrubbed,
                },
            )
        )
        session.flush()
        compact_search_index(connection)
    flush_log(db)
    return ErasureResult(contact_id, mentions, scrubbed)


# --- retention review --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewItem:
    contact_id: str
    name: str
    body: str | None
    last_engaged: date
    how: str  # "meeting on …", "added", …


def retention_review(db: Database, *, years: int, today: date | None = None) -> list[ReviewItem]:
    """Contacts with no meeting, commitment or letter in the last ``years`` years, oldest first."""
    if years < 1:
        raise ServiceError("Retention review: give a number of years of at least 1.")
    today = today or clock.today()
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    with db.read() as session:
        latest: dict[str, tuple[date, str]] = {}

        def seen(contact_id: str | None, when: date | None, how: str) -> None:
            if contact_id and when and (contact_id not in latest or when > latest[contact_id][0]):
                latest[contact_id] = (when, how)

        for contact_id, starts_at in session.exec(
            select(t.MeetingAttendee.contact_id, t.Meeting.starts_at)
            .join(t.Meeting, col(t.Meeting.id) == t.MeetingAttendee.meeting_id)
            .where(col(t.MeetingAttendee.contact_id).is_not(None))
            .where(col(t.Meeting.deleted_at).is_(None))
        ).all():
            seen(contact_id, starts_at.astimezone(LONDON).date(), "meeting")
        for contact_id, due, created in session.exec(
            select(t.Commitment.contact_id, t.Commitment.due_date, t.Commitment.created_at).where(
                col(t.Commitment.contact_id).is_not(None)
            )
        ).all():
            made = created.astimezone(LONDON).date()
            seen(contact_id, max(due or made, made), "commitment")
        for contact_id, day, created in session.exec(
            select(t.Letter.recipient_contact_id, t.Letter.letter_date, t.Letter.created_at).where(
                col(t.Letter.recipient_contact_id).is_not(None)
            )
        ).all():
            seen(contact_id, day or created.astimezone(LONDON).date(), "letter")
        contacts = session.exec(
            select(t.Contact, t.Body)
            .outerjoin(t.Body, col(t.Body.id) == t.Contact.body_id)
            .where(col(t.Contact.deleted_at).is_(None))
            .where(t.Contact.name != ERASED_NAME)
        ).all()
        items = []
        for contact, body in contacts:
            when, how = latest.get(
                contact.id, (contact.created_at.astimezone(LONDON).date(), "added")
            )
            if when < cutoff:
                items.append(
                    ReviewItem(contact.id, contact.name, body.name if body else None, when, how)
                )
    return sorted(items, key=lambda item: (item.last_engaged, item.name))


def retention_cutoff_text(years: int) -> str:
    return f"not engaged with for {years} year{'s' if years != 1 else ''} or more"
