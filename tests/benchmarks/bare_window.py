"""The start-up baseline: a bare PySide6 main window, launched and timed as ``stpdesk`` is.

Run by ``launch_time.py`` as its own process (``python bare_window.py``) on the same display.
It reports as ``stpdesk/ui/launch_report.py`` does, in ``STPDESK_REPORT_READY``: a line
``painted <time.monotonic()>`` once its first paint has gone to the screen (and ``filled``,
the same moment, as it has nothing to fill), then quits. It imports nothing of stpdesk.
"""

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


class FirstPaint(QObject):
    """Hands on the events a window paints in (its native window's expose, UpdateRequest)
    and takes the time when the first that painted returns."""

    handle = None
    saw_paint = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
        kind = event.type()
        if kind == QEvent.Type.Paint:
            self.saw_paint = True
            return False
        if kind == QEvent.Type.Show and self.handle is None:
            self.handle = window.windowHandle()
            self.handle.installEventFilter(self)
            return False
        if kind not in (QEvent.Type.Expose, QEvent.Type.UpdateRequest):
            return False
        if watched is not window and watched is not self.handle:
            return False
        self.saw_paint = False
        watched.event(event)  # paints, and sends the picture to the screen
        if self.saw_paint:
            stamp = time.monotonic()
            with open(os.environ["STPDESK_REPORT_READY"], "a", encoding="utf-8") as report:
                report.write(f"painted {stamp:.6f}\nfilled {stamp:.6f}\n")
            window.removeEventFilter(self)
            self.handle.removeEventFilter(self)
            QApplication.quit()
        return True


app = QApplication(sys.argv)
window = QMainWindow()
window.setWindowTitle("Bare window")
window.setCentralWidget(QLabel("Hello"))
watcher = FirstPaint()
window.installEventFilter(watcher)
window.resize(1200, 780)
window.show()
sys.exit(app.exec())
