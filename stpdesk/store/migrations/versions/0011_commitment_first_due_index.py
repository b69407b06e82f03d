"""an index for "promises kept": live commitments by the date first promised

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

Promises kept (``services.promises``) counts the commitments first due in a period
(``coalesce(original_due_date, due_date)``: a commitment given its first date by a
reschedule counts from that date). Without an index on that expression it read every
commitment through the live-rows index: 0.5-0.9 s at 100,000 meetings for the dashboard's
last twelve months, and as long for a footprint's pack. This index holds every column the
count reads, so the count is a range of the index and never touches the table (about 0.06 s).
SQLite before 3.41 counts an index as covering only if it holds, as plain columns, every
column the statement names: those inside the expression and the partial index's condition
too, hence original_due_date and deleted_at at the end.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_commitment_live_first_due ON commitment "
        "(coalesce(original_due_date, due_date), body_id, direction, status, due_date, "
        "completed_on, revisions, original_due_date, deleted_at) WHERE deleted_at IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_commitment_live_first_due")
