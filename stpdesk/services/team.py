"""Syncing this laptop's database with the team database (PostgreSQL).

The SQLite file stays the working copy; the team database is the shared one. A sync:

1. applies erasures other laptops made (an erased person is erased here too, before
   anything of theirs could be pushed back);
2. pushes what changed here since the last sync (``sync_journal``), in ONE server
   transaction, pushes taking turns: a record is written only if the server's version
   is one this laptop had seen (its row version checked in the same statement), so no
   one's change is lost; a version already there is left alone, so a retried push
   changes nothing;
3. pulls what other laptops pushed since the last change number this laptop saw and
   merges it by the bundle rules (services/exchange.py): changes on one side are taken,
   changes on both sides become conflicts for the user to settle.

Removals for good travel as tombstones; erasures as a list of erased contacts, and an
erased contact is never overwritten by a laptop's older copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlmodel import Session, col, delete, func, select

from ..model import clock
from ..model import sync as s
from ..model import tables as t
from ..model.enums import AuditAction
from ..store import Database
from ..store import team as server
from ..store.rows import as_stored
from .errors import ServiceError
from .exchange import (
    BY_ENTITY,
    KINDS,
    ConflictInfo,
    _ancestors,
    _documents,
    _label,
    _remember,
    canonical_json,
    check_record,
    content_hash,
    database_id,
    merge_records,
    remember_many,
    text_hash,
)
from .privacy import ERASED_NAME, erase
from .records import audit, snapshot
from .recycle import _detach
from .team_status import LAST_SYNC, SERVER, SyncStatus, status

__all__ = ["SyncResult", "SyncStatus", "join", "server_url", "set_server", "status", "sync"]

TEAM, PULLED, ERASED = "team_id", "team_pulled", "team_erased"
TEAM_SCHEMA = "t0001"  # the team schema this stpdesk syncs with (tests check the scripts)
CHUNK = 5_000  # ids per IN list
ATTEMPTS = 5
_RECOVERABLE = {k.entity: k.record.name for k in BY_ENTITY.values() if k.record.deletable}


class NotLinked(ServiceError):
    pass


class TeamDataRefused(ServiceError):
    """The team database holds a record this stpdesk cannot take; nothing was changed."""


@dataclass
class SyncResult:
    pushed: int = 0
    pulled: int = 0
    removed: int = 0  # records removed for good here because the team removed them
    erased: int = 0  # contacts erased here because someone erased them
    kept_on_server: int = 0  # pushes the server already had a newer version of
    refused: int = 0  # changes the server would not take from this login (a reader's)
    refusal: str = ""  # the server's words, for the user
    conflicts: list[ConflictInfo] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "pushed": self.pushed,
            "pulled": self.pulled,
            "removed": self.removed,
            "erased": self.erased,
            "refused": self.refused,
            "conflicts": len(self.conflicts),
            "conflict_ids": [conflict.id for conflict in self.conflicts],
        }

    def summary(self) -> str:
        parts = [f"{self.pushed:,} sent", f"{self.pulled:,} received"]
        if self.removed:
            parts.append(f"{self.removed:,} removed for good")
        if self.erased:
            parts.append(f"{self.erased:,} people erased")
        parts.append(f"{len(self.conflicts):,} new conflicts to resolve")
        return ", ".join(parts) + "."


# --- this laptop's bookkeeping -------------------------------------------------------------


def _meta(session: Session, key: str) -> str | None:
    row = session.get(s.SyncMeta, key)
    return row.value if row else None


def _set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(s.SyncMeta, key)
    if row is None:
        session.add(s.SyncMeta(key=key, value=value))
    else:
        row.value = value
        session.add(row)


def server_url(db: Database) -> str | None:
    with db.read() as session:
        return _meta(session, SERVER)


def set_server(db: Database, url: str) -> None:
    """Change the address of this database's team database (Preferences)."""
    server.check_url(url)
    with db.session() as session:
        if _meta(session, SERVER) is None:
            raise NotLinked(
                "This database is not in a team yet; join one with “stpdesk team join URL”."
            )
        _set_meta(session, SERVER, url.strip())


def _require_server(db: Database, url: str | None) -> str:
    found = url or server_url(db)
    if not found:
        raise NotLinked(
            "This database is not linked to a team database; join one with "
            "“stpdesk team join URL” (or give --server URL)."
        )
    server.check_url(found)
    return found


# --- the server's side ----------------------------------------------------------------------


