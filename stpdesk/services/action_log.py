"""The action log: every live commitment in the shape NHS trust boards publish their
action trackers (Ref, Source, Action, Lead, Original due, Revised due, Status, Latest
update), for one body, a footprint's bodies or everything, both what is owed to us and
what we owe. Written as an XLSX workbook here; the landscape PDF is
``documents.action_log``.

Where each commitment stands (its RAG rating and status words) comes from the one
definition in ``model.engagement``.

**Refs** are derived from the record's id ("A-3F9C2B1D", its first eight hex digits),
not numbered: an id never changes and is the same on every laptop, so a ref printed in
last month's board papers still finds the same action after bundles are merged, records
deleted or purged. A stored running number would clash when two laptops each add
commitment 43 and would have to be renumbered on merging. Should two ids in one log
share their first eight digits, both refs take more of their id until they differ.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..model import clock
from ..model.dates import format_date
from ..model.engagement import (
    live_sql,
    move_text,
    moved_text,
    rag,
    rag_rule,
    rag_text,
    revisions_of,
    status_text,
)
from ..model.enums import CommitmentDirection, CommitmentStatus, EvidenceKind, Rag
from ..store import Database
from ..store.rows import connection_of, fetch, marks, stored_day, stored_moment
from . import engagement
from .errors import ServiceError

COLUMNS = (
    "Ref",
    "Source",
    "Action",
    "Lead",
    "Original due",
    "Revised due",
    "Status",
    "Latest update",
    "Who owes it",
)
"""The workbook's columns, in order; the PDF prints the first eight, a table for each
direction."""

REF_DIGITS = 8
FORMATS = (".xlsx", ".pdf")

# Excel's own "Bad", "Neutral" and "Good" cell colours: fill and text, as boards' trackers
# show red, amber and green. The words and symbol are always printed too.
RAG_FILLS = {Rag.red: "FFC7CE", Rag.amber: "FFEB9C", Rag.green: "C6EFCE"}
RAG_INKS = {Rag.red: "9C0006", Rag.amber: "7A4500", Rag.green: "006100"}


@dataclass(frozen=True)
class ActionRow:
    id: str
    ref: str
    direction: CommitmentDirection
    source: str  # "ICS partnership board, 3 May 2026, minute 7.3", or a letter, or ""
    action: str
    lead: str  # the body and who there; for ours, our council
    original_due: date | None
    revised_due: date | None  # the latest due date; None when it never moved
    moves: int
    rag: Rag | None  # None for a dropped commitment
    status: str  # "12 days overdue", "Done on 3 May 2026 (4 days late)", "Dropped"
    latest_update: str

    @property
    def owed(self) -> str:
        return self.direction.label  # "Owed to us" / "Owed by us"

    @property
    def revised_text(self) -> str:
        """ "30 June 2027 (moved twice)", or "" when the date never moved."""
        if self.moves <= 0:
            return ""
        shown = format_date(self.revised_due) if self.revised_due else "No date"
        return f"{shown} ({moved_text(self.moves)})"

    @property
    def status_line(self) -> str:
        """ "● Red: 12 days overdue" — the rating's symbol and word, then where it stands."""
        rating = rag_text(self.rag)
        return f"{rating}: {self.status}" if rating else self.status


@dataclass(frozen=True)
class ActionLog:
    scope: str  # "NHS Kent and Medway ICB", "Kent and Medway (Integrated Care System)"…
    council: str  # our council, the lead on what we owe
    marking: str  # the council's protective marking
    today: date
    rows: list[ActionRow]

    @property
    def title(self) -> str:
        return f"Action log: {self.scope}"

    def of(self, direction: CommitmentDirection) -> list[ActionRow]:
        return [row for row in self.rows if row.direction == direction]

    def summary(self, rows: Sequence[ActionRow] | None = None) -> str:
        """ "12 actions: 3 red, 4 amber, 5 green, 0 dropped" (all rows unless given)."""
        rows = self.rows if rows is None else rows
        counts = Counter(row.rag for row in rows)
        noun = "action" if len(rows) == 1 else "actions"
        parts = [f"{counts[value]} {value.label.lower()}" for value in Rag]
        return f"{len(rows)} {noun}: {', '.join(parts)}, {counts[None]} dropped"

    @property
    def rule(self) -> str:
        return rag_rule()


