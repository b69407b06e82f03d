"""The PySide6 desktop app: widgets, item models and dialogs over the services."""

from .import_hook import quiet_pyside_source_probe

quiet_pyside_source_probe()
