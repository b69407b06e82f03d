"""Forms behave as a newcomer expects: defaults, plain messages, Enter, the mouse wheel,
problems scrolled into view, and commitments marked done from wherever they are shown."""

from __future__ import annotations

import pytest
from conftest import days, long_date, pick
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlmodel import select

from stpdesk.model import tables as t
from stpdesk.model.enums import CommitmentStatus
from stpdesk.services import entities as e
from stpdesk.ui.actions import ActionId

pytestmark = [
    pytest.mark.qt_log_ignore("This plugin does not support"),
    pytest.mark.usefixtures("never_block_on_unsaved_changes"),
]


def add_ask(qtbot, editor, title: str) -> None:
    qtbot.keyClicks(editor.ask_form.fields["title"], title)
    pick(qtbot, editor.ask_form.fields["body_id"], "Maidstone")
    qtbot.mouseClick(editor.add_ask_button, Qt.MouseButton.LeftButton)


def asks_titled(db, title: str) -> list[t.Ask]:
    with db.read() as session:
        return list(session.exec(select(t.Ask).where(t.Ask.title == title)).all())


def test_asks_added_in_the_meeting_editor_are_raised_on_the_meetings_day(qtbot, window, seeded):
    editor = window.new_record("meetings")
    qtbot.keyClicks(editor.form.fields["title"], "Housing and health board")
    qtbot.keyClicks(editor.form.fields["starts_at"], f"{long_date(-2)} 23:30")
    add_ask(qtbot, editor, "Step-down flats")
    with qtbot.waitSignal(editor.saved, timeout=5000):
        editor.save()
    assert [a.raised_on for a in asks_titled(seeded.db, "Step-down flats")] == [days(-2)]

    # and on a meeting saved before, the day it was held
    editor = window.open_record("meetings", seeded.meeting_id)
    add_ask(qtbot, editor, "Discharge data monthly")
    with qtbot.waitSignal(editor.saved, timeout=5000):
        editor.save()
    assert [a.raised_on for a in asks_titled(seeded.db, "Discharge data monthly")] == [days(-19)]


def test_a_meeting_without_a_title_says_give_it_a_title(qtbot, window):
    editor = window.new_record("meetings")
    qtbot.keyClicks(editor.form.fields["starts_at"], f"{long_date(3)} 10:00")
    with qtbot.waitSignal(editor.save_failed, timeout=5000):
        editor.save()
    problem = editor.form.problems["title"]
    assert problem.isVisibleTo(editor)
    assert problem.text() == "⚠ Give the meeting a title"
    editor.close()


def test_enter_in_the_commitment_due_date_never_saves_the_meeting(qtbot, window, seeded):
    editor = window.open_record("meetings", seeded.meeting_id)
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    saves: list[str] = []
    editor.saved.connect(saves.append)
    due = editor.commitment_form.fields["due_date"]
    qtbot.keyClicks(editor.commitment_form.fields["text"], "Send the figures")
    due.setFocus()
    qtbot.keyClicks(due, long_date(10))
    qtbot.keyClick(due, Qt.Key.Key_Return)  # no body picked: the commitment is not added
    assert editor.isVisible()
    assert editor.commitment_form.problems["body_id"].isVisibleTo(editor)
    pick(qtbot, editor.commitment_form.fields["body_id"], "Maidstone")
    due.setFocus()
    qtbot.keyClick(due, Qt.Key.Key_Return)
    assert editor.commitments_list.count() == 3  # two saved before, one added
    assert editor.isVisible() and saves == []
    editor.close()


def wheel(widget, steps: int) -> None:
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(QPoint(0, 0))) + centre,
        QPoint(0, 0),
        QPoint(0, -120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_past_a_combo_box_without_changing_it(qtbot, window):
    editor = window.new_record("meetings")
    qtbot.waitExposed(editor)
    priority = editor.ask_form.fields["priority"]
    before = priority.currentIndex()
    editor.form.fields["title"].setFocus()
    wheel(priority, 1)
    assert priority.currentIndex() == before
    priority.setFocus()
    qtbot.waitUntil(priority.hasFocus)
    wheel(priority, 1)
    assert priority.currentIndex() != before  # in the box, the wheel does change it
    editor.close()


def test_enter_on_an_unknown_attendee_says_so(qtbot, window):
    editor = window.new_record("meetings")
    pick(qtbot, editor.person_picker, "Nobody Known")
    assert editor.attendee_problem.isVisibleTo(editor)
    assert "no person called “Nobody Known”" in editor.attendee_problem.text()
    assert editor.attendees.count() == 0
    editor.close()


def test_a_problem_below_the_fold_is_scrolled_into_view(qtbot, window):
    editor = window.new_record("meetings")
    qtbot.waitExposed(editor)
    editor.scroll.verticalScrollBar().setValue(0)
    qtbot.keyClicks(editor.form.fields["title"], "Board")
    qtbot.keyClicks(editor.form.fields["starts_at"], f"{long_date(3)} 10:00")
    qtbot.keyClicks(editor.ask_form.fields["title"], "Typed but never added")
    with qtbot.waitSignal(editor.save_failed, timeout=5000):
        editor.save()
    field = editor.ask_form.fields["title"]
    viewport = editor.scroll.viewport()
    top_left = field.mapTo(viewport, QPoint(0, 0))
    assert editor.scroll.verticalScrollBar().value() > 0
    assert viewport.rect().contains(top_left)
    assert viewport.rect().contains(top_left + QPoint(0, field.height() - 1))
    editor.close()


def test_closing_after_mark_done_in_the_commitment_editor_asks_nothing(
    qtbot, window, seeded, monkeypatch
):
    editor = window.open_record("commitments", seeded.commitment_ids[0])
    asked: list[int] = []
    monkeypatch.setattr(
        editor, "ask_unsaved", lambda: asked.append(1) or QMessageBox.StandardButton.Cancel
    )
    qtbot.mouseClick(editor.done_button, Qt.MouseButton.LeftButton)
    dialog = editor.workflow_dialog
    qtbot.keyClicks(dialog.form.fields["evidence"], "Figures arrived")
    with qtbot.waitSignal(dialog.finished_ok, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "Done" in editor.status_label.text()
    assert editor.close()
    assert asked == []


def test_the_dashboards_overdue_list_can_mark_a_commitment_done(qtbot, window, seeded):
    overdue = window.dashboard.overdue
    mark_done = window.actions[ActionId.MARK_DONE]
    assert not mark_done.isEnabled()
    overdue.setFocus()
    qtbot.waitUntil(overdue.hasFocus)
    overdue.setCurrentRow(0)
    assert mark_done.isEnabled()
    mark_done.trigger()
    dialog = window.workflow_dialog
    assert dialog.commitment_id == seeded.commitment_ids[0]
    qtbot.keyClicks(dialog.form.fields["evidence"], "Sent at last")
    with qtbot.waitSignal(window.dashboard.loaded, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert e.commitments.get(seeded.db, seeded.commitment_ids[0]).status == CommitmentStatus.done
    assert window.dashboard.texts(overdue) == ["Nothing is overdue."]
