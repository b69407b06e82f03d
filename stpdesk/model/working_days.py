"""Working days in England: weekdays that are not bank holidays.

The bank holidays ship as data (``resources/reference/bank_holidays_england_wales.csv``,
2024 to 2030; see SOURCES.md). Outside the years the file covers only weekends are
skipped. Standard library only: the dashboard uses this before SQLAlchemy loads.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from functools import cache
from importlib import resources

HOLIDAYS_FILE = "bank_holidays_england_wales.csv"


@cache
def bank_holidays() -> dict[date, str]:
    """England and Wales bank holidays (date -> name), substitute days included."""
    text = (resources.files("stpdesk.resources") / "reference" / HOLIDAYS_FILE).read_text(
        encoding="utf-8"
    )
    return {
        date.fromisoformat(row["date"]): row["name"] for row in csv.DictReader(text.splitlines())
    }


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays()


def _weekdays_after(start: date, end: date) -> int:
    """Weekdays d with start < d <= end."""
    days = (end - start).days
    if days <= 0:
        return 0
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end is not later):
    a letter sent on Friday has waited 1 working day on Monday."""
    if end <= start:
        return 0
    holidays = sum(1 for day in bank_holidays() if start < day <= end and day.weekday() < 5)
    return _weekdays_after(start, end) - holidays


def latest_start_for(end: date, days: int) -> date:
    """The latest day ``start`` with ``working_days_between(start, end) >= days``: a letter
    sent on or before it has waited ``days`` working days or more by ``end``."""
    if days <= 0:
        return end
    counted = 0
    day = end
    while True:
        if is_working_day(day):
            counted += 1
            if counted == days:
                return day - timedelta(days=1)
        day -= timedelta(days=1)
