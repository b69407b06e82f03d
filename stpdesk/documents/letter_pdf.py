"""The letter layout of the PDF writer: letterhead on the first page only; later pages
carry a continuation line (recipient, date, "Page x of y"); signature blocks stay on one
page with the closing line."""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from . import content as c
from .blocks import field_of
from .fonts import FONT, FONT_BOLD, markup, printable
from .pdf import INK, RULE, PdfWriter, shortened
from .templates import display_value
from .textflow import OrderedParagraph as Paragraph
from .textflow import draw_string

GREY = colors.HexColor("#444444")
SIGNATURE_SPACE = 14 * mm  # room to sign by hand


def _text(value: Any) -> str:
    return markup(printable(display_value(value)))


class LetterPdfWriter(PdfWriter):
    """A4 letter: wider margins, plain headings, letter blocks."""

    margin_left = margin_right = 25 * mm
    margin_top = 20 * mm
    margin_bottom = 22 * mm
    font_size = 10.5

    def build_styles(self) -> StyleSheet1:
        sheet = super().build_styles()
        size = self.font_size
        for level in (1, 2, 3):  # a letter's subject and sections: bold, in the text colour
            style = sheet[f"h{level}"]
            style.fontSize = size * (1.1 if level == 1 else 1.0)
            style.leading = style.fontSize * 1.35
            style.textColor = INK
            style.spaceBefore = 8 if level == 1 else 6
            style.spaceAfter = size * 0.5
        base = sheet["body"]
        sheet.add(
            ParagraphStyle(
                "council-name",
                parent=base,
                fontName=FONT_BOLD,
                fontSize=13,
                leading=16,
                alignment=TA_RIGHT,
                spaceAfter=2,
            )
        )
        sheet.add(
            ParagraphStyle(
                "council-address",
                parent=base,
                fontSize=9,
                leading=12,
                alignment=TA_RIGHT,
                textColor=GREY,
                spaceAfter=0,
            )
        )
        sheet.add(ParagraphStyle("address", parent=base, spaceAfter=0))
        sheet.add(ParagraphStyle("closing", parent=base, spaceBefore=4, spaceAfter=0))
        sheet.add(ParagraphStyle("signer", parent=base, fontName=FONT_BOLD, spaceAfter=0))
        sheet.add(ParagraphStyle("signer-role", parent=base, spaceAfter=0))
        return sheet

    # --- pages -------------------------------------------------------------------

    def page_templates(self) -> list[PageTemplate]:
        width, height = self.page_size

        def frame(name: str, top: float) -> Frame:
            return Frame(
                self.margin_left,
                self.margin_bottom,
                self.frame_width,
                height - top - self.margin_bottom,
                id=name,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
            )

        first = PageTemplate(
            "first",
            [frame("first", self.margin_top)],
            onPageEnd=self.draw_first_page,
            autoNextPageTemplate="later",
        )
        later = PageTemplate(
            "later", [frame("later", self.margin_top + 10 * mm)], onPageEnd=self.draw_later_page
        )
        return [first, later]

    def _footer(self, canvas: pdfcanvas.Canvas) -> None:
        marking = printable(self.current.marking or "").strip()
        if marking:
            canvas.setFillColor(INK)
            draw_string(canvas, self.page_size[0] / 2, 10 * mm, marking, FONT_BOLD, 8, "centre")

    def draw_first_page(self, canvas: pdfcanvas.Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        self._footer(canvas)
        canvas.restoreState()
        canvas.first_page = True

    def draw_later_page(self, canvas: pdfcanvas.Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        self._footer(canvas)
        width, height = self.page_size
        top = height - self.margin_top
        extra = self.current.extra
        line = " · ".join(
            part
            for part in (
                printable(str(extra.get("recipient", ""))),
                printable(str(extra.get("date", ""))),
            )
            if part
        )
        canvas.setFillColor(GREY)
        draw_string(canvas, self.margin_left, top, shortened(line, 80), FONT, 8.5)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(self.margin_left, top - 2.5 * mm, width - self.margin_right, top - 2.5 * mm)
        canvas.restoreState()
        canvas.first_page = False

    def draw_page_number(self, canvas: pdfcanvas.Canvas, number: int, total: int) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8.5)
        canvas.setFillColor(GREY)
        text = f"Page {number} of {total}"
        right = self.page_size[0] - self.margin_right
        if number == 1:
            if total > 1:  # a one-page letter needs no number
                canvas.drawRightString(right, 10 * mm, text)
        else:
            canvas.drawRightString(right, self.page_size[1] - self.margin_top, text)
        canvas.restoreState()

    # --- letter blocks -----------------------------------------------------------

    def block_letterhead(
        self, params: dict[str, Any], document: c.Document, offset: int
    ) -> list[Flowable]:
        right: list[Flowable] = [
            Paragraph(markup(printable(document.author)), self.styles["council-name"])
        ]
        address = str(document.extra.get("address") or "").strip()
        if address:
            lines = [
                markup(line.strip()) for line in printable(address).split("\n") if line.strip()
            ]
            right.append(Paragraph("<br/>".join(lines[:12]), self.styles["council-address"]))
        logo = self._logo(document, params["logo_width_mm"], max_height=28 * mm)
        left: Flowable | str = logo if logo is not None else ""
        logo_width = params["logo_width_mm"] * mm + 4 * mm if logo is not None else 0
        table = Table(
            [[left, right]],
            colWidths=[logo_width, self.frame_width - logo_width],
            hAlign="LEFT",
        )
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.6, RULE),
                ]
            )
        )
        return [table, Spacer(1, 10 * mm)]

    def block_addressee(
        self, params: dict[str, Any], document: c.Document, offset: int
    ) -> list[Flowable]:
        lines = [markup(printable(line)) for line in params["lines"] if line.strip()]
        out: list[Flowable] = [Paragraph("<br/>".join(lines), self.styles["address"])]
        details = []
        if display_value(params["reference"]).strip():
            details.append(f"Our reference: {_text(params['reference'])}")
        if display_value(params["date"]).strip():
            details.append(_text(params["date"]))
        if details:
            out += [Spacer(1, 6 * mm), Paragraph("<br/>".join(details), self.styles["address"])]
        return [KeepTogether(out), Spacer(1, 7 * mm)]

    def block_signatures(
        self, params: dict[str, Any], document: c.Document, offset: int
    ) -> list[Flowable]:
        blocks = [self._signature(person) for person in params["people"]]
        closing = Paragraph(markup(printable(params["closing"])), self.styles["closing"])
        if len(blocks) <= 1:
            body: list[Flowable] = blocks[0] if blocks else []
            return [KeepTogether([closing, *body]), Spacer(1, 6)]
        # two signatories to a row; each row stays whole, the first row stays with the closing
        half = self.frame_width / 2
        rows = []
        for start in range(0, len(blocks), 2):
            pair = blocks[start : start + 2]
            cells: list[Any] = [pair[0], pair[1] if len(pair) > 1 else ""]
            row = Table([cells], colWidths=[half, half], hAlign="LEFT")
            row.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                    ]
                )
            )
            rows.append(row)
        return [KeepTogether([closing, rows[0]]), *rows[1:], Spacer(1, 6)]

    def _signature(self, person: Any) -> list[Flowable]:
        out: list[Flowable] = [
            Spacer(1, SIGNATURE_SPACE),
            Paragraph(_text(field_of(person, "name")), self.styles["signer"]),
        ]
        for name in ("position", "council"):
            value = display_value(field_of(person, name)).strip()
            if value:
                out.append(Paragraph(_text(value), self.styles["signer-role"]))
        return out


__all__ = ["LetterPdfWriter"]
