"""The desktop app. For now a main window with a short dashboard; the full
record workflows arrive with the GUI issue."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ..model.types import format_date, format_datetime
from ..services import queries
from ..services.errors import ServiceError
from ..store import Database, StoreError, open_database

TITLE = "stpdesk"


class MainWindow(QMainWindow):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.setWindowTitle(f"{TITLE} — {db.path.name}")
        self.setAccessibleName("stpdesk main window")
        self.resize(900, 640)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.heading = QLabel("Dashboard")
        self.heading.setAccessibleName("Dashboard heading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)

        layout.addWidget(QLabel("Overdue commitments"))
        self.overdue = QListWidget()
        self.overdue.setAccessibleName("Overdue commitments")
        layout.addWidget(self.overdue)

        layout.addWidget(QLabel("Meetings in the next 14 days"))
        self.upcoming = QListWidget()
        self.upcoming.setAccessibleName("Upcoming meetings")
        layout.addWidget(self.upcoming)
        self.setCentralWidget(central)

        self.counts_label = QLabel()
        self.statusBar().addWidget(QLabel(str(db.path)))
        self.statusBar().addPermanentWidget(self.counts_label)
        self.refresh()

    def refresh(self) -> None:
        today = queries.today()
        self.overdue.clear()
        for commitment in queries.overdue_commitments(self.db, on=today, limit=50):
            days = (today - commitment.due_date).days
            item = QListWidgetItem(
                f"{commitment.text} — due {format_date(commitment.due_date)} "
                f"({days} day{'s' if days != 1 else ''} overdue)"
            )
            item.setForeground(Qt.GlobalColor.darkRed)
            self.overdue.addItem(item)
        if not self.overdue.count():
            self.overdue.addItem("Nothing is overdue.")
        self.upcoming.clear()
        for meeting in queries.upcoming_meetings(self.db):
            self.upcoming.addItem(f"{format_datetime(meeting.starts_at)} — {meeting.title}")
        if not self.upcoming.count():
            self.upcoming.addItem("No meetings in the next 14 days.")
        counts = queries.record_counts(self.db)
        self.counts_label.setText(
            f"{counts['meetings']:,} meetings · {counts['asks']:,} asks · "
            f"{counts['commitments']:,} commitments · {counts['contacts']:,} contacts"
        )


def open_for_gui(db_path: Path, *, demo: bool) -> Database:
    """Open the database, filling it with demo data when asked and it is empty."""
    db = open_database(db_path)
    if demo and not any(queries.record_counts(db).values()):
        from ..services.demo import build_demo

        build_demo(db)
    return db


def run(db_path: Path, *, demo: bool = False) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(TITLE)
    app.setApplicationDisplayName(TITLE)
    try:
        db = open_for_gui(db_path, demo=demo)
    except (StoreError, ServiceError, OSError) as error:
        QMessageBox.critical(None, TITLE, f"stpdesk cannot open its database.\n\n{error}")
        return 1
    window = MainWindow(db)
    window.show()
    try:
        return app.exec()
    finally:
        db.close()
