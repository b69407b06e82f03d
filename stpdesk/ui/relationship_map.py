"""The relationship map page: a power/interest grid with the same points as a table.

Points are dragged with the mouse or moved with the arrow keys (the focused point, one
step a key press); each move is saved through services.relationships and can be undone
(Ctrl+Z or Undo move). Clicking a point, Enter, or double-clicking a table row opens the
record. The table carries everything the grid shows, as text, for screen readers.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFocusEvent,
    QFont,
    QKeyEvent,
    QPainter,
    QPen,
    QResizeEvent,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSceneMouseEvent,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..model.enums import BodyKind
from ..model.relationships import HIGH_FROM, Quadrant, spread
from ..model.tables import SCALE_HIGH, SCALE_LOW
from ..services import relationships, workflows
from ..services.relationships import MapPoint, RelationshipMap
from .context import AppContext, show_error

SQUARE = 90.0  # one step of influence or interest, in scene units
SIDE = SQUARE * SCALE_HIGH
STRENGTH_COLOURS = {"None": "#FFFFFF", "Weak": "#E69F00", "Working": "#56B4E9", "Strong": "#0072B2"}
QUADRANT_SHADES = {
    Quadrant.manage_closely: "#F2DCDB",
    Quadrant.keep_satisfied: "#FDF1DB",
    Quadrant.keep_informed: "#DDEBF7",
    Quadrant.monitor: "#EDEDED",
}
PLURAL = {"body": "bodies", "contact": "contacts"}
COLUMNS = ("Body or person", "Kind of body", "Influence", "Interest", "Relationship", "Approach")


def centre_of(influence: float, interest: float) -> QPointF:
    """The scene position of a value pair (influence up, interest across)."""
    return QPointF((interest - 0.5) * SQUARE, (SCALE_HIGH - influence + 0.5) * SQUARE)


def value_at(position: QPointF) -> tuple[int, int]:
    """The (influence, interest) of the square under a scene position, kept on the grid."""
    interest = round(position.x() / SQUARE + 0.5)
    influence = round(SCALE_HIGH + 0.5 - position.y() / SQUARE)
    clamp = lambda value: max(SCALE_LOW, min(SCALE_HIGH, value))  # noqa: E731
    return clamp(influence), clamp(interest)


class PointItem(QGraphicsEllipseItem):
    """One body or person on the grid: drag it, or focus it and use the arrow keys."""

    RADIUS = 15.0

    def __init__(self, page: MapPage, point: MapPoint, number: int, at: QPointF) -> None:
        r = self.RADIUS
        super().__init__(-r, -r, 2 * r, 2 * r)
        self.page, self.point, self.number = page, point, number
        self.setPos(at)
        self.home = QPointF(at)
        self.setBrush(QBrush(QColor(STRENGTH_COLOURS.get(point.strength, "#FFFFFF"))))
        self.setPen(QPen(QColor("#000000"), 1.2))
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsFocusable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
        )
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setToolTip(
            f"{point.list_name}\nInfluence {point.influence}, interest {point.interest}, "
            f"{point.strength_text}\n{point.quadrant.label}. Drag to move; click to open."
        )
        self.setZValue(2)
        label = QGraphicsSimpleTextItem(str(number), self)
        font = QFont()
        font.setPointSize(8)
        font.setBold(True)
        label.setFont(font)
        if point.strength == "Strong":
            label.setBrush(QBrush(QColor("#FFFFFF")))
        box = label.boundingRect()
        label.setPos(-box.width() / 2, -box.height() / 2)
        self._pressed_at: QPointF | None = None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self._pressed_at = event.scenePos()
        self.setFocus()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        pressed, self._pressed_at = self._pressed_at, None
        if pressed is not None and (event.scenePos() - pressed).manhattanLength() < 4:
            self.setPos(self.home)
            self.page.open_point(self.point)
            return
        influence, interest = value_at(self.pos())
        if (influence, interest) == (self.point.influence, self.point.interest):
            self.setPos(self.home)  # dropped on its own square
            return
        self.page.move_point(self.point, influence, interest)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        steps = {
            Qt.Key.Key_Up: (1, 0),
            Qt.Key.Key_Down: (-1, 0),
            Qt.Key.Key_Right: (0, 1),
            Qt.Key.Key_Left: (0, -1),
        }
        key = Qt.Key(event.key())
        if key in steps:
            up, across = steps[key]
            influence = max(SCALE_LOW, min(SCALE_HIGH, self.point.influence + up))
            interest = max(SCALE_LOW, min(SCALE_HIGH, self.point.interest + across))
            if (influence, interest) != (self.point.influence, self.point.interest):
                self.page.move_point(self.point, influence, interest)
            event.accept()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.page.open_point(self.point)
            event.accept()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.setPen(QPen(QColor("#000000"), 3.5))
        self.page.point_focused(self.point)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.setPen(QPen(QColor("#000000"), 1.2))


class GridView(QGraphicsView):
    """The grid, always scaled to fit the space it has."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName("Relationship map grid")
        self.setAccessibleDescription(
            "Influence up, interest across. Tab to a point; arrow keys move it; Enter opens it. "
            "The table beside the grid lists the same points."
        )
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumSize(280, 280)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def focusNextPrevChild(self, forward: bool) -> bool:
        # Tab walks the points, then leaves the grid
        items = self.scene().items(Qt.SortOrder.AscendingOrder)
        points = sorted(
            (item for item in items if isinstance(item, PointItem)), key=lambda p: p.number
        )
        focused = self.scene().focusItem()
        if points:
            if focused not in points:
                target = points[0] if forward else points[-1]
                target.setFocus(Qt.FocusReason.TabFocusReason)
                return True
            index = points.index(focused) + (1 if forward else -1)  # type: ignore[arg-type]
            if 0 <= index < len(points):
                points[index].setFocus(Qt.FocusReason.TabFocusReason)
                return True
        return super().focusNextPrevChild(forward)


