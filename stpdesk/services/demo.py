"""Demonstration data: a realistic Sevenoaks database built from resources/demo/.

:func:`build_demo` writes the record of a district council (Sevenoaks, in the Kent and
Medway footprint) engaging with its NHS partners over the two years before ``today``:
the 2016 STP footprint and the Integrated Care System that succeeded it, the bodies and
people involved, meetings with minutes, asks, commitments both ways and letters. It goes
through the services, so every record is validated and audited, all in one transaction.

The content is data, in TOML files under ``resources/demo/`` (organisations, minutes,
meetings, asks, commitments, letters); this module turns it into records, with dates
counted from ``today``. :mod:`.demo_scale` adds synthetic meetings at scale.

People, e-mail addresses and phone numbers are invented: addresses use the reserved
``.example`` domain and phone numbers Ofcom's drama range (01632 960xxx), so nothing
can reach a real person. Organisations, places and reference codes are real.
"""

from __future__ import annotations

import random
import tomllib
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import cache, partial
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from ..model import clock, kinds
from ..model import tables as t
from ..model.enums import (
    AskStatus,
    Attendance,
    AuditAction,
    BodyKind,
    CommitmentDirection,
    CommitmentStatus,
    FootprintKind,
    LetterStatus,
    MeetingKind,
    Priority,
)
from ..model.types import LONDON
from ..store import Database
from .entities import BY_NAME, display_name
from .errors import ServiceError
from .records import EntityService, audit, snapshot, validate
from .reference import council_by_name, icbs, stps

__all__ = [
    "COUNT_KEYS",
    "DemoRefused",
    "build_demo",
    "demo_data",
    "email_address",
    "is_working_day",
]

# what the demo counts: every kind of record it makes (model.kinds)
COUNT_KEYS = tuple(kind.name for kind in kinds.KINDS if kind.name != "health_checks")
_KEY_OF = {service.spec.name: key for key, service in BY_NAME.items()}

DEMO_SEED = 2016
DEMO_FILES = (
    "organisations",
    "minutes",
    "meetings",
    "asks",
    "commitments",
    "letters",
    "promises",
)


class DemoRefused(ServiceError):
    """The demo was not built because the database already holds data."""


def demo_data(name: str) -> dict[str, Any]:
    """The TOML file ``resources/demo/<name>.toml``, read."""
    folder = resources.files("stpdesk.resources") / "demo"
    return tomllib.loads((folder / f"{name}.toml").read_text(encoding="utf-8"))


def _financial_year(day: date) -> str:
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "'": "", "’": ""})


def email_address(name: str, domain: str) -> str:
    """An invented address for a person: ``first.last@domain``, in plain ASCII."""
    words = [word for word in name.split() if word not in ("Dr", "Professor", "Cllr")]
    plain = unicodedata.normalize("NFKD", " ".join(words).translate(_FOLD))
    ascii_name = plain.encode("ascii", "ignore").decode()
    return ".".join(ascii_name.lower().split()) + "@" + domain


def _christmas_and_new_year(year: int) -> set[date]:
    """England's bank holidays for Christmas Day, Boxing Day and New Year's Day of
    ``year``: one that falls on a weekend moves to the next free weekday."""
    holidays: set[date] = set()
    for day in (date(year, 12, 25), date(year, 12, 26), date(year, 1, 1)):
        while day.weekday() >= 5 or day in holidays:
            day += timedelta(days=1)
        holidays.add(day)
    return holidays


def is_working_day(day: date) -> bool:
    """Not a Saturday or Sunday, nor a Christmas or New Year bank holiday (a council
    does not meet then; Easter and the other bank holidays are not counted)."""
    return day.weekday() < 5 and day not in _christmas_and_new_year(day.year)


# --- The content, as resources/demo/ holds it ------------------------------------


class _Spec(BaseModel):
    # A misspelt key in a file is an error, not a field silently left out.
    model_config = ConfigDict(frozen=True, extra="forbid")


class _CouncilSpec(_Spec):
    name: str
    reference_name: str
    neighbour_reference_name: str
    address: str
    email_domain: str
    protective_marking: str


class _FootprintSpec(_Spec):
    ics_notes: str
    stp_notes: str


class _ThemesSpec(_Spec):
    extra: tuple[str, ...]


