"""Integrity check of a database file, without writing to it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .backup import list_backups
from .engine import check_header
from .errors import StoreError
from .schema import REVISIONS, read_revision


@dataclass
class CheckResult:
    path: Path
    problems: list[str] = field(default_factory=list)
    revision: str | None = None
    backups: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(path: Path) -> CheckResult:
    """Full integrity and foreign-key check, read-only."""
    result = CheckResult(path=path, backups=list_backups(path))
    try:
        check_header(path)
        result.revision = read_revision(path)
    except StoreError as error:
        result.problems.append(str(error))
        return result
    if result.revision is not None and result.revision not in REVISIONS:
        result.problems.append(f"it was saved by a newer stpdesk (schema {result.revision})")
        return result
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if integrity != ["ok"]:
                result.problems.extend(integrity[:10])
            broken = connection.execute("PRAGMA foreign_key_check").fetchall()
            for table, rowid, parent, _ in broken[:10]:
                result.problems.append(f"a {table} row ({rowid}) refers to a missing {parent}")
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        result.problems.append(f"it cannot be read: {error}")
    return result
