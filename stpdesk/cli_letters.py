"""`stpdesk letter sent …`, `letter reply …`, `letter replies …`, `letter reply-correct …`
and `letter reply-delete …`: a letter's life after it is written. (`stpdesk letter
--template …` writes one: see cli.py.)

The same services as the letter's page in the app (services.letters): a bad id, date
or ask outcome is refused with exit status 2 and nothing is changed.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .cli_common import EXIT_OK, UsageError, open_existing
from .model.enums import ReplyOutcome, SentBy

if TYPE_CHECKING:
    from .services.letters import ReplyChange

STEPS = ("sent", "reply", "replies", "reply-correct", "reply-delete")
COMMAND = "letter-step"


def _db_option() -> argparse.ArgumentParser:
    option = argparse.ArgumentParser(add_help=False)
    option.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="database file (default: $STPDESK_DB, else stpdesk.sqlite in your data folder)",
    )
    return option


def is_letter_step(argv: Sequence[str]) -> bool:
    """``letter sent …`` or ``letter reply …`` (after any ``--db PATH``)."""
    words = list(argv)
    while words and words[0].startswith("--db"):
        words = words[1:] if "=" in words[0] else words[2:]
    return len(words) >= 2 and words[0] == "letter" and words[1] in STEPS


def parse(argv: Sequence[str], parser_class: type[argparse.ArgumentParser]) -> argparse.Namespace:
    db_option = _db_option()
    parser = parser_class(prog="stpdesk", parents=[db_option])
    commands = parser.add_subparsers(dest="command", parser_class=parser_class, required=True)
    letter = commands.add_parser(
        "letter",
        parents=[db_option],
        help="record that a letter was sent, or that a reply came",
    )
    steps = letter.add_subparsers(dest="step", metavar="STEP", required=True)
    sent = steps.add_parser("sent", parents=[db_option], help="record that the letter went out")
    sent.add_argument("id", metavar="ID", help="the letter's id (“stpdesk list letters”)")
    sent.add_argument("--on", metavar="DATE", help="the day it went (default today)")
    sent.add_argument("--by", choices=[how.value for how in SentBy], help="how it went")
    reply = steps.add_parser(
        "reply",
        parents=[db_option],
        help="record a reply, and what it did to each ask the letter carried",
    )
    reply.add_argument("id", metavar="ID", help="the letter's id")
    _reply_options(reply, required=True)
    listed = steps.add_parser(
        "replies", parents=[db_option], help="the replies to a letter, with their ids"
    )
    listed.add_argument("id", metavar="ID", help="the letter's id")
    listed.add_argument("--json", action="store_true", help="print JSON")
    correct = steps.add_parser(
        "reply-correct",
        parents=[db_option],
        help="correct a reply recorded wrongly; the asks it decided move with it",
    )
    correct.add_argument("id", metavar="REPLY_ID", help="the reply's id (“letter replies ID”)")
    _reply_options(correct, required=False)
    remove = steps.add_parser(
        "reply-delete",
        parents=[db_option],
        help="put a reply recorded by mistake in Recently deleted; its asks go back",
    )
    remove.add_argument("id", metavar="REPLY_ID", help="the reply's id (“letter replies ID”)")
    args = parser.parse_args(list(argv))
    args.command, args.demo = COMMAND, False
    return args


def _reply_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    kept = "" if required else " (default: as recorded)"
    parser.add_argument(
        "--on", required=required, metavar="DATE", help=f"the day the reply came{kept}"
    )
    parser.add_argument(
        "--from", dest="from_whom", required=required, metavar="TEXT", help=f"who wrote{kept}"
    )
    parser.add_argument("--summary", metavar="TEXT", help="what the reply says")
    parser.add_argument("--file", metavar="PATH", help="the reply's file, or a web link to it")
    outcomes = "|".join(o.value for o in ReplyOutcome)
    parser.add_argument(
        "--ask",
        action="append",
        default=[],
        metavar=f"ASK_ID={outcomes}",
        help="what the reply did to an ask the letter carried (repeatable)",
    )


def _answers(items: list[str]) -> dict[str, str]:
    answers: dict[str, str] = {}
    choices = ", ".join(o.value for o in ReplyOutcome)
    for item in items:
        ask_id, sep, outcome = item.partition("=")
        ask_id, outcome = ask_id.strip(), outcome.strip().lower().replace("-", "_")
        if not sep or not ask_id:
            raise UsageError(f"--ask “{item}” must look like ASK_ID=OUTCOME ({choices})")
        if outcome not in {o.value for o in ReplyOutcome}:
            raise UsageError(f"--ask “{item}”: “{outcome}” is not one of {choices}")
        if ask_id in answers:
            raise UsageError(f"--ask: ask {ask_id} is given twice")
        answers[ask_id] = outcome
    return answers


def _file_ref(text: str | None) -> str | None:
    if not text or not text.strip():
        return None
    text = text.strip()
    if text.lower().startswith(("http://", "https://")):
        return text
    path = Path(text).expanduser()
    if not path.is_file():
        raise UsageError(f"--file: there is no file at {path}; give the reply's file or a link")
    return str(path.resolve())


def run(db_path: Path, args: argparse.Namespace) -> int:
    from .model.dates import format_date
    from .services import letters

    if args.step == "sent":
        with open_existing(db_path) as db:
            letter = letters.mark_sent(db, args.id, on=args.on, by=args.by)
        how = f" by {letter.sent_by.label.lower()}" if letter.sent_by else ""
        print(
            f"Letter “{letter.subject or letter.template}” sent on {format_date(letter.sent_on)}{how}."
        )
        return EXIT_OK
    if args.step == "replies":
        return _list_replies(db_path, args)
    if args.step == "reply-delete":
        with open_existing(db_path) as db:
            change = letters.delete_reply(db, args.id)
        _say_moved(
            change, "moved to Recently deleted (“stpdesk deleted --restore ID” brings it back)"
        )
        return EXIT_OK
    answers = _answers(args.ask)
    file_ref = _file_ref(args.file)
    values = {"on": args.on, "from_whom": args.from_whom, "summary": args.summary}
    if args.step == "reply-correct":
        with open_existing(db_path) as db:
            change = letters.correct_reply(
                db, args.id, **values, file_ref=file_ref, answers=answers
            )
        _say_moved(change, "corrected")
        return EXIT_OK
    with open_existing(db_path) as db:
        result = letters.record_reply(db, args.id, **values, file_ref=file_ref, answers=answers)
    letter = result.letter
    print(
        f"Reply from {result.reply.from_whom} on {format_date(result.reply.received_on)} "
        f"recorded against “{letter.subject or letter.template}”, id {result.reply.id}."
    )
    for ask, outcome in result.asks:
        print(f"  {ask.title}: {outcome.label.lower()} (now {ask.status.label.lower()})")
    return EXIT_OK


def _say_moved(change: ReplyChange, what: str) -> None:
    from .model.dates import format_date

    reply = change.reply
    print(f"Reply from {reply.from_whom} on {format_date(reply.received_on)} {what}.")
    for ask, status in change.asks:
        print(f"  {ask.title}: now {status.label.lower()}")
    print(f"  The letter is now: {change.letter.status.label.lower()}.")


def _list_replies(db_path: Path, args: argparse.Namespace) -> int:
    import json

    from .model.dates import format_date
    from .services import letters

    with open_existing(db_path) as db:
        letters.letters.get(db, args.id)  # a wrong id: NotFound, exit 2
        found = letters.replies_to(db, args.id)
    if args.json:
        rows = [
            {
                "id": reply.id,
                "received_on": reply.received_on.isoformat(),
                "from": reply.from_whom,
                "summary": reply.summary,
                "file": reply.file_ref,
                "asks": {ask_id: outcome.value for ask_id, outcome in reply.outcomes.items()},
            }
            for reply in found
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not found:
        print("No reply recorded yet.")
    for reply in found:
        print(f"{reply.id}  {format_date(reply.received_on)}  from {reply.from_whom}")
        if reply.summary:
            print(f"    {' '.join(reply.summary.split())}")
    return EXIT_OK
