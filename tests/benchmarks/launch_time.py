"""Time from running ``stpdesk --db FILE`` to its window on screen, beside a bare PySide6 window.

Not collected by pytest (no test_ prefix). Run it as::

    .venv/bin/python tests/benchmarks/launch_time.py [--big DB] [--demo DB] [--runs N]

Each launch is what a user runs: the installed ``stpdesk`` console script (beside this
Python), a fresh process on a real X display (one Xvfb for the whole run, Qt's xcb
platform). The bare window is ``bare_window.py``, launched the same way. Each is timed from
just before it is spawned until it reports, through ``STPDESK_REPORT_READY``
(``stpdesk/ui/launch_report.py``), that its first paint went to the screen ("painted")
and that the dashboard's figures were painted ("filled"; the bare window has none, so its
two marks are one). Launches alternate (bare, app, bare, app…) so a swing in the
machine's speed touches every case alike. Databases are made once if missing: the demo,
and demo plus 100,000 meetings.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
BARE_WINDOW = HERE / "bare_window.py"
SCREEN = "1920x1080x24"


def stpdesk_command() -> Path:
    """The console script ``pip install`` put beside this Python (as a user runs it)."""
    script = Path(sys.executable).parent / "stpdesk"
    if not script.exists():
        raise SystemExit(f"no {script}: install stpdesk into this Python's environment first")
    return script


@contextlib.contextmanager
def x_display() -> Iterator[dict[str, str]]:
    """One Xvfb for the run; yields the environment a launch on it needs."""
    if not shutil.which("Xvfb"):
        raise SystemExit("Xvfb is not installed (apt-get install xvfb)")
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", SCREEN, "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as numbers:
            number = numbers.readline().strip()  # Xvfb writes it once it accepts clients
        if not number:
            raise RuntimeError(f"Xvfb did not start (exit status {server.poll()})")
        env = {**os.environ, "DISPLAY": f":{number}", "QT_QPA_PLATFORM": "xcb"}
        env.pop("WAYLAND_DISPLAY", None)
        yield env
    finally:
        server.terminate()
        server.wait(10)


def ensure_bytecode() -> None:
    """Compile stpdesk's modules as ``pip install`` does, so launches are timed as users
    see them even where PYTHONDONTWRITEBYTECODE keeps Python from caching them."""
    import compileall

    import stpdesk

    compileall.compile_dir(Path(stpdesk.__file__).parent, quiet=1)
    compileall.compile_file(BARE_WINDOW, quiet=1)


def measure(kind: str, path: str, env: dict[str, str]) -> dict[str, float]:
    """One launch: seconds from spawning to "painted" and to "filled" (and to "exited")."""
    if kind == "bare":
        command = [sys.executable, str(BARE_WINDOW)]
    else:
        command = [str(stpdesk_command()), "--db", path]
    with tempfile.TemporaryDirectory(prefix="stpdesk-launch-") as folder:
        report = Path(folder) / "ready"
        env = {**env, "STPDESK_REPORT_READY": str(report)}
        started = time.monotonic()
        child = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
        exited = time.monotonic() - started
        lines = report.read_text(encoding="utf-8").splitlines() if report.exists() else []
    marks = {name: float(stamp) - started for name, stamp in (line.split() for line in lines)}
    if child.returncode or set(marks) != {"painted", "filled"}:
        raise RuntimeError(
            f"{' '.join(command)}: exit status {child.returncode}, reported {lines}\n{child.stderr}"
        )
    return {**marks, "exited": exited}


def ensure(path: Path, meetings: int) -> None:
    if path.exists():
        return
    from stpdesk.services.demo import build_demo
    from stpdesk.services.demo_scale import add_scale
    from stpdesk.store import open_database

    print(f"building {path} ({meetings:,} extra meetings)…", flush=True)
    db = open_database(path)
    build_demo(db)
    if meetings:
        add_scale(db, meetings)
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demo", default="/tmp/stpdesk-bench/demo.sqlite")
    parser.add_argument("--big", default="/tmp/stpdesk-bench/big.sqlite")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    Path(args.demo).parent.mkdir(parents=True, exist_ok=True)
    ensure(Path(args.demo), 0)
    ensure(Path(args.big), 100_000)
    ensure_bytecode()
    cases = [
        ("bare PySide6 window", "bare", ""),
        ("demo database", "app", args.demo),
        ("100,000 meetings", "app", args.big),
    ]
    results: dict[str, list[dict[str, float]]] = {label: [] for label, _, _ in cases}
    with x_display() as env:
        for _label, kind, path in cases:
            measure(kind, path, env)  # warm the file cache once
        for _ in range(args.runs):
            for label, kind, path in cases:
                results[label].append(measure(kind, path, env))
    bare = statistics.median(r["painted"] for r in results["bare PySide6 window"])
    print(f"\nmedian of {args.runs} launches each, alternating, under Xvfb (xcb)")
    for label, runs in results.items():
        painted = statistics.median(r["painted"] for r in runs)
        filled = statistics.median(r["filled"] for r in runs)
        print(
            f"{label:22} painted {painted * 1000:5.0f} ms ({painted / bare:4.2f}× bare)   "
            f"filled {filled * 1000:5.0f} ms ({filled / bare:4.2f}× bare)   "
            f"range {min(r['filled'] for r in runs) * 1000:.0f}–"
            f"{max(r['filled'] for r in runs) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
