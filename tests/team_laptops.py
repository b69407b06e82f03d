"""Work a laptop does in a process of its own, for the team-database scale tests
(multiprocessing starts these by name, so they live in an importable module)."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


def sync_laptop(path: str) -> dict:
    """Open the laptop's database, sync it once, report what moved."""
    from stpdesk.services import team
    from stpdesk.store import open_database

    db = open_database(Path(path), routine_backup=False)
    try:
        result = team.sync(db)
    finally:
        db.close()
    return {"path": path, **result.as_json()}
