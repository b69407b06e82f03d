"""The demonstration database and synthetic data at scale."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from conftest import TODAY
from sqlmodel import col, select

from stpdesk.model import clock
from stpdesk.model import tables as t
from stpdesk.model.enums import (
    AskStatus,
    Attendance,
    CommitmentDirection,
    CommitmentStatus,
    FootprintKind,
    LetterStatus,
)
from stpdesk.model.types import LONDON
from stpdesk.services import council, dashboard, demo_scale, queries
from stpdesk.services.council import get_profile
from stpdesk.services.demo import COUNT_KEYS, DemoRefused, build_demo
from stpdesk.services.demo_scale import add_scale
from stpdesk.services.entities import contacts, footprints, letters, meetings
from stpdesk.store import Database, open_database

TABLES = {
    "footprints": t.Footprint,
    "bodies": t.Body,
    "contacts": t.Contact,
    "members": t.Member,
    "meetings": t.Meeting,
    "asks": t.Ask,
    "commitments": t.Commitment,
    "letters": t.Letter,
    "themes": t.Theme,
}


def row_counts(path: Path) -> dict[str, int]:
    """Rows in every table of the file, search index included."""
    connection = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in names
        }
    finally:
        connection.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, dict[str, int]]]:
    """One demo database shared by the read-only tests below."""
    db = open_database(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    counts = build_demo(db, today=TODAY)
    yield db, counts
    db.close()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "demo.sqlite")
    yield database
    database.close()


def test_counts_are_in_range_and_match_the_database(demo: tuple[Database, dict[str, int]]) -> None:
    db, counts = demo
    assert set(counts) == set(COUNT_KEYS)
    assert counts["footprints"] == 2
    assert 12 <= counts["bodies"] <= 15
    assert 18 <= counts["contacts"] <= 25
    assert counts["members"] == 4
    assert 30 <= counts["meetings"] <= 40
    assert 20 <= counts["asks"] <= 30
    assert 25 <= counts["commitments"] <= 40
    assert counts["letters"] == 3
    assert counts["themes"] >= 1  # added to the standard themes
    with db.read() as session:
        for key, table in TABLES.items():
            stored = len(session.exec(select(table.id)).all())
            if key == "themes":
                assert stored >= counts[key]
            else:
                assert stored == counts[key], key


def test_council_profile(demo: tuple[Database, dict[str, int]]) -> None:
    db, _ = demo
    profile = get_profile(db)
    assert profile is not None
    assert profile.name == "Sevenoaks District Council"
    assert profile.lad_code == "E07000111"
    assert profile.protective_marking == "OFFICIAL"
    assert profile.address and "Sevenoaks" in profile.address


def test_stp_footprint_is_succeeded_by_the_ics(demo: tuple[Database, dict[str, int]]) -> None:
    db, _ = demo
    stp = footprints.page(db, where=[t.Footprint.kind == FootprintKind.stp]).rows
    ics = footprints.page(db, where=[t.Footprint.kind == FootprintKind.ics]).rows
    assert len(stp) == len(ics) == 1
    assert stp[0].code == ics[0].code == "E54000032"
    assert stp[0].name == "Kent and Medway"
    assert stp[0].successor_id == ics[0].id
    assert ics[0].successor_id is None
    assert ics[0].region == "South East"


def test_bodies_are_linked_to_footprints(demo: tuple[Database, dict[str, int]]) -> None:
    db, _ = demo
    with db.read() as session:
        ccg = session.exec(select(t.Body).where(t.Body.kind == "ccg")).one()
        ccg_footprints = session.exec(
            select(t.Footprint)
            .join(t.BodyFootprint, col(t.BodyFootprint.footprint_id) == t.Footprint.id)
            .where(t.BodyFootprint.body_id == ccg.id)
        ).all()
        icb = session.exec(select(t.Body).where(t.Body.kind == "icb")).one()
    assert [f.kind for f in ccg_footprints] == [FootprintKind.stp]
    assert ccg.archived_at is not None  # merged away in 2020
    assert icb.name == "NHS Kent and Medway Integrated Care Board"


def test_meetings_past_and_upcoming(demo: tuple[Database, dict[str, int]]) -> None:
    db, _ = demo
    start_of_today = datetime.combine(TODAY, time(0), LONDON).astimezone(UTC)
    rows = meetings.page(db, limit=1000).rows
    past = [m for m in rows if m.starts_at < start_of_today]
    upcoming = [m for m in rows if m.starts_at >= start_of_today]
    assert len(upcoming) == 4
    assert all(m.starts_at < start_of_today + timedelta(days=21) for m in upcoming)
    assert len(past) >= 28
    assert min(m.starts_at for m in past) >= start_of_today - timedelta(days=2 * 366)
    assert all(m.notes and m.notes.count("\n\n") >= 2 for m in past)  # several paragraphs
    assert len({m.notes for m in past}) == len(past)  # varied
    assert all(m.outcome for m in past)
    assert all(m.starts_at.weekday() < 5 for m in rows)
    with db.read() as session:
        attendance = session.exec(select(t.MeetingAttendee.attendance)).all()
        bodies_linked = session.exec(select(t.MeetingBody.meeting_id)).all()
    assert Attendance.apologies in attendance
    assert set(bodies_linked) == {m.id for m in rows}


@pytest.mark.parametrize(
    ("today", "title", "held_on"),
    [
        # 26 December 2026 is a Saturday: the Friday before is Christmas Day.
        ("2026-12-22", "One-to-one with the ICB Director of Place", "2026-12-24"),
        # Nine days on is New Year's Day, a Friday.
        ("2026-12-23", "Kent Health and Wellbeing Board", "2026-12-31"),
    ],
)
def test_no_meeting_on_a_weekend_or_at_christmas_or_new_year(
    db: Database, today: str, title: str, held_on: str
) -> None:
    build_demo(db, today=date.fromisoformat(today))
    rows = meetings.page(db, limit=1000).rows
    held = [m.starts_at.astimezone(LONDON).date() for m in rows]
    closed = {"12-25", "12-26", "01-01"}
    assert not [day for day in held if day.weekday() >= 5 or day.strftime("%m-%d") in closed]
    # Boxing Day falls on a Saturday, so Monday 28 December 2026 is the bank holiday.
    assert date(2026, 12, 28) not in held
    upcoming = [
        m for m in rows if m.title == title and m.starts_at.date() >= date.fromisoformat(today)
    ]
    assert upcoming[0].starts_at.astimezone(LONDON).date() == date.fromisoformat(held_on)


def test_the_dashboard_has_a_commitment_due_soon(demo: tuple[Database, dict[str, int]]) -> None:
    db, _ = demo
    board = dashboard.dashboard(db)
    assert board.due_soon_total >= 1
    assert any(row.text.startswith("Send Involve Kent the list") for row in board.due_soon)


def test_asks_and_commitments_are_mixed(demo: tuple[Database, dict[str, int]]) -> None:
    db, _ = demo
    with db.read() as session:
        asks = session.exec(select(t.Ask)).all()
        commitments = session.exec(select(t.Commitment)).all()
    assert {a.status for a in asks} >= {
        AskStatus.open,
        AskStatus.accepted,
        AskStatus.partly_met,
        AskStatus.declined,
    }
    assert all(a.raised_on and a.raised_on <= TODAY for a in asks)
    assert all(a.response for a in asks if a.status != AskStatus.open)
    assert {c.direction for c in commitments} == set(CommitmentDirection)
    assert {c.status for c in commitments} == set(CommitmentStatus)
    assert all(c.evidence and c.completed_on for c in commitments if c.status == "done")


def test_some_commitments_are_overdue(demo: tuple[Database, dict[str, int]]) -> None:
    db, _ = demo
    overdue = dashboard.dashboard(db).overdue
    assert len(overdue) >= 6
    assert all(c.due_date is not None and c.due_date < TODAY for c in overdue)


def test_letters(demo: tuple[Database, dict[str, int]]) -> None:
    db, _ = demo
    rows = letters.page(db).rows
    assert {letter.template for letter in rows} == {
        "joint-solutions",
        "seat-at-the-table",
        "overdue-commitments",
    }
    assert {letter.status for letter in rows} == {
        LetterStatus.draft,
        LetterStatus.sent,
        LetterStatus.reply_received,
    }
    for letter in rows:
        links = letters.links_of(db, letter.id)
        assert links["signatory_ids"] and links["ask_ids"]


def test_search_finds_the_vocabulary(demo: tuple[Database, dict[str, int]]) -> None:
    db, _ = demo
    hits = queries.search(db, "Disabled Facilities")
    assert any(hit.kind == "meeting" for hit in hits)
    assert any(hit.kind == "contact" for hit in queries.search(db, "Sian Llewellyn"))
    assert any(hit.kind == "contact" for hit in queries.search(db, "Chloë Brontë"))


def test_every_record_is_audited(demo: tuple[Database, dict[str, int]]) -> None:
    db, counts = demo
    with db.read() as session:
        entities = session.exec(select(t.AuditEntry.entity)).all()
    assert entities.count("meeting") == counts["meetings"]
    assert entities.count("council_profile") == 1


def test_a_second_build_is_refused_and_changes_nothing(
    demo: tuple[Database, dict[str, int]],
) -> None:
    db, _ = demo
    before = row_counts(db.path)
    with pytest.raises(DemoRefused) as refused:
        build_demo(db, today=TODAY)
    assert str(db.path) in str(refused.value)
    assert "--db" in str(refused.value)
    assert row_counts(db.path) == before


def test_a_profile_saved_beforehand_is_kept(db: Database) -> None:
    council.save_profile(db, {"name": "Our Council", "protective_marking": "OFFICIAL-SENSITIVE"})
    build_demo(db, today=TODAY)
    with db.read() as session:
        profiles = session.exec(select(t.CouncilProfile)).all()
    assert [p.name for p in profiles] == ["Our Council"]


def test_records_only_in_the_recycle_bin_do_not_block_the_demo(db: Database) -> None:
    contact = contacts.create(db, {"name": "Deleted Person"})
    contacts.delete(db, contact.id)
    counts = build_demo(db, today=TODAY)
    assert counts["contacts"] >= 18


def test_the_demo_is_the_same_every_time(
    demo: tuple[Database, dict[str, int]], db: Database
) -> None:
    build_demo(db, today=TODAY)

    def summary(database: Database) -> list[tuple[object, ...]]:
        rows = meetings.page(database, limit=1000).rows
        return [(m.title, m.starts_at, m.notes) for m in rows]

    assert summary(db) == summary(demo[0])


def test_add_scale_to_the_demo(db: Database) -> None:
    build_demo(db, today=TODAY)
    total = meetings.page(db).total
    seen: list[int] = []
    added = add_scale(db, 2000, today=TODAY, progress=seen.append)
    assert added["meetings"] == added["asks"] == added["commitments"] == 2000
    assert added["attendees"] == 4000
    assert added["bodies"] == added["contacts"] == added["members"] == 0
    assert seen == [2000]
    assert meetings.page(db).total == total + 2000
    assert any(hit.kind == "meeting" for hit in queries.search(db, "synthetic 1999"))
    with db.read() as session:
        entry = session.exec(
            select(t.AuditEntry).order_by(col(t.AuditEntry.id).desc()).limit(1)
        ).one()
        scaled = session.get(t.Meeting, entry.entity_id)
    assert entry.summary == "Added 2000 synthetic meetings"
    assert scaled is not None and scaled.title.endswith("(synthetic 1)")
    assert scaled.starts_at.tzinfo is not None
    # Stored exactly as the ORM stores times (SQLite's DATETIME format, naive UTC).
    connection = sqlite3.connect(db.path)
    try:
        stored = connection.execute(
            "SELECT starts_at FROM meeting WHERE id = ?", (scaled.id,)
        ).fetchone()[0]
    finally:
        connection.close()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", stored)


def test_add_scale_to_an_empty_database(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_scale, "SCALE_BATCH", 400)
    seen: list[int] = []
    added = add_scale(db, 1000, seed=1, today=TODAY, progress=seen.append)
    assert seen == [400, 800, 1000]
    assert added["bodies"] > 0 and added["contacts"] > 0 and added["members"] > 0
    assert meetings.page(db).total == 1000
    with db.read() as session:
        attendees = session.exec(select(t.MeetingAttendee)).all()
    assert len(attendees) == 2000
    assert all(bool(a.contact_id) != bool(a.member_id) for a in attendees)
    assert add_scale(db, 0) == dict.fromkeys([*COUNT_KEYS, "attendees"], 0)


def test_past_meetings_carry_temperatures_that_warm(demo: tuple[Database, dict[str, int]]) -> None:
    from stpdesk.services import temperature

    db, _counts = demo
    with db.read() as session:
        icb = session.exec(select(t.Body).where(t.Body.kind == "icb")).first()
        readings = session.exec(select(t.MeetingTemperature)).all()
        future = session.exec(
            select(t.MeetingTemperature)
            .join(t.Meeting, t.Meeting.id == t.MeetingTemperature.meeting_id)
            .where(t.Meeting.starts_at > clock.now())
        ).all()
    assert len(readings) >= 25 and future == []  # only meetings already held are read
    trend = temperature.trend(db, icb.id, today=TODAY)
    assert len(trend.readings) >= 5
    assert trend.readings[0].score < trend.readings[-1].score  # the ICB warmed to us


def test_two_health_checks_a_year_apart_show_movement(
    demo: tuple[Database, dict[str, int]],
) -> None:
    from stpdesk.services import health

    db, _counts = demo
    with db.read() as session:
        ics = session.exec(select(t.Footprint).where(t.Footprint.kind == "ics")).first()
    result = health.report(db, ics.id)
    assert (result.round_on - result.previous_round_on).days >= 360
    moved = [p for p in result.principles if p.change]
    assert moved and all(p.change > 0 for p in moved)
