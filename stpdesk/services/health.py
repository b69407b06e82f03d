"""The partnership health check: members score a footprint (or one body) against a
framework, and the report shows where the partnership stands, where assessors disagree,
the evidence behind the scores, and how it has moved since the last round.

Frameworks are TOML files: those shipped under resources/frameworks, and any a council
adds to its frameworks folder (``config.user_frameworks_dir()``), which override a
shipped one of the same ``name``. Each names its source.

A round is the assessments of one footprint (and body) against one framework that share
``round_on``: a member's scores join the latest round if it started within
:data:`ROUND_DAYS` days, else they start a new one. A member who scores again in the
same round replaces their earlier scores (the audit keeps them).
"""

from __future__ import annotations

import csv
import io
import re
import statistics
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from ..config import current_user, user_frameworks_dir
from ..model import clock
from ..model import tables as t
from ..model.engagement import commitment_state
from ..model.enums import AuditAction
from ..model.types import format_date
from ..store import Database
from . import entities
from .errors import FieldProblem, NotFound, ServiceError, ValidationFailed
from .records import audit, snapshot

ROUND_DAYS = 90
DISAGREEMENT = 2  # a spread of this many levels or more is worth discussing
CSV_HEADER = ["statement", "score", "evidence"]
EVIDENCE_KINDS = {"meeting": "meetings", "commitment": "commitments", "letter": "letters"}
EVIDENCE_TOKEN = re.compile(r"\b(meeting|commitment|letter):([0-9A-Za-z-]{1,36})")


class FrameworkProblem(ServiceError):
    """A framework file that cannot be used, with what is wrong and where."""


@dataclass(frozen=True)
class Statement:
    id: str
    text: str


@dataclass(frozen=True)
class Principle:
    id: str
    title: str
    statements: list[Statement]


@dataclass(frozen=True)
class Framework:
    name: str
    title: str
    source: str
    levels: list[str]  # what each score means, lowest (1) first
    principles: list[Principle]
    path: str = ""

    @property
    def statements(self) -> list[Statement]:
        return [s for p in self.principles for s in p.statements]

    def level(self, score: float) -> str:
        return self.levels[max(0, min(len(self.levels) - 1, round(score) - 1))]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "source": self.source,
            "levels": self.levels,
            "principles": [{"id": p.id, "title": p.title} for p in self.principles],
            "statements": [
                {"id": s.id, "principle": p.id, "text": s.text}
                for p in self.principles
                for s in p.statements
            ],
        }


