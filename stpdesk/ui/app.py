"""The main window: navigation, menus and toolbar from the action registry, a
status bar, the dashboard and a lazily built, lazily paged list for every kind of record.

Start-up is arranged so the window paints with its dashboard filled before the heavy
libraries load: this module imports only Qt and modules that read through plain
``sqlite3``. SQLAlchemy, SQLModel and the record editors are imported on the worker
thread once the dashboard shows (``_warm_up``), and list pages are built after that, one
section between other events, or when first visited if sooner; each reads its rows when
first shown. The database's integrity check runs on a thread meanwhile
(``open_database(defer_checks=True)``); saves wait for the check to pass. The routine
backup follows after the first idle minute (``maintenance.py``).
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..model import kinds
from ..model.dates import format_datetime
from ..services import dashboard as dashboard_data
from ..services import preferences
from ..services.errors import ServiceError
from ..store.engine import Database
from ..store.errors import DatabaseDamaged, NotStpdesk, StoreError
from ..store.lock import APP, hold
from ..store.schema import open_database
from .actions import ActionId, ActionRegistry
from .context import TITLE, AppContext, show_error
from .crash import install as install_crash_handler
from .crash import report_error, setup_logging
from .dashboard import Dashboard
from .mnemonics import make_unique
from .operations import Operations
from .screen_fit import fit_to_screen

# Imported when first used: the reminders once the window is on screen, everything else
# below because it loads SQLAlchemy and SQLModel.
if TYPE_CHECKING:
    from .briefing_dialogs import BatchPacksDialog, PackDialog
    from .editors import EditorDialog
    from .guide import UserGuide
    from .health_check import HealthCheckDialog
    from .letter_composer import LetterComposer
    from .lists import ListPage
    from .maintenance import IdleUpkeep
    from .preferences import PreferencesDialog
    from .relationship_map import MapPage
    from .reminders import Reminders
    from .safety_dialogs import BackupsDialog, RecentlyDeletedDialog
    from .search import SearchDialog
    from .setup import SetupDialog

# Held while the worker imports the heavy modules, and by the main thread around anything
# that may import them: two threads importing SQLAlchemy at once can each see the other's
# half-initialised modules and fail. Re-entrant, as handlers may nest (a dialog's event loop).
HEAVY_IMPORTS = threading.RLock()

# Imported on the worker thread once the dashboard shows, so the first click is quick.
WARM_UP_MODULES = (
    "stpdesk.model.tables",
    "stpdesk.services.entities",
    "stpdesk.services.views",
    "stpdesk.services.workflows",
    "stpdesk.services.safety",
    "stpdesk.services.recycle",
    "stpdesk.ui.models",  # the list pages: not imported on the UI thread when first opened
    "stpdesk.ui.lists",
)

PREBUILD_GAP_MS = 50  # between building one section's list pages and the next, at start

# How long a new window waits for its dashboard's figures before it is shown without them.
FIRST_FILL_WAIT_MS = 250

FOCUS_FRAME = (
    "QListWidget:focus, QTableView:focus, QTreeWidget:focus "
    "{ border: 2px solid palette(highlight); }"
)

PACK_ENTITIES = frozenset({"meetings", "footprints"})  # kept equal to briefing_dialogs.KINDS

# (navigation label, list entities shown on the page, action that goes there)
SECTIONS: tuple[tuple[str, tuple[str, ...], ActionId], ...] = (
    ("Dashboard", (), ActionId.GO_DASHBOARD),
    ("Footprints & bodies", ("footprints", "bodies"), ActionId.GO_FOOTPRINTS),
    ("Contacts", ("contacts",), ActionId.GO_CONTACTS),
    ("Members", ("members",), ActionId.GO_MEMBERS),
    ("Meetings", ("meetings",), ActionId.GO_MEETINGS),
    ("Asks", ("asks",), ActionId.GO_ASKS),
    ("Commitments", ("commitments",), ActionId.GO_COMMITMENTS),
    ("Letters", ("letters",), ActionId.GO_LETTERS),
    ("Relationship map", (), ActionId.GO_MAP),
)
MAP_SECTION = len(SECTIONS) - 1


class ListPages:
    """The list pages, each section's built when first asked for (``window.lists[...]``).

    ``in`` and ``get`` see only pages already built, so refreshing skips the others."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._built: dict[str, ListPage] = {}

    def __getitem__(self, entity: str) -> ListPage:
        if entity not in self._built:
            self._window._build_section(_section_of(entity))
        return self._built[entity]

    def __contains__(self, entity: object) -> bool:
        return entity in self._built

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._built))

    def get(self, entity: str) -> ListPage | None:
        return self._built.get(entity)

    def values(self) -> list[ListPage]:
        return list(self._built.values())

    def add(self, page: ListPage) -> None:
        self._built[page.entity] = page


