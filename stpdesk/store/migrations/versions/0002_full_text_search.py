"""full-text search over meetings, asks, commitments, contacts, bodies, members and letters

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

One FTS5 table holds every searchable record; ``search_doc`` maps each record id
to a stable integer rowid (a table's own rowid can change on VACUUM). Triggers
keep the index in the same transaction as every change, whichever code writes.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# entity -> (title expression, body expression, has soft delete)
SOURCES = {
    "meeting": (
        "new.title",
        "coalesce(new.location, '') || ' ' || coalesce(new.agenda, '') || ' ' || "
        "coalesce(new.notes, '') || ' ' || coalesce(new.outcome, '')",
        True,
    ),
    "ask": (
        "new.title",
        "coalesce(new.rationale, '') || ' ' || coalesce(new.response, '')",
        True,
    ),
    "commitment": ("new.text", "coalesce(new.evidence, '')", True),
    "contact": (
        "new.name",
        "coalesce(new.role, '') || ' ' || coalesce(new.email, '') || ' ' || coalesce(new.notes, '')",
        True,
    ),
    "body": ("new.name", "coalesce(new.notes, '')", False),
    "member": (
        "new.name",
        "coalesce(new.position, '') || ' ' || coalesce(new.council, '')",
        False,
    ),
    "letter": (
        "coalesce(new.subject, new.template)",
        "coalesce(new.recipient_address, '') || ' ' || coalesce(new.opening, '') || ' ' || "
        "coalesce(new.closing, '') || ' ' || coalesce(new.reply_notes, '')",
        True,
    ),
}


def _index_row(entity: str, title: str, body: str, deletable: bool) -> str:
    live = "AND new.deleted_at IS NULL" if deletable else ""
    return (
        "INSERT INTO search_fts(rowid, kind, ref, title, body) "
        f"SELECT docid, '{entity}', new.id, {title}, {body} "
        f"FROM search_doc WHERE ref = new.id {live};"
    )


def upgrade() -> None:
    op.execute(
        "CREATE TABLE search_doc ("
        " docid INTEGER PRIMARY KEY,"
        " kind TEXT NOT NULL,"
        " ref TEXT NOT NULL UNIQUE)"
    )
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5("
        " kind UNINDEXED, ref UNINDEXED, title, body,"
        " tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
    )
    for entity, (title, body, deletable) in SOURCES.items():
        index_row = _index_row(entity, title, body, deletable)
        op.execute(
            f"CREATE TRIGGER {entity}_search_ai AFTER INSERT ON {entity} BEGIN "
            f"INSERT INTO search_doc(kind, ref) VALUES ('{entity}', new.id); "
            f"{index_row} END"
        )
        op.execute(
            f"CREATE TRIGGER {entity}_search_au AFTER UPDATE ON {entity} BEGIN "
            "DELETE FROM search_fts WHERE rowid = (SELECT docid FROM search_doc WHERE ref = old.id); "
            f"{index_row} END"
        )
        op.execute(
            f"CREATE TRIGGER {entity}_search_ad AFTER DELETE ON {entity} BEGIN "
            "DELETE FROM search_fts WHERE rowid = (SELECT docid FROM search_doc WHERE ref = old.id); "
            "DELETE FROM search_doc WHERE ref = old.id; END"
        )
        # Index what an older database already holds.
        live = "WHERE e.deleted_at IS NULL" if deletable else ""
        op.execute(f"INSERT INTO search_doc(kind, ref) SELECT '{entity}', id FROM {entity}")
        op.execute(
            "INSERT INTO search_fts(rowid, kind, ref, title, body) "
            f"SELECT d.docid, '{entity}', e.id, {title.replace('new.', 'e.')}, "
            f"{body.replace('new.', 'e.')} "
            f"FROM {entity} AS e JOIN search_doc AS d ON d.ref = e.id {live}"
        )

def downgrade() -> None:
    for entity in SOURCES:
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS {entity}_search_{suffix}")
    op.execute("DROP TABLE IF EXISTS search_fts")
    op.execute("DROP TABLE IF EXISTS search_doc")
