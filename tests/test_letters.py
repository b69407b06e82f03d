"""Letters: what the PDF and the Word file say, the letter layout, the log, and bad input."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from conftest import TODAY, days, iso, long_date
from docx import Document as read_docx
from pypdf import PdfReader
from sqlmodel import func, select

from stpdesk.cli import main
from stpdesk.documents import letters
from stpdesk.documents.templates import TemplateError
from stpdesk.model import clock
from stpdesk.model import tables as t
from stpdesk.model.enums import LetterStatus
from stpdesk.services import council
from stpdesk.services import entities as e
from stpdesk.services import letters as service
from stpdesk.services.errors import ServiceError, ValidationFailed
from stpdesk.services.letters import LetterRequest

TODAY_TEXT = long_date(0)
ADDRESS = (
    "The Secretary of State for Health and Social Care\n"
    "Department of Health and Social Care\n39 Victoria Street\nLondon\nSW1H 0EU"
)


def png(width: int = 60, height: int = 30) -> bytes:
    """A small solid-blue PNG, made by hand so the tests need no imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x1d\x4f\x91" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def compose(db, request: LetterRequest, out: Path) -> service.SavedLetter:
    """What the composer and ``stpdesk letter`` do: lay the letter out, then save and log it."""
    return service.save_letter(db, letters.render_letter(db, request, letters.format_for(out)), out)


@pytest.fixture
def record(seeded):
    """The seeded record plus a council profile with a logo, three signatories and asks
    with the case for each."""
    db = seeded.db
    council.save_profile(
        db,
        {"name": "Sevenoaks District Council", "address": "Council Offices\nArgyle Road\nTN13 1HG"},
        logo=png(),
    )
    leaders = [
        e.members.create(db, {"name": n, "position": p, "council": c}).id
        for n, p, c in (
            ("Peter Fleetwood", "Leader of the Council", None),
            ("Nicolas Heslop", "Chair of SEEC", "Tonbridge & Malling Borough Council"),
            ("Martin Tett", "Leader", "Buckinghamshire County Council"),
        )
    ]
    asks = [
        e.asks.create(
            db,
            {
                "title": title,
                "rationale": rationale,
                "body_id": seeded.icb_id,
                "raised_on": iso(-52),
            },
        ).id
        for title, rationale in (
            ("Co-chair the footprint with council leaders", "Equal partners share the chair."),
            ("Agree how savings are measured", "No one can say what integration saved."),
            ("Remove the benefit cap for supported housing", "Too little is being built."),
        )
    ]
    seeded.signatories = [seeded.member_id, *leaders]
    seeded.solutions = asks
    return seeded


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def letters_logged(db) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(t.Letter)).one()


def joint_request(record, order: list[int], **changes) -> LetterRequest:
    values = {
        "template": "joint-solutions",
        "to_address": ADDRESS,
        "ask_ids": [record.solutions[i] for i in order],
        "signatory_ids": record.signatories,
        "cc": ["Kent County Council"],
        "letter_date": TODAY,
    }
    values.update(changes)
    return LetterRequest(**values)


def test_joint_letter_pdf_says_everything_in_the_chosen_order(record, tmp_path: Path) -> None:
    out = tmp_path / "joint.pdf"
    result = compose(record.db, joint_request(record, [2, 0, 1]), out)
    pages = pdf_text(out.read_bytes())
    text = flat(" ".join(pages))
    numbered = re.findall(r"([1-9])\. (Remove the|Co-chair the|Agree how)", text)
    assert numbered == [("1", "Remove the"), ("2", "Co-chair the"), ("3", "Agree how")]
    assert "Too little is being built." in text  # each solution's case follows its title
    for name, position in (
        ("Cllr Michelle Lowe", "Cabinet Member for Housing and Health"),
        ("Cllr Peter Fleetwood", "Leader of the Council"),
        ("Cllr Nicolas Heslop", "Chair of SEEC"),
        ("Cllr Martin Tett", "Leader"),
    ):
        assert name in text and position in text
    assert "Tonbridge & Malling Borough Council" in text
    assert "The Secretary of State for Health and Social Care" in pages[0]
    assert "SW1H 0EU" in pages[0]
    assert TODAY_TEXT in pages[0]
    assert "Dear Sir or Madam," in text and "Yours faithfully," in text
    assert "cc: Kent County Council" in text
    # logged: recipient, signatories and asks in order, date, file and status
    letter = result.letter
    assert letter.recipient_address == ADDRESS and letter.letter_date == TODAY
    assert letter.status == LetterStatus.draft and letter.file_path == str(out.resolve())
    links = e.letters.links_of(record.db, letter.id)
    assert links["ask_ids"] == [record.solutions[i] for i in (2, 0, 1)]
    assert links["signatory_ids"] == record.signatories


