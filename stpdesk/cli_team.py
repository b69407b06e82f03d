"""The team database sub-commands: ``stpdesk team init|join|users|password`` and
``stpdesk sync``.

Every ``team`` command takes the server from ``--server URL`` (or the URL argument of
init and join), or else from the database ``--db`` names. Exit status as cli.py: 0
success, 2 bad input, 1 any other failure (the server unreachable or refusing).
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path
from typing import Any

from .cli_common import EXIT_FAILURE, EXIT_OK, UsageError, open_existing, say

COMMANDS = ("team", "sync")


def add_commands(commands: Any, db_option: argparse.ArgumentParser) -> None:
    server_option = argparse.ArgumentParser(add_help=False)
    server_option.add_argument(
        "--server",
        metavar="URL",
        help="the team database, e.g. postgresql://you@server/stpdesk?sslmode=verify-full "
        "(default: the one the database joined)",
    )
    team = commands.add_parser(
        "team",
        parents=[db_option],
        help="the team database on PostgreSQL: set it up, join it, manage logins",
        description="The team's shared copy lives in a PostgreSQL database; each laptop keeps "
        "its own file and syncs with it (stpdesk sync). Passwords come from your keyring "
        "(stpdesk team password) or your pgpass file, never from stpdesk's files.",
    )
    steps = team.add_subparsers(dest="team_command", metavar="STEP", required=True)
    init = steps.add_parser(
        "init",
        parents=[db_option, server_option],
        help="create or upgrade the team schema on the server (run once, as its owner)",
    )
    init.add_argument("url", nargs="?", metavar="URL", help="the team database")
    join = steps.add_parser(
        "join",
        parents=[db_option, server_option],
        help="link this database to the team database and merge (creates --db if missing)",
    )
    join.add_argument("url", nargs="?", metavar="URL", help="the team database")
    join.add_argument("--json", action="store_true", help="print what moved as JSON")
    users = steps.add_parser("users", help="PostgreSQL logins for the team")
    user_steps = users.add_subparsers(dest="users_command", metavar="STEP", required=True)
    add = user_steps.add_parser(
        "add", parents=[db_option, server_option], help="add a login (you must be an admin)"
    )
    add.add_argument("name", metavar="NAME", help="the login name, e.g. asmith")
    add.add_argument("--role", required=True, choices=("reader", "editor", "admin"))
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new login's password from standard input (default: make one up)",
    )
    listing = user_steps.add_parser("list", parents=[db_option, server_option], help="list logins")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    password = steps.add_parser(
        "password",
        parents=[db_option, server_option],
        help="keep your team database password in this computer's keyring",
    )
    password.add_argument(
        "--stdin", action="store_true", help="read the password from standard input"
    )

    sync = commands.add_parser(
        "sync",
        parents=[db_option, server_option],
        help="send this laptop's changes to the team database and fetch everyone else's",
    )
    sync.add_argument("--json", action="store_true", help="print what moved as JSON")


def run(db_path: Path, args: argparse.Namespace) -> int:
    if args.command == "sync":
        return _sync(db_path, args)
    step = args.team_command
    if step == "users":
        step = f"users {args.users_command}"
    return {
        "init": _init,
        "join": _join,
        "users add": _users_add,
        "users list": _users_list,
        "password": _password,
    }[step](db_path, args)


def _given_url(args: argparse.Namespace) -> str | None:
    url = getattr(args, "url", None)
    server = getattr(args, "server", None)
    if url and server and url != server:
        raise UsageError("give the team database once: as URL or as --server, not both")
    return url or server


def _server(db_path: Path, args: argparse.Namespace) -> str:
    """--server (or URL), else the team database the --db database joined."""
    url = _given_url(args)
    if url:
        return url
    if not db_path.exists():
        raise UsageError(
            f"give the team database with --server URL (there is no database at {db_path} "
            "to take it from)"
        )
    from .services import team

    db = open_existing(db_path)
    try:
        found = team.server_url(db)
    finally:
        db.close()
    if not found:
        raise UsageError(
            f"{db_path} has not joined a team database; give --server URL, or join with "
            "“stpdesk team join URL”"
        )
    return found


def _checked(url: str) -> str:
    from .store.team import TeamError, check_url

    try:
        check_url(url)
    except TeamError as error:
        raise UsageError(str(error)) from None
    return url


def _init(db_path: Path, args: argparse.Namespace) -> int:
    from .store import team

    url = _checked(_server(db_path, args))
    before, after = team.upgrade_schema(url)
    where = team.describe(url)
    if before is None:
        print(f"Team database {where} set up (schema {after}).")
    elif before == after:
        print(f"Team database {where} is up to date (schema {after}).")
    else:
        print(f"Team database {where} upgraded from schema {before} to {after}.")
    return EXIT_OK


def _join(db_path: Path, args: argparse.Namespace) -> int:
    from .services import team
    from .store import open_database

    url = _given_url(args)
    if not url and db_path.exists():
        url = _server(db_path, args)  # joined before: join the same one again
    if not url:
        raise UsageError("give the team database to join: stpdesk team join URL")
    _checked(url)
    fresh = not db_path.exists()
    db = open_database(db_path) if fresh else open_existing(db_path)
    try:
        result = team.join(db, url, fresh=fresh)
    finally:
        db.close()
    return _print_result(result, args, f"Joined the team database {_describe(url)}.")


def _describe(url: str) -> str:
    from .store.team import describe

    return describe(url)


def _print_result(result: Any, args: argparse.Namespace, heading: str) -> int:
    """What moved; exit status 1 when the server refused this laptop's changes."""
    if getattr(args, "json", False):
        print(json.dumps(result.as_json(), indent=2))
    else:
        print(heading)
        print(result.summary())
        if result.conflicts:
            print("Settle the conflicts with “stpdesk conflicts” or in the app's Conflicts view:")
            for conflict in result.conflicts:
                print(f"  {conflict.id}  {conflict.label}")
    if result.refused:
        say(f"stpdesk: {result.refusal} ({result.refused:,} changes stay on this laptop.)")
        return EXIT_FAILURE
    return EXIT_OK


