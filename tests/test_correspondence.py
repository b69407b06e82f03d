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
            [{"ask_id": asks[0], "outcome": "declined"}],
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
