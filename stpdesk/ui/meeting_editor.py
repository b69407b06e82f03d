"""The meeting editor: details, attendees, bodies, agenda and notes, and the asks
made and commitments given at the meeting, all saved together (all or nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..model import tables as t
from ..model.enums import Attendance, CommitmentDirection, MeetingKind, Priority
from ..model.types import format_date, format_datetime
from ..services import workflows
from ..services.errors import ValidationFailed
from ..services.records import validate
from .context import AppContext
from .editors import EditorDialog, add_minute_ref
from .temperature import TemperaturePanel
from .widgets import DeletableList, Form, Picker, ProblemLabel

if TYPE_CHECKING:
    from .briefing_dialogs import PackDialog


class MeetingEditor(EditorDialog):
    entity = "meetings"
    preferred_size = (760, 820)

    def __init__(
        self, ctx: AppContext, record_id: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, record_id, parent)
        db = ctx.db
        bodies = workflows.choices(db, "bodies")
        people = [
            workflows.Choice(c.id, f"{c.label} — contact", "contact")
            for c in workflows.choices(db, "contacts")
        ] + [
            workflows.Choice(m.id, f"{m.label} — member", "member")
            for m in workflows.choices(db, "members")
        ]
        self.new_asks: list[dict[str, Any]] = []
        self.new_commitments: list[dict[str, Any]] = []
        self._unsaved_items: dict[str, dict[str, Any]] = {}

        # --- details ---------------------------------------------------------
        self.form = Form(self.body)
        self.form.add_line("title", "Title", required=True)
        self.form.add_date("starts_at", "Starts", required=True, with_time=True)
        self.form.add_date("ends_at", "Ends", with_time=True)
        self.form.add_enum("kind", "Kind", MeetingKind)
        self.form.add_line("location", "Location")
        self.form.add_multi("body_ids", "Bodies", "body").set_choices(bodies)
        self.body_layout.addWidget(self.form)

        # --- attendees --------------------------------------------------------
        group = QGroupBox("Attendees", self.body)
        box = QVBoxLayout(group)
        row = QHBoxLayout()
        self.person_picker = Picker("person", group)
        self.person_picker.set_choices(people)
        self.person_picker.setAccessibleName("Add attendee")
        self.person_picker.setPlaceholderText("Type a contact's or member's name, then press Enter")
        self.attendance = QComboBox(group)
        for member in Attendance:
            self.attendance.addItem(member.label, member.value)
        self.attendance.setAccessibleName("Attendance of the next attendee added")
        label = QLabel("&Person:", group)
        label.setBuddy(self.person_picker)
        row.addWidget(label)
        row.addWidget(self.person_picker, 1)
        row.addWidget(self.attendance)
        box.addLayout(row)
        self.attendees = DeletableList(group)
        self.attendees.setAccessibleName("Attendees")
        self.attendees.setMaximumHeight(self.fontMetrics().height() * 6)
        box.addWidget(self.attendees)
        self.attendee_problem = ProblemLabel("Attendees", group)
        box.addWidget(self.attendee_problem)
        self.person_picker.picked.connect(self._add_attendee)
        self.person_picker.not_found.connect(
            lambda problem: self.attendee_problem.show_problem(f"Attendee: {problem}")
        )
        self.attendees.removed.connect(self.mark_dirty)
        self.body_layout.addWidget(group)

        # --- temperature: how each body at the meeting seemed ---------------------------
        self.temperature = TemperaturePanel(self.body)
        self.temperature.changed.connect(self.mark_dirty)
        self.form.fields["body_ids"].changed.connect(self._bodies_changed)  # type: ignore[attr-defined]
        self.body_layout.addWidget(self.temperature)

        # --- agenda and notes ------------------------------------------------------
        self.notes_form = Form(self.body)
        self.notes_form.add_text("agenda", "Agenda")
        self.notes_form.add_text("notes", "Notes", lines=6)
        self.notes_form.add_text("outcome", "Outcome", lines=3)
        self.notes_form.add_multi("theme_ids", "Themes", "theme").set_choices(
            workflows.choices(db, "themes")
        )
        self.body_layout.addWidget(self.notes_form)

        # --- asks made ------------------------------------------------------------------
        group = QGroupBox("Asks made at this meeting", self.body)
        box = QVBoxLayout(group)
        self.ask_form = Form(group)
        self.ask_form.add_line("title", "Ask")
        self.ask_form.add_picker("body_id", "Asked of", "body").set_choices(bodies)
        add_minute_ref(self.ask_form).returnPressed.connect(self._add_ask)
        self.ask_form.add_enum("priority", "Priority", Priority)
        self.ask_form.fields["priority"].setCurrentIndex(  # type: ignore[attr-defined]
            list(Priority).index(Priority.medium)
        )
        box.addWidget(self.ask_form)
        self.add_ask_button = QPushButton("Add &ask", group)
        self.add_ask_button.setAccessibleName("Add ask")
        self.add_ask_button.setAutoDefault(False)
        box.addWidget(self.add_ask_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.asks_list = DeletableList(group)
        self.asks_list.setAccessibleName("Asks made at this meeting")
        self.asks_list.setMaximumHeight(self.fontMetrics().height() * 6)
        box.addWidget(self.asks_list)
        self.add_ask_button.clicked.connect(self._add_ask)
        self.ask_form.fields["title"].returnPressed.connect(self._add_ask)  # type: ignore[attr-defined]
        self.asks_list.removed.connect(self._asks_removed)
        self.body_layout.addWidget(group)

        # --- commitments given -------------------------------------------------------------
        group = QGroupBox("Commitments given at this meeting", self.body)
        box = QVBoxLayout(group)
        self.commitment_form = Form(group)
        self.commitment_form.add_line("text", "Commitment")
        self.commitment_form.add_picker("body_id", "Body", "body").set_choices(bodies)
        self.commitment_form.add_enum("direction", "Who owes it", CommitmentDirection)
        self.commitment_form.add_date("due_date", "Due date")
        add_minute_ref(self.commitment_form).returnPressed.connect(self._add_commitment)
        box.addWidget(self.commitment_form)
        self.add_commitment_button = QPushButton("Add &commitment", group)
        self.add_commitment_button.setAccessibleName("Add commitment")
        self.add_commitment_button.setAutoDefault(False)
        box.addWidget(self.add_commitment_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.commitments_list = DeletableList(group)
        self.commitments_list.setAccessibleName("Commitments given at this meeting")
        self.commitments_list.setMaximumHeight(self.fontMetrics().height() * 6)
        box.addWidget(self.commitments_list)
        self.add_commitment_button.clicked.connect(self._add_commitment)
        self.commitment_form.fields["due_date"].returnPressed.connect(self._add_commitment)  # type: ignore[attr-defined]
        self.commitments_list.removed.connect(self._commitments_removed)
        self.body_layout.addWidget(group)

        self.pack_button = QPushButton("Brie&fing pack…", self)
        self.pack_button.setAccessibleName("Briefing pack for this meeting")
        self.pack_button.setToolTip("Preview, print or save the briefing pack for this meeting")
        self.pack_button.setAutoDefault(False)
        self.pack_button.setEnabled(record_id is not None)  # a pack needs a saved meeting
        self.pack_button.clicked.connect(self.show_briefing_pack)
        self.buttons.addButton(self.pack_button, QDialogButtonBox.ButtonRole.ActionRole)

        if record_id is not None:
            self._load(record_id)
        for form in (self.form, self.notes_form):
            form.changed.connect(self.mark_dirty)
        self.mark_clean()
        self.form.fields["title"].setFocus()

    def show_briefing_pack(self) -> PackDialog | None:
        if self.record_id is None:
            return None
        if self.dirty:
            self.status.setText(
                "The pack shows the meeting as last saved. Save to include changes."
            )
        # beside the editor, not inside it: the pack stays open when the editor closes
        from .briefing_dialogs import open_pack_dialog

        return open_pack_dialog(self.ctx, "meetings", self.record_id, self.parentWidget() or self)

    # --- loading --------------------------------------------------------------

    def _load(self, record_id: str) -> None:
        detail = workflows.meeting_detail(self.ctx.db, record_id)
        meeting = detail.meeting
        self.form.set_values(
            {
                "title": meeting.title,
                "starts_at": format_datetime(meeting.starts_at),
                "ends_at": format_datetime(meeting.ends_at),
                "kind": meeting.kind,
                "location": meeting.location,
                "body_ids": detail.body_ids,
            }
        )
        self._bodies_changed()
        self.temperature.set_readings(detail.temperature)
        self.notes_form.set_values(
            {
                "agenda": meeting.agenda,
                "notes": meeting.notes,
                "outcome": meeting.outcome,
                "theme_ids": detail.theme_ids,
            }
        )
        for person in detail.attendees:
            kind = "contact" if person["contact_id"] else "member"
            self._append_attendee(
                person["contact_id"] or person["member_id"],
                kind,
                person["name"],
                person["attendance"],
            )
        for ask in detail.asks:
            item = QListWidgetItem(
                f"{ask.title}{_minute(ask.minute_ref)} ({ask.status.label}; saved)"
            )
            item.setData(Qt.ItemDataRole.UserRole, f"saved:{ask.id}")
            self.asks_list.addItem(item)
        for commitment in detail.commitments:
            due = f", due {format_date(commitment.due_date)}" if commitment.due_date else ""
            minute = _minute(commitment.minute_ref)
            item = QListWidgetItem(
                f"{commitment.text}{due}{minute} ({commitment.status.label}; saved)"
            )
            item.setData(Qt.ItemDataRole.UserRole, f"saved:{commitment.id}")
            self.commitments_list.addItem(item)

    def _bodies_changed(self) -> None:
        bodies = self.form.fields["body_ids"].list  # type: ignore[attr-defined]
        self.temperature.set_bodies(
            [
                (bodies.item(row).data(Qt.ItemDataRole.UserRole), bodies.item(row).text())
                for row in range(bodies.count())
            ]
        )

    # --- attendees ------------------------------------------------------------------

    def _add_attendee(self, person_id: str) -> None:
        choice = next(c for c in self.person_picker.choices if c.id == person_id)
        if any(
            self.attendees.item(i).data(Qt.ItemDataRole.UserRole).split(":")[1] == person_id
            for i in range(self.attendees.count())
        ):
            self.attendee_problem.show_problem(f"{choice.label} is already listed.")
            return
        self.attendee_problem.show_problem(None)
        name = choice.label.rsplit(" — ", 1)[0]
        self._append_attendee(person_id, choice.kind, name, self.attendance.currentData())
        self.person_picker.clear()
        self.mark_dirty()

    def _append_attendee(self, person_id: str, kind: str, name: str, attendance: str) -> None:
        item = QListWidgetItem(f"{name} — {Attendance(attendance).label} ({kind})")
        item.setData(Qt.ItemDataRole.UserRole, f"{kind}:{person_id}:{attendance}")
        self.attendees.addItem(item)

    def attendee_values(self) -> list[dict[str, Any]]:
        result = []
        for row in range(self.attendees.count()):
            kind, person_id, attendance = (
                self.attendees.item(row).data(Qt.ItemDataRole.UserRole).split(":")
            )
            result.append({f"{kind}_id": person_id, "attendance": attendance})
        return result

    # --- asks and commitments ---------------------------------------------------------

    def _sub_values(self, form: Form, schema: type, required_picker: str) -> dict[str, Any] | None:
        form.clear_problems()
        values, local = form.values()
        if not local and values.get(required_picker) is None:
            local[required_picker] = f"{form.labels[required_picker]}: please pick one"
        try:
            validate(schema, {k: v for k, v in values.items() if v is not None})
        except ValidationFailed as error:
            for problem in error.problems:
                local.setdefault(problem.field, problem.message)
        if local:
            self._focus(form.show_problems(local))
            return None
        return values

    def _add_ask(self) -> None:
        values = self._sub_values(self.ask_form, t.AskCreate, "body_id")
        if values is None:
            return
        self.new_asks.append(values)
        body = self.ask_form.fields["body_id"].text()  # type: ignore[attr-defined]
        minute = _minute(values.get("minute_ref"))
        item = QListWidgetItem(f"{values['title']} — asked of {body}{minute} (new)")
        item.setData(Qt.ItemDataRole.UserRole, f"new:{self._keep(values)}")
        self.asks_list.addItem(item)
        for name in ("title", "body_id", "minute_ref"):
            self.ask_form.fields[name].clear()  # type: ignore[attr-defined]
        self.ask_form.fields["title"].setFocus()
        self.mark_dirty()

    def _add_commitment(self) -> None:
        values = self._sub_values(self.commitment_form, t.CommitmentCreate, "body_id")
        if values is None:
            return
        self.new_commitments.append(values)
        body = self.commitment_form.fields["body_id"].text()  # type: ignore[attr-defined]
        due = f", due {values['due_date']}" if values.get("due_date") else ""
        item = QListWidgetItem(
            f"{values['text']} — {body}{due}{_minute(values.get('minute_ref'))} (new)"
        )
        item.setData(Qt.ItemDataRole.UserRole, f"new:{self._keep(values)}")
        self.commitments_list.addItem(item)
        for name in ("text", "body_id", "due_date", "minute_ref"):
            self.commitment_form.fields[name].clear()  # type: ignore[attr-defined]
        self.commitment_form.fields["text"].setFocus()
        self.mark_dirty()

    def _keep(self, values: dict[str, Any]) -> str:
        """Item data holds only text (see dashboard.py); the values stay here, by key."""
        key = str(len(self._unsaved_items))
        self._unsaved_items[key] = values
        return key

    def _new_items(self, widget: DeletableList) -> list[dict[str, Any]]:
        items = []
        for row in range(widget.count()):
            state, _, key = widget.item(row).data(Qt.ItemDataRole.UserRole).partition(":")
            if state == "new":
                items.append(self._unsaved_items[key])
        return items

    def _asks_removed(self) -> None:
        self.new_asks = self._new_items(self.asks_list)
        self.mark_dirty()

    def _commitments_removed(self) -> None:
        self.new_commitments = self._new_items(self.commitments_list)
        self.mark_dirty()

    # --- saving ------------------------------------------------------------------------

    def form_values(self) -> tuple[dict[str, Any], dict[str, str]]:
        values, local = self.form.values()
        notes, notes_local = self.notes_form.values()
        values.update(notes)
        local.update(notes_local)
        values["attendees"] = self.attendee_values()
        values["temperature"], problem = self.temperature.values()
        if problem:
            local["temperature"] = problem
        # something typed into an ask or commitment but not added would be lost silently
        if self.ask_form.fields["title"].text().strip():  # type: ignore[attr-defined]
            local["ask_pending"] = "Ask: press “Add ask” to add the ask you typed, or clear it"
        if self.commitment_form.fields["text"].text().strip():  # type: ignore[attr-defined]
            local["commitment_pending"] = (
                "Commitment: press “Add commitment” to add the commitment you typed, or clear it"
            )
        return values, local

    def save_work(self, values: dict[str, Any]) -> Any:
        return workflows.save_meeting(
            self.ctx.db,
            self.record_id,
            values,
            asks_made=[dict(item) for item in self.new_asks],
            commitments_given=[dict(item) for item in self.new_commitments],
        )

    def changes(self) -> set[str]:
        return {"meetings", "asks", "commitments"}

    def _saved(self, record: Any) -> None:
        self.new_asks, self.new_commitments = [], []
        super()._saved(record)

    def show_problems(self, problems: dict[str, str]) -> QWidget | None:
        first = None
        rest = dict(problems)
        if "attendees" in rest:
            self.attendee_problem.show_problem(rest.pop("attendees"))
            first = self.person_picker
        if "temperature" in rest:
            self.temperature.problem.show_problem(rest.pop("temperature"))
            first = first or self.temperature.first_control()
        if "ask_pending" in rest:
            self.ask_form.show_problems({"title": rest.pop("ask_pending")})
            first = first or self.ask_form.fields["title"]
        if "commitment_pending" in rest:
            self.commitment_form.show_problems({"text": rest.pop("commitment_pending")})
            first = first or self.commitment_form.fields["text"]
        notes = {k: rest.pop(k) for k in list(rest) if k in self.notes_form.fields}
        shown = self.form.show_problems(rest)
        shown_notes = self.notes_form.show_problems(notes)
        return shown or first or shown_notes

    def show_failure(self, error: ValidationFailed) -> QWidget | None:
        grouped: dict[str, str] = {}
        for problem in error.problems:
            grouped[problem.field] = (
                f"{grouped[problem.field]}\n{problem.message}"
                if problem.field in grouped
                else problem.message
            )
        return self.show_problems(grouped)

    def clear_problems(self) -> None:
        for form in (self.form, self.notes_form, self.ask_form, self.commitment_form):
            form.clear_problems()
        self.attendee_problem.show_problem(None)
        self.temperature.problem.show_problem(None)


def _minute(minute_ref: str | None) -> str:
    return f", minute {minute_ref}" if minute_ref else ""
