"""Every test gets a fresh SQLite file; GUI tests are marked so a fast run can skip them.

The suite runs on any day: ``pytest --today 2028-02-29T23:30`` (London time) moves the
app's one clock, in this process and in every process the tests start, and the seed
data is dated relative to that day (``TODAY``).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

# Offscreen, on a 1280×720 laptop screen (primary) beside a 1600×1000 screen at 200 %
# scaling, so tests see windows fit the screens users have.
SCREENS = Path(__file__).parent / "data" / "screens.json"
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREENS}"

from hypothesis import settings  # noqa: E402

# CI replays the same examples every run, so a red build can be reproduced; local runs
# keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

from stpdesk.model import clock  # noqa: E402
from stpdesk.model.dates import format_date  # noqa: E402
from stpdesk.services import entities as e  # noqa: E402
from stpdesk.store import Database, open_database  # noqa: E402

TRAVEL_FOLDER = Path(__file__).parent / "timetravel"

# The day the suite runs on, in the UK; set in pytest_configure, before test modules
# are imported, so ``from conftest import TODAY`` reads it.
TODAY: date = clock.today()


def days(n: int) -> date:
    """The day ``n`` days from the suite's today (negative: in the past)."""
    return TODAY + timedelta(days=n)


def iso(n: int) -> str:
    """``days(n)`` as ISO text, as a form or import gives it."""
    return days(n).isoformat()


def long_date(n: int) -> str:
    """``days(n)`` as the app prints it: 22 November 2026."""
    return format_date(days(n))


TEST_FONTS = Path(__file__).parent / "data" / "fonts"


@contextmanager
def computer_fonts(folder: Path = TEST_FONTS) -> Iterator[None]:
    """While the block runs, the fonts installed on this computer, as stpdesk finds them
    through fontconfig, are those in ``folder`` (by default a font with 病院医会議市民 and
    no emoji), so a test sees the same fonts on any machine."""
    from stpdesk.documents import fonts

    before = os.environ.get("FONTCONFIG_FILE")
    with tempfile.TemporaryDirectory() as cache:
        config = Path(cache) / "fonts.conf"
        config.write_text(
            f'<?xml version="1.0"?>\n<fontconfig><dir>{folder}</dir>'
            f"<cachedir>{cache}</cachedir></fontconfig>\n",
            encoding="utf-8",
        )
        os.environ["FONTCONFIG_FILE"] = str(config)
        fonts.forget_system_fonts()
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("FONTCONFIG_FILE", None)
            else:
                os.environ["FONTCONFIG_FILE"] = before
            fonts.forget_system_fonts()


def stpdesk_command(*args: str) -> list[str]:
    """The command line as a user runs it: the installed ``stpdesk`` script. (``python -m
    stpdesk`` started in the checkout would import the source tree, which has no
    ``stpdesk.resources``: that package exists only once installed.)"""
    return [str(Path(sys.executable).with_name("stpdesk")), *args]


def open_window(qtbot, db: Database):  # noqa: ANN201  (a MainWindow: Qt loads only when asked)
    """The main window on ``db``, shown, once its dashboard and status bar are filled."""
    from stpdesk.ui.app import MainWindow

    window = MainWindow(db)
    qtbot.addWidget(window)
    with qtbot.waitSignals([window.dashboard.loaded, window.status_shown], timeout=10_000):
        window.show()
    return window


def read_list(qtbot, page):  # noqa: ANN201  (a ListPage: Qt loads only when asked)
    """``page`` once its rows, and its count, have come from the worker thread."""
    if page.model.loading:
        with qtbot.waitSignal(page.model.loaded, timeout=10_000):
            pass
    if page.model.counting:
        with qtbot.waitSignal(page.model.counted, timeout=10_000):
            pass
    return page


def reloaded(qtbot, model):  # noqa: ANN201  (a RecordTableModel)
    """``model`` read afresh: its first page has come from the worker thread."""
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.reload()
    return model


def pick(qtbot, picker, text: str) -> None:
    """Type part of a name into a picker and press Enter, as a user would."""
    from PySide6.QtCore import Qt

    picker.setFocus()
    qtbot.keyClicks(picker, text)
    qtbot.keyClick(picker, Qt.Key.Key_Return)


