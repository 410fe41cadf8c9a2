"""Notifications (admin): failed deliveries and their retry, what was sent, who gets what where, channel status."""

import datetime as dt

import streamlit as st

from lib.auth import require_role
from lib.domain.inbox import Kind
from lib.domain.notify import Channel
from lib.navigation import ADMINS
from lib.notify import admin
from lib.services.settings import office_zone_now
from lib.ui import Column, app_engine, local_time, plain, run_action, show_flash, t, table
from lib.views.person_picker import person_select

user = require_role(*ADMINS)
engine = app_engine()
zone, _today = office_zone_now(engine)
st.title(t("nav.admin_notify"))
show_flash()

holder, until = admin.lease(engine, actor=user)
st.caption(t("notify.lease", holder=plain(holder), until=local_time(until, zone)) if holder else t("notify.lease_none"))

when = lambda v: local_time(v, zone)  # noqa: E731
channel_label = lambda v: t(f"notify.channel.{v}")  # noqa: E731
failures_tab, sent_tab, prefs_tab, channels_tab = st.tabs(
    [t("notify.tab.failures"), t("notify.tab.sent"), t("notify.tab.prefs"), t("notify.tab.channels")])

with failures_tab:
    failed = admin.failures(engine, actor=user)
    chosen = table(failed, [Column("at", "notify.col.at", when), Column("recipient", "notify.col.recipient"),
                            Column("channel", "notify.col.channel", channel_label),
                            Column("state", "notify.col.state", lambda v: t(f"notify.state.{v}")),
                            Column("attempts", "notify.col.attempts"), Column("error", "notify.col.error"),
                            Column("next_at", "notify.col.next", when), Column("text", "notify.col.text")],
                   export_name="notify_failures", empty_key="notify.failures_none", key="nf", selectable=True)
    if chosen is not None and st.button(t("notify.retry"), key="nf_retry"):
        run_action(lambda: admin.retry(engine, actor=user, delivery_id=chosen.id), "notify.retried")

with sent_tab:
    table(admin.sent(engine, actor=user),
          [Column("sent_at", "notify.col.at", when), Column("recipient", "notify.col.recipient"),
           Column("channel", "notify.col.channel", channel_label), Column("text", "notify.col.text")],
          export_name="notify_sent", empty_key="notify.sent_none", key="ns")

with prefs_tab:
    rows = admin.preferences(engine, actor=user)
    if not rows:
        st.warning(t("notify.pref.none"))
    table(rows, [Column("scope", "notify.col.scope", lambda v: t(f"notify.scope.{v}")),
                 Column("name", "notify.col.recipient"),
                 Column("channels", "notify.col.channel", lambda v: "、".join(channel_label(c) for c in v)),
                 Column("kinds", "notify.col.kinds",
                        lambda v: "、".join(t(f"inbox.kind.{k}") for k in v) or t("notify.pref.all_kinds")),
                 Column("quiet_start", "notify.col.quiet", lambda v: v.strftime("%H:%M") if v else ""),
                 Column("target", "notify.col.target"), Column("email", "notify.col.email")],
          export_name="notify_prefs", empty_key="notify.pref.none", key="np")
    people, units = admin.pickable(engine, actor=user)
    scope = st.radio(t("notify.pref.who_kind"), ["user", "unit"], horizontal=True, key="np_scope",
                     format_func=lambda v: t(f"notify.pref.{'person' if v == 'user' else 'unit'}"))
    options = people if scope == "user" else units
    with st.form("np_form"):
        if scope == "user":
            ref_id = person_select(t("notify.col.recipient"), "staff", key="np_ref", only=people)
        else:
            ref_id = st.selectbox(t("notify.col.recipient"), list(options), format_func=options.get, key="np_ref")
        channels = st.multiselect(t("notify.pref.channels"), [c.value for c in Channel], format_func=channel_label,
                                  placeholder=t("ui.choose_many"))
        kinds = st.multiselect(t("notify.pref.kinds"), [k.value for k in Kind],
                               format_func=lambda k: t(f"inbox.kind.{k}"), placeholder=t("ui.choose_many"))
        quiet = st.checkbox(t("notify.pref.quiet"))
        left, right = st.columns(2)
        quiet_start = left.time_input(t("notify.pref.quiet_start"), dt.time(22, 0))
        quiet_end = right.time_input(t("notify.pref.quiet_end"), dt.time(7, 0))
        target = st.text_input(t("notify.pref.target"), max_chars=40)
        email = st.text_input(t("notify.pref.email"), max_chars=120)
        if st.form_submit_button(t("notify.pref.save")):
            run_action(lambda: admin.save_preference(
                engine, actor=user, scope=scope, ref_id=ref_id, channels=channels, kinds=kinds,
                quiet_start=quiet_start if quiet else None, quiet_end=quiet_end if quiet else None,
                target=target, email=email), "notify.pref.saved")

with channels_tab:
    st.info(t("notify.channels_help"))
    table(admin.channel_status(actor=user),
          [Column("channel", "notify.col.channel", channel_label), Column("name", "notify.col.target"),
           Column("shown", "notify.col.text")],
          export_name="notify_channels", empty_key="notify.channel_missing", key="nc")
