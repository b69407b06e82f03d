"""Laptop-to-laptop exchange without a server: bundles written by one database
and merged into another by record id.

A bundle is a zip holding ``manifest.json`` (format version, the writing database's
id, counts and the SHA-256 of each member) and ``records.json`` (every record with
its links, the hash of its content and the hashes of the earlier versions its
database has exchanged). Merging compares three things for each record: this
database's version, the bundle's version, and the versions each side has seen:

* not here → added;
* the same on both sides → nothing to do;
* this side's version is an ancestor of the bundle's → the bundle's change is taken;
* the bundle's version is an ancestor of this side's → this side's newer version stays;
* otherwise both sides changed it → this side's version stays in place, the bundle's
  is kept beside it as a :class:`~stpdesk.model.sync.SyncConflict` for the user.

Importing the same bundle twice changes nothing. A damaged, tampered or unknown-version
bundle is refused whole before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from ..config import current_user
from ..model import clock, kinds
from ..model import sync as s
from ..model import tables as t
from ..model.enums import AuditAction
from ..store import Database
from ..store.schema import HEAD_REVISION
from .errors import NotFound, ServiceError, ValidationFailed
from .exports import decode_value, defer_foreign_keys, encode_value
from .files import write_private
from .records import check_stored, snapshot, snapshot_values, write_audit_rows

BUNDLE_FORMAT = "stpdesk-bundle"
BUNDLE_VERSION = 1
BUNDLE_SUFFIX = ".stpdesk"
MANIFEST, RECORDS = "manifest.json", "records.json"
# Refuse zip bombs before inflating anything: a bundle holds two members; stpdesk writes
# about 1.2 KB of records per record and JSON compresses some 5 to 10 times.
MAX_MANIFEST_BYTES = 1_000_000
MAX_RECORDS_BYTES = 250_000_000  # some 200,000 records
MAX_RATIO = 100  # inflated size over stored size


@dataclass(frozen=True)
class Kind:
    """One kind of record in a bundle (``model.kinds``), with its link lists."""

    record: kinds.RecordKind
    # link list name -> (link table, own column, other column, ordered)
    links: dict[str, tuple[type[SQLModel], str, str, bool]] = field(default_factory=dict)

    @property
    def entity(self) -> str:  # the table name: "meeting"
        return self.record.table

    @property
    def model(self) -> type[SQLModel]:
        return self.record.model

    @property
    def label(self) -> str:
        return self.record.label


def _kind(table: str, **links: tuple[type[SQLModel], str, str, bool]) -> Kind:
    return Kind(kinds.BY_TABLE[table], links)


# The kinds a bundle carries (model.kinds' ``merged``), parents first: records are
# written in this order.
KINDS: tuple[Kind, ...] = (
    _kind("footprint"),
    _kind("theme"),
    _kind("body", footprint_ids=(t.BodyFootprint, "body_id", "footprint_id", False)),
    _kind("contact"),
    _kind("member"),
    _kind(
        "meeting",
        body_ids=(t.MeetingBody, "meeting_id", "body_id", False),
        theme_ids=(t.MeetingTheme, "meeting_id", "theme_id", False),
    ),
    _kind(
        "letter",
        signatory_ids=(t.LetterSignatory, "letter_id", "member_id", True),
        ask_ids=(t.LetterAsk, "letter_id", "ask_id", True),
    ),
    _kind("ask", theme_ids=(t.AskTheme, "ask_id", "theme_id", False)),
    _kind("commitment", theme_ids=(t.CommitmentTheme, "commitment_id", "theme_id", False)),
    _kind("health_assessment"),
    _kind("letter_reply"),
)
BY_ENTITY = {kind.entity: kind for kind in KINDS}

# Fields holding ids of kinds that may be known here under another id (see SyncAlias).
_ALIASED_FIELDS = {
    "successor_id": "footprint",
    "footprint_ids": "footprint",
    "theme_ids": "theme",
    "body_id": "body",
    "body_ids": "body",
}


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined,return-value]


def canonical_json(document: dict[str, Any]) -> str:
    """A record's document as the one text its hash is taken of."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(document: dict[str, Any]) -> str:
    return text_hash(canonical_json(document))


