"""Where stpdesk keeps its files. The only module that knows platformdirs."""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from platformdirs import user_config_path, user_data_path, user_log_path

from .safe_files import write_atomic

APP_NAME = "stpdesk"
DB_ENV_VAR = "STPDESK_DB"
DB_FILE_NAME = "stpdesk.sqlite"


def data_dir() -> Path:
    """The per-user data folder (created on demand)."""
    return user_data_path(APP_NAME, appauthor=False, ensure_exists=False)


def user_templates_dir() -> Path:
    """Document templates an officer adds or edits; they override the shipped ones by name."""
    return data_dir() / "templates"


def user_frameworks_dir() -> Path:
    """Health check frameworks a council adds (TOML, as resources/frameworks shows)."""
    return data_dir() / "frameworks"


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


@dataclass
class Settings:
    """Typed options with their defaults, kept in one place."""

    backup_keep_last: int = 10  # the newest N backups are always kept
    backup_keep_daily_days: int = 14  # plus the newest backup of each of the last N days
    backup_every_hours: int = 24  # back up on opening when the newest backup is older
    default_signatory_ids: list[str] = field(default_factory=list)  # members who sign letters
    # how commitments are rated (model.engagement.Thresholds)
    due_soon_days: int = 14  # pending and due within this many days: due soon, amber
    amber_after_moves: int = 1  # its date moved this many times: amber
    red_after_moves: int = 2  # its date moved this many times: red
    reply_working_days: int = 20  # a sent letter unanswered this long: awaiting a reply
    reminders: bool = True  # a desktop notice once a day of what falls due or goes overdue
    # sync with the team database in the background (the server's address is kept in the
    # database itself, as ``stpdesk team join`` left it; passwords never in either)
    team_auto_sync: bool = True


def settings_path() -> Path:
    return user_config_path(APP_NAME, appauthor=False, ensure_exists=False) / "settings.json"


def window_state_path() -> Path:
    """Where windows' sizes and positions and lists' columns are remembered."""
    return user_config_path(APP_NAME, appauthor=False, ensure_exists=False) / "windows.ini"


def load_settings() -> Settings:
    """Saved settings; a missing, unreadable or odd value falls back to its default."""
    settings = Settings()
    try:
        saved = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return settings
    if not isinstance(saved, dict):
        return settings
    for item in fields(Settings):
        value = saved.get(item.name)
        if isinstance(getattr(settings, item.name), list):
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                setattr(settings, item.name, value)
        elif isinstance(getattr(settings, item.name), bool):
            if isinstance(value, bool):
                setattr(settings, item.name, value)
        elif isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            setattr(settings, item.name, value)
    return settings


def save_settings(settings: Settings) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(asdict(settings), indent=2)
    write_atomic(path, lambda handle: handle.write(text), text=True)


def log_dir() -> Path:
    """Where crash reports and the app's log are written (created on demand)."""
    return user_log_path(APP_NAME, appauthor=False, ensure_exists=False)
