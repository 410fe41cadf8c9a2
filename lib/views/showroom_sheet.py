"""当日来访表's signature (seed 000 D1 B2): the traffic count, the confirmation that lists what is incomplete or
repeated, and closing early with a reason; drawn by ``pages/showroom_daysheet.py`` while the sheet can be signed."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from lib.services.showroom import write as showroom
from lib.ui import Column, show_form_error, submit_callback, t, table


def sign_box(engine, user, sheet, brief: Sequence[Column]) -> None:
    """The 签字 button, then its confirmation box; the signature itself is ``showroom.sign_day``."""
    st.subheader(t("showroom.sign_title"))
    st.caption(t("showroom.sign_help"))
    st.number_input(t("showroom.traffic") + " *", min_value=0, max_value=100000, value=sheet.walk_ins, step=1,
                    key="ds_traffic")
    if not st.session_state.get("ds_sign_pending"):
        st.button(t("showroom.sign"), key="ds_sign", on_click=lambda: st.session_state.update(ds_sign_pending=True))
    else:
        early = sheet.sign_timing == "early"
        with st.container(border=True):
            st.markdown(t("showroom.sign_confirm_title"))
            st.write(t("showroom.sign_confirm_counts", day=sheet.day.isoformat(), walk_ins=sheet.walk_ins,
                       calls=sheet.calls, traffic=int(st.session_state.get("ds_traffic") or 0)))
            if not sheet.contacts:
                st.warning(t("showroom.sign_no_contacts"))
            if sheet.incomplete_rows:
                st.warning(t("showroom.sign_incomplete", count=len(sheet.incomplete_rows)))
                table(sheet.incomplete_rows, brief, export_name="incomplete", empty_key="showroom.sheet_empty",
                      key="ds_incomplete")
            if sheet.duplicate_phones:
                st.warning(t("showroom.sign_duplicates", count=len(sheet.duplicate_phones)))
                table([row for _phone, rows in sheet.duplicate_phones for row in rows], brief,
                      export_name="duplicates", empty_key="showroom.sheet_empty", key="ds_duplicates")
            if early:
                st.warning(t("showroom.sign_early", opens=sheet.sign_window_opens.strftime("%H:%M"),
                             deadline=sheet.deadline.strftime("%H:%M")))
                st.checkbox(t("showroom.close_early"), key="ds_early")
                st.text_input(t("showroom.close_early_reason") + " *", key="ds_early_reason", max_chars=500,
                              disabled=not st.session_state.get("ds_early"))
            ready = not early or (st.session_state.get("ds_early")
                                  and (st.session_state.get("ds_early_reason") or "").strip())

            def _sign() -> None:
                s = st.session_state
                showroom.sign_day(engine, actor=user, day=sheet.day, traffic_count=int(s.get("ds_traffic") or 0),
                                  seen_version=sheet.version,
                                  early_reason=s.get("ds_early_reason") if early and s.get("ds_early") else None)

            left, right = st.columns(2)
            left.button(t("showroom.sign_confirm"), key="ds_sign_yes", type="primary", disabled=not ready,
                        on_click=submit_callback(_sign, clear={"ds_sign_pending": False, "ds_early": False,
                                                               "ds_early_reason": ""},
                                                 success_key="showroom.signed", error_slot="ds_sign_error"))
            right.button(t("showroom.sign_back"), key="ds_sign_no",
                         on_click=lambda: st.session_state.update(ds_sign_pending=False))
    show_form_error("ds_sign_error")