def database_id(session: Session) -> str:
    meta = session.get(s.SyncMeta, "database_id")
    if meta is None:  # a file from before 0003 that was not upgraded cannot get here
        raise ServiceError("This database has no exchange id; open it with stpdesk to upgrade it.")
    return meta.value


# --- record documents -----------------------------------------------------------------


def _documents(session: Session, kind: Kind, ids: list[str] | None = None) -> dict[str, dict]:
    """Each record of ``kind`` as a JSON document: its columns plus its link lists."""
    table = _table(kind.model)
    query = sa_select(table)
    if ids is not None:
        query = query.where(table.c.id.in_(ids))
    connection = session.connection()
    columns = [(column.name, column) for column in table.columns]
    documents = {}
    for row in connection.execute(query):
        document = {
            name: encode_value(column, value)
            for (name, column), value in zip(columns, row, strict=True)
        }
        documents[document["id"]] = document
    for name, (link_model, own, other, ordered) in kind.links.items():
        link = _table(link_model)
        query = sa_select(link.c[own], link.c[other])
        if ids is not None:
            query = query.where(link.c[own].in_(ids))
        query = query.order_by(link.c[own], link.c.position if ordered else link.c[other])
        lists: dict[str, list[str]] = {}
        for own_id, other_id in connection.execute(query):
            lists.setdefault(own_id, []).append(other_id)
        for record_id, document in documents.items():
            document[name] = lists.get(record_id, [])
    if kind.entity == "meeting":
        attendees = _table(t.MeetingAttendee)
        query = sa_select(attendees)
        if ids is not None:
            query = query.where(attendees.c.meeting_id.in_(ids))
        people: dict[str, list[dict[str, Any]]] = {}
        for row in connection.execute(query):
            people.setdefault(row.meeting_id, []).append(
                {
                    "contact_id": row.contact_id,
                    "member_id": row.member_id,
                    "attendance": encode_value(attendees.c.attendance, row.attendance),
                }
            )
        for record_id, document in documents.items():
            document["attendees"] = sorted(
                people.get(record_id, []),
                key=lambda a: (a["contact_id"] or "", a["member_id"] or ""),
            )
        _add_temperature(connection, documents, ids)
    return documents


def _add_temperature(connection: Any, documents: dict[str, dict], ids: list[str] | None) -> None:
    """Each meeting's readings, by body. Only meetings that have some carry the field, so
    a meeting without readings hashes as it did before readings existed (no false changes
    for laptops that exchanged bundles before)."""
    readings = _table(t.MeetingTemperature)
    query = sa_select(readings)
    if ids is not None:
        query = query.where(readings.c.meeting_id.in_(ids))
    found: dict[str, list[dict[str, Any]]] = {}
    for row in connection.execute(query.order_by(readings.c.body_id)):
        found.setdefault(row.meeting_id, []).append(
            {"body_id": row.body_id, "score": row.score, "reason": row.reason}
        )
    for record_id, listed in found.items():
        if record_id in documents:
            documents[record_id]["temperature"] = listed


def _malformed_temperature(readings: Any) -> bool:
    return not isinstance(readings, list) or not all(
        isinstance(r, dict)
        and set(r) == {"body_id", "score", "reason"}
        and isinstance(r["body_id"], str)
        and (r["reason"] is None or isinstance(r["reason"], str))
        for r in readings
    )


def _ancestors(session: Session, entity: str, ids: list[str] | None = None) -> dict[str, set[str]]:
    versions = _table(s.SyncVersion)
    query = sa_select(versions.c.record_id, versions.c.hash).where(versions.c.entity == entity)
    if ids is not None:
        query = query.where(versions.c.record_id.in_(ids))
    found: dict[str, set[str]] = {}
    for record_id, value in session.connection().execute(query):
        found.setdefault(record_id, set()).add(value)
    return found


def _remember(
    session: Session, entity: str, record_id: str, hashes: set[str], known: set[str]
) -> None:
    for value in sorted(hashes - known):
        session.add(s.SyncVersion(entity=entity, record_id=record_id, hash=value))
    known |= hashes


