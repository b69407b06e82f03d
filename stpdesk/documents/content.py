"""A document as a tree of blocks, independent of the output format.

A rendered template (Markdown) is parsed with markdown-it-py into these blocks; the PDF,
HTML (and, for letters, DOCX) writers each walk the same tree, so every format prints
the same content. User text arrives as :class:`Span` objects marked ``literal``: it is
never parsed as Markdown or markup by any writer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core.state_core import StateCore
from markdown_it.token import Token


@dataclass
class Span:
    """A run of text with one set of styles. ``literal`` marks user data."""

    text: str
    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    href: str | None = None
    literal: bool = False


Inline = list[Span]


def plain(spans: Inline) -> str:
    return "".join(span.text for span in spans)


@dataclass
class Heading:
    level: int  # 1 = a section of the pack
    spans: Inline
    anchor: str = ""


@dataclass
class Paragraph:
    spans: Inline


@dataclass
class ListBlock:
    ordered: bool
    items: list[list[Block]]
    start: int = 1


@dataclass
class Table:
    header: list[Inline]
    rows: list[list[Inline]]
    align: list[str] = field(default_factory=list)  # "left" | "right" | "center" per column


@dataclass
class Quote:
    blocks: list[Block]


@dataclass
class Code:
    text: str


@dataclass
class Rule:
    pass


@dataclass
class NamedBlock:
    """Something Markdown lacks (a chart, the logo, a commitments table), called from
    the template as a function: ``{{ bar_chart(data, title="…") }}``."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)


Block = Heading | Paragraph | ListBlock | Table | Quote | Code | Rule | NamedBlock


@dataclass
class Document:
    """Everything a writer needs: the blocks plus the document's metadata."""

    title: str
    blocks: list[Block]
    author: str = ""
    subject: str = ""
    language: str = "en-GB"
    marking: str = ""  # protective marking, e.g. OFFICIAL-SENSITIVE, on every page
    header: str = ""  # running header on pages after the first
    logo: bytes | None = None
    template: str = ""
    layout: str = "report"
    extra: dict[str, Any] = field(default_factory=dict)  # for writers a later template needs


# Placeholders the template sandbox puts in the Markdown in place of data; private-use
# characters, which clean user text never contains, so user text cannot forge one.
LITERAL_OPEN, LITERAL_CLOSE = "\ue000", "\ue001"
BLOCK_OPEN, BLOCK_CLOSE = "\ue002", "\ue003"
_TOKEN = re.compile(r"\ue000(\d+)\ue001|\ue002(\d+)\ue003")
_BLOCK_ONLY = re.compile(r"^\s*\ue002(\d+)\ue003\s*$")


class MisplacedBlock(ValueError):
    """A named block was used inside a line of text instead of on a line of its own."""


# Inline text made only of these characters holds no Markdown: no inline rule of the
# parser below starts on any of them, so parsing it gives back one text token. A pack's
# table cells, headings and data-only lines (six in ten of its inline runs) are such.
_PLAIN_INLINE = re.compile(r"(?:[^\W_]|[ ,.;()'’?/\-\ue000-\ue003])*")


def _inline_rule(state: StateCore) -> None:
    """markdown-it's own core "inline" rule, less the parse of text that holds no Markdown."""
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            if _PLAIN_INLINE.fullmatch(token.content):
                if token.content:
                    token.children.append(Token("text", "", 0, content=token.content))
            else:
                state.md.inline.parse(token.content, state.md, state.env, token.children)


@cache
def markdown_parser() -> MarkdownIt:
    """One parser for every document: building one (and its rule chains) cost a tenth of
    a pack's parse. Safe to share between threads: each parse keeps its state apart."""
    # html=False: any <tag> in a template prints as text, never as markup
    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    parser.core.ruler.at("inline", _inline_rule)
    return parser


def parse_markdown(markdown: str, literals: list[str], blocks: list[NamedBlock]) -> list[Block]:
    """Turn rendered Markdown (with data placeholders) into blocks."""
    tokens = (
        _tokens(markdown) if len(markdown) <= _KEPT_MARKDOWN else markdown_parser().parse(markdown)
    )
    builder = _Builder(literals, blocks)
    return builder.blocks(tokens)


# Data reach the Markdown as numbered placeholders, so its text depends only on how many
# items each list has and which branches the template took: at 100,000 meetings, where
# lists are full, 20 meeting packs made 3 different texts. Their parse (a twentieth of a
# pack) is kept; the tokens are only read after it.
_KEPT_MARKDOWN = 200_000  # characters: a longer text is parsed each time, not kept


@lru_cache(maxsize=16)
def _tokens(markdown: str) -> list[Token]:
    return markdown_parser().parse(markdown)


def slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "section"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


