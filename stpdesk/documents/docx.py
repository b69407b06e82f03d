"""The Word writer: the same blocks as the PDF, as a .docx a cabinet lead can edit.

Real structure, so Word's navigation pane, styles and screen readers work: headings use
Word's Heading styles, numbered lists are Word numbering (List Number, restarted for each
list) and bullets List Bullet; text is never placed in layout tables (only data tables
are tables). The letterhead sits in the first page's own header, so it prints on page 1
only; later pages carry the recipient, date and "Page x of y" in their header.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from ..services.errors import ServiceError
from . import content as c
from .blocks import commitment_columns, field_of
from .fonts import clean_text, has_rtl, rtl_first
from .templates import display_value

FONT_NAME = "Arial"
GREY = RGBColor(0x44, 0x44, 0x44)
LINK_SCHEMES = ("http://", "https://", "mailto:")


# Fonts Word should use for Chinese, Japanese and Korean, and for Arabic and Hebrew (it
# shapes and orders them itself once it knows the text is right-to-left)
EAST_ASIAN_FONTS = (
    (re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]"), "Malgun Gothic"),
    (re.compile("[\u3040-\u30ff\u31f0-\u31ff]"), "Yu Gothic"),
    (
        re.compile(
            "[\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
        ),
        "Microsoft YaHei",
    ),
)
LEFT_TO_RIGHT_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u052f]")
# what follows w:bidi in a paragraph's properties (ECMA-376 CT_PPrBase)
_AFTER_BIDI = (
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)  # fmt: skip


def _script_run(run: Any) -> None:
    """Tell Word which fonts and direction a run's scripts need."""
    text = run.text
    for pattern, font in EAST_ASIAN_FONTS:
        if pattern.search(text):
            fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
            fonts.set(qn("w:eastAsia"), font)
            fonts.set(qn("w:hint"), "eastAsia")
            break
    if has_rtl(text):
        fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:cs"), FONT_NAME)  # Arial has Arabic and Hebrew
        run.font.cs_bold = run.bold
        run.font.cs_italic = run.italic
        if not LEFT_TO_RIGHT_LETTER.search(text):
            run.font.rtl = True


def _right_to_left(paragraph: Paragraph) -> None:
    """Lay the paragraph out right to left (its first letter is Hebrew or Arabic)."""
    properties = paragraph._p.get_or_add_pPr()
    if properties.find(qn("w:bidi")) is None:
        properties.insert_element_before(OxmlElement("w:bidi"), *_AFTER_BIDI)


def _image_ok(data: bytes | None) -> bool:
    return bool(data) and data.startswith((b"\x89PNG", b"\xff\xd8", b"GIF8"))  # type: ignore[union-attr]


