"""Briefing packs: what the printed PDF and the accessible HTML say, for the demo council."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from conftest import TODAY, iso, long_date
from pypdf import PdfReader

from stpdesk.cli import main
from stpdesk.documents import packs
from stpdesk.model.dates import LONDON, format_date
from stpdesk.services import briefing, dashboard, demo, engagement
from stpdesk.services import entities as e
from stpdesk.services.errors import Cancelled, NotFound
from stpdesk.store import Database, open_database


def squash(text: str) -> str:
    """Text without whitespace: table cells and long lines wrap wherever the page needs."""
    return "".join(text.split())


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    database = open_database(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    demo.build_demo(database, today=TODAY)
    yield database
    database.close()


def _meeting(db: Database, title: str, after: date = TODAY) -> str:
    rows = e.meetings.page(db, limit=200).rows
    return next(m.id for m in rows if m.title == title and m.starts_at.date() > after)


@pytest.fixture(scope="module")
def hwb_pack(demo_db: Database) -> tuple[str, str]:
    meeting_id = _meeting(demo_db, "Kent Health and Wellbeing Board")
    return meeting_id, pdf_text(packs.meeting_pack(demo_db, meeting_id, today=TODAY))


def test_meeting_pack_names_everyone_attending(
    demo_db: Database, hwb_pack: tuple[str, str]
) -> None:
    meeting_id, text = hwb_pack
    with demo_db.read() as session:
        people = e.meetings.attendees_of(session, [meeting_id])[meeting_id]
    assert len(people) >= 3
    for person in people:
        assert squash(person["name"]) in squash(text)
    assert "Zofia Łukasiewicz" in text  # the embedded font prints Polish letters


def test_meeting_pack_lists_overdue_commitments_with_days_overdue(
    demo_db: Database, hwb_pack: tuple[str, str]
) -> None:
    meeting_id, text = hwb_pack
    body_ids = set(e.meetings.links_of(demo_db, meeting_id)["body_ids"])
    overdue = [
        c
        for c in dashboard.dashboard(demo_db).overdue
        if c.body_id in body_ids and c.direction == "to_us"
    ]
    assert overdue, "the demo meeting should have overdue commitments to brief on"
    flat = squash(text)
    for commitment in overdue:
        days = (TODAY - commitment.due_date).days
        assert squash(commitment.text) in flat
        assert squash(f"{days} days overdue") in flat
    # the most overdue comes first in the table
    first, *rest = sorted(overdue, key=lambda c: c.due_date)
    positions = [flat.index(squash(c.text)) for c in (first, *rest)]
    assert positions[0] == min(positions)


def test_meeting_pack_lists_open_asks_and_talking_points(
    demo_db: Database, hwb_pack: tuple[str, str]
) -> None:
    meeting_id, text = hwb_pack
    body_ids = set(e.meetings.links_of(demo_db, meeting_id)["body_ids"])
    with demo_db.reader() as connection:
        open_asks = [
            ask for body_id in body_ids for ask in engagement.open_asks(connection, body_id)
        ]
    open_asks.sort(key=lambda ask: (ask.raised_on is None, ask.raised_on, ask.title))
    assert open_asks
    flat = squash(text)
    for ask in open_asks:
        assert squash(ask.title) in flat
    talking = flat[flat.index(squash("Suggested talking points"), flat.index("Contents") + 50) :]
    assert squash("Press") in talking
    assert squash(open_asks[0].title) in talking
    assert squash("days overdue") in talking


def test_meeting_pack_has_cover_contents_bookmarks_metadata_and_page_numbers(
    demo_db: Database, hwb_pack: tuple[str, str]
) -> None:
    meeting_id, _ = hwb_pack
    reader = PdfReader(io.BytesIO(packs.meeting_pack(demo_db, meeting_id, today=TODAY)))
    total = len(reader.pages)
    cover = reader.pages[0].extract_text()
    held_on = format_date(e.meetings.get(demo_db, meeting_id).starts_at)
    assert "Sevenoaks District Council" in cover and held_on in cover
    assert "OFFICIAL" in cover
    assert "Date" in cover and "Time" in cover and "object at 0x" not in cover  # facts table
    assert f"Page 2 of {total}" in reader.pages[1].extract_text()
    assert "Page 1 of" not in cover
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles[:3] == ["Purpose and agenda", "Who will be there", "History with these bodies"]
    assert "Suggested talking points" in titles
    assert reader.metadata.title == f"Briefing: Kent Health and Wellbeing Board, {held_on}"
    assert reader.metadata.author == "Sevenoaks District Council"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    contents = reader.pages[1].extract_text()
    assert "Contents" in contents
    assert all(title in contents for title in titles)


def test_footprint_pack_shows_lineage_bodies_charts_and_overdue(demo_db: Database) -> None:
    ics = next(f for f in e.footprints.page(demo_db).rows if f.kind == "ics")
    data = packs.footprint_pack(demo_db, ics.id, today=TODAY)
    text = pdf_text(data)
    flat = squash(text)
    assert squash("STP footprint") in flat and squash("Integrated Care System") in flat
    assert squash("NHS Kent and Medway Integrated Care Board") in flat
    assert "Meetings per quarter" in text and "Asks by outcome" in text
    pack = briefing.footprint_pack(demo_db, ics.id, on=TODAY)
    assert pack.meetings_total == sum(n for _, n in pack.meetings_per_quarter)
    assert [f.kind for f in pack.lineage] == ["STP footprint", "Integrated Care System"]
    for item in pack.overdue:
        assert squash(f"{item.days_overdue} days overdue") in flat


def test_html_version_is_accessible_and_escapes_user_text(demo_db: Database) -> None:
    ics = next(f for f in e.footprints.page(demo_db).rows if f.kind == "ics")
    html = packs.footprint_pack(demo_db, ics.id, fmt="html", today=TODAY).decode()
    assert '<html lang="en-GB">' in html
    assert '<th scope="col">Name</th>' in html
    pack = briefing.footprint_pack(demo_db, ics.id, on=TODAY)
    label, count = pack.meetings_per_quarter[-2]
    assert re.search(
        rf'<img src="data:image/svg\+xml;base64,[^"]+" alt="Meetings per quarter\. [^"]*{label}: {count}',
        html,
    )
    assert "<h1>Kent and Medway</h1>" in html and "<h2" in html


def _hostile_meeting(db: Database, notes: str, **extra: str) -> str:
    body = e.bodies.create(db, {"name": extra.get("body", "NHS <Test> & Co ICB"), "kind": "icb"})
    e.record_meeting(
        db,
        {
            "title": "Earlier",
            "starts_at": f"{long_date(-52)} 10:00",
            "body_ids": [body.id],
            "notes": notes,
        },
        asks_made=[
            {
                "title": extra.get("ask", "Ask **bold**"),
                "body_id": body.id,
                "raised_on": iso(-52),
            }
        ],
        commitments_given=[
            {
                "text": extra.get("commitment", "<i>promise"),
                "body_id": body.id,
                "due_date": iso(-48),
            }
        ],
    )
    meeting = e.meetings.create(
        db,
        {
            "title": extra.get("title", "Next {{ 7*7 }}"),
            "starts_at": f"{long_date(9)} 10:00",
            "body_ids": [body.id],
        },
    )
    return meeting.id


def test_user_text_prints_literally_never_as_markup(db: Database) -> None:
    notes = "<b>not bold</b> & <unclosed\n# not a heading\n{{ 6*7 }} {% if x %}\n**stars** [link](http://x)"
    meeting_id = _hostile_meeting(db, notes)
    text = pdf_text(packs.meeting_pack(db, meeting_id, today=TODAY))
    for line in notes.splitlines():
        assert line in text
    assert "Next {{ 7*7 }}" in text and "49" not in text and "42" not in text
    assert "NHS <Test> & Co ICB" in text and "<i>promise" in text and "Ask **bold**" in text
    html = packs.meeting_pack(db, meeting_id, fmt="html", today=TODAY).decode()
    assert "&lt;b&gt;not bold&lt;/b&gt; &amp; &lt;unclosed" in html
    assert "<b>not" not in html and "{{ 6*7 }}" in html


def test_every_script_prints_and_emoji_become_a_visible_mark(db: Database) -> None:
    notes = "Łódź, Ćwierć; Ŵyn ŷ Llanfair; Zoë Brontë; مرحبا; thumbs 👍 up"
    meeting_id = _hostile_meeting(db, notes)
    text = pdf_text(packs.meeting_pack(db, meeting_id, today=TODAY))
    assert "Łódź, Ćwierć; Ŵyn ŷ Llanfair; Zoë Brontë" in text
    assert "thumbs \ufffd up" in text


def test_a_ten_thousand_line_note_flows_across_pages(db: Database) -> None:
    notes = "\n".join(
        f"Line {n} of a very long note about <housing> & health" for n in range(10_000)
    )
    meeting_id = _hostile_meeting(db, notes, commitment="\n".join(f"step {n}" for n in range(500)))
    data = packs.meeting_pack(db, meeting_id, today=TODAY)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 150
    last = reader.pages[-1].extract_text()
    assert "Line 9999 of a very long note about <housing> & health" in last
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in last
    text = "\n".join(page.extract_text() for page in reader.pages[:40])  # before the notes
    assert "step 499" in text  # a commitment too long for its cell continues as a note
    assert squash("continued in note 1 below this table") in squash(text)


def test_unknown_meeting_and_footprint_are_clear_errors(db: Database) -> None:
    with pytest.raises(NotFound, match="no meeting with id nope"):
        packs.meeting_pack(db, "nope")
    with pytest.raises(NotFound, match="no footprint with id nope"):
        packs.footprint_pack(db, "nope")


def test_batch_writes_one_pack_per_upcoming_meeting_and_a_combined_file(
    demo_db: Database, tmp_path: Path
) -> None:
    expected = briefing.upcoming_meeting_ids(demo_db, 14, on=TODAY)
    assert len(expected) >= 2
    seen: list[tuple[int, int]] = []
    result = packs.upcoming_packs(
        demo_db,
        14,
        folder=tmp_path / "packs",
        combined=tmp_path / "all.pdf",
        today=TODAY,
        progress=lambda done, total, message: seen.append((done, total)),
    )
    assert result.meetings == len(expected)
    pdfs = sorted((tmp_path / "packs").glob("*.pdf"))
    assert len(pdfs) == len(expected)
    first = e.meetings.get(demo_db, expected[0]).starts_at.astimezone(LONDON).date()
    assert pdfs[0].name.startswith(f"{first.isoformat()} ")
    combined = PdfReader(tmp_path / "all.pdf")
    assert [item.title for item in combined.outline if not isinstance(item, list)][0].startswith(
        "Briefing: "
    )
    assert seen[-1] == (len(expected) + 1, len(expected) + 1)


def test_stopping_a_batch_writes_nothing(demo_db: Database, tmp_path: Path) -> None:
    with pytest.raises(Cancelled):
        packs.upcoming_packs(
            demo_db, 14, folder=tmp_path / "packs", today=TODAY, cancelled=lambda: True
        )
    assert not (tmp_path / "packs").exists() or not any((tmp_path / "packs").iterdir())


def test_cli_brief_and_templates(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    meeting_id = _meeting(demo_db, "Kent Health and Wellbeing Board")
    out = tmp_path / "pack.pdf"
    assert main(["brief", "--db", str(demo_db.path), "--meeting", meeting_id, "-o", str(out)]) == 0
    assert "Kent Health and Wellbeing Board" in pdf_text(out.read_bytes())
    html = tmp_path / "pack.html"
    assert main(["brief", "--db", str(demo_db.path), "--meeting", meeting_id, "-o", str(html)]) == 0
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    capsys.readouterr()
    missing = tmp_path / "missing.pdf"
    assert main(["brief", "--db", str(demo_db.path), "--meeting", "nope", "-o", str(missing)]) == 2
    assert "There is no meeting with id nope" in capsys.readouterr().err
    assert not missing.exists()
    assert (
        main(
            [
                "brief",
                "--db",
                str(demo_db.path),
                "--meeting",
                meeting_id,
                "--template",
                "nope",
                "-o",
                str(missing),
            ]
        )
        == 2
    )
    assert "no template called “nope”" in capsys.readouterr().err
    assert (
        main(
            [
                "brief",
                "--db",
                str(demo_db.path),
                "--meeting",
                meeting_id,
                "-o",
                str(tmp_path / "a.doc"),
            ]
        )
        == 2
    )
    assert ".pdf" in capsys.readouterr().err
    assert main(["templates"]) == 0
    listing = capsys.readouterr().out
    assert "meeting-briefing" in listing and "footprint-briefing" in listing


def _lines(page: object) -> list[tuple[float, str]]:
    """A page's text as printed lines (top to bottom), each joined left to right."""
    found: dict[float, list[tuple[float, str]]] = {}

    def visit(text: str, cm: list, tm: list, _font: object, _size: object) -> None:
        if text.strip():
            y = round(tm[4] * cm[1] + tm[5] * cm[3] + cm[5], 1)
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            found.setdefault(y, []).append((x, text.strip()))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return [
        (y, " ".join(text for _, text in sorted(found[y]))) for y in sorted(found, reverse=True)
    ]


