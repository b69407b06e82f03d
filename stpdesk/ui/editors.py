"""Editors for every entity: validation beside each field, saves off the UI thread,
an "unsaved changes" prompt on close. The meeting editor is in meeting_editor.py.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..model import kinds
from ..model.clock import today
from ..model.engagement import is_overdue, slippage_text
from ..model.enums import (
    AskStatus,
    BodyKind,
    CommitmentDirection,
    EvidenceKind,
    FootprintKind,
    LetterStatus,
    Priority,
    RelationshipStrength,
    ReplyOutcome,
    SentBy,
)
from ..model.types import format_date, format_datetime
from ..services import entities, promises, workflows
from ..services import letters as letter_service
from ..services.errors import ValidationFailed
from .actions import ActionId, make_action
from .context import TITLE, AppContext, show_error
from .models import commitment_status_text
from .operations import EXPECTED_ERRORS
from .promises_view import ChartRow, PromisesChart, legend
from .screen_fit import fit_to_screen
from .widgets import Form, Picker, ProblemLabel, ok_and_cancel


class EditorDialog(QDialog):
    """Base for editors: Save (Ctrl+S) runs off the UI thread; problems appear beside fields."""

    saved = Signal(str)  # the saved record's id
    save_failed = Signal()  # validation or another expected error: shown, nothing saved
    dirty_changed = Signal(bool)

    entity = ""
    preferred_size = (640, 560)  # on a large screen; smaller screens get less

    def __init__(
        self, ctx: AppContext, record_id: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.record_id = record_id
        self.dirty = False
        self.saving = False
        noun = kinds.BY_NAME[self.entity].table
        self.setWindowTitle(f"{'New' if record_id is None else 'Edit'} {noun} — {TITLE}")
        self.setAccessibleName(f"{noun.capitalize()} editor")
        self.setObjectName(f"{noun}_editor")
        fit_to_screen(self, f"{noun}_editor", *self.preferred_size)

        outer = QVBoxLayout(self)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.scroll.setWidget(self.body)
        outer.addWidget(self.scroll)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save")
        # Enter in a field adds an attendee or picks a body; saving is Ctrl+S or the button
        for button in self.buttons.buttons():
            button.setAutoDefault(False)
            button.setDefault(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.status = QLabel(self)
        self.status.setAccessibleName("Editor status")
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.buttons)
        outer.addLayout(bottom)

        self.save_action = make_action(ActionId.SAVE, self)
        self.save_action.triggered.connect(self.save)
        self.addAction(self.save_action)

    # --- to fill in by each editor -----------------------------------------------

    def form_values(self) -> tuple[dict[str, Any], dict[str, str]]:
        raise NotImplementedError

    def save_work(self, values: dict[str, Any]) -> Any:
        """Runs on the worker thread; returns the saved record."""
        return workflows.save_record(self.ctx.db, self.entity, self.record_id, values)

    def changes(self) -> set[str]:
        return {self.entity}

    def show_failure(self, error: ValidationFailed) -> QWidget | None:
        raise NotImplementedError

    def clear_problems(self) -> None:
        raise NotImplementedError

    # --- shared behaviour ----------------------------------------------------------

    def mark_dirty(self) -> None:
        if not self.dirty:
            self.dirty = True
            self.setWindowTitle("* " + self.windowTitle())
            self.dirty_changed.emit(True)

    def mark_clean(self) -> None:
        was_dirty = self.dirty
        self.dirty = False
        self.setWindowTitle(self.windowTitle().removeprefix("* "))
        if was_dirty:
            self.dirty_changed.emit(False)

    def save(self) -> None:
        if self.saving:
            return
        self.clear_problems()
        values, local = self.form_values()
        if local:
            self._focus(self.show_problems(local))
            self.status.setText("Not saved: put right the problems shown.")
            self.save_failed.emit()
            return
        self.saving = True
        self.save_button.setEnabled(False)
        self.status.setText("Saving…")
        self.ctx.ops.run(
            lambda: self.save_work(values),
            on_done=self._saved,
            on_error=self._failed,
            changes=self.changes(),
        )

    def show_problems(self, problems: dict[str, str]) -> QWidget | None:
        raise NotImplementedError

    def _saved(self, record: Any) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        self.record_id = record.id
        self.status.setText("Saved.")
        self.mark_clean()
        self.saved.emit(record.id)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationFailed):
            self._focus(self.show_failure(error))
            self.status.setText("Not saved: put right the problems shown.")
        else:
            self.status.setText("Not saved.")
            show_error(self, error, "Saving")
        self.save_failed.emit()

    def _focus(self, widget: QWidget | None) -> None:
        """Put the cursor in the first field with a problem, scrolled into view."""
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            if self.scroll.isAncestorOf(widget):
                holder = widget.parentWidget() or widget  # the field and its problem
                self.scroll.ensureWidgetVisible(holder)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter in a field adds or picks; it never presses Save (Ctrl+S saves), although
        # the button box makes Save the dialog's default button as it shows.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def ask_unsaved(self) -> QMessageBox.StandardButton:
        """Save, Discard or Cancel (tests replace this to answer without a dialog)."""
        return QMessageBox.question(
            self,
            TITLE,
            "This record has changes that are not saved. Save them?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )

    def confirm_leave(self) -> bool:
        """True when the editor may close: nothing unsaved, or the user chose to discard it."""
        if self.saving:
            return False
        if not self.dirty:
            return True
        answer = self.ask_unsaved()
        if answer == QMessageBox.StandardButton.Save:
            self.save()  # closes itself once saved
            return False
        if answer == QMessageBox.StandardButton.Discard:
            self.mark_clean()
            return True
        return False

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.confirm_leave():
            event.ignore()
            return
        super().closeEvent(event)

    def reject(self) -> None:  # Escape and Cancel go through the same prompt as closing
        if self.confirm_leave():
            super().reject()


def add_minute_ref(form: Form) -> QLineEdit:
    """The minute of the meeting that records an ask or commitment ("7.3"): the action
    log's Source cites it."""
    return form.add_line("minute_ref", "Minute ref.", hint="the meeting's minute, e.g. 7.3")


