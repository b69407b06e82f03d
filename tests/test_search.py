"""Full-text search stays in step with every change and ranks sensibly."""

from __future__ import annotations

import json

import pytest

from stpdesk.cli import main
from stpdesk.services import entities as e
from stpdesk.services import queries
from stpdesk.store import search as store_search
from stpdesk.ui.context import AppContext
from stpdesk.ui.operations import Operations
from stpdesk.ui.search import SearchDialog


def kinds_and_titles(db, text):
    return [(hit.kind, hit.title) for hit in queries.search(db, text)]


def test_finds_meeting_notes_with_snippet(seeded):
    hits = queries.search(seeded.db, "missing third")
    assert hits[0].kind == "meeting" and hits[0].ref == seeded.meeting_id
    assert "[missing]" in hits[0].snippet and "[third]" in hits[0].snippet


def test_prefix_and_accents(seeded):
    assert ("contact", "Zofia Łukasiewicz") in kinds_and_titles(seeded.db, "Zof")
    e.contacts.create(seeded.db, {"name": "Chloë Brontë"})
    assert ("contact", "Chloë Brontë") in kinds_and_titles(seeded.db, "chloe bronte")


def test_index_follows_updates_and_deletes(seeded):
    ask_id = seeded.ask_ids[1]
    assert ("ask", "Housing officers in hospital discharge teams") in kinds_and_titles(
        seeded.db, "discharge"
    )
    e.asks.update(seeded.db, ask_id, {"title": "Dementia-friendly communities"})
    assert ("ask", "Housing officers in hospital discharge teams") not in kinds_and_titles(
        seeded.db, "officers"
    )
    assert ("ask", "Dementia-friendly communities") in kinds_and_titles(seeded.db, "dementia")
    e.asks.delete(seeded.db, ask_id)
    assert kinds_and_titles(seeded.db, "dementia") == []
    e.asks.restore(seeded.db, ask_id)
    assert ("ask", "Dementia-friendly communities") in kinds_and_titles(seeded.db, "dementia")


def test_title_matches_rank_above_body_matches(db):
    e.meetings.create(
        db,
        {
            "title": "Quarterly review",
            "starts_at": "1/10/2026",
            "notes": "We discussed leisure centres.",
        },
    )
    e.meetings.create(db, {"title": "Leisure strategy", "starts_at": "2/10/2026"})
    assert [hit.title for hit in queries.search(db, "leisure")] == [
        "Leisure strategy",
        "Quarterly review",
    ]


@pytest.mark.parametrize(
    "text", ['"', "(", "AND", "NEAR(", "*", "'; DROP TABLE meeting; --", "<b>", "{{ x }}", "  "]
)
def test_odd_input_never_errors(seeded, text):
    assert isinstance(queries.search(seeded.db, text), list)


@pytest.fixture
def five_leisure_meetings(db, monkeypatch):
    """Five matching meetings, oldest first, with search set to rank only the newest three."""
    monkeypatch.setattr(store_search, "RECENT_MATCHES", 3)
    for n in range(1, 6):
        e.meetings.create(
            db,
            {
                "title": f"Leisure review {n}",
                "starts_at": f"{n}/10/2026",
                "notes": f"Swimming pools & gyms <part {n}>",
            },
        )
    return db


def test_many_matches_rank_the_newest_and_say_how_many_in_all(five_leisure_meetings):
    hits = queries.search(five_leisure_meetings, "leisure", limit=2)
    assert len(hits) == 2
    assert {hit.title for hit in hits} <= {
        "Leisure review 3",
        "Leisure review 4",
        "Leisure review 5",
    }
    assert (hits.ranked, hits.matches) == (3, 5)
    assert hits.note() == (
        "Showing the best 2 of the 3 most recent matches (5 in all) — add a word to narrow it."
    )


def test_snippets_mark_matches_in_the_rows_returned(five_leisure_meetings):
    hits = queries.search(five_leisure_meetings, "swimming")
    assert [hit.title for hit in hits] == [
        "Leisure review 5",
        "Leisure review 4",
        "Leisure review 3",
    ]  # equal scores: newest first
    assert [hit.snippet.strip() for hit in hits] == [
        f"[Swimming] pools & gyms <part {n}>" for n in (5, 4, 3)
    ]


def test_adding_a_word_reaches_older_records(five_leisure_meetings):
    hits = queries.search(five_leisure_meetings, "leisure review 1")
    assert [hit.title for hit in hits] == ["Leisure review 1"]
    assert (hits.ranked, hits.matches) == (1, 1)
    assert hits.note() is None


def test_more_matches_than_shown_are_counted(db):
    for title in ("Leisure strategy", "Leisure centres", "Leisure pricing"):
        e.meetings.create(db, {"title": title, "starts_at": "1/10/2026"})
    hits = queries.search(db, "leisure", limit=2)
    assert len(hits) == 2 and hits.matches == 3 and not hits.capped
    assert hits.note() == "Showing the best 2 of 3 matches."
    assert queries.search(db, "leisure").note() is None


def test_large_counts_are_written_with_separators():
    hit = store_search.Hit(kind="meeting", ref="m1", title="Board", snippet="", rank=-1.0)
    hits = store_search.Hits([hit] * 50, matches=55_312, ranked=2_000)
    assert hits.note() == (
        "Showing the best 50 of the 2,000 most recent matches (55,312 in all)"
        " — add a word to narrow it."
    )


def test_kinds_limit_the_count_as_well_as_the_hits(seeded, monkeypatch):
    e.asks.create(seeded.db, {"title": "Discharge to assess funding", "body_id": seeded.trust_id})
    monkeypatch.setattr(store_search, "RECENT_MATCHES", 1)
    with seeded.db.read() as session:
        everything = store_search.search(session, "discharge")
        asks = store_search.search(session, "discharge", kinds=("ask",))
    assert (everything.ranked, everything.matches) == (1, 3)  # two asks and a commitment
    assert [hit.title for hit in asks] == ["Discharge to assess funding"]
    assert (asks.ranked, asks.matches) == (1, 2)


def test_search_panel_tells_the_user_when_only_the_newest_were_ranked(qtbot, five_leisure_meetings):
    ops = Operations()
    dialog = SearchDialog(AppContext(db=five_leisure_meetings, ops=ops))
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.results_shown, timeout=5000):
        qtbot.keyClicks(dialog.query, "leisure")
    assert dialog.results.count() == 3
    assert dialog.summary.text() == (
        "Showing the best 3 of the 3 most recent matches (5 in all) — add a word to narrow it."
        " Press Enter to open the first, or ↓ to choose."
    )
    dialog.query.clear()
    with qtbot.waitSignal(dialog.results_shown, timeout=5000):
        qtbot.keyClicks(dialog.query, "leisure review 2")
    assert dialog.results.count() == 1
    assert dialog.summary.text() == "1 found. Press Enter to open the first, or ↓ to choose."
    ops.shutdown()


def test_cli_prints_the_same_note(capsys, five_leisure_meetings):
    path = str(five_leisure_meetings.path)
    assert main(["search", "leisure", "--limit", "2", "--db", path]) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines()[-1] == (
        "Showing the best 2 of the 3 most recent matches (5 in all) — add a word to narrow it."
    )
    assert main(["search", "leisure", "--json", "--db", path]) == 0
    out, err = capsys.readouterr()
    assert [hit["title"] for hit in json.loads(out)] == [
        "Leisure review 5",
        "Leisure review 4",
        "Leisure review 3",
    ]
    assert err.strip() == (
        "Showing the best 3 of the 3 most recent matches (5 in all) — add a word to narrow it."
    )
