"""Engine, sessions, migrations, backups and search: everything SQLite-specific."""

from .engine import Database
from .errors import DatabaseDamaged, NewerSchema, StoreError, WriteFailed
from .schema import HEAD_REVISION, open_database

__all__ = [
    "HEAD_REVISION",
    "Database",
    "DatabaseDamaged",
    "NewerSchema",
    "StoreError",
    "WriteFailed",
    "open_database",
]
