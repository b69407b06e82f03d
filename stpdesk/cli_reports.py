"""`stpdesk report promises`: how each body kept the promises it made us, and we ours.

The figures are services.promises' (the dashboard's, a body's page's and the packs'):
promises first due in the period (by default the last 12 months, as the dashboard), each
delivered on time, delivered late, overdue now, dropped or not yet due. A bad id or date
is refused with exit status 2, naming the option; the command only reads.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .services.promises import PromiseRecord, PromiseTally

NAME_WIDTH = 48  # longer body names are cut, so a row fits a terminal

COLUMNS = (  # heading, PromiseTally field
    ("Made", "made"),
    ("On time", "on_time"),
    ("Late", "late"),
    ("Median late", "median_days_late"),
    ("Overdue", "overdue"),
    ("Dropped", "dropped"),
    ("Not yet due", "to_come"),
)


def add_commands(commands: Any, db_option: argparse.ArgumentParser) -> None:
    report = commands.add_parser(
        "report",
        parents=[db_option],
        help="reports: how each body kept its promises to us (report promises)",
    )
    kinds = report.add_subparsers(dest="report", metavar="REPORT", required=True)
    promises = kinds.add_parser(
        "promises",
        parents=[db_option],
        help="promises kept: on time, late, overdue and dropped, per body",
        description="How many promises each body made us were delivered on time, delivered "
        "late (with the median days late), are overdue now or were dropped, and the same for "
        "ours to them. Counts the promises first due in the period: from --since (default: "
        "12 months ago) to today.",
    )
    scope = promises.add_mutually_exclusive_group()
    scope.add_argument("--body", metavar="ID", help="one body only")
    scope.add_argument("--footprint", metavar="ID", help="the bodies of one footprint")
    promises.add_argument(
        "--since", metavar="DATE", help="count promises first due from DATE (default: a year ago)"
    )
    promises.add_argument(
        "--json", action="store_true", help="print JSON: the figures per body and the totals"
    )


def run(db_path: Path, args: argparse.Namespace) -> int:
    from .cli_common import EXIT_OK, UsageError, open_existing
    from .model import clock
    from .model.dates import format_date, parse_date
    from .services import promises
    from .services.errors import NotFound

    try:
        since = (parse_date(args.since) if args.since else None) or promises.months_before()
    except ValueError as error:
        raise UsageError(f"--since: {error}") from None
    if since > clock.today():
        raise UsageError(f"--since: {format_date(since)} is after today")
    with open_existing(db_path) as db:
        try:
            record = promises.promise_record(
                db, body_id=args.body, footprint_id=args.footprint, since=since, worst=0
            )
        except NotFound:
            option, kind, listed = (
                ("--body", "body", "bodies")
                if args.body
                else ("--footprint", "footprint", "footprints")
            )
            raise UsageError(
                f"{option}: there is no {kind} with id {args.body or args.footprint} "
                f"(“stpdesk list {listed}” shows their ids)"
            ) from None
    if args.json:
        print(json.dumps(as_json(record), ensure_ascii=False, indent=2))
    else:
        print_tables(record)
    return EXIT_OK


def _figures(tally: PromiseTally) -> dict[str, Any]:
    return {field: getattr(tally, field) for _, field in COLUMNS} | {"moved": tally.moved}


def as_json(record: PromiseRecord) -> dict[str, Any]:
    """The figures per body and all together, each way (``to_us``: promised us)."""
    return {
        "since": record.since.isoformat() if record.since else None,
        "until": record.until.isoformat(),
        "bodies": [
            {
                "body_id": line.body_id,
                "body": line.body,
                "to_us": _figures(line.to_us),
                "by_us": _figures(line.by_us),
            }
            for line in record.bodies
        ],
        "totals": {"to_us": _figures(record.to_us), "by_us": _figures(record.by_us)},
    }


def print_tables(record: PromiseRecord) -> None:
    from .model.dates import format_date
    from .services.promises import median_late_text

    period = f"first due {format_date(record.since)} to {format_date(record.until)}"
    for direction, title in (("to_us", "Promises made to us"), ("by_us", "Our promises to them")):
        lines = [
            (line.body, getattr(line, direction))
            for line in record.bodies
            if getattr(line, direction).made
        ]
        print(f"{title}, {period}:")
        if not lines:
            print("None.\n")
            continue
        if len(lines) > 1:
            lines.append(("All together", getattr(record, direction)))
        rows = [
            [name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 1] + "…"]
            + [
                median_late_text(tally)
                if field == "median_days_late"
                else f"{getattr(tally, field):,}"
                for _, field in COLUMNS
            ]
            for name, tally in lines
        ]
        headings = ["Body", *(heading for heading, _ in COLUMNS)]
        widths = [max(len(row[i]) for row in [headings, *rows]) for i in range(len(headings))]
        for row in [headings, *rows]:
            cells = [row[0].ljust(widths[0])]
            cells += [text.rjust(width) for text, width in zip(row[1:], widths[1:], strict=True)]
            print("  ".join(cells).rstrip())
        print()
