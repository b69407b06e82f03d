"""Item models over the service layer: one lazily paged table model for every list.

:class:`RecordTableModel` asks the service for one page at a time (``fetchMore``),
so a list over 100,000 meetings opens after reading :data:`PAGE_SIZE` rows. Sorting
and filtering go back to the database, never to rows already held.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont

from ..model import clock
from ..model import tables as t
from ..model.engagement import is_overdue, rag_rule, rag_text, slippage_text, status_text
from ..model.enums import (
    AskStatus,
    BodyKind,
    CommitmentDirection,
    FootprintKind,
    LetterStatus,
    MeetingKind,
    Priority,
    Rag,
)
from ..model.types import format_date, format_datetime, parse_date
from ..services import entities, views
from ..store import Database
from .colours import DONE_COLOUR, OVERDUE_COLOUR, QUIET_COLOUR, RAG_COLOURS
from .operations import Operations, app_queue

PAGE_SIZE = 100
RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2  # "overdue", "done", ... for styling and tests


@dataclass(frozen=True)
class ColumnSpec:
    header: str
    text: Callable[[Any, dict[str, Any]], str]  # (record, view row) -> what the cell shows
    sort_field: str | None = None  # table column to order by; None: not sortable
    stretch: bool = False  # the list's main text, which takes the width the others leave
    short: bool = False  # a date or a word from a fixed list: always shown whole
    tooltip: Callable[[], str] | None = None  # the cell's tooltip, if not its text


def _date(value: Any) -> str:
    return format_date(parse_date(value)) if value else ""


def _label(enum_type: Any, value: Any) -> str:
    return enum_type(value).label if value else ""


def _names(items: Sequence[str], most: int = 3) -> str:
    shown = ", ".join(items[:most])
    return shown + (f" and {len(items) - most} more" if len(items) > most else "")


def commitment_status_text(record: t.Commitment, today: date) -> str:
    return status_text(record.status, record.due_date, record.completed_on, today=today)


COLUMNS: dict[str, list[ColumnSpec]] = {
    "footprints": [
        ColumnSpec("Name", lambda r, v: r.name, "name", stretch=True),
        ColumnSpec("Kind", lambda r, v: _label(FootprintKind, v["kind"]), "kind", short=True),
        ColumnSpec("ONS code", lambda r, v: r.code or "", "code", short=True),
        ColumnSpec("Region", lambda r, v: r.region or "", "region"),
        ColumnSpec("Succeeded by", lambda r, v: v["successor"] or ""),
    ],
    "bodies": [
        ColumnSpec("Name", lambda r, v: r.name, "name", stretch=True),
        ColumnSpec("Kind", lambda r, v: _label(BodyKind, v["kind"]), "kind", short=True),
        ColumnSpec("Footprints", lambda r, v: _names(v["footprints"])),
        ColumnSpec("Archived", lambda r, v: "Archived" if v["archived"] else "", short=True),
    ],
    "contacts": [
        ColumnSpec("Name", lambda r, v: r.name, "name", stretch=True),
        ColumnSpec("Role", lambda r, v: r.role or "", "role"),
        ColumnSpec("Body", lambda r, v: v["body"] or ""),
        ColumnSpec("Email", lambda r, v: r.email or "", "email"),
        ColumnSpec("Phone", lambda r, v: r.phone or "", "phone"),
    ],
    "members": [
        ColumnSpec("Name", lambda r, v: entities.display_name(r), "name", stretch=True),
        ColumnSpec("Position", lambda r, v: r.position or "", "position"),
        ColumnSpec("Council", lambda r, v: r.council or "", "council"),
        ColumnSpec("Email", lambda r, v: r.email or "", "email"),
    ],
    "meetings": [
        ColumnSpec("Starts", lambda r, v: format_datetime(r.starts_at), "starts_at", short=True),
        ColumnSpec("Title", lambda r, v: r.title, "title", stretch=True),
        ColumnSpec("Bodies", lambda r, v: _names(v["bodies"])),
        ColumnSpec("Attendees", lambda r, v: _names(v["attendees"])),
        ColumnSpec("Kind", lambda r, v: _label(MeetingKind, v["kind"]), "kind"),
        ColumnSpec("Location", lambda r, v: r.location or "", "location"),
    ],
    "asks": [
        ColumnSpec("Raised on", lambda r, v: _date(r.raised_on), "raised_on", short=True),
        ColumnSpec("Ask", lambda r, v: r.title, "title", stretch=True),
        ColumnSpec("Asked of", lambda r, v: v["body"] or ""),
        ColumnSpec(
            "Priority", lambda r, v: _label(Priority, v["priority"]), "priority", short=True
        ),
        ColumnSpec("Status", lambda r, v: _label(AskStatus, v["status"]), "status", short=True),
    ],
    "commitments": [
        ColumnSpec("Due", lambda r, v: _date(r.due_date), "due_date", short=True),
        ColumnSpec(
            "Commitment",
            lambda r, v: r.text.splitlines()[0] if r.text else "",
            "text",
            stretch=True,
        ),
        ColumnSpec("Body", lambda r, v: v["body"] or ""),
        ColumnSpec(
            "Who owes it",
            lambda r, v: _label(CommitmentDirection, v["direction"]),
            "direction",
            short=True,
        ),
        ColumnSpec("Status", lambda r, v: v["status_text"], "status", short=True),
        ColumnSpec(
            "RAG",
            lambda r, v: rag_text(Rag(v["rag"]) if v["rag"] else None),
            short=True,
            tooltip=rag_rule,
        ),
        ColumnSpec(
            "Slipped",
            lambda r, v: slippage_text(r.original_due_date, r.due_date, v["revisions"]),
        ),
    ],
    "letters": [
        ColumnSpec("Date", lambda r, v: _date(r.letter_date), "letter_date", short=True),
        ColumnSpec("Subject", lambda r, v: r.subject or "", "subject", stretch=True),
        ColumnSpec("Recipient", lambda r, v: v["recipient"] or ""),
        ColumnSpec("Status", lambda r, v: _label(LetterStatus, v["status"]), "status", short=True),
    ],
}


_ROLES_ANSWERED = frozenset(
    (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.AccessibleTextRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.FontRole,
        RECORD_ID_ROLE,
        STATUS_ROLE,
    )
)
_TEXTS = "_cell_texts"  # keys of the worked-out cells and status in each view row
_STATUS = "_status"
_STATUS_COLOURS = {
    "overdue": OVERDUE_COLOUR,
    "declined": OVERDUE_COLOUR,
    "done": DONE_COLOUR,
    "accepted": DONE_COLOUR,
    "dropped": QUIET_COLOUR,
    "withdrawn": QUIET_COLOUR,
}


def row_status(entity: str, record: Any, today: date) -> str:
    """ "overdue", "done", … for styling and tests; "" where a list has no status."""
    if entity == "commitments":
        overdue = is_overdue(record.status, record.due_date, today=today)
        return "overdue" if overdue else record.status.value
    if entity == "asks":
        return record.status.value
    return ""


class RecordTableModel(QAbstractTableModel):
    """One entity's records, read from the database a page at a time, on the worker
    thread (``ops``, the window's queue): the event loop never waits for the database.

    A reload shows nothing new until its first page has arrived; then ``loaded`` says how
    many rows match, or -1 when that count would read every row (a filter of one or two
    characters found in many records): the count follows in the background (``counted``).
    A reply to a reload that a newer one has replaced is dropped."""

    loaded = Signal(int)  # total matching rows (-1: still being counted), after each reset
    counted = Signal(int)  # the total, once a count left to the background is known
    fetched = Signal(int)  # rows held, after a further page has arrived
    load_failed = Signal(str)  # the database could not be read: what went wrong

    def __init__(
        self, db: Database, entity: str, parent: Any = None, *, ops: Operations | None = None
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.entity = entity
        self.service = entities.BY_NAME[entity]
        self.columns = COLUMNS[entity]
        self.ops = ops if ops is not None else app_queue("lists")
        self.filter_text = ""
        self.where: list[Any] = []
        self.order_field: str | None = None
        self.descending: bool | None = None
        self.total = 0
        self.rows_fetched = 0  # how many rows have been read from the database, for tests
        self.loading = False  # a reload's first page is on its way
        self.counting = False  # the total is on its way
        self._fetching = False  # a further page is on its way
        self._generation = 0  # which reload the rows shown belong to
        self._records: list[Any] = []
        self._view_rows: list[dict[str, Any]] = []
        self._exhausted = True
        self._today = clock.today()

    # --- loading -------------------------------------------------------------

    def _reader(self, offset: int, *, with_total: bool) -> Callable[[], tuple]:
        """The read of one page as it is asked for now, to run on the worker thread."""
        service, db, entity, today = self.service, self.db, self.entity, self._today
        columns = self.columns
        text, where = self.filter_text or None, list(self.where)
        order_field, descending = self.order_field, self.descending

        def read() -> tuple[list[Any], list[dict], int]:
            page = service.page(
                db,
                offset=offset,
                limit=PAGE_SIZE,
                text=text,
                order_by=order_field,
                descending=descending,
                where=where,
                with_total=with_total,
                count_later=True,
            )
            view_rows = views.rows(db, entity, page.rows)
            for record, row in zip(page.rows, view_rows, strict=True):
                if entity == "commitments":
                    row["status_text"] = commitment_status_text(record, today)
                # what each cell shows, worked out here so painting only looks it up
                row[_TEXTS] = [spec.text(record, row) for spec in columns]
                row[_STATUS] = row_status(entity, record, today)
            return page.rows, view_rows, page.total

        return read

    def reload(self) -> None:
        """Start again from the first page (after a change, a new filter or sort)."""
        self._today = clock.today()
        self._generation += 1
        generation = self._generation
        self.loading = True
        self._fetching = False
        self.ops.run(
            self._reader(0, with_total=True),
            on_done=self._if_current(generation, self._first_page),
            on_error=self._if_current(generation, self._failed),
        )

    def _if_current(self, generation: int, handle: Callable[[Any], None]) -> Callable[[Any], None]:
        """``handle`` for a reply from the worker, dropped if a newer reload has been asked
        for meanwhile or the model has gone (its window closed)."""

        def deliver(outcome: Any) -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                handle(outcome)

        return deliver

    def _first_page(self, result: tuple[list[Any], list[dict], int]) -> None:
        records, view_rows, total = result
        self.rows_fetched += len(records)
        self.loading = False
        self.beginResetModel()
        self._records, self._view_rows = records, view_rows
        if total < 0 and len(records) < PAGE_SIZE:
            total = len(records)  # the page holds them all: nothing to count
        self.total = total
        self._exhausted = total >= 0 and len(records) >= total
        self.endResetModel()
        self.counting = total < 0
        if self.counting:
            self._count(self._generation)
        self.loaded.emit(total)

    def _count(self, generation: int) -> None:
        service, db = self.service, self.db
        text, where = self.filter_text or None, list(self.where)

        def counted(total: int) -> None:
            self.counting = False
            self.total = total
            self._exhausted = len(self._records) >= total
            self.counted.emit(total)

        self.ops.run(
            lambda: service.count(db, text=text, where=where),
            on_done=self._if_current(generation, counted),
            on_error=self._if_current(generation, self._failed),
        )

    def _failed(self, error: BaseException) -> None:
        self.loading = self.counting = self._fetching = False
        self.load_failed.emit(str(error))

    def set_filter(self, text: str) -> None:
        self.filter_text = text.strip()
        self.reload()

    def set_where(self, conditions: list[Any]) -> None:
        self.where = list(conditions)
        self.reload()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self._fetching

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted or self._fetching or self.loading:
            return
        self._fetching = True
        generation = self._generation
        self.ops.run(
            self._reader(len(self._records), with_total=False),
            on_done=self._if_current(generation, self._more),
            on_error=self._if_current(generation, self._failed),
        )

    def _more(self, result: tuple[list[Any], list[dict], int]) -> None:
        self._fetching = False
        records, view_rows, _ = result
        self.rows_fetched += len(records)
        if not records:
            self._exhausted = True
            return
        first = len(self._records)
        self.beginInsertRows(QModelIndex(), first, first + len(records) - 1)
        self._records.extend(records)
        self._view_rows.extend(view_rows)
        self.endInsertRows()
        self._exhausted = len(records) < PAGE_SIZE or (
            self.total >= 0 and len(self._records) >= self.total
        )
        self.fetched.emit(len(self._records))

    # --- reading -------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return self.columns[section].header
            if role == Qt.ItemDataRole.ToolTipRole and self.columns[section].sort_field is None:
                return "This column cannot be sorted"
        return None

    def record_id(self, row: int) -> str | None:
        return self._records[row].id if 0 <= row < len(self._records) else None

    def record(self, row: int) -> Any:
        return self._records[row]

    def row_of(self, record_id: str) -> int | None:
        for row, record in enumerate(self._records):
            if record.id == record_id:
                return row
        return None

    def status(self, row: int) -> str:
        return self._view_rows[row][_STATUS]

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role not in _ROLES_ANSWERED or not index.isValid():
            return None  # first: painting asks each cell for some ten roles
        row, column = index.row(), index.column()
        if not 0 <= row < len(self._records):
            return None
        if not 0 <= column < len(self.columns):
            return None
        if role == Qt.ItemDataRole.ToolTipRole and self.columns[column].tooltip is not None:
            return self.columns[column].tooltip()
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return self._view_rows[row][_TEXTS][column]
        if role == RECORD_ID_ROLE:
            return self._records[row].id
        if role == STATUS_ROLE:
            return self.status(row)
        status = self.status(row)
        if role == Qt.ItemDataRole.ForegroundRole and self.columns[column].header == "RAG":
            value = self._view_rows[row].get("rag")
            return QBrush(RAG_COLOURS[value]) if value else None
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = _STATUS_COLOURS.get(status)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.FontRole and status == "overdue":
            font = QFont()
            font.setBold(True)
            return font
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        sort_field = self.columns[column].sort_field
        if sort_field is None:
            return
        self.order_field = sort_field
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def is_sortable(self, column: int) -> bool:
        return 0 <= column < len(self.columns) and self.columns[column].sort_field is not None
