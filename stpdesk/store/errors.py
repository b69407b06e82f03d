"""Errors the store raises, each with a message fit to show a user."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path


class StoreError(Exception):
    """A problem with the database file; ``str(error)`` says what to do."""


class DatabaseDamaged(StoreError):
    pass


class NewerSchema(StoreError):
    pass


class WriteFailed(StoreError):
    """A save could not be written; nothing was changed."""


READ_ONLY = (
    "The database file or its folder is read-only, so nothing was saved. "
    "Check the file's permissions or choose another location, then save again."
)
GONE = (
    "The database file could not be written (was the drive removed?), so nothing was "
    "saved. Reconnect the drive, then save again."
)


def explain_write_error(error: BaseException, path: Path | None = None) -> StoreError:
    """Turn an SQLite or OS error raised during a save into a plain message.

    SQLite reports several different faults as "unable to open" or "disk I/O error";
    the file and its folder tell them apart.
    """
    # SQLAlchemy wraps the driver's error in .orig (not imported here: start-up avoids it)
    original = getattr(error, "orig", None) or error
    text = str(original).lower()
    code = getattr(original, "errno", None)
    if path is not None and ("unable to open" in text or "i/o error" in text):
        if not path.exists():
            return WriteFailed(GONE)
        if not os.access(path.parent, os.W_OK) or not os.access(path, os.W_OK):
            return WriteFailed(READ_ONLY)
    if (
        "disk is full" in text
        or code == errno.ENOSPC
        or (path is not None and "i/o error" in text and disk_is_full(path.parent))
    ):
        return WriteFailed(
            "The disk is full, so nothing was saved. Free some space, then save again."
        )
    if "readonly" in text or "read-only" in text or code in (errno.EROFS, errno.EACCES):
        return WriteFailed(READ_ONLY)
    if "locked" in text or "busy" in text:
        return WriteFailed(
            "The database is busy in another stpdesk window, so nothing was saved. "
            "Wait a moment and save again."
        )
    if "disk i/o error" in text or "unable to open" in text or code == errno.EIO:
        return WriteFailed(GONE)
    if isinstance(original, sqlite3.DatabaseError) and "malformed" in text:
        return DatabaseDamaged(
            "The database file is damaged. Run “stpdesk check” to see which backup to restore."
        )
    return WriteFailed(f"Nothing was saved: {original}")


class NotStpdesk(DatabaseDamaged):
    """The file is another program's: stpdesk never writes to it (exit status 2)."""


def disk_is_full(folder: Path) -> bool:
    """SQLite reports some writes to a full disk as "disk I/O error": look at the disk."""
    try:
        return shutil.disk_usage(folder).free < 256 * 1024
    except OSError:
        return False


def short_reason(error: BaseException, folder: Path | None = None) -> str:
    """A few plain words for why a file could not be written: "the disk is full"."""
    original = getattr(error, "orig", None) or error
    text = str(original).lower()
    code = getattr(original, "errno", None)
    if "disk is full" in text or code == errno.ENOSPC:
        return "the disk is full"
    if folder is not None and "i/o error" in text and disk_is_full(folder):
        return "the disk is full"
    if "readonly" in text or "read-only" in text or code in (errno.EROFS, errno.EACCES):
        return "the folder or file is read-only"
    if isinstance(original, OSError) and original.strerror:
        return original.strerror.lower()
    return str(original)
