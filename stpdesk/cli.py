"""Command line: ``stpdesk`` starts the app; sub-commands work without a screen.

Exit status: 0 success, 2 bad input or usage (one line on stderr), 1 any other
failure. Expected errors never show a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from . import __version__
from .config import resolve_db_path

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input: exit 2 with a one-line message."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see “{self.prog} --help”)")


def _build_parser() -> argparse.ArgumentParser:
    from .services.views import ENTITY_NAMES

    db_option = argparse.ArgumentParser(add_help=False)
    db_option.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="database file (default: $STPDESK_DB, else stpdesk.sqlite in your data folder)",
    )
    parser = _Parser(
        prog="stpdesk",
        description="Record your council's engagement with NHS footprints; print briefing packs and letters.",
        parents=[db_option],
    )
    parser.add_argument("--version", action="version", version=f"stpdesk {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="start the app with demo data (in an empty database)"
    )
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", parents=[db_option], help="fill an empty database with demo data"
    )
    demo.add_argument(
        "--scale", type=_non_negative, default=0, metavar="N", help="also add N synthetic meetings"
    )

    listing = commands.add_parser("list", parents=[db_option], help="list records")
    listing.add_argument("entity", choices=ENTITY_NAMES)
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.add_argument(
        "--limit", type=_positive, default=50, metavar="N", help="at most N rows (default 50)"
    )
    listing.add_argument("--overdue", action="store_true", help="commitments past their due date")
    listing.add_argument(
        "--due-within",
        type=_non_negative,
        metavar="DAYS",
        help="commitments due in the next DAYS days",
    )

    search = commands.add_parser("search", parents=[db_option], help="search everything")
    search.add_argument("query")
    search.add_argument("--json", action="store_true", help="print a JSON array")
    search.add_argument("--limit", type=_positive, default=20, metavar="N")

    commands.add_parser("check", parents=[db_option], help="check the database file is sound")
    return parser


def _positive(text: str) -> int:
    value = _non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"“{text}” must be a whole number above 0")
    return value


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"“{text}” cannot be negative")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    from .services.errors import ServiceError
    from .store import StoreError

    try:
        args = _build_parser().parse_args(argv)
        db_path = resolve_db_path(getattr(args, "db", None))
        if args.command is None:
            return _start_gui(db_path, demo=args.demo)
        if args.demo:
            raise UsageError(
                "--demo starts the app; use “stpdesk demo” to fill a database headlessly"
            )
        handler = {"demo": _demo, "list": _list, "search": _search, "check": _check}[args.command]
        return handler(db_path, args)
    except UsageError as error:
        _say(f"stpdesk: {error}")
        return EXIT_USAGE
    except ServiceError as error:
        _say(f"stpdesk: {error}".replace("\n", "; "))
        return EXIT_USAGE
    except StoreError as error:
        _say(f"stpdesk: {error}")
        return EXIT_FAILURE
    except KeyboardInterrupt:
        _say("stpdesk: stopped")
        return EXIT_FAILURE
    except OSError as error:
        _say(f"stpdesk: {error.strerror or error}: {error.filename or ''}".rstrip(": "))
        return EXIT_FAILURE


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _open_existing(db_path: Path):  # noqa: ANN202 - returns store.Database
    from .store import open_database

    if not db_path.exists():
        raise UsageError(
            f"there is no database at {db_path}; create one with “stpdesk demo --db {db_path}” or start the app"
        )
    return open_database(db_path, create=False)


def _demo(db_path: Path, args: argparse.Namespace) -> int:
    import time

    from .services import demo
    from .store import open_database

    created = not db_path.exists()
    try:
        db = open_database(db_path)
    except Exception:
        if created:
            db_path.unlink(missing_ok=True)
        raise
    with db:
        started = time.perf_counter()
        counts = demo.build_demo(db)
        if args.scale:
            print(f"Adding {args.scale:,} synthetic meetings…", file=sys.stderr)
            added = demo.add_scale(db, args.scale)
            counts = {key: counts.get(key, 0) + added.get(key, 0) for key in counts | added}
        elapsed = time.perf_counter() - started
    summary = ", ".join(f"{value:,} {key}" for key, value in counts.items())
    print(f"Demo data written to {db_path} in {elapsed:.1f} s: {summary}.")
    return EXIT_OK


def _list(db_path: Path, args: argparse.Namespace) -> int:
    from .services import views

    if (args.overdue or args.due_within is not None) and args.entity != "commitments":
        raise UsageError("--overdue and --due-within apply only to “list commitments”")
    with _open_existing(db_path) as db:
        rows, total = views.list_rows(
            db, args.entity, limit=args.limit, overdue=args.overdue, due_within=args.due_within
        )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    _print_table(args.entity, rows)
    if total > len(rows):
        print(f"Showing {len(rows):,} of {total:,}; use --limit to see more.")
    return EXIT_OK


COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "footprints": (("code", "Code"), ("name", "Name"), ("kind", "Kind"), ("successor", "Became")),
    "bodies": (("name", "Name"), ("kind", "Kind"), ("footprints", "Footprints")),
    "contacts": (("name", "Name"), ("role", "Role"), ("body", "Body"), ("email", "Email")),
    "members": (("title", "Title"), ("name", "Name"), ("position", "Position")),
    "meetings": (("starts_at", "Date"), ("title", "Title"), ("bodies", "Bodies")),
    "asks": (("title", "Ask"), ("body", "Of"), ("status", "Status"), ("raised_on", "Raised")),
    "commitments": (
        ("due_date", "Due"),
        ("text", "Commitment"),
        ("body", "Body"),
        ("status", "Status"),
    ),
    "letters": (
        ("letter_date", "Date"),
        ("subject", "Subject"),
        ("recipient", "To"),
        ("status", "Status"),
    ),
}


def _cell(key: str, value: Any, row: dict[str, Any]) -> str:
    from .model.types import format_date, parse_date, parse_datetime

    if value is None:
        return ""
    if key == "starts_at":
        return format_date(parse_datetime(value))
    if key in ("due_date", "raised_on", "letter_date"):
        text = format_date(parse_date(value))
        return f"{text} (overdue)" if row.get("overdue") else text
    if key in ("status", "kind"):
        return str(value).replace("_", " ")
    if isinstance(value, list):
        return ", ".join(value)
    text = " ".join(str(value).split())
    return text if len(text) <= 60 else text[:59] + "…"


def _print_table(entity: str, rows: list[dict[str, Any]]) -> None:
    columns = COLUMNS[entity]
    if not rows:
        print(f"No {entity}.")
        return
    cells = [[_cell(key, row.get(key), row) for key, _ in columns] for row in rows]
    widths = [
        max(len(title), *(len(line[i]) for line in cells)) for i, (_, title) in enumerate(columns)
    ]
    print(
        "  ".join(
            title.ljust(width) for (_, title), width in zip(columns, widths, strict=True)
        ).rstrip()
    )
    for line in cells:
        print(
            "  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip()
        )


def _search(db_path: Path, args: argparse.Namespace) -> int:
    from .services import queries

    if not args.query.strip():
        raise UsageError("the search text is empty")
    with _open_existing(db_path) as db:
        hits = queries.search(db, args.query, limit=args.limit)
    if args.json:
        payload = [
            {"kind": h.kind, "id": h.ref, "title": h.title, "snippet": h.snippet, "rank": h.rank}
            for h in hits
        ]
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not hits:
        print(f"Nothing matches “{args.query}”.")
    for hit in hits:
        print(f"{hit.kind.capitalize():<11} {hit.title}")
        snippet = " ".join(hit.snippet.split())
        if snippet:
            print(f"{'':<11} {snippet}")
    return EXIT_OK


def _check(db_path: Path, args: argparse.Namespace) -> int:
    from .store.check import check_database

    if not db_path.exists():
        raise UsageError(f"there is no database at {db_path}")
    result = check_database(db_path)
    if result.ok:
        print(f"{db_path} is sound (schema {result.revision or 'empty'}).")
        return EXIT_OK
    print(f"{db_path} is damaged:", file=sys.stderr)
    for problem in result.problems:
        print(f"  - {problem}", file=sys.stderr)
    if result.backups:
        print(
            f"Restore the newest backup: {result.backups[0]} (close stpdesk first; keep the damaged file).",
            file=sys.stderr,
        )
    else:
        print(
            "No backup was found beside it. Keep the file and ask IT to help recover it.",
            file=sys.stderr,
        )
    return EXIT_FAILURE


def _start_gui(db_path: Path, *, demo: bool) -> int:
    from .ui.app import run

    return run(db_path, demo=demo)


if __name__ == "__main__":
    sys.exit(main())
