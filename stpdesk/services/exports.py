"""Exports: every table to CSV files or one XLSX workbook, a full JSON dump that
:func:`load_json` reads back into an empty database losslessly, and an ``.ics``
calendar of upcoming meetings and commitment due dates.

Long exports report progress through ``progress(done, total)`` so the GUI can show it.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Integer, LargeBinary, Table, func, insert, select, text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Session, SQLModel, col

from ..model import clock, kinds
from ..model import sync as s
from ..model import tables as t
from ..model.engagement import still_due_sql
from ..model.relationships import score_text
from ..model.types import LONDON, UTCDateTime
from ..store import Database
from ..store.schema import HEAD_REVISION
from .entities import BY_NAME, display_name
from .errors import ServiceError, ValidationFailed
from .files import write_private
from .records import check_stored

Progress = Callable[[int, int], None]

DUMP_FORMAT = "stpdesk-dump"
DUMP_VERSION = 1

# Every table a dump holds, parents before children. sync_meta is left out on
# purpose: the database a dump is loaded into keeps its own identity.
DUMP_TABLES: tuple[type[SQLModel], ...] = (
    t.Footprint,
    t.Theme,
    t.Body,
    t.BodyFootprint,
    t.Contact,
    t.Member,
    t.Meeting,
    t.MeetingBody,
    t.MeetingAttendee,
    t.MeetingTheme,
    t.MeetingTemperature,
    t.Letter,
    t.Ask,
    t.AskTheme,
    t.Commitment,
    t.CommitmentTheme,
    t.LetterSignatory,
    t.LetterAsk,
    t.LetterReply,
    t.CouncilProfile,
    t.HealthAssessment,
    t.AuditEntry,
    s.ExternalRef,
    s.SyncVersion,
    s.SyncAlias,
    s.SyncConflict,
)


class ExportError(ServiceError):
    pass


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined,return-value]


# --- encoding column values as JSON -------------------------------------------


def encode_value(column: Any, value: Any) -> Any:
    """A column value as JSON: ISO dates and times, base64 bytes, enum values."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if hasattr(value, "value") and isinstance(column.type, SAEnum):
        return value.value
    return value


