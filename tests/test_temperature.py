"""The temperature of meetings: readings recorded in the meeting editor and from the
command line, refused alike when wrong, carried by `list meetings --json`, bundles and
dumps, and shown as a twelve-month trend on the body's page and in its pack."""

from __future__ import annotations

import io
import json

import pytest
from conftest import long_date
from pypdf import PdfReader
from sqlmodel import select

from stpdesk.cli import main
from stpdesk.model import tables as t
from stpdesk.services import entities as e
from stpdesk.services import exchange, exports, temperature
from stpdesk.services.errors import ValidationFailed
from stpdesk.store import open_database

pytestmark = pytest.mark.usefixtures("never_block_on_unsaved_changes")


def readings(db, meeting_id):
    return [(r["body"], r["score"], r["reason"]) for r in temperature.readings_of(db, meeting_id)]


def held(db, days_ago: int, title: str, bodies: list[str], temps: list[dict]) -> str:
    meeting, _asks, _commitments = e.record_meeting(
        db,
        {
            "title": title,
            "starts_at": f"{long_date(-days_ago)} 10:00",
            "body_ids": bodies,
            "temperature": temps,
        },
    )
    return meeting.id


# --- the meeting editor ------------------------------------------------------------------


def test_temperature_recorded_in_the_meeting_editor_is_saved(qtbot, window, seeded):
    editor = window.open_record("meetings", seeded.meeting_id)
    panel = editor.temperature
    assert set(panel.rows) == {seeded.icb_id, seeded.trust_id}  # one row per body there
    _label, score, reason = panel.rows[seeded.icb_id]
    score.setCurrentIndex(score.findText("+1 warm"))
    qtbot.keyClicks(reason, "Agreed to share discharge data")
    _label, score, _reason = panel.rows[seeded.trust_id]
    score.setCurrentIndex(score.findText("−2 hostile"))
    with qtbot.waitSignal(editor.saved, timeout=5000):
        editor.save()
    assert readings(seeded.db, seeded.meeting_id) == [
        ("Maidstone and Tunbridge Wells NHS Trust", -2, None),
        ("NHS Kent and Medway ICB", 1, "Agreed to share discharge data"),
    ]

    # opened again, the editor shows them; a reason with no reading is refused
    editor = window.open_record("meetings", seeded.meeting_id)
    _label, score, reason = editor.temperature.rows[seeded.icb_id]
    assert (score.currentText(), reason.text()) == ("+1 warm", "Agreed to share discharge data")
    score.setCurrentIndex(0)  # not recorded, but the reason left
    with qtbot.waitSignal(editor.save_failed, timeout=5000):
        editor.save()
    assert editor.temperature.problem.isVisibleTo(editor)
    assert "choose a reading" in editor.temperature.problem.text()
    assert readings(seeded.db, seeded.meeting_id)[1][1] == 1  # nothing changed
    editor.close()


def test_taking_a_body_off_the_meeting_takes_its_reading(seeded):
    temperature.record_reading(seeded.db, seeded.meeting_id, seeded.icb_id, 2, "Warm welcome")
    temperature.record_reading(seeded.db, seeded.meeting_id, seeded.trust_id, -1)
    e.meetings.update(seeded.db, seeded.meeting_id, {"body_ids": [seeded.trust_id]})
    assert readings(seeded.db, seeded.meeting_id) == [
        ("Maidstone and Tunbridge Wells NHS Trust", -1, None)
    ]


# --- refused alike from every way in -------------------------------------------------------


