"""Promises kept where a councillor sees them: the dashboard, a body's page, the meeting and
footprint packs ("Their record on promises") and ``stpdesk report promises``. Each shows
services.promises' figures; these tests hold every view to a history counted by hand."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from conftest import TODAY, days, long_date
from pypdf import PdfReader

from stpdesk.cli import main
from stpdesk.documents import packs
from stpdesk.model.dates import format_date
from stpdesk.services import entities as e
from stpdesk.services import promises, workflows
from stpdesk.services.promises import months_before

TRUST = "Maidstone and Tunbridge Wells NHS Trust"
# The trust's record in the last 12 months, counted by hand (see _history): made 8, two on
# time, two late (3 and 9 days: median 6), two overdue, one dropped, one not yet due.
TRUST_FIGURES = "8 made: 2 on time, 2 late (median 6 days), 2 overdue, 1 dropped, 1 not yet due"


def _history(seeded) -> None:
    """Beside the seed's commitment 12 days overdue, the trust's promises: two on time,
    two late, one overdue, one dropped, one deleted (not counted), one moved past today,
    one first due in the future and one first due 400 days ago (both outside the period);
    and one of ours to it, overdue."""
    db, trust = seeded.db, seeded.trust_id

    def made(due: int, text: str, direction: str = "to_us") -> str:
        record = e.commitments.create(
            db, {"text": text, "body_id": trust, "due_date": days(due), "direction": direction}
        )
        return record.id

    for n in range(2):
        workflows.mark_done(db, made(-20, f"On time {n}"), evidence="x", completed_on=days(-21))
    workflows.mark_done(db, made(-20, "Late by 3"), evidence="x", completed_on=days(-17))
    workflows.mark_done(db, made(-20, "Late by 9"), evidence="x", completed_on=days(-11))
    made(-5, "Overdue five days")
    workflows.drop(db, made(-30, "Dropped"), reason="Superseded")
    e.commitments.delete(db, made(-8, "Deleted"))
    moved = made(-40, "Moved, not yet due")
    workflows.reschedule(db, moved, new_due_date=days(10), reason="Waiting for funding")
    made(30, "Not yet due at all")
    made(-400, "Overdue, but first due long ago")
    made(-3, "Ours, overdue", direction="by_us")


def _flat(text: str) -> str:
    """Words with single spaces: table cells wrap wherever the page needs."""
    return " ".join(text.split())


def _pdf_text(data: bytes) -> str:
    return _flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def _section(text: str) -> str:
    """The pack's text from "Their record on promises" (as a heading, not in the contents)."""
    start = text.index("Their record on promises Promises made to us")
    return text[start:]


# --- the figures themselves ------------------------------------------------------------


def test_the_trust_record_counted_by_hand(seeded) -> None:
    _history(seeded)
    record = promises.promise_record(seeded.db, body_id=seeded.trust_id, since=months_before())
    [line] = record.bodies
    assert promises.figures_text(line.to_us) == TRUST_FIGURES
    assert promises.figures_text(line.by_us) == "1 made: 1 overdue"
    assert [row.text for row in record.worst] == [
        "Share discharge data with the housing team",
        "Overdue five days",
        "Moved, not yet due",
    ]
    moved = promises.worst_case(record.worst[2])
    assert (moved.first_due, moved.moves, moved.now) == (
        long_date(-40),
        1,
        f"{long_date(10)} (due in 10 days)",
    )
    assert moved.slipped == f"due {long_date(-40)}, moved once, now {long_date(10)}"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2028, 2, 29), 12, date(2027, 2, 28)),
        (date(2026, 12, 6), 12, date(2025, 12, 6)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2026, 1, 15), 13, date(2024, 12, 15)),
    ],
)
def test_the_period_starts_the_same_day_months_before(day, months, expected) -> None:
    assert months_before(day, months) == expected