def decode_value(column: Any, value: Any) -> Any:
    """The inverse of :func:`encode_value`; raises ValueError with a plain message."""
    if value is None:
        if not column.nullable and not column.primary_key:
            raise ValueError("is missing")
        return None
    kind = column.type
    if isinstance(kind, UTCDateTime):
        parsed = datetime.fromisoformat(str(value))
        if parsed.tzinfo is None:
            raise ValueError(f"“{value}” has no time zone")
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise ValueError(f"“{value}” is outside the dates stpdesk can hold") from None
    if isinstance(kind, Date):
        return date.fromisoformat(str(value))
    if isinstance(kind, LargeBinary):
        return base64.b64decode(str(value), validate=True)
    if isinstance(kind, SAEnum):
        enum_class = kind.enum_class
        return enum_class(value) if enum_class else value
    if isinstance(kind, Boolean):
        if not isinstance(value, bool):
            raise ValueError(f"“{value}” is not true or false")
        return value
    if isinstance(kind, Integer):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"“{str(value)[:40]}” is not a whole number")
        if not -(2**63) <= value < 2**63:
            raise ValueError(f"{str(value)[:20]}… is too large a number")
        return value
    if isinstance(kind, JSON):
        try:
            json.dumps(value).encode("utf-8")
        except (ValueError, RecursionError):
            raise ValueError("holds data nested too deeply or not valid text") from None
        return value
    if not isinstance(value, str):
        raise ValueError(f"“{str(value)[:40]}” is not text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("holds a broken character (a lone surrogate); it is not text") from None
    length = getattr(kind, "length", None)
    if length and len(value) > length:
        raise ValueError(f"is too long (at most {length:,} characters)")
    return value


def defer_foreign_keys(connection: Any) -> None:
    """Check links at commit rather than per row, for records written parents-last.

    The pragma lasts until the transaction ends, so a transaction must be open first:
    the sqlite3 driver opens one only before a write, hence the write that matches nothing.
    """
    connection.exec_driver_sql("UPDATE sync_meta SET value = value WHERE 0")
    connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")


def encode_row(table: Table, row: Any) -> dict[str, Any]:
    return {
        column.name: encode_value(column, row._mapping[column.name]) for column in table.columns
    }


# --- full JSON dump -------------------------------------------------------------


def dump(db: Database, *, progress: Progress | None = None) -> dict[str, Any]:
    """Every record, link, audit entry and import reference, ready for ``json.dump``."""
    tables: dict[str, list[dict[str, Any]]] = {}
    with db.read() as session:
        connection = session.connection()
        for number, model in enumerate(DUMP_TABLES):
            table = _table(model)
            order = [column for column in table.primary_key.columns]
            rows = connection.execute(select(table).order_by(*order))
            tables[table.name] = [encode_row(table, row) for row in rows]
            if progress:
                progress(number + 1, len(DUMP_TABLES))
    return {
        "format": DUMP_FORMAT,
        "version": DUMP_VERSION,
        "schema": HEAD_REVISION,
        "exported_at": clock.now().isoformat(),
        "tables": tables,
    }


def write_json(db: Database, path: Path, *, progress: Progress | None = None) -> dict[str, int]:
    """Write the full dump to ``path``; returns how many rows each table held."""
    data = dump(db, progress=progress)
    write_private(
        path, lambda handle: json.dump(data, handle, ensure_ascii=False, indent=1), text=True
    )
    return {name: len(rows) for name, rows in data["tables"].items()}


# --- spreadsheets -----------------------------------------------------------------

# Sheet (and CSV file) per kind of record, in the registry's order.
SHEETS: tuple[tuple[str, str], ...] = tuple(
    (kind.name, kind.plural) for kind in kinds.KINDS if kind.exported
)

# Foreign keys shown by name beside the id, so a spreadsheet reads without look-ups.
_NAMED_REFERENCES = {
    "body_id": ("body", t.Body),
    "contact_id": ("contact", t.Contact),
    "recipient_contact_id": ("recipient", t.Contact),
    "meeting_id": ("meeting", t.Meeting),
    "successor_id": ("successor", t.Footprint),
    "ask_id": ("ask", t.Ask),
    "letter_id": ("letter", t.Letter),
}


_LINK_HEADERS = {
    "body_ids": "bodies",
    "footprint_ids": "footprints",
    "theme_ids": "themes",
    "signatory_ids": "signatories",
    "ask_ids": "asks",
}
_LAST_COLUMNS = ("created_at", "updated_at", "archived_at", "deleted_at")


def _sheet_columns(table: Table) -> list[Any]:
    """The id first, the record's own fields next, bookkeeping times last."""
    columns = list(table.columns)
    first = [c for c in columns if c.name == "id"]
    middle = [c for c in columns if c.name != "id" and c.name not in _LAST_COLUMNS]
    last = [c for c in columns if c.name in _LAST_COLUMNS]
    return first + middle + last


@dataclass
class Sheet:
    name: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def _label_of(record: Any) -> str:
    if isinstance(record, t.Member | t.Contact):
        return display_name(record)
    return (
        getattr(record, "name", None)
        or getattr(record, "title", None)
        or getattr(record, "subject", None)
        or getattr(record, "text", "")[:80]
    )


def _names_by_id(session: Session, model: Any) -> dict[str, str]:
    return {row.id: _label_of(row) for row in session.exec(select(model)).scalars()}


def _link_names(session: Session, entity: str, names: dict[Any, dict[str, str]]) -> dict:
    """For each link list of ``entity``: own id -> names of the linked records."""
    service = BY_NAME[entity]
    result: dict[str, dict[str, list[str]]] = {}
    for link_name, link in service.spec.links.items():
        table = _table(link.table)
        query = select(table.c[link.own_column], table.c[link.other_column])
        if link.ordered:
            query = query.order_by(table.c.position)
        lookup = names[link.other_table]
        per_record: dict[str, list[str]] = {}
        for own_id, other_id in session.connection().execute(query):
            per_record.setdefault(own_id, []).append(lookup.get(other_id, other_id))
        result[_LINK_HEADERS.get(link_name, link_name)] = per_record
    if entity == "meetings":
        contacts, members = names[t.Contact], names[t.Member]
        per_meeting: dict[str, list[str]] = {}
        for attendee in session.exec(select(t.MeetingAttendee)).scalars():
            who = (
                contacts.get(attendee.contact_id)
                if attendee.contact_id
                else members.get(attendee.member_id)
            )
            mark = (
                ""
                if attendee.attendance.value == "present"
                else f" ({attendee.attendance.label.lower()})"
            )
            per_meeting.setdefault(attendee.meeting_id, []).append(f"{who}{mark}")
        result["attendees"] = per_meeting
        bodies = names[t.Body]
        readings: dict[str, list[str]] = {}
        for reading in session.exec(select(t.MeetingTemperature)).scalars():
            readings.setdefault(reading.meeting_id, []).append(
                temperature_words(bodies.get(reading.body_id, reading.body_id), reading)
            )
        result["temperature"] = readings
    return result


def temperature_words(body: str, reading: Any) -> str:
    """ "NHS Kent and Medway ICB +1 (agreed to share data)": one reading in a cell."""
    reason = f" ({reading.reason})" if reading.reason else ""
    return f"{body} {score_text(reading.score)}{reason}"


def sheets(db: Database, *, progress: Progress | None = None) -> list[Sheet]:
    """One sheet per entity: every column, related records by name, times in UK time."""
    result = []
    with db.read() as session:
        names = {
            model: _names_by_id(session, model)
            for model in (
                t.Body,
                t.Contact,
                t.Meeting,
                t.Footprint,
                t.Ask,
                t.Letter,
                t.Theme,
                t.Member,
            )
        }
        for number, (entity, title) in enumerate(SHEETS):
            service = BY_NAME[entity]
            table = _table(service.spec.table)
            links = _link_names(session, entity, names)
            columns = _sheet_columns(table)
            headers: list[str] = []
            for column in columns:
                headers.append(column.name)
                if column.name in _NAMED_REFERENCES:
                    headers.append(_NAMED_REFERENCES[column.name][0])
            headers.extend(links)
            sheet = Sheet(title, headers)
            order = service.spec.default_order[0]
            query = select(service.spec.table).order_by(
                col(getattr(service.spec.table, order)), col(service.spec.table.id)
            )
            for record in session.exec(query).scalars():
                row: list[Any] = []
                for column in columns:
                    value = getattr(record, column.name)
                    row.append(_sheet_value(value))
                    if column.name in _NAMED_REFERENCES:
                        model = _NAMED_REFERENCES[column.name][1]
                        row.append(names[model].get(value) if value else None)
                for per_record in links.values():
                    row.append("; ".join(per_record.get(record.id, [])))
                sheet.rows.append(row)
            result.append(sheet)
            if progress:
                progress(number + 1, len(SHEETS) + 1)
    return result


def _sheet_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(LONDON).replace(tzinfo=None)  # spreadsheets show UK time
    if hasattr(value, "label") and hasattr(value, "value"):
        return value.label
    if isinstance(value, bytes):
        return f"{len(value):,} bytes"
    if isinstance(value, list | dict):  # a JSON column (a commitment's revisions)
        return json.dumps(value, ensure_ascii=False)
    return value


_PHONE = re.compile(r"^[+\-]?[\d ()\-]+$")


def _csv_text(value: Any) -> str:
    """A cell as text; text a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text[:1] in ("=", "@", "\t", "\r") or (text[:1] in "+-" and not _PHONE.match(text)):
        return "'" + text
    return text


def write_csv(db: Database, folder: Path, *, progress: Progress | None = None) -> list[Path]:
    """One UTF-8 CSV per entity (with the BOM Excel needs to read accents) in ``folder``."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder} is a file; give a folder for the CSV files")
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for sheet in sheets(db, progress=progress):
            path = folder / f"{sheet.name.lower()}.csv"

            def write(handle: Any, sheet: Sheet = sheet) -> None:
                writer = csv.writer(handle)
                writer.writerow(sheet.headers)
                writer.writerows([_csv_text(value) for value in row] for row in sheet.rows)

            write_private(
                path, lambda handle, w=write: (handle.write("\ufeff"), w(handle)), text=True
            )
            written.append(path)
    except BaseException:
        if created:  # a folder this export made holds only part of it: take it away again
            for path in written:
                path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    if progress:
        progress(len(SHEETS) + 1, len(SHEETS) + 1)
    return written


