"""Letters: what a letter says (gathered as plain data), logging it as correspondence,
its status afterwards (sent, reply received) and where it shows in a record's history.

Rendering lives in :mod:`stpdesk.documents.letters`; this module knows no templates.
:func:`gather` checks every id before anything is written, with a message naming the
field, so a letter with a wrong id logs nothing. :func:`save_letter` saves the file a
letter was rendered to and logs the letter, together: the composer and ``stpdesk
letter`` both call it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from ..model import clock
from ..model import tables as t
from ..model.engagement import overdue_sql
from ..model.enums import (
    AskStatus,
    AuditAction,
    CommitmentDirection,
    LetterStatus,
    ReplyOutcome,
    SentBy,
)
from ..model.types import format_date
from ..store import Database
from ..store.rows import connection_of, marks
from . import briefing, engagement
from .entities import asks as asks_service
from .entities import display_name, letters, replies
from .errors import FieldProblem, ServiceError, ValidationFailed, field_message
from .files import SaveFailed, write_partial
from .records import audit, snapshot, validate

LETTER = "Letter"
OVERDUE_LISTED = 40  # a letter lists at most this many overdue commitments


# --- what a template sees -------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    name: str  # "Sir Andrew Ridley", or the first line of a typed address
    role: str
    body: str
    lines: list[str]  # the address block, one line each
    salutation: str  # what follows "Dear": "Sir Andrew Ridley", or "Sir or Madam"


@dataclass(frozen=True)
class Signatory:
    id: str
    name: str  # with title: "Cllr Michelle Lowe"
    position: str
    council: str


@dataclass(frozen=True)
class Solution:
    """One ask as a numbered solution, in the order the user chose."""

    number: int
    id: str
    title: str
    rationale: str
    body: str
    status: str
    raised_on: date | None
    raised_at: str


@dataclass(frozen=True)
class LetterData:
    template: str
    council: briefing.Council
    date: date
    reference: str
    subject: str
    recipient: Recipient
    signatories: list[Signatory]
    solutions: list[Solution]
    opening: str
    closing: str
    cc: list[str]
    body: briefing.BodyInfo | None  # the body written to, if known
    overdue: list[briefing.CommitmentItem]  # what the body owes us, past its due date
    overdue_total: int
    meeting: briefing.MeetingInfo | None  # for a follow-up: the meeting it follows
    asks_made: list[briefing.AskItem]  # asks raised at that meeting
    commitments_given: list[briefing.CommitmentItem]  # commitments made at that meeting
    recipient_contact_id: str | None = None
    recipient_address: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def asks(self) -> list[Solution]:
        return self.solutions


@dataclass
class LetterRequest:
    """What the composer or the command line asks for."""

    template: str
    to_contact_id: str | None = None
    to_address: str | None = None
    ask_ids: list[str] = field(default_factory=list)
    signatory_ids: list[str] = field(default_factory=list)
    body_id: str | None = None
    meeting_id: str | None = None
    opening: str | None = None
    closing: str | None = None
    subject: str | None = None
    cc: list[str] = field(default_factory=list)
    letter_date: date | None = None
    # the commitments to chase (overdue or moved); none: every overdue one of the body
    commitment_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Needs:
    """What a template cannot do without (from its header options)."""

    min_asks: int = 0
    body: bool = False
    meeting: bool = False


# --- gathering --------------------------------------------------------------------------


def _problem(name: str, label: str, message: str) -> FieldProblem:
    return FieldProblem(name, field_message(LETTER, label, message))


def _split_ids(ids: list[str]) -> list[str]:
    return [item.strip() for item in ids if item and item.strip()]


def _address_lines(text: str) -> list[str]:
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    return [line.rstrip(",") for line in lines if line]


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[^A-Za-z]+", name) if w and w.lower() not in ("and", "of")]
    return "".join(w[0].upper() for w in words)[:6] or "LTR"


def reference_for(council_name: str, template: str, on: date) -> str:
    """e.g. ``SDC/JS/2026-11-22``: the council, the kind of letter and its date."""
    return f"{_initials(council_name)}/{_initials(template.replace('-', ' '))}/{on.isoformat()}"


def gather(
    db: Database,
    request: LetterRequest,
    *,
    needs: Needs = Needs(),
    defaults: dict[str, str] | None = None,
) -> LetterData:
    """Everything the letter shows. Every id is checked first; all problems are reported
    together (:class:`ValidationFailed`), and nothing is written."""
    defaults = defaults or {}
    on = request.letter_date or clock.today()
    ask_ids = _split_ids(request.ask_ids)
    signatory_ids = _split_ids(request.signatory_ids)
    address = (request.to_address or "").strip()
    problems: list[FieldProblem] = []
    if request.to_contact_id and address:
        problems.append(
            _problem("recipient", "Recipient", "choose a contact or type an address, not both")
        )
    elif not request.to_contact_id and not address:
        problems.append(
            _problem("recipient", "Recipient", "choose a contact or type an address to write to")
        )
    with clock.as_of(on), db.read() as session:
        council = briefing.council_of(session)
        contact = body = meeting = None
        if request.to_contact_id:
            contact = session.get(t.Contact, request.to_contact_id)
            if contact is None or contact.deleted_at is not None:
                problems.append(
                    _problem(
                        "recipient_contact_id",
                        "Recipient",
                        f"there is no contact with id {request.to_contact_id}",
                    )
                )
                contact = None
        body_id = request.body_id or (contact.body_id if contact else None)
        if body_id:
            body = session.get(t.Body, body_id)
            if body is None:
                problems.append(
                    _problem("body_id", "Body", f"there is no body with id {request.body_id}")
                )
        members = _by_id(session, t.Member, signatory_ids)
        asks = _by_id(session, t.Ask, ask_ids)
        problems += _check_list("signatory_ids", "Signatories", "member", signatory_ids, members)
        problems += _check_list("ask_ids", "Asks", "ask", ask_ids, asks)
        if not signatory_ids:
            problems.append(
                _problem("signatory_ids", "Signatories", "choose at least one member to sign it")
            )
        if len(ask_ids) < needs.min_asks:
            problems.append(
                _problem(
                    "ask_ids",
                    "Asks",
                    f"this letter sets out asks as numbered solutions: choose at least "
                    f"{needs.min_asks}",
                )
            )
        if request.meeting_id:
            meeting = session.get(t.Meeting, request.meeting_id)
            if meeting is None or meeting.deleted_at is not None:
                problems.append(
                    _problem(
                        "meeting_id", "Meeting", f"there is no meeting with id {request.meeting_id}"
                    )
                )
                meeting = None
        if needs.body and body is None and not any(p.field == "body_id" for p in problems):
            problems.append(
                _problem(
                    "body_id",
                    "Body",
                    "this letter is about one body's record: choose the body, or write to a "
                    "contact at it",
                )
            )
        if needs.meeting and meeting is None and body is not None and not request.meeting_id:
            meeting = _last_meeting_with(session, body.id, on)
        if needs.meeting and meeting is None and not any(p.field == "meeting_id" for p in problems):
            problems.append(
                _problem(
                    "meeting_id",
                    "Meeting",
                    "this letter follows up a meeting: choose the meeting (none with the body "
                    "was found)",
                )
            )
        if problems:
            raise ValidationFailed(problems)

        chosen = {
            row.id: briefing.ask_item(row)
            for row in engagement.asks(
                connection_of(session), f"a.id IN ({marks(len(ask_ids))})", ask_ids
            )
        }
        ask_items = [chosen[i] for i in ask_ids]
        solutions = [
            Solution(
                number=number,
                id=item.id,
                title=item.title,
                rationale=item.rationale,
                body=item.body,
                status=item.status,
                raised_on=item.raised_on,
                raised_at=item.raised_at,
            )
            for number, item in enumerate(ask_items, start=1)
        ]
        signatories = [
            Signatory(
                id=member.id,
                name=display_name(member),
                position=member.position or "",
                council=member.council or council.name,
            )
            for member in (members[i] for i in signatory_ids)
        ]
        recipient = _recipient(session, contact, address)
        overdue: list[briefing.CommitmentItem] = []
        overdue_total = 0
        body_info = None
        if body is not None:
            body_info = briefing.BodyInfo(body.id, body.name, body.kind.label, body.code or "")
            chased = _split_ids(request.commitment_ids)
            if chased:
                overdue = _chased(session, body, chased, council.name, problems)
                overdue_total = len(overdue)
            else:
                overdue, overdue_total = _overdue(session, body, council.name)
        meeting_info = None
        asks_made: list[briefing.AskItem] = []
        given: list[briefing.CommitmentItem] = []
        if meeting is not None:
            meeting_info, asks_made, given = _meeting_record(session, meeting, council.name)
    subject = (request.subject or "").strip() or defaults.get("subject", "")
    return LetterData(
        template=request.template,
        council=council,
        date=on,
        reference=reference_for(council.name, request.template, on),
        subject=subject,
        recipient=recipient,
        signatories=signatories,
        solutions=solutions,
        opening=(request.opening or "").strip() or defaults.get("opening", ""),
        closing=(request.closing or "").strip() or defaults.get("closing", ""),
        cc=[name.strip() for name in request.cc if name and name.strip()],
        body=body_info,
        overdue=overdue,
        overdue_total=overdue_total,
        meeting=meeting_info,
        asks_made=asks_made,
        commitments_given=given,
        recipient_contact_id=contact.id if contact else None,
        recipient_address=address or None,
    )


def _by_id(session: Session, table: Any, ids: list[str]) -> dict[str, Any]:
    if not ids:
        return {}
    rows = session.exec(select(table).where(col(table.id).in_(ids))).all()
    return {row.id: row for row in rows if getattr(row, "deleted_at", None) is None}


def _check_list(
    name: str, label: str, noun: str, ids: list[str], found: dict[str, Any]
) -> list[FieldProblem]:
    problems = []
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        problems.append(_problem(name, label, f"{', '.join(repeated)} is listed twice"))
    missing = [i for i in dict.fromkeys(ids) if i not in found]
    if missing:
        problems.append(_problem(name, label, f"there is no {noun} with id {', '.join(missing)}"))
    return problems


def _recipient(session: Session, contact: t.Contact | None, address: str) -> Recipient:
    if contact is None:
        lines = _address_lines(address)
        return Recipient(
            name=lines[0] if lines else "",
            role="",
            body="",
            lines=lines,
            salutation="Sir or Madam",
        )
    body = session.get(t.Body, contact.body_id) if contact.body_id else None
    lines = [contact.name]
    if contact.role:
        lines.append(contact.role)
    if body is not None:
        lines.append(body.name)
    return Recipient(
        name=contact.name,
        role=contact.role or "",
        body=body.name if body else "",
        lines=lines,
        salutation=contact.name,
    )


def _last_meeting_with(session: Session, body_id: str, on: date) -> t.Meeting | None:
    held = session.exec(
        select(t.Meeting)
        .join(t.MeetingBody, col(t.MeetingBody.meeting_id) == t.Meeting.id)
        .where(t.MeetingBody.body_id == body_id)
        .where(col(t.Meeting.deleted_at).is_(None))
        .order_by(col(t.Meeting.starts_at).desc())
    ).all()
    return next((m for m in held if m.starts_at.astimezone(briefing.LONDON).date() <= on), None)


def _chased(
    session: Session, body: t.Body, ids: list[str], our_name: str, problems: list[FieldProblem]
) -> list[briefing.CommitmentItem]:
    """The chosen commitments, in the order given; each must be a live one of the body."""
    rows = engagement.commitments(
        connection_of(session), f"c.id IN ({marks(len(ids))}) AND c.body_id = ?", [*ids, body.id]
    )
    found = {row.id: row for row in rows}
    for missing in (i for i in ids if i not in found):
        problems.append(
            _problem(
                "commitment_ids",
                "Commitments",
                f"there is no commitment with id {missing} from {body.name}",
            )
        )
    if problems:
        raise ValidationFailed(problems)
    return [briefing.commitment_item(found[i], our_name) for i in ids]


def _overdue(
    session: Session, body: t.Body, our_name: str
) -> tuple[list[briefing.CommitmentItem], int]:
    """The body's overdue commitments to us (the first OVERDUE_LISTED) and how many."""
    connection = connection_of(session)
    where = f"{overdue_sql('c')} AND c.body_id = ? AND c.direction = ?"
    params = (body.id, CommitmentDirection.to_us.value)
    rows = engagement.commitments(
        connection, where, params, order="c.due_date, c.id", limit=OVERDUE_LISTED
    )
    total = engagement.count_commitments(connection, where, params)
    return [briefing.commitment_item(row, our_name) for row in rows], total


