"""The partnership health check report (PDF and accessible HTML): a chart of each
principle's median, now and last time, and the tables behind it."""

from __future__ import annotations

from ..model.types import format_date
from ..services.health import DISAGREEMENT, HealthReport, StatementResult
from . import content as c
from .blocks import bar_chart, table


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:g}"


def _change(value: float | None) -> str:
    if value is None:
        return "–"
    return "no change" if value == 0 else f"{value:+g}"


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
        _text(
            f"{fw.title}. Round started {format_date(result.round_on)}; scored by "
            f"{', '.join(result.assessors)}."
        ),
        _text(
            f"Scale: {levels}. The median is the middle score; the spread is the highest "
            f"score minus the lowest (a spread of {DISAGREEMENT} or more means the assessors "
            "disagree, which is worth discussing)."
        ),
        _text(
            f"Compared with the round started {format_date(result.previous_round_on)}."
            if result.previous_round_on
            else "This is the first round: there is nothing earlier to compare with."
        ),
        c.Heading(2, [c.Span("Principles")]),
    ]
    series = ["This round"] + (["Last round"] if result.previous_round_on else [])
    rows = [
        [p.id, p.median or 0] + ([p.previous_median or 0] if result.previous_round_on else [])
        for p in result.principles
    ]
    blocks.append(c.NamedBlock("bar_chart", bar_chart(rows, "Median score by principle", series)))
    principle_rows = [
        {
            "id": p.id,
            "title": p.title,
            "median": _number(p.median),
            "level": fw.level(p.median) if p.median is not None else "–",
            "spread": _number(p.spread),
            "previous": _number(p.previous_median),
            "change": _change(p.change),
        }
        for p in result.principles
    ]
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