class FormEditor(EditorDialog):
    """An editor made of one :class:`Form`."""

    pickers: dict[str, str] = {}  # field name -> entity whose records it offers

    def __init__(
        self, ctx: AppContext, record_id: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, record_id, parent)
        self.form = Form(self.body)
        self.body_layout.addWidget(self.form)
        self.build(self.form)
        for name, entity in self.pickers.items():
            self.form.fields[name].set_choices(workflows.choices(ctx.db, entity))  # type: ignore[attr-defined]
        if record_id is not None:
            self.load(record_id)
        self.form.changed.connect(self.mark_dirty)
        self.mark_clean()

    def build(self, form: Form) -> None:
        raise NotImplementedError

    def load(self, record_id: str) -> None:
        service = entities.BY_NAME[self.entity]
        record = service.get(self.ctx.db, record_id)
        values = {name: getattr(record, name, None) for name in self.form.fields}
        values.update(service.links_of(self.ctx.db, record_id))
        for name, value in list(values.items()):
            if hasattr(value, "isoformat") and hasattr(value, "hour"):
                values[name] = format_datetime(value)
            elif hasattr(value, "isoformat"):
                values[name] = format_date(value)
        self.form.set_values(values)
        self.loaded_record = record

    def form_values(self) -> tuple[dict[str, Any], dict[str, str]]:
        return self.form.values()

    def show_failure(self, error: ValidationFailed) -> QWidget | None:
        return self.form.show_failure(error)

    def show_problems(self, problems: dict[str, str]) -> QWidget | None:
        return self.form.show_problems(problems)

    def clear_problems(self) -> None:
        self.form.clear_problems()


class FootprintEditor(FormEditor):
    entity = "footprints"
    pickers = {"successor_id": "footprints"}

    def build(self, form: Form) -> None:
        form.add_line("name", "Name", required=True)
        form.add_enum("kind", "Kind", FootprintKind)
        form.add_line("code", "ONS code", hint="for example E54000032")
        form.add_line("region", "Region")
        form.add_picker("successor_id", "Succeeded by", "footprint")
        form.add_text("notes", "Notes")


class MappedEditor(FormEditor):
    """A body's or contact's place on the relationship map, and how it has moved."""

    def add_map_fields(self, form: Form) -> None:
        hint = "1 (least) to 5 (most); leave empty if not assessed"
        form.add_line("influence", "Influence", hint=hint)
        form.add_line("interest", "Interest in our asks", hint=hint)
        form.add_enum("strength", "Relationship", RelationshipStrength)
        form.add_readonly("map_history", "How it has moved")

    def load(self, record_id: str) -> None:
        super().load(record_id)
        from ..services import relationships

        entity = "body" if self.entity == "bodies" else "contact"
        changes = relationships.history(self.ctx.db, entity, record_id)
        lines = [f"{format_date(change.at)}: {change.text}" for change in changes[-8:]]
        self.form.set_values({"map_history": "\n".join(lines) or "Not yet on the map."})


