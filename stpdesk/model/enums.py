"""Enumerations stored as their lower-case values.

Member names equal their values so the database holds readable words; each
enum also carries the label shown to users (British English, plain language).
"""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A string enum with a human label for each member."""

    @property
    def label(self) -> str:
        return _LABELS.get(self.value, self.value.replace("_", " ").capitalize())

    @classmethod
    def parse(cls, text: str) -> LabelledEnum:
        """Accept a value or a label, case-insensitively."""
        wanted = text.strip().lower().replace("-", "_").replace(" ", "_")
        for member in cls:
            if wanted in (member.value, member.label.lower().replace(" ", "_")):
                return member
        raise ValueError(text)


class FootprintKind(LabelledEnum):
    stp = "stp"
    ics = "ics"


class BodyKind(LabelledEnum):
    icb = "icb"
    ccg = "ccg"
    nhs_trust = "nhs_trust"
    foundation_trust = "foundation_trust"
    county_council = "county_council"
    district_council = "district_council"
    unitary_council = "unitary_council"
    health_and_wellbeing_board = "health_and_wellbeing_board"
    primary_care_network = "primary_care_network"
    provider_collaborative = "provider_collaborative"
    voluntary_sector = "voluntary_sector"
    government_department = "government_department"
    other = "other"


class MeetingKind(LabelledEnum):
    stp_board = "stp_board"
    partnership_board = "partnership_board"
    health_and_wellbeing_board = "health_and_wellbeing_board"
    one_to_one = "one_to_one"
    workshop = "workshop"
    briefing = "briefing"
    site_visit = "site_visit"
    other = "other"


class Attendance(LabelledEnum):
    present = "present"
    apologies = "apologies"
    invited = "invited"


class AskStatus(LabelledEnum):
    open = "open"
    accepted = "accepted"
    partly_met = "partly_met"
    declined = "declined"
    withdrawn = "withdrawn"


class Priority(LabelledEnum):
    high = "high"
    medium = "medium"
    low = "low"


class CommitmentDirection(LabelledEnum):
    to_us = "to_us"
    by_us = "by_us"


class CommitmentStatus(LabelledEnum):
    pending = "pending"
    done = "done"
    dropped = "dropped"


class EvidenceKind(LabelledEnum):
    """How we know a commitment was delivered."""

    meeting = "meeting"
    letter = "letter"
    document = "document"
    note = "note"


class Rag(LabelledEnum):
    """Red, amber or green, as NHS boards' action logs rate their actions."""

    red = "red"
    amber = "amber"
    green = "green"


class LetterStatus(LabelledEnum):
    draft = "draft"
    sent = "sent"
    reply_received = "reply_received"


class RelationshipStrength(LabelledEnum):
    """How well we work with a body or a person (the relationship map)."""

    none = "none"
    weak = "weak"
    working = "working"
    strong = "strong"


class SentBy(LabelledEnum):
    post = "post"
    email = "email"


class ReplyOutcome(LabelledEnum):
    """What a reply did to one ask the letter carried."""

    accepted = "accepted"
    partly_met = "partly_met"
    declined = "declined"
    no_answer = "no_answer"


class AuditAction(LabelledEnum):
    create = "create"
    update = "update"
    archive = "archive"
    unarchive = "unarchive"
    delete = "delete"
    restore = "restore"


_LABELS = {
    "none": "None",
    "stp": "STP footprint",
    "ics": "Integrated Care System",
    "icb": "Integrated Care Board",
    "ccg": "Clinical Commissioning Group",
    "nhs_trust": "NHS trust",
    "foundation_trust": "NHS foundation trust",
    "health_and_wellbeing_board": "Health and Wellbeing Board",
    "voluntary_sector": "Voluntary and community sector",
    "stp_board": "STP / ICS board",
    "one_to_one": "One-to-one",
    "partly_met": "Partly met",
    "to_us": "Owed to us",
    "by_us": "Owed by us",
    "reply_received": "Reply received",
    "meeting": "At a meeting",
    "letter": "In a letter or its reply",
    "document": "A document or link",
    "note": "A note",
}

STANDARD_THEMES: tuple[str, ...] = (
    "Housing",
    "Disabled Facilities Grants",
    "Mental health",
    "Prevention",
    "Hospital discharge",
    "Dementia",
    "Debt advice",
    "Leisure",
    "Environmental health",
    "Planning",
    "Community safety",
)
