"""The team database on PostgreSQL: set-up, logins, joining and syncing, end to end
against a real server (the ``team_server`` fixture in conftest)."""

from __future__ import annotations

import io
import json
import sqlite3

import psycopg
import pytest
from conftest import PASSWORDS, laptop

from stpdesk.cli import main
from stpdesk.services import entities as e
from stpdesk.services import exchange, privacy, recycle, team
from stpdesk.store import open_database
from stpdesk.store import team as server


def server_rows(team_server) -> dict[tuple[str, str], tuple]:
    with team_server.admin(team_server.database) as connection:
        return {
            (row[0], row[1]): row[2:]
            for row in connection.execute(
                "SELECT entity, record_id, hash, row_version, changed_by, removed "
                "FROM stpdesk.record"
            )
        }


def test_team_schema_is_its_own_and_init_twice_changes_nothing(team_server, pgpass, capsys):
    url = team_server.admin_url
    assert main(["team", "init", url]) == 0
    assert "set up (schema t0001)" in capsys.readouterr().out
    assert main(["team", "init", "--server", url]) == 0
    assert "is up to date (schema t0001)" in capsys.readouterr().out
    assert server.head_revision() == team.TEAM_SCHEMA
    with team_server.admin(team_server.database) as connection:
        tables = {
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'stpdesk'"
            )
        }
    assert tables == {"alembic_version", "team", "record", "erasure", "laptop", "change_log"}


def test_a_failed_upgrade_leaves_the_old_schema(team_server, pgpass, monkeypatch):
    """The upgrade is one transaction: a script failing half-way leaves nothing of it."""
    from alembic.operations import Operations

    real_execute = Operations.execute
    calls = {"n": 0}

    def failing(self, sql, *args, **kwargs):  # noqa: ANN001, ANN202
        calls["n"] += 1
        if calls["n"] == 12:
            raise RuntimeError("the server's disk filled up")
        return real_execute(self, sql, *args, **kwargs)

    monkeypatch.setattr(Operations, "execute", failing)
    with pytest.raises(RuntimeError, match="disk filled up"):
        server.upgrade_schema(team_server.admin_url)
    with team_server.admin(team_server.database) as connection:
        assert connection.execute("SELECT to_regnamespace('stpdesk')").fetchone()[0] is None


