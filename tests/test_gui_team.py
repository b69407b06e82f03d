"""The team database in the app: the Sync action, the status bar, syncing in the
background, an unreachable server, and joining from Preferences."""

from __future__ import annotations

import pytest
from conftest import laptop, open_window
from PySide6.QtWidgets import QApplication
from test_team import meeting_row

from stpdesk.config import load_settings, save_settings
from stpdesk.services import entities as e
from stpdesk.services import team
from stpdesk.ui.actions import ActionId


def automatic(on: bool) -> None:
    settings = load_settings()
    settings.team_auto_sync = on
    save_settings(settings)


@pytest.fixture
def linked(pair):  # noqa: ANN201
    """Laptops A (to open in the window) and B, joined, sharing one meeting; no
    automatic sync unless a test asks for it."""
    automatic(False)
    return pair


def test_the_sync_action_sends_and_fetches_and_the_status_bar_says_so(qtbot, linked):
    a, b, meeting_id = linked
    e.meetings.update(a, meeting_id, {"title": "Board, changed in the app"})
    window = open_window(qtbot, a)
    sync = window.team_sync
    qtbot.waitUntil(lambda: "1 change waiting" in sync.label.text())
    assert sync.label.isVisible() and window.actions[ActionId.SYNC].isEnabled()
    with qtbot.waitSignal(sync.synced, timeout=20_000) as sent:
        window.actions[ActionId.SYNC].trigger()
    assert sent.args[0].pushed == 1
    qtbot.waitUntil(lambda: "no changes waiting" in sync.label.text())
    assert "Synced" in sync.label.text()
    team.sync(b)
    assert meeting_row(b, meeting_id).title == "Board, changed in the app"

    # B's change arrives, and the meetings list shows it
    e.meetings.update(b, meeting_id, {"title": "Board, changed on B"})
    team.sync(b)
    window.go_to(4)
    with qtbot.waitSignal(sync.synced, timeout=20_000) as fetched:
        window.actions[ActionId.SYNC].trigger()
    assert fetched.args[0].pulled == 1
    page = window.lists["meetings"]
    qtbot.waitUntil(
        lambda: any(
            page.model.record(row).title == "Board, changed on B"
            for row in range(page.model.rowCount())
        )
    )
    window.ops.shutdown()


def test_a_conflict_shows_in_the_status_bar(qtbot, linked):
    a, b, meeting_id = linked
    e.meetings.update(b, meeting_id, {"title": "B's title"})
    team.sync(b)
    e.meetings.update(a, meeting_id, {"title": "A's title"})
    window = open_window(qtbot, a)
    qtbot.waitUntil(window.actions[ActionId.SYNC].isEnabled)  # once it knows it is linked
    with qtbot.waitSignal(window.team_sync.synced, timeout=20_000):
        window.actions[ActionId.SYNC].trigger()
    qtbot.waitUntil(lambda: "1 conflict" in window.team_sync.label.text())
    assert "Exchange" in window.team_sync.label.toolTip()
    window.ops.shutdown()


def test_an_unreachable_server_is_said_in_the_status_bar_never_in_a_dialog(qtbot, linked, tmp_path):
    a, _b, meeting_id = linked
    team.set_server(a, f"postgresql://alice@/nowhere?host={tmp_path}&port=1")
    e.meetings.update(a, meeting_id, {"title": "Written offline"})
    window = open_window(qtbot, a)
    with qtbot.waitSignal(window.team_sync.sync_failed, timeout=20_000) as failed:
        window.team_sync.sync_now(quiet=True)
    assert "could not be reached" in failed.args[0]
    assert QApplication.activeModalWidget() is None
    qtbot.waitUntil(lambda: "not reachable" in window.team_sync.label.text())
    assert "1 change waiting" in window.team_sync.label.text()
    # typing goes on meanwhile: the record is still saved here
    assert meeting_row(a, meeting_id).title == "Written offline"
    window.ops.shutdown()


def test_automatic_sync_runs_in_the_background(qtbot, linked):
    a, _b, meeting_id = linked
    automatic(True)
    e.meetings.update(a, meeting_id, {"title": "Sent by itself"})
    window = open_window(qtbot, a)
    with qtbot.waitSignal(window.team_sync.synced, timeout=20_000) as sent:
        pass
    assert sent.args[0].pushed == 1
    window.team_sync.timer.stop()
    window.ops.shutdown()


def test_joining_the_team_from_preferences(qtbot, team_db, tmp_path):
    automatic(False)
    a = laptop(tmp_path, "a")
    meeting = e.meetings.create(
        a, {"title": "Brought to the team", "starts_at": "2026-11-02 10:00"}
    )
    window = open_window(qtbot, a)
    qtbot.waitUntil(lambda: window.team_sync.state is not None)
    assert not window.team_sync.label.isVisible()
    assert not window.actions[ActionId.SYNC].isEnabled()
    dialog = window.show_preferences()
    dialog.profile.set_values({"name": "Sevenoaks District Council"})
    dialog.team_server.setText("postgresql://alice:secret@server/team")
    dialog.save()
    assert "never stores" in dialog.team_problem.text()
    dialog.team_server.setText(team_db.as_user("alice"))
    dialog.team_auto.setChecked(True)
    with qtbot.waitSignal(window.team_sync.synced, timeout=20_000) as joined:
        dialog.save()
    assert joined.args[0].pushed >= 1
    assert load_settings().team_auto_sync
    assert team.server_url(a) == team_db.as_user("alice")
    window.team_sync.timer.stop()
    with team_db.admin(team_db.database) as connection:
        assert connection.execute(
            "SELECT changed_by FROM stpdesk.record WHERE record_id = %s", (meeting.id,)
        ).fetchone() == ("alice",)
    window.ops.shutdown()
    a.close()


def test_a_read_only_login_is_told_its_changes_were_not_accepted(qtbot, team_db, tmp_path):
    automatic(False)
    a = laptop(tmp_path, "a")
    meeting = e.meetings.create(a, {"title": "Board", "starts_at": "2026-11-02 10:00"})
    team.join(a, team_db.as_user("alice"))
    officer = laptop(tmp_path, "officer")
    team.join(officer, team_db.as_user("olivia"), fresh=True)
    e.meetings.update(officer, meeting.id, {"title": "The officer's title"})
    window = open_window(qtbot, officer)
    qtbot.waitUntil(window.actions[ActionId.SYNC].isEnabled)
    with qtbot.waitSignal(window.team_sync.synced, timeout=20_000) as done:
        window.actions[ActionId.SYNC].trigger()
    assert done.args[0].refused == 1
    qtbot.waitUntil(lambda: "may only read" in window.team_sync.label.text())
    assert "1 change waiting" in window.team_sync.label.text()
    assert "permission denied" in window.team_sync.label.toolTip()
    assert QApplication.activeModalWidget() is None
    window.ops.shutdown()
    officer.close()
    a.close()