class DocxWriter:
    """Writes one document as .docx bytes."""

    def __init__(self, document: c.Document) -> None:
        self.source = document
        self.doc = new_docx()
        self.letter = document.layout == "letter"
        self._list_numbers: dict[int, int] = {}  # nesting level -> numbering id in use
        self._setup()

    # --- page, styles, headers ---------------------------------------------------

    def _setup(self) -> None:
        doc, source = self.doc, self.source
        section = doc.sections[0]
        section.page_height, section.page_width = Mm(297), Mm(210)
        margin = Mm(25) if self.letter else Mm(20)
        section.left_margin = section.right_margin = margin
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        normal = doc.styles["Normal"]
        normal.font.name = FONT_NAME
        normal.font.size = Pt(10.5 if self.letter else 10)
        normal.paragraph_format.space_after = Pt(6)
        for level in (1, 2, 3):
            style = doc.styles[f"Heading {level}"]
            style.font.name = FONT_NAME
            style.font.color.rgb = (
                RGBColor(0x1A, 0x1A, 0x1A) if self.letter else RGBColor(0x1D, 0x4F, 0x91)
            )
            style.font.size = Pt({1: 12, 2: 11, 3: 10.5}[level] if self.letter else 18 - 3 * level)
            style.paragraph_format.space_before = Pt(8)
            style.paragraph_format.space_after = Pt(4)
        props = doc.core_properties
        props.title = clean_text(source.title)
        props.author = clean_text(source.author)
        props.subject = clean_text(source.subject)
        props.language = source.language
        props.keywords = clean_text(source.marking or "")
        if self.letter:
            section.different_first_page_header_footer = True
            self._continuation_header(section)
        else:
            header = section.header.paragraphs[0]
            header.text = clean_text(source.header or source.title)
            self._style_small(header)
        if source.marking:
            for footer in (section.footer, section.first_page_footer):
                paragraph = footer.paragraphs[0]
                paragraph.text = clean_text(source.marking)
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                self._style_small(paragraph, bold=True)

    def _mark_scripts(self) -> None:
        """Fonts and direction for text in other scripts, in the body, headers and
        footers."""
        parts = [self.doc.element.body]
        for section in self.doc.sections:
            for part in (section.header, section.first_page_header, section.footer):
                parts.append(part._element)
            parts.append(section.first_page_footer._element)
        for part in parts:
            for element in part.iter(qn("w:p")):
                paragraph = Paragraph(element, None)
                text = paragraph.text
                if not has_rtl(text) and text.isascii():
                    continue
                for run in paragraph.runs:
                    _script_run(run)
                if rtl_first(text):
                    _right_to_left(paragraph)

    def _style_small(self, paragraph: Paragraph, *, bold: bool = False) -> None:
        for run in paragraph.runs:
            run.font.size = Pt(8.5)
            run.font.bold = bold
            run.font.color.rgb = GREY

    def _continuation_header(self, section: Any) -> None:
        extra = self.source.extra
        parts = [clean_text(str(extra.get(key, ""))) for key in ("recipient", "date")]
        paragraph = section.header.paragraphs[0]
        paragraph.add_run(" · ".join(part for part in parts if part) + "\t\tPage ")
        self._field(paragraph, "PAGE")
        paragraph.add_run(" of ")
        self._field(paragraph, "NUMPAGES")
        self._style_small(paragraph)

    @staticmethod
    def _field(paragraph: Paragraph, code: str) -> None:
        """A Word field (PAGE, NUMPAGES) that Word fills in when it lays out the pages."""
        run = paragraph.add_run()
        begin = OxmlElement("w:fldChar")
        begin.set(qn("w:fldCharType"), "begin")
        instruction = OxmlElement("w:instrText")
        instruction.set(qn("xml:space"), "preserve")
        instruction.text = code
        separate = OxmlElement("w:fldChar")
        separate.set(qn("w:fldCharType"), "separate")
        shown = OxmlElement("w:t")
        shown.text = "1"
        end = OxmlElement("w:fldChar")
        end.set(qn("w:fldCharType"), "end")
        for element in (begin, instruction, separate, shown, end):
            run._r.append(element)

    # --- text --------------------------------------------------------------------

    def runs(self, paragraph: Paragraph, spans: c.Inline) -> None:
        for span in spans:
            parts = clean_text(span.text).split("\n")
            for index, part in enumerate(parts):
                if index:
                    paragraph.add_run().add_break(WD_BREAK.LINE)
                if not part:
                    continue
                run = paragraph.add_run(part)
                run.bold = span.bold or None
                run.italic = span.italic or None
                run.font.strike = span.strike or None
                if span.code:
                    run.font.name = "Courier New"
                if span.href and span.href.startswith(LINK_SCHEMES):
                    run.font.underline = True
                    run.font.color.rgb = RGBColor(0x1D, 0x4F, 0x91)

    def paragraphs(self, spans: c.Inline, style: str | None = None) -> list[Paragraph]:
        """A blank line in user text starts a new paragraph, as in the PDF."""
        groups: list[c.Inline] = [[]]
        for span in spans:
            chunks = clean_text(span.text).split("\n\n")
            for index, chunk in enumerate(chunks):
                if index:
                    groups.append([])
                if chunk.strip("\n"):
                    groups[-1].append(
                        c.Span(
                            chunk.strip("\n") if len(chunks) > 1 else chunk,
                            span.bold,
                            span.italic,
                            span.strike,
                            span.code,
                            span.href,
                            span.literal,
                        )
                    )
        out = []
        for group in groups:
            if not group and out:
                continue
            paragraph = self.doc.add_paragraph(style=style)
            self.runs(paragraph, group)
            out.append(paragraph)
        return out

    # --- blocks ------------------------------------------------------------------

    def flow(self, blocks: Sequence[c.Block], level: int = 0) -> None:
        for block in blocks:
            if isinstance(block, c.Heading):
                heading = self.doc.add_heading(level=min(block.level, 3))
                self.runs(heading, block.spans)
                heading.paragraph_format.keep_with_next = True
            elif isinstance(block, c.Paragraph):
                self.paragraphs(block.spans)
            elif isinstance(block, c.ListBlock):
                self.list_block(block, level)
            elif isinstance(block, c.Table):
                self.data_table(
                    [c.plain(h) for h in block.header],
                    [[c.plain(cell) for cell in row] for row in block.rows],
                )
            elif isinstance(block, c.Quote):
                for paragraph_block in block.blocks:
                    if isinstance(paragraph_block, c.Paragraph):
                        for paragraph in self.paragraphs(paragraph_block.spans, "Quote"):
                            paragraph.paragraph_format.left_indent = Mm(8)
                    else:
                        self.flow([paragraph_block], level)
            elif isinstance(block, c.Code):
                for paragraph in self.paragraphs([c.Span(block.text, code=True)]):
                    paragraph.paragraph_format.left_indent = Mm(5)
            elif isinstance(block, c.Rule):
                self.doc.add_paragraph("")
            elif isinstance(block, c.NamedBlock):
                draw = getattr(self, f"block_{block.name}", None)
                if draw is None:
                    raise ServiceError(f"the Word writer cannot draw a “{block.name}” block")
                draw(block.params)

    def list_block(self, block: c.ListBlock, level: int) -> None:
        style = "List Number" if block.ordered else "List Bullet"
        if level:
            style += f" {min(level + 1, 3)}"
        number_id = self._restart_numbering(style, block.start) if block.ordered else None
        for item in block.items:
            first, rest = (item[0], item[1:]) if item else (c.Paragraph([]), [])
            if not isinstance(first, c.Paragraph):
                first, rest = c.Paragraph([]), item
            made = self.paragraphs(first.spans, style)
            if number_id is not None:
                self._number(made[0], number_id, level)
            for paragraph in made[1:]:  # later paragraphs of the item sit under its text
                paragraph.style = self.doc.styles["List Continue"]
            for inner in rest:
                if isinstance(inner, c.Paragraph):
                    for paragraph in self.paragraphs(inner.spans, "List Continue"):
                        paragraph.paragraph_format.left_indent = Mm(6.35 * (level + 1))
                elif isinstance(inner, c.ListBlock):
                    self.list_block(inner, level + 1)
                else:
                    self.flow([inner], level + 1)

    def _restart_numbering(self, style: str, start: int) -> int:
        """A new Word list (numbering instance) for this list, so each list starts at 1."""
        numbering = self.doc.part.numbering_part.element
        style_num = self.doc.styles[style].element.pPr.numPr.numId.val
        abstract = next(
            num.abstractNumId.val for num in numbering.num_lst if num.numId == style_num
        )
        num = numbering.add_num(abstract)
        override = OxmlElement("w:lvlOverride")
        override.set(qn("w:ilvl"), "0")
        start_override = OxmlElement("w:startOverride")
        start_override.set(qn("w:val"), str(start))
        override.append(start_override)
        num.append(override)
        return num.numId

    @staticmethod
    def _number(paragraph: Paragraph, number_id: int, level: int) -> None:
        p_pr = paragraph._p.get_or_add_pPr()
        num_pr = p_pr.get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = 0
        num_pr.get_or_add_numId().val = number_id

    def data_table(self, header: list[str], rows: list[list[str]]) -> None:
        columns = max(1, len(header), *(len(row) for row in rows))
        table = self.doc.add_table(rows=1, cols=columns)
        table.style = "Table Grid"
        for index, text in enumerate(header):
            cell = table.rows[0].cells[index]
            cell.text = clean_text(text)
            for run in cell.paragraphs[0].runs:
                run.bold = True
        # the header row repeats on every page
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        for row in rows:
            cells = table.add_row().cells
            for index, text in enumerate(row):
                cells[index].text = clean_text(text)
        self.doc.add_paragraph()

    # --- named blocks ------------------------------------------------------------

    def block_page_break(self, params: dict[str, Any]) -> None:
        self.doc.add_page_break()

    def block_contents(self, params: dict[str, Any]) -> None:
        pass  # Word builds its own navigation from the real headings

    def block_logo(self, params: dict[str, Any]) -> None:
        if _image_ok(self.source.logo):
            self.doc.add_picture(io.BytesIO(self.source.logo or b""), width=Mm(params["width_mm"]))

    def block_cover(self, params: dict[str, Any]) -> None:
        self.block_logo({"width_mm": 45})
        self.doc.add_paragraph(clean_text(self.source.author)).runs[0].bold = True
        self.doc.add_heading(clean_text(params["title"]), level=0)
        if params["subtitle"]:
            self.paragraphs([c.Span(display_value(params["subtitle"]), literal=True)])
        for label, value in params["details"]:
            if display_value(value).strip():
                paragraph = self.doc.add_paragraph()
                paragraph.add_run(f"{clean_text(display_value(label))}: ").bold = True
                paragraph.add_run(clean_text(display_value(value)))
        if params["note"]:
            self.paragraphs([c.Span(display_value(params["note"]), literal=True)])
        self.doc.add_page_break()

    def block_bar_chart(self, params: dict[str, Any]) -> None:
        self.doc.add_paragraph(clean_text(params["chart"].describe()))

    def block_power_grid(self, params: dict[str, Any]) -> None:
        self.doc.add_paragraph(clean_text(params["grid"].describe()))

    def block_temperature_chart(self, params: dict[str, Any]) -> None:
        self.doc.add_paragraph(clean_text(params["chart"].describe()))

    def block_table(self, params: dict[str, Any]) -> None:
        if not params["rows"]:
            self.doc.add_paragraph(clean_text(params["empty"]))
            return
        self.data_table(
            params["headings"],
            [[display_value(field_of(r, f)) for f in params["fields"]] for r in params["rows"]],
        )

    def block_commitments_table(self, params: dict[str, Any]) -> None:
        if not params["items"]:
            self.doc.add_paragraph(clean_text(params["empty"]))
            return
        columns = commitment_columns(params)
        self.data_table(
            [heading for heading, _, _ in columns],
            [[display_value(field_of(item, f)) for _, f, _ in columns] for item in params["items"]],
        )

    def block_letterhead(self, params: dict[str, Any]) -> None:
        """In the first page's own header: logo, council name and address (page 1 only)."""
        section = self.doc.sections[0]
        header = section.first_page_header if self.letter else section.header
        name = header.paragraphs[0]
        if _image_ok(self.source.logo):
            name.add_run().add_picture(
                io.BytesIO(self.source.logo or b""), width=Mm(params["logo_width_mm"])
            )
            name = header.add_paragraph()
        name.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = name.add_run(clean_text(self.source.author))
        run.bold = True
        run.font.size = Pt(13)
        address = clean_text(str(self.source.extra.get("address") or "")).strip()
        if address:
            lines = header.add_paragraph()
            lines.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            self.runs(lines, [c.Span(address, literal=True)])
            self._style_small(lines)

    def block_addressee(self, params: dict[str, Any]) -> None:
        lines = [line for line in params["lines"] if line.strip()]
        paragraph = self.doc.add_paragraph()
        self.runs(paragraph, [c.Span("\n".join(lines), literal=True)])
        details = []
        if display_value(params["reference"]).strip():
            details.append(f"Our reference: {display_value(params['reference'])}")
        if display_value(params["date"]).strip():
            details.append(display_value(params["date"]))
        if details:
            paragraph.paragraph_format.space_after = Pt(14)
            dated = self.doc.add_paragraph()
            self.runs(dated, [c.Span("\n".join(details), literal=True)])
            dated.paragraph_format.space_after = Pt(14)

    def block_signatures(self, params: dict[str, Any]) -> None:
        """The closing line and one block per signatory, all kept on one page."""
        closing = self.doc.add_paragraph(clean_text(params["closing"]))
        made = [closing]
        for person in params["people"]:
            space = self.doc.add_paragraph()
            space.paragraph_format.space_before = Pt(28)
            space.paragraph_format.space_after = Pt(0)
            name = space.add_run(clean_text(display_value(field_of(person, "name"))))
            name.bold = True
            made.append(space)
            for field in ("position", "council"):
                value = display_value(field_of(person, field)).strip()
                if value:
                    line = self.doc.add_paragraph(clean_text(value))
                    line.paragraph_format.space_after = Pt(0)
                    made.append(line)
        for paragraph in made[:-1]:
            paragraph.paragraph_format.keep_with_next = True
        made[-1].paragraph_format.space_after = Pt(10)

    # --- the whole document ------------------------------------------------------

    def render(self) -> bytes:
        self.flow(self.source.blocks)
        self._mark_scripts()
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def render_docx(document: c.Document) -> bytes:
    """.docx bytes for one document."""
    return DocxWriter(document).render()


__all__ = ["DocxWriter", "render_docx"]