@pytest.fixture
def window(qtbot, seeded: Seed):  # noqa: ANN201  (a MainWindow: Qt loads only when asked)
    """The main window on the seeded record, shown and filled."""
    shown = open_window(qtbot, seeded.db)
    yield shown
    shown.ops.shutdown()


@pytest.fixture
def never_block_on_unsaved_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal "unsaved changes?" question would hang a failing test at teardown."""
    from PySide6.QtWidgets import QMessageBox

    from stpdesk.ui.editors import EditorDialog

    monkeypatch.setattr(
        EditorDialog, "ask_unsaved", lambda self: QMessageBox.StandardButton.Discard
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--today",
        metavar="DAY",
        default=os.environ.get("STPDESK_TEST_TODAY") or None,
        help="run the suite as if it were this day in the UK: 2028-02-29 (at 12:00) or "
        "2028-02-29T23:30 (London time); the clock ticks on from there",
    )


def pytest_configure(config: pytest.Config) -> None:
    global TODAY
    wanted = config.getoption("--today")
    moment: datetime | None = None
    if wanted:
        try:
            moment = datetime.fromisoformat(wanted if "T" in wanted else f"{wanted}T12:00")
        except ValueError:
            raise pytest.UsageError(
                f"--today {wanted}: give a day as 2028-02-29 or a moment as 2028-02-29T23:30"
            ) from None
        moment = moment.replace(tzinfo=clock.LONDON) if moment.tzinfo is None else moment
    elif clock.local_now().hour == 23 and clock.local_now().minute >= 45:
        # A run of a few minutes must not cross midnight halfway: start it at noon instead.
        moment = clock.local_now().replace(hour=12)
    if moment is not None:
        real_start = time.time()
        time_machine.travel(moment, tick=True).start()
        os.environ["STPDESK_TEST_CLOCK_OFFSET"] = str(moment.timestamp() - real_start)
        os.environ["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(TRAVEL_FOLDER), os.environ.get("PYTHONPATH")])
        )
    TODAY = clock.today()


def pytest_report_header(config: pytest.Config) -> str:
    return f"stpdesk clock: {format_date(TODAY)}, {clock.local_now():%H:%M} London time"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "qtbot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the real user data or settings folders."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("STPDESK_DB", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "council.sqlite"


@pytest.fixture
def db(db_path: Path) -> Database:
    database = open_database(db_path)
    yield database
    database.close()


@dataclass
class Seed:
    db: Database
    footprint_id: str
    stp_id: str
    icb_id: str
    trust_id: str
    contact_id: str
    member_id: str
    meeting_id: str
    ask_ids: list[str]
    commitment_ids: list[str]


@pytest.fixture
def seeded(db: Database) -> Seed:
    """A small, known record: one footprint pair, two bodies, a meeting with asks and commitments.

    Dated from the suite's today: the meeting was 19 days ago, one commitment is 12 days
    overdue and the other is due in 9 days."""
    ics = e.footprints.create(db, {"code": "E54000032", "name": "Kent and Medway", "kind": "ics"})
    stp = e.footprints.create(
        db, {"code": "E54000032", "name": "Kent and Medway", "kind": "stp", "successor_id": ics.id}
    )
    icb = e.bodies.create(
        db, {"name": "NHS Kent and Medway ICB", "kind": "icb", "footprint_ids": [ics.id]}
    )
    trust = e.bodies.create(
        db,
        {
            "name": "Maidstone and Tunbridge Wells NHS Trust",
            "kind": "nhs_trust",
            "footprint_ids": [ics.id],
        },
    )
    contact = e.contacts.create(
        db,
        {
            "name": "Zofia Łukasiewicz",
            "role": "Director of Strategy",
            "body_id": icb.id,
            "email": "zofia@nhs.example",
        },
    )
    member = e.members.create(
        db, {"name": "Michelle Lowe", "position": "Cabinet Member for Housing and Health"}
    )
    meeting, asks, commitments = e.record_meeting(
        db,
        {
            "title": "ICS partnership board",
            "starts_at": f"{long_date(-19)} 10:00",
            "body_ids": [icb.id, trust.id],
            "attendees": [{"contact_id": contact.id}, {"member_id": member.id}],
            "notes": "Housing is the missing third of health and social care.",
        },
        asks_made=[
            {
                "title": "A seat on the ICS board",
                "body_id": icb.id,
                "raised_on": days(-19).strftime("%d/%m/%Y"),
            },
            {"title": "Housing officers in hospital discharge teams", "body_id": trust.id},
        ],
        commitments_given=[
            {
                "text": "Share discharge data with the housing team",
                "body_id": trust.id,
                "due_date": iso(-12),
            },
            {"text": "Reply on board membership", "body_id": icb.id, "due_date": iso(9)},
        ],
    )
    return Seed(
        db=db,
        footprint_id=ics.id,
        stp_id=stp.id,
        icb_id=icb.id,
        trust_id=trust.id,
        contact_id=contact.id,
        member_id=member.id,
        meeting_id=meeting.id,
        ask_ids=[a.id for a in asks],
        commitment_ids=[c.id for c in commitments],
    )


# --- the team database (PostgreSQL) -----------------------------------------------------


@pytest.fixture(scope="session")
def postgres():  # noqa: ANN201 - a tests.postgres_server.PostgresServer
    """A throwaway PostgreSQL server for the session. Skipped only on a machine without
    PostgreSQL outside CI: CI installs it (.ci/run), so no team test is skipped there."""
    from postgres_server import find_initdb, start_server

    initdb = find_initdb()
    if initdb is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL (initdb) is not installed; .ci/run installs it")
        pytest.skip("PostgreSQL (initdb) is not installed on this machine")
    # Passwords come from each test's pgpass file, never from this machine's keyring.
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    server = start_server(initdb)
    yield server
    server.stop()


@pytest.fixture
def team_server(postgres):  # noqa: ANN201 - the PostgresServer, with team_server.database set
    """An empty team database of its own on the session's server (its superuser's URL as
    ``team_server.admin_url``); dropped afterwards, with every login role tests made."""
    name = postgres.new_database()
    postgres.database = name
    postgres.admin_url = postgres.url(name)
    yield postgres
    postgres.drop_database(name)
    with postgres.admin() as connection:
        roles = [
            row[0]
            for row in connection.execute(
                "SELECT rolname FROM pg_roles WHERE rolname <> 'postgres' "
                "AND rolname NOT LIKE 'pg\\_%' ORDER BY rolname LIKE 'stpdesk\\_%'"
            )
        ]
        for role in roles:
            connection.execute(f'DROP ROLE IF EXISTS "{role}"')


PASSWORDS = {"alice": "alice-password-1", "bob": "bob-password-22", "olivia": "olivia-password-3"}


@pytest.fixture
def pgpass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each person's password in a pgpass file, as libpq reads it (never stpdesk's files)."""
    path = tmp_path / "pgpass"
    path.write_text("".join(f"*:*:*:{name}:{word}\n" for name, word in PASSWORDS.items()))
    path.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(path))
    return path


