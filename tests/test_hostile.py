"""Hostile and odd input: every import ends, within seconds, in the data taken faithfully
or a plain refusal that changes nothing (issue 20). Files are in tests/data/hostile/;
large cases are generated here."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import func, select

from stpdesk.cli import main
from stpdesk.model import tables as t
from stpdesk.services import imports

HOSTILE = Path(__file__).parent / "data" / "hostile"
TODAY = date(2026, 11, 22)


def count(db, model) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def calendar(
    rule: str, dtstart: str = "20260101T090000Z", dtend: str = "20260101T100000Z"
) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:rule@test\r\nDTSTART:{dtstart}\r\nDTEND:{dtend}\r\nSUMMARY:Stand-up\r\n"
        f"RRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


# --- (a) unbounded work: repeat rules ---------------------------------------------------


@pytest.mark.parametrize(
    "name, taken, note",
    [
        ("minutely.ics", 1000, "repeats more than 1,000 times in the range"),
        ("secondly_1900.ics", 1000, "repeats more than 1,000 times in the range"),
        ("every_second_of_year.ics", 1000, "repeats more than 1,000 times in the range"),
        ("impossible_secondly.ics", 0, None),  # 30 February: never
        ("leap_seconds.ics", 0, None),  # 29 February only: none in the range
        ("daily_billion.ics", 692, None),  # COUNT=1000000000: the range (to 23 Nov 2027) bounds it
    ],
)
def test_repeat_rules_are_capped_by_count_and_range_and_say_so(db, name, taken, note):
    started = time.perf_counter()
    preview = imports.preview_ics(db, HOSTILE / name, today=TODAY)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"{name} took {elapsed:.1f} s"
    assert preview.ok, preview.problems
    assert preview.count("add") == taken
    notes = " ".join(preview.notes)
    if note:
        assert note in notes and "Choose a shorter range" in notes
    else:
        assert "repeats more than" not in notes


def test_a_capped_series_is_imported_up_to_the_cap_and_the_cli_says_so(db_path, db, capsys):
    code = main(
        [
            "import",
            "ics",
            str(HOSTILE / "minutely.ics"),
            "--db",
            str(db_path),
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "“Every minute” (line 4) repeats more than 1,000 times in the range" in out
    assert count(db, t.Meeting) == 1000


def test_a_rule_too_frequent_to_reach_the_range_is_left_out_with_a_note(db):
    raw = calendar("FREQ=SECONDLY;COUNT=100000000", "19500101T000000Z", "19500101T000001Z")
    preview = imports.preview_ics(db, raw, today=TODAY)
    assert preview.ok
    assert preview.count("add") == 0
    assert "repeats too often to be a meeting series" in " ".join(preview.notes)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30",  # dateutil would search to the year 9999
        "FREQ=DAILY;INTERVAL=7;BYDAY=MO",  # from a Thursday: never a Monday
        "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=31;COUNT=5",
    ],
)
def test_rules_that_never_match_finish_quickly(db, rule):
    started = time.perf_counter()
    preview = imports.preview_ics(db, calendar(rule), today=TODAY)
    assert time.perf_counter() - started < 3
    assert preview.ok
    assert preview.count("add") <= 1  # at most the first date itself


def test_an_irregular_rule_is_refused_by_line(db):
    preview = imports.preview_ics(
        db, calendar("FREQ=HOURLY;INTERVAL=5;BYMONTH=2;BYMONTHDAY=30"), today=TODAY
    )
    assert not preview.ok
    assert "line 4" in str(preview.problems[0]) and "Stand-up" in str(preview.problems[0])


@pytest.mark.parametrize("name", ["year_9999.ics", "year_0001.ics"])
def test_calendar_dated_9999_or_0001_is_refused_with_exit_2(db_path, db, name, capsys):
    code = main(["import", "ics", str(HOSTILE / name), "--db", str(db_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "outside the years 1900 to 2199" in err and "Traceback" not in err
    assert count(db, t.Meeting) == 0


# --- (a) unbounded work: user templates ---------------------------------------------------

TEMPLATE_HEADER = '+++\ntitle = "Hostile"\nfor = "meeting"\n+++\n'
COSTLY_TEMPLATES = {
    "big-string": ("{{ 'a' * 10**9 }}\n", "too large"),
    "big-list": ("{{ ([1]*10**9)|length }}\n", "too large"),
    "nested-loops": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n",
        "a loop runs too long",
    ),
    "ten-gigabytes": (
        "{% for i in range(100000) %}{% for j in range(100000) %}"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "{% endfor %}{% endfor %}\n",
        "more than 5,000,000 characters",
    ),
    "huge-power": ("{{ 7 ** 10000000 }}\n", "not allowed"),
    "wide-centre": ("{{ 'x'|center(1000000000) }}\n", "too large a number to pass to a filter"),
}


def _write_template(name: str, body: str) -> Path:
    from stpdesk.config import user_templates_dir

    folder = user_templates_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(TEMPLATE_HEADER + body, encoding="utf-8")
    return path


def test_listing_templates_never_runs_them(capsys):
    for name, (body, _) in COSTLY_TEMPLATES.items():
        _write_template(name, body)
    started = time.perf_counter()
    code = main(["templates"])
    out = capsys.readouterr().out
    assert time.perf_counter() - started < 3
    assert code == 0
    for name in COSTLY_TEMPLATES:
        assert f"{name} " in out and "BROKEN" not in out.split(name)[1].split("\n")[0]


@pytest.mark.parametrize("name", sorted(COSTLY_TEMPLATES))
def test_a_costly_template_stops_with_its_file_and_line(seeded, monkeypatch, name):
    from stpdesk.documents import packs, templates

    monkeypatch.setattr(templates, "RENDER_SECONDS", 1.0)
    body, message = COSTLY_TEMPLATES[name]
    path = _write_template(name, body)
    started = time.perf_counter()
    with pytest.raises(templates.TemplateError) as refused:
        packs.meeting_pack(seeded.db, seeded.meeting_id, fmt="html", template=name)
    assert time.perf_counter() - started < 5
    assert f"{path}, line 5" in str(refused.value)
    assert message in str(refused.value)


def test_a_costly_template_gives_exit_2_on_the_command_line(seeded, db_path, tmp_path, capsys):
    _write_template("big-string", COSTLY_TEMPLATES["big-string"][0])
    out = tmp_path / "pack.pdf"
    code = main(
        [
            "brief",
            "--db",
            str(db_path),
            "--meeting",
            seeded.meeting_id,
            "--template",
            "big-string",
            "-o",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "too large" in err and "Traceback" not in err
    assert not out.exists()
