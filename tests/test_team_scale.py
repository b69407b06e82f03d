"""The team database under load and faults: twenty laptops syncing at once, a laptop
killed half-way through a push, and a server that goes away in the middle of a sync."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import threading
from pathlib import Path

import psycopg
import pytest
from conftest import laptop, stpdesk_command
from team_laptops import sync_laptop
from test_team import meeting_row, server_rows

from stpdesk.model import tables as t
from stpdesk.services import entities as e
from stpdesk.services import exchange, team
from stpdesk.store import open_database
from stpdesk.store import team as server

LAPTOPS, CHANGES, SHARED = 20, 500, 10


def add_members(db, prefix: str, count: int) -> None:
    """``count`` new records in one transaction, as a busy afternoon's work."""
    with db.session() as session:
        for n in range(count):
            session.add(t.Member(name=f"{prefix} member {n}", position="Councillor"))


def member_names(db) -> set[str]:
    with db.reader() as connection:
        return {row[0] for row in connection.execute("SELECT name FROM member")}


@pytest.mark.slow
def test_twenty_laptops_syncing_at_once_lose_nothing(team_db, tmp_path):
    """Each laptop makes 500 changes (499 new records and an edit to a record shared
    with one other laptop), then all sync at once, twice: every laptop ends with every
    change, and the only conflicts are the ten records two laptops both edited."""
    first = laptop(tmp_path, "laptop-00")
    shared = [e.contacts.create(first, {"name": f"Shared contact {n}"}).id for n in range(SHARED)]
    team.join(first, team_db.as_user("alice"))
    first.close()
    paths = [tmp_path / f"laptop-{n:02d}.sqlite" for n in range(LAPTOPS)]
    for number, path in enumerate(paths):
        db = open_database(path)
        if number:  # a new laptop: its database is made from the team's records
            team.join(db, team_db.as_user("alice" if number % 2 else "bob"), fresh=True)
        add_members(db, f"L{number:02d}", CHANGES - 1)
        e.contacts.update(db, shared[number // 2], {"role": f"Edited on laptop {number}"})
        assert team.status(db).waiting == CHANGES
        db.close()

    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        rounds = [pool.map(sync_laptop, [str(p) for p in paths], chunksize=1) for _ in range(2)]

    assert sum(moved["pushed"] for moved in rounds[0]) == LAPTOPS * CHANGES - SHARED
    assert sum(moved["pushed"] for moved in rounds[1]) == 0
    expected = {f"L{n:02d} member {m}" for n in range(LAPTOPS) for m in range(CHANGES - 1)}
    conflicts = []
    for path in paths:
        db = open_database(path, routine_backup=False)
        assert member_names(db) == expected
        assert team.status(db).waiting == 0
        conflicts += [(c.record_id, path) for c in exchange.conflicts(db)]
        db.close()
    # one conflict per shared record, on whichever of its two laptops pushed second
    assert sorted(record_id for record_id, _ in conflicts) == sorted(shared)
    rows = server_rows(team_db)
    assert sum(1 for key in rows if key[0] == "member") == len(expected)


def test_pushes_at_once_never_overwrite_a_version_they_had_not_seen(team_db, tmp_path):
    """Six laptops change the same meeting and push at the same moment: one version wins
    on the server, each other laptop keeps its own beside the winner as a conflict."""
    dbs = [laptop(tmp_path, f"l{n}") for n in range(6)]
    meeting = e.meetings.create(dbs[0], {"title": "Board", "starts_at": "2026-11-02 10:00"})
    for db in dbs:
        team.join(db, team_db.as_user("alice"))
    for n, db in enumerate(dbs):
        e.meetings.update(db, meeting.id, {"title": f"Board, as laptop {n} has it"})
    start = threading.Barrier(len(dbs))
    results: dict[int, team.SyncResult] = {}

    def push(n: int) -> None:
        start.wait()
        results[n] = team.sync(dbs[n])

    threads = [threading.Thread(target=push, args=(n,)) for n in range(len(dbs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result.pushed for result in results.values()) == [0, 0, 0, 0, 0, 1]
    with team_db.admin(team_db.database) as connection:
        title = connection.execute(
            "SELECT document->>'title' FROM stpdesk.record WHERE record_id = %s", (meeting.id,)
        ).fetchone()[0]
    winner = int(title.rsplit(" ", 3)[-3])
    for n, db in enumerate(dbs):
        kept = meeting_row(db, meeting.id).title
        assert kept == f"Board, as laptop {n} has it"  # nothing of anyone's was lost
        if n != winner:
            [conflict] = exchange.conflicts(db)
            assert ("title", kept, title) in conflict.differences
        db.close()


def test_a_write_against_a_changed_row_version_is_refused_whole(team_db, tmp_path):
    a = laptop(tmp_path, "a")
    meeting = e.meetings.create(a, {"title": "Board", "starts_at": "2026-11-02 10:00"})
    team.join(a, team_db.as_user("alice"))
    a.close()
    before = server_rows(team_db)
    url = team_db.as_user("bob")
    connection = server.connect(url)
    stale = server.Write("meeting", meeting.id, "f" * 64, [], {"id": meeting.id}, 99)
    fresh = server.Write("meeting", "new-one", "e" * 64, [], {"id": "new-one"}, None)
    with pytest.raises(server.LostRace), connection.transaction():
        server.write_records(connection, [fresh, stale], "test")
    connection.close()
    assert server_rows(team_db) == before


def _wait_for_blocked_push(team_db) -> None:
    """Until the laptop's push waits on the lock the test holds (its rows written but
    not committed)."""
    with team_db.admin(team_db.database) as watcher:
        while not watcher.execute(
            "SELECT 1 FROM pg_stat_activity WHERE application_name = 'stpdesk' "
            "AND wait_event_type = 'Lock'"
        ).fetchone():
            watcher.execute("SELECT pg_sleep(0.05)")


def _blocked_sync(
    team_db, tmp_path: Path, changes: int
) -> tuple[subprocess.Popen, psycopg.Connection, dict]:
    """A joined laptop (``a.sqlite``) with ``changes`` new records, then ``stpdesk sync``
    on it started while the test holds the laptop table, so its push stops after writing
    the records and before it can commit. Also returns the server's rows before."""
    a = laptop(tmp_path, "a")
    team.join(a, team_db.as_user("alice"))
    add_members(a, "Blocked", changes)
    a.close()
    before = server_rows(team_db)
    path = tmp_path / "a.sqlite"
    holder = team_db.admin(team_db.database)
    holder.autocommit = False
    holder.execute("LOCK TABLE stpdesk.laptop IN ACCESS EXCLUSIVE MODE")
    process = subprocess.Popen(
        stpdesk_command("sync", "--db", str(path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},
    )
    _wait_for_blocked_push(team_db)
    return process, holder, before


@pytest.mark.slow
def test_a_laptop_killed_mid_push_leaves_all_or_nothing_and_the_next_sync_finishes(
    team_db, tmp_path
):
    process, holder, before = _blocked_sync(team_db, tmp_path, 2_000)
    with team_db.admin(team_db.database) as connection:
        # its push has written the records (it holds the table for writing), uncommitted
        assert connection.execute(
            "SELECT count(*) FROM pg_locks JOIN pg_stat_activity USING (pid) "
            "WHERE application_name = 'stpdesk' AND mode = 'RowExclusiveLock' "
            "AND relation = 'stpdesk.record'::regclass"
        ).fetchone() == (1,)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    holder.rollback()
    holder.close()
    assert server_rows(team_db) == before  # none of it

    a = open_database(tmp_path / "a.sqlite", routine_backup=False)
    assert team.status(a).waiting == 2_000
    result = team.sync(a)
    assert result.pushed == 2_000 and team.status(a).waiting == 0
    a.close()
    assert sum(1 for key in server_rows(team_db) if key[0] == "member") == 2_000


@pytest.mark.slow
def test_a_server_that_goes_away_mid_sync_gives_a_plain_message_and_changes_nothing_here(
    team_db, tmp_path
):
    process, holder, _before = _blocked_sync(team_db, tmp_path, 300)
    try:
        team_db.halt()
        out, err = process.communicate(timeout=60)
    finally:
        holder.close()
        team_db.start()
    assert process.returncode == 1
    assert "could not be reached" in err and "Traceback" not in err, err
    assert "kept on this laptop" in err
    a = open_database(tmp_path / "a.sqlite", routine_backup=False)
    status = team.status(a)
    assert status.waiting == 300 and status.conflicts == 0
    assert len(member_names(a)) == 300
    # once it is back, the next sync sends everything
    assert team.sync(a).pushed == 300
    a.close()


def test_a_laptop_offline_gets_a_plain_message(tmp_path, team_db):
    a = laptop(tmp_path, "a")
    team.join(a, team_db.as_user("alice"))
    add_members(a, "Offline", 3)
    waiting = team.status(a).waiting
    gone = f"postgresql://alice@/{team_db.database}?host={tmp_path}&port=1"
    with pytest.raises(server.TeamUnreachable, match="could not be reached"):
        team.sync(a, gone)
    assert team.status(a).waiting == waiting
    a.close()
