"""Kill a writing process at random moments: nothing committed is ever lost,
nothing half-written is ever left, and the file stays sound."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stpdesk.services import entities as e

KILLS = 30
WRITER = Path(__file__).with_name("crash_writer.py")


@pytest.mark.slow
def test_sigkill_never_loses_or_tears_a_save(db):
    body = e.bodies.create(db, {"name": "NHS Kent and Medway ICB", "kind": "icb"})
    db.close()
    rng = random.Random(2016)
    reported: list[list[str]] = []
    for _ in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, str(WRITER), str(db.path), body.id],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        first = child.stdout.readline()  # wait until it is writing
        assert first, child.stderr.read()
        time.sleep(rng.uniform(0.0, 0.25))
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate()
        lines = [first, *rest.splitlines(keepends=True)]
        # only whole lines were reported after a commit; a cut-off last line was not
        reported.extend(line.split() for line in lines if line.endswith("\n"))
        _check(db.path, reported)
    assert len(reported) > KILLS
    print(f"\ncrash test: {KILLS} kills, {len(reported)} saves reported and checked, 0 failures")


def _check(path: Path, reported: list[list[str]]) -> None:
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        meetings = {row[0] for row in connection.execute("SELECT id FROM meeting")}
        asks = dict(connection.execute("SELECT id, meeting_id FROM ask").fetchall())
        commitments = dict(connection.execute("SELECT id, meeting_id FROM commitment").fetchall())
        for meeting_id, ask_a, ask_b, commitment in reported:
            assert meeting_id in meetings
            assert asks[ask_a] == asks[ask_b] == commitments[commitment] == meeting_id
        per_meeting = dict(
            connection.execute(
                "SELECT meeting_id, count(*) FROM ask GROUP BY meeting_id"
            ).fetchall()
        )
        with_commitment = {
            row[0] for row in connection.execute("SELECT meeting_id FROM commitment")
        }
        for meeting_id in meetings:  # committed but unreported saves must be whole too
            assert per_meeting.get(meeting_id) == 2 and meeting_id in with_commitment
    finally:
        connection.close()


CREATION_KILLS = 30


def _judge_new_file(path: Path, capsys: pytest.CaptureFixture[str], *, demo_again: bool) -> str:
    """What a killed ``demo`` left: a file that works, or one every command refuses plainly;
    never one that ``check`` passes and another command fails on."""
    from stpdesk.cli import main

    if not path.exists():
        return "no file"
    connection = sqlite3.connect(path)  # as left (a writable connection recovers the log)
    try:
        tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        meetings = connection.execute("SELECT count(*) FROM meeting").fetchone()[0] if tables else 0
    except sqlite3.DatabaseError:
        tables = meetings = -1
    finally:
        connection.close()
    db = ["--db", str(path)]
    capsys.readouterr()
    if main(["check", *db]) != 0:
        for argv in (["list", "meetings"], ["search", "board"], ["demo"]):
            assert main([*argv, *db]) in (1, 2), argv
        err = capsys.readouterr().err
        assert "Traceback" not in err and "not a complete stpdesk database" in err, err
        return "refused plainly"
    assert main(["list", "meetings", "--limit", "1", *db]) == 0
    assert main(["search", "board", *db]) == 0
    if meetings == 0:  # killed before the demo's data committed: a second demo fills it
        if demo_again:  # (0.5 s each: the first rounds only)
            assert main(["demo", *db]) == 0, capsys.readouterr().err
        return "schema, no data yet" if tables else "empty file (the next command set it up)"
    assert main(["demo", *db]) == 2  # already holds data: refused plainly
    assert "already holds data" in capsys.readouterr().err
    return "demo data" if meetings < 100 else "demo and synthetic meetings"


@pytest.mark.slow
def test_sigkill_while_demo_creates_a_new_database(tmp_path, capsys):
    """``demo --scale`` killed at random moments while it creates a new database: every
    time the file works or is refused plainly."""
    rng = random.Random(14)
    outcomes: dict[str, int] = {}
    for round_number in range(CREATION_KILLS):
        path = tmp_path / f"new-{round_number}" / "council.sqlite"
        child = subprocess.Popen(
            [sys.executable, "-m", "stpdesk", "demo", "--scale", "100", "--db", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        # a random moment after the file appears: half of them while the schema is made
        # (about 0.1 s here), the rest while the demo's data is written
        deadline = time.monotonic() + 60
        while not path.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, rng.choice((0.12, 0.6))))
        child.send_signal(signal.SIGKILL)
        _, err = child.communicate()
        assert "Traceback" not in err, err
        outcome = _judge_new_file(path, capsys, demo_again=round_number < 4)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    with capsys.disabled():
        print(f"\n{CREATION_KILLS} kills of demo --scale 100 on a new file: {outcomes}")
    assert "refused plainly" not in outcomes  # creation is all or nothing now
