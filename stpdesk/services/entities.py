"""The services for each entity: ``meetings.create(db, {...})`` and so on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, SQLModel, col, delete, select

from ..config import current_user
from ..model import clock, kinds
from ..model import tables as t
from ..model.dates import uk_day
from ..model.types import format_date
from ..store import Database
from .errors import FieldProblem, ValidationFailed, field_message
from .records import EntityService, EntitySpec, LinkSpec, NewRows, existing_ids, validate


class MeetingService(EntityService[t.Meeting]):
    """Meetings also hold their attendees (contacts or members, present or apologies)."""

    def _check_references(self, session: Session, record: t.Meeting, checked: BaseModel) -> None:
        super()._check_references(session, record, checked)
        # Checked here, before the meeting is added, so the look-ups flush nothing.
        attendees = getattr(checked, "attendees", None)
        if attendees is not None:
            self._check_attendees(session, [_attendee(item) for item in attendees])
        readings = getattr(checked, "temperature", None)
        if readings and getattr(checked, "body_ids", None) is None:
            # only the readings changed: they must be of bodies already at the meeting
            at_meeting = set(
                session.exec(
                    select(t.MeetingBody.body_id).where(t.MeetingBody.meeting_id == record.id)
                ).all()
            )
            absent = [r.body_id for r in map(_reading, readings) if r.body_id not in at_meeting]
            if absent:
                raise ValidationFailed(
                    [
                        FieldProblem(
                            "temperature",
                            field_message(
                                "Meeting",
                                "Temperature",
                                f"body {', '.join(absent)} is not at this meeting; add it "
                                "to the meeting's bodies first",
                            ),
                        )
                    ]
                )

    def _write_extra(
        self,
        session: Session,
        record: t.Meeting,
        changes: dict[str, Any],
        *,
        add: Callable[[SQLModel], None],
        new: bool = False,
    ) -> None:
        self._write_temperature(session, record, changes, add=add, new=new)
        attendees = changes.get("attendees")
        if attendees is None:
            return
        if not new:
            session.exec(
                delete(t.MeetingAttendee).where(col(t.MeetingAttendee.meeting_id) == record.id)
            )
        for person in (_attendee(item) for item in attendees):
            add(
                t.MeetingAttendee(
                    meeting_id=record.id,
                    contact_id=person.contact_id,
                    member_id=person.member_id,
                    attendance=person.attendance,
                )
            )

    def update_in(
        self, session: Session, record_id: str, checked: BaseModel, *, actor: str | None = None
    ) -> t.Meeting:
        """As for any record, and the audit entry keeps the readings before and after."""
        before = self._readings(session, record_id)
        record = super().update_in(session, record_id, checked, actor=actor)
        with session.no_autoflush:  # the readings are written; the audit entry waits
            after = self._readings(session, record_id)
        if before != after:
            for entry in session.new:
                if isinstance(entry, t.AuditEntry) and entry.entity_id == record_id:
                    entry.before = {**(entry.before or {}), "temperature": before}
                    entry.after = {**(entry.after or {}), "temperature": after}
        return record

    @staticmethod
    def _readings(session: Session, meeting_id: str) -> list[dict[str, Any]]:
        rows = session.exec(
            select(t.MeetingTemperature)
            .where(t.MeetingTemperature.meeting_id == meeting_id)
            .order_by(col(t.MeetingTemperature.body_id))
        ).all()
        return [{"body_id": r.body_id, "score": r.score, "reason": r.reason} for r in rows]

    @staticmethod
    def _write_temperature(
        session: Session,
        record: t.Meeting,
        changes: dict[str, Any],
        *,
        add: Callable[[SQLModel], None],
        new: bool,
    ) -> None:
        readings = changes.get("temperature")
        body_ids = changes.get("body_ids")
        kept = col(t.MeetingTemperature.meeting_id) == record.id
        if readings is None:
            if body_ids is not None and not new:  # a body taken off takes its reading
                session.exec(
                    delete(t.MeetingTemperature)
                    .where(kept)
                    .where(col(t.MeetingTemperature.body_id).not_in(body_ids))
                )
            return
        if not new:
            session.exec(delete(t.MeetingTemperature).where(kept))
        for reading in map(_reading, readings):
            add(
                t.MeetingTemperature(
                    meeting_id=record.id,
                    body_id=reading.body_id,
                    score=reading.score,
                    reason=reading.reason or None,
                )
            )

    def temperatures_of(
        self, session: Session, meeting_ids: list[str]
    ) -> dict[str, list[dict[str, Any]]]:
        """Each meeting's readings, {"body_id", "body", "score", "reason"}, in one query."""
        result: dict[str, list[dict[str, Any]]] = {mid: [] for mid in meeting_ids}
        if not meeting_ids:
            return result
        rows = session.exec(
            select(t.MeetingTemperature, t.Body.name)
            .join(t.Body, col(t.Body.id) == t.MeetingTemperature.body_id)
            .where(col(t.MeetingTemperature.meeting_id).in_(meeting_ids))
            .order_by(t.Body.name)
        ).all()
        for reading, body_name in rows:
            result[reading.meeting_id].append(
                {
                    "body_id": reading.body_id,
                    "body": body_name,
                    "score": reading.score,
                    "reason": reading.reason,
                }
            )
        return result

    def _check_attendees(self, session: Session, people: list[t.AttendeeIn]) -> None:
        contact_ids = [p.contact_id for p in people if p.contact_id]
        member_ids = [p.member_id for p in people if p.member_id]
        # ids already found in this transaction (see EntityService._check_references)
        known: set[tuple[str, str]] = session.info.setdefault("known_ids", set())
        problems = []
        for ids, table, noun in (
            (contact_ids, t.Contact, "contact"),
            (member_ids, t.Member, "member"),
        ):
            if len(set(ids)) != len(ids):
                problems.append(f"the same {noun} is listed twice")
            unknown = [i for i in ids if (table.__tablename__, i) not in known]
            found = existing_ids(session, table, unknown)
            known.update((table.__tablename__, i) for i in found)
            missing = [i for i in unknown if i not in found]
            if missing:
                problems.append(f"there is no {noun} with id {', '.join(missing)}")
        if problems:
            raise ValidationFailed(
                [
                    FieldProblem("attendees", field_message("Meeting", "Attendees", p))
                    for p in problems
                ]
            )

    def attendees_of(
        self, session: Session, meeting_ids: list[str]
    ) -> dict[str, list[dict[str, Any]]]:
        """Attendees for several meetings in two queries (no query per row)."""
        result: dict[str, list[dict[str, Any]]] = {mid: [] for mid in meeting_ids}
        if not meeting_ids:
            return result
        rows = session.exec(
            select(t.MeetingAttendee, t.Contact, t.Member)
            .outerjoin(t.Contact, col(t.Contact.id) == t.MeetingAttendee.contact_id)
            .outerjoin(t.Member, col(t.Member.id) == t.MeetingAttendee.member_id)
            .where(col(t.MeetingAttendee.meeting_id).in_(meeting_ids))
        ).all()
        for attendee, contact, member in rows:
            person = contact or member
            result[attendee.meeting_id].append(
                {
                    "name": display_name(person),
                    "contact_id": attendee.contact_id,
                    "member_id": attendee.member_id,
                    "attendance": attendee.attendance.value,
                }
            )
        for people in result.values():
            people.sort(key=lambda p: (p["member_id"] is None, p["name"]))
        return result


