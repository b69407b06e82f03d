"""The fonts a document prints in, and the text clean-up every document needs.

Every document embeds the shipped DejaVu Sans: the built-in PDF fonts print ■ for Ł or
Ć. A character DejaVu has no glyph for (病院, most emoji) is printed in the first font
installed on this computer that has it: found through fontconfig on Linux, in the system
font folders on Windows and macOS. A character no font here can draw prints as the
visible replacement mark �, and :func:`noting_missing` collects it so the save message
can name it.

Arabic is shaped here (each letter in its joined form, by arabic-reshaper) before lines
are broken; each line is put in reading order (right to left where it should be, by
python-bidi) only when it is drawn: see :func:`visual_runs`. ReportLab can shape with
HarfBuzz, but puts right-to-left text in order only with a package of its own that is
not published, and shaped text would no longer break into lines as textflow measures.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TypeVar
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.graphics import shapes
from reportlab.lib.fonts import addMapping
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import tables

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"
_FACES = (FONT, FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC)
REPLACEMENT = "\ufffd"
FONTCONFIG_SECONDS = 10  # a slow or stuck fontconfig must not hold a save for long

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
        if ttfonts.makeToUnicodeCMap is not _to_unicode_cmap:
            _original_cmap[:] = [ttfonts.makeToUnicodeCMap]
            ttfonts.makeToUnicodeCMap = _to_unicode_cmap
        _registered = True


_original_cmap: list[Callable[[str, Sequence[int]], str]] = []
_BEYOND_BMP = re.compile(r"^(<[0-9A-F]{2}> )<([0-9A-F]{5,6})>$", re.MULTILINE)


def _utf16(match: re.Match[str]) -> str:
    code = int(match.group(2), 16) - 0x10000
    return f"{match.group(1)}<{0xD800 + (code >> 10):04X}{0xDC00 + (code & 0x3FF):04X}>"


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """ReportLab's ToUnicode map, with characters beyond the Basic Multilingual Plane
    (🏥) written as UTF-16 as PDF requires: ReportLab writes their code point, which
    stops PDF readers and screen readers extracting any text in that font."""
    return _BEYOND_BMP.sub(_utf16, _original_cmap[0](fontname, subset))


@cache
def _covered() -> frozenset[int]:
    """Code points every face of DejaVu Sans can draw."""
    register_fonts()
    common: set[int] | None = None
    for face in _FACES:
        font = pdfmetrics.getFont(face)
        points = set(font.face.charToGlyph)  # type: ignore[attr-defined]
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


# --- fonts installed on this computer ---------------------------------------------------


@dataclass(slots=True)
class _SystemFont:
    """A font file found on this computer; ``ranges`` are the code points fontconfig
    says it has (start, end) in order, or None if not known until it is opened."""

    path: str
    index: int = 0
    ranges: list[tuple[int, int]] | None = None
    points: frozenset[int] | None = None  # the code points it has, once opened
    name: str | None = None  # its ReportLab name, once registered

    def may_have(self, code: int) -> bool:
        if self.points is not None:
            return code in self.points
        if self.ranges is None:
            return True
        at = bisect_right(self.ranges, (code, 0x110000)) - 1
        return at >= 0 and self.ranges[at][0] <= code <= self.ranges[at][1]


def _parse_charset(charset: str) -> list[tuple[int, int]]:
    """fontconfig's charset (``20-7e a0-17f 3000``) as ranges of code points."""
    ranges = []
    for part in charset.split():
        start, _, end = part.partition("-")
        try:
            ranges.append((int(start, 16), int(end or start, 16)))
        except ValueError:
            continue
    return sorted(ranges)


