"""Where an ask or a commitment stands: the one definition every reader uses.

Overdue, due soon, done late and days overdue are derived, never stored. Each is
defined here twice over, side by side: as SQL, for queries (the dashboard, lists and
their filters, ``stpdesk list``, packs, letters, exports), and as Python, for a record
already in memory (a list row, an editor). ``tests/test_engagement.py`` holds both to
the same answers on every boundary (due today, yesterday, in exactly 14 days, done on
the due date, dropped, deleted).

The SQL reads the day from ``app_today()``, a function ``store.engine`` registers on
every connection; it returns ``clock.today()``. One function rather than a bound
parameter, so a fragment drops into any statement (plain ``sqlite3``, SQLAlchemy's
``text()``) with nothing to thread through, and the app's one clock (and its
``as_of`` blocks, and the tests' time travel) governs SQL and Python alike. SQLite
still walks the (status, due_date) index: ``app_today()`` names no column, so it is
evaluated once per statement as the bound of the range.

Imports nothing heavy: the dashboard uses it before SQLAlchemy loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from . import clock
from .enums import AskStatus, CommitmentStatus, LabelledEnum, LetterStatus, Rag
from .working_days import latest_start_for, working_days_between


@dataclass(frozen=True)
class Thresholds:
    """The rules' numbers, set in Preferences (these are the defaults)."""

    due_soon_days: int = 14  # pending and due from today to this many days ahead: due soon
    amber_moves: int = 1  # moved this many times or more: amber
    red_moves: int = 2  # moved this many times or more: red
    reply_days: int = 20  # a letter sent this many working days ago, unanswered: awaiting a reply


DUE_SOON_DAYS = Thresholds.due_soon_days
_thresholds = Thresholds()


def thresholds() -> Thresholds:
    return _thresholds


def use_thresholds(chosen: Thresholds) -> None:
    """Apply Preferences' thresholds (the app and the command line do, on starting)."""
    global _thresholds
    _thresholds = chosen


TODAY_SQL = "app_today()"
"""SQL for today's UK date as ISO text (registered on every connection)."""

SQL_FUNCTIONS = {
    "app_today": lambda: clock.today().isoformat(),
    "app_due_soon_days": lambda: _thresholds.due_soon_days,
    "app_amber_moves": lambda: _thresholds.amber_moves,
    "app_red_moves": lambda: _thresholds.red_moves,
    "app_reply_cutoff": lambda: latest_start_for(clock.today(), _thresholds.reply_days).isoformat(),
}
"""Functions every connection registers (name -> zero-argument callable): the SQL reads
today and the thresholds from them, so one statement text serves every day and setting."""


class CommitmentState(LabelledEnum):
    """Where a commitment stands today, most pressing first."""

    overdue = "overdue"  # pending, due before today
    due_soon = "due_soon"  # pending, due today or within DUE_SOON_DAYS
    pending = "pending"  # pending, due later or with no due date
    done_late = "done_late"  # done after its due date
    done = "done"  # done on or before its due date (or it had none)
    dropped = "dropped"


class AskState(LabelledEnum):
    open = "open"  # no answer yet
    answered = "answered"  # accepted, partly met or declined
    withdrawn = "withdrawn"


ANSWERED = (AskStatus.accepted, AskStatus.partly_met, AskStatus.declined)


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


# --- SQL: each takes the alias (or table name) the statement gives the table -------------


def live_sql(alias: str) -> str:
    """Not in the recycle bin."""
    return f"{alias}.deleted_at IS NULL"


def pending_sql(alias: str) -> str:
    return f"{alias}.status = '{CommitmentStatus.pending.value}'"


def overdue_sql(alias: str) -> str:
    """A pending commitment due before today."""
    return f"{pending_sql(alias)} AND {alias}.due_date < {TODAY_SQL}"


def due_within_sql(alias: str, days: int | None = None, *, from_today: bool = True) -> str:
    """A pending commitment due by ``days`` days from today (default: the due-soon
    window): from today on, or with ``from_today=False`` overdue ones too."""
    ahead = "app_due_soon_days()" if days is None else str(int(days))
    until = f"date({TODAY_SQL}, '+' || {ahead} || ' days')"
    since = f" AND {alias}.due_date >= {TODAY_SQL}" if from_today else ""
    return f"{pending_sql(alias)}{since} AND {alias}.due_date <= {until}"


def still_due_sql(alias: str) -> str:
    """A pending commitment due today or later (not yet overdue)."""
    return f"{pending_sql(alias)} AND {alias}.due_date >= {TODAY_SQL}"


def due_soon_sql(alias: str) -> str:
    return due_within_sql(alias)


def done_late_sql(alias: str) -> str:
    return (
        f"{alias}.status = '{CommitmentStatus.done.value}' "
        f"AND {alias}.completed_on > {alias}.due_date"
    )


def days_overdue_sql(alias: str) -> str:
    """Days past the due date (negative: days still to go; NULL: no due date)."""
    return f"CAST(julianday({TODAY_SQL}) - julianday({alias}.due_date) AS INTEGER)"


