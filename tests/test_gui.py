"""The main window: its title, dashboard, status bar, lists, search and start-up."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timedelta
from importlib import import_module

import pytest
from conftest import open_window, read_list, reloaded
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from stpdesk.model import clock
from stpdesk.services import entities as e
from stpdesk.ui.actions import ActionId
from stpdesk.ui.models import PAGE_SIZE, STATUS_ROLE, RecordTableModel

# The offscreen platform cannot raise windows or grab the keyboard for pop-ups; harmless.
pytestmark = [
    pytest.mark.qt_log_ignore("This plugin does not support"),
    pytest.mark.usefixtures("never_block_on_unsaved_changes"),
]


def test_main_window_shows_title_overdue_and_counts(qtbot, seeded):
    overdue_text = "Share discharge data with the housing team"
    e.commitments.update(
        seeded.db, seeded.commitment_ids[0], {"due_date": clock.today() - timedelta(days=12)}
    )
    window = open_window(qtbot, seeded.db)
    assert "stpdesk" in window.windowTitle()
    assert seeded.db.path.name in window.windowTitle()
    items = window.dashboard.texts(window.dashboard.overdue)
    assert any(overdue_text in text and "12 days overdue" in text for text in items)
    assert window.counts_label.text().startswith("1 meeting · 2 asks · 2 commitments")
    assert "2 commitments" in window.counts_label.text()
    assert window.backup_label.text()  # "Last backup: …" or "No backup yet"


def test_empty_database_says_nothing_is_overdue(qtbot, db):
    window = open_window(qtbot, db)
    assert window.dashboard.texts(window.dashboard.overdue) == ["Nothing is overdue."]
    assert window.dashboard.texts(window.dashboard.upcoming) == ["No meetings in the next 14 days."]


def test_actions_disabled_when_they_do_not_apply(qtbot, seeded):
    window = open_window(qtbot, seeded.db)
    actions = window.actions
    assert actions[ActionId.NEW_MEETING].shortcut().toString() == "Ctrl+N"
    assert actions[ActionId.QUIT].isEnabled()
    assert not actions[ActionId.SAVE].isEnabled()  # nothing is being edited
    assert not actions[ActionId.MARK_DONE].isEnabled()  # no commitment chosen
    window.go_to(6)
    page = read_list(qtbot, window.lists["commitments"])
    page.select(seeded.commitment_ids[0])
    assert actions[ActionId.MARK_DONE].isEnabled()
    assert actions[ActionId.DELETE_RECORD].isEnabled()
    window.go_to(3)  # members cannot be soft-deleted, so Delete stays off
    read_list(qtbot, window.lists["members"]).select(seeded.member_id)
    assert not actions[ActionId.DELETE_RECORD].isEnabled()


@pytest.mark.parametrize(
    "entity",
    ["footprints", "bodies", "contacts", "members", "meetings", "asks", "commitments", "letters"],
)
def test_item_models_pass_the_model_tester(qtmodeltester, qtbot, seeded, entity):
    model = reloaded(qtbot, RecordTableModel(seeded.db, entity))
    qtmodeltester.check(model, force_py=True)
    if entity != "letters":
        assert model.rowCount() > 0


def test_overdue_commitment_stands_out_in_words_and_colour(qtbot, seeded):
    e.commitments.update(
        seeded.db, seeded.commitment_ids[0], {"due_date": clock.today() - timedelta(days=3)}
    )
    model = reloaded(qtbot, RecordTableModel(seeded.db, "commitments"))
    status_column = [c.header for c in model.columns].index("Status")
    statuses = {
        model.data(model.index(row, 1)): model.data(model.index(row, status_column))
        for row in range(model.rowCount())
    }
    assert statuses["Share discharge data with the housing team"] == "3 days overdue"
    row = model.row_of(seeded.commitment_ids[0])
    assert model.data(model.index(row, 0), STATUS_ROLE) == "overdue"
    assert model.data(model.index(row, 0), Qt.ItemDataRole.ForegroundRole) is not None
    assert model.data(model.index(row, 0), Qt.ItemDataRole.FontRole).bold()


def test_sorting_asks_by_title_reads_from_the_database(qtbot, seeded):
    model = reloaded(qtbot, RecordTableModel(seeded.db, "asks"))
    title_column = 1
    with qtbot.waitSignal(model.loaded, timeout=5000):
        model.sort(title_column, Qt.SortOrder.AscendingOrder)
    titles = [model.data(model.index(r, title_column)) for r in range(model.rowCount())]
    assert titles == sorted(titles)
    with qtbot.waitSignal(model.loaded, timeout=5000):
        model.sort(title_column, Qt.SortOrder.DescendingOrder)
    assert [model.data(model.index(r, title_column)) for r in range(model.rowCount())] == sorted(
        titles, reverse=True
    )


def _add_meetings_fast(db, count: int) -> None:
    """Bulk meetings for the scale test. The search triggers are set aside during the
    insert (they would take most of the time) and put back exactly as they were; the
    list filter's index is then filled as the migration fills it."""
    base = datetime(2020, 1, 1)
    rows = [
        (
            str(uuid.uuid4()),
            f"Synthetic meeting {i}",
            (base + timedelta(hours=i)).isoformat(sep=" "),
            "other",
            "2020-01-01 00:00:00",
            "2020-01-01 00:00:00",
        )
        for i in range(count)
    ]
    connection = sqlite3.connect(db.path)
    try:
        with connection:
            triggers = connection.execute(
                "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name='meeting'"
            ).fetchall()
            for name, _sql in triggers:
                connection.execute(f'DROP TRIGGER "{name}"')
            connection.executemany(
                "INSERT INTO meeting (id, title, starts_at, kind, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            for _name, sql in triggers:
                connection.execute(sql)
            # the list filter reads its index (migration 0007): give it the new meetings
            filtered = import_module("stpdesk.store.migrations.versions.0007_list_filter_index")
            connection.execute(
                "INSERT INTO search_doc(kind, ref) SELECT 'meeting', id FROM meeting "
                "WHERE id NOT IN (SELECT ref FROM search_doc)"
            )
            connection.execute(
                "INSERT INTO filter_meeting(rowid, ref, text) "
                f"SELECT d.docid, m.id, {filtered.filter_text('meeting', 'm')} FROM meeting AS m "
                "JOIN search_doc AS d ON d.ref = m.id "
                "WHERE d.docid NOT IN (SELECT rowid FROM filter_meeting)"
            )
    finally:
        connection.close()


def test_list_over_100000_meetings_opens_and_filters_without_loading_every_row(qtbot, db):
    _add_meetings_fast(db, 100_000)
    window = open_window(qtbot, db)
    window.go_to(4)
    page = read_list(qtbot, window.lists["meetings"])
    model = page.model
    assert model.total == 100_000
    qtbot.waitUntil(lambda: not model._fetching, timeout=5000)  # the view may ask for more
    assert model.rows_fetched <= 2 * PAGE_SIZE
    assert "of 100,000 meetings" in page.count_label.text()
    fetched_before = model.rows_fetched
    with qtbot.waitSignal(model.fetched, timeout=5000):
        model.fetchMore()
    assert model.rows_fetched == fetched_before + PAGE_SIZE
    with qtbot.waitSignal(model.loaded, timeout=5000):
        qtbot.keyClicks(page.filter, "meeting 4242")
    assert model.filter_text == "meeting 4242"
    # 4242 and 42420..42429
    assert model.total == 11
    assert model.rowCount() == 11
    assert page.count_label.text() == "11 meetings"
    assert model.rows_fetched < 5 * PAGE_SIZE


def test_filter_is_debounced(qtbot, seeded):
    window = open_window(qtbot, seeded.db)
    window.go_to(6)
    page = read_list(qtbot, window.lists["commitments"])
    reloads = []
    page.model.loaded.connect(reloads.append)
    qtbot.keyClicks(page.filter, "board")
    with qtbot.waitSignal(page.model.loaded, timeout=3000):
        pass
    assert len(reloads) == 1  # five key presses, one query
    assert page.model.rowCount() == 1


def test_status_filter_shows_only_overdue(qtbot, seeded):
    e.commitments.update(
        seeded.db, seeded.commitment_ids[0], {"due_date": clock.today() - timedelta(days=5)}
    )
    e.commitments.update(
        seeded.db, seeded.commitment_ids[1], {"due_date": clock.today() + timedelta(days=5)}
    )
    window = open_window(qtbot, seeded.db)
    window.go_to(6)
    page = read_list(qtbot, window.lists["commitments"])
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.show_only("Overdue")
    assert page.model.rowCount() == 1
    assert page.model.record_id(0) == seeded.commitment_ids[0]


def test_search_finds_a_record_and_opens_it(qtbot, seeded):
    window = open_window(qtbot, seeded.db)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = window.search_dialog
    with qtbot.waitSignal(dialog.results_shown, timeout=5000):
        qtbot.keyClicks(dialog.query, "missing third")
    assert dialog.results.count() == 1
    assert "ICS partnership board" in dialog.results.item(0).text()
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    assert ("meetings", seeded.meeting_id) in window.editors
    editor = window.editors[("meetings", seeded.meeting_id)]
    assert editor.form.fields["title"].text() == "ICS partnership board"
    editor.close()


def test_dashboard_item_opens_its_record(qtbot, seeded):
    e.commitments.update(
        seeded.db, seeded.commitment_ids[0], {"due_date": clock.today() - timedelta(days=2)}
    )
    window = open_window(qtbot, seeded.db)
    overdue = window.dashboard.overdue
    overdue.itemActivated.emit(overdue.item(0))
    assert ("commitments", seeded.commitment_ids[0]) in window.editors
    window.editors[("commitments", seeded.commitment_ids[0])].close()


def test_delete_can_be_undone(qtbot, seeded, monkeypatch):
    window = open_window(qtbot, seeded.db)
    monkeypatch.setattr(window, "confirm", lambda question: True)
    window.go_to(5)
    page = read_list(qtbot, window.lists["asks"])
    page.select(seeded.ask_ids[0])
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        window.actions[ActionId.DELETE_RECORD].trigger()
    assert page.model.row_of(seeded.ask_ids[0]) is None
    assert window.actions[ActionId.UNDO_DELETE].isEnabled()
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.model.row_of(seeded.ask_ids[0]) is not None
    assert e.asks.get(seeded.db, seeded.ask_ids[0]).deleted_at is None


INPUTS = (QLineEdit, QPlainTextEdit, QComboBox, QAbstractItemView, QAbstractSpinBox)


def unnamed_inputs(root: QWidget) -> list[str]:
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INPUTS):
            continue
        if isinstance(widget.parent(), QComboBox | QAbstractSpinBox):
            continue  # the line edit inside a combo or spin box speaks through its parent
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if widget.window().windowType() == Qt.WindowType.Popup:
            continue  # completer and combo pop-ups are named by the field that owns them
        if not widget.accessibleName():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def test_every_control_has_an_accessible_name(qtbot, seeded):
    window = open_window(qtbot, seeded.db)
    for index in range(8):
        window.go_to(index)
    assert unnamed_inputs(window) == []
    meeting = window.open_record("meetings", seeded.meeting_id)
    assert unnamed_inputs(meeting) == []
    commitment = window.open_record("commitments", seeded.commitment_ids[0])
    assert unnamed_inputs(commitment) == []
    assert unnamed_inputs(window.show_search()) == []
    assert unnamed_inputs(window.show_preferences()) == []
    for dialog in (meeting, commitment, window.search_dialog, window.preferences_dialog):
        dialog.close()


