"""Home: the inbox — every module's open work for this person, overdue first (issue 15 I2)."""

import functools
import time
from pathlib import Path

import streamlit as st

from lib.auth import require_role
from lib.cache import per_run
from lib.domain.errors import DomainError
from lib.navigation import ALL, PAGES, SUPERVISORS
from lib.services import inbox
from lib.services.dashboard import front_desk_summary
from lib.services.settings import office_zone_now
from lib.ui import app_engine, local_time, plain, show_error, t
from lib.views.person_picker import person_select

user = require_role(*ALL)
ROOT = Path(__file__).resolve().parents[1]
SPECS = {p.url_path: p for p in PAGES}
SHOWN = 12  # cards drawn per section before "show all" (each card costs a few ms of the run)
tr = functools.cache(t)  # one lookup per label and run: a busy inbox repeats the same kinds and reasons
st.title(t("home.title", name=plain(user.name)))

if user.role == "display":
    st.info(t("home.display_note"))
    st.stop()

engine = app_engine()
zone, _today = office_zone_now(engine)
person_id = user.id
if user.role in SUPERVISORS:
    members = dict(inbox.team(engine, actor=user))
    members.pop(user.id, None)
    if members and st.toggle(t("inbox.whose"), key="inbox_team"):
        person_id = person_select(t("inbox.whose"), "staff", key="inbox_person", only=members) or user.id
try:  # the router counted this person's inbox for the menu's badge in this run: the same answer
    view = per_run(("inbox_view", user.id, person_id), lambda: inbox.inbox(engine, actor=user, person_id=person_id))
except DomainError as exc:
    show_error(exc)
    st.stop()
if person_id == user.id:  # the badge follows what this page shows (the router keeps it a minute elsewhere)
    st.session_state["_dd_inbox_count"] = (user.id, time.monotonic(), view.inbox.total)
if view.person_id != user.id:
    st.caption(t("inbox.viewing", name=plain(view.person_name)))


@functools.cache
def _page(url_path: str):
    spec = SPECS.get(url_path)
    if spec is None or user.role not in spec.roles:
        return None
    return st.Page(ROOT / spec.path, title=tr(spec.title_key), icon=spec.icon, url_path=spec.url_path)


def _link(item) -> None:
    page = _page(item.page)
    if page is not None:
        st.page_link(page, label=tr("inbox.open"), icon=":material/arrow_forward:",
                     query_params={"id": str(item.record_id), **dict(item.link)})  # register, kind (I8, I9)


def _item(item, level: str) -> None:
    with st.container(border=True):
        text, action = st.columns([5, 1])
        params = {k: plain(v) for k, v in item.params.items()}
        text.markdown(t(f"inbox.badge.{level}", kind=tr("inbox.kind." + item.kind)) + " "
                      + t(item.title_key, **params))
        due = t("inbox.due", at=local_time(item.due_at, zone)) if item.due_at else tr("inbox.no_due")
        text.caption(due + " · " + tr(item.reason_key))
        with action:
            _link(item)


box = view.inbox
st.subheader(t("inbox.title"))
cols = st.columns(3)
for col, level, items in zip(cols, ("overdue", "soon", "other"), (box.overdue, box.soon, box.other)):
    col.metric(t(f"inbox.label.{level}"), len(items))
if box.total == 0:
    st.success(t("inbox.empty"))
for level, items in (("overdue", box.overdue), ("soon", box.soon), ("other", box.other)):
    if not items:
        continue
    st.markdown(t(f"inbox.section.{level}", count=len(items)))
    # the earliest first; a long section shows its head unless asked (each card costs a few ms to draw)
    everything = len(items) <= SHOWN or st.toggle(t("inbox.show_all", count=len(items)), key=f"inbox_all_{level}")
    for item in items if everything else items[:SHOWN]:
        _item(item, level)
    if not everything:
        st.caption(t("inbox.more", count=len(items) - SHOWN))

with st.expander(t("inbox.front_desk")):
    summary = front_desk_summary(engine, actor=user)
    figures = st.columns(4)
    figures[0].metric(t("home.on_site"), summary.on_site)
    figures[1].metric(t("home.visitors_today"), summary.visitors_today)
    figures[2].metric(t("home.messages_open"), summary.messages_open)
    figures[3].metric(t("home.messages_overdue"), summary.messages_overdue)
    if summary.messages_overdue:
        st.warning(t("home.overdue_warning", count=summary.messages_overdue))
