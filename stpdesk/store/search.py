"""Full-text search over the FTS5 index that the schema's triggers keep in sync."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

_WORD = re.compile(r"\w+", re.UNICODE)
SNIPPET_OPEN = "["
SNIPPET_CLOSE = "]"


@dataclass(frozen=True)
class Hit:
    kind: str  # table name: meeting, ask, commitment, contact, body, member, letter
    ref: str  # the record's id
    title: str
    snippet: str
    rank: float


def match_expression(query: str) -> str | None:
    """Turn what a user typed into a safe FTS5 query: every word must appear,
    the last one as a prefix (so results come while typing). Quotes, brackets and
    operators in the input are treated as plain text, never as FTS syntax."""
    words = _WORD.findall(query)
    if not words:
        return None
    terms = [f'"{word}"' for word in words]
    terms[-1] += "*"
    return " ".join(terms)


def search(
    session: Session, query: str, *, limit: int = 50, kinds: tuple[str, ...] = ()
) -> list[Hit]:
    """Ranked hits with a snippet of the matching text (matches in [brackets])."""
    expression = match_expression(query)
    if expression is None:
        return []
    kind_filter = ""
    params: dict[str, object] = {"q": expression, "limit": limit}
    if kinds:
        names = [f":k{i}" for i in range(len(kinds))]
        kind_filter = f"AND kind IN ({', '.join(names)})"
        params.update({f"k{i}": kind for i, kind in enumerate(kinds)})
    rows = (
        session.connection()
        .execute(
            text(
                "SELECT kind, ref, title, "
                f"snippet(search_fts, 3, '{SNIPPET_OPEN}', '{SNIPPET_CLOSE}', '…', 12), "
                "bm25(search_fts, 0, 0, 5.0, 1.0) AS score "
                f"FROM search_fts WHERE search_fts MATCH :q {kind_filter} "
                "ORDER BY score LIMIT :limit"
            ),
            params,
        )
        .all()
    )
    return [Hit(kind=r[0], ref=r[1], title=r[2], snippet=r[3], rank=r[4]) for r in rows]
