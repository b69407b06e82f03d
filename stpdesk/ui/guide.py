"""Help ▸ User guide (F1): the short guide shipped with the app, read offline.

F1 opens it at the part about the window in use (the meeting editor, a briefing pack…)."""

from __future__ import annotations

from importlib import resources

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from .context import TITLE
from .screen_fit import fit_to_screen

# The guide's heading for each kind of window (by class name) or main-window section.
SECTION_FOR = {
    "MeetingEditor": "For councillors: recording a meeting",
    "meetings": "For councillors: recording a meeting",
    "CommitmentEditor": "For councillors: following up commitments",
    "WorkflowDialog": "For councillors: following up commitments",
    "ActionLogDialog": "For councillors: following up commitments",
    "commitments": "For councillors: following up commitments",
    "asks": "For councillors: recording a meeting",
    "PackDialog": "For members' services officers: briefing packs",
    "BatchPacksDialog": "For members' services officers: briefing packs",
    "HealthCheckDialog": "For cabinet leads: the partnership health check",
    "LetterComposer": "For cabinet leads: writing a letter",
    "letters": "For cabinet leads: writing a letter",
    "SearchDialog": "Finding things",
    "BackupsDialog": "Keeping your data safe",
    "RecentlyDeletedDialog": "Keeping your data safe",
    "DataProtectionDialog": "Keeping your data safe",
}
START = "Getting started"


def guide_text() -> str:
    return (resources.files("stpdesk.resources") / "guide" / "user-guide.md").read_text(
        encoding="utf-8"
    )


class UserGuide(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"User guide — {TITLE}")
        self.setAccessibleName("User guide")
        self.setObjectName("user_guide")
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser(self)
        self.browser.setAccessibleName("User guide text")
        self.browser.setOpenExternalLinks(False)
        self.browser.setMarkdown(guide_text())
        layout.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        fit_to_screen(self, "user_guide", 760, 900)

    def show_section(self, heading: str) -> bool:
        """Scroll so the section's heading is at the top (False: no such heading)."""
        cursor = self.browser.document().find(heading)
        if cursor.isNull():
            return False
        self.browser.setTextCursor(cursor)
        layout = self.browser.document().documentLayout()
        top = layout.blockBoundingRect(cursor.block()).top()
        self.browser.verticalScrollBar().setValue(int(top))
        return True
