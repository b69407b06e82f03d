"""SQLModel tables, one family per entity.

Each entity has ``XxxBase`` (the fields a user edits, with their validation),
``XxxCreate`` (what a new record needs, including links), ``XxxUpdate`` (every
field optional) and ``Xxx`` (the table). Field ``title`` is the label users see
in messages ("Commitment due date: 31 February 2026 is not a date").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import field_validator, model_validator
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Index,
    LargeBinary,
    UniqueConstraint,
    func,
    literal_column,
    text,
)
from sqlmodel import Field, SQLModel

from .clock import now
from .enums import (
    AskStatus,
    Attendance,
    AuditAction,
    BodyKind,
    CommitmentDirection,
    CommitmentStatus,
    EvidenceKind,
    FootprintKind,
    LetterStatus,
    MeetingKind,
    Priority,
    RelationshipStrength,
    ReplyOutcome,
    SentBy,
)
from .types import UKDate, UKDateTime, UTCDateTime, new_id

SHORT = 300
LONG = 1_000_000  # notes may be very long; the limit only stops runaway pastes


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class Editable(SQLModel):
    """Strips surrounding spaces from every text field a user edits, and refuses NUL
    characters and text that is not Unicode (a lone surrogate), which no one types and
    which break files and the database. (Other control characters are shown safely.)"""

    label: ClassVar[str] = "Record"

    @model_validator(mode="before")
    @classmethod
    def _strip_text(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, value in data.items():
                if isinstance(value, str) and ("\x00" in value or not _encodable(value)):
                    field = cls.model_fields.get(key)
                    title = field.title if field and field.title else key
                    what = "a NUL character" if "\x00" in value else "a broken character"
                    raise ValueError(f"{title}: contains {what}; remove it")
            return {key: _strip(value) for key, value in data.items()}
        return data


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


SCALE_LOW, SCALE_HIGH = 1, 5  # influence and interest on the relationship map


def whole_number(value: Any, low: int, high: int) -> int | None:
    """``value`` as a whole number from ``low`` to ``high`` ("+1", "−2" from a form count),
    or None if it is not one."""
    number: Any = value
    if isinstance(value, str):
        text = value.strip().replace("\u2212", "-")
        digits = text.lstrip("+-")
        number = int(text) if digits.isdigit() and len(text) - len(digits) <= 1 else None
    if isinstance(number, bool) or not isinstance(number, int) or not (low <= number <= high):
        return None
    return number


def check_scale(value: Any) -> int | None:
    """A reading from 1 to 5, or nothing (not yet mapped); "3" from a form is 3."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = whole_number(value, SCALE_LOW, SCALE_HIGH)
    if number is None:
        raise ValueError(
            f"“{value}” is not on the scale: give a whole number from {SCALE_LOW} (least) "
            f"to {SCALE_HIGH} (most), or leave it empty"
        )
    return number


class Mapped(Editable):
    """Where a body or a person sits on the relationship map (each change is audited)."""

    influence: int | None = Field(default=None, title="Influence")
    interest: int | None = Field(default=None, title="Interest")
    strength: RelationshipStrength = Field(
        default=RelationshipStrength.none, title="Relationship strength"
    )

    _scale = field_validator("influence", "interest", mode="before")(check_scale)


class Record(SQLModel):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=now, sa_type=UTCDateTime, nullable=False)


def live_index(name: str, *columns: Any) -> Index:
    """An index over live (not deleted) rows only."""
    live = text("deleted_at IS NULL")
    return Index(name, *columns, sqlite_where=live, postgresql_where=live)


def list_indexes(table: str, *order_columns: str) -> tuple[Index, Index]:
    """Indexes for a soft-deletable list: live rows in their default order (so a page
    is read straight off the index, never sorted), and the few deleted rows."""
    live = text("deleted_at IS NULL")
    gone = text("deleted_at IS NOT NULL")
    return (
        Index(
            f"ix_{table}_live_order", *order_columns, "id", sqlite_where=live, postgresql_where=live
        ),
        Index(f"ix_{table}_deleted", "deleted_at", sqlite_where=gone, postgresql_where=gone),
    )


class Deletable(SQLModel):
    """Soft delete: a deleted record stays recoverable until the bin is emptied."""

    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Archivable(SQLModel):
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- Footprints -------------------------------------------------------------


