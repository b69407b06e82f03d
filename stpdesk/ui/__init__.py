"""The PySide6 desktop app: widgets, item models and dialogs over the services."""