def _attendee(item: t.AttendeeIn | dict[str, Any]) -> t.AttendeeIn:
    return item if isinstance(item, t.AttendeeIn) else t.AttendeeIn.model_validate(item)


def _reading(item: t.TemperatureIn | dict[str, Any]) -> t.TemperatureIn:
    return item if isinstance(item, t.TemperatureIn) else t.TemperatureIn.model_validate(item)


def display_name(person: t.Contact | t.Member | None) -> str:
    if person is None:
        return ""
    return titled_name(getattr(person, "title", None), person.name)


def titled_name(title: str | None, name: str) -> str:
    """ "Cllr Michelle Lowe": a member's name as it is printed."""
    return f"{title} {name}" if title else name


def _meeting_summary(meeting: t.Meeting) -> str:
    return f"{meeting.title} ({format_date(meeting.starts_at)})"


footprints = EntityService(
    EntitySpec(
        name="footprint",
        table=t.Footprint,
        create=t.FootprintCreate,
        update=t.FootprintUpdate,
        search_columns=("name", "code"),
        referenced_by=(
            (t.BodyFootprint, "footprint_id", "bodies"),
            (t.HealthAssessment, "footprint_id", "health checks"),
            (t.Footprint, "successor_id", "earlier footprints"),
        ),
    )
)

