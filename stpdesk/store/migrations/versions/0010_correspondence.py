"""letters keep their reference, copies and sending; replies are kept, with what each
did to the asks the letter carried

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

A letter stores its reference, cc list (JSON), every file it was saved as (its PDF and
its Word copy are one letter), the day it was sent and how (post,
email). ``letter_reply`` holds each reply: when it came, from whom, what it says, its
file or link, and the outcome for each ask the letter carried (JSON). Columns are added
with ALTER TABLE ADD COLUMN, not batch mode: rebuilding letter would drop its search
triggers. Letters already marked sent take their letter date as the day sent.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("letter", sa.Column("reference", sa.String(length=100), nullable=True))
    op.add_column("letter", sa.Column("cc", sa.JSON(), nullable=True))
    op.add_column("letter", sa.Column("files", sa.JSON(), nullable=True))
    op.add_column("letter", sa.Column("sent_on", sa.Date(), nullable=True))
    op.add_column(
        "letter",
        sa.Column("sent_by", sa.Enum("post", "email", name="sentby"), nullable=True),
    )
    op.execute("UPDATE letter SET sent_on = letter_date WHERE status != 'draft'")
    op.execute(
        "UPDATE letter SET files = json_array(file_path) WHERE file_path IS NOT NULL"
    )
    op.create_index(
        "ix_letter_live_status_sent",
        "letter",
        ["status", "sent_on"],
        sqlite_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "letter_reply",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("letter_id", sa.String(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("from_whom", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.String(length=1000000), nullable=True),
        sa.Column("file_ref", sa.String(length=2000), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["letter_id"], ["letter.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_letter_reply_letter_id", "letter_reply", ["letter_id"])


def downgrade() -> None:
    op.drop_index("ix_letter_reply_letter_id", table_name="letter_reply")
    op.drop_table("letter_reply")
    op.drop_index("ix_letter_live_status_sent", table_name="letter")
    for column in ("sent_by", "sent_on", "files", "cc", "reference"):
        op.drop_column("letter", column)
