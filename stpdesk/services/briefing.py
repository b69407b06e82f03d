"""What goes into a briefing pack, gathered as plain data (no Qt, no ReportLab).

:func:`meeting_pack` and :func:`footprint_pack` read everything a pack shows in one
read session with a fixed number of queries (never one query per row), so a pack
costs the same on a 100,000-meeting database as on a small one. The results are
frozen dataclasses that templates read as ``meeting.title``, ``pack.open_asks`` and so on.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from ..model import clock
from ..model import tables as t
from ..model.engagement import (
    CommitmentState,
    history_lines,
    live_sql,
    open_ask_sql,
    overdue_sql,
    pending_sql,
    status_text,
)
from ..model.enums import (
    AskStatus,
    Attendance,
    BodyKind,
    CommitmentDirection,
    CommitmentStatus,
    MeetingKind,
    Priority,
)
from ..model.types import LONDON, format_date
from ..store import Database
from ..store.rows import as_stored, connection_of, fetch, marks, stored_moment
from . import engagement
from .entities import footprints, titled_name
from .errors import NotFound
from .health import HealthSection
from .health import pack_section as health_section
from .promises import DEFAULT_MONTHS, PromiseSection, months_before, promise_section
from .relationships import MapRow, numbered, relationship_map
from .temperature import TemperatureSection, temperature_section

SHORT_TEXT = 160  # talking points quote at most this much of an ask or commitment


# --- the data a template sees ---------------------------------------------------


@dataclass(frozen=True)
class Council:
    name: str
    address: str
    protective_marking: str
    logo: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class BodyInfo:
    id: str
    name: str
    kind: str  # label, e.g. "Integrated Care Board"
    code: str = ""
    website: str = ""
    contacts: list[ContactInfo] = field(default_factory=list)
    footprint: str = ""


@dataclass(frozen=True)
class ContactInfo:
    name: str
    role: str
    body: str
    email: str
    phone: str


@dataclass(frozen=True)
class Person:
    """Someone at a meeting: one of theirs (a contact) or one of ours (a member)."""

    name: str
    role: str  # a contact's role, or a member's position
    body: str  # the contact's body; our council for members
    attendance: str  # label: Present, Apologies, Invited
    is_member: bool


@dataclass(frozen=True)
class MeetingInfo:
    id: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    location: str
    kind: str
    bodies: list[str]
    themes: list[str]
    agenda: str
    notes: str
    outcome: str

    @property
    def time(self) -> str:
        start = self.starts_at.astimezone(LONDON)
        text = f"{start:%H:%M}"
        if self.ends_at:
            text += f" to {self.ends_at.astimezone(LONDON):%H:%M}"
        return text

    @property
    def date(self) -> str:
        return format_date(self.starts_at)


@dataclass(frozen=True)
class AskItem:
    id: str
    title: str
    rationale: str
    body: str
    status: str
    priority: str
    raised_on: date | None
    raised_at: str  # the meeting it was raised at
    response: str
    responded_on: date | None
    days_open: int | None
    is_open: bool


@dataclass(frozen=True)
class CommitmentItem:
    id: str
    text: str
    body: str
    owed_by: str  # who must act: the body (or its contact), or our council
    direction: str  # label: Owed to us / Owed by us
    due_date: date | None
    status: str
    overdue: bool
    days_overdue: int | None
    status_text: str  # "12 days overdue", "Due in 9 days", "Done on 3 May 2026"…
    made_at: str
    evidence: str
    history: list[str] = field(default_factory=list)  # first due, then each move and why
    moves: int = 0


@dataclass(frozen=True)
class MeetingPack:
    title: str
    council: Council
    meeting: MeetingInfo
    today: date
    bodies: list[BodyInfo]
    attendees: list[Person]  # their people
    our_members: list[Person]
    history: list[MeetingInfo]  # earlier meetings with these bodies, newest first
    open_asks: list[AskItem]
    owed_to_us: list[CommitmentItem]  # overdue first
    owed_by_us: list[CommitmentItem]
    overdue_to_us: list[CommitmentItem]
    themes: list[str]
    talking_points: list[str]
    last_meeting: MeetingInfo | None
    open_asks_total: int = 0  # the lists above stop at a limit; these count them all
    owed_to_us_total: int = 0
    owed_by_us_total: int = 0
    awaiting_reply: list[engagement.AwaitingLetter] = field(default_factory=list)
    promises: PromiseSection | None = None  # their record on promises to us
    temperature: TemperatureSection | None = None  # how each body seemed, 12 months


@dataclass(frozen=True)
class FootprintInfo:
    id: str
    name: str
    code: str
    kind: str
    region: str
    notes: str
    is_this: bool = False


@dataclass(frozen=True)
class FootprintPack:
    title: str
    council: Council
    footprint: FootprintInfo
    today: date
    lineage: list[FootprintInfo]  # earliest first, e.g. the 2016 STP then the ICS
    bodies: list[BodyInfo]
    meetings_total: int
    first_meeting: date | None
    last_meeting: date | None
    meetings_per_quarter: list[tuple[str, int]]
    asks_total: int
    asks_by_status: list[tuple[str, int]]
    recent_asks: list[AskItem]
    commitments_chart: list[tuple[str, int, int, int, int]]  # who, kept, pending, overdue, dropped
    commitments_kept: int
    commitments_overdue: int
    overdue: list[CommitmentItem]
    awaiting_reply: list[engagement.AwaitingLetter] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    promises: PromiseSection | None = None  # the bodies' record on promises to us
    # the bodies and contacts of this footprint on the relationship map, numbered
    relationship_map: list[MapRow] = field(default_factory=list)
    unmapped: int = 0  # bodies and contacts not yet placed on the map
    temperature: TemperatureSection | None = None  # how each body seemed, 12 months
    health: HealthSection | None = None  # the latest partnership health check


# --- helpers ----------------------------------------------------------------------


def _live(table: Any) -> Any:
    return col(table.deleted_at).is_(None)


def council(db: Database) -> Council:
    with db.read() as session:
        return council_of(session)


def council_of(session: Session) -> Council:
    found = fetch(
        connection_of(session),
        "SELECT name, address, protective_marking, logo FROM council_profile LIMIT 1",
    )
    profile = found[0] if found else None
    if profile is None:
        return Council(name="Your council", address="", protective_marking="OFFICIAL")
    return Council(
        name=profile.name,
        address=profile.address or "",
        protective_marking=profile.protective_marking or "",
        logo=profile.logo,
    )


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHORT_TEXT else text[: SHORT_TEXT - 1].rstrip() + "…"


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def meeting_info(meeting: t.Meeting, bodies: list[str], themes: list[str]) -> MeetingInfo:
    return MeetingInfo(
        id=meeting.id,
        title=meeting.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        location=meeting.location or "",
        kind=meeting.kind.label,
        bodies=bodies,
        themes=themes,
        agenda=meeting.agenda or "",
        notes=meeting.notes or "",
        outcome=meeting.outcome or "",
    )


def body_names(session: Session, meeting_ids: list[str]) -> dict[str, list[str]]:
    return _linked_names(session, t.MeetingBody.body_id, t.Body, meeting_ids, t.MeetingBody)


def theme_names(session: Session, meeting_ids: list[str]) -> dict[str, list[str]]:
    return _linked_names(session, t.MeetingTheme.theme_id, t.Theme, meeting_ids, t.MeetingTheme)


def _linked_names(
    session: Session, other_id: Any, named: Any, meeting_ids: list[str], link: Any
) -> dict[str, list[str]]:
    """Names linked to each meeting through a link table, in one query for all of them."""
    names: dict[str, list[str]] = defaultdict(list)
    if meeting_ids:
        rows = session.exec(
            select(link.meeting_id, named.name)
            .join(named, col(named.id) == other_id)
            .where(col(link.meeting_id).in_(meeting_ids))
            .order_by(col(named.name))
        ).all()
        for meeting_id, name in rows:
            names[meeting_id].append(name)
    return names


def _made_at(title: str | None, starts_at: datetime | None) -> str:
    """Where an ask or commitment came up: "Partnership board, 3 May 2026"."""
    return f"{title}, {format_date(starts_at)}" if title is not None else ""


def ask_item(ask: engagement.AskRow) -> AskItem:
    """One ask as packs and letters list it."""
    is_open = ask.status == AskStatus.open
    return AskItem(
        id=ask.id,
        title=ask.title,
        rationale=ask.rationale,
        body=ask.body,
        status=ask.status.label,
        priority=ask.priority.label,
        raised_on=ask.raised_on,
        raised_at=_made_at(ask.meeting_title, ask.meeting_starts_at),
        response=ask.response,
        responded_on=ask.responded_on,
        days_open=(clock.today() - ask.raised_on).days if ask.raised_on and is_open else None,
        is_open=is_open,
    )


def commitment_item(commitment: engagement.CommitmentRow, our_name: str) -> CommitmentItem:
    """One commitment as packs and letters list it; ``owed_by`` names who must act."""
    if commitment.direction == CommitmentDirection.by_us:
        owed_by = our_name
    elif commitment.contact is not None:
        owed_by = f"{commitment.contact}, {commitment.body}"
    else:
        owed_by = commitment.body
    overdue = commitment.state == CommitmentState.overdue
    return CommitmentItem(
        id=commitment.id,
        text=commitment.text,
        body=commitment.body,
        owed_by=owed_by,
        direction=commitment.direction.label,
        due_date=commitment.due_date,
        status=commitment.status.label,
        overdue=overdue,
        days_overdue=commitment.days_overdue if overdue else None,
        status_text=status_text(commitment.status, commitment.due_date, commitment.completed_on),
        made_at=_made_at(commitment.meeting_title, commitment.meeting_starts_at),
        evidence=commitment.evidence,
        history=history_lines(commitment.original_due_date, commitment.revisions),
        moves=len(commitment.revisions),
    )


_PRIORITY_ORDER = {Priority.high: 0, Priority.medium: 1, Priority.low: 2}


# --- meeting pack -----------------------------------------------------------------
#
# The meeting pack reads plain rows through one read session's connection: at 100,000
# meetings, building ORM records and compiling a dozen statements cost three times what
# SQLite spent answering them.

_MEETING_COLUMNS = "id, title, starts_at, ends_at, location, kind, agenda, notes, outcome"


def _meeting_row_info(row: Any, bodies: list[str], themes: list[str]) -> MeetingInfo:
    return MeetingInfo(
        id=row.id,
        title=row.title,
        starts_at=stored_moment(row.starts_at),  # type: ignore[arg-type]
        ends_at=stored_moment(row.ends_at),
        location=row.location or "",
        kind=MeetingKind(row.kind).label,
        bodies=bodies,
        themes=themes,
        agenda=row.agenda or "",
        notes=row.notes or "",
        outcome=row.outcome or "",
    )


def meeting_pack(
    db: Database,
    meeting_id: str,
    *,
    on: date | None = None,
    history: int = 5,
    talking_points: int = 10,
    asks_listed: int = 25,
    commitments_listed: int = 25,
    promise_months: int = DEFAULT_MONTHS,
    promises_worst: int = 5,
) -> MeetingPack:
    """Everything a meeting briefing shows, as of ``on`` (default: today in the UK).

    Lists stop at the ``*_listed`` limits (most pressing first); the ``*_total`` counts
    say how many there are in all, so a pack can say "and 40 more". Their record on
    promises counts those first due in the ``promise_months`` months up to ``on``."""
    on = on or clock.today()
    with clock.as_of(on), db.read() as session:
        found = fetch(
            connection_of(session),
            f"SELECT {_MEETING_COLUMNS}, deleted_at FROM meeting WHERE id = ?",
            [meeting_id],
        )
        if not found or found[0].deleted_at is not None:
            raise NotFound(f"There is no meeting with id {meeting_id}.")
        meeting = found[0]
        starts_at: datetime = stored_moment(meeting.starts_at)  # type: ignore[assignment]
        our = council_of(session)
        bodies = fetch(
            connection_of(session),
            "SELECT body.id, body.name, body.kind, body.code, body.website FROM body "
            "JOIN meeting_body ON meeting_body.body_id = body.id "
            "WHERE meeting_body.meeting_id = ? ORDER BY body.name",
            [meeting.id],
        )
        body_ids = [body.id for body in bodies]
        attendees, members = _people(session, meeting.id, our.name)

        # history is what has happened: meetings before this one that are not in the future
        end_of_today = datetime.combine(on + timedelta(days=1), time(0), LONDON).astimezone(UTC)
        held_before = min(starts_at, end_of_today)
        earlier: list[Any] = []
        if body_ids and history:
            # walk the meetings newest first and keep those with these bodies:
            # reads a handful of index entries, where IN (...) sorted them all
            earlier = fetch(
                connection_of(session),
                f"SELECT {_MEETING_COLUMNS} FROM meeting WHERE EXISTS (SELECT 1 FROM meeting_body "
                "WHERE meeting_body.meeting_id = meeting.id "
                f"AND meeting_body.body_id IN ({marks(len(body_ids))})) "
                "AND meeting.deleted_at IS NULL AND meeting.starts_at < ? AND meeting.id != ? "
                "ORDER BY meeting.starts_at DESC, meeting.id DESC LIMIT ?",
                [*body_ids, as_stored(held_before), meeting.id, history],
            )
        names = _names_of(session, [meeting.id], [m.id for m in earlier])
        themes = names["theme", meeting.id]
        info = _meeting_row_info(meeting, [body.name for body in bodies], themes)
        history_items = [
            _meeting_row_info(m, names["body", m.id], names["theme", m.id]) for m in earlier
        ]

        open_asks: list[AskItem] = []
        asks_open = 0
        awaiting: list[engagement.AwaitingLetter] = []
        owed_to_us: list[CommitmentItem] = []
        owed_by_us: list[CommitmentItem] = []
        pending_counts = {direction: 0 for direction in CommitmentDirection}
        if body_ids:
            connection = connection_of(session)
            counts = engagement.live_tallies(connection, body_ids)
            asks_open = counts.get(("ask", AskStatus.open.value, ""), 0)
            for direction in CommitmentDirection:
                key = ("commitment", CommitmentStatus.pending.value, direction.value)
                pending_counts[direction] = counts.get(key, 0)
            open_asks = [
                ask_item(ask) for ask in _most_pressing_asks(connection, body_ids, asks_listed)
            ]
            for direction in CommitmentDirection:
                rows = _most_overdue_commitments(
                    connection, body_ids, direction, commitments_listed
                )
                items = [commitment_item(row, our.name) for row in rows]
                if direction == CommitmentDirection.to_us:
                    owed_to_us = items
                else:
                    owed_by_us = items
            awaiting = _awaiting_reply(connection, body_ids)
        record = promise_section(
            connection_of(session),
            [(body.id, body.name) for body in bodies],
            since=months_before(on, promise_months),
            worst=promises_worst,
        )
        temperature = temperature_section(
            session, [(body.id, body.name) for body in bodies], today=on
        )
    points = _talking_points(open_asks, owed_to_us, owed_by_us, talking_points)
    when = format_date(starts_at)
    return MeetingPack(
        title=f"Briefing: {meeting.title}, {when}",
        council=our,
        meeting=info,
        today=on,
        bodies=[
            BodyInfo(b.id, b.name, BodyKind(b.kind).label, b.code or "", b.website or "")
            for b in bodies
        ],
        attendees=attendees,
        our_members=members,
        history=history_items,
        open_asks=open_asks,
        owed_to_us=owed_to_us,
        owed_by_us=owed_by_us,
        overdue_to_us=[i for i in owed_to_us if i.overdue],
        open_asks_total=asks_open,
        owed_to_us_total=pending_counts[CommitmentDirection.to_us],
        owed_by_us_total=pending_counts[CommitmentDirection.by_us],
        themes=themes,
        talking_points=points,
        last_meeting=history_items[0] if history_items else None,
        awaiting_reply=awaiting,
        promises=record,
        temperature=temperature,
    )


def _awaiting_reply(
    connection: sqlite3.Connection, body_ids: list[str]
) -> list[engagement.AwaitingLetter]:
    """Our letters to these bodies still awaiting a reply, longest waiting first."""
    letters = {
        letter.id: letter
        for body_id in body_ids
        for letter in engagement.awaiting_replies(connection, body_id=body_id)[0]
    }
    return sorted(letters.values(), key=lambda letter: (letter.sent_on, letter.id))


def _names_of(
    session: Session, themed: list[str], bodied: list[str]
) -> defaultdict[tuple[str, str], list[str]]:
    """Theme names of the meetings ``themed`` and body names of the meetings ``bodied``
    (plus their themes), in one query: ``names["body", meeting_id]``, in name order."""
    themed = [*themed, *bodied]
    names: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
    sql = (
        "SELECT 'theme' AS kind, meeting_theme.meeting_id, theme.name FROM meeting_theme "
        "JOIN theme ON theme.id = meeting_theme.theme_id "
        f"WHERE meeting_theme.meeting_id IN ({marks(len(themed))})"
    )
    if bodied:
        sql += (
            " UNION ALL SELECT 'body', meeting_body.meeting_id, body.name FROM meeting_body "
            "JOIN body ON body.id = meeting_body.body_id "
            f"WHERE meeting_body.meeting_id IN ({marks(len(bodied))})"
        )
    for kind, meeting_id, name in fetch(
        connection_of(session), sql + " ORDER BY 3", [*themed, *bodied]
    ):
        names[kind, meeting_id].append(name)
    return names


def _firsts_of_each(arms: list[str]) -> str:
    """The ids named by the first ``?`` rows of each ordered query (arm).

    Each arm is one body (and one priority), so SQLite walks an index in order and stops
    after a few rows; one query over all the bodies had to read and sort every open row
    (10,000 and more at 100,000 meetings) to find the first few."""
    return " UNION ALL ".join(f"SELECT id FROM ({arm} LIMIT ?)" for arm in arms)


@cache
def _pressing_asks_where(bodies: int) -> str:
    """Open asks of ``bodies`` bodies at one priority. Parameters per body: body,
    priority, limit, body, priority, limit."""
    same = f"SELECT id FROM ask a WHERE a.body_id = ? AND {live_sql('a')} AND {open_ask_sql('a')} "
    same += "AND a.priority = ? AND a.raised_on IS"
    arms = [
        arm
        for _ in range(bodies)
        for arm in (
            f"{same} NOT NULL ORDER BY raised_on, title, id",
            f"{same} NULL ORDER BY title, id",
        )
    ]
    return f"a.id IN ({_firsts_of_each(arms)})"


def _most_pressing_asks(
    connection: sqlite3.Connection, body_ids: list[str], limit: int
) -> list[engagement.AskRow]:
    """The first ``limit`` open asks of these bodies: high priority first, then oldest
    first (undated ones last), then by title and id (the same order every time).

    One query per priority, highest first, stopping once the list is full: a priority
    holds thousands of open asks at 100,000 meetings, so the high ones usually fill it."""
    found: list[engagement.AskRow] = []
    if not body_ids:
        return found
    for level in (Priority.high, Priority.medium, Priority.low):
        wanted = limit - len(found)
        if wanted <= 0:
            break
        params: list[Any] = []
        for body_id in body_ids:
            params += [body_id, level.value, wanted, body_id, level.value, wanted]
        found += engagement.asks(
            connection, _pressing_asks_where(len(body_ids)), params, limit=wanted
        )
    return found


@cache
def _pending_commitments_where(bodies: int) -> str:
    """Pending commitments of ``bodies`` bodies one way. Parameters per body: body,
    direction, limit, body, direction, limit."""
    same = f"SELECT id FROM commitment c WHERE c.body_id = ? AND {live_sql('c')} "
    same += f"AND {pending_sql('c')} AND c.direction = ? AND c.due_date IS"
    arms = [
        arm
        for _ in range(bodies)
        for arm in (f"{same} NOT NULL ORDER BY due_date, id", f"{same} NULL ORDER BY id")
    ]
    return f"c.id IN ({_firsts_of_each(arms)})"


def _most_overdue_commitments(
    connection: sqlite3.Connection,
    body_ids: list[str],
    direction: CommitmentDirection,
    limit: int,
) -> list[engagement.CommitmentRow]:
    """The first ``limit`` pending commitments of these bodies one way: earliest due first
    (most overdue first), undated last."""
    if not body_ids or limit <= 0:
        return []
    params: list[Any] = []
    for body_id in body_ids:
        params += [body_id, direction.value, limit, body_id, direction.value, limit]
    return engagement.commitments(
        connection, _pending_commitments_where(len(body_ids)), params, limit=limit
    )


def _people(session: Session, meeting_id: str, our_name: str) -> tuple[list[Person], list[Person]]:
    rows = fetch(
        connection_of(session),
        "SELECT meeting_attendee.attendance, contact.id AS contact_id, contact.name, "
        "contact.role, member.id AS member_id, member.title AS member_title, "
        "member.name AS member_name, member.position, member.council, body.name AS body_name "
        "FROM meeting_attendee LEFT JOIN contact ON contact.id = meeting_attendee.contact_id "
        "LEFT JOIN member ON member.id = meeting_attendee.member_id "
        "LEFT JOIN body ON body.id = contact.body_id WHERE meeting_attendee.meeting_id = ?",
        [meeting_id],
    )
    theirs: list[Person] = []
    ours: list[Person] = []
    for row in rows:
        attendance = Attendance(row.attendance).label
        if row.member_id is not None:
            ours.append(
                Person(
                    name=titled_name(row.member_title, row.member_name),
                    role=row.position or "",
                    body=row.council or our_name,
                    attendance=attendance,
                    is_member=True,
                )
            )
        elif row.contact_id is not None:
            theirs.append(
                Person(
                    name=row.name,
                    role=row.role or "",
                    body=row.body_name or "",
                    attendance=attendance,
                    is_member=False,
                )
            )
    order = {
        Attendance.present.label: 0,
        Attendance.invited.label: 1,
        Attendance.apologies.label: 2,
    }
    theirs.sort(key=lambda p: (order.get(p.attendance, 3), p.body, p.name))
    ours.sort(key=lambda p: (order.get(p.attendance, 3), p.name))
    return theirs, ours


def _talking_points(
    asks: list[AskItem],
    owed_to_us: list[CommitmentItem],
    owed_by_us: list[CommitmentItem],
    limit: int,
) -> list[str]:
    """Suggested things to raise: late promises to us first, then our open asks, then
    anything late from us that they may raise."""
    points = []
    for item in owed_to_us:
        if item.overdue:
            points.append(
                f"Ask {item.body} when it will deliver “{_short(item.text)}”: it was due "
                f"{format_date(item.due_date)} and is {_days(item.days_overdue or 0)} overdue."
            )
    for ask in asks:
        since = f", raised {format_date(ask.raised_on)}" if ask.raised_on else ""
        waited = f" ({_days(ask.days_open)} without an answer)" if ask.days_open else ""
        points.append(f"Press {ask.body} for an answer on “{_short(ask.title)}”{since}{waited}.")
    for item in owed_by_us:
        if item.overdue:
            points.append(
                f"Be ready to give {item.body} a new date for our commitment "
                f"“{_short(item.text)}” ({_days(item.days_overdue or 0)} overdue)."
            )
    return points[:limit]


# --- footprint pack ---------------------------------------------------------------


def _footprint_info(record: t.Footprint, this_id: str) -> FootprintInfo:
    return FootprintInfo(
        id=record.id,
        name=record.name,
        code=record.code or "",
        kind=record.kind.label,
        region=record.region or "",
        notes=record.notes or "",
        is_this=record.id == this_id,
    )


def _lineage(session: Session, footprint: t.Footprint) -> list[t.Footprint]:
    """Earlier footprints that became this one, this one, then what it became."""
    everything = {row.id: row for row in session.exec(select(t.Footprint)).all()}
    earlier: dict[str, list[t.Footprint]] = defaultdict(list)
    for row in everything.values():
        if row.successor_id:
            earlier[row.successor_id].append(row)
    before: list[t.Footprint] = []
    frontier = [footprint.id]
    seen = {footprint.id}
    while frontier:
        current = frontier.pop()
        for row in earlier.get(current, []):
            if row.id not in seen:
                seen.add(row.id)
                before.append(row)
                frontier.append(row.id)
    after: list[t.Footprint] = []
    current = footprint
    while current.successor_id and current.successor_id not in seen:
        seen.add(current.successor_id)
        current = everything[current.successor_id]
        after.append(current)
    before.sort(key=lambda row: row.created_at)
    return [*before, footprint, *after]


def _quarter(moment: datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{local.year} Q{(local.month - 1) // 3 + 1}"


def _quarters_between(first: str, last: str) -> list[str]:
    year, quarter = int(first[:4]), int(first[-1])
    labels = []
    while True:
        label = f"{year} Q{quarter}"
        labels.append(label)
        if label == last or year > int(last[:4]):
            return labels
        quarter += 1
        if quarter == 5:
            year, quarter = year + 1, 1


def footprint_pack(
    db: Database,
    footprint_id: str,
    *,
    on: date | None = None,
    quarters: int = 12,
    asks_listed: int = 30,
    overdue_listed: int = 30,
    contacts_per_body: int = 4,
    promise_months: int = DEFAULT_MONTHS,
    promises_worst: int = 5,
) -> FootprintPack:
    """Everything a footprint briefing shows. Engagement counts the bodies of the footprint
    and of the earlier footprints it grew from (an ICS's pack includes its STP years)."""
    on = on or clock.today()
    footprint = footprints.get(db, footprint_id)
    with clock.as_of(on), db.read() as session:
        our = council_of(session)
        lineage = _lineage(session, footprint)
        index = lineage.index(footprint)
        covered = [row.id for row in lineage[: index + 1]]
        names = {row.id: row.name for row in lineage}
        links = session.exec(
            select(t.BodyFootprint.body_id, t.BodyFootprint.footprint_id).where(
                col(t.BodyFootprint.footprint_id).in_(covered)
            )
        ).all()
        body_footprint = {body_id: names[fp] for body_id, fp in links}
        body_ids = sorted(body_footprint)
        bodies = (
            list(
                session.exec(
                    select(t.Body).where(col(t.Body.id).in_(body_ids)).order_by(col(t.Body.name))
                ).all()
            )
            if body_ids
            else []
        )
        body_names = {body.id: body.name for body in bodies}
        contacts: dict[str, list[ContactInfo]] = defaultdict(list)
        if body_ids:
            for contact in session.exec(
                select(t.Contact)
                .where(col(t.Contact.body_id).in_(body_ids))
                .where(_live(t.Contact))
                .where(col(t.Contact.archived_at).is_(None))
                .order_by(col(t.Contact.name))
            ).all():
                contacts[contact.body_id or ""].append(
                    ContactInfo(
                        contact.name,
                        contact.role or "",
                        body_names.get(contact.body_id or "", ""),
                        contact.email or "",
                        contact.phone or "",
                    )
                )
        body_infos = [
            BodyInfo(
                id=body.id,
                name=body.name,
                kind=body.kind.label,
                code=body.code or "",
                website=body.website or "",
                contacts=contacts[body.id][:contacts_per_body],
                footprint=body_footprint[body.id],
            )
            for body in bodies
            if body.archived_at is None
        ]

        meeting_ids = (
            select(t.MeetingBody.meeting_id)
            .where(col(t.MeetingBody.body_id).in_(body_ids))
            .distinct()
        )
        # Quarters start on 1 January (GMT) and 1 April, July and October (all in BST), so
        # UTC plus an hour gives the right UK month except in the last hour of the year.
        starts = t.Meeting.starts_at
        uk_month = func.strftime(
            "%Y-%m",
            case(
                (func.strftime("%m-%d %H", starts) == "12-31 23", starts),
                else_=func.datetime(starts, "+1 hour"),
            ),
        )
        by_month = (
            session.exec(
                select(uk_month, func.count(), func.min(starts), func.max(starts))
                .where(col(t.Meeting.id).in_(meeting_ids))
                .where(_live(t.Meeting))
                .group_by(uk_month)
            ).all()
            if body_ids
            else []
        )
        per_quarter: Counter[str] = Counter()
        first = last = None
        for month, count, earliest, latest in by_month:
            year, number = int(month[:4]), int(month[5:])
            per_quarter[f"{year} Q{(number - 1) // 3 + 1}"] += count
            earliest = datetime.fromisoformat(str(earliest)).replace(tzinfo=UTC)
            latest = datetime.fromisoformat(str(latest)).replace(tzinfo=UTC)
            first = earliest if first is None or earliest < first else first
            last = latest if last is None or latest > last else last
        total = sum(per_quarter.values())
        chart: list[tuple[str, int]] = []
        if per_quarter:
            end = max(_quarter(datetime.combine(on, time(12), LONDON)), max(per_quarter))
            labels = _quarters_between(min(per_quarter), end)[-quarters:] if quarters else []
            chart = [(label, per_quarter.get(label, 0)) for label in labels]

        ask_counts = (
            dict(
                session.exec(
                    select(t.Ask.status, func.count())
                    .where(col(t.Ask.body_id).in_(body_ids))
                    .where(_live(t.Ask))
                    .group_by(t.Ask.status)
                ).all()
            )
            if body_ids
            else {}
        )
        connection = connection_of(session)
        of_bodies = f"IN ({marks(len(body_ids))})"
        recent = (
            engagement.asks(
                connection,
                f"a.body_id {of_bodies}",
                body_ids,
                order="a.raised_on DESC, a.id",
                limit=asks_listed,
            )
            if body_ids and asks_listed
            else []
        )
        recent_asks = [ask_item(ask) for ask in recent]

        chart_rows, kept, overdue_total = _commitment_counts(connection, body_ids, our.name)
        late = (
            engagement.commitments(
                connection,
                f"{overdue_sql('c')} AND c.body_id {of_bodies}",
                body_ids,
                order="c.due_date, c.id",
                limit=overdue_listed,
            )
            if body_ids and overdue_listed
            else []
        )
        overdue_items = [commitment_item(row, our.name) for row in late]
        awaiting = _awaiting_reply(connection, body_ids)
        record = promise_section(
            connection,
            [(body.id, body.name) for body in bodies],
            since=months_before(on, promise_months),
            worst=promises_worst,
            archived={body.id for body in bodies if body.archived_at is not None},
        )
        temperature = temperature_section(
            session, [(body.id, body.name) for body in bodies], today=on
        )
    mapped = relationship_map(db, footprint_id=footprint.id)
    checked = health_section(db, footprint.id)
    return FootprintPack(
        title=f"Footprint briefing: {footprint.name}",
        council=our,
        footprint=_footprint_info(footprint, footprint.id),
        today=on,
        lineage=[_footprint_info(row, footprint.id) for row in lineage],
        bodies=body_infos,
        meetings_total=total,
        first_meeting=first.astimezone(LONDON).date() if first else None,
        last_meeting=last.astimezone(LONDON).date() if last else None,
        meetings_per_quarter=chart,
        asks_total=sum(ask_counts.values()),
        asks_by_status=[(status.label, ask_counts.get(status, 0)) for status in AskStatus],
        recent_asks=recent_asks,
        commitments_chart=chart_rows,
        commitments_kept=kept,
        commitments_overdue=overdue_total,
        overdue=overdue_items,
        awaiting_reply=awaiting,
        promises=record,
        relationship_map=numbered(mapped.points),
        unmapped=mapped.unmapped,
        temperature=temperature,
        health=checked,
    )


def _commitment_counts(
    connection: sqlite3.Connection, body_ids: list[str], our_name: str
) -> tuple[list[tuple[str, int, int, int, int]], int, int]:
    """The chart's rows (who owes: kept, pending, overdue, dropped), kept and overdue."""
    column = {
        CommitmentState.done: 0,
        CommitmentState.done_late: 0,
        CommitmentState.pending: 1,
        CommitmentState.due_soon: 1,
        CommitmentState.overdue: 2,
        CommitmentState.dropped: 3,
    }
    counts: dict[CommitmentDirection, list[int]] = {d: [0, 0, 0, 0] for d in CommitmentDirection}
    for (direction, state), count in engagement.commitment_counts(connection, body_ids).items():
        counts[direction][column[state]] += count
    chart = [
        ("Owed to us", *counts[CommitmentDirection.to_us]),
        (
            f"Owed by {our_name}" if len(our_name) < 30 else "Owed by us",
            *counts[CommitmentDirection.by_us],
        ),
    ]
    kept = sum(values[0] for values in counts.values())
    overdue = sum(values[2] for values in counts.values())
    return chart, kept, overdue  # type: ignore[return-value]


# --- batches ----------------------------------------------------------------------


def upcoming_meeting_ids(db: Database, days: int, *, on: date | None = None) -> list[str]:
    """Meetings from the start of ``on`` to the end of ``days`` days later, soonest first."""
    on = on or clock.today()
    start = datetime.combine(on, time(0), LONDON).astimezone(UTC)
    end = datetime.combine(on + timedelta(days=days), time(23, 59, 59), LONDON).astimezone(UTC)
    with db.read() as session:
        return list(
            session.exec(
                select(t.Meeting.id)
                .where(_live(t.Meeting))
                .where(col(t.Meeting.starts_at) >= start)
                .where(col(t.Meeting.starts_at) <= end)
                .order_by(col(t.Meeting.starts_at), col(t.Meeting.id))
            ).all()
        )
