"""The register page's rest family through AppTest (issue 16; seed 004 D7): the lounge's daily check shows the ten
hygiene items as check boxes; a failed item without a description is refused with the typed values kept, then
saved waiting for the 客服主管 (RR8)."""

from __future__ import annotations

import datetime as dt

from lib.domain.registers.rest import LOUNGE_ITEMS
from lib.services import registers as R
from tests.app.conftest import open_page

TODAY = dt.date.today()
FAMILY = "休息室、客户休息区与贵宾厅"


def submit_form(at, register):
    next(b for b in at.button if b.form_id.endswith(f"rg.{register}.new_form")).click().run()


def test_RR8_the_lounge_check_form_has_ten_items_and_a_failure_needs_a_description(app_db):
    engine, users = app_db
    at = open_page("pages/registers.py", "staff")
    assert not at.exception and FAMILY in [tab.label for tab in at.tabs]
    at.session_state["rg.tabs"] = FAMILY
    at.run()
    at.selectbox(key="rg.family.rest").set_value("lounge_check").run()
    boxes = [key for key in LOUNGE_ITEMS if at.checkbox(key=f"rg.lounge_check.new.{key}") is not None]
    assert boxes == list(LOUNGE_ITEMS)
    at.date_input(key="rg.lounge_check.new.checked_on").set_value(TODAY)
    for key in list(LOUNGE_ITEMS)[:-1]:  # 开窗通风 not done
        at.checkbox(key=f"rg.lounge_check.new.{key}").check()
    submit_form(at, "lounge_check")
    assert not at.exception
    assert "不合格情况说明" in at.error[0].value
    assert at.checkbox(key="rg.lounge_check.new.item_clean").value is True
    assert at.checkbox(key="rg.lounge_check.new.item_air").value is False
    at.text_area(key="rg.lounge_check.new.remarks").set_value("上午未开窗")
    submit_form(at, "lounge_check")
    assert not at.exception and not at.error
    (entry,) = R.list_entries(engine, actor=users["staff"], register="lounge_check", query=R.Query(
        first=TODAY - dt.timedelta(days=1), last=TODAY + dt.timedelta(days=1))).rows
    assert (entry.state, entry.step_title, entry.values["failed"], entry.values["responsible_id"]) == (
        "pending", "客服主管", 1, users["staff"].id)