def commitment_state_sql(alias: str) -> str:
    """The CommitmentState value of each row."""
    return (
        f"CASE WHEN {overdue_sql(alias)} THEN '{CommitmentState.overdue.value}' "
        f"WHEN {due_soon_sql(alias)} THEN '{CommitmentState.due_soon.value}' "
        f"WHEN {pending_sql(alias)} THEN '{CommitmentState.pending.value}' "
        f"WHEN {done_late_sql(alias)} THEN '{CommitmentState.done_late.value}' "
        f"WHEN {alias}.status = '{CommitmentStatus.done.value}' "
        f"THEN '{CommitmentState.done.value}' "
        f"ELSE '{CommitmentState.dropped.value}' END"
    )


def moves_sql(alias: str) -> str:
    """How many times the due date moved."""
    return f"coalesce(json_array_length({alias}.revisions), 0)"  # NULL and JSON null: 0


def days_late_sql(alias: str) -> str:
    """Days a done commitment was delivered after its (latest) due date; NULL otherwise."""
    return (
        f"CASE WHEN {done_late_sql(alias)} "
        f"THEN CAST(julianday({alias}.completed_on) - julianday({alias}.due_date) AS INTEGER) END"
    )


def rag_sql(alias: str) -> str:
    """The Rag value of each row (NULL for a dropped commitment). See ``rag``."""
    moves = moves_sql(alias)
    return (
        f"CASE WHEN {alias}.status = '{CommitmentStatus.dropped.value}' THEN NULL "
        f"WHEN {alias}.status = '{CommitmentStatus.done.value}' THEN "
        f"CASE WHEN {done_late_sql(alias)} THEN '{Rag.amber.value}' ELSE '{Rag.green.value}' END "
        f"WHEN {overdue_sql(alias)} OR {moves} >= app_red_moves() THEN '{Rag.red.value}' "
        f"WHEN {due_soon_sql(alias)} OR {moves} >= app_amber_moves() THEN '{Rag.amber.value}' "
        f"ELSE '{Rag.green.value}' END"
    )


def open_ask_sql(alias: str) -> str:
    return f"{alias}.status = '{AskStatus.open.value}'"


def answered_ask_sql(alias: str) -> str:
    return f"{alias}.status IN ({_quoted(tuple(s.value for s in ANSWERED))})"


def waiting_for_reply_sql(alias: str) -> str:
    """A live letter sent and not yet answered (however long ago)."""
    return (
        f"{live_sql(alias)} AND {alias}.status = '{LetterStatus.sent.value}' "
        f"AND {alias}.sent_on IS NOT NULL"
    )


def awaiting_reply_sql(alias: str) -> str:
    """A letter sent and unanswered for the Preferences' working days (default 20) or more.
    ``app_reply_cutoff()`` is the latest sending day that has waited that long today."""
    return f"{waiting_for_reply_sql(alias)} AND {alias}.sent_on <= app_reply_cutoff()"


# --- Python: the same definitions for a record in memory ------------------------------


def reply_wait_days(
    status: LetterStatus | str,
    sent_on: date | None,
    *,
    deleted: bool = False,
    today: date | None = None,
) -> int | None:
    """Working days a sent, unanswered letter has waited (skipping weekends and English
    bank holidays); None for a draft, an answered or a deleted letter."""
    if deleted or sent_on is None or LetterStatus(status) != LetterStatus.sent:
        return None
    return working_days_between(sent_on, today or clock.today())


def is_awaiting_reply(
    status: LetterStatus | str,
    sent_on: date | None,
    *,
    deleted: bool = False,
    today: date | None = None,
) -> bool:
    """Sent, unanswered, and waiting the Preferences' working days or more."""
    waited = reply_wait_days(status, sent_on, deleted=deleted, today=today)
    return waited is not None and waited >= _thresholds.reply_days


def waited_text(days: int) -> str:
    """ "23 working days" """
    return f"{days} working day{'' if days == 1 else 's'}"


def commitment_state(
    status: CommitmentStatus | str,
    due_date: date | None,
    completed_on: date | None = None,
    *,
    today: date | None = None,
) -> CommitmentState:
    on = today or clock.today()
    status = CommitmentStatus(status)
    if status == CommitmentStatus.pending:
        if due_date is None:
            return CommitmentState.pending
        if due_date < on:
            return CommitmentState.overdue
        if (due_date - on).days <= _thresholds.due_soon_days:
            return CommitmentState.due_soon
        return CommitmentState.pending
    if status == CommitmentStatus.done:
        late = due_date is not None and completed_on is not None and completed_on > due_date
        return CommitmentState.done_late if late else CommitmentState.done
    return CommitmentState.dropped


def is_overdue(
    status: CommitmentStatus | str, due_date: date | None, *, today: date | None = None
) -> bool:
    return commitment_state(status, due_date, today=today) == CommitmentState.overdue


def days_overdue(due_date: date, *, today: date | None = None) -> int:
    """Days past ``due_date`` (negative: days still to go)."""
    return ((today or clock.today()) - due_date).days


