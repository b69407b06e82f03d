"""The main window: its title, its dashboard and the demo start-up."""

from __future__ import annotations

from datetime import timedelta

from stpdesk.services import entities as e
from stpdesk.services import queries
from stpdesk.ui.app import MainWindow


def test_main_window_shows_title_overdue_and_counts(qtbot, seeded):
    overdue_text = "Share discharge data with the housing team"
    e.commitments.update(seeded.db, seeded.commitment_ids[0], {"due_date": queries.today() - timedelta(days=12)})
    window = MainWindow(seeded.db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert "stpdesk" in window.windowTitle()
    assert seeded.db.path.name in window.windowTitle()
    items = [window.overdue.item(i).text() for i in range(window.overdue.count())]
    assert any(overdue_text in text and "12 days overdue" in text for text in items)
    assert "1 meetings" in window.counts_label.text() or "1 meeting" in window.counts_label.text()


def test_empty_database_says_nothing_is_overdue(qtbot, db):
    window = MainWindow(db)
    qtbot.addWidget(window)
    assert window.overdue.item(0).text() == "Nothing is overdue."
    assert window.upcoming.item(0).text() == "No meetings in the next 14 days."