def test_users_add_and_list_make_postgresql_logins_with_their_roles(
    team_server, pgpass, monkeypatch, capsys
):
    url = team_server.admin_url
    assert main(["team", "init", url]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORDS["alice"] + "\n"))
    assert (
        main(
            [
                "team",
                "users",
                "add",
                "alice",
                "--role",
                "admin",
                "--password-stdin",
                "--server",
                url,
            ]
        )
        == 0
    )
    # alice, an admin, adds the others with her own login
    alice = team_server.url(team_server.database, "alice")
    assert main(["team", "users", "add", "bob", "--role", "editor", "--server", alice]) == 0
    out = capsys.readouterr().out
    assert "Added bob as editor" in out and "shown once" in out
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORDS["olivia"] + "\n"))
    assert (
        main(
            ["team", "users", "add", "olivia", "--role", "reader", "--password-stdin"]
            + ["--server", alice]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["team", "users", "list", "--json", "--server", alice]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == [
        {"name": "alice", "role": "admin"},
        {"name": "bob", "role": "editor"},
        {"name": "olivia", "role": "reader"},
    ]
    # a reader cannot add logins: PostgreSQL refuses, not stpdesk
    olivia = team_server.url(team_server.database, "olivia")
    assert main(["team", "users", "add", "mallory", "--role", "admin", "--server", olivia]) == 1
    assert "refused" in capsys.readouterr().err
    assert [u.name for u in server.list_users(url)] == ["alice", "bob", "olivia"]


def test_bad_addresses_are_refused_plainly(tmp_path, capsys):
    db = tmp_path / "a.sqlite"
    assert main(["team", "join", "postgresql://alice:secret@server/team", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "never stores" in err and "Traceback" not in err
    assert not db.exists()
    assert main(["sync", "--db", str(db)]) == 2
    assert "there is no database" in capsys.readouterr().err


def test_two_laptops_and_a_reader_end_to_end_from_the_command_line(team_db, tmp_path, capsys):
    a_path, b_path, o_path = (tmp_path / f"{n}.sqlite" for n in ("a", "b", "officer"))
    db = open_database(a_path)
    meeting = e.meetings.create(
        db, {"title": "ICS partnership board", "starts_at": "2026-11-02 10:00"}
    )
    db.close()
    alice, bob, olivia = (team_db.as_user(n) for n in ("alice", "bob", "olivia"))

    assert main(["team", "join", alice, "--db", str(a_path), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["pushed"] >= 1 and first["pulled"] == 0
    # B has no database yet: joining makes one from the team's records
    assert main(["team", "join", bob, "--db", str(b_path)]) == 0
    assert "Joined the team database bob@localhost" in capsys.readouterr().out
    b = open_database(b_path)
    assert e.meetings.get(b, meeting.id).title == "ICS partnership board"
    e.meetings.update(b, meeting.id, {"title": "ICS partnership board (December)"})
    b.close()

    assert main(["sync", "--db", str(b_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "pushed": 1,
        "pulled": 0,
        "removed": 0,
        "erased": 0,
        "refused": 0,
        "conflicts": 0,
        "conflict_ids": [],
    }
    assert main(["sync", "--db", str(a_path), "--json"]) == 0
    moved = json.loads(capsys.readouterr().out)
    assert moved["pulled"] == 1 and moved["pushed"] == 0
    a = open_database(a_path)
    assert e.meetings.get(a, meeting.id).title == "ICS partnership board (December)"
    a.close()
    # the server, not the laptop, records who changed it
    assert server_rows(team_db)[("meeting", meeting.id)][2] == "bob"

    # The officer's read-only login pulls everything into a new database...
    assert main(["team", "join", olivia, "--db", str(o_path)]) == 0
    capsys.readouterr()
    officer = open_database(o_path)
    assert e.meetings.get(officer, meeting.id).title == "ICS partnership board (December)"
    # ...but a change of theirs is refused by the server, and nothing changes there
    e.meetings.update(officer, meeting.id, {"title": "The officer's title"})
    officer.close()
    before = server_rows(team_db)
    assert main(["sync", "--db", str(o_path)]) == 1
    err = capsys.readouterr().err
    assert "may only read" in err and "permission denied" in err and "Traceback" not in err
    assert server_rows(team_db) == before
    officer = open_database(o_path)
    assert team.status(officer).waiting == 1  # kept here, not lost
    officer.close()


def test_a_reader_pulls_and_cannot_push(team_db, tmp_path):
    a = laptop(tmp_path, "a")
    e.meetings.create(a, {"title": "Health and wellbeing board", "starts_at": "2026-11-03 14:00"})
    team.join(a, team_db.as_user("alice"))
    before = server_rows(team_db)
    officer = laptop(tmp_path, "officer")
    e.meetings.create(officer, {"title": "Officer's own", "starts_at": "2026-11-04 09:00"})
    result = team.join(officer, team_db.as_user("olivia"))
    assert result.refused > 0 and "may only read" in result.refusal and result.pushed == 0
    assert result.pulled == 1  # the team's meeting came all the same
    # nothing of the officer's reached the server
    assert server_rows(team_db) == before
    a.close()
    officer.close()


def test_reader_sees_the_team_records(team_db, tmp_path):
    """A reader whose database holds nothing of its own pulls the team's records."""
    a = laptop(tmp_path, "a")
    meeting = e.meetings.create(a, {"title": "Place board", "starts_at": "2026-11-03 14:00"})
    team.join(a, team_db.as_user("alice"))
    officer = laptop(tmp_path, "officer")
    result = team.join(officer, team_db.as_user("olivia"), fresh=True)
    assert result.pushed == 0 and result.refused == 0 and result.pulled > 1
    assert e.meetings.get(officer, meeting.id).title == "Place board"
    a.close()
    officer.close()


def test_edits_on_both_laptops_become_a_conflict_for_the_user(pair, team_db):
    a, b, meeting_id = pair
    e.meetings.update(a, meeting_id, {"title": "Board (A's words)"})
    e.meetings.update(b, meeting_id, {"title": "Board (B's words)"})
    assert team.status(a).waiting == 1
    assert team.sync(a).pushed == 1
    result = team.sync(b)
    assert result.pushed == 0 and len(result.conflicts) == 1
    # B's version stays in place, A's waits beside it in the Conflicts view
    assert e.meetings.get(b, meeting_id).title == "Board (B's words)"
    [conflict] = exchange.conflicts(b)
    assert ("title", "Board (B's words)", "Board (A's words)") in conflict.differences
    assert team.status(b).conflicts == 1
    # syncing again raises it no second time
    assert team.sync(b).conflicts == []
    # B keeps its own: the team takes it, and A gets it
    exchange.resolve(b, conflict.id, "ours")
    assert team.sync(b).pushed == 1
    assert team.sync(a).pulled == 1
    assert e.meetings.get(a, meeting_id).title == "Board (B's words)"
    assert team.status(a).conflicts == 0 and team.status(b).waiting == 0


def meeting_row(db, meeting_id: str):  # noqa: ANN201
    from stpdesk.model import tables as t

    with db.read() as session:
        return session.get(t.Meeting, meeting_id)


def test_deletion_restore_and_removal_for_good_travel(pair):
    a, b, meeting_id = pair
    e.meetings.delete(a, meeting_id)
    team.sync(a)
    team.sync(b)
    assert meeting_row(b, meeting_id).deleted_at is not None
    recycle.restore(b, meeting_id)
    team.sync(b)
    team.sync(a)
    assert meeting_row(a, meeting_id).deleted_at is None
    e.meetings.delete(a, meeting_id)
    assert recycle.empty(a) == 1
    assert team.sync(a).pushed == 1
    assert team.sync(b).removed == 1
    assert meeting_row(b, meeting_id) is None
    # and it does not come back from either laptop
    assert team.sync(a).pulled == 0 and team.sync(b).pulled == 0


def test_an_erasure_erases_everywhere_and_a_laptop_with_the_record_never_undoes_it(pair, team_db):
    a, b, meeting_id = pair
    contact = e.contacts.create(a, {"name": "Zofia Łukasiewicz", "email": "zofia@nhs.example"})
    e.meetings.update(a, meeting_id, {"notes": "Zofia Łukasiewicz agreed to share the data."})
    team.sync(a)
    team.sync(b)
    assert e.contacts.get(b, contact.id).name == "Zofia Łukasiewicz"
    # B edits the contact, and a meeting mentioning them, and sends those first...
    e.contacts.update(b, contact.id, {"role": "Director of Strategy"})
    e.meetings.update(b, meeting_id, {"notes": "Zofia Łukasiewicz will write to us."})
    team.sync(b)
    # ...while A erases them, unaware of B's changes: the erasure wins on the server
    privacy.erase(a, contact.id)
    moved = team.sync(a)
    assert moved.conflicts == []
    result = team.sync(b)
    assert result.erased == 1
    # B's own words about the meeting are kept for B to choose, with the name erased
    assert [c.record_id for c in result.conflicts] == [meeting_id]
    for db in (a, b):
        erased = e.contacts.get(db, contact.id)
        assert erased.name == privacy.ERASED_NAME and erased.email is None and erased.role is None
        assert "Zofia" not in (e.meetings.get(db, meeting_id).notes or "")
    for db in (a, b):
        team.sync(db)
        dump = "\n".join(sqlite3_dump(db))
        assert "Zofia" not in dump and "zofia@" not in dump
    with team_db.admin(team_db.database) as connection:
        text = json.dumps(
            [row[0] for row in connection.execute("SELECT document FROM stpdesk.record")]
        )
        assert "Zofia" not in text and "zofia@" not in text
        assert connection.execute("SELECT erased_by FROM stpdesk.erasure").fetchone() == ("alice",)


def sqlite3_dump(db) -> list[str]:
    """Every row of every table, as SQL text (the search index's own tables too)."""
    connection = sqlite3.connect(db.path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def test_a_retried_push_changes_nothing(pair, team_db, monkeypatch):
    """The push committed but the laptop died before noting it: the next sync sends the
    same versions again, and the server changes nothing."""
    a, b, meeting_id = pair
    e.meetings.update(a, meeting_id, {"title": "Retried"})
    real = team.remember_many

    def killed(*args):  # noqa: ANN002, ANN202 - the laptop dies as it notes the push
        raise KeyboardInterrupt

    monkeypatch.setattr(team, "remember_many", killed)
    with pytest.raises(KeyboardInterrupt):
        team.sync(a)
    monkeypatch.setattr(team, "remember_many", real)
    before = server_rows(team_db)
    assert team.status(a).waiting == 1  # the laptop did not note the push
    result = team.sync(a)
    assert result.pushed == 0 and team.status(a).waiting == 0
    assert server_rows(team_db) == before
    with team_db.admin(team_db.database) as connection:
        assert connection.execute(
            "SELECT count(*) FROM stpdesk.change_log WHERE record_id = %s", (meeting_id,)
        ).fetchone() == (2,)


def test_the_sqlite_file_never_holds_a_password(pair, tmp_path):
    a, _b, _ = pair
    a.close()
    raw = sqlite3.connect(tmp_path / "a.sqlite")
    dump = "\n".join(raw.iterdump())
    raw.close()
    assert "team_server" in dump
    assert not any(word in dump for word in PASSWORDS.values())


def test_the_server_refuses_writes_that_bypass_stpdesk_for_readers(team_db):
    with (
        psycopg.connect(team_db.as_user("olivia")) as connection,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        connection.execute(
            "INSERT INTO stpdesk.record (entity, record_id, hash, document, origin) "
            "VALUES ('meeting', 'x', 'h', '{}', 'o')"
        )


def test_the_readme_steps_take_an_empty_postgresql_to_three_synced_laptops(
    postgres, tmp_path, monkeypatch, capsys
):
    """As README's "Team database": an owner that is no superuser sets it up, adds three
    logins, and three laptops join and sync."""
    words = {"stpdesk_owner": "owner-password-1", **PASSWORDS}
    pgpass = tmp_path / "pgpass"
    pgpass.write_text("".join(f"*:*:*:{name}:{word}\n" for name, word in words.items()))
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    with postgres.admin() as connection:
        connection.execute("CREATE ROLE stpdesk_owner LOGIN CREATEROLE PASSWORD 'owner-password-1'")
        connection.execute("CREATE DATABASE readme_team OWNER stpdesk_owner")
    try:
        owner = postgres.url("readme_team", "stpdesk_owner")
        assert main(["team", "init", owner]) == 0
        for name, role in (("alice", "editor"), ("bob", "editor"), ("olivia", "reader")):
            monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORDS[name] + "\n"))
            argv = ["team", "users", "add", name, "--role", role, "--password-stdin"]
            assert main([*argv, "--server", owner]) == 0
        paths = {name: tmp_path / f"{name}.sqlite" for name in ("alice", "bob", "olivia")}
        first = open_database(paths["alice"])
        meeting = e.meetings.create(
            first, {"title": "Place board", "starts_at": "2026-11-05 10:00"}
        )
        first.close()
        for name, path in paths.items():
            assert main(["team", "join", postgres.url("readme_team", name), "--db", str(path)]) == 0
        second = open_database(paths["bob"])
        e.meetings.update(second, meeting.id, {"title": "Place board (January)"})
        second.close()
        for name in ("bob", "alice", "olivia"):
            assert main(["sync", "--db", str(paths[name])]) == 0
        capsys.readouterr()
        for path in paths.values():
            db = open_database(path)
            assert e.meetings.get(db, meeting.id).title == "Place board (January)"
            db.close()
    finally:
        postgres.drop_database("readme_team")
        with postgres.admin() as connection:
            for role in ("alice", "bob", "olivia", "stpdesk_reader", "stpdesk_editor"):
                connection.execute(f'DROP ROLE IF EXISTS "{role}"')
            connection.execute("DROP ROLE IF EXISTS stpdesk_admin")
            connection.execute("DROP ROLE IF EXISTS stpdesk_owner")


def test_a_meetings_temperature_readings_travel_with_it(pair):
    from stpdesk.services import temperature

    a, b, meeting_id = pair
    body = e.bodies.create(a, {"name": "NHS Kent and Medway ICB", "kind": "icb"})
    e.meetings.update(a, meeting_id, {"body_ids": [body.id]})
    team.sync(a)
    team.sync(b)
    temperature.record_reading(a, meeting_id, body.id, 2, "Offered a seat")
    assert team.status(a).waiting == 1  # the reading is a change of its meeting
    assert team.sync(a).pushed == 1
    assert team.sync(b).pulled == 1
    with b.reader() as connection:
        assert connection.execute(
            "SELECT body_id, score, reason FROM meeting_temperature WHERE meeting_id = ?",
            (meeting_id,),
        ).fetchall() == [(body.id, 2, "Offered a seat")]
