"""Holding partners to account: every date a commitment slipped to is kept, delivery is
recorded with its evidence, and each commitment is rated red, amber or green."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from conftest import days

from stpdesk.cli import main
from stpdesk.model import clock, engagement
from stpdesk.model.engagement import Thresholds, rag, rag_rule, revisions_of, use_thresholds
from stpdesk.model.enums import CommitmentStatus, EvidenceKind, Rag
from stpdesk.services import entities as e
from stpdesk.services import exchange, exports, views, workflows
from stpdesk.services.errors import ServiceError, ValidationFailed
from stpdesk.store import open_database
from stpdesk.store.backup import make_backup, restore_backup
from stpdesk.store.schema import REVISIONS


def _slipped_twice(seeded) -> str:
    """The seed's commitment due in 9 days, moved twice (once at the meeting)."""
    cid = seeded.commitment_ids[1]
    workflows.reschedule(
        seeded.db,
        cid,
        new_due_date=days(30),
        reason="Board papers late",
        meeting_id=seeded.meeting_id,
    )
    workflows.reschedule(seeded.db, cid, new_due_date=days(60), reason="Awaiting NHS England")
    return cid


def _history(db, cid: str) -> tuple:
    record = e.commitments.get(db, cid)
    moves = [
        (r.moved_from, r.moved_to, r.reason, r.meeting_id) for r in revisions_of(record.revisions)
    ]
    return record.original_due_date, record.due_date, moves


def test_rescheduling_keeps_the_original_and_every_move(seeded) -> None:
    cid = _slipped_twice(seeded)
    original, due, moves = _history(seeded.db, cid)
    assert original == days(9) and due == days(60)
    assert moves == [
        (days(9), days(30), "Board papers late", seeded.meeting_id),
        (days(30), days(60), "Awaiting NHS England", None),
    ]
    [row] = [r for r in views.list_rows(seeded.db, "commitments")[0] if r["id"] == cid]
    assert row["original_due_date"] == days(9).isoformat() and row["revisions"] == 2
    assert row["rag"] == "red"  # moved twice
    text = engagement.slippage_text(original, due, 2)
    assert text.startswith("due ") and "moved twice, now" in text


def test_the_due_date_moves_only_by_reschedule(seeded) -> None:
    cid = seeded.commitment_ids[1]
    with seeded.db.session() as session:  # entered two days ago
        record = e.commitments.get_in(session, cid)
        record.created_at = clock.now() - timedelta(days=2)
        session.add(record)
    with pytest.raises(ValidationFailed) as refused:
        e.commitments.update(seeded.db, cid, {"due_date": days(40)})
    assert "use Reschedule" in str(refused.value)
    assert e.commitments.get(seeded.db, cid).due_date == days(9)


def test_a_same_day_correction_moves_the_original_too(seeded) -> None:
    record = e.commitments.create(
        seeded.db, {"text": "Typo", "body_id": seeded.icb_id, "due_date": days(5)}
    )
    e.commitments.update(seeded.db, record.id, {"due_date": days(50)})
    fixed = e.commitments.get(seeded.db, record.id)
    assert (fixed.original_due_date, fixed.due_date, fixed.revisions) == (days(50), days(50), None)


def test_bad_reschedules_change_nothing(seeded) -> None:
    cid = seeded.commitment_ids[1]
    before = _history(seeded.db, cid)
    for kwargs, message in (
        (
            {"new_due_date": "31 February 2027", "reason": "x"},
            "new due date: 31 February 2027 is not a date",
        ),
        ({"new_due_date": days(20), "reason": "  "}, "say why"),
        (
            {"new_due_date": days(20), "reason": "x", "meeting_id": "nope"},
            "no meeting with id nope",
        ),
        ({"new_due_date": days(9), "reason": "x"}, "already due"),
    ):
        with pytest.raises(ServiceError) as refused:
            workflows.reschedule(seeded.db, cid, **kwargs)
        assert message in str(refused.value)
    assert _history(seeded.db, cid) == before


def test_revisions_survive_export_bundle_and_restore(seeded, tmp_path) -> None:
    cid = _slipped_twice(seeded)
    kept = _history(seeded.db, cid)
    # JSON dump into a fresh database
    dump = tmp_path / "dump.json"
    exports.write_json(seeded.db, dump)
    loaded = open_database(tmp_path / "loaded.sqlite")
    exports.load(loaded, exports.read_json(dump))
    assert _history(loaded, cid) == kept
    loaded.close()
    # a bundle to another laptop
    laptop = open_database(tmp_path / "laptop.sqlite")
    exchange.export_bundle(seeded.db, tmp_path / "a.stpdesk")
    exchange.import_bundle(laptop, tmp_path / "a.stpdesk")
    assert _history(laptop, cid) == kept
    laptop.close()
    # a backup taken now, restored after a third move
    path = seeded.db.path
    seeded.db.close()
    backup = make_backup(path)
    db = open_database(path)
    workflows.reschedule(db, cid, new_due_date=days(90), reason="Again")
    db.close()
    restore_backup(path, backup, known_revisions=REVISIONS)
    db = open_database(path)
    assert _history(db, cid) == kept
    db.close()


