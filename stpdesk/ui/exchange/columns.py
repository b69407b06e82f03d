"""The header row of a contacts CSV, for the column-mapping form (no Qt; run off the UI thread)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ...services import imports
from ...services.errors import ServiceError

VCARD_SUFFIXES = (".vcf", ".vcard")

FIELD_LABELS = {
    "name": "Full name",
    "first_name": "First name",
    "middle_name": "Middle name",
    "last_name": "Last name",
    "email": "Email",
    "phone": "Phone",
    "organisation": "Organisation (body)",
    "role": "Role",
    "notes": "Notes",
}


def is_vcard(path: Path) -> bool:
    return path.suffix.lower() in VCARD_SUFFIXES


def csv_columns(path: Path) -> tuple[list[str], dict[str, str]]:
    """The file's column headers and, for each contact field, the header stpdesk
    would read it from unless told otherwise."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ServiceError(f"{path.name} cannot be read ({error.strerror}).") from None
    text, _encoding = imports.decode_text(raw)
    first_line = text.split("\n", 1)[0]
    # the same delimiter guess the import makes (comma, semicolon or tab)
    delimiter = imports.guess_delimiter(first_line)
    headers = next(csv.reader(io.StringIO(first_line), delimiter=delimiter), [])
    mapping, _unused = imports.map_columns(headers)
    chosen = {field: headers[indexes[0]] for field, indexes in mapping.items()}
    return headers, chosen
