"""What each schema revision promises: its tables (with their columns), indexes and triggers.

``schema_layouts.json`` holds one layout per revision, made by running the migrations
(``tests/test_store.py`` checks it against them; ``python -m stpdesk.store.layout``
writes it afresh after a new migration). A file whose objects differ from what its
revision promises was left half-made or was changed by another program: it is refused.
"""

from __future__ import annotations

import json
import sqlite3
from functools import cache
from importlib import resources
from typing import Any

# SQLite makes these itself, on demand (ANALYZE, AUTOINCREMENT): their presence says nothing.
_IGNORED = ("sqlite_stat", "sqlite_sequence")
_KINDS = ("table", "index", "trigger", "view")

Layout = dict[str, Any]


def describe(connection: sqlite3.Connection) -> Layout:
    """The layout of the open database: every object by kind, and each table's columns."""
    layout: Layout = {kind: [] for kind in _KINDS}
    layout["columns"] = {}
    rows = connection.execute("SELECT type, name FROM sqlite_master ORDER BY type, name")
    for kind, name in rows.fetchall():
        if kind not in layout or name.startswith(_IGNORED):
            continue
        layout[kind].append(name)
        if kind == "table":
            columns = connection.execute(f'PRAGMA table_info("{name}")').fetchall()
            layout["columns"][name] = [column[1] for column in columns]
    return layout


@cache
def promised_layouts() -> dict[str, Layout]:
    text = (resources.files("stpdesk.store") / "schema_layouts.json").read_text(encoding="utf-8")
    return json.loads(text)


def layout_problems(connection: sqlite3.Connection, revision: str) -> list[str]:
    """How the open database differs from what ``revision`` promises (empty: it matches)."""
    promised = promised_layouts().get(revision)
    if promised is None:
        return [f"schema {revision} is not one this stpdesk knows"]
    actual = describe(connection)
    problems: list[str] = []
    for kind in _KINDS:
        missing = sorted(set(promised[kind]) - set(actual[kind]))
        extra = sorted(set(actual[kind]) - set(promised[kind]))
        problems += [f"the {kind} {name} is missing" for name in missing]
        problems += [f"there is an unexpected {kind} {name}" for name in extra]
    for table, columns in promised["columns"].items():
        found = actual["columns"].get(table)
        if found is not None and sorted(found) != sorted(columns):
            lacking = sorted(set(columns) - set(found))
            more = sorted(set(found) - set(columns))
            detail = "; ".join(
                part
                for part in (
                    f"lacks {', '.join(lacking)}" if lacking else "",
                    f"has unexpected {', '.join(more)}" if more else "",
                )
                if part
            )
            problems.append(f"the table {table} {detail}")
    return problems


def build_layouts() -> dict[str, Layout]:
    """Run the migrations into a scratch database, one revision at a time."""
    import tempfile
    from pathlib import Path

    from .engine import make_engine
    from .migrate import script_revisions, upgrade

    layouts: dict[str, Layout] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "layout.sqlite"
        engine = make_engine(path)
        try:
            for revision in script_revisions():
                upgrade(engine, revision, verify=False)
                connection = sqlite3.connect(path)
                try:
                    layouts[revision] = describe(connection)
                finally:
                    connection.close()
        finally:
            engine.dispose()
    return layouts


def write_layouts() -> None:
    target = resources.files("stpdesk.store") / "schema_layouts.json"
    # revisions in the order they run (not by number: 0012 runs after 0014, which reached
    # the main line first); what is inside each sorted, so a diff shows only what changed
    layouts = {
        revision: json.loads(json.dumps(layout, sort_keys=True))
        for revision, layout in build_layouts().items()
    }
    text = json.dumps(layouts, indent=1) + "\n"
    with resources.as_file(target) as path:
        path.write_text(text, encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - developer use after adding a migration
    write_layouts()