def _fontconfig_fonts() -> list[_SystemFont] | None:
    """Every outline font fontconfig knows, in the order it would choose them to stand in
    for a sans-serif font; None if fontconfig is not installed or does not answer."""
    program = shutil.which("fc-match")
    if program is None:
        return None
    try:
        listing = subprocess.run(
            [program, "-a", "--format", "%{file}\t%{index}\t%{fontformat}\t%{charset}\n"],
            capture_output=True,
            text=True,
            timeout=FONTCONFIG_SECONDS,
            check=True,
            stdin=subprocess.DEVNULL,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = []
    for line in listing.splitlines():
        path, index, kind, charset = ([*line.split("\t"), "", "", ""])[:4]
        # ReportLab embeds TrueType outlines only (not CFF, not Type 1 or bitmap fonts)
        if path and kind == "TrueType" and index.isdigit():
            found.append(_SystemFont(path, int(index), _parse_charset(charset)))
    return found


# Fonts most likely to have what DejaVu lacks, tried first in a font folder (by name)
_PREFERRED = (
    "seguisym",  # Segoe UI Symbol
    "seguiemj",  # Segoe UI Emoji (drawn in one colour)
    "msyh",  # Microsoft YaHei
    "msgothic",
    "malgun",
    "arialuni",  # Arial Unicode MS
    "notosans",
    "droidsansfallback",
)


def font_folders() -> list[Path]:
    """Where this computer keeps its fonts (fontconfig's folders, if it is missing, on
    Linux)."""
    home = Path.home()
    if sys.platform == "win32":
        windows = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = Path(os.environ.get("LOCALAPPDATA", str(home / "AppData" / "Local")))
        return [windows / "Fonts", local / "Microsoft" / "Windows" / "Fonts"]
    if sys.platform == "darwin":
        return [
            Path("/System/Library/Fonts"),
            Path("/Library/Fonts"),
            home / "Library" / "Fonts",
        ]
    return [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".local" / "share" / "fonts",
        home / ".fonts",
    ]


def _folder_fonts(folders: Sequence[Path]) -> list[_SystemFont]:
    """The TrueType font files in ``folders`` (and below), likely stand-ins first."""
    files: list[Path] = []
    for folder in folders:
        try:
            files += [
                path
                for path in folder.rglob("*")
                if path.suffix.lower() in (".ttf", ".ttc", ".otf") and path.is_file()
            ]
        except OSError:
            continue

    def rank(path: Path) -> tuple[int, str]:
        name = path.stem.lower().replace(" ", "").replace("-", "")
        ranks = [i for i, prefix in enumerate(_PREFERRED) if name.startswith(prefix)]
        return (ranks[0] if ranks else len(_PREFERRED), str(path).lower())

    return [_SystemFont(str(path)) for path in sorted(set(files), key=rank)]


_system_lock = threading.Lock()
_system: list[_SystemFont] | None = None
_chosen: dict[str, str | None] = {}  # character -> the font drawing it (None: none can)


def _system_fonts() -> list[_SystemFont]:
    """The fonts on this computer, looked for once per process."""
    global _system
    if _system is None:
        found = None if sys.platform in ("win32", "darwin") else _fontconfig_fonts()
        _system = found if found is not None else _folder_fonts(font_folders())
    return _system


def forget_system_fonts() -> None:
    """Look for the computer's fonts again when next needed (after fonts are installed)."""
    global _system
    with _system_lock:
        _system = None
        _chosen.clear()


def _load(font: _SystemFont) -> TTFont | None:
    """The font as ReportLab reads it, or None if it cannot embed it (PostScript
    outlines, colour bitmaps, a font that forbids embedding); notes its code points."""
    stem = re.sub(r"[^A-Za-z0-9]+", "", Path(font.path).stem)[:40] or "Font"
    try:
        loaded = TTFont(f"Fallback-{stem}-{font.index}", font.path, subfontIndex=font.index)
    except Exception:  # noqa: BLE001 - any font ReportLab cannot read is just not used
        font.points = frozenset()
        return None
    tables = loaded.face.table  # type: ignore[attr-defined]
    if "glyf" not in tables or "sbix" in tables or "CBDT" in tables:
        font.points = frozenset()  # pictures, not outlines: they would print blank
        return None
    font.points = frozenset(loaded.face.charToGlyph)  # type: ignore[attr-defined]
    # ReportLab takes a font whose internal name another file's font already has for that
    # other font (a subset and a full font are both "DroidSansFallback"): the characters only
    # this file has would print as nothing. Its own name, from its file, keeps it itself.
    own = f"{stem}-{font.index}".encode("ascii")
    loaded.face.name = loaded.face.name + b"-" + own  # type: ignore[attr-defined]
    return loaded


def _register(font: _SystemFont, loaded: TTFont | None) -> str | None:
    """Register ``font`` with ReportLab (once) and return its name."""
    if font.name is None:
        loaded = loaded or _load(font)
        if loaded is None:
            return None
        pdfmetrics.registerFont(loaded)
        for bold, italic in ((0, 0), (1, 0), (0, 1), (1, 1)):  # <b> in it keeps it
            addMapping(loaded.fontName, bold, italic, loaded.fontName)
        font.name = loaded.fontName
    return font.name


def font_for(ch: str) -> str | None:
    """The font on this computer that draws ``ch`` where DejaVu Sans cannot, or None.
    Fonts are read only as far as needed, and only those chosen are kept."""
    if ch in _chosen:
        return _chosen[ch]
    with _system_lock:
        code = ord(ch)
        chosen = None
        for font in _system_fonts():
            if not font.may_have(code):
                continue
            loaded = _load(font) if font.points is None else None
            if font.points is not None and code in font.points:
                chosen = _register(font, loaded)
                if chosen:
                    break
        _chosen[ch] = chosen
    return chosen


# --- text as printed ----------------------------------------------------------------------

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


def missing_message(characters: set[str], other: str) -> str:
    """What the save message says of characters no font could draw ('' if none);
    ``other`` names the version that shows them (e.g. "web page (.html)")."""
    if not characters:
        return ""
    return (
        f"No font on this computer can draw {describe_missing(characters)}: the PDF shows "
        f"� in their place. The {other} version shows them."
    )


_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")


@cache
def _reshaper() -> Callable[[str], str]:
    from arabic_reshaper import ArabicReshaper
    from arabic_reshaper.ligatures import LIGATURES

    # Only the lam-alef ligatures, which Arabic always joins (and DejaVu has): the rest
    # are in few fonts. Vowel marks are kept.
    settings: dict[str, bool | str] = {
        name: name.startswith("ARABIC LIGATURE LAM WITH ALEF") for name, _ in LIGATURES
    }
    settings.update(delete_harakat=False, support_ligatures=True)
    return ArabicReshaper(configuration=settings).reshape


def shaped(text: str) -> str:
    """Arabic letters in the form they take in their word (initial, medial, final or
    alone), in the order typed: what a font without shaping prints correctly."""
    return _reshaper()(text) if _ARABIC.search(text) else text


def printable(text: str) -> str:
    """Text as the PDF prints it: :func:`clean_text`, Arabic :func:`shaped`, and � for
    characters no font on this computer can draw."""
    text = clean_text(text)
    if _drawable().issuperset(text) and not _ARABIC.search(text):
        return text
    text = shaped(text)
    covered = _any_face()
    missing = _missing.get()
    out = []
    for ch in text:
        if ch == "\n" or ord(ch) in covered:
            out.append(ch)
        elif ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch) in ("Mn", "Me"):
            out.append(ch if font_for(ch) else "")  # a lone mark no font has: leave it out
        elif ch != REPLACEMENT and font_for(ch):
            out.append(ch)
        else:
            out.append(REPLACEMENT)
            if missing is not None and ch != REPLACEMENT:
                missing.add(ch)
    return "".join(out)