class FootprintBase(Editable):
    label: ClassVar[str] = "Footprint"
    code: str | None = Field(default=None, max_length=9, title="ONS code", index=True)
    name: str = Field(min_length=1, max_length=SHORT, title="Name")
    kind: FootprintKind = Field(default=FootprintKind.ics, title="Kind")
    region: str | None = Field(default=None, max_length=SHORT, title="Region")
    successor_id: str | None = Field(
        default=None, foreign_key="footprint.id", title="Successor", index=True
    )
    notes: str | None = Field(default=None, max_length=LONG, title="Notes")

    @field_validator("code")
    @classmethod
    def _code_shape(cls, value: str | None) -> str | None:
        if not value:
            return None
        value = value.upper()
        if len(value) != 9 or not value[0].isalpha() or not value[1:].isdigit():
            raise ValueError(f"“{value}” is not an ONS code: it looks like E54000032")
        return value


class Footprint(FootprintBase, Record, table=True):
    __table_args__ = (UniqueConstraint("code", "kind", name="uq_footprint_code_kind"),)


class FootprintCreate(FootprintBase):
    pass


class FootprintUpdate(FootprintBase):
    name: str | None = Field(default=None, min_length=1, max_length=SHORT, title="Name")
    kind: FootprintKind | None = Field(default=None, title="Kind")


# --- Bodies -----------------------------------------------------------------


class BodyBase(Mapped):
    label: ClassVar[str] = "Body"
    name: str = Field(min_length=1, max_length=SHORT, title="Name", index=True)
    kind: BodyKind = Field(default=BodyKind.other, title="Kind")
    code: str | None = Field(default=None, max_length=20, title="Code")
    website: str | None = Field(default=None, max_length=SHORT, title="Website")
    notes: str | None = Field(default=None, max_length=LONG, title="Notes")


class Body(BodyBase, Record, Archivable, table=True):
    pass


class BodyCreate(BodyBase):
    footprint_ids: list[str] = Field(default_factory=list, title="Footprints")


class BodyUpdate(BodyBase):
    strength: RelationshipStrength | None = Field(default=None, title="Relationship strength")
    name: str | None = Field(default=None, min_length=1, max_length=SHORT, title="Name")
    kind: BodyKind | None = Field(default=None, title="Kind")
    footprint_ids: list[str] | None = Field(default=None, title="Footprints")


class BodyFootprint(SQLModel, table=True):
    __tablename__ = "body_footprint"
    body_id: str = Field(foreign_key="body.id", primary_key=True, ondelete="CASCADE")
    footprint_id: str = Field(
        foreign_key="footprint.id", primary_key=True, index=True, ondelete="CASCADE"
    )


# --- People -----------------------------------------------------------------


def _check_email(value: str | None) -> str | None:
    if not value:
        return None
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or " " in value:
        raise ValueError(f"“{value}” is not an email address: it looks like name@example.gov.uk")
    return value


class ContactBase(Mapped):
    label: ClassVar[str] = "Contact"
    name: str = Field(min_length=1, max_length=SHORT, title="Name", index=True)
    role: str | None = Field(default=None, max_length=SHORT, title="Role")
    body_id: str | None = Field(default=None, foreign_key="body.id", title="Body", index=True)
    email: str | None = Field(default=None, max_length=SHORT, title="Email", index=True)
    phone: str | None = Field(default=None, max_length=50, title="Phone")
    notes: str | None = Field(default=None, max_length=LONG, title="Notes")

    _email = field_validator("email")(_check_email)


class Contact(ContactBase, Record, Archivable, Deletable, table=True):
    __table_args__ = list_indexes("contact", "name")


class ContactCreate(ContactBase):
    pass


class ContactUpdate(ContactBase):
    strength: RelationshipStrength | None = Field(default=None, title="Relationship strength")
    name: str | None = Field(default=None, min_length=1, max_length=SHORT, title="Name")


class MemberBase(Editable):
    label: ClassVar[str] = "Member"
    title: str | None = Field(default="Cllr", max_length=50, title="Title")
    name: str = Field(min_length=1, max_length=SHORT, title="Name", index=True)
    position: str | None = Field(default=None, max_length=SHORT, title="Position")
    council: str | None = Field(default=None, max_length=SHORT, title="Council")
    email: str | None = Field(default=None, max_length=SHORT, title="Email")

    _email = field_validator("email")(_check_email)


