"""The partnership health check report (PDF and accessible HTML): a chart of each
principle's median, now and last time, and the tables behind it."""

from __future__ import annotations

from ..services.health import DISAGREEMENT, HealthReport, StatementResult
from ..services.health import number_text as _number
from . import content as c
from .blocks import bar_chart, table


def _statement_row(result: StatementResult) -> dict[str, str]:
    return {
        "id": result.id,
        "text": result.text,
        "scores": ", ".join(map(str, result.scores)) or "–",
        "median": _number(result.median),
        "spread": _number(result.spread),
        "previous": _number(result.previous_median),
    }


def _text(words: str) -> c.Paragraph:
    return c.Paragraph([c.Span(words, literal=True)])


def health_document(result: HealthReport, *, marking: str = "") -> c.Document:
    fw = result.framework
    subject = f"{result.body} ({result.footprint})" if result.body else result.footprint
    title = f"Partnership health check: {subject}"
    levels = ", ".join(f"{n} {level}" for n, level in enumerate(fw.levels, start=1))
    blocks: list[c.Block] = [
        c.Heading(1, [c.Span(title, literal=True)]),
        _text(result.summary()),
        _text(
            f"Scale: {levels}. The median is the middle score; the spread is the highest "
            f"score minus the lowest (a spread of {DISAGREEMENT} or more means the assessors "
            "disagree, which is worth discussing)."
        ),
        c.Heading(2, [c.Span("Principles")]),
    ]
    chart = bar_chart(result.chart_rows(), "Median score by principle", result.series)
    blocks.append(c.NamedBlock("bar_chart", chart))
    principle_rows = result.principle_rows()
    blocks.append(
        c.NamedBlock(
            "table",
            table(
                principle_rows,
                {
                    "": "id",
                    "Principle": "title",
                    "Median": "median",
                    "Level": "level",
                    "Spread": "spread",
                    "Last round": "previous",
                    "Change": "change",
                },
                widths=[1, 6, 1.6, 2.6, 1.6, 1.8, 2],
            ),
        )
    )
    disputed = result.disputed
    blocks.append(c.Heading(2, [c.Span("Where the assessors disagree")]))
    if disputed:
        blocks.append(
            c.NamedBlock(
                "table",
                table(
                    [_statement_row(s) for s in disputed],
                    {"": "id", "Statement": "text", "Scores": "scores", "Spread": "spread"},
                    widths=[1.2, 10, 2.4, 1.6],
                ),
            )
        )
    else:
        blocks.append(_text("The assessors broadly agree on every statement."))
    for principle in result.principles:
        blocks.append(c.Heading(2, [c.Span(f"{principle.id} {principle.title}", literal=True)]))
        blocks.append(
            c.NamedBlock(
                "table",
                table(
                    [_statement_row(s) for s in principle.statements],
                    {
                        "": "id",
                        "Statement": "text",
                        "Scores": "scores",
                        "Median": "median",
                        "Spread": "spread",
                        "Last round": "previous",
                    },
                    widths=[1.2, 8, 2, 1.6, 1.6, 1.8],
                ),
            )
        )
        evidence = [
            line for s in principle.statements for line in (f"{s.id} {item}" for item in s.evidence)
        ]
        if evidence:
            blocks.append(c.ListBlock(False, [[_text(line)] for line in evidence]))
    blocks.append(c.Heading(2, [c.Span("Source of the framework")]))
    blocks.append(_text(fw.source))
    return c.Document(title=title, blocks=blocks, marking=marking)


def report_bytes(result: HealthReport, suffix: str, *, marking: str = "") -> bytes:
    """The report as a ``.pdf`` or an ``.html`` file's bytes (the CLI and the app)."""
    document = health_document(result, marking=marking)
    if suffix.lower() == ".pdf":
        from .pdf import render_pdf

        return render_pdf(document)
    from .html import render_html

    return render_html(document).encode("utf-8")
