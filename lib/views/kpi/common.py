"""Shared pieces of the KPI pages: period pickers, money and percent text, a chart with its data table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import streamlit as st

from lib.domain.kpi import add_months, month_start
from lib.domain.money import yuan
from lib.ui import export_buttons, t

MONTHS_BACK = 36


def money(value: object) -> str:
    """Money text of every KPI page and export: ``−¥1.00`` (T25)."""
    return yuan(value)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def month_label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def month_picker(key: str, today: dt.date, *, label_key: str = "kpi.page.month", back: int = 1) -> dt.date:
    """A month, newest first; ``back`` months before this one is preselected (figures come after month end)."""
    this = month_start(today)
    options = [add_months(this, -i) for i in range(MONTHS_BACK)]
    return st.selectbox(t(label_key), options, index=min(back, len(options) - 1), format_func=month_label, key=key)


def previous_quarter(today: dt.date) -> tuple[int, int]:
    quarter = (today.month - 1) // 3 + 1
    return (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)


def quarter_picker(key: str, today: dt.date) -> tuple[int, int]:
    """Year and quarter, newest first, the last finished quarter preselected."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    options = []
    for _ in range(12):
        options.append((year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return st.selectbox(t("kpi.page.quarter"), options, index=1, key=key,
                        format_func=lambda yq: t("kpi.page.quarter_label", year=yq[0], quarter=yq[1]))


def chart_and_table(fig, headers: Sequence[str], values: Sequence[Sequence[object]], *, export_name: str,
                    key: str, empty_key: str) -> None:
    """Every chart with its data table and Excel/CSV export one click away (SPEC M4 Charts)."""
    if not values:
        st.info(t(empty_key))
        return
    chart_tab, data_tab = st.tabs([t("kpi.page.chart"), t("kpi.page.data")])
    with chart_tab:
        st.plotly_chart(fig, width="stretch", key=f"{key}_chart")
    with data_tab:
        st.dataframe([dict(zip(headers, row)) for row in values], width="stretch", hide_index=True)
        export_buttons(headers, values, export_name=export_name, key=key)
