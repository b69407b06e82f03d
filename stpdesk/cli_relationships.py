"""`stpdesk map`: the relationship map as text, JSON, a PDF or a PNG picture.

The same services as the app's map page (services.relationships); a bad footprint id
or file type is refused with exit status 2 and nothing is written.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .model.enums import BodyKind


def add_commands(commands: Any, db_option: argparse.ArgumentParser) -> None:
    mapping = commands.add_parser(
        "map",
        parents=[db_option],
        help="the relationship map: who has influence and interest, by quadrant",
        description="Bodies and contacts placed by influence (1 to 5) and interest in the "
        "council's asks (1 to 5), in four quadrants: manage closely, keep satisfied, keep "
        "informed, monitor.",
    )
    mapping.add_argument("--footprint", metavar="ID", help="only the bodies in this footprint")
    mapping.add_argument(
        "--kind",
        choices=[kind.value for kind in BodyKind],
        metavar="KIND",
        help="only bodies of this kind (icb, nhs_trust, county_council…)",
    )
    mapping.add_argument("--json", action="store_true", help="print the points as JSON")
    mapping.add_argument(
        "-o", "--output", metavar="FILE", help="save the map as FILE.pdf or FILE.png"
    )


def run(db_path: Path, args: argparse.Namespace) -> int:
    from .cli_common import EXIT_OK, UsageError, open_existing
    from .model.relationships import Quadrant
    from .services import entities, relationships

    output = Path(args.output).expanduser() if args.output else None
    if output is not None:
        if output.suffix.lower() not in (".pdf", ".png"):
            raise UsageError(f"-o {args.output}: name a .pdf or a .png file")
        if not output.parent.is_dir():
            raise UsageError(f"-o {args.output}: there is no folder {output.parent}")
    with open_existing(db_path) as db:
        mapped = relationships.relationship_map(
            db, footprint_id=args.footprint, body_kind=args.kind
        )
        title = "Relationship map"
        if args.footprint:
            title += f": {entities.footprints.get(db, args.footprint).name}"
        marking = _marking(db)
    if output is not None:
        _save(mapped, title, marking, output)
        print(f"Saved the map of {_count(len(mapped.points))} to {output}.")
        return EXIT_OK
    if args.json:
        points = [point.as_json() for point in mapped.points]
        print(
            json.dumps(
                {"points": points, "unmapped": mapped.unmapped}, indent=2, ensure_ascii=False
            )
        )
        return EXIT_OK
    if not mapped.points:
        print("No one is on the map yet: give bodies and contacts an influence and interest.")
    for which in Quadrant:
        here = mapped.in_quadrant(which)
        if not here:
            continue
        print(f"{which.label} ({which.meaning}): {len(here)}")
        for point in here:
            print(
                f"  {point.list_name} — influence {point.influence}, interest "
                f"{point.interest}, {point.strength_text}"
            )
    if mapped.unmapped:
        print(f"Not yet on the map: {mapped.unmapped:,}.")
    return EXIT_OK


def _count(number: int) -> str:
    return f"{number:,} bod{'y or person' if number == 1 else 'ies and people'}"


def _marking(db: Any) -> str:
    from .services import briefing

    return briefing.council(db).protective_marking


def _save(mapped: Any, title: str, marking: str, output: Path) -> None:
    from .documents.packs import save
    from .documents.pdf import render_pdf
    from .documents.relationship_map import map_document

    if output.suffix.lower() == ".pdf":
        save(render_pdf(map_document(mapped, title, marking=marking)), output)
        return
    from .documents.charts import GridData, power_grid, svg
    from .services.relationships import numbered

    rows = numbered(mapped.points)
    drawing = power_grid(GridData(title, rows), 480)  # type: ignore[arg-type]
    save(
        _png(svg(drawing, clipped=False).encode("utf-8"), drawing.width, drawing.height),
        output,
    )


def _png(svg_data: bytes, width: float, height: float) -> bytes:
    """The picture drawn at twice its size (ReportLab's own PNG writer needs Cairo)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer
    from PySide6.QtWidgets import QApplication

    _app = QApplication.instance() or QApplication([])  # fonts need an application
    image = QImage(int(width * 2), int(height * 2), QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    QSvgRenderer(QByteArray(svg_data)).render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


# --- the partnership health check --------------------------------------------------------


def add_health_commands(commands: Any, db_option: argparse.ArgumentParser) -> None:
    check = commands.add_parser(
        "health-check",
        parents=[db_option],
        help="the partnership health check: frameworks, scores and the report",
        description="Members score a footprint (or one body) against a framework; the report "
        "gives each principle's median and spread and compares it with the last round.",
    )
    steps = check.add_subparsers(dest="step", metavar="STEP", required=True)
    listing = steps.add_parser("frameworks", parents=[db_option], help="the frameworks to use")
    listing.add_argument("--json", action="store_true", help="print them as JSON")
    scoring = steps.add_parser(
        "record", parents=[db_option], help="record one member's scores from a CSV file"
    )
    scoring.add_argument("--footprint", required=True, metavar="ID", help="the footprint")
    scoring.add_argument("--body", metavar="ID", help="one body of it, if not the whole")
    scoring.add_argument("--framework", required=True, metavar="NAME", help="the framework")
    scoring.add_argument("--assessor", required=True, metavar="MEMBER_ID", help="who scored")
    scoring.add_argument(
        "--scores",
        required=True,
        metavar="FILE.csv",
        help="a header statement,score,evidence and one row per statement; evidence may "
        "name meeting:ID, commitment:ID or letter:ID",
    )
    scoring.add_argument("--on", metavar="DATE", help="the day it was scored (default today)")
    reporting = steps.add_parser("report", parents=[db_option], help="the latest round's report")
    reporting.add_argument("--footprint", required=True, metavar="ID", help="the footprint")
    reporting.add_argument("--body", metavar="ID", help="one body of it, if not the whole")
    reporting.add_argument("--framework", metavar="NAME", help="default: the latest used")
    reporting.add_argument("--json", action="store_true", help="print the report as JSON")
    reporting.add_argument("-o", "--output", metavar="FILE", help="save it as FILE.pdf or .html")


def run_health(db_path: Path, args: argparse.Namespace) -> int:
    from .cli_common import EXIT_OK, UsageError, open_existing
    from .services import health

    if args.step == "frameworks":
        known = health.frameworks()
        if args.json:
            print(json.dumps([fw.as_json() for fw in known.values()], indent=2, ensure_ascii=False))
            return EXIT_OK
        for fw in known.values():
            print(
                f"{fw.name}: {fw.title} ({len(fw.statements)} statements, scored 1 to "
                f"{len(fw.levels)}: {', '.join(fw.levels)})"
            )
            print(f"  Source: {fw.source}")
        return EXIT_OK
    if args.step == "record":
        from .model.types import parse_date

        path = Path(args.scores).expanduser()
        if not path.is_file():
            raise UsageError(f"--scores {args.scores}: there is no such file")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"--scores {args.scores}: save it as UTF-8 CSV") from None
        on = None
        if args.on:
            try:
                on = parse_date(args.on)
            except ValueError as error:
                raise UsageError(f"--on {args.on}: {error}") from None
        rows = health.read_scores_csv(text)
        with open_existing(db_path) as db:
            saved = health.record(
                db,
                footprint_id=args.footprint,
                framework_name=args.framework,
                member_id=args.assessor,
                rows=rows,
                body_id=args.body,
                on=on,
            )
        from .model.types import format_date

        print(
            f"Recorded {len(saved.scores)} scores against {saved.framework} in the round "
            f"started {format_date(saved.round_on)}."
        )
        return EXIT_OK
    output = Path(args.output).expanduser() if args.output else None
    if output is not None and output.suffix.lower() not in (".pdf", ".html"):
        raise UsageError(f"-o {args.output}: name a .pdf or an .html file")
    with open_existing(db_path) as db:
        result = health.report(db, args.footprint, framework_name=args.framework, body_id=args.body)
        marking = _marking(db)
    if output is not None:
        from .documents.health_report import report_bytes
        from .documents.packs import save

        save(report_bytes(result, output.suffix, marking=marking), output)
        print(f"Saved the health check report to {output}.")
        return EXIT_OK
    if args.json:
        print(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
        return EXIT_OK
    from .model.types import format_date

    print(
        f"{result.framework.title}: {result.footprint}, round started "
        f"{format_date(result.round_on)}, scored by {', '.join(result.assessors)}"
    )
    for p in result.principles:
        change = "" if p.change is None else f" (last round {p.previous_median:g}, {p.change:+g})"
        print(f"  {p.id} {p.title}: median {p.median:g}, spread {p.spread}{change}")
    for s in result.disputed:
        print(f"  Disagreement on {s.id}: scores {', '.join(map(str, s.scores))}")
    return EXIT_OK


def add_temperature_commands(commands: Any, db_option: argparse.ArgumentParser) -> None:
    reading = commands.add_parser(
        "temperature",
        parents=[db_option],
        help="how a body at a meeting seemed, from -2 (hostile) to +2 (supportive)",
        description="Record how a body at a meeting seemed (−2 hostile, −1 cool, 0 neutral, "
        "+1 warm, +2 supportive) and why; without --body, show the meeting's readings.",
    )
    reading.add_argument("meeting", metavar="MEETING_ID", help="the meeting's id")
    reading.add_argument("--body", metavar="ID", help="the body's id (it must be at the meeting)")
    reading.add_argument("--score", metavar="N", help="a whole number from -2 to +2")
    reading.add_argument("--reason", metavar="TEXT", help="why, in a few words")
    reading.add_argument("--clear", action="store_true", help="take the body's reading away")
    reading.add_argument("--json", action="store_true", help="print the readings as JSON")


def run_temperature(db_path: Path, args: argparse.Namespace) -> int:
    from .cli_common import EXIT_OK, UsageError, open_existing
    from .model.relationships import temperature_text
    from .services import temperature

    if args.body is None and (args.score is not None or args.clear or args.reason):
        raise UsageError("name the body with --body ID")
    if args.body is not None and (args.score is None) == (not args.clear):
        raise UsageError("give --score -2 to +2, or --clear to take the reading away")
    with open_existing(db_path) as db:
        if args.body is None:
            readings = temperature.readings_of(db, args.meeting)
        else:
            readings = temperature.record_reading(
                db, args.meeting, args.body, args.score, args.reason, clear=args.clear
            )
    if args.json:
        print(json.dumps(readings, indent=2, ensure_ascii=False))
        return EXIT_OK
    if args.body is not None:
        print("Saved." if not args.clear else "Reading taken away.")
    if not readings:
        print("No temperature recorded at this meeting.")
    for item in readings:
        reason = f": {item['reason']}" if item["reason"] else ""
        print(f"  {item['body']} {temperature_text(item['score'])}{reason}")
    return EXIT_OK
