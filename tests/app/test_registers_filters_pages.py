"""RG-F1 (issue 14 「a list with date-range and field filters」): the register page offers, from the definition
alone, a filter per choice, person and yes/no field (and indexed text/number fields); a filter narrows the list,
stays set when the user visits another register, an empty result says which filters to change, and clearing
restores the full list. Shown on the seal ledger (type, derived status) and the general loan (borrower)."""

from __future__ import annotations

import datetime as dt

from lib.domain.registers import REGISTRY
from lib.services import registers as R
from lib.views.registers import filter_fields
from tests.app.conftest import open_page

SEALS = "印章"


def _rows(at) -> list[dict]:
    """The list's rows (the first table on the page while no entry is open)."""
    if not at.dataframe:
        return []
    return at.dataframe[0].value.to_dict("records")


def test_RG_F1_filter_fields_come_from_the_definition():
    """RG-F1: the filters are the definition's choice, person, yes/no and indexed text/number fields; the date
    field and a text title field (searched) are not."""
    assert [f.key for f in filter_fields(REGISTRY["seal"])] == ["seal_type", "keeper_id", "status"]
    assert [f.key for f in filter_fields(REGISTRY["general_loan"])] == ["borrower_id"]
    assert "requested_at" not in [f.key for f in filter_fields(REGISTRY["seal_use"])]


def test_RG_F1_the_seal_ledger_filters_by_type_and_status_and_clearing_restores(app_db):
    engine, users = app_db
    admin = users["admin"]
    today = dt.date.today()
    for seal_type, name, steps in (("contract", "合同专用章", 3), ("finance", "财务专用章", 3),
                                   ("company", "公司公章", 1)):
        dates = {"carved_on": today - dt.timedelta(days=5), "issued_on": today - dt.timedelta(days=4),
                 "activated_on": today - dt.timedelta(days=3)}
        R.create_entry(engine, actor=admin, register="seal", values={
            "seal_type": seal_type, "name": name, **dict(list(dates.items())[:steps])})
    at = open_page("pages/registers.py", "admin", state={"rg.tabs": SEALS})
    assert not at.exception and at.selectbox(key="rg.family.seals").value == "seal"
    assert sorted(r["印章名称"] for r in _rows(at)) == ["公司公章", "合同专用章", "财务专用章"]
    at.selectbox(key="rg.seal.f.seal_type").set_value("finance").run()
    assert not at.exception
    assert [r["印章名称"] for r in _rows(at)] == ["财务专用章"]
    # kept while another register is open, and again in force on coming back
    at.selectbox(key="rg.family.seals").set_value("seal_impression").run()
    at.selectbox(key="rg.family.seals").set_value("seal").run()
    assert at.selectbox(key="rg.seal.f.seal_type").value == "finance"
    assert [r["印章名称"] for r in _rows(at)] == ["财务专用章"]
    at.selectbox(key="rg.seal.f.status").set_value("destroyed").run()
    assert not at.exception and _rows(at) == []
    (empty,) = [i.value.replace("\\", "") for i in at.info if "字段筛选" in i.value]  # Markdown escapes
    assert "印章类型: 财务专用章" in empty and "状态: 已销毁" in empty and "清除或更改字段筛选" in empty
    at.selectbox(key="rg.seal.f.seal_type").set_value("").run()
    at.selectbox(key="rg.seal.f.status").set_value("active").run()
    assert sorted(r["印章名称"] for r in _rows(at)) == ["合同专用章", "财务专用章"]
    at.button(key="rg.seal.clear_filters").click().run()
    assert not at.exception
    assert at.selectbox(key="rg.seal.f.status").value == ""
    assert sorted(r["印章名称"] for r in _rows(at)) == ["公司公章", "合同专用章", "财务专用章"]


def test_RG_F1_a_loan_register_filters_by_borrower(app_db):
    engine, users = app_db
    admin, staff = users["admin"], users["staff"]
    now = dt.datetime.now(dt.timezone.utc)
    for borrower, content in ((users["supervisor"], "年度报表"), (staff, "客户档案"), (staff, "合同样本")):
        R.create_entry(engine, actor=admin, register="general_loan", values={
            "borrower_id": borrower.id, "content": content, "borrowed_at": now, "purpose": "核对"})
    at = open_page("pages/registers.py", "admin")
    at.selectbox(key="rg.family.information").set_value("general_loan").run()
    assert not at.exception
    assert sorted(r["借阅内容"] for r in _rows(at)) == ["合同样本", "客户档案", "年度报表"]
    at.selectbox(key="rg.general_loan.f.borrower_id").set_value(staff.id).run()
    assert not at.exception
    assert sorted(r["借阅内容"] for r in _rows(at)) == ["合同样本", "客户档案"]
    at.text_input(key="rg.general_loan.search").set_value("档案").run()
    assert [r["借阅内容"] for r in _rows(at)] == ["客户档案"]  # with the title search too
    at.text_input(key="rg.general_loan.search").set_value("").run()
    at.button(key="rg.general_loan.clear_filters").click().run()
    assert not at.exception and at.selectbox(key="rg.general_loan.f.borrower_id").value == ""
    assert len(_rows(at)) == 3


def test_RG_F1_the_equipment_status_filter_offers_only_stored_states(app_db):
    """RG-F1 with EQ4: 维修中 is shown at read time while a repair form is open and never stored, so a filter on it
    would find nothing: the status filter offers 在用, 已调换 and 已报废 only."""
    _engine, _users = app_db
    at = open_page("pages/registers.py", "admin", state={"rg.tabs": "设备"})
    assert not at.exception and at.selectbox(key="rg.family.equipment").value == "equipment"
    status = at.selectbox(key="rg.equipment.f.status")
    assert status.options == ["全部", "在用", "已调换", "已报废"]  # the labels the browser shows
