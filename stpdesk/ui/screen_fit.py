"""Every top-level window and dialog takes its size from the screen it opens on.

``fit_to_screen`` is the one place that sizes windows: a window asks for a share of
the screen's available area (capped at a comfortable size), never more than the screen,
and its last size and position on that screen are put back. Sizes are kept per screen
(name and available size), so a laptop's small screen and an office monitor each keep
their own.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, QSettings, QSize
from PySide6.QtGui import QCursor, QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

from ..config import window_state_path
from .mnemonics import make_unique

# A window never opens larger than this share of the screen's free area, so its title
# bar and buttons stay on the screen beside the taskbar or dock.
SCREEN_SHARE = 0.92


def window_settings() -> QSettings:
    """Where windows' and lists' layouts are remembered (not the app's settings)."""
    return QSettings(str(window_state_path()), QSettings.Format.IniFormat)


def screen_of(window: QWidget) -> QScreen:
    """The screen a window opens on: its parent's, else the one the pointer is on."""
    parent = window.parentWidget()
    if parent is not None:
        return parent.window().screen() or QGuiApplication.primaryScreen()
    return QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()


def _key(name: str, screen: QScreen) -> str:
    area = screen.availableGeometry()
    return f"{name}/{screen.name() or 'screen'}-{area.width()}x{area.height()}"


def fitted_size(preferred: QSize, available: QRect) -> QSize:
    """The preferred size, shrunk to fit a share of the available area."""
    return QSize(
        min(preferred.width(), int(available.width() * SCREEN_SHARE)),
        min(preferred.height(), int(available.height() * SCREEN_SHARE)),
    )


class _GeometryKeeper(QObject):
    """Saves a window's geometry for its screen whenever the window is hidden or closed,
    and, as it is shown, gives each of its labels and buttons its own Alt+letter."""

    def __init__(self, window: QWidget, name: str) -> None:
        super().__init__(window)
        self._window = window
        self._name = name

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
        if watched is self._window and event.type() == QEvent.Type.Hide:
            save_geometry(self._window, self._name)
        elif watched is self._window and event.type() == QEvent.Type.Show:
            make_unique(self._window)
        return False


def save_geometry(window: QWidget, name: str) -> None:
    """Remember the window's size and place on the screen it is on."""
    settings = window_settings()
    settings.setValue(_key(name, window.screen() or screen_of(window)), window.saveGeometry())
    settings.sync()


def fit_to_screen(window: QWidget, name: str, width: int = 0, height: int = 0) -> None:
    """Size ``window`` (a top-level window or dialog) for the screen it opens on.

    ``width`` × ``height`` is the size it would like on a large screen (by default its
    size hint, so call this once its layout is built); it gets at most a share of the
    screen's available area, and the size and place the user last gave it on this screen
    win over both. Call it once per window."""
    screen = screen_of(window)
    area = screen.availableGeometry()
    hint = window.sizeHint()
    size = fitted_size(QSize(width or hint.width(), height or hint.height()), area)
    window.resize(size)
    saved = window_settings().value(_key(name, screen))
    if isinstance(saved, QByteArray | bytes) and window.restoreGeometry(QByteArray(saved)):
        _keep_on_screen(window, area)
    elif window.parentWidget() is None:
        frame = QRect(area.topLeft(), size)
        frame.moveCenter(area.center())
        window.move(frame.topLeft())
    window.installEventFilter(_GeometryKeeper(window, name))


def _keep_on_screen(window: QWidget, area: QRect) -> None:
    """A size saved before the screen changed must still fit on it."""
    geometry = window.geometry()
    geometry.setWidth(min(geometry.width(), area.width()))
    geometry.setHeight(min(geometry.height(), area.height()))
    geometry.moveLeft(max(area.left(), min(geometry.left(), area.right() - geometry.width())))
    geometry.moveTop(max(area.top(), min(geometry.top(), area.bottom() - geometry.height())))
    window.setGeometry(geometry)