def _meeting_record(
    session: Session, meeting: t.Meeting, our_name: str
) -> tuple[briefing.MeetingInfo, list[briefing.AskItem], list[briefing.CommitmentItem]]:
    bodies = briefing.body_names(session, [meeting.id])[meeting.id]
    themes = briefing.theme_names(session, [meeting.id])[meeting.id]
    info = briefing.meeting_info(meeting, bodies, themes)
    connection = connection_of(session)
    asks = engagement.asks(connection, "a.meeting_id = ?", (meeting.id,), order="a.title, a.id")
    commitments = engagement.commitments(
        connection, "c.meeting_id = ?", (meeting.id,), order="c.due_date, c.id"
    )
    return (
        info,
        [briefing.ask_item(ask) for ask in asks],
        [briefing.commitment_item(row, our_name) for row in commitments],
    )


# --- logging ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedLetter:
    """A letter laid out (by :func:`stpdesk.documents.letters.render_letter`), not yet saved."""

    data: LetterData
    payload: bytes  # the .pdf or .docx file


@dataclass
class SavedLetter:
    letter: t.Letter
    path: Path
    size: int
    data: LetterData


def save_letter(
    db: Database,
    rendered: RenderedLetter,
    output: str | os.PathLike[str],
    *,
    actor: str | None = None,
    letter_id: str | None = None,
) -> SavedLetter:
    """Save the letter's file as ``output`` and log it as a draft letter, both or neither.
    ``letter_id``: the same letter was logged already (saved in the other format): the
    file is added to it, so a letter saved as PDF and as Word is one letter, logged once."""
    target = Path(output).expanduser()
    if target.is_dir():
        raise ServiceError(f"{target} is a folder; give a file name ending in .pdf or .docx")
    checked = validate(t.LetterCreate, log_values(rendered.data, file_path=str(target.resolve())))
    payload = rendered.payload
    # The file is written beside its name inside the transaction (a failed write logs
    # nothing) and renamed into place only once the letter is logged (a failed log, say
    # on a full disk, leaves no file): the file and the log always agree.
    partial: Path | None = None
    logged = False
    try:
        with db.session() as session:
            if letter_id is None:
                record = letters.create_in(session, checked, actor=actor)
            else:
                record = _add_file(session, letter_id, str(target.resolve()), actor)
            session.flush()
            try:
                target.parent.mkdir(parents=True, exist_ok=True)  # a folder the Save dialog named
                partial = write_partial(target, lambda handle: handle.write(payload), text=False)
            except SaveFailed as error:
                raise SaveFailed(f"{error}. The letter was not logged.") from None
        logged = True
        try:
            os.replace(partial, target)
        except OSError as error:
            raise SaveFailed(
                f"The letter was logged (id {record.id}) but could not be saved as {target}: "
                f"{error.strerror or error}. It is kept as {partial}; rename it yourself."
            ) from None
    finally:
        if partial is not None and not logged:
            partial.unlink(missing_ok=True)
    return SavedLetter(letter=record, path=target, size=len(payload), data=rendered.data)


