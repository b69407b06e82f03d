"""Opening, creating, upgrading and refusing database files."""

from __future__ import annotations

import hashlib
import sqlite3
import stat

import pytest

from stpdesk.cli import main
from stpdesk.services import entities as e
from stpdesk.services import queries
from stpdesk.store import DatabaseDamaged, NewerSchema, open_database
from stpdesk.store.backup import list_backups
from stpdesk.store.engine import make_engine
from stpdesk.store.migrate import script_revisions, upgrade
from stpdesk.store.schema import HEAD_REVISION, REVISIONS


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_revision_list_matches_the_alembic_scripts():
    assert tuple(script_revisions()) == REVISIONS
    assert REVISIONS[-1] == HEAD_REVISION


def test_new_file_is_private_and_connections_are_safe(db):
    assert stat.S_IMODE(db.path.stat().st_mode) == 0o600
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_standard_themes_exist(db):
    names = {theme.name for theme in e.themes.page(db, limit=100).rows}
    assert {
        "Housing",
        "Disabled Facilities Grants",
        "Hospital discharge",
        "Community safety",
    } <= names


def test_database_at_first_revision_upgrades_keeping_every_row(db_path):
    engine = make_engine(db_path)
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO body (id, created_at, updated_at, name, kind) "
            "VALUES ('b1', '2024-01-01 00:00:00', '2024-01-01 00:00:00', 'West Kent CCG', 'ccg')"
        )
        for number in range(25):
            connection.exec_driver_sql(
                "INSERT INTO meeting (id, created_at, updated_at, title, starts_at, kind, notes) "
                f"VALUES ('m{number}', '2024-01-01 00:00:00', '2024-01-01 00:00:00', "
                f"'Board {number}', '2024-02-{number + 1:02d} 10:00:00', 'stp_board', "
                "'Disabled Facilities Grants were discussed')"
            )
            connection.exec_driver_sql(f"INSERT INTO meeting_body VALUES ('m{number}', 'b1')")
        connection.exec_driver_sql(
            "INSERT INTO ask (id, created_at, updated_at, title, body_id, priority, status) "
            "VALUES ('a1', '2024-01-01 00:00:00', '2024-01-01 00:00:00', 'Seat on the board', 'b1', 'high', 'open')"
        )
    engine.dispose()

    db = open_database(db_path)
    try:
        assert e.meetings.page(db).total == 25
        assert e.asks.get(db, "a1").title == "Seat on the board"
        assert len(queries.search(db, "Disabled Facilities", limit=100)) == 25
        assert [m.id for m in queries.meetings_with_body(db, "b1")][:1] == ["m24"]
    finally:
        db.close()
    backups = list_backups(db_path)
    assert len(backups) == 1 and "before-upgrade-from-0001" in backups[0].name
    with sqlite3.connect(backups[0]) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert old.execute("SELECT count(*) FROM meeting").fetchone() == (25,)


def test_newer_schema_is_refused_and_untouched(db_path):
    open_database(db_path).close()
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()
    before = digest(db_path)
    with pytest.raises(NewerSchema, match="newer version of stpdesk"):
        open_database(db_path)
    assert digest(db_path) == before
    assert list_backups(db_path) == []


@pytest.mark.parametrize(
    "content",
    [b"this is a spreadsheet, not a database" * 40, b"SQLite format 3\x00" + b"\x00" * 50],
    ids=["not-sqlite", "truncated"],
)
def test_damaged_or_foreign_file_is_refused_and_untouched(db_path, content):
    db_path.write_bytes(content)
    with pytest.raises(DatabaseDamaged):
        open_database(db_path)
    assert db_path.read_bytes() == content


def test_other_sqlite_database_is_refused(db_path):
    with sqlite3.connect(db_path) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
    connection.close()
    before = digest(db_path)
    with pytest.raises(DatabaseDamaged, match="not an stpdesk database"):
        open_database(db_path)
    assert digest(db_path) == before


def test_resources_ship_with_the_package():
    from stpdesk.services import reference

    assert len(reference.councils()) == 317
    sevenoaks = reference.council_by_name("Sevenoaks")
    assert sevenoaks.county_name == "Kent"
    assert reference.icbs()[sevenoaks.icb_code].ics_name == "Kent and Medway"
    assert len(reference.stps()) == 44


# Alembic cannot compare an index on an expression (SQLite's reflection skips it, and so
# does autogenerate): the test compares those indexes' SQL itself.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_migrations_build_exactly_the_model_schema(db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import Column
    from sqlalchemy.schema import CreateIndex
    from sqlmodel import SQLModel

    from stpdesk.model import sync, tables  # noqa: F401  (every table on the metadata)

    def ours(obj, name, type_, reflected, compare_to):  # trigger-kept tables are not models
        return not (type_ == "table" and name.startswith(("search_", "tally_", "filter_")))

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": ours})
        differences = compare_metadata(context, SQLModel.metadata)
        expression_indexes = {
            index.name: str(CreateIndex(index).compile(db.engine)).strip()
            for table in SQLModel.metadata.tables.values()
            for index in table.indexes
            if not all(isinstance(part, Column) for part in index.expressions)
        }
        built = dict(
            connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN "
                f"({', '.join('?' * len(expression_indexes))})",
                tuple(expression_indexes),
            ).fetchall()
        )
    assert differences == []
    assert expression_indexes and built == expression_indexes


