"""What every ``stpdesk`` sub-command shares: exit statuses, the usage error, messages on
stderr and opening the database. cli.py and cli_data.py both import it (cli.py adds
cli_data's sub-commands), so neither imports the other's names.

Exit status: 0 success, 2 bad input or usage (one line on stderr), 1 any other failure.
"""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input: exit 2 with a one-line message."""


def say(message: str) -> None:
    """A message for the user on stderr (stdout is kept for what was asked for)."""
    print(message, file=sys.stderr)


def say_missing(characters: set[str], other: str) -> None:
    """Name the characters a PDF shows as � (no font on this computer can draw them)."""
    from .documents.fonts import missing_message

    if characters:
        say(missing_message(characters, other))


def open_existing(db_path: Path):  # noqa: ANN201 - returns store.Database
    """The database at ``db_path``, which must exist: a sub-command never creates one."""
    from .store import open_database

    if not db_path.exists():
        raise UsageError(
            f"there is no database at {db_path}; create one for your council with "
            f"“stpdesk init --council CODE --db {db_path}” (or try “stpdesk demo --db "
            f"{db_path}”), or start the app"
        )
    return open_database(db_path, create=False)
