"""Windows fit the screen they open on and remember their size on each screen.

The tests run on two simulated screens (tests/data/screens.json): a 1280×720 laptop
screen and a 1600×1000 (logical) screen at 200 % scaling."""

from __future__ import annotations

import pytest
from conftest import open_window, read_list
from PySide6.QtCore import QPoint
from PySide6.QtGui import QCursor, QGuiApplication

pytestmark = [
    pytest.mark.qt_log_ignore("This plugin does not support"),
    pytest.mark.usefixtures("never_block_on_unsaved_changes"),
]


def screen_named(name: str):
    return next(s for s in QGuiApplication.screens() if s.name() == name)


@pytest.fixture
def on_screen():
    """Put the pointer on a screen (new main windows open where the pointer is)."""
    before = QCursor.pos()

    def move(name: str):
        QCursor.setPos(screen_named(name).availableGeometry().center())
        return name

    yield move
    QCursor.setPos(before)


def assert_inside(window, name: str) -> None:
    area = screen_named(name).availableGeometry()
    frame = window.frameGeometry()
    assert area.contains(frame), f"{window.windowTitle()} {frame} is not inside {area}"


def test_screens_are_simulated(qapp):
    laptop, scaled = screen_named("laptop"), screen_named("scaled")
    assert laptop.availableGeometry().size().toTuple() == (1280, 720)
    assert (scaled.availableGeometry().size().toTuple(), scaled.devicePixelRatio()) == (
        (1600, 1000),
        2.0,
    )


@pytest.mark.parametrize("name", ["laptop", "scaled"])
def test_main_window_and_its_status_bar_fit_the_screen(qtbot, seeded, on_screen, name):
    screen = on_screen(name)
    window = open_window(qtbot, seeded.db)
    assert window.screen().name() == screen
    assert_inside(window, screen)
    status_bar = window.statusBar()
    assert status_bar.isVisible()
    bottom = status_bar.mapToGlobal(QPoint(0, status_bar.height()))
    assert bottom.y() <= screen_named(screen).availableGeometry().bottom() + 1


def test_meeting_editor_and_briefing_pack_buttons_are_on_the_laptop_screen(
    qtbot, seeded, on_screen
):
    screen = on_screen("laptop")
    window = open_window(qtbot, seeded.db)
    editor = window.open_record("meetings", seeded.meeting_id)
    qtbot.waitExposed(editor)
    assert_inside(editor, screen)
    save = editor.save_button
    assert (
        screen_named(screen)
        .availableGeometry()
        .contains(save.mapToGlobal(save.rect().bottomRight()))
    )
    editor.close()
    read_list(qtbot, window.go_to_list("meetings")).select(seeded.meeting_id)
    pack = window.show_briefing_pack()
    qtbot.waitExposed(pack)
    assert_inside(pack, screen)
    pack.close()


def test_size_and_place_are_remembered_per_screen(qtbot, seeded, on_screen):
    laptop = on_screen("laptop")
    first = open_window(qtbot, seeded.db)
    first.setGeometry(100, 80, 900, 560)
    first_geometry = first.geometry()
    first.close()

    again = open_window(qtbot, seeded.db)
    assert again.geometry() == first_geometry
    assert again.screen().name() == laptop
    again.close()

    # On the other screen the window has not been sized by the user: it fits that screen.
    scaled = on_screen("scaled")
    other = open_window(qtbot, seeded.db)
    assert other.screen().name() == scaled
    assert other.size() != first_geometry.size()
    assert_inside(other, scaled)
    other.close()
