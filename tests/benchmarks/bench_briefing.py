"""Benchmark: briefing pack generation against ReportLab alone (not collected by pytest).

    .venv/bin/python tests/benchmarks/bench_briefing.py [--scale 100000]

For a demo meeting pack, and for a footprint pack over a database with ``--scale``
synthetic meetings added, it prints the time to gather the data, to lay out the PDF and
in all, beside ReportLab building a document of the same page count from fixed text
with no data access (same font, same page size): the ratio is the pipeline's overhead.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate

from stpdesk.documents import packs
from stpdesk.documents.fonts import FONT, register_fonts
from stpdesk.services import briefing, demo, demo_scale
from stpdesk.services import entities as e
from stpdesk.store import open_database

TEXT = (
    "The council asked the Integrated Care Board for a seat on the partnership board and for "
    "housing officers in hospital discharge teams; the board agreed to report back by spring. "
)


def timed(action: Callable[[], object], runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def baseline_builder(pages: int) -> Callable[[], bytes]:
    """ReportLab alone: a build of paragraphs of fixed text until the document has
    ``pages`` pages (same font, same page size), to be timed by the caller."""
    register_fonts()
    style = ParagraphStyle("b", fontName=FONT, fontSize=10, leading=14, spaceAfter=6)

    def build(count: int) -> bytes:
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm)
        doc.build([Paragraph(TEXT * 3, style) for _ in range(count)])
        return buffer.getvalue()

    per_page = len(PdfReader(io.BytesIO(build(40))).pages)
    count = max(1, round(40 * pages / per_page))
    return lambda: build(count)


def baseline(pages: int) -> float:
    """Seconds for ReportLab alone to build ``pages`` pages of fixed text (median of 3)."""
    seconds, _ = timed(baseline_builder(pages))
    return seconds


def report(name: str, gather: float, total: float, pages: int) -> None:
    plain = baseline(pages)
    print(
        f"{name}: {pages} pages; gather {gather * 1000:.0f} ms, whole pack {total * 1000:.0f} ms; "
        f"ReportLab alone, same pages: {plain * 1000:.0f} ms; ratio {total / plain:.2f}x"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=100_000)
    args = parser.parse_args()
    today = date(2026, 11, 22)
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "bench.sqlite")
        demo.build_demo(db, today=today)
        meeting = next(
            m
            for m in e.meetings.page(db, limit=100).rows
            if m.title == "Kent Health and Wellbeing Board" and m.starts_at.date() > today
        )
        gather, _ = timed(lambda: briefing.meeting_pack(db, meeting.id, on=today))
        total, data = timed(lambda: packs.meeting_pack(db, meeting.id, today=today))
        report("Demo meeting pack", gather, total, len(PdfReader(io.BytesIO(data)).pages))

        started = time.perf_counter()
        demo_scale.add_scale(db, args.scale, today=today)
        print(f"(added {args.scale:,} meetings in {time.perf_counter() - started:.0f} s)")
        ics = next(f for f in e.footprints.page(db).rows if f.kind == "ics")
        gather, pack = timed(lambda: briefing.footprint_pack(db, ics.id, on=today))
        print(f"footprint pack covers {pack.meetings_total:,} meetings")
        total, data = timed(lambda: packs.footprint_pack(db, ics.id, today=today))
        report(
            f"Footprint pack, {args.scale:,} extra meetings",
            gather,
            total,
            len(PdfReader(io.BytesIO(data)).pages),
        )
        gather, _ = timed(lambda: briefing.meeting_pack(db, meeting.id, on=today))
        total, data = timed(lambda: packs.meeting_pack(db, meeting.id, today=today))
        report(
            f"Meeting pack, {args.scale:,} extra meetings",
            gather,
            total,
            len(PdfReader(io.BytesIO(data)).pages),
        )
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
