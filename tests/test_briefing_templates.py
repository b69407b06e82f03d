"""Templates: shipped and user templates, their headers, the sandbox, and clear errors."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from stpdesk.config import user_templates_dir
from stpdesk.documents import packs
from stpdesk.documents.content import Heading, ListBlock, NamedBlock, Paragraph, Table
from stpdesk.documents.templates import TemplateError, list_templates, load_template, render

HEADER = '+++\ntitle = "Mine"\nfor = "meeting"\n[options]\ncount = 2\n+++\n'


def _user(name: str, text: str) -> Path:
    folder = user_templates_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_templates_are_listed_with_their_header() -> None:
    infos = {info.name: info for info in list_templates()}
    assert infos["meeting-briefing"].target == "meeting"
    assert infos["footprint-briefing"].target == "footprint"
    assert infos["meeting-briefing"].options["history"] == 5
    assert all(info.problem is None for info in infos.values())


def test_a_user_template_overrides_a_shipped_one_and_adds_new_ones(seeded) -> None:
    _user(
        "meeting-briefing", HEADER + "# Our own pack\n\n{{ meeting.title }} x{{ options.count }}\n"
    )
    _user("extra", HEADER + "Extra\n")
    infos = {info.name: info for info in list_templates()}
    assert infos["meeting-briefing"].origin == "yours" and infos["extra"].origin == "yours"
    data = packs.meeting_pack(seeded.db, seeded.meeting_id, options={"count": "7"})
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Our own pack" in text and "ICS partnership board x7" in text


def test_markdown_becomes_blocks_and_data_stays_literal() -> None:
    info = load_template(
        "x",
        user_folder=_user(
            "x",
            HEADER
            + "# Head\n\n- **a** {{ v }}\n\n| A | B |\n|---|---|\n| {{ v }} | 2 |\n\n{{ page_break() }}\n",
        ).parent,
    )
    blocks = render(info, {"v": "*not em* <b>"}).blocks
    assert isinstance(blocks[0], Heading) and isinstance(blocks[1], ListBlock)
    item = blocks[1].items[0][0]
    assert isinstance(item, Paragraph) and item.spans[0].bold
    assert item.spans[-1].text == "*not em* <b>" and item.spans[-1].literal
    assert isinstance(blocks[2], Table) and blocks[2].rows[0][0][0].text == "*not em* <b>"
    assert isinstance(blocks[3], NamedBlock) and blocks[3].name == "page_break"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no header\n", "line 1: a template starts with a header"),
        ('+++\ntitle = "x"\n', "the header is not closed"),
        ('+++\ntitle = "x"\nfor = "cat"\n+++\n', "“for” set to one of meeting, footprint"),
        ('+++\ntitle = "x\nfor = "meeting"\n+++\n', "line 2: the header is not valid"),
        (HEADER + "ok\n{% for x in %}\n", "line 8:"),
        (HEADER + "ok\n\n{{ meeting.titel }}\n", "line 9:"),
        (HEADER + "{{ meeting.__class__.__mro__ }}\n", "line 7:"),
        (HEADER + "\n{{ bar_chart([[1]], title='t') }}\n", "line 8: chart row 1 needs a label"),
    ],
)
def test_a_broken_template_gets_its_file_and_line(seeded, text: str, message: str) -> None:
    path = _user("broken", text)
    with pytest.raises(TemplateError) as caught:
        packs.meeting_pack(seeded.db, seeded.meeting_id, template="broken")
    assert str(path) in str(caught.value)
    assert message in str(caught.value)
    listed = {info.name: info for info in list_templates()}
    if "{%" in text or not text.startswith(HEADER):  # found without running it
        assert message in (listed["broken"].problem or "")


def test_the_sandbox_cannot_reach_python(seeded) -> None:
    _user("sneaky", HEADER + "{{ ''.__class__.__mro__[1].__subclasses__() }}\n")
    with pytest.raises(TemplateError, match="sneaky.md"):
        packs.meeting_pack(seeded.db, seeded.meeting_id, template="sneaky")


def test_unknown_options_and_bad_values_are_refused(seeded) -> None:
    with pytest.raises(TemplateError, match="no option “colour”"):
        packs.meeting_pack(seeded.db, seeded.meeting_id, options={"colour": "red"})
    with pytest.raises(TemplateError, match="must be a whole number"):
        packs.meeting_pack(seeded.db, seeded.meeting_id, options={"history": "lots"})
    with pytest.raises(TemplateError, match="for a footprint, not a meeting"):
        packs.meeting_pack(seeded.db, seeded.meeting_id, template="footprint-briefing")


def test_an_edited_template_or_part_prints_its_new_text_next_time(seeded) -> None:
    _user("_part", "Part says {{ 'first' }}\n")
    path = _user("mine", HEADER + "# Edited\n\n{% include '_part.md' %}\n\n{{ '<b>kept</b>' }}\n")

    def first_page() -> str:
        data = packs.meeting_pack(seeded.db, seeded.meeting_id, template="mine")
        return PdfReader(io.BytesIO(data)).pages[0].extract_text()

    for _ in range(2):  # a second run prints the same: constants are data every time
        text = first_page()
        assert "Part says first" in text and "<b>kept</b>" in text
    _user("_part", "Part now says {{ 'second' }}\n")
    assert "Part now says second" in first_page()
    path.write_text(HEADER + "# Edited again\n\n{% include '_part.md' %}\n", encoding="utf-8")
    text = first_page()
    assert "Edited again" in text and "Part now says second" in text


def test_a_long_contents_numbers_every_heading_and_links_print_too(seeded) -> None:
    sections = "\n".join(
        f"# Section {i}\n\nSee [the plan](https://example.org/plan/{i}).\n\n## Detail {i}\n\n"
        + ("A line of text that fills the page. " * 40 + "\n\n") * (i % 3)
        for i in range(1, 61)
    )
    _user("long", HEADER + "{{ contents() }}\n\n" + sections)
    data = packs.meeting_pack(seeded.db, seeded.meeting_id, template="long")
    reader = PdfReader(io.BytesIO(data))

    def lines(page: object) -> list[str]:
        """The page's printed lines, each joined left to right."""
        found: dict[float, list[tuple[float, str]]] = {}

        def visit(text: str, cm: list, tm: list, _font: object, _size: object) -> None:
            if text.strip():
                y = round(tm[4] * cm[1] + tm[5] * cm[3] + cm[5], 1)
                found.setdefault(y, []).append((tm[4] * cm[0] + cm[4], text.strip()))

        page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
        return [" ".join(t for _, t in sorted(found[y])) for y in sorted(found, reverse=True)]

    entries = [
        (match[1], int(match[2]), number)
        for number, page in enumerate(reader.pages[:4], start=1)
        for line in lines(page)
        if (match := re.fullmatch(r"((?:Section|Detail) \d+)\s+(?:\.\s+)+(\d+)", line))
    ]
    assert len(entries) == 120 and len({page for _, _, page in entries}) >= 2
    for title, number, _ in entries:
        assert title in lines(reader.pages[number - 1]), (title, number)
    links = [
        annotation.get_object()["/A"].get("/URI")
        for page in reader.pages
        for annotation in page.get("/Annots") or []
        if "/A" in annotation.get_object()
    ]
    assert "https://example.org/plan/60" in links