@pytest.mark.parametrize("score", ["3", "-3", "1.5", "warm", "+"])
def test_a_bad_score_is_refused_with_exit_2_and_nothing_changes(seeded, capsys, score):
    temperature.record_reading(seeded.db, seeded.meeting_id, seeded.icb_id, 1, "Kept")
    code = main(
        [
            "temperature",
            seeded.meeting_id,
            "--body",
            seeded.icb_id,
            f"--score={score}",
            "--db",
            str(seeded.db.path),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "is not a reading: give a whole number from -2 (hostile) to +2" in err
    assert "Traceback" not in err
    assert readings(seeded.db, seeded.meeting_id) == [("NHS Kent and Medway ICB", 1, "Kept")]


def test_other_bad_readings_are_refused_with_a_plain_message(seeded, capsys):
    db_arg = ["--db", str(seeded.db.path)]
    stranger = e.bodies.create(seeded.db, {"name": "Medway Council", "kind": "unitary_council"})
    cases = [
        (["--body", stranger.id, "--score", "1"], "is not at this meeting"),
        (["--body", "no-such-body", "--score", "1"], "is not at this meeting"),
        (["--body", seeded.icb_id, "--score", "1", "--reason", "x" * 301], "at most 300"),
        (["--body", seeded.icb_id], "give --score -2 to +2, or --clear"),
    ]
    for extra, said in cases:
        assert main(["temperature", seeded.meeting_id, *extra, *db_arg]) == 2
        assert said in capsys.readouterr().err
    assert readings(seeded.db, seeded.meeting_id) == []
    # the same checks guard the services a form or a file goes through
    with pytest.raises(ValidationFailed, match="has two readings"):
        e.meetings.update(
            seeded.db,
            seeded.meeting_id,
            {"temperature": [{"body_id": seeded.icb_id, "score": 1}] * 2},
        )
    with pytest.raises(ValidationFailed, match="not a reading"):
        e.meetings.update(
            seeded.db,
            seeded.meeting_id,
            {"temperature": [{"body_id": seeded.icb_id, "score": True}]},
        )


def test_recorded_and_cleared_from_the_command_line(seeded, capsys):
    db_arg = ["--db", str(seeded.db.path)]
    args = ["temperature", seeded.meeting_id, "--body", seeded.icb_id]
    assert main([*args, "--score", "+2", "--reason", "Offered a board seat", *db_arg]) == 0
    assert "NHS Kent and Medway ICB +2 supportive: Offered a board seat" in capsys.readouterr().out
    assert main([*args, "--clear", *db_arg]) == 0
    assert readings(seeded.db, seeded.meeting_id) == []


# --- list meetings --json, dumps and bundles -----------------------------------------------


def test_list_meetings_json_gives_the_temperature(seeded, capsys):
    temperature.record_reading(seeded.db, seeded.meeting_id, seeded.icb_id, -1, "Cool on housing")
    assert main(["list", "meetings", "--json", "--db", str(seeded.db.path)]) == 0
    [meeting] = [m for m in json.loads(capsys.readouterr().out) if m["id"] == seeded.meeting_id]
    assert meeting["temperature"] == [
        {"body_id": seeded.icb_id, "score": -1, "reason": "Cool on housing"}
    ]


def test_readings_travel_in_a_dump_and_a_bad_one_is_refused(seeded, tmp_path):
    temperature.record_reading(seeded.db, seeded.meeting_id, seeded.icb_id, 2, "Agreed")
    data = exports.dump(seeded.db)
    other = open_database(tmp_path / "other.sqlite")
    try:
        exports.load(other, data)
        assert readings(other, seeded.meeting_id) == [("NHS Kent and Medway ICB", 2, "Agreed")]
    finally:
        other.close()
    data["tables"]["meeting_temperature"][0]["score"] = 5
    third = open_database(tmp_path / "third.sqlite")
    try:
        with pytest.raises(exports.LoadRefused) as refused:
            exports.load(third, data)
        assert "“5” is not a reading" in " ".join(p.message for p in refused.value.problems)
    finally:
        third.close()


def test_readings_travel_in_a_bundle(seeded, tmp_path):
    temperature.record_reading(seeded.db, seeded.meeting_id, seeded.icb_id, -1, "Cool")
    bundle = tmp_path / "out.stpdesk"
    exchange.export_bundle(seeded.db, bundle)
    other = open_database(tmp_path / "other.sqlite")
    try:
        exchange.import_bundle(other, bundle)
        assert readings(other, seeded.meeting_id) == [("NHS Kent and Medway ICB", -1, "Cool")]
    finally:
        other.close()


# --- the trend on the body's page and in its pack ------------------------------------------


def trend_seed(seeded) -> None:
    held(
        seeded.db,
        300,
        "Winter pressures summit",
        [seeded.icb_id],
        [{"body_id": seeded.icb_id, "score": -2, "reason": "Refused to discuss housing"}],
    )
    held(
        seeded.db, 400, "Too long ago", [seeded.icb_id], [{"body_id": seeded.icb_id, "score": 2}]
    )  # outside the twelve months
    temperature.record_reading(seeded.db, seeded.meeting_id, seeded.icb_id, 1, "Agreed data")


def test_the_trend_covers_twelve_months_oldest_first(seeded):
    trend_seed(seeded)
    trend = temperature.trend(seeded.db, seeded.icb_id)
    assert [(r.meeting, r.score) for r in trend.readings] == [
        ("Winter pressures summit", -2),
        ("ICS partnership board", 1),
    ]
    assert trend.summary() == (
        "2 readings in the last 12 months, averaging \u22120.5; the latest (+1 warm) is "
        "warmer than the first (\u22122 hostile)."
    )


def test_the_body_page_shows_the_trend(qtbot, window, seeded, monkeypatch):
    trend_seed(seeded)
    editor = window.open_record("bodies", seeded.icb_id)
    box = editor.trend_box
    assert box.isVisibleTo(editor) and box.chart.isVisibleTo(editor)
    lines = [box.readings.item(i).text() for i in range(box.readings.count())]
    assert lines == [
        f"1. {long_date(-300)}, Winter pressures summit: \u22122 hostile — Refused to discuss housing",
        f"2. {long_date(-19)}, ICS partnership board: +1 warm — Agreed data",
    ]
    assert "warmer than the first" in box.summary.text()
    with (
        qtbot.waitSignal(window.record_opened, timeout=5000)
        if hasattr(window, "record_opened")
        else _nothing()
    ):
        box.readings.itemActivated.emit(box.readings.item(1))
    editor.close()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False


def pack_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_footprint_and_meeting_packs_show_the_trend(seeded):
    from stpdesk.documents import packs

    trend_seed(seeded)
    for data, next_heading in (
        (packs.footprint_pack(seeded.db, seeded.footprint_id), "Engagement over time"),
        (packs.meeting_pack(seeded.db, seeded.meeting_id), "Themes"),
    ):
        flat = " ".join(pack_text(data).split())
        start = flat.index("Temperature at meetings How each body seemed")
        section = flat[start : flat.index(next_heading, start)]
        assert "NHS Kent and Medway ICB 2 readings in the last 12 months" in section
        assert "the latest (+1 warm) is warmer than the first (−2 hostile)" in section
        assert "Winter pressures summit −2 hostile Refused to discuss housing" in section
        assert "ICS partnership board +1 warm Agreed data" in section
        assert "Too long ago" not in section  # more than twelve months back
        assert (
            "Maidstone and Tunbridge Wells NHS Trust: no temperature recorded at meetings"
            in section
        )


# --- recycle bin, erasure and spreadsheets ------------------------------------------------


def test_readings_go_to_the_bin_with_their_meeting_and_come_back(seeded):
    from stpdesk.services import recycle

    temperature.record_reading(seeded.db, seeded.meeting_id, seeded.icb_id, 1, "Warm")
    e.meetings.delete(seeded.db, seeded.meeting_id)
    assert temperature.trend(seeded.db, seeded.icb_id).readings == []  # not counted while deleted
    recycle.restore(seeded.db, seeded.meeting_id)
    assert [r.score for r in temperature.trend(seeded.db, seeded.icb_id).readings] == [1]
    e.meetings.delete(seeded.db, seeded.meeting_id)
    recycle.empty(seeded.db)
    with seeded.db.read() as session:
        assert session.exec(select(t.MeetingTemperature)).all() == []  # gone with it


def test_erasure_removes_a_person_named_in_a_reason(seeded):
    from stpdesk.services import privacy

    temperature.record_reading(
        seeded.db, seeded.meeting_id, seeded.icb_id, -1, "Zofia Łukasiewicz blocked the item"
    )
    privacy.erase(seeded.db, seeded.contact_id)
    [(_body, score, reason)] = readings(seeded.db, seeded.meeting_id)
    assert score == -1 and reason == "[erased] blocked the item"


def test_spreadsheets_show_each_reading_in_words(seeded):
    temperature.record_reading(seeded.db, seeded.meeting_id, seeded.icb_id, 2, "Offered a seat")
    [sheet] = [s for s in exports.sheets(seeded.db) if s.name == "Meetings"]
    column = sheet.headers.index("temperature")
    [row] = [r for r in sheet.rows if r[0] == seeded.meeting_id]
    assert "NHS Kent and Medway ICB +2 (Offered a seat)" in str(row[column])


def test_each_change_of_a_reading_is_kept_in_the_audit(seeded):
    temperature.record_reading(seeded.db, seeded.meeting_id, seeded.icb_id, -1, "Cool")
    temperature.record_reading(seeded.db, seeded.meeting_id, seeded.icb_id, 1, "Warmer")
    with seeded.db.read() as session:
        [*_, last] = session.exec(
            select(t.AuditEntry)
            .where(t.AuditEntry.entity_id == seeded.meeting_id)
            .order_by(t.AuditEntry.at)
        ).all()
    assert last.before["temperature"] == [{"body_id": seeded.icb_id, "score": -1, "reason": "Cool"}]
    assert last.after["temperature"] == [{"body_id": seeded.icb_id, "score": 1, "reason": "Warmer"}]