def test_joint_letter_docx_has_real_structure(record, tmp_path: Path) -> None:
    out = tmp_path / "joint.docx"
    compose(record.db, joint_request(record, [1, 2, 0]), out)
    doc = read_docx(str(out))
    assert doc.tables == []  # no layout tables: text is paragraphs
    styles = [(p.style.name, p.text) for p in doc.paragraphs]
    headings = [text for style, text in styles if style.startswith("Heading")]
    assert headings == [
        "Solutions to improve the integration of health, care and housing",
        "Our proposals",
    ]
    numbered = [p for p in doc.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in numbered] == [
        "Agree how savings are measured",
        "Remove the benefit cap for supported housing",
        "Co-chair the footprint with council leaders",
    ]
    assert all(p._p.pPr.numPr is not None for p in numbered)  # Word numbering, not typed
    body = "\n".join(text for _, text in styles)
    for name, position in (
        ("Cllr Michelle Lowe", "Cabinet Member for Housing and Health"),
        ("Cllr Martin Tett", "Leader"),
        ("Cllr Nicolas Heslop", "Chair of SEEC"),
    ):
        assert name in body and position in body
    assert "SW1H 0EU" in body and TODAY_TEXT in body
    # letterhead on the first page only; later pages say who it is to, the date, page x of y
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    first = "\n".join(p.text for p in section.first_page_header.paragraphs)
    assert "Sevenoaks District Council" in first and "TN13 1HG" in first
    later = section.header.paragraphs[0]
    assert f"The Secretary of State for Health and Social Care · {TODAY_TEXT}" in later.text
    assert "NUMPAGES" in later._p.xml
    # the closing line and signatures stay together
    closing = next(p for p in doc.paragraphs if p.text == "Yours faithfully,")
    assert closing.paragraph_format.keep_with_next


def test_a_three_page_letter_keeps_its_structure(record, tmp_path: Path) -> None:
    db = record.db
    long_case = " ".join(["Delayed discharges with a housing cause keep people in hospital."] * 14)
    many = [
        e.asks.create(
            db, {"title": f"Solution number {n}", "rationale": long_case, "body_id": record.icb_id}
        ).id
        for n in range(1, 10)
    ]
    extra = [
        e.members.create(db, {"name": f"Member {n}", "position": f"Portfolio {n}"}).id
        for n in range(1, 4)
    ]
    out = tmp_path / "long.pdf"
    request = LetterRequest(
        template="joint-solutions",
        to_contact_id=record.contact_id,
        ask_ids=many,
        signatory_ids=[*record.signatories, *extra],
        opening="We write <b>about</b> A&E & “care” 🏥\n\nSecond paragraph.",
        letter_date=TODAY,
    )
    compose(db, request, out)
    reader = PdfReader(str(out))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 3
    assert "Sevenoaks District Council" in pages[0] and "TN13 1HG" in pages[0]
    assert len(reader.pages[0].images) == 1  # the logo
    for number, text in enumerate(pages[1:], start=2):
        assert "TN13 1HG" not in text and not reader.pages[number - 1].images
        assert f"Page {number} of {len(pages)}" in text
        assert f"Zofia Łukasiewicz · {TODAY_TEXT}" in text
    assert f"Page 1 of {len(pages)}" in pages[0]
    all_text = flat(" ".join(pages))
    assert "We write <b>about</b> A&E & “care”" in all_text  # user text printed literally
    numbers = [int(n) for n in re.findall(r"(\d)\. Solution number \1", all_text)]
    assert numbers == list(range(1, 10))
    closing_page = next(i for i, text in enumerate(pages) if "Yours sincerely," in text)
    assert "Cllr Michelle Lowe" in pages[closing_page]  # never split from the closing line
    assert "Dear Zofia Łukasiewicz," in pages[0]