def parse_framework(text: str, where: str) -> Framework:
    """A framework from TOML text; refuses (FrameworkProblem) anything missing or repeated."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise FrameworkProblem(f"{where}: not a TOML file ({error})") from None
    problems: list[str] = []
    for key in ("name", "title", "source"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(f"give it a {key} (text)")
    levels = (data.get("scale") or {}).get("levels")
    if (
        not isinstance(levels, list)
        or len(levels) < 2
        or not all(isinstance(level, str) and level.strip() for level in levels)
    ):
        problems.append("give [scale] levels: two or more names, lowest first")
        levels = []
    principles: list[Principle] = []
    seen: dict[str, str] = {}
    raw = data.get("principles")
    if not isinstance(raw, list) or not raw:
        problems.append("give it at least one [[principles]]")
        raw = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append(f"principle {number} is not a table")
            continue
        pid, title = str(item.get("id") or "").strip(), str(item.get("title") or "").strip()
        label = f"principle {pid or number}"
        if not pid or not title:
            problems.append(f"{label}: give it an id and a title")
        statements: list[Statement] = []
        given = item.get("statements")
        if not isinstance(given, list) or not given:
            problems.append(f"{label}: give it at least one statement")
            given = []
        for place, statement in enumerate(given, start=1):
            sid = (
                str((statement or {}).get("id") or "").strip()
                if isinstance(statement, dict)
                else ""
            )
            words = str(statement.get("text") or "").strip() if isinstance(statement, dict) else ""
            if not sid or not words:
                problems.append(f"{label}, statement {place}: give it an id and a text")
                continue
            if sid in seen:
                problems.append(
                    f"statement {sid} appears twice ({seen[sid]} and {label}); "
                    "each statement needs its own id"
                )
                continue
            seen[sid] = label
            statements.append(Statement(sid, words))
        principles.append(Principle(pid, title, statements))
    if problems:
        raise FrameworkProblem(f"{where}: " + "; ".join(problems))
    return Framework(
        data["name"].strip(),
        data["title"].strip(),
        " ".join(data["source"].split()),
        [level.strip() for level in levels],
        principles,
        where,
    )


def frameworks(
    user_folder: Path | None = None, *, shipped_only: bool = False
) -> dict[str, Framework]:
    """Every framework by name: the shipped ones, then the council's own over them."""
    found: dict[str, Framework] = {}
    shipped = resources.files("stpdesk.resources") / "frameworks"
    for entry in sorted(shipped.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            framework = parse_framework(entry.read_text(encoding="utf-8"), entry.name)
            found[framework.name] = framework
    folder = user_folder if user_folder is not None else user_frameworks_dir()
    if not shipped_only and folder.is_dir():
        for path in sorted(folder.glob("*.toml")):
            framework = parse_framework(path.read_text(encoding="utf-8"), str(path))
            found[framework.name] = framework
    return found


def framework(name: str, user_folder: Path | None = None) -> Framework:
    known = frameworks(user_folder)
    if name not in known:
        raise NotFound(
            f"There is no health check framework called “{name}”; choose one of: "
            + ", ".join(sorted(known))
        )
    return known[name]


# --- recording -----------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreRow:
    line: int  # the line of the CSV file, for messages
    statement: str
    score: str
    evidence: str
    where: str = ""  # how a message names the row: "statement 1.2" from the form


def form_rows(scores: dict[str, tuple[int | None, str]]) -> list[ScoreRow]:
    """Rows from the app's form: each statement's score (None: not chosen) and evidence."""
    return [
        ScoreRow(
            number,
            statement,
            "" if score is None else str(score),
            evidence.strip(),
            where=f"statement {statement}",
        )
        for number, (statement, (score, evidence)) in enumerate(scores.items(), start=1)
    ]


def read_scores_csv(text: str) -> list[ScoreRow]:
    """Rows of a scores file: a header ``statement,score,evidence``, one row a statement."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or [cell.strip().lower() for cell in header] != CSV_HEADER:
        raise ValidationFailed(
            [
                FieldProblem(
                    "scores", "Scores file: the first line must be “statement,score,evidence”"
                )
            ]
        )
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > 3:
            raise ValidationFailed(
                [
                    FieldProblem(
                        "scores",
                        f"Scores file line {line}: {len(cells)} cells, not 3 "
                        "(put evidence with commas in double quotes)",
                    )
                ]
            )
        cells = [*cells, "", ""][:3]
        rows.append(ScoreRow(line, cells[0].strip(), cells[1].strip(), cells[2].strip()))
    return rows


def _check_rows(
    db: Database, chosen: Framework, rows: list[ScoreRow], source: str = "Scores file"
) -> list[dict[str, Any]]:
    """The scores to store, or every problem with its line number (nothing is stored)."""
    problems: list[str] = []
    known = {s.id for s in chosen.statements}
    top = len(chosen.levels)
    given: dict[str, int] = {}
    scores = []
    for row in rows:
        where = row.where or f"line {row.line}"
        if row.statement not in known:
            problems.append(f"{where}: “{row.statement}” is not a statement of {chosen.name}")
            continue
        if row.statement in given:
            problems.append(
                f"{where}: statement {row.statement} was scored already on line "
                f"{given[row.statement]}"
            )
            continue
        given[row.statement] = row.line
        if not row.score.isdigit() or not 1 <= int(row.score) <= top:
            problems.append(
                f"{where}: score “{row.score}” for {row.statement} is not a whole number "
                f"from 1 ({chosen.levels[0]}) to {top} ({chosen.levels[-1]})"
                if row.score
                else f"{where}: choose a score from 1 ({chosen.levels[0]}) to {top} "
                f"({chosen.levels[-1]})"
            )
            continue
        missing = _missing_evidence(db, row.evidence)
        if missing:
            problems.append(
                f"{where}: the evidence names {', '.join(missing)}, which stpdesk does not hold"
            )
            continue
        scores.append(
            {"statement": row.statement, "score": int(row.score), "evidence": row.evidence}
        )
    unscored = [s.id for s in chosen.statements if s.id not in given]
    if unscored:
        problems.append(
            f"no row for statement{'s' if len(unscored) > 1 else ''} "
            f"{', '.join(unscored)} (give one row for each statement)"
        )
    if problems:
        raise ValidationFailed(
            [FieldProblem("scores", f"{source} {problem}") for problem in problems]
        )
    return scores


def _missing_evidence(db: Database, text: str) -> list[str]:
    wanted = EVIDENCE_TOKEN.findall(text or "")
    tables = {"meeting": t.Meeting, "commitment": t.Commitment, "letter": t.Letter}
    missing = []
    with db.read() as session:
        for kind, record_id in wanted:
            if session.get(tables[kind], record_id) is None:
                missing.append(f"{kind} {record_id}")
    return missing


def record(
    db: Database,
    *,
    footprint_id: str,
    framework_name: str,
    member_id: str,
    rows: list[ScoreRow],
    body_id: str | None = None,
    on: date | None = None,
    user_folder: Path | None = None,
    actor: str | None = None,
    source: str = "Scores file",
) -> t.HealthAssessment:
    """Store one member's scores, whole or not at all (``source`` names where they came
    from in messages: "Scores file line 4: …", "Health check statement 1.2: …")."""
    chosen = framework(framework_name, user_folder)
    entities.footprints.get(db, footprint_id)
    entities.members.get(db, member_id)
    if body_id is not None:
        entities.bodies.get(db, body_id)
    scores = _check_rows(db, chosen, rows, source)
    on = on or clock.today()
    actor = actor or current_user()
    with db.session() as session:
        latest = session.exec(
            select(t.HealthAssessment.round_on)
            .where(t.HealthAssessment.footprint_id == footprint_id)
            .where(t.HealthAssessment.body_id == body_id)
            .where(t.HealthAssessment.framework == chosen.name)
            .where(col(t.HealthAssessment.round_on) <= on)
            .order_by(col(t.HealthAssessment.round_on).desc())
        ).first()
        round_on = latest if latest and (on - latest) <= timedelta(days=ROUND_DAYS) else on
        existing = session.exec(
            select(t.HealthAssessment)
            .where(t.HealthAssessment.footprint_id == footprint_id)
            .where(t.HealthAssessment.body_id == body_id)
            .where(t.HealthAssessment.framework == chosen.name)
            .where(t.HealthAssessment.round_on == round_on)
            .where(t.HealthAssessment.member_id == member_id)
        ).first()
        if existing is not None:
            before = snapshot(existing)
            existing.scores, existing.assessed_on = scores, on
            existing.updated_at = clock.now()
            session.add(existing)
            session.flush()
            audit(
                session,
                action=AuditAction.update,
                entity="health_assessment",
                record=existing,
                before=before,
                summary="Scored again",
                actor=actor,
            )
            return existing
        checked = t.HealthAssessmentCreate(
            footprint_id=footprint_id,
            body_id=body_id,
            framework=chosen.name,
            member_id=member_id,
            round_on=round_on,
            assessed_on=on,
            scores=scores,
        )
        return entities.health_assessments.create_in(session, checked, actor=actor)


# --- the report ------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementResult:
    id: str
    text: str
    scores: list[int]  # one per assessor, in assessor order
    median: float | None
    spread: int | None  # highest score minus lowest
    previous_median: float | None
    evidence: list[str]  # "Cllr Lowe: Meeting “ICS board” (3 May 2026)…"
    # the records each evidence line names, for the app to open: [("meetings", id), …]
    evidence_records: list[list[tuple[str, str]]] = field(default_factory=list)

    @property
    def disputed(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT


@dataclass(frozen=True)
class PrincipleResult:
    id: str
    title: str
    median: float | None
    spread: int | None
    previous_median: float | None
    statements: list[StatementResult]

    @property
    def change(self) -> float | None:
        if self.median is None or self.previous_median is None:
            return None
        return self.median - self.previous_median


@dataclass(frozen=True)
class HealthReport:
    framework: Framework
    footprint: str
    body: str
    round_on: date | None
    assessed_on: list[date]
    assessors: list[str]
    previous_round_on: date | None
    principles: list[PrincipleResult]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def disputed(self) -> list[StatementResult]:
        return [s for p in self.principles for s in p.statements if s.disputed]

    @property
    def series(self) -> list[str]:
        """The chart's series: this round, and the last if there was one."""
        return ["This round"] + (["Last round"] if self.previous_round_on else [])

    def chart_rows(self) -> list[list[Any]]:
        """Each principle's median (and last round's): the chart of the report and pack."""
        return [
            [p.id, p.median or 0] + ([p.previous_median or 0] if self.previous_round_on else [])
            for p in self.principles
        ]

    def principle_rows(self) -> list[dict[str, str]]:
        """The table behind the chart: median, level, spread, last round, change."""
        return [
            {
                "id": p.id,
                "title": p.title,
                "median": number_text(p.median),
                "level": self.framework.level(p.median) if p.median is not None else "–",
                "spread": number_text(p.spread),
                "previous": number_text(p.previous_median),
                "change": change_text(p.change),
            }
            for p in self.principles
        ]

    def summary(self) -> str:
        """Which framework, when, by whom, compared with what."""
        text = (
            f"{self.framework.title}. Round started {format_date(self.round_on)}; scored by "
            f"{', '.join(self.assessors)}."
        )
        if self.previous_round_on:
            return text + f" Compared with the round started {format_date(self.previous_round_on)}."
        return text + " This is the first round: there is nothing earlier to compare with."

    def as_json(self) -> dict[str, Any]:
        return {
            "framework": self.framework.name,
            "framework_title": self.framework.title,
            "source": self.framework.source,
            "levels": self.framework.levels,
            "footprint": self.footprint,
            "body": self.body or None,
            "round_on": self.round_on.isoformat() if self.round_on else None,
            "assessors": self.assessors,
            "previous_round_on": (
                self.previous_round_on.isoformat() if self.previous_round_on else None
            ),
            "principles": [
                {
                    "id": p.id,
                    "title": p.title,
                    "median": p.median,
                    "spread": p.spread,
                    "previous_median": p.previous_median,
                    "change": p.change,
                    "statements": [
                        {
                            "id": s.id,
                            "text": s.text,
                            "scores": s.scores,
                            "median": s.median,
                            "spread": s.spread,
                            "previous_median": s.previous_median,
                            "disputed": s.disputed,
                            "evidence": s.evidence,
                        }
                        for s in p.statements
                    ],
                }
                for p in self.principles
            ],
        }


