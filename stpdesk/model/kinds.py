"""The kinds of record stpdesk keeps: one registry that every layer reads.

The command line (``stpdesk list meetings``), the sidebar and list pages, the status
bar, exports, bundles, the recycle bin, backups' descriptions and change notices all
take their kinds, names and labels from ``KINDS``; none keeps a list of its own.
Imports nothing heavy (the window paints before SQLModel loads); ``RecordKind.model``
loads the table class when asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RecordKind:
    name: str  # "meetings": how the command line, lists and change notices name the kind
    table: str  # "meeting": its table, and the word for one record in audit and search
    label: str  # "Meeting"
    plural: str  # "Meetings"
    model_name: str  # "Meeting": its class in model.tables
    listed: bool = True  # a list page, `stpdesk list`, the status bar's counts
    archivable: bool = False  # can be archived (kept, hidden from pickers)
    deletable: bool = False  # deleting puts it in the recycle bin, from where it comes back
    exported: bool = True  # a sheet in spreadsheet and CSV exports
    merged: bool = True  # travels in bundles and is merged from them
    searched: bool = False  # found by the global search

    @property
    def model(self) -> Any:
        from . import tables

        return getattr(tables, self.model_name)


# In the order people look for them (spreadsheets' sheets, the recycle bin).
KINDS: tuple[RecordKind, ...] = (
    RecordKind(
        "meetings", "meeting", "Meeting", "Meetings", "Meeting", deletable=True, searched=True
    ),
    RecordKind("asks", "ask", "Ask", "Asks", "Ask", deletable=True, searched=True),
    RecordKind(
        "commitments",
        "commitment",
        "Commitment",
        "Commitments",
        "Commitment",
        deletable=True,
        searched=True,
    ),
    RecordKind(
        "contacts",
        "contact",
        "Contact",
        "Contacts",
        "Contact",
        archivable=True,
        deletable=True,
        searched=True,
    ),
    RecordKind("members", "member", "Member", "Members", "Member", archivable=True, searched=True),
    RecordKind("bodies", "body", "Body", "Bodies", "Body", archivable=True, searched=True),
    RecordKind("footprints", "footprint", "Footprint", "Footprints", "Footprint"),
    RecordKind("letters", "letter", "Letter", "Letters", "Letter", deletable=True, searched=True),
    RecordKind("themes", "theme", "Theme", "Themes", "Theme", listed=False),
    # one member's scores in a partnership health check (`stpdesk health-check`)
    RecordKind(
        "health_checks",
        "health_assessment",
        "Health check",
        "Health checks",
        "HealthAssessment",
        listed=False,
        exported=False,
    ),
    # Replies show on their letter's and asks' pages; they are part of the record, so
    # exports and bundles carry them.
    RecordKind(
        "replies", "letter_reply", "Reply", "Replies", "LetterReply", listed=False, deletable=True
    ),
)

BY_NAME: dict[str, RecordKind] = {kind.name: kind for kind in KINDS}
BY_TABLE: dict[str, RecordKind] = {kind.table: kind for kind in KINDS}

LISTED: tuple[RecordKind, ...] = tuple(kind for kind in KINDS if kind.listed)
LISTED_NAMES: tuple[str, ...] = tuple(kind.name for kind in LISTED)
"""The kinds with a list page and a `stpdesk list`."""

RECOVERABLE: tuple[RecordKind, ...] = tuple(kind for kind in KINDS if kind.deletable)
"""The kinds a user can delete and get back from the recycle bin."""


def counted(table: str, count: int) -> str:
    """ "1 meeting", "1,204 meetings": a count of one kind (named by its table)."""
    if table == "audit_entry":  # not a kind of record, but counted beside them
        return f"{count:,} audit entr{'y' if count == 1 else 'ies'}"
    kind = BY_TABLE[table]
    return f"{count:,} {(kind.label if count == 1 else kind.plural).lower()}"


SEARCHED_TABLES: tuple[str, ...] = tuple(kind.table for kind in KINDS if kind.searched)