def test_docx_and_pdf_of_every_letter_template(record, tmp_path: Path) -> None:
    db = record.db
    for name in (
        "joint-solutions",
        "seat-at-the-table",
        "overdue-commitments",
        "meeting-follow-up",
    ):
        request = LetterRequest(
            template=name,
            to_contact_id=record.contact_id,
            body_id=record.trust_id if name == "overdue-commitments" else None,
            meeting_id=record.meeting_id if name == "meeting-follow-up" else None,
            ask_ids=record.solutions[:1],
            signatory_ids=[record.member_id],
            letter_date=TODAY,
        )
        pdf = compose(db, request, tmp_path / f"{name}.pdf")
        text = flat(" ".join(pdf_text(pdf.path.read_bytes())))
        docx = compose(db, request, tmp_path / f"{name}.docx")
        words = "\n".join(p.text for p in read_docx(str(docx.path)).paragraphs)
        for shown in (text, flat(words)):
            assert "Zofia Łukasiewicz" in shown and "Cllr Michelle Lowe" in shown
            assert TODAY_TEXT in shown
        if name == "seat-at-the-table":
            assert "given a seat on NHS Kent and Medway ICB" in text
            assert "as a full partner in planning services for our residents" in words
        if name == "overdue-commitments":
            assert (
                "Share discharge data with the housing team Made at ICS partnership board, "
                f"{long_date(-19)}; due {long_date(-12)}, now 12 days overdue." in text
            )
        if name == "meeting-follow-up":
            assert f"ICS partnership board, {long_date(-19)}" in text
            assert "Reply on board membership" in text  # a commitment given at it
    assert letters_logged(db) == 8


def test_unknown_ids_and_templates_get_clear_messages_and_log_nothing(
    record, tmp_path: Path
) -> None:
    db = record.db
    out = tmp_path / "bad.pdf"
    with pytest.raises(ValidationFailed) as problem:
        compose(
            db,
            joint_request(record, [0], ask_ids=["no-such-ask"], signatory_ids=["ghost"]),
            out,
        )
    assert "Letter asks: there is no ask with id no-such-ask" in str(problem.value)
    assert "Letter signatories: there is no member with id ghost" in str(problem.value)
    with pytest.raises(ValidationFailed, match="Letter recipient: there is no contact with id x1"):
        compose(db, joint_request(record, [0], to_address=None, to_contact_id="x1"), out)
    with pytest.raises(ValidationFailed, match="choose at least 1"):
        compose(db, joint_request(record, [], ask_ids=[]), out)
    with pytest.raises(ValidationFailed, match="choose at least one member to sign"):
        compose(db, joint_request(record, [0], signatory_ids=[]), out)
    with pytest.raises(TemplateError, match="no template called “joint”.*joint-solutions"):
        compose(db, joint_request(record, [0], template="joint"), out)
    with pytest.raises(TemplateError, match="is for a meeting, not a letter"):
        compose(db, joint_request(record, [0], template="meeting-briefing"), out)
    with pytest.raises(TemplateError, match=r"must end in \.pdf .* or \.docx"):
        compose(db, joint_request(record, [0]), tmp_path / "letter.txt")
    assert letters_logged(db) == 0
    assert list(tmp_path.glob("*.pdf")) == [] and list(tmp_path.glob(".*partial")) == []


def test_laying_out_logs_nothing_and_saving_logs_the_letter_with_its_file(
    record, tmp_path: Path
) -> None:
    db = record.db
    rendered = letters.render_letter(db, joint_request(record, [0]), "pdf")
    assert rendered.payload.startswith(b"%PDF") and letters_logged(db) == 0
    with pytest.raises(ServiceError, match="is a folder; give a file name ending in .pdf"):
        service.save_letter(db, rendered, tmp_path)
    assert letters_logged(db) == 0
    saved = service.save_letter(db, rendered, tmp_path / "letters" / "joint.pdf")
    assert saved.path.read_bytes() == rendered.payload and letters_logged(db) == 1
    assert saved.letter.file_path == str(saved.path.resolve())


