"""Printing a PDF made by stpdesk (a briefing pack) on the system's printer, through Qt."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from ..services.errors import ServiceError

# Enough for crisp text on paper; at a printer's own 1200 dpi one A4 page is half a gigabyte.
PRINT_DPI = 300


class PrintFailed(ServiceError):
    """The printer could not be started, or stopped part way."""


def prepare_printer(printer: QPrinter, document: QPdfDocument, title: str) -> None:
    """Paper as the pack was laid out (A4), the whole sheet, and the pack's name for the queue."""
    printer.setDocName(title)
    printer.setFullPage(True)  # the PDF carries its own margins
    if document.pageCount():
        printer.setPageSize(QPageSize(document.pagePointSize(0), QPageSize.Unit.Point))


def print_pdf(
    document: QPdfDocument,
    printer: QPrinter,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Print a loaded PDF page by page, each rendered as an image; returns the pages printed
    (``progress(done, total)`` after each)."""
    count = document.pageCount()
    first = max(printer.fromPage(), 1)
    last = min(printer.toPage() or count, count)
    pages = list(range(first - 1, last))
    if printer.pageOrder() == QPrinter.PageOrder.LastPageFirst:
        pages.reverse()
    copies = 1 if printer.supportsMultipleCopies() else max(printer.copyCount(), 1)
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintFailed(
            "The printer could not be started. Check it is switched on and connected, "
            "or choose another printer."
        )
    printed = 0
    try:
        dpi = min(printer.resolution(), PRINT_DPI)
        area = QRectF(painter.viewport())
        for _copy in range(copies):
            for page in pages:
                if printed and not printer.newPage():
                    raise PrintFailed("The printer stopped part way through the pack.")
                size = document.pagePointSize(page)
                image = document.render(
                    page, QSize(round(size.width() * dpi / 72), round(size.height() * dpi / 72))
                )
                scale = min(area.width() / size.width(), area.height() / size.height())
                width, height = size.width() * scale, size.height() * scale
                target = QRectF(
                    area.x() + (area.width() - width) / 2,
                    area.y() + (area.height() - height) / 2,
                    width,
                    height,
                )
                painter.drawImage(target, image)
                printed += 1
                if progress is not None:
                    progress(printed, len(pages) * copies)
    finally:
        painter.end()
    return printed