def test_pack_kinds_match_the_briefing_dialogs():
    from stpdesk.ui import app, briefing_dialogs

    assert app.PACK_ENTITIES == briefing_dialogs.PACK_ENTITIES


def test_a_short_filter_fills_the_first_screenful_then_counts_in_the_background(
    qtbot, db, monkeypatch
):
    from stpdesk.services import records

    _add_meetings_fast(db, 300)
    monkeypatch.setattr(records, "FEW_MATCHES", 10)  # "many" at this scale
    window = open_window(qtbot, db)
    window.go_to(4)
    page = read_list(qtbot, window.lists["meetings"])
    model = page.model
    counts: list[str] = []
    model.loaded.connect(lambda _total: counts.append(page.count_label.text()))
    with qtbot.waitSignal(model.counted, timeout=5000) as counted:
        qtbot.keyClicks(page.filter, "y")  # in every "Synthetic meeting"
    assert counts == ["Showing the first 100 meetings (counting the rest…)"]
    assert counted.args == [300] and model.total == 300
    assert page.count_label.text() == "Showing 100 of 300 meetings (scroll for more)"
    first = [model.record(row).title for row in range(model.rowCount())]
    assert first == [f"Synthetic meeting {n}" for n in range(299, 199, -1)]  # in list order
    with qtbot.waitSignal(model.loaded, timeout=5000):
        page.filter.setText("77")  # found in few: just those rows read, counted at once
    assert model.total == 3 and not model.counting
    assert page.count_label.text() == "3 meetings"