class _BodySpec(_Spec):
    key: str
    name: str
    kind: BodyKind
    footprints: tuple[Literal["stp", "ics"], ...]
    domain: str
    code: str | None = None
    website: str | None = None
    notes: str | None = None
    archived: bool = False
    influence: int | None = None  # the relationship map
    interest: int | None = None
    strength: str = "none"


class _ContactSpec(_Spec):
    key: str
    name: str
    role: str
    body: str
    notes: str | None = None
    influence: int | None = None
    interest: int | None = None
    strength: str = "none"


class _MemberSpec(_Spec):
    key: str
    name: str
    position: str


class _Topic(_Spec):
    agenda: str
    themes: tuple[str, ...]
    paragraphs: tuple[str, ...]
    outcomes: tuple[str, ...]


class _ReadingSpec(_Spec):
    body: str
    score: int
    reason: str


class _MeetingSpec(_Spec):
    key: str
    days: int  # from today: negative in the past
    kind: MeetingKind
    title: str
    location: str
    bodies: tuple[str, ...]
    contacts: tuple[str, ...]
    members: tuple[str, ...]  # the first leads for us
    topics: tuple[str, ...]
    start: time  # UK time
    minutes: int
    temperature: tuple[_ReadingSpec, ...] = ()  # how each body seemed (held meetings only)


class _AskSpec(_Spec):
    key: str
    title: str
    body: str
    priority: Priority
    status: AskStatus
    meeting: str | None = None
    letter: str | None = None  # raised in a letter rather than at a meeting
    themes: tuple[str, ...]
    rationale: str
    response: str | None = None


class _CommitmentSpec(_Spec):
    text: str
    direction: CommitmentDirection
    body: str
    contact: str | None = None
    ask: str | None = None
    meeting: str | None = None  # None: the ask's meeting
    status: Literal["done", "dropped", "overdue", "pending", "due_soon"]
    due_days: int  # after the meeting or the day the ask was raised
    evidence: str | None = None


class _LetterSpec(_Spec):
    key: str
    days: int  # from today
    template: str
    subject: str
    recipient_address: str | None = None
    recipient_contact: str | None = None
    body: str
    status: LetterStatus
    reply_days: int | None = None
    reply_notes: str | None = None
    opening: str
    closing: str
    signatories: tuple[str, ...]
    asks: tuple[str, ...]


class _MoveSpec(_Spec):
    to: int  # the new due date, in days from today
    reason: str


class _KeptSpec(_Spec):
    body: str
    contact: str
    text: str
    due: int  # first due, in days from today
    moves: tuple[_MoveSpec, ...] = ()
    done: int | None = None  # delivered, in days from today
    evidence: str = ""
    dropped: str = ""  # why it was dropped


class _SlippedSpec(_Spec):
    text: str  # a commitment from commitments.toml
    days: int  # moved this many days later
    reason: str


class DemoContent(_Spec):
    council: _CouncilSpec
    footprints: _FootprintSpec
    themes: _ThemesSpec
    bodies: tuple[_BodySpec, ...]
    contacts: tuple[_ContactSpec, ...]
    members: tuple[_MemberSpec, ...]
    closings: tuple[str, ...]
    openings: dict[MeetingKind, tuple[str, ...]]
    topics: dict[str, _Topic]
    meetings: tuple[_MeetingSpec, ...]
    asks: tuple[_AskSpec, ...]
    commitments: tuple[_CommitmentSpec, ...]
    letters: tuple[_LetterSpec, ...]
    kept: tuple[_KeptSpec, ...]
    slipped: tuple[_SlippedSpec, ...]


@cache
def demo_content() -> DemoContent:
    """Everything in resources/demo/ the demo is built from, checked."""
    merged: dict[str, Any] = {}
    for name in DEMO_FILES:
        merged.update(demo_data(name))
    return DemoContent.model_validate(merged)


# --- Building -----------------------------------------------------------------


# What makes a database "hold data": live records, as ``workflows.is_empty`` counts them
# (a council profile alone, or records only in the recycle bin, do not).
_DATA_TABLES = (
    t.Footprint,
    t.Body,
    t.Contact,
    t.Member,
    t.Meeting,
    t.Ask,
    t.Commitment,
    t.Letter,
)


def _check_empty(session: Session, db: Database) -> None:
    for table in _DATA_TABLES:
        query = select(table.id).limit(1)
        if "deleted_at" in table.model_fields:
            query = query.where(col(table.deleted_at).is_(None))
        if session.exec(query).first() is not None:
            raise DemoRefused(
                f"{db.path} already holds data, so the demo was not added and nothing was "
                "changed. Use a new file with --db (for example --db demo.sqlite)."
            )


