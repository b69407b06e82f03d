"""Briefing packs in the app: preview, print, save, stop, and packs for the meetings ahead."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from conftest import TODAY, iso, long_date
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QMessageBox

from stpdesk.config import user_templates_dir
from stpdesk.services import briefing, demo
from stpdesk.services import entities as e
from stpdesk.store import Database, open_database
from stpdesk.ui.actions import ActionId
from stpdesk.ui.app import MainWindow
from stpdesk.ui.briefing_dialogs import BatchPacksDialog, PackDialog
from stpdesk.ui.context import AppContext
from stpdesk.ui.editors import EditorDialog
from stpdesk.ui.operations import Operations
from stpdesk.ui.printing import prepare_printer

# The offscreen platform cannot raise windows or grab the keyboard for pop-ups; harmless.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

WAIT = 30_000  # ms: a pack takes about a second; a loaded CI machine may take longer


def squash(text: str) -> str:
    """Text without whitespace: titles wrap wherever the page needs."""
    return "".join(text.split())


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    database = open_database(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    demo.build_demo(database, today=TODAY)
    yield database
    database.close()


@pytest.fixture
def ctx(demo_db: Database) -> AppContext:
    ops = Operations()
    yield AppContext(db=demo_db, ops=ops)
    ops.shutdown()


@pytest.fixture
def upcoming(demo_db: Database) -> list[str]:
    ids = briefing.upcoming_meeting_ids(demo_db, 14, on=TODAY)
    assert len(ids) >= 2, "the demo council should have meetings in the next fortnight"
    return ids


def title_of(db: Database, meeting_id: str) -> str:
    return e.meetings.get(db, meeting_id).title


def open_pack(qtbot, ctx: AppContext, entity: str, record_id: str) -> PackDialog:
    dialog = PackDialog(ctx, entity, record_id, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def wait_for_pack(qtbot, dialog: PackDialog) -> None:
    if dialog.pdf_bytes is None:
        with qtbot.waitSignal(dialog.pack_ready, timeout=WAIT):
            pass


def error_boxes() -> list[QMessageBox]:
    return [
        widget
        for widget in QApplication.topLevelWidgets()
        if widget.objectName() == "error_message" and widget.isVisible()
    ]


# --- one pack -------------------------------------------------------------------------


def test_preview_shows_every_page_of_the_meeting_pack(qtbot, ctx, demo_db, upcoming):
    dialog = open_pack(qtbot, ctx, "meetings", upcoming[0])
    assert dialog.progress.isVisible() and dialog.stop_button.isEnabled()  # busy at first
    assert not dialog.print_button.isEnabled() and not dialog.save_button.isEnabled()
    wait_for_pack(qtbot, dialog)
    pages = pdf_pages(dialog.pdf_bytes)
    assert pages > 1
    assert dialog.document.pageCount() == pages
    assert dialog.page_label.text() == f"Page 1 of {pages}"
    assert dialog.status.text() == f"{pages} pages, made with “Meeting briefing”."
    assert squash(title_of(demo_db, upcoming[0])) in squash(pdf_text(dialog.pdf_bytes))
    assert dialog.print_button.isEnabled() and dialog.save_button.isEnabled()
    assert not dialog.progress.isVisible()


def test_save_as_writes_the_pdf_and_the_accessible_web_page(
    qtbot, ctx, demo_db, upcoming, tmp_path
):
    dialog = open_pack(qtbot, ctx, "meetings", upcoming[0])
    wait_for_pack(qtbot, dialog)
    title = title_of(demo_db, upcoming[0])

    with qtbot.waitSignal(dialog.saved, timeout=WAIT) as saved:
        dialog.save_to(tmp_path / "out" / "pack.pdf")
    written = Path(saved.args[0])
    assert written == tmp_path / "out" / "pack.pdf"
    assert squash(title) in squash(pdf_text(written.read_bytes()))
    assert pdf_pages(written.read_bytes()) == dialog.document.pageCount()

    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        dialog.save_to(tmp_path / "out" / "pack.html")
    html = (tmp_path / "out" / "pack.html").read_text(encoding="utf-8")
    assert 'lang="en-GB"' in html
    assert "<h1" in html and "<th" in html
    assert title.replace("&", "&amp;") in html
    assert "Saved the accessible web page as" in dialog.status.text()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["pack.html", "pack.pdf"]


def test_saving_the_pdf_names_characters_no_font_can_draw(qtbot, ctx, demo_db, upcoming, tmp_path):
    meeting = e.meetings.get(demo_db, upcoming[0])
    e.meetings.update(demo_db, upcoming[0], {"agenda": "Visit to the hospital 🏥"})
    try:
        dialog = open_pack(qtbot, ctx, "meetings", upcoming[0])
        wait_for_pack(qtbot, dialog)
        with qtbot.waitSignal(dialog.saved, timeout=WAIT):
            dialog.save_to(tmp_path / "pack.pdf")
        assert "Saved the PDF as" in dialog.status.text()
        assert "No font on this computer can draw 🏥 (U+1F3E5)" in dialog.status.text()
        with qtbot.waitSignal(dialog.saved, timeout=WAIT):
            dialog.save_to(tmp_path / "pack.html")
        assert "U+" not in dialog.status.text()  # the web page shows it as typed
    finally:
        e.meetings.update(demo_db, upcoming[0], {"agenda": meeting.agenda})


def test_save_as_an_unknown_kind_of_file_says_so_and_writes_nothing(qtbot, ctx, upcoming, tmp_path):
    dialog = open_pack(qtbot, ctx, "meetings", upcoming[0])
    wait_for_pack(qtbot, dialog)
    dialog.save_to(tmp_path / "pack.docx")
    qtbot.waitUntil(lambda: bool(error_boxes()))
    message = error_boxes()[0].text()
    assert "pack.docx" in message and ".pdf" in message and ".html" in message
    error_boxes()[0].close()
    assert list(tmp_path.iterdir()) == []


def test_stopping_a_save_leaves_no_file(qtbot, ctx, upcoming, tmp_path):
    dialog = open_pack(qtbot, ctx, "meetings", upcoming[0])
    wait_for_pack(qtbot, dialog)
    with qtbot.waitSignal(dialog.pack_stopped, timeout=WAIT):
        dialog.save_to(tmp_path / "pack.html")
        dialog.stop()
    assert dialog.status.text() == "Stopped: the file was not saved."
    assert list(tmp_path.iterdir()) == []
    assert dialog.save_button.isEnabled()  # the pack on show can still be saved


def test_stopping_the_pack_keeps_nothing_half_made(qtbot, ctx, upcoming):
    dialog = open_pack(qtbot, ctx, "meetings", upcoming[0])
    with qtbot.waitSignal(dialog.pack_stopped, timeout=WAIT) as stopped:
        dialog.stop()
    assert stopped.args[0].startswith("Stopped.")
    assert dialog.pdf_bytes is None and dialog.document.pageCount() == 0
    assert not dialog.print_button.isEnabled() and not dialog.save_button.isEnabled()
    assert not error_boxes()


def pdf_printer(dialog: PackDialog, path: Path) -> QPrinter:
    """A printer that writes a PDF file, set up for the pack as Print sets it up."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    prepare_printer(printer, dialog.document, dialog.record_title)
    return printer


