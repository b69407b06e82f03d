"""The relationship map as a one-page document: the grid as a chart, then the same
points as a table (a chart alone says nothing to a screen reader or a photocopier)."""

from __future__ import annotations

from ..services.relationships import MapRow, RelationshipMap, numbered
from . import content as c
from .blocks import power_grid, table

TABLE_COLUMNS = {
    "No.": "number",
    "Body or person": "name",
    "Kind of body": "kind",
    "Influence": "influence",
    "Interest": "interest",
    "Relationship": "strength",
    "Approach": "quadrant",
}


def map_document(mapped: RelationshipMap, title: str, *, marking: str = "") -> c.Document:
    rows: list[MapRow] = numbered(mapped.points)
    blocks: list[c.Block] = [
        c.Heading(1, [c.Span(title, literal=True)]),
        c.Paragraph(
            [
                c.Span(
                    "Influence (1 to 5) up, interest in our asks (1 to 5) across; 3 and above "
                    "counts as high. Each number on the grid is a row of the table."
                )
            ]
        ),
        c.NamedBlock("power_grid", power_grid(rows, title="Influence and interest")),
        c.NamedBlock(
            "table",
            table(
                rows,
                TABLE_COLUMNS,
                empty="No one has been placed on the map yet.",
                widths=[0.9, 4.6, 2.9, 2.3, 2.2, 2.7, 2.6],
            ),
        ),
    ]
    if mapped.unmapped:
        blocks.append(c.Paragraph([c.Span(f"{mapped.unmapped:,} not yet placed on the map.")]))
    return c.Document(title=title, blocks=blocks, marking=marking)
