"""Lists: the main text column takes the spare width, short columns show their content
whole, and column widths and sort order are remembered."""

from __future__ import annotations

import pytest
from conftest import open_window, read_list
from PySide6.QtCore import Qt

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def column(page, header: str) -> int:
    return next(i for i, spec in enumerate(page.model.columns) if spec.header == header)


def test_commitment_text_gets_the_width_and_dates_show_whole(qtbot, seeded):
    window = open_window(qtbot, seeded.db)
    page = read_list(qtbot, window.go_to_list("commitments"))
    table = page.table
    text = table.columnWidth(column(page, "Commitment"))
    others = [
        table.columnWidth(c)
        for c in range(page.model.columnCount())
        if c != column(page, "Commitment")
    ]
    assert text > max(others)
    due = column(page, "Due")
    assert table.columnWidth(due) >= table.sizeHintForColumn(due)
    assert table.columnWidth(due) < text / 2


def test_column_widths_and_sort_order_are_remembered(qtbot, seeded):
    first = open_window(qtbot, seeded.db)
    page = read_list(qtbot, first.go_to_list("commitments"))
    body = column(page, "Body")
    page.table.setColumnWidth(body, 301)
    text = column(page, "Commitment")
    page._header_clicked(text)
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page._header_clicked(text)  # again: descending
    shown = [page.model.index(row, text).data() for row in range(page.model.rowCount())]
    assert shown == sorted(shown, reverse=True)
    first.close()

    again = open_window(qtbot, seeded.db)
    page = read_list(qtbot, again.go_to_list("commitments"))
    assert page.table.columnWidth(body) == 301
    header = page.table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        text,
        Qt.SortOrder.DescendingOrder,
    )
    assert (page.model.order_field, page.model.descending) == ("text", True)  # read sorted
    assert [page.model.index(row, text).data() for row in range(page.model.rowCount())] == shown
    again.close()
