"""The register engine's use cases (SPEC M5, issue 14): one package for every register the engine carries.

Writes (``write``): :func:`create_entry`, :func:`submit_entry`, :func:`approve_entry`, :func:`reject_entry`,
:func:`edit_entry`, :func:`correct_entry`. Reads (``read``): :func:`list_entries`, :func:`awaiting`,
:func:`get_entry`, :func:`export_csv`, :func:`export_xlsx`, :func:`open_dues`, :func:`blockers`.
"""

from lib.services.registers.read import (EXCEL_CAP, MAX_RANGE_DAYS, DueItem, EntryDetail, EntryRow, Page, Query,
                                         awaiting, blockers, export_csv, export_headers, export_xlsx, get_entry,
                                         list_entries, open_dues)
from lib.services.registers.store import definition
from lib.services.registers.write import (approve_entry, correct_entry, create_entry, edit_entry, reject_entry,
                                          submit_entry)

__all__ = ["EXCEL_CAP", "MAX_RANGE_DAYS", "DueItem", "EntryDetail", "EntryRow", "Page", "Query", "approve_entry", "definition",
           "awaiting", "blockers", "correct_entry", "create_entry", "edit_entry", "export_csv", "export_headers",
           "export_xlsx", "get_entry", "list_entries", "open_dues", "reject_entry", "submit_entry"]
