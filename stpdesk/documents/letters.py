"""Letters: gather the data, run a letter template, write PDF or Word, log the letter.

:func:`compose` is what the composer and ``stpdesk letter`` call. It is all or nothing:
every id is checked and the letter laid out before anything is written; the file is
saved inside the transaction that logs the letter, so a failed save logs nothing and a
failed log leaves no new file. Safe to call off the UI thread (no Qt here).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..model import tables as t
from ..model.types import format_date
from ..services import letters as letter_service
from ..services.entities import letters as letter_records
from ..services.files import SaveFailed, write_partial
from ..services.letters import LetterData, LetterRequest, Needs
from ..services.records import validate
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


@dataclass
class Composed:
    letter: t.Letter
    path: Path
    size: int
    data: LetterData


def compose(
    db: Database,
    request: LetterRequest,
    output: str | os.PathLike[str],
    *,
    user_folder: Path | None = None,
    actor: str | None = None,
    progress: Progress | None = None,
) -> Composed:
    """Write the letter to ``output`` (.pdf or .docx) and log it as a draft letter."""
    target = Path(output).expanduser()
    fmt = format_for(target)
    if target.is_dir():
        raise TemplateError(f"{target} is a folder; give a file name ending in .{fmt}")
    _report(progress, 0, 3, "Gathering the record")
    prepared = prepare(db, request, user_folder=user_folder)
    _report(progress, 1, 3, "Laying out the letter")
    payload = write_bytes(prepared.document, fmt)
    _report(progress, 2, 3, "Saving and logging the letter")
    checked = validate(
        t.LetterCreate, letter_service.log_values(prepared.data, file_path=str(target.resolve()))
    )
    # The file is written beside its name inside the transaction (a failed write logs
    # nothing) and renamed into place only once the letter is logged (a failed log, say
    # on a full disk, leaves no file): the file and the log always agree.
    partial: Path | None = None
    logged = False
    try:
        with db.session() as session:
            record = letter_records.create_in(session, checked, actor=actor)
            session.flush()
            try:
                target.parent.mkdir(parents=True, exist_ok=True)  # a folder the Save dialog named
                partial = write_partial(target, lambda handle: handle.write(payload), text=False)
            except SaveFailed as error:
                raise SaveFailed(f"{error}. The letter was not logged.") from None
        logged = True
        try:
            os.replace(partial, target)
        except OSError as error:
            raise SaveFailed(
                f"The letter was logged (id {record.id}) but could not be saved as {target}: "
                f"{error.strerror or error}. It is kept as {partial}; rename it yourself."
            ) from None
    finally:
        if partial is not None and not logged:
            partial.unlink(missing_ok=True)
    _report(progress, 3, 3, "Done")
    return Composed(letter=record, path=target, size=len(payload), data=prepared.data)


def _report(progress: Progress | None, done: int, total: int, message: str) -> None:
    if progress is not None:
        progress(done, total, message)


__all__ = [
    "Composed",
    "LetterRequest",
    "compose",
    "defaults_of",
    "format_for",
    "letter_templates",
    "load_letter_template",
    "prepare",
    "preview_pdf",
    "write_bytes",
]