def test_status_and_history(record, tmp_path: Path) -> None:
    db = record.db
    request = joint_request(record, [0, 1], to_address=None, to_contact_id=record.contact_id)
    letter = compose(db, request, tmp_path / "a.pdf").letter
    assert [entry.id for entry in service.letters_to_contact(db, record.contact_id)] == [letter.id]
    for ask_id in record.solutions[:2]:
        assert [entry.id for entry in service.letters_for_ask(db, ask_id)] == [letter.id]
    assert service.letters_for_ask(db, record.solutions[2]) == []
    assert [entry.id for entry in service.letters_to_body(db, record.icb_id)] == [letter.id]
    assert [entry.id for entry in service.letters_signed_by(db, record.member_id)] == [letter.id]
    sent = service.mark_sent(db, letter.id, on=TODAY)
    assert sent.status == LetterStatus.sent and sent.sent_on == TODAY
    with pytest.raises(ValidationFailed, match=f"Reply received on: {long_date(-21)} is before"):
        service.record_reply(db, letter.id, on=days(-21), from_whom="ICB", summary="Too early")
    with clock.as_of(days(18)):
        replied = service.record_reply(
            db, letter.id, on=days(18), from_whom="ICB", summary="Will consider."
        ).letter
    assert replied.status == LetterStatus.reply_received
    entry = service.letters_to_contact(db, record.contact_id)[0]
    assert (entry.status, entry.reply_on, entry.recipient) == (
        "Reply received",
        days(18),
        "Zofia Łukasiewicz",
    )


def test_cli_letter(record, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_path = str(record.db.path)
    out = tmp_path / "cli.docx"
    args = [
        "letter", "--db", db_path, "--template", "joint-solutions",
        "--to-address", "The Rt Hon Jane Doe MP\\nHouse of Commons\\nLondon SW1A 0AA",
        "--asks", ",".join(record.solutions[::-1]),
        "--signatories", ",".join(record.signatories[:2]),
        "--date", TODAY.strftime("%d/%m/%Y"), "-o", str(out),
    ]  # fmt: skip
    assert main(args) == 0
    assert "Logged as one draft letter" in capsys.readouterr().out
    numbered = [p.text for p in read_docx(str(out)).paragraphs if p.style.name == "List Number"]
    assert numbered[0] == "Remove the benefit cap for supported housing"
    body = "\n".join(p.text for p in read_docx(str(out)).paragraphs)
    assert "The Rt Hon Jane Doe MP\nHouse of Commons\nLondon SW1A 0AA" in body
    assert letters_logged(record.db) == 1

    bad = [*args[:-1], str(tmp_path / "bad.pdf")]
    bad[bad.index("--asks") + 1] = "nope"
    assert main(bad) == 2
    err = capsys.readouterr().err.strip()
    assert err == "stpdesk: Letter asks: there is no ask with id nope"
    bad[bad.index("--asks") + 1] = record.solutions[0]
    bad[bad.index("--template") + 1] = "missing"
    assert main(bad) == 2
    assert "there is no template called “missing”" in capsys.readouterr().err
    assert main([*args[:-1], str(tmp_path / "x.odt")]) == 2
    assert letters_logged(record.db) == 1
    assert not (tmp_path / "bad.pdf").exists()

    # one letter in two files: both written, logged once, the letter names both
    pdf, docx = tmp_path / "two.pdf", tmp_path / "two.docx"
    both = [*args[:-2], "-o", str(pdf), "-o", str(docx)]
    assert main(both) == 0
    out = capsys.readouterr().out
    assert "Logged as one draft letter" in out and str(pdf) in out and str(docx) in out
    assert letters_logged(record.db) == 2
    with record.db.read() as session:
        newest = session.exec(select(t.Letter).order_by(t.Letter.created_at.desc())).first()
    assert newest.files == [str(pdf.resolve()), str(docx.resolve())]
    assert "Remove the benefit cap" in "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert main([*args[:-2], "-o", str(tmp_path / "a.pdf"), "-o", str(tmp_path / "b.pdf")]) == 2
    assert "at most one .pdf and one .docx" in capsys.readouterr().err
    assert letters_logged(record.db) == 2 and not (tmp_path / "a.pdf").exists()
