"""The partnership health check: frameworks, scores from CSV, medians and spreads by
hand, evidence, the previous round, and the report."""

from __future__ import annotations

import io
import json

import pytest
from conftest import days
from pypdf import PdfReader

from stpdesk.cli import main
from stpdesk.services import entities as e
from stpdesk.services import exchange, exports, health
from stpdesk.services.errors import ValidationFailed
from stpdesk.store import open_database

FRAMEWORK = "partnership-assessment-tool"


def scores_csv(values: dict[str, int], evidence: dict[str, str] | None = None) -> str:
    evidence = evidence or {}
    lines = ["statement,score,evidence"]
    lines += [f'{sid},{score},"{evidence.get(sid, "")}"' for sid, score in values.items()]
    return "\n".join(lines) + "\n"


def all_statements(score: int) -> dict[str, int]:
    return {s.id: score for s in health.framework(FRAMEWORK).statements}


def record(seeded, member_id, values, *, on=None, evidence=None):
    return health.record(
        seeded.db,
        footprint_id=seeded.footprint_id,
        framework_name=FRAMEWORK,
        member_id=member_id,
        rows=health.read_scores_csv(scores_csv(values, evidence)),
        on=on,
    )


@pytest.fixture
def three(seeded):
    """Three members' scores this round, one member's a year ago."""
    second = e.members.create(seeded.db, {"name": "Kwame Asante"}).id
    third = e.members.create(seeded.db, {"name": "Peter Fleetwood"}).id
    record(seeded, seeded.member_id, all_statements(2), on=days(-400))
    lowe = all_statements(3) | {"1.1": 5, "1.2": 2}
    asante = all_statements(3) | {"1.1": 1, "1.2": 2, "1.3": 4}
    fleetwood = all_statements(4) | {"1.1": 2, "1.2": 3}
    record(
        seeded,
        seeded.member_id,
        lowe,
        on=days(-5),
        evidence={"3.2": f"commitment:{seeded.commitment_ids[0]} is late"},
    )
    record(seeded, second, asante, on=days(-3))
    record(seeded, third, fleetwood, on=days(-1))
    return seeded


def test_medians_and_spreads_equal_a_hand_count(three):
    result = health.report(three.db, three.footprint_id)
    assert result.assessors == ["Cllr Kwame Asante", "Cllr Michelle Lowe", "Cllr Peter Fleetwood"]
    p1 = result.principles[0]
    by_id = {s.id: s for s in p1.statements}
    # 1.1: 1, 5, 2 -> median 2, spread 4; 1.2: 2, 2, 3 -> 2, 1; 1.3: 4, 3, 4 -> 4, 1
    assert sorted(by_id["1.1"].scores) == [1, 2, 5]
    assert (by_id["1.1"].median, by_id["1.1"].spread) == (2, 4)
    assert (by_id["1.2"].median, by_id["1.2"].spread) == (2, 1)
    assert (by_id["1.3"].median, by_id["1.3"].spread) == (4, 1)
    # the principle pools its nine scores: 1,5,2, 2,2,3, 4,3,4 -> median 3, spread 4
    assert (p1.median, p1.spread) == (3, 4)
    assert p1.previous_median == 2 and p1.change == 1
    assert [s.id for s in result.disputed] == ["1.1"]
    p3 = result.principles[2]
    [evidence] = next(s for s in p3.statements if s.id == "3.2").evidence
    assert evidence == (
        "Cllr Michelle Lowe: commitment “Share discharge data with the housing team” "
        "(overdue) is late"
    )


def test_scoring_again_in_the_round_replaces_the_members_scores(three):
    record(three, three.member_id, all_statements(1), on=days(0))
    result = health.report(three.db, three.footprint_id)
    assert len(result.assessors) == 3
    assert 1 in result.principles[0].statements[0].scores


def test_bad_rows_are_refused_whole_with_their_line_numbers(seeded):
    values = all_statements(3)
    text = scores_csv(values).replace("\n1.2,3,", "\n1.2,9,").replace("\n2.1,3,", "\n9.9,3,")
    text += '3.1,3,""\n' + 'meeting-less,2,""\n'
    with pytest.raises(ValidationFailed) as refused:
        health.record(
            seeded.db,
            footprint_id=seeded.footprint_id,
            framework_name=FRAMEWORK,
            member_id=seeded.member_id,
            rows=health.read_scores_csv(text),
        )
    message = str(refused.value)
    assert "line 3: score “9” for 1.2 is not a whole number from 1 (Not evident) to 5" in message
    assert "line 5: “9.9” is not a statement of partnership-assessment-tool" in message
    assert "line 20: statement 3.1 was scored already on line 8" in message
    assert "no row for statement 2.1" in message
    assert e.health_assessments.page(seeded.db).total == 0  # nothing stored


