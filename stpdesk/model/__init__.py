"""SQLModel tables and enums: the bottom layer, importing nothing of stpdesk's."""

from . import enums, sync, tables, types
from .enums import *  # noqa: F403
from .tables import *  # noqa: F403

__all__ = ["enums", "sync", "tables", "types"]
