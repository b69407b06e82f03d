"""The temperature of meetings: how each body at a meeting seemed, from −2 (hostile) to
+2 (supportive), and the trend over the last twelve months for a body's page and pack.

Readings are written with their meeting (``entities.meetings``: the editor, bundles and
dumps go through the same checks); :func:`record_reading` changes one reading from the
command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from ..model import clock
from ..model.dates import uk_day
from ..model.relationships import score_text, temperature_text
from ..model.types import LONDON
from ..store import Database
from ..store.rows import as_stored, connection_of, fetch, stored_moment
from . import entities

TREND_MONTHS = 12


@dataclass(frozen=True)
class Reading:
    on: date
    meeting_id: str
    meeting: str  # its title
    score: int
    reason: str | None

    @property
    def score_text(self) -> str:  # "+1"
        return score_text(self.score)

    @property
    def words(self) -> str:  # "+1 warm"
        return temperature_text(self.score)


@dataclass(frozen=True)
class Trend:
    body_id: str
    since: date  # the first day of the twelve months
    until: date  # today
    readings: list[Reading]  # oldest first

    @property
    def average(self) -> float | None:
        if not self.readings:
            return None
        return sum(r.score for r in self.readings) / len(self.readings)

    def summary(self) -> str:
        """One sentence a councillor reads: how many readings, the average, the direction."""
        if not self.readings:
            return "No temperature was recorded at meetings in the last 12 months."
        count = len(self.readings)
        first, last = self.readings[0], self.readings[-1]
        average = self.average or 0.0
        shown = f"{average:+.1f}".replace("-", "\u2212") if round(average, 1) else "0.0"
        text = (
            f"{count} reading{'s' if count != 1 else ''} in the last 12 months, averaging {shown}"
        )
        if count > 1:
            if last.score > first.score:
                direction = "warmer"
            elif last.score < first.score:
                direction = "cooler"
            else:
                direction = "no warmer or cooler"
            text += f"; the latest ({last.words}) is {direction} than the first ({first.words})"
        else:
            text += f" ({last.words})"
        return text + "."


def year_before(day: date) -> date:
    """The same day a year earlier (28 February for 29 February): where 12 months begin."""
    try:
        return day.replace(year=day.year - 1) + timedelta(days=1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28) + timedelta(days=1)


def trend_in(session: Session, body_id: str, *, today: date | None = None) -> Trend:
    until = today or clock.today()
    since = year_before(until)
    start = datetime.combine(since, time.min, tzinfo=LONDON)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=LONDON)
    # plain SQL: a pack reads one trend per body, and the ORM's select took 1.5 ms each
    rows = fetch(
        connection_of(session),
        "SELECT m.id, m.title, m.starts_at, r.score, r.reason FROM meeting_temperature r "
        "JOIN meeting m ON m.id = r.meeting_id WHERE r.body_id = ? AND m.deleted_at IS NULL "
        "AND m.starts_at >= ? AND m.starts_at < ? ORDER BY m.starts_at, m.id",
        [body_id, as_stored(start), as_stored(end)],
    )
    readings = [
        Reading(uk_day(stored_moment(row.starts_at)), row.id, row.title, row.score, row.reason)
        for row in rows
    ]
    return Trend(body_id, since, until, readings)


def trend(db: Database, body_id: str, *, today: date | None = None) -> Trend:
    """The readings of one body over the last twelve months, oldest first."""
    with db.read() as session:
        entities.bodies.get_in(session, body_id)  # NotFound for an unknown body
        return trend_in(session, body_id, today=today)


def readings_of(db: Database, meeting_id: str) -> list[dict[str, Any]]:
    """A meeting's readings: {"body_id", "body", "score", "reason"}, by body name."""
    with db.read() as session:
        entities.meetings.get_in(session, meeting_id)
        return entities.meetings.temperatures_of(session, [meeting_id])[meeting_id]


def record_reading(
    db: Database,
    meeting_id: str,
    body_id: str,
    score: Any,
    reason: str | None = None,
    *,
    clear: bool = False,
    actor: str | None = None,
) -> list[dict[str, Any]]:
    """Set (or with ``clear`` take away) one body's reading at a meeting, keeping the
    others; checked as the meeting editor checks it (the body must be at the meeting).
    Returns the meeting's readings."""
    readings = [
        {"body_id": r["body_id"], "score": r["score"], "reason": r["reason"]}
        for r in readings_of(db, meeting_id)
        if r["body_id"] != body_id
    ]
    if not clear:
        readings.append({"body_id": body_id, "score": score, "reason": reason})
    entities.meetings.update(db, meeting_id, {"temperature": readings}, actor=actor)
    return readings_of(db, meeting_id)


# --- the packs' section --------------------------------------------------------------------


@dataclass(frozen=True)
class BodyTemperature:
    body: str
    trend: Trend
    summary: str
    rows: list[dict[str, Any]]  # number, held, meeting, reading, reason: the chart's table


@dataclass(frozen=True)
class TemperatureSection:
    since: date
    until: date
    trends: list[BodyTemperature]  # bodies with readings in the twelve months
    without: list[str]  # the names of bodies with none


def temperature_section(
    session: Session, bodies: list[tuple[str, str]], *, today: date | None = None
) -> TemperatureSection:
    """Each body's trend over the twelve months to ``today``, for a pack (bodies: id, name)."""
    from ..model.dates import format_date

    until = today or clock.today()
    trends, without = [], []
    for body_id, name in bodies:
        found = trend_in(session, body_id, today=until)
        if not found.readings:
            without.append(name)
            continue
        rows = [
            {
                "number": number,
                "held": format_date(reading.on),
                "meeting": reading.meeting,
                "reading": reading.words,
                "reason": reading.reason or "",
            }
            for number, reading in enumerate(found.readings, start=1)
        ]
        trends.append(BodyTemperature(name, found, found.summary(), rows))
    return TemperatureSection(year_before(until), until, trends, without)
