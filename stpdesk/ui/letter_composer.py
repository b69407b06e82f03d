"""The letter composer: choose a template, the recipient, who signs and which asks (in
order), edit the opening and closing, preview, then save as PDF or Word.

The letter is laid out by :func:`stpdesk.documents.letters.render_letter` and saved and
logged by :func:`stpdesk.services.letters.save_letter`, as ``stpdesk letter`` does;
reading the record, the preview and the saving all run off the UI thread through the
window's work queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QStandardPaths, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..documents import letters
from ..documents.templates import TemplateInfo
from ..safe_files import safe_file_name
from ..services import letters as letter_service
from ..services.errors import ServiceError
from ..services.letters import LetterRequest
from ..store import Database
from .context import AppContext, show_error
from .screen_fit import fit_to_screen


@dataclass
class Choices:
    """What the composer's pickers offer, read off the UI thread."""

    templates: list[TemplateInfo]
    contacts: list[tuple[str, str]]  # id, label
    members: list[tuple[str, str]]
    asks: list[tuple[str, str]]
    bodies: list[tuple[str, str]]
    meetings: list[tuple[str, str]]


def load_choices(db: Database) -> Choices:
    picks = letter_service.picker_choices(db)
    return Choices(templates=letters.letter_templates(), **picks)


class OrderedChoice(QWidget):
    """A checklist whose ticked items, top to bottom, are the choice; Up and Down reorder."""

    changed = Signal()

    def __init__(self, noun: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget(self)
        self.list.setAccessibleName(noun.capitalize())
        # Two of these sit in one window, so their buttons take Alt+Up and Alt+Down in
        # their own list rather than Alt+letters the two would have to share.
        self.up = QPushButton("Move up", self)
        self.down = QPushButton("Move down", self)
        self.up.setAccessibleName(f"Move the chosen {noun} up")
        self.down.setAccessibleName(f"Move the chosen {noun} down")
        for button, key in ((self.up, "Alt+Up"), (self.down, "Alt+Down")):
            button.setToolTip(f"{button.text()} ({key})")
            shortcut = QShortcut(QKeySequence(key), self, button.click)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        buttons = QVBoxLayout()
        buttons.addWidget(self.up)
        buttons.addWidget(self.down)
        buttons.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        # The field's Alt+letter (its label's buddy is this box) lands in the list.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFocusProxy(self.list)
        self.up.clicked.connect(lambda: self.move(-1))
        self.down.clicked.connect(lambda: self.move(1))
        self.list.itemChanged.connect(lambda _item: self.changed.emit())

    def set_items(self, items: list[tuple[str, str]], chosen: list[str] = ()) -> None:
        self.list.clear()
        for record_id, label in items:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, record_id)
            item.setToolTip(label)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        for record_id in chosen:
            self.check(record_id)

    def _row_of(self, record_id: str) -> int:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == record_id:
                return row
        raise KeyError(record_id)

    def check(self, record_id: str, on: bool = True) -> None:
        """Tick an item; a newly ticked item moves below the ones already ticked."""
        row = self._row_of(record_id)
        item = self.list.item(row)
        if on and item.checkState() != Qt.CheckState.Checked:
            item = self.list.takeItem(row)
            self.list.insertItem(len(self.ids()), item)
        item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.list.setCurrentItem(item)

    def move(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self.list.setCurrentRow(target)
        self.changed.emit()

    def select(self, record_id: str) -> None:
        self.list.setCurrentRow(self._row_of(record_id))

    def ids(self) -> list[str]:
        return [
            self.list.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.list.count())
            if self.list.item(row).checkState() == Qt.CheckState.Checked
        ]


CHASE_TEMPLATE = "overdue-commitments"


