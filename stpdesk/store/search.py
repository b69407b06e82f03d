"""Full-text search over the FTS5 index that the schema's triggers keep in sync.

Ranking (bm25) and snippets cost a lookup per matching row, so a word found in tens of
thousands of records would take far longer than typing allows. Search therefore ranks only
the newest ``RECENT_MATCHES`` matches (a record's index rowid grows with each record added,
and FTS5 walks its index by rowid without those lookups), cuts snippets for the rows
returned only, and says how many matches there were in all so the user can narrow the search.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import column, text
from sqlmodel import Session

_WORD = re.compile(r"\w+", re.UNICODE)
SNIPPET_OPEN = "["
SNIPPET_CLOSE = "]"
RECENT_MATCHES = 2000  # the most matches ranked; enough to find the best of what is current

# The statements search runs, in order (tests/benchmarks/run.py times them raw).
# Each takes :q (a match expression); {kinds} is empty or "AND kind IN (...)".
NEWEST_SQL = (
    "SELECT count(*), min(rowid) FROM (SELECT rowid FROM search_fts "
    "WHERE search_fts MATCH :q {kinds} ORDER BY rowid DESC LIMIT :recent)"
)
COUNT_SQL = "SELECT count(*) FROM search_fts WHERE search_fts MATCH :q {kinds}"
RANK_SQL = (
    "SELECT rowid, bm25(search_fts, 0, 0, 5.0, 1.0) AS score FROM search_fts "
    "WHERE search_fts MATCH :q AND rowid >= :oldest {kinds} "
    "ORDER BY score, rowid DESC LIMIT :limit"
)
# "+rowid IN" keeps the list out of FTS5's index (it would rerun the match once per id);
# the BETWEEN lets FTS5 skip straight to the rows wanted.
SNIPPET_SQL = (
    "SELECT rowid, kind, ref, title, "
    f"snippet(search_fts, 3, '{SNIPPET_OPEN}', '{SNIPPET_CLOSE}', '…', 12) "
    "FROM search_fts WHERE search_fts MATCH :q AND rowid BETWEEN :low AND :high "
    "AND +rowid IN ({ids})"
)


@dataclass(frozen=True)
class Hit:
    kind: str  # table name: meeting, ask, commitment, contact, body, member, letter
    ref: str  # the record's id
    title: str
    snippet: str
    rank: float


class Hits(list[Hit]):
    """Hits, best first, with how many records matched in all and how many were ranked."""

    def __init__(self, hits: Iterable[Hit] = (), *, matches: int = 0, ranked: int = 0) -> None:
        super().__init__(hits)
        self.matches = matches  # every record that matches
        self.ranked = ranked  # the newest of those, from which the hits were chosen

    @property
    def capped(self) -> bool:
        """True when only the newest matches were ranked, not all of them."""
        return self.ranked < self.matches

    def note(self) -> str | None:
        """What the user should know about the hits not shown, or None if all are shown."""
        if self.capped:
            return (
                f"Showing the best {len(self):,} of the {self.ranked:,} most recent matches "
                f"({self.matches:,} in all) — add a word to narrow it."
            )
        if self.matches > len(self):
            return f"Showing the best {len(self):,} of {self.matches:,} matches."
        return None


def match_expression(query: str) -> str | None:
    """Turn what a user typed into a safe FTS5 query: every word must appear,
    the last one as a prefix (so results come while typing). Quotes, brackets and
    operators in the input are treated as plain text, never as FTS syntax."""
    words = _WORD.findall(query)
    if not words:
        return None
    terms = [_variants(word, prefix=number == len(words) - 1) for number, word in enumerate(words)]
    return " AND ".join(terms)  # explicit: FTS5 takes no implicit AND before a bracket


# Letters the index's tokenizer (unicode61, remove_diacritics) keeps apart from their
# plain form, because Unicode gives them no accent to strip: "Lodz" must find "Łódź".
_STROKED = {"l": "ł", "o": "ø", "d": "đ"}  # Polish, Danish and Norwegian, Croatian
_PLAIN = {stroked: plain for plain, stroked in _STROKED.items()}
_MAX_VARIANTS = 8  # each variant is one more term for FTS5 to look up


def _variants(word: str, *, prefix: bool) -> str:
    """An FTS5 term for ``word`` that matches it typed with or without stroked letters
    (ł, ø, đ…): the spellings are ORed, up to _MAX_VARIANTS of them."""
    plain = "".join(_PLAIN.get(letter, letter) for letter in word.casefold())
    spellings = [""]
    for letter in plain:
        options = (letter, _STROKED[letter]) if letter in _STROKED else (letter,)
        if len(spellings) * len(options) > _MAX_VARIANTS:
            options = (letter,)
        spellings = [start + option for start in spellings for option in options]
    star = "*" if prefix else ""
    terms = [f'"{spelling}"{star}' for spelling in dict.fromkeys([word, *spellings])]
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


def search(
    session: Session,
    query: str,
    *,
    limit: int = 50,
    kinds: tuple[str, ...] = (),
    recent: int | None = None,
) -> Hits:
    """The best ``limit`` hits among the newest ``recent`` (default RECENT_MATCHES) matches,
    with a snippet of the matching text (matches in [brackets]) and how many match in all."""
    recent = recent or RECENT_MATCHES
    expression = match_expression(query)
    if expression is None:
        return Hits()
    params: dict[str, object] = {"q": expression}
    kind_filter = ""
    if kinds:
        names = [f":k{i}" for i in range(len(kinds))]
        kind_filter = f"AND kind IN ({', '.join(names)})"
        params.update({f"k{i}": kind for i, kind in enumerate(kinds)})
    connection = session.connection()

    def run(sql: str, **extra: object) -> list:
        # Straight to the driver: the statements are plain SQL with named parameters, and
        # building a text() clause per call costs more than the small statements themselves.
        return connection.exec_driver_sql(sql.format(kinds=kind_filter), params | extra).all()

    ranked, oldest = run(NEWEST_SQL, recent=recent)[0]
    if not ranked:
        return Hits()
    matches = run(COUNT_SQL)[0][0] if ranked == recent else ranked
    scores = run(RANK_SQL, oldest=oldest, limit=limit)
    if not scores:
        return Hits(matches=matches, ranked=ranked)
    ids = {f"r{i}": rowid for i, (rowid, _score) in enumerate(scores)}
    marks = ", ".join(f":{name}" for name in ids)
    found = {
        row[0]: row[1:]
        for row in connection.exec_driver_sql(
            SNIPPET_SQL.format(ids=marks),
            {"q": expression, "low": min(ids.values()), "high": max(ids.values()), **ids},
        ).all()
    }
    # Each statement reads its own snapshot: a record deleted in between is left out.
    hits = [
        Hit(kind=kind, ref=ref, title=title, snippet=snippet, rank=score)
        for rowid, score in scores
        if rowid in found
        for kind, ref, title, snippet in [found[rowid]]
    ]
    return Hits(hits, matches=matches, ranked=ranked)


# --- list filters ----------------------------------------------------------------------
# The long lists' filter columns have FTS5 trigram indexes over their live rows (migration
# 0007): ``LIKE '%text%'`` on one reads only the rows holding the text's trigrams.

FILTER_INDEX_MIN = 3  # a trigram index finds texts of three characters or more


def filter_match_count(session: Session, index: str, typed: str) -> int:
    """How many live rows of a list's filter ``index`` contain ``typed``, with case folded
    (beyond ASCII too, so never fewer than ``LIKE`` on the table finds)."""
    statement = f"SELECT count(*) FROM {index} WHERE text LIKE ?"
    return session.connection().exec_driver_sql(statement, (f"%{typed}%",)).scalar_one()


def filter_match_ids(index: str, typed: str) -> Any:
    """The ids of those rows, as a SELECT for an ``IN`` condition."""
    found = text(f"SELECT ref FROM {index} WHERE text LIKE :filter_pattern")
    return found.bindparams(filter_pattern=f"%{typed}%").columns(column("ref"))


def filter_match_refs(session: Session, index: str, typed: str, *, most: int) -> list[str]:
    """The ids of up to ``most`` live rows of a list's filter ``index`` containing ``typed``
    (any length: one or two characters are found by reading the index's own copy of the
    text, far smaller than the table)."""
    statement = f"SELECT ref FROM {index} WHERE text LIKE ? LIMIT ?"
    found = session.connection().exec_driver_sql(statement, (f"%{typed}%", most))
    return [ref for (ref,) in found]
