"""Errors the services raise; ``str(error)`` is a message for the user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pydantic is not needed to paint the first window
    from pydantic import ValidationError as PydanticValidationError


class ServiceError(Exception):
    """An expected failure with a message fit to show the user."""


@dataclass(frozen=True)
class FieldProblem:
    field: str  # model field name, for the form to show the message beside it
    message: str  # full sentence, e.g. "Commitment due date: 31 February 2026 is not a date"


class ValidationFailed(ServiceError):
    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(problem.message for problem in problems))

    def for_field(self, field: str) -> str | None:
        return next((p.message for p in self.problems if p.field == field), None)


class NotFound(ServiceError):
    pass


class Cancelled(ServiceError):
    """The user stopped the work; nothing was written."""


class InUse(ServiceError):
    pass


def _label(text: str) -> str:
    """Lower-case a field label for the middle of a sentence, keeping acronyms."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def field_message(entity_label: str, field_label: str, message: str) -> str:
    return f"{entity_label} {_label(field_label)}: {message}"


def missing_message(entity_label: str, field_label: str) -> str:
    """What to do about a required field left empty: "Give the meeting a title"."""
    noun = field_label.lower() if not field_label[1:2].isupper() else field_label
    article = "an" if noun[:1] in "aeiou" else "a"
    return f"Give the {entity_label.lower()} {article} {noun}"


def _left_empty(error: dict[str, Any]) -> bool:
    """A required field not given, or given as nothing (an empty box in a form)."""
    return error["type"] == "missing" or (
        error.get("input") is None and error["type"].endswith("_type")
    )


def _describe_error(error: dict[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    given = error.get("input")
    if kind == "missing":
        return "please fill this in"
    if kind == "string_too_short":
        return "cannot be empty" if ctx.get("min_length") == 1 else "is too short"
    if kind == "string_too_long":
        return f"is too long (at most {ctx.get('max_length'):,} characters)"
    if kind == "enum":
        return f"“{given}” is not one of: {ctx.get('expected', '')}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind in ("string_type", "int_type", "list_type"):
        return f"“{given}” is not the right kind of value"
    return error["msg"]


def from_pydantic(schema: type, error: PydanticValidationError) -> ValidationFailed:
    entity_label = getattr(schema, "label", schema.__name__)
    fields = getattr(schema, "model_fields", {})
    problems = []
    for item in error.errors():
        loc = item["loc"]
        message = _describe_error(item)
        if not loc:
            # model-level check: its message starts with the field label ("End: ...")
            field_label, sep, rest = message.partition(": ")
            if sep:
                name = next(
                    (n for n, f in fields.items() if (f.title or n) == field_label), field_label
                )
                problems.append(FieldProblem(name, field_message(entity_label, field_label, rest)))
            else:
                problems.append(FieldProblem("", f"{entity_label}: {message}"))
            continue
        name = str(loc[0])
        info = fields.get(name)
        field_label = (info.title if info and info.title else name.replace("_", " ")).strip()
        if len(loc) == 1 and _left_empty(item):
            problems.append(FieldProblem(name, missing_message(entity_label, field_label)))
            continue
        if len(loc) > 1:
            field_label = (
                f"{field_label} (item {int(loc[1]) + 1})"
                if isinstance(loc[1], int)
                else field_label
            )
        problems.append(FieldProblem(name, field_message(entity_label, field_label, message)))
    return ValidationFailed(problems)
