"""Tables for imports and laptop-to-laptop exchange (schema revision 0003).

Kept apart from the searchable tables: altering those in SQLite batch mode
would rebuild them and drop their search triggers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from .clock import now
from .types import UTCDateTime, new_id


class SyncMeta(SQLModel, table=True):
    """Facts about this database file, e.g. ``database_id`` (named in bundles)."""

    __tablename__ = "sync_meta"
    key: str = Field(primary_key=True, max_length=50)
    value: str = Field(max_length=300)


class ExternalRef(SQLModel, table=True):
    """Where an imported record came from, so importing the same file again
    matches it instead of adding a copy (``source`` "ics", ``key`` UID + occurrence)."""

    __tablename__ = "external_ref"
    source: str = Field(primary_key=True, max_length=20)
    key: str = Field(primary_key=True, max_length=1000)
    entity: str = Field(max_length=50)
    record_id: str = Field(max_length=36, index=True)
    fingerprint: str = Field(default="", max_length=64)  # what the source said last time


class SyncVersion(SQLModel, table=True):
    """Every version of a record this database has sent or received (by content hash).

    A version seen here is an ancestor of the current one, so a later bundle can
    tell "changed on one side" from "changed on both sides".
    """

    __tablename__ = "sync_version"
    entity: str = Field(primary_key=True, max_length=50)
    record_id: str = Field(primary_key=True, max_length=36)
    hash: str = Field(primary_key=True, max_length=64)


class SyncAlias(SQLModel, table=True):
    """Another database's id for a record that exists here under its own id
    (standard themes, footprints and bodies set up separately on each laptop)."""

    __tablename__ = "sync_alias"
    entity: str = Field(primary_key=True, max_length=50)
    remote_id: str = Field(primary_key=True, max_length=36)
    local_id: str = Field(max_length=36)


class SyncConflict(SQLModel, table=True):
    """A record changed on both laptops: this one's version stays in place, the
    other's is kept here until the user chooses."""

    __tablename__ = "sync_conflict"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    entity: str = Field(max_length=50, index=True)
    record_id: str = Field(max_length=36, index=True)
    source_database_id: str = Field(max_length=36)
    remote_hash: str = Field(max_length=64)
    local: dict = Field(sa_column=Column(JSON, nullable=False))
    remote: dict = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime, nullable=False)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution: str | None = Field(default=None, max_length=20)  # "ours" or "theirs"


class SyncJournal(SQLModel, table=True):
    """A record changed here since the last sync with the team database (schema 0015):
    triggers add a line per insert, update or delete, a sync removes those it pushed."""

    __tablename__ = "sync_journal"
    seq: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=50)
    record_id: str = Field(max_length=36)
    # changed by an erasure here: sent over whatever the team database holds, so the
    # person is erased there even where someone changed the record meanwhile
    erasure: bool = Field(default=False)
