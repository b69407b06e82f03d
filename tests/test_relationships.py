"""The relationship map: values on bodies and contacts, their history, the grid's
quadrants, the map page (drag, keys, undo), `stpdesk map`, and the footprint pack."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from stpdesk.cli import main
from stpdesk.model.relationships import Quadrant, quadrant
from stpdesk.services import entities as e
from stpdesk.services import exchange, exports, relationships
from stpdesk.services.errors import ValidationFailed
from stpdesk.store import open_database


def place_seed(seeded) -> None:
    """The ICB and its director on the map; the trust left off."""
    e.bodies.update(
        seeded.db, seeded.icb_id, {"influence": 5, "interest": 4, "strength": "working"}
    )
    e.contacts.update(seeded.db, seeded.contact_id, {"influence": 2, "interest": 5})


# --- the one definition of the quadrants ---------------------------------------------


@pytest.mark.parametrize(
    ("influence", "interest", "expected"),
    [
        (3, 3, Quadrant.manage_closely),  # the middle of the scale counts as high
        (5, 5, Quadrant.manage_closely),
        (3, 2, Quadrant.keep_satisfied),
        (5, 1, Quadrant.keep_satisfied),
        (2, 3, Quadrant.keep_informed),
        (1, 5, Quadrant.keep_informed),
        (2, 2, Quadrant.monitor),
        (1, 1, Quadrant.monitor),
    ],
)
def test_quadrants_on_their_boundaries(influence, interest, expected):
    assert quadrant(influence, interest) is expected


# --- services ---------------------------------------------------------------------------


def test_values_are_kept_and_the_map_reads_them(seeded):
    place_seed(seeded)
    mapped = relationships.relationship_map(seeded.db, footprint_id=seeded.footprint_id)
    by_name = {point.name: point for point in mapped.points}
    icb = by_name["NHS Kent and Medway ICB"]
    assert (icb.influence, icb.interest, icb.strength) == (5, 4, "Working")
    assert icb.quadrant is Quadrant.manage_closely
    zofia = by_name["Zofia Łukasiewicz"]
    assert zofia.body == "NHS Kent and Medway ICB" and zofia.quadrant is Quadrant.keep_informed
    assert mapped.unmapped == 1  # the trust
    only_trusts = relationships.relationship_map(seeded.db, body_kind="nhs_trust")
    assert only_trusts.points == [] and only_trusts.unmapped == 1


@pytest.mark.parametrize("given", [0, 6, "7", "high", 2.5, -1])
def test_out_of_range_input_is_refused_with_the_field_and_the_scale(seeded, given):
    with pytest.raises(ValidationFailed) as refused:
        e.bodies.update(seeded.db, seeded.icb_id, {"influence": given})
    message = str(refused.value)
    assert message.startswith("Body influence: ")
    assert "from 1 (least) to 5 (most)" in message
    assert e.bodies.get(seeded.db, seeded.icb_id).influence is None  # nothing changed


def test_an_unknown_strength_is_refused(seeded):
    with pytest.raises(ValidationFailed) as refused:
        e.contacts.update(seeded.db, seeded.contact_id, {"strength": "cordial"})
    assert "Contact relationship strength" in str(refused.value)


def test_history_shows_how_each_value_moved(seeded):
    place_seed(seeded)
    before = relationships.place(seeded.db, "body", seeded.icb_id, 4, 2)
    assert before == (5, 4)
    e.bodies.update(seeded.db, seeded.icb_id, {"strength": "strong"})
    texts = [change.text for change in relationships.history(seeded.db, "body", seeded.icb_id)]
    assert texts == [
        "Influence set to 5",
        "Interest set to 4",
        "Strength set to Working",
        "Influence moved from 5 to 4",
        "Interest moved from 4 to 2",
        "Strength moved from Working to Strong",
    ]


def test_map_values_survive_a_json_dump_and_a_bundle(seeded, tmp_path):
    place_seed(seeded)
    dumped = exports.dump(seeded.db)["tables"]
    [icb] = [row for row in dumped["body"] if row["id"] == seeded.icb_id]
    assert (icb["influence"], icb["interest"], icb["strength"]) == (5, 4, "working")
    other = open_database(tmp_path / "other.sqlite")
    try:
        exchange.export_bundle(seeded.db, tmp_path / "a.stpdesk")
        exchange.import_bundle(other, tmp_path / "a.stpdesk")
        copied = e.bodies.get(other, seeded.icb_id)
        assert (copied.influence, copied.interest, copied.strength.value) == (5, 4, "working")
        assert e.contacts.get(other, seeded.contact_id).interest == 5
    finally:
        other.close()


# --- the command line -----------------------------------------------------------------


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_map_command_text_json_pdf_and_png(capsys, seeded, tmp_path):
    place_seed(seeded)
    seeded.db.close()
    db = str(seeded.db.path)
    code, out, _ = run(capsys, "map", "--db", db)
    assert code == 0
    assert "Manage closely (high influence, high interest): 1" in out
    assert "NHS Kent and Medway ICB — influence 5, interest 4, working relationship" in out
    assert "Not yet on the map: 1." in out
    code, out, _ = run(capsys, "map", "--footprint", seeded.footprint_id, "--json", "--db", db)
    data = json.loads(out)
    assert [(p["name"], p["quadrant"]) for p in data["points"]] == [
        ("NHS Kent and Medway ICB", "Manage closely"),
        ("Zofia Łukasiewicz", "Keep informed"),
    ]
    code, out, _ = run(capsys, "map", "-o", str(tmp_path / "map.pdf"), "--db", db)
    assert code == 0
    text = PdfReader(tmp_path / "map.pdf").pages[0].extract_text()
    assert "Relationship map" in text and "Zofia Łukasiewicz" in text and "Keep informed" in text
    code, out, _ = run(capsys, "map", "-o", str(tmp_path / "map.png"), "--db", db)
    assert code == 0 and (tmp_path / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    picture = QImage(str(tmp_path / "map.png"))
    # white paper around the grid, so its title, axes and legend can be read (Qt painted
    # ReportLab's clip path as a black box over all of it)
    assert picture.pixelColor(3, 3).name() == "#ffffff"


def test_map_command_refuses_a_bad_footprint_or_file(capsys, seeded, tmp_path):
    seeded.db.close()
    db = str(seeded.db.path)
    code, _, err = run(capsys, "map", "--footprint", "nope", "--db", db)
    assert code == 2 and "There is no footprint with id nope" in err
    code, _, err = run(capsys, "map", "-o", str(tmp_path / "map.docx"), "--db", db)
    assert code == 2 and "name a .pdf or a .png file" in err
    assert not (tmp_path / "map.docx").exists()


def test_list_json_carries_the_map(capsys, seeded):
    place_seed(seeded)
    seeded.db.close()
    _, out, _ = run(capsys, "list", "bodies", "--json", "--db", str(seeded.db.path))
    icb = next(row for row in json.loads(out) if row["id"] == seeded.icb_id)
    assert (icb["influence"], icb["interest"], icb["strength"]) == (5, 4, "working")
    _, out, _ = run(capsys, "list", "contacts", "--json", "--db", str(seeded.db.path))
    [zofia] = json.loads(out)
    assert (zofia["influence"], zofia["interest"], zofia["strength"]) == (2, 5, "none")


# --- the footprint pack -----------------------------------------------------------------


def test_footprint_pack_has_the_grid_and_its_table(seeded):
    from stpdesk.documents import packs

    place_seed(seeded)
    data = packs.footprint_pack(seeded.db, seeded.footprint_id)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    text = " ".join(text.split())
    assert "Relationship map" in text and "Influence and interest" in text
    assert "1 NHS Kent and Medway ICB 5 4 Working Manage closely" in text
    assert "2 Zofia Łukasiewicz (NHS Kent and Medway ICB) 2 5 None Keep informed" in text
    assert "1 body or person in this footprint is not on the map yet" in text
    html = packs.footprint_pack(seeded.db, seeded.footprint_id, fmt="html").decode()
    assert "influence 5, interest 4, working relationship, manage closely" in html


# --- the map page -----------------------------------------------------------------------


@pytest.fixture
def map_page(qtbot, seeded):
    from conftest import open_window

    place_seed(seeded)
    window = open_window(qtbot, seeded.db)
    from stpdesk.ui.app import MAP_SECTION

    with qtbot.waitSignal(window.ops.idle, timeout=10_000):
        window.go_to(MAP_SECTION)
    page = window.relationship_map
    qtbot.waitUntil(lambda: len(page.items()) == 2)
    return window, page


def _point(page, record_id):
    item = page.item_for(record_id)
    assert item is not None
    return item


def test_map_page_shows_the_points_and_the_same_table(map_page):
    _window, page = map_page
    assert page.table.rowCount() == 2
    rows = [
        [page.table.item(row, column).text() for column in range(page.table.columnCount())]
        for row in range(2)
    ]
    assert rows[0] == [
        "NHS Kent and Medway ICB",
        "Integrated Care Board",
        "5",
        "4",
        "Working",
        "Manage closely",
    ]
    assert rows[1][0] == "Zofia Łukasiewicz (NHS Kent and Medway ICB)"
    assert "2 on the map; 1 not placed yet" in page.summary.text()


def test_drag_saves_and_undo_puts_it_back(qtbot, map_page, seeded):
    from PySide6.QtCore import QPoint, Qt

    from stpdesk.ui.relationship_map import centre_of

    window, page = map_page
    item = _point(page, seeded.icb_id)
    view = page.view
    start = view.mapFromScene(item.scenePos())
    end = view.mapFromScene(centre_of(2, 1))
    viewport = view.viewport()
    with qtbot.waitSignal(page.saved, timeout=10_000):
        qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
        for step in range(1, 6):
            qtbot.mouseMove(viewport, start + (end - start) * step / 5)
        qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    saved = e.bodies.get(seeded.db, seeded.icb_id)
    assert (saved.influence, saved.interest) == (2, 1)
    assert page.table.item(1, 5).text() == "Monitor"  # the table moved with it
    assert window.actions[window_undo()].isEnabled()
    with qtbot.waitSignal(page.saved, timeout=10_000):
        window.actions[window_undo()].trigger()  # Ctrl+Z on the map page
    back = e.bodies.get(seeded.db, seeded.icb_id)
    assert (back.influence, back.interest) == (5, 4)
    assert QPoint  # the drag was made of real mouse events on the viewport


def window_undo():
    from stpdesk.ui.actions import ActionId

    return ActionId.UNDO_DELETE


def test_arrow_keys_move_the_focused_point_and_enter_opens_it(qtbot, map_page, seeded):
    from PySide6.QtCore import Qt

    window, page = map_page
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Tab)  # the first point: the ICB
    assert page.focused_id() == seeded.icb_id
    with qtbot.waitSignal(page.saved, timeout=10_000):
        qtbot.keyClick(page.view, Qt.Key.Key_Down)
    with qtbot.waitSignal(page.saved, timeout=10_000):
        qtbot.keyClick(page.view, Qt.Key.Key_Left)
    saved = e.bodies.get(seeded.db, seeded.icb_id)
    assert (saved.influence, saved.interest) == (4, 3)
    assert page.focused_id() == seeded.icb_id  # focus stays on the point after reloading
    with qtbot.waitSignal(page.saved, timeout=10_000):
        page.undo()
    assert e.bodies.get(seeded.db, seeded.icb_id).interest == 4
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert ("bodies", seeded.icb_id) in window.editors


def test_clicking_a_point_opens_its_record(qtbot, map_page, seeded):
    from PySide6.QtCore import Qt

    window, page = map_page
    item = _point(page, seeded.contact_id)
    at = page.view.mapFromScene(item.scenePos())
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert ("contacts", seeded.contact_id) in window.editors
    assert e.contacts.get(seeded.db, seeded.contact_id).influence == 2  # not moved


def test_filters_narrow_the_map(qtbot, map_page):
    _window, page = map_page
    index = page.kind_box.findData("nhs_trust")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.kind_box.setCurrentIndex(index)
    assert page.items() == [] and page.table.rowCount() == 0
    assert "No one is on the map yet; 1 not placed yet" in page.summary.text()


def test_the_footprint_filter_follows_footprints_added_and_renamed(qtbot, map_page, seeded):
    window, page = map_page
    page.footprint_box.setCurrentIndex(page.footprint_box.findData(seeded.footprint_id))
    qtbot.waitUntil(lambda: not page._loading)
    added = e.footprints.create(seeded.db, {"name": "Sussex", "kind": "ics"})
    e.footprints.update(seeded.db, seeded.footprint_id, {"name": "Kent & Medway ICS"})
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        window.refresh({"footprints"})  # what the window does after any change to them
    offered = {
        page.footprint_box.itemData(i): page.footprint_box.itemText(i)
        for i in range(page.footprint_box.count())
    }
    assert offered[added.id].startswith("Sussex")
    assert "Kent & Medway ICS" in offered[seeded.footprint_id]
    assert page.footprint_box.currentData() == seeded.footprint_id  # the choice is kept