class Member(MemberBase, Record, Archivable, table=True):
    pass


class MemberCreate(MemberBase):
    pass


class MemberUpdate(MemberBase):
    name: str | None = Field(default=None, min_length=1, max_length=SHORT, title="Name")


# --- Themes -----------------------------------------------------------------


class ThemeBase(Editable):
    label: ClassVar[str] = "Theme"
    name: str = Field(min_length=1, max_length=100, title="Name", unique=True)


class Theme(ThemeBase, Record, table=True):
    builtin: bool = Field(default=False)


class ThemeCreate(ThemeBase):
    pass


# --- Meetings ---------------------------------------------------------------


class AttendeeIn(Editable):
    """One person at a meeting: a contact or one of our members."""

    label: ClassVar[str] = "Attendee"
    contact_id: str | None = Field(default=None, title="Contact")
    member_id: str | None = Field(default=None, title="Member")
    attendance: Attendance = Field(default=Attendance.present, title="Attendance")

    @model_validator(mode="after")
    def _one_person(self) -> AttendeeIn:
        if bool(self.contact_id) == bool(self.member_id):
            raise ValueError("choose either a contact or a member for each attendee")
        return self


TEMPERATURE_LOW, TEMPERATURE_HIGH = -2, 2  # hostile .. supportive
REASON_LENGTH = 300


def check_temperature(value: Any) -> int:
    """A reading from −2 (hostile) to +2 (supportive); "+1" or "-2" from a form is a number."""
    number = whole_number(value, TEMPERATURE_LOW, TEMPERATURE_HIGH)
    if number is None:
        raise ValueError(
            f"“{value}” is not a reading: give a whole number from {TEMPERATURE_LOW} (hostile) "
            f"to +{TEMPERATURE_HIGH} (supportive)"
        )
    return number


class TemperatureIn(Editable):
    """How one body at a meeting seemed: −2 hostile … +2 supportive, and why."""

    label: ClassVar[str] = "Temperature"
    body_id: str = Field(min_length=1, max_length=36, title="Body")
    score: int = Field(title="Temperature")
    reason: str | None = Field(default=None, max_length=REASON_LENGTH, title="Reason")

    _score = field_validator("score", mode="before")(check_temperature)


def _check_temperatures(
    temperature: list[TemperatureIn] | None, body_ids: list[str] | None
) -> None:
    """Each reading is of a body at the meeting, and no body is read twice."""
    if not temperature:
        return
    read = [reading.body_id for reading in temperature]
    if len(set(read)) != len(read):
        raise ValueError("Temperature: a body has two readings; give one per body")
    if body_ids is not None:
        absent = [body for body in read if body not in body_ids]
        if absent:
            raise ValueError(
                f"Temperature: body {', '.join(absent)} is not at this meeting; add it to "
                "the meeting's bodies first"
            )


class MeetingBase(Editable):
    label: ClassVar[str] = "Meeting"
    title: str = Field(min_length=1, max_length=SHORT, title="Title")
    starts_at: UKDateTime = Field(default=None, title="Start")
    ends_at: UKDateTime = Field(default=None, title="End")
    location: str | None = Field(default=None, max_length=SHORT, title="Location")
    kind: MeetingKind = Field(default=MeetingKind.other, title="Kind")
    agenda: str | None = Field(default=None, max_length=LONG, title="Agenda")
    notes: str | None = Field(default=None, max_length=LONG, title="Notes")
    outcome: str | None = Field(default=None, max_length=LONG, title="Outcome")


