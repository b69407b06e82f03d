"""Importing meetings from real-world shaped .ics files and contacts from CSV and vCard."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import func, select

from stpdesk.cli import main
from stpdesk.model import tables as t
from stpdesk.model.enums import Attendance, MeetingKind
from stpdesk.services import entities as e
from stpdesk.services import imports
from stpdesk.services.imports import ImportRefused

DATA = Path(__file__).parent / "data"

# The sample calendars hold events around this day; the import window is centred on it.
CALENDAR_DAY = date(2026, 11, 22)


def count(db, model) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def meetings_by_title(db) -> dict[str, list[t.Meeting]]:
    found: dict[str, list[t.Meeting]] = {}
    for meeting in e.meetings.page(db, limit=500, order_by="starts_at", descending=False).rows:
        found.setdefault(meeting.title, []).append(meeting)
    return found


@pytest.fixture
def people(db):
    icb = e.bodies.create(db, {"name": "NHS Kent and Medway ICB", "kind": "icb"})
    zofia = e.contacts.create(
        db, {"name": "Zofia Łukasiewicz", "email": "zofia@nhs.example", "body_id": icb.id}
    )
    lowe = e.members.create(
        db, {"name": "Michelle Lowe", "email": "michelle.lowe@sevenoaks.example"}
    )
    return icb, zofia, lowe


def test_outlook_calendar_with_windows_zone_rrule_exdate_override_and_all_day(db, people):
    _, zofia, lowe = people
    preview, counts = imports.import_ics(db, DATA / "outlook.ics", today=CALENDAR_DAY)
    assert counts["added"] == 13
    found = meetings_by_title(db)

    board = found["ICS partnership board"][0]
    # 10:00 "GMT Standard Time" in October is BST: 09:00 UTC
    assert board.starts_at == datetime(2026, 10, 15, 9, 0, tzinfo=UTC)
    assert board.ends_at == datetime(2026, 10, 15, 10, 30, tzinfo=UTC)
    assert board.location == "Sessions House, County Hall, Maidstone"
    assert "Disabled Facilities Grants – waiting times" in board.agenda
    assert board.kind == MeetingKind.stp_board
    with db.read() as session:
        attendees = e.meetings.attendees_of(session, [board.id])[board.id]
    # the organiser (matched by email whatever its case) and our member; invitees not yet
    # contacts are offered, not added
    assert {(a["contact_id"], a["member_id"], a["attendance"]) for a in attendees} == {
        (zofia.id, None, "present"),
        (None, lowe.id, "present"),
    }
    assert {p.email for p in preview.new_people} == {
        "rhodri.apgwilym@wales-nhs.example",
        "sian.llewelyn@kentcht.example",
    }

    series = found["One-to-one with the ICB place director"]
    days = [m.starts_at.date() for m in series]
    assert date(2026, 4, 6) not in days  # EXDATE
    assert date(2026, 5, 4) not in days  # moved: imported under its new title and time
    assert len(series) == 10  # 12 monthly, less the excluded and the moved one
    assert series[0].starts_at == datetime(2026, 1, 5, 9, 30, tzinfo=UTC)  # GMT in winter
    assert series[6].starts_at == datetime(2026, 9, 7, 8, 30, tzinfo=UTC)  # BST in summer
    moved = found["One-to-one with the ICB place director (moved)"][0]
    assert moved.starts_at == datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    assert moved.kind == MeetingKind.one_to_one

    day = found["Health and Wellbeing Board development day"][0]
    assert day.starts_at == datetime(2026, 6, 11, 23, 0, tzinfo=UTC)  # midnight in London
    assert day.kind == MeetingKind.health_and_wellbeing_board
    assert "(all day)" in next(r.summary for r in preview.rows if "development day" in r.summary)


def test_reimporting_the_same_calendar_adds_nothing_and_a_moved_event_is_updated(db, people):
    imports.import_ics(db, DATA / "outlook.ics", today=CALENDAR_DAY)
    before = count(db, t.Meeting)
    audits = count(db, t.AuditEntry)
    preview, counts = imports.import_ics(db, DATA / "outlook.ics", today=CALENDAR_DAY)
    assert counts == {"added": 0, "updated": 0, "skipped": 13, "new contacts": 0}
    assert count(db, t.Meeting) == before and count(db, t.AuditEntry) == audits

    moved = (
        (DATA / "outlook.ics")
        .read_bytes()
        .replace(
            b'DTSTART;TZID="GMT Standard Time":20261015T100000',
            b'DTSTART;TZID="GMT Standard Time":20261015T103000',
        )
    )
    board = meetings_by_title(db)["ICS partnership board"][0]
    e.meetings.update(db, board.id, {"notes": "Our own minutes"})
    _, counts = imports.import_ics(db, moved, today=CALENDAR_DAY)
    assert counts["added"] == 0 and counts["updated"] == 1
    board = e.meetings.get(db, board.id)
    assert board.starts_at == datetime(2026, 10, 15, 9, 30, tzinfo=UTC)
    assert board.notes == "Our own minutes"  # what we wrote is never overwritten


def test_google_calendar_weekly_series_exdate_html_and_cancelled(db):
    preview, counts = imports.import_ics(db, DATA / "google.ics", today=CALENDAR_DAY)
    found = meetings_by_title(db)
    workshop = found["Discharge workshop"]
    assert [m.starts_at for m in workshop] == [
        datetime(2026, 3, 25, 14, 0, tzinfo=UTC),  # GMT
        datetime(2026, 4, 1, 13, 0, tzinfo=UTC),  # BST began on 29 March
        datetime(2026, 4, 15, 13, 0, tzinfo=UTC),  # 8 April excluded
    ]
    assert workshop[0].agenda == "Winter pressures & discharge to assess"
    assert workshop[0].location is None
    assert "Cancelled briefing" not in found
    assert any("cancelled" in note for r in preview.rows for note in r.notes)
    # a UTC time in a file that names Europe/London
    visit = found["Site visit: discharge hub at Maidstone Hospital"][0]
    assert visit.starts_at == datetime(2026, 7, 10, 8, 30, tzinfo=UTC)
    assert visit.kind == MeetingKind.site_visit
    assert counts == {"added": 4, "updated": 0, "skipped": 1, "new contacts": 0}
    assert [p.email for p in preview.new_people] == ["zofia@nhs.example"]  # not the calendar


def test_apple_calendar_emoji_multi_day_and_floating_time(db):
    imports.import_ics(db, DATA / "apple.ics", today=CALENDAR_DAY)
    found = meetings_by_title(db)
    briefing = found["Briefing for members: dementia-friendly Sevenoaks 🧠"][0]
    assert briefing.starts_at == datetime(2026, 10, 29, 11, 0, tzinfo=UTC)  # GMT again
    away = found["Provider collaborative away days"][0]
    assert (away.starts_at, away.ends_at) == (
        datetime(2026, 11, 2, 0, 0, tzinfo=UTC),
        datetime(2026, 11, 4, 0, 0, tzinfo=UTC),
    )
    coffee = found["Floating-time coffee with the PCN clinical director"][0]
    assert coffee.starts_at == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # taken as UK time


def test_date_range_limits_the_occurrences(db):
    _, counts = imports.import_ics(
        db, DATA / "outlook.ics", start=date(2026, 2, 1), end=date(2026, 5, 31), today=CALENDAR_DAY
    )
    titles = sorted((m.starts_at.date(), m.title) for m in e.meetings.page(db).rows)
    assert [day for day, _ in titles] == [date(2026, 2, 2), date(2026, 3, 2), date(2026, 5, 4)]


def test_invitees_can_be_added_as_contacts_with_their_replies(db, people):
    _, counts = imports.import_ics(db, DATA / "outlook.ics", add_contacts=True, today=CALENDAR_DAY)
    assert counts["new contacts"] == 2
    board = meetings_by_title(db)["ICS partnership board"][0]
    with db.read() as session:
        attendees = e.meetings.attendees_of(session, [board.id])[board.id]
    by_name = {a["name"]: a["attendance"] for a in attendees}
    assert by_name["Rhodri ap Gwilym"] == Attendance.apologies.value  # declined
    assert by_name["Siân Llewelyn"] == Attendance.invited.value  # not answered


def test_bad_events_are_listed_by_line_and_nothing_is_written(db):
    with pytest.raises(ImportRefused) as refused:
        imports.import_ics(db, DATA / "broken_rows.ics", today=CALENDAR_DAY)
    problems = refused.value.preview.problems
    assert [p.line for p in problems] == [10, 14]
    assert "no start" in problems[0].message and "ends" in problems[1].message
    assert count(db, t.Meeting) == 0 and count(db, t.AuditEntry) == 0


@pytest.mark.parametrize(
    "content",
    [
        b"not a calendar at all",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:2026-03-01\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    ],
)
def test_malformed_calendar_is_refused(db, content):
    with pytest.raises(ImportRefused):
        imports.import_ics(db, content, today=CALENDAR_DAY)
    assert count(db, t.Meeting) == 0


def test_outlook_csv_in_windows_1252(db, people):
    icb, zofia, _ = people
    preview, counts = imports.import_contacts(db, DATA / "outlook_contacts_cp1252.csv")
    assert "Read as Windows-1252 text." in preview.notes
    assert counts == {"added": 2, "updated": 1, "skipped": 0, "new bodies": 0}
    siobhan = e.contacts.page(db, text="siobhan").rows[0]
    assert siobhan.name == "Siobhán O'Connor" and siobhan.role == "Head of Estates"
    assert siobhan.phone == "01622 555 020"  # business phone before mobile
    assert siobhan.notes == "Notes over\ntwo lines, with “smart quotes”"
    renee = e.contacts.page(db, text="renee").rows[0]
    assert renee.name == "Renée Dubois"
    # matched by email: blanks filled in, the name we hold is kept
    zofia = e.contacts.get(db, zofia.id)
    assert zofia.name == "Zofia Łukasiewicz" and zofia.role == "Director of Strategy"
    assert zofia.body_id == icb.id


@pytest.mark.parametrize("name", ["excel_utf8_bom.csv", "excel_unicode.txt"])
def test_excel_csv_with_bom_and_semicolons_or_utf16_tabs(db, people, name):
    icb, _, _ = people
    preview, counts = imports.import_contacts(db, DATA / name)
    assert counts["added"] == 1 and counts["updated"] == 1
    gruffydd = e.contacts.page(db, text="gruffydd").rows[0]
    assert gruffydd.name == "Gruffydd Ŵyn" and gruffydd.phone == "029 2000 0000"
    assert count(db, t.Contact) == 2  # Zofia matched, not duplicated


def test_column_mapping_and_new_bodies(db):
    data = "Person,Work address,Employer\r\nAnn Other,ann@example.org,Kent County Council\r\n"
    with pytest.raises(Exception, match="No column gives the contact's name"):
        imports.import_contacts(db, data.encode())
    _, counts = imports.import_contacts(
        db, data.encode(), mapping={"name": "Person", "email": "work address"}, add_bodies=True
    )
    ann = e.contacts.page(db).rows[0]
    assert (ann.name, ann.email) == ("Ann Other", "ann@example.org")
    assert e.bodies.get(db, ann.body_id).name == "Kent County Council"


def test_vcard_3_and_4(db, people):
    icb, zofia, _ = people
    _, counts = imports.import_contacts(db, DATA / "contacts_v3.vcf")
    assert counts == {"added": 1, "updated": 1, "skipped": 0, "new bodies": 0}
    zofia = e.contacts.get(db, zofia.id)  # matched although the card's email is upper case
    assert zofia.phone == "01622 555 010"
    assert zofia.notes == "Met at the ICS partnership board.\nPrefers email."
    rhodri = e.contacts.page(db, text="rhodri").rows[0]
    assert rhodri.name == "Dr Rhodri ap Gwilym" and rhodri.role == "Deputy Medical Director"

    _, counts = imports.import_contacts(db, DATA / "contacts_v4.vcf")
    sian = e.contacts.page(db, text="sian.llewelyn").rows[0]
    assert (sian.name, sian.role, sian.phone) == (
        "Siân Llewelyn",
        "Head of Discharge",
        "+44-1622-555-0199",
    )
    assert e.contacts.page(db, text="kenji").rows[0].name == "Ōmura Kenji"
    again = imports.preview_contacts(db, DATA / "contacts_v4.vcf")
    assert again.count("add") == 0


def test_bad_contact_rows_are_listed_by_line_and_nothing_is_written(db):
    with pytest.raises(ImportRefused) as refused:
        imports.import_contacts(db, DATA / "broken_contacts.csv")
    assert [(p.line, p.message.split(":")[0]) for p in refused.value.preview.problems] == [
        (3, "Contact email"),
        (4, "Contact name"),
        (5, "good@example.org is already on line 2; keep one row per person"),
    ]
    assert count(db, t.Contact) == 0


def test_cli_import_lists_bad_rows_and_exits_2(db_path, capsys):
    from stpdesk.store import open_database

    open_database(db_path).close()
    assert (
        main(["import", "contacts", str(DATA / "broken_contacts.csv"), "--db", str(db_path)]) == 2
    )
    err = capsys.readouterr().err
    assert "line 3:" in err and "line 4:" in err and "line 5:" in err
    assert "nothing was written" in err
    assert main(["import", "ics", str(DATA / "broken_rows.ics"), "--db", str(db_path)]) == 2
    assert "line 10:" in capsys.readouterr().err
    code = main(
        ["import", "ics", str(DATA / "google.ics"), "--from", "31/02/2026", "--db", str(db_path)]
    )
    assert code == 2 and "31 February 2026 is not a date" in capsys.readouterr().err
    code = main(
        [
            "import",
            "ics",
            str(DATA / "google.ics"),
            "--from",
            "1/3/2026",
            "--to",
            "30/4/2026",
            "--db",
            str(db_path),
        ]
    )
    assert code == 0
    assert "Imported: 3 added" in capsys.readouterr().out
