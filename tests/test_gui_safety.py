"""The ways back in the app: Backups, Recently deleted, a damaged file, a second window."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from stpdesk.services import entities as e
from stpdesk.store import backup as store_backup
from stpdesk.store.lock import DatabaseLock
from stpdesk.ui import app as app_module
from stpdesk.ui.app import MainWindow


def titles(path) -> list[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT title FROM meeting WHERE deleted_at IS NULL ORDER BY title"
        ).fetchall()
    connection.close()
    return [row[0] for row in rows]


@pytest.fixture
def window(qtbot, seeded):
    main = MainWindow(seeded.db)
    qtbot.addWidget(main)
    yield main
    main.ops.shutdown()


def _answer_yes(qtbot, object_name: str) -> None:
    def find() -> QMessageBox:
        boxes = [
            w
            for w in QApplication.topLevelWidgets()
            if w.objectName() == object_name and w.isVisible()
        ]
        assert boxes
        return boxes[0]

    qtbot.waitUntil(lambda: bool(find()))
    box = find()
    box.button(QMessageBox.StandardButton.Yes).click()


def test_backups_dialog_backs_up_and_restores(qtbot, window, seeded):
    dialog = window.show_backups()
    qtbot.waitUntil(lambda: dialog.summary.text() != "")
    assert "no backups yet" in dialog.summary.text()
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.back_up_button.click()
    assert dialog.table.rowCount() == 1
    assert "1 meeting, 2 asks" in dialog.table.item(0, 2).text()
    e.meetings.create(seeded.db, {"title": "After the backup", "starts_at": "1/12/2026"})
    dialog.table.selectRow(0)
    assert dialog.restore_button.isEnabled()
    with qtbot.waitSignal(window.ops.changed, timeout=10_000):
        dialog.ask_to_restore()
        _answer_yes(qtbot, "confirm_restore")
    assert titles(seeded.db.path) == ["ICS partnership board"]
    assert e.meetings.page(seeded.db).total == 1  # the open window reads the restored data
    kept = store_backup.list_backups(seeded.db.path)
    assert any("before-restore" in path.name for path in kept)


def test_recently_deleted_restores_a_meeting(qtbot, window, seeded):
    e.meetings.delete(seeded.db, seeded.meeting_id)
    dialog = window.show_recently_deleted()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1)
    assert dialog.table.item(0, 2).text().startswith("ICS partnership board")
    dialog.table.selectRow(0)
    with qtbot.waitSignal(window.ops.changed, timeout=10_000):
        dialog.restore_button.click()
    assert titles(seeded.db.path) == ["ICS partnership board"]
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 0)
    assert dialog.summary.text() == "Nothing has been deleted."


def test_damaged_database_offers_the_newest_backup(qtbot, seeded, monkeypatch):
    backup = store_backup.make_backup(seeded.db.path)
    seeded.db.close()
    path = seeded.db.path
    data = bytearray(path.read_bytes())
    for page in range(1, len(data) // 4096):
        data[page * 4096 : page * 4096 + 64] = b"\xa5" * 64
    path.write_bytes(bytes(data))
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda *args, **kw: asked.append(args[2]) or QMessageBox.StandardButton.Yes,
    )
    monkeypatch.setattr(QMessageBox, "information", lambda *args, **kw: None)
    monkeypatch.setattr(QApplication, "exec", lambda *args: 0)
    assert app_module.run(path) == 0
    assert "damaged" in asked[0] and "Restore the newest good backup" in asked[0]
    assert titles(path) == ["ICS partnership board"]
    assert backup.exists()
    assert [p for p in path.parent.iterdir() if ".damaged-" in p.name]


def test_second_window_on_the_same_database_gets_a_clear_message(qtbot, db_path, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args, **kw: shown.append(args[2]))
    with DatabaseLock(db_path):
        assert app_module.run(db_path) == 1
    assert "already open in another stpdesk window" in shown[0]
