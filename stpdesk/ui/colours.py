"""Colours shared by lists and the dashboard. Text carries the meaning; colour only repeats it."""

from PySide6.QtGui import QColor

OVERDUE_COLOUR = QColor("#a4262c")
DONE_COLOUR = QColor("#1e6b30")
QUIET_COLOUR = QColor("#5f6368")
AMBER_COLOUR = QColor("#8a5300")  # dark enough to read on white (WCAG AA)

RAG_COLOURS = {"red": OVERDUE_COLOUR, "amber": AMBER_COLOUR, "green": DONE_COLOUR}
