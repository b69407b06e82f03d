"""The one definition of where a commitment or an ask stands (model/engagement), read
through the one read path (services/engagement): every boundary, SQL against Python,
and every reader agreeing on the count."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from conftest import TODAY, days, iso

from stpdesk.cli import main
from stpdesk.model import clock
from stpdesk.model.engagement import (
    DUE_SOON_DAYS,
    AskState,
    CommitmentState,
    ask_state,
    commitment_state,
    status_text,
)
from stpdesk.model.enums import AskStatus, CommitmentStatus
from stpdesk.services import dashboard, engagement, views
from stpdesk.services import entities as e
from stpdesk.store import open_database
from stpdesk.store.rows import marks

# (label, status, due in n days, completed n days after today) -> state today
BOUNDARIES = [
    ("due yesterday", "pending", -1, None, CommitmentState.overdue),
    ("due today", "pending", 0, None, CommitmentState.due_soon),
    (
        f"due in exactly {DUE_SOON_DAYS} days",
        "pending",
        DUE_SOON_DAYS,
        None,
        CommitmentState.due_soon,
    ),
    (
        f"due in {DUE_SOON_DAYS + 1} days",
        "pending",
        DUE_SOON_DAYS + 1,
        None,
        CommitmentState.pending,
    ),
    ("no due date", "pending", None, None, CommitmentState.pending),
    ("done on the due date", "done", -3, -3, CommitmentState.done),
    ("done a day late", "done", -3, -2, CommitmentState.done_late),
    ("done with no due date", "done", None, -2, CommitmentState.done),
    ("dropped after its date", "dropped", -5, None, CommitmentState.dropped),
]


def _on(n: int | None) -> date | None:
    return None if n is None else days(n)


@pytest.fixture
def boundary_rows(seeded):
    ids = {}
    for label, status, due, completed, _state in BOUNDARIES:
        record = e.commitments.create(
            seeded.db, {"text": label, "body_id": seeded.icb_id, "due_date": _on(due)}
        )
        if status != "pending":
            e.commitments.update(
                seeded.db,
                record.id,
                {"status": status, "completed_on": _on(completed), "evidence": "Minutes"},
            )
        ids[label] = record.id
    deleted = e.commitments.create(
        seeded.db, {"text": "deleted while overdue", "body_id": seeded.icb_id, "due_date": days(-4)}
    )
    e.commitments.delete(seeded.db, deleted.id)
    return seeded, ids


def test_sql_and_python_agree_on_every_boundary(boundary_rows) -> None:
    seeded, ids = boundary_rows
    with seeded.db.reader() as connection:
        rows = {
            row.text: row
            for row in engagement.commitments(
                connection, f"c.id IN ({marks(len(ids))})", list(ids.values())
            )
        }
    assert "deleted while overdue" not in rows  # the recycle bin is never counted
    for label, status, due, completed, expected in BOUNDARIES:
        row = rows[label]
        assert row.state == expected, label
        assert commitment_state(status, _on(due), _on(completed)) == expected, label
        assert row.days_overdue == (None if due is None else -due), label


def test_overdue_and_due_soon_lists_hold_exactly_their_rows(boundary_rows) -> None:
    seeded, _ = boundary_rows
    board = dashboard.dashboard(seeded.db)
    overdue = [row.text for row in board.overdue]
    assert "due yesterday" in overdue
    assert not {"due today", "dropped after its date", "deleted while overdue"} & set(overdue)
    assert board.overdue_total == len(overdue)
    soon = [row.text for row in board.due_soon]
    assert {"due today", f"due in exactly {DUE_SOON_DAYS} days"} <= set(soon)
    assert f"due in {DUE_SOON_DAYS + 1} days" not in soon
    # the list page's filters read the same definition
    for label, wanted in (("Overdue", overdue), (f"Due in the next {DUE_SOON_DAYS} days", soon)):
        page = e.commitments.page(seeded.db, limit=100, where=views.commitment_filters()[label])
        assert sorted(r.text for r in page.rows) == sorted(wanted), label


def test_as_of_moves_sql_and_python_together(boundary_rows) -> None:
    seeded, ids = boundary_rows
    tomorrow = days(1)
    with clock.as_of(tomorrow):
        assert clock.today() == tomorrow
        board = dashboard.dashboard(seeded.db)
    assert clock.today() == TODAY
    assert "due today" in [row.text for row in board.overdue]
    assert board.today == tomorrow
    assert dashboard.dashboard(seeded.db, on=tomorrow).overdue_total == board.overdue_total


def test_status_words() -> None:
    assert status_text("pending", days(-1)) == "1 day overdue"
    assert status_text("pending", days(0)) == "Due today"
    assert status_text("pending", days(9)) == "Due in 9 days"
    assert status_text("pending", None) == "No date given"
    assert status_text("dropped", days(-9)) == "Dropped"
    kept = status_text("done", days(-12), days(-2))
    assert kept.startswith("Done on ") and kept.endswith("(10 days late)")
    assert "late" not in status_text("done", days(-2), days(-2))


def test_ask_states() -> None:
    assert ask_state(AskStatus.open) == AskState.open
    assert {
        ask_state(s) for s in (AskStatus.accepted, AskStatus.partly_met, AskStatus.declined)
    } == {AskState.answered}
    assert ask_state("withdrawn") == AskState.withdrawn


@pytest.mark.slow
def test_dashboard_counts_equal_the_command_line(seeded, capsys) -> None:
    db, path = seeded.db, seeded.db.path
    # the seed has one overdue commitment; it is done, so counting starts at 0
    [first] = dashboard.dashboard(db).overdue
    e.commitments.update(db, first.id, {"status": CommitmentStatus.done, "evidence": "Sent"})
    made = 0
    for wanted in (0, 1, 100, 150):
        while made < wanted:
            e.commitments.create(
                db,
                {
                    "text": f"Late {made}",
                    "body_id": seeded.trust_id,
                    "due_date": iso(-1 - made % 30),
                },
            )
            made += 1
        board = dashboard.dashboard(db)
        db.close()  # the command refuses to run beside an open window
        assert (
            main(
                ["--db", str(path), "list", "commitments", "--overdue", "--json", "--limit", "500"]
            )
            == 0
        )
        listed = json.loads(capsys.readouterr().out)
        db = open_database(path)
        assert board.overdue_total == len(listed) == wanted
        assert len(board.overdue) == min(wanted, dashboard.LISTED)
        assert all(row["overdue"] for row in listed)
        footprint = dashboard.engagement_summary(db, seeded.footprint_id)
        assert footprint.commitments_overdue == wanted
    db.close()


def test_no_second_definition_in_the_code() -> None:
    """Overdue and due soon are written once, in model/engagement.py."""
    root = Path(__file__).parents[1] / "stpdesk"
    suspicious = re.compile(
        r"due_date\)?\s*<\s*(on|today|\?)|timedelta\(days=14\)|DUE_SOON_DAYS\s*=|"
        r"status\s*=\s*'pending'|is_overdue\(self"
    )
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for path in root.rglob("*.py")
        if path.name != "engagement.py" or path.parent.name != "model"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if suspicious.search(line)
    ]
    assert found == []


def test_every_reader_takes_its_kinds_from_the_registry() -> None:
    from stpdesk.model import kinds
    from stpdesk.services import entities, exchange, exports, recycle

    assert {kind.entity for kind in exchange.KINDS} == {k.table for k in kinds.KINDS if k.merged}
    assert set(entities.BY_NAME) == set(kinds.BY_NAME)
    assert [name for name, _title in exports.SHEETS] == [k.name for k in kinds.KINDS if k.exported]
    assert tuple(k.name for k in kinds.KINDS if k.deletable) == recycle.RECOVERABLE
    for kind in kinds.KINDS:
        service = entities.BY_NAME[kind.name]
        assert service.spec.name == kind.table and service.spec.table is kind.model
        assert service.spec.soft_delete == kind.deletable, kind.name
        assert service.spec.archivable == kind.archivable, kind.name
    assert kinds.counted("meeting", 1) == "1 meeting"
    assert kinds.counted("body", 1204) == "1,204 bodies"


@pytest.mark.slow
def test_the_dashboard_headline_counts_every_overdue_commitment(qtbot, seeded) -> None:
    from conftest import open_window

    for n in range(150):  # with the seed's one: 151, more than the list shows
        e.commitments.create(
            seeded.db, {"text": f"Late {n}", "body_id": seeded.trust_id, "due_date": iso(-2)}
        )
    window = open_window(qtbot, seeded.db)
    try:
        board = window.dashboard
        assert "151 commitments overdue" in board.summary_line.text()
        lines = board.texts(board.overdue)
        assert len(lines) == dashboard.LISTED + 1
        assert lines[-1].startswith(f"… and {151 - dashboard.LISTED} more")
        window.grab().save(str(seeded.db.path.with_name("dashboard.png")))
    finally:
        window.ops.shutdown()
