"""bodies and contacts carry their place on the relationship map; partnership health checks

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

Influence (1 to 5), interest or alignment with the council's asks (1 to 5) and the
strength of the relationship (none, weak, working, strong) on each body and contact.
Each change is kept in the audit like any other field's, so the history of a place on
the map is read back from there.

Columns are added with ALTER TABLE ADD COLUMN, not batch mode: rebuilding body or
contact would drop the search, filter and tally triggers on them.

``health_assessment`` holds one member's scores of a footprint (or a body) against a
framework (a file under resources/frameworks): a round is the assessments of one
footprint and framework that share ``round_on``.
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


    op.create_table(
        "health_assessment",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("footprint_id", sa.String(), nullable=False),
        sa.Column("body_id", sa.String(), nullable=True),
        sa.Column("framework", sa.String(length=100), nullable=False),
        sa.Column("member_id", sa.String(), nullable=False),
        sa.Column("round_on", sa.Date(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["footprint_id"], ["footprint.id"]),
        sa.ForeignKeyConstraint(["body_id"], ["body.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("footprint_id", "body_id", "member_id"):
        op.create_index(f"ix_health_assessment_{column}", "health_assessment", [column])


def downgrade() -> None:
    op.drop_table("health_assessment")
    for table in _TABLES:
        for column in ("strength", "interest", "influence"):
            op.drop_column(table, column)
