"""live asks and commitments counted by body, status and direction, kept by triggers

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25

The dashboard shows how many open asks each body has and, for each footprint, how
many asks were made and accepted and how many commitments were kept; a briefing pack
counts the open asks and the pending commitments each way for the meeting's bodies.
Counting those rows took 0.2 s at 100,000 meetings for the dashboard (on every launch)
and 25 ms for a pack, and grew with the record. The
triggers keep the counts in the same transaction as the change, so reading them costs
the same at any size. Triggers are dropped when batch mode rebuilds ask or commitment:
a migration that batch-alters them must recreate these (see ``TALLY_TRIGGERS``).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What each table is counted by beyond body and status ('' when nothing).
TALLIED = {"ask": "''", "commitment": "{row}.direction"}


def _add(sign: str, row: str, table: str) -> str:
    direction = TALLIED[table].format(row=row)
    return (
        f"INSERT INTO tally_by_body (entity, body_id, status, direction, live) "
        f"VALUES ('{table}', {row}.body_id, {row}.status, {direction}, {sign}1) "
        f"ON CONFLICT (entity, body_id, status, direction) DO UPDATE SET live = live {sign} 1;"
    )


def tally_triggers(table: str) -> list[str]:
    """The triggers that keep ``table``'s live rows counted (also for later migrations)."""
    watched = "body_id, status, deleted_at" + (", direction" if table == "commitment" else "")
    return [
        f"CREATE TRIGGER tally_{table}_insert AFTER INSERT ON {table} "
        f"WHEN new.deleted_at IS NULL BEGIN {_add('+', 'new', table)} END",
        f"CREATE TRIGGER tally_{table}_delete AFTER DELETE ON {table} "
        f"WHEN old.deleted_at IS NULL BEGIN {_add('-', 'old', table)} END",
        # An update moves a row between counts: out of the old one if it was live,
        # into the new one if it is live (deleting and restoring included).
        f"CREATE TRIGGER tally_{table}_update_out AFTER UPDATE OF {watched} "
        f"ON {table} WHEN old.deleted_at IS NULL BEGIN {_add('-', 'old', table)} END",
        f"CREATE TRIGGER tally_{table}_update_in AFTER UPDATE OF {watched} "
        f"ON {table} WHEN new.deleted_at IS NULL BEGIN {_add('+', 'new', table)} END",
    ]


TALLY_TRIGGERS = {table: tally_triggers(table) for table in TALLIED}


def upgrade() -> None:
    op.execute(
        "CREATE TABLE tally_by_body ("
        "entity VARCHAR(20) NOT NULL, body_id VARCHAR NOT NULL, status VARCHAR(20) NOT NULL, "
        "direction VARCHAR(10) NOT NULL, live INTEGER NOT NULL, "
        "PRIMARY KEY (entity, body_id, status, direction)) WITHOUT ROWID"
    )
    for table, direction in TALLIED.items():
        column = direction.format(row=table)
        op.execute(
            "INSERT INTO tally_by_body (entity, body_id, status, direction, live) "
            f"SELECT '{table}', body_id, status, {column}, count(*) FROM {table} "
            f"WHERE deleted_at IS NULL GROUP BY body_id, status, {column}"
        )
        for statement in TALLY_TRIGGERS[table]:
            op.execute(statement)


def downgrade() -> None:
    for table in TALLIED:
        for kind in ("insert", "delete", "update_out", "update_in"):
            op.execute(f"DROP TRIGGER IF EXISTS tally_{table}_{kind}")
    op.execute("DROP TABLE tally_by_body")
