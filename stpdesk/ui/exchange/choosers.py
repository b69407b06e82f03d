"""File choosers, kept in one place so tests can replace them (a native dialog would block)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget


def open_file(parent: QWidget | None, title: str, filters: str) -> Path | None:
    """A file to read, or None if the user cancelled."""
    name, _ = QFileDialog.getOpenFileName(parent, title, str(Path.home()), filters)
    return Path(name) if name else None


def save_file(parent: QWidget | None, title: str, suggested: str, filters: str) -> Path | None:
    """A file to write (the dialog asks before replacing one), or None if cancelled."""
    name, _ = QFileDialog.getSaveFileName(parent, title, str(Path.home() / suggested), filters)
    return Path(name) if name else None


def folder(parent: QWidget | None, title: str) -> Path | None:
    """A folder to write into, or None if cancelled."""
    name = QFileDialog.getExistingDirectory(parent, title, str(Path.home()))
    return Path(name) if name else None
