"""On duty now: who holds each post, the day's 第一责任人, absences with their cover; my shifts and check-in (SPEC M1 1.2, 1.3)."""

import streamlit as st

from lib.auth import require_role
from lib.navigation import WRITERS
from lib.services import roster
from lib.services.settings import office_zone_now
from lib.ui import Column, app_engine, local_time, plain, show_flash, show_form_error, submit_callback, t, table

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
st.title(t("nav.on_duty"))
show_flash()

view = roster.on_duty(engine, actor=user)
for post, name in view.first_responsible:
    st.success(t("rotation.on_duty.first_responsible", post=plain(post), name=plain(name)))
kinds = {k: t(f"rotation.entry_kind.{k}") for k in ("on_duty", "first_responsible", "helper", "cover")}
statuses = {"": "", **{s: t(f"rotation.check_in_status.{s}") for s in ("ok", "short_notice", "late")}}
hours = lambda v: local_time(v, zone)[-5:]  # noqa: E731
table(view.on_duty, [Column("post", "field.roster_post"), Column("staff", "rotation.col.consultant"),
                     Column("shift", "rotation.col.shift", lambda v: t(f"rotation.shift.{v}")),
                     Column("kind", "rotation.roster.kind", kinds.get), Column("start", "rotation.col.start", hours),
                     Column("end", "rotation.col.end", hours),
                     Column("check_in_status", "rotation.col.check_in", statuses.get)],
      export_name=f"on_duty_{today.isoformat()}", empty_key="rotation.on_duty.none", key="od_table")
for absence in view.absences:
    st.warning(t("rotation.on_duty.absent", name=plain(absence.staff), post=plain(absence.post),
                 detail=plain(absence.detail), cover=plain(absence.cover or "—")))

st.subheader(t("rotation.on_duty.my_shifts"))
mine = roster.my_shifts(engine, actor=user)
if not mine:
    st.info(t("rotation.on_duty.no_shifts"))
for shift in mine:
    cols = st.columns([3, 2, 2])
    cols[0].write(t("rotation.on_duty.shift_line", day=shift.day.isoformat(), post=shift.post,
                    shift=t(f"rotation.shift.{shift.shift}"), start=hours(shift.start), end=hours(shift.end)))
    if shift.checked_in_at:
        cols[1].write(t("rotation.on_duty.checked_in", at=hours(shift.checked_in_at),
                        status=statuses[shift.check_in_status]))
    else:
        cols[2].button(t("rotation.on_duty.check_in"), key=f"od_in_{shift.entry_id}", type="primary",
                       on_click=submit_callback(lambda sid=shift.entry_id: roster.check_in(engine, actor=user, entry_id=sid),
                                                success_key="rotation.on_duty.checked_in_saved", error_slot="od_error"))
show_form_error("od_error")
