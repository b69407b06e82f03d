"""One clock: every "today" comes from stpdesk.model.clock, in UK time, on any day.

The awkward moments are the ends of the year, a leap day and the nights the clocks
change, half an hour after midnight and half an hour before it, London time.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from conftest import open_window
from pypdf import PdfReader

import stpdesk
from stpdesk.cli import main
from stpdesk.documents import packs
from stpdesk.model import clock
from stpdesk.model.clock import LONDON
from stpdesk.model.dates import format_date
from stpdesk.services import briefing, demo, privacy
from stpdesk.services import dashboard as dashboard_service
from stpdesk.services import entities as e
from stpdesk.store import open_database
from stpdesk.store.backup import list_backups, make_backup, rotate

# (London wall time, the UK day it falls on)
AWKWARD = [
    (datetime(2026, 12, 31, 0, 30), date(2026, 12, 31)),
    (datetime(2026, 12, 31, 23, 30), date(2026, 12, 31)),
    (datetime(2028, 2, 29, 0, 30), date(2028, 2, 29)),
    (datetime(2028, 2, 29, 23, 30), date(2028, 2, 29)),
    (datetime(2027, 3, 28, 0, 30), date(2027, 3, 28)),  # GMT; clocks go forward at 01:00
    (datetime(2027, 3, 28, 23, 30), date(2027, 3, 28)),  # BST: 22:30 UTC
    (datetime(2027, 10, 31, 0, 30), date(2027, 10, 31)),  # BST: 23:30 UTC the day before
    (datetime(2027, 10, 31, 23, 30), date(2027, 10, 31)),  # GMT again
]
IDS = [f"{wall:%Y-%m-%d %H:%M}" for wall, _ in AWKWARD]

# Reading the time anywhere but the clock module: Python's, Qt's and SQLite's ways.
TIME_READERS = re.compile(
    r"\bdate\.today\(|\bdatetime\.(?:now|utcnow|today)\(|\btime\.(?:time|time_ns|localtime|gmtime)\(\)"
    r"|\bQDate(?:Time)?\.current|\bQTime\.current"
    r"|['\"](?:now|localtime)['\"]|\bCURRENT_(?:DATE|TIME|TIMESTAMP)\b",
    re.IGNORECASE,
)


def at(wall: datetime) -> time_machine.travel:
    """Stop the clock at a London wall time."""
    return time_machine.travel(wall.replace(tzinfo=LONDON), tick=False)


def test_time_readers_pattern_finds_each_way_of_reading_the_time() -> None:
    for line in (
        "day = date.today()",
        "now = datetime.now(UTC)",
        "datetime.utcnow()",
        "stamp = time.time()",
        "QDate.currentDate()",
        "SELECT date('now')",
        'WHERE due < datetime("now", "localtime")',
        "DEFAULT CURRENT_TIMESTAMP",
    ):
        assert TIME_READERS.search(line), line
    assert not TIME_READERS.search("started = time.monotonic()")


def test_only_the_clock_module_reads_the_time() -> None:
    package = Path(stpdesk.__file__).parent
    clock_file = package / "model" / "clock.py"
    offenders = []
    for path in sorted(package.rglob("*.py")):
        if path == clock_file:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if TIME_READERS.search(code):
                offenders.append(f"{path.relative_to(package)}:{number}: {line.strip()}")
    assert offenders == [], "read the time through stpdesk.model.clock instead"


@pytest.mark.parametrize(("wall", "uk_day"), AWKWARD, ids=IDS)
def test_today_is_the_uk_day(wall: datetime, uk_day: date) -> None:
    with at(wall):
        assert clock.today() == uk_day
        assert clock.local_now().replace(tzinfo=None) == wall
        assert clock.now().tzinfo is UTC
        assert clock.now() == wall.replace(tzinfo=LONDON)


def test_child_processes_read_the_suites_day() -> None:
    """Under ``--today`` the command line run by a test lives on the same day as the test."""
    code = "from stpdesk.model import clock; print(clock.today().isoformat())"
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert child.stdout.strip() == clock.today().isoformat()


@pytest.mark.parametrize(("wall", "uk_day"), AWKWARD, ids=IDS)
def test_overdue_and_due_soon_agree_everywhere_on_awkward_days(
    wall: datetime, uk_day: date, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with at(wall):
        db = open_database(db_path)
        body = e.bodies.create(db, {"name": "NHS Kent and Medway ICB", "kind": "icb"})
        meeting, _, _ = e.record_meeting(
            db,
            {"title": "Board", "starts_at": f"{format_date(uk_day)} 00:10", "body_ids": [body.id]},
            commitments_given=[
                {
                    "text": f"Due {offset:+d}",
                    "body_id": body.id,
                    "due_date": uk_day + timedelta(offset),
                }
                for offset in (-1, 0, 1, 14, 15)
            ],
        )
        kept = e.commitments.create(
            db, {"text": "Kept", "body_id": body.id, "due_date": uk_day - timedelta(1)}
        )
        e.commitments.update(db, kept.id, {"status": "done"})

        board = dashboard_service.dashboard(db)
        assert [c.text for c in board.overdue] == ["Due -1"] and board.overdue_total == 1
        assert board.today == uk_day
        assert [(line.text, line.days_overdue) for line in board.overdue] == [("Due -1", 1)]
        assert [(line.text, line.days_to_go) for line in board.due_soon] == [
            ("Due +0", 0),
            ("Due +1", 1),
            ("Due +14", 14),
        ]
        pack = briefing.meeting_pack(db, meeting.id)
        shown = {item.text: item.status_text for item in pack.owed_to_us}
        assert shown["Due -1"] == "1 day overdue" and shown["Due +0"] == "Due today"
        assert shown["Due +1"] == "Due in 1 day"
        text = "\n".join(
            page.extract_text()
            for page in PdfReader(io.BytesIO(packs.meeting_pack(db, meeting.id))).pages
        )
        assert f"Prepared on {format_date(uk_day)}" in " ".join(text.split())
        db.close()

        assert main(["list", "commitments", "--overdue", "--json", "--db", str(db_path)]) == 0
        overdue = json.loads(capsys.readouterr().out)
        assert [(c["text"], c["overdue"]) for c in overdue] == [("Due -1", True)]
        assert (
            main(["list", "commitments", "--due-within", "14", "--json", "--db", str(db_path)]) == 0
        )
        due = json.loads(capsys.readouterr().out)
        assert [c["text"] for c in due] == ["Due +0", "Due +1", "Due +14"]


@pytest.mark.parametrize(("wall", "uk_day"), AWKWARD, ids=IDS)
def test_retention_review_counts_whole_uk_years(wall: datetime, uk_day: date, db) -> None:
    with at(wall):
        body = e.bodies.create(db, {"name": "Kent County Council", "kind": "county_council"})
        first_day_kept = date(uk_day.year - 2, uk_day.month, 28 if uk_day.day == 29 else uk_day.day)
        for name, when in (
            ("Just over two years", first_day_kept - timedelta(days=1)),
            ("Exactly two years", first_day_kept),
        ):
            contact = e.contacts.create(db, {"name": name, "body_id": body.id})
            e.meetings.create(
                db,
                {
                    "title": f"Met {name}",
                    "starts_at": f"{format_date(when)} 23:45",
                    "attendees": [{"contact_id": contact.id}],
                },
            )
        listed = privacy.retention_review(db, years=2)
        assert [(item.name, item.last_engaged) for item in listed] == [
            ("Just over two years", first_day_kept - timedelta(days=1))
        ]


def test_backup_rotation_keeps_one_backup_for_each_uk_day(db_path: Path) -> None:
    open_database(db_path).close()
    taken = [
        datetime(2027, 6, 15, 10, 0, tzinfo=UTC),  # 15 June, 11:00 BST
        datetime(2027, 6, 14, 23, 30, tzinfo=UTC),  # 15 June, 00:30 BST
        datetime(2027, 6, 14, 22, 30, tzinfo=UTC),  # 14 June, 23:30 BST
    ]
    for moment in taken:
        make_backup(db_path, "daily", when=moment)
    with at(datetime(2027, 6, 15, 12, 0)):
        removed = rotate(db_path, keep_last=1, keep_daily_days=7)
    assert len(removed) == 1 and "20270614T233000" in removed[0].name.replace("-", "")
    assert len(list_backups(db_path)) == 2


@pytest.mark.slow
@pytest.mark.parametrize("wall", [AWKWARD[3][0], AWKWARD[6][0]], ids=[IDS[3], IDS[6]])
def test_demo_data_is_dated_from_the_uk_day(wall: datetime, db) -> None:
    with at(wall):
        demo.build_demo(db)
        uk_day = clock.today()
        overdue = dashboard_service.dashboard(db).overdue
        assert overdue and all(c.due_date < uk_day for c in overdue)
        start_of_day = datetime.combine(uk_day, time(0), LONDON)
        future = [m for m in e.meetings.page(db, limit=500).rows if m.starts_at >= start_of_day]
        assert future, "the demo has meetings ahead of today"
        asks = e.asks.page(db, limit=500).rows
        assert all(a.raised_on is None or a.raised_on <= uk_day for a in asks)


def test_the_dashboard_says_the_uk_day_after_midnight_in_summer_time(qtbot, db) -> None:
    with at(datetime(2027, 10, 31, 0, 30)):  # 23:30 on 30 October in UTC
        body = e.bodies.create(db, {"name": "NHS Kent and Medway ICB", "kind": "icb"})
        e.commitments.create(
            db, {"text": "Late reply", "body_id": body.id, "due_date": date(2027, 10, 30)}
        )
        window = open_window(qtbot, db)
        header = window.dashboard.summary_line.text()
    assert header.startswith("Today is 31 October 2027. 1 commitment overdue")
    assert window.dashboard.overdue.item(0).text() == (
        "⚠ Late reply — NHS Kent and Medway ICB, due 30 October 2027 (1 day overdue)"
    )
