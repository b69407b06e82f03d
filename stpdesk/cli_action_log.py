"""``stpdesk export action-log [--body ID | --footprint ID] -o FILE.xlsx|FILE.pdf``.

Registered on the ``export`` command (cli_data.py); exit statuses as cli_common: 0 written,
2 bad input (a wrong suffix, an unknown id, an existing file without --force), nothing
written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .cli_common import EXIT_OK, UsageError, open_existing, say_missing

KIND = "action-log"


def add_options(exporting: argparse.ArgumentParser) -> None:
    """``--body`` and ``--footprint`` (one or neither) on ``stpdesk export``."""
    scope = exporting.add_mutually_exclusive_group()
    scope.add_argument("--body", metavar="ID", help=f"{KIND}: only the commitments of this body")
    scope.add_argument(
        "--footprint", metavar="ID", help=f"{KIND}: only those of this footprint's bodies"
    )


def wanted(args: argparse.Namespace) -> bool:
    """Whether the export is the action log's to handle (or to refuse its options)."""
    return args.kind == KIND or bool(args.body or args.footprint)


def export(db_path: Path, args: argparse.Namespace) -> int:
    from .documents.action_log import save_action_log
    from .documents.fonts import noting_missing
    from .services.action_log import format_for
    from .services.files import check_target

    if args.kind != KIND:
        raise UsageError(f"--body and --footprint go with “export {KIND}”, not “{args.kind}”")
    target = Path(args.output).expanduser()
    suffix = format_for(target)  # a wrong suffix is reported before anything is read
    check_target(target, force=args.force)
    with open_existing(db_path) as db, noting_missing() as missing:
        log = save_action_log(db, target, body_id=args.body, footprint_id=args.footprint)
    print(f"Wrote {target}: the action log of {log.scope}, {log.summary()}.")
    say_missing(missing if suffix == ".pdf" else set(), "spreadsheet (.xlsx)")
    return EXIT_OK
