"""Tell a start-up benchmark when the window is on screen (``STPDESK_REPORT_READY``).

``stpdesk`` imports this only when ``STPDESK_REPORT_READY`` names a file; launches without
it never load it. Two lines go to that file, each a mark of ``time.monotonic()`` (one clock
for every process on the machine, so the launching process can subtract its own start):
``painted`` once the window's first paint has gone to the screen, and ``filled`` once the
dashboard's figures are all on it: after its data came in, each of its lists and trees has
been painted with its first line laid out, and the engagement panel (read after the first
paint) has been painted with its charts, unless it is scrolled out of sight.
The app then quits as if closed. ``tests/benchmarks/bare_window.py`` reports the bare
PySide6 window the same way.

A widget window paints, and sends the picture to the screen, while it handles the expose
event of its native window (the first time) or an UpdateRequest (later). The report hands
those events on itself and takes the time when they return, so a mark falls right after
the picture went out, before anything queued behind the paint runs.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication

from .app import MainWindow
from .dashboard import EngagementChart

ENVIRONMENT = "STPDESK_REPORT_READY"
PAINTING = (QEvent.Type.Expose, QEvent.Type.UpdateRequest)
AWAITING_DATA = object()  # a part whose figures are still being read: its paint is not it


def _laid_out(view: QAbstractItemView) -> bool:
    """The view shows its rows: it has none, or its first has a place on the screen."""
    model = view.model()
    return model.rowCount() == 0 or view.visualRect(model.index(0, 0)).isValid()


class LaunchReport(QObject):
    def __init__(self, window: MainWindow, path: Path) -> None:
        super().__init__(window)
        self.path = path
        self.window = window
        self.handle: QObject | None = None  # the native window, once shown
        self.pending: dict[QObject, QAbstractItemView | object | None] | None = None  # until data
        self.painted = self.filled = False  # marked
        self.saw_paint = self.handling = False
        window.installEventFilter(self)
        window.dashboard.loaded.connect(self._data_shown)
        window.dashboard.engagement_loaded.connect(self._engagement_shown)
        self.engagement_shown = False
        window.dashboard.load_failed.connect(self._failed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
        kind = event.type()
        if kind == QEvent.Type.Paint:
            self._painting(watched)
            return False
        if watched is self.window and kind == QEvent.Type.Show and self.handle is None:
            self.handle = self.window.windowHandle()  # exists once shown
            if self.handle is not None:
                self.handle.installEventFilter(self)
            return False
        if kind not in PAINTING or (watched is not self.window and watched is not self.handle):
            return False
        self.saw_paint, self.handling = False, True
        watched.event(event)  # paints, and sends the picture to the screen
        self.handling = False
        if self.pending:  # a part scrolled out of sight is not painted: nothing to wait for
            for part in [part for part in self.pending if part.isVisible()]:
                if part.visibleRegion().isEmpty():
                    del self.pending[part]
        if self.saw_paint and not self.painted:
            self.painted = True
            self._mark("painted")
        if self.pending == {} and not self.filled:
            self._done()
        return True  # handled

    def _painting(self, watched: QObject) -> None:
        self.saw_paint = True
        if self.pending and watched in self.pending:
            view = self.pending[watched]
            if view is AWAITING_DATA:
                return
            if view is None or _laid_out(view):
                del self.pending[watched]
                if not self.pending and not self.handling:  # painted by repaint()
                    QTimer.singleShot(0, self._done)

    def _data_shown(self) -> None:
        dashboard = self.window.dashboard
        self.pending = {
            view.viewport(): view
            for view in dashboard.findChildren(QAbstractItemView)
            if view.isVisibleTo(dashboard)  # not the tree's hidden header
        }
        if self.engagement_shown:
            self.pending |= {chart: None for chart in dashboard.findChildren(EngagementChart)}
        else:  # in sight, it waits for its figures; scrolled out of sight, it need not
            self.pending[dashboard.engagement_box] = AWAITING_DATA
        for part in self.pending:
            part.installEventFilter(self)

    def _engagement_shown(self) -> None:
        self.engagement_shown = True
        if self.pending is None or self.filled:
            return
        box = self.window.dashboard.engagement_box
        if self.pending.pop(box, None) is None:
            return  # out of sight (or it came first): nothing to wait for
        for chart in box.findChildren(EngagementChart):
            self.pending[chart] = None
            chart.installEventFilter(self)
        if not self.pending:
            QTimer.singleShot(0, self._done)

    def _failed(self) -> None:
        self._mark("failed")
        QApplication.quit()

    def _mark(self, name: str) -> None:
        with self.path.open("a", encoding="utf-8") as report:
            report.write(f"{name} {time.monotonic():.6f}\n")

    def _done(self) -> None:
        if not self.filled:
            self.filled = True
            if not self.painted:
                self.painted = True
                self._mark("painted")
            self._mark("filled")
            QApplication.quit()


def report_when_ready(window: MainWindow, path: str) -> LaunchReport:
    return LaunchReport(window, Path(path))