def format_for(path: str | os.PathLike[str]) -> str:
    """ ".xlsx" or ".pdf", from the file name; anything else is refused in plain words."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ServiceError(
            f"{Path(path).name}: the action log is saved as a spreadsheet or a PDF; give a "
            "file name ending in .xlsx or .pdf"
        )
    return suffix


_SELECT = (
    "SELECT c.id, c.text, c.direction, c.status, c.due_date, c.original_due_date, "
    "c.completed_on, c.revisions, c.evidence, c.evidence_kind, c.evidence_ref, c.minute_ref, "
    "coalesce(b.name, '') AS body, ct.name AS contact, "
    "m.title AS meeting_title, m.starts_at AS meeting_starts_at, "
    "l.subject AS letter_subject, l.template AS letter_template, l.letter_date "
    "FROM commitment c LEFT JOIN body b ON b.id = c.body_id "
    "LEFT JOIN contact ct ON ct.id = c.contact_id AND ct.deleted_at IS NULL "
    "LEFT JOIN meeting m ON m.id = c.meeting_id AND m.deleted_at IS NULL "
    "LEFT JOIN ask a ON a.id = c.ask_id AND a.deleted_at IS NULL "
    "LEFT JOIN letter l ON l.id = a.letter_id AND l.deleted_at IS NULL "
)
# What is owed to us first; within each, what is still open by due date, then the rest.
_ORDER = (
    f"c.direction = '{CommitmentDirection.by_us.value}', "
    f"c.status != '{CommitmentStatus.pending.value}', "
    "c.due_date IS NULL, c.due_date, c.id"
)


def action_log(
    db: Database, *, body_id: str | None = None, footprint_id: str | None = None
) -> ActionLog:
    """The action log of one body, a footprint's bodies, or every body (neither given).
    An id that names no body or footprint raises NotFound."""
    from .briefing import council_of

    with db.read() as session:
        connection = connection_of(session)
        scope = engagement.scope_of(connection, body_id, footprint_id)
        council = council_of(session)
        today = clock.today()
        where, params = live_sql("c"), []
        if scope.body_ids is not None:
            where += f" AND c.body_id IN ({marks(len(scope.body_ids))})"
            params += scope.body_ids
        rows = fetch(connection, f"{_SELECT}WHERE {where} ORDER BY {_ORDER}", params)
        names = _Names(connection, rows)
        refs = refs_for([row.id for row in rows])
        actions = [_action(row, refs[row.id], council.name, names, today) for row in rows]
    return ActionLog(
        scope=scope.name,
        council=council.name,
        marking=council.protective_marking,
        today=today,
        rows=actions,
    )


def refs_for(ids: Sequence[str]) -> dict[str, str]:
    """ "A-" and the first eight hex digits of each id, more where two would clash."""
    digits = {record_id: record_id.replace("-", "").upper() for record_id in ids}
    length = {record_id: REF_DIGITS for record_id in ids}
    while True:
        taken = Counter(value[: length[key]] for key, value in digits.items())
        clashing = [key for key, value in digits.items() if taken[value[: length[key]]] > 1]
        if not clashing:
            return {key: f"A-{value[: length[key]]}" for key, value in digits.items()}
        for key in clashing:
            length[key] += 2


class _Names:
    """Meetings and letters a log's rows point at (where a date was agreed, how we know it
    was done), and why dropped ones were dropped: each looked up once."""

    def __init__(self, connection: sqlite3.Connection, rows: Sequence[Any]) -> None:
        meeting_ids: set[str] = set()
        letter_ids: set[str] = set()
        for row in rows:
            for revision in revisions_of(row.revisions):
                meeting_ids.update(filter(None, [revision.meeting_id]))
                letter_ids.update(filter(None, [revision.letter_id]))
            if row.evidence_ref and row.evidence_kind == EvidenceKind.meeting.value:
                meeting_ids.add(row.evidence_ref)
            elif row.evidence_ref and row.evidence_kind == EvidenceKind.letter.value:
                letter_ids.add(row.evidence_ref)
        self.meetings = {
            found.id: _meeting_text(found.title, stored_moment(found.starts_at))
            for found in _by_id(connection, "id, title, starts_at", "meeting", meeting_ids)
        }
        self.letters = {
            found.id: _letter_text(found.subject, found.template, stored_day(found.letter_date))
            for found in _by_id(
                connection, "id, subject, template, letter_date", "letter", letter_ids
            )
        }
        dropped = [row.id for row in rows if row.status == CommitmentStatus.dropped.value]
        self.drop_reasons = _drop_reasons(connection, dropped)


def _by_id(connection: sqlite3.Connection, columns: str, table: str, ids: set[str]) -> list[Any]:
    if not ids:
        return []
    chosen = sorted(ids)
    return fetch(
        connection,
        f"SELECT {columns} FROM {table} WHERE deleted_at IS NULL AND id IN ({marks(len(chosen))})",
        chosen,
    )


def _drop_reasons(connection: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
    """The reason given when each was dropped (Drop records it in the audit trail)."""
    if not ids:
        return {}
    rows = connection.execute(
        "SELECT entity_id, json_extract(after, '$.reason') FROM audit_entry "
        "WHERE entity = 'commitment' AND json_extract(after, '$.status') = ? "
        f"AND json_extract(before, '$.status') = ? AND entity_id IN ({marks(len(ids))}) "
        "ORDER BY id",
        (CommitmentStatus.dropped.value, CommitmentStatus.pending.value, *ids),
    ).fetchall()
    return {entity_id: reason for entity_id, reason in rows if reason}


def _meeting_text(title: str, starts_at: datetime | None) -> str:
    return f"{title}, {format_date(starts_at)}" if starts_at else title


def _letter_text(subject: str | None, template: str | None, letter_date: date | None) -> str:
    name = f"Letter “{subject}”" if subject else f"Letter ({template or 'no subject'})"
    return f"{name}, {format_date(letter_date)}" if letter_date else name


def _source(row: Any) -> str:
    """Where it was promised: the meeting (and minute), or the letter its ask was in."""
    if row.meeting_title is not None:
        where = _meeting_text(row.meeting_title, stored_moment(row.meeting_starts_at))
    elif row.letter_subject is not None or row.letter_template is not None:
        where = _letter_text(row.letter_subject, row.letter_template, stored_day(row.letter_date))
    else:
        where = ""
    minute = (row.minute_ref or "").strip()
    if minute:
        return f"{where}, minute {minute}" if where else f"Minute {minute}"
    return where


def _lead(row: Any, council: str, direction: CommitmentDirection) -> str:
    if direction == CommitmentDirection.by_us:
        return f"{council}, for {row.body}" if row.body else council
    return f"{row.body} ({row.contact})" if row.contact else row.body


def _latest_update(row: Any, names: _Names) -> str:
    """The newest news: how we know it was done, why it was dropped, or its last move."""
    status = CommitmentStatus(row.status)
    if status == CommitmentStatus.done:
        evidence = " ".join((row.evidence or "").split())
        where = ""
        if row.evidence_kind == EvidenceKind.meeting.value and row.evidence_ref:
            where = f"reported at {names.meetings.get(row.evidence_ref, 'a meeting')}"
        elif row.evidence_kind == EvidenceKind.letter.value and row.evidence_ref:
            where = f"in {_lowered(names.letters.get(row.evidence_ref, 'a letter'))}"
        elif row.evidence_kind == EvidenceKind.document.value and row.evidence_ref:
            where = f"see {row.evidence_ref}"
        said = "; ".join(filter(None, [evidence, where]))
        return f"Delivered: {said}" if said else "Delivered"
    if status == CommitmentStatus.dropped:
        reason = names.drop_reasons.get(row.id)
        return f"Dropped: {reason}" if reason else "Dropped"
    revisions = revisions_of(row.revisions)
    if not revisions:
        return ""
    last = revisions[-1]
    if last.meeting_id in names.meetings:
        return f"{move_text(last)} Agreed at {names.meetings[last.meeting_id]}."
    if last.letter_id in names.letters:
        return f"{move_text(last)} Agreed in {_lowered(names.letters[last.letter_id])}."
    return move_text(last)


def _lowered(text: str) -> str:
    return text[:1].lower() + text[1:]


def _action(row: Any, ref: str, council: str, names: _Names, today: date) -> ActionRow:
    direction = CommitmentDirection(row.direction)
    status = CommitmentStatus(row.status)
    due = stored_day(row.due_date)
    completed = stored_day(row.completed_on)
    revisions = revisions_of(row.revisions)
    moves = len(revisions)
    # never moved: the due date is the one first promised
    original = (stored_day(row.original_due_date) or revisions[0].moved_from) if moves else due
    return ActionRow(
        id=row.id,
        ref=ref,
        direction=direction,
        source=_source(row),
        action=row.text,
        lead=_lead(row, council, direction),
        original_due=original,
        revised_due=due if moves else None,
        moves=moves,
        rag=rag(status, due, completed, moves, today=today),
        status=status_text(status, due, completed, today=today),
        latest_update=_latest_update(row, names),
    )


# --- the workbook -------------------------------------------------------------------

# Column widths in characters: long text wraps within its column
_WIDTHS = (13, 34, 60, 32, 16, 30, 32, 50, 13)
_WRAPPED = {"Source", "Action", "Lead", "Latest update", "Status"}
DATE_FORMAT = "d mmmm yyyy"


def write_xlsx(log: ActionLog, path: str | os.PathLike[str]) -> int:
    """Write the log as a workbook (one sheet, with an "About" sheet saying what it
    covers and the RAG rule); returns the number of rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from .exports import save_workbook, sheet_cell

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Action log"
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DCE6F1")
    for number, heading in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=number, value=heading)
        cell.font, cell.fill = bold, header_fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        sheet.column_dimensions[get_column_letter(number)].width = _WIDTHS[number - 1]
    top = Alignment(vertical="top")
    wrapped = Alignment(vertical="top", wrap_text=True)
    for number, row in enumerate(log.rows, start=2):
        values = (
            row.ref,
            row.source,
            row.action,
            row.lead,
            row.original_due,
            row.revised_due if row.moves else None,
            row.status_line,
            row.latest_update,
            row.owed,
        )
        for column, (heading, value) in enumerate(zip(COLUMNS, values, strict=True), start=1):
            cell = sheet_cell(sheet, number, column, value)
            cell.alignment = wrapped if heading in _WRAPPED else top
            if isinstance(value, date):
                cell.number_format = DATE_FORMAT
        if row.moves:  # a real date, shown with how often it moved
            revised = sheet.cell(row=number, column=COLUMNS.index("Revised due") + 1)
            revised.number_format = f'{DATE_FORMAT}" ({moved_text(row.moves)})"'
        status = sheet.cell(row=number, column=COLUMNS.index("Status") + 1)
        if row.rag is not None:
            status.fill = PatternFill("solid", fgColor=RAG_FILLS[row.rag])
            status.font = Font(bold=True, color=RAG_INKS[row.rag])
    last = get_column_letter(len(COLUMNS))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{max(len(log.rows) + 1, 1)}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddHeader.center.text = _header_text(f"{log.title}, {format_date(log.today)}")
    sheet.oddFooter.center.text = _header_text(log.marking)
    sheet.oddFooter.right.text = "Page &P of &N"
    about = workbook.create_sheet("About")
    for line in (
        (log.title,),
        ("As at", log.today),
        ("Prepared by", log.council),
        ("Owed to us", log.summary(log.of(CommitmentDirection.to_us))),
        ("Owed by us", log.summary(log.of(CommitmentDirection.by_us))),
        ("Rating", log.rule),
        ("Ref", "Each ref is taken from the commitment's record, so it never changes."),
    ):
        about.append(list(line))
    about["A1"].font = Font(bold=True, size=13)
    about["B2"].number_format = DATE_FORMAT
    about["B2"].alignment = Alignment(horizontal="left")
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 100
    for row_cells in about.iter_rows(min_row=2):
        row_cells[0].font = bold
        row_cells[-1].alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
    workbook.properties.title = log.title
    workbook.properties.creator = log.council
    save_workbook(workbook, Path(path))
    return len(log.rows)


def _header_text(text: str) -> str:
    """Text for a printed page header: "&" starts a code there, so it is doubled."""
    return " ".join(text.split()).replace("&", "&&")[:240]
