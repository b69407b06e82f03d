"""Where stpdesk keeps its files. The only module that knows platformdirs."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "stpdesk"
DB_ENV_VAR = "STPDESK_DB"
DB_FILE_NAME = "stpdesk.sqlite"


def data_dir() -> Path:
    """The per-user data folder (created on demand)."""
    return user_data_path(APP_NAME, appauthor=False, ensure_exists=False)


def default_db_path() -> Path:
    """``STPDESK_DB`` if set, else ``stpdesk.sqlite`` in the user data folder."""
    env = os.environ.get(DB_ENV_VAR)
    if env:
        return Path(env).expanduser()
    return data_dir() / DB_FILE_NAME


def resolve_db_path(explicit: str | os.PathLike[str] | None) -> Path:
    """``--db`` wins over ``STPDESK_DB``, which wins over the default."""
    if explicit:
        return Path(explicit).expanduser()
    return default_db_path()


def backup_dir_for(db_path: Path) -> Path:
    """Backups live in a folder beside the database they protect."""
    return db_path.parent / "backups"


def current_user() -> str:
    """Name recorded in audit entries."""
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers); audit still needs a value
        return "unknown"