EXCEL_CELL_LIMIT = 32_767


def sheet_cell(worksheet: Any, row: int, column: int, value: Any) -> Any:
    """Put one value in a worksheet and return its cell: text without the characters Excel
    refuses, cut to what a cell holds and never run as a formula; dates as real dates."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if len(value) > EXCEL_CELL_LIMIT:  # Excel cannot hold more in a cell
            value = value[: EXCEL_CELL_LIMIT - 40] + " … (cut: see the JSON export)"
    cell = worksheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    elif isinstance(value, datetime):
        cell.number_format = "dd/mm/yyyy hh:mm"
    elif isinstance(value, date):
        cell.number_format = "dd/mm/yyyy"
    return cell


def save_workbook(workbook: Any, path: Path) -> None:
    """Write a workbook whole or not at all, owner-only."""
    # Built in memory, then written: openpyxl's zip writer, failing on a full disk half-way
    # through a file, leaves an object that complains ("seek of closed file") when collected.
    buffer = io.BytesIO()
    workbook.save(buffer)
    write_private(path, lambda handle: handle.write(buffer.getbuffer()), text=False)


def write_xlsx(db: Database, path: Path, *, progress: Progress | None = None) -> dict[str, int]:
    """One workbook, a sheet per entity; returns the row count of each sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=False)
    workbook.remove(workbook.active)
    counts = {}
    bold = Font(bold=True)
    for sheet in sheets(db, progress=progress):
        worksheet = workbook.create_sheet(sheet.name)
        worksheet.append(sheet.headers)
        for cell in worksheet[1]:
            cell.font = bold
        worksheet.freeze_panes = "A2"
        widths = [len(header) for header in sheet.headers]
        for row_number, row in enumerate(sheet.rows, start=2):
            for column_number, value in enumerate(row, start=1):
                value = sheet_cell(worksheet, row_number, column_number, value).value
                if value is not None:
                    widths[column_number - 1] = max(
                        widths[column_number - 1], min(len(str(value)), 60)
                    )
        for number, width in enumerate(widths, start=1):
            worksheet.column_dimensions[get_column_letter(number)].width = max(8, width + 2)
        counts[sheet.name] = len(sheet.rows)
    save_workbook(workbook, path)
    if progress:
        progress(len(SHEETS) + 1, len(SHEETS) + 1)
    return counts


