"""commitments keep every due date they slipped to, and how their delivery is known

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

A commitment keeps the date first promised (``original_due_date``) beside its latest
(``due_date``), and each move in ``revisions``; delivery records how we know it was done
(``evidence_kind``: a meeting, a letter, a document or link, a note, with
``evidence_ref``). Asks and commitments can cite a meeting's minute ("7.3").

Columns are added with ALTER TABLE ADD COLUMN, not batch mode: rebuilding ask or
commitment would drop the search, filter and tally triggers on them. Existing
commitments take their current due date as the original (the app backs the file up
before any migration).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("commitment", sa.Column("original_due_date", sa.Date(), nullable=True))
    op.add_column("commitment", sa.Column("revisions", sa.JSON(), nullable=True))
    op.add_column(
        "commitment",
        sa.Column(
            "evidence_kind",
            sa.Enum("meeting", "letter", "document", "note", name="evidencekind"),
            nullable=True,
        ),
    )
    op.add_column("commitment", sa.Column("evidence_ref", sa.String(length=2000), nullable=True))
    op.add_column("commitment", sa.Column("minute_ref", sa.String(length=20), nullable=True))
    op.add_column("ask", sa.Column("minute_ref", sa.String(length=20), nullable=True))
    op.execute("UPDATE commitment SET original_due_date = due_date")


def downgrade() -> None:
    for column in ("minute_ref", "evidence_ref", "evidence_kind", "revisions", "original_due_date"):
        op.drop_column("commitment", column)
    op.drop_column("ask", "minute_ref")