@pytest.mark.parametrize(
    ("scoped", "index"),
    [(True, "ix_commitment_live_body_first_due"), (False, "ix_commitment_live_first_due")],
)
def test_the_count_reads_a_first_due_index(seeded, scoped, index) -> None:
    """At 100,000 meetings the count took 0.5-0.9 s through the live-rows index: the three
    reads (the counts, the days late, the worst cases) must stay ranges of a covering
    first-due index (led by the body, direction and status for a few bodies: migrations
    0011 and 0016), and for a few bodies the counts are made in the index's order."""
    statements: list[str] = []
    with seeded.db.reader() as connection:
        connection.set_trace_callback(statements.append)  # each statement, values filled in
        bodies = [seeded.trust_id] if scoped else None
        promises.promises_in(connection, bodies, months_before(), worst=5)
        connection.set_trace_callback(None)
        plans = [
            " ".join(row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}"))
            for sql in statements
            if "INDEXED BY" in sql
        ]
    assert len(plans) == 3
    assert all(f"USING COVERING INDEX {index} (" in plan for plan in plans), plans
    if scoped:  # sorting 4,877 commitments for three bodies took 3 of its 4.5 ms
        assert "TEMP B-TREE" not in plans[0], plans[0]


# --- packs ------------------------------------------------------------------------------


def test_the_meeting_pack_carries_their_record(seeded) -> None:
    _history(seeded)
    text = _section(_pdf_text(packs.meeting_pack(seeded.db, seeded.meeting_id)))
    assert f"first due between {format_date(months_before())} and {long_date(0)}" in text
    # the trust's row: made, on time, late, median lateness, overdue now, dropped
    assert f"{TRUST} 8 2 2 6 days 2 1" in text
    # the ICB's only promise is not yet due: a plain sentence, not an empty row
    assert "NHS Kent and Medway ICB made us no promises due in this period." in text
    assert "NHS Kent and Medway ICB 0" not in text
    worst = text[text.index("The worst cases") : text.index("Themes")]
    assert (
        f"Share discharge data with the housing team {TRUST} {long_date(-12)} 0 "
        f"{long_date(-12)} (12 days overdue)"
    ) in worst
    assert f"Moved, not yet due {TRUST} {long_date(-40)} 1 {long_date(10)} (due in 10 days)" in (
        worst
    )
    assert "Deleted" not in worst and "first due long ago" not in worst


def test_the_footprint_pack_carries_the_same_figures(seeded) -> None:
    _history(seeded)
    e.commitments.create(
        seeded.db,
        {"text": "Late ICB reply", "body_id": seeded.icb_id, "due_date": days(-50)},
    )
    text = _section(_pdf_text(packs.footprint_pack(seeded.db, seeded.footprint_id)))
    assert f"{TRUST} 8 2 2 6 days 2 1" in text
    assert "NHS Kent and Medway ICB 1 0 0 1 0" in text
    assert "All together: 9 made: 2 on time, 2 late (median 6 days), 3 overdue, 1 dropped" in text


def test_a_pack_for_bodies_without_promises_says_so_in_a_sentence(seeded) -> None:
    text = _section(_pdf_text(packs.meeting_pack(seeded.db, seeded.meeting_id)))
    # the seed's trust promise is overdue, the ICB's not yet due
    assert "NHS Kent and Medway ICB made us no promises due in this period." in text
    e.commitments.delete(seeded.db, seeded.commitment_ids[0])
    text = _section(_pdf_text(packs.meeting_pack(seeded.db, seeded.meeting_id)))
    assert f"{TRUST} and NHS Kent and Medway ICB made us no promises due in this period." in text
    assert "Made On time" not in text and "The worst cases" not in text  # no empty tables


# --- the command line -------------------------------------------------------------------