def test_printing_sends_every_page_to_the_printer(qtbot, ctx, upcoming, tmp_path):
    dialog = open_pack(qtbot, ctx, "meetings", upcoming[0])
    wait_for_pack(qtbot, dialog)
    printer = pdf_printer(dialog, tmp_path / "printed.pdf")
    pages = dialog.document.pageCount()
    with qtbot.waitSignal(dialog.printed, timeout=WAIT) as printing:
        dialog.print_to(printer)
    assert printing.args == [pages]
    printed = PdfReader(tmp_path / "printed.pdf")
    assert len(printed.pages) == pages
    box = printed.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert f"Sent {pages} pages to the printer." == dialog.status.text()


def test_footprint_pack_previews(qtbot, ctx, demo_db):
    footprint = next(f for f in e.footprints.page(demo_db).rows if f.kind.value == "ics")
    dialog = open_pack(qtbot, ctx, "footprints", footprint.id)
    assert dialog.chooser.box.currentText() == "Footprint briefing"
    wait_for_pack(qtbot, dialog)
    assert dialog.document.pageCount() == pdf_pages(dialog.pdf_bytes)
    assert squash(footprint.name) in squash(pdf_text(dialog.pdf_bytes))
    assert dialog.suggested_name == f"{footprint.name} briefing.pdf"


