"""Imports: meetings from iCalendar files, contacts from CSV and vCard.

Each import is planned first (:func:`preview_ics`, :func:`preview_contacts`) into an
:class:`ImportPreview` listing what would be added, updated or skipped and every
problem with its line in the file. Importing re-plans inside the writing
transaction and writes nothing at all if any row has a problem.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from ..model import clock
from ..model import sync as s
from ..model import tables as t
from ..model.enums import Attendance, BodyKind, MeetingKind
from ..model.types import LONDON, format_date, format_datetime
from ..store import Database
from . import entities as e
from .errors import ServiceError, ValidationFailed
from .records import validate

Source = Path | str | bytes


# --- what a preview holds -------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    line: int  # 1-based line in the file; 0 for the file as a whole
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class PlannedRow:
    line: int
    action: str  # "add", "update" or "skip"
    summary: str  # what a person recognises: "ICS partnership board, 15 October 2026, 10:00"
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    record_id: str | None = None  # the existing record updated or skipped
    key: str | None = None  # the UID (and occurrence) an imported meeting came from
    fingerprint: str = ""


@dataclass(frozen=True)
class NewPerson:
    """Someone in an invitation who is not yet a contact or member."""

    name: str
    email: str
    line: int


@dataclass
class ImportPreview:
    kind: str  # "meetings" or "contacts"
    source: str  # file name shown to the user
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    new_people: list[NewPerson] = field(default_factory=list)
    new_bodies: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the file as a whole

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def summary(self) -> str:
        noun = self.kind
        parts = [
            f"{self.count('add'):,} {noun} to add",
            f"{self.count('update'):,} to update",
            f"{self.count('skip'):,} already here or skipped",
        ]
        if self.new_people:
            parts.append(f"{len(self.new_people):,} people not yet in your contacts")
        if self.new_bodies:
            parts.append(f"{len(self.new_bodies):,} new bodies")
        return f"{self.source}: " + ", ".join(parts) + "."


class ImportRefused(ServiceError):
    """The file has problems; nothing was written. ``preview`` lists them by line."""

    def __init__(self, preview: ImportPreview) -> None:
        self.preview = preview
        lines = [f"{preview.source} was not imported: nothing was written."]
        lines += [str(problem) for problem in preview.problems[:50]]
        if len(preview.problems) > 50:
            lines.append(f"… and {len(preview.problems) - 50:,} more problems")
        lines.append("Correct these rows in the file and import it again.")
        super().__init__("\n".join(lines))


def _read(source: Source) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, "the file"
    path = Path(source)
    try:
        return path.read_bytes(), path.name
    except FileNotFoundError:
        raise ServiceError(f"There is no file at {path}.") from None
    except IsADirectoryError:
        raise ServiceError(f"{path} is a folder; choose a file.") from None


def decode_text(raw: bytes) -> tuple[str, str]:
    """Text of a file from Excel, Outlook or a Mac: UTF-8 (with or without Excel's
    BOM), UTF-16 with a BOM ("Unicode text"), else Windows-1252. Returns (text, encoding)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8", errors="strict"), "UTF-8"
        except UnicodeDecodeError:
            raw = raw[3:]  # a UTF-8 mark on Windows-1252 text: read on as that
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as error:
            raise ServiceError(
                f"The file is not complete UTF-16 text (byte {error.start + 1} cannot be read). "
                "Save it from Excel as “CSV UTF-8” and import it again."
            ) from None
    else:
        # "Unicode text" without its byte-order mark: every other byte of ASCII is NUL
        sample = raw[:4000]
        if len(sample) >= 4 and sample.count(0) * 3 > len(sample):
            odd = sample[1::2].count(0)
            even = sample[0::2].count(0)
            encoding = "utf-16-le" if odd > even else "utf-16-be"
            try:
                return raw.decode(encoding), "UTF-16"
            except UnicodeDecodeError:
                pass
    if b"\x00" in raw:
        raise ServiceError(
            "The file holds NUL bytes: it is not a text file Excel or Outlook saves. "
            "Save it from Excel as “CSV UTF-8” and import it again."
        )
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as error:
        raise ServiceError(
            f"The file is neither UTF-8 nor Windows-1252 text (byte {error.start + 1} cannot be "
            "read). Save it from Excel as “CSV UTF-8” and import it again."
        ) from None


