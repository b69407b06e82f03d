"""Preferences that change what the record means: the rating thresholds and how long a
letter waits for its reply."""

from __future__ import annotations

from ..config import Settings, load_settings
from ..model.engagement import Thresholds, use_thresholds
from .errors import FieldProblem, ValidationFailed, field_message


def thresholds_of(settings: Settings) -> Thresholds:
    return Thresholds(
        due_soon_days=settings.due_soon_days,
        amber_moves=settings.amber_after_moves,
        red_moves=settings.red_after_moves,
        reply_days=settings.reply_working_days,
    )


def check(settings: Settings) -> None:
    """Refuse thresholds that contradict each other, naming the field."""
    problems = []
    if not 1 <= settings.due_soon_days <= 365:
        problems.append(
            FieldProblem(
                "due_soon_days",
                field_message("Preferences", "Due soon", "choose from 1 to 365 days"),
            )
        )
    if not 1 <= settings.reply_working_days <= 250:
        problems.append(
            FieldProblem(
                "reply_working_days",
                field_message(
                    "Preferences", "Awaiting a reply", "choose from 1 to 250 working days"
                ),
            )
        )
    if not 1 <= settings.amber_after_moves <= settings.red_after_moves:
        problems.append(
            FieldProblem(
                "amber_after_moves",
                field_message(
                    "Preferences",
                    "Amber after",
                    "must be at least 1 move and no more than the moves for red",
                ),
            )
        )
    if problems:
        raise ValidationFailed(problems)


def apply(settings: Settings | None = None) -> None:
    """Rate commitments by the saved thresholds (the app and the command line, on starting)."""
    chosen = settings or load_settings()
    try:
        check(chosen)
    except ValidationFailed:
        chosen = Settings()  # a hand-edited settings file that contradicts itself
    use_thresholds(thresholds_of(chosen))
