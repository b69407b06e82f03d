"""Writing the files stpdesk saves (exports, packs, letters, subject-access files):
whole or not at all, owner-only (they hold personal data), and never over something
that is not an ordinary file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import safe_files
from .errors import ServiceError


class SaveFailed(ServiceError):
    """A file could not be written (a full disk, a read-only folder): not bad input,
    so the command line exits 1. The message names the file or folder."""


def check_target(path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Refuse, before any work, to write where it would lose or damage something: an
    existing file (unless ``force``), a link, a device or folder, or a folder that
    does not exist. Returns the path."""
    target = Path(path).expanduser()
    if target.is_symlink():
        raise ServiceError(
            f"{target} is a link to {os.readlink(target)}; give the file itself, not a link"
        )
    if target.exists():
        if not stat.S_ISREG(target.stat().st_mode):
            kind = "a folder" if target.is_dir() else "not an ordinary file (a device?)"
            raise ServiceError(f"{target} is {kind}; choose a file name")
        if not force:
            raise ServiceError(f"{target} already exists; choose a new name or add --force")
    check_folder(target.parent)
    return target


def check_folder(folder: str | os.PathLike[str]) -> Path:
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise ServiceError(f"the folder {folder} {what}; create it first or choose another")
    return folder


def write_partial(
    path: str | os.PathLike[str], write: Callable[[Any], None], *, text: bool
) -> Path:
    """:func:`stpdesk.safe_files.write_partial` (a new owner-only hidden file beside
    ``path``, for the caller to rename into place); a failure leaves nothing behind and
    raises SaveFailed naming the folder."""
    target = Path(path)
    try:
        return safe_files.write_partial(target, write, text=text)
    except OSError as error:
        raise save_failed(target, error) from None


def write_private(
    path: str | os.PathLike[str], write: Callable[[Any], None], *, text: bool
) -> Path:
    """:func:`stpdesk.safe_files.write_atomic`: whole or not at all, owner-only; a failure
    leaves no half file and raises SaveFailed naming the file or folder."""
    target = Path(path)
    try:
        return safe_files.write_atomic(target, write, text=text)
    except OSError as error:
        raise save_failed(target, error) from None


def save_failed(target: Path, error: OSError) -> SaveFailed:
    """The message for a file that could not be written: the folder if it refused."""
    where = target.parent if error.errno in (13, 30) else target  # EACCES, EROFS
    reason = error.strerror or str(error)
    if where == target.parent:
        return SaveFailed(
            f"cannot save {target.name} in {where}: {reason} (the folder is read-only or "
            "not yours); choose another folder"
        )
    return SaveFailed(f"cannot save {target}: {reason}; choose another folder or file name")