class _Builder:
    def __init__(self, literals: list[str], named: list[NamedBlock]) -> None:
        self.literals = literals
        self.named = named
        self.anchors: set[str] = set()

    def blocks(self, tokens: list[Token]) -> list[Block]:
        result: list[Block] = []
        index = 0
        while index < len(tokens):
            block, index = self._block(tokens, index)
            if block is not None:
                result.append(block)
        return result

    def _until_close(self, tokens: list[Token], index: int) -> tuple[list[Token], int]:
        """The tokens inside the container opened at ``index``, and the index after it."""
        depth, start = 0, index
        open_type = tokens[index].type
        close_type = open_type.replace("_open", "_close")
        while index < len(tokens):
            kind = tokens[index].type
            if kind == open_type:
                depth += 1
            elif kind == close_type:
                depth -= 1
                if depth == 0:
                    return tokens[start + 1 : index], index + 1
            index += 1
        return tokens[start + 1 :], index

    def _block(self, tokens: list[Token], index: int) -> tuple[Block | None, int]:
        token = tokens[index]
        kind = token.type
        if kind == "heading_open":
            spans = self.inline(tokens[index + 1])
            level = int(token.tag[1])
            return Heading(level, spans, slug(plain(spans), self.anchors)), index + 3
        if kind == "paragraph_open":
            inline = tokens[index + 1]
            if match := _BLOCK_ONLY.match(inline.content):
                return self.named[int(match.group(1))], index + 3
            return Paragraph(self.inline(inline)), index + 3
        if kind in ("bullet_list_open", "ordered_list_open"):
            inner, after = self._until_close(tokens, index)
            items: list[list[Block]] = []
            position = 0
            while position < len(inner):
                if inner[position].type == "list_item_open":
                    item_tokens, position = self._until_close(inner, position)
                    items.append(self.blocks(item_tokens))
                else:
                    position += 1
            start = int(token.attrGet("start") or 1)
            return ListBlock(kind == "ordered_list_open", items, start), after
        if kind == "table_open":
            inner, after = self._until_close(tokens, index)
            return self._table(inner), after
        if kind == "blockquote_open":
            inner, after = self._until_close(tokens, index)
            return Quote(self.blocks(inner)), after
        if kind in ("fence", "code_block"):
            return Code(self._resolve_text(token.content.rstrip("\n"))), index + 1
        if kind == "hr":
            return Rule(), index + 1
        if kind == "inline":  # text directly in a tight list item
            return Paragraph(self.inline(token)), index + 1
        return None, index + 1

    def _table(self, tokens: list[Token]) -> Table:
        header: list[Inline] = []
        rows: list[list[Inline]] = []
        align: list[str] = []
        in_head = False
        row: list[Inline] = []
        for position, token in enumerate(tokens):
            if token.type == "thead_open":
                in_head = True
            elif token.type == "thead_close":
                in_head = False
            elif token.type == "tr_open":
                row = []
            elif token.type == "tr_close":
                if in_head:
                    header = row
                else:
                    rows.append(row)
            elif token.type in ("th_open", "td_open"):
                style = str(token.attrGet("style") or "")
                if in_head:
                    align.append(style.partition(":")[2] or "left")
                row.append(self.inline(tokens[position + 1]))
        return Table(header, rows, align)

    def _resolve_text(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            if match.group(1) is not None:
                return self.literals[int(match.group(1))]
            raise MisplacedBlock(self.named[int(match.group(2))].name)

        return _TOKEN.sub(replace, text)

    def inline(self, token: Token) -> Inline:
        spans: Inline = []
        bold = italic = strike = False
        href: str | None = None
        for child in token.children or []:
            kind = child.type
            if kind == "text":
                spans.extend(self._text_spans(child.content, bold, italic, strike, href))
            elif kind == "code_inline":
                spans.append(Span(self._resolve_text(child.content), code=True, href=href))
            elif kind == "softbreak":
                spans.append(Span(" ", bold, italic, strike, href=href))
            elif kind == "hardbreak":
                spans.append(Span("\n", bold, italic, strike, href=href))
            elif kind == "strong_open":
                bold = True
            elif kind == "strong_close":
                bold = False
            elif kind == "em_open":
                italic = True
            elif kind == "em_close":
                italic = False
            elif kind == "s_open":
                strike = True
            elif kind == "s_close":
                strike = False
            elif kind == "link_open":
                href = str(child.attrGet("href") or "") or None
            elif kind == "link_close":
                href = None
            elif kind == "image":
                alt = child.content or "image"
                spans.append(Span(self._resolve_text(alt), bold, italic, strike, href=href))
        return spans

    def _text_spans(
        self, text: str, bold: bool, italic: bool, strike: bool, href: str | None
    ) -> Inline:
        if LITERAL_OPEN not in text and BLOCK_OPEN not in text:  # template text, no data
            return [Span(text, bold, italic, strike, False, href)] if text else []
        spans: Inline = []
        # split() gives text, then a literal's number and a block's number, and so on
        parts = _TOKEN.split(text)
        for index in range(0, len(parts), 3):
            if parts[index]:
                spans.append(Span(parts[index], bold, italic, strike, False, href))
            if index + 1 == len(parts):
                break
            literal, block = parts[index + 1], parts[index + 2]
            if literal is None:
                raise MisplacedBlock(self.named[int(block)].name)
            value = self.literals[int(literal)]
            if value:
                spans.append(Span(value, bold, italic, strike, False, href, literal=True))
        return spans
