"""One database file, several stpdesk processes: the app, commands, two creators at once,
a symlinked path, and another program's SQLite file."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from stpdesk.cli import main
from stpdesk.services import entities as e
from stpdesk.store import backup as store_backup
from stpdesk.store import open_database
from stpdesk.store.identity import APPLICATION_ID
from stpdesk.store.lock import DatabaseLock


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stpdesk", *args], capture_output=True, text=True, timeout=120
    )


def live_titles(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT title FROM meeting WHERE deleted_at IS NULL ORDER BY title"
        ).fetchall()
    finally:
        connection.close()
    return [row[0] for row in rows]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_meeting(db, title: str) -> str:
    return e.meetings.create(db, {"title": title, "starts_at": "1/12/2026 10:00"}).id


# --- 1. the app and the command line on one file ----------------------------------------


@pytest.mark.slow
def test_the_app_and_the_command_line_on_one_file_lose_no_save(qtbot, db_path):
    """Qt's file dialog on the database's folder, and a plain open and close of the file,
    drop the app's SQLite locks; a command run meanwhile must not take the file from under
    the app. It either sees exactly what the app committed or refuses plainly."""
    from PySide6.QtWidgets import QFileDialog, QFileSystemModel

    from stpdesk.ui.app import open_main_window

    open_database(db_path).close()
    window = open_main_window(db_path)
    assert window is not None
    qtbot.addWidget(window)
    window.show()
    db = window.db
    add_meeting(db, "Saved in the app 1")
    second_id = add_meeting(db, "Saved in the app 2")
    e.meetings.delete(db, second_id)

    dialog = QFileDialog(window, "Choose a file", str(db_path.parent))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    model = dialog.findChild(QFileSystemModel)
    with qtbot.waitSignal(model.directoryLoaded, timeout=10_000):
        dialog.show()
    os.close(os.open(db_path, os.O_RDONLY))  # what the dialog and any file reader do

    def listed() -> subprocess.CompletedProcess[str]:
        return run_cli("list", "meetings", "--json", "--db", str(db_path))

    def refused_plainly(done: subprocess.CompletedProcess[str]) -> bool:
        assert "Traceback" not in done.stderr
        if done.returncode == 0:
            return False
        assert "open in the stpdesk app" in done.stderr and "Nothing was changed" in done.stderr
        return True

    first = listed()  # a reader that ends: with the app's locks gone it may take the log
    add_meeting(db, "Saved in the app 3")
    second = listed()  # ...and then not see what the app saved next
    for done, committed in (
        (first, ["Saved in the app 1"]),
        (second, ["Saved in the app 1", "Saved in the app 3"]),
    ):
        if not refused_plainly(done):
            assert sorted(row["title"] for row in json.loads(done.stdout)) == committed
    restoring = run_cli("deleted", "--restore", second_id, "--db", str(db_path))
    restored = not refused_plainly(restoring)
    add_meeting(db, "Saved in the app 4")
    dialog.close()
    window.close()
    window.ops.shutdown()
    db.close()

    expected = ["Saved in the app 1", "Saved in the app 3", "Saved in the app 4"]
    if restored:
        expected.insert(1, "Saved in the app 2")
    assert live_titles(db_path) == expected
    assert main(["check", "--db", str(db_path)]) == 0


def test_a_command_is_refused_plainly_while_the_app_has_the_file(db_path, capsys):
    db = open_database(db_path)
    add_meeting(db, "Kept")
    db.close()
    before = digest(db_path)
    with DatabaseLock(db_path):  # as the app holds it
        for argv in (
            ["list", "meetings"],
            ["check"],
            ["backup"],
            ["deleted", "--empty", "--yes"],
            ["demo"],
        ):
            assert main([*argv, "--db", str(db_path)]) == 1
            err = capsys.readouterr().err
            assert "is open in the stpdesk app" in err and "Nothing was changed" in err
    assert digest(db_path) == before
    assert store_backup.list_backups(db_path) == []


def test_a_symlinked_path_is_the_same_file_to_the_lock(db_path, tmp_path, capsys):
    """A symlink to the database must not get round the app's lock: restore through one
    replaced a database another process held."""
    db = open_database(db_path)
    add_meeting(db, "Held by the app")
    backup = store_backup.make_backup(db_path)
    add_meeting(db, "After the backup")
    db.close()
    link = tmp_path / "elsewhere" / "link.sqlite"
    link.parent.mkdir()
    link.symlink_to(db_path)
    before = digest(db_path)
    with DatabaseLock(db_path):
        assert main(["restore", str(backup), "--yes", "--db", str(link)]) == 1
        assert "open in the stpdesk app" in capsys.readouterr().err
        assert main(["list", "meetings", "--db", str(link)]) == 1
    assert digest(db_path) == before and link.is_symlink()
    assert live_titles(db_path) == ["After the backup", "Held by the app"]
    # with the app closed, a restore through the link replaces the real file's content
    assert main(["restore", str(backup), "--yes", "--db", str(link)]) == 0
    assert link.is_symlink() and live_titles(db_path) == ["Held by the app"]


# --- 3. another program's SQLite file -------------------------------------------------


def _foreign_file(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);"
        "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('Bakewell tart');"
    )
    connection.commit()
    connection.close()


def test_another_programs_sqlite_file_is_never_written_to(db_path, tmp_path, capsys):
    _foreign_file(db_path)
    before = digest(db_path)
    dump = tmp_path / "dump.json"
    source = tmp_path / "source.sqlite"
    with open_database(source) as db:
        add_meeting(db, "From elsewhere")
        from stpdesk.services import exports

        exports.write_json(db, dump)
    for argv in (["list", "meetings"], ["demo"], ["import", "json", str(dump)], ["check"]):
        assert main([*argv, "--db", str(db_path)]) == 2, argv
        err = capsys.readouterr().err
        assert "not an stpdesk database" in err and "Traceback" not in err
    assert digest(db_path) == before
    assert not Path(f"{db_path}-wal").exists()


def test_new_files_are_marked_as_stpdesks_and_older_ones_are_marked_on_opening(db_path):
    open_database(db_path).close()
    connection = sqlite3.connect(db_path)
    assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    connection.execute("PRAGMA application_id = 0")  # as files made before the mark
    connection.commit()
    connection.close()
    open_database(db_path).close()  # a whole, known schema: stpdesk's, marked now
    connection = sqlite3.connect(db_path)
    assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    connection.close()


def test_a_file_marked_by_another_program_is_refused(db_path, capsys):
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA application_id = 1234")
    connection.execute("CREATE TABLE notes (text TEXT)")
    connection.commit()
    connection.close()
    before = digest(db_path)
    assert main(["list", "meetings", "--db", str(db_path)]) == 2
    assert "another program's" in capsys.readouterr().err
    assert digest(db_path) == before


# --- 4. two processes creating one new database ------------------------------------------


@pytest.mark.slow
def test_two_processes_creating_one_new_database_at_once(tmp_path):
    path = tmp_path / "new" / "council.sqlite"
    command = [sys.executable, "-m", "stpdesk", "demo", "--db", str(path)]
    both = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in both]
    for _code, _out, err in results:
        assert "Traceback" not in err
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 2], results  # one fills it; the other waits, then finds it filled
    loser = next(err for code, _, err in results if code == 2)
    assert "already" in loser
    assert main(["check", "--db", str(path)]) == 0
    assert main(["list", "meetings", "--db", str(path)]) == 0
