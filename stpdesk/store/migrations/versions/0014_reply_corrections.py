"""replies can be deleted (to Recently deleted) and corrected; letters are found by their
reference and copies; promises kept reads a few bodies' commitments by body

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-07

``letter_reply`` gains ``deleted_at``: a reply recorded by mistake goes to Recently
deleted, from where it comes back with what it did to the asks. The letter's search row
gains its reference ("SDC/JS/2026-11-22") and cc list, so searching for a reference finds
the letter. The letter's search triggers are recreated (the table is not rebuilt, so
they are not lost) and every letter is indexed again.

Promises kept for a pack's few bodies read migration 0011's first-due index over every
body's commitments in the period (about 20,000 rows at 100,000 meetings, 12 ms); the same
index led by the body reads only theirs (5 ms).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TITLE = "coalesce({row}.subject, {row}.template)"
BODY_BEFORE = (
    "coalesce({row}.recipient_address, '') || ' ' || coalesce({row}.opening, '') || ' ' || "
    "coalesce({row}.closing, '') || ' ' || coalesce({row}.reply_notes, '')"
)
BODY = BODY_BEFORE + " || ' ' || coalesce({row}.reference, '') || ' ' || coalesce({row}.cc, '')"
DOCID = "(SELECT docid FROM search_doc WHERE ref = {row}.id)"


def _index_row(body: str) -> str:
    return (
        "INSERT INTO search_fts(rowid, kind, ref, title, body) "
        f"SELECT docid, 'letter', new.id, {TITLE.format(row='new')}, {body.format(row='new')} "
        "FROM search_doc WHERE ref = new.id AND new.deleted_at IS NULL;"
    )


def _letter_triggers(body: str) -> None:
    for suffix in ("ai", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS letter_search_{suffix}")
    op.execute(
        "CREATE TRIGGER letter_search_ai AFTER INSERT ON letter BEGIN "
        "INSERT INTO search_doc(kind, ref) VALUES ('letter', new.id); "
        f"{_index_row(body)} END"
    )
    op.execute(
        "CREATE TRIGGER letter_search_au AFTER UPDATE ON letter BEGIN "
        f"DELETE FROM search_fts WHERE rowid = {DOCID.format(row='old')}; "
        f"{_index_row(body)} END"
    )
    op.execute(
        "DELETE FROM search_fts WHERE rowid IN "
        "(SELECT docid FROM search_doc WHERE kind = 'letter')"
    )
    op.execute(
        "INSERT INTO search_fts(rowid, kind, ref, title, body) "
        f"SELECT d.docid, 'letter', e.id, {TITLE.format(row='e')}, {body.format(row='e')} "
        "FROM letter AS e JOIN search_doc AS d ON d.ref = e.id WHERE e.deleted_at IS NULL"
    )


def upgrade() -> None:
    op.add_column("letter_reply", sa.Column("deleted_at", sa.DateTime(), nullable=True))
    _letter_triggers(BODY)
    op.execute(
        "CREATE INDEX ix_commitment_live_body_first_due ON commitment "
        "(body_id, coalesce(original_due_date, due_date), direction, status, due_date, "
        "completed_on, revisions, original_due_date, deleted_at) WHERE deleted_at IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_commitment_live_body_first_due")
    _letter_triggers(BODY_BEFORE)
    op.drop_column("letter_reply", "deleted_at")
