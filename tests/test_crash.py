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