def _section_of(entity: str) -> int:
    return next(i for i, (_l, names, _a) in enumerate(SECTIONS) if entity in names)


class MainWindow(QMainWindow):
    status_shown = Signal()
    checks_done = Signal()  # the start-up integrity check passed (saves may go ahead)
    reopen_requested = Signal()  # a damaged database was replaced by a backup
    on_screen = Signal()  # the window and its filled dashboard have been painted

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.ops = Operations(self)
        self.ctx = AppContext(db=db, ops=self.ops, open_record=self.open_record)
        self.reminders: Reminders | None = None  # started with the background work
        self.building_lists = False  # the list pages are being built after start-up
        self.upkeep: IdleUpkeep | None = None  # merging and the backup at idle, after the checks
        self.editors: dict[tuple[str, str | None], EditorDialog] = {}
        self.last_deleted: tuple[str, str, str] | None = None  # entity, id, summary
        self.relationship_map: MapPage | None = None  # built when first shown
        self.dashboard = Dashboard(self.ctx)  # first: it starts reading its figures
        self.setWindowTitle(f"{TITLE} — {db.path.name}")
        self.setAccessibleName("stpdesk main window")
        fit_to_screen(self, "main_window", 1200, 780)

        self.actions = ActionRegistry(self)
        self.actions.guard = lambda: HEAVY_IMPORTS
        self.actions.build_menus(self.menuBar())
        toolbar = QToolBar("Main toolbar", self)
        toolbar.setObjectName("main_toolbar")
        toolbar.setAccessibleName("Main toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.actions.build_toolbar(toolbar)
        self.addToolBar(toolbar)

        # --- navigation and pages ----------------------------------------------------
        central = QWidget(self)
        row = QHBoxLayout(central)
        self.nav = QListWidget(central)
        self.nav.setAccessibleName("Sections")
        self.nav.addItems([label for label, _, _ in SECTIONS])
        self.nav.setMaximumWidth(
            self.nav.fontMetrics().horizontalAdvance("Footprints & bodies") + 40
        )
        self.stack = QStackedWidget(central)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        # A clear frame round the list, table or box that has the keyboard focus.
        central.setStyleSheet(FOCUS_FRAME)

        self.dashboard.open_record.connect(self.open_record)
        self.dashboard.choice_changed.connect(self.update_actions)
        for text, action_id in (
            ("Record a meeting — Ctrl+N", ActionId.NEW_MEETING),
            ("Import your calendar…", ActionId.IMPORT_CALENDAR),
            ("Read the user guide — F1", ActionId.USER_GUIDE),
        ):
            self.dashboard.add_first_step(text, self.actions[action_id].trigger)
        self.lists = ListPages(self)
        self.pages: list[QWidget] = [self.dashboard]
        self.stack.addWidget(self.dashboard)
        for label, _entities, _action in SECTIONS[1:]:
            holder = QWidget(self.stack)  # the section's pages go in when first shown
            holder.setAccessibleName(label)
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.pages.append(holder)
            self.stack.addWidget(holder)
        self._built_sections = {0}
        self.nav.currentRowChanged.connect(self._section_chosen)

        # --- status bar ------------------------------------------------------------------
        self.path_label = QLabel(str(db.path))
        self.path_label.setAccessibleName("Database file")
        self.counts_label = QLabel("Counting records…")
        self.counts_label.setAccessibleName("Record counts")
        self.backup_label = QLabel()
        self.backup_label.setAccessibleName("Last backup")
        self.statusBar().addWidget(self.path_label, 1)
        self.statusBar().addPermanentWidget(self.counts_label)
        self.statusBar().addPermanentWidget(self.backup_label)

        # --- actions ---------------------------------------------------------------------
        connect = self.actions.connect
        connect(ActionId.NEW_MEETING, lambda: self.new_record("meetings"))
        connect(ActionId.NEW_RECORD, self._new_in_current)
        connect(ActionId.NEW_LETTER, self.show_letter_composer)
        connect(ActionId.OPEN_RECORD, self._open_current)
        connect(ActionId.SAVE, self._save_active_editor)
        connect(ActionId.DELETE_RECORD, self.delete_current)
        connect(ActionId.UNDO_DELETE, self.undo_delete)
        connect(ActionId.FIND, self.show_search)
        connect(ActionId.REFRESH, lambda: self.refresh(set(kinds.LISTED_NAMES)))
        connect(ActionId.MARK_DONE, lambda: self._commitment_workflow("done"))
        connect(ActionId.RESCHEDULE, lambda: self._commitment_workflow("reschedule"))
        connect(ActionId.DROP, lambda: self._commitment_workflow("drop"))
        connect(ActionId.PREFERENCES, self.show_preferences)
        connect(ActionId.BACKUPS, self.show_backups)
        connect(ActionId.RECENTLY_DELETED, self.show_recently_deleted)
        connect(ActionId.BRIEFING_PACK, self.show_briefing_pack)
        connect(ActionId.BATCH_PACKS, self.show_batch_packs)
        connect(ActionId.HEALTH_CHECK, self.show_health_check)
        connect(ActionId.QUIT, self.close)
        connect(ActionId.ABOUT, self.show_about)
        connect(ActionId.USER_GUIDE, self.show_user_guide)
        # F1 opens the guide from the editors and dialogs too, at the part about them
        self.actions[ActionId.USER_GUIDE].setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        # import, export, exchange and data protection: handlers in ui/exchange
        from .exchange import ExchangeActions

        self.exchange = ExchangeActions(self)
        from .team_sync import TeamSync

        self.team_sync = TeamSync(self)
        for index, (_label, _entities, action_id) in enumerate(SECTIONS):
            connect(action_id, lambda index=index: self.go_to(index))

        self.ops.changed.connect(self.refresh)
        self.ops.failed.connect(lambda error: report_error(error, parent=self))
        self.nav.setCurrentRow(0)
        self.update_actions()
        self._filled_once = False
        self.dashboard.loaded.connect(self._after_first_fill)
        self.dashboard.load_failed.connect(self._after_first_fill)

    def _after_first_fill(self) -> None:
        """Once the dashboard shows: the status bar, then the heavy imports, then the checks."""
        if self._filled_once:
            return
        self._filled_once = True
        if self.isVisible():
            # Started once the filled dashboard is on screen (its summary line, new with
            # the figures, has been painted): begun sooner, the check and the imports
            # compete with painting it for the processor and the interpreter.
            _AfterPaint(self.dashboard.summary_line, self._start_background_work)
        else:
            self._start_background_work()

    def _start_background_work(self) -> None:
        # Not needed before: the dashboard has no box the wheel could change (the guard
        # sees every event of the app, which would slow the first paint), and the first
        # reminder is a minute away.
        from .reminders import Reminders
        from .wheel_guard import guard_wheel

        guard_wheel()
        self.reminders = Reminders(self.ctx, self)
        gc.enable()  # off since the command started (cli._start_gui)
        self.on_screen.emit()
        self.dashboard.start_below_fold()  # first in the queue: those panels fill soonest
        self.db.start_checks()
        self.refresh_status()
        self.team_sync.start()
        # Once the libraries are in, their objects are set aside from garbage collection:
        # a full collection looking through them all took 100–150 ms, freezing the window.
        self.ops.run(_warm_up(self.db), on_done=self._warmed_up)
        db = self.db
        self.ops.run(db.wait_for_checks, on_done=self._checks_passed, on_error=self._checks_failed)

    def _warmed_up(self, _result: object) -> None:
        gc.freeze()
        self.building_lists = True
        self._build_next_section()

    def _build_next_section(self) -> None:
        """The list pages, one section at a time between other events, empty until first
        shown: building them on the first click held the window for 20–40 ms."""
        for index, (_label, entities, _action) in enumerate(SECTIONS):
            if entities and index not in self._built_sections:
                self._build_section(index)
                QTimer.singleShot(PREBUILD_GAP_MS, self, self._build_next_section)
                return
        self.building_lists = False

    def _checks_passed(self, _result: object) -> None:
        from .maintenance import IdleUpkeep

        self.checks_done.emit()
        # Index merging after changes, and the day's routine backup after the first idle
        # minute (on the check's thread): look in on the backup once it has begun.
        self._backup_watch = QTimer(self)
        self._backup_watch.timeout.connect(self._backup_finished)
        self.upkeep = IdleUpkeep(self.db, self.ops, self)
        self.upkeep.backup_started.connect(lambda: self._backup_watch.start(250))
        self.upkeep.start()

    def _backup_finished(self) -> None:
        if not self.db.background_work_done():
            return
        self._backup_watch.stop()
        if self.db.backup_warning:
            self.statusBar().showMessage(self.db.backup_warning, 20000)
        # Only the backup time can have changed: no need to count the records again.
        path = self.db.path
        self.ops.run(lambda: dashboard_data.last_backup(path), on_done=self._show_last_backup)

    def _checks_failed(self, error: BaseException) -> None:
        if not isinstance(error, DatabaseDamaged):
            report_error(error, parent=self)
            return
        # Nothing was or will be written to it (saves wait for the check and fail).
        self.ops.shutdown()
        self.db.close()
        self._discard = True
        if offer_restore(self.db.path, error, parent=self):
            self.reopen_requested.emit()
        self.close()

    # --- list pages ----------------------------------------------------------------------

    def _build_section(self, index: int) -> None:
        if index in self._built_sections:
            return
        with HEAVY_IMPORTS:
            from .lists import ListPage

        self._built_sections.add(index)
        label, list_entities, _action = SECTIONS[index]
        holder = self.pages[index]
        if index == MAP_SECTION:
            from .relationship_map import MapPage

            self.relationship_map = MapPage(self.ctx, holder)
            self.relationship_map.open_record.connect(self.open_record)
            self.relationship_map.undo_stack.canUndoChanged.connect(self._map_undo_changed)
            holder.layout().addWidget(self.relationship_map)
            return
        pages = [
            ListPage(self.db, entity, kinds.BY_NAME[entity].plural, ops=self.ops)
            for entity in list_entities
        ]
        splitter = QSplitter(Qt.Orientation.Vertical, holder) if len(pages) > 1 else None
        for page in pages:
            self.lists.add(page)
            page.open_record.connect(self.open_record)
            page.selection_changed.connect(self.update_actions)
            if page.entity in PACK_ENTITIES:
                page.add_action_button(self.actions[ActionId.BRIEFING_PACK])
            if page.entity == "meetings":
                page.add_action_button(self.actions[ActionId.BATCH_PACKS])
            if splitter is not None:
                splitter.addWidget(page)
            else:
                holder.layout().addWidget(page)
        if splitter is not None:
            splitter.setAccessibleName(label)
            holder.layout().addWidget(splitter)

    # --- navigation ----------------------------------------------------------------------

    def go_to(self, index: int) -> None:
        self.nav.setCurrentRow(index)

    def _section_chosen(self, index: int) -> None:
        if index < 0:
            return
        self._build_section(index)
        self.stack.setCurrentIndex(index)
        for entity in SECTIONS[index][1]:
            self.lists[entity].ensure_loaded()
        # Arrow keys in the sidebar keep the focus there; a shortcut (Ctrl+5) goes to the list.
        if SECTIONS[index][1] and not self.nav.hasFocus():
            self.lists[SECTIONS[index][1][0]].table.setFocus()
        if self.isVisible():  # a window being shown gets its letters then (screen_fit)
            make_unique(self)
        self.update_actions()

    def go_to_list(self, entity: str) -> ListPage:
        self.go_to(_section_of(entity))
        return self.lists[entity]

    def current_list(self) -> ListPage | None:
        index = self.stack.currentIndex()
        names = SECTIONS[index][1] if index >= 0 else ()
        if not names:
            return None
        if len(names) > 1:
            for entity in names:
                page = self.lists[entity]
                if page.isAncestorOf(QApplication.focusWidget()) or page.current_id():
                    return page
        return self.lists[names[0]]

    # --- actions' state --------------------------------------------------------------

    def update_actions(self) -> None:
        page = self.current_list()
        chosen = page.current_id() if page else None
        enable = self.actions.enable
        enable(ActionId.NEW_RECORD, page is not None)
        enable(ActionId.OPEN_RECORD, chosen is not None)
        enable(
            ActionId.DELETE_RECORD,
            chosen is not None and page is not None and page.model.service.spec.soft_delete,
        )
        enable(ActionId.UNDO_DELETE, self.last_deleted is not None or self._map_can_undo())
        enable(
            ActionId.BRIEFING_PACK,
            chosen is not None and page is not None and page.entity in PACK_ENTITIES,
        )
        enable(ActionId.SAVE, any(editor.dirty for editor in self.editors.values()))
        pending = False
        if chosen and page is not None and page.entity == "commitments":
            row = page.current_index().row()
            pending = page.model.record(row).status.value == "pending"
        elif page is None and self.stack.currentIndex() == 0:
            pending = self.dashboard.chosen_commitment() is not None
        for action_id in (ActionId.MARK_DONE, ActionId.RESCHEDULE, ActionId.DROP):
            enable(action_id, pending)

    # --- records --------------------------------------------------------------------

    def open_record(self, entity: str, record_id: str | None) -> EditorDialog:
        """Open a record's editor (or bring it forward if it is already open)."""
        key = (entity, record_id)
        if record_id is not None and key in self.editors:
            editor = self.editors[key]
            editor.raise_()
            editor.activateWindow()
            return editor
        if record_id is not None and entity in self.lists:
            page = self.lists[entity]
            if page.loaded_once:
                page.select(record_id)
        with HEAVY_IMPORTS:
            from .editors import EDITORS
            from .meeting_editor import MeetingEditor

        editor_type = MeetingEditor if entity == "meetings" else EDITORS[entity]
        try:
            editor = editor_type(self.ctx, record_id, self)
        except ServiceError as error:
            show_error(self, error, "Opening the record")
            raise
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.editors[key] = editor
        editor.finished.connect(lambda _result, key=key: self._editor_closed(key))
        editor.saved.connect(lambda rid, editor=editor: self._editor_saved(editor, rid))
        editor.dirty_changed.connect(lambda _d: self.update_actions())
        editor.show()
        return editor

    def new_record(self, entity: str) -> EditorDialog:
        return self.open_record(entity, None)

    def _editor_closed(self, key: tuple[str, str | None]) -> None:
        self.editors.pop(key, None)
        self.update_actions()

    def _editor_saved(self, editor: EditorDialog, record_id: str) -> None:
        self.statusBar().showMessage("Saved.", 5000)

    def _new_in_current(self) -> None:
        page = self.current_list()
        if page is not None and page.entity == "letters":
            self.show_letter_composer()  # a new letter is written, not typed into a form
        elif page is not None:
            self.new_record(page.entity)

    def show_letter_composer(self) -> LetterComposer:
        """Compose a letter (to the contact chosen in the Contacts list, if any)."""
        from .letter_composer import open_letter_composer

        page = self.current_list()
        contact_id = page.current_id() if page is not None and page.entity == "contacts" else None
        self.letter_composer = open_letter_composer(self.ctx, self, contact_id=contact_id)
        self.letter_composer.saved.connect(
            lambda _id, path: self.statusBar().showMessage(f"Saved and logged {path}.", 10000)
        )
        return self.letter_composer

    def _open_current(self) -> None:
        page = self.current_list()
        if page is not None and (chosen := page.current_id()):
            self.open_record(page.entity, chosen)

    def _save_active_editor(self) -> None:
        from .editors import EditorDialog

        active = QApplication.activeWindow()
        if isinstance(active, EditorDialog):
            active.save()
            return
        dirty = [editor for editor in self.editors.values() if editor.dirty]
        if dirty:
            dirty[-1].save()

    def confirm(self, question: str) -> bool:
        """Ask yes or no (tests replace this)."""
        answer = QMessageBox.question(self, TITLE, question)
        return answer == QMessageBox.StandardButton.Yes

    def delete_current(self) -> None:
        page = self.current_list()
        if page is None or not (chosen := page.current_id()):
            return
        service = page.model.service
        record = page.model.record(page.current_index().row())
        summary = service.spec.summary(record)
        if not self.confirm(f"Delete {service.spec.label.lower()} “{summary}”? You can undo this."):
            return
        db = self.db

        def done(_record: object) -> None:
            self.last_deleted = (page.entity, chosen, summary)
            self.statusBar().showMessage(f"Deleted “{summary}”. Press Ctrl+Z to undo.", 10000)
            self.update_actions()

        self.ops.run(
            lambda: service.delete(db, chosen),
            on_done=done,
            on_error=lambda error: show_error(self, error, "Deleting"),
            changes={page.entity},
        )

    def _map_undo_changed(self, _can_undo: bool) -> None:
        if shiboken6.isValid(self.stack):  # the undo stack empties as the window closes
            self.update_actions()

    def _map_can_undo(self) -> bool:
        """On the relationship map, Ctrl+Z undoes the last move of a point."""
        shown = self.stack.currentIndex() == MAP_SECTION and self.relationship_map is not None
        return shown and self.relationship_map.undo_stack.canUndo()  # type: ignore[union-attr]

    def undo_delete(self) -> None:
        if self._map_can_undo():
            self.relationship_map.undo()  # type: ignore[union-attr]
            return
        if self.last_deleted is None:
            return
        from ..services import entities

        entity, record_id, summary = self.last_deleted
        service, db = entities.BY_NAME[entity], self.db

        def done(_record: object) -> None:
            self.last_deleted = None
            self.statusBar().showMessage(f"Brought back “{summary}”.", 5000)
            self.update_actions()

        self.ops.run(
            lambda: service.restore(db, record_id),
            on_done=done,
            on_error=lambda error: show_error(self, error, "Undoing the delete"),
            changes={entity},
        )

    def _commitment_workflow(self, kind: str) -> None:
        from .editors import open_workflow_dialog

        if self.stack.currentIndex() == 0:
            chosen = self.dashboard.chosen_commitment()
        else:
            chosen = self.lists["commitments"].current_id()
        if chosen:
            self.workflow_dialog = open_workflow_dialog(self.ctx, kind, chosen, self)

    # --- dialogs -------------------------------------------------------------------------

    def show_search(self) -> SearchDialog:
        from .search import SearchDialog

        dialog = SearchDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_record.connect(self.open_record)
        dialog.show()
        dialog.query.setFocus()
        self.search_dialog = dialog
        return dialog

    def show_preferences(self) -> PreferencesDialog:
        from .preferences import PreferencesDialog

        dialog = PreferencesDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.preferences_dialog = dialog
        return dialog

    def show_backups(self) -> BackupsDialog:
        from .safety_dialogs import BackupsDialog

        dialog = BackupsDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.backups_dialog = dialog
        return dialog

    def show_briefing_pack(self) -> PackDialog | None:
        """The briefing pack for the meeting or footprint chosen in the list on show."""
        from .briefing_dialogs import open_pack_dialog

        page = self.current_list()
        if page is None or page.entity not in PACK_ENTITIES or not (chosen := page.current_id()):
            return None
        self.briefing_dialog = open_pack_dialog(self.ctx, page.entity, chosen, self)
        return self.briefing_dialog

    def show_batch_packs(self) -> BatchPacksDialog:
        from .briefing_dialogs import BatchPacksDialog

        dialog = BatchPacksDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.batch_packs_dialog = dialog
        return dialog

    def show_health_check(self) -> HealthCheckDialog:
        """The health check of the footprint (or body) chosen in the list on show."""
        from .health_check import HealthCheckDialog

        page = self.current_list()
        chosen = page.current_id() if page is not None else None
        footprint_id = chosen if page is not None and page.entity == "footprints" else None
        body_id = chosen if page is not None and page.entity == "bodies" else None
        if body_id is not None:
            from ..services import entities

            footprints = entities.bodies.links_of(self.db, body_id)["footprint_ids"]
            footprint_id = footprints[0] if footprints else None
            body_id = body_id if footprint_id else None
        dialog = HealthCheckDialog(self.ctx, self, footprint_id=footprint_id, body_id=body_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.health_check_dialog = dialog
        return dialog

    def show_recently_deleted(self) -> RecentlyDeletedDialog:
        from .safety_dialogs import RecentlyDeletedDialog

        dialog = RecentlyDeletedDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.recently_deleted_dialog = dialog
        return dialog

    def show_setup(self) -> SetupDialog:
        from .setup import SetupDialog

        dialog = SetupDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()
        self.setup_dialog = dialog
        return dialog

    def show_user_guide(self) -> UserGuide:
        """The user guide, at the part about the window in use."""
        from .guide import SECTION_FOR, START, UserGuide

        active = QApplication.activeWindow()
        if active is self or active is None:
            page = self.current_list()
            key = page.entity if page is not None else ""
        else:
            key = type(active).__name__
        guide = getattr(self, "user_guide", None)
        if guide is None or not shiboken6.isValid(guide):
            guide = UserGuide(self)
            guide.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.user_guide = guide
        guide.show()
        guide.raise_()
        guide.show_section(SECTION_FOR.get(key, START))
        return guide

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {TITLE}",
            f"<b>stpdesk {__version__}</b><p>A record of your council's engagement with NHS "
            "footprints: meetings, asks, commitments and letters.</p>"
            "<p>Reference data: ONS Open Geography, Open Government Licence v3.0.</p>",
        )

    # --- refreshing ----------------------------------------------------------------------

    def refresh(self, changed: set[str]) -> None:
        """Reload whatever shows the kinds of record that changed."""
        for entity in changed:
            if entity in self.lists:
                self.lists[entity].reload()
        if changed & {"commitments", "asks", "meetings", "footprints", "bodies"} or not changed:
            self.dashboard.reload()
        if self.relationship_map is not None and (
            changed & {"footprints", "bodies", "contacts"} or not changed
        ):
            if "footprints" in changed or not changed:
                self.relationship_map.refresh_footprints()
            self.relationship_map.reload()
        self.refresh_status()
        self.update_actions()

    def refresh_status(self) -> None:
        db = self.db
        self.ops.run(lambda: dashboard_data.status(db), on_done=self._show_status)

    def _show_status(self, info: dashboard_data.StatusInfo) -> None:
        counts = info.counts
        self.dashboard.first_steps.setVisible(counts["meetings"] == 0)
        shown = ("meetings", "asks", "commitments", "contacts")
        self.counts_label.setText(
            " · ".join(kinds.counted(kinds.BY_NAME[name].table, counts[name]) for name in shown)
        )
        self._show_last_backup(info.last_backup)
        self.status_shown.emit()

    def _show_last_backup(self, taken: datetime | None) -> None:
        self.backup_label.setText(
            f"Last backup: {format_datetime(taken)}" if taken else "No backup yet"
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        for editor in list(self.editors.values()):
            if getattr(self, "_discard", False):  # the damaged database is closed already
                editor.dirty = False
            if not editor.close():
                event.ignore()
                return
        jobs = sys.modules.get(f"{__package__}.jobs")
        if jobs is not None:  # a pack half made is not worth waiting for
            jobs.cancel_dialog_jobs(self)
        self.team_sync.timer.stop()
        self.team_sync.queue.shutdown()
        self.ops.shutdown()
        event.accept()


class _AfterPaint(QObject):
    """Calls ``work`` once ``widget`` has next been painted and the picture has gone to the
    screen (or after a second, should it not be painted: a minimised window, say)."""

    def __init__(self, widget: QWidget, work: Callable[[], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._work: Callable[[], None] | None = work
        widget.installEventFilter(self)
        QTimer.singleShot(1000, self, self._run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            # Queued: runs once the whole window's paint has been sent to the screen.
            QTimer.singleShot(0, self, self._run)
        return False

    def _run(self) -> None:
        if self._work is not None:
            work, self._work = self._work, None
            self._widget.removeEventFilter(self)
            work()


def _warm_up(db: Database):  # noqa: ANN202  (a task for the worker thread)
    def work() -> None:
        with HEAVY_IMPORTS:
            for name in WARM_UP_MODULES:
                importlib.import_module(name)
            db.engine  # noqa: B018  (creates the SQLAlchemy engine)

    return work


def open_for_gui(db_path: Path, *, demo: bool) -> Database:
    """Open the database for a window: its integrity check and routine backup run
    behind the window; demo data is added when asked and the database is empty."""
    db = open_database(db_path, defer_checks=True, role=APP)
    if demo and dashboard_data.is_empty(db):
        from ..services.demo import build_demo

        build_demo(db)
    return db


def offer_restore(db_path: Path, problem: DatabaseDamaged, parent: QWidget | None = None) -> bool:
    """Say what is wrong with a damaged database and offer the newest good backup.

    Returns True when a backup was restored (the damaged file is kept, renamed)."""
    with HEAVY_IMPORTS:
        from ..services import safety

    good = safety.newest_good_backup(db_path)
    if good is None:
        QMessageBox.critical(parent, TITLE, f"stpdesk cannot open its database.\n\n{problem}")
        return False
    answer = QMessageBox.question(
        parent,
        TITLE,
        f"stpdesk cannot open its database: it is damaged. It has not been changed.\n\n"
        f"Restore the newest good backup, taken {format_datetime(good.taken)}? "
        "The damaged file is kept beside it, renamed.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    result = safety.restore(db_path, good.path)
    QMessageBox.information(
        parent,
        TITLE,
        f"Restored the backup taken {format_datetime(good.taken)}."
        + (f"\n\nThe damaged file is kept as {result.set_aside}." if result.set_aside else ""),
    )
    return True


def open_main_window(db_path: Path, *, demo: bool = False) -> MainWindow | None:
    """The main window over ``db_path`` (not yet shown), or None when the database cannot
    be opened and no backup was restored (the user has been told why)."""
    try:
        try:
            db = open_for_gui(db_path, demo=demo)
        except NotStpdesk:
            raise  # another program's file: there is nothing of ours to restore
        except DatabaseDamaged as problem:
            if not offer_restore(db_path, problem):
                return None
            db = open_for_gui(db_path, demo=False)
    except (StoreError, ServiceError, OSError) as error:
        QMessageBox.critical(None, TITLE, f"stpdesk cannot open its database.\n\n{error}")
        return None
    return MainWindow(db)


def _offer_setup(window: MainWindow) -> None:
    """A first run (nothing recorded): the setup dialog, over the window on screen."""
    if dashboard_data.is_empty(window.db):
        with HEAVY_IMPORTS:
            window.show_setup()


def run(db_path: Path, *, demo: bool = False) -> int:
    started = time.perf_counter()
    preferences.apply()  # the rating thresholds chosen in Preferences
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(TITLE)
    setup_logging()
    install_crash_handler()
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        # Held until the app quits: no other stpdesk process (window or command) uses the
        # file meanwhile, whatever closes the app's own descriptors of it.
        lock = hold(db_path, APP)
    except (StoreError, OSError) as error:
        QMessageBox.critical(None, TITLE, f"stpdesk cannot open its database.\n\n{error}")
        return 1
    windows: list[MainWindow] = []

    def show(window: MainWindow | None) -> None:
        if window is None:
            return
        windows.append(window)
        window.reopen_requested.connect(lambda: show(open_main_window(db_path)))
        if report := os.environ.get("STPDESK_REPORT_READY"):  # a start-up benchmark
            from .launch_report import report_when_ready

            report_when_ready(window, report)
        # The dashboard's figures are being read behind the window: a short wait for them
        # lets the first paint show them, not "Loading…" followed by a second paint.
        window.ops.wait(FIRST_FILL_WAIT_MS)
        window.on_screen.connect(lambda: _offer_setup(window))
        window.show()

    try:
        show(open_main_window(db_path, demo=demo))
        if not windows:
            return 1
        windows[0].startup_seconds = time.perf_counter() - started
        return app.exec()
    finally:
        for window in windows:
            window.ops.shutdown()
            window.db.close()
        # Collect the windows' Python wrappers now: left to interpreter shutdown,
        # PySide can abort the process ("deallocating None") while collecting them.
        windows.clear()
        gc.collect()
        lock.release()
