"""The one clock: every "now" and "today" in stpdesk is read from here.

Business dates (overdue, due soon, "Prepared on", backup rotation, retention) are
UK dates: a councillor at 00:30 BST is on the new day although UTC is not. Nothing
else in stpdesk calls ``datetime.now()``, ``date.today()`` or SQLite's ``'now'``
(``tests/test_clock.py`` checks), so tests move the whole app by moving this clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

# Set by as_of(): the day a pack or a count is prepared "as of" instead of today.
_as_of: ContextVar[date | None] = ContextVar("stpdesk_as_of", default=None)


def now() -> datetime:
    """The current moment, timezone-aware UTC (how timestamps are stored)."""
    return datetime.now(UTC)


def local_now() -> datetime:
    """The current moment on the UK wall clock (GMT or BST)."""
    return now().astimezone(LONDON)


def today() -> date:
    """Today's date in the UK (or the day of an enclosing ``as_of`` block)."""
    return _as_of.get() or local_now().date()


@contextmanager
def as_of(day: date | None) -> Iterator[None]:
    """Within the block (in this thread), ``today()`` and SQL's ``app_today()`` are ``day``:
    what was overdue as of that day. ``None`` leaves today as it is."""
    if day is None:
        yield
        return
    token = _as_of.set(day)
    try:
        yield
    finally:
        _as_of.reset(token)
