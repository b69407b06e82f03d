"""The PDF writer: document blocks to ReportLab platypus flowables, A4, returned as bytes.

Modelled on pretix's invoice renderer: one class with named paragraph styles, page
templates for the first and the other pages, a running header and footer carrying the
protective marking, "Page x of y", PDF bookmarks for every section and the document's
title, author, subject and language in its metadata. Subclass it for another layout
(letters: letterhead on the first page) by overriding :meth:`page_templates`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    HRFlowable,
    Image,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ..services.errors import Cancelled, ServiceError
from . import content as c
from .blocks import commitment_columns, field_of
from .charts import bar_chart, power_grid, temperature_chart
from .fonts import (
    FONT,
    FONT_BOLD,
    clean_text,
    face,
    font_runs,
    has_rtl,
    markup,
    needs_fallback,
    printable,
    register_fonts,
)
from .templates import display_value
from .textflow import (
    CellStyle,
    OrderedParagraph,
    Piece,
    TableLook,
    TextCell,
    TextParagraph,
    TextTable,
    break_lines,
    draw_string,
    rgb,
)

INK = colors.HexColor("#1A1A1A")
ACCENT = colors.HexColor("#1D4F91")
RULE = colors.HexColor("#9AA5B1")
SHADE = colors.HexColor("#E8EEF4")
LATE = colors.HexColor("#A4161A")
LINES_PER_CHUNK = 30  # long user text flows as many short paragraphs, never one huge one
LINK_SCHEMES = ("http://", "https://", "mailto:")
CELL_CHARS, CELL_LINES = 1500, 25  # longer cell text continues after its table
CELL_START, CELL_START_LINES = 400, 6
COVER_LOOK = TableLook(top=3, bottom=6, left=0, right=6)  # ReportLab's padding but these
GRID_LOOK = TableLook(
    top=3,
    bottom=4,
    left=4,
    right=4,
    header_fill=SHADE,
    header_rule=(0.8, ACCENT),
    row_rule=(0.3, RULE),
)

# Streams are written binary (Flate only), not also in ASCII85: that only served 7-bit mail
# transport, and made files a quarter bigger and slower to write (4 ms of a 10-page pack).
rl_config.useA85 = 0

Progress = Callable[[int, int, str], None]  # (done, total or 0 if unknown, message)


def _markup(span: c.Span, text: str) -> str:
    """ReportLab paragraph markup for one line of a span: always escaped (text is data)."""
    out = markup(text, bool(span.bold), bool(span.italic))
    if span.code:
        out = f'<font color="#444444" backColor="#F1F1F1">{out}</font>'
    if span.strike:
        out = f"<strike>{out}</strike>"
    if span.href and span.href.startswith(LINK_SCHEMES):
        out = f'<a href="{escape(span.href, {chr(34): "&quot;"})}" color="#1D4F91">{out}</a>'
    return out


def markup_lines(spans: c.Inline) -> list[str]:
    """The spans as lines of paragraph markup (user line breaks kept)."""
    lines: list[str] = [""]
    for span in spans:
        parts = printable(span.text).split("\n")
        for index, part in enumerate(parts):
            if index:
                lines.append("")
            if part:
                lines[-1] += _markup(span, part)
    return lines


def piece_lines(spans: c.Inline, base: str = FONT) -> list[list[Piece]] | None:
    """The spans as lines of (text, font) pieces in a style whose font is ``base``, or
    None if one needs more than a font (a link, code, strike-through): see
    :class:`.textflow.TextParagraph`."""
    if base not in (FONT, FONT_BOLD):
        return None
    lines: list[list[Piece]] = [[]]
    for span in spans:
        if span.code or span.strike or (span.href and span.href.startswith(LINK_SCHEMES)):
            return None
        font = face(bool(span.bold) or base == FONT_BOLD, bool(span.italic))
        for index, part in enumerate(printable(span.text).split("\n")):
            if index:
                lines.append([])
            lines[-1] += font_runs(part, font)
    return lines


class _Paragraph(OrderedParagraph):
    """A paragraph that keeps its line breaks for the width it was last sized at: layout
    sizes each one several times at the same width (a table measures every cell to size
    its rows, again to fit and split them and again to draw them, and headings are
    measured ahead to keep them with what follows), and its lines depend only on it."""

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        kept = self.__dict__.get("kept_lines")
        if kept is not None and kept[0] == available_width and self.__dict__.get("blPara"):
            self.width, self.blPara, self.height = kept[1]
            return self.width, self.height
        size = super().wrap(available_width, available_height)
        if getattr(self, "blPara", None) is not None and size[0] == available_width:
            self.kept_lines = (available_width, (self.width, self.blPara, self.height))
        return size


class _Bookmark(Flowable):
    """Zero-size flowable marking a bookmark (e.g. the title of a pack in a combined file)."""

    def __init__(self, title: str, level: int) -> None:
        super().__init__()
        self.bookmark = (level, title)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


class _SetHeader(Flowable):
    """Changes the running header from this page on (combined files hold several packs)."""

    def __init__(self, writer: PdfWriter, document: c.Document) -> None:
        super().__init__()
        self.writer = writer
        self.document = document

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.writer.current = self.document


def _outline(story: list[Flowable]) -> list[tuple[int, str, str]]:
    """Give every bookmarked flowable its outline level and link key, in story order, and
    return the contents entries (level, title, key): known before layout."""
    open_levels: list[int] = []
    entries: list[tuple[int, str, str]] = []
    for number, flowable in enumerate(
        (f for f in story if getattr(f, "bookmark", None) is not None), start=1
    ):
        wanted, title = flowable.bookmark
        # outlines cannot skip a level: nest under the nearest shallower heading
        while open_levels and open_levels[-1] >= wanted:
            open_levels.pop()
        level = len(open_levels)
        open_levels.append(wanted)
        flowable.outline = (level, f"section-{number}")
        if getattr(flowable, "in_contents", False):
            entries.append((level, title, f"section-{number}"))
    return entries


class _Contents(Flowable):
    """The contents, laid out in one pass: its entries are known before layout (see
    :func:`_outline`). Each entry links to its heading; its dot leader and page number are
    drawn when the held pages are written out (see ``NumberedCanvas.save``), once every
    heading is placed. Laid out as ReportLab's TableOfContents lays it out."""

    padding = 3.0  # above and below each entry, as in ReportLab's contents table

    def __init__(self, writer: PdfWriter, entries: Sequence[tuple[int, str, str]] = ()) -> None:
        super().__init__()
        self.writer = writer
        self.entries = list(entries)  # (level, title, link key), given once the story is known
        self._laid: tuple[float, list[tuple[ParagraphStyle, list[Any], str, float]]] | None = None
        self.drawn_leaders: list[tuple[str, float, float, ParagraphStyle]] = []  # to finish

    def _rows(self, width: float) -> list[tuple[ParagraphStyle, list[Any], str, float]]:
        if self._laid is None or self._laid[0] != width:
            rows = []
            for level, title, key in self.entries:
                style = self.writer.styles[f"toc{min(level, 1) + 1}"]
                shown = printable(title)
                lines = break_lines(shown, width - style.leftIndent, style.fontName, style.fontSize)
                if needs_fallback(shown):  # its width as drawn, for where the leader starts
                    lines = [(line, _drawn_width(line, style)) for line, _ in lines]
                height = len(lines) * style.leading + 2 * self.padding  # no space after: as RL
                rows.append((style, lines, key, height))
            self._laid = (width, rows)
        return self._laid[1]

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        self.height = sum(row[3] for row in self._rows(available_width))
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        used, count = 0.0, 0
        for row in self._rows(available_width):
            if used + row[3] > available_height:
                break
            used, count = used + row[3], count + 1
        if count == 0:
            return []
        if count == len(self.entries):
            return [self]
        return [
            _Contents(self.writer, self.entries[:count]),
            _Contents(self.writer, self.entries[count:]),
        ]

    def draw(self) -> None:
        canvas = self.canv
        text = canvas.beginText()
        y = self.height
        for style, lines, key, height in self._rows(self.width):
            size, leading, left = style.fontSize, style.leading, style.leftIndent
            baseline = y - self.padding - size
            text.setFont(style.fontName, size, leading)
            text.setFillColor(rgb(style.textColor))
            text.setTextOrigin(left, baseline)
            for number, (line, _) in enumerate(lines):
                if needs_fallback(line) or has_rtl(line):
                    draw_string(
                        canvas, left, baseline - number * leading, line, style.fontName, size
                    )
                    text.textLine("")
                else:
                    text.textLine(line)
            if lines:  # the dot leader and page number follow the entry's last line
                end = baseline - (len(lines) - 1) * leading
                start = left + lines[-1][1]
                self.drawn_leaders.append((key, start, end, style))
                # one link over the whole entry: its title, leader and page number
                canvas.linkRect(
                    "", key, (left, end - 0.2 * size, self.width, baseline + size), relative=1
                )
            y -= height
        canvas.drawText(text)

    def drawOn(
        self, canvas: pdfcanvas.Canvas, x: float, y: float, *args: Any, **kwargs: Any
    ) -> None:  # noqa: N802 - ReportLab's name
        """Draw, and note where each entry's leader and page number go on the page: they
        are drawn once every heading is placed (see :meth:`PdfWriter.finish`)."""
        self.drawn_leaders = []
        super().drawOn(canvas, x, y, *args, **kwargs)
        on_page = self.writer.leaders.setdefault(canvas.getPageNumber(), [])
        for key, start, end, style in self.drawn_leaders:
            on_page.append((key, x + start, y + end, style, x + self.width))