def days_late(
    status: CommitmentStatus | str, due_date: date | None, completed_on: date | None
) -> int | None:
    """Days a done commitment was delivered after its (latest) due date; None otherwise."""
    state = commitment_state(status, due_date, completed_on)
    if state != CommitmentState.done_late:
        return None
    return (completed_on - due_date).days  # type: ignore[operator]


def ask_state(status: AskStatus | str) -> AskState:
    status = AskStatus(status)
    if status == AskStatus.open:
        return AskState.open
    if status == AskStatus.withdrawn:
        return AskState.withdrawn
    return AskState.answered


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def status_text(
    status: CommitmentStatus | str,
    due_date: date | None,
    completed_on: date | None = None,
    *,
    today: date | None = None,
) -> str:
    """How a commitment stands, in the words lists and packs print: "12 days overdue",
    "Due today", "Due in 9 days", "Done on 3 May 2026 (4 days late)", "Dropped"."""
    from .dates import format_date

    state = commitment_state(status, due_date, completed_on, today=today)
    if state in (CommitmentState.done, CommitmentState.done_late):
        kept = f"Done on {format_date(completed_on)}" if completed_on else "Done"
        if state == CommitmentState.done_late and due_date and completed_on:
            kept += f" ({_days((completed_on - due_date).days)} late)"
        return kept
    if state == CommitmentState.dropped:
        return "Dropped"
    if due_date is None:
        return "No date given"
    days = days_overdue(due_date, today=today)
    if days > 0:
        return f"{_days(days)} overdue"
    return "Due today" if days == 0 else f"Due in {_days(-days)}"


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def rag_rule() -> str:
    """The rule in words, for tooltips, Preferences and the README."""
    t = _thresholds
    return (
        f"Red: overdue, or its date has moved {_times(t.red_moves)} or more. "
        f"Amber: due within {t.due_soon_days} days, its date has moved "
        f"{_times(t.amber_moves)} or more, or it was done late. "
        "Green: on track, or done on time. Dropped commitments have no rating."
    )


def rag(
    status: CommitmentStatus | str,
    due_date: date | None,
    completed_on: date | None = None,
    moves: int = 0,
    *,
    today: date | None = None,
) -> Rag | None:
    """Red, amber or green (see rag_rule); None for a dropped commitment."""
    state = commitment_state(status, due_date, completed_on, today=today)
    if state == CommitmentState.dropped:
        return None
    if state in (CommitmentState.done, CommitmentState.done_late):
        return Rag.amber if state == CommitmentState.done_late else Rag.green
    if state == CommitmentState.overdue or moves >= _thresholds.red_moves:
        return Rag.red
    if state == CommitmentState.due_soon or moves >= _thresholds.amber_moves:
        return Rag.amber
    return Rag.green


RAG_SYMBOLS = {Rag.red: "●", Rag.amber: "▲", Rag.green: "✓"}
"""Printed beside the word, so colour is never the only signal."""


def rag_text(value: Rag | None) -> str:
    """ "▲ Amber": symbol and word; "" for none."""
    return f"{RAG_SYMBOLS[value]} {value.label}" if value is not None else ""


def slippage_text(original: date | None, due_date: date | None, moves: int) -> str:
    """ "due 14 March 2027, moved twice, now 30 June 2027" ("" when it never moved)."""
    from .dates import format_date

    if moves <= 0 or due_date is None:
        return ""
    times = _times(moves)
    first = f"due {format_date(original)}, " if original else "first undated, "
    return f"{first}moved {times}, now {format_date(due_date)}"


@dataclass(frozen=True)
class Revision:
    """One move of a commitment's due date."""

    moved_from: date | None
    moved_to: date
    reason: str
    by: str
    at: str  # ISO moment (UTC) it was recorded
    meeting_id: str | None = None  # where the new date was agreed
    letter_id: str | None = None


def history_lines(
    original: date | None, revisions: list[Revision] | tuple[Revision, ...]
) -> list[str]:
    """A commitment's dates in words, for letters and packs: "First due 14 March 2027."
    then "On 2 April 2027 moved to 30 June 2027: Board papers late." for each move."""
    from .dates import format_date

    if not revisions:
        return []
    lines = [f"First due {format_date(original)}." if original else "First given no date."]
    for move in revisions:
        when = f"On {format_date(date.fromisoformat(move.at[:10]))} moved" if move.at else "Moved"
        reason = f": {move.reason}" if move.reason else ""
        lines.append(f"{when} to {format_date(move.moved_to)}{reason}.")
    return lines


def revisions_of(raw: list[dict] | str | None) -> list[Revision]:
    """A commitment's ``revisions`` column (a list, or its JSON text from plain SQL)."""
    import json

    items = (json.loads(raw) if isinstance(raw, str) else raw) or []  # JSON null: none
    return [
        Revision(
            moved_from=date.fromisoformat(item["from"]) if item.get("from") else None,
            moved_to=date.fromisoformat(item["to"]),
            reason=item.get("reason") or "",
            by=item.get("by") or "",
            at=item.get("at") or "",
            meeting_id=item.get("meeting_id"),
            letter_id=item.get("letter_id"),
        )
        for item in items
    ]