class BodyEditor(MappedEditor):
    """A body, and under it its record on promises (to us and by us) and its worst cases."""

    entity = "bodies"
    pickers = {"footprint_ids": "footprints"}
    preferred_size = (720, 760)

    def build(self, form: Form) -> None:
        form.add_line("name", "Name", required=True)
        form.add_enum("kind", "Kind", BodyKind)
        form.add_line("code", "Code")
        form.add_line("website", "Website")
        form.add_multi("footprint_ids", "Footprints", "footprint")
        self.add_map_fields(form)
        form.add_text("notes", "Notes")
        self.promises_box = QGroupBox("Promises kept", self.body)
        box = QVBoxLayout(self.promises_box)
        self.promises_caption = QLabel(self.promises_box)
        self.promises_caption.setWordWrap(True)
        self.promises_caption.setAccessibleName("Promises kept, period")
        box.addWidget(self.promises_caption)
        self.promises = PromisesChart("Promises kept, each way", first_heading="Promises")
        box.addWidget(self.promises)
        box.addWidget(legend(self.promises_box))
        self.worst = QListWidget(self.promises_box)
        self.worst.setAccessibleName("Their worst cases")
        self.worst.setWordWrap(True)
        self.worst.itemActivated.connect(self._open_worst)
        worst_title = QLabel("Their &worst cases (still outstanding, overdue or moved)")
        worst_title.setBuddy(self.worst)
        box.addWidget(worst_title)
        box.addWidget(self.worst)
        self.body_layout.addWidget(self.promises_box)
        self.promises_box.setVisible(self.record_id is not None)
        from .temperature import TrendBox

        self.trend_box = TrendBox(self._open_meeting, self.body)
        self.body_layout.addWidget(self.trend_box)
        self.trend_box.setVisible(self.record_id is not None)

    def load(self, record_id: str) -> None:
        super().load(record_id)
        record = promises.promise_record(
            self.ctx.db, body_id=record_id, since=promises.months_before()
        )
        [line] = record.bodies or [promises.BodyPromises(record_id, "")]
        self.promises_caption.setText(
            f"Promises first due from {format_date(record.since)} to today: delivered on time, "
            "delivered late, overdue now or dropped."
        )
        self.promises.show_rows(
            [ChartRow("Made to us", line.to_us), ChartRow("Made by us", line.by_us)], ""
        )
        self.worst.clear()
        for row in record.worst:
            case = promises.worst_case(row)
            when = case.slipped or f"due {case.first_due}"
            item = QListWidgetItem(f"{case.text} — {when} ({case.standing})")
            item.setData(Qt.ItemDataRole.UserRole, case.id)
            self.worst.addItem(item)
        if not record.worst:
            self.worst.addItem(
                "None: nothing they promised in this period is overdue or has moved."
            )
        lines = max(min(self.worst.count(), 5), 1)  # two lines each, as a rule
        self.worst.setFixedHeight(self.worst.fontMetrics().lineSpacing() * lines * 2 + 12)
        from ..services import temperature

        self.trend_box.show_trend(temperature.trend(self.ctx.db, record_id))

    def _open_meeting(self, meeting_id: str) -> None:
        if self.ctx.open_record is not None:
            self.ctx.open_record("meetings", meeting_id)

    def _open_worst(self, item: QListWidgetItem) -> None:
        commitment_id = item.data(Qt.ItemDataRole.UserRole)
        if commitment_id and self.ctx.open_record is not None:
            self.ctx.open_record("commitments", commitment_id)


class ContactEditor(MappedEditor):
    entity = "contacts"
    pickers = {"body_id": "bodies"}

    def build(self, form: Form) -> None:
        form.add_line("name", "Name", required=True)
        form.add_line("role", "Role")
        form.add_picker("body_id", "Body", "body")
        form.add_line("email", "Email", hint="name@example.gov.uk")
        form.add_line("phone", "Phone")
        self.add_map_fields(form)
        form.add_text("notes", "Notes", lines=3)


