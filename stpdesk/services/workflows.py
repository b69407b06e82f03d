"""Use cases the desktop app needs beyond plain create/update: the commitment
workflow, saving a meeting with what was asked and promised at it, first-run
set-up from the reference data, the dashboard, and pickers. No Qt here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from ..config import current_user
from ..model import clock
from ..model import tables as t
from ..model.enums import (
    AuditAction,
    BodyKind,
    CommitmentStatus,
    EvidenceKind,
    FootprintKind,
)
from ..model.types import format_date, parse_date
from ..store import Database
from . import entities as e
from . import queries, reference
from .dashboard import is_empty
from .errors import FieldProblem, ServiceError, ValidationFailed, field_message
from .records import audit, snapshot, validate

# --- the commitment workflow -------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor: str
    summary: str
    reason: str | None


def _problem(field_name: str, field_label: str, message: str) -> ValidationFailed:
    return ValidationFailed(
        [FieldProblem(field_name, field_message("Commitment", field_label, message))]
    )


def _write_audit(
    session: Session,
    record: t.Commitment,
    before: dict[str, Any] | None,
    summary: str,
    reason: str | None,
    actor: str | None,
) -> None:
    after = snapshot(record) or {}
    if reason:
        after["reason"] = reason  # the full reason; the summary may be cut at 300 characters
    session.add(
        t.AuditEntry(
            actor=actor or current_user(),
            action=AuditAction.update,
            entity="commitment",
            entity_id=record.id,
            summary=summary[:300],
            before=before,
            after=after,
        )
    )


@contextmanager
def _writing(db: Database | Session) -> Iterator[Session]:
    """A transaction of its own, or the open session given (the demo builds its whole
    history in one transaction, through these same steps)."""
    if isinstance(db, Session):
        yield db
    else:
        with db.session() as session:
            yield session


def _pending(session: Session, commitment_id: str, verb: str) -> t.Commitment:
    record = e.commitments.get_in(session, commitment_id)
    if record.status != CommitmentStatus.pending:
        raise ServiceError(
            f"Cannot {verb} “{record.text[:80]}”: it is already {record.status.label.lower()}."
        )
    return record


def mark_done(
    db: Database | Session,
    commitment_id: str,
    *,
    evidence: str,
    completed_on: date | str | None = None,
    evidence_kind: EvidenceKind | str | None = None,
    evidence_ref: str | None = None,
    actor: str | None = None,
) -> t.Commitment:
    """Record that a commitment was delivered: on which day, and how we know (a meeting,
    a letter, a document or link, or a note; ``evidence_ref`` names the meeting or letter
    by id, or gives the document's reference or link)."""
    evidence = (evidence or "").strip()
    if not evidence:
        raise _problem(
            "evidence", "Evidence", "say how you know it was done (a report, an email, a visit)"
        )
    try:
        done_on = parse_date(completed_on) or clock.today()
    except ValueError as error:
        raise _problem("completed_on", "Completed on", str(error)) from None
    if done_on > clock.today():
        raise _problem("completed_on", "Completed on", "cannot be in the future")
    try:
        kind = EvidenceKind.parse(evidence_kind) if evidence_kind else EvidenceKind.note
    except ValueError:
        choices = ", ".join(k.value for k in EvidenceKind)
        raise _problem("evidence_kind", "How we know", f"choose one of {choices}") from None
    reference = (evidence_ref or "").strip() or None
    with _writing(db) as session:
        record = _pending(session, commitment_id, "mark as done")
        _check_evidence(session, kind, reference)
        before = snapshot(record)
        record.status = CommitmentStatus.done
        record.evidence = evidence
        record.completed_on = done_on
        record.evidence_kind = kind
        record.evidence_ref = reference
        record.updated_at = clock.now()
        session.add(record)
        session.flush()
        _write_audit(
            session,
            record,
            before,
            f"Marked done on {format_date(done_on)}: {evidence}",
            None,
            actor,
        )
        return record


def _check_evidence(session: Session, kind: EvidenceKind, reference: str | None) -> None:
    """A meeting or letter named as evidence must exist."""
    table = {EvidenceKind.meeting: t.Meeting, EvidenceKind.letter: t.Letter}.get(kind)
    if table is None or reference is None:
        return
    found = session.get(table, reference)
    if found is None or found.deleted_at is not None:
        raise _problem(
            "evidence_ref", "Evidence", f"there is no {table.__tablename__} with id {reference}"
        )


def _check_source(session: Session, meeting_id: str | None, letter_id: str | None) -> None:
    """Where a new date was agreed: a meeting or a letter that exists."""
    for field_name, table, wanted in (
        ("meeting_id", t.Meeting, meeting_id),
        ("letter_id", t.Letter, letter_id),
    ):
        if wanted:
            found = session.get(table, wanted)
            if found is None or found.deleted_at is not None:
                raise _problem(
                    field_name,
                    "Agreed at",
                    f"there is no {table.__tablename__} with id {wanted}",
                )


def reschedule(
    db: Database | Session,
    commitment_id: str,
    *,
    new_due_date: date | str | None,
    reason: str,
    meeting_id: str | None = None,
    letter_id: str | None = None,
    actor: str | None = None,
) -> t.Commitment:
    """Move a pending commitment's due date. The date first promised and every move (from,
    to, reason, who, when, and the meeting or letter where it was agreed) are kept. Like
    Mark done and Drop, in a transaction of its own or in the open session given."""
    reason = (reason or "").strip()
    problems = []
    try:
        new_due = parse_date(new_due_date)
    except ValueError as error:
        new_due = None
        problems.append(
            FieldProblem("due_date", field_message("Commitment", "New due date", str(error)))
        )
    else:
        if new_due is None:
            problems.append(
                FieldProblem(
                    "due_date", field_message("Commitment", "New due date", "please fill this in")
                )
            )
    if not reason:
        problems.append(
            FieldProblem("reason", field_message("Commitment", "Reason", "say why the date moved"))
        )
    if problems:
        raise ValidationFailed(problems)
    assert new_due is not None
    with _writing(db) as session:
        record = _pending(session, commitment_id, "reschedule")
        if record.due_date == new_due:
            raise _problem(
                "due_date", "New due date", f"it is already due on {format_date(new_due)}"
            )
        _check_source(session, meeting_id, letter_id)
        before = snapshot(record)
        old = format_date(record.due_date) if record.due_date else "no date"
        if record.original_due_date is None and not record.revisions:
            record.original_due_date = record.due_date
        revision = {
            "from": record.due_date.isoformat() if record.due_date else None,
            "to": new_due.isoformat(),
            "reason": reason,
            "by": actor or current_user(),
            "at": clock.now().isoformat(timespec="seconds"),
            "meeting_id": meeting_id or None,
            "letter_id": letter_id or None,
        }
        record.revisions = [*(record.revisions or []), revision]  # a new list: JSON is saved
        record.due_date = new_due
        record.updated_at = clock.now()
        session.add(record)
        session.flush()
        _write_audit(
            session,
            record,
            before,
            f"Rescheduled from {old} to {format_date(new_due)}: {reason}",
            reason,
            actor,
        )
        return record


def drop(
    db: Database | Session, commitment_id: str, *, reason: str, actor: str | None = None
) -> t.Commitment:
    """Stop chasing a commitment, saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise _problem("reason", "Reason", "say why it is being dropped")
    with _writing(db) as session:
        record = _pending(session, commitment_id, "drop")
        before = snapshot(record)
        record.status = CommitmentStatus.dropped
        record.updated_at = clock.now()
        session.add(record)
        session.flush()
        _write_audit(session, record, before, f"Dropped: {reason}", reason, actor)
        return record


def history(db: Database, entity_id: str) -> list[HistoryLine]:
    """What happened to a record, oldest first, with any reasons given."""
    return [
        HistoryLine(
            at=entry.at,
            actor=entry.actor,
            summary=entry.summary,
            reason=(entry.after or {}).get("reason"),
        )
        for entry in queries.audit_trail(db, entity_id)
    ]


# --- meetings ------------------------------------------------------------------


@dataclass
class MeetingDetail:
    meeting: t.Meeting
    body_ids: list[str]
    theme_ids: list[str]
    attendees: list[dict[str, Any]]  # name, contact_id, member_id, attendance
    temperature: list[dict[str, Any]]  # body_id, body, score, reason
    asks: list[t.Ask]
    commitments: list[t.Commitment]


def meeting_detail(db: Database, meeting_id: str) -> MeetingDetail:
    meeting = e.meetings.get(db, meeting_id)
    links = e.meetings.links_of(db, meeting_id)
    with db.read() as session:
        attendees = e.meetings.attendees_of(session, [meeting_id])[meeting_id]
        temperature = e.meetings.temperatures_of(session, [meeting_id])[meeting_id]
        asks = list(
            session.exec(
                select(t.Ask)
                .where(t.Ask.meeting_id == meeting_id)
                .where(col(t.Ask.deleted_at).is_(None))
                .order_by(col(t.Ask.created_at))
            ).all()
        )
        commitments = list(
            session.exec(
                select(t.Commitment)
                .where(t.Commitment.meeting_id == meeting_id)
                .where(col(t.Commitment.deleted_at).is_(None))
                .order_by(col(t.Commitment.created_at))
            ).all()
        )
    return MeetingDetail(
        meeting=meeting,
        body_ids=links["body_ids"],
        theme_ids=links["theme_ids"],
        attendees=attendees,
        temperature=temperature,
        asks=asks,
        commitments=commitments,
    )


def save_meeting(
    db: Database,
    meeting_id: str | None,
    meeting: dict[str, Any],
    *,
    asks_made: Sequence[dict[str, Any]] = (),
    commitments_given: Sequence[dict[str, Any]] = (),
    actor: str | None = None,
) -> t.Meeting:
    """Create a meeting, or change one and add new asks and commitments to it, all or nothing."""
    if meeting_id is None:
        saved, _asks, _commitments = e.record_meeting(
            db, meeting, asks_made=asks_made, commitments_given=commitments_given, actor=actor
        )
        return saved
    checked_meeting = validate(t.MeetingUpdate, meeting)
    checked_asks = [validate(t.AskCreate, {**item, "meeting_id": meeting_id}) for item in asks_made]
    checked_commitments = [
        validate(t.CommitmentCreate, {**item, "meeting_id": meeting_id})
        for item in commitments_given
    ]
    with db.session() as session:
        saved = e.meetings.update_in(session, meeting_id, checked_meeting, actor=actor)
        for ask in checked_asks:
            e.default_raised_on(ask, saved)
            e.asks.create_in(session, ask, actor=actor)
        for commitment in checked_commitments:
            e.commitments.create_in(session, commitment, actor=actor)
        return saved


def save_record(
    db: Database, entity: str, record_id: str | None, data: dict[str, Any]
) -> BaseModel:
    """Create or change one record of ``entity`` (a plural name such as "contacts")."""
    service = e.BY_NAME[entity]
    if record_id is None:
        return service.create(db, data)
    return service.update(db, record_id, data)


# --- pickers -----------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    kind: str  # "body", "contact", "member", "theme", "footprint"


def choices(db: Database, entity: str) -> list[Choice]:
    """Everything a picker offers for ``entity``, archived records left out."""
    with db.read() as session:
        if entity == "bodies":
            rows = session.exec(
                select(t.Body).where(col(t.Body.archived_at).is_(None)).order_by(col(t.Body.name))
            ).all()
            return [Choice(r.id, r.name, "body") for r in rows]
        if entity == "contacts":
            rows = session.exec(
                select(t.Contact, t.Body)
                .outerjoin(t.Body, col(t.Body.id) == t.Contact.body_id)
                .where(col(t.Contact.archived_at).is_(None))
                .where(col(t.Contact.deleted_at).is_(None))
                .order_by(col(t.Contact.name))
            ).all()
            return [
                Choice(c.id, f"{c.name} ({b.name})" if b else c.name, "contact") for c, b in rows
            ]
        if entity == "members":
            rows = session.exec(
                select(t.Member)
                .where(col(t.Member.archived_at).is_(None))
                .order_by(col(t.Member.name))
            ).all()
            return [Choice(r.id, e.display_name(r), "member") for r in rows]
        if entity == "themes":
            rows = session.exec(select(t.Theme).order_by(col(t.Theme.name))).all()
            return [Choice(r.id, r.name, "theme") for r in rows]
        if entity == "footprints":
            rows = session.exec(select(t.Footprint).order_by(col(t.Footprint.name))).all()
            return [Choice(r.id, f"{r.name} ({r.kind.label})", "footprint") for r in rows]
    raise ValueError(f"no picker for {entity!r}")


def sources_for(db: Database, commitment_id: str, *, limit: int = 200) -> dict[str, list[Choice]]:
    """The meetings and letters with a commitment's body, newest first: where a new date
    may have been agreed, or its delivery shown."""
    with db.read() as session:
        record = e.commitments.get_in(session, commitment_id)
        meetings = session.exec(
            select(t.Meeting)
            .join(t.MeetingBody, col(t.MeetingBody.meeting_id) == t.Meeting.id)
            .where(t.MeetingBody.body_id == record.body_id)
            .where(col(t.Meeting.deleted_at).is_(None))
            .order_by(col(t.Meeting.starts_at).desc())
            .limit(limit)
        ).all()
        letters = session.exec(
            select(t.Letter)
            .where(t.Letter.body_id == record.body_id)
            .where(col(t.Letter.deleted_at).is_(None))
            .order_by(col(t.Letter.letter_date).desc())
            .limit(limit)
        ).all()
    return {
        "meetings": [
            Choice(m.id, f"{m.title} ({format_date(m.starts_at)})", "meeting") for m in meetings
        ],
        "letters": [
            Choice(x.id, f"{x.subject or x.template} ({format_date(x.letter_date)})", "letter")
            for x in letters
        ],
    }


# --- first run -------------------------------------------------------------------


_TIER_KIND = {
    "district": BodyKind.district_council,
    "county": BodyKind.county_council,
}
_TIER_SUFFIX = {
    "district": "District Council",
    "county": "County Council",
    "unitary": "Council",
    "metropolitan": "Council",
    "london_borough": "London Borough Council",
}


@dataclass(frozen=True)
class SetupPlan:
    """What first-run set-up will create for a council, shown before it is done."""

    council: reference.Council
    council_name: str
    icb: reference.ICB
    stp: reference.STP | None
    bodies: list[tuple[str, BodyKind, str | None]]  # name, kind, code


def plan_setup(council_code: str) -> SetupPlan:
    try:
        chosen = reference.council(council_code)
    except KeyError:
        raise ValidationFailed(
            [FieldProblem("council", f"Council: there is no council with code {council_code}")]
        ) from None
    icb = reference.icbs()[chosen.icb_code]
    council_name = f"{chosen.name} {_TIER_SUFFIX.get(chosen.tier, 'Council')}"
    bodies: list[tuple[str, BodyKind, str | None]] = [
        (icb.name, BodyKind.icb, icb.code),
        (council_name, _TIER_KIND.get(chosen.tier, BodyKind.unitary_council), chosen.code),
    ]
    board_area = chosen.name
    if chosen.county_name:
        bodies.append(
            (f"{chosen.county_name} County Council", BodyKind.county_council, chosen.county_code)
        )
        board_area = chosen.county_name
    bodies.append(
        (f"{board_area} Health and Wellbeing Board", BodyKind.health_and_wellbeing_board, None)
    )
    return SetupPlan(
        council=chosen,
        council_name=council_name,
        icb=icb,
        stp=reference.stps().get(icb.code),
        bodies=bodies,
    )


@dataclass(frozen=True)
class SetupResult:
    footprint_id: str
    body_ids: list[str]
    member_id: str | None  # None when set up without a member (``stpdesk init``)


def first_run_setup(
    db: Database,
    *,
    council_code: str,
    member_name: str,
    member_title: str | None = "Cllr",
    position: str | None = None,
    council_name: str | None = None,
    actor: str | None = None,
    add_member: bool = True,
) -> SetupResult:
    """Create the footprint, the standard bodies for the area and (unless not
    ``add_member``) you as a member."""
    plan = plan_setup(council_code)
    name = (council_name or "").strip() or plan.council_name
    checked_member = (
        validate(
            t.MemberCreate,
            {"title": member_title, "name": member_name, "position": position, "council": name},
        )
        if add_member
        else None
    )
    if not is_empty(db):
        raise ServiceError("Set-up only runs on an empty database; this one already holds records.")
    with db.session() as session:
        ics = e.footprints.create_in(
            session,
            validate(
                t.FootprintCreate,
                {
                    "code": plan.icb.code,
                    "name": plan.icb.ics_name,
                    "kind": FootprintKind.ics,
                    "region": plan.icb.region,
                },
            ),
            actor=actor,
        )
        footprint_ids = [ics.id]
        if plan.stp:
            stp = e.footprints.create_in(
                session,
                validate(
                    t.FootprintCreate,
                    {
                        "code": plan.stp.code,
                        "name": plan.stp.name,
                        "kind": FootprintKind.stp,
                        "region": plan.icb.region,
                        "successor_id": ics.id,
                    },
                ),
                actor=actor,
            )
            footprint_ids.append(stp.id)
        body_ids = [
            e.bodies.create_in(
                session,
                validate(
                    t.BodyCreate,
                    {"name": body_name, "kind": kind, "code": code, "footprint_ids": footprint_ids},
                ),
                actor=actor,
            ).id
            for body_name, kind, code in plan.bodies
        ]
        member = (
            e.members.create_in(session, checked_member, actor=actor)
            if checked_member is not None
            else None
        )
        if session.exec(select(t.CouncilProfile)).first() is None:
            profile = t.CouncilProfile(
                **validate(
                    t.CouncilProfileBase, {"name": name, "lad_code": plan.council.code}
                ).model_dump()
            )
            session.add(profile)
            session.flush()
            audit(
                session,
                action=AuditAction.create,
                entity="council_profile",
                record=profile,
                before=None,
                summary=f"Saved council profile “{profile.name}”",
                actor=actor,
            )
    return SetupResult(
        footprint_id=ics.id, body_ids=body_ids, member_id=member.id if member else None
    )
