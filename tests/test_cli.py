"""Every CLI command, its output and its answers to bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest
from conftest import long_date

from stpdesk.cli import main
from stpdesk.model import clock
from stpdesk.model.dates import parse_datetime
from stpdesk.services import entities as e
from stpdesk.store.backup import make_backup


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def cli_db(seeded):
    seeded.db.close()
    return seeded


def test_list_meetings_json_has_the_documented_fields(capsys, cli_db):
    code, out, _ = run(capsys, "list", "meetings", "--json", "--db", str(cli_db.db.path))
    assert code == 0
    [meeting] = json.loads(out)
    assert meeting["id"] == cli_db.meeting_id
    assert meeting["title"] == "ICS partnership board"
    assert meeting["starts_at"] == parse_datetime(f"{long_date(-19)} 10:00").isoformat()
    assert meeting["attendees"] == ["Cllr Michelle Lowe", "Zofia Łukasiewicz"]
    assert sorted(meeting["bodies"]) == [
        "Maidstone and Tunbridge Wells NHS Trust",
        "NHS Kent and Medway ICB",
    ]


def test_db_option_may_come_before_the_command(capsys, cli_db):
    code, out, _ = run(capsys, "--db", str(cli_db.db.path), "list", "asks", "--json")
    assert code == 0
    asks = json.loads(out)
    assert {a["title"] for a in asks} == {
        "A seat on the ICS board",
        "Housing officers in hospital discharge teams",
    }
    assert {a["status"] for a in asks} == {"open"}


def test_stpdesk_db_environment_variable(capsys, cli_db, monkeypatch):
    monkeypatch.setenv("STPDESK_DB", str(cli_db.db.path))
    code, out, _ = run(capsys, "list", "contacts", "--json")
    assert code == 0
    assert [c["name"] for c in json.loads(out)] == ["Zofia Łukasiewicz"]


def test_list_commitments_overdue_and_due_within(capsys, cli_db):
    today = clock.today()
    db = cli_db.db.__class__(cli_db.db.path, cli_db.db.engine)
    e.commitments.update(
        db, cli_db.commitment_ids[0], {"due_date": date.fromordinal(today.toordinal() - 3)}
    )
    e.commitments.update(
        db, cli_db.commitment_ids[1], {"due_date": date.fromordinal(today.toordinal() + 5)}
    )
    db.close()
    path = str(cli_db.db.path)
    code, out, _ = run(capsys, "list", "commitments", "--overdue", "--json", "--db", path)
    assert code == 0
    overdue = json.loads(out)
    assert [(c["text"], c["overdue"]) for c in overdue] == [
        ("Share discharge data with the housing team", True)
    ]
    code, out, _ = run(capsys, "list", "commitments", "--due-within", "7", "--json", "--db", path)
    due = json.loads(out)
    assert [(c["text"], c["status"], c["overdue"]) for c in due] == [
        ("Reply on board membership", "pending", False)
    ]
    assert due[0]["due_date"] == date.fromordinal(today.toordinal() + 5).isoformat()


def test_list_text_table_and_limit(capsys, cli_db):
    code, out, _ = run(capsys, "list", "asks", "--limit", "1", "--db", str(cli_db.db.path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["Ask", "Of", "Status", "Raised"]
    assert "Showing 1 of 2" in lines[-1]


@pytest.mark.parametrize(
    "entity",
    ["footprints", "bodies", "contacts", "members", "meetings", "asks", "commitments", "letters"],
)
def test_every_entity_lists(capsys, cli_db, entity):
    code, out, _ = run(capsys, "list", entity, "--json", "--db", str(cli_db.db.path))
    assert code == 0
    for row in json.loads(out):
        assert row["id"]


def test_search_json_and_text(capsys, cli_db):
    path = str(cli_db.db.path)
    code, out, _ = run(capsys, "search", "missing third", "--json", "--db", path)
    assert code == 0
    hits = json.loads(out)
    assert hits[0]["kind"] == "meeting" and hits[0]["id"] == cli_db.meeting_id
    code, out, _ = run(capsys, "search", "nothing-like-this", "--db", path)
    assert code == 0 and "Nothing matches" in out


def test_check_sound_and_damaged(capsys, cli_db):
    path = cli_db.db.path
    code, out, _ = run(capsys, "check", "--db", str(path))
    assert code == 0 and "is sound" in out
    backup = make_backup(path)
    data = bytearray(path.read_bytes())
    for page in range(1, len(data) // 4096):  # scribble over every page's header
        data[page * 4096 : page * 4096 + 64] = b"\xa5" * 64
    path.write_bytes(bytes(data))
    code, _, err = run(capsys, "check", "--db", str(path))
    assert code == 1
    assert "damaged" in err and str(backup) in err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["list", "widgets"], "invalid choice: 'widgets'"),
        (["list", "meetings", "--limit", "0"], "must be a whole number above 0"),
        (["list", "meetings", "--limit", "lots"], "“lots” is not a whole number"),
        (["list", "asks", "--overdue"], "apply only to “list commitments”"),
        (["demo", "--scale", "-5"], "cannot be negative"),
        (["search", "  "], "the search text is empty"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, cli_db, argv, fragment):
    code, out, err = run(capsys, *argv, "--db", str(cli_db.db.path))
    assert code == 2
    assert fragment in one_line(err)


def test_missing_database_is_bad_input_and_not_created(capsys, tmp_path):
    path = tmp_path / "nowhere.sqlite"
    code, _, err = run(capsys, "list", "meetings", "--db", str(path))
    assert code == 2 and "there is no database" in one_line(err)
    assert not path.exists()


def test_damaged_file_exits_1_without_traceback(capsys, tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("Minutes of the STP board\n" * 100)
    code, _, err = run(capsys, "list", "meetings", "--db", str(path))
    assert code == 1
    assert "not an stpdesk database" in one_line(err)
    assert path.read_text().startswith("Minutes")


def test_module_entry_point_runs(tmp_path, cli_db):
    result = subprocess.run(
        [sys.executable, "-m", "stpdesk", "list", "members", "--json", "--db", str(cli_db.db.path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["name"] == "Michelle Lowe"


def test_demo_command_fills_a_new_file_and_refuses_one_with_data(capsys, tmp_path, cli_db):
    path = tmp_path / "demo.sqlite"
    code, out, _ = run(capsys, "demo", "--scale", "50", "--db", str(path))
    assert code == 0
    assert "Demo data written to" in out and "84 meetings" in out  # 34 demo + 50 synthetic
    code, out, _ = run(capsys, "list", "meetings", "--json", "--limit", "200", "--db", str(path))
    assert len(json.loads(out)) == 84
    code, _, err = run(capsys, "demo", "--db", str(cli_db.db.path))
    assert code == 2 and "already holds data" in one_line(err)


def test_a_reader_that_stops_early_gets_no_complaint(tmp_path):
    """``stpdesk list … | head``: the pipe closes under a long listing; stpdesk stops
    quietly, with no "Broken pipe" on the terminal."""
    from conftest import stpdesk_command

    db = tmp_path / "big.sqlite"
    subprocess.run(stpdesk_command("--db", str(db), "demo", "--scale", "800"), check=True,
                   capture_output=True)  # fmt: skip
    reader = subprocess.Popen(
        stpdesk_command("--db", str(db), "list", "meetings", "--limit", "5000"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert reader.stdout.readline().startswith(b"Date")
    reader.stdout.close()  # as head does after its lines
    _out, err = reader.communicate(timeout=60)
    assert err.decode() == ""
    assert reader.returncode == 1