# --- calendar -------------------------------------------------------------------


def calendar(db: Database, *, now: datetime | None = None) -> bytes:
    """An iCalendar file of upcoming meetings and pending commitments' due dates.

    UIDs are stable, so adding a newer export to Outlook updates events rather
    than duplicating them.
    """
    import icalendar

    now = now or clock.now()
    today = now.astimezone(LONDON).date()
    cal = icalendar.Calendar()
    cal.add("prodid", "-//stpdesk//Engagement calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "stpdesk: meetings and commitments")
    with clock.as_of(today), db.read() as session:
        meetings = session.exec(
            select(t.Meeting)
            .where(col(t.Meeting.deleted_at).is_(None))
            .where(col(t.Meeting.starts_at) >= now - timedelta(hours=12))
            .order_by(col(t.Meeting.starts_at))
        ).scalars()
        for meeting in meetings:
            event = icalendar.Event()
            event.add("uid", f"meeting-{meeting.id}@stpdesk")
            event.add("dtstamp", now)
            event.add("summary", meeting.title)
            # UTC times: every calendar shows them in its own zone, no VTIMEZONE needed
            event.add("dtstart", meeting.starts_at.astimezone(UTC))
            ends = meeting.ends_at or meeting.starts_at + timedelta(hours=1)
            event.add("dtend", ends.astimezone(UTC))
            if meeting.location:
                event.add("location", meeting.location)
            if meeting.agenda:
                event.add("description", meeting.agenda)
            event.add("categories", [meeting.kind.label])
            cal.add_component(event)
        commitments = session.exec(
            select(t.Commitment, t.Body)
            .join(t.Body, col(t.Body.id) == t.Commitment.body_id)
            .where(col(t.Commitment.deleted_at).is_(None))
            .where(text(still_due_sql("commitment")))
            .order_by(col(t.Commitment.due_date))
        ).all()
        for commitment, body in commitments:
            event = icalendar.Event()
            event.add("uid", f"commitment-{commitment.id}@stpdesk")
            event.add("dtstamp", now)
            owed = "owed by us to" if commitment.direction.value == "by_us" else "owed to us by"
            event.add("summary", f"Due: {commitment.text[:120]}")
            event.add("dtstart", commitment.due_date)
            event.add("dtend", commitment.due_date + timedelta(days=1))
            event.add("description", f"{commitment.text}\n\nCommitment {owed} {body.name}.")
            event.add("transp", "TRANSPARENT")  # a due date does not make anyone busy
            alarm = icalendar.Alarm()  # Outlook and the rest remind at 09:00 the day before
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"Due tomorrow: {commitment.text[:120]}")
            alarm.add("trigger", timedelta(hours=-15))
            event.add_component(alarm)
            cal.add_component(event)
    return cal.to_ical()