bodies = EntityService(
    EntitySpec(
        name="body",
        table=t.Body,
        create=t.BodyCreate,
        update=t.BodyUpdate,
        links={"footprint_ids": LinkSpec(t.BodyFootprint, "body_id", "footprint_id", t.Footprint)},
        search_columns=("name", "code"),
        referenced_by=(
            (t.MeetingBody, "body_id", "meetings"),
            (t.Contact, "body_id", "contacts"),
            (t.Ask, "body_id", "asks"),
            (t.Commitment, "body_id", "commitments"),
            (t.Letter, "body_id", "letters"),
            (t.HealthAssessment, "body_id", "health checks"),
        ),
    )
)

contacts = EntityService(
    EntitySpec(
        name="contact",
        table=t.Contact,
        create=t.ContactCreate,
        update=t.ContactUpdate,
        search_columns=("name", "role", "email"),
        referenced_by=(
            (t.MeetingAttendee, "contact_id", "meeting attendances"),
            (t.Commitment, "contact_id", "commitments"),
            (t.Letter, "recipient_contact_id", "letters"),
        ),
    )
)

members = EntityService(
    EntitySpec(
        name="member",
        table=t.Member,
        create=t.MemberCreate,
        update=t.MemberUpdate,
        search_columns=("name", "position"),
        referenced_by=(
            (t.MeetingAttendee, "member_id", "meeting attendances"),
            (t.LetterSignatory, "member_id", "signed letters"),
            (t.HealthAssessment, "member_id", "health checks"),
        ),
    )
)

themes = EntityService(
    EntitySpec(
        name="theme",
        table=t.Theme,
        create=t.ThemeCreate,
        update=t.ThemeCreate,
        referenced_by=(
            (t.MeetingTheme, "theme_id", "meetings"),
            (t.AskTheme, "theme_id", "asks"),
            (t.CommitmentTheme, "theme_id", "commitments"),
        ),
    )
)

meetings = MeetingService(
    EntitySpec(
        name="meeting",
        table=t.Meeting,
        create=t.MeetingCreate,
        update=t.MeetingUpdate,
        links={
            "body_ids": LinkSpec(t.MeetingBody, "meeting_id", "body_id", t.Body),
            "theme_ids": LinkSpec(t.MeetingTheme, "meeting_id", "theme_id", t.Theme),
        },
        summary=_meeting_summary,
        search_columns=("title", "location"),
        filter_index="filter_meeting",
        default_order=("starts_at", True),
    )
)

asks = EntityService(
    EntitySpec(
        name="ask",
        table=t.Ask,
        create=t.AskCreate,
        update=t.AskUpdate,
        links={"theme_ids": LinkSpec(t.AskTheme, "ask_id", "theme_id", t.Theme)},
        search_columns=("title", "rationale"),
        filter_index="filter_ask",
        default_order=("raised_on", True),
    )
)


class CommitmentService(EntityService[t.Commitment]):
    """Commitments keep the date first promised: a new one takes its due date as the
    original; later moves go through Reschedule (services.workflows), which keeps each."""

    def create_in(self, session: Session, checked: BaseModel, **kwargs: Any) -> t.Commitment:
        record = super().create_in(session, checked, **kwargs)
        if record.original_due_date is None:
            record.original_due_date = record.due_date
        return record

    def update_in(
        self, session: Session, record_id: str, checked: BaseModel, *, actor: str | None = None
    ) -> t.Commitment:
        changes = checked.model_dump(exclude_unset=True)
        record = self.get_in(session, record_id)
        moved = "due_date" in changes and changes["due_date"] != record.due_date
        if moved and not self._correctable(record):
            raise ValidationFailed(
                [
                    FieldProblem(
                        "due_date",
                        field_message(
                            "Commitment",
                            "Due date",
                            "use Reschedule to move it, so the date first promised and the "
                            "reason it moved stay on record",
                        ),
                    )
                ]
            )
        updated = super().update_in(session, record_id, checked, actor=actor)
        if moved:  # a same-day correction of a date never moved: it is the original
            updated.original_due_date = updated.due_date
        return updated

    @staticmethod
    def _correctable(record: t.Commitment) -> bool:
        """A due date may be corrected in place on the day it was entered, before any move."""
        return not record.revisions and uk_day(record.created_at) == clock.today()