def test_done_records_when_and_how_we_know(seeded) -> None:
    cid = seeded.commitment_ids[0]  # 12 days overdue
    done = workflows.mark_done(
        seeded.db,
        cid,
        evidence="Figures tabled",
        completed_on=days(-2),
        evidence_kind="meeting",
        evidence_ref=seeded.meeting_id,
    )
    assert done.evidence_kind == EvidenceKind.meeting and done.evidence_ref == seeded.meeting_id
    [row] = [r for r in views.list_rows(seeded.db, "commitments")[0] if r["id"] == cid]
    assert row["delivered_on"] == days(-2).isoformat() and row["days_late"] == 10
    assert row["rag"] == "amber"  # done, but late


def test_done_with_a_missing_meeting_changes_nothing(seeded) -> None:
    cid = seeded.commitment_ids[0]
    with pytest.raises(ValidationFailed) as refused:
        workflows.mark_done(
            seeded.db, cid, evidence="x", evidence_kind="meeting", evidence_ref="gone"
        )
    assert "no meeting with id gone" in str(refused.value)
    assert e.commitments.get(seeded.db, cid).status == CommitmentStatus.pending


@pytest.mark.parametrize(
    ("status", "due", "completed", "moves", "expected"),
    [
        ("pending", -1, None, 0, Rag.red),  # overdue
        ("pending", 0, None, 0, Rag.amber),  # due today: within the window
        ("pending", 14, None, 0, Rag.amber),  # the window's last day
        ("pending", 15, None, 0, Rag.green),  # on track
        ("pending", 15, None, 1, Rag.amber),  # moved once
        ("pending", 15, None, 2, Rag.red),  # moved twice
        ("pending", None, None, 0, Rag.green),
        ("done", -3, -3, 0, Rag.green),  # on the day
        ("done", -3, -2, 0, Rag.amber),  # a day late
        ("done", -3, -4, 2, Rag.green),  # delivered early, however often it moved
        ("dropped", -3, None, 0, None),
    ],
)
def test_rag_on_each_boundary(seeded, status, due, completed, moves, expected) -> None:
    on = lambda n: None if n is None else days(n)  # noqa: E731
    assert rag(status, on(due), on(completed), moves) == expected
    record = e.commitments.create(
        seeded.db, {"text": "Rated", "body_id": seeded.icb_id, "due_date": on(due)}
    )
    with seeded.db.session() as session:  # the stored shape, written straight in
        stored = session.get(type(record), record.id)
        stored.status = CommitmentStatus(status)
        stored.completed_on = on(completed)
        stored.revisions = [{"from": None, "to": days(1).isoformat()}] * moves or None
        session.add(stored)
    with seeded.db.reader() as connection:
        (value,) = connection.execute(
            f"SELECT {engagement.rag_sql('c')} FROM commitment c WHERE id = ?", (record.id,)
        ).fetchone()
    assert value == (expected.value if expected else None)


def test_thresholds_come_from_preferences(seeded) -> None:
    try:
        use_thresholds(Thresholds(due_soon_days=30, amber_moves=3, red_moves=5))
        assert rag("pending", days(20), None, 2) == Rag.amber  # within 30 days
        assert rag("pending", days(40), None, 2) == Rag.green  # two moves: under three
        assert "30 days" in rag_rule() and "5 times" in rag_rule()
        from stpdesk.services import dashboard

        assert [c.text for c in dashboard.dashboard(seeded.db).due_soon] == [
            "Reply on board membership"
        ]
    finally:
        use_thresholds(Thresholds())


