"""Plain-language text for the values in an exchange conflict (no Qt; run off the UI thread).

A conflict holds each version as the bundle's JSON: ISO times, ids of linked records.
A councillor needs dates in British form and names, not ids.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ...model.types import format_date, format_datetime
from ...services import entities as e
from ...services.errors import ServiceError
from ...services.exchange import ConflictInfo
from ...store import Database

# Which kind of record an id field points at (the field name without _id / _ids).
_LINKED = {
    "body": "bodies",
    "footprint": "footprints",
    "successor": "footprints",
    "theme": "themes",
    "contact": "contacts",
    "recipient_contact": "contacts",
    "member": "members",
    "signatory": "members",
    "ask": "asks",
    "meeting": "meetings",
    "letter": "letters",
}

FIELD_LABELS = {
    "starts_at": "Starts",
    "ends_at": "Ends",
    "body_id": "Body",
    "body_ids": "Bodies",
    "footprint_ids": "Footprints",
    "theme_ids": "Themes",
    "signatory_ids": "Signed by",
    "ask_ids": "Asks in the letter",
    "contact_id": "Contact",
    "recipient_contact_id": "Recipient",
    "successor_id": "Replaced by",
    "meeting_id": "Meeting",
    "deleted_at": "Deleted",
    "archived_at": "Archived",
}

EMPTY = "(empty)"


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name) or name.replace("_", " ").capitalize()


class _Names:
    """Names of linked records, looked up once each."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.known: dict[tuple[str, str], str] = {}

    def __call__(self, entity: str, record_id: str) -> str:
        key = (entity, record_id)
        if key not in self.known:
            service = e.BY_NAME[entity]
            try:
                record = service.get(self.db, record_id, include_deleted=True)
            except ServiceError:
                self.known[key] = "(a record not on this laptop)"
            else:
                self.known[key] = service.spec.summary(record)
        return self.known[key]


def _time(text: str) -> str:
    try:
        if "T" in text:
            return format_datetime(datetime.fromisoformat(text))
        return format_date(date.fromisoformat(text))
    except ValueError:
        return text


def _attendee(names: _Names, item: dict[str, Any]) -> str:
    who = (
        names("contacts", item["contact_id"])
        if item.get("contact_id")
        else names("members", item["member_id"])
        if item.get("member_id")
        else str(item.get("name") or "someone")
    )
    attendance = item.get("attendance")
    return f"{who} ({str(attendance).replace('_', ' ')})" if attendance else who


def describe(names: _Names, field: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    stem = field.removesuffix("_ids").removesuffix("_id")
    if field == "attendees" and isinstance(value, list):
        return "\n".join(_attendee(names, item) for item in value if isinstance(item, dict))
    if stem in _LINKED and field != stem:
        ids = value if isinstance(value, list) else [value]
        return "\n".join(names(_LINKED[stem], str(item)) for item in ids)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and field.endswith(("_at", "_on", "_date")):
        return _time(value)
    return str(value)


def describe_differences(db: Database, conflict: ConflictInfo) -> list[tuple[str, str, str]]:
    """(field, this laptop's value, the other laptop's value) for each differing field."""
    names = _Names(db)
    return [
        (field_label(field), describe(names, field, ours), describe(names, field, theirs))
        for field, ours, theirs in conflict.differences
    ]
