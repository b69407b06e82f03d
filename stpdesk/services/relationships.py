"""The relationship map: who matters and how well we work with them.

Bodies and contacts carry influence (1 to 5), interest or alignment with the council's
asks (1 to 5) and the strength of the relationship. They are changed through the
bodies' and contacts' services (so every change is audited); this module gathers the
map, moves a point, and reads back how each value has moved from the audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from ..model import tables as t
from ..model.enums import AuditAction, BodyKind, RelationshipStrength
from ..model.relationships import Quadrant, quadrant
from ..store import Database
from . import entities
from .errors import NotFound

MAPPED_FIELDS = {"influence": "Influence", "interest": "Interest", "strength": "Strength"}
SERVICES = {"body": entities.bodies, "contact": entities.contacts}


@dataclass(frozen=True)
class MapPoint:
    entity: str  # "body" or "contact"
    id: str
    name: str
    kind: str  # the body's kind (a contact's body's), as a label
    body: str  # for a contact, the body they work for; for a body, ""
    influence: int
    interest: int
    strength: str  # label: None, Weak, Working, Strong

    @property
    def quadrant(self) -> Quadrant:
        return quadrant(self.influence, self.interest)

    @property
    def strength_text(self) -> str:
        """ "working relationship", "no relationship" """
        return f"{'no' if self.strength == 'None' else self.strength.lower()} relationship"

    @property
    def list_name(self) -> str:
        """ "Jo Bloggs (Kent and Medway ICB)": a contact with their body."""
        return f"{self.name} ({self.body})" if self.body else self.name

    def as_json(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "body": self.body,
            "influence": self.influence,
            "interest": self.interest,
            "strength": self.strength.lower(),
            "quadrant": self.quadrant.label,
        }


@dataclass(frozen=True)
class RelationshipMap:
    points: list[MapPoint]  # the mapped, by quadrant then influence, interest and name
    unmapped: int  # bodies and contacts in the filter with no influence or interest yet

    def in_quadrant(self, which: Quadrant) -> list[MapPoint]:
        return [point for point in self.points if point.quadrant is which]


@dataclass(frozen=True)
class MapRow:
    """One numbered point for a printed map and the table beside it."""

    number: int
    name: str
    kind: str
    influence: int
    interest: int
    strength: str
    quadrant: str


def numbered(points: list[MapPoint]) -> list[MapRow]:
    return [
        MapRow(
            number,
            point.list_name,
            point.kind,
            point.influence,
            point.interest,
            point.strength,
            point.quadrant.label,
        )
        for number, point in enumerate(points, start=1)
    ]


@dataclass(frozen=True)
class MapChange:
    at: datetime
    actor: str
    field: str  # "influence", "interest" or "strength"
    before: Any  # None when first set
    after: Any

    @property
    def text(self) -> str:
        label = MAPPED_FIELDS[self.field]
        if self.before is None:
            return f"{label} set to {self.after}"
        if self.after is None:
            return f"{label} cleared (it was {self.before})"
        return f"{label} moved from {self.before} to {self.after}"


def _order(point: MapPoint) -> tuple[Any, ...]:
    return (list(Quadrant).index(point.quadrant), -point.influence, -point.interest, point.name)


def relationship_map(
    db: Database,
    *,
    footprint_id: str | None = None,
    body_kind: BodyKind | str | None = None,
    contacts: bool = True,
) -> RelationshipMap:
    """The live bodies (and their live contacts) on the map, optionally only those in a
    footprint or of one kind of body."""
    if footprint_id is not None:
        entities.footprints.get(db, footprint_id)  # NotFound with its message
    kind = BodyKind(body_kind) if body_kind else None
    with db.read() as session:
        query = select(t.Body).where(col(t.Body.archived_at).is_(None))
        if footprint_id is not None:
            query = query.where(
                col(t.Body.id).in_(
                    select(t.BodyFootprint.body_id).where(
                        t.BodyFootprint.footprint_id == footprint_id
                    )
                )
            )
        if kind is not None:
            query = query.where(t.Body.kind == kind)
        bodies = {body.id: body for body in session.exec(query).all()}
        people: list[t.Contact] = []
        if contacts and bodies:
            people = list(
                session.exec(
                    select(t.Contact)
                    .where(col(t.Contact.body_id).in_(list(bodies)))
                    .where(col(t.Contact.deleted_at).is_(None))
                    .where(col(t.Contact.archived_at).is_(None))
                ).all()
            )
    points: list[MapPoint] = []
    unmapped = 0
    for record in [*bodies.values(), *people]:
        if record.influence is None or record.interest is None:
            unmapped += 1
            continue
        body = bodies[record.body_id] if isinstance(record, t.Contact) else None
        points.append(
            MapPoint(
                entity="contact" if body else "body",
                id=record.id,
                name=record.name,
                kind=(body or record).kind.label,  # type: ignore[union-attr]
                body=body.name if body else "",
                influence=record.influence,
                interest=record.interest,
                strength=RelationshipStrength(record.strength).label,
            )
        )
    points.sort(key=_order)
    return RelationshipMap(points, unmapped)


def _service(entity: str) -> entities.EntityService[Any]:
    if entity not in SERVICES:
        raise NotFound(f"Only bodies and contacts go on the relationship map, not “{entity}”.")
    return SERVICES[entity]


def place(
    db: Database,
    entity: str,
    record_id: str,
    influence: int | None,
    interest: int | None,
    *,
    actor: str | None = None,
) -> tuple[int | None, int | None]:
    """Move a body or contact on the map (audited like any change); returns where it was,
    so the move can be undone by placing it back."""
    service = _service(entity)
    before = service.get(db, record_id)
    service.update(db, record_id, {"influence": influence, "interest": interest}, actor=actor)
    return before.influence, before.interest


def history(db: Database, entity: str, record_id: str) -> list[MapChange]:
    """How a body's or contact's influence, interest and strength have moved, oldest first
    (read from the audit, so it goes back to the record's first day)."""
    _service(entity).get(db, record_id)
    with db.read() as session:
        entries = session.exec(
            select(t.AuditEntry)
            .where(t.AuditEntry.entity == entity)
            .where(t.AuditEntry.entity_id == record_id)
            .where(col(t.AuditEntry.action).in_([AuditAction.create, AuditAction.update]))
            .order_by(col(t.AuditEntry.at), col(t.AuditEntry.id))
        ).all()
    changes: list[MapChange] = []
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        for name in MAPPED_FIELDS:
            old, new = _shown(name, before.get(name)), _shown(name, after.get(name))
            if name in after and old != new:
                changes.append(MapChange(entry.at, entry.actor, name, old, new))
    return changes


def _shown(name: str, value: Any) -> Any:
    """A strength as its label; "none" before the map existed counts as not set."""
    if name != "strength" or value is None:
        return value
    return None if value == RelationshipStrength.none.value else RelationshipStrength(value).label
