"""Keys a keyboard user relies on: Tab leaves text boxes, Alt+letters reach their fields."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from stpdesk.ui.mnemonics import mnemonic

pytestmark = [
    pytest.mark.qt_log_ignore("This plugin does not support"),
    pytest.mark.usefixtures("never_block_on_unsaved_changes"),
]


def label_for(dialog: QWidget, buddy: QWidget) -> QLabel:
    return next(label for label in dialog.findChildren(QLabel) if label.buddy() is buddy)


def press_alt(qtbot, dialog: QWidget, label: QLabel) -> None:
    letter = mnemonic(label.text())
    assert letter, f"{label.text()!r} has no Alt+letter"
    qtbot.keyClick(
        dialog, getattr(Qt.Key, f"Key_{letter.upper()}"), Qt.KeyboardModifier.AltModifier
    )


def activate(qtbot, dialog: QWidget) -> None:
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def test_letter_composer_tab_leaves_text_boxes_and_alt_keys_reach_lists(qtbot, window):
    composer = window.show_letter_composer()
    qtbot.waitUntil(lambda: composer.choices is not None, timeout=10_000)
    activate(qtbot, composer)
    composer.to_address_choice.setChecked(True)
    for box in (composer.address, composer.opening, composer.closing):
        before = box.toPlainText()
        box.setFocus()
        qtbot.waitUntil(lambda box=box: focused() is box)
        qtbot.keyClick(box, Qt.Key.Key_Tab)
        assert focused() is not box
        assert box.toPlainText() == before  # no tab character typed

    signed_by = label_for(composer, composer.signatories)
    asks = label_for(composer, composer.asks)
    assert mnemonic(signed_by.text()) == "s"
    assert mnemonic(asks.text()) == "k"
    press_alt(qtbot, composer, signed_by)
    assert focused() is composer.signatories.list
    press_alt(qtbot, composer, asks)
    assert focused() is composer.asks.list

    # Move up and Move down act on the list they sit beside, with Alt+Up and Alt+Down.
    first, second = (composer.asks.list.item(row) for row in (0, 1))
    first_text, second_text = first.text(), second.text()
    composer.asks.list.setCurrentRow(1)
    qtbot.keyClick(composer.asks.list, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert composer.asks.list.item(0).text() == second_text
    assert composer.asks.list.item(1).text() == first_text
    composer.close()


def test_meeting_editor_alt_keys_reach_title_and_themes(qtbot, window, seeded):
    editor = window.open_record("meetings", seeded.meeting_id)
    activate(qtbot, editor)
    title = editor.form.fields["title"]
    themes = editor.notes_form.fields["theme_ids"]
    press_alt(qtbot, editor, label_for(editor, title))
    assert focused() is title
    press_alt(qtbot, editor, label_for(editor, themes))
    assert focused() is themes.picker
    editor.close()


def test_commitment_due_date_and_mark_done_have_their_own_keys(qtbot, window, seeded):
    editor = window.open_record("commitments", seeded.commitment_ids[1])
    qtbot.waitExposed(editor)
    due = label_for(editor, editor.form.fields["due_date"])
    assert mnemonic(editor.done_button.text()) == "d"  # buttons keep their letter
    assert mnemonic(due.text()) not in (None, "d")
    editor.close()


def test_sidebar_arrows_keep_focus_and_tab_leaves_a_list(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.nav.setFocus()
    qtbot.waitUntil(window.nav.hasFocus)
    for _ in range(4):
        qtbot.keyClick(window.nav, Qt.Key.Key_Down)
    assert window.nav.currentRow() == 4  # Meetings
    assert focused() is window.nav
    page = window.lists["meetings"]
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    qtbot.keyClick(page.table, Qt.Key.Key_Tab)
    assert focused() is not page.table
