"""The action log as a landscape A4 PDF, and the one entry point that saves the log as a
PDF or a workbook (``services.action_log`` gathers it and writes the workbook).

Printed by the pack writer (:class:`.pdf.PdfWriter`): the same embedded font, escaping
and running header and footer (protective marking, "Page x of y"). Each direction is a
table whose header row repeats on every page; a row moves to the next page whole
rather than split, unless it is taller than a page. Text too long for a cell shows its
start, and the whole of it follows the table (as in packs).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from ..model.dates import format_date
from ..model.engagement import moved_text, rag_text
from ..model.enums import CommitmentDirection
from ..services import action_log as service
from ..services.files import write_private
from ..store import Database
from . import content as c
from .pdf import PdfWriter

Progress = Callable[[int, int], None]

# The workbook's columns bar "Who owes it": the PDF has a table for each direction
HEADINGS = service.COLUMNS[:8]
# points, on a 273 mm wide frame; the ref's fits A-DDDDDDDD, the widest, on one line
WEIGHTS = (68, 105, 154, 100, 70, 70, 84, 123)
SECTIONS = {
    CommitmentDirection.to_us: ("Owed to us", "Nothing in this log is owed to us."),
    CommitmentDirection.by_us: ("Owed by us", "Nothing in this log is owed by us."),
}
FILLS = {value: f"#{colour}" for value, colour in service.RAG_FILLS.items()}


PAGE = landscape(A4)
MARGINS = (12 * mm, 22 * mm, 20 * mm)  # left and right, top, bottom


class WholeRowsTable(Table):
    """A table that breaks between rows: a row that does not fit what is left of a page
    starts the next one, and only a row taller than a whole page is split across pages.
    (ReportLab's splitInRow splits the row at the foot of every page.)"""

    page_height = PAGE[1] - MARGINS[1] - MARGINS[2]  # the frame's: a fresh page's room

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self.splitInRow = 0  # parts made by a split copy the setting: start from none
        parts = super().split(available_width, available_height)
        if parts or available_height < self.page_height - 1:
            return parts  # between rows; or nothing here, and the row starts a new page
        self.splitInRow = 1  # at the top of a page, and the row alone is taller than it
        try:
            return super().split(available_width, available_height)
        finally:
            self.splitInRow = 0


class ActionLogPdfWriter(PdfWriter):
    """Landscape A4, smaller type: eight columns across the page."""

    page_size = PAGE
    margin_left = margin_right = MARGINS[0]
    margin_top = MARGINS[1]
    margin_bottom = MARGINS[2]
    font_size = 9
    data_table = WholeRowsTable

    def block_action_log_table(
        self, params: dict[str, Any], document: c.Document, offset: int
    ) -> list[Flowable]:
        rows: list[service.ActionRow] = params["rows"]
        if not rows:
            return self.paragraphs([c.Span(params["empty"])], "empty")
        header = [self.cell([c.Span(heading)], "cell-head") for heading in HEADINGS]
        cells = [
            [
                *(
                    self.cell([c.Span(text, literal=True)])
                    for text in (
                        row.ref,
                        row.source,
                        row.action,
                        row.lead,
                        format_date(row.original_due),
                        _revised(row),
                    )
                ),
                self.cell(_status(row)),
                self.cell([c.Span(row.latest_update, literal=True)]),
            ]
            for row in rows
        ]
        table = self.grid(header, cells, WEIGHTS)
        # every status cell is styled (its rating in bold), so the grid is a WholeRowsTable
        assert isinstance(table, WholeRowsTable)
        status = HEADINGS.index("Status")
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (status, number), (status, number), FILLS[row.rag])
                    for number, row in enumerate(rows, start=1)
                    if row.rag is not None
                ]
            )
        )
        return self.table_with_notes(table)


def _revised(row: service.ActionRow) -> str:
    if not row.moves:
        return ""
    shown = format_date(row.revised_due) if row.revised_due else "No date"
    return f"{shown}\n{moved_text(row.moves)}"


def _status(row: service.ActionRow) -> c.Inline:
    rating = rag_text(row.rag)
    if not rating:
        return [c.Span(row.status, literal=True)]
    return [c.Span(rating, bold=True, literal=True), c.Span(f"\n{row.status}", literal=True)]


def document(log: service.ActionLog) -> c.Document:
    """The log as a document: a title, what it covers, then a table for each direction."""
    counts = "; ".join(
        f"{heading.lower()}, {log.summary(log.of(direction))}"
        for direction, (heading, _) in SECTIONS.items()
    )
    blocks: list[c.Block] = [
        c.Heading(1, [c.Span(log.title, literal=True)]),
        c.Paragraph(
            [
                c.Span(
                    f"Commitments made to and by {log.council}, as at {format_date(log.today)}: "
                    f"{counts}. {log.rule}",
                    literal=True,
                )
            ]
        ),
    ]
    for direction, (heading, empty) in SECTIONS.items():
        # the heading right before its table, so the two start a page together
        blocks += [
            c.Heading(2, [c.Span(heading)]),
            c.NamedBlock("action_log_table", {"rows": log.of(direction), "empty": empty}),
        ]
    return c.Document(
        title=log.title,
        blocks=blocks,
        author=log.council,
        subject=f"Action log of commitments to and by {log.council}: {log.scope}",
        marking=log.marking,
        header=f"{log.title}, {format_date(log.today)}",
        extra={"printed": format_date(log.today)},
    )


def render_pdf(log: service.ActionLog) -> bytes:
    return ActionLogPdfWriter(document(log)).render()


def save_action_log(
    db: Database,
    path: str | os.PathLike[str],
    *,
    body_id: str | None = None,
    footprint_id: str | None = None,
    progress: Progress | None = None,
) -> service.ActionLog:
    """Write the action log of one body, a footprint or everything to ``path``: a
    workbook (.xlsx) or a PDF (.pdf), whole or not at all. Returns the log written."""
    target = Path(path)
    suffix = service.format_for(target)
    _report(progress, 0, 2)
    log = service.action_log(db, body_id=body_id, footprint_id=footprint_id)
    _report(progress, 1, 2)
    if suffix == ".xlsx":
        service.write_xlsx(log, target)
    else:
        data = render_pdf(log)
        write_private(target, lambda handle: handle.write(data), text=False)
    _report(progress, 2, 2)
    return log


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