def number_text(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def change_text(value: float | None) -> str:
    if value is None:
        return "–"
    return "no change" if value == 0 else f"{value:+g}"


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _spread(values: list[int]) -> int | None:
    return max(values) - min(values) if values else None


def report(
    db: Database,
    footprint_id: str,
    *,
    framework_name: str | None = None,
    body_id: str | None = None,
    user_folder: Path | None = None,
) -> HealthReport:
    """The latest round of a footprint's health check, compared with the one before."""
    footprint = entities.footprints.get(db, footprint_id)
    body = entities.bodies.get(db, body_id) if body_id else None
    with db.read() as session:
        query = (
            select(t.HealthAssessment)
            .where(t.HealthAssessment.footprint_id == footprint_id)
            .where(t.HealthAssessment.body_id == body_id)
        )
        if framework_name:
            query = query.where(t.HealthAssessment.framework == framework_name)
        done = list(session.exec(query.order_by(col(t.HealthAssessment.round_on).desc())).all())
        names = {m.id: entities.display_name(m) for m in session.exec(select(t.Member)).all()}
    if not done:
        what = f"against {framework_name} " if framework_name else ""
        raise NotFound(
            f"No health check of {footprint.name} {what}has been recorded yet; record one "
            "with “stpdesk health-check record”."
        )
    chosen = framework(framework_name or done[0].framework, user_folder)
    done = [a for a in done if a.framework == chosen.name]
    rounds = sorted({a.round_on for a in done}, reverse=True)
    latest = [a for a in done if a.round_on == rounds[0]]
    latest.sort(key=lambda a: (names.get(a.member_id, ""), a.member_id))
    earlier = [a for a in done if len(rounds) > 1 and a.round_on == rounds[1]]
    evidence_names = _evidence_names(db, latest)

    def scores_of(assessments: list[t.HealthAssessment], statement: str) -> list[int]:
        found = []
        for assessment in assessments:
            for item in assessment.scores or []:
                if item.get("statement") == statement:
                    found.append(int(item["score"]))
        return found

    principles = []
    for principle in chosen.principles:
        results = []
        pooled, pooled_before = [], []
        for statement in principle.statements:
            now_scores = scores_of(latest, statement.id)
            before_scores = scores_of(earlier, statement.id)
            pooled += now_scores
            pooled_before += before_scores
            evidence, evidence_records = [], []
            for assessment in latest:
                for item in assessment.scores or []:
                    if item.get("statement") == statement.id and item.get("evidence"):
                        text = EVIDENCE_TOKEN.sub(
                            lambda m: evidence_names.get(m.group(0), m.group(0)),
                            item["evidence"],
                        )
                        evidence.append(f"{names.get(assessment.member_id, '?')}: {text}")
                        evidence_records.append(
                            [
                                (EVIDENCE_KINDS[kind], record_id)
                                for kind, record_id in EVIDENCE_TOKEN.findall(item["evidence"])
                            ]
                        )
            results.append(
                StatementResult(
                    statement.id,
                    statement.text,
                    now_scores,
                    _median(now_scores),
                    _spread(now_scores),
                    _median(before_scores),
                    evidence,
                    evidence_records,
                )
            )
        principles.append(
            PrincipleResult(
                principle.id,
                principle.title,
                _median(pooled),
                _spread(pooled),
                _median(pooled_before),
                results,
            )
        )
    return HealthReport(
        framework=chosen,
        footprint=footprint.name,
        body=body.name if body else "",
        round_on=rounds[0],
        assessed_on=sorted({a.assessed_on for a in latest}),
        assessors=[names.get(a.member_id, a.member_id) for a in latest],
        previous_round_on=rounds[1] if len(rounds) > 1 else None,
        principles=principles,
    )


def _evidence_names(db: Database, assessments: list[t.HealthAssessment]) -> dict[str, str]:
    """What each ``meeting:ID`` (and commitment, letter) token names, in words."""
    tokens = {
        match.group(0): (match.group(1), match.group(2))
        for a in assessments
        for item in a.scores or []
        for match in EVIDENCE_TOKEN.finditer(item.get("evidence") or "")
    }
    named: dict[str, str] = {}
    with db.read() as session:
        for token, (kind, record_id) in tokens.items():
            if kind == "meeting" and (meeting := session.get(t.Meeting, record_id)):
                named[token] = f"meeting “{meeting.title}” ({format_date(meeting.starts_at)})"
            elif kind == "commitment" and (promise := session.get(t.Commitment, record_id)):
                state = commitment_state(promise.status, promise.due_date, promise.completed_on)
                named[token] = f"commitment “{promise.text[:80]}” ({state.label.lower()})"
            elif kind == "letter" and (letter := session.get(t.Letter, record_id)):
                named[token] = (
                    f"letter “{letter.subject or letter.template}” "
                    f"({format_date(letter.letter_date)})"
                )
    return named


def evidence_choices(
    db: Database, footprint_id: str, body_id: str | None = None, *, limit: int = 150
) -> list[tuple[str, str]]:
    """Records to cite as evidence, newest first: (token, label), where the token is what
    a scores file names ("meeting:ID") and the label what a person reads."""
    from ..model.types import format_datetime

    with db.read() as session:
        if body_id:
            bodies = [body_id]
        else:
            bodies = list(
                session.exec(
                    select(t.BodyFootprint.body_id).where(
                        t.BodyFootprint.footprint_id == footprint_id
                    )
                ).all()
            )
        if not bodies:
            return []
        meetings = session.exec(
            select(t.Meeting)
            .where(col(t.Meeting.deleted_at).is_(None))
            .where(
                col(t.Meeting.id).in_(
                    select(t.MeetingBody.meeting_id).where(col(t.MeetingBody.body_id).in_(bodies))
                )
            )
            .order_by(col(t.Meeting.starts_at).desc())
            .limit(limit)
        ).all()
        promises = session.exec(
            select(t.Commitment)
            .where(col(t.Commitment.deleted_at).is_(None))
            .where(col(t.Commitment.body_id).in_(bodies))
            .order_by(col(t.Commitment.due_date).desc())
            .limit(limit)
        ).all()
        letters = session.exec(
            select(t.Letter)
            .where(col(t.Letter.deleted_at).is_(None))
            .where(col(t.Letter.body_id).in_(bodies))
            .order_by(col(t.Letter.letter_date).desc())
            .limit(limit)
        ).all()
        found = [
            (f"meeting:{m.id}", f"Meeting: {m.title} ({format_datetime(m.starts_at)})")
            for m in meetings
        ]
        for promise in promises:
            state = commitment_state(promise.status, promise.due_date, promise.completed_on)
            found.append(
                (
                    f"commitment:{promise.id}",
                    f"Commitment: {promise.text[:80]} ({state.label.lower()})",
                )
            )
        found += [
            (
                f"letter:{letter.id}",
                f"Letter: {letter.subject or letter.template} ({format_date(letter.letter_date)})",
            )
            for letter in letters
        ]
        return found


def footprint_bodies(db: Database, footprint_id: str) -> list[tuple[str, str]]:
    """The bodies of a footprint that a health check may assess alone: (id, name)."""
    with db.read() as session:
        return [
            (body.id, body.name)
            for body in session.exec(
                select(t.Body)
                .join(t.BodyFootprint, col(t.BodyFootprint.body_id) == t.Body.id)
                .where(t.BodyFootprint.footprint_id == footprint_id)
                .order_by(col(t.Body.name))
            ).all()
        ]


@dataclass(frozen=True)
class HealthSection:
    """The latest health check of a footprint, as its pack shows it: a chart of each
    principle's median (and last round's) and the table behind it."""

    summary: str
    series: list[str]
    chart: list[list[Any]]
    principles: list[dict[str, str]]
    disputed: list[str]  # "1.1 The ICS partners accept…": statements the assessors disagree on


def pack_section(db: Database, footprint_id: str) -> HealthSection | None:
    """The latest round of the whole footprint's health check, or None if there is none."""
    try:
        result = report(db, footprint_id)
    except NotFound:
        return None
    except FrameworkProblem as error:  # a council's framework file went missing or bad
        return HealthSection(f"The latest health check cannot be shown: {error}", [], [], [], [])
    return HealthSection(
        summary=result.summary(),
        series=result.series,
        chart=result.chart_rows(),
        principles=result.principle_rows(),
        disputed=[
            f"{s.id} {s.text} (scores {', '.join(map(str, s.scores))})" for s in result.disputed
        ],
    )
