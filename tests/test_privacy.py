"""Data-protection requests: subject access, erasure everywhere, retention review."""

from __future__ import annotations

import json

import pytest
from conftest import days
from pypdf import PdfReader

from stpdesk.cli import main
from stpdesk.documents.subject_access import export_subject_access
from stpdesk.services import entities as e
from stpdesk.services import exports, privacy, queries
from stpdesk.services.errors import ServiceError


@pytest.fixture
def mentioned(seeded):
    db = seeded.db
    e.meetings.update(
        db,
        seeded.meeting_id,
        {"notes": "Zofia Łukasiewicz <b>agreed</b> & will write to zofia@nhs.example's team."},
    )
    e.commitments.update(db, seeded.commitment_ids[1], {"contact_id": seeded.contact_id})
    e.contacts.update(
        db, seeded.contact_id, {"notes": "Prefers mornings", "phone": "01622 555 010"}
    )
    e.letters.create(
        db,
        {
            "template": "ask",
            "subject": "Board membership",
            "recipient_contact_id": seeded.contact_id,
            "recipient_address": "Zofia Łukasiewicz\nKent House, Ashford",
        },
    )
    return seeded


def test_subject_access_gathers_everything_in_json_and_pdf(mentioned, tmp_path):
    json_path, pdf_path = export_subject_access(mentioned.db, mentioned.contact_id, tmp_path)
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["contact"]["name"] == "Zofia Łukasiewicz"
    assert data["contact"]["body"] == "NHS Kent and Medway ICB"
    assert [m["title"] for m in data["meetings"]] == ["ICS partnership board"]
    assert {m["kind"] for m in data["mentions"]} == {"meeting", "letter"}
    assert {a["title"] for a in data["asks"]} == {
        "A seat on the ICS board",
        "Housing officers in hospital discharge teams",
    }
    assert [c["text"] for c in data["commitments"]] == ["Reply on board membership"]
    assert [letter["subject"] for letter in data["letters"]] == ["Board membership"]
    assert any("Created contact" in entry["summary"] for entry in data["audit_entries"])

    pages = [page.extract_text() for page in PdfReader(pdf_path).pages]
    text = "".join(pages)
    assert "Subject access: Zofia Łukasiewicz" in text
    assert "<b>agreed</b> &" in text  # user text printed as typed, not as markup
    assert "Reply on board membership" in text
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in page
        assert "OFFICIAL-SENSITIVE: personal data" in page


def test_a_long_subject_access_numbers_every_page_of_the_whole(mentioned, tmp_path):
    e.contacts.update(
        mentioned.db, mentioned.contact_id, {"notes": "\n".join(f"Note {i}" for i in range(400))}
    )
    _json, pdf_path = export_subject_access(mentioned.db, mentioned.contact_id, tmp_path)
    pages = [page.extract_text() for page in PdfReader(pdf_path).pages]
    assert len(pages) > 2
    assert [f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, 1)] == [True] * len(
        pages
    )


def test_erasure_removes_the_person_everywhere_and_records_only_that_it_happened(mentioned):
    db = mentioned.db
    result = privacy.erase(db, mentioned.contact_id)
    assert result.mentions_removed == 2  # fields: the meeting's notes, the letter's address

    contact = e.contacts.get(db, mentioned.contact_id)
    assert contact.name == privacy.ERASED_NAME
    assert (contact.email, contact.phone, contact.role, contact.notes) == (None, None, None, None)
    meeting = e.meetings.get(db, mentioned.meeting_id)
    assert meeting.notes == "[erased] <b>agreed</b> & will write to [erased]'s team."
    # still an attendee, so the meeting's record stays whole
    assert e.meetings.links_of(db, mentioned.meeting_id) is not None

    everything = json.dumps(exports.dump(db), ensure_ascii=False)
    for personal in ("Łukasiewicz", "zofia@nhs.example", "Prefers mornings", "01622 555 010"):
        assert personal not in everything, personal
    assert queries.search(db, "Łukasiewicz") == []
    raw = db.path.read_bytes()
    assert "Łukasiewicz".encode() not in raw and b"zofia@nhs.example" not in raw

    trail = queries.audit_trail(db, mentioned.contact_id)
    last = trail[-1]
    assert "erased on request" in last.summary and last.before is None
    assert last.after["erased"] is True
    assert all(entry.before is None and entry.after is None for entry in trail[:-1])
    with pytest.raises(ServiceError, match="already been erased"):
        privacy.erase(db, mentioned.contact_id)


def test_retention_review_lists_contacts_not_engaged_with(seeded):
    db = seeded.db
    old = e.contacts.create(db, {"name": "Long Gone", "email": "gone@example.org"})
    late = privacy.retention_review(db, years=2, today=days(940))
    assert [item.name for item in late] == ["Zofia Łukasiewicz", "Long Gone"]  # oldest first
    assert late[0].how == "meeting" and late[0].last_engaged == days(-19)
    assert late[1].how == "added"
    assert privacy.retention_review(db, years=2, today=days(190)) == []
    assert old.id in {item.contact_id for item in late}


def test_cli_privacy(mentioned, db_path, tmp_path, capsys):
    args = ["--db", str(db_path)]
    assert main(["privacy", "access", "zofia@nhs.example", "-o", str(tmp_path / "sar"), *args]) == 0
    assert len(list((tmp_path / "sar").iterdir())) == 2
    assert main(["privacy", "erase", "zofia@nhs.example", *args]) == 2
    assert "add --yes" in capsys.readouterr().err
    assert main(["privacy", "erase", "nobody@nowhere.example", "--yes", *args]) == 2
    assert main(["privacy", "erase", "zofia@nhs.example", "--yes", *args]) == 0
    assert "Erased the personal data" in capsys.readouterr().out
    assert main(["privacy", "review", "--years", "1", "--json", *args]) == 0
    assert json.loads(capsys.readouterr().out) == []
