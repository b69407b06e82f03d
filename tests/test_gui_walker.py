"""Walks every window and dialog on the 1280×720 test screen and fails on a duplicate
or dead keyboard mnemonic (Alt+letter), an interactive control without an accessible
name, or a window whose smallest size does not fit the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import open_window, read_list
from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QToolBar,
    QWidget,
)

from stpdesk.ui.app import MainWindow
from stpdesk.ui.mnemonics import mnemonic

pytestmark = [
    pytest.mark.usefixtures("never_block_on_unsaved_changes"),
    # The offscreen platform says these as a window moves to the 200 % screen; harmless.
    pytest.mark.qt_log_ignore(
        "This plugin does not support", "The cached device pixel ratio value was stale"
    ),
    pytest.mark.slow,
]

DATA = Path(__file__).parent / "data"
SCREEN = (1280, 720)
INPUTS = (
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QComboBox,
    QAbstractItemView,
    QAbstractSpinBox,
    QAbstractButton,
)


def _shown(widget: QWidget, window: QWidget) -> bool:
    return widget.isVisibleTo(window) and widget.window() is window


def keyboard_problems(window: QWidget) -> list[str]:
    """Duplicate and dead mnemonics among the controls the window shows now."""
    owners: dict[str, list[str]] = {}
    problems = []

    def claim(text: str, what: str) -> None:
        if (letter := mnemonic(text)) is not None:
            owners.setdefault(letter, []).append(what)

    if isinstance(window, QMainWindow):
        for action in window.menuBar().actions():
            claim(action.text(), f"menu {action.text()!r}")
    for widget in window.findChildren(QWidget):
        if not _shown(widget, window):
            continue
        if isinstance(widget, QLabel):
            if mnemonic(widget.text()) is None:
                continue
            buddy = widget.buddy()
            if (
                buddy is None
                or not _shown(buddy, window)
                or buddy.focusPolicy() == Qt.FocusPolicy.NoFocus
            ):
                problems.append(
                    f"label {widget.text()!r}: Alt+{mnemonic(widget.text())} goes nowhere"
                )
            claim(widget.text(), f"label {widget.text()!r}")
        elif isinstance(widget, QAbstractButton):
            if isinstance(widget.parent(), QToolBar):
                continue  # tool buttons act through their actions' shortcuts
            letter = mnemonic(widget.text())
            if letter and widget.shortcut() != QKeySequence(f"Alt+{letter}"):
                problems.append(f"button {widget.text()!r}: its shortcut replaced Alt+{letter}")
            claim(widget.text(), f"button {widget.text()!r}")
        elif isinstance(widget, QGroupBox):
            claim(widget.title(), f"group {widget.title()!r}")
        elif isinstance(widget, QTabBar):
            for tab in range(widget.count()):
                claim(widget.tabText(tab), f"tab {widget.tabText(tab)!r}")
    for letter, users in sorted(owners.items()):
        if len(users) > 1:
            problems.append(f"Alt+{letter.upper()} is shared by {', '.join(users)}")
    return problems


def unnamed_controls(window: QWidget) -> list[str]:
    missing = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, INPUTS) or not _shown(widget, window):
            continue
        if isinstance(widget.parent(), QComboBox | QAbstractSpinBox):
            continue  # the line edit inside a combo or spin box speaks through its parent
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if isinstance(widget, QAbstractButton) and widget.text().replace("&", "").strip():
            continue  # a button is named by its text
        if not widget.accessibleName():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def size_problems(window: QWidget) -> list[str]:
    problems = []
    for what, size in (
        ("smallest size", window.minimumSize()),
        ("smallest useful size", window.minimumSizeHint()),
    ):
        if size.width() > SCREEN[0] or size.height() > SCREEN[1]:
            problems.append(f"{what} {size.width()}×{size.height()} is larger than 1280×720")
    frame = window.frameGeometry()  # on the laptop screen, this is inside 1280×720
    area = window.screen().availableGeometry()
    if not area.contains(frame):
        problems.append(f"{frame} runs off its screen {window.screen().name()} {area}")
    return problems


def _record_tab(dialog: QWidget) -> QWidget:
    """The health check on its second tab, the form for one assessor's scores."""
    dialog.tabs.setCurrentIndex(1)
    return dialog


def settle(qtbot, window: QWidget) -> None:
    """Wait for the window's loading to finish (the main window's one work queue)."""
    main = window if isinstance(window, MainWindow) else window.parentWidget()
    if main.ops.busy:
        with qtbot.waitSignal(main.ops.idle, timeout=10_000):
            pass


def check(qtbot, window: QWidget, found: dict[str, list[str]], label: str = "") -> None:
    qtbot.waitExposed(window)
    settle(qtbot, window)
    name = label or window.windowTitle()
    problems = keyboard_problems(window) + unnamed_controls(window) + size_problems(window)
    if problems:
        found[name] = problems


@pytest.mark.parametrize("screen", ["laptop", "scaled"])
def test_every_window_and_dialog_has_working_keys_names_and_fits(qtbot, seeded, screen):
    """On the 1280×720 laptop screen and on the 1600×1000 screen at 200 %."""
    from stpdesk.ui.editors import open_workflow_dialog
    from stpdesk.ui.exchange.privacy_dialog import EraseConfirmation

    before = QCursor.pos()
    target = next(s for s in QGuiApplication.screens() if s.name() == screen)
    QCursor.setPos(target.availableGeometry().center())  # the main window opens there
    window = open_window(qtbot, seeded.db)
    QCursor.setPos(before)
    assert window.screen().name() == screen
    found: dict[str, list[str]] = {}
    for index in range(window.nav.count()):
        window.go_to(index)
        check(qtbot, window, found, f"main window: {window.nav.item(index).text()}")

    dialogs: list[QWidget] = []
    for entity, record_id in (
        ("meetings", None),
        ("meetings", seeded.meeting_id),
        ("footprints", seeded.footprint_id),
        ("bodies", seeded.icb_id),
        ("contacts", seeded.contact_id),
        ("members", seeded.member_id),
        ("asks", seeded.ask_ids[0]),
        ("commitments", seeded.commitment_ids[0]),
        ("letters", None),
    ):
        editor = window.open_record(entity, record_id)
        dialogs.append(editor)
        check(qtbot, editor, found)
        editor.close()
    for kind in ("done", "reschedule", "drop"):
        dialog = open_workflow_dialog(window.ctx, kind, seeded.commitment_ids[1], window)
        check(qtbot, dialog, found)
        dialog.close()

    read_list(qtbot, window.go_to_list("meetings")).select(seeded.meeting_id)
    for show in (
        window.show_letter_composer,
        window.show_briefing_pack,
        window.show_batch_packs,
        window.show_search,
        window.show_preferences,
        window.show_setup,
        window.show_backups,
        window.show_recently_deleted,
        window.show_health_check,
        lambda: _record_tab(window.show_health_check()),
        window.show_user_guide,
        window.exchange.show_exchange,
        window.exchange.show_action_log,
        window.exchange.show_data_protection,
        lambda: window.exchange.import_calendar(DATA / "google.ics"),
        lambda: window.exchange.import_contacts(DATA / "outlook_contacts_cp1252.csv"),
        lambda: EraseConfirmation("Zofia Łukasiewicz", window),
    ):
        dialog = show()
        dialog.show()
        check(qtbot, dialog, found)
        dialog.close()
    report = "\n".join(f"{name}:\n  " + "\n  ".join(items) for name, items in found.items())
    assert not found, report
