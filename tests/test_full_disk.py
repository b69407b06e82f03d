"""A full disk (a small tmpfs, where this machine lets us mount one): every command fails
plainly, leaves no stray files, and never says one thing while doing another."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from stpdesk.cli import main


@pytest.fixture
def disk(tmp_path):
    """An 8 MB tmpfs; skipped where mounting is not allowed (not root, or in a jail)."""
    mount_point = tmp_path / "usb"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8M", "tmpfs", str(mount_point)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small filesystem here")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path, *, leave: int = 0) -> None:
    """Take every free byte of ``disk`` but ``leave``."""
    with (disk / "filler").open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    for step in (4096, 1):
        try:
            with (disk / "filler").open("ab") as handle:
                while True:
                    handle.write(b"\0" * step)
                    handle.flush()
        except OSError:
            pass
    if leave:
        size = (disk / "filler").stat().st_size
        with (disk / "filler").open("r+b") as handle:
            handle.truncate(size - leave)


def stray(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in ("filler",))


@pytest.fixture
def demo_db(tmp_path) -> Path:
    path = tmp_path / "council.sqlite"
    assert main(["demo", "--db", str(path)]) == 0
    return path


def test_backup_to_a_full_disk_fails_plainly(demo_db, disk, capsys):
    capsys.readouterr()
    fill(disk)
    target = disk / "copy.sqlite"
    assert main(["backup", "-o", str(target), "--db", str(demo_db)]) == 1
    err = capsys.readouterr().err
    assert "could not be written" in err and "the disk is full" in err
    assert stray(disk) == []


def test_backup_beside_a_database_on_a_full_disk_fails_plainly(disk, capsys):
    path = disk / "council.sqlite"
    assert main(["demo", "--db", str(path)]) == 0
    fill(disk)
    capsys.readouterr()
    assert main(["backup", "--db", str(path)]) == 1
    assert "the disk is full" in capsys.readouterr().err
    assert [p.name for p in (disk / "backups").iterdir()] == []
    (disk / "filler").unlink()
    assert main(["check", "--db", str(path)]) == 0


def test_export_to_a_full_disk_says_one_plain_thing_and_leaves_nothing(demo_db, disk):
    fill(disk, leave=20_000)
    for kind, target in (("xlsx", disk / "all.xlsx"), ("csv", disk / "csv-folder")):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "stpdesk",
                "export",
                kind,
                "-o",
                str(target),
                "--db",
                str(demo_db),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 1, done.stderr
        assert "No space left on device" in done.stderr
        assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert stray(disk) == []


@pytest.mark.parametrize("how", ["demo", "import json"])
def test_a_new_database_on_a_full_disk_leaves_no_files(tmp_path, disk, how, capsys):
    dump = tmp_path / "dump.json"
    if how == "import json":
        source = tmp_path / "source.sqlite"
        assert main(["demo", "--db", str(source)]) == 0
        assert main(["export", "json", "-o", str(dump), "--db", str(source)]) == 0
    fill(disk, leave=300_000)
    capsys.readouterr()
    path = disk / "council.sqlite"
    argv = ["demo"] if how == "demo" else ["import", "json", str(dump)]
    assert main([*argv, "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert "disk is full" in err and "Traceback" not in err
    assert [name for name in stray(disk) if not name.endswith(".lock")] == []


def test_a_letter_with_the_database_on_a_full_disk_is_not_written_when_not_logged(
    tmp_path, disk, capsys
):
    path = disk / "council.sqlite"
    assert main(["demo", "--db", str(path)]) == 0
    with sqlite3.connect(path) as connection:
        member = connection.execute("SELECT id FROM member LIMIT 1").fetchone()[0]
        letters = connection.execute("SELECT count(*) FROM letter").fetchone()[0]
    connection.close()
    # room to open the database (its shared-memory file) but not to save a letter
    fill(disk, leave=40_000)
    capsys.readouterr()
    output = tmp_path / "letter.pdf"
    argv = ["letter", "--template", "seat-at-the-table", "--to-address", "Jo Bloggs\\nLondon"]
    code = main([*argv, "--signatories", member, "-o", str(output), "--db", str(path)])
    err = capsys.readouterr().err
    assert code == 1 and "The disk is full, so nothing was saved" in err
    assert not output.exists()
    assert [p.name for p in tmp_path.iterdir() if "letter.pdf" in p.name] == []
    (disk / "filler").unlink()
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM letter").fetchone()[0] == letters
    connection.close()
