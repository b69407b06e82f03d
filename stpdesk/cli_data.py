"""The data sub-commands of ``stpdesk``: import, export, conflicts and privacy.

Kept beside cli.py so that file stays small; the exit statuses and messages follow it:
0 success, 2 bad input (nothing written), 1 any other failure.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .cli_common import EXIT_OK, EXIT_USAGE, UsageError, open_existing, say
from .model import kinds

IMPORT_KINDS = ("ics", "contacts", "json", "bundle")
EXPORT_KINDS = ("csv", "xlsx", "json", "ics", "bundle")


def add_commands(commands: Any, db_option: argparse.ArgumentParser) -> None:
    importing = commands.add_parser(
        "import",
        parents=[db_option],
        help="import meetings (.ics), contacts (.csv, .vcf), a JSON dump or an exchange bundle",
        description="Every import is all or nothing: if any row has a problem, the rows are "
        "listed with their line numbers and nothing is written.",
    )
    importing.add_argument("kind", choices=IMPORT_KINDS)
    importing.add_argument("file", metavar="FILE")
    importing.add_argument("--from", dest="start", metavar="DATE", help="ics: first day to import")
    importing.add_argument("--to", dest="end", metavar="DATE", help="ics: last day to import")
    importing.add_argument(
        "--add-contacts",
        action="store_true",
        help="ics: add invitees who are not yet contacts (otherwise they are only listed)",
    )
    importing.add_argument(
        "--add-bodies",
        action="store_true",
        help="contacts: add organisations that are not yet bodies",
    )
    importing.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="contacts: read FIELD (name, email, phone, organisation, role, notes…) from COLUMN",
    )
    importing.add_argument(
        "--dry-run",
        action="store_true",
        help="ics, contacts: show what would happen, write nothing",
    )

    exporting = commands.add_parser(
        "export",
        parents=[db_option],
        help="export to CSV files, an XLSX workbook, a JSON dump, an .ics calendar or a bundle",
    )
    exporting.add_argument("kind", choices=EXPORT_KINDS)
    exporting.add_argument(
        "-o", "--output", required=True, metavar="PATH", help="file to write (csv: a folder)"
    )
    exporting.add_argument("--force", action="store_true", help="replace PATH if it exists")

    conflicts = commands.add_parser(
        "conflicts",
        parents=[db_option],
        help="records changed on both laptops: list them, or keep one version",
    )
    conflicts.add_argument("--resolve", metavar="ID", help="the conflict to settle")
    conflicts.add_argument(
        "--keep",
        choices=("ours", "theirs"),
        help="with --resolve: keep this laptop's version (ours) or the other's (theirs)",
    )

    privacy = commands.add_parser(
        "privacy",
        parents=[db_option],
        help="data-protection requests: subject access, erasure, retention review",
    )
    privacy.add_argument("action", choices=("access", "erase", "review"))
    privacy.add_argument(
        "contact", nargs="?", metavar="CONTACT", help="access, erase: the contact's id or email"
    )
    privacy.add_argument(
        "-o", "--output", metavar="FOLDER", help="access: folder for the JSON and PDF (default .)"
    )
    privacy.add_argument("--years", type=int, default=6, help="review: years without engagement")
    privacy.add_argument("--yes", action="store_true", help="erase: do not ask for confirmation")
    privacy.add_argument(
        "--force", action="store_true", help="access: replace the files if they exist"
    )
    privacy.add_argument("--json", action="store_true", help="review: print a JSON array")


def run(db_path: Path, args: argparse.Namespace) -> int:
    handler = {
        "import": _import,
        "export": _export,
        "conflicts": _conflicts,
        "privacy": _privacy,
    }[args.command]
    return handler(db_path, args)


def _date(text: str | None, option: str) -> Any:
    from .model.types import parse_date

    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as error:
        raise UsageError(f"{option}: {error}") from None


def _mapping(items: list[str]) -> dict[str, str]:
    mapping = {}
    for item in items:
        field, sep, column = item.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise UsageError(f"--map “{item}”: write it as FIELD=COLUMN, e.g. email=Work email")
        mapping[field.strip().lower()] = column.strip()
    return mapping


def _print_preview(preview: Any) -> None:
    print(preview.summary())
    for note in preview.notes:
        print(f"  {note}")
    for row in preview.rows:
        if row.action == "skip" and row.notes == ["already imported"]:
            continue
        extra = f" ({'; '.join(row.notes)})" if row.notes else ""
        print(f"  line {row.line}: {row.action} {row.summary}{extra}")
    if preview.new_people:
        print("  People not yet in your contacts:")
        for person in preview.new_people:
            print(f"    {person.name} <{person.email}> (line {person.line})")


def _import(db_path: Path, args: argparse.Namespace) -> int:
    from .services import exchange, imports

    source = Path(args.file).expanduser()
    if not source.is_file():
        raise UsageError(f"there is no file at {source}")
    if args.kind != "ics" and (args.start or args.end or args.add_contacts):
        raise UsageError("--from, --to and --add-contacts apply only to “import ics”")
    if args.kind != "contacts" and (args.add_bodies or args.map):
        raise UsageError("--add-bodies and --map apply only to “import contacts”")
    if args.kind == "json":
        return _import_json(db_path, source)
    with open_existing(db_path) as db:
        if args.kind == "bundle":
            result = exchange.import_bundle(db, source)
            print(f"Merged {source.name}: {result.summary()}")
            for conflict in result.conflicts:
                fields = ", ".join(name for name, _, _ in conflict.differences)
                print(
                    f"  Conflict {conflict.id}: {conflict.label} changed on both laptops ({fields})"
                )
            if result.conflicts:
                print("Settle each with “stpdesk conflicts --resolve ID --keep ours|theirs”.")
            return EXIT_OK
        try:
            if args.kind == "ics":
                start, end = _date(args.start, "--from"), _date(args.end, "--to")
                options = {"start": start, "end": end, "add_contacts": args.add_contacts}
                if args.dry_run:
                    preview, counts = imports.preview_ics(db, source, **options), None
                else:
                    preview, counts = imports.import_ics(db, source, **options)
            else:
                options = {"mapping": _mapping(args.map), "add_bodies": args.add_bodies}
                if args.dry_run:
                    preview, counts = imports.preview_contacts(db, source, **options), None
                else:
                    preview, counts = imports.import_contacts(db, source, **options)
        except imports.ImportRefused as refused:
            say(f"stpdesk: {source.name} was not imported: nothing was written.")
            for problem in refused.preview.problems:
                say(f"  {problem}")
            say("Correct these rows in the file and import it again.")
            return EXIT_USAGE
    _print_preview(preview)
    if counts is None:
        if preview.problems:
            print("Problems (the import would be refused):")
            for problem in preview.problems:
                print(f"  {problem}")
        print("Dry run: nothing was written.")
    else:
        print("Imported: " + ", ".join(f"{value:,} {key}" for key, value in counts.items()) + ".")
    return EXIT_OK


def _import_json(db_path: Path, source: Path) -> int:
    from .services import exports
    from .store import open_database
    from .store.lock import SETUP

    data = exports.read_json(source)
    db = open_database(db_path, role=SETUP)
    try:
        counts = exports.load(db, data)
    except BaseException:
        db.close(remove_file=db.created_file)  # a new file left empty is removed, whole
        raise
    db.close()
    shown = ("meeting", "ask", "commitment", "contact", "audit_entry")
    print(
        f"Loaded {source.name} into {db_path}: "
        + ", ".join(kinds.counted(table, counts[table]) for table in shown)
        + "."
    )
    return EXIT_OK


def _export(db_path: Path, args: argparse.Namespace) -> int:
    from .services import exchange, exports
    from .services.files import check_folder, check_target

    target = Path(args.output).expanduser()
    if args.kind != "csv":
        check_target(target, force=args.force)
    elif target.exists() and not target.is_dir():
        raise UsageError(f"{target} is a file; give a folder for the CSV files")
    elif target.exists() and not args.force and any(target.glob("*.csv")):
        raise UsageError(f"{target} already holds CSV files; choose a new folder or add --force")
    elif not target.exists():
        check_folder(target.parent)
    new_folder = args.kind == "csv" and not target.exists()
    with open_existing(db_path) as db:
        if args.kind == "csv":
            try:
                written = exports.write_csv(db, target)
            except BaseException:
                if new_folder and target.is_dir() and not any(target.iterdir()):
                    target.rmdir()  # a failed export leaves nothing, not even its folder
                raise
            where = f"the new folder {target}" if new_folder else str(target)
            print(f"Wrote {len(written)} CSV files to {where}.")
        elif args.kind == "xlsx":
            counts = exports.write_xlsx(db, target)
            print(
                f"Wrote {target}: "
                + ", ".join(
                    kinds.counted(kind.table, counts[kind.plural])
                    for kind in kinds.KINDS
                    if kind.plural in counts
                )
                + "."
            )
        elif args.kind == "json":
            counts = exports.write_json(db, target)
            print(f"Wrote {target}: {sum(counts.values()):,} rows from {len(counts)} tables.")
        elif args.kind == "ics":
            events = exports.write_ics(db, target)
            print(f"Wrote {target}: {events:,} upcoming meetings and due dates.")
        else:
            info = exchange.export_bundle(db, target)
            print(
                f"Wrote {target} from database {info.database_id[:8]}: "
                f"{sum(info.counts.values()):,} records."
            )
    return EXIT_OK


def _conflicts(db_path: Path, args: argparse.Namespace) -> int:
    from .services import exchange

    if bool(args.resolve) != bool(args.keep):
        raise UsageError("use --resolve ID together with --keep ours or --keep theirs")
    with open_existing(db_path) as db:
        if args.resolve:
            exchange.resolve(db, args.resolve, args.keep)
            kept = "this laptop's" if args.keep == "ours" else "the other laptop's"
            print(f"Settled: {kept} version kept.")
            return EXIT_OK
        found = exchange.conflicts(db)
    if not found:
        print("No conflicts to resolve.")
    for conflict in found:
        print(f"{conflict.id}  {conflict.label}")
        for name, ours, theirs in conflict.differences:
            print(f"    {name}: here {ours!r}; other laptop {theirs!r}")
    return EXIT_OK


def _privacy(db_path: Path, args: argparse.Namespace) -> int:
    from .services import privacy

    if args.action in ("access", "erase") and not args.contact:
        raise UsageError(f"“privacy {args.action}” needs the contact's id or email")
    with open_existing(db_path) as db:
        if args.action == "review":
            if args.years < 1:
                raise UsageError("--years must be 1 or more")
            items = privacy.retention_review(db, years=args.years)
            if args.json:
                payload = [
                    {
                        "id": i.contact_id,
                        "name": i.name,
                        "body": i.body,
                        "last_engaged": i.last_engaged.isoformat(),
                        "how": i.how,
                    }
                    for i in items
                ]
                print(json.dumps(payload, ensure_ascii=False, indent=2))
                return EXIT_OK
            from .model.types import format_date

            if not items:
                print(f"No contacts are {privacy.retention_cutoff_text(args.years)}.")
            for i in items:
                print(
                    f"{format_date(i.last_engaged):<18} {i.name}  ({i.body or 'no body'}; last: {i.how})  {i.contact_id}"
                )
            return EXIT_OK
        contact = privacy.find_contact(db, args.contact)
        if args.action == "access":
            from .documents.subject_access import export_subject_access
            from .services.files import check_folder, check_target

            folder = Path(args.output or ".").expanduser()
            if not folder.exists():
                check_folder(folder.parent)
                folder.mkdir()
                say(f"Created the folder {folder} for the subject-access files.")
            check_folder(folder)
            stem = f"subject-access-{contact.id[:8]}"
            for suffix in (".json", ".pdf"):
                check_target(folder / f"{stem}{suffix}", force=args.force)
            json_path, pdf_path = export_subject_access(db, contact.id, folder)
            print(f"Wrote {pdf_path} and {json_path}.")
            return EXIT_OK
        if not args.yes:
            raise UsageError(
                f"erasing {contact.name}'s personal data cannot be undone; add --yes to confirm"
            )
        result = privacy.erase(db, contact.id)
    print(
        f"Erased the personal data of contact {result.contact_id}: "
        f"{result.mentions_removed} mentions removed from other records, "
        f"{result.audit_entries_scrubbed} audit entries cleaned. "
        "Backups taken earlier still hold it until they are rotated out."
    )
    return EXIT_OK