class Meeting(MeetingBase, Record, Deletable, table=True):
    __table_args__ = list_indexes("meeting", "starts_at")
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def _ends_after_start(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at and ends_at and ends_at < starts_at:
        raise ValueError("End: the meeting cannot end before it starts")


class MeetingCreate(MeetingBase):
    starts_at: UKDateTime = Field(title="Start")
    body_ids: list[str] = Field(default_factory=list, title="Bodies")
    attendees: list[AttendeeIn] = Field(default_factory=list, title="Attendees")
    theme_ids: list[str] = Field(default_factory=list, title="Themes")
    temperature: list[TemperatureIn] = Field(default_factory=list, title="Temperature")

    @model_validator(mode="after")
    def _times(self) -> MeetingCreate:
        if self.starts_at is None:
            raise ValueError("Start: give the date and time the meeting starts")
        _ends_after_start(self.starts_at, self.ends_at)
        _check_temperatures(self.temperature, self.body_ids)
        return self


class MeetingUpdate(MeetingBase):
    title: str | None = Field(default=None, min_length=1, max_length=SHORT, title="Title")
    starts_at: UKDateTime = Field(default=None, title="Start")
    kind: MeetingKind | None = Field(default=None, title="Kind")
    body_ids: list[str] | None = Field(default=None, title="Bodies")
    attendees: list[AttendeeIn] | None = Field(default=None, title="Attendees")
    theme_ids: list[str] | None = Field(default=None, title="Themes")
    temperature: list[TemperatureIn] | None = Field(default=None, title="Temperature")

    @model_validator(mode="after")
    def _readings(self) -> MeetingUpdate:
        _check_temperatures(self.temperature, self.body_ids)
        return self


class MeetingBody(SQLModel, table=True):
    __tablename__ = "meeting_body"
    meeting_id: str = Field(foreign_key="meeting.id", primary_key=True, ondelete="CASCADE")
    body_id: str = Field(foreign_key="body.id", primary_key=True, index=True)


class MeetingAttendee(SQLModel, table=True):
    __tablename__ = "meeting_attendee"
    __table_args__ = (
        CheckConstraint(
            "(contact_id IS NULL) != (member_id IS NULL)", name="ck_attendee_one_person"
        ),
    )
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    contact_id: str | None = Field(default=None, foreign_key="contact.id", index=True)
    member_id: str | None = Field(default=None, foreign_key="member.id", index=True)
    attendance: Attendance = Field(default=Attendance.present)


class MeetingTemperature(SQLModel, table=True):
    """The temperature of one body at one meeting (see TemperatureIn)."""

    __tablename__ = "meeting_temperature"
    __table_args__ = (
        CheckConstraint(
            f"score BETWEEN {TEMPERATURE_LOW} AND {TEMPERATURE_HIGH}", name="ck_temperature_score"
        ),
    )
    meeting_id: str = Field(foreign_key="meeting.id", primary_key=True, ondelete="CASCADE")
    body_id: str = Field(foreign_key="body.id", primary_key=True, index=True)
    score: int = Field(nullable=False)
    reason: str | None = Field(default=None, max_length=REASON_LENGTH)


class MeetingTheme(SQLModel, table=True):
    __tablename__ = "meeting_theme"
    meeting_id: str = Field(foreign_key="meeting.id", primary_key=True, ondelete="CASCADE")
    theme_id: str = Field(foreign_key="theme.id", primary_key=True, index=True)


# --- Asks -------------------------------------------------------------------


class AskBase(Editable):
    label: ClassVar[str] = "Ask"
    title: str = Field(min_length=1, max_length=SHORT, title="Title")
    rationale: str | None = Field(default=None, max_length=LONG, title="The case for it")
    body_id: str = Field(foreign_key="body.id", title="Asked of", index=True)
    meeting_id: str | None = Field(
        default=None, foreign_key="meeting.id", title="Raised at meeting", index=True
    )
    letter_id: str | None = Field(
        default=None, foreign_key="letter.id", title="Raised in letter", index=True
    )
    minute_ref: str | None = Field(default=None, max_length=20, title="Minute reference")
    priority: Priority = Field(default=Priority.medium, title="Priority")
    status: AskStatus = Field(default=AskStatus.open, title="Status", index=True)
    response: str | None = Field(default=None, max_length=LONG, title="Their response")
    raised_on: UKDate = Field(default=None, title="Raised on")
    responded_on: UKDate = Field(default=None, title="Responded on")


class Ask(AskBase, Record, Deletable, table=True):
    __table_args__ = (
        *list_indexes("ask", "raised_on"),
        # open asks by body, and counts by status for a footprint's bodies
        live_index("ix_ask_live_body_status", "body_id", "status", "raised_on", "id"),
    )
    raised_on: date | None = Field(default=None)
    responded_on: date | None = Field(default=None)


class AskCreate(AskBase):
    theme_ids: list[str] = Field(default_factory=list, title="Themes")


class AskUpdate(AskBase):
    title: str | None = Field(default=None, min_length=1, max_length=SHORT, title="Title")
    body_id: str | None = Field(default=None, title="Asked of")
    priority: Priority | None = Field(default=None, title="Priority")
    status: AskStatus | None = Field(default=None, title="Status")
    theme_ids: list[str] | None = Field(default=None, title="Themes")


class AskTheme(SQLModel, table=True):
    __tablename__ = "ask_theme"
    ask_id: str = Field(foreign_key="ask.id", primary_key=True, ondelete="CASCADE")
    theme_id: str = Field(foreign_key="theme.id", primary_key=True, index=True)


# --- Commitments ------------------------------------------------------------


class CommitmentBase(Editable):
    label: ClassVar[str] = "Commitment"
    text: str = Field(min_length=1, max_length=LONG, title="Description")
    direction: CommitmentDirection = Field(default=CommitmentDirection.to_us, title="Who owes it")
    body_id: str = Field(foreign_key="body.id", title="Body", index=True)
    contact_id: str | None = Field(
        default=None, foreign_key="contact.id", title="Contact", index=True
    )
    meeting_id: str | None = Field(
        default=None, foreign_key="meeting.id", title="Made at meeting", index=True
    )
    ask_id: str | None = Field(default=None, foreign_key="ask.id", title="In answer to ask")
    minute_ref: str | None = Field(default=None, max_length=20, title="Minute reference")
    due_date: UKDate = Field(default=None, title="Due date")
    status: CommitmentStatus = Field(default=CommitmentStatus.pending, title="Status")
    evidence: str | None = Field(default=None, max_length=LONG, title="Evidence")
    completed_on: UKDate = Field(default=None, title="Completed on")


class Commitment(CommitmentBase, Record, Deletable, table=True):
    __table_args__ = (
        Index("ix_commitment_status_due", "status", "due_date"),
        *list_indexes("commitment", "due_date"),
        # a body's commitments by status and due date (briefing packs, engagement summary)
        live_index("ix_commitment_live_body_status", "body_id", "status", "due_date"),
        # promises kept: by the date first promised, with every column its count reads
        live_index(
            "ix_commitment_live_first_due",
            func.coalesce(literal_column("original_due_date"), literal_column("due_date")),
            "body_id",
            "direction",
            "status",
            "due_date",
            "completed_on",
            "revisions",
            "original_due_date",  # before SQLite 3.41, covering needs every named column
            "deleted_at",
        ),
        # the same for a few bodies (a pack's): each body's, direction's and status's period
        # is its own range, counted in the index's order (migration 0016)
        live_index(
            "ix_commitment_live_body_first_due",
            "body_id",
            "direction",
            "status",
            func.coalesce(literal_column("original_due_date"), literal_column("due_date")),
            "due_date",
            "completed_on",
            "revisions",
            "original_due_date",
            "deleted_at",
        ),
    )
    due_date: date | None = Field(default=None)
    completed_on: date | None = Field(default=None)
    # The date first promised; due_date is the latest. Each move is kept in revisions
    # (oldest first: from, to, reason, by, at, meeting_id, letter_id), never overwritten.
    original_due_date: date | None = Field(default=None)
    revisions: list[dict] | None = Field(default=None, sa_column=Column(JSON))
    # How we know it was delivered (with completed_on and evidence, the note)
    evidence_kind: EvidenceKind | None = Field(default=None)
    evidence_ref: str | None = Field(default=None, max_length=2000)
    # Overdue, due soon and done late are derived, never stored: see model.engagement.


class CommitmentCreate(CommitmentBase):
    theme_ids: list[str] = Field(default_factory=list, title="Themes")


class CommitmentUpdate(CommitmentBase):
    text: str | None = Field(default=None, min_length=1, max_length=LONG, title="Description")
    direction: CommitmentDirection | None = Field(default=None, title="Who owes it")
    body_id: str | None = Field(default=None, title="Body")
    status: CommitmentStatus | None = Field(default=None, title="Status")
    theme_ids: list[str] | None = Field(default=None, title="Themes")


class CommitmentTheme(SQLModel, table=True):
    __tablename__ = "commitment_theme"
    commitment_id: str = Field(foreign_key="commitment.id", primary_key=True, ondelete="CASCADE")
    theme_id: str = Field(foreign_key="theme.id", primary_key=True, index=True)


# --- Letters ----------------------------------------------------------------


class LetterBase(Editable):
    label: ClassVar[str] = "Letter"
    template: str = Field(min_length=1, max_length=100, title="Template")
    subject: str | None = Field(default=None, max_length=SHORT, title="Subject")
    recipient_contact_id: str | None = Field(
        default=None, foreign_key="contact.id", title="Recipient", index=True
    )
    recipient_address: str | None = Field(default=None, max_length=2000, title="Address")
    body_id: str | None = Field(default=None, foreign_key="body.id", title="Body", index=True)
    letter_date: UKDate = Field(default=None, title="Date")
    status: LetterStatus = Field(default=LetterStatus.draft, title="Status")
    reply_on: UKDate = Field(default=None, title="Reply received on")
    reply_notes: str | None = Field(default=None, max_length=LONG, title="Reply notes")
    file_path: str | None = Field(default=None, max_length=2000, title="File")
    opening: str | None = Field(default=None, max_length=LONG, title="Opening")
    closing: str | None = Field(default=None, max_length=LONG, title="Closing")
    reference: str | None = Field(default=None, max_length=100, title="Our reference")
    cc: list[str] | None = Field(default=None, title="Copied to")
    sent_on: UKDate = Field(default=None, title="Sent on")
    sent_by: SentBy | None = Field(default=None, title="Sent by")
    # every file the letter was saved as (its PDF and its Word copy); file_path is the first
    files: list[str] | None = Field(default=None, title="Files")

    @field_validator("cc", mode="before")
    @classmethod
    def _copies(cls, value: Any) -> Any:
        """One name a line, or separated by semicolons; blanks dropped."""
        if isinstance(value, str):
            value = value.replace(";", "\n").split("\n")
        if isinstance(value, list):
            names = [" ".join(str(name).split()) for name in value]
            return [name for name in names if name] or None
        return value


class Letter(LetterBase, Record, Deletable, table=True):
    __table_args__ = (
        *list_indexes("letter", "letter_date"),
        # letters awaiting a reply (the dashboard, packs): sent ones by the day they went
        live_index("ix_letter_live_status_sent", "status", "sent_on"),
    )
    letter_date: date | None = Field(default=None)
    reply_on: date | None = Field(default=None)
    sent_on: date | None = Field(default=None)
    cc: list[str] | None = Field(default=None, sa_column=Column(JSON))
    files: list[str] | None = Field(default=None, sa_column=Column(JSON))


class LetterCreate(LetterBase):
    signatory_ids: list[str] = Field(default_factory=list, title="Signatories")
    ask_ids: list[str] = Field(default_factory=list, title="Asks")

    @model_validator(mode="after")
    def _recipient(self) -> LetterCreate:
        if not self.recipient_contact_id and not self.recipient_address:
            raise ValueError("Recipient: choose a contact or type an address")
        return self


class LetterUpdate(LetterBase):
    template: str | None = Field(default=None, min_length=1, max_length=100, title="Template")
    status: LetterStatus | None = Field(default=None, title="Status")
    signatory_ids: list[str] | None = Field(default=None, title="Signatories")
    ask_ids: list[str] | None = Field(default=None, title="Asks")


class LetterSignatory(SQLModel, table=True):
    __tablename__ = "letter_signatory"
    letter_id: str = Field(foreign_key="letter.id", primary_key=True, ondelete="CASCADE")
    member_id: str = Field(foreign_key="member.id", primary_key=True, index=True)
    position: int = Field(default=0)


class LetterAsk(SQLModel, table=True):
    __tablename__ = "letter_ask"
    letter_id: str = Field(foreign_key="letter.id", primary_key=True, ondelete="CASCADE")
    ask_id: str = Field(foreign_key="ask.id", primary_key=True, index=True)
    position: int = Field(default=0)


class LetterReplyBase(Editable):
    label: ClassVar[str] = "Reply"
    letter_id: str = Field(foreign_key="letter.id", title="Letter", index=True)
    received_on: UKDate = Field(title="Received on")
    from_whom: str = Field(min_length=1, max_length=SHORT, title="From")
    summary: str | None = Field(default=None, max_length=LONG, title="What it says")
    file_ref: str | None = Field(default=None, max_length=2000, title="File or link")
    # What the reply did to each ask the letter carried: [{"ask_id": ..., "outcome": ...}]
    answers: list[dict[str, str]] | None = Field(default=None, title="Asks answered")

    @field_validator("answers")
    @classmethod
    def _outcomes(cls, value: list[dict[str, str]] | None) -> list[dict[str, str]] | None:
        for item in value or []:
            if not item.get("ask_id"):
                raise ValueError("each answer names its ask")
            try:
                ReplyOutcome(item.get("outcome", ""))
            except ValueError:
                choices = ", ".join(o.value for o in ReplyOutcome)
                raise ValueError(f"“{item.get('outcome')}” is not one of {choices}") from None
        return value


class LetterReply(LetterReplyBase, Record, Deletable, table=True):
    """A reply to a letter: a letter may have several. Deleting one puts it in Recently
    deleted (what it did to the asks is undone, and redone if it comes back)."""

    __tablename__ = "letter_reply"
    # emptying the recycle bin of a letter removes its replies with it
    letter_id: str = Field(foreign_key="letter.id", index=True, ondelete="CASCADE")
    received_on: date = Field()
    answers: list[dict[str, str]] | None = Field(default=None, sa_column=Column(JSON))


class LetterReplyCreate(LetterReplyBase):
    received_on: UKDate = Field(title="Received on")

    @field_validator("received_on")
    @classmethod
    def _given(cls, value: date | None) -> date:
        if value is None:
            raise ValueError("give the day the reply came")
        return value


class LetterReplyUpdate(LetterReplyBase):
    letter_id: str | None = Field(default=None, title="Letter")
    received_on: UKDate = Field(default=None, title="Received on")
    from_whom: str | None = Field(default=None, min_length=1, max_length=SHORT, title="From")


# --- Council profile and audit ----------------------------------------------


class CouncilProfileBase(Editable):
    label: ClassVar[str] = "Council profile"
    name: str = Field(min_length=1, max_length=SHORT, title="Council name")
    lad_code: str | None = Field(default=None, max_length=9, title="ONS code")
    address: str | None = Field(default=None, max_length=2000, title="Address")
    protective_marking: str | None = Field(
        default="OFFICIAL", max_length=100, title="Protective marking"
    )


class CouncilProfile(CouncilProfileBase, Record, table=True):
    __tablename__ = "council_profile"
    logo: bytes | None = Field(default=None, sa_column=Column(LargeBinary))


class CouncilProfileUpdate(CouncilProfileBase):
    name: str | None = Field(default=None, min_length=1, max_length=SHORT, title="Council name")


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=now, sa_type=UTCDateTime, nullable=False, index=True)
    actor: str = Field(max_length=SHORT)
    action: AuditAction
    entity: str = Field(max_length=50)
    entity_id: str = Field(max_length=36)
    summary: str = Field(default="", max_length=SHORT)
    before: dict | None = Field(default=None, sa_column=Column(JSON))
    after: dict | None = Field(default=None, sa_column=Column(JSON))


# --- Partnership health check -----------------------------------------------------


class HealthAssessmentBase(Editable):
    """One member's scores of a footprint (or one body) against a framework."""

    label: ClassVar[str] = "Health check"
    footprint_id: str = Field(foreign_key="footprint.id", title="Footprint", index=True)
    body_id: str | None = Field(default=None, foreign_key="body.id", title="Body", index=True)
    framework: str = Field(min_length=1, max_length=100, title="Framework")
    member_id: str = Field(foreign_key="member.id", title="Assessor", index=True)
    round_on: UKDate = Field(default=None, title="Round started on")
    assessed_on: UKDate = Field(default=None, title="Assessed on")
    # [{"statement": "1.1", "score": 3, "evidence": "…"}], one per statement of the framework
    scores: list[dict] = Field(default_factory=list, sa_column=Column(JSON), title="Scores")


class HealthAssessment(HealthAssessmentBase, Record, table=True):
    __tablename__ = "health_assessment"
    round_on: date = Field(nullable=False)
    assessed_on: date = Field(nullable=False)


class HealthAssessmentCreate(HealthAssessmentBase):
    pass
