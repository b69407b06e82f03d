"""Dates, times and ids in plain Python: en-GB parsing and formatting, UK time.

Kept free of pydantic and SQLAlchemy so the first window can format dates before
those libraries are imported (see ``types`` for the column types built on these).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

from .clock import LONDON

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
MONTH_NAMES = [
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def new_id() -> str:
    """A random UUID as text: records keep their id when they move between laptops."""
    import uuid  # not at the top: it imports ``platform``, and start-up does not need it

    return str(uuid.uuid4())


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})\s*(am|pm)?$|^(\d{1,2})\s*(am|pm)$", re.IGNORECASE)


def parse_date(value: Any) -> date | None:
    """Parse a date as a British user types it.

    Accepts a ``date``, ISO ``2026-11-22``, ``22/11/2026`` and ``22 November 2026``.
    Raises ValueError with a message fit to show the user.
    """
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):  # an aware moment falls on its UK day
        return (value.astimezone(LONDON) if value.tzinfo else value).date()
    text = str(value).strip()
    if not text:
        return None
    if match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _WORDS.match(text):
        day, year = int(match.group(1)), int(match.group(3))
        month = MONTHS.get(match.group(2).lower(), 0)
        if not month:
            raise ValueError(f"“{text}” is not a date: “{match.group(2)}” is not a month")
    else:
        raise ValueError(f"“{text}” is not a date: write it as 22/11/2026 or 22 November 2026")
    if not 1 <= month <= 12:
        raise ValueError(f"“{text}” is not a date: there is no month {month}")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{day} {MONTH_NAMES[month]} {year} is not a date") from None


def parse_datetime(value: Any) -> datetime | None:
    """Parse a date and time; a time without a zone is UK local time. Returns aware UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=LONDON)
        return aware.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), LONDON).astimezone(UTC)
    text = str(value).strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is not None:
        return parse_datetime(parsed)
    date_part, _, time_part = text.rpartition(" ")
    clock = None
    if date_part and (match := _TIME.match(time_part)):
        clock = _parse_time(match, time_part)
        day = parse_date(date_part.rstrip(", "))
    else:
        day = parse_date(text)
        clock = time(0)
    assert day is not None
    return datetime.combine(day, clock, LONDON).astimezone(UTC)


def _parse_time(match: re.Match[str], text: str) -> time:
    if match.group(1) is not None:
        hour, minute, half = int(match.group(1)), int(match.group(2)), match.group(3)
    else:
        hour, minute, half = int(match.group(4)), 0, match.group(5)
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(f"“{text}” is not a time")
        hour = hour % 12 + (12 if half.lower() == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"“{text}” is not a time")
    return time(hour, minute)


def format_date(value: date | datetime | None) -> str:
    """en-GB long date: 22 November 2026 (datetimes shown in UK time)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON) if value.tzinfo else value
    return f"{value.day} {MONTH_NAMES[value.month]} {value.year}"


def format_datetime(value: datetime | None) -> str:
    """22 November 2026, 14:00 in UK time."""
    if value is None:
        return ""
    local = value.astimezone(LONDON) if value.tzinfo else value
    return f"{format_date(local)}, {local:%H:%M}"