class _DemoBuilder:
    def __init__(self, session: Session, today: date, content: DemoContent) -> None:
        self.session = session
        self.today = today
        self.content = content
        self.rng = random.Random(DEMO_SEED)
        self.counts = dict.fromkeys(COUNT_KEYS, 0)
        self.ids: dict[str, str] = {}
        self.theme_ids: dict[str, str] = {}
        self.meeting_days: dict[str, date] = {}
        self.members: dict[str, t.Member] = {}
        self.contacts: dict[str, t.Contact] = {}
        self.asks: dict[str, t.Ask] = {}
        self.letter_specs = {spec.key: spec for spec in content.letters}

    def create(self, service: EntityService[Any], data: dict[str, Any]) -> Any:
        record = service.create_in(self.session, validate(service.spec.create, data))
        self.counts[_KEY_OF[service.spec.name]] += 1
        return record

    # --- council and footprints ------------------------------------------------

    def profile(self, lad_code: str) -> None:
        """The demo council's profile, unless one was saved already: set-up also keeps it."""
        if self.session.exec(select(t.CouncilProfile)).first() is not None:
            return
        council = self.content.council
        checked: BaseModel = validate(
            t.CouncilProfileBase,
            {
                "name": council.name,
                "lad_code": lad_code,
                "address": council.address,
                "protective_marking": council.protective_marking,
            },
        )
        profile = t.CouncilProfile(**checked.model_dump())
        self.session.add(profile)
        self.session.flush()
        audit(
            self.session,
            action=AuditAction.create,
            entity="council_profile",
            record=profile,
            before=None,
            summary=f"Saved council profile “{profile.name}”",
        )

    def footprints(self, code: str) -> None:
        icb = icbs()[code]
        stp = stps()[code]
        notes = self.content.footprints
        ics = self.create(
            BY_NAME["footprints"],
            {
                "code": code,
                "name": icb.ics_name,
                "kind": FootprintKind.ics,
                "region": icb.region,
                "notes": notes.ics_notes.format(icb_name=icb.name),
            },
        )
        self.ids["ics"] = ics.id
        old = self.create(
            BY_NAME["footprints"],
            {
                "code": code,
                "name": stp.name,
                "kind": FootprintKind.stp,
                "region": icb.region,
                "successor_id": ics.id,
                "notes": notes.stp_notes,
            },
        )
        self.ids["stp"] = old.id

    # --- organisations and people ------------------------------------------------

    def themes(self) -> None:
        existing = {theme.name: theme.id for theme in self.session.exec(select(t.Theme)).all()}
        for name in self.content.themes.extra:
            if name not in existing:
                existing[name] = self.create(BY_NAME["themes"], {"name": name}).id
        self.theme_ids = existing

    def theme_list(self, names: Any) -> list[str]:
        result: list[str] = []
        for name in names:
            theme_id = self.theme_ids.get(name)
            if theme_id and theme_id not in result:
                result.append(theme_id)
        return result

    def bodies(self, names: dict[str, str]) -> dict[str, str]:
        """The bodies, with ``names`` (from the reference data) filled into names and codes."""
        domains = {}
        for spec in self.content.bodies:
            body = self.create(
                BY_NAME["bodies"],
                {
                    "name": spec.name.format(**names),
                    "kind": spec.kind,
                    "code": spec.code.format(**names) if spec.code else None,
                    "website": spec.website,
                    "notes": spec.notes,
                    "footprint_ids": [self.ids[key] for key in spec.footprints],
                    "influence": spec.influence,
                    "interest": spec.interest,
                    "strength": spec.strength,
                },
            )
            self.ids[spec.key] = body.id
            domains[spec.key] = spec.domain
            if spec.archived:
                before = snapshot(body)
                body.archived_at = clock.now()
                self.session.add(body)
                self.session.flush()
                audit(
                    self.session,
                    action=AuditAction.archive,
                    entity="body",
                    record=body,
                    before=before,
                    summary=f"Archived body “{body.name}”",
                )
        return domains

    def people(self, domains: dict[str, str]) -> None:
        contacts, council = self.content.contacts, self.content.council
        phones = self.rng.sample(range(1000), len(contacts))
        for spec, phone in zip(contacts, phones, strict=True):
            self.contacts[spec.key] = self.create(
                BY_NAME["contacts"],
                {
                    "name": spec.name,
                    "role": spec.role,
                    "body_id": self.ids[spec.body],
                    "email": email_address(spec.name, domains[spec.body]),
                    "phone": f"01632 960{phone:03d}",
                    "notes": spec.notes,
                    "influence": spec.influence,
                    "interest": spec.interest,
                    "strength": spec.strength,
                },
            )
        for member in self.content.members:
            self.members[member.key] = self.create(
                BY_NAME["members"],
                {
                    "title": "Cllr",
                    "name": member.name,
                    "position": member.position,
                    "council": council.name,
                    "email": email_address(f"cllr {member.name}", council.email_domain),
                },
            )

    # --- meetings -----------------------------------------------------------------

    def meeting_day(self, days: int) -> date:
        jitter = self.rng.randint(-3, 3) if days < -10 else 0
        day = self.today + timedelta(days=days + jitter)
        # Not on a weekend or a Christmas or New Year holiday: the working day before,
        # unless that takes an upcoming meeting to today or earlier.
        before = day
        while not is_working_day(before):
            before -= timedelta(days=1)
        if before > self.today or days <= 0:
            return before
        while not is_working_day(day):
            day += timedelta(days=1)
        return day

    def meetings(self, specs: list[_MeetingSpec]) -> None:
        for spec in specs:
            day = self.meeting_day(spec.days)
            self.meeting_days[spec.key] = day
            starts = datetime.combine(day, spec.start, LONDON)
            ends = starts + timedelta(minutes=spec.minutes)
            held = day < self.today
            lead = self.members[spec.members[0]]
            officer = self.contacts[spec.contacts[0]]
            topics = [self.content.topics[key] for key in spec.topics]
            attendees = self.attendees(spec, held)
            themes = self.theme_list(name for topic in topics for name in topic.themes)
            data = {
                "title": spec.title,
                "starts_at": starts,
                "ends_at": ends,
                "location": spec.location,
                "kind": spec.kind,
                "agenda": self.agenda(spec.kind, topics),
                "notes": self.minutes(
                    spec.kind, topics, partial(self.fill, day, lead, officer, ends)
                )
                if held
                else self.pre_briefing(spec, topics, lead),
                "outcome": self.rng.choice(topics[0].outcomes) if held else None,
                "body_ids": [self.ids[key] for key in spec.bodies],
                "attendees": attendees,
                "theme_ids": themes,
                "temperature": [
                    {"body_id": self.ids[r.body], "score": r.score, "reason": r.reason}
                    for r in spec.temperature
                ]
                if held
                else [],
            }
            self.ids[spec.key] = self.create(BY_NAME["meetings"], data).id

    def fill(self, day: date, lead: t.Member, officer: t.Contact, ends: datetime) -> dict[str, str]:
        rng = self.rng
        return {
            "lead": display_name(lead),
            "officer": officer.name,
            "fy": _financial_year(day),
            "n1": str(rng.randint(12, 140)),
            "n2": str(rng.randint(3, 40)),
            "n3": f"{rng.randint(18, 60) * 100:,}",
            "n4": str(rng.randint(3, 12)),
            "people": str(rng.randint(25, 60)),
            "weeks": str(rng.randint(14, 38)),
            "small": f"{rng.choice((1_000, 1_500, 2_000)):,}",
            "amount": f"{rng.randint(40, 310) * 1_000:,}",
            "close": f"{ends.hour}:{ends.minute:02d}",
        }

    def attendees(self, spec: _MeetingSpec, held: bool) -> list[dict[str, Any]]:
        people: list[dict[str, Any]] = []
        for index, key in enumerate(spec.members):
            attendance = Attendance.present if held else Attendance.invited
            if index > 0 and self.rng.random() < 0.2:
                attendance = Attendance.apologies
            people.append({"member_id": self.members[key].id, "attendance": attendance})
        for index, key in enumerate(spec.contacts):
            attendance = Attendance.present if held else Attendance.invited
            if index > 0 and self.rng.random() < 0.15:
                attendance = Attendance.apologies
            people.append({"contact_id": self.contacts[key].id, "attendance": attendance})
        return people

    def agenda(self, kind: MeetingKind, topics: list[_Topic]) -> str:
        items = [topic.agenda for topic in topics]
        if kind in (MeetingKind.one_to_one, MeetingKind.site_visit):
            lines = [*items, "Next steps"]
        elif kind == MeetingKind.workshop:
            lines = [
                "Welcome and purpose of the day",
                *items,
                "Table discussions",
                "Feedback and next steps",
            ]
        else:
            lines = [
                "Welcome, apologies and declarations of interest",
                "Minutes of the previous meeting and action log",
                *items,
                "Forward plan",
                "Any other business",
            ]
        return "\n".join(f"{number}. {line}" for number, line in enumerate(lines, start=1))

    def minutes(
        self, kind: MeetingKind, topics: list[_Topic], fill: Callable[[], dict[str, str]]
    ) -> str:
        """Opening, two or three paragraphs per topic (fresh figures each), closing."""
        rng = self.rng
        frame = fill()
        paragraphs = [rng.choice(self.content.openings[kind]).format(**frame)]
        for topic in topics:
            count = 2 if len(topics) > 1 else 3
            figures = fill()
            chosen = rng.sample(topic.paragraphs, min(count, len(topic.paragraphs)))
            paragraphs.extend(paragraph.format(**figures) for paragraph in chosen)
        paragraphs.append(rng.choice(self.content.closings).format(**frame))
        return "\n\n".join(paragraphs)

    def pre_briefing(self, spec: _MeetingSpec, topics: list[_Topic], lead: t.Member) -> str:
        aims = "; ".join(topic.agenda[:1].lower() + topic.agenda[1:] for topic in topics)
        body_ids = {self.ids[key] for key in spec.bodies}
        asks = [
            ask.title
            for ask in self.asks.values()
            if ask.status == AskStatus.open and ask.body_id in body_ids
        ]
        text = (
            f"Pre-meeting note for {display_name(lead)}. Not yet held. "
            f"What we want from this meeting: progress on {aims}."
        )
        if asks:
            text += "\n\nOpen asks to press: " + "; ".join(asks) + "."
        return text

    # --- asks, commitments, letters ---------------------------------------------

    def letter_day(self, key: str) -> date:
        return self.today + timedelta(days=self.letter_specs[key].days)

    def reply_day(self, key: str) -> date | None:
        reply_days = self.letter_specs[key].reply_days
        return None if reply_days is None else self.letter_day(key) + timedelta(days=reply_days)

    def raised_on(self, spec: _AskSpec) -> date:
        if spec.meeting:
            return self.meeting_days[spec.meeting]
        assert spec.letter, f"ask {spec.key} is raised at neither a meeting nor in a letter"
        return self.letter_day(spec.letter)

    def answer_day(self, raised: date) -> date:
        answered = raised + timedelta(days=self.rng.randint(14, 75))
        return max(raised, min(answered, self.today - timedelta(days=1)))

    def ask_records(self) -> None:
        for spec in self.content.asks:
            raised = self.raised_on(spec)
            answered = None
            if spec.status != AskStatus.open:
                answered = (
                    self.answer_day(raised) if spec.meeting else self.reply_day(spec.letter or "")
                )
            self.asks[spec.key] = self.create(
                BY_NAME["asks"],
                {
                    "title": spec.title,
                    "rationale": spec.rationale,
                    "body_id": self.ids[spec.body],
                    "meeting_id": self.ids[spec.meeting] if spec.meeting else None,
                    "priority": spec.priority,
                    "status": spec.status,
                    "response": spec.response,
                    "raised_on": raised,
                    "responded_on": answered,
                    "theme_ids": self.theme_list(spec.themes),
                },
            )

    def commitment_records(self) -> None:
        rng, today = self.rng, self.today
        ask_specs = {spec.key: spec for spec in self.content.asks}
        meeting_specs = {spec.key: spec for spec in self.content.meetings}
        for spec in self.content.commitments:
            ask = self.asks[spec.ask] if spec.ask else None
            meeting_key = spec.meeting or (ask_specs[spec.ask].meeting if spec.ask else None)
            if meeting_key:
                base = self.meeting_days[meeting_key]
            else:
                assert ask is not None and ask.raised_on is not None
                base = ask.raised_on
            due = base + timedelta(days=spec.due_days)
            status = CommitmentStatus.pending
            completed = None
            if spec.status == "overdue":
                due = min(due, today - timedelta(days=rng.randint(4, 30)))
            elif spec.status == "pending":
                due = max(due, today + timedelta(days=rng.randint(7, 60)))
            elif spec.status == "due_soon":
                due = min(max(due, today + timedelta(days=3)), today + timedelta(days=10))
            elif spec.status == "done":
                status = CommitmentStatus.done
                completed = due + timedelta(days=rng.randint(-10, 12))
                completed = max(base, min(completed, today - timedelta(days=1)))
            else:
                status = CommitmentStatus.dropped
            themes = ask_specs[spec.ask].themes if spec.ask else ()
            if meeting_key and not themes:
                themes = self.content.topics[meeting_specs[meeting_key].topics[0]].themes
            self.create(
                BY_NAME["commitments"],
                {
                    "text": spec.text,
                    "direction": spec.direction,
                    "body_id": self.ids[spec.body],
                    "contact_id": self.contacts[spec.contact].id if spec.contact else None,
                    "meeting_id": self.ids[meeting_key] if meeting_key else None,
                    "ask_id": ask.id if ask else None,
                    "due_date": due,
                    "status": status,
                    "evidence": spec.evidence,
                    "completed_on": completed,
                    "theme_ids": self.theme_list(themes),
                },
            )

    def letters(self) -> None:
        for spec in self.content.letters:
            overdue = [
                commitment.text
                for commitment in self.content.commitments
                if commitment.status == "overdue"
                and commitment.direction == CommitmentDirection.to_us
                and commitment.body == spec.body
            ]
            opening = spec.opening.format(
                overdue_count=len(overdue),
                overdue_list="; ".join(text[:1].lower() + text[1:] for text in overdue),
            )
            contact = self.contacts[spec.recipient_contact] if spec.recipient_contact else None
            data: dict[str, Any] = {
                "template": spec.template,
                "subject": spec.subject,
                "recipient_address": spec.recipient_address,
                "recipient_contact_id": contact.id if contact else None,
                "body_id": self.ids[spec.body],
                "letter_date": self.letter_day(spec.key),
                "status": spec.status,
                "reply_on": self.reply_day(spec.key),
                "reply_notes": spec.reply_notes,
                "opening": opening,
                "closing": spec.closing,
                "signatory_ids": [self.members[key].id for key in spec.signatories],
                "ask_ids": [self.asks[key].id for key in spec.asks],
                "reference": f"SDC/{spec.key.upper()}/{self.letter_day(spec.key).isoformat()}",
            }
            if spec.status != "draft":  # posted the day after it was signed
                data["sent_on"] = self.letter_day(spec.key) + timedelta(days=1)
                data["sent_by"] = "post" if spec.recipient_address else "email"
            letter = self.create(
                BY_NAME["letters"], {k: v for k, v in data.items() if v is not None}
            )
            if spec.status == "reply_received":
                self.create(
                    BY_NAME["replies"],
                    {
                        "letter_id": letter.id,
                        "received_on": self.reply_day(spec.key),
                        "from_whom": spec.recipient_address.strip().splitlines()[0]
                        if spec.recipient_address
                        else contact.name
                        if contact
                        else "",
                        "summary": spec.reply_notes,
                    },
                )

    # --- promises kept: a record with a realistic spread ------------------------

    def meeting_with(self, body_id: str, until: date, since: date | None) -> str | None:
        """The last meeting with a body held from ``since`` to ``until`` (where a date
        was agreed, or a promise made), if there was one."""
        query = (
            select(t.Meeting.id)
            .join(t.MeetingBody, col(t.MeetingBody.meeting_id) == t.Meeting.id)
            .where(t.MeetingBody.body_id == body_id)
            .where(col(t.Meeting.starts_at) < datetime.combine(until, time(23, 59), LONDON))
            .order_by(col(t.Meeting.starts_at).desc())
        )
        if since is not None:
            query = query.where(
                col(t.Meeting.starts_at) >= datetime.combine(since, time(0), LONDON)
            )
        return self.session.exec(query.limit(1)).first()

    def promise_history(self) -> None:
        """Promises kept and slipped (promises.toml), through the workflows, as the app
        records them."""
        from ..model.engagement import is_overdue
        from . import workflows

        session, today = self.session, self.today

        def day(offset: int) -> date:
            return today + timedelta(days=offset)

        with clock.as_of(today):
            for spec in self.content.kept:
                body_id = self.ids[spec.body]
                made = day(min(spec.due - 30, -1))
                record = self.create(
                    BY_NAME["commitments"],
                    {
                        "text": spec.text,
                        "direction": CommitmentDirection.to_us,
                        "body_id": body_id,
                        "contact_id": self.contacts[spec.contact].id,
                        "meeting_id": self.meeting_with(body_id, made, made - timedelta(days=60)),
                        "due_date": day(spec.due),
                    },
                )
                due = day(spec.due)
                for move in spec.moves:
                    workflows.reschedule(
                        session,
                        record.id,
                        new_due_date=day(move.to),
                        reason=move.reason,
                        meeting_id=self.meeting_with(body_id, due, made),
                    )
                    due = day(move.to)
                if spec.done is not None:
                    workflows.mark_done(
                        session, record.id, evidence=spec.evidence, completed_on=day(spec.done)
                    )
                elif spec.dropped:
                    workflows.drop(session, record.id, reason=spec.dropped)
            for slipped in self.content.slipped:
                record = session.exec(
                    select(t.Commitment).where(t.Commitment.text == slipped.text)
                ).one()
                assert record.due_date is not None
                moved_to = record.due_date + timedelta(days=slipped.days)
                if is_overdue(record.status, record.due_date, today=today):
                    moved_to = min(moved_to, day(-2))
                workflows.reschedule(
                    session,
                    record.id,
                    new_due_date=moved_to,
                    reason=slipped.reason,
                    meeting_id=self.meeting_with(record.body_id, min(record.due_date, today), None),
                )

    def health_checks(self) -> None:
        """Two rounds of the partnership health check of the ICS a year apart, scored by
        three members: trust and arrangements improve; commitment is disputed."""
        from .health import frameworks

        chosen = frameworks(shipped_only=True)["partnership-assessment-tool"]
        assessors = list(self.members.values())[:3]
        for years_ago, lift in ((1, 0), (0, 1)):
            day = self.today - timedelta(days=365 * years_ago + 12)
            for place, member in enumerate(assessors):
                scores = []
                for number, statement in enumerate(chosen.statements):
                    principle = statement.id.split(".")[0]
                    base = 2 + (lift if principle in ("4", "5") else 0)
                    wobble = (0, 0, 1)[(number + place) % 3] if principle != "3" else place - 1
                    wobble *= 2 if principle == "3" and lift else 1
                    evidence = (
                        "Board papers now arrive a week ahead"
                        if statement.id == "5.2" and lift
                        else ""
                    )
                    scores.append(
                        {
                            "statement": statement.id,
                            "score": max(1, min(5, base + wobble)),
                            "evidence": evidence,
                        }
                    )
                BY_NAME["health_checks"].create_in(
                    self.session,
                    validate(
                        t.HealthAssessmentCreate,
                        {
                            "footprint_id": self.ids["ics"],
                            "framework": chosen.name,
                            "member_id": member.id,
                            "round_on": day,
                            "assessed_on": day + timedelta(days=place),
                            "scores": scores,
                        },
                    ),
                )


