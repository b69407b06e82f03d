"""Full-text search stays in step with every change and ranks sensibly."""

from __future__ import annotations

import pytest

from stpdesk.services import entities as e
from stpdesk.services import queries


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
