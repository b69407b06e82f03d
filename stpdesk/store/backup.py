"""Consistent copies of a live database with SQLite's online backup API."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from ..config import backup_dir_for


def backup_to(source: Path, destination: Path) -> Path:
    """Copy ``source`` to ``destination`` page by page, consistent even while in use.

    The destination is written beside its final name and renamed into place, so a
    crash never leaves a half-written backup under a good name.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
    finally:
        dst.close()
        src.close()
    os.replace(partial, destination)
    return destination


def backup_name(db_path: Path, reason: str, when: datetime | None = None) -> Path:
    stamp = (when or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    return backup_dir_for(db_path) / f"{db_path.stem}-{stamp}-{reason}.sqlite"


def make_backup(db_path: Path, reason: str = "manual") -> Path:
    """Back up ``db_path`` into its backups folder; returns the new file."""
    backup_dir_for(db_path).mkdir(parents=True, exist_ok=True, mode=0o700)
    return backup_to(db_path, backup_name(db_path, reason))


def list_backups(db_path: Path) -> list[Path]:
    """Backups of ``db_path``, newest first."""
    folder = backup_dir_for(db_path)
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob(f"{db_path.stem}-*.sqlite") if p.is_file()]
    return sorted(found, key=lambda p: p.name, reverse=True)
