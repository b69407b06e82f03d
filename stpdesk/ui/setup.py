"""First run: choose your council from the shipped reference data and set up the
footprint, its standard bodies and you as a member; or explore with demo data."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from ..services import reference, workflows
from ..services.errors import ValidationFailed
from .context import TITLE, AppContext, show_error
from .screen_fit import fit_to_screen
from .widgets import Form, ProblemLabel

TIERS = {
    "district": "district",
    "county": "county",
    "unitary": "unitary",
    "metropolitan": "metropolitan borough",
    "london_borough": "London borough",
}


def council_choices() -> list[workflows.Choice]:
    result = []
    for council in sorted(reference.councils(), key=lambda c: c.name):
        where = f", {council.county_name}" if council.county_name else ""
        result.append(
            workflows.Choice(
                council.code,
                f"{council.name} ({TIERS.get(council.tier, council.tier)}{where})",
                "council",
            )
        )
    return result


class SetupDialog(QDialog):
    done_setup = Signal(str)  # "setup" or "demo"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(f"Set up stpdesk — {TITLE}")
        self.setAccessibleName("First-run set-up")
        self.setObjectName("setup_dialog")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Welcome. Choose your council: stpdesk fills in its Integrated Care System and "
            "county, and creates the standard bodies for your area and you as a member.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.form = Form(self)
        self.council = self.form.add_picker("council", "Your council", "council", required=True)
        self.council.set_choices(council_choices())
        self.area = self.form.add_readonly("area", "Your area")
        self.council_name = self.form.add_line("council_name", "Council name as it should print")
        self.form.add_line("title", "Your title", hint="Cllr").setText("Cllr")
        self.form.add_line("name", "Your name", required=True)
        self.form.add_line(
            "position", "Your position", hint="for example Cabinet Member for Housing and Health"
        )
        layout.addWidget(self.form)
        self.problem = ProblemLabel("set-up", self)
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(self)
        self.setup_button = QPushButton("&Set up", self)
        self.setup_button.setAccessibleName("Set up")
        self.demo_button = QPushButton("&Explore with demo data", self)
        self.demo_button.setAccessibleName("Explore with demo data")
        self.later_button = QPushButton("&Later", self)
        self.later_button.setAccessibleName("Later")
        buttons.addButton(self.setup_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.demo_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.later_button, QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)
        self.setup_button.clicked.connect(self.run_setup)
        self.demo_button.clicked.connect(self.run_demo)
        self.later_button.clicked.connect(self.reject)
        self.council.picked.connect(self._council_chosen)
        self.council.textEdited.connect(lambda _t: self._council_chosen(self.council.current_id()))
        self.council.setFocus()
        fit_to_screen(self, "setup", 560)

    def _council_chosen(self, code: str | None) -> None:
        if not code:
            self.area.setText("")
            return
        plan = workflows.plan_setup(code)
        stp = f"; 2016 STP footprint {plan.stp.name}" if plan.stp else ""
        bodies = ", ".join(name for name, _kind, _code in plan.bodies)
        self.area.setText(
            f"{plan.icb.ics_name} Integrated Care System ({plan.icb.region}){stp}. "
            f"Bodies to be created: {bodies}."
        )
        self.council_name.setText(plan.council_name)

    def _busy(self, busy: bool) -> None:
        for button in (self.setup_button, self.demo_button, self.later_button):
            button.setEnabled(not busy)

    def run_setup(self) -> None:
        self.form.clear_problems()
        self.problem.show_problem(None)
        values, local = self.form.values()
        if not local and not values["council"]:
            local["council"] = "Your council: please pick one from the suggestions"
        if local:
            widget = self.form.show_problems(local)
            if widget:
                widget.setFocus()
            return
        db = self.ctx.db
        self._busy(True)
        self.ctx.ops.run(
            lambda: workflows.first_run_setup(
                db,
                council_code=values["council"],
                member_name=values["name"] or "",
                member_title=values["title"],
                position=values["position"],
                council_name=values["council_name"],
            ),
            on_done=lambda _r: self._finished("setup"),
            on_error=self._failed,
            changes={"footprints", "bodies", "members"},
        )

    def run_demo(self) -> None:
        from ..services.demo import build_demo

        db = self.ctx.db
        self._busy(True)
        self.problem.show_problem(None)
        self.demo_button.setText("Building demo data…")
        self.ctx.ops.run(
            lambda: build_demo(db),
            on_done=lambda _r: self._finished("demo"),
            on_error=self._failed,
            changes=set(
                (
                    "footprints",
                    "bodies",
                    "contacts",
                    "members",
                    "meetings",
                    "asks",
                    "commitments",
                    "letters",
                )
            ),
        )

    def _finished(self, how: str) -> None:
        self.done_setup.emit(how)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        self.demo_button.setText("&Explore with demo data")
        if isinstance(error, ValidationFailed):
            mapped = {("name" if p.field == "name" else p.field): p.message for p in error.problems}
            widget = self.form.show_problems(mapped)
            if widget:
                widget.setFocus()
        elif isinstance(error, Exception) and hasattr(error, "args"):
            from .operations import EXPECTED_ERRORS

            if isinstance(error, EXPECTED_ERRORS):
                self.problem.show_problem(str(error))
            else:
                show_error(self, error, "Set-up")
