"""The letter composer: choose, reorder, preview, save as PDF or Word, and the letter is logged."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document as read_docx
from pypdf import PdfReader
from sqlmodel import func, select

from stpdesk.model import tables as t
from stpdesk.services import entities as e
from stpdesk.services import letters as service
from stpdesk.ui.actions import ActionId
from stpdesk.ui.app import MainWindow
from stpdesk.ui.letter_composer import LetterComposer

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def open_composer(qtbot, window: MainWindow) -> LetterComposer:
    with qtbot.waitSignal(window.ops.idle, timeout=10_000):
        window.actions[ActionId.NEW_LETTER].trigger()
    composer = window.letter_composer
    qtbot.waitUntil(lambda: composer.choices is not None, timeout=10_000)
    return composer


def logged(db) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(t.Letter)).one()


def test_composer_previews_saves_pdf_and_word_and_logs(qtbot, window, seeded, tmp_path: Path):
    leader = e.members.create(seeded.db, {"name": "Peter Fleetwood", "position": "Leader"}).id
    composer = open_composer(qtbot, window)
    assert composer.template.currentData() == "joint-solutions"
    assert "Local government is not yet an equal partner" in composer.opening.toPlainText()
    composer.set_contact(seeded.contact_id)
    composer.signatories.check(leader)
    composer.signatories.check(seeded.member_id)
    first, second = seeded.ask_ids
    composer.asks.check(first)
    composer.asks.check(second)
    composer.asks.select(second)
    composer.asks.move(-1)  # second ask first
    assert composer.asks.ids() == [second, first]
    composer.opening.setPlainText("We write about <housing> & health.")

    with qtbot.waitSignal(composer.preview_shown, timeout=20_000):
        composer.preview_button.click()
    assert composer.document.pageCount() == 1
    assert composer.status.text() == "Preview: 1 page."
    assert logged(seeded.db) == 0  # a preview logs nothing
    window.grab().save(str(tmp_path / "window.png"))
    composer.grab().save(str(tmp_path / "composer.png"))

    pdf = tmp_path / "letter.pdf"
    composer.choose_file = lambda fmt: str(pdf)
    with qtbot.waitSignal(composer.saved, timeout=20_000) as saved:
        composer.save_pdf.click()
    letter_id, path = saved.args
    assert path == str(pdf)
    text = " ".join(PdfReader(io.BytesIO(pdf.read_bytes())).pages[0].extract_text().split())
    assert "1. Housing officers in hospital discharge teams 2. A seat on the ICS board" in text
    assert "We write about <housing> & health." in text
    assert "Cllr Peter Fleetwood Leader" in text and "Zofia Łukasiewicz" in text
    assert (
        composer.status.text()
    ) == "Saved letter.pdf and logged it as a draft letter to Zofia Łukasiewicz."
    assert e.letters.links_of(seeded.db, letter_id) == {
        "signatory_ids": [leader, seeded.member_id],
        "ask_ids": [second, first],
    }
    history = service.letters_to_contact(seeded.db, seeded.contact_id)
    assert [entry.id for entry in history] == [letter_id]
    # the Letters list shows the new letter (the views refresh on the change)
    page = window.go_to_list("letters")
    qtbot.waitUntil(lambda: page.model.row_of(letter_id) is not None, timeout=10_000)

    word = tmp_path / "letter"  # the suffix is added
    composer.choose_file = lambda fmt: str(word)
    with qtbot.waitSignal(composer.saved, timeout=20_000):
        composer.save_docx.click()
    numbered = [
        p.text for p in read_docx(str(tmp_path / "letter.docx")).paragraphs
        if p.style.name == "List Number"
    ]  # fmt: skip
    assert numbered == ["Housing officers in hospital discharge teams", "A seat on the ICS board"]
    # the same letter in Word is one letter with two files, logged once
    assert logged(seeded.db) == 1
    assert e.letters.get(seeded.db, letter_id).files == [
        str(pdf.resolve()),
        str((tmp_path / "letter.docx").resolve()),
    ]


def test_composer_says_what_is_missing_and_logs_nothing(qtbot, window, seeded, tmp_path: Path):
    composer = open_composer(qtbot, window)
    composer.to_address_choice.setChecked(True)
    composer.address.setPlainText("The Chair\nNHS Kent and Medway")
    composer.choose_file = lambda fmt: str(tmp_path / "x.pdf")
    with qtbot.waitSignal(composer.failed, timeout=20_000) as failed:
        composer.save_pdf.click()
    message = failed.args[0]
    assert "Letter signatories: choose at least one member to sign it" in message
    assert "Letter asks: this letter sets out asks as numbered solutions" in message
    assert message in composer.status.text()
    assert composer.save_pdf.isEnabled()
    assert logged(seeded.db) == 0 and not (tmp_path / "x.pdf").exists()