def test_evidence_must_name_records_that_exist(seeded):
    values = all_statements(3)
    with pytest.raises(ValidationFailed) as refused:
        record(seeded, seeded.member_id, values, evidence={"1.1": "meeting:nope"})
    assert "line 2: the evidence names meeting nope, which stpdesk does not hold" in str(
        refused.value
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda s: s.replace('{ id = "1.2", ', '{ id = "1.1", '),
            "statement 1.1 appears twice (principle P1 and principle P1)",
        ),
        (lambda s: s.replace('{ id = "2.3", ', "{ "), "principle P2, statement 3: give it an id"),
        (lambda s: s.replace("source = ", "origin = "), "give it a source"),
    ],
)
def test_a_broken_framework_file_is_refused_clearly(tmp_path, change, message):
    from importlib import resources

    shipped = resources.files("stpdesk.resources") / "frameworks" / f"{FRAMEWORK}.toml"
    mine = tmp_path / "ours.toml"
    mine.write_text(change(shipped.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(health.FrameworkProblem) as refused:
        health.frameworks(tmp_path)
    assert str(refused.value).startswith(f"{mine}: ")
    assert message in str(refused.value)


def test_a_council_framework_is_offered_beside_the_shipped_ones(tmp_path):
    (tmp_path / "ours.toml").write_text(
        'name = "ours"\ntitle = "Our check"\nsource = "Our own"\n[scale]\n'
        'levels = ["No", "Yes"]\n[[principles]]\nid = "A"\ntitle = "Trust"\n'
        'statements = [{ id = "A1", text = "We trust them." }]\n',
        encoding="utf-8",
    )
    known = health.frameworks(tmp_path)
    assert {FRAMEWORK, "health-and-wellbeing-maturity", "ours"} <= set(known)
    assert [s.id for s in known["ours"].statements] == ["A1"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_health_check_commands(capsys, seeded, tmp_path):
    db = str(seeded.db.path)
    seeded.db.close()
    code, out, _ = run(capsys, "health-check", "frameworks", "--json")
    listed = {fw["name"]: fw for fw in json.loads(out)}
    assert "Hardy, B., Hudson, B. and Waddington, E. (2003)" in listed[FRAMEWORK]["source"]
    assert [s["id"] for s in listed[FRAMEWORK]["statements"]][:3] == ["1.1", "1.2", "1.3"]
    bad = tmp_path / "bad.csv"
    bad.write_text(scores_csv(all_statements(3) | {"4.2": 0}), encoding="utf-8")
    args = [
        "health-check",
        "record",
        "--footprint",
        seeded.footprint_id,
        "--framework",
        FRAMEWORK,
        "--assessor",
        seeded.member_id,
        "--db",
        db,
    ]
    code, _, err = run(capsys, *args, "--scores", str(bad))
    assert code == 2 and "line 12: score “0” for 4.2" in err and "Traceback" not in err
    good = tmp_path / "good.csv"
    good.write_text(scores_csv(all_statements(3) | {"4.2": 5}), encoding="utf-8")
    code, out, _ = run(capsys, *args, "--scores", str(good))
    assert code == 0 and out.startswith("Recorded 18 scores against partnership-assessment-tool")
    code, out, _ = run(
        capsys, "health-check", "report", "--footprint", seeded.footprint_id, "--json", "--db", db
    )
    data = json.loads(out)
    report_args = ("health-check", "report", "--footprint", seeded.footprint_id, "--db", db)
    trust = data["principles"][3]
    assert (trust["median"], trust["spread"]) == (3, 2)
    assert trust["statements"][1] == trust["statements"][1] | {
        "id": "4.2",
        "median": 5,
        "spread": 0,
    }
    code, _, _ = run(capsys, *report_args, "-o", str(tmp_path / "report.pdf"))
    assert code == 0
    reader = PdfReader(io.BytesIO((tmp_path / "report.pdf").read_bytes()))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Partnership health check: Kent and Medway" in text
    assert "P4 Develop and maintain trust 3 Growing 2" in text
    assert "This is the first round" in text
    code, _, _ = run(capsys, *report_args, "-o", str(tmp_path / "report.html"))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<th" in html and "Median score by principle" in html


def test_health_checks_travel_in_dumps_and_bundles(three, tmp_path):
    dumped = exports.dump(three.db)["tables"]["health_assessment"]
    assert len(dumped) == 4
    other = open_database(tmp_path / "other.sqlite")
    try:
        exchange.export_bundle(three.db, tmp_path / "a.stpdesk")
        exchange.import_bundle(other, tmp_path / "a.stpdesk")
        copied = health.report(other, three.footprint_id)
        assert copied.principles[0].median == 3 and copied.previous_round_on is not None
    finally:
        other.close()


# --- the health check in the app ---------------------------------------------------------


@pytest.fixture
def dialog(qtbot, window, three):
    window.go_to_list("footprints").select(three.footprint_id)
    shown = window.show_health_check()
    qtbot.waitExposed(shown)
    yield shown
    shown.close()


def test_the_app_shows_medians_spreads_the_last_round_and_evidence(qtbot, dialog, three):
    assert dialog.footprint_box.currentData() == three.footprint_id
    table = dialog.table
    rows = {
        table.item(r, 0).text(): [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    }
    # principle 1 pools 1,5,2, 2,2,3, 4,3,4: median 3, spread 4; last round 2
    assert rows["P1"][2:] == ["3", health.framework(FRAMEWORK).levels[2], "4", "2", "+1"]
    assert rows["1.1"][2] == "2" and rows["1.1"][4] == "4"
    assert rows["1.1"][6].endswith("assessors disagree")
    assert "Assessors disagree (a spread of 2 or more) on 1 statement" in dialog.summary.text()
    assert dialog.chart.isVisibleTo(dialog)
    # the evidence of 3.2 names the commitment and opens it
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "3.2")
    table.selectRow(row)
    [line] = [dialog.evidence.item(i) for i in range(dialog.evidence.count())]
    assert line.text().startswith("3.2 Cllr Michelle Lowe: commitment “Share discharge data")
    opened = []
    dialog.ctx.open_record = lambda *which: opened.append(which)
    dialog.evidence.itemActivated.emit(line)
    assert opened == [("commitments", three.commitment_ids[0])]


def test_the_form_records_one_assessors_scores(qtbot, dialog, three):
    statements = health.framework(FRAMEWORK).statements
    kwame = next(
        i for i in range(dialog.assessor_box.count()) if "Kwame" in dialog.assessor_box.itemText(i)
    )
    dialog.tabs.setCurrentIndex(1)
    dialog.assessor_box.setCurrentIndex(kwame)
    for statement in statements[1:]:
        score, _evidence, _linked = dialog.rows[statement.id]
        score.setCurrentIndex(score.findData(5))
    # one statement left unscored: refused whole, saying which, nothing stored
    with qtbot.waitSignal(dialog.ctx.ops.idle, timeout=10_000):
        dialog.save_scores()
    assert dialog.problem.isVisibleTo(dialog)
    assert "Health check statement 1.1: choose a score from 1" in dialog.problem.text()
    before = health.report(three.db, three.footprint_id)
    assert before.principles[1].median != 5
    # scored, with evidence typed and a meeting linked from the picker
    score, evidence, linked = dialog.rows["1.1"]
    score.setCurrentIndex(score.findData(4))
    qtbot.keyClicks(evidence, "Board papers shared early")
    dialog._last_statement = "1.1"
    token = f"meeting:{three.meeting_id}"
    dialog._link_evidence(token)
    assert linked.text().startswith("Linked to 1.1: Meeting: ICS partnership board")
    with qtbot.waitSignal(dialog.recorded, timeout=10_000):
        dialog.save_scores()
    result = health.report(three.db, three.footprint_id)
    kwame_scores = {s.id: s for p in result.principles for s in p.statements}
    assert "Cllr Kwame Asante: Board papers shared early meeting “ICS partnership board”" in (
        " ".join(kwame_scores["1.1"].evidence)
    )
    # Kwame scored again in the same round: his scores replace his earlier ones
    assert sorted(kwame_scores["2.1"].scores) == sorted([5, 3, 4])
    assert dialog.tabs.currentIndex() == 0 and dialog.summary.text().startswith("Saved")


def test_the_app_saves_the_report_as_pdf_and_html(qtbot, dialog, tmp_path):
    for name in ("report.pdf", "report.html"):
        with qtbot.waitSignal(dialog.ctx.ops.idle, timeout=20_000):
            dialog.save_report(tmp_path / name)
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "report.pdf").pages)
    assert "Partnership health check: Kent and Medway" in " ".join(text.split())
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Median score by principle" in html


def test_the_footprint_pack_has_the_latest_health_check(three):
    from stpdesk.documents import packs

    data = packs.footprint_pack(three.db, three.footprint_id)
    flat = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    )
    start = flat.index("Partnership health check Partnership Assessment Tool: six principles")
    section = flat[start : flat.index("Engagement over time", start)]
    assert "Compared with the round started" in section
    assert "Median score by principle" in section
    # the table behind the chart: principle 1's median 3 (Growing), spread 4, was 2, +1
    assert "P1 Recognise and accept the need for partnership 3 Growing 4 2 +1" in section
    assert "The assessors disagree on: 1.1 The ICS partners accept" in section


def test_a_footprint_pack_without_a_health_check_says_so(seeded):
    from stpdesk.documents import packs

    data = packs.footprint_pack(seeded.db, seeded.footprint_id)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "No partnership health check of this footprint has been recorded yet" in " ".join(
        text.split()
    )