def _run(seeded, capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["--db", str(seeded.db.path), "report", "promises", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_report_json_equals_the_service_figures(seeded, capsys) -> None:
    _history(seeded)
    since = days(-100)
    expected = promises.promise_record(seeded.db, since=since)
    seeded.db.close()
    status, out, _ = _run(seeded, capsys, "--since", since.isoformat(), "--json")
    assert status == 0
    report = json.loads(out)
    assert (report["since"], report["until"]) == (since.isoformat(), TODAY.isoformat())
    [trust] = [line for line in report["bodies"] if line["body_id"] == seeded.trust_id]
    assert trust["to_us"] == {
        "made": 8,
        "on_time": 2,
        "late": 2,
        "median_days_late": 6,
        "overdue": 2,
        "dropped": 1,
        "to_come": 1,
        "moved": 1,
    }
    for got, line in zip(report["bodies"], expected.bodies, strict=True):
        for direction in ("to_us", "by_us"):
            tally = getattr(line, direction)
            assert got[direction]["made"] == tally.made
            assert got[direction]["median_days_late"] == tally.median_days_late
            assert (got[direction]["on_time"], got[direction]["overdue"]) == (
                tally.on_time,
                tally.overdue,
            )
    assert report["totals"]["to_us"]["made"] == expected.to_us.made == 8
    assert report["totals"]["by_us"]["overdue"] == expected.by_us.overdue == 1


def test_report_table_by_default_covers_the_last_12_months(seeded, capsys) -> None:
    _history(seeded)
    seeded.db.close()
    status, out, _ = _run(seeded, capsys, "--footprint", seeded.footprint_id)
    assert status == 0
    period = f"first due {format_date(months_before())} to {long_date(0)}"
    assert out.startswith(f"Promises made to us, {period}:")
    to_us, by_us = out.split(f"Our promises to them, {period}:")
    row = next(line for line in to_us.splitlines() if line.startswith(TRUST))
    assert row.split()[-8:] == ["8", "2", "2", "6", "days", "2", "1", "1"]
    ours = next(line for line in by_us.splitlines() if line.startswith(TRUST))
    assert ours.split()[-6:] == ["1", "0", "0", "1", "0", "0"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--body", "nope"], "--body: there is no body with id nope"),
        (["--footprint", "nope"], "--footprint: there is no footprint with id nope"),
        (["--since", "31 February 2026"], "--since: 31 February 2026 is not a date"),
        (["--since", "2099-01-01"], "--since: 1 January 2099 is after today"),
    ],
)
def test_report_refuses_a_bad_id_or_date(seeded, capsys, argv, message) -> None:
    path = seeded.db.path
    seeded.db.close()
    before = path.read_bytes()
    status, out, err = _run(seeded, capsys, *argv)
    assert status == 2 and out == ""
    assert err.startswith(f"stpdesk: {message}") and err.count("\n") == 1
    assert path.read_bytes() == before


# --- the dashboard and a body's page -------------------------------------------------------


def test_the_dashboard_shows_each_body_figures_in_words(qtbot, seeded) -> None:
    from stpdesk.ui.app import MainWindow
    from stpdesk.ui.promises_view import BAR_ROLE

    _history(seeded)
    window = MainWindow(seeded.db)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.dashboard.promises_loaded, timeout=10_000):
        window.show()
    chart = window.dashboard.promises
    # a panel of its own, below the others (a panel added to the grid must not cover it)
    from PySide6.QtWidgets import QGroupBox

    box = window.dashboard.promises_box
    others = [group for group in window.dashboard.findChildren(QGroupBox) if group is not box]
    assert others and not any(group.geometry().intersects(box.geometry()) for group in others)
    # the ICB's only promise is not yet in the period: it has no row
    assert chart.texts() == [f"{TRUST}: {TRUST_FIGURES}"]
    item = chart.topLevelItem(0)
    assert item.text(2) == TRUST_FIGURES  # written beside the bar, not only in colour
    assert item.data(1, BAR_ROLE) == "2,2,2,1"  # on time, late, overdue, dropped
    assert f"from {format_date(months_before())} to today" in (
        window.dashboard.promises_caption.text()
    )
    # a row opens the body, whose page shows its record both ways and its worst cases
    chart.itemActivated.emit(item, 0)
    editor = window.editors[("bodies", seeded.trust_id)]
    assert editor.promises.texts() == [
        f"Made to us: {TRUST_FIGURES}",
        "Made by us: 1 made: 1 overdue",
    ]
    worst = [editor.worst.item(i).text() for i in range(editor.worst.count())]
    assert worst == [
        f"Share discharge data with the housing team — due {long_date(-12)} (12 days overdue)",
        f"Overdue five days — due {long_date(-5)} (5 days overdue)",
        f"Moved, not yet due — due {long_date(-40)}, moved once, now {long_date(10)} "
        "(due in 10 days)",
    ]
    editor.close()
    window.ops.shutdown()