def test_contents_page_numbers_name_the_page_each_heading_is_on(
    demo_db: Database, hwb_pack: tuple[str, str]
) -> None:
    meeting_id, _ = hwb_pack
    data = packs.meeting_pack(demo_db, meeting_id, today=TODAY, options={"asks_listed": 60})
    reader = PdfReader(io.BytesIO(data))
    entries = [
        (match[1], int(match[2]))
        for _, line in _lines(reader.pages[1])
        if (match := re.fullmatch(r"(.+?)\s+(?:\.\s+)+(\d+)", line))
    ]
    assert [title for title, _ in entries[:3]] == [
        "Purpose and agenda",
        "Briefing notes",
        "Who will be there",
    ]
    assert "Suggested talking points" in [title for title, _ in entries]
    assert len({page for _, page in entries}) >= 3  # the headings are spread over pages
    for title, number in entries:
        # the page named shows the heading on a line of its own (not a contents line)
        shown = [line for _, line in _lines(reader.pages[number - 1])]
        assert title in shown, f"contents says {title!r} is on page {number}"
        if number > 2:
            earlier = [line for _, line in _lines(reader.pages[number - 2])]
            assert title not in earlier, f"{title!r} starts before page {number}"
    # each entry (its title and its page number) links to the page it names
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages, start=1)}
    links = sorted(
        (-float(link["/Rect"][1]), pages[link["/Dest"][0].idnum])
        for link in (annotation.get_object() for annotation in reader.pages[1]["/Annots"])
        if link.get("/Subtype") == "/Link"
    )
    rows: list[tuple[float, set[int]]] = []
    for top, page in links:  # links within a few points of each other are on one line
        if rows and top - rows[-1][0] < 5:
            rows[-1][1].add(page)
        else:
            rows.append((top, {page}))
    assert [targets for _, targets in rows] == [{number} for _, number in entries]