def build_demo(db: Database, *, today: date | None = None) -> dict[str, int]:
    """Fill an empty database with a realistic record for Sevenoaks District Council.

    Dates are relative to ``today`` (default: today in the UK) and the content is the same
    on every run. Everything is written in one transaction, so a failure leaves nothing.
    Raises :class:`DemoRefused` if the database already holds data (any live footprint,
    body, contact, member, meeting, ask, commitment or letter); a council profile saved
    beforehand is kept. Returns how many records of each kind the demo created
    (``themes``: the themes it added to the standard ones).
    """
    today = today or clock.today()
    content = demo_content()
    ours = council_by_name(content.council.reference_name)
    assert ours.county_code and ours.county_name  # a district has a county
    neighbour = council_by_name(content.council.neighbour_reference_name)
    names = {
        "icb_name": icbs()[ours.icb_code].name,
        "county_code": ours.county_code,
        "county_name": ours.county_name,
        "neighbour_code": neighbour.code,
        "neighbour_name": neighbour.name,
    }
    with db.session() as session:
        _check_empty(session, db)
        builder = _DemoBuilder(session, today, content)
        builder.profile(ours.code)
        builder.footprints(ours.icb_code)
        builder.themes()
        domains = builder.bodies(names)
        builder.people(domains)
        # Asks are raised at past meetings; the briefing notes for upcoming meetings list
        # the asks still open, so those meetings come after the asks.
        builder.meetings([spec for spec in content.meetings if spec.days < 0])
        builder.ask_records()
        builder.meetings([spec for spec in content.meetings if spec.days >= 0])
        builder.commitment_records()
        builder.letters()
        builder.promise_history()
        builder.health_checks()
        return builder.counts