def test_list_pages_are_read_off_an_index(db):
    from stpdesk.services import entities as e

    for name, service in [("meeting", e.meetings), ("ask", e.asks), ("commitment", e.commitments)]:
        query = service.query().order_by(None)
        column, desc = service.spec.default_order
        order = getattr(service.spec.table, column)
        ident = service.spec.table.id
        statement = (
            query.order_by(order.desc(), ident.desc()) if desc else query.order_by(order, ident)
        )
        compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
        with db.engine.connect() as connection:
            plan = " ".join(
                row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
            )
        assert f"ix_{name}_live_order" in plan and "TEMP B-TREE" not in plan, plan


def test_every_package_is_listed_for_installation():
    """A package missing from pyproject works in an editable install and breaks a real one."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    pyproject = root / "pyproject.toml"
    if not pyproject.exists():
        pytest.skip("not run from a source checkout")
    listed = set(tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(path.parent.relative_to(root).parts)
        for path in (root / "stpdesk").rglob("__init__.py")
    }
    assert on_disk <= listed, sorted(on_disk - listed)


# --- creating and upgrading are all or nothing; the schema is what its revision promises ---


def _fail_after(monkeypatch, calls: int, operation: str = "create_index") -> None:
    """The migrations' ``operation`` fails after ``calls`` calls, as if stpdesk were stopped."""
    from alembic import op

    real = getattr(op, operation)
    made = []

    def fail(*args, **kwargs):
        if len(made) >= calls:
            raise RuntimeError("stopped half-way")
        made.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(op, operation, fail)


def test_a_creation_stopped_half_way_leaves_nothing_and_a_retry_works(db_path, monkeypatch):
    _fail_after(monkeypatch, 10, "create_table")  # half-way through the first revision
    with pytest.raises(RuntimeError, match="stopped half-way"):
        open_database(db_path)
    assert [p.name for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)] in (
        [],
        [db_path.name + ".lock"],
    )
    monkeypatch.undo()
    open_database(db_path).close()
    assert main(["check", "--db", str(db_path)]) == 0
    assert main(["list", "meetings", "--db", str(db_path)]) == 0


def test_an_upgrade_stopped_half_way_leaves_the_previous_revision_and_one_backup(
    db_path, monkeypatch
):
    engine = make_engine(db_path)
    upgrade(engine, "0003")
    engine.dispose()
    before = digest(db_path)
    for _ in range(3):  # tried again and again: still one before-upgrade backup
        _fail_after(monkeypatch, 2)  # 0004 makes three indexes
        with pytest.raises(RuntimeError, match="stopped half-way"):
            open_database(db_path)
        monkeypatch.undo()
        with sqlite3.connect(db_path) as connection:
            assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (
                "0003",
            )
        connection.close()
        assert main(["check", "--db", str(db_path)]) == 0
    assert digest(db_path) == before
    assert len(list_backups(db_path)) == 1
    open_database(db_path).close()
    assert [b.name for b in list_backups(db_path) if "before-upgrade-from-0003" in b.name]
    assert len(list_backups(db_path)) == 1


def test_check_compares_the_schema_with_what_its_revision_promises(db_path, capsys):
    open_database(db_path).close()
    with sqlite3.connect(db_path) as connection:
        connection.execute("DROP INDEX ix_meeting_deleted")
        connection.execute("DROP TRIGGER meeting_search_ai")
    connection.close()
    before = digest(db_path)
    assert main(["check", "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert "the index ix_meeting_deleted is missing" in err
    assert "the trigger meeting_search_ai is missing" in err
    for argv in (["list", "meetings"], ["demo"], ["search", "board"]):
        assert main([*argv, "--db", str(db_path)]) == 1
        err = capsys.readouterr().err
        assert "not a complete stpdesk database" in err and "Traceback" not in err
    assert digest(db_path) == before


def test_restore_refuses_a_backup_whose_schema_is_not_complete(db_path, tmp_path, capsys):
    db = open_database(db_path)
    e.meetings.create(db, {"title": "Live", "starts_at": "1/12/2026"})
    db.close()
    half_made = tmp_path / "half-made.sqlite"
    engine = make_engine(half_made)
    upgrade(engine, "0003")
    engine.dispose()
    with sqlite3.connect(half_made) as connection:
        connection.execute("DROP TABLE sync_meta")
    connection.close()
    before = digest(db_path)
    assert main(["restore", str(half_made), "--yes", "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert "not a complete stpdesk database" in err and "sync_meta is missing" in err
    assert digest(db_path) == before


def test_schema_layouts_match_the_migrations():
    """``schema_layouts.json`` is what the migrations build (regenerate it with
    ``python -m stpdesk.store.layout`` after adding one)."""
    from stpdesk.store.layout import build_layouts, promised_layouts

    assert build_layouts() == promised_layouts()
    assert tuple(promised_layouts()) == REVISIONS


def test_every_upgrade_path_ends_at_the_head_layout(db_path):
    from stpdesk.store.layout import describe, promised_layouts

    for start in REVISIONS[:-1]:
        path = db_path.with_name(f"from-{start}.sqlite")
        engine = make_engine(path)
        upgrade(engine, start)
        engine.dispose()
        open_database(path).close()
        with sqlite3.connect(path) as connection:
            assert describe(connection) == promised_layouts()[HEAD_REVISION], start
        connection.close()