def test_your_template_can_be_chosen_and_a_broken_one_is_named(qtbot, ctx, upcoming):
    folder = user_templates_dir()
    folder.mkdir(parents=True)
    (folder / "broken.md").write_text("no header here\n", encoding="utf-8")
    (folder / "short-briefing.md").write_text(
        '+++\ntitle = "Short briefing"\nfor = "meeting"\ndescription = "One page only."\n'
        "[options]\nsay_hello = true\n+++\n# {{ meeting.title }}\n"
        "{% if options.say_hello %}Hello from our own template.{% endif %}\n",
        encoding="utf-8",
    )
    dialog = open_pack(qtbot, ctx, "meetings", upcoming[0])
    wait_for_pack(qtbot, dialog)
    chooser = dialog.chooser
    assert "broken.md" in chooser.problems.text() and chooser.problems.isVisible()
    assert [chooser.box.itemText(i) for i in range(chooser.box.count())] == [
        "Meeting briefing",
        "Short briefing (yours)",
    ]
    with qtbot.waitSignal(dialog.pack_ready, timeout=WAIT):
        chooser.box.setCurrentIndex(1)
    assert chooser.description.text() == "One page only."
    assert "Hello from our own template." in pdf_text(dialog.pdf_bytes)
    assert dialog.status.text() == "1 page, made with “Short briefing”."
    with qtbot.waitSignal(dialog.pack_ready, timeout=WAIT):
        chooser.option_widgets["say_hello"].setChecked(False)  # the preview follows options
    assert "Hello" not in pdf_text(dialog.pdf_bytes)


# --- packs for the meetings ahead ----------------------------------------------------------


def open_batch(qtbot, ctx: AppContext, folder: Path) -> BatchPacksDialog:
    dialog = BatchPacksDialog(ctx, today=TODAY)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.counted, timeout=WAIT):
        dialog.show()
    dialog.folder.setText(str(folder))
    return dialog


def test_batch_writes_one_pdf_per_meeting_ahead(qtbot, ctx, demo_db, upcoming, tmp_path):
    folder = tmp_path / "packs"
    dialog = open_batch(qtbot, ctx, folder)
    assert dialog.count_label.text().startswith(f"{len(upcoming)} meetings from {long_date(0)}")
    with qtbot.waitSignal(dialog.batch_finished, timeout=WAIT * 3):
        dialog.make_button.click()
    files = sorted(folder.glob("*.pdf"))
    assert len(files) == len(upcoming)
    texts = [squash(pdf_text(path.read_bytes())) for path in files]
    for meeting_id in upcoming:
        assert any(squash(title_of(demo_db, meeting_id)) in text for text in texts)
    assert dialog.progress.maximum() == len(upcoming)
    assert dialog.progress.value() == dialog.progress.maximum()
    assert dialog.status.text() == f"Saved {len(upcoming)} packs in {folder}."
    assert dialog.open_folder_button.isEnabled() and dialog.make_button.isEnabled()


