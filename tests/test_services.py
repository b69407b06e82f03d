"""Validation messages, audit entries, deletion rules and the product's queries."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import TODAY, long_date
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stpdesk.model.engagement import CommitmentState
from stpdesk.model.enums import AskStatus, AuditAction, CommitmentStatus
from stpdesk.services import dashboard, queries
from stpdesk.services import entities as e
from stpdesk.services.errors import InUse, NotFound, ValidationFailed
from stpdesk.store import WriteFailed


def _row_counts(path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'search_fts%'"
            )
        ]
        return {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in names
        }
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("entity", "data", "field", "message"),
    [
        (
            "commitments",
            {"text": "Send figures", "due_date": "31 February 2026"},
            "due_date",
            "Commitment due date: 31 February 2026 is not a date",
        ),
        (
            "commitments",
            {"text": "Send figures", "due_date": "2026-13-01"},
            "due_date",
            "Commitment due date: “2026-13-01” is not a date: there is no month 13",
        ),
        ("commitments", {"text": "   "}, "text", "Commitment description: cannot be empty"),
        (
            "commitments",
            {"text": "x", "status": "finished"},
            "status",
            "Commitment status: “finished” is not one of",
        ),
        ("asks", {"title": ""}, "title", "Ask title: cannot be empty"),
        (
            "asks",
            {"title": "Seat", "raised_on": "next Tuesday"},
            "raised_on",
            "Ask raised on: “next Tuesday” is not a date",
        ),
        (
            "contacts",
            {"name": "A", "email": "not-an-address"},
            "email",
            "Contact email: “not-an-address” is not an email address",
        ),
        (
            "meetings",
            {"title": "Board", "starts_at": "22/11/2026 14:00", "ends_at": "22/11/2026 13:00"},
            "ends_at",
            "Meeting end: the meeting cannot end before it starts",
        ),
        ("meetings", {"title": "Board"}, "starts_at", "Give the meeting a start"),
        (
            "footprints",
            {"name": "Kent", "code": "Kent123"},
            "code",
            "Footprint ONS code: “KENT123” is not an ONS code",
        ),
    ],
)
def test_validation_messages_name_the_field_and_write_nothing(seeded, entity, data, field, message):
    if entity in ("commitments", "asks"):
        data = {"body_id": seeded.icb_id, **data}
    before = _row_counts(seeded.db.path)
    with pytest.raises(ValidationFailed) as caught:
        e.BY_NAME[entity].create(seeded.db, data)
    assert message in str(caught.value)
    assert caught.value.for_field(field)
    assert _row_counts(seeded.db.path) == before


def test_unknown_reference_is_reported_not_a_crash(seeded):
    with pytest.raises(ValidationFailed, match="Ask asked of: there is no body with id nope"):
        e.asks.create(seeded.db, {"title": "Seat", "body_id": "nope"})
    with pytest.raises(
        ValidationFailed, match="Meeting attendees: there is no contact with id ghost"
    ):
        e.meetings.create(
            seeded.db,
            {"title": "x", "starts_at": "1/1/2026", "attendees": [{"contact_id": "ghost"}]},
        )


def test_failed_multi_record_save_writes_nothing(seeded):
    before = _row_counts(seeded.db.path)
    with pytest.raises(ValidationFailed):
        e.record_meeting(
            seeded.db,
            {"title": "Workshop", "starts_at": "1/12/2026 10:00", "body_ids": [seeded.icb_id]},
            asks_made=[{"title": "Fine", "body_id": seeded.icb_id}],
            commitments_given=[{"text": "Bad", "body_id": "missing-body"}],
        )
    assert _row_counts(seeded.db.path) == before


def test_recorded_meeting_is_stored_audited_and_searchable(seeded):
    meeting, asks, commitments = e.record_meeting(
        seeded.db,
        {
            "title": "Discharge summit",
            "starts_at": "4/12/2026 14:00",
            "body_ids": [seeded.trust_id],
            "attendees": [
                {"contact_id": seeded.contact_id},
                {"member_id": seeded.member_id, "attendance": "apologies"},
            ],
            "notes": "Zanzibarine delays at the front door.",
        },
        asks_made=[{"title": "A housing officer on every ward", "body_id": seeded.trust_id}],
        commitments_given=[
            {
                "text": "Send the delayed discharge figures",
                "body_id": seeded.trust_id,
                "contact_id": seeded.contact_id,
            }
        ],
        actor="Cllr Lowe",
    )
    assert e.meetings.links_of(seeded.db, meeting.id)["body_ids"] == [seeded.trust_id]
    with seeded.db.read() as session:
        people = e.meetings.attendees_of(session, [meeting.id])[meeting.id]
    assert [(p["name"], p["attendance"]) for p in people] == [
        ("Cllr Michelle Lowe", "apologies"),
        ("Zofia Łukasiewicz", "present"),
    ]
    assert e.asks.get(seeded.db, asks[0].id).meeting_id == meeting.id
    assert e.commitments.get(seeded.db, commitments[0].id).contact_id == seeded.contact_id
    for record, summary in (
        (meeting, "Created meeting “Discharge summit (4 December 2026)”"),
        (asks[0], "Created ask “A housing officer on every ward”"),
        (commitments[0], "Created commitment “Send the delayed discharge figures”"),
    ):
        [entry] = queries.audit_trail(seeded.db, record.id)
        assert (entry.action, entry.actor, entry.summary) == (
            AuditAction.create,
            "Cllr Lowe",
            summary,
        )
        assert entry.before is None
        assert entry.after["id"] == record.id
    assert entry.after["text"] == "Send the delayed discharge figures"
    hits = queries.search(seeded.db, "Zanzibarine")
    assert [(hit.kind, hit.title) for hit in hits] == [("meeting", "Discharge summit")]
    # what the save returns can be changed like any other record
    e.meetings.update(seeded.db, meeting.id, {"location": "Oak Room"})
    assert e.meetings.get(seeded.db, meeting.id).location == "Oak Room"


def test_save_failing_while_writing_leaves_nothing_behind(seeded):
    connection = sqlite3.connect(seeded.db.path)
    connection.execute(
        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entry "
        "WHEN new.entity = 'commitment' BEGIN SELECT RAISE(ABORT, 'audit refused'); END"
    )
    connection.commit()
    connection.close()
    before = _row_counts(seeded.db.path)
    with pytest.raises(WriteFailed, match="Nothing was saved: audit refused"):
        e.record_meeting(
            seeded.db,
            {
                "title": "Quokkafold review",
                "starts_at": "1/12/2026 10:00",
                "body_ids": [seeded.icb_id],
            },
            asks_made=[{"title": "Fine", "body_id": seeded.icb_id}],
            commitments_given=[{"text": "Refused", "body_id": seeded.icb_id}],
        )
    assert _row_counts(seeded.db.path) == before
    assert queries.search(seeded.db, "Quokkafold") == []


def test_update_records_before_and_after_in_the_audit(seeded):
    e.asks.update(
        seeded.db, seeded.ask_ids[0], {"status": "accepted", "response": "Agreed at board"}
    )
    trail = queries.audit_trail(seeded.db, seeded.ask_ids[0])
    assert [entry.action for entry in trail] == [AuditAction.create, AuditAction.update]
    change = trail[-1]
    assert change.before["status"] == "open"
    assert change.after["status"] == "accepted"
    assert change.after["response"] == "Agreed at board"
    assert change.actor


def test_update_cannot_blank_a_required_field(seeded):
    with pytest.raises(ValidationFailed, match="Ask title: cannot be empty"):
        e.asks.update(seeded.db, seeded.ask_ids[0], {"title": ""})
    assert e.asks.get(seeded.db, seeded.ask_ids[0]).title == "A seat on the ICS board"


def test_body_in_use_cannot_be_deleted_but_can_be_archived(seeded):
    with pytest.raises(InUse) as caught:
        e.bodies.delete(seeded.db, seeded.icb_id)
    message = str(caught.value)
    assert "NHS Kent and Medway ICB" in message
    assert "1 meeting" in message and "1 contact" in message and "1 ask" in message
    assert "Archive it instead" in message
    e.bodies.archive(seeded.db, seeded.icb_id)
    assert e.bodies.get(seeded.db, seeded.icb_id).archived_at is not None
    assert e.meetings.get(seeded.db, seeded.meeting_id)  # nothing else went


def test_contact_who_attended_cannot_be_deleted(seeded):
    with pytest.raises(InUse, match="1 meeting attendance still refer"):
        e.contacts.delete(seeded.db, seeded.contact_id)


def test_deleted_meeting_is_hidden_and_recoverable(seeded):
    e.meetings.delete(seeded.db, seeded.meeting_id)
    with pytest.raises(NotFound):
        e.meetings.get(seeded.db, seeded.meeting_id)
    assert e.meetings.page(seeded.db).total == 0
    assert e.meetings.page(seeded.db, include_deleted=True).total == 1
    e.meetings.restore(seeded.db, seeded.meeting_id)
    assert e.meetings.get(seeded.db, seeded.meeting_id).title == "ICS partnership board"
    actions = [entry.action for entry in queries.audit_trail(seeded.db, seeded.meeting_id)]
    assert actions == [AuditAction.create, AuditAction.delete, AuditAction.restore]


def test_meeting_links_and_attendees_are_stored(seeded):
    links = e.meetings.links_of(seeded.db, seeded.meeting_id)
    assert set(links["body_ids"]) == {seeded.icb_id, seeded.trust_id}
    with seeded.db.read() as session:
        people = e.meetings.attendees_of(session, [seeded.meeting_id])[seeded.meeting_id]
    assert [p["name"] for p in people] == ["Cllr Michelle Lowe", "Zofia Łukasiewicz"]
    e.meetings.update(
        seeded.db,
        seeded.meeting_id,
        {"attendees": [{"member_id": seeded.member_id, "attendance": "apologies"}]},
    )
    with seeded.db.read() as session:
        people = e.meetings.attendees_of(session, [seeded.meeting_id])[seeded.meeting_id]
    assert [(p["name"], p["attendance"]) for p in people] == [("Cllr Michelle Lowe", "apologies")]


def test_overdue_and_due_soon(seeded):
    board = dashboard.dashboard(seeded.db)
    overdue = board.overdue
    assert [c.text for c in overdue] == ["Share discharge data with the housing team"]
    assert overdue[0].state == CommitmentState.overdue and overdue[0].days_overdue == 12
    assert [c.text for c in board.due_soon] == ["Reply on board membership"]
    e.commitments.update(seeded.db, overdue[0].id, {"status": "done", "evidence": "Data received"})
    assert dashboard.dashboard(seeded.db).overdue == []


def test_open_asks_by_body_and_meetings_with_body(seeded):
    board = dashboard.dashboard(seeded.db)
    assert [(body, [a.title for a in asks]) for body, _count, asks in board.open_asks] == [
        (
            "Maidstone and Tunbridge Wells NHS Trust",
            ["Housing officers in hospital discharge teams"],
        ),
        ("NHS Kent and Medway ICB", ["A seat on the ICS board"]),
    ]
    assert [m.id for m in queries.meetings_with_body(seeded.db, seeded.trust_id)] == [
        seeded.meeting_id
    ]


def test_engagement_summary(seeded):
    e.asks.update(seeded.db, seeded.ask_ids[0], {"status": AskStatus.accepted})
    e.commitments.update(seeded.db, seeded.commitment_ids[1], {"status": CommitmentStatus.done})
    summary = dashboard.engagement_summary(seeded.db, seeded.footprint_id, on=TODAY)
    assert summary.meetings_last_90_days == 1
    assert summary.asks_made == 2
    assert summary.asks_accepted == 1
    assert summary.commitments_kept == 1
    assert summary.commitments_overdue == 1


def test_paging_walks_every_row_once_in_order(db):
    for day in range(1, 29):
        for hour in (9, 14):
            e.meetings.create(
                db, {"title": f"Meeting {day:02d}-{hour}", "starts_at": f"{day}/10/2026 {hour}:00"}
            )
    seen = []
    offset = 0
    while True:
        page = e.meetings.page(db, offset=offset, limit=10, order_by="starts_at", descending=False)
        assert page.total == 56
        if not page.rows:
            break
        assert len(page.rows) <= 10
        seen.extend(page.rows)
        offset += 10
    assert len({m.id for m in seen}) == 56
    assert [m.starts_at for m in seen] == sorted(m.starts_at for m in seen)
    filtered = e.meetings.page(db, text="03-14")
    assert [m.title for m in filtered.rows] == ["Meeting 03-14"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(min_size=1, max_size=200))
def test_any_text_round_trips_exactly(seeded, text):
    if not text.strip() or "\x00" in text:
        return
    saved = e.asks.create(
        seeded.db, {"title": "Round trip", "rationale": text, "body_id": seeded.icb_id}
    )
    assert e.asks.get(seeded.db, saved.id).rationale == text.strip()


def test_a_meeting_without_a_title_says_what_to_do(db):
    with pytest.raises(ValidationFailed) as caught:
        e.meetings.create(db, {"title": None, "starts_at": f"{long_date(3)} 10:00"})
    assert [p.message for p in caught.value.problems] == ["Give the meeting a title"]
