"""Every test gets a fresh SQLite file; GUI tests are marked so a fast run can skip them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hypothesis import settings  # noqa: E402

# CI replays the same examples every run, so a red build can be reproduced; local runs
# keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

from stpdesk.services import entities as e  # noqa: E402
from stpdesk.store import Database, open_database  # noqa: E402

TODAY = date(2026, 11, 22)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "qtbot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the real user data folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("STPDESK_DB", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "council.sqlite"


@pytest.fixture
def db(db_path: Path) -> Database:
    database = open_database(db_path)
    yield database
    database.close()


@dataclass
class Seed:
    db: Database
    footprint_id: str
    stp_id: str
    icb_id: str
    trust_id: str
    contact_id: str
    member_id: str
    meeting_id: str
    ask_ids: list[str]
    commitment_ids: list[str]


@pytest.fixture
def seeded(db: Database) -> Seed:
    """A small, known record: one footprint pair, two bodies, a meeting with asks and commitments."""
    ics = e.footprints.create(db, {"code": "E54000032", "name": "Kent and Medway", "kind": "ics"})
    stp = e.footprints.create(
        db, {"code": "E54000032", "name": "Kent and Medway", "kind": "stp", "successor_id": ics.id}
    )
    icb = e.bodies.create(
        db, {"name": "NHS Kent and Medway ICB", "kind": "icb", "footprint_ids": [ics.id]}
    )
    trust = e.bodies.create(
        db,
        {
            "name": "Maidstone and Tunbridge Wells NHS Trust",
            "kind": "nhs_trust",
            "footprint_ids": [ics.id],
        },
    )
    contact = e.contacts.create(
        db,
        {
            "name": "Zofia Łukasiewicz",
            "role": "Director of Strategy",
            "body_id": icb.id,
            "email": "zofia@nhs.example",
        },
    )
    member = e.members.create(
        db, {"name": "Michelle Lowe", "position": "Cabinet Member for Housing and Health"}
    )
    meeting, asks, commitments = e.record_meeting(
        db,
        {
            "title": "ICS partnership board",
            "starts_at": "3 November 2026 10:00",
            "body_ids": [icb.id, trust.id],
            "attendees": [{"contact_id": contact.id}, {"member_id": member.id}],
            "notes": "Housing is the missing third of health and social care.",
        },
        asks_made=[
            {"title": "A seat on the ICS board", "body_id": icb.id, "raised_on": "3/11/2026"},
            {"title": "Housing officers in hospital discharge teams", "body_id": trust.id},
        ],
        commitments_given=[
            {
                "text": "Share discharge data with the housing team",
                "body_id": trust.id,
                "due_date": "2026-11-10",
            },
            {"text": "Reply on board membership", "body_id": icb.id, "due_date": "2026-12-01"},
        ],
    )
    return Seed(
        db=db,
        footprint_id=ics.id,
        stp_id=stp.id,
        icb_id=icb.id,
        trust_id=trust.id,
        contact_id=contact.id,
        member_id=member.id,
        meeting_id=meeting.id,
        ask_ids=[a.id for a in asks],
        commitment_ids=[c.id for c in commitments],
    )
