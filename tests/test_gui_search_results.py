"""Search results show the words found highlighted (not in brackets) and when each
meeting was, so repeated board meetings can be told apart."""

from __future__ import annotations

import pytest
from conftest import long_date

from stpdesk.services import entities as e
from stpdesk.ui.app import MainWindow
from stpdesk.ui.search import HTML_ROLE, MATCH_STYLE, snippet_texts

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def test_snippet_marks_become_highlights_and_user_text_is_escaped():
    plain, marked = snippet_texts("care for people with [dementia] <b>& carers</b>")
    assert plain == "care for people with dementia <b>& carers</b>"
    assert f'<span style="{MATCH_STYLE}">dementia</span>' in marked
    assert "&lt;b&gt;&amp; carers&lt;/b&gt;" in marked


def test_search_shows_meeting_dates_and_highlights_the_match(qtbot, seeded):
    for day in (-40, -12):
        e.meetings.create(
            seeded.db,
            {
                "title": "Health and Wellbeing Board",
                "starts_at": f"{long_date(day)} 10:00",
                "notes": "Dementia-friendly communities",
            },
        )
    window = MainWindow(seeded.db)
    qtbot.addWidget(window)
    with qtbot.waitSignals([window.dashboard.loaded, window.status_shown], timeout=10_000):
        window.show()
    search = window.show_search()
    with qtbot.waitSignal(search.results_shown, timeout=5000):
        qtbot.keyClicks(search.query, "dementia")
    texts = [search.results.item(row).text() for row in range(search.results.count())]
    assert {t.splitlines()[0] for t in texts} == {
        f"Meeting: Health and Wellbeing Board — {long_date(-40)}, 10:00",
        f"Meeting: Health and Wellbeing Board — {long_date(-12)}, 10:00",
    }
    assert not any("[" in text for text in texts)
    html = search.results.item(0).data(HTML_ROLE)
    assert f'<span style="{MATCH_STYLE}">Dementia</span>' in html
    search.results.grab()  # the delegate paints without error
    search.close()
