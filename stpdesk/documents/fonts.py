"""The shipped Unicode font (DejaVu Sans) and the text clean-up every document needs.

The built-in PDF fonts print ■ for Ł or Ć, so every document embeds DejaVu Sans. A
character the font has no glyph for (most emoji, some scripts) is printed as the visible
replacement mark � rather than an empty box or nothing at all.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib import resources

from reportlab import rl_config
from reportlab.graphics import shapes
from reportlab.lib.fonts import addMapping
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import tables

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"
_FACES = (FONT, FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC)
REPLACEMENT = "\ufffd"

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register DejaVu Sans (four faces, one family) with ReportLab, once per process."""
    global _registered
    with _lock:
        if _registered:
            return
        folder = resources.files("stpdesk.resources") / "fonts"
        for face in _FACES:
            with resources.as_file(folder / f"{face}.ttf") as path:
                pdfmetrics.registerFont(TTFont(face, str(path)))
        addMapping(FONT, 0, 0, FONT)
        addMapping(FONT, 1, 0, FONT_BOLD)
        addMapping(FONT, 0, 1, FONT_ITALIC)
        addMapping(FONT, 1, 1, FONT_BOLD_ITALIC)
        # A canvas starts each page in this font; left as Helvetica it is referenced but
        # never embedded, which print shops and PDF/A checkers refuse.
        rl_config.canvas_basefontname = FONT
        shapes.STATE_DEFAULTS["fontName"] = FONT  # a chart's drawing starts in it too
        ParagraphStyle.defaults.update(fontName=FONT, bulletFontName=FONT)  # list bullets
        tables.CellStyle.fontname = FONT  # a table cell holding plain text
        _registered = True


@cache
def _covered() -> frozenset[int]:
    """Code points every face of the font can draw."""
    register_fonts()
    common: set[int] | None = None
    for face in _FACES:
        font = pdfmetrics.getFont(face)
        # Only the Basic Multilingual Plane: ReportLab writes a broken ToUnicode entry for
        # characters beyond it (e.g. DejaVu's domino tiles), which stops PDF readers and
        # screen readers extracting any text in that font, so those print as � instead.
        points = {p for p in font.face.charToGlyph if p <= 0xFFFF}  # type: ignore[attr-defined]
        common = points if common is None else common & points
    return frozenset(common or ())


def clean_text(text: str) -> str:
    """Text safe for any output: one kind of line break, tabs as spaces, no control codes.

    Line and paragraph separators become line breaks; other control characters and lone
    surrogates are dropped or replaced, so a pasted note can never break a document.
    """
    if text.isprintable():  # most text: no line breaks, tabs or control codes
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    if text.isprintable() or all(ch == "\n" or ch.isprintable() for ch in text):
        return text
    out = []
    for ch in text:
        if ch == "\n" or ch.isprintable():
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category == "Cc":
            continue  # control codes carry nothing a reader can see
        if category == "Zs":
            out.append(" ")
        elif category == "Cf":
            continue  # invisible formatting marks (soft hyphen, zero-width joiner)
        else:
            out.append(REPLACEMENT)  # surrogates, private use, unassigned
    return "".join(out)


@cache
def _drawable() -> frozenset[str]:
    """The characters every face can draw, and the line break: one set test per text."""
    return frozenset(map(chr, _covered())) | {"\n"}


# The characters printed as � in the document being made (see noting_missing()).
_missing: ContextVar[set[str] | None] = ContextVar("missing_glyphs", default=None)


@contextmanager
def noting_missing() -> Iterator[set[str]]:
    """Collect the characters :func:`printable` could not draw while the block runs, so
    the save message can name them."""
    found: set[str] = set()
    token = _missing.set(found)
    try:
        yield found
    finally:
        _missing.reset(token)


def describe_missing(characters: set[str]) -> str:
    """“病 (U+75C5), 🏥 (U+1F3E5)” — the characters, in code point order, at most ten."""
    shown = sorted(characters)[:10]
    text = ", ".join(f"{ch} (U+{ord(ch):04X})" for ch in shown)
    return text + (f" and {len(characters) - 10} more" if len(characters) > 10 else "")


def printable(text: str) -> str:
    """Text as the PDF prints it: :func:`clean_text`, then � for characters without a glyph."""
    text = clean_text(text)
    if _drawable().issuperset(text):
        return text
    covered = _covered()
    missing = _missing.get()
    out = []
    for ch in text:
        if ch == "\n" or ord(ch) in covered:
            out.append(ch)
        elif ch.isspace():
            out.append(" ")
        else:
            out.append(REPLACEMENT)
            if missing is not None and ch != REPLACEMENT:
                missing.add(ch)
    return "".join(out)
