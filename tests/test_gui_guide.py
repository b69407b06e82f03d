"""A newcomer's first minutes: empty screens say what to do next, and Help ▸ User guide
(F1) opens the guide shipped with the app, at the part about the window in use."""

from __future__ import annotations

import pytest
from conftest import open_window, read_list
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from stpdesk.ui.actions import ActionId
from stpdesk.ui.guide import guide_text

pytestmark = [
    pytest.mark.qt_log_ignore("This plugin does not support"),
    pytest.mark.usefixtures("never_block_on_unsaved_changes"),
]


def test_an_empty_database_says_what_to_do_first(qtbot, db):
    window = open_window(qtbot, db)
    steps = window.dashboard.first_steps
    assert steps.isVisibleTo(window)
    texts = [
        window.dashboard.first_step_buttons.itemAt(i).widget().text()
        for i in range(window.dashboard.first_step_buttons.count())
    ]
    assert texts == [
        "Record a meeting — Ctrl+N",
        "Import your calendar…",
        "Read the user guide — F1",
    ]
    window.dashboard.first_step_buttons.itemAt(0).widget().click()
    assert ("meetings", None) in window.editors
    window.editors[("meetings", None)].close()

    page = read_list(qtbot, window.go_to_list("meetings"))
    assert page.empty_label.isVisibleTo(window)
    assert "Record a meeting — Ctrl+N" in page.empty_label.text()
    assert "import your calendar" in page.empty_label.text()
    page.filter.setText("board")
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page._apply_filter()
    assert page.empty_label.text() == "No meetings match “board”. Clear the filter to see them all."


def test_a_database_with_records_shows_no_first_steps(qtbot, seeded):
    window = open_window(qtbot, seeded.db)
    assert not window.dashboard.first_steps.isVisibleTo(window)
    page = read_list(qtbot, window.go_to_list("meetings"))
    assert page.model.rowCount() and not page.empty_label.isVisibleTo(window)


def test_the_guide_covers_each_role_and_ships_with_the_app():
    text = guide_text()
    for heading in (
        "## For councillors: recording a meeting",
        "## For councillors: following up commitments",
        "## For members' services officers: briefing packs",
        "## For cabinet leads: writing a letter",
    ):
        assert heading in text


def test_f1_opens_the_guide_at_the_part_about_the_window_in_use(qtbot, seeded):
    window = open_window(qtbot, seeded.db)
    action = window.actions[ActionId.USER_GUIDE]
    assert action.shortcut().toString() == "F1"
    assert action in window.menuBar().actions()[-1].menu().actions()  # in the Help menu

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    guide = window.user_guide
    qtbot.waitExposed(guide)
    assert guide.browser.textCursor().selectedText() == "Getting started"

    editor = window.open_record("meetings", seeded.meeting_id)
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    qtbot.keyClick(editor, Qt.Key.Key_F1)
    assert window.user_guide is guide
    assert guide.browser.textCursor().selectedText() == "For councillors: recording a meeting"
    assert guide.browser.verticalScrollBar().value() > 0
    editor.close()
    guide.close()