class MemberEditor(FormEditor):
    entity = "members"

    def build(self, form: Form) -> None:
        form.add_line("title", "Title", hint="Cllr")
        form.add_line("name", "Name", required=True)
        form.add_line("position", "Position")
        form.add_line("council", "Council")
        form.add_line("email", "Email", hint="name@example.gov.uk")


class AskEditor(FormEditor):
    entity = "asks"
    pickers = {"body_id": "bodies", "theme_ids": "themes"}

    def build(self, form: Form) -> None:
        form.add_line("title", "Ask", required=True)
        form.add_picker("body_id", "Asked of", "body", required=True)
        form.add_enum("priority", "Priority", Priority)
        form.add_enum("status", "Status", AskStatus)
        form.add_date("raised_on", "Raised on")
        add_minute_ref(form)
        form.add_text("rationale", "The case for it")
        form.add_text("response", "Their response")
        form.add_date("responded_on", "Responded on")
        form.add_multi("theme_ids", "Themes", "theme")
        self.correspondence = QListWidget(self.body)
        self.correspondence.setAccessibleName("Letters and replies")
        self.correspondence.setWordWrap(True)
        title = QLabel("&Letters and replies", self.body)
        title.setBuddy(self.correspondence)
        self.body_layout.addWidget(title)
        self.body_layout.addWidget(self.correspondence)
        title.setVisible(self.record_id is not None)
        self.correspondence.setVisible(self.record_id is not None)

    def load(self, record_id: str) -> None:
        super().load(record_id)
        self.correspondence.clear()
        for letter in letter_service.letters_for_ask(self.ctx.db, record_id):
            dated = format_date(letter.letter_date) if letter.letter_date else "undated"
            self.correspondence.addItem(
                f"Letter, {dated}: “{letter.subject}” to {letter.recipient} ({letter.status})"
            )
        for reply in letter_service.replies_about_ask(self.ctx.db, record_id):
            outcome = reply.outcomes.get(record_id)
            said = f" — {outcome.label.lower()}" if outcome else ""
            self.correspondence.addItem(
                f"Reply, {format_date(reply.received_on)} from {reply.from_whom} to "
                f"“{reply.letter_subject}”{said}"
            )
        if not self.correspondence.count():
            self.correspondence.addItem("No letter has carried this ask.")


