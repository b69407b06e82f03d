"""Saves only add to the full-text indexes; merging their segments waits for idle time
(issue 22), and the indexes find exactly the same records before and after."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import days, open_window

from stpdesk.services import entities as e
from stpdesk.services import queries
from stpdesk.store import Database, open_database
from stpdesk.store import index_merging as merging

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def segments(db: Database, table: str = "search_fts") -> int:
    with sqlite3.connect(db.path) as connection:
        found = connection.execute(f"SELECT count(DISTINCT segid) FROM {table}_idx").fetchone()
    connection.close()
    return found[0]


def save_meetings(db: Database, count: int) -> None:
    for number in range(count):  # one transaction each, as a councillor saves them
        e.meetings.create(
            db,
            {
                "title": f"Idle merge board {number}",
                "starts_at": f"{days(number % 20)} 10:00",
                "location": f"Room {number}",
            },
        )


def found(db: Database) -> tuple[list[str], list[str], int]:
    hits = queries.search(db, "idle merge", limit=100)
    listed = e.meetings.page(db, text="merge board", limit=100)
    return sorted(hit.ref for hit in hits), sorted(row.id for row in listed.rows), listed.total


def integrity_ok(db: Database) -> None:
    with sqlite3.connect(db.path) as connection:
        for table in merging.fts_tables(connection):
            connection.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
    connection.close()


def test_saves_leave_merging_for_later_and_the_indexes_stay_exact(db: Database) -> None:
    before = segments(db)
    save_meetings(db, 24)
    # FTS5 on its own would have merged these as it went (four at a level at most)
    assert segments(db) >= before + 24
    assert segments(db, "filter_meeting") >= 24
    wanted = found(db)
    assert len(wanted[0]) == len(wanted[1]) == wanted[2] == 24
    connection = sqlite3.connect(db.path, isolation_level=None)
    steps = 0
    while merging.merge_step(connection):
        steps += 1
    connection.close()
    assert steps > 0
    assert segments(db) < 8 and segments(db, "filter_meeting") < 8
    assert found(db) == wanted
    integrity_ok(db)


def test_the_setting_is_kept_in_the_file_and_written_once(db_path) -> None:
    open_database(db_path).close()
    assert not merging.merge_outside_writes(db_path)  # set when the file was made
    with sqlite3.connect(db_path) as connection:
        for table in merging.fts_tables(connection):
            settings = dict(connection.execute(f"SELECT k, v FROM {table}_config"))
            assert settings["automerge"] == merging.AUTOMERGE
            assert settings["crisismerge"] == merging.CRISIS_MERGE
            connection.execute(f"INSERT INTO {table}({table}, rank) VALUES ('automerge', 4)")
    connection.close()
    db = open_database(db_path)  # an older file (or a restored backup) gets it on opening
    db.close()
    assert not merging.merge_outside_writes(db_path)


def test_the_window_merges_when_idle_after_a_change(qtbot, db: Database, monkeypatch) -> None:
    from stpdesk.ui import maintenance

    monkeypatch.setattr(maintenance, "MERGE_AFTER_MS", 0)
    window = open_window(qtbot, db)
    # what creating the file left is merged first
    qtbot.waitUntil(
        lambda: window.upkeep is not None and not window.upkeep.merge_pending, timeout=10_000
    )
    save_meetings(db, 12)
    grown = segments(db)
    wanted = found(db)
    with qtbot.waitSignal(window.upkeep.merged, timeout=10_000):
        window.ops.notify({"meetings"})  # as a save through the window says
    assert segments(db) < grown
    assert found(db) == wanted
    window.ops.shutdown()


def test_misleading_statistics_about_the_indexes_storage_are_dropped(db_path) -> None:
    """ANALYZE on a new, empty file (migration 0005) left SQLite believing search_fts_data
    holds 2 rows, so FTS5's deletions after a merge read the whole table."""
    plan_sql = "EXPLAIN QUERY PLAN DELETE FROM search_fts_data WHERE id >= ? AND id <= ?"

    def plan() -> str:
        with sqlite3.connect(db_path) as connection:
            found = " ".join(row[3] for row in connection.execute(plan_sql, (1, 2)))
        connection.close()
        return found

    open_database(db_path).close()
    assert "INTEGER PRIMARY KEY" in plan()
    with sqlite3.connect(db_path) as connection:  # as a file made before issue 22 has it
        connection.execute("INSERT INTO sqlite_stat1 VALUES ('search_fts_data', NULL, '2')")
    connection.close()
    assert plan().startswith("SCAN")
    open_database(db_path).close()
    assert "INTEGER PRIMARY KEY" in plan()


def test_the_windows_saves_leave_the_log_for_idle_time(qtbot, db_path, monkeypatch) -> None:
    from stpdesk.store.lock import APP
    from stpdesk.ui import maintenance

    monkeypatch.setattr(maintenance, "MERGE_AFTER_MS", 0)
    db = open_database(db_path, role=APP)
    window = open_window(qtbot, db)
    qtbot.waitUntil(
        lambda: window.upkeep is not None and not window.upkeep.merge_pending, timeout=10_000
    )
    before = db_path.stat().st_mtime_ns
    save_meetings(db, 60)  # over 1,000 pages: a command's saves would copy them back
    assert db_path.stat().st_mtime_ns == before  # all still in the log
    with qtbot.waitSignal(window.upkeep.merged, timeout=10_000):
        window.ops.notify({"meetings"})
    assert db_path.stat().st_mtime_ns > before  # copied back at idle
    assert len(found(db)[0]) == 60
    window.ops.shutdown()
    db.close()
