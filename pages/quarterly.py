"""Quarterly customer-service ranking and bonuses; frozen once published (SPEC M4 4.2, seed 003 M#13, S48)."""

from types import SimpleNamespace

import streamlit as st

from lib.auth import require_role
from lib.domain.kpi import ScoreComponent
from lib.navigation import SUPERVISORS, WRITERS
from lib.services.kpi import rankings as kpi
from lib.services.settings import office_zone_now
from lib.ui import (
    Column,
    app_engine,
    confirm_button,
    local_time,
    plain,
    run_action,
    show_flash,
    t,
    table,
)
from lib.views.kpi.common import money, quarter_picker

user = require_role(*WRITERS)
engine = app_engine()
zone, today = office_zone_now(engine)
st.title(t("nav.quarterly"))
show_flash()
st.caption(t("kpi.quarterly.rule"))
st.caption(t("kpi.quarterly.tie_rule"))

year, quarter = quarter_picker("q_pick", today)
view = kpi.quarter_view(engine, actor=user, year=year, quarter=quarter)
label = t("kpi.page.quarter_label", year=year, quarter=quarter)

cols = st.columns(3)
cols[0].metric(t("kpi.quarterly.period"), f"{view.first.isoformat()} – {view.last.isoformat()}")
cols[1].metric(t("kpi.quarterly.payout"), view.payout.strftime("%Y-%m"))
cols[2].metric(t("kpi.quarterly.bonus_total"), money(sum(r.bonus for r in view.rows)))

if view.published:
    st.success(t("kpi.quarterly.published", at=local_time(view.published_at, zone), by=view.published_by))
elif user.role not in SUPERVISORS:
    st.info(t("kpi.quarterly.not_published_staff", quarter=label))
    st.stop()
elif not view.participants:
    st.info(t("kpi.quarterly.no_participants"))
    st.stop()
elif not view.rows:
    st.info(t("kpi.quarterly.nobody_scored"))
elif view.can_publish:
    st.warning(t("kpi.quarterly.preview_ready"))
    if confirm_button("kpi.quarterly.publish", key="q_publish", confirm_key="kpi.quarterly.publish_sure"):
        if run_action(lambda: kpi.publish_quarter(engine, actor=user, year=year, quarter=quarter),
                      "kpi.quarterly.publish_done"):
            st.rerun()
else:
    st.info(t("kpi.quarterly.preview_running", last=view.last.isoformat()))

if view.unranked:
    st.info(t("kpi.quarterly.unranked", names="、".join(plain(n) for n in view.unranked)))
weights = " · ".join(f"{t('kpi.score_component.' + k)} × {w:g}" for k, w in view.weights.items())
st.caption(t("kpi.quarterly.weights", weights=weights))
components = [Column(c.value, f"kpi.score_component.{c.value}", lambda v: round(v, 2)) for c in ScoreComponent]
rows = [SimpleNamespace(rank=r.rank, name=r.name, score=round(r.score, 2), bonus=money(r.bonus),
                        **{c.value: r.components.get(c.value, 0.0) for c in ScoreComponent},
                        surveys=int(r.components.get(kpi.SCORED_WORK, 0))) for r in view.rows]
table(rows, [Column("rank", "display.col.rank"), Column("name", "display.col.name"),
             Column("score", "display.col.score"), Column("bonus", "display.col.bonus"),
             Column("surveys", "kpi.quarterly.scored_work"), *components],
      export_name=f"quarterly_{year}Q{quarter}", empty_key="kpi.quarterly.empty", key="q_table")
