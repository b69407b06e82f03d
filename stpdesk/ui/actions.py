"""Every command the window offers, declared once (as MusicBrainz Picard's action registry).

Menus, toolbar and shortcuts are built from :data:`ACTIONS`; code refers to an
action by its :class:`ActionId` and never builds a QAction of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from enum import Enum, auto

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QToolBar, QWidget


class ActionId(Enum):
    NEW_MEETING = auto()
    NEW_RECORD = auto()
    NEW_LETTER = auto()
    OPEN_RECORD = auto()
    SAVE = auto()
    BRIEFING_PACK = auto()
    BATCH_PACKS = auto()
    DELETE_RECORD = auto()
    UNDO_DELETE = auto()
    FIND = auto()
    REFRESH = auto()
    MARK_DONE = auto()
    RESCHEDULE = auto()
    DROP = auto()
    PREFERENCES = auto()
    BACKUPS = auto()
    IMPORT_CALENDAR = auto()
    IMPORT_CONTACTS = auto()
    EXPORT_CSV = auto()
    EXPORT_XLSX = auto()
    EXPORT_JSON = auto()
    EXPORT_ICS = auto()
    EXPORT_BUNDLE = auto()
    EXPORT_ACTION_LOG = auto()
    EXCHANGE = auto()
    SYNC = auto()
    DATA_PROTECTION = auto()
    RETENTION_REVIEW = auto()
    HEALTH_CHECK = auto()
    RECENTLY_DELETED = auto()
    QUIT = auto()
    USER_GUIDE = auto()
    ABOUT = auto()
    GO_DASHBOARD = auto()
    GO_FOOTPRINTS = auto()
    GO_CONTACTS = auto()
    GO_MEMBERS = auto()
    GO_MEETINGS = auto()
    GO_ASKS = auto()
    GO_COMMITMENTS = auto()
    GO_LETTERS = auto()
    GO_MAP = auto()


@dataclass(frozen=True)
class ActionSpec:
    text: str
    tip: str
    shortcuts: tuple[QKeySequence.StandardKey | str, ...] = ()
    menu: str = "&File"
    toolbar: bool = False
    submenu: str = ""  # e.g. "&Export" puts the action in File ▸ Export


ACTIONS: dict[ActionId, ActionSpec] = {
    ActionId.NEW_MEETING: ActionSpec(
        "New &meeting…", "Record a new meeting", ("Ctrl+N",), "&File", toolbar=True
    ),
    ActionId.NEW_RECORD: ActionSpec(
        "&New record…", "Add a record to the list on show", ("Ctrl+Shift+N",), "&File", True
    ),
    ActionId.NEW_LETTER: ActionSpec(
        "New &letter…",
        "Write a letter from a template, save it as PDF or Word, and log it",
        ("Ctrl+Shift+L",),
        "&File",
    ),
    ActionId.OPEN_RECORD: ActionSpec("&Open", "Open the chosen record", ("Ctrl+O",), "&File"),
    ActionId.SAVE: ActionSpec(
        "&Save", "Save the record being edited", (QKeySequence.StandardKey.Save,), "&File"
    ),
    # Ctrl+P stays free for Print in the pack's own window; B for briefing
    ActionId.BRIEFING_PACK: ActionSpec(
        "Briefing &pack…",
        "Preview, print or save the briefing pack for the chosen meeting or footprint",
        ("Ctrl+B",),
        "&File",
        toolbar=True,
    ),
    ActionId.BATCH_PACKS: ActionSpec(
        "Batch briefing pac&ks…",
        "Make the briefing packs for every meeting in the next few days",
        ("Ctrl+Shift+B",),
        "&File",
    ),
    ActionId.DELETE_RECORD: ActionSpec(
        "&Delete", "Delete the chosen record (you can undo it)", ("Ctrl+Del",), "&Edit"
    ),
    ActionId.UNDO_DELETE: ActionSpec(
        "&Undo delete", "Bring back the record you last deleted", ("Ctrl+Z",), "&Edit"
    ),
    ActionId.FIND: ActionSpec(
        "&Find…", "Search everything", (QKeySequence.StandardKey.Find, "Ctrl+K"), "&Edit", True
    ),
    ActionId.REFRESH: ActionSpec("&Refresh", "Reload what is shown", ("F5",), "&View"),
    ActionId.MARK_DONE: ActionSpec(
        "Mark &done…", "Record that the commitment was kept", ("Ctrl+D",), "&Commitment", True
    ),
    ActionId.RESCHEDULE: ActionSpec(
        "&Reschedule…", "Move the due date, saying why", ("Ctrl+R",), "&Commitment"
    ),
    ActionId.DROP: ActionSpec(
        "Dro&p…", "Stop chasing the commitment, saying why", (), "&Commitment"
    ),
    ActionId.PREFERENCES: ActionSpec(
        "&Preferences…",
        "Council profile, signatories and backups",
        (QKeySequence.StandardKey.Preferences, "Ctrl+,"),
        "&Edit",
    ),
    ActionId.BACKUPS: ActionSpec(
        "&Backups…", "Back up now, or restore an earlier backup", (), "&File"
    ),
    ActionId.IMPORT_CALENDAR: ActionSpec(
        "Import &calendar (.ics)…", "Import meetings from an Outlook or Google calendar file"
    ),
    ActionId.IMPORT_CONTACTS: ActionSpec(
        "Import con&tacts (CSV/vCard)…", "Import contacts from a spreadsheet or vCard file"
    ),
    ActionId.EXPORT_CSV: ActionSpec("&CSV files…", "Every list as a CSV file", submenu="E&xport"),
    ActionId.EXPORT_XLSX: ActionSpec(
        "&Excel workbook…", "Every list as a sheet of one workbook", submenu="E&xport"
    ),
    ActionId.EXPORT_JSON: ActionSpec(
        "&JSON…", "Everything, to load into another stpdesk", submenu="E&xport"
    ),
    ActionId.EXPORT_ICS: ActionSpec(
        "Ca&lendar (.ics)…", "Upcoming meetings and due dates for Outlook", submenu="E&xport"
    ),
    ActionId.EXPORT_BUNDLE: ActionSpec(
        "E&xchange bundle…", "A file to merge into another laptop's stpdesk", submenu="E&xport"
    ),
    ActionId.EXPORT_ACTION_LOG: ActionSpec(
        "&Action log…",
        "Every commitment to and by us, red, amber or green, as a spreadsheet or PDF",
        submenu="E&xport",
    ),
    ActionId.EXCHANGE: ActionSpec(
        "Exc&hange…", "Merge records from another laptop and settle conflicts"
    ),
    ActionId.SYNC: ActionSpec(
        "S&ync with the team database",
        "Send this laptop's changes to the team database and fetch everyone else's",
        ("Ctrl+Shift+Y",),
    ),
    ActionId.DATA_PROTECTION: ActionSpec(
        "&Data protection requests…",
        "Subject access export or erasure of a contact's personal data",
        (),
        "&Tools",
    ),
    ActionId.RETENTION_REVIEW: ActionSpec(
        "&Retention review…", "Contacts nobody has engaged with for years", (), "&Tools"
    ),
    ActionId.HEALTH_CHECK: ActionSpec(
        "Partnership &health check…",
        "See a footprint's health check, record an assessor's scores, save the report",
        (),
        "&Tools",
    ),
    ActionId.RECENTLY_DELETED: ActionSpec(
        "Recently de&leted…", "Bring back deleted records", (), "&Edit"
    ),
    ActionId.QUIT: ActionSpec(
        "&Quit", "Close stpdesk", (QKeySequence.StandardKey.Quit, "Ctrl+Q"), "&File"
    ),
    ActionId.USER_GUIDE: ActionSpec(
        "&User guide", "How to record meetings, make packs and write letters", ("F1",), "&Help"
    ),
    ActionId.ABOUT: ActionSpec("&About stpdesk", "Version and licence", (), "&Help"),
    ActionId.GO_DASHBOARD: ActionSpec("&Dashboard", "What needs doing", ("Ctrl+1",), "&Go"),
    ActionId.GO_FOOTPRINTS: ActionSpec(
        "&Footprints && bodies", "Footprints and the bodies in them", ("Ctrl+2",), "&Go"
    ),
    ActionId.GO_CONTACTS: ActionSpec("&Contacts", "People at the bodies", ("Ctrl+3",), "&Go"),
    ActionId.GO_MEMBERS: ActionSpec("M&embers", "Our councillors", ("Ctrl+4",), "&Go"),
    ActionId.GO_MEETINGS: ActionSpec("&Meetings", "Meetings held", ("Ctrl+5",), "&Go"),
    ActionId.GO_ASKS: ActionSpec("&Asks", "What we asked for", ("Ctrl+6",), "&Go"),
    ActionId.GO_COMMITMENTS: ActionSpec(
        "C&ommitments", "What was promised, by them or by us", ("Ctrl+7",), "&Go"
    ),
    ActionId.GO_LETTERS: ActionSpec("&Letters", "Letters sent and replies", ("Ctrl+8",), "&Go"),
    ActionId.GO_MAP: ActionSpec(
        "&Relationship map",
        "Who has influence and interest, and how we work with them",
        ("Ctrl+9",),
        "&Go",
    ),
}

MENU_ORDER = ("&File", "&Edit", "&View", "&Go", "&Commitment", "&Tools", "&Help")


def _sequences(spec: ActionSpec) -> list[QKeySequence]:
    found: list[QKeySequence] = []
    for shortcut in spec.shortcuts:
        if isinstance(shortcut, str):
            found.append(QKeySequence(shortcut))
        else:
            found.extend(QKeySequence.keyBindings(shortcut))
    unique: list[QKeySequence] = []
    for sequence in found:
        if not sequence.isEmpty() and sequence not in unique:
            unique.append(sequence)
    return unique


def make_action(action_id: ActionId, parent: QWidget) -> QAction:
    """One QAction from its declaration (text, tip, standard shortcuts)."""
    spec = ACTIONS[action_id]
    action = QAction(spec.text, parent)
    action.setObjectName(action_id.name.lower())
    action.setToolTip(spec.tip)
    action.setStatusTip(spec.tip)
    action.setShortcuts(_sequences(spec))
    return action


class ActionRegistry:
    """The window's actions, keyed by :class:`ActionId`."""

    def __init__(self, parent: QWidget) -> None:
        self.actions = {action_id: make_action(action_id, parent) for action_id in ActionId}
        for action in self.actions.values():
            parent.addAction(action)
        # Every handler runs inside this (the main window passes the lock that keeps its
        # lazy imports from racing the worker thread's).
        self.guard: Callable[[], AbstractContextManager[object]] = nullcontext

    def __getitem__(self, action_id: ActionId) -> QAction:
        return self.actions[action_id]

    def connect(self, action_id: ActionId, handler: Callable[[], object]) -> None:
        def run(_checked: bool = False) -> None:
            with self.guard():
                handler()

        self.actions[action_id].triggered.connect(run)

    def enable(self, action_id: ActionId, enabled: bool) -> None:
        self.actions[action_id].setEnabled(enabled)

    def build_menus(self, bar: QMenuBar) -> None:
        menus = {title: bar.addMenu(title) for title in MENU_ORDER}
        submenus: dict[tuple[str, str], QMenu] = {}
        for action_id, spec in ACTIONS.items():
            menu = menus[spec.menu]
            if spec.submenu:
                key = (spec.menu, spec.submenu)
                if key not in submenus:
                    submenus[key] = menu.addMenu(spec.submenu)
                menu = submenus[key]
            menu.addAction(self.actions[action_id])
            if action_id in (
                ActionId.SAVE,
                ActionId.REFRESH,
                ActionId.GO_DASHBOARD,
                ActionId.BACKUPS,
                ActionId.SYNC,
            ):
                menu.addSeparator()

    def build_toolbar(self, toolbar: QToolBar) -> None:
        for action_id, spec in ACTIONS.items():
            if spec.toolbar:
                toolbar.addAction(self.actions[action_id])
