"""Exports: CSV, XLSX, .ics, and a JSON dump that loads back losslessly."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, time, timedelta

import icalendar
import pytest
from conftest import days, iso
from openpyxl import load_workbook

from stpdesk.cli import main
from stpdesk.model.dates import parse_datetime
from stpdesk.services import entities as e
from stpdesk.services import exports, queries
from stpdesk.services.exports import LoadRefused
from stpdesk.store import open_database

AWKWARD = '=HYPERLINK("http://x")<b>&amp; Łódź 🧠\r\nline two\x07'


def comparable(db) -> dict:
    return exports.dump(db)["tables"]


def test_json_dump_round_trips_into_an_empty_database(seeded, tmp_path):
    db = seeded.db
    e.meetings.update(db, seeded.meeting_id, {"notes": AWKWARD.replace("\x07", "")})
    e.commitments.delete(db, seeded.commitment_ids[0])  # deleted records travel too
    e.bodies.archive(db, seeded.trust_id)
    path = tmp_path / "dump.json"
    exports.write_json(db, path)

    target = open_database(tmp_path / "new.sqlite")
    try:
        counts = exports.load(target, exports.read_json(path))
        assert counts["meeting"] == 1 and counts["audit_entry"] > 5
        assert comparable(target) == comparable(db)
        # the search index was filled as the rows went in
        assert [h.ref for h in queries.search(target, "Łódź")] == [seeded.meeting_id]
        assert e.meetings.get(target, seeded.meeting_id).notes == AWKWARD.replace("\x07", "")
    finally:
        target.close()


def test_dump_refuses_a_database_with_records_and_changes_nothing(seeded, tmp_path):
    data = exports.dump(seeded.db)
    before = comparable(seeded.db)
    with pytest.raises(LoadRefused, match="only into an empty database"):
        exports.load(seeded.db, data)
    assert comparable(seeded.db) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(version=99), "format version 99"),
        (lambda d: d.update(format="something"), "not a JSON dump"),
        (lambda d: d["tables"].update(wormhole=[]), "newer stpdesk"),
        (lambda d: d["tables"]["meeting"][0].update(starts_at="31/02/2026"), "meeting row 1"),
        (
            lambda d: d["tables"]["meeting_body"].append({"meeting_id": "x", "body_id": "y"}),
            "refers to records",
        ),
    ],
)
def test_malformed_dump_is_refused_whole(seeded, tmp_path, change, message):
    data = exports.dump(seeded.db)
    change(data)
    target = open_database(tmp_path / "new.sqlite")
    try:
        with pytest.raises(LoadRefused, match=message):
            exports.load(target, data)
        assert comparable(target)["meeting"] == [] and comparable(target)["audit_entry"] == []
    finally:
        target.close()


def test_truncated_json_file_is_refused(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text('{"format": "stpdesk-dump", "tables": {', encoding="utf-8")
    with pytest.raises(LoadRefused, match="not a complete JSON file"):
        exports.read_json(path)


def test_csv_export_reads_in_excel_and_defuses_formulas(seeded, tmp_path):
    e.meetings.update(seeded.db, seeded.meeting_id, {"notes": AWKWARD})
    written = exports.write_csv(seeded.db, tmp_path / "csv")
    assert {p.name for p in written} >= {"meetings.csv", "contacts.csv", "commitments.csv"}
    raw = (tmp_path / "csv" / "meetings.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read Ł as Ł
    with (tmp_path / "csv" / "meetings.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["title"] == "ICS partnership board"
    assert rows[0]["starts_at"] == f"{iso(-19)} 10:00"  # UK time
    assert rows[0]["notes"].startswith("'=HYPERLINK")
    assert "Łódź 🧠" in rows[0]["notes"]
    assert set(rows[0]["bodies"].split("; ")) == {
        "NHS Kent and Medway ICB",
        "Maidstone and Tunbridge Wells NHS Trust",
    }
    assert "Zofia Łukasiewicz" in rows[0]["attendees"]
    with (tmp_path / "csv" / "contacts.csv").open(encoding="utf-8-sig", newline="") as handle:
        contact = next(csv.DictReader(handle))
    assert contact["body"] == "NHS Kent and Medway ICB"


def test_xlsx_has_a_sheet_per_entity_with_real_dates_and_no_formulas(seeded, tmp_path):
    e.meetings.update(seeded.db, seeded.meeting_id, {"notes": AWKWARD, "agenda": "x" * 40_000})
    path = tmp_path / "all.xlsx"
    counts = exports.write_xlsx(seeded.db, path)
    assert counts["Meetings"] == 1 and counts["Commitments"] == 2 and counts["Asks"] == 2
    book = load_workbook(path)
    assert book.sheetnames[:4] == ["Meetings", "Asks", "Commitments", "Contacts"]
    sheet = book["Meetings"]
    headers = [cell.value for cell in sheet[1]]
    row = {h: c.value for h, c in zip(headers, sheet[2], strict=True)}
    assert row["starts_at"] == datetime.combine(days(-19), time(10))  # a real date, UK time
    assert (
        row["notes"].startswith("=HYPERLINK")
        and sheet.cell(2, headers.index("notes") + 1).data_type == "s"
    )
    assert "\x07" not in row["notes"]
    assert len(row["agenda"]) <= 32_767 and row["agenda"].endswith("see the JSON export)")
    commitments = book["Commitments"]
    c_headers = [cell.value for cell in commitments[1]]
    assert "body" in c_headers and "themes" in c_headers


def test_ics_export_of_upcoming_meetings_and_due_dates(seeded, tmp_path):
    path = tmp_path / "diary.ics"
    events = exports.write_ics(seeded.db, path, now=datetime.combine(days(-21), time(0), UTC))
    assert events == 3  # the meeting 19 days ago and both commitments due after it
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    found = {str(v["SUMMARY"]): v for v in cal.walk("VEVENT")}
    board = found["ICS partnership board"]
    assert board.decoded("DTSTART") == parse_datetime(f"{iso(-19)} 10:00")
    assert str(board["UID"]) == f"meeting-{seeded.meeting_id}@stpdesk"
    due = found["Due: Reply on board membership"]
    assert due.decoded("DTSTART").isoformat() == iso(9)
    assert "NHS Kent and Medway ICB" in str(due["DESCRIPTION"])
    [alarm] = due.walk("VALARM")  # Outlook reminds the councillor the day before, at 09:00
    assert str(alarm["ACTION"]) == "DISPLAY" and alarm.decoded("TRIGGER") == timedelta(hours=-15)
    later = exports.write_ics(seeded.db, path, now=datetime.combine(days(-2), time(0), UTC))
    assert later == 1


def test_cli_exports_and_json_import(seeded, db_path, tmp_path, capsys):
    out = tmp_path / "dump.json"
    assert main(["export", "json", "-o", str(out), "--db", str(db_path)]) == 0
    assert main(["export", "json", "-o", str(out), "--db", str(db_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    for kind, name in (
        ("xlsx", "a.xlsx"),
        ("ics", "a.ics"),
        ("csv", "csv"),
        ("bundle", "a.stpdesk"),
    ):
        assert main(["export", kind, "-o", str(tmp_path / name), "--db", str(db_path)]) == 0
    fresh = tmp_path / "fresh.sqlite"
    assert main(["import", "json", str(out), "--db", str(fresh)]) == 0
    assert "1 meeting," in capsys.readouterr().out
    assert main(["import", "json", str(out), "--db", str(fresh)]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2", encoding="utf-8")
    other = tmp_path / "other.sqlite"
    assert main(["import", "json", str(bad), "--db", str(other)]) == 2
    assert not other.exists()  # a database created for a failed load is not left behind
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "stpdesk-dump" and data["version"] == 1
