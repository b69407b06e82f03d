"""Import previews, exports, laptop-to-laptop exchange and data-protection requests, in the window."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import date
from pathlib import Path

import pytest
from conftest import read_list
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtWidgets import QPushButton

from stpdesk.services import entities as e
from stpdesk.services import exchange, privacy
from stpdesk.store import open_database
from stpdesk.ui.app import MainWindow
from stpdesk.ui.exchange import choosers

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

DATA = Path(__file__).parent / "data"
WAIT = 10_000


@pytest.fixture
def window(qtbot, seeded):
    main = MainWindow(seeded.db)
    qtbot.addWidget(main)
    yield main
    main.ops.shutdown()


def meeting_titles(db) -> list[str]:
    return sorted(m.title for m in e.meetings.page(db, limit=500).rows)


def table_rows(table) -> list[list[str]]:
    return [
        [table.item(row, column).text() for column in range(table.columnCount())]
        for row in range(table.rowCount())
    ]


def test_calendar_preview_shows_its_rows_and_offers_import(qtbot, window, tmp_path):
    dialog = window.exchange.import_calendar(DATA / "outlook.ics")
    with qtbot.waitSignal(dialog.previewed, timeout=WAIT):
        dialog.set_range(date(2026, 1, 1), date(2026, 12, 31))
    rows = table_rows(dialog.table)
    assert ["Add", "ICS partnership board, 15 October 2026, 10:00"] in [r[1:3] for r in rows]
    assert all(r[1] == "Add" for r in rows) and len(rows) > 5
    assert all(r[0].isdigit() for r in rows)  # each row names its line in the file
    assert dialog.summary.text().startswith("outlook.ics: ")
    assert dialog.import_button.isEnabled()
    assert dialog.problems_box.isHidden()
    # invitees not yet contacts (Zofia is one already, by a differently cased email)
    people = [dialog.extra_list.item(i).text() for i in range(dialog.extra_list.count())]
    assert any(p.startswith("Siân Llewelyn <sian.llewelyn@kentcht.example>") for p in people)
    assert not any("Zofia" in p for p in people)
    assert dialog.extra_check.text() == "&Add them as contacts"
    dialog.grab().save(str(tmp_path / "import-preview.png"))

    # a narrower range previews fewer meetings
    with qtbot.waitSignal(dialog.previewed, timeout=WAIT):
        dialog.set_range(date(2026, 10, 1), date(2026, 10, 31))
    assert 0 < dialog.table.rowCount() < len(rows)


def test_bad_calendar_shows_problems_by_line_and_writes_nothing(qtbot, window, seeded):
    before = meeting_titles(seeded.db)
    dialog = window.exchange.import_calendar(DATA / "broken_rows.ics")
    qtbot.waitSignal(dialog.previewed, timeout=WAIT).wait()
    problems = [dialog.problems.item(i).text() for i in range(dialog.problems.count())]
    assert problems == [
        "Line 10: event “Meeting with no start” has no start (DTSTART)",
        "Line 14: event “Ends before it starts” ends (2 March 2026, 09:00) before it starts "
        "(2 March 2026, 10:00)",
    ]
    assert dialog.problems_box.isVisible()
    assert dialog.problems_box.title().startswith("2 problems")
    assert not dialog.import_button.isEnabled()
    dialog.import_now()  # even if forced, nothing is written
    window.ops.shutdown()
    assert meeting_titles(seeded.db) == before


def test_bad_contacts_file_shows_problems_and_a_non_calendar_is_refused(qtbot, window, tmp_path):
    dialog = window.exchange.import_contacts(DATA / "broken_contacts.csv")
    qtbot.waitUntil(lambda: dialog.problems.count() > 0, timeout=WAIT)
    problems = [dialog.problems.item(i).text() for i in range(dialog.problems.count())]
    assert [p.split(":")[0] for p in problems] == ["Line 3", "Line 4", "Line 5"]
    assert "not-an-email" in problems[0]
    assert not dialog.import_button.isEnabled()

    not_a_calendar = tmp_path / "notes.ics"
    not_a_calendar.write_text("Just some notes", encoding="utf-8")
    dialog = window.exchange.import_calendar(not_a_calendar)
    qtbot.waitSignal(dialog.previewed, timeout=WAIT).wait()
    assert "no BEGIN:VCALENDAR" in dialog.problems.item(0).text()
    assert not dialog.import_button.isEnabled()


def test_import_adds_the_meetings_and_the_meetings_list_refreshes(qtbot, window, seeded):
    page = read_list(qtbot, window.go_to_list("meetings"))
    qtbot.waitUntil(lambda: page.model.total == 1, timeout=WAIT)
    dialog = window.exchange.import_calendar(DATA / "apple.ics")
    qtbot.waitSignal(dialog.previewed, timeout=WAIT).wait()
    assert dialog.table.rowCount() == 3
    with qtbot.waitSignal(dialog.imported, timeout=WAIT) as imported:
        dialog.import_button.click()
    assert imported.args[0]["added"] == 3
    qtbot.waitUntil(lambda: page.model.total == 4, timeout=WAIT)
    shown = {page.model.record(row).title for row in range(page.model.rowCount())}
    assert "Provider collaborative away days" in shown
    assert "Floating-time coffee with the PCN clinical director" in shown
    assert window.statusBar().currentMessage() == "Imported 3 meetings."
    assert len(meeting_titles(seeded.db)) == 4

    # the same file again: everything is already here, so there is nothing to import
    again = window.exchange.import_calendar(DATA / "apple.ics")
    qtbot.waitSignal(again.previewed, timeout=WAIT).wait()
    assert {row[1] for row in table_rows(again.table)} == {"Skip"}
    assert not again.import_button.isEnabled()
    assert "nothing new to import" in again.summary.text()


def test_contacts_csv_with_columns_mapped_by_hand_and_new_bodies(qtbot, window, seeded, tmp_path):
    sheet = tmp_path / "from the clerk.csv"
    sheet.write_text(
        "Who,Mail,Works at\n"
        "Aled Jones,aled@powys.example,Powys Teaching Health Board\n"
        "Zofia Łukasiewicz,zofia@nhs.example,NHS Kent and Medway ICB\n",
        encoding="utf-8",
    )
    dialog = window.exchange.import_contacts(sheet)
    qtbot.waitUntil(lambda: dialog.problems.count() == 1, timeout=WAIT)
    assert "No column gives the contact's name" in dialog.problems.item(0).text()
    assert not dialog.import_button.isEnabled()
    assert set(dialog.combos) >= {"name", "email", "organisation"}

    with qtbot.waitSignal(dialog.previewed, timeout=WAIT):
        dialog.choose_column("name", "Who")
    with qtbot.waitSignal(dialog.previewed, timeout=WAIT):
        dialog.choose_column("email", "Mail")
    with qtbot.waitSignal(dialog.previewed, timeout=WAIT):
        dialog.choose_column("organisation", "Works at")
    assert dialog.mapping() == {"name": "Who", "email": "Mail", "organisation": "Works at"}
    rows = table_rows(dialog.table)
    assert [r[1:3] for r in rows] == [
        ["Add", "Aled Jones <aled@powys.example>"],
        ["Skip", "Zofia Łukasiewicz <zofia@nhs.example>"],
    ]
    assert dialog.extra_box.isVisible()
    assert dialog.extra_list.item(0).text() == "Powys Teaching Health Board"
    with qtbot.waitSignal(dialog.previewed, timeout=WAIT):
        dialog.extra_check.setChecked(True)
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=WAIT):
        dialog.import_button.click()
    aled = e.contacts.page(seeded.db, text="Aled").rows[0]
    assert aled.email == "aled@powys.example"
    assert e.bodies.get(seeded.db, aled.body_id).name == "Powys Teaching Health Board"


@pytest.mark.parametrize("kind", ["xlsx", "json"])
def test_export_writes_the_file_with_progress_to_the_end(
    qtbot, window, seeded, tmp_path, monkeypatch, kind
):
    target = tmp_path / f"everything.{kind}"
    monkeypatch.setattr(choosers, "save_file", lambda *args: target)
    job = window.exchange.export(kind)
    with qtbot.waitSignal(job.finished, timeout=WAIT) as finished:
        pass
    assert finished.args[0].startswith(f"Wrote everything.{kind}")
    dialog = job.progress.dialog
    assert dialog.maximum() > 1
    assert job.progress.highest == dialog.maximum() == dialog.value()
    assert not dialog.isVisible()
    if kind == "xlsx":
        workbook = load_workbook(target)
        assert workbook.sheetnames[:3] == ["Meetings", "Asks", "Commitments"]
        titles = [row[1].value for row in workbook["Meetings"].iter_rows(min_row=2)]
        assert "ICS partnership board" in titles
    else:
        data = json.loads(target.read_text(encoding="utf-8"))
        assert [m["title"] for m in data["tables"]["meeting"]] == ["ICS partnership board"]
    assert window.statusBar().currentMessage() == finished.args[0]
    assert not list(tmp_path.glob("*.partial"))


def test_cancelled_export_writes_nothing(qtbot, window, tmp_path, monkeypatch):
    target = tmp_path / "everything.json"
    monkeypatch.setattr(choosers, "save_file", lambda *args: target)
    queue_held = threading.Event()
    window.ops.run(queue_held.wait)  # the export waits behind this until Cancel is pressed
    job = window.exchange.export("json")
    job.progress.dialog.findChild(QPushButton).click()
    queue_held.set()
    with qtbot.waitSignal(job.finished, timeout=WAIT) as finished:
        pass
    assert finished.args[0] == ""
    assert not target.exists() and not list(tmp_path.glob("*.partial"))
    assert not _message_box(window)  # cancelling is not a failure


@pytest.fixture
def laptop_b(tmp_path):
    database = open_database(tmp_path / "laptop-b.sqlite")
    yield database
    database.close()


def test_exchange_lists_a_conflict_and_resolves_it_side_by_side(
    qtbot, window, seeded, laptop_b, tmp_path, monkeypatch
):
    a = seeded.db
    exchange.export_bundle(a, tmp_path / "1.stpdesk")
    exchange.import_bundle(laptop_b, tmp_path / "1.stpdesk")
    e.meetings.update(a, seeded.meeting_id, {"outcome": "A's outcome"})
    e.meetings.update(laptop_b, seeded.meeting_id, {"outcome": "B's outcome", "location": "Online"})
    e.asks.update(laptop_b, seeded.ask_ids[0], {"response": "Agreed <in principle> & more"})
    exchange.export_bundle(laptop_b, tmp_path / "2.stpdesk")

    dialog = window.exchange.show_exchange()
    qtbot.waitSignal(dialog.loaded, timeout=WAIT).wait()
    assert dialog.table.rowCount() == 0
    monkeypatch.setattr(choosers, "open_file", lambda *args: tmp_path / "2.stpdesk")
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        dialog.import_button.click()
    assert "1 updated" in dialog.summary.text()
    assert "1 conflicts to resolve" in dialog.summary.text()
    assert e.asks.get(a, seeded.ask_ids[0]).response == "Agreed <in principle> & more"
    assert table_rows(dialog.table) == [["Meeting “ICS partnership board”", "Location, Outcome"]]

    conflict = dialog.resolve_chosen()
    qtbot.waitSignal(conflict.loaded, timeout=WAIT).wait()
    assert conflict.rows() == [
        ("Location", "(empty)", "Online"),
        ("Outcome", "A's outcome", "B's outcome"),
    ]
    assert conflict.keep_ours.text() == "Keep &this laptop's"
    assert conflict.keep_theirs.text() == "Keep the &other laptop's"
    conflict.grab().save(str(tmp_path / "conflict.png"))
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        conflict.keep_theirs.click()
    meeting = e.meetings.get(a, seeded.meeting_id)
    assert (meeting.outcome, meeting.location) == ("B's outcome", "Online")
    assert dialog.table.rowCount() == 0
    assert exchange.conflicts(a) == []


def test_damaged_bundle_is_refused_with_a_message(qtbot, window, tmp_path):
    damaged = tmp_path / "damaged.stpdesk"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    dialog = window.exchange.show_exchange()
    qtbot.waitSignal(dialog.loaded, timeout=WAIT).wait()
    with qtbot.waitSignal(window.ops.idle, timeout=WAIT):
        dialog.import_bundle(damaged)
    assert dialog.summary.text() == "damaged.stpdesk was not imported: nothing was changed."
    qtbot.waitUntil(lambda: bool(_message_box(window)), timeout=WAIT)
    assert "it is not a complete zip file" in _message_box(window).text()


def _message_box(window):
    from PySide6.QtWidgets import QApplication, QMessageBox

    boxes = [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.objectName() == "error_message" and w.isVisible()
    ]
    return boxes[0] if boxes else None


def test_erasure_needs_the_name_typed_and_anonymises(qtbot, window, seeded):
    read_list(qtbot, window.go_to_list("contacts")).select(seeded.contact_id)
    dialog = window.exchange.show_data_protection()
    qtbot.waitSignal(dialog.contacts_loaded, timeout=WAIT).wait()
    assert dialog.chosen() == (seeded.contact_id, "Zofia Łukasiewicz")  # the list's choice
    confirm = dialog.ask_to_erase()
    assert confirm.isVisible() and "Zofia Łukasiewicz" in confirm.windowTitle()
    assert not confirm.erase_button.isEnabled()
    confirm.typed.setText("Zofia")
    assert not confirm.erase_button.isEnabled()
    confirm.typed.setText("zofia  łukasiewicz")
    assert confirm.erase_button.isEnabled()
    with qtbot.waitSignal(dialog.done, timeout=WAIT) as done:
        confirm.erase_button.click()
    assert done.args[0].startswith("Erased Zofia Łukasiewicz's personal data")
    contact = e.contacts.get(seeded.db, seeded.contact_id)
    assert contact.name == privacy.ERASED_NAME and contact.email is None
    qtbot.waitUntil(lambda: dialog.chosen() is None, timeout=WAIT)
    listed = [dialog.contact_list.item(i).text() for i in range(dialog.contact_list.count())]
    assert not any("Zofia" in text or "Erased" in text for text in listed)


def test_cancelled_erasure_changes_nothing(qtbot, window, seeded):
    dialog = window.exchange.show_data_protection()
    qtbot.waitSignal(dialog.contacts_loaded, timeout=WAIT).wait()
    assert dialog.chosen() is None and not dialog.erase_button.isEnabled()
    assert dialog.choose(seeded.contact_id)
    confirm = dialog.ask_to_erase()
    confirm.reject()
    window.ops.shutdown()
    assert e.contacts.get(seeded.db, seeded.contact_id).name == "Zofia Łukasiewicz"


def test_subject_access_writes_pdf_and_json_to_the_chosen_folder(
    qtbot, window, seeded, tmp_path, monkeypatch
):
    monkeypatch.setattr(choosers, "folder", lambda *args: tmp_path)
    dialog = window.exchange.show_data_protection()
    qtbot.waitSignal(dialog.contacts_loaded, timeout=WAIT).wait()
    dialog.choose(seeded.contact_id)
    with qtbot.waitSignal(dialog.done, timeout=WAIT):
        dialog.access_button.click()
    pdf = next(tmp_path.glob("subject-access-*.pdf"))
    data = json.loads(next(tmp_path.glob("subject-access-*.json")).read_text(encoding="utf-8"))
    assert data["contact"]["name"] == "Zofia Łukasiewicz"
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Subject access: Zofia Łukasiewicz" in text
    assert pdf.name in dialog.result.text()


def test_retention_review_lists_contacts_by_years(qtbot, window, seeded):
    gone = e.contacts.create(seeded.db, {"name": "Long Gone", "email": "gone@example.org"})
    with sqlite3.connect(seeded.db.path) as connection:  # added long ago, never seen since
        connection.execute(
            "UPDATE contact SET created_at = '2017-03-01 09:00:00' WHERE id = ?", (gone.id,)
        )
    connection.close()
    dialog = window.exchange.show_data_protection(review=True)
    qtbot.waitSignal(dialog.review_loaded, timeout=WAIT).wait()
    assert dialog.tabs.currentIndex() == 1
    assert table_rows(dialog.review_table) == [["Long Gone", "", "1 March 2017", "added"]]
    assert dialog.review_summary.text().startswith("1 contact is not engaged with for 6 years")
    assert not dialog.erase_button.isEnabled()
    dialog.review_table.selectRow(0)
    assert dialog.chosen() == (gone.id, "Long Gone")
    with qtbot.waitSignal(dialog.review_loaded, timeout=WAIT):
        dialog.years.setValue(20)
    assert dialog.review_table.rowCount() == 0
    assert dialog.review_summary.text() == "No contacts are not engaged with for 20 years or more."
