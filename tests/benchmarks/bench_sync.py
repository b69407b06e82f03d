"""The team-database figures of the benchmark suite (run.py), on a throwaway local
PostgreSQL server (tests/postgres_server.py):

- ``sync_ratio``: ``team.sync`` (what ``stpdesk sync`` runs) pushing 10,000 changed
  records ÷ the same rows written to the same table with psycopg ``COPY`` in one
  transaction, each on a fresh team database.
- ``sync_idle_ms``: a sync with nothing to move (connect, check, erasures, journal,
  pull), median.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: postgres_server

CHANGED = 10_000
PASSWORD = "bench-password-1"


def _changed_laptop(folder: Path, url: str, name: str) -> Any:
    from stpdesk.model import tables as t
    from stpdesk.services import team
    from stpdesk.store import open_database

    db = open_database(folder / f"{name}.sqlite", routine_backup=False)
    team.join(db, url)
    with db.session() as session:
        for n in range(CHANGED):
            session.add(t.Member(name=f"Member {n}", position="Councillor for ward {n}"))
    return db


def _rows(db: Any) -> list[tuple]:
    """The rows a push of the laptop's changes writes, made ready beforehand."""
    from stpdesk.services import exchange

    kind = exchange.BY_ENTITY["member"]
    with db.read() as session:
        documents = exchange._documents(session, kind)
    return [
        ("member", record_id, exchange.content_hash(document), [], document, False, "bench")
        for record_id, document in documents.items()
    ]


def _copy(url: str, rows: list[tuple]) -> float:
    import psycopg
    from psycopg.types.json import Jsonb

    with psycopg.connect(url) as connection:
        started = time.perf_counter()
        with (
            connection.transaction(),
            connection.cursor() as cursor,
            cursor.copy(
                "COPY stpdesk.record (entity, record_id, hash, ancestors, document, removed, "
                "origin) FROM STDIN"
            ) as copy,
        ):
            for entity, record_id, digest, ancestors, document, removed, origin in rows:
                copy.write_row(
                    (entity, record_id, digest, ancestors, Jsonb(document), removed, origin)
                )
        return time.perf_counter() - started


def sync_figures(runs: int, log: Any) -> dict[str, Any]:
    from postgres_server import find_initdb, start_server

    from stpdesk.services import team
    from stpdesk.store import team as server

    initdb = find_initdb()
    if initdb is None:
        raise SystemExit("PostgreSQL (initdb) is not installed: the sync figures need it")
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    postgres = start_server(initdb)
    folder = Path(tempfile.mkdtemp(prefix="stpdesk-bench-sync-"))
    pgpass = folder / "pgpass"  # the logins' password, as a laptop keeps it
    pgpass.write_text(f"*:*:*:*:{PASSWORD}\n")
    pgpass.chmod(0o600)
    os.environ["PGPASSFILE"] = str(pgpass)
    pushes, copies, idles = [], [], []
    try:
        for run in range(runs):
            log(f"sync: push of {CHANGED:,} records, run {run + 1} of {runs}…")
            name = postgres.new_database()
            server.upgrade_schema(postgres.url(name))
            server.add_user(postgres.url(name), f"bench{run}", "editor", PASSWORD)
            url = postgres.url(name, f"bench{run}")
            db = _changed_laptop(folder, url, f"laptop-{run}")
            rows = _rows(db)
            started = time.perf_counter()
            result = team.sync(db)
            pushes.append(time.perf_counter() - started)
            assert result.pushed == CHANGED, result
            for _ in range(5):
                started = time.perf_counter()
                idle = team.sync(db)
                idles.append(time.perf_counter() - started)
                assert idle.pushed == idle.pulled == 0
            db.close()
            baseline = postgres.url(postgres.new_database())
            server.upgrade_schema(baseline)
            copies.append(_copy(baseline, rows))
    finally:
        postgres.stop()
    push = statistics.median(pushes)
    copy = statistics.median(copies)
    return {
        "sync_ratio": round(push / copy, 2),
        "sync_idle_ms": round(statistics.median(idles) * 1000, 1),
        "raw": {
            "records": CHANGED,
            "push_ms_runs": [round(v * 1000, 1) for v in pushes],
            "copy_ms_runs": [round(v * 1000, 1) for v in copies],
            "idle_ms_runs": [round(v * 1000, 1) for v in idles],
            "server": "local PostgreSQL 15, Unix socket, an editor login (scram-sha-256), fsync off",
        },
    }
