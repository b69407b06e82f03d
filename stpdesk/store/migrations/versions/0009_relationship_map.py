"""bodies and contacts carry their place on the relationship map

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

Influence (1 to 5), interest or alignment with the council's asks (1 to 5) and the
strength of the relationship (none, weak, working, strong) on each body and contact.
Each change is kept in the audit like any other field's, so the history of a place on
the map is read back from there.

Columns are added with ALTER TABLE ADD COLUMN, not batch mode: rebuilding body or
contact would drop the search, filter and tally triggers on them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("body", "contact")


def upgrade() -> None:
    for table in _TABLES:
        op.add_column(table, sa.Column("influence", sa.Integer(), nullable=True))
        op.add_column(table, sa.Column("interest", sa.Integer(), nullable=True))
        op.add_column(
            table,
            sa.Column(
                "strength",
                sa.Enum("none", "weak", "working", "strong", name="relationshipstrength"),
                nullable=False,
                server_default="none",
            ),
        )


def downgrade() -> None:
    for table in _TABLES:
        for column in ("strength", "interest", "influence"):
            op.drop_column(table, column)