def remember_many(session: Session, versions: list[tuple[str, str, str]]) -> None:
    """Note (entity, record id, hash) versions as seen, in one statement; ones already
    noted are left as they are."""
    if versions:
        session.connection().execute(
            insert(_table(s.SyncVersion)).prefix_with("OR IGNORE"),
            [{"entity": e, "record_id": r, "hash": h} for e, r, h in versions],
        )


# --- writing a bundle ------------------------------------------------------------------


@dataclass(frozen=True)
class BundleInfo:
    path: Path
    database_id: str
    counts: dict[str, int]


def export_bundle(
    db: Database, path: Path, *, progress: Callable[[int, int], None] | None = None
) -> BundleInfo:
    """Write every record (deleted ones too, so deletions travel) to one bundle file."""
    path = Path(path)
    records: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    with db.session() as session:
        source = database_id(session)
        for number, kind in enumerate(KINDS):
            documents = _documents(session, kind)
            ancestry = _ancestors(session, kind.entity)
            for record_id, document in sorted(documents.items()):
                current = content_hash(document)
                known = ancestry.setdefault(record_id, set())
                _remember(session, kind.entity, record_id, {current}, known)
                records.append(
                    {
                        "entity": kind.entity,
                        "id": record_id,
                        "hash": current,
                        "ancestors": sorted(known - {current}),
                        "data": document,
                    }
                )
            counts[kind.entity] = len(documents)
            if progress:
                progress(number + 1, len(KINDS) + 1)
        body = json.dumps({"records": records}, ensure_ascii=False).encode("utf-8")
        manifest = {
            "format": BUNDLE_FORMAT,
            "version": BUNDLE_VERSION,
            "schema": HEAD_REVISION,
            "database_id": source,
            "created_at": clock.now().isoformat(),
            "created_by": current_user(),
            "counts": counts,
            "checksums": {RECORDS: hashlib.sha256(body).hexdigest()},
        }

        def write(handle: Any) -> None:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
                archive.writestr(RECORDS, body)

        # Written inside the transaction: the versions are remembered only if the file is.
        write_private(path, write, text=False)
    if progress:
        progress(len(KINDS) + 1, len(KINDS) + 1)
    return BundleInfo(path, source, counts)


# --- reading a bundle --------------------------------------------------------------------


class BundleRefused(ServiceError):
    """The bundle is damaged, tampered with or of an unknown version; nothing was changed."""


@dataclass
class Bundle:
    manifest: dict[str, Any]
    records: list[dict[str, Any]]  # entity, id, hash, ancestors, data (decoded values)

    @property
    def database_id(self) -> str:
        return str(self.manifest["database_id"])


def _refuse(path: Path, why: str) -> BundleRefused:
    return BundleRefused(f"{path.name} cannot be imported: {why}. Nothing was changed.")


