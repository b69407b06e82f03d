"""Start-up: the first window needs no heavy library, the dashboard's counts stay true,
and a database found damaged behind the window is never written and offers its backup."""

from __future__ import annotations

import importlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from stpdesk.model.enums import AskStatus, CommitmentStatus
from stpdesk.services import dashboard, recycle
from stpdesk.services import entities as e
from stpdesk.store import DatabaseDamaged, open_database
from stpdesk.store import backup as store_backup

HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "alembic", "reportlab", "jinja2", "docx")
# what the dashboard shows below the fold, made once the window is on screen
BELOW_THE_FOLD = ("stpdesk.ui.promises_view", "stpdesk.services.promises")


def test_the_first_window_imports_no_heavy_library():
    code = (
        "import sys; import stpdesk.ui.app; "
        f"print(sorted(m for m in {HEAVY + BELOW_THE_FOLD!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


LAUNCH = r"""
import sys
import stpdesk.cli
from stpdesk.ui import launch_report

heavy = sys.argv[1].split(",")
report_filled = launch_report.LaunchReport._done

def noting_heavy_libraries(self):
    print("loaded when filled:", sorted(name for name in heavy if name in sys.modules))
    report_filled(self)

launch_report.LaunchReport._done = noting_heavy_libraries
sys.exit(stpdesk.cli.main(sys.argv[2:]))
"""


@pytest.mark.slow
def test_stpdesk_paints_its_filled_window_before_loading_a_heavy_library(seeded, tmp_path):
    """``stpdesk --db FILE`` as a user runs it, telling the start-up benchmark when its
    window is on screen (STPDESK_REPORT_READY), then quitting by itself."""
    seeded.db.close()
    report = tmp_path / "ready"
    child = subprocess.run(
        [sys.executable, "-c", LAUNCH, ",".join(HEAVY), "--db", str(seeded.db.path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "STPDESK_REPORT_READY": str(report)},
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    assert "loaded when filled: []" in child.stdout
    marks = dict(line.split() for line in report.read_text(encoding="utf-8").splitlines())
    assert list(marks) == ["painted", "filled"]
    assert float(marks["painted"]) <= float(marks["filled"])


def tallies(db) -> dict[tuple[str, str, str], int]:
    """The kept counts by (entity, body, status), checked against counting the rows."""
    with db.reader() as connection:
        kept = {
            (entity, body, status, direction): live
            for entity, body, status, direction, live in connection.execute(
                "SELECT entity, body_id, status, direction, live FROM tally_by_body WHERE live != 0"
            )
        }
        counted = {}
        for table, direction in (("ask", "''"), ("commitment", "direction")):
            for body, status, way, live in connection.execute(
                f"SELECT body_id, status, {direction}, count(*) FROM {table} "
                f"WHERE deleted_at IS NULL GROUP BY body_id, status, {direction}"
            ):
                counted[(table, body, status, way)] = live
    assert kept == counted
    summed: dict[tuple[str, str, str], int] = {}
    for (entity, body, status, _way), live in kept.items():
        summed[(entity, body, status)] = summed.get((entity, body, status), 0) + live
    return summed


def test_counts_follow_every_change(seeded):
    db = seeded.db
    before = tallies(db)
    assert before[("ask", seeded.icb_id, "open")] == 1
    ask = e.asks.create(
        db, {"title": "Funding for Disabled Facilities Grants", "body_id": seeded.icb_id}
    )
    assert tallies(db)[("ask", seeded.icb_id, "open")] == 2
    e.asks.update(db, ask.id, {"status": AskStatus.accepted})
    assert tallies(db)[("ask", seeded.icb_id, "accepted")] == 1
    e.asks.update(db, ask.id, {"body_id": seeded.trust_id})
    assert ("ask", seeded.icb_id, "accepted") not in tallies(db)
    e.asks.delete(db, ask.id)
    assert ("ask", seeded.trust_id, "accepted") not in tallies(db)
    recycle.restore(db, ask.id)
    assert tallies(db)[("ask", seeded.trust_id, "accepted")] == 1
    e.commitments.update(db, seeded.commitment_ids[0], {"status": CommitmentStatus.done})
    e.commitments.update(db, seeded.commitment_ids[1], {"direction": "by_us"})
    e.asks.delete(db, ask.id)
    recycle.empty(db)  # removed for good
    assert tallies(db) == {
        **{k: v for k, v in before.items() if k[0] == "ask"},
        **{k: v for k, v in tallies(db).items() if k[0] == "commitment"},
    }
    summary = dashboard.engagement_summary(db, seeded.footprint_id)
    assert (summary.asks_made, summary.commitments_kept) == (2, 1)


def damage_an_index(path: Path) -> bytes:
    """Garble one page of an index: the schema still reads, only the full check sees it."""
    connection = sqlite3.connect(path)
    page = connection.execute(
        "SELECT pageno FROM dbstat WHERE name = 'ix_meeting_live_order' LIMIT 1"
    ).fetchone()[0]
    size = connection.execute("PRAGMA page_size").fetchone()[0]
    connection.close()
    data = bytearray(path.read_bytes())
    start = (page - 1) * size
    data[start : start + size] = b"\xa5" * size
    path.write_bytes(bytes(data))
    return bytes(data)


@pytest.fixture
def damaged(seeded) -> tuple[Path, Path]:
    """A seeded database with a good backup, then damaged where only the full check looks."""
    good = store_backup.make_backup(seeded.db.path)
    seeded.db.close()
    damage_an_index(seeded.db.path)
    return seeded.db.path, good


def saves_are_refused_behind_the_window(path: Path, problem: str) -> None:
    """Opened as the window opens it (checks behind it), the file takes no save and is
    left byte for byte as it was."""
    before = path.read_bytes()
    db = open_database(path, defer_checks=True)  # returns before the checks have finished
    try:
        with pytest.raises(DatabaseDamaged, match=problem):
            e.meetings.create(db, {"title": "Not saved", "starts_at": "1/12/2026 10:00"})
    finally:
        db.close()
    assert path.read_bytes() == before


def test_saves_wait_for_the_check_and_a_damaged_file_is_never_written(damaged):
    path, _good = damaged
    saves_are_refused_behind_the_window(path, "damaged")


def test_damage_found_behind_the_window_offers_the_backup(qtbot, damaged, monkeypatch):
    from stpdesk.ui.app import open_main_window

    path, good = damaged
    asked = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda *args, **kwargs: asked.append(args[2]) or QMessageBox.StandardButton.Yes,
    )
    monkeypatch.setattr(QMessageBox, "information", lambda *args, **kwargs: None)
    window = open_main_window(path)
    assert window is not None  # the window opens; the check runs behind it
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.reopen_requested, timeout=20_000):
        window.show()
    assert "damaged" in asked[0] and "Restore the newest good backup" in asked[0]
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        titles = [row[0] for row in connection.execute("SELECT title FROM meeting")]
    connection.close()
    assert titles == ["ICS partnership board"]
    assert good.exists()


def test_a_half_made_file_opened_for_the_window_is_refused_behind_it_and_never_written(seeded):
    """The window leaves comparing the file's tables, indexes and triggers with its
    revision to the check behind it; saves wait for that check as for the integrity one."""
    path = seeded.db.path
    seeded.db.close()
    with sqlite3.connect(path) as connection:
        connection.execute("DROP INDEX ix_meeting_deleted")
    connection.close()
    saves_are_refused_behind_the_window(path, "the index ix_meeting_deleted is missing")
    with pytest.raises(DatabaseDamaged, match="not a complete stpdesk database"):
        open_database(path)  # a command is refused at once, as before


def test_the_routine_backup_is_taken_behind_the_window(seeded):
    path = seeded.db.path
    seeded.db.close()
    assert store_backup.list_backups(path) == []
    db = open_database(path, defer_checks=True)
    db.start_checks()
    db.wait_for_checks()
    assert store_backup.list_backups(path) == []  # not until the window has been idle
    db.start_routine_backup()
    db.wait_for_background_work()
    db.close()
    (taken,) = store_backup.list_backups(path)
    assert taken.name.endswith("-daily.sqlite") and db.backup_warning is None


def test_a_window_closed_at_once_leaves_the_routine_backup_for_next_time(seeded):
    path = seeded.db.path
    seeded.db.close()
    db = open_database(path, defer_checks=True)
    db.start_checks()
    db.wait_for_checks()
    db.close()  # before the first idle minute: no copy begun, none abandoned
    assert store_backup.list_backups(path) == []
    db = open_database(path, defer_checks=True)
    db.start_routine_backup()
    db.wait_for_background_work()
    db.close()
    assert [p.name.endswith("-daily.sqlite") for p in store_backup.list_backups(path)] == [True]


def test_the_window_takes_the_routine_backup_after_its_first_idle_minute(
    qtbot, seeded, monkeypatch
):
    from conftest import open_window

    from stpdesk.store.engine import Database
    from stpdesk.ui import maintenance
    from stpdesk.ui.app import open_for_gui

    path = seeded.db.path
    seeded.db.close()
    waited: list[int] = []
    real_start = maintenance.QTimer.start

    def start(timer, *interval):  # noqa: ANN001, ANN202  (the minute, not waited for)
        if interval == (maintenance.BACKUP_AFTER_MS,):
            waited.append(interval[0])
            interval = (0,)
        return real_start(timer, *interval)

    monkeypatch.setattr(maintenance.QTimer, "start", start)
    db: Database = open_for_gui(path, demo=False)
    window = open_window(qtbot, db)
    qtbot.waitUntil(db.routine_backup_started, timeout=10_000)
    assert waited == [60_000]  # begun after a minute's wait, not as the window opened
    qtbot.waitUntil(lambda: "Last backup" in window.backup_label.text(), timeout=20_000)
    assert [p.name.endswith("-daily.sqlite") for p in store_backup.list_backups(path)] == [True]
    window.ops.shutdown()
    window.close()
    db.close()


def test_closing_abandons_a_backup_under_way(seeded, tmp_path):
    target = tmp_path / "copy.sqlite"
    with pytest.raises(store_backup.BackupStopped):
        store_backup.backup_to(seeded.db.path, target, stop=lambda: True)
    assert not target.exists() and not list(tmp_path.glob("*copy.sqlite*"))  # nor a partial


FIRST_CLICK = r"""
import sys
from pathlib import Path
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from stpdesk.ui.app import open_main_window
window = open_main_window(Path(sys.argv[1]))
loop = QEventLoop()
window.dashboard.loaded.connect(loop.quit)
QTimer.singleShot(30000, loop.quit)
window.show()
loop.exec()
# The worker starts importing SQLAlchemy now; the list reads its rows after that, there.
window.actions[__import__("stpdesk.ui.actions").ui.actions.ActionId.GO_MEETINGS].trigger()
model = window.lists["meetings"].model
if model.loading:
    loop = QEventLoop()
    model.loaded.connect(loop.quit)
    QTimer.singleShot(30000, loop.quit)
    loop.exec()
print("rows", model.rowCount())
window.ops.shutdown()
window.db.close()
import gc
del window
gc.collect()
"""


def test_a_list_opened_while_the_libraries_load_shows_its_rows(seeded):
    seeded.db.close()
    child = subprocess.run(
        [sys.executable, "-c", FIRST_CLICK, str(seeded.db.path)],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    assert "rows 1" in child.stdout
    assert "Error" not in child.stderr and "Traceback" not in child.stderr


def test_pysides_import_hook_never_probes_a_modules_attributes(tmp_path, monkeypatch):
    """Pydantic answers such a probe by importing its own half-imported modules."""
    (tmp_path / "touchy.py").write_text(
        "probed = []\n\ndef __getattr__(name):\n    probed.append(name)\n    raise AttributeError(name)\n",
        encoding="utf-8",
    )
    (tmp_path / "uses_qt.py").write_text("import PySide6.QtCore  # noqa\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("stpdesk.ui")  # adjusts PySide's hook
    touchy = importlib.import_module("touchy")
    uses_qt = importlib.import_module("uses_qt")
    feature = sys.modules["shibokensupport.feature"]
    assert feature._mod_uses_pyside(uses_qt) is True  # PySide's switches still apply to it
    assert feature._mod_uses_pyside(touchy) is False
    assert touchy.probed == []