def _fingerprint(data: dict[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _messages(error: ValidationFailed) -> list[str]:
    return [problem.message for problem in error.problems]


# --- people -------------------------------------------------------------------------


class People:
    """Contacts and members by email, for matching invitations and contact files."""

    def __init__(self, session: Session) -> None:
        self.contacts: dict[str, t.Contact] = {}
        self.contacts_by_name: dict[str, list[t.Contact]] = {}
        for contact in session.exec(
            select(t.Contact).where(col(t.Contact.deleted_at).is_(None))
        ).all():
            if contact.email:
                self.contacts.setdefault(contact.email.casefold(), contact)
            self.contacts_by_name.setdefault(contact.name.casefold(), []).append(contact)
        self.members = {
            member.email.casefold(): member
            for member in session.exec(select(t.Member)).all()
            if member.email
        }
        self.bodies: dict[str, t.Body] = {}
        for body in session.exec(select(t.Body)).all():
            self.bodies.setdefault(_body_key(body.name), body)
            if body.code:
                self.bodies.setdefault(_body_key(body.code), body)


def _body_key(name: str) -> str:
    return " ".join(name.casefold().replace("&", "and").split())


def _name_from_email(email: str) -> str:
    local = email.split("@", 1)[0]
    words = [word for word in re.split(r"[._\-+]+", local) if word]
    return " ".join(word.capitalize() for word in words) or email


# --- meetings from iCalendar ----------------------------------------------------------

_KIND_WORDS: tuple[tuple[str, MeetingKind], ...] = (
    ("health and wellbeing", MeetingKind.health_and_wellbeing_board),
    ("hwb", MeetingKind.health_and_wellbeing_board),
    ("one-to-one", MeetingKind.one_to_one),
    ("one to one", MeetingKind.one_to_one),
    ("1:1", MeetingKind.one_to_one),
    ("1-2-1", MeetingKind.one_to_one),
    ("workshop", MeetingKind.workshop),
    ("briefing", MeetingKind.briefing),
    ("site visit", MeetingKind.site_visit),
    ("visit", MeetingKind.site_visit),
    ("ics", MeetingKind.stp_board),
    ("stp", MeetingKind.stp_board),
    ("icb board", MeetingKind.stp_board),
    ("integrated care", MeetingKind.stp_board),
    ("partnership board", MeetingKind.partnership_board),
)


def guess_kind(title: str) -> MeetingKind:
    """A first guess from the title; the user can change it afterwards."""
    lowered = f" {title.casefold()} "
    for words, kind in _KIND_WORDS:
        if re.search(rf"(?<![\w]){re.escape(words)}(?![\w])", lowered):
            return kind
    return MeetingKind.other


class _TextFromHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("br", "p", "div", "li", "tr"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(description: str) -> str:
    """Google sends descriptions as HTML; Outlook and Apple as plain text."""
    if not re.search(r"<[a-zA-Z/][^>]*>|&[a-z]+;", description):
        return description.strip()
    parser = _TextFromHtml()
    parser.feed(description)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip()


def _as_utc(value: date | datetime) -> datetime:
    """A DTSTART/DTEND as UTC: zoned times converted, floating times taken as UK time,
    an all-day date as midnight in the UK."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=LONDON)
        return aware.astimezone(UTC)
    return datetime.combine(value, time(0), LONDON).astimezone(UTC)


def _shown(value: date | datetime) -> str:
    return format_datetime(_as_utc(value)) if isinstance(value, datetime) else format_date(value)


def _uid_key(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _recurrence_key(value: Any) -> str | None:
    if value is None:
        return None
    moment = value.dt if hasattr(value, "dt") else value
    return _as_utc(moment).strftime("%Y%m%dT%H%M%SZ")


def _single(event: Any, name: str, kinds: tuple[type, ...], *, decoded: bool = True) -> Any:
    """One property's value, or None; raises ValueError when the event gives it twice
    or it is not a date (icalendar then returns a list, or a string)."""
    if name not in event:
        return None
    value = event.get(name)
    if isinstance(value, list):
        raise ValueError(f"{name} is given {len(value)} times; an event has one")
    moment = event.decoded(name)
    if not isinstance(moment, kinds):
        raise ValueError(f"{name} is not a date and time")
    return moment if decoded else value


def _unbalanced(text: str) -> RowProblem | None:
    """The first BEGIN without its END (or END without BEGIN): icalendar would quietly
    drop the half-written event, and the import would say nothing of it."""
    open_at: list[tuple[str, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        word = line.strip().upper()
        if word.startswith("BEGIN:"):
            open_at.append((word[6:], number))
            if len(open_at) > 20:
                return RowProblem(number, "sections are nested too deeply for a calendar")
        elif word.startswith("END:"):
            name = word[4:]
            if open_at and open_at[-1][0] != name and name in (n for n, _ in open_at):
                top, began = open_at[-1]
                return RowProblem(
                    began,
                    f"BEGIN:{top} is never closed (no END:{top} before line {number}): the "
                    "file is damaged or cut short; export it again",
                )
            if not open_at or open_at[-1][0] != name:
                expected = f"END:{open_at[-1][0]}" if open_at else "no END here"
                return RowProblem(
                    number,
                    f"END:{name} does not match (expected {expected}): the file is damaged or "
                    "was cut and pasted; export it again",
                )
            open_at.pop()
    if open_at:
        name, number = open_at[-1]
        return RowProblem(
            number,
            f"BEGIN:{name} is never closed (no END:{name}): the file is damaged or cut short; "
            "export it again",
        )
    return None


def _event_lines(text: str) -> list[int]:
    """The line each VEVENT begins on, in file order."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip().upper() == "BEGIN:VEVENT"
    ]


def _people_of(event: Any) -> list[tuple[str, str, str, str]]:
    """(email, name, PARTSTAT, CUTYPE) of the organiser and each attendee."""
    found = []
    organiser = event.get("ORGANIZER")
    attendees = event.get("ATTENDEE") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    for value, default_status in [(organiser, "ACCEPTED")] + [
        (a, "NEEDS-ACTION") for a in attendees
    ]:
        if value is None:
            continue
        address = str(value)
        if not address.lower().startswith("mailto:"):
            continue
        email = address[7:].strip()
        params = getattr(value, "params", {})
        name = str(params.get("CN", "")).strip().strip('"')
        status = str(params.get("PARTSTAT", default_status)).upper()
        cutype = str(params.get("CUTYPE", "INDIVIDUAL")).upper()
        found.append((email, name, status, cutype))
    return found


_NOT_PEOPLE = ("calendar.google.com", "resource.calendar.google.com")


def _attendance(status: str) -> Attendance:
    if status == "DECLINED":
        return Attendance.apologies
    if status == "ACCEPTED":
        return Attendance.present
    return Attendance.invited


def _default_window(single_starts: list[datetime], today: date) -> tuple[date, date]:
    """Without a chosen range: every one-off event, and repeating events from a year
    ago to a year ahead (a weekly series could otherwise run for ever)."""
    start, end = today - timedelta(days=365), today + timedelta(days=366)
    if single_starts:
        start = min(start, min(single_starts).astimezone(LONDON).date())
        end = max(end, max(single_starts).astimezone(LONDON).date() + timedelta(days=1))
    return start, end


# Bounds on the work a calendar can cause. A real series (daily for two years) stays
# well inside them; a rule repeating every second would otherwise run for ever.
MAX_PER_SERIES = 1_000  # occurrences of one repeating meeting taken in the range
MAX_RULE_STEPS = 20_000  # occurrences worked out from a rule's first date to the range's end
MAX_MEETINGS = 20_000  # meetings in one import
RULE_SECONDS = 3.0  # time allowed to work out every rule of one file
EARLIEST_YEAR, LATEST_YEAR = 1900, 2199  # dates outside these are mistakes, not meetings


# dateutil's frequencies with a fixed length in wall-clock time: WEEKLY, DAILY, HOURLY,
# MINUTELY, SECONDLY (YEARLY and MONTHLY have few periods: walked whole).
_STEP = {2: timedelta(weeks=1), 3: timedelta(days=1), 4: timedelta(hours=1)}
_STEP |= {5: timedelta(minutes=1), 6: timedelta(seconds=1)}
_CHUNK = timedelta(days=366)
_UNIT = {2: "weeks", 3: "days", 4: "hours", 5: "minutes", 6: "seconds"}


class _TooLong(Exception):
    pass


_GREGORIAN_CYCLE = timedelta(days=146_097)  # 400 years: the calendar then repeats
_DAY_FILTERS = ("bymonth", "bymonthday", "byyearday", "byweekno", "byweekday", "bysetpos")


def _can_happen(rule: Any, step: timedelta) -> bool:
    """Whether a daily, weekly or more frequent rule ever falls on a day its filters allow.

    dateutil looks for the next match day by day until the year 9999, which takes
    seconds for a rule like FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30. The calendar repeats
    every 400 years, so trying the last whole cycle (and step) before 9999 answers it in
    a bounded time."""
    import math
    import warnings

    if not any(rule._original_rule.get(name) for name in _DAY_FILTERS):
        return True  # every period matches some day
    seconds = math.lcm(int(_GREGORIAN_CYCLE.total_seconds()), int(step.total_seconds()))
    if seconds > 3 * _GREGORIAN_CYCLE.total_seconds():
        raise _TooIrregular
    cycle = timedelta(seconds=seconds)
    dtstart = rule._dtstart
    latest = datetime(9998, 1, 1, tzinfo=dtstart.tzinfo) - cycle
    trial = dtstart + cycle * max(0, (latest - dtstart) // cycle)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        probe = rule.replace(dtstart=trial, until=None, count=1, cache=False)
    return next(iter(probe), None) is not None


class _TooIrregular(Exception):
    pass


def _walk_rule(
    rule: Any, first: datetime, last: datetime, deadline: float, margin: timedelta = timedelta(0)
) -> Any:
    """The occurrences of a dateutil rule from ``first`` (less ``margin``, for events that
    began before it) to ``last``, a year at a time so the deadline is checked often:
    dateutil can spend seconds between two occurrences of a rule that rarely matches."""
    import time as clock  # a work budget, not the business clock
    import warnings

    dtstart, count = rule._dtstart, rule._count
    until = min(rule._until, last) if rule._until is not None else last
    step = _STEP.get(rule._freq)
    if step is None:
        chunks = [(dtstart, dtstart, until)]
    else:
        step = step * rule._interval
        per_chunk = max(1, _CHUNK // step)
        span = step * per_chunk
        # without COUNT the periods before the range do not matter: start near it
        base = dtstart
        if count is None and first - margin > dtstart:
            base = dtstart + step * ((first - margin - dtstart) // step)
        chunks = []
        index = 0
        while True:
            boundary = base + span * index
            if boundary > until:
                break
            # one step earlier, so a week begun before the boundary is generated whole
            begin = boundary - step if boundary > dtstart else dtstart
            chunks.append((begin, boundary, min(until, boundary + span - timedelta(seconds=1))))
            index += 1
    if step is not None and not _can_happen(rule, step):
        return
    yielded = 0
    for begin, boundary, chunk_until in chunks:
        if clock.perf_counter() > deadline:
            raise _TooLong
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            part = rule.replace(dtstart=begin, until=chunk_until, count=None, cache=False)
        for when in part:
            if clock.perf_counter() > deadline:
                raise _TooLong
            if when < boundary:
                continue
            yielded += 1
            if count is not None and yielded > count:
                return
            yield when


def _bound_repeats(
    query: Any,
    start: date,
    end: date,
    titles: dict[str, str],
    line_of: dict[tuple[str, str | None], int],
    preview: ImportPreview,
) -> set[str]:
    """Work out each repeating rule once, within bounds, before recurring_ical_events
    expands it: at most MAX_PER_SERIES occurrences in the range and MAX_RULE_STEPS in all,
    within RULE_SECONDS for the whole file. Each rule is replaced by the dates found, so
    the library's own pass is cheap. Notes every cap in the preview; returns the UIDs of
    series dropped whole.

    Works on the rules recurring_ical_events has parsed (``query.series``), so time zones
    and UNTIL values are read exactly as it reads them."""
    import time as clock  # a work budget, not the business clock

    from dateutil.rrule import rruleset

    deadline = clock.perf_counter() + RULE_SECONDS
    start = max(start, date(EARLIEST_YEAR, 1, 1))
    end = min(end, date(LATEST_YEAR, 12, 30))
    dropped: set[str] = set()
    for series in getattr(query, "series", []):
        rules = getattr(getattr(series, "recurrence", None), "rrules", None)
        if not rules:
            continue
        uid = _uid_key(getattr(series, "uid", None) or getattr(series, "_uid", None))
        title = titles.get(uid, uid)
        line = line_of.get((uid, None), 0)
        for number, rule in enumerate(rules):
            if not hasattr(rule, "_freq"):
                continue  # the set of RDATEs: as long as the file, no longer
            zone = rule._dtstart.tzinfo
            first = datetime.combine(start, time(0), zone)
            last = datetime.combine(end + timedelta(days=1), time(0), zone)
            margin = getattr(series.recurrence.core, "duration", None)
            margin = margin if isinstance(margin, timedelta) else timedelta(0)
            margin = min(max(margin, timedelta(0)), timedelta(days=31))
            found: list[datetime] = []
            taken, steps, capped = 0, 0, ""
            try:
                for when in _walk_rule(rule, first, last, deadline, margin):
                    steps += 1
                    if steps > MAX_RULE_STEPS:
                        capped = "steps"
                        break
                    if when >= first:
                        taken += 1
                        if taken > MAX_PER_SERIES:
                            capped = "count"
                            break
                    if when >= first - margin:
                        found.append(when)
            except _TooIrregular:
                preview.problems.append(
                    RowProblem(
                        line,
                        f"the repeat rule of “{title}” cannot be worked out (it repeats every "
                        f"{rule._interval:,} {_UNIT[rule._freq]} but only on certain days): "
                        "make it a daily or weekly series",
                    )
                )
                continue
            except _TooLong:
                preview.problems.append(
                    RowProblem(
                        line,
                        f"working out the dates of “{title}” and the other repeating "
                        "meetings takes too long: choose a shorter range (--from and --to)",
                    )
                )
                return dropped
            if capped and not taken:
                dropped.add(uid)
                preview.notes.append(
                    f"“{title}” (line {line}) repeats too often to be a meeting series (more "
                    f"than {MAX_RULE_STEPS:,} times before {format_date(start)}): none of it "
                    "was imported."
                )
            elif capped:
                how_many = (
                    f"more than {MAX_PER_SERIES:,} times in the range"
                    if capped == "count"
                    else f"too often (more than {MAX_RULE_STEPS:,} times from its first date)"
                )
                preview.notes.append(
                    f"“{title}” (line {line}) repeats {how_many}: only those up to "
                    f"{format_date(found[-1].date())} were included. Choose a shorter range "
                    "(--from and --to) to import the others."
                )
            dates = rruleset(cache=True)
            for when in found:
                dates.rdate(when)
            dates.until = None  # read by recurring_ical_events
            rules[number] = dates
    return dropped


def plan_ics(session: Session, raw: bytes, source: str, **options: Any) -> ImportPreview:
    """What importing ``raw`` would do. The calendar libraries' warnings (a time zone
    guessed from its name…) become notes in the preview, never lines on the terminal."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        preview = _plan_ics(session, raw, source, **options)
    seen: list[str] = []
    for warning in caught:
        text = str(warning.message).split(" See RFC")[0]
        if text not in seen and len(seen) < 3:
            seen.append(text)
    preview.notes.extend(f"Note from the calendar reader: {text}" for text in seen)
    return preview


def _plan_ics(
    session: Session,
    raw: bytes,
    source: str,
    *,
    start: date | None = None,
    end: date | None = None,
    add_contacts: bool = False,
    today: date | None = None,
) -> ImportPreview:
    import icalendar
    import recurring_ical_events

    preview = ImportPreview("meetings", source)
    if start and end and end < start:
        preview.problems.append(RowProblem(0, "The range ends before it starts: swap the dates."))
        return preview
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if "BEGIN:VCALENDAR" not in text.upper():
        preview.problems.append(
            RowProblem(0, "This is not a calendar file (.ics): it has no BEGIN:VCALENDAR line.")
        )
        return preview
    if "END:VCALENDAR" not in text.upper():
        preview.problems.append(
            RowProblem(
                0,
                "The calendar file is incomplete (it has no END:VCALENDAR line): it may have been cut short. Export it again.",
            )
        )
        return preview
    unbalanced = _unbalanced(text)
    if unbalanced:
        preview.problems.append(unbalanced)
        return preview
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, IndexError, KeyError, TypeError, RecursionError) as error:
        preview.problems.append(RowProblem(0, f"The calendar file cannot be read: {error}."))
        return preview
    lines = _event_lines(text)
    events = [event for cal in calendars for event in cal.walk("VEVENT")]
    line_of: dict[tuple[str, str | None], int] = {}
    series: set[str] = set()
    single_starts: list[datetime] = []
    bad: set[int] = set()
    for index, event in enumerate(events):
        line = lines[index] if index < len(lines) else 0
        uid = _uid_key(event.get("UID"))
        if getattr(event, "errors", None):
            for name, error in event.errors:
                preview.problems.append(
                    RowProblem(line, f"{name or 'a line'} cannot be read ({error})")
                )
            bad.add(index)
            continue
        try:
            dtstart = _single(event, "DTSTART", (date,))
            rid = _recurrence_key(_single(event, "RECURRENCE-ID", (date,), decoded=False))
        except (ValueError, TypeError) as error:
            preview.problems.append(RowProblem(line, f"the start cannot be read ({error})"))
            bad.add(index)
            continue
        if dtstart is None:
            preview.problems.append(
                RowProblem(line, f"event “{event.get('SUMMARY', uid)}” has no start (DTSTART)")
            )
            bad.add(index)
            continue
        if not uid:
            preview.problems.append(
                RowProblem(
                    line,
                    f"event “{event.get('SUMMARY', '')}” has no UID, so it could not be matched on a later import",
                )
            )
            bad.add(index)
            continue
        try:
            dtend = _single(event, "DTEND", (date,))
        except (ValueError, TypeError) as error:
            preview.problems.append(RowProblem(line, f"the end cannot be read ({error})"))
            bad.add(index)
            continue
        outside = [
            moment
            for moment in (dtstart, dtend)
            if moment is not None and not EARLIEST_YEAR <= moment.year <= LATEST_YEAR
        ]
        if outside:
            preview.problems.append(
                RowProblem(
                    line,
                    f"event “{event.get('SUMMARY', uid)}” is dated {outside[0].isoformat()}, "
                    f"outside the years {EARLIEST_YEAR} to {LATEST_YEAR}: correct the date in "
                    "the calendar",
                )
            )
            bad.add(index)
            continue
        try:
            duration = _single(event, "DURATION", (timedelta,))
        except (ValueError, TypeError) as error:
            preview.problems.append(RowProblem(line, f"the duration cannot be read ({error})"))
            bad.add(index)
            continue
        if isinstance(duration, timedelta) and duration < timedelta(0):
            preview.problems.append(
                RowProblem(
                    line,
                    f"event “{event.get('SUMMARY', uid)}” has a negative duration "
                    f"({event.get('DURATION').to_ical().decode()}): it would end before it starts",
                )
            )
            bad.add(index)
            continue
        if dtend is not None and _as_utc(dtend) < _as_utc(dtstart):
            preview.problems.append(
                RowProblem(
                    line,
                    f"event “{event.get('SUMMARY', uid)}” ends ({_shown(dtend)}) before it "
                    f"starts ({_shown(dtstart)})",
                )
            )
            bad.add(index)
            continue
        line_of.setdefault((uid, rid), line)
        if "RRULE" in event or "RDATE" in event or rid:
            series.add(uid)
        else:
            single_starts.append(_as_utc(dtstart))
    today = today or clock.today()
    if start is None or end is None:
        default_start, default_end = _default_window(single_starts, today)
        start, end = start or default_start, end or default_end
        if series:
            preview.notes.append(
                f"Repeating meetings are included from {format_date(start)} to {format_date(end)}; "
                "choose a range to import others."
            )
    good = icalendar.Calendar()
    for cal in calendars:
        for component in cal.subcomponents:
            if component.name == "VTIMEZONE":
                good.add_component(component)
        for key in ("X-WR-TIMEZONE",):
            if key in cal and key not in good:
                good.add(key, cal[key])
    for index, event in enumerate(events):
        if index not in bad:
            good.add_component(event)
    titles = {
        _uid_key(event.get("UID")): " ".join(str(event.get("SUMMARY", "")).split()) or "Untitled"
        for index, event in enumerate(events)
        if index not in bad
    }
    try:
        query = recurring_ical_events.of(good)
        dropped = _bound_repeats(query, start, end, titles, line_of, preview)
        if not preview.ok:
            return preview
        occurrences = [
            occurrence
            for occurrence in query.between(start, end + timedelta(days=1))
            if _uid_key(occurrence.get("UID")) not in dropped
        ]
    except Exception as error:  # the library raises many kinds for a broken rule
        preview.problems.append(
            RowProblem(0, f"A repeating meeting's rule cannot be read: {error}.")
        )
        return preview
    if len(occurrences) > MAX_MEETINGS:
        preview.problems.append(
            RowProblem(
                0,
                f"The calendar holds {len(occurrences):,} meetings from {format_date(start)} to "
                f"{format_date(end)}, more than the {MAX_MEETINGS:,} one import takes: choose a "
                "shorter range (--from and --to).",
            )
        )
        return preview

    people = People(session)
    refs = {
        ref.key: ref
        for ref in session.exec(select(s.ExternalRef).where(s.ExternalRef.source == "ics")).all()
    }
    offered: dict[str, NewPerson] = {}
    seen_keys: set[str] = set()
    for occurrence in sorted(occurrences, key=lambda o: _as_utc(o.decoded("DTSTART"))):
        uid = _uid_key(occurrence.get("UID"))
        rid = _recurrence_key(occurrence.get("RECURRENCE-ID")) if uid in series else None
        line = line_of.get((uid, rid)) or line_of.get((uid, None), 0)
        key = f"{uid}#{rid}" if rid else uid
        if key in seen_keys:
            continue
        seen_keys.add(key)
        preview.rows.append(
            _plan_event(occurrence, line, key, people, refs, offered, add_contacts, session)
        )
    preview.new_people = sorted(offered.values(), key=lambda p: p.line)
    for row in preview.rows:
        for message in row.data.pop("_problems", []):
            preview.problems.append(RowProblem(row.line, message))
    preview.problems.sort(key=lambda problem: problem.line)
    return preview


def _plan_event(
    event: Any,
    line: int,
    key: str,
    people: People,
    refs: dict[str, s.ExternalRef],
    offered: dict[str, NewPerson],
    add_contacts: bool,
    session: Session,
) -> PlannedRow:
    title = " ".join(str(event.get("SUMMARY", "")).split())
    notes: list[str] = []
    if not title:
        title = "Untitled meeting"
        notes.append("no title in the calendar: called “Untitled meeting”")
    dtstart = event.decoded("DTSTART")
    all_day = not isinstance(dtstart, datetime)
    starts_at = _as_utc(dtstart)
    if "DTEND" in event:
        ends_at = _as_utc(event.decoded("DTEND"))
    elif "DURATION" in event:
        ends_at = starts_at + event.decoded("DURATION")
    else:
        ends_at = None
    if all_day and (ends_at is None or ends_at <= starts_at):
        ends_at = _as_utc(dtstart + timedelta(days=1))
    when = format_date(starts_at) if all_day else format_datetime(starts_at)
    summary = f"{title}, {when}" + (" (all day)" if all_day else "")
    status = str(event.get("STATUS", "")).upper()
    if status == "CANCELLED":
        ref = refs.get(key)
        note = "cancelled in the calendar, so not imported"
        if ref is not None:
            note = "cancelled in the calendar; the meeting imported earlier is kept — delete it if it did not happen"
        return PlannedRow(line, "skip", summary, [note], key=key)
    location = " ".join(str(event.get("LOCATION", "")).split()) or None
    description = plain_text(str(event.get("DESCRIPTION", ""))) or None
    source_fields = {
        "title": title,
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat() if ends_at else None,
        "location": location,
        "agenda": description,
    }
    fingerprint = _fingerprint(source_fields)
    attendees: list[dict[str, Any]] = []
    listed: set[str] = set()
    for email, name, partstat, cutype in _people_of(event):
        folded = email.casefold()
        if folded in listed or cutype in ("ROOM", "RESOURCE", "GROUP"):
            continue
        if folded.endswith(_NOT_PEOPLE):
            continue
        listed.add(folded)
        attendance = _attendance(partstat).value
        if folded in people.members:
            attendees.append({"member_id": people.members[folded].id, "attendance": attendance})
        elif folded in people.contacts:
            attendees.append({"contact_id": people.contacts[folded].id, "attendance": attendance})
        else:
            shown = name if name and "@" not in name else _name_from_email(email)
            offered.setdefault(folded, NewPerson(shown, email, line))
            if add_contacts:
                attendees.append({"new_contact": folded, "attendance": attendance})
    data = {
        "title": title,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "location": location,
        "agenda": description,
        "kind": guess_kind(title).value,
        "attendees": attendees,
    }
    problems = []
    try:
        validate(
            t.MeetingCreate,
            {**data, "attendees": [a for a in attendees if "new_contact" not in a]},
        )
    except ValidationFailed as error:
        problems = _messages(error)
    ref = refs.get(key)
    if ref is not None:
        existing = session.get(t.Meeting, ref.record_id)
        if existing is not None:
            if existing.deleted_at is not None:
                return PlannedRow(
                    line,
                    "skip",
                    summary,
                    [
                        "imported before and since deleted; restore it from Recently deleted if needed"
                    ],
                    record_id=existing.id,
                    key=key,
                )
            if ref.fingerprint == fingerprint:
                return PlannedRow(
                    line, "skip", summary, ["already imported"], record_id=existing.id, key=key
                )
            changes = {
                name: value
                for name, value in data.items()
                if name in ("title", "starts_at", "ends_at", "location")
                and getattr(existing, name) != value
            }
            if description and not existing.agenda:
                changes["agenda"] = description
            row = PlannedRow(
                line,
                "update",
                summary,
                notes
                + [
                    "changed in the calendar since the last import: " + ", ".join(changes)
                    if changes
                    else "calendar details changed"
                ],
                data={**changes, "_problems": problems},
                record_id=existing.id,
                key=key,
                fingerprint=fingerprint,
            )
            return row
    return PlannedRow(
        line,
        "add",
        summary,
        notes,
        data={**data, "_problems": problems},
        key=key,
        fingerprint=fingerprint,
    )


def _write_ics(session: Session, preview: ImportPreview) -> dict[str, int]:
    new_contacts: dict[str, str] = {}
    for person in preview.new_people:
        folded = person.email.casefold()
        needed = any(
            attendee.get("new_contact") == folded
            for row in preview.rows
            for attendee in row.data.get("attendees", [])
        )
        if needed:
            checked = validate(t.ContactCreate, {"name": person.name, "email": person.email})
            new_contacts[folded] = e.contacts.create_in(session, checked).id
    added = updated = 0
    for row in preview.rows:
        if row.action == "skip":
            continue
        if "attendees" in row.data:
            row.data["attendees"] = [
                {"contact_id": new_contacts[a["new_contact"]], "attendance": a["attendance"]}
                if "new_contact" in a
                else a
                for a in row.data["attendees"]
            ]
        if row.action == "add":
            meeting = e.meetings.create_in(session, validate(t.MeetingCreate, row.data))
            added += 1
            ref = session.get(s.ExternalRef, ("ics", row.key))
            if ref is None:
                ref = s.ExternalRef(
                    source="ics", key=row.key, entity="meeting", record_id=meeting.id
                )
            ref.record_id, ref.fingerprint = meeting.id, row.fingerprint
            session.add(ref)
        else:
            if row.data:
                e.meetings.update_in(session, row.record_id, validate(t.MeetingUpdate, row.data))
            ref = session.get(s.ExternalRef, ("ics", row.key))
            ref.fingerprint = row.fingerprint
            session.add(ref)
            updated += 1
    session.flush()
    return {
        "added": added,
        "updated": updated,
        "skipped": preview.count("skip"),
        "new contacts": len(new_contacts),
    }


def preview_ics(
    db: Database,
    source: Source,
    *,
    start: date | None = None,
    end: date | None = None,
    add_contacts: bool = False,
    today: date | None = None,
) -> ImportPreview:
    """What importing this calendar would do, without writing anything."""
    raw, name = _read(source)
    with db.read() as session:
        return plan_ics(
            session, raw, name, start=start, end=end, add_contacts=add_contacts, today=today
        )


def import_ics(
    db: Database,
    source: Source,
    *,
    start: date | None = None,
    end: date | None = None,
    add_contacts: bool = False,
    today: date | None = None,
) -> tuple[ImportPreview, dict[str, int]]:
    """Import meetings, all or nothing. Raises :class:`ImportRefused` if any event has a problem."""
    raw, name = _read(source)
    with db.session() as session:
        preview = plan_ics(
            session, raw, name, start=start, end=end, add_contacts=add_contacts, today=today
        )
        if not preview.ok:
            raise ImportRefused(preview)
        return preview, _write_ics(session, preview)


# --- contacts from CSV and vCard ----------------------------------------------------

# Header synonyms (compared without spaces, punctuation or case) for Outlook's and
# Google's exports and for hand-made sheets.
CSV_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("name", "fullname", "displayname", "contactname", "contact"),
    "first_name": ("firstname", "givenname", "forename", "forenames"),
    "middle_name": ("middlename", "additionalname"),
    "last_name": ("lastname", "surname", "familyname"),
    "email": (
        "email",
        "emailaddress",
        "email1value",
        "email1",
        "workemail",
        "businessemail",
        "primaryemail",
        "emailaddress1",
        "email2address",
        "email2value",
    ),
    "phone": (
        "phone",
        "telephone",
        "businessphone",
        "phone1value",
        "workphone",
        "tel",
        "telephonenumber",
        "phonenumber",
        "mobilephone",
        "mobile",
        "phone2value",
    ),
    "organisation": (
        "organisation",
        "organization",
        "company",
        "body",
        "organizationname",
        "organization1name",
        "employer",
        "organisationname",
    ),
    "role": ("role", "jobtitle", "position", "organizationtitle", "organization1title"),
    "notes": ("notes", "note", "comments"),
}


def _header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def map_columns(
    headers: list[str], overrides: dict[str, str] | None = None
) -> tuple[dict[str, list[int]], list[str]]:
    """Which columns feed each field (several for email and phone, first non-empty wins),
    and which headers are not used. ``overrides`` maps a field to a header text."""
    keys = [_header_key(header) for header in headers]
    mapping: dict[str, list[int]] = {}
    for field_name, synonyms in CSV_FIELDS.items():
        found = [keys.index(synonym) for synonym in synonyms if synonym in keys]
        if found:
            mapping[field_name] = found
    for field_name, header in (overrides or {}).items():
        if field_name not in CSV_FIELDS:
            raise ServiceError(
                f"“{field_name}” is not a contact field; use one of {', '.join(CSV_FIELDS)}"
            )
        wanted = _header_key(header)
        if wanted not in keys:
            raise ServiceError(f"The file has no column called “{header}” (for {field_name}).")
        mapping[field_name] = [keys.index(wanted)]
    used = {index for indexes in mapping.values() for index in indexes}
    unused = [
        header for index, header in enumerate(headers) if index not in used and header.strip()
    ]
    return mapping, unused


def guess_delimiter(first_line: str) -> str:
    """The CSV delimiter a file's first line uses most: comma, semicolon or tab."""
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


@dataclass
class ContactRow:
    line: int
    values: dict[str, str]


def read_csv_rows(
    raw: bytes, overrides: dict[str, str] | None = None
) -> tuple[list[ContactRow], list[str], str]:
    """Rows of a contacts CSV with their line numbers; returns (rows, unused headers, encoding)."""
    text, encoding = decode_text(raw)
    first_line = text.split("\n", 1)[0]
    # a contact's notes may be as long as the form takes (the csv module stops at 131,072)
    csv.field_size_limit(max(csv.field_size_limit(), t.LONG + 1))
    # strict: an unterminated quote is an error, not rows quietly merged into one cell
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=guess_delimiter(first_line), strict=True
    )
    try:
        headers = next(reader)
    except StopIteration:
        raise ServiceError("The file is empty.") from None
    except csv.Error as error:
        raise _csv_problem(error, 1) from None
    mapping, unused = map_columns(headers, overrides)
    if "name" not in mapping and "first_name" not in mapping and "last_name" not in mapping:
        raise ServiceError(
            "No column gives the contact's name. Name one column “Name” (or “First Name” and "
            f"“Last Name”). The columns are: {', '.join(h for h in headers if h)}."
        )
    rows = []
    previous_end = reader.line_num
    cells_of = iter(reader)
    while True:
        try:
            cells = next(cells_of)
        except StopIteration:
            break
        except csv.Error as error:
            raise _csv_problem(error, previous_end + 1) from None
        line = previous_end + 1
        previous_end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        values = {}
        for field_name, indexes in mapping.items():
            for index in indexes:
                if index < len(cells) and cells[index].strip():
                    values[field_name] = cells[index].strip().replace("\r\n", "\n")
                    break
        rows.append(ContactRow(line, values))
    return rows, unused, encoding


def _csv_problem(error: csv.Error, line: int) -> ServiceError:
    text = str(error)
    if "field larger than field limit" in text:
        why = f"a cell is longer than {csv.field_size_limit():,} characters"
    elif "unexpected end of data" in text:
        why = "a quotation mark opened here is never closed, so the rest of the file would run into one cell"
    else:
        why = text
    return ServiceError(f"line {line}: the file cannot be read: {why}; nothing was imported.")


def _join_soft_breaks(text: str) -> str:
    """vCard 2.1 quoted-printable values (older Outlook) end a line with “=” to continue
    it on the next; join them so the card reads as one property."""
    lines = text.split("\n")
    joined: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        head = line.split(":", 1)[0].upper()
        if "QUOTED-PRINTABLE" in head:
            while line.rstrip("\r").endswith("=") and index + 1 < len(lines):
                index += 1
                line = line.rstrip("\r")[:-1] + lines[index]
        joined.append(line)
        index += 1
    return "\n".join(joined)


MAX_VCARD_DEPTH = 20  # BEGIN inside BEGIN: a contact has none; vobject recurses on each


def read_vcard_rows(raw: bytes) -> list[ContactRow]:
    """Contacts from a vCard file (versions 3 and 4), with the line each card begins on."""
    import vobject

    text, _ = decode_text(raw)
    starts = [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip().upper() == "BEGIN:VCARD"
    ]
    if not starts:
        raise ServiceError("This is not a vCard file (.vcf): it has no BEGIN:VCARD line.")
    depth = deepest = 0
    for line in text.splitlines():
        word = line.strip().upper()
        if word.startswith("BEGIN:"):
            depth += 1
            deepest = max(deepest, depth)
        elif word.startswith("END:"):
            depth -= 1
    if deepest > MAX_VCARD_DEPTH:
        raise ServiceError(
            f"The vCard file nests {deepest:,} sections inside one another; a contact has "
            "none. It is not a contacts export: nothing was imported."
        )
    text = _join_soft_breaks(text)
    rows = []
    try:
        cards = list(vobject.readComponents(text, ignoreUnreadable=False))
    except (ValueError, UnicodeError, RecursionError) as error:  # bad base64 or QP data
        raise ServiceError(
            f"The vCard file cannot be read ({str(error)[:200]}); nothing was imported."
        ) from None
    except vobject.base.ParseError as error:
        line = getattr(error, "lineNumber", None)
        raise ServiceError(
            f"line {line}: the vCard cannot be read ({error.message if hasattr(error, 'message') else error}); nothing was imported."
            if line
            else f"The vCard file cannot be read ({error}); nothing was imported."
        ) from None
    for index, card in enumerate(cards):
        line = starts[index] if index < len(starts) else 0
        values: dict[str, str] = {}
        fn = _vcard_value(card, "fn")
        if fn:
            values["name"] = fn
        elif "n" in card.contents:
            n = card.n.value
            values["name"] = " ".join(
                part
                for part in (n.prefix, n.given, n.additional, n.family)
                if isinstance(part, str) and part
            )
        email = _preferred(card, "email")
        if email:
            values["email"] = email
        phone = _preferred(card, "tel")
        if phone:
            values["phone"] = phone.removeprefix("tel:").strip()
        if "org" in card.contents:
            org = card.org.value
            first = org[0] if isinstance(org, list) and org else org
            if isinstance(first, str) and first.strip():
                values["organisation"] = first.strip()
        role = _vcard_value(card, "title") or _vcard_value(card, "role")
        if role:
            values["role"] = role
        note = _vcard_value(card, "note")
        if note:
            values["notes"] = note
        rows.append(ContactRow(line, values))
    return rows


def _vcard_value(card: Any, name: str) -> str:
    if name not in card.contents:
        return ""
    value = card.contents[name][0].value
    return value.strip() if isinstance(value, str) else ""


def _preferred(card: Any, name: str) -> str:
    """The address marked preferred (``TYPE=pref`` in v3, ``PREF=1`` in v4), else the first."""
    items = card.contents.get(name, [])
    if not items:
        return ""

    def rank(item: Any) -> int:
        types = [str(v).lower() for v in item.params.get("TYPE", [])]
        pref = item.params.get("PREF", ["100"])
        return 0 if "pref" in types else int(pref[0]) if str(pref[0]).isdigit() else 100

    best = sorted(items, key=rank)[0]
    return str(best.value).strip()


def plan_contacts(
    session: Session,
    rows: list[ContactRow],
    source: str,
    *,
    add_bodies: bool = False,
) -> ImportPreview:
    preview = ImportPreview("contacts", source)
    people = People(session)
    first_line_of: dict[str, int] = {}
    new_bodies: dict[str, str] = {}
    for row in rows:
        values = dict(row.values)
        name = values.get("name") or " ".join(
            values[part] for part in ("first_name", "middle_name", "last_name") if values.get(part)
        )
        email = values.get("email")
        data: dict[str, Any] = {
            "name": name,
            "email": email,
            "phone": values.get("phone"),
            "role": values.get("role"),
            "notes": values.get("notes"),
        }
        notes: list[str] = []
        problems: list[str] = []
        organisation = values.get("organisation")
        if organisation:
            body = people.bodies.get(_body_key(organisation))
            if body is not None:
                data["body_id"] = body.id
            elif add_bodies:
                new_bodies.setdefault(_body_key(organisation), organisation)
                data["new_body"] = _body_key(organisation)
                notes.append(f"new body “{organisation}”")
            else:
                notes.append(
                    f"no body called “{organisation}”: imported without one (choose “add bodies” to create it)"
                )
        try:
            validate(t.ContactCreate, {k: v for k, v in data.items() if k != "new_body"})
        except ValidationFailed as error:
            problems = _messages(error)
        if email:
            folded = email.casefold()
            if folded in first_line_of:
                problems.append(
                    f"{email} is already on line {first_line_of[folded]}; keep one row per person"
                )
            first_line_of.setdefault(folded, row.line)
        match, how = None, ""
        if email and email.casefold() in people.contacts:
            match, how = people.contacts[email.casefold()], "email"
        elif not email and name:
            same = people.contacts_by_name.get(name.casefold(), [])
            if len(same) == 1:
                match, how = same[0], "name"
        summary = f"{name or '(no name)'}" + (f" <{email}>" if email else "")
        for message in problems:
            preview.problems.append(RowProblem(row.line, message))
        if match is None:
            preview.rows.append(PlannedRow(row.line, "add", summary, notes, data=data))
            continue
        blanks = {
            key: value
            for key, value in data.items()
            if key in ("phone", "role", "notes", "body_id", "new_body")
            and value
            and not getattr(match, key, None)
        }
        if "new_body" in blanks and match.body_id:
            blanks.pop("new_body")
        differing = [
            key
            for key in ("name", "phone", "role")
            if data.get(key) and getattr(match, key) and getattr(match, key) != data[key]
        ]
        if differing:
            notes.append(f"differs from stpdesk in {', '.join(differing)}: stpdesk's kept")
        action = "update" if blanks else "skip"
        notes.insert(
            0,
            f"matches {match.name} (by {how})"
            + ("; fills in " + ", ".join(k.replace("new_", "") for k in blanks) if blanks else ""),
        )
        preview.rows.append(
            PlannedRow(row.line, action, summary, notes, data=blanks, record_id=match.id)
        )
    preview.new_bodies = sorted(new_bodies.values())
    preview.problems.sort(key=lambda problem: problem.line)
    return preview


def _write_contacts(session: Session, preview: ImportPreview) -> dict[str, int]:
    bodies: dict[str, str] = {}
    for name in preview.new_bodies:
        checked = validate(t.BodyCreate, {"name": name, "kind": BodyKind.other.value})
        bodies[_body_key(name)] = e.bodies.create_in(session, checked).id
    added = updated = 0
    for row in preview.rows:
        data = dict(row.data)
        if "new_body" in data:
            data["body_id"] = bodies[data.pop("new_body")]
        if row.action == "add":
            e.contacts.create_in(session, validate(t.ContactCreate, data))
            added += 1
        elif row.action == "update":
            e.contacts.update_in(session, row.record_id, validate(t.ContactUpdate, data))
            updated += 1
    session.flush()
    return {
        "added": added,
        "updated": updated,
        "skipped": preview.count("skip"),
        "new bodies": len(bodies),
    }


def _contact_rows(
    raw: bytes, name: str, overrides: dict[str, str] | None
) -> tuple[list[ContactRow], list[str]]:
    if (
        name.lower().endswith((".vcf", ".vcard"))
        or raw.lstrip(b"\xef\xbb\xbf").lstrip()[:11].upper() == b"BEGIN:VCARD"
    ):
        return read_vcard_rows(raw), []
    rows, unused, encoding = read_csv_rows(raw, overrides)
    return rows, [f"Read as {encoding} text."] + (
        [f"Columns not used: {', '.join(unused)}."] if unused else []
    )


def preview_contacts(
    db: Database, source: Source, *, mapping: dict[str, str] | None = None, add_bodies: bool = False
) -> ImportPreview:
    """What importing this CSV or vCard file would do, without writing anything."""
    raw, name = _read(source)
    rows, notes = _contact_rows(raw, name, mapping)
    with db.read() as session:
        preview = plan_contacts(session, rows, name, add_bodies=add_bodies)
    preview.notes.extend(notes)
    return preview


def import_contacts(
    db: Database, source: Source, *, mapping: dict[str, str] | None = None, add_bodies: bool = False
) -> tuple[ImportPreview, dict[str, int]]:
    """Import contacts, all or nothing. Raises :class:`ImportRefused` if any row has a problem."""
    raw, name = _read(source)
    rows, notes = _contact_rows(raw, name, mapping)
    with db.session() as session:
        preview = plan_contacts(session, rows, name, add_bodies=add_bodies)
        preview.notes.extend(notes)
        if not preview.ok:
            raise ImportRefused(preview)
        return preview, _write_contacts(session, preview)