def _open(url: str) -> Any:
    """A connection in autocommit mode: every multi-statement step is its own explicit
    transaction (``with connection.transaction()``)."""
    connection = server.connect(url, autocommit=True)
    try:
        found = server.server_revision(connection)
        if found != TEAM_SCHEMA:
            server.check_schema(connection, url)
    except BaseException:
        connection.close()
        raise
    return connection


def _is_erased(document: dict[str, Any] | None) -> bool:
    return bool(
        document
        and document.get("name") == ERASED_NAME
        and not document.get("email")
        and not document.get("phone")
    )


# --- sync -------------------------------------------------------------------------------------


def join(db: Database, url: str, *, fresh: bool = False) -> SyncResult:
    """Link this database to the team database and merge: the first laptop uploads its
    records, a later one merges the team's into its own (as a bundle) and sends its own.
    ``fresh``: the database was made just now for this, so it takes the team's themes
    instead of the standard ones a new database starts with."""
    url = url.strip()
    server.check_url(url)
    connection = _open(url)
    try:
        team_id = server.team_id(connection)
    finally:
        connection.close()
    with db.session() as session:
        linked = _meta(session, TEAM)
        if linked and linked != team_id:
            raise ServiceError(
                "This database already syncs with another team database; it cannot join a "
                "second one. Use a new database file (--db) for this team."
            )
        if fresh and not session.exec(select(s.SyncMeta).where(s.SyncMeta.key == SERVER)).first():
            session.exec(delete(t.Theme))
        _set_meta(session, SERVER, url)
        _set_meta(session, TEAM, team_id)
    return sync(db, url, everything=True)


