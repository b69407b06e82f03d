"""a journal of changed records, for syncing with the team database

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-06

Every insert, update and delete of a record a bundle carries (and of its link rows) adds
a line naming the record, so a sync pushes what changed since the last one without
reading every record. A sync removes the lines it pushed, by number: a line added while
a push is under way stays for the next. Lines an erasure adds are marked: those changes
go to the team database over whatever it holds. Only a database linked to a team database
(``sync_meta`` holds ``team_server``) keeps the journal; joining pushes everything.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> (entity journalled, column holding the record's id)
JOURNALLED = {
    "footprint": ("footprint", "id"),
    "theme": ("theme", "id"),
    "body": ("body", "id"),
    "body_footprint": ("body", "body_id"),
    "contact": ("contact", "id"),
    "member": ("member", "id"),
    "meeting": ("meeting", "id"),
    "meeting_body": ("meeting", "meeting_id"),
    "meeting_theme": ("meeting", "meeting_id"),
    "meeting_attendee": ("meeting", "meeting_id"),
    "meeting_temperature": ("meeting", "meeting_id"),
    "letter": ("letter", "id"),
    "letter_signatory": ("letter", "letter_id"),
    "letter_ask": ("letter", "letter_id"),
    "ask": ("ask", "id"),
    "ask_theme": ("ask", "ask_id"),
    "commitment": ("commitment", "id"),
    "commitment_theme": ("commitment", "commitment_id"),
    "health_assessment": ("health_assessment", "id"),
    "letter_reply": ("letter_reply", "id"),
}


def upgrade() -> None:
    op.execute(
        "CREATE TABLE sync_journal ("
        "seq INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "
        "entity VARCHAR(50) NOT NULL, "
        "record_id VARCHAR(36) NOT NULL, "
        "erasure BOOLEAN NOT NULL DEFAULT 0)"
    )
    for table, (entity, column) in JOURNALLED.items():
        for event, row in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
            op.execute(
                f"CREATE TRIGGER sync_journal_{table}_{event} AFTER {event.upper()} ON {table} "
                "WHEN EXISTS (SELECT 1 FROM sync_meta WHERE key = 'team_server') "
                f"BEGIN INSERT INTO sync_journal (entity, record_id) "
                f"VALUES ('{entity}', {row}.{column}); END"
            )


def downgrade() -> None:
    for table in JOURNALLED:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS sync_journal_{table}_{event}")
    op.execute("DROP TABLE sync_journal")
