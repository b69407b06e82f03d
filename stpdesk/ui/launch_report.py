"""Tell a start-up benchmark when the window is on screen (``STPDESK_REPORT_READY``).

``stpdesk`` imports this only when ``STPDESK_REPORT_READY`` names a file; launches without
it never load it. Two lines go to that file, each a mark of ``time.monotonic()`` (one clock
for every process on the machine, so the launching process can subtract its own start):
``painted`` once the window's first paint has gone to the screen, and ``filled`` once the
dashboard's figures have been painted. The app then quits as if the user had closed it.
``tests/benchmarks/bare_window.py`` reports the bare PySide6 window in the same words.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from .app import MainWindow

ENVIRONMENT = "STPDESK_REPORT_READY"


class LaunchReport(QObject):
    def __init__(self, window: MainWindow, path: Path) -> None:
        super().__init__(window)
        self.path = path
        self.window = window
        self.painted = False
        self.filled = False
        # The summary line's text comes with the dashboard's data: its first paint after
        # that shows the dashboard filled.
        self.filled_widget: QWidget = window.dashboard.summary_line
        window.installEventFilter(self)
        window.dashboard.loaded.connect(self._data_shown)
        window.dashboard.load_failed.connect(self._failed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            if watched is self.window and not self.painted:
                self.painted = True
                # Queued: runs once this paint has been flushed to the screen.
                QTimer.singleShot(0, lambda: self._mark("painted"))
            elif watched is self.filled_widget and not self.filled:
                self.filled = True
                QTimer.singleShot(0, self._done)
        return False

    def _data_shown(self) -> None:
        self.window.dashboard.loaded.disconnect(self._data_shown)
        self.filled_widget.installEventFilter(self)

    def _failed(self) -> None:
        self._mark("failed")
        QApplication.quit()

    def _mark(self, name: str) -> None:
        with self.path.open("a", encoding="utf-8") as report:
            report.write(f"{name} {time.monotonic():.6f}\n")

    def _done(self) -> None:
        self._mark("filled")
        QApplication.quit()


def report_when_ready(window: MainWindow, path: str) -> LaunchReport:
    return LaunchReport(window, Path(path))
