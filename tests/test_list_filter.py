"""Filtering the long lists (meetings, asks, commitments) reads through a trigram index
(migration 0007) instead of every row: the rows and counts shown must be exactly what the
plain filter shows, and the index must follow every change."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, datetime, time

import pytest
from conftest import TODAY

from stpdesk.services import demo, demo_scale, records, recycle
from stpdesk.services import entities as e
from stpdesk.store import Database, open_database
from stpdesk.store.engine import make_engine
from stpdesk.store.migrate import upgrade

TEXTS = [
    "Board",
    "board",
    "BOARD",
    "Kent",
    "wellbeing",
    "Health and Wellbeing",
    "synthetic 4",
    "ICB",
    "discharge",
    "Łuk",
    "zoë",
    "no such thing",
    "ab",  # too short for the index's lookups: read from its copy of the text
    "a",
    "e",
    "Ł",
    "z",
    "%",
    "_",
    "5%",
    "%ing",
    "on_the",
    "a%b",
    "ing\nMaid",
    "   Teams  ",
]


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Database:
    db = open_database(tmp_path_factory.mktemp("filter") / "scaled.sqlite")
    demo.build_demo(db, today=TODAY)
    demo_scale.add_scale(db, 400, today=TODAY)
    yield db
    db.close()


def _plain(service: records.EntityService) -> records.EntityService:
    """The same list without its filter index: the filter reads every row."""
    return records.EntityService(dataclasses.replace(service.spec, filter_index=None))


def _shown(service: records.EntityService, db: Database, **kwargs) -> tuple[list[str], int]:
    page = service.page(db, **kwargs)
    return [row.id for row in page.rows], page.total


@pytest.mark.parametrize("service", [e.meetings, e.asks, e.commitments], ids=lambda s: s.spec.name)
@pytest.mark.parametrize("few", [records.FEW_MATCHES, 0])  # 0: every text takes the "many" way
def test_indexed_filter_shows_exactly_what_the_plain_filter_shows(
    scaled: Database, service: records.EntityService, few: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "FEW_MATCHES", few)
    plain = _plain(service)
    for text in TEXTS:
        for offset in (0, 100):
            wanted = _shown(plain, scaled, text=text, offset=offset)
            assert _shown(service, scaled, text=text, offset=offset) == wanted, (text, offset)


def test_indexed_filter_keeps_the_lists_other_conditions(scaled: Database) -> None:
    from stpdesk.model import tables as t

    upcoming = [t.Meeting.starts_at >= datetime.combine(TODAY, time(0), UTC)]
    for text in ("Board", "synthetic", "Kent"):
        wanted = _shown(_plain(e.meetings), scaled, text=text, where=upcoming)
        assert _shown(e.meetings, scaled, text=text, where=upcoming) == wanted


def test_the_index_follows_every_change(db: Database) -> None:
    def found(text: str) -> list[str]:
        return [row.title for row in e.meetings.page(db, text=text).rows]

    meeting = e.meetings.create(
        db, {"title": "Zebrafish quorum", "starts_at": "2026-12-01 10:00", "location": "Hall 9"}
    )
    assert found("zebrafish") == ["Zebrafish quorum"]
    assert found("hall 9") == ["Zebrafish quorum"]  # the location is filtered on too
    e.meetings.update(db, meeting.id, {"title": "Otter forum"})
    assert found("zebrafish") == [] and found("otter") == ["Otter forum"]
    e.meetings.delete(db, meeting.id)
    assert found("otter") == []
    e.meetings.restore(db, meeting.id)
    assert found("otter") == ["Otter forum"]
    body = e.bodies.create(db, {"name": "Otter ICB", "kind": "icb"})
    ask = e.asks.create(
        db, {"title": "Seat on the board", "rationale": "Voice at the table", "body_id": body.id}
    )
    assert [a.id for a in e.asks.page(db, text="voice at").rows] == [ask.id]
    e.asks.delete(db, ask.id)
    assert e.asks.page(db, text="voice at").rows == []
    recycle.empty(db)  # removed for good: its index row goes too
    with sqlite3.connect(db.path) as connection:
        left = connection.execute("SELECT count(*) FROM filter_ask").fetchone()[0]
    assert left == 0


def test_an_older_database_gets_the_index_for_what_it_holds(db_path) -> None:
    engine = make_engine(db_path)
    upgrade(engine, "0006")
    with engine.begin() as connection:
        for number in range(30):
            connection.exec_driver_sql(
                "INSERT INTO meeting (id, created_at, updated_at, title, starts_at, kind, location) "
                f"VALUES ('m{number}', '2024-01-01 00:00:00', '2024-01-01 00:00:00', "
                f"'Board {number}', '2024-02-{number % 28 + 1:02d} 10:00:00', 'stp_board', "
                f"'{'Maidstone' if number % 3 else 'Tonbridge'} Hospital')"
            )
    engine.dispose()
    db = open_database(db_path)
    try:
        assert _shown(e.meetings, db, text="tonbridge") == _shown(
            _plain(e.meetings), db, text="tonbridge"
        )
        assert e.meetings.page(db, text="tonbridge").total == 10
    finally:
        db.close()


def test_a_rare_text_is_read_through_the_index_not_the_whole_table(scaled: Database) -> None:
    from sqlalchemy import event

    statements: list[tuple[str, tuple]] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append((statement, tuple(parameters)))

    event.listen(scaled.engine, "before_cursor_execute", seen)
    try:
        page = e.meetings.page(scaled, text="synthetic 42")
    finally:
        event.remove(scaled.engine, "before_cursor_execute", seen)
    assert 0 < page.total <= 20
    reads = [
        (s, p) for s, p in statements if s.lstrip().startswith("SELECT") and "FROM meeting" in s
    ]
    assert reads and all("SELECT ref FROM filter_meeting" in s for s, _ in reads)
    with sqlite3.connect(scaled.path) as connection:  # and SQLite starts from the index
        plan = " ".join(
            row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + reads[0][0], reads[0][1])
        )
    assert "filter_meeting" in plan


def test_percent_and_underscore_are_typed_text_not_wildcards(seeded) -> None:
    from stpdesk.services import entities as ents

    for title in (
        "Cut waiting times by 50%",
        "Cut waiting times by 500 days",
        "a_b plan",
        "axb plan",
    ):
        ents.asks.create(seeded.db, {"title": title, "body_id": seeded.icb_id})
    shown = lambda text: sorted(r.title for r in ents.asks.page(seeded.db, text=text).rows)  # noqa: E731
    assert shown("50%") == ["Cut waiting times by 50%"]
    assert shown("a_b") == ["a_b plan"]
    assert shown("\\") == []


@pytest.mark.parametrize("service", [e.meetings, e.asks, e.commitments], ids=lambda s: s.spec.name)
def test_a_short_common_filter_shows_its_first_page_and_leaves_the_count_for_later(
    scaled: Database, service: records.EntityService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "FEW_MATCHES", 5)  # "many" at this scale
    plain = _plain(service)
    for text in ("a", "e", "Ł", "5%"):
        page = service.page(scaled, text=text, count_later=True)
        rows, total = _shown(plain, scaled, text=text)
        assert [row.id for row in page.rows] == rows, text
        # all on the page (or few, under five here): counted at once, it costs nothing
        assert page.counted is (len(rows) < 100), text
        assert service.count(scaled, text=text) == total, text
        assert page.total in (total, -1)
