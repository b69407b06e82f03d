"""Data tables of plain text are laid out by ``documents/textflow.py`` rather than by
ReportLab's Table of Paragraphs: they must print the same words, break lines where a
Paragraph breaks them, repeat their header and split rows the way a reader expects."""

from __future__ import annotations

import io
import random

import pytest
from pypdf import PdfReader
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from stpdesk.documents import content as c
from stpdesk.documents.fonts import FONT, FONT_BOLD, register_fonts
from stpdesk.documents.pdf import render_pdf
from stpdesk.documents.textflow import TextTable, break_lines

SENTENCE = (
    "Kent County Council asked the Integrated Care Board for a seat on the partnership "
    "board housing officers in hospital discharge teams Disabled Facilities Grants "
    "1,809 days overdue Łukasiewicz Ćwik Zoë O'Connor 22 November 2026 co-chairing"
)
WORDS = SENTENCE.split(" ")


def _paragraph_lines(text: str, width: float, font: str, size: float) -> list[str]:
    style = ParagraphStyle("x", fontName=font, fontSize=size, leading=size * 1.2)
    paragraph = Paragraph(text, style)  # words without markup: one fragment
    paragraph.wrap(width, 10_000)
    return [" ".join(words) for _, words in paragraph.blPara.lines]


@pytest.mark.parametrize("font", [FONT, FONT_BOLD])
def test_lines_break_where_a_paragraph_breaks_them(font: str) -> None:
    register_fonts()
    chooser = random.Random(8)
    for _ in range(300):
        text = " ".join(chooser.choice(WORDS) for _ in range(chooser.randint(1, 40)))
        width = chooser.uniform(40, 300)
        ours = [line for line, _ in break_lines(text, width, font, 9)]
        assert ours == _paragraph_lines(text, width, font, 9), (text, width)


def test_a_word_wider_than_its_column_is_split_and_kept_whole() -> None:
    register_fonts()
    word = "https://example.org/" + "a-very-long-path" * 12
    lines = break_lines(f"See {word} today", 120, FONT, 9)
    assert "".join(line for line, _ in lines).replace(" ", "") == f"See{word}today"
    assert all(width <= 120 + 0.5 for _, width in lines)
    assert [line for line, _ in lines] == _paragraph_lines(f"See {word} today", 120, FONT, 9)


def _document(rows: list[list[str]], align: list[str] | None = None) -> c.Document:
    table = c.Table(
        header=[[c.Span("Commitment")], [c.Span("Who")], [c.Span("Days")]],
        rows=[[[c.Span(text, literal=True)] for text in row] for row in rows],
        align=align or ["left", "left", "right"],
    )
    return c.Document(title="Tables", blocks=[c.Heading(1, [c.Span("Commitments")]), table])


def _pages(document: c.Document) -> list[str]:
    reader = PdfReader(io.BytesIO(render_pdf(document)))
    return [page.extract_text() for page in reader.pages]


def test_a_plain_table_is_drawn_as_text_and_prints_every_cell_faithfully() -> None:
    from stpdesk.documents.pdf import PdfWriter

    rows = [
        ["Share <b>the</b> plan & report", "Łukasiewicz, Ćwik", "1,809"],
        ["Confirm funding 😀 in writing", "Zoë O'Connor", "12"],
    ]
    document = _document(rows)
    writer = PdfWriter(document)
    assert any(isinstance(flowable, TextTable) for flowable in writer.story())
    text = _pages(document)[0]
    assert "Share <b>the</b> plan & report" in text
    assert "Łukasiewicz, Ćwik" in text
    assert "Confirm funding \ufffd in writing" in text  # no glyph: a visible mark
    assert "1,809" in text


def test_a_table_runs_over_pages_with_its_header_on_each_and_no_text_lost() -> None:
    rows = [
        [f"Commitment {n}: " + "report back on discharge " * (n % 7 + 1), f"Person {n}", str(n)]
        for n in range(1, 121)
    ]
    pages = _pages(_document(rows))
    assert len(pages) >= 4
    for page in pages:
        assert page.count("Commitment") >= 1 and "Who" in page and "Days" in page
    joined = " ".join(" ".join(page.split()) for page in pages)
    for n in range(1, 121):
        assert f"Commitment {n}:" in joined and f"Person {n}" in joined