commitments = CommitmentService(
    EntitySpec(
        name="commitment",
        table=t.Commitment,
        create=t.CommitmentCreate,
        update=t.CommitmentUpdate,
        links={"theme_ids": LinkSpec(t.CommitmentTheme, "commitment_id", "theme_id", t.Theme)},
        summary=lambda c: c.text[:80],
        search_columns=("text",),
        filter_index="filter_commitment",
        default_order=("due_date", False),
    )
)

letters = EntityService(
    EntitySpec(
        name="letter",
        table=t.Letter,
        create=t.LetterCreate,
        update=t.LetterUpdate,
        links={
            "signatory_ids": LinkSpec(
                t.LetterSignatory, "letter_id", "member_id", t.Member, ordered=True
            ),
            "ask_ids": LinkSpec(t.LetterAsk, "letter_id", "ask_id", t.Ask, ordered=True),
        },
        summary=lambda letter: letter.subject or letter.template,
        search_columns=("subject", "recipient_address"),
        default_order=("letter_date", True),
    )
)

health_assessments = EntityService(
    EntitySpec(
        name="health_assessment",
        table=t.HealthAssessment,
        create=t.HealthAssessmentCreate,
        update=None,
        summary=lambda check: f"{check.framework} ({check.assessed_on})",
        search_columns=("framework",),
        default_order=("assessed_on", True),
    )
)

replies = EntityService(
    EntitySpec(
        name="letter_reply",
        table=t.LetterReply,
        create=t.LetterReplyCreate,
        update=t.LetterReplyUpdate,
        summary=lambda reply: f"Reply from {reply.from_whom}"[:300],
        default_order=("received_on", True),
    )
)

_SERVICES = (
    footprints,
    bodies,
    contacts,
    members,
    themes,
    meetings,
    asks,
    commitments,
    letters,
    health_assessments,
    replies,
)
BY_NAME: dict[str, EntityService[Any]] = {
    kind.name: next(service for service in _SERVICES if service.spec.name == kind.table)
    for kind in kinds.KINDS
}
"""The service of each kind of record (``model.kinds``), by its name: "meetings"."""


def record_meeting(
    db: Database,
    meeting: BaseModel | dict[str, Any],
    *,
    asks_made: Sequence[BaseModel | dict[str, Any]] = (),
    commitments_given: Sequence[BaseModel | dict[str, Any]] = (),
    actor: str | None = None,
) -> tuple[t.Meeting, list[t.Ask], list[t.Commitment]]:
    """Save a meeting with the asks made and commitments given at it, all or nothing."""
    checked_meeting = validate(t.MeetingCreate, meeting)
    checked_asks = [validate(t.AskCreate, _without_meeting(item)) for item in asks_made]
    checked_commitments = [
        validate(t.CommitmentCreate, _without_meeting(item)) for item in commitments_given
    ]
    actor = actor or current_user()
    batch = NewRows()
    with db.session() as session:
        saved = meetings.create_in(session, checked_meeting, actor=actor, batch=batch)
        saved_asks = []
        for ask in checked_asks:
            ask.meeting_id = saved.id  # type: ignore[attr-defined]
            default_raised_on(ask, saved)
            saved_asks.append(asks.create_in(session, ask, actor=actor, batch=batch))
        saved_commitments = []
        for commitment in checked_commitments:
            commitment.meeting_id = saved.id  # type: ignore[attr-defined]
            saved_commitments.append(
                commitments.create_in(session, commitment, actor=actor, batch=batch)
            )
        batch.write(session)
        return saved, saved_asks, saved_commitments


def default_raised_on(ask: BaseModel, meeting: t.Meeting) -> None:
    """An ask made at a meeting was raised on the meeting's day unless told otherwise."""
    if getattr(ask, "raised_on", None) is None and meeting.starts_at is not None:
        ask.raised_on = uk_day(meeting.starts_at)  # type: ignore[attr-defined]


def _without_meeting(item: BaseModel | dict[str, Any]) -> dict[str, Any]:
    data = item.model_dump(exclude_unset=True) if isinstance(item, BaseModel) else dict(item)
    data.pop("meeting_id", None)
    return data
