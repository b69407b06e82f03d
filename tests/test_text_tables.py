"""Data tables of plain text are laid out by ``documents/textflow.py`` rather than by
ReportLab's Table of Paragraphs: they must print the same words, break lines where a
Paragraph breaks them, repeat their header and split rows the way a reader expects."""

from __future__ import annotations

import io
import random
import re
from collections.abc import Iterator, Sequence
from xml.sax.saxutils import escape

import pytest
from conftest import computer_fonts
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab import rl_config
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from stpdesk.documents import content as c
from stpdesk.documents.fonts import (
    FONT,
    FONT_BOLD,
    FONT_BOLD_ITALIC,
    FONT_ITALIC,
    font_runs,
    markup,
    printable,
    register_fonts,
)
from stpdesk.documents.pdf import CELL_CHARS, render_pdf
from stpdesk.documents.textflow import TextTable, break_lines, words_of

SENTENCE = (
    "Kent County Council asked the Integrated Care Board for a seat on the partnership "
    "board housing officers in hospital discharge teams Disabled Facilities Grants "
    "1,809 days overdue Łukasiewicz Ćwik Zoë O'Connor 22 November 2026 co-chairing"
)
WORDS = SENTENCE.split(" ")


def _printed_lines(paragraph: Paragraph, width: float) -> list[str]:
    """The lines ReportLab's own Paragraph breaks into at ``width``, as it prints them (a
    space it leaves at the end of a line of several runs prints nothing)."""
    paragraph.wrap(width, 10_000)
    broken = paragraph.blPara  # see Paragraph.breakLines for its two kinds
    if broken.kind == 0:
        return [" ".join(words) for _, words in broken.lines]
    return ["".join(run.text for run in line.words).rstrip(" ") for line in broken.lines]


def _paragraph_lines(text: str, width: float, font: str, size: float) -> list[str]:
    """What a table cell's Paragraph of the same text prints (see PdfWriter._cell)."""
    style = ParagraphStyle("x", fontName=font, fontSize=size, leading=size * 1.2)
    markup = "<br/>".join(escape(line) for line in text.split("\n"))
    return _printed_lines(Paragraph(markup, style), width)


# Text as users type it: words short and long (web addresses), markup characters, letters
# beyond Latin the font carries (Arabic, which its italic faces lack; and some it does not:
# 病院 printed in another font on the computer, 🏥 as �), lone accents, runs of spaces,
# non-breaking and other spaces, line breaks; and any text at all.
LETTERS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789iIlW"
    "ŁłĆćŚśŻżÖöëßαβγΔЖжщЯשלוםԱբգაბ—–-,.;:'\"()<>&/?!£€%\u0301\u0308\ufffd病院🏥مرحبا"
)
WORD = (
    st.text(LETTERS, min_size=1, max_size=12)
    | st.text(LETTERS, min_size=20, max_size=80)
    | st.sampled_from(["\u0301", "A&E", "<b>", "\xa0", "a\xa0b"])
)
GAP = st.sampled_from([" ", "  ", "      ", "\n", "\n\n", " \n ", "\xa0 ", " \u2009", "\u3000"])
TEXT = (st.lists(WORD | GAP, max_size=30).map("".join) | st.text(max_size=40)).map(printable)
FACES = [FONT, FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC]
SIZES = st.sampled_from([6, 8, 9, 10.5, 14, 26]) | st.floats(5, 30)


@pytest.fixture(scope="module", autouse=True)
def _computer_fonts() -> Iterator[None]:
    """The same fonts on the computer on any machine: 病院 in a font of their own."""
    with computer_fonts():
        yield


def widths_for(
    runs: list[tuple[str, str]], size: float, least: float, before: Sequence[float] = (0,)
) -> st.SearchStrategy[float]:
    """Any width; or one near a word's (where it fits, wraps or must be split); or one
    where a line of the text fills, give or take what its spaces may shrink. ``before``
    is what a line's width loses (indent, bullet)."""
    lines = words_of(runs)
    words = [
        sum(stringWidth(text, font, size) for text, font in word) for line in lines for word in line
    ]
    ends = [0.0]  # where the first words of a line end, and what their spaces may shrink
    for line in lines:
        used = 0.0
        for index, word in enumerate(line):
            if index:
                used += stringWidth(" ", line[index - 1][-1][1], size)
            used += sum(stringWidth(text, font, size) for text, font in word)
            ends.append(used - index * rl_config.spaceShrinkage * stringWidth(" ", FONT, size))
    near = st.tuples(st.sampled_from(words or [10.0]), st.floats(0.5, 4) | st.floats(0.98, 1.15))
    fill = st.tuples(st.sampled_from(ends), st.sampled_from([0.0, 1e-9, -1e-9]) | st.floats(-2, 2))
    return st.tuples(
        st.floats(least, 500) | near.map(lambda p: p[0] * p[1]) | fill.map(sum),
        st.sampled_from(before),
    ).map(lambda p: max(least, p[0] + p[1]))


