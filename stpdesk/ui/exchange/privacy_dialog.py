"""Data-protection requests (UK GDPR): a subject access export, erasing a contact, and the
retention review of contacts nobody has engaged with for years."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...model import kinds
from ...model.types import format_date
from ...services import entities as e
from ...services import privacy
from ..context import AppContext, show_error
from ..screen_fit import fit_to_screen
from ..widgets import PROBLEM_STYLE
from . import choosers

FILTER_DELAY_MS = 250
LISTED = 200
DEFAULT_YEARS = 6  # the usual retention period for council correspondence


def _contacts(db, text: str) -> list[tuple[str, str]]:
    """(id, "Name — role") of contacts matching the text, erased ones left out."""
    page = e.contacts.page(db, text=text or None, limit=LISTED, order_by="name")
    return [
        (contact.id, contact.name + (f" — {contact.role}" if contact.role else ""))
        for contact in page.rows
        if contact.name != privacy.ERASED_NAME
    ]


class EraseConfirmation(QDialog):
    """Erasing cannot be undone, so the user types the person's name to confirm."""

    confirmed = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.setWindowTitle(f"Erase {name}?")
        self.setAccessibleName("Confirm erasure")
        self.setObjectName("confirm_erase")
        layout = QVBoxLayout(self)
        text = QLabel(
            f"Erase the personal data of <b>{_html(name)}</b>?<p>Their name, email, phone, "
            "role and notes are removed, and every mention of their name or email in meetings, "
            "asks, commitments, letters and the history is replaced with “[erased]”. "
            "Meetings they attended keep an anonymous attendee.</p>"
            "<p><b>This cannot be undone.</b> Backups made before now still hold their "
            "data until they are replaced.</p>",
            self,
        )
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(text)
        prompt = QLabel(f"To confirm, type their name ({name}):", self)
        prompt.setWordWrap(True)
        layout.addWidget(prompt)
        self.typed = QLineEdit(self)
        self.typed.setAccessibleName("Type the person's name to confirm")
        prompt.setBuddy(self.typed)
        layout.addWidget(self.typed)
        self.buttons = QDialogButtonBox(self)
        self.erase_button = QPushButton(f"Erase {name}", self)
        self.erase_button.setAccessibleName("Erase")
        self.erase_button.setStyleSheet(PROBLEM_STYLE)
        self.erase_button.setEnabled(False)
        self.buttons.addButton(self.erase_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setDefault(True)
        self.buttons.rejected.connect(self.reject)
        self.erase_button.clicked.connect(self._erase)
        layout.addWidget(self.buttons)
        self.typed.textChanged.connect(self._typed)
        fit_to_screen(self, "confirm_erase")

    def _typed(self, text: str) -> None:
        self.erase_button.setEnabled(
            " ".join(text.split()).casefold() == " ".join(self.name.split()).casefold()
        )

    def _erase(self) -> None:
        if self.erase_button.isEnabled():
            self.accept()
            self.confirmed.emit()


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class DataProtectionDialog(QDialog):
    """Requests about one person, and the retention review."""

    contacts_loaded = Signal()
    review_loaded = Signal()
    done = Signal(str)  # what was done, for the status bar

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        contact_id: str | None = None,
        review: bool = False,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.wanted_id = contact_id
        self.review_items: list[privacy.ReviewItem] = []
        self.confirmation: EraseConfirmation | None = None
        self.setWindowTitle("Data protection requests")
        self.setAccessibleName("Data protection requests")
        self.setObjectName("data_protection_dialog")
        fit_to_screen(self, "data_protection", 760, 520)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs, 1)

        # --- a person's data -----------------------------------------------------------------
        person = QWidget(self.tabs)
        box = QVBoxLayout(person)
        intro = QLabel(
            "When someone asks what we hold about them (subject access), export it for them. "
            "When they ask to be forgotten, erase their personal data everywhere.",
            person,
        )
        intro.setWordWrap(True)
        box.addWidget(intro)
        self.filter = QLineEdit(person)
        self.filter.setPlaceholderText("Find a contact by name, role or email")
        self.filter.setAccessibleName("Find a contact")
        self.filter.setClearButtonEnabled(True)
        box.addWidget(self.filter)
        self.contact_list = QListWidget(person)
        self.contact_list.setAccessibleName("Contacts")
        self.contact_list.currentItemChanged.connect(lambda *_: self._update_buttons())
        box.addWidget(self.contact_list, 1)
        self.tabs.addTab(person, "A &person's data")

        # --- retention review --------------------------------------------------------------
        review_tab = QWidget(self.tabs)
        box = QVBoxLayout(review_tab)
        row = QHBoxLayout()
        row.addWidget(QLabel("Contacts not engaged with for", review_tab))
        self.years = QSpinBox(review_tab)
        self.years.setRange(1, 50)
        self.years.setValue(DEFAULT_YEARS)
        self.years.setSuffix(" years")
        self.years.setAccessibleName("Years without engagement")
        row.addWidget(self.years)
        row.addWidget(QLabel("or more", review_tab))
        row.addStretch()
        box.addLayout(row)
        self.review_summary = QLabel(review_tab)
        self.review_summary.setWordWrap(True)
        box.addWidget(self.review_summary)
        self.review_table = QTableWidget(0, 4, review_tab)
        self.review_table.setHorizontalHeaderLabels(["Contact", "Body", "Last engaged", "How"])
        self.review_table.setAccessibleName("Contacts to review")
        self.review_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.review_table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.review_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.review_table.verticalHeader().setVisible(False)
        self.review_table.horizontalHeader().setStretchLastSection(True)
        self.review_table.itemSelectionChanged.connect(self._update_buttons)
        box.addWidget(self.review_table, 1)
        self.tabs.addTab(review_tab, "&Retention review")
        self.tabs.currentChanged.connect(lambda _index: self._update_buttons())

        # --- actions on the chosen contact -------------------------------------------------
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Result")
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result)
        row = QHBoxLayout()
        self.access_button = QPushButton("&Export everything held about them…", self)
        self.access_button.setAccessibleName("Subject access export")
        self.access_button.clicked.connect(self.subject_access)
        self.erase_button = QPushButton("E&rase their personal data…", self)
        self.erase_button.setAccessibleName("Erase the contact's personal data")
        self.erase_button.clicked.connect(self.ask_to_erase)
        row.addWidget(self.access_button)
        row.addWidget(self.erase_button)
        row.addStretch()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        row.addWidget(close)
        layout.addLayout(row)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FILTER_DELAY_MS)
        self._timer.timeout.connect(self.load_contacts)
        self.filter.textChanged.connect(lambda _text: self._timer.start())
        self.years.valueChanged.connect(lambda _years: self.load_review())
        self._update_buttons()
        self.load_contacts()
        self.load_review()
        if review:
            self.tabs.setCurrentIndex(1)

    # --- lists -------------------------------------------------------------------------

    def load_contacts(self) -> None:
        db, text = self.ctx.db, self.filter.text().strip()
        self.ctx.ops.run(
            lambda: _contacts(db, text),
            on_done=self._show_contacts,
            on_error=lambda error: show_error(self, error, "Listing contacts"),
        )

    def _show_contacts(self, found: list[tuple[str, str]]) -> None:
        chosen = self.wanted_id or self._list_choice()
        self.contact_list.clear()
        for contact_id, text in found:
            item = QListWidgetItem(text, self.contact_list)
            item.setData(Qt.ItemDataRole.UserRole, contact_id)
            if contact_id == chosen:
                self.contact_list.setCurrentItem(item)
        self.wanted_id = None
        self._update_buttons()
        self.contacts_loaded.emit()

    def load_review(self) -> None:
        db, years = self.ctx.db, self.years.value()
        self.ctx.ops.run(
            lambda: privacy.retention_review(db, years=years),
            on_done=lambda items: self._show_review(items, years),
            on_error=lambda error: show_error(self, error, "The retention review"),
        )

    def _show_review(self, items: list[privacy.ReviewItem], years: int) -> None:
        self.review_items = items
        self.review_table.setRowCount(len(items))
        for row, item in enumerate(items):
            cells = [item.name, item.body or "", format_date(item.last_engaged), item.how]
            for column, text in enumerate(cells):
                self.review_table.setItem(row, column, QTableWidgetItem(text))
        self.review_table.resizeColumnsToContents()
        cutoff = privacy.retention_cutoff_text(years)
        self.review_summary.setText(
            f"{len(items):,} contact{' is' if len(items) == 1 else 's are'} {cutoff}, "
            "oldest first. Review each: erase the ones you no longer need to keep."
            if items
            else f"No contacts are {cutoff}."
        )
        self._update_buttons()
        self.review_loaded.emit()

    def _list_choice(self) -> str | None:
        item = self.contact_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def chosen(self) -> tuple[str, str] | None:
        """(id, name) of the contact the buttons act on, from whichever tab is on show."""
        if self.tabs.currentIndex() == 1:
            rows = self.review_table.selectionModel().selectedRows()
            if not rows:
                return None
            item = self.review_items[rows[0].row()]
            return item.contact_id, item.name
        current = self.contact_list.currentItem()
        if current is None:
            return None
        return current.data(Qt.ItemDataRole.UserRole), current.text().split(" — ")[0]

    def choose(self, contact_id: str) -> bool:
        """Choose a contact in the list (tests and the main window use this)."""
        for row in range(self.contact_list.count()):
            item = self.contact_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == contact_id:
                self.tabs.setCurrentIndex(0)
                self.contact_list.setCurrentItem(item)
                return True
        return False

    def _update_buttons(self) -> None:
        chosen = self.chosen() is not None
        self.access_button.setEnabled(chosen)
        self.erase_button.setEnabled(chosen)

    # --- subject access ------------------------------------------------------------------

    def subject_access(self) -> None:
        chosen = self.chosen()
        if chosen is None:
            return
        contact_id, name = chosen
        folder = choosers.folder(self, f"Subject access for {name}: choose a folder")
        if folder is None:
            return
        self.write_subject_access(contact_id, name, folder)

    def write_subject_access(self, contact_id: str, name: str, folder: Path) -> None:
        from ...documents.subject_access import export_subject_access

        db = self.ctx.db
        self.access_button.setEnabled(False)
        self.result.setText(f"Gathering everything held about {name}…")

        def done(paths: tuple[Path, Path]) -> None:
            json_path, pdf_path = paths
            message = (
                f"Wrote everything held about {name} to {pdf_path.name} (to read) and "
                f"{json_path.name} (machine-readable) in {folder}."
            )
            self.result.setText(message)
            self._update_buttons()
            self.done.emit(message)

        def failed(error: BaseException) -> None:
            self.result.setText("")
            self._update_buttons()
            show_error(self, error, "The subject access export")

        self.ctx.ops.run(
            lambda: export_subject_access(db, contact_id, folder), on_done=done, on_error=failed
        )

    # --- erasure -------------------------------------------------------------------------

    def ask_to_erase(self) -> EraseConfirmation | None:
        chosen = self.chosen()
        if chosen is None:
            return None
        contact_id, name = chosen
        box = EraseConfirmation(name, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.confirmed.connect(lambda: self.erase(contact_id, name))
        box.open()  # never blocks the window or a test
        self.confirmation = box
        return box

    def erase(self, contact_id: str, name: str) -> None:
        db = self.ctx.db
        self.erase_button.setEnabled(False)
        self.result.setText(f"Erasing {name}'s personal data…")

        def done(result: privacy.ErasureResult) -> None:
            message = (
                f"Erased {name}'s personal data: {result.mentions_removed:,} mentions removed "
                f"from other records and {result.audit_entries_scrubbed:,} history entries "
                "cleaned. Backups taken earlier still hold it until they are replaced."
            )
            self.result.setText(message)
            self.load_contacts()
            self.load_review()
            self.done.emit(message)

        def failed(error: BaseException) -> None:
            self.result.setText("")
            self._update_buttons()
            show_error(self, error, "Erasing")

        self.ctx.ops.run(
            lambda: privacy.erase(db, contact_id),
            on_done=done,
            on_error=failed,
            changes=set(kinds.LISTED_NAMES),
        )
