"""the temperature of each body at a meeting: −2 (hostile) to +2 (supportive), and why

Revision ID: 0012
Revises: 0014
Create Date: 2026-12-06

A new table, so no existing table is rebuilt (and no search or tally trigger dropped).
A reading goes with its meeting (deleted with it when the bin is emptied) and names a
body that must exist; the score is checked here too, so no way in can store 3.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meeting_temperature",
        sa.Column("meeting_id", sa.String(), nullable=False),
        sa.Column("body_id", sa.String(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.CheckConstraint("score BETWEEN -2 AND 2", name="ck_temperature_score"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["body_id"], ["body.id"]),
        sa.PrimaryKeyConstraint("meeting_id", "body_id"),
    )
    op.create_index("ix_meeting_temperature_body_id", "meeting_temperature", ["body_id"])


def downgrade() -> None:
    op.drop_index("ix_meeting_temperature_body_id", table_name="meeting_temperature")
    op.drop_table("meeting_temperature")
