"""Backups, rotation, restore, the single-window lock and saves that fail safely."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from stpdesk.cli import main
from stpdesk.services import entities as e
from stpdesk.services import queries, recycle, safety
from stpdesk.store import DatabaseDamaged, WriteFailed, open_database
from stpdesk.store import backup as store_backup
from stpdesk.store.engine import make_engine
from stpdesk.store.lock import AlreadyOpen, DatabaseLock
from stpdesk.store.migrate import upgrade

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def meeting_titles(path) -> list[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT title FROM meeting WHERE deleted_at IS NULL ORDER BY title"
        ).fetchall()
    connection.close()
    return [row[0] for row in rows]


def add_meeting(db, title: str) -> str:
    return e.meetings.create(db, {"title": title, "starts_at": "1/12/2026 10:00"}).id


# --- backups -------------------------------------------------------------------


def test_backup_is_consistent_private_and_counted(seeded):
    info = safety.back_up(seeded.db.path)
    assert info.ok and info.counts["meeting"] == 1 and info.counts["ask"] == 2
    assert stat.S_IMODE(info.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(info.path.parent.stat().st_mode) == 0o700
    assert info.path.parent == seeded.db.path.parent / "backups"


def test_backup_while_a_write_is_in_progress_holds_only_committed_data(seeded):
    writer = sqlite3.connect(seeded.db.path)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO meeting (id, created_at, updated_at, title, starts_at, kind) "
        "VALUES ('uncommitted', '2026-01-01', '2026-01-01', 'Half-way', '2026-01-01', 'other')"
    )
    info = safety.back_up(seeded.db.path)
    writer.rollback()
    writer.close()
    assert info.ok
    assert meeting_titles(info.path) == ["ICS partnership board"]


def test_routine_backup_on_open_only_when_the_newest_is_a_day_old(db_path):
    open_database(db_path).close()  # a brand-new file has nothing to back up
    assert store_backup.list_backups(db_path) == []
    open_database(db_path).close()
    assert len(store_backup.list_backups(db_path)) == 1
    open_database(db_path).close()
    assert len(store_backup.list_backups(db_path)) == 1
    old = store_backup.list_backups(db_path)[0]
    stale = old.with_name(
        old.name.replace(
            old.name.split("-")[1], (NOW - timedelta(days=400)).strftime("%Y%m%dT%H%M%S%fZ")
        )
    )
    os.replace(old, stale)
    open_database(db_path).close()
    assert len(store_backup.list_backups(db_path)) == 2


def test_rotation_keeps_last_ten_and_one_a_day_for_fourteen_days(db):
    made = []
    for hours in range(0, 24 * 30, 8):  # three a day for thirty days
        made.append(store_backup.make_backup(db.path, "daily", when=NOW - timedelta(hours=hours)))
    removed = store_backup.rotate(db.path, keep_last=10, keep_daily_days=14, now=NOW)
    kept = store_backup.list_backups(db.path)
    assert set(kept) | set(removed) == set(made)
    assert kept[:10] == made[:10]
    kept_days = {store_backup.backup_time(p).date() for p in kept}
    assert kept_days == {(NOW - timedelta(days=d)).date() for d in range(14)}
    assert len(kept) == 10 + (14 - 4)  # the newest ten already cover four days


# --- restore -------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["manual", "daily", "before-restore"])
def test_restore_each_kind_of_backup(seeded, reason):
    backup = store_backup.make_backup(seeded.db.path, reason)
    add_meeting(seeded.db, "Added after the backup")
    seeded.db.close()
    result = safety.restore(seeded.db.path, backup)
    assert meeting_titles(seeded.db.path) == ["ICS partnership board"]
    assert result.safety_backup is not None
    assert "Added after the backup" in meeting_titles(result.safety_backup)
    reopened = open_database(seeded.db.path)
    assert [m.title for m in e.meetings.page(reopened).rows] == ["ICS partnership board"]
    reopened.close()


def test_restore_older_schema_backup_is_upgraded(db_path, tmp_path):
    old = tmp_path / "old.sqlite"
    engine = make_engine(old)
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO meeting (id, created_at, updated_at, title, starts_at, kind) "
            "VALUES ('m1', '2024-01-01', '2024-01-01', 'Old STP board', '2024-01-01 10:00:00', 'stp_board')"
        )
    engine.dispose()
    open_database(db_path).close()
    safety.restore(db_path, old)
    db = open_database(db_path)
    assert [hit.title for hit in queries.search(db, "STP board")] == ["Old STP board"]
    db.close()


def test_restore_over_a_damaged_database_keeps_the_damaged_file(seeded):
    backup = store_backup.make_backup(seeded.db.path)
    seeded.db.close()
    path = seeded.db.path
    data = bytearray(path.read_bytes())
    for page in range(1, len(data) // 4096):
        data[page * 4096 : page * 4096 + 64] = b"\xa5" * 64
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseDamaged, match=backup.name):
        open_database(path)
    assert path.read_bytes() == bytes(data)  # never written to
    result = safety.restore(path, backup)
    assert result.set_aside is not None and result.set_aside.read_bytes() == bytes(data)
    assert meeting_titles(path) == ["ICS partnership board"]


@pytest.mark.parametrize("kind", ["garbage", "newer", "damaged"])
def test_unusable_backup_is_refused_and_nothing_changes(seeded, tmp_path, capsys, kind):
    bad = tmp_path / "bad.sqlite"
    if kind == "garbage":
        bad.write_text("not a backup" * 100)
    else:
        store_backup.backup_to(seeded.db.path, bad)
        with sqlite3.connect(bad) as connection:
            if kind == "newer":
                connection.execute("UPDATE alembic_version SET version_num = '9999'")
        connection.close()
        if kind == "damaged":
            data = bytearray(bad.read_bytes())
            for page in range(1, len(data) // 4096):
                data[page * 4096 : page * 4096 + 64] = b"\xa5" * 64
            bad.write_bytes(bytes(data))
    seeded.db.close()
    before = seeded.db.path.read_bytes()
    code = main(["restore", str(bad), "--yes", "--db", str(seeded.db.path)])
    err = capsys.readouterr().err
    assert code == 2 and "cannot be restored" in err and "nothing was changed" in err
    assert seeded.db.path.read_bytes() == before
    assert store_backup.list_backups(seeded.db.path) == []


def test_cli_backup_backups_restore(seeded, capsys, tmp_path):
    path = str(seeded.db.path)
    seeded.db.close()
    target = tmp_path / "copy.sqlite"
    assert main(["backup", "-o", str(target), "--db", path]) == 0
    assert "1 meeting, 2 asks, 2 commitments" in capsys.readouterr().out
    assert main(["backup", "--db", path]) == 0
    capsys.readouterr()
    assert main(["backups", "--db", path]) == 0
    listing = capsys.readouterr().out
    assert "1 meeting, 2 asks" in listing and "manual" in listing
    assert main(["restore", str(target), "--db", path]) == 2  # no terminal to confirm on
    assert "add --yes" in capsys.readouterr().err
    assert main(["restore", str(target), "--yes", "--db", path]) == 0
    assert "The database as it was is kept in" in capsys.readouterr().out


# --- one window per database ---------------------------------------------------


def test_second_window_gets_a_clear_message(db_path):
    with (
        DatabaseLock(db_path),
        pytest.raises(AlreadyOpen, match="already open in another stpdesk window"),
    ):
        DatabaseLock(db_path).acquire()
    DatabaseLock(db_path).acquire()  # free again once released


def test_lock_of_a_killed_process_is_released(db_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from stpdesk.store.lock import DatabaseLock;"
            f" DatabaseLock(Path({str(db_path)!r})).acquire(); print('locked', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    with pytest.raises(AlreadyOpen):
        DatabaseLock(db_path).acquire()
    holder.kill()
    holder.communicate()
    DatabaseLock(db_path).acquire()


def test_restore_refuses_while_the_app_has_the_database_open(seeded):
    backup = store_backup.make_backup(seeded.db.path)
    seeded.db.close()  # the test's own use of the file ends; "the app" takes it
    with (
        DatabaseLock(seeded.db.path),
        pytest.raises(AlreadyOpen, match="open in the stpdesk app"),
    ):
        safety.restore(seeded.db.path, backup)


# --- saves that fail -----------------------------------------------------------


def _inject(db, pragma: str) -> None:
    """Every new connection gets the fault; existing ones are dropped."""
    event.listen(db.engine, "connect", lambda connection, _: connection.execute(pragma))
    db.engine.dispose()


def test_disk_full_save_fails_plainly_and_changes_nothing(seeded):
    with sqlite3.connect(seeded.db.path) as connection:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.close()
    _inject(seeded.db, f"PRAGMA max_page_count = {pages}")  # SQLITE_FULL, as on a full disk
    with pytest.raises(WriteFailed, match="The disk is full, so nothing was saved"):
        e.record_meeting(
            seeded.db,
            {"title": "Long meeting", "starts_at": "1/12/2026", "notes": "Minutes. " * 100_000},
            asks_made=[{"title": "Seat", "body_id": seeded.icb_id}],
        )
    assert meeting_titles(seeded.db.path) == ["ICS partnership board"]


def test_read_only_database_save_fails_plainly(seeded):
    _inject(seeded.db, "PRAGMA query_only = ON")  # the same refusal SQLite gives a read-only file
    with pytest.raises(WriteFailed, match="read-only, so nothing was saved"):
        add_meeting(seeded.db, "Will not be saved")
    assert meeting_titles(seeded.db.path) == ["ICS partnership board"]


def test_file_removed_while_open_save_fails_plainly(seeded, tmp_path):
    keep = tmp_path / "still-there.sqlite"
    with seeded.db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    os.link(seeded.db.path, keep)  # a second name, to read what the lost file holds
    os.unlink(seeded.db.path)
    with pytest.raises(WriteFailed, match="no longer there"):
        add_meeting(seeded.db, "Written to a vanished file")
    seeded.db.close()
    assert meeting_titles(keep) == ["ICS partnership board"]


def test_save_when_another_window_holds_the_write_lock_fails_plainly(seeded, monkeypatch):
    monkeypatch.setattr("stpdesk.store.engine.BUSY_TIMEOUT_MS", 200)
    blocker = sqlite3.connect(seeded.db.path)
    blocker.execute("BEGIN IMMEDIATE")
    _inject(seeded.db, "PRAGMA busy_timeout = 200")
    try:
        with pytest.raises(WriteFailed, match="busy in another stpdesk window"):
            add_meeting(seeded.db, "Blocked")
    finally:
        blocker.rollback()
        blocker.close()
    assert meeting_titles(seeded.db.path) == ["ICS partnership board"]


# --- recently deleted ----------------------------------------------------------


def test_recently_deleted_restore_and_empty(seeded, capsys):
    e.asks.delete(seeded.db, seeded.ask_ids[0])
    e.meetings.delete(seeded.db, seeded.meeting_id)
    listed = recycle.recently_deleted(seeded.db)
    assert [(r.kind, r.id) for r in listed] == [
        ("meetings", seeded.meeting_id),
        ("asks", seeded.ask_ids[0]),
    ]
    recycle.restore(seeded.db, seeded.meeting_id)
    assert e.meetings.get(seeded.db, seeded.meeting_id)
    assert recycle.empty(seeded.db) == 1
    assert recycle.recently_deleted(seeded.db) == []
    last = queries.audit_trail(seeded.db, seeded.ask_ids[0])[-1]
    assert (
        last.summary.startswith("Removed for good")
        and last.before["title"] == "A seat on the ICS board"
    )
    path = str(seeded.db.path)
    assert main(["deleted", "--empty", "--db", path]) == 2
    assert "add --yes" in capsys.readouterr().err


# --- the same faults on a real, small filesystem (where this machine lets us mount one) ---


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs; skipped where mounting is not allowed (not root, or in a jail)."""
    mount_point = tmp_path / "usb"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3M", "tmpfs", str(mount_point)],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small filesystem here")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_real_full_disk(small_disk):
    db = open_database(small_disk / "council.sqlite")
    add_meeting(db, "Before the disk filled")
    filler = small_disk / "filler"
    # unbuffered: a partly written last chunk must not be flushed again (and fail) on close
    with filler.open("wb", buffering=0) as handle:  # take every free byte
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError:
            pass
    with pytest.raises(WriteFailed, match="The disk is full, so nothing was saved"):
        e.meetings.create(
            db, {"title": "Too much", "starts_at": "1/12/2026", "notes": "x" * 500_000}
        )
    filler.unlink()
    db.close()
    assert meeting_titles(small_disk / "council.sqlite") == ["Before the disk filled"]


def test_real_read_only_filesystem(small_disk):
    db = open_database(small_disk / "council.sqlite")
    add_meeting(db, "Saved before")
    db.engine.dispose()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        with pytest.raises(WriteFailed, match="read-only, so nothing was saved"):
            add_meeting(db, "Not saved")
    finally:
        db.close()
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert meeting_titles(small_disk / "council.sqlite") == ["Saved before"]
