"""A desktop notice, once a day, of commitments falling due or gone overdue.

Checked a minute after the window opens (start-up is never slowed) and then every hour
while it stays open; the day of the last notice is remembered, so reopening the app
does not repeat it. Off in Preferences ("Remind me once a day…").
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from ..config import load_settings, window_state_path
from ..model import clock
from ..services import engagement
from ..services.engagement import Reminder
from .context import TITLE, AppContext

FIRST_CHECK_MS = 60_000
EVERY_MS = 3_600_000
KEY = "reminders/last_day"


class Reminders(QObject):
    shown = Signal(str)  # the notice's text

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tray: QSystemTrayIcon | None = None
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        QTimer.singleShot(FIRST_CHECK_MS, self.start)

    def start(self) -> None:
        self.check()
        self.timer.start(EVERY_MS)

    def _store(self) -> QSettings:
        return QSettings(str(window_state_path()), QSettings.Format.IniFormat)

    def check(self) -> None:
        """Read what is due off the UI thread, then notify if today has had no notice."""
        if not load_settings().reminders:
            return
        if self._store().value(KEY, "") == clock.today().isoformat():
            return
        db = self.ctx.db

        def work() -> Reminder:
            with db.reader() as connection:
                return engagement.reminder(connection)

        self.ctx.ops.run(work, on_done=self._notify, on_error=lambda _error: None)

    def _notify(self, reminder: Reminder) -> None:
        if not reminder.text:
            return
        self._store().setValue(KEY, clock.today().isoformat())
        if QSystemTrayIcon.isSystemTrayAvailable():
            if self.tray is None:
                self.tray = QSystemTrayIcon(QApplication.windowIcon(), self)
                self.tray.setToolTip(TITLE)
            self.tray.show()
            self.tray.showMessage(TITLE, reminder.text, QSystemTrayIcon.MessageIcon.Information)
        self.shown.emit(reminder.text)
