"""Whose file is it, and is it whole? Read-only, on an open ``sqlite3`` connection.

stpdesk marks its files (``PRAGMA application_id``) in the transaction that creates
them; files made before the mark existed are recognised by a known schema revision
whose tables, indexes and triggers are all there. Anything else is not written to.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

# "StPd": marks a file as stpdesk's, so a file another program made is never written to.
APPLICATION_ID = 0x53745064

EMPTY, STPDESK, FOREIGN, INCOMPLETE, NEWER = "empty", "stpdesk", "foreign", "incomplete", "newer"


@dataclass
class Identity:
    verdict: str
    revision: str | None = None
    marked: bool = False
    problems: list[str] = field(default_factory=list)


def identify(
    connection: sqlite3.Connection, known_revisions: tuple[str, ...], *, layout: bool = True
) -> Identity:
    """What the file open on ``connection`` is (raises sqlite3.DatabaseError if unreadable);
    ``layout=False`` trusts a known revision's tables, indexes and triggers unchecked."""
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    marked = application_id == APPLICATION_ID
    if application_id not in (0, APPLICATION_ID):
        return Identity(FOREIGN, problems=[f"it is marked as another program's ({application_id})"])
    names = {
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master "
            "WHERE name NOT LIKE 'sqlite_stat%' AND name != 'sqlite_sequence'"
        )
    }
    if not names:
        return Identity(EMPTY, marked=marked)
    revision = None
    if "alembic_version" in names:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    if revision is None:
        if marked:
            return Identity(INCOMPLETE, marked=True, problems=["it has no schema revision"])
        return Identity(FOREIGN, problems=["its tables are not stpdesk's"])
    if revision not in known_revisions:
        if marked:
            return Identity(NEWER, revision, marked)
        return Identity(FOREIGN, revision, problems=[f"its schema {revision} is not stpdesk's"])
    if not layout:
        return Identity(STPDESK, revision, marked)
    from .layout import layout_problems  # reads the promised layouts (JSON) when needed

    problems = layout_problems(connection, revision)
    if problems:
        return Identity(INCOMPLETE, revision, marked, problems)
    return Identity(STPDESK, revision, marked)
