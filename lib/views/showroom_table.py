"""Tables for the showroom worklists: ``lib.ui.table``, but the Excel and CSV files are built on click.

A consultant's list can hold hundreds of cards and the page reruns on every widget change; building
an Excel workbook for each table on each run cost more than the page's queries, so the download
buttons get a callable (Streamlit's deferred download) instead of bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from lib import export
from lib.ui import Column, t

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def lazy_table(rows: Sequence[object], columns: Sequence[Column], *, export_name: str, empty_key: str,
               key: str) -> None:
    """A read-only table with Excel/CSV downloads generated when clicked; an empty list says what to do."""
    if not rows:
        st.info(t(empty_key))
        return
    headers = [t(c.label_key) for c in columns]
    values = [[(c.fmt(getattr(r, c.attr)) if c.fmt else getattr(r, c.attr)) for c in columns] for r in rows]
    st.dataframe([dict(zip(headers, v)) for v in values], width="stretch", hide_index=True)
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(t("export.xlsx"), lambda: export.to_xlsx(headers, values, sheet=export_name),
                         file_name=f"{export_name}.xlsx", key=f"{key}_xlsx", mime=XLSX)
    right.download_button(t("export.csv"), lambda: export.to_csv(headers, values), file_name=f"{export_name}.csv",
                          key=f"{key}_csv", mime="text/csv")