def sync(
    db: Database,
    url: str | None = None,
    *,
    everything: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SyncResult:
    """Push this laptop's changes, pull everyone else's; see the module's docstring."""
    url = _require_server(db, url)
    result = SyncResult()
    connection = _open(url)
    try:
        with db.read() as session:
            here = database_id(session)
            team_id = _meta(session, TEAM)
            pulled_seen = 0 if everything else int(_meta(session, PULLED) or 0)
            erased_seen = int(_meta(session, ERASED) or 0)
        found_team = server.team_id(connection)
        if team_id and found_team != team_id:
            raise ServiceError(
                f"{server.describe(url)} is not the team database this laptop joined; "
                "check the server in Preferences."
            )
        for _attempt in range(ATTEMPTS):
            erased_seen = _apply_erasures(db, connection, erased_seen, result)
            if progress:
                progress("Sending this laptop's changes")
            try:
                pushed = _push(db, connection, here, erased_seen, everything, result)
            except _Retry:
                continue
            except _Refused:
                pushed = []
            break
        else:
            raise ServiceError("Others kept erasing records during this sync; sync again.")
        if progress:
            progress("Receiving the team's changes")
        # A join takes everything, this laptop's own pushes too (the file may be a
        # restored backup that lacks some); a sync, what others pushed.
        mine = None if everything else here
        _pull(db, connection, mine, team_id or found_team, pulled_seen, pushed, result)
    except server.TeamError:
        raise
    except Exception as error:
        if isinstance(error, psycopg.Error):
            raise server.explain(error, url) from None
        raise
    finally:
        connection.close()
    return result


def _apply_erasures(db: Database, connection: Any, seen: int, result: SyncResult) -> int:
    found = server.erasures_since(connection, seen)
    for contact_id, number, by in found:
        with db.read() as session:
            contact = session.get(t.Contact, contact_id)
        if contact is not None and not (contact.name == ERASED_NAME and not contact.email):
            erase(db, contact_id, actor=f"{by} (team database)", first_here=False)
            result.erased += 1
        seen = max(seen, number)
    if found:
        with db.session() as session:
            _set_meta(session, ERASED, str(seen))
    return seen


@dataclass
class _Local:
    entity: str
    record_id: str
    document: dict[str, Any] | None  # None: removed for good here
    hash: str | None
    known: set[str]
    text: str | None = None  # the document as the JSON its hash is of
    erasure: bool = False  # changed by an erasure here: it goes over what the server has


def _changed_here(db: Database, everything: bool) -> tuple[int, list[_Local]]:
    """The last journal number read and every record changed since the last sync."""
    with db.read() as session:
        last = session.exec(select(func.max(s.SyncJournal.seq))).one() or 0
        keys: dict[str, set[str]] = {}
        erasures: set[tuple[str, str]] = set()
        for entity, record_id, erasure in session.exec(
            select(s.SyncJournal.entity, s.SyncJournal.record_id, func.max(s.SyncJournal.erasure))
            .where(col(s.SyncJournal.seq) <= last)
            .group_by(col(s.SyncJournal.entity), col(s.SyncJournal.record_id))
        ).all():
            keys.setdefault(entity, set()).add(record_id)
            if erasure:
                erasures.add((entity, record_id))
        found: list[_Local] = []
        for kind in KINDS:
            wanted = sorted(keys.get(kind.entity, ()))
            if everything:
                documents = _documents(session, kind)
                wanted = sorted(set(wanted) | set(documents))
                ancestry = _ancestors(session, kind.entity)
            else:
                documents, ancestry = {}, {}
                for start in range(0, len(wanted), CHUNK):
                    part = wanted[start : start + CHUNK]
                    documents.update(_documents(session, kind, part))
                    ancestry.update(_ancestors(session, kind.entity, part))
            for record_id in wanted:
                document = documents.get(record_id)
                text = canonical_json(document) if document is not None else None
                found.append(
                    _Local(
                        kind.entity,
                        record_id,
                        document,
                        text_hash(text) if text is not None else None,
                        ancestry.get(record_id, set()),
                        text,
                        (kind.entity, record_id) in erasures,
                    )
                )
    return int(last), found


def _push(
    db: Database,
    connection: Any,
    here: str,
    erased_seen: int,
    everything: bool,
    result: SyncResult,
) -> list[server.ServerRecord]:
    """Send this laptop's changes; raises _Retry when someone erased a person meanwhile
    (apply that first). Returns the server's versions this push found newer than ours or in
    conflict (merged by the pull)."""
    last, changed = _changed_here(db, everything)
    if not changed:
        return []
    writes: list[server.Write] = []
    newer_there: list[server.ServerRecord] = []
    sent: list[_Local] = []
    erasures: set[str] = set()
    with connection.transaction():
        server.lock_for_push(connection)
        if server.erasures_since(connection, erased_seen):
            raise _Retry
        rows = server.rows_for_update(connection, [(c.entity, c.record_id) for c in changed])
        erased = server.erased_ids(
            connection, [c.record_id for c in changed if c.entity == "contact"]
        )
        for item in changed:
            row = rows.get((item.entity, item.record_id))
            write = _decide(item, row, erased)
            if write is not None:
                writes.append(write)
                sent.append(item)
            elif row is not None and item.hash == row.hash:
                sent.append(item)  # already there (a retried push): nothing to write
            elif row is not None and not row.removed:
                newer_there.append(row)
            if (
                item.entity == "contact"
                and _is_erased(item.document)
                and item.record_id not in erased
            ):
                erasures.add(item.record_id)
        if writes or erasures:
            try:
                server.write_records(connection, writes, here)
                server.record_erasures(connection, sorted(erasures))
                server.note_laptop(connection, here)
            except psycopg.errors.InsufficientPrivilege as error:
                # The server's grants, not stpdesk, decide: this login may only read.
                # Nothing was written; the changes wait here, and the pull goes ahead.
                result.refused = len(writes) + len(erasures)
                result.refusal = (
                    "The team database did not take this laptop's changes: your login may "
                    f"only read ({str(error).strip().splitlines()[0]}). Nothing was changed "
                    "there; ask your team's admin for an editor login."
                )
                raise _Refused from None
    result.pushed = len(writes)
    result.kept_on_server = len(newer_there)
    # The server has these versions now: remember them, and forget the journal lines read.
    with db.session() as session:
        remember_many(
            session,
            [
                (item.entity, item.record_id, item.hash)
                for item in sent
                if item.hash is not None and item.hash not in item.known
            ],
        )
        session.exec(delete(s.SyncJournal).where(col(s.SyncJournal.seq) <= last))
    return newer_there


class _Retry(Exception):
    pass


class _Refused(Exception):
    pass


def _decide(item: _Local, row: server.ServerRecord | None, erased: set[str]) -> server.Write | None:
    """What to write on the server for one record changed here (None: nothing)."""
    if item.entity == "contact" and item.record_id in erased and not _is_erased(item.document):
        return None  # an erased person is never brought back
    if item.document is None:  # removed for good here
        if row is None or row.removed:
            return None
        if row.hash in item.known:  # unchanged there since we saw it: remove it there too
            return server.Write(
                item.entity,
                item.record_id,
                row.hash,
                sorted(row.ancestors | item.known),
                None,
                row.row_version,
            )
        return None  # changed there since: it comes back at the pull
    assert item.hash is not None
    if row is None:
        return server.Write(
            item.entity,
            item.record_id,
            item.hash,
            sorted(item.known - {item.hash}),
            item.document,
            None,
        )
    if row.removed:
        if item.hash in row.ancestors | {row.hash}:
            return None  # unchanged here since it was removed there: the pull removes it
    elif row.hash == item.hash:
        return None  # already there (a retried push)
    elif not (
        row.hash in item.known
        or item.erasure  # an erasure wins: the person is erased everywhere
        or (item.entity == "contact" and _is_erased(item.document) and not _is_erased(row.document))
    ):
        return None  # newer there, or changed on both sides: the pull sorts it out
    ancestors = (item.known | row.ancestors | {row.hash}) - {item.hash}
    return server.Write(
        item.entity,
        item.record_id,
        item.hash,
        sorted(ancestors),
        item.document,
        row.row_version,
        item.text,
    )


def _pull(
    db: Database,
    connection: Any,
    mine: str | None,
    team_id: str,
    seen: int,
    newer_there: list[server.ServerRecord],
    result: SyncResult,
) -> None:
    # Everything is read from one snapshot before anything here is written: a server
    # that goes away now leaves this laptop as it was.
    with connection.transaction():
        connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        upto = server.last_change(connection)
        rows = server.changes_since(connection, seen, exclude_origin=mine)
        listed = {(row.entity, row.record_id) for row in rows}
        rows += [row for row in newer_there if (row.entity, row.record_id) not in listed]
        erased = server.erased_ids(
            connection, [row.record_id for row in rows if row.entity == "contact"]
        )
    records: list[dict[str, Any]] = []
    removals: list[server.ServerRecord] = []
    for number, row in enumerate(rows, start=1):
        if row.removed:
            removals.append(row)
            continue
        item = {
            "entity": row.entity,
            "id": row.record_id,
            "hash": row.hash,
            "ancestors": sorted(row.ancestors),
            "data": row.document,
        }
        records.append(check_record(_refusal(row), number, item))
    take_theirs = {
        ("contact", row.record_id)
        for row in rows
        if row.entity == "contact" and row.record_id in erased and _is_erased(row.document)
    }
    with db.session() as session:
        before = session.exec(select(func.max(s.SyncJournal.seq))).one() or 0
        merged = merge_records(
            session, team_id, records, origin="the team database", take_theirs=take_theirs
        )
        result.removed = _remove(session, removals)
        connection_here = session.connection()
        broken = connection_here.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            detail = ", ".join(f"a {row[0]} refers to a missing {row[2]}" for row in broken[:3])
            raise TeamDataRefused(
                f"The team database's changes cannot be taken: {detail}. Nothing was "
                "changed here; tell your team's admin."
            )
        # What the pull wrote is not a change of this laptop's to send back.
        session.exec(delete(s.SyncJournal).where(col(s.SyncJournal.seq) > before))
        _set_meta(session, PULLED, str(max(seen, upto)))
        _set_meta(session, LAST_SYNC, as_stored(clock.now()))
    result.pulled = sum(merged.added.values()) + sum(merged.updated.values()) + result.removed
    result.conflicts = merged.conflicts


def _refusal(row: server.ServerRecord) -> Callable[[str], ServiceError]:
    def refuse(why: str) -> ServiceError:
        return TeamDataRefused(
            f"The team database's {why} (last changed by {row.changed_by}). Nothing was "
            "changed here; tell your team's admin."
        )

    return refuse


def _remove(session: Session, removals: Iterable[server.ServerRecord]) -> int:
    """Remove for good the records the team removed, where unchanged here since."""
    removed = 0
    for row in removals:
        kind = BY_ENTITY.get(row.entity)
        if kind is None:
            continue
        local = _documents(session, kind, [row.record_id]).get(row.record_id)
        known = _ancestors(session, kind.entity, [row.record_id]).get(row.record_id, set())
        if local is None:
            _remember(session, kind.entity, row.record_id, {row.hash}, known)
            continue
        if content_hash(local) not in row.ancestors | {row.hash}:
            continue  # changed here since: it stays, and goes back at the next push
        name = _RECOVERABLE.get(kind.entity)
        if name is None:
            continue  # only recycle-bin kinds are ever removed for good
        record = session.get(kind.model, row.record_id)
        _detach(session, name, row.record_id)
        audit(
            session,
            action=AuditAction.delete,
            entity=kind.entity,
            record=record,
            before=snapshot(record),
            summary=f"Removed for good by the team database: {_label(kind.entity, local)}",
            removed=True,
        )
        session.delete(record)
        session.flush()
        _remember(session, kind.entity, row.record_id, {row.hash}, known)
        removed += 1
    return removed