def test_batch_can_make_one_combined_pdf(qtbot, ctx, demo_db, upcoming, tmp_path):
    folder = tmp_path / "packs"
    dialog = open_batch(qtbot, ctx, folder)
    dialog.combined.setChecked(True)
    with qtbot.waitSignal(dialog.batch_finished, timeout=WAIT * 3):
        dialog.start()
    assert [path.name for path in folder.iterdir()] == [f"Briefing packs {iso(0)} to {iso(14)}.pdf"]
    text = squash(pdf_text((folder / dialog.combined_name()).read_bytes()))
    for meeting_id in upcoming:
        assert squash(title_of(demo_db, meeting_id)) in text
    assert dialog.progress.maximum() == len(upcoming) + 1  # each meeting, then the file
    assert dialog.progress.value() == dialog.progress.maximum()


def test_stopping_the_batch_saves_nothing(qtbot, ctx, upcoming, tmp_path):
    folder = tmp_path / "packs"
    dialog = open_batch(qtbot, ctx, folder)
    with qtbot.waitSignal(dialog.batch_finished, timeout=WAIT):
        dialog.start()
        assert not dialog.make_button.isEnabled() and dialog.stop_button.isEnabled()
        dialog.stop_button.click()
    assert dialog.status.text() == "Stopped: no packs were saved."
    assert not folder.exists() or list(folder.iterdir()) == []
    assert dialog.make_button.isEnabled() and not dialog.open_folder_button.isEnabled()


