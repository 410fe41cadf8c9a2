"""Ticket pages through AppTest: intake with read-back ticks, my tickets and taking, the board, dispatch,
the follow-up call and the ticket detail, each for the roles that use it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from db.engine import session_scope
from db.models import Ticket, User
from lib.services.tickets import write as tickets
from lib.services.tickets import read as tickets_read
from lib.services.tickets.write import ActionInput, TicketForm
from streamlit.testing.v1 import AppTest

from tests.app.conftest import ROOT, open_page
from tests.db.helpers import make_user

REPAIR = dict(type="repair", phone="13800001234", customer_name="王芳", address="幸福小区3号楼", problem="暖气不热",
              problem_confirmed=True, address_confirmed=True, name_confirmed=True, phone_confirmed=True,
              product_model="GL-200", fault="不热")


@pytest.fixture
def desk(app_db):
    engine, users = app_db
    with session_scope(engine) as session:
        session.execute(update(User).where(User.username == "staff").values(staff_no="017"))
    users["manager"] = make_user(engine, username="manager", role="supervisor", name="部门经理老周",
                                 titles=["部门经理"])
    users["tech"] = make_user(engine, username="tech", role="staff", name="维修老王", titles=["维修人员"])
    return engine, users


def click(at, label):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception


def routed(username: str, start: str) -> AppTest:
    """The ticket pages behind st.navigation (tests/app/ticket_router.py), so a row click can switch pages."""
    at = AppTest.from_file(str(ROOT / "tests/app/ticket_router.py"), default_timeout=10)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state["router_start"] = start
    at.run()
    assert not at.exception, at.exception
    return at


def click_row(at, key: str, index: int = 0):
    at.session_state[key] = {"selection": {"rows": [index], "columns": []}}
    at.run()
    assert not at.exception, at.exception


def detail_page(username: str, ticket_id: int) -> AppTest:
    at = open_page("pages/ticket_detail.py", None)
    at.query_params["id"] = str(ticket_id)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.run()
    assert not at.exception, at.exception
    return at


def log(engine, actor, **fields):
    return tickets.log_ticket(engine, actor=actor, form=TicketForm(**{**REPAIR, **fields})).id


def fill_repair(at, **overrides):
    values = {"tk_problem": "暖气不热", "tk_address": "幸福小区3号楼", "tk_name": "王芳", **overrides}
    for key, value in values.items():
        widget = at.text_area(key=key) if key == "tk_problem" else at.text_input(key=key)
        widget.set_value(value)
    for name in ("problem", "address", "name"):
        at.checkbox(key=f"tk_{name}_ok").check()


def test_S35_intake_refuses_an_unticked_phone_keeps_the_values_then_saves_with_017(desk):
    engine, users = desk
    at = open_page("pages/tickets_intake.py", "staff")
    assert "017" in at.caption[0].value
    at.text_input(key="tk_phone").input("138 0000 1234").run()
    fill_repair(at)
    click(at, "保存工单")
    message = at.error[0].value
    assert "电话已跟读确认" in message and "请向客户复述电话" in message
    assert at.text_input(key="tk_address").value == "幸福小区3号楼"
    assert at.text_area(key="tk_problem").value == "暖气不热"
    assert tickets_read.my_tickets(engine, actor=users["staff"]) == []
    at.checkbox(key="tk_phone_ok").check()
    click(at, "保存工单")
    assert not at.error
    assert at.success[0].value.startswith("工单 #1 已保存")
    assert at.text_area(key="tk_problem").value == ""
    [row] = tickets_read.my_tickets(engine, actor=users["staff"])
    with session_scope(engine, write=False) as session:
        assert session.get(Ticket, row.id).agent_no == "017"


def test_intake_recognises_a_caller_and_shows_open_and_past_tickets(desk):
    engine, users = desk
    first = log(engine, users["staff"])
    at = open_page("pages/tickets_intake.py", "staff")
    at.text_input(key="tk_phone").input("13800001234").run()
    assert at.text_input(key="tk_name").value == "王芳"
    assert "未结工单 1 张" in at.info[0].value
    assert at.dataframe[0].value.iloc[0]["工单号"] == first


def test_S40_intake_complaint_with_compensation_is_major_and_routed(desk):
    engine, users = desk
    at = open_page("pages/tickets_intake.py", "staff")
    at.segmented_control(key="tk_type").set_value("complaint").run()
    at.text_input(key="tk_phone").input("13900001111").run()
    at.text_area(key="tk_problem").set_value("交易纠纷要求退款")
    at.selectbox(key="tk_category").set_value("trade_dispute")
    at.checkbox(key="tk_comp").check()
    click(at, "保存工单")
    message = at.success[0].value
    assert message.startswith("工单 #1 已保存：投诉，客户 未留姓名，重大，已分派至投诉组，发送客户反馈表（1小时）期限 ")
    assert "—" not in message


def test_my_tickets_opens_a_ticket_and_offers_only_the_allowed_actions(desk):
    engine, users = desk
    tid = log(engine, users["staff"], type="complaint", category=None, phone="13900002222")
    at = routed("staff", "pages/tickets_mine.py")
    click_row(at, "tk_mine_df")
    assert [t.value for t in at.title] == ["工单详情"]
    key = f"tkdetail{tid}"
    assert at.selectbox(key=f"{key}_action").value is None  # T17: nothing that records is preselected
    actions = at.selectbox(key=f"{key}_action").options
    assert actions == ["已答复客户", "分类分派"]
    at.selectbox(key=f"{key}_action").set_value("triage").run()
    click(at, "提交")
    assert "请选择问题类别" in at.error[0].value
    at.selectbox(key=f"{key}_category").set_value("top_up")
    click(at, "提交")
    assert at.success[0].value == "已办理“分类分派”，工单现为“已分类”。"
    detail = tickets_read.ticket_detail(engine, actor=users["staff"], ticket_id=tid)
    assert (detail.row.state, detail.row.cs_group) == ("triaged", "order_group")


def test_two_agents_one_takes_first_the_other_is_told(desk):
    engine, users = desk
    other = make_user(engine, username="staff2", role="staff", name="客服小李")
    tid = log(engine, users["supervisor"], type="complaint", phone="13900003333", agent_no="900")
    at = detail_page("staff", tid)
    tickets.take_ticket(engine, actor=other, ticket_id=tid)
    click(at, "认领此工单")
    assert "已被 客服小李 认领" in at.error[0].value


def test_S38_unsatisfied_close_is_shown_as_back_to_in_progress(desk):
    engine, users = desk
    tid = log(engine, users["staff"], type="complaint", category="order", phone="13900004444")
    for action, given in (("triage", {}), ("forward", {"forwarded_to": "物流部"}), ("start_work", {}),
                          ("resolve", {}), ("inform", {"customer_satisfied": False})):
        tickets.act(engine, actor=users["staff"], ticket_id=tid, action=action, given=ActionInput(**given))
    at = open_page("pages/ticket_detail.py", "staff")
    at.number_input(key="tkt_number").set_value(tid).run()
    key = f"tkdetail{tid}"
    at.selectbox(key=f"{key}_action").set_value("close").run()
    click(at, "提交")
    assert "客户不满意，不能结案" in at.warning[0].value
    assert tickets_read.ticket_detail(engine, actor=users["staff"], ticket_id=tid).row.state == "in_progress"


def test_ticket_detail_reads_the_number_from_the_link_and_says_when_it_is_unknown(desk):
    engine, users = desk
    tid = log(engine, users["staff"])
    at = open_page("pages/ticket_detail.py", None)
    at.query_params["id"] = str(tid)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "supervisor"
    at.run()
    assert not at.exception
    assert at.subheader[0].value == f"工单 #{tid} · 报修 · 已登记"
    at.number_input(key="tkt_number").set_value(999).run()
    assert at.warning[0].value == "找不到工单 #999，请核对工单号。"


def test_S36_board_counts_and_puts_the_breach_first_in_red(desk):
    engine, users = desk
    log(engine, users["staff"], type="complaint", phone="13900005555", compensation_involved=True)
    yesterday = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=25)
    late = tickets.log_ticket(engine, actor=users["staff"], form=TicketForm(**{**REPAIR, "type": "service_request"}),
                              now=yesterday).id
    at = open_page("pages/tickets_board.py", "supervisor")
    assert [m.value for m in at.metric] == ["2", "1", "1"]
    assert "有 1 张工单已超时" in at.error[0].value
    listing = at.dataframe[1].value
    assert listing.iloc[0]["工单号"] == late and listing.iloc[0]["剩余时间"].startswith("超时")
    at.selectbox(key="tkb_severity").set_value("major").run()
    assert list(at.dataframe[1].value["严重程度"]) == ["重大"]


def test_S41_dispatch_needs_the_department_manager_title(desk):
    engine, users = desk
    tid = log(engine, users["staff"])
    plain = open_page("pages/tickets_dispatch.py", "supervisor")
    assert "只有以下职务可以派工和批准异地服务申请单：部门经理、客服部经理" in plain.info[0].value
    assert not [b for b in plain.button if b.label == "派工"]
    at = open_page("pages/tickets_dispatch.py", "manager")
    click_row(at, "tkd_table_0_df")
    at.selectbox(key="pp.technician.tkd_technician").set_value(users["tech"].id)
    click(at, "派工")
    assert at.success[0].value == f"工单 #{tid} 已派给 维修老王。"
    assert [r.id for r in tickets_read.my_tickets(engine, actor=users["tech"])] == [tid]


def test_S43_follow_up_call_checks_answers_shows_the_fee_reminder_and_closes(desk):
    engine, users = desk
    tid = log(engine, users["staff"])
    tickets.act(engine, actor=users["manager"], ticket_id=tid, action="dispatch",
                given=ActionInput(technician_id=users["tech"].id))
    for action, given in (("arrive", {}), ("complete", {}), ("report", {"service_report_no": "R-1"})):
        tickets.act(engine, actor=users["tech"], ticket_id=tid, action=action, given=ActionInput(**given))
    at = routed("staff", "pages/tickets_callbacks.py")
    click_row(at, "tkc_due_df")
    key = f"tkdetail{tid}"
    at.radio(key=f"{key}_conv").set_value(False).run()
    click(at, "保存回访")
    assert "客户现在不方便，请预约回访时间" in at.error[0].value
    at.radio(key=f"{key}_conv").set_value(True).run()
    at.radio(key=f"{key}_resolved").set_value(True)
    at.radio(key=f"{key}_attitude").set_value("satisfied")
    at.radio(key=f"{key}_charged").set_value(False)
    at.radio(key=f"{key}_fee_paid").set_value(False)
    at.number_input(key=f"{key}_score").set_value(11).run()
    assert any("请您方便的时候交纳供暖费" in i.value for i in at.info)
    click(at, "保存回访")
    assert "打分须在1到10分之间" in at.error[0].value
    at.number_input(key=f"{key}_score").set_value(9)
    click(at, "保存回访")
    assert at.success[0].value == "回访已记录，工单现为“已结案”。"
    assert tickets_read.callback_queue(engine, actor=users["staff"]).due == []


# --- issue 10 ------------------------------------------------------------------------------------------

def _to_follow_up(engine, users, tid):
    tickets.act(engine, actor=users["manager"], ticket_id=tid, action="dispatch",
                given=ActionInput(technician_id=users["tech"].id))
    for action, given in (("arrive", {}), ("complete", {}), ("report", {"service_report_no": "R-9"})):
        tickets.act(engine, actor=users["tech"], ticket_id=tid, action=action, given=ActionInput(**given))


def test_T5_not_solved_in_the_callback_survey_sends_the_repair_back_and_says_so(desk):
    engine, users = desk
    tid = log(engine, users["staff"])
    _to_follow_up(engine, users, tid)
    at = detail_page("staff", tid)
    key = f"tkdetail{tid}"
    at.radio(key=f"{key}_resolved").set_value(False)
    at.radio(key=f"{key}_attitude").set_value("average")
    at.radio(key=f"{key}_charged").set_value(False)
    at.number_input(key=f"{key}_score").set_value(4)
    at.text_area(key=f"{key}_suggestion").set_value("还是不热")
    click(at, "保存回访")
    assert not at.error
    assert any("问题未解决或客户不满意，不能结案" in w.value for w in at.warning)
    detail = tickets_read.ticket_detail(engine, actor=users["staff"], ticket_id=tid)
    assert detail.row.state == "dispatched"
    at = detail_page("tech", tid)
    banner = [w.value for w in at.warning if "回访未通过" in w.value]
    assert banner and "问题解决了吗 否" in banner[0] and "还是不热" in banner[0]
    assert at.subheader[0].value == f"工单 #{tid} · 报修 · 已派工"
    assert "到达现场" in at.selectbox(key=f"tkdetail{tid}_action").options


def test_T25_intake_received_time_needs_a_reason_when_old_keeps_the_values_and_counts_from_it(desk):
    engine, users = desk
    at = open_page("pages/tickets_intake.py", "staff")
    at.segmented_control(key="tk_type").set_value("complaint").run()
    at.text_input(key="tk_phone").input("13900007777").run()
    at.text_area(key="tk_problem").set_value("送货延误")
    at.text_input(key="tk_name").set_value("张三")
    office = ZoneInfo("Asia/Shanghai")
    early = (dt.datetime.now(office) - dt.timedelta(hours=5)).replace(second=0, microsecond=0, tzinfo=None)
    at.date_input(key="tk_recv_day").set_value(early.date())
    at.time_input(key="tk_recv_time").set_value(early.time())
    click(at, "保存工单")
    assert "补录原因" in at.error[0].value and "120 分钟" in at.error[0].value
    assert at.text_area(key="tk_problem").value == "送货延误"
    assert at.time_input(key="tk_recv_time").value == early.time()
    at.text_input(key="tk_recv_reason").set_value("电话先接后录")
    click(at, "保存工单")
    message = at.success[0].value
    assert message.startswith("工单 #1 已保存：投诉，客户 张三，一般，尚未分派") and "—" not in message
    assert "从接收时间" in message
    [row] = tickets_read.my_tickets(engine, actor=users["staff"])
    assert row.received_at == early.replace(tzinfo=office)
    assert at.time_input(key="tk_recv_time").value is None


def test_T19_a_complaint_shows_unanswered_warranty_and_user_text_as_plain_text(desk):
    engine, users = desk
    tid = log(engine, users["staff"], type="complaint", customer_name="http://x", problem="1. 态度差",
              phone="13900006666")
    at = detail_page("staff", tid)
    texts = [m.value for m in at.markdown]
    assert any(v.startswith("**在保修期内**") and v.endswith("未填") for v in texts), texts
    assert any(v.startswith("**属质量问题**") and v.endswith("未填") for v in texts)
    assert not any(v.endswith("：否") for v in texts if "保修" in v or "质量" in v)
    assert any("http\\:" in v for v in texts) and not any("http://x" in v for v in texts)
    assert any("1\\. 态度差" in v for v in texts)


def test_T2_dispatch_offers_only_technicians(desk):
    engine, users = desk
    log(engine, users["staff"])
    at = open_page("pages/tickets_dispatch.py", "manager")
    click_row(at, "tkd_table_0_df")
    offered = at.selectbox(key="pp.technician.tkd_technician").options
    assert offered == ["维修老王"]


def test_T13_the_demo_customer_service_manager_can_dispatch(desk):
    engine, users = desk
    make_user(engine, username="csm", role="supervisor", name="客服部经理老陈", titles=["客服部经理"])
    tid = log(engine, users["staff"])
    at = open_page("pages/tickets_dispatch.py", "csm")
    assert not [i for i in at.info if "只有以下职务" in i.value]
    click_row(at, "tkd_table_0_df")
    assert "工单 \\#" in at.markdown[0].value or f"#{tid}" in at.markdown[0].value
    at.selectbox(key="pp.technician.tkd_technician").set_value(users["tech"].id)
    click(at, "派工")
    assert at.success[0].value == f"工单 #{tid} 已派给 维修老王。"


@pytest.mark.parametrize("start,table", [("pages/tickets_board.py", "tkb_table_df"),
                                         ("pages/tickets_callbacks.py", "tkc_due_df")])
def test_T17_a_row_click_opens_the_ticket_page(desk, start, table):
    engine, users = desk
    tid = log(engine, users["staff"])
    if "callbacks" in start:
        _to_follow_up(engine, users, tid)
    at = routed("supervisor", start)
    assert not [s for s in at.selectbox if s.label == "打开工单"]
    click_row(at, table)
    assert [t.value for t in at.title] == ["工单详情"]
    assert at.subheader[0].value.startswith(f"工单 #{tid} · 报修")
    assert at.query_params["id"] == [str(tid)] or at.query_params["id"] == str(tid)