# --- the demo -------------------------------------------------------------------------------


def test_the_demo_has_reliable_bodies_and_one_that_slips(tmp_path) -> None:
    from stpdesk.services import demo
    from stpdesk.store import open_database

    db = open_database(tmp_path / "demo.sqlite")
    demo.build_demo(db, today=TODAY)
    record = promises.promise_record(db, since=months_before())
    by_name = {line.body: line.to_us for line in record.bodies}
    reliable = [name for name, t in by_name.items() if t.made >= 2 and t.on_time == t.made]
    assert len(reliable) >= 2
    slipping = by_name[TRUST]
    assert slipping.late >= 2 and slipping.dropped >= 1 and slipping.moved >= 2
    assert slipping.on_time == 0
    with db.reader() as connection:
        moves = dict(
            connection.execute(
                "SELECT text, json_array_length(revisions) FROM commitment "
                "WHERE revisions IS NOT NULL"
            ).fetchall()
        )
    assert 2 in moves.values() and 1 in moves.values()
    db.close()


def test_a_moved_commitment_exports_to_a_workbook_and_csv(seeded, tmp_path) -> None:
    """Its revisions (a JSON column) go into one cell as JSON text; the workbook was
    refused whole before ("Cannot convert [...] to Excel") once any date had moved."""
    from openpyxl import load_workbook

    from stpdesk.services import exports

    workflows.reschedule(
        seeded.db, seeded.commitment_ids[1], new_due_date=days(30), reason="Board papers late"
    )
    exports.write_xlsx(seeded.db, tmp_path / "all.xlsx")
    sheet = load_workbook(tmp_path / "all.xlsx")["Commitments"]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("revisions")
    [moved] = [row[column] for row in rows[1:] if row[column]]
    [revision] = json.loads(moved)
    assert (revision["to"], revision["reason"]) == (days(30).isoformat(), "Board papers late")
    [csv_file] = [
        path for path in exports.write_csv(seeded.db, tmp_path / "csv") if "ommitment" in path.name
    ]
    assert '""reason"": ""Board papers late""' in csv_file.read_text(encoding="utf-8-sig")


def test_engagement_by_footprint_fills_once_the_window_is_on_screen(qtbot, seeded) -> None:
    """Read after the first paint (it sits below the fold): "Loading…" until then, then a
    chart per footprint whose figures are the footprint's own, and again after a change."""
    from PySide6.QtWidgets import QLabel

    from stpdesk.services import dashboard
    from stpdesk.ui.app import MainWindow
    from stpdesk.ui.dashboard import EngagementChart

    window = MainWindow(seeded.db)
    qtbot.addWidget(window)
    board = window.dashboard
    assert [label.text() for label in board.engagement_box.findChildren(QLabel)] == ["Loading…"]
    with qtbot.waitSignal(board.engagement_loaded, timeout=10_000):
        window.show()
    expected = dashboard.engagement_summary(seeded.db, seeded.footprint_id)

    def charts() -> list[EngagementChart]:
        found = board.engagement_box.findChildren(EngagementChart)
        return [chart for chart in found if chart.isVisibleTo(board)]

    assert [chart.summary for chart in charts()] == [expected]
    assert f"Asks made: {expected.asks_made}" in charts()[0].accessibleDescription()
    # a new ask for one of its bodies: the panel reads again with the rest of the dashboard
    with qtbot.waitSignal(board.engagement_loaded, timeout=10_000):
        e.asks.create(seeded.db, {"title": "A seat on the board", "body_id": seeded.icb_id})
        window.ops.changed.emit({"asks"})
    [chart] = charts()
    assert chart.summary.asks_made == expected.asks_made + 1
