"""Briefing packs: gather the data, run the template, write PDF or accessible HTML.

Everything here is safe to call off the UI thread: each call opens its own read
sessions, reports progress through ``progress(done, total, message)`` (``total`` 0 when
unknown) and stops, writing nothing, when ``cancelled()`` returns True.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from ..model.types import format_date
from ..safe_files import safe_file_name
from ..services import briefing
from ..services.errors import Cancelled
from ..services.files import write_private
from ..store import Database
from . import content as c
from .html import render_html
from .pdf import Progress, render_pdf
from .templates import TemplateError, TemplateInfo, load_template, render

Format = Literal["pdf", "html"]
MEETING_TEMPLATE = "meeting-briefing"
FOOTPRINT_TEMPLATE = "footprint-briefing"


def format_for(path: str | os.PathLike[str]) -> Format:
    """The output kind a file name asks for: .pdf or .html (.htm)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".pdf":
        return "pdf"
    if suffix in (".html", ".htm"):
        return "html"
    raise TemplateError(
        f"{Path(path).name}: the file name must end in .pdf (to print) or .html (accessible version)"
    )


def _template(name: str, target: str, user_folder: Path | None) -> TemplateInfo:
    info = load_template(name, user_folder=user_folder)
    if info.target != target:
        raise TemplateError(
            f"template “{info.name}” is for a {info.target}, not a {target}; "
            f"“stpdesk templates” lists those for a {target}"
        )
    return info


def _options_for(
    info: TemplateInfo, given: Mapping[str, Any] | None, **wanted: str
) -> dict[str, Any]:
    """Gathering parameters taken from the template's options (e.g. how much history)."""
    from .templates import resolve_options

    options = resolve_options(info, given)
    return {param: options[option] for param, option in wanted.items() if option in options}


def build_document(
    info: TemplateInfo,
    context: Mapping[str, Any],
    *,
    council: briefing.Council,
    title: str,
    header: str,
    subject: str,
    options: Mapping[str, Any] | None = None,
    user_folder: Path | None = None,
    today: date | None = None,
) -> c.Document:
    """Run a template over its data: the shared step of every pack (and letter)."""
    rendered = render(
        info,
        {**context, "council": council, "today": today},
        options=options,
        user_folder=user_folder,
    )
    return c.Document(
        title=title,
        blocks=rendered.blocks,
        author=council.name,
        subject=subject,
        marking=council.protective_marking,
        header=header,
        logo=council.logo,
        template=info.name,
        layout=info.layout,
        extra={"printed": format_date(today) if today else ""},
    )


def meeting_document(
    db: Database,
    meeting_id: str,
    *,
    template: str = MEETING_TEMPLATE,
    options: Mapping[str, Any] | None = None,
    today: date | None = None,
    user_folder: Path | None = None,
) -> c.Document:
    info = _template(template, "meeting", user_folder)
    gather = _options_for(
        info,
        options,
        history="history",
        talking_points="talking_points",
        asks_listed="asks_listed",
        commitments_listed="commitments_listed",
        promise_months="promise_months",
        promises_worst="promises_worst",
    )
    pack = briefing.meeting_pack(db, meeting_id, on=today, **gather)
    document = build_document(
        info,
        {"pack": pack, "meeting": pack.meeting},
        council=pack.council,
        title=pack.title,
        header=pack.title,
        subject=f"{info.title} for {pack.meeting.title}",
        options=options,
        user_folder=user_folder,
        today=pack.today,
    )
    document.extra["meeting"] = pack.meeting
    return document


def footprint_document(
    db: Database,
    footprint_id: str,
    *,
    template: str = FOOTPRINT_TEMPLATE,
    options: Mapping[str, Any] | None = None,
    today: date | None = None,
    user_folder: Path | None = None,
) -> c.Document:
    info = _template(template, "footprint", user_folder)
    gather = _options_for(
        info,
        options,
        quarters="quarters",
        asks_listed="asks_listed",
        overdue_listed="overdue_listed",
        promise_months="promise_months",
        promises_worst="promises_worst",
    )
    pack = briefing.footprint_pack(db, footprint_id, on=today, **gather)
    return build_document(
        info,
        {"pack": pack, "footprint": pack.footprint},
        council=pack.council,
        title=pack.title,
        header=pack.title,
        subject=f"{info.title}: engagement with {pack.footprint.name}",
        options=options,
        user_folder=user_folder,
        today=pack.today,
    )


