"""Grids and paragraphs of plain text, laid out and drawn straight onto the canvas.

ReportLab's Table holds a Paragraph per cell: each cell is parsed as markup, broken into
lines word by word, measured again to size, split and draw the table, and drawn fragment
by fragment. That was most of a briefing pack's layout time (without this module a pack
takes about 1.7 times as long: 3.2 times ReportLab alone, against a budget of 2). A cell
of plain text in one style (no bold word within it, no link) needs none of it: here its
words are measured once per font (they repeat across a pack: names, bodies, "days
overdue"), broken into lines the way a Paragraph breaks them (greedy, spaces may shrink
by 5%), and each part of the table is drawn as one text object. Text with a word wider
than its column is broken by a Paragraph itself.

Each row is kept whole on a page, the header row repeated on the next; a row taller than
a page splits, keeping at least two lines of a cell on each side of the break.

Paragraphs of plain, bold and italic text (most of a pack: list items, notes, talking
points) are laid out the same way by :class:`TextParagraph`; anything else (links, code,
strike-through, a word wider than the line) stays a ReportLab Paragraph.

The lines are those ReportLab 5's Paragraph breaks into, to the last bit of its sums:
``tests/test_text_tables.py`` checks that for any text, width, face and size (hypothesis).
Only ReportLab's public names are used; pyproject pins ReportLab to the major version
checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph
from reportlab.platypus.paragraph import split as split_words

from .fonts import font_runs, has_rtl, rtl_first, visual, visual_runs

Line = tuple[str, float]  # text and its width in points
_ESCAPED = re.compile("([<>&])")


@dataclass(frozen=True, slots=True)
class CellStyle:
    font: str
    size: float
    leading: float
    colour: Color
    align: str = "left"  # left, right or center


@dataclass(frozen=True, slots=True)
class TableLook:
    """Padding, header shading and rules: one look for every grid in a document."""

    top: float
    bottom: float
    left: float
    right: float
    header_fill: Color | None = None
    header_rule: tuple[float, Color] | None = None
    row_rule: tuple[float, Color] | None = None


@dataclass(slots=True)
class TextCell:
    text: str
    style: CellStyle


@dataclass(slots=True)
class _Row:
    cells: list[tuple[list[Line], CellStyle]]
    height: float = field(default=0.0)


class _Measure:
    """Word widths in one font and size, each word measured once."""

    _shared: dict[tuple[str, float], _Measure] = {}

    def __init__(self, font: str, size: float) -> None:
        self.font, self.size = font, size
        self.widths: dict[str, float] = {}
        self.space = stringWidth(" ", font, size)

    @classmethod
    def of(cls, font: str, size: float) -> _Measure:
        key = (font, size)
        measure = cls._shared.get(key)
        if measure is None:
            measure = cls._shared[key] = cls(font, size)
        return measure

    def width(self, word: str) -> float:
        width = self.widths.get(word)
        if width is None:
            if "<" in word or ">" in word or "&" in word:
                # a Paragraph's markup holds these escaped, each a run of its own, and it
                # sums a word's runs: the same sum here, to the last bit
                pieces = _ESCAPED.split(word)
                width = sum(stringWidth(piece, self.font, self.size) for piece in pieces if piece)
            else:
                width = stringWidth(word, self.font, self.size)
            if len(self.widths) < 50_000:  # a bound, for a process that writes for days
                self.widths[word] = width
        return width


def break_lines(text: str, width: float, font: str, size: float) -> list[Line]:
    """``text`` broken into lines no wider than ``width``, as a left-aligned Paragraph of
    the same text (its line breaks as ``<br/>``) breaks them.

    A short cell's lines are kept: names, dates and states repeat from row to row and
    pack to pack (a meeting pack at 100,000 meetings breaks 425 cells, 260 of them
    different; ten packs, 3,400 and 739)."""
    if len(text) <= _KEPT_CELL:
        return list(_kept_lines(text, width, font, size))
    return _break_lines(text, width, font, size)


_KEPT_CELL = 400  # characters


@lru_cache(maxsize=8192)
def _kept_lines(text: str, width: float, font: str, size: float) -> tuple[Line, ...]:
    return tuple(_break_lines(text, width, font, size))


def _break_lines(text: str, width: float, font: str, size: float) -> list[Line]:
    """See :func:`break_lines`.

    Words are set greedily, and a space may shrink by ``rl_config.spaceShrinkage`` (5%)
    to keep a word on its line, as a Paragraph sets them. Text with a word wider than the
    line (a long web address) is broken by a Paragraph itself, which splits that word."""
    measure = _Measure.of(font, size)
    parts = [[word for word in split_words(part) if word] for part in text.split("\n")]
    if len(parts) > 1 and not parts[-1]:
        parts.pop()  # a line break at the end starts no line
    if parts == [[]]:
        return []  # no text: no line
    space = measure.space
    shrinkage = rl_config.spaceShrinkage
    shrink = shrinkage * space
    # one run of text, which a Paragraph sets a little differently: no line break (even one
    # at the end, whose <br/> makes the markup runs), and no character its markup escapes
    # (each of those is a run of its own)
    simple = not any(c in text for c in "\n<>&")
    lines: list[Line] = []
    for words in parts:
        current: list[str] = []
        used = -space
        for word in words:
            word_width = measure.width(word)
            if word_width > width:
                return _paragraph_lines(text, width, font, size)
            if simple:
                wanted = used + space + word_width
                limit = width + shrink * len(current)
            else:  # as a Paragraph of runs sets it, to the last bit
                if word_width > 0:
                    wanted = used + space + word_width
                elif current:  # a word of no width (a lone accent) gets no space either
                    wanted = used
                else:
                    wanted = 0.0
                # this space, then those already on the line
                spaces = (space + (len(current) - 1) * space) if current else 0.0
                limit = width + spaces * shrinkage
            if wanted <= limit:
                current.append(word)
                used = wanted
                continue
            lines.append((" ".join(current), used))
            current, used = [word], word_width
        lines.append((" ".join(current), max(used, 0.0)))
    return lines


def _paragraph_lines(text: str, width: float, font: str, size: float) -> list[Line]:
    """The lines a Paragraph of ``text`` breaks into (see ``Paragraph.breakLines``)."""
    markup = "<br/>".join(escape(part) for part in text.split("\n"))
    style = ParagraphStyle("lines", fontName=font, fontSize=size, leading=size)
    broken = Paragraph(markup, style).breakLines(width)
    if broken.kind == 0:  # one run of text: each line is (space left, words)
        texts = [" ".join(words) for _, words in broken.lines]
    else:  # runs: each line's words are fragments of text (a space may end one)
        texts = [
            "".join(fragment.text for fragment in line.words).rstrip(" ") for line in broken.lines
        ]
    return [(line, stringWidth(line, font, size)) for line in texts]


class TextTable(Flowable):
    """A grid of plain-text cells aligned to the top: the header row (if any) repeats on
    every page, shaded and ruled as ``look`` says.

    Given ``page_height`` (the height of a page's frame), each row is kept whole on one
    page, unless it is taller than a page: that one splits, keeping at least two lines of
    a cell on each side. Without it, any row may split so."""

    def __init__(
        self,
        header: Sequence[TextCell],
        rows: Sequence[Sequence[TextCell]],
        widths: Sequence[float],
        look: TableLook,
        *,
        page_height: float | None = None,
        _laid_out: tuple[_Row, list[_Row]] | None = None,
    ) -> None:
        super().__init__()
        self.widths = list(widths)
        self.look = look
        self.page_height = page_height
        self.width = sum(self.widths)
        self.hAlign = "LEFT"
        if _laid_out is not None:
            self._header, self._rows = _laid_out
        else:
            self._header = self._row(header) if header else _Row([], 0.0)
            self._rows = [self._row(row) for row in rows]
        self.height = self._header.height + sum(row.height for row in self._rows)

    def _row(self, cells: Sequence[TextCell]) -> _Row:
        laid: list[tuple[list[Line], CellStyle]] = []
        inner = self.look.left + self.look.right
        for cell, column in zip(cells, self.widths, strict=False):
            style = cell.style
            lines = break_lines(cell.text, column - inner, style.font, style.size)
            laid.append((lines, style))
        return self._sized(laid)

    def _sized(self, cells: list[tuple[list[Line], CellStyle]]) -> _Row:
        content = max((len(lines) * style.leading for lines, style in cells), default=0.0)
        return _Row(cells, content + self.look.top + self.look.bottom)

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def first_rows_height(self, rows: int = 1) -> float:
        """The header and the first ``rows`` rows: what must fit beside a heading."""
        return self._header.height + sum(row.height for row in self._rows[:rows])

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        used = self._header.height
        if used > available_height or not self._rows:
            return []
        count = 0
        for row in self._rows:
            if used + row.height > available_height:
                break
            used += row.height
            count += 1
        if count == len(self._rows):
            return [self]
        row = self._rows[count]
        if self.page_height is not None and self._header.height + row.height <= self.page_height:
            parts = None  # it fits on a page of its own: kept whole, moved to the next
        else:
            parts = self._split_row(row, available_height - used)
        if parts is None:
            if count == 0:
                return []
            first, rest = self._rows[:count], self._rows[count:]
        else:
            first = [*self._rows[:count], parts[0]]
            rest = [parts[1], *self._rows[count + 1 :]]
        return [self._part(first), self._part(rest)]

    def _part(self, rows: list[_Row]) -> TextTable:
        part = TextTable(
            [],
            [],
            self.widths,
            self.look,
            page_height=self.page_height,
            _laid_out=(self._header, rows),
        )
        part.spaceAfter = getattr(self, "spaceAfter", 0)
        return part

    def _split_row(self, row: _Row, space: float) -> tuple[_Row, _Row] | None:
        """The row's lines that fit in ``space`` and the rest, or None if a cell would keep
        fewer than two lines on either side (as a Paragraph with no orphans or widows)."""
        content = space - self.look.top - self.look.bottom
        head: list[tuple[list[Line], CellStyle]] = []
        tail: list[tuple[list[Line], CellStyle]] = []
        for lines, style in row.cells:
            fits = int(content / style.leading + 1e-9)
            if len(lines) <= fits:
                head.append((lines, style))
                tail.append(([], style))
                continue
            keep = min(fits, len(lines) - 2)
            if keep < 2:
                return None
            head.append((lines[:keep], style))
            tail.append((lines[keep:], style))
        return self._sized(head), self._sized(tail)

    def draw(self) -> None:
        canvas, look = self.canv, self.look
        top = self.height
        header_height = self._header.height
        canvas.saveState()
        if look.header_fill is not None and header_height:
            canvas.setFillColor(look.header_fill)
            canvas.rect(0, top - header_height, self.width, header_height, stroke=0, fill=1)
        text = canvas.beginText()
        current: tuple[str, float, float] | None = None
        colour: Color | None = None
        y = top
        rules: list[float] = []
        for row in (self._header, *self._rows):
            x = 0.0
            for (lines, style), column in zip(row.cells, self.widths, strict=False):
                if lines and (style.font, style.size, style.leading) != current:
                    current = (style.font, style.size, style.leading)
                    text.setFont(*current)
                if lines and style.colour != colour:
                    colour = style.colour
                    text.setFillColor(rgb(colour))
                baseline = y - look.top - style.size
                if any(has_rtl(line) for line, _ in lines):  # drawn in reading order
                    right_to_left = rtl_first(" ".join(line for line, _ in lines))
                    lines = [(visual(line, right_to_left), width) for line, width in lines]
                if style.align == "left":
                    if lines:  # one origin per cell; each line then moves down by leading
                        text.setTextOrigin(x + look.left, baseline)
                        for line, _ in lines:
                            text.textLine(line)
                else:
                    for line, width in lines:
                        if style.align == "right":
                            at = x + column - look.right - width
                        else:
                            at = x + look.left + (column - look.left - look.right - width) / 2
                        text.setTextOrigin(at, baseline)
                        text.textOut(line)
                        baseline -= style.leading
                x += column
            y -= row.height
            rules.append(y)
        canvas.drawText(text)
        if look.header_rule is not None and header_height:
            weight, rule_colour = look.header_rule
            canvas.setStrokeColor(rule_colour)
            canvas.setLineWidth(weight)
            canvas.line(0, rules[0], self.width, rules[0])
        if look.row_rule is not None and len(rules) > 1:
            weight, rule_colour = look.row_rule
            canvas.setStrokeColor(rule_colour)
            canvas.setLineWidth(weight)
            canvas.lines([(0, at, self.width, at) for at in rules[1:]])
        canvas.restoreState()


Piece = tuple[str, str]  # text and font name
Word = list[Piece]  # pieces with no space between them ("**Agree**:" is two)
# where a Paragraph breaks words: any space but the no-break space
_BREAKING_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c != "\xa0")
_SPACES = re.compile(f"[{re.escape(_BREAKING_SPACES)}]+").split


def words_of(runs: Sequence[Piece]) -> list[list[Word]]:
    """The words of runs of text, per line of the text (a line break starts a new one).

    A word after another starts with ``("", font)``: the font of the space before it (of
    the run its first space is in), which a Paragraph measures and prints that space in."""
    lines: list[list[Word]] = [[]]
    word: Word = []
    space: str | None = None  # the font of the space since the last word, if any
    for text, font in runs:
        for number, part in enumerate(text.split("\n")):
            if number:
                if word:
                    lines[-1].append(word)
                    word = []
                lines.append([])
                space = None
            for index, chunk in enumerate(_SPACES(part)):
                if index:
                    if word:
                        lines[-1].append(word)
                        word = []
                    if space is None:
                        space = font
                if chunk:
                    if not word and lines[-1]:
                        word.append(("", space or font))
                    word.append((chunk, font))
                    space = None
    if word:
        lines[-1].append(word)
    return lines


class TextParagraph(Flowable):
    """A left-aligned paragraph of runs of plain, bold or italic text, with an optional
    bullet, laid out and split as a ReportLab Paragraph with this style lays it out.

    A word wider than the line (a long web address) or a blank line is left to a
    ReportLab Paragraph made from ``markup`` (or what it returns, if it is a function),
    which knows how to break it."""

    def __init__(
        self,
        runs: Sequence[Piece],
        style: ParagraphStyle,
        markup: str | Callable[[], str],
        bullet: str | None = None,
        *,
        _words: list[list[Word]] | None = None,
    ) -> None:
        super().__init__()
        self.style = style
        self.markup = markup
        self.bullet = bullet
        self._words = _words if _words is not None else words_of(runs)
        self._laid: tuple[float, list[_Span]] | None = None
        self._fallback: OrderedParagraph | None = None
        self.width = self.height = 0.0

    @staticmethod
    def supports(style: ParagraphStyle) -> bool:
        """Styles drawn here as a Paragraph would draw them: left-aligned, no background
        or border, no first-line or right indent, fixed leading."""
        return (
            style.alignment == 0
            and not style.backColor
            and not style.borderWidth
            and not style.firstLineIndent
            and not style.rightIndent
            and getattr(style, "autoLeading", "") in ("", "off", None)
        )

    def getSpaceBefore(self) -> float:  # noqa: N802 - ReportLab's name
        return self.style.spaceBefore

    def getSpaceAfter(self) -> float:  # noqa: N802 - ReportLab's name
        return self.style.spaceAfter

    def _bullet_end(self) -> float:
        style = self.style
        width = stringWidth(self.bullet or "", style.bulletFontName, style.bulletFontSize)
        return style.bulletIndent + width + 0.6 * style.bulletFontSize

    def _lay_out(self, width: float) -> list[_Span] | None:
        """Each line as (source line, first word, end word) for ``width``, or None if a
        word is wider than a line or a line of the text is blank."""
        style = self.style
        size = style.fontSize
        first_width = other_width = width - style.leftIndent
        if self.bullet:
            first_width -= max(0.0, self._bullet_end() - style.leftIndent)
        if not all(self._words):
            return None  # no text, or a blank line: rare (blank lines start new paragraphs)
        fonts = {font for line in self._words for word in line for _, font in word}
        measures = {font: _Measure.of(font, size) for font in fonts}
        widths = [
            [sum(measures[font].width(text) for text, font in word) for word in line]
            for line in self._words
        ]
        shrinkage = rl_config.spaceShrinkage
        lines: list[_Span] = []
        if len(widths) == 1 and len(fonts) == 1 and not _escaped(self._words[0]):
            # one run of text in one font: a Paragraph's simple case
            space = measures[fonts.pop()].space
            start, used = 0, 0.0
            for index, word_width in enumerate(widths[0]):
                limit = other_width if lines else first_width
                if word_width > limit:  # a Paragraph splits it, even if the next line is wider
                    return None
                if index > start:
                    wanted = used + space + word_width
                    if wanted <= limit + shrinkage * space * (index - start):
                        used = wanted
                        continue
                    lines.append((0, start, index))
                    start = index
                used = word_width
            return [*lines, (0, start, len(widths[0]))]
        for source, words in enumerate(self._words):  # runs: as a Paragraph of runs, exactly
            start, used = 0, 0.0
            gaps: list[tuple[str, int]] = []  # (font, spaces) for each run of one font on the line
            for index, (word, word_width) in enumerate(zip(words, widths[source], strict=True)):
                limit = other_width if lines else first_width
                if word_width > limit:  # a Paragraph splits it, even if the next line is wider
                    return None
                if index > start:
                    gap = word[0][1]  # the font of the space before it (see words_of)
                    space = measures[gap].space
                    # a word of no width (a lone accent) gets no space either
                    wanted = used + space + word_width if word_width > 0 else used
                    shrink = space  # the space before this word, then each on the line
                    for font, spaces in gaps:
                        shrink += spaces * measures[font].space
                    if wanted > limit + shrink * shrinkage:
                        lines.append((source, start, index))
                        start, gaps = index, []
                    else:
                        if gaps[-1][0] == gap:
                            gaps[-1] = (gap, gaps[-1][1] + 1)
                        else:
                            gaps.append((gap, 1))
                        used = wanted
                if index == start:
                    used = word_width
                for text, font in word:
                    if text and (not gaps or gaps[-1][0] != font):
                        gaps.append((font, 0))
            lines.append((source, start, len(words)))
        return lines

    def line_texts(self, width: float) -> list[str] | None:
        """The text of each line this draws at ``width``, or None if a ReportLab Paragraph
        lays it out (a word wider than the line, a blank line)."""
        lines = self._lay_out(width)
        if lines is None:
            return None
        return [
            "".join(text for text, _ in _runs(self._words[source][start:end]))
            for source, start, end in lines
        ]

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if self._fallback is not None:
            return self._fallback.wrap(available_width, available_height)
        if self._laid is None or self._laid[0] != available_width:
            lines = self._lay_out(available_width)
            if lines is None:
                markup = self.markup if isinstance(self.markup, str) else self.markup()
                self._fallback = OrderedParagraph(markup, self.style, bulletText=self.bullet)
                return self._fallback.wrap(available_width, available_height)
            self._laid = (available_width, lines)
        self.width = available_width
        self.height = len(self._laid[1]) * self.style.leading
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self.wrap(available_width, available_height)
        if self._fallback is not None:
            return self._fallback.split(available_width, available_height)
        assert self._laid is not None
        lines = self._laid[1]
        style = self.style
        fits = int(available_height / style.leading)
        if (not style.allowOrphans and fits <= 1) or fits == 0:
            return []
        count = len(lines)
        if count <= fits:
            return [self]
        if not style.allowWidows and count == fits + 1:
            if (style.allowOrphans and count == 3) or count > 3:
                fits -= 1  # the last line does not stand alone
            else:
                return []
        source, start, _ = lines[fits]
        head = (
            [*self._words[:source], self._words[source][:start]] if start else self._words[:source]
        )
        tail = [self._words[source][start:], *self._words[source + 1 :]]
        first = TextParagraph([], style, self.markup, self.bullet, _words=head)
        first._laid = (available_width, lines[:fits])
        return [first, TextParagraph([], style, self.markup, None, _words=tail)]

    def draw(self) -> None:
        if self._fallback is not None:
            self._fallback.drawOn(self.canv, 0, 0)
            return
        assert self._laid is not None
        canvas, style = self.canv, self.style
        y = self.height - style.fontSize
        text = canvas.beginText()
        offset = 0.0
        if self.bullet:
            text.setFont(style.bulletFontName, style.bulletFontSize)
            text.setFillColor(getattr(style, "bulletColor", style.textColor))
            text.setTextOrigin(style.bulletIndent, y + getattr(style, "bulletOffsetY", 0))
            text.textOut(self.bullet)
            offset = max(0.0, self._bullet_end() - style.leftIndent)
        text.setFillColor(rgb(style.textColor))
        current = ""
        directions: dict[int, bool] = {}  # source line -> whether it reads right to left
        moved = False  # a line set right to left moved the origin: the next sets its own
        for number, (source, start, end) in enumerate(self._laid[1]):
            left = style.leftIndent + (offset if number == 0 else 0.0)
            if number == 0 or (number == 1 and offset) or moved:  # else down by leading
                text.setTextOrigin(left, y)
                moved = False
            runs = _runs(self._words[source][start:end]) or [("", current or style.fontName)]
            if any(has_rtl(piece) for piece, _ in runs):  # drawn in reading order
                if source not in directions:
                    whole = "".join(t for word in self._words[source] for t, _ in word)
                    directions[source] = rtl_first(whole)
                runs = visual_runs(runs, directions[source])
                if directions[source]:  # a line that reads right to left ends on the right
                    used = sum(stringWidth(piece, font, style.fontSize) for piece, font in runs)
                    text.setTextOrigin(max(left, self.width - used), y)
                    moved = True
            for index, (piece, font) in enumerate(runs):
                if font != current:
                    text.setFont(font, style.fontSize, style.leading)
                    current = font
                if index == len(runs) - 1:
                    text.textLine(piece)
                else:
                    text.textOut(piece)
            y -= style.leading
        canvas.drawText(text)


def draw_string(
    canvas: Canvas, x: float, y: float, text: str, font: str, size: float, anchor: str = "left"
) -> float:
    """Draw one line of printable text at ``x`` (its left end, right end or middle, as
    ``anchor`` says) in ``font``, characters it lacks in the font that has them, in reading
    order; returns its width."""
    runs = visual_runs(font_runs(text, font))
    width = sum(stringWidth(piece, run_font, size) for piece, run_font in runs)
    if anchor == "right":
        x -= width
    elif anchor == "centre":
        x -= width / 2
    out = canvas.beginText(x, y)
    for piece, run_font in runs:
        out.setFont(run_font, size)
        out.textOut(piece)
    canvas.drawText(out)
    return width


class OrderedParagraph(Paragraph):
    """A ReportLab Paragraph that draws each line of right-to-left text (Hebrew, Arabic)
    in reading order. Lines are broken in the order the text was typed, as everywhere
    else; only their drawing is reordered, so splitting a paragraph is unchanged."""

    def drawPara(self, debug: int = 0) -> None:  # noqa: N802 - ReportLab's name
        broken = getattr(self, "blPara", None)
        if broken is None:
            super().drawPara(debug)
            return
        if broken.kind == 0:  # lines of (space left, words) in one font
            texts = [" ".join(words) for _, words in broken.lines]
        else:  # lines of runs, each in its own font and style
            texts = ["".join(getattr(f, "text", "") for f in line.words) for line in broken.lines]
        if not any(map(has_rtl, texts)):
            super().drawPara(debug)
            return
        right_to_left = rtl_first("".join(texts))
        if broken.kind == 0:
            lines = [
                (left, visual(text, right_to_left).split(" "))
                for (left, _), text in zip(broken.lines, texts, strict=True)
            ]
        else:
            lines = [_ordered_line(line, right_to_left) for line in broken.lines]
        self.blPara = broken.clone(lines=lines)
        style = self.style
        if right_to_left and style.alignment == TA_LEFT:  # it ends on the right
            self.style = ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)
        try:
            super().drawPara(debug)
        finally:
            self.blPara, self.style = broken, style


def _ordered_line(line: Any, right_to_left: bool) -> Any:
    """A Paragraph line of runs (fragments, each in its own font and style) with its
    text in reading order: each run cut where the order moves to another."""
    words = line.words
    if not any(has_rtl(getattr(f, "text", "")) for f in words) or any(
        hasattr(f, "cbDefn") for f in words
    ):
        return line  # an image or anchor in the line: left as it is
    pieces = [(f.text, number) for number, f in enumerate(words)]
    while pieces and not pieces[-1][0].rstrip(" "):
        pieces.pop()  # a space at the end of a line prints nothing: it must not move
    if pieces:
        pieces[-1] = (pieces[-1][0].rstrip(" "), pieces[-1][1])
    ordered = [
        words[number].clone(text=text) for text, number in visual_runs(pieces, right_to_left)
    ]
    return line.clone(words=ordered)


def rgb(colour: Color) -> tuple[float, float, float]:
    """A colour as the text object takes it most cheaply: as red, green and blue (a Color
    also sets its opacity each time, to the same fully opaque)."""
    return (colour.red, colour.green, colour.blue)


_Span = tuple[int, int, int]  # a laid-out line: source line, first word, end word


def _escaped(words: list[Word]) -> bool:
    """Whether the words hold a character a Paragraph's markup escapes (each of those is
    a run of its own there)."""
    return any("<" in text or ">" in text or "&" in text for word in words for text, _ in word)


def _runs(words: list[Word]) -> list[Piece]:
    """A line's words as runs of one font each, a space between words in the font it was
    measured in (see :func:`words_of`)."""
    runs: list[Piece] = []
    for index, word in enumerate(words):
        for text, font in word:
            if not text:  # the space before a word
                if not index:
                    continue  # none at the start of a line
                text = " "
            if runs and runs[-1][1] == font:
                runs[-1] = (runs[-1][0] + text, font)
            else:
                runs.append((text, font))
    return runs


__all__ = [
    "CellStyle",
    "OrderedParagraph",
    "TableLook",
    "TextCell",
    "TextParagraph",
    "TextTable",
    "break_lines",
    "draw_string",
    "rgb",
    "words_of",
]