def test_batch_asks_for_a_usable_folder(qtbot, ctx, tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder", encoding="utf-8")
    dialog = open_batch(qtbot, ctx, a_file)
    dialog.start()
    assert "is a file, not a folder" in dialog.folder_problem.text()
    assert dialog.job is None and dialog.make_button.isEnabled()
    dialog.folder.setText("  ")
    dialog.start()
    assert "choose the folder" in dialog.folder_problem.text()
    assert a_file.read_text(encoding="utf-8") == "not a folder"


def test_no_meetings_ahead_says_so(qtbot, ctx, tmp_path):
    dialog = open_batch(qtbot, ctx, tmp_path / "packs")
    dialog.today = date(2030, 1, 1)  # long after the demo council's last meeting
    with qtbot.waitSignal(dialog.counted, timeout=WAIT) as counted:
        dialog.days.setValue(7)
    assert counted.args == [0]
    with qtbot.waitSignal(dialog.batch_finished, timeout=WAIT):
        dialog.start()
    assert (
        dialog.status.text() == "There are no meetings in the next 7 days, so no packs were made."
    )
    assert not (tmp_path / "packs").exists()


# --- from the main window and the meeting editor ---------------------------------------


@pytest.fixture
def window(qtbot, demo_db, monkeypatch):
    # a modal "unsaved changes?" question would hang a failing test at teardown
    monkeypatch.setattr(
        EditorDialog, "ask_unsaved", lambda self: QMessageBox.StandardButton.Discard
    )
    main = MainWindow(demo_db)
    qtbot.addWidget(main)
    main.show()
    yield main
    main.ops.shutdown()


def test_briefing_pack_action_follows_the_chosen_meeting(qtbot, window, demo_db, upcoming):
    action = window.actions[ActionId.BRIEFING_PACK]
    assert not action.isEnabled()  # the dashboard: nothing chosen
    page = window.go_to_list("meetings")
    qtbot.waitUntil(lambda: page.model.row_of(upcoming[0]) is not None, timeout=WAIT)
    page.select(upcoming[0])
    assert action.isEnabled()
    action.trigger()
    dialog = window.briefing_dialog
    assert dialog.record_id == upcoming[0]
    wait_for_pack(qtbot, dialog)
    assert squash(title_of(demo_db, upcoming[0])) in squash(pdf_text(dialog.pdf_bytes))
    window.go_to_list("contacts")
    assert not action.isEnabled()

    window.actions[ActionId.BATCH_PACKS].trigger()
    assert window.batch_packs_dialog.isVisible()


def test_meeting_editor_opens_the_pack_for_a_saved_meeting(qtbot, window, upcoming):
    editor = window.open_record("meetings", upcoming[0])
    assert editor.pack_button.isEnabled()
    dialog = editor.show_briefing_pack()
    assert dialog is not None and dialog.record_id == upcoming[0]
    assert dialog.parent() is window  # stays open when the editor closes
    wait_for_pack(qtbot, dialog)
    editor.close()
    assert dialog.isVisible()
    new_editor = window.new_record("meetings")
    assert not new_editor.pack_button.isEnabled()  # nothing saved yet to brief on


def test_the_preview_says_when_the_records_change(qtbot, ctx, demo_db, upcoming):
    dialog = open_pack(qtbot, ctx, "meetings", upcoming[0])
    wait_for_pack(qtbot, dialog)
    ctx.ops.notify({"meetings"})
    assert "The records have changed" in dialog.status.text()
    with qtbot.waitSignal(dialog.pack_ready, timeout=WAIT):
        dialog.refresh_button.click()
    assert dialog.status.text().endswith("made with “Meeting briefing”.")


def test_closing_the_window_stops_a_batch_and_saves_nothing(qtbot, window, tmp_path):
    folder = tmp_path / "packs"
    dialog = window.show_batch_packs()
    dialog.folder.setText(str(folder))
    dialog.days.setValue(60)
    dialog.start()
    window.close()  # waits for the queue, so without the stop the packs would be written
    assert not folder.exists() or list(folder.iterdir()) == []


def test_markup_in_a_title_is_shown_and_printed_as_typed(qtbot, seeded, tmp_path):
    title = "<b>Not bold</b> & <unclosed {{ x }}"
    e.meetings.update(seeded.db, seeded.meeting_id, {"title": title})
    ops = Operations()
    try:
        dialog = PackDialog(AppContext(db=seeded.db, ops=ops), "meetings", seeded.meeting_id)
        qtbot.addWidget(dialog)
        dialog.show()
        wait_for_pack(qtbot, dialog)
        assert title in dialog.windowTitle()
        assert squash(title) in squash(pdf_text(dialog.pdf_bytes))
        assert not set('<>"') & set(dialog.suggested_name)  # a file name Windows accepts
        with qtbot.waitSignal(dialog.saved, timeout=WAIT) as saved:
            dialog.save_to(tmp_path / dialog.suggested_name)
        assert squash(title) in squash(pdf_text(Path(saved.args[0]).read_bytes()))
    finally:
        ops.shutdown()


def test_printing_can_be_stopped_and_says_so(qtbot, ctx, upcoming, tmp_path):
    dialog = open_pack(qtbot, ctx, "meetings", upcoming[0])
    wait_for_pack(qtbot, dialog)
    printer = pdf_printer(dialog, tmp_path / "printed.pdf")
    with qtbot.waitSignal(dialog.pack_stopped, timeout=WAIT) as stopped:
        dialog.print_to(printer)
        handed_over = dialog._print_file  # the pack, for the printing process to read
        assert handed_over.exists() and handed_over.stat().st_mode & 0o077 == 0
        assert dialog.stop_button.isVisible() and not dialog.print_button.isEnabled()
        dialog.stop_button.click()
    assert stopped.args[0].startswith("Printing stopped at your request after")
    assert dialog.print_button.isEnabled() and not error_boxes()
    assert not handed_over.exists()


def test_closing_the_pack_while_it_prints_stops_the_printing(qtbot, ctx, upcoming, tmp_path):
    dialog = open_pack(qtbot, ctx, "meetings", upcoming[0])
    wait_for_pack(qtbot, dialog)
    dialog.print_to(pdf_printer(dialog, tmp_path / "printed.pdf"))
    handed_over = dialog._print_file
    process = dialog.print_process
    dialog.close()
    assert not handed_over.exists()
    assert process.state() == process.ProcessState.NotRunning
    assert not error_boxes()
