"""Keep PySide's import hook from poking at the modules it inspects.

PySide6 asks every newly imported module whether its source mentions "PySide6" (for its
``__feature__`` switches) through ``inspect.getsource``, which first probes the module's
``__wrapped__`` attribute. Pydantic answers that probe on its modules by importing its
own internals; while the worker thread is importing pydantic (``ui/app.py`` warms the
heavy libraries up behind the window) the probe can meet a half-imported module and
PySide prints an ImportError traceback. Reading the module's file answers the same
question without touching the module, and is quicker.
"""

from __future__ import annotations

import sys
from types import ModuleType


def quiet_pyside_source_probe() -> None:
    import PySide6.QtCore  # noqa: F401  (installs the hook this adjusts)

    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None or getattr(original, "reads_files", False):
        return  # another PySide version: leave it as it is

    def mod_uses_pyside(module: ModuleType) -> bool:
        path = module.__dict__.get("__file__")
        if not isinstance(path, str) or not path.endswith(".py"):
            return False  # built-in or compiled: no source to search, as before
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return False

    mod_uses_pyside.reads_files = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = mod_uses_pyside