def _drawn_width(line: str, style: ParagraphStyle) -> float:
    """A line's width as drawn, characters the style's font lacks in their own fonts."""
    runs = font_runs(line, style.fontName)
    return sum(stringWidth(text, font, style.fontSize) for text, font in runs)


def _page_end_form(page: int) -> str:
    return f"page-end-{page}"


def draw_leader(
    canvas: pdfcanvas.Canvas, start: float, y: float, style: ParagraphStyle, end: float, page: int
) -> None:
    """A contents entry's dot leader from ``start`` and its page number ending at ``end``,
    as ReportLab's contents draws them (``tableofcontents.drawPageNumbers``): the number
    shrinks until it fits."""
    number, font, size = str(page), style.fontName, style.fontSize
    number_width = stringWidth(number, font, size)
    while number_width > end - start and size >= 1.0:
        size *= 0.9
        number_width = stringWidth(number, font, size)
    dot = " . "
    dot_width = stringWidth(dot, font, size)
    dots = int((end - start - number_width) / dot_width)
    text = canvas.beginText(end - dots * dot_width - number_width, y)
    text.setFont(font, size)
    text.setFillColor(style.textColor)
    text.textLine(dots * dot + number)
    canvas.drawText(text)


class _DocTemplate(BaseDocTemplate):
    def __init__(self, buffer: io.BytesIO, writer: PdfWriter, **kwargs: Any) -> None:
        super().__init__(buffer, **kwargs)
        self.writer = writer

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - ReportLab's name
        outline = getattr(flowable, "outline", None)
        if outline is None:
            return
        level, key = outline
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(flowable.bookmark[1], key, level=level, closed=level > 0)
        if getattr(flowable, "in_contents", False):
            self.writer.heading_pages[key] = self.page

    def afterPage(self) -> None:  # noqa: N802 - ReportLab's name
        # what is known only at the end ("Page x of y", the contents' page numbers) is a
        # form the page shows now and the finished document defines: PDF allows that
        if self.page not in self.writer.unnumbered_pages or self.page in self.writer.leaders:
            self.canv.doForm(_page_end_form(self.page))
        self.writer.page_count = self.page
        self.writer.page_done(self.page)