class LetterEditor(FormEditor):
    """A letter as a record: its reference, copies, when and how it was sent, and its
    replies (each recorded with what it did to the asks the letter carried)."""

    entity = "letters"
    pickers = {
        "recipient_contact_id": "contacts",
        "body_id": "bodies",
        "signatory_ids": "members",
    }

    def build(self, form: Form) -> None:
        form.add_line("template", "Template", required=True, hint="for example joint_letter")
        form.add_line("subject", "Subject")
        form.add_line("reference", "Our reference", hint="for example SDC/JS/2026-11-22")
        form.add_picker("recipient_contact_id", "Recipient", "contact")
        form.add_text("recipient_address", "Address", lines=3)
        form.add_picker("body_id", "Body", "body")
        form.add_line("cc", "Copied to", hint="names separated by ;")
        form.add_date("letter_date", "Date")
        form.add_enum("status", "Status", LetterStatus)
        form.add_date("sent_on", "Sent on")
        form.add_enum("sent_by", "Sent by", SentBy).insertItem(0, "Not sent yet", None)
        form.add_multi("signatory_ids", "Signatories", "member")
        form.add_text("opening", "Opening")
        form.add_text("closing", "Closing")
        self.files_label = form.add_readonly("files", "Files")

        row = QHBoxLayout()
        self.replies_title = QLabel("&Replies", self.body)
        self.reply_button = QPushButton("Record &reply…", self.body)
        self.reply_button.setAccessibleName("Record reply")
        self.reply_button.clicked.connect(self.record_reply)
        self.correct_button = QPushButton("Co&rrect reply…", self.body)
        self.correct_button.setAccessibleName("Correct the chosen reply")
        self.correct_button.clicked.connect(self.correct_reply)
        self.delete_reply_button = QPushButton("Delete reply", self.body)
        self.delete_reply_button.setAccessibleName("Delete the chosen reply")
        self.delete_reply_button.setToolTip(
            "Puts the reply in Recently deleted; the asks it decided go back"
        )
        self.delete_reply_button.clicked.connect(self.delete_reply)
        row.addWidget(self.replies_title, 1)
        for button in (self.reply_button, self.correct_button, self.delete_reply_button):
            row.addWidget(button)
        self.body_layout.addLayout(row)
        self.replies = QListWidget(self.body)
        self.replies.setAccessibleName("Replies")
        self.replies.setWordWrap(True)
        self.replies.currentRowChanged.connect(lambda _row: self._enable_reply_buttons())
        self.replies_title.setBuddy(self.replies)
        self.body_layout.addWidget(self.replies)
        self.reply_entries: dict[str, letter_service.ReplyEntry] = {}
        for widget in (
            self.replies_title,
            self.reply_button,
            self.correct_button,
            self.delete_reply_button,
            self.replies,
        ):
            widget.setVisible(self.record_id is not None)
        self._enable_reply_buttons()

    def load(self, record_id: str) -> None:
        super().load(record_id)
        record = self.loaded_record
        self.form.set_values({"cc": "; ".join(record.cc or [])})
        files = record.files or ([record.file_path] if record.file_path else [])
        self.files_label.setText("\n".join(files) or "Not saved as a file")
        self.replies.clear()
        carried = dict(
            (ask.id, ask.title) for ask in letter_service.asks_carried(self.ctx.db, record_id)
        )
        self.reply_entries = {}
        for reply in letter_service.replies_to(self.ctx.db, record_id):
            item = QListWidgetItem(reply_text(reply, carried))
            item.setData(Qt.ItemDataRole.UserRole, reply.id)
            self.replies.addItem(item)
            self.reply_entries[reply.id] = reply
        if not self.replies.count():
            self.replies.addItem("No reply recorded yet.")
        self._enable_reply_buttons()

    def chosen_reply(self) -> letter_service.ReplyEntry | None:
        item = self.replies.currentItem()
        reply_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return self.reply_entries.get(reply_id) if reply_id else None

    def _enable_reply_buttons(self) -> None:
        chosen = self.chosen_reply() is not None
        self.correct_button.setEnabled(chosen)
        self.delete_reply_button.setEnabled(chosen)

    def form_values(self) -> tuple[dict[str, Any], dict[str, str]]:
        values, local = self.form.values()
        values.pop("files", None)
        values["cc"] = values.get("cc") or []
        return values, local

    def record_reply(self) -> None:
        if self.record_id is None:
            return
        self._open_reply_dialog(None)

    def correct_reply(self) -> None:
        reply = self.chosen_reply()
        if self.record_id is not None and reply is not None:
            self._open_reply_dialog(reply)

    def _open_reply_dialog(self, reply: letter_service.ReplyEntry | None) -> None:
        dialog = ReplyDialog(self.ctx, self.record_id, self, reply=reply)  # type: ignore[arg-type]
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.finished_ok.connect(self._after_reply)
        dialog.show()
        self.reply_dialog = dialog

    def delete_reply(self) -> None:
        reply = self.chosen_reply()
        if reply is None:
            return
        answer = QMessageBox.question(
            self,
            "Delete this reply?",
            f"Delete the reply from {reply.from_whom} of {format_date(reply.received_on)}?\n\n"
            "It goes to Recently deleted, from where it can be brought back. Each ask it "
            "decided goes back to where the other replies leave it.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        db, reply_id = self.ctx.db, reply.id
        self.ctx.ops.run(
            lambda: letter_service.delete_reply(db, reply_id),
            on_done=lambda change: self._after_reply(change.reply.id),
            on_error=lambda error: show_error(self, error, "Deleting the reply"),
            changes={"letters", "asks"},
        )

    def _after_reply(self, _reply_id: str) -> None:
        was_dirty = self.dirty
        self.load(self.record_id)  # type: ignore[arg-type]
        if not was_dirty:
            self.mark_clean()


def reply_text(reply: letter_service.ReplyEntry, asks: dict[str, str]) -> str:
    """ "3 March 2027 — from Jane Smith: Agreed to … Accepted: Co-chair; Declined: …" """
    line = f"{format_date(reply.received_on)} — from {reply.from_whom}"
    if reply.summary:
        line += f": {' '.join(reply.summary.split())}"
    outcomes = [
        f"{outcome.label}: {asks.get(ask_id, ask_id)}" for ask_id, outcome in reply.outcomes.items()
    ]
    if outcomes:
        line += "\n    " + "; ".join(outcomes)
    if reply.file_ref:
        line += f"\n    File: {reply.file_ref}"
    return line


class ReplyDialog(QDialog):
    """Record a reply: when, from whom, what it says, its file or link, and for each ask
    the letter carried what the reply did to it."""

    finished_ok = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        letter_id: str,
        parent: QWidget | None = None,
        *,
        reply: letter_service.ReplyEntry | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.letter_id = letter_id
        self.reply = reply  # correcting this one, else recording a new one
        doing = "Correct a reply" if reply else "Record a reply"
        self.setWindowTitle(f"{doing} — {TITLE}")
        self.setAccessibleName(doing)
        self.setObjectName("reply_dialog")
        layout = QVBoxLayout(self)
        self.form = Form(self)
        self.form.add_date("received_on", "Received on", required=True).setText(
            format_date(today())
        )
        self.form.add_line("from_whom", "From", required=True, hint="who wrote back")
        self.form.add_text("summary", "What it says", lines=3)
        self.form.add_line("file_ref", "File or link", hint="where the reply is kept")
        layout.addWidget(self.form)
        self.outcomes: dict[str, QComboBox] = {}
        asks = letter_service.asks_carried(ctx.db, letter_id)
        if asks:
            group = QGroupBox("What it did to each ask the letter carried", self)
            grid = QFormLayout(group)
            for ask in asks:
                choice = QComboBox(group)
                for outcome in ReplyOutcome:
                    choice.addItem(outcome.label, outcome.value)
                choice.setCurrentIndex(choice.findData(ReplyOutcome.no_answer.value))
                choice.setAccessibleName(f"Outcome for {ask.title}")
                label = QLabel(f"{ask.title} ({ask.status.label.lower()})", group)
                label.setWordWrap(True)
                grid.addRow(label, choice)
                self.outcomes[ask.id] = choice
            layout.addWidget(group)
        self.general = ProblemLabel("this reply", self)
        layout.addWidget(self.general)
        buttons, self.ok_button = ok_and_cancel(
            self, "Save correction" if reply else "Record reply", self.apply
        )
        layout.addWidget(buttons)
        if reply is not None:
            self.form.set_values(
                {
                    "received_on": reply.received_on,
                    "from_whom": reply.from_whom,
                    "summary": reply.summary,
                    "file_ref": reply.file_ref,
                }
            )
            for ask_id, outcome in reply.outcomes.items():
                if ask_id in self.outcomes:
                    choice = self.outcomes[ask_id]
                    choice.setCurrentIndex(choice.findData(outcome.value))
        fit_to_screen(self, "reply")

    def apply(self) -> None:
        self.form.clear_problems()
        self.general.show_problem(None)
        values, _local = self.form.values()
        answers = {ask_id: choice.currentData() for ask_id, choice in self.outcomes.items()}
        db, letter_id = self.ctx.db, self.letter_id
        self.ok_button.setEnabled(False)
        details = {
            "on": values["received_on"],
            "from_whom": values["from_whom"] or "",
            "summary": values["summary"] or "",
            "file_ref": values["file_ref"] or "",
            "answers": answers,
        }
        reply_id = self.reply.id if self.reply is not None else None

        def save() -> Any:
            if reply_id is not None:
                return letter_service.correct_reply(db, reply_id, **details)
            return letter_service.record_reply(db, letter_id, **details)

        self.ctx.ops.run(
            save,
            on_done=self._done,
            on_error=self._failed,
            changes={"letters", "asks"},
        )

    def _done(self, result: Any) -> None:
        self.finished_ok.emit(result.reply.id)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        show_dialog_failure(self, error, "Recording the reply")


class CommitmentEditor(FormEditor):
    """A commitment; its status changes only through Mark done, Reschedule and Drop."""

    entity = "commitments"
    pickers = {"body_id": "bodies", "contact_id": "contacts", "theme_ids": "themes"}

    def build(self, form: Form) -> None:
        form.add_text("text", "Description", lines=3)
        form.add_enum("direction", "Who owes it", CommitmentDirection)
        form.add_picker("body_id", "Body", "body", required=True)
        form.add_picker("contact_id", "Contact", "contact")
        form.add_date("due_date", "Due date")
        add_minute_ref(form)
        form.add_multi("theme_ids", "Themes", "theme")
        self.status_label = form.add_readonly("status_text", "Status")
        self.slipped_label = form.add_readonly("slipped", "Slipped")
        self.evidence_label = form.add_readonly("evidence", "Evidence")

        self.workflow = QWidget(self.body)
        row = QHBoxLayout(self.workflow)
        row.setContentsMargins(0, 0, 0, 0)
        self.done_button = QPushButton("Mark &done…", self.workflow)
        self.reschedule_button = QPushButton("&Reschedule…", self.workflow)
        self.drop_button = QPushButton("Dro&p…", self.workflow)
        self.chase_button = QPushButton("C&hase by letter…", self.workflow)
        self.chase_button.setToolTip(
            "Write to the body about this commitment: the letter sets out its first due date "
            "and each move"
        )
        for button in (
            self.done_button,
            self.reschedule_button,
            self.drop_button,
            self.chase_button,
        ):
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
            row.addWidget(button)
        row.addStretch(1)
        self.body_layout.addWidget(self.workflow)
        self.history = QListWidget(self.body)
        self.history.setAccessibleName("History")
        history_title = QLabel("&History", self.body)
        history_title.setBuddy(self.history)
        self.body_layout.addWidget(history_title)
        self.body_layout.addWidget(self.history)
        self.done_button.clicked.connect(lambda: self._workflow("done"))
        self.reschedule_button.clicked.connect(lambda: self._workflow("reschedule"))
        self.drop_button.clicked.connect(lambda: self._workflow("drop"))
        self.chase_button.clicked.connect(self.chase)
        self.workflow.setVisible(self.record_id is not None)
        history_title.setVisible(self.record_id is not None)
        self.history.setVisible(self.record_id is not None)

    def load(self, record_id: str) -> None:
        super().load(record_id)
        record = self.loaded_record
        self.status_label.setText(commitment_status_text(record, today()))
        moves = len(record.revisions or [])
        self.slipped_label.setText(
            slippage_text(record.original_due_date, record.due_date, moves) or "Never moved"
        )
        self.form.fields["due_date"].setReadOnly(moves > 0)  # moves go through Reschedule
        pending = record.status.value == "pending"
        for button in (self.done_button, self.reschedule_button, self.drop_button):
            button.setEnabled(pending)
        chaseable = is_overdue(record.status, record.due_date) or bool(record.revisions)
        self.chase_button.setEnabled(pending and chaseable)
        self.history.clear()
        for line in workflows.history(self.ctx.db, record_id):
            self.history.addItem(f"{format_datetime(line.at)} — {line.summary} ({line.actor})")

    def form_values(self) -> tuple[dict[str, Any], dict[str, str]]:
        values, local = self.form.values()
        values.pop("status_text", None)
        values.pop("slipped", None)
        values.pop("evidence", None)
        return values, local

    def chase(self) -> None:
        """Open the overdue-commitments letter for this commitment, its history filled in."""
        from .letter_composer import open_letter_composer

        record = self.loaded_record
        self.composer = open_letter_composer(
            self.ctx, self, chase=(record.id, record.body_id, record.contact_id)
        )

    def _workflow(self, kind: str) -> None:
        if self.record_id is None:
            return
        dialog = open_workflow_dialog(self.ctx, kind, self.record_id, self)
        dialog.finished_ok.connect(self._after_workflow)
        self.workflow_dialog = dialog

    def _after_workflow(self, _record_id: str) -> None:
        """The step is saved already; the reloaded form has nothing left to save."""
        was_dirty = self.dirty
        self.load(self.record_id)  # type: ignore[arg-type]
        if not was_dirty:
            self.mark_clean()


EDITORS: dict[str, type[EditorDialog]] = {
    "footprints": FootprintEditor,
    "bodies": BodyEditor,
    "contacts": ContactEditor,
    "members": MemberEditor,
    "asks": AskEditor,
    "commitments": CommitmentEditor,
    "letters": LetterEditor,
}


# --- the commitment workflow dialogs --------------------------------------------------


class WorkflowDialog(QDialog):
    """Mark done / reschedule / drop: a reason or evidence, checked by the service."""

    finished_ok = Signal(str)

    def __init__(
        self, ctx: AppContext, kind: str, commitment_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self.commitment_id = commitment_id
        record = entities.commitments.get(ctx.db, commitment_id)
        titles = {
            "done": "Mark commitment done",
            "reschedule": "Reschedule commitment",
            "drop": "Drop commitment",
        }
        self.setWindowTitle(f"{titles[kind]} — {TITLE}")
        self.setAccessibleName(titles[kind])
        self.setObjectName(f"{kind}_dialog")
        layout = QVBoxLayout(self)
        about = QLabel(record.text, self)
        about.setWordWrap(True)
        about.setAccessibleName("Commitment")
        layout.addWidget(about)
        self.form = Form(self)
        if record.due_date is not None:
            moved = slippage_text(
                record.original_due_date, record.due_date, len(record.revisions or [])
            )
            now = QLabel(
                moved.capitalize() if moved else f"Due {format_date(record.due_date)}", self
            )
            now.setAccessibleName("Due")
            layout.addWidget(now)
        sources = workflows.sources_for(ctx.db, commitment_id) if kind != "drop" else {}
        if kind == "done":
            self.form.add_date("completed_on", "Delivered on").setText(format_date(today()))
            self.form.add_enum("evidence_kind", "How we know", EvidenceKind)
            self.form.add_picker("evidence_meeting", "Meeting", "meeting")
            self.form.add_picker("evidence_letter", "Letter", "letter")
            self.form.add_line(
                "evidence_link", "Document or link", hint="a report's reference, or a web link"
            )
            self.form.add_text("evidence", "Evidence", lines=3)
        elif kind == "reschedule":
            self.form.add_date("due_date", "New due date", required=True)
            self.form.add_text("reason", "Reason", lines=3)
            self.form.add_picker("meeting_id", "Agreed at meeting", "meeting")
            self.form.add_picker("letter_id", "Agreed in letter", "letter")
        else:
            self.form.add_text("reason", "Reason", lines=3)
        for name, field in self.form.fields.items():
            if isinstance(field, Picker):
                field.set_choices(sources["letters" if "letter" in name else "meetings"])
        layout.addWidget(self.form)
        self.general = ProblemLabel("this change", self)
        layout.addWidget(self.general)
        verb = {"done": "Mark done", "reschedule": "Reschedule", "drop": "Drop"}[kind]
        buttons, self.ok_button = ok_and_cancel(self, verb, self.apply)
        layout.addWidget(buttons)
        first = next(iter(self.form.fields.values()))
        first.setFocus()
        fit_to_screen(self, "workflow")

    def apply(self) -> None:
        self.form.clear_problems()
        values, _local = self.form.values()
        db, cid = self.ctx.db, self.commitment_id
        if self.kind == "done":
            kind = values["evidence_kind"]
            reference = {
                "meeting": values["evidence_meeting"],
                "letter": values["evidence_letter"],
                "document": values["evidence_link"],
            }.get(str(kind))
            work = lambda: workflows.mark_done(  # noqa: E731
                db,
                cid,
                evidence=values["evidence"] or "",
                completed_on=values["completed_on"],
                evidence_kind=kind,
                evidence_ref=reference,
            )
        elif self.kind == "reschedule":
            work = lambda: workflows.reschedule(  # noqa: E731
                db,
                cid,
                new_due_date=values["due_date"],
                reason=values["reason"] or "",
                meeting_id=values["meeting_id"],
                letter_id=values["letter_id"],
            )
        else:
            work = lambda: workflows.drop(db, cid, reason=values["reason"] or "")  # noqa: E731
        self.ok_button.setEnabled(False)
        self.ctx.ops.run(work, on_done=self._done, on_error=self._failed, changes={"commitments"})

    def _done(self, record: Any) -> None:
        self.finished_ok.emit(record.id)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        show_dialog_failure(self, error, "The change")


def show_dialog_failure(dialog: Any, error: BaseException, doing: str) -> None:
    """A form dialog's save failed: the problem beside its field (or under the form),
    the dialog's OK button usable again; an unexpected error in a message box."""
    dialog.ok_button.setEnabled(True)
    if isinstance(error, ValidationFailed):
        widget = dialog.form.show_failure(error)
        if widget is not None:
            widget.setFocus()
        else:
            dialog.general.show_problem(str(error))
    elif isinstance(error, EXPECTED_ERRORS):
        dialog.general.show_problem(str(error))
    else:
        show_error(dialog, error, doing)


def open_workflow_dialog(
    ctx: AppContext, kind: str, commitment_id: str, parent: QWidget | None
) -> WorkflowDialog:
    dialog = WorkflowDialog(ctx, kind, commitment_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.show()
    return dialog
