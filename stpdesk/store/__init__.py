"""Engine, sessions, migrations, backups and search: everything SQLite-specific.

Names load on first use: the first window reads through plain ``sqlite3`` and
paints before SQLAlchemy is imported (``engine`` and ``schema`` import it lazily)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import Database
    from .errors import DatabaseDamaged, NewerSchema, StoreError, WriteFailed
    from .schema import HEAD_REVISION, open_database

_HOMES = {
    "Database": "engine",
    "DatabaseDamaged": "errors",
    "NewerSchema": "errors",
    "StoreError": "errors",
    "WriteFailed": "errors",
    "HEAD_REVISION": "schema",
    "open_database": "schema",
}

__all__ = [
    "HEAD_REVISION",
    "Database",
    "DatabaseDamaged",
    "NewerSchema",
    "StoreError",
    "WriteFailed",
    "open_database",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