def _add_file(session: Session, letter_id: str, path: str, actor: str | None) -> t.Letter:
    record = letters.get_in(session, letter_id)
    files = list(record.files or ([record.file_path] if record.file_path else []))
    if path not in files:
        files.append(path)
    changes: dict[str, Any] = {"files": files}
    if not record.file_path:
        changes["file_path"] = path
    return letters.update_in(session, letter_id, validate(t.LetterUpdate, changes), actor=actor)


def log_values(data: LetterData, *, file_path: str | None) -> dict[str, Any]:
    """The letter record for :data:`letters` (recipient, signatories, asks in order…)."""
    return {
        "template": data.template,
        "subject": data.subject[:300] or None,
        "recipient_contact_id": data.recipient_contact_id,
        "recipient_address": data.recipient_address,
        "body_id": data.body.id if data.body else None,
        "letter_date": data.date,
        "status": LetterStatus.draft,
        "file_path": file_path,
        "opening": data.opening or None,
        "closing": data.closing or None,
        "signatory_ids": [s.id for s in data.signatories],
        "ask_ids": [s.id for s in data.solutions],
        "reference": data.reference or None,
        "cc": data.cc or None,
        "files": [file_path] if file_path else None,
    }


def mark_sent(
    db: Database,
    letter_id: str,
    *,
    on: date | str | None = None,
    by: SentBy | str | None = None,
    actor: str | None = None,
) -> t.Letter:
    """Record that the letter went out (``on``: the day, default today; ``by``: post or
    email). A date before the letter's own or after today is refused, naming the field."""
    checked = validate(
        t.LetterUpdate, {"sent_on": on or clock.today(), **({"sent_by": by} if by else {})}
    )
    with db.session() as session:
        letter = letters.get_in(session, letter_id)
        sent_on = checked.sent_on
        _not_future(sent_on, "sent_on", "Sent on", "a letter cannot be sent on a day to come")
        if letter.letter_date and sent_on < letter.letter_date:
            raise ValidationFailed(
                [
                    _problem(
                        "sent_on",
                        "Sent on",
                        f"{format_date(sent_on)} is before the letter's date, "
                        f"{format_date(letter.letter_date)}",
                    )
                ]
            )
        changes: dict[str, Any] = {"sent_on": sent_on}
        if "sent_by" in checked.model_fields_set:
            changes["sent_by"] = checked.sent_by
        if letter.status == LetterStatus.draft:
            changes["status"] = LetterStatus.sent
        return letters.update_in(session, letter_id, validate(t.LetterUpdate, changes), actor=actor)


