"""tables for imports and laptop-to-laptop exchange

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

New tables only: batch-altering a searchable table would drop its FTS triggers.
Every database gets its own random id, named in the bundles it writes.
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    meta = op.create_table(
        "sync_meta",
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.bulk_insert(meta, [{"key": "database_id", "value": str(uuid.uuid4())}])
    op.create_table(
        "external_ref",
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=1000), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("source", "key"),
    )
    op.create_index("ix_external_ref_record_id", "external_ref", ["record_id"])
    op.create_table(
        "sync_version",
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("entity", "record_id", "hash"),
    )
    op.create_table(
        "sync_alias",
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("remote_id", sa.String(length=36), nullable=False),
        sa.Column("local_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("entity", "remote_id"),
    )
    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("source_database_id", sa.String(length=36), nullable=False),
        sa.Column("remote_hash", sa.String(length=64), nullable=False),
        sa.Column("local", sa.JSON(), nullable=False),
        sa.Column("remote", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sync_conflict_entity", "sync_conflict", ["entity"])
    op.create_index("ix_sync_conflict_record_id", "sync_conflict", ["record_id"])


def downgrade() -> None:
    op.drop_table("sync_conflict")
    op.drop_table("sync_alias")
    op.drop_table("sync_version")
    op.drop_index("ix_external_ref_record_id", table_name="external_ref")
    op.drop_table("external_ref")
    op.drop_table("sync_meta")