def _finishing_canvas(writer: PdfWriter) -> type[pdfcanvas.Canvas]:
    class FinishingCanvas(pdfcanvas.Canvas):
        """Fills in the forms pages show for what is known only at the end: "Page x of
        y" and the contents' page numbers (see :meth:`PdfWriter.finish`)."""

        def save(self) -> None:
            writer.finish(self)
            super().save()

    return FinishingCanvas


@dataclass
class _Cell:
    spans: c.Inline
    style: str = "cell"


CELL_PADDING = 8.0  # a grid cell's left and right padding together


class _PlainCell:
    """A table cell of plain text (no styling or link), drawn as a line of text when it
    fits its column (see ``PdfWriter._plain_cells``), else as a paragraph."""

    def __init__(self, text: str, style: ParagraphStyle, align: str, spans: c.Inline) -> None:
        self.text, self.style, self.align, self.spans = text, style, align, spans

    def line(self, width: float) -> str | None:
        """The text as one line if it fits in ``width`` (spaces run together, as a
        paragraph prints them), else None."""
        if "\n" in self.text or has_rtl(self.text):  # a table draws a string as it is
            return None
        line = " ".join(self.text.split())
        fits = stringWidth(line, self.style.fontName, self.style.fontSize) <= width
        return line if fits else None

    def paragraph(self) -> Paragraph:
        return _Paragraph("<br/>".join(markup_lines(self.spans)), self.style)


