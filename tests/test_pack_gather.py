"""The meeting pack lists the most pressing asks and commitments, in the order a
councillor expects, whatever the limits: checked against every row sorted in Python."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import TODAY, long_date

from stpdesk.services import briefing
from stpdesk.services import entities as e
from stpdesk.services.errors import NotFound
from stpdesk.store import Database

PRIORITY = {"high": 0, "medium": 1, "low": 2}


@pytest.fixture
def meeting(db: Database) -> str:
    """Two bodies with asks of every priority (dated, undated, shared titles) and
    commitments both ways (late, due later, undated), one of each deleted."""
    first = e.bodies.create(db, {"name": "Alpha ICB", "kind": "icb"})
    second = e.bodies.create(db, {"name": "Beta Trust", "kind": "nhs_trust"})
    contact = e.contacts.create(db, {"name": "Dr Jones", "body_id": first.id})
    earlier = e.meetings.create(
        db, {"title": "Earlier", "starts_at": f"{long_date(-52)} 10:00", "body_ids": [first.id]}
    )
    for number in range(18):
        body = (first, second)[number % 2]
        raised = TODAY - timedelta(days=(number * 7) % 40) if number % 5 else None
        ask = e.asks.create(
            db,
            {
                "title": f"Ask {number % 4}",  # titles shared, so ids break ties
                "body_id": body.id,
                "priority": ("high", "medium", "low")[number % 3],
                "raised_on": raised.isoformat() if raised else None,
                "meeting_id": earlier.id if number % 3 == 0 else None,
            },
        )
        if number == 4:
            e.asks.delete(db, ask.id)
        due = TODAY + timedelta(days=(number * 5) % 30 - 15) if number % 4 else None
        promise = e.commitments.create(
            db,
            {
                "text": f"Promise {number}",
                "body_id": body.id,
                "direction": ("to_us", "by_us")[number % 2 == 0 and number % 3 == 0],
                "due_date": due.isoformat() if due else None,
                "contact_id": contact.id if body is first and number % 3 else None,
            },
        )
        if number == 5:
            e.commitments.delete(db, promise.id)
    e.asks.create(db, {"title": "Answered", "body_id": first.id, "status": "accepted"})
    return e.meetings.create(
        db,
        {"title": "Board", "starts_at": f"{long_date(9)} 10:00", "body_ids": [first.id, second.id]},
    ).id


def _open_asks(db: Database) -> list[str]:
    with db.read() as session:
        asks = [a for a in session.exec(e.asks.query()).all() if a.status == "open"]
    asks.sort(
        key=lambda a: (
            PRIORITY[a.priority],
            a.raised_on is None,
            a.raised_on or TODAY,
            a.title,
            a.id,
        )
    )
    return [a.id for a in asks]


def _pending(db: Database, direction: str) -> list[str]:
    with db.read() as session:
        rows = [
            c
            for c in session.exec(e.commitments.query()).all()
            if c.status == "pending" and c.direction == direction
        ]
    rows.sort(key=lambda c: (c.due_date is None, c.due_date or TODAY, c.id))
    return [c.id for c in rows]


@pytest.mark.parametrize("listed", [0, 1, 3, 5, 6, 9, 12, 30])
def test_pack_lists_the_most_pressing_asks_first_whatever_the_limit(
    db: Database, meeting: str, listed: int
) -> None:
    pack = briefing.meeting_pack(db, meeting, on=TODAY, asks_listed=listed)
    expected = _open_asks(db)
    assert [ask.id for ask in pack.open_asks] == expected[:listed]
    assert pack.open_asks_total == len(expected) == 17
    if listed > 6:  # six are high priority: the list runs on into the medium ones
        assert {ask.priority for ask in pack.open_asks} >= {"High", "Medium"}


@pytest.mark.parametrize("listed", [1, 4, 25])
def test_pack_lists_the_most_overdue_commitments_first(
    db: Database, meeting: str, listed: int
) -> None:
    pack = briefing.meeting_pack(db, meeting, on=TODAY, commitments_listed=listed)
    for items, direction, total in (
        (pack.owed_to_us, "to_us", pack.owed_to_us_total),
        (pack.owed_by_us, "by_us", pack.owed_by_us_total),
    ):
        expected = _pending(db, direction)
        assert {item.id for item in items} == set(expected[:listed])
        assert total == len(expected)
    late = [item for item in pack.owed_to_us if item.overdue]
    assert late == pack.overdue_to_us


def test_pack_says_where_asks_were_raised_and_who_owes_what(db: Database, meeting: str) -> None:
    pack = briefing.meeting_pack(db, meeting, on=TODAY)
    owed_by = {item.owed_by for item in pack.owed_to_us}
    assert owed_by == {"Dr Jones, Alpha ICB", "Beta Trust"}  # Beta names no contact
    assert {item.owed_by for item in pack.owed_by_us} == {"Your council"}
    raised = {ask.raised_at for ask in pack.open_asks}
    assert raised == {f"Earlier, {long_date(-52)}", ""}
    assert [m.title for m in pack.history] == ["Earlier"]
    assert pack.history[0].bodies == ["Alpha ICB"]
    assert pack.meeting.bodies == ["Alpha ICB", "Beta Trust"]


def test_a_deleted_meeting_has_no_pack(db: Database, meeting: str) -> None:
    e.meetings.delete(db, meeting)
    with pytest.raises(NotFound, match=f"There is no meeting with id {meeting}"):
        briefing.meeting_pack(db, meeting, on=TODAY)


PLAIN_OR_NOT = [
    "Purpose and agenda",
    "Who will be there (and why); 12 of them, 3/4 present?",
    "Łódź – café naïve 日本語 O’Brien",
    "\ue0007\ue001, \ue0008\ue001",
    "snake_case_name",
    "a *b* and **c**",
    "x & y &amp; z",
    "[link](https://example.org) ![image](x.png)",
    "a ~~gone~~ b",
    "`code` and \\*escaped\\*",
    "<b>bold?</b> a<b",
    "line one\nline two",
    "ends with two spaces  \nnext",
    "http://example.org: a colon",
]


@pytest.mark.parametrize("text", PLAIN_OR_NOT)
def test_text_parses_as_markdown_it_would(text: str) -> None:
    """Text with no Markdown in it skips the inline parse; the result must not change."""
    from markdown_it import MarkdownIt

    from stpdesk.documents import content

    plain = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])

    def shape(tokens: list) -> list:
        return [
            (t.type, t.tag, t.content, t.attrs, shape(t.children or []))
            for t in tokens
            if t.type != "inline" or t.children is not None
        ]

    for source in (text, f"# {text}", f"| a |\n| - |\n| {text} |", f"- {text}"):
        if "\n" in text and not source.startswith(text):
            continue  # a line break ends a heading, a cell or a list item's first line
        assert shape(content.markdown_parser().parse(source)) == shape(plain.parse(source))
