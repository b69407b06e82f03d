"""A letter's life: sent, answered, and what each reply did to the asks it carried."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from conftest import days, iso, stpdesk_command  # noqa: F401

from stpdesk.cli import main
from stpdesk.model import clock
from stpdesk.model.engagement import is_awaiting_reply, reply_wait_days
from stpdesk.model.enums import AskStatus, LetterStatus
from stpdesk.model.working_days import (
    bank_holidays,
    is_working_day,
    latest_start_for,
    working_days_between,
)
from stpdesk.services import dashboard, exchange, exports, workflows
from stpdesk.services import entities as e
from stpdesk.services import letters as service
from stpdesk.store import open_database


@pytest.fixture
def letter(seeded):
    """A letter to the ICB carrying three asks, dated 60 days ago."""
    db = seeded.db
    third = e.asks.create(db, {"title": "Fund a housing officer", "body_id": seeded.icb_id})
    asks = [*seeded.ask_ids[:2], third.id]
    assert len(asks) == 3
    record = e.letters.create(
        db,
        {
            "template": "joint-solutions",
            "subject": "Housing and health",
            "recipient_contact_id": seeded.contact_id,
            "body_id": seeded.icb_id,
            "letter_date": days(-60),
            "signatory_ids": [seeded.member_id],
            "ask_ids": asks,
            "reference": "SDC/JS/1",
            "cc": "Kent County Council; Sevenoaks CVS",
        },
    )
    return seeded, record, asks


def test_sent_then_a_reply_moves_each_ask_and_its_history(letter) -> None:
    seeded, record, asks = letter
    db = seeded.db
    assert record.cc == ["Kent County Council", "Sevenoaks CVS"]
    sent = service.mark_sent(db, record.id, on=days(-59), by="email")
    assert (sent.status, sent.sent_on, sent.sent_by.value) == (
        LetterStatus.sent,
        days(-59),
        "email",
    )
    result = service.record_reply(
        db,
        record.id,
        on=days(-10),
        from_whom="Zofia Łukasiewicz",
        summary="We agree to the first, in part to the second.",
        file_ref="https://example.nhs.uk/reply.pdf",
        answers={asks[0]: "accepted", asks[1]: "partly_met", asks[2]: "no_answer"},
    )
    assert result.letter.status == LetterStatus.reply_received
    assert result.letter.reply_on == days(-10)
    statuses = [e.asks.get(db, ask_id) for ask_id in asks]
    assert [a.status for a in statuses] == [
        AskStatus.accepted,
        AskStatus.partly_met,
        AskStatus.open,
    ]
    assert statuses[0].responded_on == days(-10) and statuses[2].responded_on is None
    first = workflows.history(db, asks[0])[-1].summary
    assert first.startswith("Accepted in the reply from Zofia Łukasiewicz")
    assert "“Housing and health”" in first
    assert workflows.history(db, asks[1])[-1].summary.startswith("Partly met in the reply")
    assert workflows.history(db, asks[2])[-1].summary.startswith(
        "No answer in the reply from Zofia Łukasiewicz"
    )
    # the ask's page lists the letter that carried it and the reply
    assert [entry.id for entry in service.letters_for_ask(db, asks[1])] == [record.id]
    replies = service.replies_about_ask(db, asks[1])
    assert [(r.from_whom, r.outcomes[asks[1]].value) for r in replies] == [
        ("Zofia Łukasiewicz", "partly_met")
    ]
    assert len(service.replies_to(db, record.id)) == 1


def test_working_days_skip_christmas_and_bank_holiday_mondays() -> None:
    holidays = bank_holidays()
    assert holidays[date(2026, 12, 28)] == "Boxing Day (substitute day)"
    assert {date(2024, 1, 1), date(2030, 12, 26)} <= set(holidays)
    # Christmas 2026: 25th (Fri) and 28th (Mon, for Boxing Day) and New Year's Day are off
    assert working_days_between(date(2026, 12, 24), date(2027, 1, 4)) == 4
    assert not is_working_day(date(2026, 12, 28)) and is_working_day(date(2026, 12, 29))
    # Easter 2027: sent Thursday, Good Friday and Easter Monday off: 1 working day by Tuesday
    assert working_days_between(date(2027, 3, 25), date(2027, 3, 30)) == 1
    # the spring bank holiday Monday, 31 May 2027: Friday to Tuesday is one working day
    assert working_days_between(date(2027, 5, 28), date(2027, 6, 1)) == 1
    assert working_days_between(date(2027, 1, 4), date(2027, 1, 4)) == 0
    # the cut-off is the latest sending day that has waited long enough
    cutoff = latest_start_for(date(2027, 1, 4), 4)
    assert cutoff == date(2026, 12, 28)  # a bank holiday: sent then, it has waited 4
    assert working_days_between(cutoff, date(2027, 1, 4)) == 4
    assert working_days_between(date(2026, 12, 29), date(2027, 1, 4)) == 3
    waited = reply_wait_days("sent", date(2026, 12, 24), today=date(2027, 1, 4))
    assert waited == 4
    assert not is_awaiting_reply("sent", date(2026, 12, 24), today=date(2027, 1, 4))
    assert reply_wait_days("reply_received", date(2026, 12, 24), today=date(2027, 1, 4)) is None


def test_the_dashboard_lists_letters_awaiting_a_reply(letter) -> None:
    seeded, record, _asks = letter
    db = seeded.db
    service.mark_sent(db, record.id, on=days(-59))
    recent = e.letters.create(
        db,
        {
            "template": "joint-solutions",
            "subject": "Sent last week",
            "recipient_address": "NHS England",
            "letter_date": days(-3),
        },
    )
    service.mark_sent(db, recent.id, on=days(-3))
    data = dashboard.dashboard(db)
    assert [line.id for line in data.awaiting_reply] == [record.id]
    assert data.awaiting_reply_total == 1
    line = data.awaiting_reply[0]
    assert line.recipient == "Zofia Łukasiewicz" and line.sent_on == days(-59)
    assert line.waited == working_days_between(days(-59), clock.today()) >= 20
    # a reply takes it off the list; so does deleting it
    service.record_reply(db, record.id, on=days(-1), from_whom="Zofia Łukasiewicz")
    assert dashboard.dashboard(db).awaiting_reply == []
    # and the same definition drives `list letters --json`
    rows = _letters_json(db.path)
    assert rows[record.id]["replies"] == 1 and rows[record.id]["awaiting_reply_days"] is None
    assert rows[recent.id]["awaiting_reply_days"] == working_days_between(days(-3), clock.today())
    assert rows[record.id]["reference"] == "SDC/JS/1"
    assert rows[record.id]["cc"] == ["Kent County Council", "Sevenoaks CVS"]
    assert rows[record.id]["sent_on"] == iso(-59)


def _letters_json(db_path: Path) -> dict[str, dict]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["list", "letters", "--json", "--db", str(db_path)]) == 0
    return {row["id"]: row for row in json.loads(out.getvalue())}


def _state(db_path: Path) -> tuple:
    with sqlite3.connect(db_path) as connection:
        return (
            connection.execute("SELECT * FROM letter ORDER BY id").fetchall(),
            connection.execute("SELECT * FROM letter_reply ORDER BY id").fetchall(),
            connection.execute("SELECT id, status, responded_on FROM ask ORDER BY id").fetchall(),
            connection.execute("SELECT count(*) FROM audit_entry").fetchone(),
        )


def test_cli_refuses_bad_ids_and_dates_with_exit_2_and_changes_nothing(
    letter, capsys: pytest.CaptureFixture[str]
) -> None:
    seeded, record, asks = letter
    db_path = str(seeded.db.path)
    before = _state(seeded.db.path)
    refused = {
        ("sent", "nope"): "There is no letter with id nope",
        ("sent", record.id, "--on", "31/02/2027"): "Letter sent on: 31 February 2027 is not a date",
        ("sent", record.id, "--on", iso(5)): "is after today",
        ("sent", record.id, "--on", iso(-61)): "is before the letter's date",
        ("sent", record.id, "--by", "pigeon"): "invalid choice",
        ("reply", record.id, "--on", "yesterday", "--from", "X"): "is not a date",
        ("reply", record.id, "--on", iso(-70), "--from", "X"): "is before the letter is dated",
        ("reply", record.id, "--on", iso(-1), "--from", "X", "--ask", "nope=accepted"): (
            "nope is not an ask this letter carried"
        ),
        ("reply", record.id, "--on", iso(-1), "--from", "X", "--ask", f"{asks[0]}=maybe"): (
            "“maybe” is not one of accepted, partly_met, declined, no_answer"
        ),
        ("reply", "nope", "--on", iso(-1), "--from", "X"): "There is no letter with id nope",
        ("reply", record.id, "--on", iso(-1), "--from", "X", "--file", "/no/such.pdf"): (
            "--file: there is no file at /no/such.pdf"
        ),
    }
    for args, message in refused.items():
        assert main(["letter", args[0], "--db", db_path, *args[1:]]) == 2, args
        assert message in capsys.readouterr().err, args
    assert _state(seeded.db.path) == before

    assert (
        main(["letter", "sent", record.id, "--db", db_path, "--on", iso(-59), "--by", "post"]) == 0
    )
    assert "sent on" in capsys.readouterr().out
    args = ["letter", "reply", record.id, "--db", db_path, "--on", iso(-2), "--from", "ICB"]
    assert main([*args, "--ask", f"{asks[2]}=declined", "--summary", "No funds."]) == 0
    out = capsys.readouterr().out
    assert "Fund a housing officer: declined (now declined)" in out
    assert e.asks.get(seeded.db, asks[2]).status == AskStatus.declined


def test_a_reply_survives_export_and_bundle(letter, tmp_path: Path) -> None:
    seeded, record, asks = letter
    db = seeded.db
    service.mark_sent(db, record.id, on=days(-59))
    reply = service.record_reply(
        db, record.id, on=days(-5), from_whom="ICB", answers={asks[0]: "declined"}
    ).reply
    assert exports.DUMP_TABLES.count(type(reply)) == 1
    assert "letter_reply" in exchange.BY_ENTITY
    dump = tmp_path / "dump.json"
    exports.write_json(db, dump)
    loaded = open_database(tmp_path / "loaded.sqlite")
    try:
        exports.load(loaded, exports.read_json(dump))
        kept = e.replies.get(loaded, reply.id)
        assert (kept.from_whom, kept.answers) == (
            "ICB",
            [{"ask_id": asks[0], "outcome": "declined", "was": "open"}],
        )
        assert e.letters.get(loaded, record.id).sent_on == days(-59)
    finally:
        loaded.close()
    bundle = tmp_path / "out.stpdesk"
    exchange.export_bundle(db, bundle)
    laptop = open_database(tmp_path / "laptop.sqlite")
    try:
        exchange.import_bundle(laptop, bundle)
        assert e.replies.get(laptop, reply.id).received_on == days(-5)
        assert [r.id for r in service.replies_to(laptop, record.id)] == [reply.id]
    finally:
        laptop.close()


def test_packs_list_our_letters_awaiting_a_reply(letter) -> None:
    import io

    from conftest import long_date
    from pypdf import PdfReader

    from stpdesk.documents import packs

    seeded, record, _asks = letter
    service.mark_sent(seeded.db, record.id, on=days(-59))
    waited = working_days_between(days(-59), clock.today())
    for pdf in (
        packs.meeting_pack(seeded.db, seeded.meeting_id),  # the ICB is at the meeting
        packs.footprint_pack(seeded.db, seeded.footprint_id),
    ):
        text = " ".join(
            " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
        )
        assert "Our letters awaiting a reply" in text
        assert (
            f"Housing and health, to Zofia Łukasiewicz: sent {long_date(-59)}, "
            f"{waited} working days without a reply." in text
        )
    service.record_reply(seeded.db, record.id, on=days(-1), from_whom="Zofia Łukasiewicz")
    pdf = packs.meeting_pack(seeded.db, seeded.meeting_id)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "No letter of ours to them is waiting for a reply." in text


def test_a_reply_corrected_deleted_and_restored_moves_its_asks_and_letter(letter) -> None:
    seeded, record, asks = letter
    db = seeded.db
    service.mark_sent(db, record.id, on=days(-59))
    e.asks.update(db, asks[1], {"status": "declined"})  # declined before any reply
    first = service.record_reply(
        db, record.id, on=days(-20), from_whom="ICB", answers={asks[0]: "partly_met"}
    ).reply
    second = service.record_reply(
        db,
        record.id,
        on=days(-10),
        from_whom="ICB chair",
        answers={asks[0]: "accepted", asks[1]: "accepted"},
    ).reply
    status = lambda ask_id: e.asks.get(db, ask_id).status  # noqa: E731
    assert (status(asks[0]), status(asks[1])) == (AskStatus.accepted, AskStatus.accepted)

    # the second reply in fact declined the first ask and said nothing of the second
    change = service.correct_reply(
        db, second.id, from_whom="ICB chief executive", answers={asks[1]: "no_answer"}
    )
    assert change.reply.from_whom == "ICB chief executive"
    assert status(asks[0]) == AskStatus.accepted  # kept: only the second ask was corrected
    assert status(asks[1]) == AskStatus.declined  # back to what it was before the reply
    assert (
        "Corrected the reply from ICB chief executive" in workflows.history(db, asks[1])[-1].summary
    )

    # deleting the later reply leaves the first ask where the earlier reply put it
    change = service.delete_reply(db, second.id)
    assert status(asks[0]) == AskStatus.partly_met
    assert e.asks.get(db, asks[0]).responded_on == days(-20)
    assert change.letter.reply_on == days(-20)
    assert [r.id for r in service.replies_to(db, record.id)] == [first.id]

    # deleting the only reply: the ask is open again and the letter awaits a reply
    change = service.delete_reply(db, first.id)
    assert status(asks[0]) == AskStatus.open and e.asks.get(db, asks[0]).responded_on is None
    assert (change.letter.status, change.letter.reply_on) == (LetterStatus.sent, None)
    assert service.replies_to(db, record.id) == []
    assert _letters_json(seeded.db.path)[record.id]["replies"] == 0

    # both are in Recently deleted, and come back with what they did
    from stpdesk.services import recycle

    binned = {row.id: row.kind for row in recycle.recently_deleted(db)}
    assert binned[first.id] == binned[second.id] == "replies"
    recycle.restore(db, first.id)
    assert status(asks[0]) == AskStatus.partly_met
    assert e.letters.get(db, record.id).status == LetterStatus.reply_received


def test_an_ask_changed_by_hand_after_the_reply_keeps_the_hand_change(letter) -> None:
    seeded, record, asks = letter
    db = seeded.db
    reply = service.record_reply(
        db, record.id, on=days(-10), from_whom="ICB", answers={asks[0]: "accepted"}
    ).reply
    e.asks.update(db, asks[0], {"status": "withdrawn"})
    change = service.delete_reply(db, reply.id)
    assert change.asks == []
    assert e.asks.get(db, asks[0]).status == AskStatus.withdrawn


def test_correcting_a_reply_is_checked_as_recording_one(letter) -> None:
    from stpdesk.services.errors import NotFound, ValidationFailed

    seeded, record, asks = letter
    db = seeded.db
    reply = service.record_reply(
        db, record.id, on=days(-10), from_whom="ICB", answers={asks[0]: "accepted"}
    ).reply
    before = _state(seeded.db.path)
    for bad in (
        {"on": days(3)},
        {"on": days(-70)},
        {"from_whom": ""},
        {"answers": {"nope": "accepted"}},
        {"answers": {asks[0]: "maybe"}},
    ):
        with pytest.raises(ValidationFailed):
            service.correct_reply(db, reply.id, **bad)
    with pytest.raises(NotFound):
        service.correct_reply(db, "nope", from_whom="X")
    assert _state(seeded.db.path) == before


def test_cli_lists_corrects_and_deletes_replies(letter, capsys: pytest.CaptureFixture[str]) -> None:
    seeded, record, asks = letter
    db_path = str(seeded.db.path)
    args = ["letter", "reply", record.id, "--db", db_path, "--on", iso(-5), "--from", "ICB"]
    assert main([*args, "--ask", f"{asks[2]}=declined"]) == 0
    assert main(["letter", "replies", record.id, "--db", db_path, "--json"]) == 0
    out = capsys.readouterr().out
    listed = json.loads(out[out.index("[") :])
    reply_id = listed[0]["id"]
    assert listed[0]["asks"] == {asks[2]: "declined"}

    before = _state(seeded.db.path)
    for bad, message in (
        (["reply-correct", "nope", "--from", "X"], "There is no reply with id nope"),
        (["reply-correct", reply_id, "--on", iso(2)], "is after today"),
        (["reply-correct", reply_id, "--ask", f"{asks[2]}=maybe"], "is not one of"),
        (["reply-delete", "nope"], "There is no reply with id nope"),
        (["replies", "nope"], "There is no letter with id nope"),
    ):
        assert main(["letter", bad[0], "--db", db_path, *bad[1:]]) == 2, bad
        assert message in capsys.readouterr().err, bad
    assert _state(seeded.db.path) == before

    correct = ["letter", "reply-correct", reply_id, "--db", db_path]
    assert main([*correct, "--ask", f"{asks[2]}=accepted"]) == 0
    assert "Fund a housing officer: now accepted" in capsys.readouterr().out
    assert main(["letter", "reply-delete", reply_id, "--db", db_path]) == 0
    out = capsys.readouterr().out
    assert "moved to Recently deleted" in out and "Fund a housing officer: now open" in out
    assert e.asks.get(seeded.db, asks[2]).status == AskStatus.open
    assert main(["deleted", "--restore", reply_id, "--db", db_path]) == 0
    assert e.asks.get(seeded.db, asks[2]).status == AskStatus.accepted


def test_a_letter_is_found_by_its_reference_and_copies(letter) -> None:
    from stpdesk.services import queries

    seeded, record, _asks = letter
    found = queries.search(seeded.db, "SDC/JS/1")
    assert [(hit.kind, hit.ref) for hit in found] == [("letter", record.id)]
    assert [hit.ref for hit in queries.search(seeded.db, "Sevenoaks CVS")] == [record.id]
    e.letters.update(seeded.db, record.id, {"reference": "KCC/2027/9"})
    assert queries.search(seeded.db, "SDC/JS/1") == []
    assert [hit.ref for hit in queries.search(seeded.db, "KCC/2027/9")] == [record.id]


def test_the_letter_page_corrects_and_deletes_a_reply(qtbot, letter, monkeypatch) -> None:
    from conftest import open_window
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    seeded, record, asks = letter
    db = seeded.db
    reply = service.record_reply(
        db, record.id, on=days(-10), from_whom="ICB", answers={asks[0]: "accepted"}
    ).reply
    window = open_window(qtbot, db)
    editor = window.open_record("letters", record.id)
    assert not editor.correct_button.isEnabled() and not editor.delete_reply_button.isEnabled()
    editor.replies.setCurrentRow(0)
    assert editor.correct_button.isEnabled()

    qtbot.mouseClick(editor.correct_button, Qt.MouseButton.LeftButton)
    dialog = editor.reply_dialog
    assert dialog.windowTitle().startswith("Correct a reply")
    assert dialog.form.fields["from_whom"].text() == "ICB"
    choice = dialog.outcomes[asks[0]]
    assert choice.currentData() == "accepted"
    choice.setCurrentIndex(choice.findData("declined"))
    dialog.form.fields["from_whom"].setText("ICB chair")
    with qtbot.waitSignal(dialog.finished_ok, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert e.asks.get(db, asks[0]).status == AskStatus.declined
    qtbot.waitUntil(lambda: "from ICB chair" in editor.replies.item(0).text())
    title = e.asks.get(db, asks[0]).title
    assert f"Declined: {title}" in editor.replies.item(0).text()

    editor.replies.setCurrentRow(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(window.ops.idle, timeout=5000):
        qtbot.mouseClick(editor.delete_reply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.replies.item(0).text() == "No reply recorded yet.")
    assert e.asks.get(db, asks[0]).status == AskStatus.open
    assert e.replies.get(db, reply.id, include_deleted=True).deleted_at is not None
    editor.mark_clean()
    editor.close()
