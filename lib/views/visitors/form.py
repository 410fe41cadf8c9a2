"""The one visitor check-in form (desk, pre-registration code, kiosk confirmation) and its T4 warning.

Every check-in on the visitors page draws this form under its own key prefix and calls one
service; a ``StillOnSite`` refusal keeps everything typed and asks what to do: check the first
visit out and proceed, check in anyway, or cancel (T4).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from lib.domain import visitors as rules
from lib.domain.errors import DomainError
from lib.services import people
from lib.services.visitors import register as visitors
from lib.services.base import Actor
from lib.ui import Column, app_engine, choice_labels, clear_flash, error_text, flash, local_time, show_form_error, t
from lib.views.person_picker import key_for, person_select
from lib.services.limits import text_limit

CheckIn = Callable[[tuple[int, ...], tuple[int, ...]], object]


def host_key(prefix: str) -> str:
    return key_for("staff", f"{prefix}_host")


def empty(prefix: str) -> dict[str, object]:
    return {f"{prefix}_phone": "", f"{prefix}_name": "", f"{prefix}_headcount": 1, f"{prefix}_purpose": "",
            f"{prefix}_company": "", host_key(prefix): None, f"{prefix}_appt": False,
            f"{prefix}_dest": rules.Destination.RECEPTION_AREA.value, f"{prefix}_level": rules.Level.STANDARD.value,
            f"{prefix}_time_in": None, f"{prefix}_note": ""}


def fill(prefix: str, *, name: str, headcount: int, purpose: str, company: str, phone: str,
         host_id: int | None, appointment: bool) -> None:
    """Pre-fill the form (a booking or a kiosk sign-in); a host the picker cannot offer is left empty."""
    state = empty(prefix)
    state.update({f"{prefix}_name": name, f"{prefix}_headcount": headcount, f"{prefix}_purpose": purpose,
                  f"{prefix}_company": company, f"{prefix}_phone": phone, f"{prefix}_appt": appointment})
    if host_id is not None and host_id in people.labels(app_engine(), "staff"):
        state[host_key(prefix)] = host_id
    st.session_state.update(state)
    st.session_state.pop(f"{prefix}_dup", None)
    st.session_state.pop(f"{prefix}_error", None)


def read(prefix: str, today: dt.date, zone) -> rules.VisitorForm:
    s = st.session_state
    time_in = s.get(f"{prefix}_time_in")
    return rules.VisitorForm(
        name=s.get(f"{prefix}_name", ""), headcount=s.get(f"{prefix}_headcount", 1),
        purpose=s.get(f"{prefix}_purpose", ""), company=s.get(f"{prefix}_company", ""),
        phone=s.get(f"{prefix}_phone", ""), host_id=s.get(host_key(prefix)),
        has_appointment=s.get(f"{prefix}_appt", False),
        destination=s.get(f"{prefix}_dest", rules.Destination.RECEPTION_AREA.value),
        level=s.get(f"{prefix}_level", rules.Level.STANDARD.value),
        time_in=None if time_in is None else dt.datetime.combine(today, time_in, tzinfo=zone),
        note=s.get(f"{prefix}_note", ""))


def check_in_callback(prefix: str, check_in: CheckIn, *, success_key: str,
                      after: Callable[[], None] | None = None) -> Callable[..., None]:
    """Run ``check_in(seen_on_site, check_out_ids)``; on T4's refusal remember the visits to warn about."""

    def run(seen: tuple[int, ...] = (), check_out: tuple[int, ...] = ()) -> None:
        s = st.session_state
        clear_flash()
        try:
            check_in(tuple(seen), tuple(check_out))
        except rules.StillOnSite as exc:
            s[f"{prefix}_dup"] = [v.id for v in exc.visits]
            s.pop(f"{prefix}_error", None)
            return
        except DomainError as exc:
            s[f"{prefix}_error"] = error_text(exc)
            s.pop(f"{prefix}_dup", None)
            return
        s.pop(f"{prefix}_error", None)
        s.pop(f"{prefix}_dup", None)
        s.update(empty(prefix))
        if after:
            after()
        flash(success_key)

    return run