def test_a_row_taller_than_a_page_splits_and_keeps_two_lines_a_side() -> None:
    register_fonts()
    long_text = "\n".join(f"Line {n} of the discharge note" for n in range(1, 25))
    rows = [["Short row", "A", "1"]] * 30 + [[long_text, "B", "2"]]
    document = _document(rows)
    pages = _pages(document)
    joined = "\n".join(pages)
    positions = [joined.index(f"Line {n} of") for n in range(1, 25)]
    assert positions == sorted(positions)  # every line, in order
    # wherever the tall row broke, each side kept at least two of its lines
    for page in pages:
        count = sum(1 for n in range(1, 25) if f"Line {n} of" in page)
        assert count == 0 or count >= 2


def test_table_splits_never_leave_a_header_alone_at_a_page_foot() -> None:
    from stpdesk.documents.pdf import GRID_LOOK
    from stpdesk.documents.textflow import CellStyle, TextCell

    register_fonts()
    style = CellStyle(FONT, 9, 12, None)  # type: ignore[arg-type]
    header = [TextCell("Head", style)]
    table = TextTable(header, [[TextCell("one\ntwo\nthree\nfour", style)]], [200], GRID_LOOK)
    header_height = table.first_rows_height(0)
    assert table.split(200, header_height + 12 + 7) == []  # one line would fit: not enough
    first, rest = table.split(200, header_height + 24 + 7)  # two lines fit: split
    assert first.height < table.height and rest.first_rows_height(0) == header_height


# --- paragraphs ------------------------------------------------------------------------


def _build(flowables: list, width: float = 300) -> list[str]:
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=(width + 72, 400), leftMargin=36, rightMargin=36)
    doc.build(flowables)
    return [page.extract_text().strip() for page in PdfReader(io.BytesIO(buffer.getvalue())).pages]


def _rich(chooser: random.Random) -> tuple[list[tuple[str, str]], str]:
    """Random text in runs of plain, bold and italic, and the same as Paragraph markup."""
    from xml.sax.saxutils import escape

    from stpdesk.documents.fonts import FONT_ITALIC

    runs, markup = [], []
    for _ in range(chooser.randint(1, 12)):
        text = " ".join(chooser.choice(WORDS) for _ in range(chooser.randint(1, 6)))
        text += chooser.choice([" ", "", ": ", "; "])
        font, tag = chooser.choice([(FONT, ""), (FONT_BOLD, "b"), (FONT_ITALIC, "i")])
        runs.append((text, font))
        markup.append(f"<{tag}>{escape(text)}</{tag}>" if tag else escape(text))
    return runs, "".join(markup)


def test_rich_paragraphs_print_the_lines_a_paragraph_prints() -> None:
    from reportlab.lib.styles import ParagraphStyle

    from stpdesk.documents.textflow import TextParagraph

    register_fonts()
    chooser = random.Random(25)
    for round_number in range(40):
        runs, markup = _rich(chooser)
        style = ParagraphStyle(
            "p", fontName=FONT, fontSize=10, leading=14, leftIndent=chooser.choice([0, 16, 28])
        )
        bullet = chooser.choice([None, "•", "12."])
        ours = _build([TextParagraph(runs, style, markup, bullet)])
        theirs = _build([Paragraph(markup, style, bulletText=bullet)])
        assert ours == theirs, (round_number, markup)


def test_a_long_note_splits_across_pages_keeping_two_lines_each_side() -> None:
    from reportlab.lib.styles import ParagraphStyle

    from stpdesk.documents.textflow import TextParagraph

    register_fonts()
    style = ParagraphStyle(
        "p", fontName=FONT, fontSize=10, leading=14, allowWidows=0, allowOrphans=0
    )
    lines = [f"Note line {n}" for n in range(1, 61)]
    paragraph = TextParagraph([("\n".join(lines), FONT)], style, "")
    paragraph.wrap(300, 1000)
    assert paragraph.split(300, 14 * 1.5) == []  # one line fits: an orphan, so none
    first, rest = paragraph.split(300, 14 * 59 + 1)  # all but one: the widow takes company
    assert first.wrap(300, 1000)[1] == 14 * 58 and rest.wrap(300, 1000)[1] == 14 * 2
    pages = _build([TextParagraph([("\n".join(lines), FONT)], style, "")])
    assert len(pages) > 2
    assert " ".join(pages).split() == " ".join(lines).split()


def test_a_word_wider_than_the_line_prints_whole_through_a_paragraph() -> None:
    from reportlab.lib.styles import ParagraphStyle

    from stpdesk.documents.textflow import TextParagraph

    register_fonts()
    style = ParagraphStyle("p", fontName=FONT, fontSize=10, leading=14)
    word = "https://example.org/" + "discharge-pathway-" * 30
    paragraph = TextParagraph([(f"See {word} now", FONT)], style, f"See {word} now")
    text = "".join(_build([paragraph])).replace("\n", "")
    assert text.replace(" ", "") == f"See{word}now"