class PdfWriter:
    """Writes one document, or several one after another (a combined batch), as PDF bytes."""

    page_size = A4
    margin_left = margin_right = 20 * mm
    margin_top = 24 * mm
    margin_bottom = 20 * mm
    font_size = 10
    data_table: type[Table] = Table  # how grid() lays out a table of styled cells

    def __init__(
        self,
        documents: c.Document | Sequence[c.Document],
        *,
        title: str | None = None,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> None:
        register_fonts()
        self.documents = [documents] if isinstance(documents, c.Document) else list(documents)
        if not self.documents:
            raise ValueError("nothing to write")
        self.combined = len(self.documents) > 1
        self.title = title or self.documents[0].title
        self.current = self.documents[0]
        self.progress = progress
        self.cancelled = cancelled
        self.styles = self.build_styles()
        self._variants: dict[tuple[str, float, float], ParagraphStyle] = {}
        self.heading_pages: dict[str, int] = {}  # contents key -> page number
        # page -> its contents entries' leaders: key, where one starts, baseline, style, end
        self.leaders: dict[int, list[tuple[str, float, float, ParagraphStyle, float]]] = {}
        self.unnumbered_pages: set[int] = set()
        self.page_count = 0
        self._notes: list[c.Inline] = []
        self._cell_styles: dict[tuple[str, str], CellStyle] = {}
        self._running_forms: set[str] = set()

    # --- styles ------------------------------------------------------------------

    def build_styles(self) -> StyleSheet1:
        sheet = StyleSheet1()
        size = self.font_size
        base = ParagraphStyle(
            "body",
            fontName=FONT,
            fontSize=size,
            leading=size * 1.4,
            textColor=INK,
            spaceAfter=size * 0.6,
            allowWidows=0,
            allowOrphans=0,
        )
        sheet.add(base)
        for level, (grow, before) in enumerate(((1.7, 14), (1.35, 10), (1.15, 8)), start=1):
            sheet.add(
                ParagraphStyle(
                    f"h{level}",
                    parent=base,
                    fontName=FONT_BOLD,
                    fontSize=size * grow,
                    leading=size * grow * 1.25,
                    textColor=ACCENT if level < 3 else INK,
                    spaceBefore=before,
                    spaceAfter=size * 0.5,
                    keepWithNext=0,  # see guard_headings
                )
            )
        sheet.add(
            ParagraphStyle(
                "cover-council", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18
            )
        )
        sheet.add(
            ParagraphStyle(
                "cover-title",
                parent=base,
                fontName=FONT_BOLD,
                fontSize=26,
                leading=32,
                textColor=ACCENT,
                spaceBefore=40,
                spaceAfter=10,
            )
        )
        sheet.add(
            ParagraphStyle("cover-subtitle", parent=base, fontSize=15, leading=20, spaceAfter=24)
        )
        sheet.add(ParagraphStyle("cover-label", parent=base, fontName=FONT_BOLD, spaceAfter=0))
        sheet.add(ParagraphStyle("cover-value", parent=base, spaceAfter=0))
        sheet.add(
            ParagraphStyle(
                "cell", parent=base, fontSize=size * 0.9, leading=size * 1.2, spaceAfter=0
            )
        )
        sheet.add(ParagraphStyle("cell-head", parent=sheet["cell"], fontName=FONT_BOLD))
        sheet.add(
            ParagraphStyle("cell-late", parent=sheet["cell"], fontName=FONT_BOLD, textColor=LATE)
        )
        sheet.add(ParagraphStyle("small", parent=base, fontSize=size * 0.8, leading=size * 1.1))
        sheet.add(ParagraphStyle("empty", parent=base, textColor=colors.HexColor("#555555")))
        sheet.add(
            ParagraphStyle(
                "quote", parent=base, leftIndent=12, textColor=colors.HexColor("#333333")
            )
        )
        sheet.add(
            ParagraphStyle(
                "code",
                parent=base,
                fontSize=size * 0.9,
                leading=size * 1.25,
                backColor=colors.HexColor("#F4F4F4"),
            )
        )
        sheet.add(ParagraphStyle("contents-title", parent=sheet["h1"], keepWithNext=0))
        for level in (1, 2):
            sheet.add(
                ParagraphStyle(
                    f"toc{level}",
                    parent=base,
                    fontName=FONT_BOLD if level == 1 else FONT,
                    leftIndent=(level - 1) * 14,
                    spaceAfter=2,
                )
            )
        return sheet

    def style(
        self, name: str, *, indent: float = 0, space_after: float | None = None
    ) -> ParagraphStyle:
        """A named style, shifted right by ``indent`` and with other spacing if asked."""
        base = self.styles[name]
        after = base.spaceAfter if space_after is None else space_after
        if not indent and after == base.spaceAfter:
            return base
        key = (name, indent, after)
        if key not in self._variants:
            self._variants[key] = ParagraphStyle(
                f"{name}-{indent}-{after}",
                parent=base,
                leftIndent=base.leftIndent + indent,
                bulletIndent=base.leftIndent + indent - 12,
                spaceAfter=after,
            )
        return self._variants[key]

    # --- pages -------------------------------------------------------------------

    @property
    def frame_width(self) -> float:
        return self.page_size[0] - self.margin_left - self.margin_right

    @property
    def frame_height(self) -> float:
        return self.page_size[1] - self.margin_top - self.margin_bottom

    def page_templates(self) -> list[PageTemplate]:
        """Cover (marking only) and body (running header and footer) pages."""

        def frame(name: str) -> Frame:
            return Frame(
                self.margin_left,
                self.margin_bottom,
                self.frame_width,
                self.frame_height,
                id=name,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
            )

        cover = PageTemplate("cover", [frame("cover")], onPageEnd=self.draw_cover_page)
        body = PageTemplate("body", [frame("body")], onPageEnd=self.draw_body_page)
        starts_with_cover = (
            bool(self.documents[0].blocks)
            and isinstance(self.documents[0].blocks[0], c.NamedBlock)
            and self.documents[0].blocks[0].name == "cover"
        )
        return [cover, body] if starts_with_cover else [body, cover]

    def _marking(self, canvas: pdfcanvas.Canvas) -> None:
        marking = printable(self.current.marking or "").strip()
        if not marking:
            return
        width = self.page_size[0]
        canvas.setFont(FONT_BOLD, 10)
        canvas.setFillColor(INK)
        for y in (self.page_size[1] - 10 * mm, 8 * mm):
            draw_string(canvas, width / 2, y, marking, FONT_BOLD, 10, "centre")

    def draw_cover_page(self, canvas: pdfcanvas.Canvas, doc: BaseDocTemplate) -> None:
        self._show_running_form(canvas, "cover", self._draw_cover_running)
        self.unnumbered_pages.add(doc.page)  # the cover carries no page number

    def draw_body_page(self, canvas: pdfcanvas.Canvas, doc: BaseDocTemplate) -> None:
        self._show_running_form(canvas, "body", self._draw_body_running)

    def _show_running_form(
        self, canvas: pdfcanvas.Canvas, kind: str, draw: Callable[[pdfcanvas.Canvas], None]
    ) -> None:
        """What repeats on every page of one document (marking, running header, footer)
        is drawn once, as a form each of its pages shows: 0.3 ms a page less to write."""
        name = f"running-{kind}-{id(self.current)}"  # one per document in a batch
        if name not in self._running_forms:
            canvas.beginForm(name)
            draw(canvas)
            canvas.endForm()
            self._running_forms.add(name)
        canvas.doForm(name)

    def _draw_cover_running(self, canvas: pdfcanvas.Canvas) -> None:
        canvas.saveState()
        self._marking(canvas)
        canvas.restoreState()

    def _draw_body_running(self, canvas: pdfcanvas.Canvas) -> None:
        canvas.saveState()
        self._marking(canvas)
        width, height = self.page_size
        top = height - 17 * mm
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.HexColor("#444444"))
        header = printable(self.current.header or self.current.title)
        draw_string(canvas, self.margin_left, top, shortened(header, 70), FONT, 8)
        author = shortened(printable(self.current.author), 45)
        draw_string(canvas, width - self.margin_right, top, author, FONT, 8, "right")
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(self.margin_left, top - 2.5 * mm, width - self.margin_right, top - 2.5 * mm)
        canvas.line(self.margin_left, 15 * mm, width - self.margin_right, 15 * mm)
        printed = self.current.extra.get("printed")
        if printed:
            canvas.drawString(self.margin_left, 11 * mm, f"Printed {printed}")
        canvas.restoreState()

    def draw_page_number(self, canvas: pdfcanvas.Canvas, number: int, total: int) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.HexColor("#444444"))
        canvas.drawRightString(
            self.page_size[0] - self.margin_right, 11 * mm, f"Page {number} of {total}"
        )
        canvas.restoreState()

    def finish(self, canvas: pdfcanvas.Canvas) -> None:
        """Once every page is laid out: the form each page shows for its page number and
        its contents entries' page numbers (see _DocTemplate.afterPage)."""
        for page in range(1, self.page_count + 1):
            numbered, leaders = page not in self.unnumbered_pages, self.leaders.get(page, [])
            if not numbered and not leaders:
                continue
            canvas.beginForm(_page_end_form(page))
            if numbered:
                self.draw_page_number(canvas, page, self.page_count)
            for key, start, y, style, end in leaders:
                draw_leader(canvas, start, y, style, end, self.heading_pages[key])
            canvas.endForm()

    # --- the whole document ------------------------------------------------------

    def page_done(self, page: int) -> None:
        if self.cancelled is not None and self.cancelled():
            raise Cancelled("Stopped: the document was not finished, and nothing was saved.")
        if self.progress is not None:
            self.progress(page, 0, f"Laid out page {page}")

    def story(self) -> list[Flowable]:
        story: list[Flowable] = []
        for index, document in enumerate(self.documents):
            if self.combined:
                if index:
                    story += [NextPageTemplate(self._first_template(document)), PageBreak()]
                story += [_SetHeader(self, document), _Bookmark(clean_text(document.title), 0)]
            story += self.flow(document.blocks, document=document, level_offset=int(self.combined))
        return story

    def guard_headings(self, story: list[Flowable]) -> list[Flowable]:
        """No heading alone at the foot of a page: before each run of headings, start a new
        page unless the headings and the first part of what follows them fit."""
        out: list[Flowable] = []
        index = 0
        width, height = self.frame_width, self.frame_height
        while index < len(story):
            if not _is_heading(story[index]):
                out.append(story[index])
                index += 1
                continue
            run = []
            while index < len(story) and _is_heading(story[index]):
                run.append(story[index])
                index += 1
            needed = sum(
                h.wrap(width, height)[1] + h.getSpaceBefore() + h.getSpaceAfter() for h in run
            )
            if index < len(story):
                needed += self._first_part_height(story[index], width, height)
            out.append(CondPageBreak(min(needed, height * 0.6)))
            out += run
        return out

    @staticmethod
    def _first_part_height(flowable: Flowable, width: float, height: float) -> float:
        if isinstance(flowable, TextTable):
            return flowable.first_rows_height(1)
        if isinstance(flowable, TextParagraph):
            return min(flowable.wrap(width, height)[1], flowable.style.leading * 3)
        first_rows = getattr(flowable, "first_rows", None)
        if isinstance(first_rows, Table):  # see grid()
            return first_rows.wrap(width, height)[1]
        if isinstance(flowable, Paragraph):
            style = flowable.style
            return min(flowable.wrap(width, height)[1], style.leading * 3)
        try:
            return min(flowable.wrap(width, height)[1], height / 3)
        except Exception:  # a flowable that cannot size itself yet (contents): no guard
            return 0

    def _first_template(self, document: c.Document) -> str:
        first = document.blocks[0] if document.blocks else None
        return "cover" if isinstance(first, c.NamedBlock) and first.name == "cover" else "body"

    def render(self) -> bytes:
        buffer = io.BytesIO()
        first = self.documents[0]
        doc = _DocTemplate(
            buffer,
            self,
            pagesize=self.page_size,
            leftMargin=self.margin_left,
            rightMargin=self.margin_right,
            topMargin=self.margin_top,
            bottomMargin=self.margin_bottom,
            title=clean_text(self.title),  # shown by the reader's own fonts, as typed
            author=clean_text(first.author),
            subject=clean_text(first.subject),
            creator="stpdesk",
            lang=first.language,
            keywords=[clean_text(first.marking)] if first.marking else [],
        )
        doc.addPageTemplates(self.page_templates())
        story = self.guard_headings(self.story())
        entries = _outline(story)
        for flowable in story:
            if isinstance(flowable, _Contents):
                flowable.entries = entries
        self.heading_pages, self.leaders = {}, {}
        self.unnumbered_pages, self.page_count = set(), 0
        # one layout pass: page numbers are filled in once the pages are laid out
        doc.build(story, canvasmaker=_finishing_canvas(self))
        return buffer.getvalue()

    # --- blocks ------------------------------------------------------------------

    def flow(
        self,
        blocks: Sequence[c.Block],
        *,
        document: c.Document,
        indent: float = 0,
        level_offset: int = 0,
        style: str = "body",
    ) -> list[Flowable]:
        out: list[Flowable] = []
        for block in blocks:
            if isinstance(block, c.Heading):
                out.append(self.heading(block, level_offset))
            elif isinstance(block, c.Paragraph):
                out += self.paragraphs(block.spans, style, indent=indent)
            elif isinstance(block, c.ListBlock):
                out += self.list_block(block, document, indent, level_offset)
            elif isinstance(block, c.Table):
                out += self.table_with_notes(self.markdown_table(block))
            elif isinstance(block, c.Quote):
                out += self.flow(
                    block.blocks,
                    document=document,
                    indent=indent + 12,
                    style="quote",
                    level_offset=level_offset,
                )
            elif isinstance(block, c.Code):
                out += self.paragraphs([c.Span(block.text, literal=True)], "code", indent=indent)
            elif isinstance(block, c.Rule):
                out.append(
                    HRFlowable(width="100%", color=RULE, thickness=0.5, spaceBefore=4, spaceAfter=8)
                )
            elif isinstance(block, c.NamedBlock):
                draw = getattr(self, f"block_{block.name}", None)
                if draw is None:
                    raise ServiceError(f"the PDF writer cannot draw a “{block.name}” block")
                out += draw(block.params, document, level_offset)
        return out

    def heading(self, block: c.Heading, level_offset: int = 0) -> Flowable:
        level = min(block.level, 3)
        style = self.styles[f"h{level}"]
        lines = piece_lines(block.spans, style.fontName)
        heading: Flowable
        if lines is None:
            heading = _Paragraph("".join(markup_lines(block.spans)), style)
        else:  # a heading is one line of text: line breaks in it run together
            runs = [piece for line in lines for piece in line]
            heading = TextParagraph(runs, style, lambda: "".join(markup_lines(block.spans)))
        heading.bookmark = (block.level - 1 + level_offset, clean_text(c.plain(block.spans)))
        heading.in_contents = block.level <= 2 and not self.combined
        return heading

    def paragraphs(
        self, spans: c.Inline, style: str = "body", *, indent: float = 0, bullet: str | None = None
    ) -> list[Flowable]:
        """One block of text as paragraphs: a blank line in user text starts a new one, and
        every few lines start a new flowable so long notes split cheaply across pages."""
        base = self.styles[style]
        pieces = piece_lines(spans, base.fontName) if TextParagraph.supports(base) else None
        markup = markup_lines(spans) if pieces is None else None
        if pieces is not None:
            shown = ["".join(text for text, _ in line) for line in pieces]
        else:
            assert markup is not None
            shown = markup
        groups: list[list[int]] = [[]]  # line numbers, blank lines dropped
        for number, line in enumerate(shown):
            if line.strip():
                groups[-1].append(number)
            elif groups[-1]:
                groups.append([])
        groups = [group for group in groups if group]
        out: list[Flowable] = []
        for group_index, group in enumerate(groups):
            for start in range(0, len(group), LINES_PER_CHUNK):
                chunk = group[start : start + LINES_PER_CHUNK]
                end_of_paragraph = start + LINES_PER_CHUNK >= len(group)
                para_style = self.style(
                    style, indent=indent, space_after=None if end_of_paragraph else 0
                )
                first = bullet if group_index == 0 and start == 0 else None
                if pieces is None:
                    assert markup is not None
                    text = "<br/>".join(markup[number] for number in chunk)
                    out.append(_Paragraph(text, para_style, bulletText=first))
                    continue
                runs: list[Piece] = []
                for number in chunk:
                    if runs:
                        runs.append(("\n", base.fontName))
                    runs += pieces[number]
                out.append(TextParagraph(runs, para_style, _markup_of(spans, chunk), first))
        if not out and bullet:
            out.append(_Paragraph("", self.style(style, indent=indent), bulletText=bullet))
        return out

    def list_block(
        self, block: c.ListBlock, document: c.Document, indent: float, level_offset: int
    ) -> list[Flowable]:
        out: list[Flowable] = []
        inner = indent + 16
        for number, item in enumerate(block.items, start=block.start):
            bullet = f"{number}." if block.ordered else "•"
            first, rest = (item[0], item[1:]) if item else (c.Paragraph([]), [])
            if isinstance(first, c.Paragraph):
                out += self.paragraphs(first.spans, indent=inner, bullet=bullet)
            else:
                out += self.paragraphs([], indent=inner, bullet=bullet)
                rest = item
            out += self.flow(rest, document=document, indent=inner, level_offset=level_offset)
        return out

    def _cell(
        self, spans: c.Inline, style: str = "cell", align: str = "left", *, grid: bool = False
    ) -> Paragraph | _PlainCell:
        """A cell's paragraph; for a grid (``grid=True``) plain text waits as a _PlainCell,
        which the grid draws as text."""
        para_style = self.styles[style]
        if align in ("right", "center"):
            key = (f"{style}-{align}", 0.0, 0.0)
            if key not in self._variants:
                self._variants[key] = ParagraphStyle(
                    key[0], parent=para_style, alignment=TA_RIGHT if align == "right" else TA_CENTER
                )
            para_style = self._variants[key]
        if grid and all(_is_plain(span) for span in spans):
            text = "".join(printable(span.text) for span in spans)
            if not needs_fallback(text):  # one font draws it all
                return _PlainCell(text, para_style, align, spans)
        return _Paragraph("<br/>".join(markup_lines(spans)), para_style)

    def cell(
        self, spans: c.Inline, style: str = "cell", align: str = "left"
    ) -> Paragraph | _PlainCell:
        """A table cell. Text too long for a cell (a table row cannot be re-flowed cheaply
        across many pages) shows its start, and the whole text follows the table."""
        text = c.plain(spans)
        if len(text) <= CELL_CHARS and text.count("\n") < CELL_LINES:
            return self._cell(spans, style, align, grid=True)
        self._notes.append(spans)
        number = len(self._notes)
        start = "\n".join(text[:CELL_START].split("\n")[:CELL_START_LINES]).rstrip()
        shown = [
            c.Span(start, literal=True),
            c.Span(f"… (continued in note {number} below this table)", italic=True),
        ]
        return self._cell(shown, style, align, grid=True)

    def table_with_notes(self, table: Flowable) -> list[Flowable]:
        out: list[Flowable] = [table]
        for number, spans in enumerate(self._notes, start=1):
            out.append(_Paragraph(f"<b>Note {number}</b>", self.style("body", space_after=2)))
            out += self.paragraphs(spans, indent=12)
        self._notes = []
        return out

    def grid(
        self,
        header: list[Paragraph | _PlainCell],
        rows: list[list[Paragraph | _PlainCell]],
        weights: Sequence[float],
    ) -> Flowable:
        """A data table, its header row repeated on every page. A table whose every cell
        is plain text is laid out as text (see :mod:`.textflow`), each row kept whole on a
        page unless taller than one; another is a ReportLab Table, whose rows may split."""
        total = sum(weights) or 1
        widths = [self.frame_width * weight / total for weight in weights]
        if all(isinstance(cell, _PlainCell) for cell in header) and all(
            isinstance(cell, _PlainCell) for row in rows for cell in row
        ):
            text_table = TextTable(
                [self._text_cell(cell) for cell in header],  # type: ignore[arg-type]
                [[self._text_cell(cell) for cell in row] for row in rows],  # type: ignore[arg-type]
                widths,
                GRID_LOOK,
                page_height=self.frame_height,  # rows kept whole, unless taller than a page
            )
            text_table.spaceAfter = 8
            return text_table
        header = [cell.paragraph() if isinstance(cell, _PlainCell) else cell for cell in header]
        rows, text_styles = self._plain_cells(rows, widths)
        look = [
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
            ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ]
        data = [header, *rows]
        # rows kept whole on a page, as in a text table, unless one is taller than a page
        tallest = max(self._row_height(row, widths) for row in rows) if rows else 0.0
        split_rows = self._row_height(header, widths) + tallest > self.frame_height * 0.95
        table = self.data_table(
            data, colWidths=widths, repeatRows=1, splitInRow=int(split_rows), hAlign="LEFT"
        )
        table.setStyle(TableStyle([*text_styles, *look]))
        table.spaceAfter = 8
        # the header and first row alone, to size what must fit beside a heading: sizing
        # the whole table for that cost as much as laying it out (17 ms a pack)
        first_rows = [command for command in text_styles if command[1][1] < 2]
        table.first_rows = Table(data[:2], colWidths=widths, style=[*first_rows, *look])
        return table

    def _row_height(self, row: Sequence[Flowable | str], widths: Sequence[float]) -> float:
        """A grid row's height as its table sizes it: its tallest cell and the padding (a
        paragraph keeps its lines for the width, so the table's own sizing reuses them)."""
        tallest = 0.0
        for cell, width in zip(row, widths, strict=False):
            if isinstance(cell, Flowable):
                tallest = max(tallest, cell.wrap(width - CELL_PADDING, self.frame_height)[1])
            else:  # one line of text (see _plain_cells)
                tallest = max(tallest, self.styles["cell"].leading)
        return tallest + GRID_LOOK.top + GRID_LOOK.bottom

    def _text_cell(self, cell: _PlainCell) -> TextCell:
        key = (cell.style.name, cell.align)
        style = self._cell_styles.get(key)
        if style is None:
            paragraph = cell.style
            style = self._cell_styles[key] = CellStyle(
                paragraph.fontName,
                paragraph.fontSize,
                paragraph.leading,
                paragraph.textColor,
                cell.align,
            )
        return TextCell(cell.text, style)

    def _plain_cells(
        self, rows: list[list[Paragraph | _PlainCell]], widths: list[float]
    ) -> tuple[list[list[Flowable | str]], list[tuple[Any, ...]]]:
        """Cells of plain text that fit on one line are drawn as text, not paragraphs:
        ReportLab parses and lays out a paragraph word by word (most of a pack's layout
        time), and draws a string in one call, in the paragraph's font, size, leading and
        colour (the pages come out pixel for pixel the same). Longer text stays a
        paragraph: a row of several lines of text would split across pages where a
        paragraph keeps at least two lines together."""
        out: list[list[Flowable | str]] = []
        commands: list[tuple[Any, ...]] = []
        for row_number, row in enumerate(rows, start=1):
            cells: list[Flowable | str] = []
            for column, cell in enumerate(row):
                if not isinstance(cell, _PlainCell):
                    cells.append(cell)
                    continue
                line = cell.line(widths[column] - CELL_PADDING)
                if line is None:
                    cells.append(cell.paragraph())
                    continue
                style, at = cell.style, (column, row_number)
                commands += [
                    ("FONT", at, at, style.fontName, style.fontSize, style.leading),
                    ("TEXTCOLOR", at, at, style.textColor),
                ]
                if cell.align != "left":
                    commands.append(("ALIGN", at, at, cell.align.upper()))
                cells.append(line)
            out.append(cells)
        return out, commands

    def markdown_table(self, block: c.Table) -> Flowable:
        columns = max([len(block.header), *(len(row) for row in block.rows)])
        align = block.align + ["left"] * (columns - len(block.align))

        def padded(row: list[c.Inline]) -> list[c.Inline]:
            return row + [[] for _ in range(columns - len(row))]

        header = [
            self._cell(spans, "cell-head", align[i], grid=True)
            for i, spans in enumerate(padded(block.header))
        ]
        rows = [
            [self.cell(spans, "cell", align[i]) for i, spans in enumerate(padded(row))]
            for row in block.rows
        ]
        weights = [
            min(
                60,
                max([len(c.plain(r[i])) for r in [padded(block.header), *map(padded, block.rows)]]),
            )
            + 8
            for i in range(columns)
        ]
        return self.grid(header, rows, weights)

    # --- named blocks ------------------------------------------------------------

    def block_page_break(
        self, params: dict[str, Any], document: c.Document, offset: int
    ) -> list[Flowable]:
        return [PageBreak()]

    def block_contents(
        self, params: dict[str, Any], document: c.Document, offset: int
    ) -> list[Flowable]:
        if self.combined:
            return []  # bookmarks guide a reader through a combined file
        title = _Paragraph(markup(printable(params["title"])), self.styles["contents-title"])
        return [title, _Contents(self)]  # entries are given once the whole story is known

    def _logo(
        self, document: c.Document, width_mm: int, max_height: float = 30 * mm
    ) -> Image | None:
        if not document.logo:
            return None
        try:
            reader = ImageReader(io.BytesIO(document.logo))
            pixel_width, pixel_height = reader.getSize()
        except Exception:  # not an image ReportLab can read: print the pack without it
            return None
        width = width_mm * mm
        height = width * pixel_height / pixel_width
        if height > max_height:
            width, height = width * max_height / height, max_height
        image = Image(io.BytesIO(document.logo), width=width, height=height)
        image.hAlign = "LEFT"
        return image

    def block_logo(
        self, params: dict[str, Any], document: c.Document, offset: int
    ) -> list[Flowable]:
        image = self._logo(document, params["width_mm"])
        return [image, Spacer(1, 6)] if image else []

    def block_cover(
        self, params: dict[str, Any], document: c.Document, offset: int
    ) -> list[Flowable]:
        out: list[Flowable] = []
        image = self._logo(document, 45)
        if image is not None:
            out += [image, Spacer(1, 8)]
        out += self.paragraphs([c.Span(document.author, literal=True)], "cover-council")
        out.append(HRFlowable(width="100%", color=ACCENT, thickness=2, spaceBefore=6))
        out += self.paragraphs(
            [c.Span(display_value(params["title"]), literal=True)], "cover-title"
        )
        if params["subtitle"]:
            out += self.paragraphs(
                [c.Span(display_value(params["subtitle"]), literal=True)], "cover-subtitle"
            )
        rows = [
            [
                self._cell([c.Span(display_value(label), literal=True)], "cover-label", grid=True),
                self._cell([c.Span(display_value(value), literal=True)], "cover-value", grid=True),
            ]
            for label, value in params["details"]
            if display_value(value).strip()
        ]
        widths = [40 * mm, self.frame_width - 40 * mm]
        if rows and all(isinstance(cell, _PlainCell) for row in rows for cell in row):
            cells = [[self._text_cell(cell) for cell in row] for row in rows]  # type: ignore[arg-type]
            out.append(TextTable([], cells, widths, COVER_LOOK, page_height=self.frame_height))
        elif rows:  # a character in another font on the computer: paragraphs set it
            paragraphs = [
                [cell.paragraph() if isinstance(cell, _PlainCell) else cell for cell in row]
                for row in rows
            ]
            padding = [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), COVER_LOOK.top),
                ("BOTTOMPADDING", (0, 0), (-1, -1), COVER_LOOK.bottom),
                ("LEFTPADDING", (0, 0), (-1, -1), COVER_LOOK.left),
                ("RIGHTPADDING", (0, 0), (-1, -1), COVER_LOOK.right),
            ]
            out.append(Table(paragraphs, colWidths=widths, style=padding, hAlign="LEFT"))
        if params["note"]:
            out.append(Spacer(1, 18))
            out += self.paragraphs([c.Span(display_value(params["note"]), literal=True)], "small")
        out += [NextPageTemplate("body"), PageBreak()]
        return out

    def block_bar_chart(
        self, params: dict[str, Any], document: c.Document, offset: int
    ) -> list[Flowable]:
        drawing = bar_chart(params["chart"], self.frame_width)
        drawing.hAlign = "LEFT"
        return [drawing, Spacer(1, 10)]

    def block_power_grid(
        self, params: dict[str, Any], document: c.Document, offset: int
    ) -> list[Flowable]:
        drawing = power_grid(params["grid"], min(self.frame_width, 300))
        drawing.hAlign = "LEFT"
        return [drawing, Spacer(1, 10)]

    def block_temperature_chart(
        self, params: dict[str, Any], document: c.Document, offset: int
    ) -> list[Flowable]:
        drawing = temperature_chart(params["chart"], min(self.frame_width, 440), 140)
        drawing.hAlign = "LEFT"
        return [drawing, Spacer(1, 6)]

    def block_table(
        self, params: dict[str, Any], document: c.Document, offset: int
    ) -> list[Flowable]:
        if not params["rows"]:
            return self.paragraphs([c.Span(params["empty"])], "empty")
        header = [self._cell([c.Span(h)], "cell-head", grid=True) for h in params["headings"]]
        rows = [
            [
                self.cell([c.Span(display_value(field_of(record, f)), literal=True)])
                for f in params["fields"]
            ]
            for record in params["rows"]
        ]
        weights = params["widths"] or [1] * len(header)
        return self.table_with_notes(self.grid(header, rows, weights))

    def block_commitments_table(
        self, params: dict[str, Any], document: c.Document, offset: int
    ) -> list[Flowable]:
        if not params["items"]:
            return self.paragraphs([c.Span(params["empty"])], "empty")
        columns = commitment_columns(params)
        header = [
            self._cell([c.Span(heading)], "cell-head", grid=True) for heading, _, _ in columns
        ]
        rows = []
        for item in params["items"]:
            late = bool(field_of(item, "overdue"))
            rows.append(
                [
                    self.cell(
                        [c.Span(display_value(field_of(item, f)), literal=True)],
                        "cell-late" if late and f == "status_text" else "cell",
                    )
                    for _, f, _ in columns
                ]
            )
        return self.table_with_notes(self.grid(header, rows, [w for _, _, w in columns]))


def _is_heading(flowable: Flowable) -> bool:
    return getattr(flowable, "bookmark", None) is not None and isinstance(
        flowable, Paragraph | TextParagraph
    )


def _markup_of(spans: c.Inline, lines: list[int]) -> Callable[[], str]:
    """Paragraph markup for some lines of the spans, made only if it is asked for."""
    return lambda: "<br/>".join(markup_lines(spans)[number] for number in lines)


def _is_plain(span: c.Span) -> bool:
    """Text with no styling or link: it prints the same as a string as in a paragraph."""
    return not (span.bold or span.italic or span.code or span.strike or span.href)


def shortened(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, with … where it was cut (running headers)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_pdf(
    documents: c.Document | Sequence[c.Document],
    *,
    title: str | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    """PDF bytes for one document, or for several in one file."""
    return PdfWriter(documents, title=title, progress=progress, cancelled=cancelled).render()


__all__ = ["PdfWriter", "Progress", "render_pdf"]