def write_ics(db: Database, path: Path, *, now: datetime | None = None) -> int:
    """Write :func:`calendar` to ``path``; returns the number of events."""
    data = calendar(db, now=now)
    write_private(path, lambda handle: handle.write(data), text=False)
    return data.count(b"BEGIN:VEVENT")


# --- loading a dump into an empty database ------------------------------------------


@dataclass(frozen=True)
class LoadProblem:
    where: str  # "meeting row 3" — what a person can find in the file
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class LoadRefused(ServiceError):
    def __init__(self, summary: str, problems: Iterable[LoadProblem] = ()) -> None:
        self.problems = list(problems)
        lines = [summary, *(str(problem) for problem in self.problems[:20])]
        if len(self.problems) > 20:
            lines.append(f"… and {len(self.problems) - 20:,} more problems")
        super().__init__("\n".join(lines))


def read_json(path: Path) -> dict[str, Any]:
    try:
        with Path(path).open(encoding="utf-8-sig") as handle:
            return json.load(handle)
    except UnicodeDecodeError:
        raise LoadRefused(
            f"{path} is not a JSON dump from stpdesk (it is not UTF-8 text); nothing was imported."
        ) from None
    except json.JSONDecodeError as error:
        raise LoadRefused(
            f"{path} is not a complete JSON file (line {error.lineno}, column {error.colno}: {error.msg}); nothing was imported."
        ) from None
    except RecursionError:
        raise LoadRefused(
            f"{path} is not a JSON dump from stpdesk (it is nested too deeply); nothing was imported."
        ) from None
    except ValueError as error:  # a number of thousands of digits
        raise LoadRefused(
            f"{path} is not a JSON dump from stpdesk ({error}); nothing was imported."
        ) from None


def _empty_enough(session: Session) -> list[str]:
    """What stops a load: any record except unused standard themes."""
    held = []
    for model in DUMP_TABLES:
        table = _table(model)
        query = select(func.count()).select_from(table)
        if model is t.Theme:
            query = query.where(table.c.builtin.is_(False))
        count = session.connection().execute(query).scalar_one()
        if count:
            held.append(f"{table.name.replace('_', ' ')} ({count:,})")
    return held


