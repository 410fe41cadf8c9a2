"""Arrivals the desk confirms: today's pre-registered visitors (by code or row) and kiosk sign-ins (T21)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from lib.domain.errors import DomainError
from lib.services import people
from lib.services.visitors import kiosk as visitor_kiosk
from lib.services.visitors import prereg as visitor_prereg
from lib.services.base import Actor
from lib.ui import Column, app_engine, confirm_button, local_time, plain, run_action, show_error, t, table
from lib.views.visitors import form as visitor_form


def _time(value: dt.time | None) -> str:
    return value.strftime("%H:%M") if value else "—"


PREREG_COLUMNS = [Column("expected_time", "field.expected_time", _time), Column("name", "field.visitor_name"),
                  Column("headcount", "field.headcount"), Column("company", "field.company"),
                  Column("purpose", "field.purpose"), Column("host_name", "field.host_id"),
                  Column("code", "field.visitor_code")]


def _load_booking(row: visitor_prereg.PreregRow) -> None:
    if st.session_state.get("p_loaded") == row.id:
        return
    visitor_form.fill("p", name=row.name, headcount=row.headcount, purpose=row.purpose, company=row.company,
                      phone=row.phone, host_id=row.host_id, appointment=True)
    st.session_state["p_loaded"] = row.id


def _find_code(user: Actor) -> None:
    s = st.session_state
    try:
        row = visitor_prereg.find_code(app_engine(), actor=user, code=s.get("p_code", ""))
    except DomainError as exc:
        s["p_code_error"] = exc
        return
    s.pop("p_code_error", None)
    s["p_from_code"] = row.id


def expected_tab(user: Actor, zone, today: dt.date) -> None:
    """Check a booked visitor in from their code or a click on the row; the form comes pre-filled (T21)."""
    engine = app_engine()
    with st.form("p_code_form"):
        st.text_input(t("visitor.code_input"), key="p_code", max_chars=12, placeholder=t("visitor.code_placeholder"))
        st.form_submit_button(t("visitor.code_find"), on_click=_find_code, args=(user,))
    if st.session_state.get("p_code_error"):
        show_error(st.session_state["p_code_error"])
    rows = visitor_prereg.expected_today(engine, actor=user)
    chosen = table(rows, PREREG_COLUMNS, export_name=f"expected_{today.isoformat()}", empty_key="visitor.none_expected",
                   key=f"p_table_{st.session_state.get('p_gen', 0)}", selectable=True)
    booking = chosen
    if booking is None and st.session_state.get("p_from_code"):
        booking = next((r for r in rows if r.id == st.session_state["p_from_code"]), None)
    if booking is None:
        return
    _load_booking(booking)
    st.subheader(t("visitor.check_in_booking", name=plain(booking.name), code=booking.code))

    def check_in(seen: tuple[int, ...], check_out: tuple[int, ...]) -> None:
        visitor_prereg.check_in_prereg(engine, actor=user, prereg_id=booking.id,
                                       form=visitor_form.read("p", today, zone), seen_on_site=seen,
                                       check_out_ids=check_out)

    def done() -> None:
        for key in ("p_loaded", "p_from_code"):
            st.session_state.pop(key, None)
        st.session_state["p_code"] = ""
        st.session_state["p_gen"] = st.session_state.get("p_gen", 0) + 1

    run = visitor_form.check_in_callback("p", check_in, success_key="visitor.registered", after=done)
    visitor_form.render("p", run=run, submit_key="visitor.check_in", user=user, zone=zone)


SIGN_IN_COLUMNS = [Column("created_at", "field.signed_in_at"), Column("name", "field.visitor_name"),
                   Column("headcount", "field.headcount"), Column("company", "field.company"),
                   Column("purpose", "field.purpose"), Column("phone", "field.phone"),
                   Column("host_text", "field.host_text"), Column("kiosk", "field.kiosk_label")]


def _host_for(row: visitor_kiosk.SignInRow) -> int | None:
    """The booked host, or the one eligible person whose name is exactly what the visitor typed."""
    if row.host_id is not None:
        return row.host_id
    matches = [c.id for c in people.options(app_engine(), "staff") if c.name == row.host_text.strip()]
    return matches[0] if len(matches) == 1 else None


def pending_tab(user: Actor, zone, today: dt.date) -> None:
    """Kiosk sign-ins wait here; a click opens one pre-filled, and confirming checks the visitor in (T21)."""
    engine = app_engine()
    rows = visitor_kiosk.pending_sign_ins(engine, actor=user)
    columns = [Column(c.attr, c.label_key, (lambda v: local_time(v, zone)) if c.attr == "created_at" else c.fmt)
               for c in SIGN_IN_COLUMNS]
    chosen = table(rows, columns, export_name="kiosk_sign_ins", empty_key="visitor.none_pending",
                   key=f"k_table_{st.session_state.get('k_gen', 0)}", selectable=True)
    if chosen is None:
        return
    if st.session_state.get("k_loaded") != chosen.id:
        visitor_form.fill("k", name=chosen.name, headcount=chosen.headcount, purpose=chosen.purpose,
                          company=chosen.company, phone=chosen.phone, host_id=_host_for(chosen),
                          appointment=chosen.prereg_id is not None)
        st.session_state["k_loaded"] = chosen.id
    st.subheader(t("visitor.confirm_sign_in", name=plain(chosen.name)))
    if chosen.host_text:
        st.text(t("visitor.host_typed", host=chosen.host_text))

    def confirm(seen: tuple[int, ...], check_out: tuple[int, ...]) -> None:
        visitor_kiosk.confirm_sign_in(engine, actor=user, sign_in_id=chosen.id,
                                      form=visitor_form.read("k", today, zone), seen_on_site=seen,
                                      check_out_ids=check_out)

    def done() -> None:
        st.session_state.pop("k_loaded", None)
        st.session_state["k_gen"] = st.session_state.get("k_gen", 0) + 1

    run = visitor_form.check_in_callback("k", confirm, success_key="visitor.sign_in_confirmed", after=done)
    visitor_form.render("k", run=run, submit_key="visitor.confirm", user=user, zone=zone)
    if confirm_button("visitor.reject_sign_in", key=f"k_reject_{chosen.id}", confirm_key="visitor.reject_sure"):
        if run_action(lambda: visitor_kiosk.reject_sign_in(engine, actor=user, sign_in_id=chosen.id)):
            done()
            st.rerun()