def _not_future(day: date, name: str, label: str, why: str) -> None:
    if day > clock.today():
        raise ValidationFailed([_problem(name, label, f"{format_date(day)} is after today: {why}")])


def _reply_date_problem(message: str) -> ValidationFailed:
    return ValidationFailed(
        [FieldProblem("received_on", field_message("Reply", "Received on", message))]
    )


@dataclass(frozen=True)
class ReplyResult:
    reply: t.LetterReply
    letter: t.Letter
    asks: list[tuple[t.Ask, ReplyOutcome]]  # each ask answered, and what the reply did to it


OUTCOME_STATUS = {
    ReplyOutcome.accepted: AskStatus.accepted,
    ReplyOutcome.partly_met: AskStatus.partly_met,
    ReplyOutcome.declined: AskStatus.declined,
}
"""What an ask's status becomes when a reply says so (no answer leaves it as it was)."""


def _reply_values(
    letter_id: str,
    on: date | str | None,
    from_whom: str,
    summary: str | None,
    file_ref: str | None,
    answers: dict[str, ReplyOutcome | str],
) -> t.LetterReplyCreate:
    return validate(
        t.LetterReplyCreate,
        {
            "letter_id": letter_id,
            "received_on": on,
            "from_whom": from_whom,
            "summary": summary or None,
            "file_ref": file_ref or None,
            "answers": [{"ask_id": k, "outcome": str(v)} for k, v in answers.items()] or None,
        },
    )


