"""Printing a PDF in a process of its own: ``python -m stpdesk.ui.print_child``.

Qt's PDF paint engine spends ~0.3 s on each page image it is handed, holding Python's
lock all the while, so on a thread of the app it would still freeze the window. The app
starts this with the printer's settings as JSON on stdin (see :func:`printer_settings`)
and the PDF's path as its argument; it prints "page N of M" lines as it goes and
"printed N" at the end, or says what went wrong on stderr (exit status 1).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from PySide6.QtPrintSupport import QPrinter

PAGE_LINE = "page"
DONE_LINE = "printed"


def printer_settings(printer: QPrinter) -> dict[str, Any]:
    """What the print dialog chose, as plain values for the printing process."""
    layout = printer.pageLayout()
    size = layout.pageSize().size(layout.pageSize().Unit.Point)
    return {
        "printer_name": printer.printerName(),
        "pdf": printer.outputFormat() == QPrinter.OutputFormat.PdfFormat,
        "output_file": printer.outputFileName(),
        "doc_name": printer.docName(),
        "from_page": printer.fromPage(),
        "to_page": printer.toPage(),
        "copies": printer.copyCount(),
        "collate": printer.collateCopies(),
        "last_page_first": printer.pageOrder() == QPrinter.PageOrder.LastPageFirst,
        "duplex": printer.duplex().value,
        "colour": printer.colorMode() == QPrinter.ColorMode.Color,
        "full_page": printer.fullPage(),
        "page_points": [size.width(), size.height()],
        "landscape": layout.orientation() == layout.Orientation.Landscape,
    }


def make_printer(settings: dict[str, Any]) -> QPrinter:
    from PySide6.QtCore import QSizeF
    from PySide6.QtGui import QPageLayout, QPageSize

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if settings["pdf"]:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    else:
        printer.setPrinterName(settings["printer_name"])
    if settings["output_file"]:
        printer.setOutputFileName(settings["output_file"])
    printer.setDocName(settings["doc_name"])
    printer.setFullPage(settings["full_page"])
    width, height = settings["page_points"]
    printer.setPageSize(QPageSize(QSizeF(width, height), QPageSize.Unit.Point))
    if settings["landscape"]:
        printer.setPageOrientation(QPageLayout.Orientation.Landscape)
    printer.setFromTo(settings["from_page"], settings["to_page"])
    printer.setCopyCount(settings["copies"])
    printer.setCollateCopies(settings["collate"])
    if settings["last_page_first"]:
        printer.setPageOrder(QPrinter.PageOrder.LastPageFirst)
    printer.setDuplex(QPrinter.DuplexMode(settings["duplex"]))
    colour = QPrinter.ColorMode.Color if settings["colour"] else QPrinter.ColorMode.GrayScale
    printer.setColorMode(colour)
    return printer


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no window: none is shown
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtPdf import QPdfDocument

    from ..services.errors import ServiceError
    from .printing import print_pdf

    app = QGuiApplication(sys.argv[:1])  # noqa: F841  (Qt's painting needs one)
    settings = json.loads(sys.stdin.readline())
    document = QPdfDocument()
    if document.load(str(Path(sys.argv[1]))) != QPdfDocument.Error.None_:
        print(
            "The pack could not be read for printing. Save it and print the file.", file=sys.stderr
        )
        return 1

    def progress(done: int, total: int) -> None:
        print(f"{PAGE_LINE} {done} {total}", flush=True)

    try:
        printed = print_pdf(document, make_printer(settings), progress=progress)
    except ServiceError as error:
        print(str(error), file=sys.stderr)
        return 1
    finally:
        document.close()
    print(f"{DONE_LINE} {printed}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