def test_command_line_list_carries_the_record(seeded, capsys) -> None:
    cid = _slipped_twice(seeded)
    path = seeded.db.path
    seeded.db.close()
    assert main(["--db", str(path), "list", "commitments", "--json"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows[cid]["revisions"] == 2 and rows[cid]["rag"] == "red"
    assert {"original_due_date", "delivered_on", "days_late"} <= set(rows[cid])


def test_promises_kept_equal_a_count_by_hand(seeded) -> None:
    from stpdesk.services import promises

    db, trust = seeded.db, seeded.trust_id

    def made(body: str, due: int, text: str, direction: str = "to_us") -> str:
        record = e.commitments.create(
            db, {"text": text, "body_id": body, "due_date": days(due), "direction": direction}
        )
        return record.id

    # the trust (beside the seed's one 12 days overdue): two on time, two late (3 and 9
    # days), one overdue, one dropped, one deleted, one moved past today
    for n in range(2):
        workflows.mark_done(
            db, made(trust, -20, f"on time {n}"), evidence="x", completed_on=days(-21)
        )
    workflows.mark_done(db, made(trust, -20, "late 3"), evidence="x", completed_on=days(-17))
    workflows.mark_done(db, made(trust, -20, "late 9"), evidence="x", completed_on=days(-11))
    made(trust, -5, "overdue")
    workflows.drop(db, made(trust, -30, "dropped"), reason="Superseded")
    e.commitments.delete(db, made(trust, -8, "deleted"))
    moved = made(trust, -40, "moved, not yet due")
    workflows.reschedule(db, moved, new_due_date=days(10), reason="Waiting for funding")
    made(trust, 30, "not yet due at all")  # outside the period: first due in the future
    made(trust, -3, "ours, overdue", direction="by_us")

    record = promises.promise_record(db, body_id=trust)
    [line] = record.bodies
    tally = line.to_us
    assert (tally.made, tally.on_time, tally.late, tally.overdue, tally.dropped, tally.to_come) == (
        8,
        2,
        2,
        2,
        1,
        1,
    )
    assert tally.median_days_late == 6 and tally.moved == 1
    assert (line.by_us.made, line.by_us.overdue) == (1, 1)
    worst = [row.text for row in record.worst]
    assert worst == ["Share discharge data with the housing team", "overdue", "moved, not yet due"]

    # the footprint holds the ICB too, whose one commitment is not yet due
    footprint = promises.promise_record(db, footprint_id=seeded.footprint_id)
    assert (footprint.to_us.made, footprint.to_us.overdue) == (8, 2)
    # a period from 25 days ago leaves out the two first due 30 and 40 days ago
    recent = promises.promise_record(db, body_id=trust, since=days(-25))
    assert recent.bodies[0].to_us.made == 6 and recent.bodies[0].to_us.dropped == 0
    with pytest.raises(ServiceError):
        promises.promise_record(db, body_id="nope")


def test_preferences_set_the_rating_thresholds(qtbot, seeded) -> None:
    from conftest import open_window

    from stpdesk.config import load_settings
    from stpdesk.model.engagement import thresholds

    window = open_window(qtbot, seeded.db)
    try:
        dialog = window.show_preferences()
        dialog.profile.fields["name"].setText("Sevenoaks District Council")
        assert "Red: overdue" in dialog.rule.text()
        dialog.amber_moves.setValue(3)  # more than red's 2: refused, nothing saved
        dialog.save()
        assert "no more than the moves for red" in dialog.rating_problem.text()
        assert load_settings().amber_after_moves == 1
        dialog.red_moves.setValue(4)
        dialog.due_soon.setValue(30)
        with qtbot.waitSignal(dialog.saved, timeout=5000):
            dialog.save()
        saved = load_settings()
        assert (saved.due_soon_days, saved.amber_after_moves, saved.red_after_moves) == (30, 3, 4)
        assert thresholds() == Thresholds(30, 3, 4)
    finally:
        use_thresholds(Thresholds())
        window.ops.shutdown()


def test_command_line_reschedule_and_done(seeded, capsys) -> None:
    cid, path = seeded.commitment_ids[1], str(seeded.db.path)
    seeded.db.close()
    run = lambda *argv: main(["--db", path, "commitment", *argv])  # noqa: E731
    assert run("reschedule", cid, "--to", days(20).isoformat(), "--reason", "Papers late") == 0
    assert "moved once, now" in capsys.readouterr().out
    # refused, each with a plain message and nothing changed
    for argv, message in (
        (("reschedule", "nope", "--to", days(30).isoformat(), "--reason", "x"), "nope"),
        (("reschedule", cid, "--to", "31/02/2027", "--reason", "x"), "not a date"),
        (
            ("reschedule", cid, "--to", days(30).isoformat(), "--reason", "x", "--meeting", "m"),
            "no meeting",
        ),
        (("done", cid, "--evidence", "x", "--on", days(5).isoformat()), "future"),
        (("done", cid, "--evidence", "x", "--how", "letter", "--ref", "gone"), "no letter"),
        (("done", cid, "--evidence", "x", "--how", "rumour"), "invalid choice"),
    ):
        assert run(*argv) == 2, argv
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (argv, err)
    db = open_database(seeded.db.path)
    record = e.commitments.get(db, cid)
    assert (record.due_date, len(record.revisions)) == (days(20), 1)
    db.close()
    assert (
        run(
            "done",
            cid,
            "--evidence",
            "Report received",
            "--how",
            "document",
            "--ref",
            "https://example.org/r.pdf",
        )
        == 0
    )
    db = open_database(seeded.db.path)
    record = e.commitments.get(db, cid)
    assert (record.status, record.evidence_kind, record.evidence_ref) == (
        CommitmentStatus.done,
        EvidenceKind.document,
        "https://example.org/r.pdf",
    )
    db.close()


def test_a_daily_reminder_of_what_falls_due(qtbot, seeded) -> None:
    from conftest import open_window

    e.commitments.create(
        seeded.db, {"text": "Due today", "body_id": seeded.icb_id, "due_date": days(0)}
    )
    e.commitments.create(
        seeded.db, {"text": "Due yesterday", "body_id": seeded.icb_id, "due_date": days(-1)}
    )
    window = open_window(qtbot, seeded.db)
    try:
        with qtbot.waitSignal(window.reminders.shown, timeout=5000) as shown:
            window.reminders.check()
        assert shown.args == ["1 commitment due today; 2 overdue (1 since today)."]
        with qtbot.assertNotEmitted(window.reminders.shown, wait=300):
            window.reminders.check()  # once a day
    finally:
        window.ops.shutdown()


def test_chasing_a_slipped_commitment_puts_its_history_in_the_letter(seeded, tmp_path) -> None:
    from conftest import long_date
    from pypdf import PdfReader

    from stpdesk.documents import letters as letter_documents
    from stpdesk.services.letters import LetterRequest

    cid = _slipped_twice(seeded)
    body_id = e.commitments.get(seeded.db, cid).body_id
    request = LetterRequest(
        template="overdue-commitments",
        to_contact_id=seeded.contact_id,
        body_id=body_id,
        signatory_ids=[seeded.member_id],
        commitment_ids=[cid],
    )
    pdf = letter_documents.preview_pdf(seeded.db, request)

    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Commitments we are following up" in text
    assert f"First due {long_date(9)}." in text
    assert f"moved to {long_date(30)}: Board papers late." in text
    assert f"moved to {long_date(60)}: Awaiting NHS England." in text
    with pytest.raises(ValidationFailed) as refused:
        letter_documents.preview_pdf(
            seeded.db, LetterRequest(**{**request.__dict__, "commitment_ids": ["nope"]})
        )
    assert "no commitment with id nope" in str(refused.value)


@pytest.mark.qt_log_ignore("This plugin does not support")  # the picker's pop-up, offscreen
def test_reschedule_in_the_app_and_chase_in_one_step(qtbot, seeded, tmp_path) -> None:
    from conftest import long_date, open_window, pick
    from PySide6.QtCore import Qt

    window = open_window(qtbot, seeded.db)
    try:
        cid = seeded.commitment_ids[1]  # due in 9 days
        editor = window.open_record("commitments", cid)
        assert editor.slipped_label.text() == "Never moved"
        assert not editor.chase_button.isEnabled()  # not overdue, never moved
        qtbot.mouseClick(editor.reschedule_button, Qt.MouseButton.LeftButton)
        dialog = editor.workflow_dialog
        dialog.form.fields["due_date"].setText(long_date(30))
        qtbot.keyClicks(dialog.form.fields["reason"], "Board papers late")
        pick(qtbot, dialog.form.fields["meeting_id"], "ICS partnership")
        dialog.grab().save(str(tmp_path / "reschedule.png"))
        with qtbot.waitSignal(dialog.finished_ok, timeout=5000):
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        record = e.commitments.get(seeded.db, cid)
        assert revisions_of(record.revisions)[0].meeting_id == seeded.meeting_id
        assert editor.slipped_label.text() == f"due {long_date(9)}, moved once, now {long_date(30)}"
        assert editor.form.fields["due_date"].isReadOnly()
        assert editor.chase_button.isEnabled()
        editor.grab().save(str(tmp_path / "editor.png"))

        editor.chase()
        composer = editor.composer
        with qtbot.waitSignal(composer.ready, timeout=10_000):
            pass
        request = composer.request()
        assert request.template == "overdue-commitments" and request.commitment_ids == [cid]
        assert request.body_id == record.body_id
        composer.close()
    finally:
        window.ops.shutdown()
