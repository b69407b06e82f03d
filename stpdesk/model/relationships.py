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