def _sync(db_path: Path, args: argparse.Namespace) -> int:
    from .services import team

    db = open_existing(db_path)
    try:
        url = _checked(args.server) if args.server else None
        result = team.sync(db, url)
    finally:
        db.close()
    return _print_result(result, args, "Synced with the team database.")


def _read_secret(prompt: str) -> str:
    if sys.stdin is None:
        raise UsageError("no password given (use --stdin and pipe it in)")
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\n")


def _users_add(db_path: Path, args: argparse.Namespace) -> int:
    from .store import team

    url = _checked(_server(db_path, args))
    name = args.name.strip()
    if not name or len(name) > 63 or not all(c.isalnum() or c in "._-" for c in name):
        raise UsageError(
            f"login name “{args.name}”: use letters, digits, dots, dashes or underscores "
            "(at most 63), e.g. asmith"
        )
    if args.password_stdin:
        password = _read_secret("Password for the new login: ")
        if len(password) < 12:
            raise UsageError("the password must have at least 12 characters")
        made_up = False
    else:
        password = secrets.token_urlsafe(18)
        made_up = True
    team.add_user(url, name, args.role, password)
    print(f"Added {name} as {args.role} on {team.describe(url)}.")
    if made_up:
        print(f"Their password (shown once; give it to them privately): {password}")
        print("They keep it in their keyring with: stpdesk team password")
    return EXIT_OK


def _users_list(db_path: Path, args: argparse.Namespace) -> int:
    from .store import team

    url = _checked(_server(db_path, args))
    users = team.list_users(url)
    if args.json:
        print(json.dumps([{"name": u.name, "role": u.role} for u in users], indent=2))
        return EXIT_OK
    if not users:
        print("No team logins yet; add one with “stpdesk team users add NAME --role editor”.")
    for user in users:
        print(f"{user.name:<24} {user.role}")
    return EXIT_OK


def _password(db_path: Path, args: argparse.Namespace) -> int:
    from .store import team

    url = _checked(_server(db_path, args))
    password = _read_secret(f"Password for {team.describe(url)}: ")
    if not password:
        raise UsageError("no password given")
    team.store_password(url, password)
    say(f"Kept the password for {team.keyring_account(url)} in this computer's keyring.")
    return EXIT_OK