def render(prefix: str, *, run: Callable[..., None], submit_key: str, user: Actor, zone,
           phone_in_form: bool = True) -> None:
    """The check-in form's fields, its error and, after a T4 refusal, the duplicate warning."""
    for key, value in empty(prefix).items():
        st.session_state.setdefault(key, value)  # start values through state only, so clearing never clashes
    destinations = choice_labels("visitor.destination", [d.value for d in rules.Destination])
    levels = choice_labels("visitor.level", [lv.value for lv in rules.Level])
    with st.form(f"{prefix}_form"):
        left, right = st.columns(2)
        left.text_input(t("field.visitor_name") + " *", key=f"{prefix}_name", max_chars=rules.NAME_MAX)
        right.number_input(t("field.headcount") + " *", min_value=0, max_value=100000, step=1,
                           key=f"{prefix}_headcount")
        left.text_input(t("field.purpose") + " *", key=f"{prefix}_purpose", max_chars=rules.PURPOSE_MAX)
        right.text_input(t("field.company"), key=f"{prefix}_company", max_chars=rules.COMPANY_MAX)
        if phone_in_form:
            left.text_input(t("field.phone"), key=f"{prefix}_phone", max_chars=text_limit("visitor_entry.phone"))
        person_select(t("field.host_id"), "staff", key=f"{prefix}_host", container=right, index=None,
                      placeholder=t("visitor.host_placeholder"))
        left.time_input(t("field.time_in"), value=None, key=f"{prefix}_time_in", help=t("visitor.time_in_help"))
        right.selectbox(t("field.destination"), list(destinations), format_func=destinations.get, key=f"{prefix}_dest")
        left.selectbox(t("field.level"), list(levels), format_func=levels.get, key=f"{prefix}_level")
        right.checkbox(t("field.has_appointment"), key=f"{prefix}_appt")
        st.text_area(t("field.note"), key=f"{prefix}_note", height=68, max_chars=rules.NOTE_MAX)
        st.form_submit_button(t(submit_key), type="primary", on_click=run)
    show_form_error(f"{prefix}_error")
    duplicate_prompt(prefix, run, user=user, zone=zone)


def duplicate_prompt(prefix: str, run: Callable[..., None], *, user: Actor, zone) -> None:
    """T4: the person is still on site. Check that visit out and proceed, check in anyway, or cancel."""
    ids = tuple(st.session_state.get(f"{prefix}_dup") or ())
    if not ids:
        return
    rows = visitors.on_site_matches(app_engine(), actor=user, ids=ids)
    with st.container(border=True):
        st.warning(t("visitor.still_on_site", count=len(ids)))
        st.dataframe([{t("field.time_in"): local_time(r.time_in, zone), t("field.visitor_name"): r.name,
                       t("field.company"): r.company, t("field.phone"): r.phone, t("field.host_id"): r.host_name}
                      for r in rows], hide_index=True, width="stretch")
        first, second, third = st.columns(3)
        first.button(t("visitor.dup_check_out_first"), key=f"{prefix}_dup_out", type="primary", on_click=run,
                     kwargs={"check_out": ids})
        second.button(t("visitor.dup_register_anyway"), key=f"{prefix}_dup_anyway", on_click=run,
                      kwargs={"seen": ids})
        third.button(t("visitor.dup_cancel"), key=f"{prefix}_dup_cancel", on_click=st.session_state.pop,
                     args=(f"{prefix}_dup", None))


def visit_columns(zone) -> list[Column]:
    return [Column("time_in", "field.time_in", lambda v: local_time(v, zone)),
            Column("time_out", "field.time_out", lambda v: local_time(v, zone)),
            Column("name", "field.visitor_name"), Column("headcount", "field.headcount"),
            Column("purpose", "field.purpose"), Column("company", "field.company"), Column("phone", "field.phone"),
            Column("host_name", "field.host_id")]
