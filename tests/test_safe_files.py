"""The one safe file writer and the one safe file name (stpdesk/safe_files.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from stpdesk.safe_files import replacing, safe_file_name, write_atomic


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('Board: A/B "minutes"?', "Board A B minutes.pdf"),
        ("  Kent\tHealth\nBoard.  ", "Kent Health Board.pdf"),
        ("<>:?*", "briefing.pdf"),
        ("", "briefing.pdf"),
        ("x" * 200, "x" * 80 + ".pdf"),
    ],
)
def test_a_safe_file_name_is_accepted_everywhere(text: str, expected: str) -> None:
    assert safe_file_name(text, ".pdf", fallback="briefing") == expected


def test_a_failed_write_leaves_the_old_file_and_no_partial(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    target.write_text("old", encoding="utf-8")

    def fail(handle) -> None:  # noqa: ANN001
        handle.write("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, fail, text=True)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.json"]


def test_a_written_file_is_whole_and_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    previous = os.umask(0o022)
    try:
        write_atomic(target, lambda handle: handle.write(b"data"), text=False)
    finally:
        os.umask(previous)
    assert target.read_bytes() == b"data"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_replacing_renames_when_the_block_ends_and_removes_the_partial_when_it_fails(
    tmp_path: Path,
) -> None:
    target = tmp_path / "copy.sqlite"
    with replacing(target) as partial:
        assert partial.parent == tmp_path and stat.S_IMODE(partial.stat().st_mode) == 0o600
        partial.write_bytes(b"first")
    assert target.read_bytes() == b"first"
    with pytest.raises(RuntimeError), replacing(target) as partial:
        partial.write_bytes(b"second")
        raise RuntimeError("stopped")
    assert target.read_bytes() == b"first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.sqlite"]