class MoveCommand(QUndoCommand):
    """One move of one point: redo saves the new place, undo saves the old one back."""

    def __init__(
        self,
        page: MapPage,
        point: MapPoint,
        before: tuple[int | None, int | None],
        after: tuple[int, int],
    ) -> None:
        super().__init__(f"move {point.name}")
        self.page, self.point, self.before, self.after = page, point, before, after

    def redo(self) -> None:
        self.page.save_place(self.point, *self.after)

    def undo(self) -> None:
        self.page.save_place(self.point, *self.before)


class MapPage(QWidget):
    open_record = Signal(str, str)  # entity (plural), id
    saved = Signal()  # a move (or its undo) is saved and the map reloaded
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Relationship map")
        self.undo_stack = QUndoStack(self)
        self.mapped = RelationshipMap([], 0)
        self._focus_after_load: str | None = None
        self._loading = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        self.footprint_box = QComboBox(self)
        self.footprint_box.setAccessibleName("Footprint")
        self.kind_box = QComboBox(self)
        self.kind_box.setAccessibleName("Kind of body")
        self.kind_box.addItem("All kinds of body", None)
        for kind in BodyKind:
            self.kind_box.addItem(kind.label, kind.value)
        footprint_label = QLabel("&Footprint:", self)
        footprint_label.setBuddy(self.footprint_box)
        kind_label = QLabel("&Kind:", self)
        kind_label.setBuddy(self.kind_box)
        self.undo_button = QPushButton("&Undo move", self)
        self.undo_button.setToolTip("Put the last point you moved back where it was (Ctrl+Z)")
        self.undo_button.clicked.connect(self.undo)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_button.setEnabled(False)
        for widget in (footprint_label, self.footprint_box, kind_label, self.kind_box):
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.undo_button)
        outer.addLayout(filters)

        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Map summary")
        outer.addWidget(self.summary)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.view = GridView(splitter)
        self.table = QTableWidget(0, len(COLUMNS), splitter)
        self.table.setAccessibleName("Relationship map as a table")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in range(2, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.table.activated.connect(lambda index: self._open_row(index.row()))
        splitter.addWidget(self.view)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([470, 650])
        outer.addWidget(splitter, 1)

        self._fill_footprints()
        self.footprint_box.currentIndexChanged.connect(lambda _i: self.reload())
        self.kind_box.currentIndexChanged.connect(lambda _i: self.reload())
        self.reload()

    # --- loading ------------------------------------------------------------------

    def _fill_footprints(self) -> None:
        self.footprint_box.addItem("All footprints", None)
        for choice in workflows.choices(self.ctx.db, "footprints"):
            self.footprint_box.addItem(choice.label, choice.id)

    def refresh_footprints(self) -> None:
        """Offer the footprints as they are now (one added, renamed or gone), keeping the
        one chosen if it is still there; the map reloads only if the choice changed."""
        chosen = self.footprint_box.currentData()
        self.footprint_box.blockSignals(True)
        self.footprint_box.clear()
        self._fill_footprints()
        found = self.footprint_box.findData(chosen)
        self.footprint_box.setCurrentIndex(max(found, 0))
        self.footprint_box.blockSignals(False)

    def reload(self) -> None:
        db = self.ctx.db
        footprint, kind = self.footprint_box.currentData(), self.kind_box.currentData()
        self._loading = True
        self.ctx.ops.run(
            lambda: relationships.relationship_map(db, footprint_id=footprint, body_kind=kind),
            on_done=self._show,
            on_error=lambda error: show_error(self, error, "Loading the relationship map"),
        )

    def _show(self, mapped: RelationshipMap) -> None:
        self._loading = False
        focused = self._focus_after_load or self.focused_id()
        self._focus_after_load = None
        self.mapped = mapped
        self._draw(mapped)
        self._fill_table(mapped)
        count = len(mapped.points)
        text = f"{count:,} on the map" if count else "No one is on the map yet"
        if mapped.unmapped:
            text += f"; {mapped.unmapped:,} not placed yet (give them an influence and interest)"
        self.summary.setText(
            text + ". Fill shows the relationship: white none, orange weak, light blue "
            "working, dark blue strong. Tab to a point, move it with the arrow keys, Enter opens."
        )
        if focused and (item := self.item_for(focused)) is not None:
            self.view.setFocus()
            item.setFocus()
        self.loaded.emit()

    def _draw(self, mapped: RelationshipMap) -> None:
        scene = self.view.scene()
        scene.clear()
        split = (HIGH_FROM - 1) * SQUARE
        high_rows = SIDE - split  # the rows of high influence, at the top
        areas = {
            Quadrant.manage_closely: QRectF(split, 0, SIDE - split, high_rows),
            Quadrant.keep_satisfied: QRectF(0, 0, split, high_rows),
            Quadrant.keep_informed: QRectF(split, high_rows, SIDE - split, split),
            Quadrant.monitor: QRectF(0, high_rows, split, split),
        }
        font = QFont()
        font.setPointSize(9)
        font.setBold(True)
        for which, area in areas.items():
            scene.addRect(area, QPen(Qt.PenStyle.NoPen), QBrush(QColor(QUADRANT_SHADES[which])))
            label = scene.addSimpleText(which.label, font)
            label.setBrush(QBrush(QColor("#444444")))
            label.setPos(area.left() + 4, area.top() + 3)
        thin, thick = QPen(QColor("#999999"), 0.8), QPen(QColor("#555555"), 2.4)
        for index in range(SCALE_HIGH + 1):
            at = index * SQUARE
            scene.addLine(at, 0, at, SIDE, thick if at == split else thin)
            scene.addLine(0, at, SIDE, at, thick if SIDE - at == split else thin)
        small = QFont()
        small.setPointSize(8)
        for value in range(SCALE_LOW, SCALE_HIGH + 1):
            across = scene.addSimpleText(str(value), small)
            across.setPos(centre_of(0, value).x() - 3, SIDE + 2)
            up = scene.addSimpleText(str(value), small)
            up.setPos(-14, centre_of(value, 0).y() - 8)
        axis = scene.addSimpleText("Interest in our asks →", small)
        axis.setPos(SIDE / 2 - axis.boundingRect().width() / 2, SIDE + 16)
        side_axis = scene.addSimpleText("Influence →", small)
        side_axis.setRotation(-90)
        side_axis.setPos(-30, SIDE / 2 + side_axis.boundingRect().width() / 2)
        squares = [(p.influence, p.interest) for p in mapped.points]
        for number, (point, (up_by, across_by)) in enumerate(
            zip(mapped.points, spread(squares), strict=True), start=1
        ):
            at = centre_of(point.influence + up_by, point.interest + across_by)
            scene.addItem(PointItem(self, point, number, at))
        scene.setSceneRect(QRectF(-34, -4, SIDE + 40, SIDE + 40))
        self.view.fit()

    def _fill_table(self, mapped: RelationshipMap) -> None:
        self.table.setRowCount(len(mapped.points))
        for row, point in enumerate(mapped.points):
            values = (
                point.list_name,
                point.kind,
                str(point.influence),
                str(point.interest),
                point.strength,
                point.quadrant.label,
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
            self.table.setVerticalHeaderItem(row, QTableWidgetItem(str(row + 1)))
        self.table.resizeRowsToContents()

    # --- points -------------------------------------------------------------------

    def items(self) -> list[PointItem]:
        points = [i for i in self.view.scene().items() if isinstance(i, PointItem)]
        return sorted(points, key=lambda item: item.number)

    def item_for(self, record_id: str) -> PointItem | None:
        return next((item for item in self.items() if item.point.id == record_id), None)

    def focused_id(self) -> str | None:
        item = self.view.scene().focusItem()
        return item.point.id if isinstance(item, PointItem) else None

    def point_focused(self, point: MapPoint) -> None:
        row = self.mapped.points.index(point) if point in self.mapped.points else -1
        if row >= 0:
            self.table.selectRow(row)

    def open_point(self, point: MapPoint) -> None:
        self.open_record.emit(PLURAL[point.entity], point.id)

    def _open_row(self, row: int) -> None:
        if 0 <= row < len(self.mapped.points):
            self.open_point(self.mapped.points[row])

    def move_point(self, point: MapPoint, influence: int, interest: int) -> None:
        """Save a point's new place, as an undoable step."""
        command = MoveCommand(self, point, (point.influence, point.interest), (influence, interest))
        self.undo_stack.push(command)  # push runs redo, which saves

    def save_place(self, point: MapPoint, influence: int | None, interest: int | None) -> None:
        db = self.ctx.db
        self._focus_after_load = point.id

        def done(_before: Any) -> None:
            self.loaded.connect(self._announce_saved, Qt.ConnectionType.SingleShotConnection)
            self.reload()

        def failed(error: BaseException) -> None:
            show_error(self, error, f"Moving {point.name}")
            self.reload()

        self.ctx.ops.run(
            lambda: relationships.place(db, point.entity, point.id, influence, interest),
            on_done=done,
            on_error=failed,
            changes={PLURAL[point.entity]},
        )

    def _announce_saved(self) -> None:
        self.saved.emit()

    def undo(self) -> None:
        if self.undo_stack.canUndo():
            self.undo_stack.undo()
