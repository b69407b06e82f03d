"""Grids of plain text, laid out and drawn straight onto the canvas.

ReportLab's Table holds a Paragraph per cell: each cell is parsed as markup, broken into
lines word by word, measured again to size, split and draw the table, and drawn fragment
by fragment. That was most of a briefing pack's layout time. A cell of plain text in one
style (no bold word within it, no link) needs none of it: here its words are measured once
per font (they repeat across a pack: names, bodies, "days overdue"), broken into lines the
way a Paragraph breaks them (greedy, spaces may shrink by 5%, a word wider than its column
split by characters), and each part of the table is drawn as one text object.

Rows split across pages as ReportLab's ``splitInRow`` splits them, keeping at least two
lines of a cell on each side of the break; the header row repeats on every page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab import rl_config
from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable
from reportlab.platypus.paragraph import split as split_words

Line = tuple[str, float]  # text and its width in points


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
    header_fill: Color
    header_rule: tuple[float, Color]
    row_rule: tuple[float, Color]


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
            width = stringWidth(word, self.font, self.size)
            if len(self.widths) < 50_000:  # a bound, for a process that writes for days
                self.widths[word] = width
        return width


def break_lines(text: str, width: float, font: str, size: float) -> list[Line]:
    """``text`` broken into lines no wider than ``width``, as a left-aligned Paragraph of
    the same text breaks them; a line break in the text always starts a new line."""
    measure = _Measure.of(font, size)
    space = measure.space
    shrink = rl_config.spaceShrinkage * space
    lines: list[Line] = []
    for part in text.split("\n"):
        words = [word for word in split_words(part.strip()) if word]
        if not words:
            lines.append(("", 0.0))
            continue
        current: list[str] = []
        used = -space
        for word in words:
            word_width = measure.width(word)
            wanted = used + space + word_width
            if wanted <= width + shrink * len(current):
                current.append(word)
                used = wanted
                continue
            if word_width > width and len(word) > 1:  # wider than a line: split it
                first, *rest = _split_word(word, used + space, width, measure)
                if first:
                    current.append(first)
                    used += space + measure.width(first)
                if current:
                    lines.append((" ".join(current), used))
                lines += [(piece, measure.width(piece)) for piece in rest[:-1]]
                current, used = [rest[-1]], measure.width(rest[-1])
                continue
            if current:
                lines.append((" ".join(current), used))
            current, used = [word], word_width
        if current:
            lines.append((" ".join(current), used))
    return lines


def _split_word(word: str, used: float, width: float, measure: _Measure) -> list[str]:
    """A word wider than a line in pieces, as a Paragraph splits it: the first fills what
    is left of the current line (``used`` is taken, and it may be empty), each other piece
    a whole line."""
    pieces: list[str] = []
    piece = ""
    for char in word:
        char_width = measure.width(char)
        if used + char_width > width and (piece or char_width <= width):
            pieces.append(piece)
            piece, used = "", 0.0
        piece += char
        used += char_width
    pieces.append(piece)
    return pieces


class TextTable(Flowable):
    """A data grid of plain-text cells: the header row is shaded and repeats on every page,
    rows are ruled, cells are aligned to the top, and a row may split across pages."""

    def __init__(
        self,
        header: Sequence[TextCell],
        rows: Sequence[Sequence[TextCell]],
        widths: Sequence[float],
        look: TableLook,
        *,
        _laid_out: tuple[_Row, list[_Row]] | None = None,
    ) -> None:
        super().__init__()
        self.widths = list(widths)
        self.look = look
        self.width = sum(self.widths)
        self.hAlign = "LEFT"
        if _laid_out is not None:
            self._header, self._rows = _laid_out
        else:
            self._header = self._row(header)
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
        parts = self._split_row(self._rows[count], available_height - used)
        if parts is None:
            if count == 0:
                return []
            first, rest = self._rows[:count], self._rows[count:]
        else:
            first = [*self._rows[:count], parts[0]]
            rest = [parts[1], *self._rows[count + 1 :]]
        return [self._part(first), self._part(rest)]

    def _part(self, rows: list[_Row]) -> TextTable:
        part = TextTable([], [], self.widths, self.look, _laid_out=(self._header, rows))
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
                    text.setFillColor(colour)
                baseline = y - look.top - style.size
                for line, width in lines:
                    if line:
                        if style.align == "right":
                            at = x + column - look.right - width
                        elif style.align == "center":
                            at = x + look.left + (column - look.left - look.right - width) / 2
                        else:
                            at = x + look.left
                        text.setTextOrigin(at, baseline)
                        text.textOut(line)
                    baseline -= style.leading
                x += column
            y -= row.height
            rules.append(y)
        canvas.drawText(text)
        weight, rule_colour = look.header_rule
        canvas.setStrokeColor(rule_colour)
        canvas.setLineWidth(weight)
        canvas.line(0, rules[0], self.width, rules[0])
        if len(rules) > 1:
            weight, rule_colour = look.row_rule
            canvas.setStrokeColor(rule_colour)
            canvas.setLineWidth(weight)
            canvas.lines([(0, at, self.width, at) for at in rules[1:]])
        canvas.restoreState()


__all__ = ["CellStyle", "TableLook", "TextCell", "TextTable", "break_lines"]
