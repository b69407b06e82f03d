"""Integrity check of a database file, without writing to it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .backup import list_backups
from .engine import check_header
from .errors import StoreError, disk_is_full
from .identity import EMPTY, FOREIGN, INCOMPLETE, NEWER, identify
from .lock import COMMAND, hold, real_path
from .schema import REVISIONS


@dataclass
class CheckResult:
    path: Path
    problems: list[str] = field(default_factory=list)
    revision: str | None = None
    backups: list[Path] = field(default_factory=list)
    foreign: bool = False  # another program's file: not stpdesk's to judge or repair

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(path: Path) -> CheckResult:
    """Full integrity and foreign-key check, and the schema against what its revision
    promises (every table, column, index and trigger); read-only.

    Takes the file like any command: refused (AlreadyOpen) while the app has it open."""
    path = real_path(path)
    result = CheckResult(path=path, backups=list_backups(path))
    with hold(path, COMMAND):
        try:
            check_header(path)
        except StoreError as error:
            result.problems.append(str(error))
            return result
        if path.stat().st_size == 0:
            return result
        try:
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                _check(connection, result)
            finally:
                connection.close()
        except sqlite3.DatabaseError as error:
            if isinstance(error, sqlite3.OperationalError) and disk_is_full(path.parent):
                result.problems.append(
                    "it cannot be checked while its disk is full; free some space and check again"
                )
            else:
                result.problems.append(f"it cannot be read: {error}")
    return result


def _check(connection: sqlite3.Connection, result: CheckResult) -> None:
    integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        result.problems.extend(integrity[:10])
        return
    identity = identify(connection, REVISIONS)
    result.revision = identity.revision
    if identity.verdict == FOREIGN:
        result.foreign = True
        result.problems.append(f"it is not an stpdesk database ({identity.problems[0]})")
        return
    if identity.verdict == NEWER:
        result.problems.append(f"it was saved by a newer stpdesk (schema {identity.revision})")
        return
    if identity.verdict == INCOMPLETE:
        result.problems.append(
            f"its schema is not complete (schema {identity.revision or 'unknown'} promises more; "
            "it may have been left half-made when stpdesk was stopped while creating or "
            "upgrading it):"
        )
        result.problems.extend(f"  {problem}" for problem in identity.problems[:10])
        return
    if identity.verdict == EMPTY:
        return
    broken = connection.execute("PRAGMA foreign_key_check").fetchall()
    for table, rowid, parent, _ in broken[:10]:
        result.problems.append(f"a {table} row ({rowid}) refers to a missing {parent}")
