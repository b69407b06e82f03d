"""The relationship map's one definition: which quadrant a body or a person is in.

Influence and interest run from 1 to 5; 3 and above counts as high on either (so the
middle of the scale is taken seriously rather than left to "monitor"). The map page,
``stpdesk map``, the footprint pack and the tests all ask :func:`quadrant`.

Imports nothing heavy.
"""

from __future__ import annotations

from enum import Enum

HIGH_FROM = 3  # influence or interest of this or more is high


class Quadrant(Enum):
    # value: (label, what to do), in the order the grid is read (top right first)
    manage_closely = ("Manage closely", "high influence, high interest")
    keep_satisfied = ("Keep satisfied", "high influence, lower interest")
    keep_informed = ("Keep informed", "lower influence, high interest")
    monitor = ("Monitor", "lower influence, lower interest")

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def meaning(self) -> str:
        return self.value[1]


def quadrant(influence: int, interest: int) -> Quadrant:
    """The quadrant of a point on the grid (influence up, interest across)."""
    powerful, interested = influence >= HIGH_FROM, interest >= HIGH_FROM
    if powerful and interested:
        return Quadrant.manage_closely
    if powerful:
        return Quadrant.keep_satisfied
    if interested:
        return Quadrant.keep_informed
    return Quadrant.monitor


def spread(squares: list[tuple[int, int]]) -> list[tuple[float, float]]:
    """Where to draw each of several points, as (up, across) offsets in squares from the
    middle of its square: points on the same square sit side by side, three to a row,
    rather than on top of each other. ``squares`` are (influence, interest) pairs."""
    sharing: dict[tuple[int, int], list[int]] = {}
    for index, square in enumerate(squares):
        sharing.setdefault(square, []).append(index)
    offsets: list[tuple[float, float]] = [(0.0, 0.0)] * len(squares)
    for indexes in sharing.values():
        across = min(len(indexes), 3)
        rows = (len(indexes) + across - 1) // across
        for place, index in enumerate(indexes):
            column, row = place % across, place // across
            offsets[index] = (
                (rows - 1) / 2 * 0.28 - row * 0.28,
                (column - (across - 1) / 2) * 0.28,
            )
    return offsets


# --- the temperature of a meeting -------------------------------------------------------

TEMPERATURE_WORDS: dict[int, str] = {
    -2: "hostile",
    -1: "cool",
    0: "neutral",
    1: "warm",
    2: "supportive",
}


def score_text(score: int) -> str:
    """ "+2", "0", "−1" (a true minus sign, as printed)."""
    return f"+{score}" if score > 0 else ("0" if score == 0 else f"\u2212{-score}")


def temperature_text(score: int) -> str:
    """ "+1 warm": a reading in words, so colour is never the only sign of it."""
    return f"{score_text(score)} {TEMPERATURE_WORDS[score]}"
