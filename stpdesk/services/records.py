"""Create, update, delete, restore, archive, get and page through every entity.

One :class:`EntityService` per entity, configured by an :class:`EntitySpec`.
Every change and its audit entry are written in one transaction.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import Insert, Select, Table, bindparam, func, insert, or_
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, SQLModel, col, delete, select

from ..config import current_user
from ..model import clock, kinds
from ..model import tables as t
from ..model.enums import AuditAction
from ..store import Database
from ..store.search import (
    FILTER_INDEX_MIN,
    filter_match_count,
    filter_match_ids,
    filter_match_refs,
)
from .errors import FieldProblem, InUse, NotFound, ValidationFailed, field_message, from_pydantic

T = TypeVar("T", bound=SQLModel)


FEW_MATCHES = 3000  # up to this many matches a list's rows are read through its filter index


def _counts_alike(text: str) -> bool:
    """True when the filter index counts exactly the rows the filter keeps: ASCII text
    (SQLite's LIKE folds only ASCII letters' case) with no wildcard or line break in it
    (either could match across the line between two columns in the index)."""
    return text.isascii() and not any(mark in text for mark in "%_\n")


@dataclass(frozen=True)
class LinkSpec:
    """A many-to-many list held in a link table, e.g. a meeting's ``body_ids``."""

    table: type[SQLModel]
    own_column: str
    other_column: str
    other_table: type[SQLModel]
    ordered: bool = False  # the list order is kept in a ``position`` column


@dataclass(frozen=True)
class EntitySpec(Generic[T]):
    name: str  # "meeting": the table name, used in audit entries and search
    table: type[T]
    create: type[BaseModel]
    update: type[BaseModel] | None
    links: dict[str, LinkSpec] = field(default_factory=dict)
    summary: Callable[[Any], str] = lambda record: (
        getattr(record, "name", "") or getattr(record, "title", "")
    )
    search_columns: tuple[str, ...] = ("name",)
    # FTS5 trigram index over the live rows' search columns (migration 0007), if any
    filter_index: str | None = None
    default_order: tuple[str, bool] = ("name", False)  # column, descending
    # (table, column, plural label) of records that refer to this one and block deletion
    referenced_by: tuple[tuple[type[SQLModel], str, str], ...] = ()

    @property
    def label(self) -> str:
        return getattr(self.create, "label", self.name.capitalize())

    @property
    def soft_delete(self) -> bool:
        return "deleted_at" in self.table.model_fields

    @property
    def archivable(self) -> bool:
        return "archived_at" in self.table.model_fields


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    total: int  # -1: not counted yet (``count_later``); ``count`` gives it
    offset: int
    limit: int

    @property
    def counted(self) -> bool:
        return self.total >= 0


def validate(schema: type[BaseModel], data: BaseModel | dict[str, Any]) -> BaseModel:
    """Check user input against a Create/Update schema, with field-level messages."""
    if isinstance(data, BaseModel):
        data = data.model_dump(exclude_unset=True)
    try:
        return schema.model_validate(data)
    except PydanticValidationError as error:
        raise from_pydantic(schema, error) from None


def snapshot(record: SQLModel | None) -> dict[str, Any] | None:
    """Column values as JSON-friendly data, for audit before/after."""
    if record is None:
        return None
    table = record.__table__  # type: ignore[attr-defined]
    return snapshot_values(
        table, {column.name: getattr(record, column.name) for column in table.columns}
    )


def snapshot_values(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """:func:`snapshot` of a row given as its column values."""
    result: dict[str, Any] = {}
    for column in table.columns:
        value = values.get(column.name)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, bytes):
            value = f"<{len(value)} bytes>"
        result[column.name] = value
    return result


def audit_row(
    *,
    action: AuditAction,
    entity: str,
    record: SQLModel,
    before: dict[str, Any] | None,
    summary: str,
    actor: str | None = None,
    removed: bool = False,
) -> dict[str, Any]:
    """The values of one audit entry; ``removed`` means the row is gone, so there is no after."""
    return {
        "at": clock.now(),
        "actor": actor or current_user(),
        "action": action,
        "entity": entity,
        "entity_id": str(record.id),  # type: ignore[attr-defined]
        "summary": summary[:300],
        "before": before,
        "after": None if removed else snapshot(record),
    }