def write_bytes(
    document: c.Document | list[c.Document],
    fmt: Format,
    *,
    title: str | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    if fmt == "html":
        return render_html(document, title=title).encode("utf-8")
    return render_pdf(document, title=title, progress=progress, cancelled=cancelled)


def meeting_pack(
    db: Database,
    meeting_id: str,
    *,
    fmt: Format = "pdf",
    template: str = MEETING_TEMPLATE,
    options: Mapping[str, Any] | None = None,
    today: date | None = None,
    user_folder: Path | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    """A meeting briefing as PDF (or HTML) bytes."""
    return _make_pack(
        lambda: meeting_document(
            db, meeting_id, template=template, options=options, today=today, user_folder=user_folder
        ),
        fmt,
        progress,
        cancelled,
    )


def footprint_pack(
    db: Database,
    footprint_id: str,
    *,
    fmt: Format = "pdf",
    template: str = FOOTPRINT_TEMPLATE,
    options: Mapping[str, Any] | None = None,
    today: date | None = None,
    user_folder: Path | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    """A footprint briefing as PDF (or HTML) bytes."""
    return _make_pack(
        lambda: footprint_document(
            db,
            footprint_id,
            template=template,
            options=options,
            today=today,
            user_folder=user_folder,
        ),
        fmt,
        progress,
        cancelled,
    )


def _make_pack(
    gather: Callable[[], Any],
    fmt: Format,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
) -> bytes:
    """Gather the record, then lay it out, reporting each step."""
    with _fewer_collections():
        _report(progress, 0, 2, "Gathering the record")
        document = gather()
        _report(progress, 1, 2, "Laying out the pages")
        data = write_bytes(document, fmt, progress=progress, cancelled=cancelled)
    _report(progress, 2, 2, "Done")
    return data


# A pack makes some 100,000 short-lived objects. With the cyclic collector's default (a
# pass every 700 new objects, a full one every hundred passes) a 12-page pack took a median
# 60.4 ms and a mean 72.7 ms; collecting every 20,000 instead, 58.0 and 63.2 ms (fewer full
# collections). Packs made at once (a batch beside a preview) share one setting: the last
# to finish puts the collector back as it found it.
_COLLECT_EVERY = 20_000
_collecting_lock = threading.Lock()
_collecting_packs = 0
_collecting_before: tuple[int, int, int] = (700, 10, 10)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    global _collecting_packs, _collecting_before
    with _collecting_lock:
        if _collecting_packs == 0:
            _collecting_before = gc.get_threshold()
            first, *others = _collecting_before
            gc.set_threshold(max(first, _COLLECT_EVERY), *others)
        _collecting_packs += 1
    try:
        yield
    finally:
        with _collecting_lock:
            _collecting_packs -= 1
            if _collecting_packs == 0:
                gc.set_threshold(*_collecting_before)


def _report(progress: Progress | None, done: int, total: int, message: str) -> None:
    if progress is not None:
        progress(done, total, message)


def save(data: bytes, path: str | os.PathLike[str]) -> Path:
    """Write a file whole or not at all (a failed save never leaves half a PDF), owner-only."""
    target = Path(path).expanduser()
    # the app's Save dialog may name a new folder; the command line checks its -o first
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_private(target, lambda handle: handle.write(data), text=False)


def file_name(meeting: briefing.MeetingInfo, suffix: str = ".pdf") -> str:
    """e.g. ``2026-12-01 Kent Health and Wellbeing Board.pdf`` (safe on Windows too)."""
    local = meeting.starts_at.astimezone(briefing.LONDON)
    return f"{local:%Y-%m-%d} " + safe_file_name(meeting.title, suffix, fallback="meeting")


@dataclass
class BatchResult:
    files: list[Path]
    meetings: int


def upcoming_packs(
    db: Database,
    days: int,
    *,
    folder: str | os.PathLike[str] | None = None,
    combined: str | os.PathLike[str] | None = None,
    template: str = MEETING_TEMPLATE,
    options: Mapping[str, Any] | None = None,
    today: date | None = None,
    user_folder: Path | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> BatchResult:
    """Briefings for every meeting in the next ``days`` days: one PDF each into ``folder``
    and/or one combined PDF. Progress counts meetings; nothing is written if stopped."""
    if folder is None and combined is None:
        raise TemplateError("say where to put the packs: a folder, a combined file, or both")
    ids = briefing.upcoming_meeting_ids(db, days, on=today)
    total = len(ids) + (1 if combined is not None else 0)
    documents: list[c.Document] = []
    outputs: list[tuple[Path, bytes]] = []
    target = Path(folder).expanduser() if folder is not None else None
    for number, meeting_id in enumerate(ids):
        if cancelled is not None and cancelled():
            raise Cancelled("Stopped: no packs were saved.")
        document = meeting_document(
            db,
            meeting_id,
            template=template,
            options=options,
            today=today,
            user_folder=user_folder,
        )
        documents.append(document)
        _report(progress, number, total, f"Writing {document.title}")
        if target is not None:
            data = write_bytes(document, "pdf", cancelled=cancelled)
            name = _unique(file_name(document.extra["meeting"]), outputs)
            outputs.append((target / name, data))
    if combined is not None and documents:
        _report(progress, len(ids), total, "Writing the combined file")
        when = f"the next {days} day{'' if days == 1 else 's'}"
        data = write_bytes(
            documents, "pdf", title=f"Briefing packs for {when}", cancelled=cancelled
        )
        outputs.append((Path(combined).expanduser(), data))
    written = [save(data, path) for path, data in outputs]  # all laid out first, then saved
    _report(progress, total, total, f"{len(ids)} pack{'' if len(ids) == 1 else 's'} written")
    return BatchResult(files=written, meetings=len(ids))


def _unique(name: str, taken: list[tuple[Path, bytes]]) -> str:
    names = {path.name for path, _ in taken}
    stem, suffix = name.rsplit(".", 1)
    candidate, number = name, 2
    while candidate in names:
        candidate, number = f"{stem} ({number}).{suffix}", number + 1
    return candidate
