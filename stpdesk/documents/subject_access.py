"""The subject access pack: one PDF (and its JSON twin) of everything held about a contact."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import SimpleDocTemplate

from ..model.types import format_date, format_datetime, parse_date, parse_datetime
from ..services import privacy
from ..services.files import write_private
from ..store import Database
from .fonts import FONT, FONT_BOLD, markup, printable, register_fonts
from .textflow import OrderedParagraph as Paragraph

LONG_TEXT = 4000  # longer notes are printed in full but split into paragraphs per line


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20),
        "heading": ParagraphStyle(
            "heading", parent=base, fontName=FONT_BOLD, fontSize=12, leading=16, spaceBefore=10
        ),
        "body": base,
        "item": ParagraphStyle("item", parent=base, leftIndent=8 * mm, spaceBefore=3),
        "small": ParagraphStyle("small", parent=base, fontSize=8, textColor=colors.grey),
    }


def _text(value: Any) -> str:
    """User text as Paragraph markup: escaped, line breaks kept, unprintable marked."""
    return markup(printable(str(value))).replace("\n", "<br/>")


def _when(value: str | None, *, with_time: bool = False) -> str:
    if not value:
        return ""
    return (
        format_datetime(parse_datetime(value)) if with_time else format_date(parse_date(value[:10]))
    )


class _NumberedCanvas(pdfcanvas.Canvas):
    """Adds "Page x of y": each page shows a form that is defined once the number of
    pages is known (PDF lets a page use a form defined later), as packs do."""

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self.doForm(f"page-footer-{self.getPageNumber()}")
        super().showPage()

    def save(self) -> None:
        total = self.getPageNumber() - 1  # showPage has moved on to the page after the last
        for number in range(1, total + 1):
            self.beginForm(f"page-footer-{number}")
            self.setFont(FONT, 8)
            self.setFillColor(colors.grey)
            self.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {number} of {total}")
            self.drawString(18 * mm, 10 * mm, "OFFICIAL-SENSITIVE: personal data")
            self.endForm()
        super().save()


def render_pdf(data: dict[str, Any]) -> bytes:
    styles = _styles()
    contact = data["contact"]
    story: list[Any] = [
        Paragraph(_text(f"Subject access: {contact['name']}"), styles["title"]),
        Paragraph(
            _text(
                f"Everything stpdesk holds about this person, produced "
                f"{_when(data['generated_at'], with_time=True)} by {data['generated_by']}."
            ),
            styles["small"],
        ),
        Paragraph("The record", styles["heading"]),
    ]
    for label, key in (
        ("Name", "name"),
        ("Role", "role"),
        ("Body", "body"),
        ("Email", "email"),
        ("Phone", "phone"),
        ("Notes", "notes"),
    ):
        if contact.get(key):
            story.append(Paragraph(f"<b>{label}:</b> {_text(contact[key])}", styles["body"]))
    story.append(
        Paragraph(
            f"<b>Added:</b> {_when(contact.get('created_at'), with_time=True)}; "
            f"<b>last changed:</b> {_when(contact.get('updated_at'), with_time=True)}",
            styles["body"],
        )
    )

    def section(title: str, items: list[Any], line: Any) -> None:
        story.append(Paragraph(_text(f"{title} ({len(items)})"), styles["heading"]))
        if not items:
            story.append(Paragraph("None.", styles["body"]))
        for item in items:
            for paragraph in line(item).split("\n\n"):
                story.append(Paragraph(paragraph, styles["item"]))

    section(
        "Meetings attended or invited to",
        data["meetings"],
        lambda m: (
            f"{_when(m['starts_at'], with_time=True)}: {_text(m['title'])}"
            f" ({_text(m['attendance'].lower())})"
        ),
    )
    section(
        "Mentions in notes and other records",
        data["mentions"],
        lambda m: (
            f"<b>{_text(m['kind'].capitalize())}</b> “{_text(m['record'])}”, "
            f"{_text(m['field'])}: {_text(m['excerpt'])}"
        ),
    )
    section(
        "Asks raised at meetings they attended",
        data["asks"],
        lambda a: (
            f"{_text(a['title'])} ({_text(a['status'].lower())}"
            + (f", raised {_when(a['raised_on'])}" if a["raised_on"] else "")
            + ")"
        ),
    )
    section(
        "Commitments they made or are linked to",
        data["commitments"],
        lambda c: (
            f"{_text(c['text'])} (due {_when(c['due_date']) or 'no date'}, "
            f"{_text(c['status'].lower())})"
        ),
    )
    section(
        "Letters addressed to them",
        data["letters"],
        lambda letter: (
            f"{_when(letter['letter_date']) or 'Undated'}: "
            f"{_text(letter['subject'] or '(no subject)')} ({_text(letter['status'].lower())})"
        ),
    )
    section(
        "Change history (audit entries)",
        data["audit_entries"],
        lambda entry: (
            f"{_when(entry['at'], with_time=True)}, {_text(entry['actor'])}: "
            f"{_text(entry['summary'])}"
        ),
    )
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Subject access: {contact['name']}",
        author="stpdesk",
    )
    document.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def export_subject_access(db: Database, contact_id: str, folder: Path) -> tuple[Path, Path]:
    """Write ``subject-access-<id>.json`` and ``.pdf`` into ``folder``."""
    data = privacy.subject_access(db, contact_id)
    folder = Path(folder)
    stem = f"subject-access-{contact_id[:8]}"
    json_path, pdf_path = folder / f"{stem}.json", folder / f"{stem}.pdf"
    text = json.dumps(data, ensure_ascii=False, indent=2)
    write_private(json_path, lambda handle: handle.write(text), text=True)
    pdf = render_pdf(data)
    write_private(pdf_path, lambda handle: handle.write(pdf), text=False)
    return json_path, pdf_path
