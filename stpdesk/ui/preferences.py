"""Preferences: the council profile printed on documents, default signatories,
where the data and backups are, and how many backups to keep."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..config import Settings, backup_dir_for, load_settings, save_settings
from ..model.engagement import rag_rule
from ..model.types import format_datetime
from ..services import council, dashboard, preferences, team, workflows
from ..services.errors import ValidationFailed
from ..store.team import TeamError, check_url
from .context import TITLE, AppContext, show_error
from .screen_fit import fit_to_screen
from .widgets import Form, ProblemLabel

MAX_LOGO_BYTES = 2_000_000


class PreferencesDialog(QDialog):
    saved = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(f"Preferences — {TITLE}")
        self.setAccessibleName("Preferences")
        self.setObjectName("preferences_dialog")
        self.logo: bytes | None = None
        self.joining = ""  # a team database to join once saved
        outer = QVBoxLayout(self)
        columns = QHBoxLayout()
        outer.addLayout(columns)
        layout = QVBoxLayout()  # the left column: what documents print
        columns.addLayout(layout)

        group = QGroupBox("Council profile (printed on letters and briefing packs)", self)
        box = QVBoxLayout(group)
        self.profile = Form(group)
        self.profile.add_line("name", "Council name", required=True)
        self.profile.add_text("address", "Address", lines=4)
        self.profile.add_line("protective_marking", "Protective marking", hint="OFFICIAL")
        box.addWidget(self.profile)
        logo_row = QHBoxLayout()
        self.logo_preview = QLabel("No logo", group)
        self.logo_preview.setAccessibleName("Logo")
        self.logo_button = QPushButton("Choose &logo image…", group)
        self.logo_button.setAccessibleName("Choose logo image")
        self.logo_button.clicked.connect(self._choose_logo)
        logo_row.addWidget(self.logo_preview, 1)
        logo_row.addWidget(self.logo_button)
        box.addLayout(logo_row)
        self.logo_problem = ProblemLabel("Logo", group)
        box.addWidget(self.logo_problem)
        layout.addWidget(group)

        group = QGroupBox("Letters", self)
        box = QVBoxLayout(group)
        self.letters = Form(group)
        self.signatories = self.letters.add_multi("signatories", "Default signatories", "member")
        self.signatories.set_choices(workflows.choices(ctx.db, "members"))
        box.addWidget(self.letters)
        self.reply_days = self._spin(
            box,
            "Awaiting a reply: sent, unanswered for",
            load_settings().reply_working_days,
            "working days",
        )
        self.reply_days.setToolTip(
            "Weekends and English bank holidays are not counted. Such letters show on the "
            "dashboard and in packs for the body written to."
        )
        layout.addWidget(group)

        layout.addStretch(1)
        layout = QVBoxLayout()  # the right column: data, backups and ratings
        columns.addLayout(layout)
        group = QGroupBox("Data and backups", self)
        box = QVBoxLayout(group)
        last = dashboard.last_backup(ctx.db.path)
        for text, name in (
            (f"Database: {ctx.db.path}", "Database location"),
            (f"Backups: {backup_dir_for(ctx.db.path)}", "Backup location"),
            (
                f"Last backup: {format_datetime(last) if last else 'none yet'}",
                "Last backup",
            ),
        ):
            label = QLabel(text, group)
            label.setAccessibleName(name)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.addWidget(label)
        settings = load_settings()
        self.keep_last = self._spin(
            box, "Always keep the newest", settings.backup_keep_last, "backups"
        )
        self.keep_daily = self._spin(
            box, "And one backup a day for the last", settings.backup_keep_daily_days, "days"
        )
        self.every_hours = self._spin(
            box,
            "Back up on opening when the last backup is older than",
            settings.backup_every_hours,
            "hours",
        )
        layout.addWidget(group)

        group = QGroupBox("Team database", self)
        box = QVBoxLayout(group)
        label = QLabel(
            "&Address of the team's PostgreSQL database (your password stays in your "
            "keyring or pgpass file, never here):",
            group,
        )
        label.setWordWrap(True)
        self.team_server = QLineEdit(group)
        self.team_server.setAccessibleName("Team database address")
        self.team_server.setPlaceholderText("postgresql://you@server/stpdesk?sslmode=verify-full")
        label.setBuddy(self.team_server)
        self.linked_server = team.server_url(ctx.db) or ""
        self.team_server.setText(self.linked_server)
        box.addWidget(label)
        box.addWidget(self.team_server)
        self.team_auto = QCheckBox(
            "S&ync automatically whenever the team database can be reached", group
        )
        self.team_auto.setChecked(settings.team_auto_sync)
        box.addWidget(self.team_auto)
        self.team_problem = ProblemLabel("Team database", group)
        box.addWidget(self.team_problem)
        layout.addWidget(group)

        group = QGroupBox("Rating commitments (red, amber, green)", self)
        box = QVBoxLayout(group)
        self.due_soon = self._spin(box, "Due soon: due within", settings.due_soon_days, "days")
        self.amber_moves = self._spin(
            box, "Amber when its date has moved", settings.amber_after_moves, "time(s)"
        )
        self.red_moves = self._spin(
            box, "Red when its date has moved", settings.red_after_moves, "time(s)"
        )
        self.rule = QLabel(rag_rule(), group)
        self.rule.setWordWrap(True)
        self.rule.setAccessibleName("The rule")
        box.addWidget(self.rule)
        self.rating_problem = ProblemLabel("Rating", group)
        box.addWidget(self.rating_problem)
        self.reminders = QCheckBox(
            "Remind me once a day of commitments falling due or going overdue", group
        )
        self.reminders.setChecked(settings.reminders)
        box.addWidget(self.reminders)
        layout.addWidget(group)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        layout.addStretch(1)
        outer.addWidget(buttons)
        self._load(settings)
        fit_to_screen(self, "preferences")

    def _spin(self, box: QVBoxLayout, text: str, value: int, unit: str) -> QSpinBox:
        row = QHBoxLayout()
        label = QLabel(text, self)
        spin = QSpinBox(self)
        spin.setRange(1, 1000)
        spin.setValue(max(value, 1))
        spin.setSuffix(f" {unit}")
        spin.setAccessibleName(f"{text} ({unit})")
        label.setBuddy(spin)
        row.addWidget(label, 1)
        row.addWidget(spin)
        box.addLayout(row)
        return spin

    def _load(self, settings: Settings) -> None:
        profile = council.get_profile(self.ctx.db)
        if profile is not None:
            self.profile.set_values(
                {
                    "name": profile.name,
                    "address": profile.address,
                    "protective_marking": profile.protective_marking,
                }
            )
            self._show_logo(profile.logo)
        known = {c.id for c in self.signatories.picker.choices}
        self.signatories.set_ids([i for i in settings.default_signatory_ids if i in known])

    def _show_logo(self, data: bytes | None) -> None:
        if not data:
            self.logo_preview.setText("No logo")
            return
        pixmap = QPixmap()
        if pixmap.loadFromData(data):
            self.logo_preview.setPixmap(
                pixmap.scaledToHeight(48, Qt.TransformationMode.SmoothTransformation)
            )

    def _choose_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose logo image", "", "Images (*.png *.jpg *.jpeg)"
        )
        if path:
            self.use_logo(Path(path))

    def use_logo(self, path: Path) -> bool:
        self.logo_problem.show_problem(None)
        try:
            data = path.read_bytes()
        except OSError as error:
            self.logo_problem.show_problem(f"Logo: {path} cannot be read ({error.strerror}).")
            return False
        if len(data) > MAX_LOGO_BYTES:
            self.logo_problem.show_problem(
                "Logo: the image is larger than 2 MB; choose a smaller one."
            )
            return False
        if not QPixmap().loadFromData(data):
            self.logo_problem.show_problem(f"Logo: {path.name} is not a PNG or JPEG image.")
            return False
        self.logo = data
        self._show_logo(data)
        return True

    def save(self) -> None:
        self.profile.clear_problems()
        values, _local = self.profile.values()
        settings = load_settings()
        settings.backup_keep_last = self.keep_last.value()
        settings.backup_keep_daily_days = self.keep_daily.value()
        settings.backup_every_hours = self.every_hours.value()
        settings.default_signatory_ids = self.signatories.ids()
        settings.due_soon_days = self.due_soon.value()
        settings.amber_after_moves = self.amber_moves.value()
        settings.red_after_moves = self.red_moves.value()
        settings.reply_working_days = self.reply_days.value()
        settings.reminders = self.reminders.isChecked()
        settings.team_auto_sync = self.team_auto.isChecked()
        self.team_problem.show_problem(None)
        server = self.team_server.text().strip()
        if server != self.linked_server:
            if not server:
                self.team_problem.show_problem(
                    "Team database: this database stays in its team; give the address to change it."
                )
                return
            try:
                check_url(server)
            except TeamError as error:
                self.team_problem.show_problem(f"Team database: {error}")
                return
        self.rating_problem.show_problem(None)
        try:
            preferences.check(settings)
        except ValidationFailed as error:
            self.rating_problem.show_problem(str(error))
            return
        db, logo = self.ctx.db, self.logo

        linked, joining = self.linked_server, ""
        if server and server != linked and not linked:
            joining = server  # joined in the background once saved

        def work() -> None:
            council.save_profile(db, values, logo=logo)
            if linked and server != linked:
                team.set_server(db, server)
            save_settings(settings)
            preferences.apply(settings)

        self.joining = joining
        self.save_button.setEnabled(False)
        self.ctx.ops.run(
            work,
            on_done=self._saved,
            on_error=self._failed,
            changes={"council_profile", "commitments"},  # ratings may change
        )

    def _saved(self, _result: object) -> None:
        syncing = getattr(self.parent(), "team_sync", None)
        if syncing is not None:
            syncing.settings_changed()
            if self.joining:
                syncing.join(self.joining)
        self.saved.emit()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationFailed):
            self.profile.show_failure(error)
        elif isinstance(error, OSError):
            self.profile.show_problems({"": f"Settings could not be saved: {error}"})
        else:
            show_error(self, error, "Saving preferences")