def _check_reply(
    session: Session, letter: t.Letter, received: date, answers: dict[str, Any]
) -> None:
    """Refuse a reply dated in the future or before its letter, or answering an ask the
    letter did not carry."""
    if received > clock.today():
        raise _reply_date_problem(
            f"{format_date(received)} is after today: record a reply once it has come"
        )
    since = letter.sent_on or letter.letter_date
    if since and received < since:
        what = "was sent" if letter.sent_on else "is dated"
        raise _reply_date_problem(
            f"{format_date(received)} is before the letter {what}, {format_date(since)}"
        )
    carried = set(
        session.exec(select(t.LetterAsk.ask_id).where(t.LetterAsk.letter_id == letter.id))
    )
    strangers = [ask_id for ask_id in answers if ask_id not in carried]
    if strangers:
        raise ValidationFailed(
            [
                _problem(
                    "answers",
                    "Asks",
                    f"{', '.join(strangers)} is not an ask this letter carried "
                    f"(it carried {', '.join(sorted(carried)) or 'none'})",
                )
            ]
        )


def _stored_answers(session: Session, answers: dict[str, ReplyOutcome | str]) -> list[dict] | None:
    """Each answer with the status its ask had before (``was``), so deleting or correcting
    the reply can put the ask back."""
    stored = []
    for ask_id, outcome in answers.items():
        ask = session.get(t.Ask, ask_id)
        was = ask.status.value if ask is not None else AskStatus.open.value
        stored.append({"ask_id": ask_id, "outcome": str(outcome), "was": was})
    return stored or None


def record_reply(
    db: Database,
    letter_id: str,
    *,
    on: date | str | None,
    from_whom: str,
    summary: str | None = None,
    file_ref: str | None = None,
    answers: dict[str, ReplyOutcome | str] | None = None,
    actor: str | None = None,
) -> ReplyResult:
    """Record a reply to a letter: when it came, from whom, what it says, its file or
    link, and for each ask the letter carried what the reply did to it. The ask's status
    and history change with it; the letter is marked as answered. All or nothing."""
    answers = answers or {}
    checked = _reply_values(letter_id, on, from_whom, summary, file_ref, answers)
    received: date = checked.received_on
    with db.session() as session:
        letter = letters.get_in(session, letter_id)
        _check_reply(session, letter, received, answers)
        checked.answers = _stored_answers(session, answers)
        reply = replies.create_in(session, checked, actor=actor)
        latest = max(received, letter.reply_on) if letter.reply_on else received
        letter = letters.update_in(
            session,
            letter_id,
            validate(
                t.LetterUpdate,
                {
                    "status": LetterStatus.reply_received,
                    "reply_on": latest,
                    "reply_notes": (summary or letter.reply_notes or None),
                },
            ),
            actor=actor,
        )
        about = letter.subject or letter.template
        answered = []
        for ask_id, raw in answers.items():
            outcome = ReplyOutcome(str(raw))
            ask = asks_service.get_in(session, ask_id)
            before = snapshot(ask)
            if outcome in OUTCOME_STATUS:
                ask.status = OUTCOME_STATUS[outcome]
                ask.responded_on = received
                ask.updated_at = clock.now()
                session.add(ask)
                session.flush()
                said, still = f"{outcome.label} in the reply", ""
            else:
                said, still = "No answer in the reply", f" (still {ask.status.label.lower()})"
            audit(
                session,
                action=AuditAction.update,
                entity="ask",
                record=ask,
                before=before,
                summary=f"{said} from {checked.from_whom} on {format_date(received)} "
                f"to the letter “{about}”{still}",
                actor=actor,
            )
            answered.append((ask, outcome))
        return ReplyResult(reply=reply, letter=letter, asks=answered)


# --- correcting, deleting and restoring a reply -----------------------------------------


@dataclass(frozen=True)
class _Standing:
    """Where the replies leave an ask: its status and the day it was answered."""

    status: AskStatus
    responded_on: date | None


def _live_replies_about(session: Session, ask_id: str) -> list[t.LetterReply]:
    rows = session.exec(
        select(t.LetterReply)
        .join(t.LetterAsk, col(t.LetterAsk.letter_id) == t.LetterReply.letter_id)
        .where(t.LetterAsk.ask_id == ask_id)
        .where(col(t.LetterReply.deleted_at).is_(None))
    ).all()
    return [row for row in rows if any(a.get("ask_id") == ask_id for a in row.answers or [])]


def _answers_about(rows: list[t.LetterReply], ask_id: str) -> list[tuple[t.LetterReply, dict]]:
    """Each reply's answer about the ask, in the order the replies came."""
    said = [(row, a) for row in rows for a in row.answers or [] if a["ask_id"] == ask_id]
    return sorted(said, key=lambda pair: (pair[0].received_on, pair[0].created_at))


