"""Writing a file whole or not at all, readable by its owner only, and file names safe on
every system. The one implementation for stpdesk: exports, packs, letters and bundles
(through services/files, which adds the messages), settings (config) and backups (store).

A top-level module importing only the standard library, because config.py and store/
use it and may not import services/ (and store/ imports config).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Characters Windows refuses in a file name, and control characters.
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')


def safe_file_name(text: str, suffix: str, *, fallback: str) -> str:
    """``text`` as a file name any system accepts (at most 80 characters before
    ``suffix``); ``fallback`` if nothing is left of it."""
    text = _UNSAFE.sub(" ", text)
    return (" ".join(text.split()).strip(" .")[:80] or fallback) + suffix


def new_private_file(path: Path) -> None:
    """Create ``path`` empty, readable by its owner only whatever the umask; it must not
    exist (FileExistsError)."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _new_partial(target: Path) -> tuple[int, Path]:
    # mkstemp: a new hidden name beside ``target`` (two saves never share one), mode 0600
    descriptor, name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".partial", dir=target.parent
    )
    return descriptor, Path(name)


def write_partial(path: Path, write: Callable[[Any], None], *, text: bool) -> Path:
    """Call ``write(handle)`` on a new owner-only hidden file beside ``path`` and return
    that file, for the caller to rename over ``path`` when it is ready. A failure
    (OSError, or anything ``write`` raises) leaves nothing behind."""
    descriptor, partial = _new_partial(path)
    try:
        if text:
            with open(descriptor, "w", encoding="utf-8", newline="") as handle:
                write(handle)
        else:
            with open(descriptor, "wb") as handle:
                write(handle)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return partial


def write_atomic(path: Path, write: Callable[[Any], None], *, text: bool) -> Path:
    """Replace ``path`` with what ``write(handle)`` writes, whole or not at all, owner-only.
    A failure leaves ``path`` as it was and no partial file."""
    partial = write_partial(path, write, text=text)
    _rename_into_place(partial, path)
    return path


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """For writers that need a file name (SQLite): an empty owner-only file beside
    ``path`` to fill in the block, renamed over ``path`` when the block ends, removed if
    it raises."""
    descriptor, partial = _new_partial(path)
    os.close(descriptor)
    try:
        yield partial
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _rename_into_place(partial, path)


def _rename_into_place(partial: Path, path: Path) -> None:
    try:
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