def audit(session: Session, **fields: Any) -> None:
    """Record a change in the caller's transaction (``fields`` as for :func:`audit_row`)."""
    session.add(t.AuditEntry(**audit_row(**fields)))


def write_audit_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Audit entries from :func:`audit_row`, in one statement in the caller's transaction."""
    if rows:
        table = t.AuditEntry.__table__  # type: ignore[attr-defined]
        session.connection().execute(_insert(table), rows)


@cache
def _insert(table: Table) -> Insert:
    return insert(table)


@cache
def _ids_among(table: Table) -> Select[Any]:
    return select(table.c.id).where(table.c.id.in_(bindparam("ids", expanding=True)))


def existing_ids(session: Session, table: type[SQLModel] | Table, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` are rows of ``table``, in one query built once per table."""
    if not ids:
        return set()
    if session.autoflush:  # as an ORM query would: pending changes count
        session.flush()
    table = table if isinstance(table, Table) else table.__table__  # type: ignore[attr-defined]
    rows = session.connection().execute(_ids_among(table), {"ids": list(ids)})
    return {row[0] for row in rows}


@cache
def _table_order() -> dict[Table, int]:
    """Every table's place in an order foreign keys accept (parents first)."""
    return {table: place for place, table in enumerate(SQLModel.metadata.sorted_tables)}


class NewRows:
    """New records of one save, written with one INSERT per table, parents first.

    The ORM's unit of work costs more than these inserts: with no ORM relationships to
    order parents before children it needs a flush per record, and it reads back each
    audit entry's id with an INSERT of its own.
    """

    def __init__(self) -> None:
        self.records: list[SQLModel] = []
        self.audit: list[dict[str, Any]] = []  # from audit_row, written last

    def add(self, record: SQLModel) -> None:
        self.records.append(record)

    def write(self, session: Session) -> None:
        """Insert everything in the session's transaction; the records become detached,
        as those a closed session returns are."""
        rows: dict[Table, list[dict[str, Any]]] = {}
        for record in self.records:
            table = record.__table__  # type: ignore[attr-defined]
            rows.setdefault(table, []).append({c.name: getattr(record, c.name) for c in table.c})
        order = _table_order()
        connection = session.connection()  # Core, not the ORM: these rows need no identity map
        for table in sorted(rows, key=order.__getitem__):
            connection.execute(_insert(table), rows[table])
        write_audit_rows(session, self.audit)
        for record in self.records:
            make_transient_to_detached(record)
        self.records, self.audit = [], []


class EntityService(Generic[T]):
    """The use cases every entity shares."""

    def __init__(self, spec: EntitySpec[T]) -> None:
        self.spec = spec

    # --- reading -----------------------------------------------------------

    def get(self, db: Database, record_id: str, *, include_deleted: bool = False) -> T:
        with db.read() as session:
            return self.get_in(session, record_id, include_deleted=include_deleted)

    def get_in(self, session: Session, record_id: str, *, include_deleted: bool = False) -> T:
        """:meth:`get` inside a session the caller holds (NotFound if there is none)."""
        record = session.get(self.spec.table, record_id)
        if record is None or (
            not include_deleted and self.spec.soft_delete and record.deleted_at is not None
        ):
            raise NotFound(f"There is no {self.spec.label.lower()} with id {record_id}.")
        return record

    def links_of(self, db: Database, record_id: str) -> dict[str, list[str]]:
        """The ids in each link list of one record, e.g. ``{"body_ids": [...]}``."""
        with db.read() as session:
            return {
                name: self._linked_ids(session, link, record_id)
                for name, link in self.spec.links.items()
            }

    @staticmethod
    def _linked_ids(session: Session, link: LinkSpec, record_id: str) -> list[str]:
        query = select(getattr(link.table, link.other_column)).where(
            getattr(link.table, link.own_column) == record_id
        )
        if link.ordered:
            query = query.order_by(link.table.position)  # type: ignore[attr-defined]
        return list(session.exec(query).all())

    def query(
        self,
        *,
        text: str | None = None,
        include_deleted: bool = False,
        include_archived: bool = True,
        where: Sequence[Any] = (),
    ) -> Any:
        table = self.spec.table
        query = select(table)
        if self.spec.soft_delete and not include_deleted:
            query = query.where(col(table.deleted_at).is_(None))
        if self.spec.archivable and not include_archived:
            query = query.where(col(table.archived_at).is_(None))
        if text:
            # what was typed, literally: % and _ would be LIKE's wildcards ("50%")
            typed = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{typed}%"
            query = query.where(
                or_(
                    *(
                        col(getattr(table, name)).ilike(pattern, escape="\\")
                        for name in self.spec.search_columns
                    )
                )
            )
        for condition in where:
            query = query.where(condition)
        return query

    def page(
        self,
        db: Database,
        *,
        offset: int = 0,
        limit: int = 100,
        text: str | None = None,
        order_by: str | None = None,
        descending: bool | None = None,
        include_deleted: bool = False,
        include_archived: bool = True,
        where: Sequence[Any] = (),
        with_total: bool = True,
        count_later: bool = False,
    ) -> Page[T]:
        """One page of records, filtered by ``text`` and sorted by a column.

        With ``count_later``, a count that would read every row (a text of one or two
        characters found in many records) is left out: the page's total is -1 and
        :meth:`count` gives it, so the first screenful shows at once."""
        if limit < 1 or offset < 0:
            raise ValueError("limit must be positive and offset not negative")
        table = self.spec.table
        column_name, default_desc = self.spec.default_order
        column_name = order_by or column_name
        if column_name not in table.model_fields:
            raise ValueError(f"cannot sort {self.spec.name} by {column_name!r}")
        desc = default_desc if descending is None else descending
        order_column = col(getattr(table, column_name))
        query = self.query(
            text=text,
            include_deleted=include_deleted,
            include_archived=include_archived,
            where=where,
        )
        # the tie-break runs the same way, so the list index serves the whole order
        id_column = col(table.id)
        order = (
            order_column.desc() if desc else order_column.asc(),
            id_column.desc() if desc else id_column.asc(),
        )
        with db.read() as session:
            total = -1
            counted_later = False
            short = self._short_matches(session, text, include_deleted)
            indexed = (
                None if short is not None else self._indexed_matches(session, text, include_deleted)
            )
            if short is not None:
                if len(short) <= FEW_MATCHES:
                    query = query.where(id_column.in_(short))  # few: just those rows
                else:
                    counted_later = count_later  # many: the first rows come at once in order
            elif indexed is not None:
                matches, among_matches = indexed
                if matches <= FEW_MATCHES:
                    # few: read them from the filter index, not the whole table
                    query = query.where(among_matches)
                elif with_total and not where and _counts_alike(text or ""):
                    total = matches  # many: the first rows come soon in list order anyway
            rows = list(session.exec(query.order_by(*order).offset(offset).limit(limit)).all())
            if counted_later and len(rows) < limit:
                total = offset + len(rows)  # the last page: the count is known after all
            elif with_total and total < 0 and not counted_later:
                if short is not None and len(short) > FEW_MATCHES:
                    total = self._count(session, query, text, where)
                else:
                    total = session.exec(select(func.count()).select_from(query.subquery())).one()
        return Page(rows=rows, total=total, offset=offset, limit=limit)

    def count(
        self,
        db: Database,
        *,
        text: str | None = None,
        include_deleted: bool = False,
        include_archived: bool = True,
        where: Sequence[Any] = (),
    ) -> int:
        """How many records :meth:`page` would list in all (its total)."""
        query = self.query(
            text=text,
            include_deleted=include_deleted,
            include_archived=include_archived,
            where=where,
        )
        with db.read() as session:
            if self.spec.filter_index is not None and not include_deleted:
                return self._count(session, query, text, where)
            return session.exec(select(func.count()).select_from(query.subquery())).one()

    def _count(self, session: Session, query: Any, text: str | None, where: Sequence[Any]) -> int:
        """The count of ``query`` (live rows, filtered by ``text``): from the filter index
        when it counts exactly what the filter keeps, else by reading the rows."""
        typed = (text or "").strip()
        index = self.spec.filter_index
        if index is not None and typed and not where and _counts_alike(typed):
            return filter_match_count(session, index, typed)
        return session.exec(select(func.count()).select_from(query.subquery())).one()

    def _short_matches(
        self, session: Session, text: str | None, include_deleted: bool
    ) -> list[str] | None:
        """For a text of one or two characters (too short for the trigram index's lookups),
        the ids of up to FEW_MATCHES + 1 live rows whose filter index text holds it: one
        read of the index's compact copy of the text, stopping early for a common text.
        None where the index cannot help. As with longer texts, the filter still applies."""
        index = self.spec.filter_index
        typed = (text or "").strip()
        if index is None or include_deleted or not 0 < len(typed) < FILTER_INDEX_MIN:
            return None
        return filter_match_refs(session, index, typed, most=FEW_MATCHES + 1)

    def _indexed_matches(
        self, session: Session, text: str | None, include_deleted: bool
    ) -> tuple[int, Any] | None:
        """How many live rows the filter index finds for ``text``, and a condition keeping
        only those; None where the index cannot help (no index, a text of fewer than three
        characters, deleted rows wanted). The index folds case beyond ASCII, so it finds
        every row the filter keeps, and maybe a few more: the filter itself still applies."""
        index = self.spec.filter_index
        text = (text or "").strip()
        if index is None or include_deleted or len(text) < FILTER_INDEX_MIN:
            return None
        matches = filter_match_count(session, index, text)
        return matches, col(self.spec.table.id).in_(filter_match_ids(index, text))

    # --- writing -----------------------------------------------------------

    def create(
        self, db: Database, data: BaseModel | dict[str, Any], *, actor: str | None = None
    ) -> T:
        checked = validate(self.spec.create, data)
        with db.session() as session:
            return self.create_in(session, checked, actor=actor)

    def create_in(
        self,
        session: Session,
        checked: BaseModel,
        *,
        actor: str | None = None,
        batch: NewRows | None = None,
    ) -> T:
        """Create within a caller's transaction (``checked`` already validated).

        With a ``batch`` the rows and the audit entry wait in it for ``batch.write``,
        so a caller saving several records writes each table once.
        """
        values = checked.model_dump()
        record = self.spec.table(**{k: v for k, v in values.items() if k not in self.spec.links})
        self._check_references(session, record, checked)
        add = session.add if batch is None else batch.add
        add(record)
        session.info.setdefault("known_ids", set()).add((record.__tablename__, record.id))
        for name, link in self.spec.links.items():
            self._write_links(add, link, record.id, getattr(checked, name))
        self._write_extra(session, record, values, add=add, new=True)
        if batch is not None:
            batch.audit.append(self._audit_row(AuditAction.create, record, None, "Created", actor))
            return record
        session.flush()
        self._audit(session, AuditAction.create, record, None, "Created", actor)
        return record

    def update(
        self,
        db: Database,
        record_id: str,
        data: BaseModel | dict[str, Any],
        *,
        actor: str | None = None,
    ) -> T:
        if self.spec.update is None:
            raise NotFound(f"{self.spec.label} records cannot be changed.")
        if isinstance(data, dict) and self.spec.update is not None:
            data = {
                key: value for key, value in data.items() if key in self.spec.update.model_fields
            }
        checked = validate(self.spec.update, data)
        with db.session() as session:
            return self.update_in(session, record_id, checked, actor=actor)

    def update_in(
        self, session: Session, record_id: str, checked: BaseModel, *, actor: str | None = None
    ) -> T:
        """Update within a caller's transaction (``checked`` already validated)."""
        changes = checked.model_dump(exclude_unset=True)
        record = self.get_in(session, record_id)
        before = snapshot(record)
        for name, value in changes.items():
            if name in self.spec.links or name not in self.spec.table.model_fields:
                continue  # link lists and child rows are written below
            if value is None and name in self._required_fields():
                raise ValidationFailed(
                    [
                        FieldProblem(
                            name,
                            field_message(self.spec.label, self._title(name), "cannot be empty"),
                        )
                    ]
                )
            setattr(record, name, value)
        self._check_references(session, record, checked)
        self._check_record(record)
        record.updated_at = clock.now()
        session.add(record)
        for name, link in self.spec.links.items():
            if name in changes and changes[name] is not None:
                session.exec(
                    delete(link.table).where(getattr(link.table, link.own_column) == record.id)
                )
                self._write_links(session.add, link, record.id, getattr(checked, name))
        self._write_extra(session, record, changes, add=session.add)
        session.flush()
        self._audit(session, AuditAction.update, record, before, "Changed", actor)
        return record

    def delete(self, db: Database, record_id: str, *, actor: str | None = None) -> T:
        """Delete: soft (recoverable) where the entity supports it, else refused if in use."""
        with db.session() as session:
            record = self.get_in(session, record_id)
            before = snapshot(record)
            self._refuse_if_referenced(session, record)
            if self.spec.soft_delete:
                record.deleted_at = clock.now()
                session.add(record)
            else:
                for link in self.spec.links.values():
                    session.exec(
                        delete(link.table).where(getattr(link.table, link.own_column) == record.id)
                    )
                session.delete(record)
            session.flush()
            self._audit(
                session,
                AuditAction.delete,
                record,
                before,
                "Deleted",
                actor,
                removed=not self.spec.soft_delete,
            )
            return record

    def restore(self, db: Database, record_id: str, *, actor: str | None = None) -> T:
        """Bring back a soft-deleted record."""
        with db.session() as session:
            record = self.get_in(session, record_id, include_deleted=True)
            if not self.spec.soft_delete or record.deleted_at is None:
                return record
            before = snapshot(record)
            record.deleted_at = None
            session.add(record)
            session.flush()
            self._audit(session, AuditAction.restore, record, before, "Restored", actor)
            return record

    def archive(
        self, db: Database, record_id: str, *, archived: bool = True, actor: str | None = None
    ) -> T:
        """Hide a record from pickers while keeping everything that refers to it."""
        if not self.spec.archivable:
            raise InUse(f"{self.spec.label} records cannot be archived.")
        with db.session() as session:
            record = self.get_in(session, record_id)
            before = snapshot(record)
            record.archived_at = clock.now() if archived else None
            session.add(record)
            session.flush()
            verb = "Archived" if archived else "Unarchived"
            self._audit(
                session,
                AuditAction.archive if archived else AuditAction.unarchive,
                record,
                before,
                verb,
                actor,
            )
            return record

    def _audit(
        self,
        session: Session,
        action: AuditAction,
        record: T,
        before: dict[str, Any] | None,
        verb: str,
        actor: str | None,
        removed: bool = False,
    ) -> None:
        session.add(t.AuditEntry(**self._audit_row(action, record, before, verb, actor, removed)))

    def _audit_row(
        self,
        action: AuditAction,
        record: T,
        before: dict[str, Any] | None,
        verb: str,
        actor: str | None,
        removed: bool = False,
    ) -> dict[str, Any]:
        return audit_row(
            action=action,
            entity=self.spec.name,
            record=record,
            before=before,
            summary=f"{verb} {self.spec.label.lower()} “{self.spec.summary(record)}”",
            actor=actor,
            removed=removed,
        )

    # --- checks ------------------------------------------------------------

    def _write_extra(
        self,
        session: Session,
        record: T,
        changes: dict[str, Any],
        *,
        add: Callable[[SQLModel], None],
        new: bool = False,
    ) -> None:
        """Child rows beyond plain id lists (a meeting's attendees); none by default.

        ``add`` takes each new row; ``new``: the record is being created, so it has no
        child rows to replace yet.
        """

    def _title(self, name: str) -> str:
        info = self.spec.create.model_fields.get(name)
        return info.title if info and info.title else name.replace("_", " ")

    def _required_fields(self) -> set[str]:
        return {name for name, info in self.spec.create.model_fields.items() if info.is_required()}

    def _check_record(self, record: T) -> None:
        """Cross-field checks after an update (the Create schema runs them on create)."""
        starts, ends = getattr(record, "starts_at", None), getattr(record, "ends_at", None)
        if starts and ends and ends < starts:
            raise ValidationFailed(
                [
                    FieldProblem(
                        "ends_at",
                        field_message(
                            self.spec.label, "End", "the meeting cannot end before it starts"
                        ),
                    )
                ]
            )

    def _check_references(self, session: Session, record: T, checked: BaseModel) -> None:
        problems = []
        # Ids already seen in this transaction (records just written, bodies already
        # checked): a meeting saved with its asks and commitments checks each once.
        known: set[tuple[str, str]] = session.info.setdefault("known_ids", set())
        for column in record.__table__.columns:  # type: ignore[attr-defined]
            value = getattr(record, column.name)
            for foreign_key in column.foreign_keys:
                target = foreign_key.column.table
                if value is None or (target.name, value) in known:
                    continue
                if existing_ids(session, target, [value]):
                    known.add((target.name, value))
                else:
                    problems.append(
                        FieldProblem(
                            column.name,
                            field_message(
                                self.spec.label,
                                self._title(column.name),
                                f"there is no {target.name.replace('_', ' ')} with id {value}",
                            ),
                        )
                    )
        for name, link in self.spec.links.items():
            ids = getattr(checked, name, None) or []
            if len(set(ids)) != len(ids):
                problems.append(
                    FieldProblem(
                        name,
                        field_message(
                            self.spec.label, self._title(name), "lists the same record twice"
                        ),
                    )
                )
                continue
            other = link.other_table.__tablename__
            unknown = [item for item in ids if (other, item) not in known]
            if not unknown:
                continue
            found = existing_ids(session, link.other_table, unknown)
            known.update((other, item) for item in found)
            missing = [item for item in unknown if item not in found]
            if missing:
                problems.append(
                    FieldProblem(
                        name,
                        field_message(
                            self.spec.label,
                            self._title(name),
                            f"there is no {link.other_table.__tablename__.replace('_', ' ')} with id {', '.join(missing)}",
                        ),
                    )
                )
        if problems:
            raise ValidationFailed(problems)

    @staticmethod
    def _write_links(
        add: Callable[[SQLModel], None], link: LinkSpec, own_id: str, other_ids: list[str] | None
    ) -> None:
        for position, other_id in enumerate(other_ids or []):
            values = {link.own_column: own_id, link.other_column: other_id}
            if link.ordered:
                values["position"] = position
            add(link.table(**values))

    def _refuse_if_referenced(self, session: Session, record: T) -> None:
        uses = []
        for table, column, plural in self.spec.referenced_by:
            query = (
                select(func.count()).select_from(table).where(getattr(table, column) == record.id)
            )
            if "deleted_at" in table.model_fields:
                query = query.where(col(table.deleted_at).is_(None))
            count = session.exec(query).one()
            if count:
                uses.append(f"{count} {plural if count != 1 else plural.rstrip('s')}")
        if uses:
            listed = ", ".join(uses[:-1]) + (" and " if len(uses) > 1 else "") + uses[-1]
            advice = " Archive it instead to hide it." if self.spec.archivable else ""
            raise InUse(
                f"Cannot delete {self.spec.label.lower()} “{self.spec.summary(record)}”: "
                f"{listed} still refer to it.{advice}"
            )


def check_stored(entity: str, values: dict[str, Any], links: dict[str, Any] | None = None) -> None:
    """Check a whole record arriving from a dump or bundle as the forms check it: the
    same schema (``XxxCreate``), so a file cannot store what a person could not type.
    Raises ValidationFailed."""
    schema = STORED_SCHEMAS.get(entity)
    if schema is None:
        return
    fields = schema.model_fields
    data = {name: value for name, value in values.items() if name in fields}
    for name, value in (links or {}).items():
        if name in fields:
            data[name] = value
    validate(schema, data)


def _stored_schemas() -> dict[str, type[BaseModel]]:
    """The create form of every kind of record (model.kinds), by table: "meeting"."""
    schemas: dict[str, type[BaseModel]] = {
        kind.table: getattr(t, f"{kind.model_name}Create") for kind in kinds.KINDS
    }
    schemas["meeting_temperature"] = t.TemperatureIn  # a dump's rows of readings
    return schemas


STORED_SCHEMAS = _stored_schemas()