def _standing(rows: list[t.LetterReply], ask_id: str) -> _Standing:
    """The latest reply that decided the ask decides it; with none, it stands as it did
    before the first reply about it (open if that was not kept)."""
    said = _answers_about(rows, ask_id)
    for row, answer in reversed(said):
        outcome = ReplyOutcome(answer["outcome"])
        if outcome in OUTCOME_STATUS:
            return _Standing(OUTCOME_STATUS[outcome], row.received_on)
    was = next((answer["was"] for _row, answer in said if answer.get("was")), None)
    return _Standing(AskStatus(was) if was else AskStatus.open, None)


def _ask_ids(*rows: t.LetterReply | None) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        for answer in (row.answers if row is not None else None) or []:
            seen[answer["ask_id"]] = None
    return list(seen)


def _standings(session: Session, ask_ids: list[str]) -> dict[str, _Standing]:
    """Where the live replies leave each ask."""
    found = {}
    for ask_id in ask_ids:
        rows = _live_replies_about(session, ask_id)
        found[ask_id] = _standing(rows, ask_id)
    return found


def _resettle_asks(
    session: Session,
    before: dict[str, _Standing],
    why: str,
    actor: str | None,
) -> list[tuple[t.Ask, _Standing]]:
    """Move each ask from where the replies left it (``before``) to where they leave it
    now. An ask changed by hand since the reply is left alone: the hand change stands."""
    moved = []
    after = _standings(session, list(before))
    for ask_id, was in before.items():
        now = after[ask_id]
        ask = session.get(t.Ask, ask_id)
        if (
            ask is None
            or now == was
            or (ask.status, ask.responded_on) != (was.status, was.responded_on)
        ):
            continue
        summary = f"{why}: now {now.status.label.lower()} (was {was.status.label.lower()})"
        _update(
            session, ask, "ask", summary, actor, status=now.status, responded_on=now.responded_on
        )
        moved.append((ask, now))
    return moved


def _update(
    session: Session, record: Any, entity: str, summary: str, actor: str | None, **values: Any
) -> None:
    """Set ``values`` on a record and audit the change, in the caller's transaction."""
    before = snapshot(record)
    for name, value in values.items():
        setattr(record, name, value)
    record.updated_at = clock.now()
    session.add(record)
    session.flush()
    audit(
        session,
        action=AuditAction.update,
        entity=entity,
        record=record,
        before=before,
        summary=summary,
        actor=actor,
    )


def _resettle_letter(session: Session, letter_id: str, actor: str | None) -> t.Letter:
    """The letter is answered while it has a live reply, on the day of its latest one."""
    letter = letters.get_in(session, letter_id, include_deleted=True)
    days = [
        row.received_on
        for row in session.exec(
            select(t.LetterReply)
            .where(t.LetterReply.letter_id == letter_id)
            .where(col(t.LetterReply.deleted_at).is_(None))
        )
    ]
    if days:
        status, reply_on = LetterStatus.reply_received, max(days)
    else:
        status = LetterStatus.sent if letter.sent_on else LetterStatus.draft
        reply_on = None
    if (letter.status, letter.reply_on) == (status, reply_on):
        return letter
    summary = f"{status.label} (its replies changed)"
    _update(session, letter, "letter", summary, actor, status=status, reply_on=reply_on)
    return letter


@dataclass(frozen=True)
class ReplyChange:
    reply: t.LetterReply
    letter: t.Letter
    asks: list[tuple[t.Ask, AskStatus]]  # each ask whose status moved, and its new status


def _reply_label(reply: t.LetterReply) -> str:
    return f"the reply from {reply.from_whom} on {format_date(reply.received_on)}"


def correct_reply(
    db: Database,
    reply_id: str,
    *,
    on: date | str | None = None,
    from_whom: str | None = None,
    summary: str | None = None,
    file_ref: str | None = None,
    answers: dict[str, ReplyOutcome | str] | None = None,
    actor: str | None = None,
) -> ReplyChange:
    """Correct a reply recorded wrongly: any of its date, sender, summary, file and what
    it did to each ask (``None`` keeps what is there; an empty text clears it). The asks
    and the letter move with it, unless an ask was changed by hand since."""
    with db.session() as session:
        reply = replies.get_in(session, reply_id)
        letter = letters.get_in(session, reply.letter_id, include_deleted=True)
        kept = {a["ask_id"]: a["outcome"] for a in reply.answers or []}
        new_answers = {**kept, **{k: str(v) for k, v in (answers or {}).items()}}
        checked = _reply_values(
            letter.id,
            on if on is not None else reply.received_on,
            from_whom if from_whom is not None else reply.from_whom,
            summary if summary is not None else reply.summary,
            file_ref if file_ref is not None else reply.file_ref,
            new_answers,
        )
        _check_reply(session, letter, checked.received_on, new_answers)
        before = _standings(session, _ask_ids(reply) + list(new_answers))
        was = {a["ask_id"]: a.get("was") for a in reply.answers or []}
        stored = _stored_answers(session, new_answers) or []
        for answer in stored:  # an ask keeps the status it had before this reply
            if was.get(answer["ask_id"]):
                answer["was"] = was[answer["ask_id"]]

        def correct() -> None:
            reply.received_on = checked.received_on
            reply.from_whom = checked.from_whom
            reply.summary = checked.summary
            reply.file_ref = checked.file_ref
            reply.answers = stored or None
            reply.updated_at = clock.now()

        return _change_reply(
            session, reply, before, correct, AuditAction.update, "Corrected", actor
        )


