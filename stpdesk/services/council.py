"""Our own council's profile: name, address, logo and protective marking for documents."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from ..model import clock
from ..model import tables as t
from ..model.enums import AuditAction
from ..store import Database
from .records import audit, snapshot, validate


def get_profile(db: Database) -> t.CouncilProfile | None:
    with db.read() as session:
        return session.exec(select(t.CouncilProfile)).first()


def save_profile(
    db: Database, data: dict[str, Any], *, logo: bytes | None = None, actor: str | None = None
) -> t.CouncilProfile:
    """Create or change the single council profile."""
    with db.session() as session:
        profile = session.exec(select(t.CouncilProfile)).first()
        if profile is None:
            checked = validate(t.CouncilProfileBase, data)
            profile = t.CouncilProfile(**checked.model_dump())
            before, action = None, AuditAction.create
        else:
            checked = validate(t.CouncilProfileUpdate, data)
            before, action = snapshot(profile), AuditAction.update
            for name, value in checked.model_dump(exclude_unset=True).items():
                if value is not None or name != "name":
                    setattr(profile, name, value)
            profile.updated_at = clock.now()
        if logo is not None:
            profile.logo = logo
        session.add(profile)
        session.flush()
        audit(
            session,
            action=action,
            entity="council_profile",
            record=profile,
            before=before,
            summary=f"Saved council profile “{profile.name}”",
            actor=actor,
        )
        return profile