def needs_fallback(text: str) -> bool:
    """Whether printable ``text`` holds a character not every DejaVu face can draw."""
    return not _drawable().issuperset(text)


@cache
def _any_face() -> frozenset[int]:
    """Code points some DejaVu face can draw (the italic faces have no Arabic)."""
    return frozenset().union(*map(_face_points, _FACES))


@cache
def _face_points(face: str) -> frozenset[int]:
    register_fonts()
    return frozenset(pdfmetrics.getFont(face).face.charToGlyph)  # type: ignore[attr-defined]


# Where a face lacks a glyph (the italic faces have no Arabic), the upright face drawing it
_UPRIGHT = {FONT_ITALIC: FONT, FONT_BOLD_ITALIC: FONT_BOLD, FONT_BOLD: FONT}


def font_runs(text: str, font: str) -> list[tuple[str, str]]:
    """Printable ``text`` as runs of (text, font): ``font`` (a DejaVu face) where it has
    the glyph, else an upright DejaVu face that has, else the font on this computer that
    has. Spaces stay in ``font``."""
    if _drawable().issuperset(text):
        return [(text, font)] if text else []
    runs: list[tuple[str, str]] = []
    for ch in text:
        wanted: str | None = font
        if ch != "\n" and not ch.isspace():
            code = ord(ch)
            while wanted is not None and code not in _face_points(wanted):
                wanted = _UPRIGHT.get(wanted)
            wanted = wanted or font_for(ch) or font
        if runs and runs[-1][1] == wanted:
            runs[-1] = (runs[-1][0] + ch, wanted)
        else:
            runs.append((ch, wanted))
    return runs


