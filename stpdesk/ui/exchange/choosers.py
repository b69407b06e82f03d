"""File choosers, kept in one place so tests can replace them (a native dialog would block).

QFileDialog is imported when a chooser opens: the main window imports this module, and
the dialog's class costs its start-up time for nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget


def open_file(parent: QWidget | None, title: str, filters: str) -> Path | None:
    """A file to read, or None if the user cancelled."""
    from PySide6.QtWidgets import QFileDialog

    name, _ = QFileDialog.getOpenFileName(parent, title, str(Path.home()), filters)
    return Path(name) if name else None


def save_file(parent: QWidget | None, title: str, suggested: str, filters: str) -> Path | None:
    """A file to write (the dialog asks before replacing one), or None if cancelled."""
    from PySide6.QtWidgets import QFileDialog

    name, _ = QFileDialog.getSaveFileName(parent, title, str(Path.home() / suggested), filters)
    return Path(name) if name else None


def folder(parent: QWidget | None, title: str) -> Path | None:
    """A folder to write into, or None if cancelled."""
    from PySide6.QtWidgets import QFileDialog

    name = QFileDialog.getExistingDirectory(parent, title, str(Path.home()))
    return Path(name) if name else None
