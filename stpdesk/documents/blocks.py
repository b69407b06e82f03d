"""Named blocks: what Markdown lacks, called from a template as a function.

Each block is declared once here by a function whose signature is what the template may
pass; it checks and normalises the arguments at render time (so a mistake is reported
with the template's line). Every writer draws a block in its ``block_<name>`` method
(``PdfWriter.block_logo``, ``HtmlWriter.block_logo``…). To add a block (e.g. letter
signatures), add a function to :data:`BLOCKS` with :func:`register_block` and a
``block_<name>`` method to each writer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .charts import GridData, GridPoint, chart_data

BLOCKS: dict[str, Callable[..., dict[str, Any]]] = {}


def register_block(function: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    BLOCKS[function.__name__] = function
    return function


def _text(value: Any, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be text")
    return value


@register_block
def page_break() -> dict[str, Any]:
    """Start a new page."""
    return {}


@register_block
def contents(title: str = "Contents") -> dict[str, Any]:
    """A table of contents of the headings after it (in HTML, a list of links)."""
    return {"title": _text(title, "contents title")}


@register_block
def logo(width_mm: int = 40) -> dict[str, Any]:
    """The council's logo from the council profile (nothing if there is none)."""
    if not isinstance(width_mm, int) or not 5 <= width_mm <= 180:
        raise ValueError("logo width_mm must be a whole number from 5 to 180")
    return {"width_mm": width_mm}


@register_block
def cover(
    title: str, subtitle: str | None = None, details: Sequence[Any] = (), note: str | None = None
) -> dict[str, Any]:
    """A cover page: council name and logo, title, details as label/value pairs, marking."""
    pairs = []
    for item in details or ():
        if not isinstance(item, Sequence) or isinstance(item, str) or len(item) != 2:
            raise ValueError("cover details must be pairs: [[“Date”, meeting.starts_at], …]")
        pairs.append((item[0], item[1]))
    return {
        "title": _text(title, "cover title"),
        "subtitle": subtitle,
        "details": pairs,
        "note": note,
    }


@register_block
def bar_chart(
    rows: Sequence[Sequence[Any]], title: str, series: Sequence[str] | None = None
) -> dict[str, Any]:
    """A bar chart of ``[label, value, …]`` rows; ``series`` names the value columns."""
    return {"chart": chart_data(rows, _text(title, "chart title"), series)}


@register_block
def power_grid(points: Sequence[Any], title: str) -> dict[str, Any]:
    """The relationship map's power/interest grid: ``points`` have ``number``, ``name``,
    ``influence``, ``interest``, ``strength`` and ``quadrant`` (put the same rows in a
    table beside it: a chart alone says nothing to a screen reader)."""
    grid = []
    for point in points:
        try:
            grid.append(
                GridPoint(
                    int(_field(point, "number")),
                    str(_field(point, "name")),
                    int(_field(point, "influence")),
                    int(_field(point, "interest")),
                    str(_field(point, "strength")),
                    str(_field(point, "quadrant")),
                )
            )
        except (KeyError, AttributeError, TypeError, ValueError) as error:
            raise ValueError(
                f"power_grid points need number, name, influence, interest, "
                f"strength and quadrant ({error})"
            ) from None
    return {"grid": GridData(_text(title, "chart title"), grid)}


@register_block
def temperature_chart(trend: Any, title: str) -> dict[str, Any]:
    """A body's temperature at meetings over twelve months (services.temperature.Trend:
    ``since``, ``until``, ``readings``), each reading numbered as the rows of the table
    to put beside it."""
    from .charts import trend_data

    try:
        return {"chart": trend_data(trend, _text(title, "chart title"))}
    except (AttributeError, TypeError) as error:
        raise ValueError(
            f"temperature_chart needs a body's trend (pack.temperature) ({error})"
        ) from None


def _field(record: Any, name: str) -> Any:
    return record[name] if isinstance(record, Mapping) else getattr(record, name)


@register_block
def table(
    rows: Sequence[Any],
    columns: Mapping[str, str],
    empty: str = "None.",
    widths: Sequence[float] | None = None,
) -> dict[str, Any]:
    """A table of records: ``columns`` maps each heading to a field name of the records."""
    if not isinstance(columns, Mapping) or not columns:
        raise ValueError('table columns must map headings to fields: {"Name": "name"}')
    for field in columns.values():
        if not isinstance(field, str) or field.startswith("_"):
            raise ValueError(f"table column field “{field}” is not a field name")
    if widths is not None and len(widths) != len(columns):
        raise ValueError("table widths must give one number per column")
    return {
        "headings": list(columns),
        "fields": list(columns.values()),
        "rows": list(rows),
        "empty": _text(empty, "table empty text"),
        "widths": list(widths) if widths else None,
    }


@register_block
def commitments_table(
    items: Sequence[Any],
    show_body: bool = True,
    show_meeting: bool = True,
    empty: str = "None.",
    who_heading: str = "Who",
    who_field: str = "owed_by",
) -> dict[str, Any]:
    """Commitments with who owes them, when due and how late (overdue ones stand out).
    For ours, ``who_heading="To", who_field="body"`` names the body we owe."""
    if not isinstance(who_field, str) or who_field.startswith("_"):
        raise ValueError(f"commitments_table who_field “{who_field}” is not a field name")
    return {
        "items": list(items),
        "who": (_text(who_heading, "who_heading"), who_field),
        "show_body": bool(show_body),
        "show_meeting": bool(show_meeting),
        "empty": _text(empty, "table empty text"),
    }


def field_of(record: Any, name: str) -> Any:
    """A record's field for a table cell (records are dataclasses or mappings)."""
    if isinstance(record, Mapping):
        return record.get(name)
    return getattr(record, name, None)


def commitment_columns(params: dict[str, Any]) -> list[tuple[str, str, float]]:
    """(heading, field, relative width) for the commitments table, shared by the writers."""
    columns: list[tuple[str, str, float]] = [("Commitment", "text", 7)]
    if params["show_body"]:
        heading, field = params["who"]
        columns.append((heading, field, 4.6))
    columns += [("Due", "due_date", 2.8), ("Status", "status_text", 2.6)]
    if params["show_meeting"]:
        columns.append(("Made at", "made_at", 4.6))
    return columns


# --- letters -------------------------------------------------------------------------


@register_block
def letterhead(logo_width_mm: int = 35) -> dict[str, Any]:
    """The council's logo, name and address at the head of a letter's first page."""
    if not isinstance(logo_width_mm, int) or not 5 <= logo_width_mm <= 90:
        raise ValueError("letterhead logo_width_mm must be a whole number from 5 to 90")
    return {"logo_width_mm": logo_width_mm}


@register_block
def addressee(lines: Sequence[Any], reference: Any = None, date: Any = None) -> dict[str, Any]:
    """The recipient's name and address, one line each, then our reference and the date."""
    if isinstance(lines, str) or not isinstance(lines, Sequence):
        raise ValueError("addressee lines must be a list: addressee(letter.recipient.lines)")
    return {"lines": [str(line) for line in lines], "reference": reference, "date": date}


@register_block
def signatures(people: Sequence[Any], closing: str = "Yours sincerely,") -> dict[str, Any]:
    """The closing line and a signature block for each signatory (``name``, ``position``,
    ``council``), kept on one page with the closing line."""
    if isinstance(people, str) or not isinstance(people, Sequence):
        raise ValueError("signatures needs a list of people: signatures(letter.signatories)")
    return {"people": list(people), "closing": _text(closing, "signatures closing")}
