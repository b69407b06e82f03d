"""Form building blocks: fields with their problem shown beside them, type-ahead pickers."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ..services.errors import ValidationFailed
from ..services.workflows import Choice

PROBLEM_STYLE = "color: #a4262c;"


def record_table(parent: QWidget, headers: list[str], name: str) -> QTableWidget:
    """A read-only table of records, chosen a whole row at a time."""
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(name)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class ProblemLabel(QLabel):
    """A field's problem in words (with a warning sign, so never colour alone)."""

    def __init__(self, field_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet(PROBLEM_STYLE)
        self.setAccessibleName(f"Problem with {field_label}")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_problem(self, message: str | None) -> None:
        if message:
            self.setText(f"⚠ {message}")
            self.setAccessibleDescription(message)
            self.show()
        else:
            self.clear()
            self.hide()


class Picker(QLineEdit):
    """Type part of a name and pick from the suggestions (or press Enter on a unique match)."""

    picked = Signal(str)  # the chosen record's id
    not_found = Signal(str)  # Enter on text that names no one record: why, to show the user

    def __init__(self, noun: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.noun = noun
        self._choices: list[Choice] = []
        self._model = QStringListModel(self)
        completer = QCompleter(self._model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.activated.connect(self._completed)
        self.setCompleter(completer)
        self.setPlaceholderText(f"Type to find a {noun}")
        self.returnPressed.connect(self._enter)

    @property
    def choices(self) -> list[Choice]:
        """What the picker offers (change it with :meth:`set_choices`)."""
        return self._choices

    def set_choices(self, choices: Sequence[Choice]) -> None:
        self._choices = list(choices)
        self._model.setStringList([c.label for c in self._choices])

    def matches(self, text: str | None = None) -> list[Choice]:
        wanted = (self.text() if text is None else text).strip().lower()
        if not wanted:
            return []
        exact = [c for c in self._choices if c.label.lower() == wanted]
        if exact:
            return exact[:1]
        return [c for c in self._choices if wanted in c.label.lower()]

    def current(self) -> Choice | None:
        found = self.matches()
        return found[0] if len(found) == 1 else None

    def current_id(self) -> str | None:
        choice = self.current()
        return choice.id if choice else None

    def problem(self) -> str | None:
        """Why the typed text does not name one record, or None when it does (or is empty)."""
        text = self.text().strip()
        if not text:
            return None
        found = self.matches()
        if not found:
            return f"there is no {self.noun} called “{text}”; pick one from the suggestions"
        if len(found) > 1:
            return f"“{text}” matches {len(found)} {self.noun}s; type more of the name"
        return None

    def set_id(self, record_id: str | None) -> None:
        label = next((c.label for c in self._choices if c.id == record_id), "")
        self.setText(label)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()  # Enter picks; it must not also press the dialog's default button

    def _completed(self, text: str) -> None:
        self.setText(text)
        if (choice := self.current()) is not None:
            self.picked.emit(choice.id)

    def _enter(self) -> None:
        if (choice := self.current()) is not None:
            self.setText(choice.label)
            self.picked.emit(choice.id)
        elif problem := self.problem():
            self.not_found.emit(problem[:1].upper() + problem[1:])


class MultiPicker(QWidget):
    """A picker and the list of what has been picked (Delete removes the chosen line)."""

    changed = Signal()

    def __init__(self, noun: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.picker = Picker(noun, self)
        self.picker.setAccessibleName(f"Add to {label}")
        self.picker.setPlaceholderText(f"Type to add a {noun}, then press Enter")
        self.list = DeletableList(self)
        self.list.setAccessibleName(label)
        self.list.setMaximumHeight(self.fontMetrics().height() * 5)
        self.list.removed.connect(self.changed)
        layout.addWidget(self.picker)
        layout.addWidget(self.list)
        self.picker.picked.connect(self.add)
        # The field's Alt+letter (its label's buddy is this box) lands in the picker.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFocusProxy(self.picker)

    def set_choices(self, choices: Sequence[Choice]) -> None:
        self.picker.set_choices(choices)

    def add(self, record_id: str) -> None:
        if record_id in self.ids():
            self.picker.clear()
            return
        label = next((c.label for c in self.picker.choices if c.id == record_id), record_id)
        item = QListWidgetItem(label)
        item.setData(Qt.ItemDataRole.UserRole, record_id)
        self.list.addItem(item)
        # clear after the completer has finished writing its text into the line edit
        QTimer.singleShot(0, self.picker.clear)
        self.changed.emit()

    def ids(self) -> list[str]:
        return [
            self.list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.list.count())
        ]

    def set_ids(self, ids: Sequence[str]) -> None:
        self.list.clear()
        for record_id in ids:
            self.add(record_id)


class DeletableList(QListWidget):
    removed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.currentItem():
            self.takeItem(self.currentRow())
            self.removed.emit()
            return
        super().keyPressEvent(event)


class Form(QWidget):
    """Labelled fields, each with its problem shown beside it.

    ``values()`` gives a dict for the service; ``show_problems`` puts each
    :class:`ValidationFailed` message under its field.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QFormLayout(self)
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.general_problem = ProblemLabel("this record", self)
        self.layout_.addRow(self.general_problem)
        self.fields: dict[str, QWidget] = {}
        self.labels: dict[str, str] = {}
        self.problems: dict[str, ProblemLabel] = {}
        self._kinds: dict[str, str] = {}
        self._enums: dict[str, type[Enum]] = {}

    def _add(self, name: str, label: str, widget: QWidget, kind: str, required: bool) -> None:
        shown = f"{label} (required)" if required else label
        widget.setAccessibleName(label)
        problem = ProblemLabel(label, self)
        holder = QWidget(self)
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(problem)
        title = QLabel(f"&{shown}" if "&" not in shown else shown, self)
        title.setBuddy(widget)
        self.layout_.addRow(title, holder)
        self.fields[name] = widget
        self.labels[name] = label
        self.problems[name] = problem
        self._kinds[name] = kind

    def add_line(
        self, name: str, label: str, *, required: bool = False, hint: str = ""
    ) -> QLineEdit:
        widget = QLineEdit(self)
        widget.setPlaceholderText(hint)
        widget.textEdited.connect(self.changed)
        self._add(name, label, widget, "line", required)
        return widget

    def add_date(
        self, name: str, label: str, *, required: bool = False, with_time: bool = False
    ) -> QLineEdit:
        # one style of example in every form (22/11/2026 is accepted too)
        hint = "for example 22 November 2026" + (" 10:00" if with_time else "")
        return self.add_line(name, label, required=required, hint=hint)

    def add_text(self, name: str, label: str, *, lines: int = 4) -> QPlainTextEdit:
        widget = QPlainTextEdit(self)
        widget.setTabChangesFocus(True)  # Tab moves on, so the form works without a mouse
        widget.setMinimumHeight(widget.fontMetrics().lineSpacing() * lines + 12)
        widget.textChanged.connect(self.changed)
        self._add(name, label, widget, "text", False)
        return widget

    def add_enum(self, name: str, label: str, enum_type: type[Enum]) -> QComboBox:
        widget = QComboBox(self)
        for member in enum_type:
            widget.addItem(member.label, member.value)  # type: ignore[attr-defined]
        widget.currentIndexChanged.connect(self.changed)
        self._enums[name] = enum_type
        self._add(name, label, widget, "enum", False)
        return widget

    def add_picker(self, name: str, label: str, noun: str, *, required: bool = False) -> Picker:
        widget = Picker(noun, self)
        widget.textEdited.connect(self.changed)
        self._add(name, label, widget, "picker", required)
        return widget

    def add_multi(self, name: str, label: str, noun: str) -> MultiPicker:
        widget = MultiPicker(noun, label, self)
        widget.changed.connect(self.changed)
        self._add(name, label, widget, "multi", False)
        widget.picker.not_found.connect(
            lambda problem: self.problems[name].show_problem(f"{label}: {problem}")
        )
        widget.picker.picked.connect(lambda _id: self.problems[name].show_problem(None))
        widget.setAccessibleName(label)
        return widget

    def add_readonly(self, name: str, label: str) -> QLabel:
        widget = QLabel(self)
        widget.setWordWrap(True)
        widget.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByKeyboard
            | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self._add(name, label, widget, "readonly", False)
        return widget

    # --- values --------------------------------------------------------------

    def values(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Field values for the service, and problems found before asking it (pickers)."""
        result: dict[str, Any] = {}
        local: dict[str, str] = {}
        for name, widget in self.fields.items():
            kind = self._kinds[name]
            if kind in ("line",):
                text = widget.text().strip()  # type: ignore[attr-defined]
                result[name] = text or None
            elif kind == "text":
                text = widget.toPlainText()  # type: ignore[attr-defined]
                result[name] = text if text.strip() else None
            elif kind == "enum":
                result[name] = widget.currentData()  # type: ignore[attr-defined]
            elif kind == "picker":
                assert isinstance(widget, Picker)
                result[name] = widget.current_id()
                if problem := widget.problem():
                    local[name] = f"{self.labels[name]}: {problem}"
            elif kind == "multi":
                assert isinstance(widget, MultiPicker)
                result[name] = widget.ids()
                if problem := widget.picker.problem():
                    local[name] = f"{self.labels[name]}: {problem} (or clear the box)"
        return result, local

    def set_values(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            widget = self.fields.get(name)
            if widget is None:
                continue
            kind = self._kinds[name]
            if kind == "line":
                widget.setText("" if value is None else str(value))  # type: ignore[attr-defined]
            elif kind == "text":
                widget.setPlainText(value or "")  # type: ignore[attr-defined]
            elif kind == "enum":
                index = widget.findData(getattr(value, "value", value))  # type: ignore[attr-defined]
                widget.setCurrentIndex(max(index, 0))  # type: ignore[attr-defined]
            elif kind == "picker":
                widget.set_id(value)  # type: ignore[attr-defined]
            elif kind == "multi":
                widget.set_ids(value or [])  # type: ignore[attr-defined]
            elif kind == "readonly":
                widget.setText("" if value is None else str(value))  # type: ignore[attr-defined]

    # --- problems ------------------------------------------------------------

    def clear_problems(self) -> None:
        self.general_problem.show_problem(None)
        for label in self.problems.values():
            label.show_problem(None)

    def show_problems(self, problems: dict[str, str]) -> QWidget | None:
        """Show each message beside its field; returns the first field with a problem."""
        first: QWidget | None = None
        leftovers = []
        for name, message in problems.items():
            if name in self.problems:
                self.problems[name].show_problem(message)
                first = first or self.fields[name]
            else:
                leftovers.append(message)
        if leftovers:
            self.general_problem.show_problem("\n".join(leftovers))
        return first

    def show_failure(self, error: ValidationFailed) -> QWidget | None:
        grouped: dict[str, str] = {}
        for problem in error.problems:
            grouped[problem.field] = (
                f"{grouped[problem.field]}\n{problem.message}"
                if problem.field in grouped
                else problem.message
            )
        return self.show_problems(grouped)
