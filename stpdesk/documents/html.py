"""The accessible version: one self-contained HTML file from the same blocks as the PDF.

Semantic headings, data tables with header cells, charts as images whose alt text states
their figures, ``lang="en-GB"``, and a layout in relative units that reflows at 200 %
zoom. Everything that came from the template or the record is HTML-escaped.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape
from typing import Any

from . import content as c
from .blocks import commitment_columns, field_of
from .charts import bar_chart, power_grid, svg, temperature_chart
from .fonts import clean_text
from .templates import display_value

LINK_SCHEMES = ("http://", "https://", "mailto:")

STYLE = """
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; font-size: 1rem;
  line-height: 1.5; color: #1a1a1a; background: #fff; margin: 0 auto; padding: 1rem;
  max-width: 48rem; }
.marking { font-weight: bold; text-align: center; letter-spacing: .05em; margin: .5rem 0; }
h1, h2, h3, h4 { color: #1d4f91; line-height: 1.25; }
h1 { font-size: 2rem; } h2 { font-size: 1.5rem; margin-top: 2rem; } h3 { font-size: 1.2rem; }
.council { font-weight: bold; font-size: 1.2rem; margin: 0; }
.cover { border-bottom: 3px solid #1d4f91; padding-bottom: 1rem; margin-bottom: 1rem; }
.cover dl { display: grid; grid-template-columns: minmax(6rem, max-content) 1fr; gap: .25rem 1rem; }
.cover dt { font-weight: bold; } .cover dd { margin: 0; }
.table-wrap { overflow-x: auto; margin: .5rem 0 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3rem .4rem; border-bottom: 1px solid #9aa5b1; }
th { background: #e8eef4; border-bottom: 2px solid #1d4f91; }
td.late { color: #a4161a; font-weight: bold; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; }
.user-text { white-space: pre-wrap; overflow-wrap: anywhere; }
.logo { max-width: 12rem; max-height: 6rem; }
nav ol { padding-left: 1.5rem; }
@media print { .page-break { break-after: page; } }
"""


def _mime(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    return None


class HtmlWriter:
    def __init__(
        self, documents: c.Document | Sequence[c.Document], *, title: str | None = None
    ) -> None:
        self.documents = [documents] if isinstance(documents, c.Document) else list(documents)
        self.title = title or self.documents[0].title
        self.combined = len(self.documents) > 1

    def render(self) -> str:
        first = self.documents[0]
        marking = escape(clean_text(first.marking or ""))
        parts = [
            "<!DOCTYPE html>",
            f'<html lang="{escape(first.language)}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(clean_text(self.title))}</title>",
            f'<meta name="author" content="{escape(clean_text(first.author))}">',
            f'<meta name="description" content="{escape(clean_text(first.subject))}">',
            f"<style>{STYLE}</style>",
            "</head>",
            "<body>",
        ]
        if marking:
            parts.append(f'<p class="marking" role="note">{marking}</p>')
        parts.append("<main>")
        for document in self.documents:
            parts.append("<article>" if self.combined else "")
            self.anchors: set[str] = set()
            self.headings = [b for b in document.blocks if isinstance(b, c.Heading)]
            if not any(isinstance(b, c.NamedBlock) and b.name == "cover" for b in document.blocks):
                parts.append(f"<h1>{escape(clean_text(document.title))}</h1>")
            parts.append(self.flow(document.blocks, document))
            parts.append("</article>" if self.combined else "")
        parts.append("</main>")
        if marking:
            parts.append(f'<p class="marking" role="note">{marking}</p>')
        parts += ["</body>", "</html>", ""]
        return "\n".join(part for part in parts if part)

    # --- blocks ------------------------------------------------------------------

    def _span(self, span: c.Span, text: str) -> str:
        text = escape(text)
        if span.code:
            text = f"<code>{text}</code>"
        if span.strike:
            text = f"<s>{text}</s>"
        if span.italic:
            text = f"<em>{text}</em>"
        if span.bold:
            text = f"<strong>{text}</strong>"
        if span.href and span.href.startswith(LINK_SCHEMES):
            text = f'<a href="{escape(span.href)}">{text}</a>'
        return text

    def lines(self, spans: c.Inline) -> list[str]:
        lines = [""]
        for span in spans:
            for index, part in enumerate(clean_text(span.text).split("\n")):
                if index:
                    lines.append("")
                if part:
                    lines[-1] += self._span(span, part)
        return lines

    def inline(self, spans: c.Inline) -> str:
        return "<br>".join(self.lines(spans))

    def paragraph(self, spans: c.Inline) -> str:
        """A blank line in user text starts a new paragraph, as in the PDF."""
        groups: list[list[str]] = [[]]
        for line in self.lines(spans):
            if line.strip():
                groups[-1].append(line)
            elif groups[-1]:
                groups.append([])
        # dir="auto": a paragraph in Hebrew or Arabic reads, and is aligned, right to left
        return "\n".join(f'<p dir="auto">{"<br>".join(group)}</p>' for group in groups if group)

    def flow(self, blocks: Sequence[c.Block], document: c.Document) -> str:
        out: list[str] = []
        for block in blocks:
            if isinstance(block, c.Heading):
                level = min(block.level + 1, 6)
                out.append(
                    f'<h{level} id="{escape(block.anchor)}">{self.inline(block.spans)}</h{level}>'
                )
            elif isinstance(block, c.Paragraph):
                out.append(self.paragraph(block.spans))
            elif isinstance(block, c.ListBlock):
                tag = "ol" if block.ordered else "ul"
                start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
                items = "".join(f"<li>{self.flow(item, document)}</li>" for item in block.items)
                out.append(f"<{tag}{start}>{items}</{tag}>")
            elif isinstance(block, c.Table):
                out.append(self.markdown_table(block))
            elif isinstance(block, c.Quote):
                out.append(f"<blockquote>{self.flow(block.blocks, document)}</blockquote>")
            elif isinstance(block, c.Code):
                out.append(f"<pre>{escape(clean_text(block.text))}</pre>")
            elif isinstance(block, c.Rule):
                out.append("<hr>")
            elif isinstance(block, c.NamedBlock):
                draw = getattr(self, f"block_{block.name}", None)
                if draw is None:
                    raise ValueError(f"the HTML writer cannot draw a “{block.name}” block")
                out.append(draw(block.params, document))
        return "\n".join(part for part in out if part)

    def data_table(
        self, headings: list[str], rows: list[list[str]], classes: list[list[str]] | None = None
    ) -> str:
        head = "".join(f'<th scope="col">{h}</th>' for h in headings)
        body = []
        for r, row in enumerate(rows):
            cells = []
            for i, cell in enumerate(row):
                klass = classes[r][i] if classes else ""
                attr = f' class="{klass}"' if klass else ""
                cells.append(f"<td{attr}>{cell}</td>")
            body.append(f"<tr>{''.join(cells)}</tr>")
        return (
            f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>"
        )

    def markdown_table(self, block: c.Table) -> str:
        return self.data_table(
            [self.inline(h) for h in block.header],
            [[self.inline(cell) for cell in row] for row in block.rows],
        )

    def _text(self, value: Any) -> str:
        return escape(clean_text(display_value(value))).replace("\n", "<br>")

    # --- named blocks ------------------------------------------------------------

    def block_page_break(self, params: dict[str, Any], document: c.Document) -> str:
        return '<div class="page-break"></div>'

    def block_contents(self, params: dict[str, Any], document: c.Document) -> str:
        items = "".join(
            f'<li><a href="#{escape(h.anchor)}">{self.inline(h.spans)}</a></li>'
            for h in self.headings
            if h.level == 1
        )
        title = escape(clean_text(params["title"]))
        return (
            f'<nav aria-labelledby="contents"><h2 id="contents">{title}</h2><ol>{items}</ol></nav>'
        )

    def _logo(self, document: c.Document) -> str:
        mime = _mime(document.logo or b"")
        if not mime:
            return ""
        data = base64.b64encode(document.logo or b"").decode("ascii")
        alt = escape(clean_text(f"{document.author} logo"))
        return f'<img class="logo" src="data:{mime};base64,{data}" alt="{alt}">'

    def block_logo(self, params: dict[str, Any], document: c.Document) -> str:
        logo = self._logo(document)
        return f"<p>{logo}</p>" if logo else ""

    def block_cover(self, params: dict[str, Any], document: c.Document) -> str:
        parts = ['<header class="cover">', self._logo(document)]
        parts.append(f'<p class="council">{escape(clean_text(document.author))}</p>')
        parts.append(f"<h1>{escape(clean_text(params['title']))}</h1>")
        if params["subtitle"]:
            parts.append(f"<p>{self._text(params['subtitle'])}</p>")
        details = [
            f"<dt>{self._text(label)}</dt><dd>{self._text(value)}</dd>"
            for label, value in params["details"]
            if display_value(value).strip()
        ]
        if details:
            parts.append(f"<dl>{''.join(details)}</dl>")
        if params["note"]:
            parts.append(f"<p><small>{self._text(params['note'])}</small></p>")
        parts.append("</header>")
        return "\n".join(part for part in parts if part)

    def block_bar_chart(self, params: dict[str, Any], document: c.Document) -> str:
        chart = params["chart"]
        return _figure(bar_chart(chart, 480), chart.describe())

    def block_power_grid(self, params: dict[str, Any], document: c.Document) -> str:
        grid = params["grid"]
        return _figure(power_grid(grid, 360), grid.describe())

    def block_temperature_chart(self, params: dict[str, Any], document: c.Document) -> str:
        chart = params["chart"]
        return _figure(temperature_chart(chart, 440, 140), chart.describe())

    def block_table(self, params: dict[str, Any], document: c.Document) -> str:
        if not params["rows"]:
            return f"<p>{escape(clean_text(params['empty']))}</p>"
        return self.data_table(
            [escape(clean_text(h)) for h in params["headings"]],
            [[self._text(field_of(r, f)) for f in params["fields"]] for r in params["rows"]],
        )

    def block_commitments_table(self, params: dict[str, Any], document: c.Document) -> str:
        if not params["items"]:
            return f"<p>{escape(clean_text(params['empty']))}</p>"
        columns = commitment_columns(params)
        rows, classes = [], []
        for item in params["items"]:
            late = bool(field_of(item, "overdue"))
            rows.append([self._text(field_of(item, f)) for _, f, _ in columns])
            classes.append(["late" if late and f == "status_text" else "" for _, f, _ in columns])
        return self.data_table([escape(h) for h, _, _ in columns], rows, classes)


def _figure(drawing: Any, words: str) -> str:
    """A chart as an SVG image whose alt text states its figures."""
    data = base64.b64encode(svg(drawing).encode("utf-8")).decode("ascii")
    alt = escape(clean_text(words))
    return (
        f'<figure><img src="data:image/svg+xml;base64,{data}" alt="{alt}" '
        f'width="{int(drawing.width)}" height="{int(drawing.height)}"></figure>'
    )


def render_html(documents: c.Document | Sequence[c.Document], *, title: str | None = None) -> str:
    return HtmlWriter(documents, title=title).render()
