"""Letters: gather the data, run a letter template, lay the letter out as PDF or Word.

:func:`render_letter` checks every id and lays the letter out; it writes nothing. The
composer and ``stpdesk letter`` hand what it returns to
:func:`stpdesk.services.letters.save_letter`, which saves the file and logs the letter
together. Safe to call off the UI thread (no Qt here).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..model.types import format_date
from ..services import letters as letter_service
from ..services.letters import LetterData, LetterRequest, Needs, RenderedLetter
from ..store import Database
from . import content as c
from .docx import render_docx
from .letter_pdf import LetterPdfWriter
from .pdf import Progress
from .templates import TemplateError, TemplateInfo, list_templates, load_template, render

Format = Literal["pdf", "docx"]
DEFAULT_TEMPLATE = "joint-solutions"


def format_for(path: str | os.PathLike[str]) -> Format:
    """The output kind a file name asks for: .pdf or .docx."""
    suffix = Path(path).suffix.lower()
    if suffix == ".pdf":
        return "pdf"
    if suffix == ".docx":
        return "docx"
    raise TemplateError(
        f"{Path(path).name}: the file name must end in .pdf (to print) or .docx (to edit in Word)"
    )


def letter_templates(*, user_folder: Path | None = None) -> list[TemplateInfo]:
    """Every working letter template, for the composer's list."""
    return [info for info in list_templates("letter", user_folder=user_folder) if not info.problem]


def load_letter_template(name: str, *, user_folder: Path | None = None) -> TemplateInfo:
    info = load_template(name, user_folder=user_folder)
    if info.target != "letter":
        known = ", ".join(i.name for i in letter_templates(user_folder=user_folder))
        raise TemplateError(
            f"template “{info.name}” is for a {info.target}, not a letter; choose one of: {known}"
        )
    return info


def needs_of(info: TemplateInfo) -> Needs:
    options = info.options
    return Needs(
        min_asks=int(options.get("min_asks", 0) or 0),
        body=bool(options.get("needs_body", False)),
        meeting=bool(options.get("needs_meeting", False)),
    )


def defaults_of(info: TemplateInfo) -> dict[str, str]:
    """The template's own subject, opening and closing: the composer starts from these."""
    return {
        key: " ".join(str(info.options.get(key, "")).split())
        for key in ("subject", "opening", "closing")
    }


@dataclass
class Prepared:
    info: TemplateInfo
    data: LetterData
    document: c.Document


def prepare(
    db: Database,
    request: LetterRequest,
    *,
    user_folder: Path | None = None,
) -> Prepared:
    """Check the request and run the template: raises with a clear message, writes nothing."""
    info = load_letter_template(request.template, user_folder=user_folder)
    request.template = info.name
    data = letter_service.gather(db, request, needs=needs_of(info), defaults=defaults_of(info))
    rendered = render(
        info,
        {"letter": data, "council": data.council, "today": data.date},
        user_folder=user_folder,
    )
    document = c.Document(
        title=data.subject or info.title,
        blocks=rendered.blocks,
        author=data.council.name,
        subject=f"{info.title} to {data.recipient.name}",
        marking=data.council.protective_marking,
        header=data.recipient.name,
        logo=data.council.logo,
        template=info.name,
        layout=info.layout,
        extra={
            "address": data.council.address,
            "recipient": data.recipient.name,
            "date": format_date(data.date),
        },
    )
    return Prepared(info, data, document)


def write_bytes(
    document: c.Document,
    fmt: Format,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    if fmt == "docx":
        return render_docx(document)
    return LetterPdfWriter(document, progress=progress, cancelled=cancelled).render()


def preview_pdf(db: Database, request: LetterRequest, *, user_folder: Path | None = None) -> bytes:
    """The letter as PDF bytes, for a preview: nothing is saved or logged."""
    return write_bytes(prepare(db, request, user_folder=user_folder).document, "pdf")


def render_letter(
    db: Database,
    request: LetterRequest,
    fmt: Format,
    *,
    user_folder: Path | None = None,
) -> RenderedLetter:
    """The letter laid out as a .pdf or .docx file's bytes, ready for
    :func:`stpdesk.services.letters.save_letter`: every id is checked first; writes nothing."""
    prepared = prepare(db, request, user_folder=user_folder)
    return RenderedLetter(data=prepared.data, payload=write_bytes(prepared.document, fmt))


__all__ = [
    "LetterRequest",
    "defaults_of",
    "format_for",
    "letter_templates",
    "load_letter_template",
    "prepare",
    "preview_pdf",
    "render_letter",
    "write_bytes",
]
