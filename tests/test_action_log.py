"""The action log: every live commitment in the columns NHS boards publish their action
trackers in, as a workbook (read back with openpyxl) and a landscape PDF (read back with
pypdf), from the command line and the window; and the minute references it cites."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from conftest import days, long_date, pick
from openpyxl import load_workbook
from pypdf import PdfReader

from stpdesk.cli import main
from stpdesk.documents.action_log import save_action_log
from stpdesk.services import action_log, council, workflows
from stpdesk.services import entities as e
from stpdesk.services.errors import NotFound, ServiceError

# the offscreen platform says this as a picker's suggestions open; harmless
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

# spelt out here, not read from the code, so a change of order fails
HEADINGS = "Ref|Source|Action|Lead|Original due|Revised due|Status|Latest update|Who owes it"
ODD_TEXT = "Fix <b>bins</b> & rebuild the Łódź link"
SLIP_REASON = "Awaiting NHS England <draft> & sign-off"


@dataclass
class Logged:
    db: object
    seeded: object
    overdue: str  # the seed's, 12 days overdue, made at the meeting, minute 7.3
    slipped: str  # the seed's due in 9 days, moved twice
    odd: str  # markup-like text and Polish letters, green
    ours: str  # owed by us
    done: str  # delivered 4 days late, shown at the meeting
    dropped: str
    deleted: str

    @property
    def live(self) -> list[str]:
        return [self.overdue, self.slipped, self.odd, self.ours, self.done, self.dropped]


@pytest.fixture
def logged(seeded) -> Logged:
    db = seeded.db
    council.save_profile(db, {"name": "Sevenoaks District Council"})
    overdue, slipped = seeded.commitment_ids
    e.commitments.update(db, overdue, {"minute_ref": "7.3"})
    workflows.reschedule(db, slipped, new_due_date=days(30), reason="Board papers late")
    workflows.reschedule(
        db, slipped, new_due_date=days(60), reason=SLIP_REASON, meeting_id=seeded.meeting_id
    )

    def made(text: str, body: str, due: int, **more: str) -> str:
        return e.commitments.create(
            db, {"text": text, "body_id": body, "due_date": days(due), **more}
        ).id

    odd = made(ODD_TEXT, seeded.icb_id, 40, contact_id=seeded.contact_id)
    ours = made("Send the housing needs survey", seeded.icb_id, 20, direction="by_us")
    done = made("Publish the discharge protocol", seeded.trust_id, -30)
    workflows.mark_done(
        db,
        done,
        evidence="Protocol tabled",
        completed_on=days(-26),
        evidence_kind="meeting",
        evidence_ref=seeded.meeting_id,
    )
    dropped = made("Open a walk-in centre", seeded.trust_id, -10)
    workflows.drop(db, dropped, reason="Superseded by the ICB's plan")
    deleted = made("A commitment deleted since", seeded.trust_id, 5)
    e.commitments.delete(db, deleted)
    return Logged(db, seeded, overdue, slipped, odd, ours, done, dropped, deleted)


def _texts(logged: Logged) -> dict[str, str]:
    return {cid: e.commitments.get(logged.db, cid).text for cid in logged.live}


# --- the rows ---------------------------------------------------------------------------


def test_rows_say_where_each_was_promised_who_leads_and_where_it_stands(logged) -> None:
    log = action_log.action_log(logged.db)
    rows = {row.id: row for row in log.rows}
    assert set(rows) == set(logged.live)  # the deleted one is left out
    assert [row.direction.value for row in log.rows][-1] == "by_us"  # ours come last

    late = rows[logged.overdue]
    assert late.source == f"ICS partnership board, {long_date(-19)}, minute 7.3"
    assert late.lead == "Maidstone and Tunbridge Wells NHS Trust"
    assert (late.original_due, late.revised_due, late.revised_text) == (days(-12), None, "")
    assert late.status_line == "● Red: 12 days overdue"
    assert late.latest_update == ""

    slipped = rows[logged.slipped]
    assert (slipped.original_due, slipped.revised_due) == (days(9), days(60))
    assert slipped.revised_text == f"{long_date(60)} (moved twice)"
    assert slipped.status_line.startswith("● Red: Due in 60 days")
    assert slipped.latest_update == (
        f"On {long_date(0)} moved to {long_date(60)}: {SLIP_REASON}. "
        f"Agreed at ICS partnership board, {long_date(-19)}."
    )

    assert rows[logged.odd].lead == "NHS Kent and Medway ICB (Zofia Łukasiewicz)"
    assert rows[logged.odd].status_line == "✓ Green: Due in 40 days"
    assert rows[logged.ours].lead == "Sevenoaks District Council, for NHS Kent and Medway ICB"
    assert rows[logged.ours].owed == "Owed by us"
    assert rows[logged.done].status_line == f"▲ Amber: Done on {long_date(-26)} (4 days late)"
    assert rows[logged.done].latest_update == (
        f"Delivered: Protocol tabled; reported at ICS partnership board, {long_date(-19)}"
    )
    assert rows[logged.dropped].status_line == "Dropped"
    assert rows[logged.dropped].latest_update == "Dropped: Superseded by the ICB's plan"


def test_refs_come_from_the_id_and_never_change(logged) -> None:
    everything = {row.id: row.ref for row in action_log.action_log(logged.db).rows}
    assert len(set(everything.values())) == len(everything)
    assert everything[logged.odd] == "A-" + logged.odd.replace("-", "")[:8].upper()
    e.commitments.delete(logged.db, logged.overdue)  # another row goes; none is renumbered
    one_body = action_log.action_log(logged.db, body_id=logged.seeded.icb_id)
    assert {row.id: row.ref for row in one_body.rows} == {
        cid: everything[cid] for cid in (logged.slipped, logged.odd, logged.ours)
    }
    # two ids that share their first eight digits take more of them, until they differ
    refs = action_log.refs_for(["abcdef12-3456-0000", "abcdef12-3457-0000", "99999999-0000"])
    assert sorted(refs.values()) == ["A-99999999", "A-ABCDEF123456", "A-ABCDEF123457"]


def test_a_footprint_or_a_body_narrows_the_log_and_a_wrong_id_is_refused(logged) -> None:
    seeded = logged.seeded
    footprint = action_log.action_log(logged.db, footprint_id=seeded.footprint_id)
    assert footprint.scope == "Kent and Medway (Integrated Care System)"
    assert len(footprint.rows) == 6
    trust = action_log.action_log(logged.db, body_id=seeded.trust_id)
    assert {row.id for row in trust.rows} == {logged.overdue, logged.done, logged.dropped}
    assert action_log.action_log(logged.db, footprint_id=seeded.stp_id).rows == []
    with pytest.raises(NotFound, match="There is no body with id nope"):
        action_log.action_log(logged.db, body_id="nope")


# --- the workbook -------------------------------------------------------------------------


def test_workbook_has_the_columns_in_order_one_row_each_rag_fills_and_real_dates(
    logged, tmp_path
) -> None:
    target = tmp_path / "log.xlsx"
    save_action_log(logged.db, target)
    sheet = load_workbook(target)["Action log"]
    assert [cell.value for cell in sheet[1]] == HEADINGS.split("|")
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:I{len(logged.live) + 1}"
    assert sheet.column_dimensions["C"].width >= 50  # the action has room
    rows = {row[2].value: row for row in sheet.iter_rows(min_row=2)}
    texts = _texts(logged)
    assert sorted(rows) == sorted(texts.values())  # one row per live commitment

    def fill(cell) -> str:
        return cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else ""

    late = rows[texts[logged.overdue]]
    assert late[6].value == "● Red: 12 days overdue" and fill(late[6]) == "FFC7CE"
    assert late[4].value == datetime.combine(days(-12), datetime.min.time())
    assert late[4].number_format == "d mmmm yyyy" and late[5].value is None
    assert late[8].value == "Owed to us"

    slipped = rows[texts[logged.slipped]]
    assert slipped[4].value.date() == days(9) and slipped[5].value.date() == days(60)
    assert slipped[5].number_format.endswith('" (moved twice)"')
    assert SLIP_REASON in slipped[7].value

    green = rows[ODD_TEXT]  # user text arrives as it was typed
    assert green[6].value.startswith("✓ Green") and fill(green[6]) == "C6EFCE"
    done = rows[texts[logged.done]]
    assert done[6].value.startswith("▲ Amber: Done on") and fill(done[6]) == "FFEB9C"
    dropped = rows[texts[logged.dropped]]
    assert dropped[6].value == "Dropped" and fill(dropped[6]) == ""
    assert rows[texts[logged.ours]][8].value == "Owed by us"
    assert not list(tmp_path.glob("*.partial"))


# --- the PDF ----------------------------------------------------------------------------------


def _pages(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def test_pdf_is_landscape_and_carries_every_row_and_user_text_as_typed(logged, tmp_path) -> None:
    target = tmp_path / "log.pdf"
    log = save_action_log(logged.db, target)
    reader = PdfReader(target)
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    text = " ".join(_pages(target))
    for row in log.rows:
        assert row.ref in text and " ".join(row.action.split()) in text
    assert ODD_TEXT in text and "Zofia Łukasiewicz" in text
    assert SLIP_REASON in text  # the latest move's reason
    assert "Board papers late" not in text  # the move before it is not the latest update
    assert "A commitment deleted since" not in text
    assert "Owed to us" in text and "Owed by us" in text


def test_pdf_repeats_the_header_and_keeps_each_row_on_one_page(seeded, tmp_path) -> None:
    words = "the housing team will have the figures and the plan for the winter ahead " * 4
    for number in range(40):
        e.commitments.create(
            seeded.db,
            {"text": f"Item {number}: {words}", "body_id": seeded.icb_id, "due_date": days(number)},
        )
    with seeded.db.session() as session:  # a ref of the widest letters still fits its line
        session.connection().exec_driver_sql(
            "UPDATE commitment SET id = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd' "
            "WHERE text LIKE 'Item 7:%'"
        )
    target = tmp_path / "long.pdf"
    log = save_action_log(seeded.db, target, body_id=seeded.icb_id)
    assert "A-DDDDDDDD" in {row.ref for row in log.rows}
    pages = _pages(target)
    assert len(pages) > 3
    assert all("Ref Source Action Lead" in page for page in pages)  # the header, each page
    for row in log.rows:
        [page] = [page for page in pages if row.ref in page]
        assert " ".join(row.action.split()) in page  # the whole row on the ref's page


# --- the command line ------------------------------------------------------------------------


def _run(logged: Logged, *args: str) -> int:
    return main(["--db", str(logged.db.path), "export", "action-log", *args])


def test_command_line_writes_either_format_from_the_suffix(logged, tmp_path, capsys) -> None:
    logged.db.close()
    target = tmp_path / "kent.pdf"
    assert _run(logged, "--footprint", logged.seeded.footprint_id, "-o", str(target)) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"Wrote {target}: the action log of Kent and Medway")
    assert "6 actions: 2 red, 1 amber, 2 green, 1 dropped" in said
    assert ODD_TEXT in " ".join(_pages(target))
    sheet = tmp_path / "trust.xlsx"
    assert _run(logged, "--body", logged.seeded.trust_id, "-o", str(sheet)) == 0
    assert load_workbook(sheet)["Action log"].max_row == 4  # header and the trust's three
    assert _run(logged, "--body", logged.seeded.icb_id, "-o", str(sheet), "--force") == 0
    assert load_workbook(sheet)["Action log"].max_row == 4  # replaced: the ICB's three


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "{folder}/log.csv"], "give a file name ending in .xlsx or .pdf"),
        (["--body", "nope", "-o", "{folder}/log.pdf"], "There is no body with id nope."),
        (["--footprint", "nope", "-o", "{folder}/log.xlsx"], "no footprint with id nope"),
        (["--body", "a", "--footprint", "b", "-o", "{folder}/log.pdf"], "not allowed with"),
        (["-o", "{folder}/kept.pdf"], "already exists; choose a new name or add --force"),
        (["-o", "{folder}/missing/log.pdf"], "does not exist; create it first"),
    ],
)
def test_command_line_refuses_bad_input_and_writes_nothing(
    logged, tmp_path, capsys, args, message
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    kept = folder / "kept.pdf"
    kept.write_bytes(b"an earlier file")
    logged.db.close()
    before = logged.db.path.read_bytes()
    assert _run(logged, *(arg.format(folder=folder) for arg in args)) == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error
    assert sorted(path.name for path in folder.iterdir()) == ["kept.pdf"]
    assert kept.read_bytes() == b"an earlier file"
    assert logged.db.path.read_bytes() == before


def test_body_and_footprint_belong_to_the_action_log_only(logged, tmp_path, capsys) -> None:
    logged.db.close()
    target = tmp_path / "all.xlsx"
    args = ["--db", str(logged.db.path), "export", "xlsx", "--body", "x", "-o", str(target)]
    assert main(args) == 2
    assert "--body and --footprint go with “export action-log”" in capsys.readouterr().err
    assert not target.exists()


def test_a_wrong_suffix_is_refused_before_anything_is_read(tmp_path) -> None:
    with pytest.raises(ServiceError, match="ending in .xlsx or .pdf"):
        action_log.format_for(tmp_path / "log.docx")


# --- the window -------------------------------------------------------------------------------


def test_export_action_log_from_the_menu_for_one_body_as_pdf(
    qtbot, window, logged, tmp_path, monkeypatch
) -> None:
    from stpdesk.ui.actions import ActionId
    from stpdesk.ui.exchange import choosers

    asked: list[str] = []
    target = tmp_path / "trust"

    def save_file(parent, title, suggested, filters):  # noqa: ANN001, ANN202
        asked.append(suggested)
        return target  # a bare name: the chosen format's suffix is added

    monkeypatch.setattr(choosers, "save_file", save_file)
    window.actions[ActionId.EXPORT_ACTION_LOG].trigger()
    dialog = window.exchange.dialog
    pick(qtbot, dialog.body_picker, "Maidstone")
    assert dialog.one_body.isChecked()  # typing a body chooses "one body"
    dialog.pdf.setChecked(True)
    job = dialog.save()
    with qtbot.waitSignal(job.finished, timeout=10_000) as finished:
        pass
    assert asked[0].startswith("Action log - Maidstone and Tunbridge Wells NHS Trust ")
    written = tmp_path / "trust.pdf"
    assert finished.args[0].startswith("Wrote trust.pdf: the action log of Maidstone")
    assert window.statusBar().currentMessage() == finished.args[0]
    text = " ".join(_pages(written))
    texts = _texts(logged)
    assert texts[logged.done] in text and ODD_TEXT not in text  # the trust's only


def test_export_dialog_names_a_body_it_cannot_find_and_writes_nothing(
    qtbot, window, logged, monkeypatch
) -> None:
    from stpdesk.ui.exchange import choosers

    monkeypatch.setattr(choosers, "save_file", lambda *args: pytest.fail("no file to ask for"))
    dialog = window.exchange.show_action_log()
    dialog.one_body.setChecked(True)
    dialog.body_picker.setText("Nowhere Trust")
    assert dialog.save() is None
    assert "Body: there is no body called “Nowhere Trust”" in dialog.problem.text()
    assert dialog.isVisible() and window.exchange.export_job is None  # nothing started


# --- minute references ---------------------------------------------------------------------


def test_minute_refs_typed_in_the_meeting_editor_reach_the_log(qtbot, window, logged) -> None:
    editor = window.open_record("meetings", logged.seeded.meeting_id)
    form = editor.commitment_form
    form.fields["text"].setText("Bring the bed audit")
    pick(qtbot, form.fields["body_id"], "Maidstone")
    form.fields["due_date"].setText(days(20).isoformat())
    form.fields["minute_ref"].setText("8.1")
    editor.add_commitment_button.click()
    assert "minute 8.1 (new)" in editor.commitments_list.item(2).text()
    assert form.fields["minute_ref"].text() == ""  # ready for the next one
    editor.ask_form.fields["title"].setText("A housing lead on the board")
    pick(qtbot, editor.ask_form.fields["body_id"], "Kent and Medway ICB")
    editor.ask_form.fields["minute_ref"].setText("8.2")
    editor.add_ask_button.click()
    with qtbot.waitSignal(editor.saved, timeout=10_000):
        editor.save()
    rows = {row.action: row for row in action_log.action_log(logged.db).rows}
    assert rows["Bring the bed audit"].source.endswith(", minute 8.1")
    asks = {a.title: a for a in e.asks.page(logged.db, limit=50).rows}
    assert asks["A housing lead on the board"].minute_ref == "8.2"


def test_commitment_editor_keeps_a_minute_ref_and_refuses_a_long_one(qtbot, window, logged) -> None:
    editor = window.open_record("commitments", logged.odd)
    field = editor.form.fields["minute_ref"]
    field.setText("x" * 21)
    with qtbot.waitSignal(editor.save_failed, timeout=10_000):
        editor.save()
    assert "at most 20 characters" in editor.form.problems["minute_ref"].text()
    field.setText("12.4(b)")
    with qtbot.waitSignal(editor.saved, timeout=10_000):
        editor.save()
    assert e.commitments.get(logged.db, logged.odd).minute_ref == "12.4(b)"
    editor.close()
    again = window.open_record("asks", logged.seeded.ask_ids[0])
    assert again.form.fields["minute_ref"].text() == ""
    again.close()