def load(db: Database, data: Any, *, progress: Progress | None = None) -> dict[str, int]:
    """Load a full dump into an empty database, all or nothing; returns row counts."""
    if not isinstance(data, dict) or data.get("format") != DUMP_FORMAT:
        raise LoadRefused("This file is not a JSON dump from stpdesk; nothing was imported.")
    if data.get("version") != DUMP_VERSION:
        raise LoadRefused(
            f"This dump is format version {data.get('version')!r}; this stpdesk reads version "
            f"{DUMP_VERSION}. Install the stpdesk that wrote it; nothing was imported."
        )
    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise LoadRefused("The dump holds no tables; nothing was imported.")
    known = {_table(model).name: _table(model) for model in DUMP_TABLES}
    unknown = sorted(set(tables) - set(known))
    if unknown:
        raise LoadRefused(
            f"The dump has tables this stpdesk does not know ({', '.join(unknown)}): it was "
            "written by a newer stpdesk. Nothing was imported."
        )
    problems: list[LoadProblem] = []
    decoded: dict[str, list[dict[str, Any]]] = {}
    for name, table in known.items():
        rows = tables.get(name, [])
        if not isinstance(rows, list):
            problems.append(LoadProblem(name, "is not a list of rows"))
            continue
        columns = {column.name: column for column in table.columns}
        keys = [column for column in table.primary_key.columns]
        seen: dict[tuple, int] = {}
        out = []
        for number, row in enumerate(rows, start=1):
            where = f"{name.replace('_', ' ')} row {number}"
            if not isinstance(row, dict):
                problems.append(LoadProblem(where, "is not a record"))
                continue
            extra = set(row) - set(columns)
            if extra:
                problems.append(
                    LoadProblem(where, f"has unknown fields {', '.join(sorted(extra))}")
                )
                continue
            values = {}
            bad = False
            for column_name, column in columns.items():
                try:
                    values[column_name] = decode_value(column, row.get(column_name))
                except (ValueError, TypeError, OverflowError) as error:
                    problems.append(LoadProblem(where, f"{column_name} {error}"))
                    bad = True
            key = tuple(values.get(column.name) for column in keys)
            if not bad and any(
                value is None and not isinstance(column.type, Integer)
                for value, column in zip(key, keys, strict=True)
            ):
                problems.append(LoadProblem(where, "has no id"))
                bad = True
            elif not bad and None not in key and key in seen:
                problems.append(
                    LoadProblem(where, f"has the same id as row {seen[key]}; keep one of them")
                )
                bad = True
            seen.setdefault(key, number)
            if not bad:
                try:
                    check_stored(name, values)
                except ValidationFailed as error:
                    problems.extend(LoadProblem(where, p.message) for p in error.problems)
            out.append(values)
        decoded[name] = out
    if problems:
        raise LoadRefused(
            f"The dump has {len(problems):,} problems; nothing was imported.", problems
        )
    counts = {}
    with db.session() as session:
        held = _empty_enough(session)
        if held:
            raise LoadRefused(
                "A JSON dump loads only into an empty database, and this one already holds "
                f"records: {', '.join(held[:6])}{' …' if len(held) > 6 else ''}. Create a new database (stpdesk --db NEW.sqlite) and import "
                "into that; nothing was imported."
            )
        connection = session.connection()
        # Parents may follow children within a table (footprint successors): check links at commit.
        defer_foreign_keys(connection)
        connection.execute(_table(t.Theme).delete())  # the dump brings its own themes
        for number, (name, rows) in enumerate(decoded.items()):
            if rows:
                connection.execute(insert(known[name]), rows)
            counts[name] = len(rows)
            if progress:
                progress(number + 1, len(decoded))
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            detail = ", ".join(f"{row[0]} row {row[1]} → {row[2]}" for row in broken[:5])
            raise LoadRefused(
                f"The dump refers to records it does not hold ({detail}); nothing was imported."
            )
    return counts
