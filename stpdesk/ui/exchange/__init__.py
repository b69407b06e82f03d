"""Working with the rest of the office, in the window: importing calendars and contacts,
exports, laptop-to-laptop exchange and data-protection requests.

:class:`ExchangeActions` connects the File and Tools menu actions to the dialogs here;
the main window makes one and keeps it as ``window.exchange``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from ..actions import ActionId
from . import choosers

# The dialogs (and the calendar, spreadsheet and PDF libraries behind them) are
# imported when first used, so they cost nothing at start-up.
if TYPE_CHECKING:
    from ..app import MainWindow
    from .action_log_dialog import ActionLogDialog
    from .export import ExportJob
    from .import_dialog import CalendarImportDialog, ContactsImportDialog, ImportDialog
    from .merge import ExchangeDialog
    from .privacy_dialog import DataProtectionDialog

__all__ = ["ExchangeActions"]

EXPORT_ACTIONS = {
    ActionId.EXPORT_CSV: "csv",
    ActionId.EXPORT_XLSX: "xlsx",
    ActionId.EXPORT_JSON: "json",
    ActionId.EXPORT_ICS: "ics",
    ActionId.EXPORT_BUNDLE: "bundle",
}


class ExchangeActions:
    """The handlers for the import, export, exchange and data-protection actions."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.ctx = window.ctx
        self.dialog: QDialog | None = None  # the last dialog opened, for tests
        self.export_job: ExportJob | None = None
        connect = window.actions.connect
        connect(ActionId.IMPORT_CALENDAR, self.import_calendar)
        connect(ActionId.IMPORT_CONTACTS, self.import_contacts)
        for action_id, key in EXPORT_ACTIONS.items():
            connect(action_id, lambda key=key: self.export(key))
        connect(ActionId.EXPORT_ACTION_LOG, self.show_action_log)
        connect(ActionId.EXCHANGE, self.show_exchange)
        connect(ActionId.DATA_PROTECTION, self.show_data_protection)
        connect(ActionId.RETENTION_REVIEW, lambda: self.show_data_protection(review=True))

    def _show(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.dialog = dialog
        return dialog

    def _status(self, message: str) -> None:
        if message:
            self.window.statusBar().showMessage(message, 15000)

    # --- imports --------------------------------------------------------------------------

    def import_calendar(self, path: Path | None = None) -> CalendarImportDialog | None:
        path = path or choosers.open_file(
            self.window,
            "Import meetings from a calendar file",
            "Calendar files (*.ics *.ical *.ifb *.icalendar);;All files (*)",
        )
        if path is None:
            return None
        from .import_dialog import CalendarImportDialog

        dialog = CalendarImportDialog(self.ctx, path, self.window)
        self._after_import(dialog, "meeting")
        return self._show(dialog)  # type: ignore[return-value]

    def import_contacts(self, path: Path | None = None) -> ContactsImportDialog | None:
        path = path or choosers.open_file(
            self.window,
            "Import contacts",
            "Contacts (*.csv *.txt *.vcf *.vcard);;All files (*)",
        )
        if path is None:
            return None
        from .import_dialog import ContactsImportDialog

        dialog = ContactsImportDialog(self.ctx, path, self.window)
        self._after_import(dialog, "contact")
        return self._show(dialog)  # type: ignore[return-value]

    def _after_import(self, dialog: ImportDialog, noun: str) -> None:
        from .import_dialog import imported_message

        dialog.imported.connect(lambda counts: self._status(imported_message(noun, counts)))

    # --- exports and exchange -------------------------------------------------------------

    def export(self, key: str) -> ExportJob | None:
        from .export import EXPORTS, start_export

        if key not in EXPORTS:
            raise KeyError(key)
        job = start_export(self.ctx, self.window, key)
        if job is not None:
            self._export_started(job)
        return job

    def show_action_log(self) -> ActionLogDialog:
        from .action_log_dialog import ActionLogDialog

        dialog = ActionLogDialog(self.ctx, self.window)
        dialog.started.connect(self._export_started)
        return self._show(dialog)  # type: ignore[return-value]

    def _export_started(self, job: ExportJob) -> None:
        job.finished.connect(self._status)
        self.export_job = job

    def show_exchange(self) -> ExchangeDialog:
        from .merge import ExchangeDialog

        dialog = ExchangeDialog(self.ctx, self.window)
        dialog.merged.connect(self._status)
        return self._show(dialog)  # type: ignore[return-value]

    # --- data protection ------------------------------------------------------------------

    def show_data_protection(self, *, review: bool = False) -> DataProtectionDialog:
        """Opened on the contact chosen in the Contacts list, if there is one."""
        contacts = self.window.lists.get("contacts")
        chosen = None
        if contacts is not None and self.window.current_list() is contacts:
            chosen = contacts.current_id()
        from .privacy_dialog import DataProtectionDialog

        dialog = DataProtectionDialog(self.ctx, self.window, contact_id=chosen, review=review)
        dialog.done.connect(self._status)
        return self._show(dialog)  # type: ignore[return-value]