def in_one_font(text: str, font: str, *, switch: bool = True) -> tuple[str, str]:
    """Printable ``text`` for drawing in one font (a chart's label), in reading order:
    ``font``, or (if ``switch``) the font on this computer that has every character if
    ``font`` lacks some. Failing that, the characters ``font`` lacks print as � and are
    noted, as no font here can draw them in this place."""
    runs = font_runs(text, font)
    others = {run_font for _, run_font in runs} - {font}
    if not others:
        return visual(text), font
    if switch and len(others) == 1:
        other = others.pop()
        points = _face_points(other)
        if all(ord(ch) in points or ch.isspace() for ch in text):
            return visual(text), other
    missing = _missing.get()
    if missing is not None:
        missing.update(ch for part, run_font in runs if run_font != font for ch in part)
    shown = "".join(
        part if run_font == font else REPLACEMENT * len(part) for part, run_font in runs
    )
    return visual(shown), font


_TAGS = {FONT: ("", ""), FONT_BOLD: ("<b>", "</b>"), FONT_ITALIC: ("<i>", "</i>")}
_TAGS[FONT_BOLD_ITALIC] = ("<b><i>", "</i></b>")
_FACE_OF = {(False, False): FONT, (True, False): FONT_BOLD, (False, True): FONT_ITALIC}
_FACE_OF[True, True] = FONT_BOLD_ITALIC


def face(bold: bool, italic: bool) -> str:
    """The DejaVu face for bold and/or italic text."""
    return _FACE_OF[bool(bold), bool(italic)]


def markup(text: str, bold: bool = False, italic: bool = False) -> str:
    """Printable ``text`` as ReportLab paragraph markup: escaped (text is data), in bold
    and/or italic, a run another font draws marked with that font."""
    wanted = face(bold, italic)
    if _drawable().issuperset(text):
        opening, closing = _TAGS[wanted]
        return f"{opening}{escape(text)}{closing}"
    out = []
    for part, run_font in font_runs(text, wanted):
        opening, closing = _TAGS.get(run_font, (f'<font face="{run_font}">', "</font>"))
        out.append(f"{opening}{escape(part)}{closing}")
    return "".join(out)


# --- right-to-left text -------------------------------------------------------------------

_RTL = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u200f\u202b\u202e\u2067"
    "\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
T = TypeVar("T")


def has_rtl(text: str) -> bool:
    return _RTL.search(text) is not None


def rtl_first(text: str) -> bool:
    """Whether ``text`` reads right to left (its first letter does)."""
    if not has_rtl(text):
        return False
    from bidi import get_base_level

    return get_base_level(text) == 1


def visual_runs(
    runs: Sequence[tuple[str, T]], right_to_left: bool | None = None
) -> list[tuple[str, T]]:
    """One line's runs of (text, anything: its font) in the order they are drawn left to
    right: right-to-left text (Hebrew, Arabic) reversed, with brackets mirrored, by the
    Unicode bidirectional algorithm. ``right_to_left`` is the direction of the paragraph
    the line is from (by default that of the line's first letter)."""
    text = "".join(part for part, _ in runs)
    if not has_rtl(text):
        return list(runs)
    from bidi import algorithm

    owners = [number for number, (part, _) in enumerate(runs) for _ in part]
    storage = algorithm.get_empty_storage()
    level = int(rtl_first(text) if right_to_left is None else right_to_left)
    storage["base_level"], storage["base_dir"] = level, ("L", "R")[level]
    algorithm.get_embedding_levels(text, storage)
    for index, ch in enumerate(storage["chars"]):
        ch["index"] = index  # to know each character's run once they are reordered
    algorithm.explicit_embed_and_overrides(storage)
    algorithm.resolve_weak_types(storage)
    algorithm.resolve_neutral_types(storage, False)
    algorithm.resolve_implicit_levels(storage, False)
    algorithm.reorder_resolved_levels(storage, False)
    algorithm.apply_mirroring(storage, False)
    out: list[tuple[str, T]] = []
    last = -1
    for ch in storage["chars"]:
        owner = owners[ch["index"]]
        if owner == last:
            out[-1] = (out[-1][0] + ch["ch"], out[-1][1])
        else:
            out.append((ch["ch"], runs[owner][1]))
            last = owner
    return out


def visual(text: str, right_to_left: bool | None = None) -> str:
    """One line of text in the order it is drawn (see :func:`visual_runs`)."""
    if not has_rtl(text):
        return text
    return "".join(part for part, _ in visual_runs([(text, None)], right_to_left))