def read_bundle(path: Path) -> Bundle:
    """Open and check a bundle completely before anything is written."""
    path = Path(path)
    if not path.is_file():
        raise ServiceError(f"There is no bundle file at {path}.")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = [info.filename for info in members]
            if MANIFEST not in names or RECORDS not in names:
                raise _refuse(path, "it is not an stpdesk exchange bundle (no manifest)")
            if len(members) != 2 or len(set(names)) != 2:
                raise _refuse(
                    path,
                    f"it holds {len(members):,} files where a bundle holds two "
                    f"({MANIFEST} and {RECORDS})",
                )
            stored = path.stat().st_size
            for info in members:
                if info.header_offset + info.compress_size > stored:
                    raise _refuse(path, "the file is damaged (it lists more data than it holds)")
                limit = MAX_MANIFEST_BYTES if info.filename == MANIFEST else MAX_RECORDS_BYTES
                if info.file_size > limit or info.file_size > MAX_RATIO * max(
                    info.compress_size, 1_000
                ):
                    raise _refuse(
                        path,
                        f"{info.filename} would unpack to {info.file_size:,} bytes from "
                        f"{info.compress_size:,}, more than a bundle stpdesk writes",
                    )
            manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
            body = archive.read(RECORDS)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError):
        raise _refuse(path, "the file is damaged (it is not a complete zip file)") from None
    except (UnicodeDecodeError, ValueError, RecursionError):  # JSONDecodeError is a ValueError
        raise _refuse(path, "its manifest is damaged") from None
    except (OSError, RuntimeError, zlib.error) as error:  # CRC failures surface as these
        raise _refuse(path, f"the file is damaged ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        raise _refuse(path, "it is not an stpdesk exchange bundle")
    if manifest.get("version") != BUNDLE_VERSION:
        raise _refuse(
            path,
            f"it is bundle format version {manifest.get('version')!r} and this stpdesk reads "
            f"version {BUNDLE_VERSION}; update stpdesk on both laptops",
        )
    expected = (manifest.get("checksums") or {}).get(RECORDS)
    if not expected or hashlib.sha256(body).hexdigest() != expected:
        raise _refuse(
            path,
            "its records do not match the checksum in its manifest (the file was changed or damaged)",
        )
    if not isinstance(manifest.get("database_id"), str):
        raise _refuse(path, "its manifest does not name the database that wrote it")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # too deep, or a 5,000-digit number
        raise _refuse(path, "its records are damaged") from None
    raw_records = payload.get("records") if isinstance(payload, dict) else None
    if not isinstance(raw_records, list):
        raise _refuse(path, "it holds no records")
    records = []
    counts: dict[str, int] = {}
    for number, item in enumerate(raw_records, start=1):
        try:
            records.append(check_record(lambda why: _refuse(path, why), number, item))
        except (ValueError, TypeError, OverflowError, RecursionError) as error:
            raise _refuse(path, f"record {number} is malformed ({error})") from None
        counts[item["entity"]] = counts.get(item["entity"], 0) + 1
    declared = {key: value for key, value in (manifest.get("counts") or {}).items() if value}
    if declared != counts:
        raise _refuse(path, "the number of records does not match its manifest")
    return Bundle(manifest, records)


def check_record(refuse: Callable[[str], ServiceError], number: int, item: Any) -> dict[str, Any]:
    """One record of a bundle (or from the team database) checked and decoded; ``refuse``
    makes the error to raise from what is wrong."""
    where = f"record {number}"
    if not isinstance(item, dict) or item.get("entity") not in BY_ENTITY:
        raise refuse(f"{where} is of a kind this stpdesk does not know")
    kind = BY_ENTITY[item["entity"]]
    data = item.get("data")
    if (
        not isinstance(data, dict)
        or not isinstance(item.get("id"), str)
        or data.get("id") != item["id"]
    ):
        raise refuse(f"{where} is malformed")
    if content_hash(data) != item.get("hash"):
        raise refuse(f"{where} ({kind.label.lower()} {item['id']}) does not match its hash")
    table = _table(kind.model)
    expected = {column.name for column in table.columns} | set(kind.links)
    if kind.entity == "meeting":
        expected.add("attendees")
        if "temperature" in data:
            expected.add("temperature")
    if set(data) != expected:
        raise refuse(f"{where} ({kind.label.lower()}) has different fields from this stpdesk's")
    decoded: dict[str, Any] = {}
    for column in table.columns:
        try:
            decoded[column.name] = decode_value(column, data[column.name])
        except (ValueError, TypeError) as error:
            raise refuse(f"{where} ({kind.label.lower()}) {column.name} {error}") from None
    for name in kind.links:
        if not isinstance(data[name], list) or not all(isinstance(v, str) for v in data[name]):
            raise refuse(f"{where} ({kind.label.lower()}) {name} is malformed")
    attendees = data.get("attendees", [])
    if kind.entity == "meeting" and (
        not isinstance(attendees, list)
        or not all(
            isinstance(a, dict)
            and set(a) <= {"contact_id", "member_id", "attendance"}
            and all(v is None or isinstance(v, str) for v in a.values())
            for a in attendees
        )
    ):
        raise refuse(f"{where} (meeting) has malformed attendees")
    readings = data.get("temperature", [])
    if kind.entity == "meeting" and _malformed_temperature(readings):
        raise refuse(f"{where} (meeting) has malformed temperature readings")
    try:
        check_stored(
            kind.entity,
            decoded,
            {name: data[name] for name in kind.links}
            | (
                {"attendees": attendees, "temperature": readings}
                if kind.entity == "meeting"
                else {}
            ),
        )
    except ValidationFailed as error:
        detail = "; ".join(problem.message for problem in error.problems)
        raise refuse(f"{where} ({kind.label.lower()} {item['id']}): {detail}") from None
    ancestors = item.get("ancestors", [])
    if not isinstance(ancestors, list) or not all(isinstance(v, str) for v in ancestors):
        raise refuse(f"{where} has a malformed history")
    return {
        "entity": kind.entity,
        "id": item["id"],
        "hash": item["hash"],
        "ancestors": set(ancestors),
        "document": data,
        "values": decoded,
    }


# --- merging --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictInfo:
    id: str
    entity: str
    record_id: str
    label: str  # "Meeting “ICS partnership board”"
    differences: list[tuple[str, Any, Any]]  # (field, this laptop's value, the bundle's value)


@dataclass
class MergeResult:
    source_database_id: str
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    kept_newer_here: int = 0
    matched_by_name: int = 0
    not_restored: int = 0  # removed for good here and unchanged there
    conflicts: list[ConflictInfo] = field(default_factory=list)
    already_listed: int = 0  # conflicts this bundle had already raised

    @property
    def changed(self) -> bool:
        return bool(sum(self.added.values()) or sum(self.updated.values()) or self.conflicts)

    def summary(self) -> str:
        def total(counts: dict[str, int]) -> int:
            return sum(counts.values())

        parts = [
            f"{total(self.added):,} added",
            f"{total(self.updated):,} updated",
            f"{self.unchanged + self.kept_newer_here + self.matched_by_name:,} already up to date",
            f"{len(self.conflicts):,} conflicts to resolve",
        ]
        return ", ".join(parts) + "."


def _label(entity: str, document: dict[str, Any]) -> str:
    kind = BY_ENTITY[entity]
    text = (
        document.get("name")
        or document.get("title")
        or document.get("subject")
        or document.get("text")
        or document["id"]
    )
    return f"{kind.label} “{str(text)[:80]}”"


def differences(local: dict[str, Any], remote: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    return [
        (name, local.get(name), remote.get(name))
        for name in sorted(set(local) | set(remote))
        if local.get(name) != remote.get(name) and name != "updated_at"
    ]


_MATCHED_BY_NAME = ("theme", "footprint", "body")


def _natural_match(session: Session, entity: str, values: dict[str, Any]) -> str | None:
    """The local id of the same theme, footprint or body set up separately here."""
    if entity == "theme":
        found = session.exec(select(t.Theme.id).where(t.Theme.name == values["name"])).first()
    elif entity == "footprint" and values.get("code"):
        found = session.exec(
            select(t.Footprint.id)
            .where(t.Footprint.code == values["code"])
            .where(t.Footprint.kind == values["kind"])
        ).first()
    elif entity == "body":
        found = session.exec(
            select(t.Body.id)
            .where(t.Body.name == values["name"])
            .where(t.Body.kind == values["kind"])
        ).first()
    else:
        return None
    return found


def _remap(kind: Kind, record: dict[str, Any], aliases: dict[tuple[str, str], str]) -> bool:
    """Rewrite ids of records known here under another id (unordered lists stay sorted,
    so the same content hashes the same on both laptops); True if anything changed."""
    if not aliases:
        return False
    before = {name: record["document"].get(name) for name in (*_ALIASED_FIELDS, "temperature")}
    for container in (record["values"], record["document"]):
        for name, entity in _ALIASED_FIELDS.items():
            value = container.get(name)
            if isinstance(value, str):
                container[name] = aliases.get((entity, value), value)
            elif isinstance(value, list):
                mapped = [aliases.get((entity, v), v) for v in value]
                ordered = kind.links.get(name, (None, "", "", False))[3]
                container[name] = mapped if ordered else sorted(mapped)
        if isinstance(container.get("temperature"), list):
            container["temperature"] = sorted(
                (
                    {**r, "body_id": aliases.get(("body", r["body_id"]), r["body_id"])}
                    for r in container["temperature"]
                ),
                key=lambda r: r["body_id"],
            )
    return any(record["document"].get(name) != value for name, value in before.items())


def _link_rows(kind: Kind, record: dict[str, Any]) -> dict[Table, list[dict[str, Any]]]:
    """The link-table rows (and a meeting's attendees and temperature readings) a record's
    document lists."""
    document = record["document"]
    found: dict[Table, list[dict[str, Any]]] = {}
    for name, (link_model, own, other, ordered) in kind.links.items():
        found[_table(link_model)] = [
            {own: record["id"], other: other_id, **({"position": n} if ordered else {})}
            for n, other_id in enumerate(document[name])
        ]
    if kind.entity == "meeting":
        attendees = _table(t.MeetingAttendee)
        found[attendees] = [
            {
                "id": f"{record['id'][:18]}-{n:04d}-{hashlib.sha1(repr(a).encode()).hexdigest()[:12]}",
                "meeting_id": record["id"],
                "contact_id": a.get("contact_id"),
                "member_id": a.get("member_id"),
                "attendance": decode_value(attendees.c.attendance, a.get("attendance", "present")),
            }
            for n, a in enumerate(document.get("attendees", []))
        ]
        found[_table(t.MeetingTemperature)] = [
            {"meeting_id": record["id"], **reading} for reading in document.get("temperature", [])
        ]
    return found


def _owner_column(kind: Kind, link: Table) -> str:
    for link_model, own, _other, _ordered in kind.links.values():
        if _table(link_model) is link:
            return own
    return "meeting_id"  # a meeting's attendees and temperature readings


def _write_record(session: Session, kind: Kind, record: dict[str, Any], exists: bool) -> None:
    table = _table(kind.model)
    values = record["values"]
    connection = session.connection()
    if exists:
        connection.execute(update(table).where(table.c.id == record["id"]).values(**values))
    else:
        connection.execute(insert(table).values(**values))
    for link, rows in _link_rows(kind, record).items():
        connection.execute(delete(link).where(link.c[_owner_column(kind, link)] == record["id"]))
        if rows:
            connection.execute(insert(link), rows)


def _add_many(session: Session, kind: Kind, records: list[dict[str, Any]], origin: str) -> None:
    """Insert records new here, with their links, versions and audit entries, a few
    statements for all of them (a sync may bring thousands)."""
    if not records:
        return
    table = _table(kind.model)
    connection = session.connection()
    connection.execute(insert(table), [record["values"] for record in records])
    links: dict[Table, list[dict[str, Any]]] = {}
    for record in records:
        for link, rows in _link_rows(kind, record).items():
            links.setdefault(link, []).extend(rows)
    for link, rows in links.items():
        if rows:
            connection.execute(insert(link), rows)
    versions = [
        {"entity": kind.entity, "record_id": record["id"], "hash": value}
        for record in records
        for value in sorted(record["new_versions"])
    ]
    if versions:
        connection.execute(insert(_table(s.SyncVersion)), versions)
    at, actor = clock.now(), current_user()
    write_audit_rows(
        session,
        [
            {
                "at": at,
                "actor": actor,
                "action": AuditAction.create,
                "entity": kind.entity,
                "entity_id": record["id"],
                "summary": f"Added from {origin}: {_label(kind.entity, record['document'])}"[:300],
                "before": None,
                "after": snapshot_values(table, record["values"]),
            }
            for record in records
        ],
    )


def _audit(
    session: Session, kind: Kind, record_id: str, action: AuditAction, before: Any, summary: str
) -> None:
    record = session.get(kind.model, record_id, populate_existing=True)
    session.add(
        t.AuditEntry(
            actor=current_user(),
            action=action,
            entity=kind.entity,
            entity_id=record_id,
            summary=summary[:300],
            before=before,
            after=snapshot(record),
        )
    )


def import_bundle(
    db: Database, path: Path, *, progress: Callable[[int, int], None] | None = None
) -> MergeResult:
    """Merge a bundle into this database, all or nothing."""
    bundle = read_bundle(path)
    source = bundle.database_id
    with db.session() as session:
        result = merge_records(
            session,
            source,
            bundle.records,
            origin=f"an exchange bundle (laptop {source[:8]})",
            progress=progress,
        )
        broken = session.connection().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            detail = ", ".join(f"a {row[0]} refers to a missing {row[2]}" for row in broken[:3])
            raise BundleRefused(
                f"{Path(path).name} cannot be merged: {detail}. The bundle is incomplete; "
                "nothing was changed."
            )
    return result


def merge_records(
    session: Session,
    source: str,
    records: list[dict[str, Any]],
    *,
    origin: str,
    progress: Callable[[int, int], None] | None = None,
    take_theirs: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
) -> MergeResult:
    """Merge checked records (as :func:`read_bundle` gives them) into the open session, by
    the rules in this module's docstring; the caller commits. ``origin`` says where they
    came from in audit entries ("an exchange bundle (laptop 1a2b3c4d)"); records named in
    ``take_theirs`` replace this side's version whatever it is (an erased contact)."""
    result = MergeResult(source)
    connection = session.connection()
    defer_foreign_keys(connection)
    aliases = {
        (alias.entity, alias.remote_id): alias.local_id
        for alias in session.exec(select(s.SyncAlias)).all()
    }
    open_conflicts = {
        (c.record_id, c.remote_hash)
        for c in session.exec(
            select(s.SyncConflict).where(col(s.SyncConflict.resolved_at).is_(None))
        ).all()
    }
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_kind.setdefault(record["entity"], []).append(record)
    for number, kind in enumerate(KINDS):
        batch = by_kind.get(kind.entity, [])
        ids = [record["id"] for record in batch]
        local_docs = _documents(session, kind, ids) if ids else {}
        ancestry = _ancestors(session, kind.entity, ids) if ids else {}
        adding: list[dict[str, Any]] = []
        for record in batch:
            record_id = record["id"]
            if (kind.entity, record_id) in aliases:
                result.matched_by_name += 1
                continue
            # (the record's hash was checked against its content when it was read)
            remapped = _remap(kind, record, aliases)
            remote_hash = content_hash(record["document"]) if remapped else record["hash"]
            remote_seen = record["ancestors"] | {record["hash"], remote_hash}
            known = ancestry.setdefault(record_id, set())
            local = local_docs.get(record_id)
            if local is None:
                if record["hash"] in known:
                    result.not_restored += 1  # removed for good here; unchanged there
                    continue
                if kind.entity not in _MATCHED_BY_NAME:
                    adding.append(record | {"new_versions": remote_seen - known})
                    known |= remote_seen
                    result.added[kind.entity] = result.added.get(kind.entity, 0) + 1
                    continue
                local_id = _natural_match(session, kind.entity, record["values"])
                if local_id is not None:
                    aliases[(kind.entity, record_id)] = local_id
                    session.add(
                        s.SyncAlias(entity=kind.entity, remote_id=record_id, local_id=local_id)
                    )
                    result.matched_by_name += 1
                    continue
                _write_record(session, kind, record, exists=False)
                _remember(session, kind.entity, record_id, remote_seen, known)
                session.flush()
                _audit(
                    session,
                    kind,
                    record_id,
                    AuditAction.create,
                    None,
                    f"Added from {origin}: {_label(kind.entity, record['document'])}",
                )
                result.added[kind.entity] = result.added.get(kind.entity, 0) + 1
                continue
            local_hash = content_hash(local)
            if local_hash == remote_hash:
                result.unchanged += 1
                _remember(session, kind.entity, record_id, remote_seen, known)
            elif local_hash in remote_seen or (kind.entity, record_id) in take_theirs:
                before = snapshot(session.get(kind.model, record_id))
                _write_record(session, kind, record, exists=True)
                _remember(session, kind.entity, record_id, remote_seen | {local_hash}, known)
                session.flush()
                _audit(
                    session,
                    kind,
                    record_id,
                    AuditAction.update,
                    before,
                    f"Changed by {origin}: {_label(kind.entity, record['document'])}",
                )
                result.updated[kind.entity] = result.updated.get(kind.entity, 0) + 1
            elif record["hash"] in known or remote_hash in known:
                result.kept_newer_here += 1
                _remember(session, kind.entity, record_id, remote_seen, known)
            elif (record_id, record["hash"]) in open_conflicts:
                result.already_listed += 1
            else:
                conflict = s.SyncConflict(
                    entity=kind.entity,
                    record_id=record_id,
                    source_database_id=source,
                    remote_hash=record["hash"],
                    local=local,
                    remote=record["document"],
                )
                session.add(conflict)
                open_conflicts.add((record_id, record["hash"]))
                result.conflicts.append(_conflict_info(conflict))
        session.flush()
        _add_many(session, kind, adding, origin)
        if progress:
            progress(number + 1, len(KINDS))
    session.flush()
    return result


def _conflict_info(conflict: s.SyncConflict) -> ConflictInfo:
    return ConflictInfo(
        id=conflict.id,
        entity=conflict.entity,
        record_id=conflict.record_id,
        label=_label(conflict.entity, conflict.remote),
        differences=differences(conflict.local, conflict.remote),
    )


def conflicts(db: Database) -> list[ConflictInfo]:
    """Records changed on both laptops, waiting for the user to choose."""
    with db.read() as session:
        rows = session.exec(
            select(s.SyncConflict)
            .where(col(s.SyncConflict.resolved_at).is_(None))
            .order_by(col(s.SyncConflict.created_at), col(s.SyncConflict.entity))
        ).all()
        return [_conflict_info(row) for row in rows]


def resolve(db: Database, conflict_id: str, choice: str) -> None:
    """Keep this laptop's version (``"ours"``) or take the other laptop's (``"theirs"``)."""
    if choice not in ("ours", "theirs"):
        raise ServiceError(
            "Choose “ours” (keep this laptop's version) or “theirs” (take the other's)."
        )
    with db.session() as session:
        conflict = session.get(s.SyncConflict, conflict_id)
        if conflict is None or conflict.resolved_at is not None:
            raise NotFound(f"There is no open conflict with id {conflict_id}.")
        kind = BY_ENTITY[conflict.entity]
        connection = session.connection()
        defer_foreign_keys(connection)
        known = _ancestors(session, kind.entity, [conflict.record_id]).get(
            conflict.record_id, set()
        )
        current = _documents(session, kind, [conflict.record_id]).get(conflict.record_id)
        label = _label(kind.entity, conflict.remote)
        if choice == "theirs":
            table = _table(kind.model)
            values = {
                column.name: decode_value(column, conflict.remote[column.name])
                for column in table.columns
            }
            record = {"id": conflict.record_id, "values": values, "document": conflict.remote}
            before = snapshot(session.get(kind.model, conflict.record_id))
            _write_record(session, kind, record, exists=current is not None)
            seen = {conflict.remote_hash} | ({content_hash(current)} if current else set())
            _remember(session, kind.entity, conflict.record_id, seen, known)
            session.flush()
            _audit(
                session,
                kind,
                conflict.record_id,
                AuditAction.update,
                before,
                f"Conflict resolved by taking the other laptop's version: {label}",
            )
        else:
            # Remembering their version as seen makes ours its successor on both laptops.
            _remember(session, kind.entity, conflict.record_id, {conflict.remote_hash}, known)
            if session.get(s.SyncMeta, "team_server") is not None:
                # nothing here changed, but the team database must now take ours
                session.add(s.SyncJournal(entity=kind.entity, record_id=conflict.record_id))
            session.add(
                t.AuditEntry(
                    actor=current_user(),
                    action=AuditAction.update,
                    entity=kind.entity,
                    entity_id=conflict.record_id,
                    summary=f"Conflict resolved by keeping this laptop's version: {label}"[:300],
                )
            )
        conflict.resolved_at = clock.now()
        conflict.resolution = choice
        session.add(conflict)
        session.flush()
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise ServiceError(
                "The other laptop's version refers to records that are no longer here; "
                "keep this laptop's version instead."
            )
