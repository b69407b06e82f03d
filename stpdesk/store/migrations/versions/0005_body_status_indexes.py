"""indexes for a body's asks and commitments by status

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

The dashboard's open asks by body and a footprint's engagement summary read a
body's live asks and commitments by status; through the plain body_id index each
row had to be fetched and checked (0.5 s at 100,000 meetings).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted_at IS NULL")
INDEXES = {
    "ix_ask_live_body_status": ("ask", ["body_id", "status", "raised_on", "id"]),
    "ix_commitment_live_body_status": ("commitment", ["body_id", "status", "due_date"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns, sqlite_where=LIVE, postgresql_where=LIVE)
    op.execute("ANALYZE")  # let the planner see how selective the new indexes are


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
