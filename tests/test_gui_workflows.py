"""Record workflows driven through the real widgets: the meeting editor, the
commitment workflow, validation beside fields, first-run set-up, preferences, crashes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from conftest import long_date, open_window, pick, read_list
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlmodel import select

from stpdesk.config import load_settings
from stpdesk.model import clock
from stpdesk.model import tables as t
from stpdesk.model.enums import Attendance, CommitmentStatus
from stpdesk.model.types import format_date
from stpdesk.services import dashboard, workflows
from stpdesk.services import entities as e
from stpdesk.ui.actions import ActionId
from stpdesk.ui.crash import report_error

# The offscreen platform cannot raise windows or grab the keyboard for pop-ups; harmless.
pytestmark = [
    pytest.mark.qt_log_ignore("This plugin does not support"),
    pytest.mark.usefixtures("never_block_on_unsaved_changes"),
]


def counts(db) -> dict[str, int]:
    return dashboard.record_counts(db)


def test_record_meeting_find_it_mark_commitment_done_dashboard_updates(qtbot, seeded):
    db = seeded.db
    window = open_window(qtbot, db)
    editor = window.new_record("meetings")
    qtbot.keyClicks(editor.form.fields["title"], "Discharge to assess <review> & next steps")
    qtbot.keyClicks(editor.form.fields["starts_at"], f"{long_date(-2)} 14:00")
    pick(qtbot, editor.form.fields["body_ids"].picker, "Maidstone")
    assert editor.form.fields["body_ids"].ids() == [seeded.trust_id]
    pick(qtbot, editor.person_picker, "Zofia")
    editor.attendance.setCurrentIndex(list(Attendance).index(Attendance.apologies))
    pick(qtbot, editor.person_picker, "Michelle")
    assert editor.attendees.count() == 2
    editor.notes_form.fields["notes"].setPlainText(
        "Agreed a joint review 🏥 of delayed discharges."
    )
    qtbot.keyClicks(editor.ask_form.fields["title"], "A housing officer on every ward round")
    pick(qtbot, editor.ask_form.fields["body_id"], "Maidstone")
    qtbot.mouseClick(editor.add_ask_button, Qt.MouseButton.LeftButton)
    assert editor.asks_list.count() == 1
    overdue_date = format_date(clock.today() - timedelta(days=4))
    qtbot.keyClicks(editor.commitment_form.fields["text"], "Send the discharge figures")
    pick(qtbot, editor.commitment_form.fields["body_id"], "Maidstone")
    qtbot.keyClicks(editor.commitment_form.fields["due_date"], overdue_date)
    qtbot.mouseClick(editor.add_commitment_button, Qt.MouseButton.LeftButton)
    assert editor.commitments_list.count() == 1
    assert window.actions[ActionId.SAVE].isEnabled()  # an editor has unsaved changes

    with qtbot.waitSignal(editor.saved, timeout=5000) as saved:
        qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    meeting_id = saved.args[0]
    with db.read() as session:
        meeting = session.get(t.Meeting, meeting_id)
        assert meeting.title == "Discharge to assess <review> & next steps"
        attendees = session.exec(
            select(t.MeetingAttendee).where(t.MeetingAttendee.meeting_id == meeting_id)
        ).all()
        assert {(a.contact_id, a.member_id, a.attendance) for a in attendees} == {
            (seeded.contact_id, None, Attendance.present),
            (None, seeded.member_id, Attendance.apologies),
        }
        ask = session.exec(select(t.Ask).where(t.Ask.meeting_id == meeting_id)).one()
        assert ask.title == "A housing officer on every ward round"
        assert ask.body_id == seeded.trust_id
        commitment = session.exec(
            select(t.Commitment).where(t.Commitment.meeting_id == meeting_id)
        ).one()
        assert commitment.due_date == clock.today() - timedelta(days=4)

    # the dashboard refreshed itself after the save and shows the new overdue commitment
    qtbot.waitUntil(
        lambda: any(
            "Send the discharge figures" in line and "4 days overdue" in line
            for line in window.dashboard.texts(window.dashboard.overdue)
        ),
        timeout=5000,
    )

    # find it by search
    search = window.show_search()
    with qtbot.waitSignal(search.results_shown, timeout=5000):
        qtbot.keyClicks(search.query, "joint review")
    qtbot.keyClick(search.query, Qt.Key.Key_Return)
    assert ("meetings", meeting_id) in window.editors
    window.editors[("meetings", meeting_id)].close()

    # mark the commitment done from the commitments list
    window.go_to(6)
    page = read_list(qtbot, window.lists["commitments"])
    assert page.select(commitment.id)
    window.actions[ActionId.MARK_DONE].trigger()
    dialog = window.workflow_dialog
    qtbot.keyClicks(dialog.form.fields["evidence"], "Figures received by email on Monday")
    with qtbot.waitSignal(window.dashboard.loaded, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    saved_commitment = e.commitments.get(db, commitment.id)
    assert saved_commitment.status == CommitmentStatus.done
    assert saved_commitment.evidence == "Figures received by email on Monday"
    assert not any(
        "Send the discharge figures" in line
        for line in window.dashboard.texts(window.dashboard.overdue)
    )
    row = page.model.row_of(commitment.id)
    assert page.model.data(page.model.index(row, 4)).startswith("Done on ")


def test_validation_errors_appear_beside_the_field_and_nothing_is_saved(qtbot, seeded):
    db = seeded.db
    before = counts(db)
    window = open_window(qtbot, db)
    editor = window.new_record("meetings")
    qtbot.keyClicks(editor.form.fields["starts_at"], "31/02/2026 10:00")
    pick(qtbot, editor.person_picker, "Zofia")
    with qtbot.waitSignal(editor.save_failed, timeout=5000):
        editor.save()
    title_problem = editor.form.problems["title"]
    start_problem = editor.form.problems["starts_at"]
    assert title_problem.isVisible() and "Give the meeting a title" in title_problem.text()
    assert start_problem.isVisible() and "31 February 2026 is not a date" in start_problem.text()
    assert not editor.form.problems["location"].isVisible()
    assert editor.focusWidget() in (
        editor.form.fields["title"],
        editor.form.fields["starts_at"],
    )
    assert counts(db) == before
    assert editor.isVisible()

    # a picker naming nobody is refused before the database is asked
    editor.form.fields["title"].setText("Board")
    editor.form.fields["starts_at"].setText("1/12/2026 10:00")
    qtbot.keyClicks(editor.form.fields["body_ids"].picker, "No such body")
    with qtbot.waitSignal(editor.save_failed, timeout=5000):
        editor.save()
    assert "there is no body called “No such body”" in editor.form.problems["body_ids"].text()
    assert counts(db) == before
    editor.mark_clean()
    editor.close()


def test_ask_typed_but_not_added_is_not_lost_silently(qtbot, seeded):
    window = open_window(qtbot, seeded.db)
    editor = window.new_record("meetings")
    editor.form.fields["title"].setText("Board")
    editor.form.fields["starts_at"].setText("1/12/2026 10:00")
    editor.ask_form.fields["title"].setText("A seat at the table")
    with qtbot.waitSignal(editor.save_failed, timeout=5000):
        editor.save()
    assert "Add ask" in editor.ask_form.problems["title"].text()
    # adding it without saying who it was asked of is refused beside that field
    qtbot.mouseClick(editor.add_ask_button, Qt.MouseButton.LeftButton)
    assert "please pick one" in editor.ask_form.problems["body_id"].text()
    assert editor.asks_list.count() == 0
    editor.mark_clean()
    editor.close()


def test_unsaved_changes_prompt_on_close(qtbot, seeded, monkeypatch):
    window = open_window(qtbot, seeded.db)
    editor = window.open_record("contacts", seeded.contact_id)
    qtbot.keyClicks(editor.form.fields["role"], " (interim)")
    assert editor.dirty and editor.windowTitle().startswith("* ")
    asked = []
    monkeypatch.setattr(
        editor, "ask_unsaved", lambda: asked.append(1) or QMessageBox.StandardButton.Cancel
    )
    editor.close()
    assert asked and editor.isVisible()
    monkeypatch.setattr(editor, "ask_unsaved", lambda: QMessageBox.StandardButton.Discard)
    editor.close()
    assert not editor.isVisible()
    assert e.contacts.get(seeded.db, seeded.contact_id).role == "Director of Strategy"


def test_edit_contact_and_see_email_problem(qtbot, seeded):
    window = open_window(qtbot, seeded.db)
    window.go_to(2)
    editor = window.open_record("contacts", seeded.contact_id)
    editor.form.fields["email"].setText("zofia at nhs")
    with qtbot.waitSignal(editor.save_failed, timeout=5000):
        editor.save()
    assert "is not an email address" in editor.form.problems["email"].text()
    editor.form.fields["email"].setText("zofia.l@nhs.example")
    with qtbot.waitSignal(window.lists["contacts"].model.loaded, timeout=5000):
        editor.save()
    assert e.contacts.get(seeded.db, seeded.contact_id).email == "zofia.l@nhs.example"
    page = window.lists["contacts"]
    row = page.model.row_of(seeded.contact_id)
    assert page.model.data(page.model.index(row, 3)) == "zofia.l@nhs.example"


def test_reschedule_keeps_the_reason_in_history_and_drop_needs_a_reason(qtbot, seeded):
    db = seeded.db
    window = open_window(qtbot, db)
    editor = window.open_record("commitments", seeded.commitment_ids[1])
    qtbot.mouseClick(editor.reschedule_button, Qt.MouseButton.LeftButton)
    dialog = editor.workflow_dialog
    qtbot.keyClicks(dialog.form.fields["due_date"], long_date(54))
    qtbot.keyClicks(dialog.form.fields["reason"], "Board papers delayed by the election")
    with qtbot.waitSignal(dialog.finished_ok, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    record = e.commitments.get(db, seeded.commitment_ids[1])
    assert format_date(record.due_date) == long_date(54)
    history = [editor.history.item(i).text() for i in range(editor.history.count())]
    assert any(
        f"Rescheduled from {long_date(9)} to {long_date(54)}: Board papers delayed" in line
        for line in history
    )

    qtbot.mouseClick(editor.drop_button, Qt.MouseButton.LeftButton)
    dialog = editor.workflow_dialog
    with qtbot.waitSignal(window.ops.idle, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "say why it is being dropped" in dialog.form.problems["reason"].text()
    assert e.commitments.get(db, seeded.commitment_ids[1]).status == CommitmentStatus.pending
    dialog.close()
    editor.close()


def test_keyboard_only_meeting_with_two_attendees_an_ask_and_a_commitment(qtbot, seeded):
    db = seeded.db
    window = open_window(qtbot, db)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = window.editors[("meetings", None)]
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.form.fields["title"])

    def focused() -> str:
        return QApplication.focusWidget().accessibleName()

    def type_and_tab(text: str, expect_next: str, tabs: int = 1) -> None:
        widget = QApplication.focusWidget()
        if text:
            qtbot.keyClicks(widget, text)
        for _ in range(tabs):
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert focused() == expect_next

    def enter() -> None:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)

    type_and_tab("Keyboard meeting", "Starts")
    type_and_tab(f"{long_date(9)} 10:00", "Ends")
    type_and_tab("", "Kind")
    type_and_tab("", "Location")
    type_and_tab("Sessions House", "Add to Bodies")
    qtbot.keyClicks(QApplication.focusWidget(), "Kent and Medway ICB")
    enter()
    type_and_tab("", "Bodies")  # the list of bodies picked
    type_and_tab("", "Add attendee")
    qtbot.keyClicks(QApplication.focusWidget(), "Zofia")
    enter()
    qtbot.keyClicks(QApplication.focusWidget(), "Michelle")
    enter()
    assert editor.attendees.count() == 2
    type_and_tab("", "Attendance of the next attendee added")
    type_and_tab("", "Attendees")
    type_and_tab("", "Agenda")
    type_and_tab("1. Board seat", "Notes")
    type_and_tab("Recorded without a mouse.", "Outcome")
    type_and_tab("", "Add to Themes")
    type_and_tab("", "Themes")
    type_and_tab("", "Ask")
    type_and_tab("A seat on the board", "Asked of")
    type_and_tab("Kent and Medway ICB", "Minute ref.")
    type_and_tab("4.1", "Priority")
    type_and_tab("", "Add ask")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert editor.asks_list.count() == 1
    assert focused() == "Ask"
    type_and_tab("", "Asked of")
    type_and_tab("", "Minute ref.")
    type_and_tab("", "Priority")
    type_and_tab("", "Add ask")
    type_and_tab("", "Asks made at this meeting")
    type_and_tab("", "Commitment")
    type_and_tab("Reply on board membership", "Body")
    type_and_tab("Maidstone", "Who owes it")
    type_and_tab("", "Due date")
    qtbot.keyClicks(QApplication.focusWidget(), long_date(23))
    enter()  # Enter in the due date adds the commitment
    assert editor.commitments_list.count() == 1
    with qtbot.waitSignal(editor.saved, timeout=5000) as saved:
        qtbot.keyClick(
            QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
        )
    detail = workflows.meeting_detail(db, saved.args[0])
    assert detail.meeting.title == "Keyboard meeting"
    assert detail.meeting.location == "Sessions House"
    assert detail.body_ids == [seeded.icb_id]
    assert len(detail.attendees) == 2
    assert [(a.title, a.minute_ref) for a in detail.asks] == [("A seat on the board", "4.1")]
    assert [(c.text, c.body_id) for c in detail.commitments] == [
        ("Reply on board membership", seeded.trust_id)
    ]


def test_first_run_setup_creates_footprint_bodies_and_member(qtbot, db):
    window = open_window(qtbot, db)
    dialog = window.show_setup()
    pick(qtbot, dialog.council, "Sevenoaks")
    assert "Kent and Medway Integrated Care System" in dialog.area.text()
    assert dialog.council_name.text() == "Sevenoaks District Council"
    qtbot.keyClicks(dialog.form.fields["name"], "Michelle Lowe")
    qtbot.keyClicks(dialog.form.fields["position"], "Cabinet Member for Housing and Health")
    with qtbot.waitSignal(dialog.done_setup, timeout=5000):
        qtbot.mouseClick(dialog.setup_button, Qt.MouseButton.LeftButton)
    with db.read() as session:
        footprints = session.exec(select(t.Footprint)).all()
        bodies = {b.name for b in session.exec(select(t.Body)).all()}
        member = session.exec(select(t.Member)).one()
        profile = session.exec(select(t.CouncilProfile)).one()
    assert {(f.name, f.kind.value) for f in footprints} == {
        ("Kent and Medway", "ics"),
        ("Kent and Medway", "stp"),
    }
    assert "Kent County Council" in bodies and "Sevenoaks District Council" in bodies
    assert member.name == "Michelle Lowe" and member.council == "Sevenoaks District Council"
    assert profile.name == "Sevenoaks District Council"


def test_first_run_setup_needs_a_council_and_a_name(qtbot, db):
    window = open_window(qtbot, db)
    dialog = window.show_setup()
    qtbot.mouseClick(dialog.setup_button, Qt.MouseButton.LeftButton)
    assert "please pick one" in dialog.form.problems["council"].text()
    assert workflows.is_empty(db)
    dialog.close()


def test_preferences_save_profile_signatories_and_rotation(qtbot, seeded, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    window = open_window(qtbot, seeded.db)
    dialog = window.show_preferences()
    dialog.profile.fields["name"].setText("Sevenoaks District Council")
    dialog.profile.fields["address"].setPlainText("Argyle Road\nSevenoaks")
    pick(qtbot, dialog.signatories.picker, "Michelle")
    dialog.keep_last.setValue(20)
    assert not dialog.use_logo(Path(__file__))  # not an image: refused, with a reason
    assert "not a PNG or JPEG" in dialog.logo_problem.text()
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save()
    settings = load_settings()
    assert settings.backup_keep_last == 20
    assert settings.default_signatory_ids == [seeded.member_id]
    with seeded.db.read() as session:
        profile = session.exec(select(t.CouncilProfile)).one()
    assert profile.address == "Argyle Road\nSevenoaks"


def test_crash_handler_writes_a_log_and_tells_the_user(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    try:
        raise RuntimeError("something unexpected")
    except RuntimeError as error:
        path = report_error(error)
    assert path is not None and path.is_file()
    assert path.is_relative_to(tmp_path)
    assert "RuntimeError: something unexpected" in path.read_text(encoding="utf-8")
    boxes = [w for w in QApplication.topLevelWidgets() if w.objectName() == "crash_report"]
    assert boxes and str(path) in boxes[-1].text()
    for box in boxes:
        box.close()
