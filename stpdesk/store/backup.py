"""Backups: consistent copies with SQLite's online backup API, rotation, restore."""

from __future__ import annotations

import filecmp
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..config import backup_dir_for
from ..model import clock, kinds
from ..model.clock import LONDON
from ..safe_files import new_private_file, replacing
from .errors import StoreError
from .identity import EMPTY, FOREIGN, INCOMPLETE, NEWER, identify

_STAMP = "%Y%m%dT%H%M%S%fZ"
_NAME = re.compile(r"-(\d{8}T\d{12}Z)-([a-z0-9-]+)\.sqlite$")


class BackupUnusable(StoreError):
    pass


class BackupStopped(Exception):
    """The copy was abandoned because the app is closing (its partial file is removed)."""


COPY_STEP_PAGES = 4096  # 16 MB a step: a closing app waits at most one step


def backup_to(source: Path, destination: Path, *, stop: Callable[[], bool] | None = None) -> Path:
    """Copy ``source`` to ``destination`` page by page, consistent even while in use.

    The copy is written beside its final name and renamed into place, so a crash
    never leaves a half-written backup under a good name. ``stop``, asked between
    steps, abandons the copy (raising BackupStopped).
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    with replacing(destination) as partial:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(partial)
        try:
            if stop is None:
                src.backup(dst)  # one step: a consistent snapshot even while others write
            else:

                def progress(_status: int, _remaining: int, _total: int) -> None:
                    if stop():
                        raise BackupStopped

                src.backup(dst, pages=COPY_STEP_PAGES, progress=progress)
            dst.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
        finally:
            dst.close()
            src.close()
    return destination


def backup_name(db_path: Path, reason: str, when: datetime | None = None) -> Path:
    stamp = (when or clock.now()).strftime(_STAMP)
    return backup_dir_for(db_path) / f"{db_path.stem}-{stamp}-{reason}.sqlite"


def make_backup(
    db_path: Path,
    reason: str = "manual",
    *,
    when: datetime | None = None,
    stop: Callable[[], bool] | None = None,
    reuse_same: bool = False,
) -> Path:
    """Back up ``db_path`` into its backups folder (owner-only); returns the new file.

    With ``reuse_same``, when the newest backup has the same reason and the same content
    (an upgrade tried again after it failed), it is kept and the new copy dropped, so
    retries do not pile up copies."""
    folder = backup_dir_for(db_path)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    previous = list_backups(db_path)[:1] if reuse_same else []
    made = backup_to(db_path, backup_name(db_path, reason, when), stop=stop)
    if previous and backup_reason(previous[0]) == reason and filecmp.cmp(previous[0], made, False):
        made.unlink()
        return previous[0]
    return made


def backup_time(path: Path) -> datetime | None:
    """When a backup in the backups folder was taken, read from its name."""
    match = _NAME.search(path.name)
    if not match:
        return None
    return datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)


def backup_reason(path: Path) -> str | None:
    match = _NAME.search(path.name)
    return match.group(2) if match else None


def list_backups(db_path: Path) -> list[Path]:
    """Backups of ``db_path``, newest first."""
    folder = backup_dir_for(db_path)
    if not folder.is_dir():
        return []
    found = [
        p
        for p in folder.glob(f"{db_path.stem}-*.sqlite")
        if p.is_file() and backup_time(p) is not None
    ]
    return sorted(
        found, key=lambda p: backup_time(p) or datetime.min.replace(tzinfo=UTC), reverse=True
    )


def newest_backup_time(db_path: Path) -> datetime | None:
    backups = list_backups(db_path)
    return backup_time(backups[0]) if backups else None


def backup_if_due(
    db_path: Path,
    *,
    every: timedelta,
    now: datetime | None = None,
    stop: Callable[[], bool] | None = None,
) -> Path | None:
    """Take the routine backup when the newest one is older than ``every``."""
    now = now or clock.now()
    newest = newest_backup_time(db_path)
    if newest is not None and now - newest < every:
        return None
    return make_backup(db_path, "daily", when=now, stop=stop)


def rotate(
    db_path: Path, *, keep_last: int, keep_daily_days: int, now: datetime | None = None
) -> list[Path]:
    """Remove old backups: keep the newest ``keep_last`` and the newest of each of
    the last ``keep_daily_days`` days. Returns what was removed."""
    now = now or clock.now()
    today = now.astimezone(LONDON).date()
    backups = list_backups(db_path)
    keep = set(backups[:keep_last])
    seen_days = set()
    for path in backups:
        taken = backup_time(path)
        assert taken is not None
        day = taken.astimezone(LONDON).date()  # a UK day, as the user counts them
        if (today - day).days < keep_daily_days and day not in seen_days:
            seen_days.add(day)
            keep.add(path)
    removed = [path for path in backups if path not in keep]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


@dataclass
class BackupInfo:
    path: Path
    taken: datetime | None
    size: int
    revision: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def summary(self) -> str:
        """What it holds, as lists of backups show it: "1,204 meetings, 86 asks, 1 commitment"."""
        shown = ("meeting", "ask", "commitment")
        return ", ".join(kinds.counted(t, self.counts[t]) for t in shown if t in self.counts)


def inspect_backup(path: Path, *, known_revisions: tuple[str, ...]) -> BackupInfo:
    """Check a backup file is sound and from a schema this stpdesk knows."""
    info = BackupInfo(path=path, taken=backup_time(path), size=path.stat().st_size)
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            info.problem = "it is not an stpdesk backup (not an SQLite file)"
            return info
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                info.problem = f"it is damaged ({result[0]})"
                return info
            identity = identify(connection, known_revisions)
            if identity.verdict == FOREIGN:
                info.problem = f"it is not an stpdesk backup ({identity.problems[0]})"
                return info
            if identity.verdict == EMPTY:
                info.problem = "it is not an stpdesk backup (it holds no stpdesk tables)"
                return info
            info.revision = identity.revision
            if identity.verdict == NEWER:
                info.problem = f"it was made by a newer stpdesk (schema {info.revision})"
                return info
            if identity.verdict == INCOMPLETE:
                info.problem = (
                    "it is not a complete stpdesk database ("
                    + "; ".join(identity.problems[:3])
                    + ")"
                )
                return info
            tables = {
                r[0]
                for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            for table in (kind.table for kind in kinds.LISTED):
                if table in tables:
                    info.counts[table] = connection.execute(
                        f'SELECT count(*) FROM "{table}"'
                    ).fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        info.problem = f"it cannot be read ({error})"
        return info
    return info


def is_sound(path: Path) -> bool:
    """Quick check that a database file can be read and is not damaged."""
    try:
        with path.open("rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                return False
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            connection.close()
    except (OSError, sqlite3.DatabaseError):
        return False


def set_aside(db_path: Path, label: str = "damaged") -> Path:
    """Rename a database (and its WAL files) out of the way, never overwriting anything."""
    stamp = clock.now().strftime(_STAMP)
    target = db_path.with_name(f"{db_path.stem}.{label}-{stamp}{db_path.suffix}")
    os.replace(db_path, target)
    for suffix in ("-wal", "-shm"):
        extra = db_path.with_name(db_path.name + suffix)
        if extra.exists():
            os.replace(extra, target.with_name(target.name + suffix))
    return target


@dataclass
class RestoreResult:
    restored_from: Path
    safety_backup: Path | None  # the database as it was, backed up before the restore
    set_aside: Path | None  # a damaged database, renamed and kept


def restore_backup(
    db_path: Path, backup_path: Path, *, known_revisions: tuple[str, ...]
) -> RestoreResult:
    """Replace the database with a backup, after checking the backup and keeping the current file.

    A sound current database is backed up first; a damaged one is renamed and kept.
    The copy goes through the backup API into the database file itself, so no
    stale write-ahead log can ever be applied to the restored data.
    """
    info = inspect_backup(backup_path, known_revisions=known_revisions)
    if not info.ok:
        raise BackupUnusable(
            f"{backup_path} cannot be restored: {info.problem}. Nothing was changed."
        )
    safety = aside = None
    if db_path.exists():
        if is_sound(db_path):
            safety = make_backup(db_path, "before-restore")
        else:
            aside = set_aside(db_path)
    if not db_path.exists():
        db_path.parent.mkdir(parents=True, exist_ok=True)
        new_private_file(db_path)
    src = sqlite3.connect(f"file:{backup_path}?mode=ro", uri=True)
    dst = sqlite3.connect(db_path, timeout=5)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()
        src.close()
    return RestoreResult(restored_from=backup_path, safety_backup=safety, set_aside=aside)
