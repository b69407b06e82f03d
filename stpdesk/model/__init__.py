"""SQLModel tables and enums: the bottom layer, importing nothing of stpdesk's.

Submodules load on first use, so importing ``stpdesk.model.dates`` or ``enums``
does not pull in SQLModel (the first window paints before it is imported)."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["clock", "dates", "engagement", "enums", "kinds", "sync", "tables", "types"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    if name.startswith("_"):  # probes such as __wrapped__ must not load SQLModel
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    for module in ("enums", "tables"):  # `from stpdesk.model import Meeting` still works
        loaded = importlib.import_module(f"{__name__}.{module}")
        if hasattr(loaded, name):
            return getattr(loaded, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
