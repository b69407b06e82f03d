"""`stpdesk commitment …`: reschedule a commitment, or record that it was delivered.

The same services as the app's Reschedule and Mark done (services.workflows): a bad id,
date or reference is refused with exit status 2 and nothing is changed.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .model.enums import EvidenceKind


def add_commands(commands: Any, db_option: argparse.ArgumentParser) -> None:
    commitment = commands.add_parser(
        "commitment",
        parents=[db_option],
        help="reschedule a commitment, or record that it was delivered",
        description="Move a commitment's due date (the date first promised and every move are "
        "kept) or record that it was delivered, with how you know.",
    )
    steps = commitment.add_subparsers(dest="step", metavar="STEP", required=True)
    move = steps.add_parser("reschedule", parents=[db_option], help="move its due date, saying why")
    move.add_argument("id", metavar="ID", help="the commitment's id")
    move.add_argument("--to", required=True, metavar="DATE", help="the new due date")
    move.add_argument("--reason", required=True, metavar="TEXT", help="why the date moved")
    move.add_argument("--meeting", metavar="ID", help="the meeting where the new date was agreed")
    move.add_argument("--letter", metavar="ID", help="the letter where it was agreed")
    done = steps.add_parser("done", parents=[db_option], help="record that it was delivered")
    done.add_argument("id", metavar="ID", help="the commitment's id")
    done.add_argument("--on", metavar="DATE", help="the day it was delivered (default today)")
    done.add_argument("--evidence", required=True, metavar="TEXT", help="how you know it was done")
    done.add_argument(
        "--how",
        choices=[kind.value for kind in EvidenceKind],
        default=EvidenceKind.note.value,
        help="what the evidence is (default: note)",
    )
    done.add_argument(
        "--ref", metavar="REF", help="the meeting's or letter's id, or a document reference or link"
    )


def run(db_path: Path, args: argparse.Namespace) -> int:
    from .cli_common import EXIT_OK, open_existing
    from .model.dates import format_date
    from .model.engagement import slippage_text
    from .services import workflows

    with open_existing(db_path) as db:
        if args.step == "reschedule":
            record = workflows.reschedule(
                db,
                args.id,
                new_due_date=args.to,
                reason=args.reason,
                meeting_id=args.meeting,
                letter_id=args.letter,
            )
            moves = len(record.revisions or [])
            said = slippage_text(record.original_due_date, record.due_date, moves)
            print(f"Rescheduled “{record.text[:80]}”: {said}.")
        else:
            record = workflows.mark_done(
                db,
                args.id,
                evidence=args.evidence,
                completed_on=args.on,
                evidence_kind=args.how,
                evidence_ref=args.ref,
            )
            print(f"Marked “{record.text[:80]}” done on {format_date(record.completed_on)}.")
    return EXIT_OK