class LetterComposer(QDialog):
    """Compose a letter; ``saved(letter_id, path)`` once it is saved and logged."""

    ready = Signal()  # the pickers are filled
    preview_shown = Signal()
    saved = Signal(str, str)
    failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.choices: Choices | None = None
        self.chased: list[str] = []  # set by chase(): the commitments the letter is about
        # the letter last logged and what it was made from: saving the same letter in the
        # other format adds that file to it rather than logging a second letter
        self.logged: tuple[LetterRequest, str] | None = None
        self.buffer: QBuffer | None = None
        self.setWindowTitle("New letter")
        self.setAccessibleName("Letter composer")
        fit_to_screen(self, "letter_composer", 1150, 780)

        form_side = QWidget(self)
        form = QFormLayout(form_side)
        self.template = QComboBox(form_side)
        self.template.setAccessibleName("Template")
        form.addRow("Te&mplate:", self.template)
        self.description = QLabel(form_side)
        self.description.setWordWrap(True)
        form.addRow("", self.description)

        to_box = QGroupBox("To", form_side)
        to_layout = QFormLayout(to_box)
        self.to_contact = QRadioButton("A &contact", to_box)
        self.to_address_choice = QRadioButton("Another &address", to_box)
        self.to_contact.setChecked(True)
        self.contact = QComboBox(to_box)
        self.contact.setAccessibleName("Recipient contact")
        self.address = QPlainTextEdit(to_box)
        self.address.setAccessibleName("Recipient address")
        self.address.setPlaceholderText("Name, then each line of the address")
        self.address.setFixedHeight(self.address.fontMetrics().lineSpacing() * 5 + 12)
        self.address.setEnabled(False)
        self.address.setTabChangesFocus(True)  # Tab moves on; a letter needs no tab characters
        to_layout.addRow(self.to_contact, self.contact)
        to_layout.addRow(self.to_address_choice, self.address)
        self.body = QComboBox(to_box)
        self.body.setAccessibleName("About body")
        to_layout.addRow("About &body:", self.body)
        self.meeting = QComboBox(to_box)
        self.meeting.setAccessibleName("Following meeting")
        to_layout.addRow("After meet&ing:", self.meeting)
        form.addRow(to_box)
        self.to_contact.toggled.connect(self._recipient_kind)

        self.signatories = OrderedChoice("signatory", form_side)
        form.addRow("&Signed by:", self.signatories)
        self.asks = OrderedChoice("ask", form_side)
        form.addRow("As&ks, in order:", self.asks)
        self.subject = QLineEdit(form_side)
        self.subject.setAccessibleName("Subject")
        form.addRow("Sub&ject:", self.subject)
        self.opening = QPlainTextEdit(form_side)
        self.opening.setAccessibleName("Opening")
        self.opening.setTabChangesFocus(True)
        form.addRow("&Opening:", self.opening)
        self.closing = QPlainTextEdit(form_side)
        self.closing.setAccessibleName("Closing")
        self.closing.setTabChangesFocus(True)
        self.closing.setFixedHeight(self.closing.fontMetrics().lineSpacing() * 4 + 12)
        form.addRow("C&losing:", self.closing)
        self.cc = QLineEdit(form_side)
        self.cc.setAccessibleName("Copy to")
        self.cc.setPlaceholderText("Names separated by ;")
        form.addRow("Copy &to:", self.cc)

        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setAccessibleName("Letter preview")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

        splitter = QSplitter(self)
        splitter.addWidget(form_side)
        splitter.addWidget(self.view)
        splitter.setSizes([560, 590])

        self.status = QLabel("Reading the record…", self)
        self.status.setAccessibleName("Letter status")
        self.status.setWordWrap(True)
        self.preview_button = QPushButton("&Preview", self)
        self.save_pdf = QPushButton("Save as P&DF…", self)
        self.save_docx = QPushButton("Save as &Word…", self)
        close = QPushButton("Close", self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for button in (self.preview_button, self.save_pdf, self.save_docx, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

        self.preview_button.clicked.connect(self.preview)
        self.save_pdf.clicked.connect(lambda: self.save_as("pdf"))
        self.save_docx.clicked.connect(lambda: self.save_as("docx"))
        close.clicked.connect(self.reject)
        self.template.currentIndexChanged.connect(self._template_chosen)
        self._set_busy(True)
        db = ctx.db
        ctx.ops.run(
            lambda: load_choices(db),
            on_done=self._fill,
            on_error=lambda error: self._failed(error, "Reading the record"),
        )

    # --- filling in --------------------------------------------------------------

    def _fill(self, choices: Choices) -> None:
        self.choices = choices
        for info in choices.templates:
            self.template.addItem(info.title, info.name)
        self.contact.addItems([label for _, label in choices.contacts])
        self.body.addItem("(the contact's body)", None)
        for body_id, name in choices.bodies:
            self.body.addItem(name, body_id)
        self.meeting.addItem("(the last meeting with the body)", None)
        for meeting_id, label in choices.meetings:
            self.meeting.addItem(label, meeting_id)
        self.signatories.set_items(choices.members)
        self.asks.set_items(choices.asks)
        default = self.template.findData(letters.DEFAULT_TEMPLATE)
        self.template.setCurrentIndex(max(default, 0))
        self._template_chosen()
        self._set_busy(False)
        self.status.setText("Choose who it is to and who signs it, then preview or save.")
        self.ready.emit()

    def _template_chosen(self, _index: int = 0) -> None:
        info = self._info()
        if info is None:
            return
        self.description.setText(info.description)
        defaults = letters.defaults_of(info)
        self.subject.setText(defaults["subject"])
        self.opening.setPlainText(defaults["opening"])
        self.closing.setPlainText(defaults["closing"])

    def _info(self) -> TemplateInfo | None:
        if self.choices is None or self.template.currentIndex() < 0:
            return None
        return self.choices.templates[self.template.currentIndex()]

    def _recipient_kind(self, contact: bool) -> None:
        self.contact.setEnabled(contact)
        self.address.setEnabled(not contact)

    def set_contact(self, contact_id: str) -> None:
        assert self.choices is not None
        ids = [record_id for record_id, _ in self.choices.contacts]
        self.to_contact.setChecked(True)
        self.contact.setCurrentIndex(ids.index(contact_id))

    def chase(self, commitment_id: str, body_id: str, contact_id: str | None) -> None:
        """Set up the overdue-commitments letter chasing one commitment, its history in it."""
        assert self.choices is not None
        self.chased = [commitment_id]
        self.template.setCurrentIndex(max(self.template.findData(CHASE_TEMPLATE), 0))
        self.body.setCurrentIndex(max(self.body.findData(body_id), 0))
        if contact_id and contact_id in [i for i, _ in self.choices.contacts]:
            self.set_contact(contact_id)
        self.status.setText(
            "Chasing one commitment: its first due date and each move are in the letter."
        )

    def request(self) -> LetterRequest:
        """The letter as the fields say now."""
        assert self.choices is not None
        info = self._info()
        contact_id = None
        if self.to_contact.isChecked() and self.contact.currentIndex() >= 0:
            contact_id = self.choices.contacts[self.contact.currentIndex()][0]
        return LetterRequest(
            template=info.name if info else "",
            to_contact_id=contact_id,
            to_address=None if self.to_contact.isChecked() else self.address.toPlainText(),
            ask_ids=self.asks.ids(),
            signatory_ids=self.signatories.ids(),
            body_id=self.body.currentData(),
            meeting_id=self.meeting.currentData(),
            subject=self.subject.text(),
            opening=self.opening.toPlainText(),
            closing=self.closing.toPlainText(),
            cc=[name for name in self.cc.text().split(";") if name.strip()],
            commitment_ids=list(self.chased) if info and info.name == CHASE_TEMPLATE else [],
        )

    # --- preview and save --------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        for button in (self.preview_button, self.save_pdf, self.save_docx):
            button.setEnabled(not busy)

    def preview(self) -> None:
        if self.choices is None:
            return
        request, db = self.request(), self.ctx.db
        self._set_busy(True)
        self.status.setText("Laying out the letter…")
        self.ctx.ops.run(
            lambda: letters.preview_pdf(db, request),
            on_done=self._show_preview,
            on_error=lambda error: self._failed(error, "Previewing the letter"),
        )

    def _show_preview(self, data: bytes) -> None:
        buffer = QBuffer(self)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(buffer)  # closes the letter shown before, so its buffer can go
        if self.buffer is not None:
            self.buffer.close()
            self.buffer.deleteLater()
        self.buffer = buffer
        self._set_busy(False)
        pages = self.document.pageCount()
        self.status.setText(f"Preview: {pages} page{'' if pages == 1 else 's'}.")
        self.preview_shown.emit()

    def choose_file(self, fmt: str) -> str:
        """Ask where to save (tests replace this)."""
        folder = Path(
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            or Path.home()
        )
        name = safe_file_name(self.subject.text(), f".{fmt}", fallback="letter")
        kind = "PDF (*.pdf)" if fmt == "pdf" else "Word document (*.docx)"
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save the letter", str(folder / name), kind
        )
        return path

    def save_as(self, fmt: str) -> None:
        if self.choices is None:
            return
        path = self.choose_file(fmt)
        if not path:
            return
        if not path.lower().endswith(f".{fmt}"):
            path += f".{fmt}"
        request, db = self.request(), self.ctx.db
        self._set_busy(True)
        self.status.setText("Saving and logging the letter…")
        kind = letters.format_for(path)

        same = self.logged[1] if self.logged and self.logged[0] == request else None

        def save() -> letter_service.SavedLetter:
            rendered = letters.render_letter(db, request, kind)
            return letter_service.save_letter(db, rendered, path, letter_id=same)

        self.pending_request = request

        self.ctx.ops.run(
            save,
            on_done=self._saved,
            on_error=lambda error: self._failed(error, "Saving the letter"),
            changes={"letters"},
        )

    def _saved(self, result: letter_service.SavedLetter) -> None:
        self._set_busy(False)
        self.logged = (self.pending_request, result.letter.id)
        self.status.setText(
            f"Saved {result.path.name} and logged it as a draft letter to "
            f"{result.data.recipient.name}."
        )
        self.saved.emit(result.letter.id, str(result.path))

    def _failed(self, error: BaseException, doing: str) -> None:
        self._set_busy(self.choices is None)
        if isinstance(error, ServiceError):
            # a problem with what was chosen: say it beside the buttons, change nothing
            self.status.setText(str(error))
            self.failed.emit(str(error))
            return
        self.status.setText(f"{doing} did not work.")
        self.failed.emit(str(error))
        show_error(self, error, doing)


def open_letter_composer(
    ctx: AppContext,
    parent: QWidget | None = None,
    *,
    contact_id: str | None = None,
    chase: tuple[str, str, str | None] | None = None,
) -> LetterComposer:
    """``chase``: (commitment id, its body's id, its contact's id) to chase in one step."""
    dialog = LetterComposer(ctx, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if contact_id:
        dialog.ready.connect(lambda: dialog.set_contact(contact_id))
    if chase is not None:
        dialog.ready.connect(lambda: dialog.chase(*chase))
    dialog.show()
    return dialog


__all__ = ["LetterComposer", "OrderedChoice", "open_letter_composer"]
