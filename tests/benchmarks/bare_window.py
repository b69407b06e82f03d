"""The start-up baseline: a bare PySide6 main window, launched and timed as ``stpdesk`` is.

Run by ``launch_time.py`` as its own process (``python bare_window.py``) on the same display.
It reports as ``stpdesk/ui/launch_report.py`` does, in ``STPDESK_REPORT_READY``: a line
``painted <time.monotonic()>`` once its first paint has gone to the screen (and ``filled``,
the same moment, as it has nothing to fill), then quits. It imports nothing of stpdesk.
"""

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


class FirstPaint(QObject):
    seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.seen:
            self.seen = True
            QTimer.singleShot(0, done)  # once this paint has been flushed to the screen
        return False


def done() -> None:
    stamp = time.monotonic()
    with open(os.environ["STPDESK_REPORT_READY"], "a", encoding="utf-8") as report:
        report.write(f"painted {stamp:.6f}\nfilled {stamp:.6f}\n")
    QApplication.quit()


app = QApplication(sys.argv)
window = QMainWindow()
window.setWindowTitle("Bare window")
window.setCentralWidget(QLabel("Hello"))
watcher = FirstPaint()
window.installEventFilter(watcher)
window.resize(1200, 780)
window.show()
sys.exit(app.exec())