def test_a_pack_lists_the_most_pressing_asks_and_commitments_first(seeded) -> None:
    db, today = seeded.db, TODAY
    rows = [
        ("Low and old", "low", iso(-1052), seeded.icb_id),
        ("High and recent", "high", iso(-52), seeded.trust_id),
        ("High and old", "high", iso(-659), seeded.icb_id),
        ("High, undated", "high", None, seeded.trust_id),
        ("Medium, same day B", "medium", iso(-539), seeded.trust_id),
        ("Medium, same day A", "medium", iso(-539), seeded.icb_id),
    ]
    for title, priority, raised, body in rows:
        e.asks.create(
            db, {"title": title, "priority": priority, "raised_on": raised, "body_id": body}
        )
    for text, due, body in [
        ("Due long ago", iso(-690), seeded.icb_id),
        ("Undated", None, seeded.trust_id),
        ("Due soon", iso(32), seeded.trust_id),
    ]:
        e.commitments.create(db, {"text": text, "due_date": due, "body_id": body})
    pack = briefing.meeting_pack(
        db, seeded.meeting_id, on=today, asks_listed=5, commitments_listed=3
    )
    assert [ask.title for ask in pack.open_asks] == [
        "High and old",
        "High and recent",
        "High, undated",
        "Medium, same day A",
        "Medium, same day B",
    ]
    assert pack.open_asks_total == 8  # two from the meeting itself, and the six above
    owed = [item.text for item in pack.owed_to_us]
    assert owed == [
        "Due long ago",
        "Share discharge data with the housing team",
        "Reply on board membership",
    ]
    assert pack.owed_to_us_total == 5
    everything = briefing.meeting_pack(db, seeded.meeting_id, on=today, commitments_listed=9)
    assert [item.text for item in everything.owed_to_us][-1] == "Undated"


def test_packs_leave_the_garbage_collector_as_they_found_it(seeded) -> None:
    """A pack collects less often while it is made; made alone, side by side or failing
    half-way, the collector is set back as it was once the last one ends."""
    import gc
    import threading

    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []

    def gather() -> None:
        seen.append(gc.get_threshold())
        raise NotFound("There is no meeting with id x.")

    with pytest.raises(NotFound):
        packs._make_pack(gather, "pdf", None, None)
    assert seen[0][0] > before[0] and gc.get_threshold() == before
    started = threading.Barrier(3)
    failures: list[BaseException] = []

    def one() -> None:
        try:
            started.wait(10)
            assert packs.meeting_pack(seeded.db, seeded.meeting_id).startswith(b"%PDF")
        except BaseException as error:  # noqa: BLE001 - reported below, on the main thread
            failures.append(error)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    started.wait(10)
    for thread in threads:
        thread.join(60)
    assert failures == [] and gc.get_threshold() == before