@pytest.fixture
def team_db(team_server, pgpass):  # noqa: ANN201
    """A team database set up by its owner, with editors alice and bob and reader olivia."""
    from stpdesk.store import team as server

    server.upgrade_schema(team_server.admin_url)
    server.add_user(team_server.admin_url, "alice", "editor", PASSWORDS["alice"])
    server.add_user(team_server.admin_url, "bob", "editor", PASSWORDS["bob"])
    server.add_user(team_server.admin_url, "olivia", "reader", PASSWORDS["olivia"])
    team_server.as_user = lambda user: team_server.url(team_server.database, user)
    return team_server


def laptop(tmp_path: Path, name: str):  # noqa: ANN201
    return open_database(tmp_path / f"{name}.sqlite")


@pytest.fixture
def pair(team_db, tmp_path):  # noqa: ANN201
    """Laptops A (alice) and B (bob), joined, with one meeting on both."""
    from stpdesk.services import team

    a, b = laptop(tmp_path, "a"), laptop(tmp_path, "b")
    meeting = e.meetings.create(
        a, {"title": "ICS partnership board", "starts_at": "2026-11-02 10:00"}
    )
    team.join(a, team_db.as_user("alice"))
    team.join(b, team_db.as_user("bob"))
    yield a, b, meeting.id
    a.close()
    b.close()