def _change_reply(
    session: Session,
    reply: t.LetterReply,
    before: dict[str, _Standing],
    change: Callable[[], None],
    action: AuditAction,
    verb: str,
    actor: str | None,
) -> ReplyChange:
    """Change a reply, audited, then move its asks and its letter to where the replies
    now leave them."""
    snap = snapshot(reply)
    change()
    session.add(reply)
    session.flush()
    why = f"{verb} {_reply_label(reply)}"
    audit(
        session,
        action=action,
        entity="letter_reply",
        record=reply,
        before=snap,
        summary=why,
        actor=actor,
    )
    moved = _resettle_asks(session, before, why, actor)
    letter = _resettle_letter(session, reply.letter_id, actor)
    return ReplyChange(reply, letter, [(ask, standing.status) for ask, standing in moved])


def delete_reply(db: Database, reply_id: str, *, actor: str | None = None) -> ReplyChange:
    """Put a reply recorded by mistake in Recently deleted. Each ask it decided goes back
    to where the other replies (or none) leave it; the letter is unanswered again if it
    was its only reply."""
    with db.session() as session:
        reply = replies.get_in(session, reply_id)
        before = _standings(session, _ask_ids(reply))

        def delete() -> None:
            reply.deleted_at = clock.now()

        return _change_reply(session, reply, before, delete, AuditAction.delete, "Deleted", actor)


def restore_reply(db: Database, reply_id: str, *, actor: str | None = None) -> ReplyChange:
    """Bring a deleted reply back from Recently deleted, with what it did to the asks."""
    with db.session() as session:
        reply = replies.get_in(session, reply_id, include_deleted=True)
        if reply.deleted_at is None:
            letter = letters.get_in(session, reply.letter_id, include_deleted=True)
            return ReplyChange(reply, letter, [])
        before = _standings(session, _ask_ids(reply))

        def restore() -> None:
            reply.deleted_at = None

        return _change_reply(
            session, reply, before, restore, AuditAction.restore, "Restored", actor
        )


def asks_carried(db: Database, letter_id: str) -> list[t.Ask]:
    """The asks a letter set out, in its order."""
    with db.read() as session:
        return list(
            session.exec(
                select(t.Ask)
                .join(t.LetterAsk, col(t.LetterAsk.ask_id) == t.Ask.id)
                .where(t.LetterAsk.letter_id == letter_id)
                .order_by(col(t.LetterAsk.position))
            ).all()
        )


@dataclass(frozen=True)
class ReplyEntry:
    """A reply as it shows on its letter's or an ask's page."""

    id: str
    letter_id: str
    letter_subject: str
    received_on: date
    from_whom: str
    summary: str
    file_ref: str
    outcomes: dict[str, ReplyOutcome]  # ask id -> what the reply did to it


def _reply_entries(session: Session, rows: list[t.LetterReply]) -> list[ReplyEntry]:
    letter_ids = {row.letter_id for row in rows}
    subjects = {
        letter.id: letter.subject or letter.template
        for letter in session.exec(select(t.Letter).where(col(t.Letter.id).in_(letter_ids)))
    }
    return [
        ReplyEntry(
            id=row.id,
            letter_id=row.letter_id,
            letter_subject=subjects.get(row.letter_id, ""),
            received_on=row.received_on,
            from_whom=row.from_whom,
            summary=row.summary or "",
            file_ref=row.file_ref or "",
            outcomes={a["ask_id"]: ReplyOutcome(a["outcome"]) for a in row.answers or []},
        )
        for row in rows
    ]


def replies_to(db: Database, letter_id: str) -> list[ReplyEntry]:
    """The replies to a letter, oldest first."""
    with db.read() as session:
        rows = session.exec(
            select(t.LetterReply)
            .where(t.LetterReply.letter_id == letter_id)
            .where(col(t.LetterReply.deleted_at).is_(None))
            .order_by(col(t.LetterReply.received_on), col(t.LetterReply.created_at))
        ).all()
        return _reply_entries(session, list(rows))


def replies_about_ask(db: Database, ask_id: str) -> list[ReplyEntry]:
    """Every reply to a letter that carried the ask, oldest first (with what it did to it)."""
    with db.read() as session:
        rows = session.exec(
            select(t.LetterReply)
            .join(t.LetterAsk, col(t.LetterAsk.letter_id) == t.LetterReply.letter_id)
            .join(t.Letter, col(t.Letter.id) == t.LetterReply.letter_id)
            .where(t.LetterAsk.ask_id == ask_id)
            .where(col(t.Letter.deleted_at).is_(None))
            .where(col(t.LetterReply.deleted_at).is_(None))
            .order_by(col(t.LetterReply.received_on), col(t.LetterReply.created_at))
        ).all()
        return _reply_entries(session, list(rows))


