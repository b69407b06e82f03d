"""Property: whatever a user types in any free-text field, the pack is generated and
prints that text back (as the embedded font can draw it), never reading it as markup."""

from __future__ import annotations

import html
import io
import re
import unicodedata

from conftest import TODAY, iso, long_date
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from stpdesk.documents import packs
from stpdesk.documents.fonts import clean_text, printable
from stpdesk.services import council
from stpdesk.services import entities as e
from stpdesk.store import Database

MARKUP = st.sampled_from(
    [
        "<b>",
        "</para>",
        "&amp;",
        "&",
        "<unclosed",
        "{{ x }}",
        "{% if %}",
        "**x**",
        "# h",
        "| a |",
        "1. x",
        "- y",
        "`code`",
        "[l](javascript:x)",
        "<![CDATA[",
        "\\",
        "\u202e",
        "\ue000",
    ]
)
TEXT = (
    st.lists(
        # NUL is refused by every form (issue 20), so it never reaches a pack
        st.one_of(
            st.text(
                st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12
            ),
            MARKUP,
        ),
        max_size=6,
    )
    .map("".join)
    .filter(lambda text: text.strip() and clean_text(text.strip()).strip())
)

FIELDS = (
    "title",
    "location",
    "agenda",
    "notes",
    "earlier_notes",
    "earlier_outcome",
    "body",
    "contact",
    "role",
    "member",
    "position",
    "ask",
    "rationale",
    "commitment",
    "council",
)


def squash(text: str) -> str:
    return "".join(text.split())


def _base(db: Database) -> dict[str, str]:
    body = e.bodies.create(db, {"name": "Body", "kind": "icb"})
    contact = e.contacts.create(db, {"name": "Contact", "body_id": body.id})
    member = e.members.create(db, {"name": "Member"})
    earlier, asks, commitments = e.record_meeting(
        db,
        {"title": "Earlier meeting", "starts_at": f"{long_date(-52)} 10:00", "body_ids": [body.id]},
        asks_made=[{"title": "Ask", "body_id": body.id, "raised_on": iso(-52)}],
        commitments_given=[{"text": "Promise", "body_id": body.id, "due_date": iso(-48)}],
    )
    meeting = e.meetings.create(
        db,
        {
            "title": "Meeting",
            "starts_at": f"{long_date(9)} 10:00",
            "body_ids": [body.id],
            "attendees": [{"contact_id": contact.id}, {"member_id": member.id}],
        },
    )
    return {
        "body": body.id,
        "contact": contact.id,
        "member": member.id,
        "earlier": earlier.id,
        "ask": asks[0].id,
        "commitment": commitments[0].id,
        "meeting": meeting.id,
    }


def _fill(db: Database, ids: dict[str, str], values: dict[str, str]) -> None:
    e.meetings.update(
        db,
        ids["meeting"],
        {
            k: values[f]
            for k, f in (
                ("title", "title"),
                ("location", "location"),
                ("agenda", "agenda"),
                ("notes", "notes"),
            )
        },
    )
    e.meetings.update(
        db, ids["earlier"], {"notes": values["earlier_notes"], "outcome": values["earlier_outcome"]}
    )
    e.bodies.update(db, ids["body"], {"name": values["body"]})
    e.contacts.update(db, ids["contact"], {"name": values["contact"], "role": values["role"]})
    e.members.update(db, ids["member"], {"name": values["member"], "position": values["position"]})
    e.asks.update(db, ids["ask"], {"title": values["ask"], "rationale": values["rationale"]})
    e.commitments.update(db, ids["commitment"], {"text": values["commitment"]})
    council.save_profile(
        db, {"name": values["council"], "protective_marking": "OFFICIAL-SENSITIVE"}
    )


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.fixed_dictionaries({field: TEXT for field in FIELDS}))
@example({field: f"<b>{field}</b> & {{{{ {field} }}}} **not bold** 👍 🁓 Łódź" for field in FIELDS})
@example({field: f"{field} שלום, 3 مرحبا بكم 病院 ÌÌ\U0001ee35¸7\U0002e04dß" for field in FIELDS})
def test_any_text_in_any_field_prints_back(db: Database, values: dict[str, str]) -> None:
    ids = getattr(db, "_property_ids", None) or _base(db)
    db._property_ids = ids  # type: ignore[attr-defined]
    _fill(db, ids, values)

    data = packs.meeting_pack(db, ids["meeting"], today=TODAY)
    reader = PdfReader(io.BytesIO(data))
    printed = squash("".join(page.extract_text() for page in reader.pages))
    for field, value in values.items():
        expected = squash(printable(value.strip()))
        if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in expected):
            # right to left: drawn in reading order (test_hostile checks the order), which
            # a PDF reader puts back as it sees fit when it extracts the text
            assert set(expected) <= set(printed), field
        else:
            assert expected in printed, field

    page = packs.meeting_pack(db, ids["meeting"], fmt="html", today=TODAY).decode()
    shown = squash(html.unescape(re.sub(r"<[^>]+>", "", page)))
    for field, value in values.items():
        assert squash(clean_text(value.strip())) in shown, field
