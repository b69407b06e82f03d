"""The one clock: every "now" and "today" in stpdesk is read from here.

Business dates (overdue, due soon, "Prepared on", backup rotation, retention) are
UK dates: a councillor at 00:30 BST is on the new day although UTC is not. Nothing
else in stpdesk calls ``datetime.now()``, ``date.today()`` or SQLite's ``'now'``
(``tests/test_clock.py`` checks), so tests move the whole app by moving this clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def now() -> datetime:
    """The current moment, timezone-aware UTC (how timestamps are stored)."""
    return datetime.now(UTC)


def local_now() -> datetime:
    """The current moment on the UK wall clock (GMT or BST)."""
    return now().astimezone(LONDON)


def today() -> date:
    """Today's date in the UK."""
    return local_now().date()
