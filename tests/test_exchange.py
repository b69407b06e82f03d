"""Laptop-to-laptop exchange: bundles merged by id, conflicts kept, damage refused."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from stpdesk.cli import main
from stpdesk.services import entities as e
from stpdesk.services import exchange, exports
from stpdesk.services.exchange import BundleRefused
from stpdesk.store import open_database
from stpdesk.store.engine import make_engine
from stpdesk.store.migrate import upgrade
from stpdesk.store.schema import HEAD_REVISION


@pytest.fixture
def laptop_b(tmp_path):
    database = open_database(tmp_path / "laptop-b.sqlite")
    yield database
    database.close()


def tables(db) -> dict:
    found = exports.dump(db)["tables"]
    return {
        name: found[name]
        for name in (
            "meeting",
            "ask",
            "commitment",
            "contact",
            "body",
            "meeting_attendee",
            "meeting_body",
            "meeting_theme",
        )
    }


def strip_row_ids(rows: list[dict]) -> list:
    return sorted(
        json.dumps({k: v for k, v in r.items() if k != "id"}, sort_keys=True) for r in rows
    )


def send(source, target, path: Path) -> exchange.MergeResult:
    exchange.export_bundle(source, path)
    return exchange.import_bundle(target, path)


def test_bundle_copies_everything_to_an_empty_laptop_and_twice_changes_nothing(
    seeded, laptop_b, tmp_path
):
    a = seeded.db
    e.meetings.update(a, seeded.meeting_id, {"theme_ids": [_theme(a, "Housing")]})
    result = send(a, laptop_b, tmp_path / "a.stpdesk")
    assert result.added["meeting"] == 1 and result.added["contact"] == 1
    assert result.matched_by_name == 11  # the standard themes each laptop made for itself
    mine, theirs = tables(a), tables(laptop_b)
    for name in ("meeting", "ask", "commitment", "contact", "body", "meeting_body"):
        assert mine[name] == theirs[name], name
    assert strip_row_ids(mine["meeting_attendee"]) == strip_row_ids(theirs["meeting_attendee"])
    # the meeting's theme is B's own "Housing"
    assert e.meetings.links_of(laptop_b, seeded.meeting_id)["theme_ids"] == [
        _theme(laptop_b, "Housing")
    ]

    before = exports.dump(laptop_b)["tables"]
    again = exchange.import_bundle(laptop_b, tmp_path / "a.stpdesk")
    assert not again.changed and sum(again.added.values()) == 0
    assert exports.dump(laptop_b)["tables"] == before


def _theme(db, name: str) -> str:
    return next(t.id for t in e.themes.page(db, limit=100).rows if t.name == name)


def test_change_on_one_side_is_taken_and_on_both_sides_is_a_conflict(seeded, laptop_b, tmp_path):
    a = seeded.db
    send(a, laptop_b, tmp_path / "1.stpdesk")
    # B changes an ask and deletes a commitment; A changes nothing
    e.asks.update(laptop_b, seeded.ask_ids[0], {"status": "accepted", "response": "Agreed"})
    e.commitments.delete(laptop_b, seeded.commitment_ids[1])
    result = send(laptop_b, a, tmp_path / "2.stpdesk")
    assert result.updated == {"ask": 1, "commitment": 1} and not result.conflicts
    assert e.asks.get(a, seeded.ask_ids[0]).response == "Agreed"
    assert e.commitments.get(a, seeded.commitment_ids[1], include_deleted=True).deleted_at

    # both change the same meeting
    e.meetings.update(a, seeded.meeting_id, {"outcome": "A's outcome"})
    e.meetings.update(laptop_b, seeded.meeting_id, {"outcome": "B's outcome", "location": "Online"})
    # A's newer version does not overwrite anything when B's old one comes back
    result = send(laptop_b, a, tmp_path / "3.stpdesk")
    assert len(result.conflicts) == 1
    conflict = result.conflicts[0]
    assert conflict.record_id == seeded.meeting_id
    assert {(f, o, t) for f, o, t in conflict.differences} == {
        ("outcome", "A's outcome", "B's outcome"),
        ("location", None, "Online"),
    }
    assert e.meetings.get(a, seeded.meeting_id).outcome == "A's outcome"  # both versions kept
    again = exchange.import_bundle(a, tmp_path / "3.stpdesk")
    assert not again.changed and len(exchange.conflicts(a)) == 1

    exchange.resolve(a, conflict.id, "theirs")
    assert e.meetings.get(a, seeded.meeting_id).outcome == "B's outcome"
    assert exchange.conflicts(a) == []
    result = send(a, laptop_b, tmp_path / "4.stpdesk")
    assert not result.changed


def test_keeping_our_version_wins_on_the_other_laptop_next_time(seeded, laptop_b, tmp_path):
    a = seeded.db
    send(a, laptop_b, tmp_path / "1.stpdesk")
    e.contacts.update(a, seeded.contact_id, {"role": "Chief Executive"})
    e.contacts.update(laptop_b, seeded.contact_id, {"role": "Director of Place"})
    result = send(laptop_b, a, tmp_path / "2.stpdesk")
    exchange.resolve(a, result.conflicts[0].id, "ours")
    assert e.contacts.get(a, seeded.contact_id).role == "Chief Executive"
    back = send(a, laptop_b, tmp_path / "3.stpdesk")
    assert back.updated == {"contact": 1} and not back.conflicts
    assert e.contacts.get(laptop_b, seeded.contact_id).role == "Chief Executive"


def test_new_records_on_both_sides_are_merged(seeded, laptop_b, tmp_path):
    a = seeded.db
    send(a, laptop_b, tmp_path / "1.stpdesk")
    e.contacts.create(a, {"name": "Only on A", "body_id": seeded.icb_id})
    e.contacts.create(laptop_b, {"name": "Only on B", "body_id": seeded.icb_id})
    send(a, laptop_b, tmp_path / "2.stpdesk")
    send(laptop_b, a, tmp_path / "3.stpdesk")
    names = lambda db: sorted(c.name for c in e.contacts.page(db).rows)  # noqa: E731
    assert names(a) == names(laptop_b) == ["Only on A", "Only on B", "Zofia Łukasiewicz"]


def _rewrite(path: Path, target: Path, change) -> None:
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _tamper_records(members):
    members["records.json"] = members["records.json"].replace(
        b"ICS partnership board", b"ICS partnership bored"
    )


def _tamper_both(members):
    _tamper_records(members)
    import hashlib

    manifest = json.loads(members["manifest.json"])
    manifest["checksums"]["records.json"] = hashlib.sha256(members["records.json"]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()


def _future_version(members):
    manifest = json.loads(members["manifest.json"])
    manifest["version"] = 2
    members["manifest.json"] = json.dumps(manifest).encode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_tamper_records, "do not match the checksum"),
        (_tamper_both, "does not match its hash"),
        (_future_version, "format version 2"),
        (lambda m: m.pop("manifest.json"), "not an stpdesk exchange bundle"),
    ],
)
def test_tampered_or_unknown_bundle_is_refused_whole(seeded, laptop_b, tmp_path, change, message):
    good = tmp_path / "good.stpdesk"
    exchange.export_bundle(seeded.db, good)
    bad = tmp_path / "bad.stpdesk"
    _rewrite(good, bad, change)
    before = exports.dump(laptop_b)["tables"]
    with pytest.raises(BundleRefused, match=message):
        exchange.import_bundle(laptop_b, bad)
    assert exports.dump(laptop_b)["tables"] == before


def test_truncated_bundle_is_refused(seeded, laptop_b, tmp_path):
    good = tmp_path / "good.stpdesk"
    exchange.export_bundle(seeded.db, good)
    cut = tmp_path / "cut.stpdesk"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(BundleRefused, match="damaged"):
        exchange.import_bundle(laptop_b, cut)
    assert e.meetings.page(laptop_b).total == 0


def test_cli_bundle_and_conflicts(seeded, db_path, tmp_path, capsys):
    other = tmp_path / "b.sqlite"
    open_database(other).close()
    bundle = tmp_path / "a.stpdesk"
    assert main(["export", "bundle", "-o", str(bundle), "--db", str(db_path)]) == 0
    assert main(["import", "bundle", str(bundle), "--db", str(other)]) == 0
    assert "added" in capsys.readouterr().out
    with open_database(other) as b:
        e.meetings.update(b, seeded.meeting_id, {"title": "Renamed on B"})
    e.meetings.update(seeded.db, seeded.meeting_id, {"title": "Renamed on A"})
    back = tmp_path / "b.stpdesk"
    assert main(["export", "bundle", "-o", str(back), "--db", str(other)]) == 0
    assert main(["import", "bundle", str(back), "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "1 conflicts to resolve" in out and "Renamed on B" in out
    conflict_id = exchange.conflicts(seeded.db)[0].id
    assert main(["conflicts", "--db", str(db_path)]) == 0
    assert "here 'Renamed on A'; other laptop 'Renamed on B'" in capsys.readouterr().out
    assert main(["conflicts", "--resolve", conflict_id, "--db", str(db_path)]) == 2
    assert (
        main(["conflicts", "--resolve", conflict_id, "--keep", "theirs", "--db", str(db_path)]) == 0
    )
    assert e.meetings.get(seeded.db, seeded.meeting_id).title == "Renamed on B"
    broken = tmp_path / "broken.stpdesk"
    broken.write_bytes(b"PK\x03\x04 not really")
    assert main(["import", "bundle", str(broken), "--db", str(db_path)]) == 2
    assert "Nothing was changed" in capsys.readouterr().err


def test_database_at_0002_upgrades_to_0003_keeping_rows_and_gains_an_id(db_path):
    engine = make_engine(db_path)
    upgrade(engine, "0002")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO body (id, created_at, updated_at, name, kind) "
            "VALUES ('b1', '2024-01-01 00:00:00', '2024-01-01 00:00:00', 'West Kent CCG', 'ccg')"
        )
        connection.exec_driver_sql(
            "INSERT INTO contact (id, created_at, updated_at, name, body_id, email) VALUES "
            "('c1', '2024-01-01 00:00:00', '2024-01-01 00:00:00', 'Ann Other', 'b1', 'ann@x.org')"
        )
    engine.dispose()
    with open_database(db_path) as db:
        assert e.contacts.get(db, "c1").name == "Ann Other"
        assert e.bodies.get(db, "b1").name == "West Kent CCG"
        from stpdesk.services import queries

        assert [h.ref for h in queries.search(db, "Ann Other")] == ["c1"]  # triggers kept
        info = exchange.export_bundle(db, db_path.with_suffix(".stpdesk"))
        assert len(info.database_id) == 36
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (
            HEAD_REVISION,
        )
    connection.close()