@st.composite
def cells(draw: st.DrawFn) -> tuple[str, float, str, float]:
    """Text, column width, font and size."""
    text, font, size = draw(TEXT), draw(st.sampled_from(FACES)), draw(SIZES)
    return text, draw(widths_for([(text, font)], size, 3)), font, size


@settings(max_examples=150, deadline=None)
@given(cells())
# found on the way: a character wider than the column; a line break at the end; a word
# whose width a Paragraph sums from runs (its "<" is one) filling the line to the last bit;
# a lone accent (no width) among lines
@example(("00 0", 3.0, FONT, 6))
@example(("a\n", 50.0, FONT, 9))
@example(("000<%%Ж 0 00<0%%Ж", 51.51708984375001, FONT, 9))
@example((" ".join(["aaaa", "\u0301"] * 3) + "\nb", 50.0, FONT, 9))
@example(("0 \u0301\n", 4.0, FONT, 6))  # a line break at the end makes the markup runs
def test_cell_lines_are_the_lines_a_paragraph_breaks_into(
    case: tuple[str, float, str, float],
) -> None:
    register_fonts()
    text, width, font, size = case
    ours = [line for line, _ in break_lines(text, width, font, size)]
    assert ours == _paragraph_lines(text, width, font, size)


Runs = list[tuple[str, str]]


@st.composite
def paragraphs(draw: st.DrawFn) -> tuple[Runs, float, float, float, str | None]:
    """Runs of text and font, width, size, indent and bullet."""
    runs = draw(st.lists(st.tuples(TEXT, st.sampled_from(FACES)), min_size=1, max_size=8))
    size = draw(SIZES)
    indent = draw(st.sampled_from([0, 12, 16, 28.5]))
    bullet = draw(st.sampled_from([None, "•", "12.", "iv."]))
    bullet_end = 0.0  # where a bullet ends, as a Paragraph sets it (its first line is shorter)
    if bullet:
        bullet_end = max(0, indent - 12) + stringWidth(bullet, FONT, size) + 0.6 * size
    width = draw(widths_for(runs, size, 20, (indent, max(indent, bullet_end))))
    return runs, width, size, indent, bullet


@settings(max_examples=150, deadline=None)
@given(paragraphs())
# found on the way: a word wider than a bulleted first line but not the next; spaces in
# two fonts shrinking to the last bit; a lone accent (no width) in runs of two fonts; a
# space in a run of its own font, which a Paragraph measures in that font
@example(([("0 00000000000000000000", FONT)], 77.0, 6, 0, "•"))
@example(
    ([("0 ", FONT), ("0 ", FONT_BOLD), ("0 ", FONT), ("0", FONT)], 21.235107421875, 6, 0, None)
)
@example(([("0 ", FONT), ("0 ", FONT_BOLD), ("0 ", FONT), ("0", FONT)], 21.294, 6, 0, None))
@example(([("aaaa ", FONT), ("\u0301 ", FONT_BOLD)] * 3 + [("\nb", FONT)], 50.0, 9, 0, None))
@example(([("0", FONT), (" ", FONT_BOLD), ("00000", FONT)], 24.75, 6, 0, None))
def test_paragraph_lines_are_the_lines_a_paragraph_breaks_into(
    case: tuple[Runs, float, float, float, str | None],
) -> None:
    """Runs of plain, bold and italic text, indented, with or without a bullet: where
    TextParagraph lays them out, it prints a Paragraph's lines; else it is that Paragraph."""
    from stpdesk.documents.textflow import TextParagraph

    register_fonts()
    typed, width, size, indent, bullet = case
    # as the PDF writer sets them: runs split where another font draws the characters
    runs = [piece for text, font in typed for piece in font_runs(text, font)]
    markup_text = "".join(
        "<br/>".join(
            markup(
                line, font in (FONT_BOLD, FONT_BOLD_ITALIC), font in (FONT_ITALIC, FONT_BOLD_ITALIC)
            )
            for line in text.split("\n")
        )
        for text, font in typed
    )
    style = ParagraphStyle(
        "p",
        fontName=FONT,
        fontSize=size,
        leading=size * 1.3,
        leftIndent=indent,
        bulletIndent=max(0, indent - 12),
    )
    ours = TextParagraph(runs, style, markup_text, bullet)
    theirs = Paragraph(markup_text, style, bulletText=bullet)
    lines = ours.line_texts(width)
    if lines is not None:
        assert lines == _printed_lines(theirs, width)
    assert ours.wrap(width, 10_000) == theirs.wrap(width, 10_000)


