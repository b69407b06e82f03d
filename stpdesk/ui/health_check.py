"""The partnership health check in the app: see a footprint's (or one body's) latest
round — each principle's median and spread, how it moved since the last round, the
evidence behind the scores (opening the records) — record one assessor's scores in a
form, and save the report as PDF or HTML. The same services as `stpdesk health-check`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..services import health, workflows
from ..services.errors import NotFound, ServiceError, ValidationFailed
from .context import AppContext, show_error
from .screen_fit import fit_to_screen
from .temperature import ChartView
from .widgets import Picker, ProblemLabel, record_table

TITLE = "Partnership health check"
COLUMNS = ["", "Principle or statement", "Median", "Level", "Spread", "Last round", "Change"]


class HealthCheckDialog(QDialog):
    """A footprint's health check: its results, a form for one assessor's scores, and
    the report saved as PDF or HTML."""

    recorded = Signal(str)  # the assessment's id, once scores are saved

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        footprint_id: str | None = None,
        body_id: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(f"{TITLE} — stpdesk")
        self.setAccessibleName(TITLE)
        self.setObjectName("health_check_dialog")
        self.result: health.HealthReport | None = None
        self.frameworks = health.frameworks()
        layout = QVBoxLayout(self)

        chooser = QFormLayout()
        self.footprint_box = QComboBox(self)
        self.footprint_box.setAccessibleName("Footprint")
        for choice in workflows.choices(ctx.db, "footprints"):
            self.footprint_box.addItem(choice.label, choice.id)
        self.body_box = QComboBox(self)
        self.body_box.setAccessibleName("Body assessed")
        self.framework_box = QComboBox(self)
        self.framework_box.setAccessibleName("Framework")
        for framework in self.frameworks.values():
            self.framework_box.addItem(framework.title, framework.name)
        for text, box in (
            ("&Footprint:", self.footprint_box),
            ("&Body:", self.body_box),
            ("Frame&work:", self.framework_box),
        ):
            label = QLabel(text, self)
            label.setBuddy(box)
            chooser.addRow(label, box)
        layout.addLayout(chooser)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._results_tab(), "&Results")
        self.tabs.addTab(self._record_tab(), "Record &scores")
        layout.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        if footprint_id is not None:
            self.footprint_box.setCurrentIndex(max(self.footprint_box.findData(footprint_id), 0))
        self._fill_bodies()
        if body_id is not None:
            self.body_box.setCurrentIndex(max(self.body_box.findData(body_id), 0))
        self.footprint_box.currentIndexChanged.connect(self._footprint_changed)
        self.body_box.currentIndexChanged.connect(lambda _i: self.reload())
        self.framework_box.currentIndexChanged.connect(self._framework_changed)
        self._build_statements()
        self.reload(pick_latest=True)
        fit_to_screen(self, "health_check", 900, 760)

    # --- building -------------------------------------------------------------------------

    def _results_tab(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        self.summary = QLabel(page)
        self.summary.setWordWrap(True)
        box.addWidget(self.summary)
        self.chart = ChartView("Median score by principle", page)
        box.addWidget(self.chart)
        self.table = record_table(page, COLUMNS, "Principles and statements")
        self.table.itemSelectionChanged.connect(self._show_evidence)
        box.addWidget(self.table, 2)
        self.evidence = QListWidget(page)
        self.evidence.setAccessibleName("Evidence")
        self.evidence.setWordWrap(True)
        self.evidence.itemActivated.connect(self._open_evidence)
        title = QLabel("&Evidence for the chosen row (open one to see its record)", page)
        title.setBuddy(self.evidence)
        box.addWidget(title)
        box.addWidget(self.evidence, 1)
        row = QHBoxLayout()
        self.pdf_button = QPushButton("Save report as P&DF…", page)
        self.html_button = QPushButton("Save report as &HTML…", page)
        for button, suffix in ((self.pdf_button, ".pdf"), (self.html_button, ".html")):
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, s=suffix: self.save_report_as(s))
            row.addWidget(button)
        row.addStretch(1)
        box.addLayout(row)
        return page

    def _record_tab(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        top = QFormLayout()
        self.assessor_box = QComboBox(page)
        self.assessor_box.setAccessibleName("Assessor")
        for choice in workflows.choices(self.ctx.db, "members"):
            self.assessor_box.addItem(choice.label, choice.id)
        label = QLabel("&Assessor:", page)
        label.setBuddy(self.assessor_box)
        top.addRow(label, self.assessor_box)
        self.evidence_picker = Picker("record", page)
        self.evidence_picker.setAccessibleName("Link evidence to the statement last edited")
        self.evidence_picker.setPlaceholderText(
            "Type part of a meeting, commitment or letter, then press Enter"
        )
        self.evidence_picker.picked.connect(self._link_evidence)
        label = QLabel("Link e&vidence:", page)
        label.setBuddy(self.evidence_picker)
        top.addRow(label, self.evidence_picker)
        box.addLayout(top)
        self.scale_caption = QLabel(page)
        self.scale_caption.setWordWrap(True)
        box.addWidget(self.scale_caption)
        self.scroll = QScrollArea(page)
        self.scroll.setWidgetResizable(True)
        box.addWidget(self.scroll, 1)
        self.problem = ProblemLabel("Scores", page)
        box.addWidget(self.problem)
        self.save_button = QPushButton("Save sc&ores", page)
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save_scores)
        box.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)
        # statement id -> (score, evidence text, linked records' label); and their links
        self.rows: dict[str, tuple[QComboBox, QLineEdit, QLabel]] = {}
        self.links: dict[str, list[tuple[str, str]]] = {}
        self._last_statement: str | None = None
        return page

    def _build_statements(self) -> None:
        chosen = self.framework
        self.scale_caption.setText(
            "Score each statement from "
            + ", ".join(f"{n} {level}" for n, level in enumerate(chosen.levels, start=1))
            + ". Evidence: say what you saw, and link the meetings, commitments or letters "
            "behind it."
        )
        holder = QWidget(self.scroll)
        grid = QGridLayout(holder)
        self.rows, self.links = {}, {}
        line = 0
        for principle in chosen.principles:
            heading = QLabel(f"{principle.id} {principle.title}", holder)
            font = QFont(heading.font())
            font.setBold(True)
            heading.setFont(font)
            heading.setWordWrap(True)
            grid.addWidget(heading, line, 0, 1, 3)
            line += 1
            for statement in principle.statements:
                text = QLabel(f"{statement.id} {statement.text}", holder)
                text.setWordWrap(True)
                score = QComboBox(holder)
                score.addItem("Not scored", None)
                for number, level in enumerate(chosen.levels, start=1):
                    score.addItem(f"{number} {level}", number)
                score.setAccessibleName(f"Score for statement {statement.id}")
                evidence = QLineEdit(holder)
                evidence.setPlaceholderText("What you saw")
                evidence.setAccessibleName(f"Evidence for statement {statement.id}")
                evidence.textEdited.connect(
                    lambda _t, sid=statement.id: setattr(self, "_last_statement", sid)
                )
                score.activated.connect(
                    lambda _i, sid=statement.id: setattr(self, "_last_statement", sid)
                )
                linked = QLabel(holder)
                linked.setWordWrap(True)
                linked.setVisible(False)
                grid.addWidget(text, line, 0)
                grid.addWidget(score, line, 1)
                grid.addWidget(evidence, line, 2)
                grid.addWidget(linked, line + 1, 0, 1, 3)
                line += 2
                self.rows[statement.id] = (score, evidence, linked)
                self.links[statement.id] = []
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(2, 2)
        grid.setRowStretch(line, 1)
        self.scroll.setWidget(holder)

    @property
    def framework(self) -> health.Framework:
        return self.frameworks[self.framework_box.currentData()]

    @property
    def footprint_id(self) -> str | None:
        return self.footprint_box.currentData()

    @property
    def body_id(self) -> str | None:
        return self.body_box.currentData()

    def _fill_bodies(self) -> None:
        self.body_box.blockSignals(True)
        self.body_box.clear()
        self.body_box.addItem("The whole footprint", None)
        if self.footprint_id:
            for body_id, name in health.footprint_bodies(self.ctx.db, self.footprint_id):
                self.body_box.addItem(name, body_id)
        self.body_box.blockSignals(False)
        self._fill_evidence_choices()

    def _fill_evidence_choices(self) -> None:
        if not self.footprint_id:
            self.evidence_picker.set_choices([])
            return
        found = health.evidence_choices(self.ctx.db, self.footprint_id, self.body_id)
        self.evidence_picker.set_choices(
            [workflows.Choice(token, label, "record") for token, label in found]
        )

    def _footprint_changed(self) -> None:
        self._fill_bodies()
        self.reload(pick_latest=True)

    def _framework_changed(self) -> None:
        self._build_statements()
        self.reload()

    # --- results --------------------------------------------------------------------------

    def reload(self, *, pick_latest: bool = False) -> None:
        """The latest round of the chosen footprint (or body) and framework."""
        self.result = None
        self.table.setRowCount(0)
        self.evidence.clear()
        self._fill_evidence_choices()
        if not self.footprint_id:
            self._show_nothing("Add a footprint first: a health check assesses one.")
            return
        name = None if pick_latest else self.framework_box.currentData()
        try:
            result = health.report(
                self.ctx.db, self.footprint_id, framework_name=name, body_id=self.body_id
            )
        except NotFound as error:
            self._show_nothing(f"{error}".replace("“stpdesk health-check record”", "Record scores"))
            return
        if result.framework.name != self.framework_box.currentData():
            self.framework_box.blockSignals(True)
            self.framework_box.setCurrentIndex(self.framework_box.findData(result.framework.name))
            self.framework_box.blockSignals(False)
            self._build_statements()
        self.result = result
        self._show(result)

    def _show_nothing(self, text: str) -> None:
        self.summary.setText(text)
        self.chart.setVisible(False)
        self.pdf_button.setEnabled(False)
        self.html_button.setEnabled(False)

    def _show(self, result: health.HealthReport) -> None:
        from ..documents.charts import bar_chart, chart_data

        disputed = len(result.disputed)
        self.summary.setText(
            result.summary()
            + (
                f" Assessors disagree (a spread of {health.DISAGREEMENT} or more) on "
                f"{disputed} statement{'s' if disputed != 1 else ''}: marked below."
                if disputed
                else " The assessors broadly agree on every statement."
            )
        )
        data = chart_data(result.chart_rows(), "Median score by principle", result.series)
        self.chart.show_drawing(bar_chart(data, 520, 170), data.describe())
        self.chart.setVisible(True)
        self.pdf_button.setEnabled(True)
        self.html_button.setEnabled(True)
        rows: list[tuple[list[str], Any, bool]] = []
        for principle, shown in zip(result.principles, result.principle_rows(), strict=True):
            rows.append(
                (
                    [
                        shown["id"],
                        shown["title"],
                        shown["median"],
                        shown["level"],
                        shown["spread"],
                        shown["previous"],
                        shown["change"],
                    ],
                    principle,
                    True,
                )
            )
            for statement in principle.statements:
                change = (
                    health.change_text(statement.median - statement.previous_median)
                    if statement.median is not None and statement.previous_median is not None
                    else "–"
                )
                if statement.disputed:
                    change += " · assessors disagree"
                level = (
                    result.framework.level(statement.median)
                    if statement.median is not None
                    else "–"
                )
                rows.append(
                    (
                        [
                            statement.id,
                            statement.text,
                            health.number_text(statement.median),
                            level,
                            health.number_text(statement.spread),
                            health.number_text(statement.previous_median),
                            change,
                        ],
                        statement,
                        False,
                    )
                )
        self.table.setRowCount(len(rows))
        self._row_results = [item for _cells, item, _bold in rows]
        for number, (cells, _item, bold) in enumerate(rows):
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if bold:
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
                self.table.setItem(number, column, cell)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(1, min(self.table.columnWidth(1), 380))
        self.table.selectRow(0)

    def _show_evidence(self) -> None:
        self.evidence.clear()
        rows = self.table.selectionModel().selectedRows() if self.result else []
        if not rows:
            return
        chosen = self._row_results[rows[0].row()]
        statements = getattr(chosen, "statements", None) or [chosen]
        for statement in statements:
            for line, records in zip(statement.evidence, statement.evidence_records, strict=False):
                item = QListWidgetItem(f"{statement.id} {line}")
                if records:
                    item.setData(Qt.ItemDataRole.UserRole, list(records[0]))
                self.evidence.addItem(item)
        if not self.evidence.count():
            self.evidence.addItem("No evidence was given for this.")

    def _open_evidence(self, item: QListWidgetItem) -> None:
        target = item.data(Qt.ItemDataRole.UserRole)
        if target and self.ctx.open_record is not None:
            self.ctx.open_record(target[0], target[1])

    def save_report_as(self, suffix: str) -> None:
        if self.result is None:
            return
        name = f"Health check {self.result.footprint}{suffix}".replace("/", "-")
        path, _filter = QFileDialog.getSaveFileName(
            self,
            "Save the health check report",
            str(Path.home() / name),
            "PDF (*.pdf)" if suffix == ".pdf" else "Web page (*.html)",
        )
        if path:
            self.save_report(Path(path) if Path(path).suffix else Path(path + suffix))

    def save_report(self, path: Path) -> None:
        """Write the report shown to ``path`` (.pdf or .html), behind the window."""
        from ..documents.health_report import report_bytes
        from ..documents.packs import save
        from ..services.briefing import council

        result, db = self.result, self.ctx.db
        if result is None:
            return

        def work() -> Path:
            marking = council(db).protective_marking
            return save(report_bytes(result, path.suffix, marking=marking), path)

        self.ctx.ops.run(
            work,
            on_done=lambda saved: self.summary.setText(f"Saved the report to {saved}."),
            on_error=lambda error: show_error(self, error, "Saving the report"),
        )

    # --- recording ------------------------------------------------------------------------

    def _link_evidence(self, token: str) -> None:
        statement = self._last_statement or next(iter(self.rows), None)
        if statement is None:
            return
        label = next((c.label for c in self.evidence_picker.choices if c.id == token), token)
        if token not in (t for t, _l in self.links[statement]):
            self.links[statement].append((token, label))
        linked = self.rows[statement][2]
        linked.setText(
            f"Linked to {statement}: " + "; ".join(lbl for _t, lbl in self.links[statement])
        )
        linked.setVisible(True)
        self.evidence_picker.clear()

    def score_values(self) -> dict[str, tuple[int | None, str]]:
        values = {}
        for statement, (score, evidence, _linked) in self.rows.items():
            tokens = " ".join(token for token, _label in self.links[statement])
            values[statement] = (score.currentData(), f"{evidence.text().strip()} {tokens}")
        return values

    def save_scores(self) -> None:
        self.problem.show_problem(None)
        if not self.footprint_id or self.assessor_box.currentData() is None:
            self.problem.show_problem("Choose a footprint and an assessor first.")
            return
        rows = health.form_rows(self.score_values())
        db = self.ctx.db
        footprint_id, body_id = self.footprint_id, self.body_id
        framework_name, member_id = self.framework.name, self.assessor_box.currentData()
        self.save_button.setEnabled(False)
        self.ctx.ops.run(
            lambda: health.record(
                db,
                footprint_id=footprint_id,
                framework_name=framework_name,
                member_id=member_id,
                rows=rows,
                body_id=body_id,
                source="Health check",
            ),
            on_done=self._recorded,
            on_error=self._not_recorded,
            changes={"health_checks"},
        )

    def _recorded(self, saved: Any) -> None:
        self.save_button.setEnabled(True)
        self.problem.show_problem(None)
        self.reload()
        self.tabs.setCurrentIndex(0)
        self.summary.setText(f"Saved {len(saved.scores)} scores. " + self.summary.text())
        self.recorded.emit(saved.id)

    def _not_recorded(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationFailed):
            self.problem.show_problem("\n".join(p.message for p in error.problems))
            return
        if isinstance(error, ServiceError):
            self.problem.show_problem(str(error))
            return
        show_error(self, error, "Saving the scores")
