"""Command line: ``stpdesk`` starts the app; sub-commands work without a screen.

Exit status: 0 success, 2 bad input or usage (one line on stderr), 1 any other
failure. Expected errors never show a traceback.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from . import __version__
from .cli_common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    open_existing,
    say,
    say_missing,
)
from .config import resolve_db_path
from .model import kinds


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see “{self.prog} --help”)")


def _db_option() -> argparse.ArgumentParser:
    db_option = argparse.ArgumentParser(add_help=False)
    db_option.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="database file (default: $STPDESK_DB, else stpdesk.sqlite in your data folder)",
    )
    return db_option


def _app_options(db_option: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """What ``stpdesk`` without a command (the app) takes: --db and --demo."""
    options = _Parser(prog="stpdesk", add_help=False, parents=[db_option])
    options.add_argument(
        "--demo", action="store_true", help="start the app with demo data (in an empty database)"
    )
    options.set_defaults(command=None)
    return options


def _app_launch(argv: Sequence[str] | None) -> argparse.Namespace | None:
    """The options of a plain ``stpdesk [--db PATH] [--demo]``, read without building the
    whole parser, whose commands' modules bring in SQLAlchemy (half a second before the
    window shows); None for anything else (a command, --help, a mistake)."""
    try:
        args, rest = _app_options(_db_option()).parse_known_args(argv)
    except UsageError:
        return None
    return None if rest else args


def _build_parser() -> argparse.ArgumentParser:
    from .model.kinds import LISTED_NAMES

    db_option = _db_option()
    parser = _Parser(
        prog="stpdesk",
        description="Record your council's engagement with NHS footprints; print briefing packs and letters.",
        parents=[_app_options(db_option)],
    )
    parser.add_argument("--version", action="version", version=f"stpdesk {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", parents=[db_option], help="fill an empty database with demo data"
    )
    demo.add_argument(
        "--scale", type=_non_negative, default=0, metavar="N", help="also add N synthetic meetings"
    )

    init = commands.add_parser(
        "init",
        parents=[db_option],
        help="create a database for your council from the reference data (no demo data)",
        description="Create a new database holding your council's ICS footprint and the "
        "standard bodies for its area, from the ONS reference data shipped with stpdesk.",
    )
    init.add_argument(
        "--council",
        required=True,
        metavar="CODE",
        help="your council's ONS code, e.g. E07000111 (Sevenoaks); a name works too",
    )
    init.add_argument("--member", metavar="NAME", help="also add you as a member, by name")
    init.add_argument("--position", metavar="TEXT", help="with --member: your position")

    listing = commands.add_parser("list", parents=[db_option], help="list records")
    listing.add_argument("entity", choices=LISTED_NAMES)
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

    backup = commands.add_parser("backup", parents=[db_option], help="back up the database now")
    backup.add_argument("-o", "--output", metavar="FILE", help="write the backup here instead")
    commands.add_parser("backups", parents=[db_option], help="list the backups beside the database")
    restore = commands.add_parser(
        "restore", parents=[db_option], help="replace the database with a backup"
    )
    restore.add_argument("file", metavar="FILE", help="the backup to restore")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    deleted = commands.add_parser(
        "deleted",
        parents=[db_option],
        help="recently deleted records: list, restore, or remove for good",
    )
    deleted.add_argument(
        "--restore", metavar="ID", help="bring back the deleted record with this id"
    )
    deleted.add_argument("--empty", action="store_true", help="remove deleted records for good")
    deleted.add_argument(
        "--older-than",
        type=_non_negative,
        default=0,
        metavar="DAYS",
        help="with --empty: only those deleted DAYS ago or more",
    )
    deleted.add_argument(
        "--yes", action="store_true", help="with --empty: do not ask for confirmation"
    )
    _add_brief_commands(commands, db_option)
    _add_letter_command(commands, db_option)
    from .cli_commitments import add_commands as _add_commitment_commands

    _add_commitment_commands(commands, db_option)
    from .cli_reports import add_commands as _add_report_commands

    _add_report_commands(commands, db_option)
    from .cli_relationships import add_commands as _add_relationship_commands
    from .cli_relationships import add_health_commands as _add_health_commands
    from .cli_relationships import add_temperature_commands as _add_temperature_commands

    _add_relationship_commands(commands, db_option)
    _add_health_commands(commands, db_option)
    _add_temperature_commands(commands, db_option)
    from .cli_data import add_commands as _add_data_commands

    _add_data_commands(commands, db_option)
    from .cli_team import add_commands as _add_team_commands

    _add_team_commands(commands, db_option)
    return parser


def _add_brief_commands(commands: Any, db_option: argparse.ArgumentParser) -> None:
    brief = commands.add_parser(
        "brief",
        parents=[db_option],
        help="print a briefing pack (PDF, or accessible HTML)",
        description="Print a briefing pack for a meeting, a footprint, or every meeting coming up.",
    )
    target = brief.add_mutually_exclusive_group(required=True)
    target.add_argument("--meeting", metavar="ID", help="the meeting to brief on")
    target.add_argument("--footprint", metavar="ID", help="the footprint to brief on")
    target.add_argument(
        "--upcoming",
        type=_positive,
        metavar="DAYS",
        help="a pack for every meeting in the next DAYS days",
    )
    brief.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="FILE.pdf or FILE.html; with --upcoming, a folder for one PDF per meeting",
    )
    brief.add_argument(
        "--combined", metavar="FILE.pdf", help="with --upcoming: all packs in one PDF"
    )
    brief.add_argument("--force", action="store_true", help="replace the file if it exists")
    brief.add_argument(
        "--template", metavar="NAME", help="template to use (see “stpdesk templates”)"
    )
    brief.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a template option (repeatable)",
    )
    templates = commands.add_parser(
        "templates", help="list the briefing and letter templates, and where to add your own"
    )
    templates.add_argument(
        "--for",
        dest="target",
        metavar="KIND",
        help="only those for meeting, footprint, body or letter",
    )


def _add_letter_command(commands: Any, db_option: argparse.ArgumentParser) -> None:
    letter = commands.add_parser(
        "letter",
        parents=[db_option],
        help="write a letter (PDF, or Word to edit) and log it",
        description="Write a letter from a template, save it as PDF or Word (.docx) and log it "
        "as a draft letter to the recipient.",
        epilog="Later: “stpdesk letter sent ID [--on DATE] [--by post|email]” records that it "
        "went out, and “stpdesk letter reply ID --on DATE --from TEXT [--summary TEXT] "
        "[--file PATH] [--ask ASK_ID=accepted|partly_met|declined|no_answer …]” records a reply.",
    )
    letter.add_argument(
        "--template",
        required=True,
        metavar="NAME",
        help="letter template (“stpdesk templates --for letter”)",
    )
    to = letter.add_mutually_exclusive_group(required=True)
    to.add_argument("--to", metavar="CONTACT_ID", help="the contact to write to")
    to.add_argument(
        "--to-address",
        metavar="TEXT",
        help="a name and address, lines separated by \\n or new lines",
    )
    letter.add_argument(
        "--asks", metavar="ID,...", default="", help="asks to set out, in this order"
    )
    letter.add_argument(
        "--signatories", metavar="ID,...", default="", help="members who sign, in this order"
    )
    letter.add_argument(
        "--body-id", metavar="ID", help="the body written to (default: the contact's body)"
    )
    letter.add_argument(
        "--meeting",
        metavar="ID",
        help="for a meeting follow-up: the meeting (default: the last one with the body)",
    )
    letter.add_argument("--subject", metavar="TEXT", help="subject line (default: the template's)")
    letter.add_argument(
        "--opening", metavar="TEXT", help="opening paragraph (default: the template's)"
    )
    letter.add_argument(
        "--closing", metavar="TEXT", help="closing paragraph (default: the template's)"
    )
    letter.add_argument(
        "--cc", action="append", default=[], metavar="NAME", help="copy to (repeatable)"
    )
    letter.add_argument("--date", metavar="DATE", help="date of the letter (default: today)")
    letter.add_argument(
        "-o",
        "--output",
        required=True,
        action="append",
        metavar="FILE",
        help="FILE.pdf or FILE.docx; give both (-o a.pdf -o a.docx) for one letter in two files",
    )
    letter.add_argument("--force", action="store_true", help="replace FILE if it exists")


def _letter(db_path: Path, args: argparse.Namespace) -> int:
    from .documents import letters
    from .documents.fonts import noting_missing
    from .model.types import parse_date
    from .services.files import check_target
    from .services.letters import LetterRequest, save_letter

    outputs = [Path(name).expanduser() for name in args.output]
    formats = [letters.format_for(output) for output in outputs]  # before anything is read
    if len(set(formats)) < len(formats):
        raise UsageError("-o: give at most one .pdf and one .docx file for a letter")
    for output in outputs:
        check_target(output, force=args.force)
    on = None
    if args.date:
        try:
            on = parse_date(args.date)
        except ValueError as error:
            raise UsageError(f"--date: {error}") from None
    address = args.to_address.replace("\\n", "\n") if args.to_address else None
    request = LetterRequest(
        template=args.template,
        to_contact_id=args.to,
        to_address=address,
        ask_ids=args.asks.split(","),
        signatory_ids=args.signatories.split(","),
        body_id=args.body_id,
        meeting_id=args.meeting,
        subject=args.subject,
        opening=args.opening,
        closing=args.closing,
        cc=args.cc,
        letter_date=on,
    )
    saved = []
    with open_existing(db_path) as db, noting_missing() as missing:
        for output, fmt in zip(outputs, formats, strict=True):
            letter_id = saved[0].letter.id if saved else None  # one letter, its files
            rendered = letters.render_letter(db, request, fmt)
            saved.append(save_letter(db, rendered, output, letter_id=letter_id))
    for result in saved:
        print(f"Saved {result.path} ({_size(result.size)}).")
    print(f"Logged as one draft letter, id {saved[0].letter.id}.")
    pdf = any(output.suffix.lower() == ".pdf" for output in outputs)
    say_missing(missing if pdf else set(), "Word (.docx)")
    return EXIT_OK


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


# Control characters from files and records (ESC, BEL, CSI…) shown as symbols, never
# sent to the terminal, where they could clear the screen or retitle the window.
_VISIBLE = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
_VISIBLE |= {0x7F: "\u2421"} | {code: f"<{code:02X}>" for code in range(0x80, 0xA0)}


class _Visible:
    """A text stream that writes control characters as visible symbols."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(text.translate(_VISIBLE))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: Sequence[str] | None = None) -> int:
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Visible(sys.stdout), _Visible(sys.stderr)
    try:
        return _main(argv)
    except BrokenPipeError:  # the reader stopped early (``stpdesk list … | head``): not ours
        _quiet_stdout()
        return EXIT_FAILURE
    finally:
        sys.stdout, sys.stderr = streams