def test_plain_text_is_laid_out_by_textflow_not_left_to_a_paragraph() -> None:
    from stpdesk.documents.textflow import TextParagraph

    register_fonts()
    style = ParagraphStyle("p", fontName=FONT, fontSize=10, leading=14)
    runs = [(SENTENCE + " ", FONT), ("Agree", FONT_BOLD), (": A&E <first>", FONT_ITALIC)]
    lines = TextParagraph(runs, style, "").line_texts(300)
    assert lines is not None and len(lines) > 3


def test_a_word_wider_than_its_column_is_split_and_kept_whole() -> None:
    register_fonts()
    word = "https://example.org/" + "a-very-long-path" * 12
    lines = break_lines(f"See {word} today", 120, FONT, 9)
    assert "".join(line for line, _ in lines).replace(" ", "") == f"See{word}today"
    assert all(width <= 120 + 0.5 for _, width in lines)
    assert [line for line, _ in lines] == _paragraph_lines(f"See {word} today", 120, FONT, 9)


def _document(
    rows: list[list[str]], align: list[str] | None = None, *, bold: bool = False
) -> c.Document:
    heads = ["Commitment", "Who", "Days", "Notes", "Body", "Status"][: len(rows[0])]
    table = c.Table(
        header=[[c.Span(head)] for head in heads],
        rows=[
            [
                [c.Span(text, literal=True, bold=bold and column == 0)]
                for column, text in enumerate(row)
            ]
            for row in rows
        ],
        align=align or ["left", "left", "right", "left", "left", "left"][: len(rows[0])],
    )
    return c.Document(title="Tables", blocks=[c.Heading(1, [c.Span("Commitments")]), table])


def _pages(document: c.Document) -> list[str]:
    reader = PdfReader(io.BytesIO(render_pdf(document)))
    return [page.extract_text() for page in reader.pages]


def _flat(text: str) -> str:
    return " ".join(text.split())


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
    # beyond the Basic Multilingual Plane: DejaVu draws it, and its text can be copied
    assert "Confirm funding 😀 in writing" in text
    assert "1,809" in text


@pytest.mark.parametrize("bold", [False, True], ids=["text table", "ReportLab table"])
def test_a_table_runs_over_pages_with_its_header_on_each_and_every_row_whole(bold: bool) -> None:
    """Plain cells make a text table; a bold one, a ReportLab Table: either way a row is
    never split across a page break, and each page starts with the header row."""
    phrase = "report back on discharge and the ward's next steps "
    rows = [  # three to seven lines each: rows that could split
        [f"Commitment {n}: " + phrase * (n % 5 + 4), f"Person {n}", str(n)] for n in range(1, 121)
    ]
    pages = [_flat(page) for page in _pages(_document(rows, bold=bold))]
    assert len(pages) >= 10
    for page in pages:
        assert "Commitment Who Days" in page  # the header row
    for n, (commitment, person, _) in enumerate(rows, start=1):
        showing = [page for page in pages if f"Commitment {n}: " in page]
        assert len(showing) == 1, f"row {n} is on {len(showing)} pages"
        assert _flat(commitment) in showing[0] and f"{person} {n}" in showing[0]


@pytest.mark.parametrize("bold", [False, True], ids=["text table", "ReportLab table"])
def test_a_row_taller_than_a_page_flows_over_pages_keeping_two_lines_a_side(bold: bool) -> None:
    """Six narrow columns: one row's note is taller than a page, so the row must split
    (kept whole it would never fit, and the document could not be made)."""
    note = " ".join(f"Point {n} of the discharge note." for n in range(1, 46))
    assert len(note) <= CELL_CHARS  # shown in full in its cell, not moved below the table
    other = "Text long enough to take its share of the table's width, no more."
    rows = [["Short row", "A", "1", "x", "y", "z"]] * 30 + [[note, *[other] * 5]]
    pages = _pages(_document(rows, bold=bold))
    points = re.findall(r"Point (\d+)\b", _flat(" ".join(pages)))
    assert points == [str(n) for n in range(1, 46)]  # all the note, in order
    # the note's lines on each page: each side of a break keeps at least two
    counts = [
        sum(1 for line in page.split("\n") if "Point" in line or "discharge" in line)
        for page in pages
    ]
    shown = [count for count in counts if count]
    assert len(shown) >= 2 and min(shown) >= 2, counts


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