# --- history ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterEntry:
    """A letter as it shows in a contact's, ask's or body's history."""

    id: str
    letter_date: date | None
    subject: str
    template: str
    recipient: str
    status: str
    reply_on: date | None
    file_path: str


def _entries(session: Session, rows: list[t.Letter]) -> list[LetterEntry]:
    contact_ids = {r.recipient_contact_id for r in rows if r.recipient_contact_id}
    names = (
        dict(
            session.exec(
                select(t.Contact.id, t.Contact.name).where(col(t.Contact.id).in_(contact_ids))
            ).all()
        )
        if contact_ids
        else {}
    )
    entries = []
    for row in rows:
        recipient = names.get(row.recipient_contact_id or "") or next(
            iter(_address_lines(row.recipient_address or "")), ""
        )
        entries.append(
            LetterEntry(
                id=row.id,
                letter_date=row.letter_date,
                subject=row.subject or row.template,
                template=row.template,
                recipient=recipient,
                status=row.status.label,
                reply_on=row.reply_on,
                file_path=row.file_path or "",
            )
        )
    return entries


def _newest_first(query: Any) -> Any:
    return query.where(col(t.Letter.deleted_at).is_(None)).order_by(
        col(t.Letter.letter_date).desc(), col(t.Letter.created_at).desc()
    )


def letters_to_contact(db: Database, contact_id: str) -> list[LetterEntry]:
    """Letters written to a contact, newest first."""
    with db.read() as session:
        rows = session.exec(
            _newest_first(select(t.Letter).where(t.Letter.recipient_contact_id == contact_id))
        ).all()
        return _entries(session, list(rows))


def letters_for_ask(db: Database, ask_id: str) -> list[LetterEntry]:
    """Letters that set out an ask, newest first."""
    with db.read() as session:
        rows = session.exec(
            _newest_first(
                select(t.Letter)
                .join(t.LetterAsk, col(t.LetterAsk.letter_id) == t.Letter.id)
                .where(t.LetterAsk.ask_id == ask_id)
            )
        ).all()
        return _entries(session, list(rows))


def letters_to_body(db: Database, body_id: str) -> list[LetterEntry]:
    """Letters to a body (by its body field or to one of its contacts), newest first."""
    with db.read() as session:
        contacts = select(t.Contact.id).where(t.Contact.body_id == body_id)
        rows = session.exec(
            _newest_first(
                select(t.Letter).where(
                    (t.Letter.body_id == body_id) | col(t.Letter.recipient_contact_id).in_(contacts)
                )
            )
        ).all()
        return _entries(session, list(rows))


def letters_signed_by(db: Database, member_id: str) -> list[LetterEntry]:
    with db.read() as session:
        rows = session.exec(
            _newest_first(
                select(t.Letter)
                .join(t.LetterSignatory, col(t.LetterSignatory.letter_id) == t.Letter.id)
                .where(t.LetterSignatory.member_id == member_id)
            )
        ).all()
        return _entries(session, list(rows))


def picker_choices(db: Database) -> dict[str, list[tuple[str, str]]]:
    """(id, label) pairs for the composer's pickers: contacts, members, asks (open ones
    first), bodies and recent meetings."""
    with db.read() as session:
        bodies = {b.id: b.name for b in session.exec(select(t.Body)).all()}
        contacts = [
            (c.id, f"{c.name}, {c.role or 'no role'} ({bodies.get(c.body_id or '', 'no body')})")
            for c in session.exec(
                select(t.Contact)
                .where(col(t.Contact.deleted_at).is_(None))
                .where(col(t.Contact.archived_at).is_(None))
                .order_by(col(t.Contact.name))
            ).all()
        ]
        members = [
            (m.id, f"{display_name(m)}, {m.position or 'member'}")
            for m in session.exec(
                select(t.Member)
                .where(col(t.Member.archived_at).is_(None))
                .order_by(col(t.Member.name))
            ).all()
        ]
        asks = sorted(
            session.exec(
                select(t.Ask).where(col(t.Ask.deleted_at).is_(None)).order_by(col(t.Ask.title))
            ).all(),
            key=lambda ask: ask.status != AskStatus.open,
        )
        meetings = [
            (m.id, f"{m.title}, {format_date(m.starts_at)}")
            for m in session.exec(
                select(t.Meeting)
                .where(col(t.Meeting.deleted_at).is_(None))
                .order_by(col(t.Meeting.starts_at).desc())
                .limit(200)
            ).all()
        ]
    return {
        "contacts": contacts,
        "members": members,
        "asks": [
            (a.id, f"{a.title} ({bodies.get(a.body_id, '')}; {a.status.label.lower()})")
            for a in asks
        ],
        "bodies": sorted(bodies.items(), key=lambda item: item[1]),
        "meetings": meetings,
    }
