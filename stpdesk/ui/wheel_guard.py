"""Scrolling a form with the mouse wheel must not change the box under the pointer."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox


class _WheelGuard(QObject):
    """The mouse wheel over a combo or spin box the user is not in scrolls the form, and
    does not change the value under the pointer; once in the box, the wheel changes it."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
        if (
            event.type() == QEvent.Type.Wheel
            and isinstance(watched, QComboBox | QAbstractSpinBox)
            and not watched.hasFocus()
        ):
            event.ignore()  # Qt passes an ignored wheel event on to the scrolling parent
            return True
        return False


def guard_wheel() -> None:
    """Install the wheel guard for the whole application (once)."""
    app = QCoreApplication.instance()
    if app is not None and app.property("stpdesk_wheel_guard") is None:
        guard = _WheelGuard(app)
        app.installEventFilter(guard)
        app.setProperty("stpdesk_wheel_guard", True)
