"""A corrected entry's versions on the register page through AppTest (issue 16, S60; seed 004 D2): with a row of
the list picked, version 1 opens from the entry's versions (the picked row no longer reopens the newest one on
every run) and says it was superseded; the newest version does not."""

from __future__ import annotations

import datetime as dt

from db.engine import session_scope
from db.models import OrgUnit
from lib.services import registers as R
from tests.app.conftest import open_page

FAMILY = "中控室"
SUPERSEDED = "这条登记已被更正版本取代，请打开最新版本。"


def test_S60_version_1_of_a_corrected_duty_log_opens_from_the_versions_and_says_it_was_superseded(app_db):
    engine, users = app_db
    with session_scope(engine) as session:
        session.add(OrgUnit(kind="post", name=FAMILY, min_staff=1, is_24x7=True))
    values = {"post": FAMILY, "occurred_at": dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1),
              "type": "fault", "description": "2号水泵故障"}
    first = R.create_entry(engine, actor=users["staff"], register="cr_duty_log", values=values)
    second = R.correct_entry(engine, actor=users["staff"], register="cr_duty_log", entry_id=first,
                             values={**values, "description": "3号水泵故障"}, reason="泵号记错")
    at = open_page("pages/registers.py", "staff")
    at.session_state["rg.tabs"] = FAMILY
    at.run()
    assert at.selectbox(key="rg.family.control_room").value == "cr_duty_log"
    at.session_state["rg.cr_duty_log.rows"] = {"selection": {"rows": [0], "columns": []}}  # the list's one row
    at.run()
    assert not at.exception and at.session_state["rg.cr_duty_log.open"] == second
    assert any("第 2 版" in h.value for h in at.subheader) and SUPERSEDED not in [i.value for i in at.info]
    next(b for b in at.button if b.label == "第 1 版（已登记）").click().run()
    assert not at.exception and at.session_state["rg.cr_duty_log.open"] == first
    assert any("第 1 号（第 1 版）" in h.value for h in at.subheader)
    assert SUPERSEDED in [i.value for i in at.info]
