"""Time from launching a process to a painted main window, beside a bare PySide6 window.

Not collected by pytest (no test_ prefix). Run it as::

    .venv/bin/python tests/benchmarks/launch_time.py [--big DB] [--demo DB] [--runs N]

Each measurement is a fresh process (imports, database opening and all), timed by
the parent from just before it starts until the child reports its window's first
paint; "filled" is when the dashboard has its data. Prints ratios to the bare window.
Databases are made once if missing: the demo, and demo plus 100,000 meetings.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

CHILD = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

kind, path = sys.argv[1], sys.argv[2]
app = QApplication(sys.argv[:1])

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not getattr(self, "seen", False):
            self.seen = True
            print("painted", time.time(), flush=True)
            if kind == "bare":
                QTimer.singleShot(0, app.quit)
        return False

if kind == "bare":
    window = QMainWindow()
    window.setCentralWidget(QLabel("Hello"))
else:
    from stpdesk.ui.app import open_main_window  # what `stpdesk` itself runs
    window = open_main_window(__import__("pathlib").Path(path))
    def filled():
        print("filled", time.time(), flush=True)
        QTimer.singleShot(0, app.quit)
    window.dashboard.loaded.connect(filled)
watcher = FirstPaint()
window.installEventFilter(watcher)
window.resize(1200, 780)
window.show()
app.exec()
if kind != "bare":
    window.ops.shutdown()
    window.db.close()
import gc
del window  # collected before interpreter shutdown, as stpdesk.ui.app.run does
gc.collect()
"""


def ensure_bytecode() -> None:
    """Compile stpdesk's modules as ``pip install`` does, so launches are timed as users
    see them even where PYTHONDONTWRITEBYTECODE keeps Python from caching them."""
    import compileall

    import stpdesk

    compileall.compile_dir(Path(stpdesk.__file__).parent, quiet=1)


def measure(kind: str, path: str) -> dict[str, float]:
    env = dict(os.environ)
    started = time.time()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, path],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    marks = {}
    for line in out.splitlines():
        name, _, stamp = line.partition(" ")
        if name in ("painted", "filled"):
            marks[name] = float(stamp) - started
    if "painted" not in marks:
        raise RuntimeError(f"{kind} {path}: no paint reported")
    return marks


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
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    Path(args.demo).parent.mkdir(parents=True, exist_ok=True)
    ensure(Path(args.demo), 0)
    ensure(Path(args.big), 100_000)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    ensure_bytecode()
    cases = [
        ("bare PySide6 window", "bare", ""),
        ("demo database", "app", args.demo),
        ("100,000 meetings", "app", args.big),
    ]
    results: dict[str, list[dict[str, float]]] = {}
    for label, kind, path in cases:
        measure(kind, path)  # warm the file cache once
        results[label] = [measure(kind, path) for _ in range(args.runs)]
    bare = statistics.median(r["painted"] for r in results["bare PySide6 window"])
    print(f"\nmedian of {args.runs} runs, platform {os.environ['QT_QPA_PLATFORM']}")
    for label, runs in results.items():
        painted = statistics.median(r["painted"] for r in runs)
        line = f"{label:22} painted {painted:6.3f} s  ({painted / bare:4.1f}× bare)"
        if all("filled" in r for r in runs):
            filled = statistics.median(r["filled"] for r in runs)
            line += f"   dashboard filled {filled:6.3f} s ({filled / bare:4.1f}× bare)"
        print(line)


if __name__ == "__main__":
    main()