def _quiet_stdout() -> None:
    """Point standard output at /dev/null, so flushing it at exit raises nothing more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
    except (OSError, AttributeError, ValueError):
        pass


def _main(argv: Sequence[str] | None = None) -> int:
    from .services import preferences
    from .services.errors import ServiceError
    from .services.files import SaveFailed
    from .store import StoreError
    from .store.errors import NotStpdesk

    try:
        args = _app_launch(argv)
        if args is None:
            from . import cli_letters

            words = sys.argv[1:] if argv is None else list(argv)
            if cli_letters.is_letter_step(words):  # `letter sent` / `letter reply`
                args = cli_letters.parse(words, _Parser)
            else:
                args = _build_parser().parse_args(argv)
        db_path = resolve_db_path(getattr(args, "db", None))
        preferences.apply()  # the rating thresholds chosen in Preferences
        if args.command is None:
            sys.stdout, sys.stderr = sys.stdout._stream, sys.stderr._stream
            return _start_gui(db_path, demo=args.demo)
        if args.demo:
            raise UsageError(
                "--demo starts the app; use “stpdesk demo” to fill a database headlessly"
            )
        handler = {
            "demo": _demo,
            "init": _init,
            "list": _list,
            "search": _search,
            "check": _check,
            "backup": _backup,
            "backups": _backups,
            "restore": _restore,
            "deleted": _deleted,
            "brief": _brief,
            "templates": _templates,
            "letter": _letter,
            "commitment": _commitment_command,
            "report": _report_command,
            "map": _relationship_command,
            "health-check": _health_command,
            "temperature": _temperature_command,
            cli_letters.COMMAND: cli_letters.run,
            "import": _data_command,
            "export": _data_command,
            "conflicts": _data_command,
            "privacy": _data_command,
            "team": _team_command,
            "sync": _team_command,
        }[args.command]
        return handler(db_path, args)
    except UsageError as error:
        say(f"stpdesk: {error}")
        return EXIT_USAGE
    except SaveFailed as error:  # the disk or folder, not the input
        say(f"stpdesk: {error}")
        return EXIT_FAILURE
    except ServiceError as error:
        say(f"stpdesk: {error}".replace("\n", "; "))
        return EXIT_USAGE
    except NotStpdesk as error:  # another program's file: the wrong --db, not a fault
        say(f"stpdesk: {error}")
        return EXIT_USAGE
    except StoreError as error:
        say(f"stpdesk: {error}")
        return EXIT_FAILURE
    except KeyboardInterrupt:
        say("stpdesk: stopped")
        return EXIT_FAILURE
    except BrokenPipeError:
        raise  # main() ends quietly
    except OSError as error:
        say(f"stpdesk: {error.strerror or error}: {error.filename or ''}".rstrip(": "))
        return EXIT_FAILURE


def _commitment_command(db_path: Path, args: argparse.Namespace) -> int:
    from .cli_commitments import run

    return run(db_path, args)


def _report_command(db_path: Path, args: argparse.Namespace) -> int:
    from .cli_reports import run

    return run(db_path, args)


def _relationship_command(db_path: Path, args: argparse.Namespace) -> int:
    from .cli_relationships import run

    return run(db_path, args)


def _temperature_command(db_path: Path, args: argparse.Namespace) -> int:
    from .cli_relationships import run_temperature

    return run_temperature(db_path, args)


def _health_command(db_path: Path, args: argparse.Namespace) -> int:
    from .cli_relationships import run_health

    return run_health(db_path, args)


def _demo(db_path: Path, args: argparse.Namespace) -> int:
    import time

    from .services import demo, demo_scale
    from .store import open_database
    from .store.lock import SETUP

    # Filling is setting up: no other stpdesk uses the file until it is done (another
    # `demo` on the same new file waits, then finds it filled).
    db = open_database(db_path, role=SETUP)
    try:
        started = time.perf_counter()
        counts = demo.build_demo(db)
        if args.scale:
            print(f"Adding {args.scale:,} synthetic meetings…", file=sys.stderr)
            added = demo_scale.add_scale(db, args.scale)
            counts = {key: counts.get(key, 0) + added.get(key, 0) for key in counts | added}
        elapsed = time.perf_counter() - started
    except BaseException:
        db.close(remove_file=db.created_file)  # a new file left empty is removed, whole
        raise
    db.close()
    summary = ", ".join(
        kinds.counted(kinds.BY_NAME[key].table, value)
        for key, value in counts.items()
        if key in kinds.BY_NAME  # --scale also counts attendees, which are not a kind
    )
    print(f"Demo data written to {db_path} in {elapsed:.1f} s: {summary}.")
    return EXIT_OK


def _init(db_path: Path, args: argparse.Namespace) -> int:
    from .services import reference, workflows
    from .store import open_database

    if db_path.exists():
        raise UsageError(f"{db_path} already exists; give a new file with --db NEW.sqlite")
    code = args.council.strip()
    if not any(item.code == code.upper() for item in reference.councils()):
        try:
            code = reference.council_by_name(code).code
        except KeyError:
            raise UsageError(
                f"there is no English council with code or name “{args.council}”; "
                "give its ONS code, e.g. E07000111"
            ) from None
    code = code.upper()
    plan = workflows.plan_setup(code)
    if db_path.parent != Path("") and not db_path.parent.is_dir():
        raise UsageError(f"the folder {db_path.parent} does not exist; create it first")
    try:
        with open_database(db_path) as db:
            workflows.first_run_setup(
                db,
                council_code=code,
                member_name=args.member or "",
                position=args.position,
                add_member=bool(args.member),
            )
    except BaseException:
        for leftover in db_path.parent.glob(db_path.name + "*"):
            leftover.unlink(missing_ok=True)
        raise
    print(
        f"Created {db_path} for {plan.council_name}: {plan.icb.ics_name} footprint and "
        f"{len(plan.bodies)} bodies ({', '.join(name for name, _k, _c in plan.bodies)})."
    )
    print(f"Import your diary with “stpdesk import ics FILE --db {db_path}”.")
    return EXIT_OK


def _list(db_path: Path, args: argparse.Namespace) -> int:
    from .services import views

    if (args.overdue or args.due_within is not None) and args.entity != "commitments":
        raise UsageError("--overdue and --due-within apply only to “list commitments”")
    with open_existing(db_path) as db:
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
    with open_existing(db_path) as db:
        hits = queries.search(db, args.query, limit=args.limit)
    if args.json:
        payload = [
            {"kind": h.kind, "id": h.ref, "title": h.title, "snippet": h.snippet, "rank": h.rank}
            for h in hits
        ]
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        if note := hits.note():
            print(note, file=sys.stderr)  # stdout stays a JSON array
        return EXIT_OK
    if not hits:
        print(f"Nothing matches “{args.query}”.")
    for hit in hits:
        print(f"{hit.kind.capitalize():<11} {hit.title}")
        snippet = " ".join(hit.snippet.split())
        if snippet:
            print(f"{'':<11} {snippet}")
    if note := hits.note():
        print(note)
    return EXIT_OK


def _check(db_path: Path, args: argparse.Namespace) -> int:
    from .store.check import check_database

    if not db_path.exists():
        raise UsageError(f"there is no database at {db_path}")
    result = check_database(db_path)
    if result.foreign:
        say(f"stpdesk: {db_path}: {result.problems[0]}. It has not been changed.")
        return EXIT_USAGE
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


def _backup(db_path: Path, args: argparse.Namespace) -> int:
    from .services import safety

    if not db_path.exists():
        raise UsageError(f"there is no database at {db_path}")
    target = Path(args.output).expanduser() if args.output else None
    if target is not None and target.exists():
        raise UsageError(f"{target} already exists; choose a new file name")
    info = safety.back_up(db_path, target)
    print(f"Backed up {db_path} to {info.path} ({_size(info.size)}, {info.summary}).")
    return EXIT_OK


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(1, size // 1024)} KB"


def _backups(db_path: Path, args: argparse.Namespace) -> int:
    from .model.types import format_datetime
    from .services import safety

    backups = safety.backups(db_path)
    if not backups:
        print(f"There are no backups of {db_path} yet.")
        return EXIT_OK
    for info in backups:
        state = info.summary if info.ok else f"UNUSABLE: {info.problem}"
        print(f"{format_datetime(info.taken):<26} {_size(info.size):>9}  {state}  {info.path}")
    return EXIT_OK


def _restore(db_path: Path, args: argparse.Namespace) -> int:
    from .services import safety

    backup = Path(args.file).expanduser()
    if not backup.is_file():
        raise UsageError(f"there is no backup file at {backup}")
    info = safety.inspect(backup)
    if not info.ok:
        raise UsageError(f"{backup} cannot be restored: {info.problem}; nothing was changed")
    if not args.yes:
        if not sys.stdin or not sys.stdin.isatty():
            raise UsageError("restoring replaces the database; add --yes to confirm")
        answer = input(
            f"Replace {db_path} with the backup taken {info.taken or 'at an unknown time'}? [y/N] "
        )
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing was changed.")
            return EXIT_OK
    result = safety.restore(db_path, backup)
    print(f"Restored {db_path} from {backup} ({info.summary}).")
    if result.safety_backup:
        print(f"The database as it was is kept in {result.safety_backup}.")
    if result.set_aside:
        print(f"The damaged file is kept as {result.set_aside}.")
    return EXIT_OK


def _deleted(db_path: Path, args: argparse.Namespace) -> int:
    from .model.types import format_datetime
    from .services import recycle

    if args.restore and args.empty:
        raise UsageError("use --restore or --empty, not both")
    with open_existing(db_path) as db:
        if args.restore:
            record = recycle.restore(db, args.restore)
            print(
                f"Restored {getattr(record, 'title', None) or getattr(record, 'name', None) or args.restore}."
            )
            return EXIT_OK
        if args.empty:
            if not args.yes:
                raise UsageError("removing deleted records cannot be undone; add --yes to confirm")
            removed = recycle.empty(db, older_than_days=args.older_than)
            print(f"Removed {removed:,} deleted record{'' if removed == 1 else 's'} for good.")
            return EXIT_OK
        records = recycle.recently_deleted(db)
    if not records:
        print("Nothing has been deleted.")
    for record in records:
        print(
            f"{format_datetime(record.deleted_at):<26} {record.kind[:-1]:<11} {record.summary}  ({record.id})"
        )
    return EXIT_OK


def _brief(db_path: Path, args: argparse.Namespace) -> int:
    from .documents import packs
    from .documents.fonts import noting_missing
    from .services.files import check_folder, check_target

    options = {}
    for item in args.option:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(
                f"--option “{item}” must look like NAME=VALUE, e.g. --option history=3"
            )
        options[name.strip()] = value.strip()
    if args.upcoming is None:
        if args.combined:
            raise UsageError("--combined goes with --upcoming; use -o FILE.pdf for one pack")
        if not args.output:
            raise UsageError("say where to save the pack with -o FILE.pdf (or -o FILE.html)")
        output = Path(args.output).expanduser()
        fmt = packs.format_for(output)
        check_target(output, force=args.force)
        with open_existing(db_path) as db, noting_missing() as missing:
            if args.meeting:
                data = packs.meeting_pack(
                    db,
                    args.meeting,
                    fmt=fmt,
                    template=args.template or packs.MEETING_TEMPLATE,
                    options=options,
                )
            else:
                data = packs.footprint_pack(
                    db,
                    args.footprint,
                    fmt=fmt,
                    template=args.template or packs.FOOTPRINT_TEMPLATE,
                    options=options,
                )
        packs.save(data, output)
        print(f"Saved {output} ({_size(len(data))}).")
        say_missing(missing if fmt == "pdf" else set(), "web page (.html)")
        return EXIT_OK
    if not args.output and not args.combined:
        raise UsageError(
            "say where to save the packs: -o FOLDER (one PDF each) and/or --combined FILE.pdf"
        )
    if args.output and Path(args.output).suffix.lower() in (".pdf", ".html", ".htm"):
        raise UsageError(
            f"with --upcoming, -o is a folder; for one file use --combined {args.output}"
        )
    if args.combined and packs.format_for(args.combined) != "pdf":
        raise UsageError("--combined makes one PDF: give a file name ending in .pdf")
    if args.combined:
        check_target(args.combined, force=args.force)
    if args.output and not Path(args.output).expanduser().exists():
        folder = Path(args.output).expanduser()
        check_folder(folder.parent)
        folder.mkdir()
        say(f"Created the folder {folder} for the packs.")

    def report(done: int, total: int, message: str) -> None:
        if total:
            say(f"[{done}/{total}] {message}")

    with open_existing(db_path) as db:
        result = packs.upcoming_packs(
            db,
            args.upcoming,
            folder=args.output,
            combined=args.combined,
            template=args.template or packs.MEETING_TEMPLATE,
            options=options,
            progress=report,
        )
    if not result.meetings:
        print(f"There are no meetings in the next {args.upcoming} days; nothing was written.")
        return EXIT_OK
    print(
        f"Wrote {len(result.files)} file{'' if len(result.files) == 1 else 's'} for {result.meetings} meeting{'' if result.meetings == 1 else 's'}:"
    )
    for path in result.files:
        print(f"  {path}")
    return EXIT_OK


def _templates(db_path: Path, args: argparse.Namespace) -> int:
    from .config import user_templates_dir
    from .documents.templates import TARGETS, list_templates

    if args.target and args.target not in TARGETS:
        raise UsageError(f"--for must be one of {', '.join(TARGETS)}")
    infos = list_templates(args.target)
    for info in infos:
        if info.problem:
            print(f"{info.name:<24} BROKEN ({info.origin}): {info.problem}")
        else:
            print(f"{info.name:<24} for a {info.target:<10} {info.title} ({info.origin})")
    if not infos:
        print("No templates found.")
    print(f"Add or override templates in {user_templates_dir()} (copy a shipped one to start).")
    return EXIT_OK


def _data_command(db_path: Path, args: argparse.Namespace) -> int:
    """import, export, conflicts and privacy live in cli_data.py."""
    from .cli_data import run

    return run(db_path, args)


def _team_command(db_path: Path, args: argparse.Namespace) -> int:
    """team and sync live in cli_team.py."""
    from .cli_team import run

    return run(db_path, args)


def _start_gui(db_path: Path, *, demo: bool) -> int:
    # No cyclic garbage collection until the window is on screen (the main window turns it
    # back on): start-up makes little garbage, and collecting it cost 10 ms of the launch.
    gc.disable()
    from .ui.app import run

    return run(db_path, demo=demo)


if __name__ == "__main__":
    sys.exit(main())
