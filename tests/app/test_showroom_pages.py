"""Showroom pages through AppTest: registration, the day sheet and its lock, my customers, disputes,
the access register, receptions and enquiries (SPEC M2.3-M2.5)."""

from __future__ import annotations

import datetime as dt
import time

from lib.domain.showroom.customers import Channel
from lib.services import access_log, reception_desk, settings
from lib.services.showroom import write as showroom
from lib.services.showroom import enquiries as showroom_enquiries
from lib.services.showroom import read as showroom_read
from lib.services.settings import office_zone_now
from tests.app.conftest import open_page
from tests.db.helpers import make_user


def open_hours(engine, admin) -> None:
    """The pages read the wall clock: keep today's sheet open until 23:59 (a setting), never in its last minutes."""
    settings.change_setting(engine, actor=admin, key="workday_end", text="23:59", reason="test")
    zone, _today = office_zone_now(engine)
    now = dt.datetime.now(zone)
    if now.time() >= dt.time(23, 57):
        time.sleep((dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(0, 0, 5), tzinfo=zone)
                    - now).total_seconds())


def submit(at, label):
    next(b for b in at.button if b.label == label).click().run()


def register(engine, actor, receiver, phone="13812345678", name="王先生"):
    _zone, today = office_zone_now(engine)
    return showroom.register_contact(engine, actor=actor, form=showroom.RegisterForm(
        channel=Channel.walk_in.value, customer_name=name, phone=phone, matter="试驾", visit_date=today,
        receiver_id=receiver.id))


def test_S30_register_page_writes_a_walk_in_and_refuses_a_blank_phone(app_db):
    engine, users = app_db
    open_hours(engine, users["admin"])
    consultant = make_user(engine, username="c1", name="顾问一", titles=["销售顾问"])
    at = open_page("pages/showroom_register.py", "staff")
    assert any("尚未开始" in w.value for w in at.warning)
    at.text_input(key="sr_name").set_value("李女士")
    at.text_input(key="sr_matter").set_value("凯美瑞询价")
    at.selectbox(key="pp.receiver.sr_receiver_walk_in_0").set_value(consultant.id)  # no queue today: by hand
    submit(at, "登记")
    assert not at.exception
    assert "联系方式" in at.error[0].value and "必填" in at.error[0].value
    assert at.text_input(key="sr_name").value == "李女士"
    at.text_input(key="sr_phone").input("139-0000-1111").run()
    submit(at, "登记")
    assert not at.exception, at.exception
    assert any("顾问一" in s.value for s in at.success), [s.value for s in at.success]
    sheet = showroom_read.day_sheet(engine, actor=users["staff"])
    assert [(c.customer_name, c.phone, c.receiver) for c in sheet.contacts] == [("李女士", "139-0000-1111", "顾问一")]


def click_row(at, key, index=0):
    """Select a row of ``lib.ui.table(..., selectable=True, key=key)`` the way a click does, and rerun."""
    at.session_state[f"{key}_rows"] = {"selection": {"rows": [index], "columns": []}}
    return at.run()


def always_early(engine, admin) -> None:
    """No closing window: any signature during the open day is an early close (keeps the wall clock out)."""
    settings.change_setting(engine, actor=admin, key="showroom.sign_window_minutes", text="0", reason="test")


def test_S29_T17_consultant_opens_a_row_by_click_and_completes_it(app_db):
    engine, users = app_db
    open_hours(engine, users["admin"])
    consultant = make_user(engine, username="c1", name="顾问一", titles=["销售顾问"])
    contact = register(engine, users["staff"], consultant).contact_id
    at = open_page("pages/showroom_daysheet.py", "c1")
    assert [m.value for m in at.metric][:3] == ["1", "0", "1"]
    assert not [b for b in at.button if b.label == "保存"]  # no picker: nothing is open until a row is clicked
    assert any("点击上表中的一行" in c.value for c in at.caption)
    click_row(at, "ds_table")
    at.text_area(key=f"ds_details_{contact}").set_value("试驾卡罗拉，已报价")
    submit(at, "保存")
    assert not at.exception and [s.value for s in at.success] == ["具体事宜已保存。"]
    assert showroom_read.day_sheet(engine, actor=consultant).contacts[0].details == "试驾卡罗拉，已报价"
    assert not [b for b in at.button if b.label == "签字并锁定"]  # a consultant cannot sign


def test_T3_signing_is_a_confirmation_listing_gaps_and_early_close_needs_a_reason(app_db):
    engine, users = app_db
    open_hours(engine, users["admin"])
    always_early(engine, users["admin"])
    c1 = make_user(engine, username="c1", name="顾问一", titles=["销售顾问"])
    c2 = make_user(engine, username="c2", name="顾问二", titles=["销售顾问"])
    make_user(engine, username="mgr", role="supervisor", name="经理甲", titles=["销售经理"])
    register(engine, users["staff"], c1)
    register(engine, users["staff"], c2)  # the same phone twice today
    at = open_page("pages/showroom_daysheet.py", "mgr")
    submit(at, "签字并锁定")
    assert not at.exception
    assert showroom_read.day_sheet(engine, actor=users["admin"]).state == "open"  # one click signs nothing
    warnings = " ".join(w.value for w in at.warning)
    assert "2 条记录的具体事宜还没补齐" in warnings and "1 个电话号码" in warnings and "还没到收班签字时间" in warnings
    confirm = next(b for b in at.button if b.label == "确认签字并锁定")
    assert confirm.disabled
    at.checkbox(key="ds_early").check().run()
    at.text_input(key="ds_early_reason").set_value("台风提前闭店").run()
    submit(at, "确认签字并锁定")
    assert not at.exception
    assert any("提前收班签字锁定" in s.value and "台风提前闭店" in s.value for s in at.success), \
        [s.value for s in at.success]
    at = open_page("pages/showroom_daysheet.py", "c1")
    assert not [b for b in at.button if b.label == "保存"]
    at = open_page("pages/showroom_register.py", "c1")
    at.text_input(key="sr_phone").input("13900001111").run()
    at.text_input(key="sr_name").set_value("孙先生")
    at.text_input(key="sr_matter").set_value("看车")
    at.selectbox(key="pp.receiver.sr_receiver_walk_in_0").set_value(c1.id)
    submit(at, "登记")
    message = at.error[0].value
    assert "经理甲" in message and "提前收班：台风提前闭店" in message and "管理员（管理员）" in message, message
    assert "更正原因" in message
    assert at.text_input(key="sr_name").value == "孙先生"


def test_admin_corrects_a_locked_row_with_a_reason(app_db):
    engine, users = app_db
    open_hours(engine, users["admin"])
    consultant = make_user(engine, username="c1", name="顾问一", titles=["销售顾问"])
    manager = make_user(engine, username="mgr", role="supervisor", name="经理甲", titles=["销售经理"])
    register(engine, users["staff"], consultant)
    _zone, today = office_zone_now(engine)
    always_early(engine, users["admin"])
    showroom.sign_day(engine, actor=manager, day=today, traffic_count=1, early_reason="测试")
    at = open_page("pages/showroom_daysheet.py", "admin")
    click_row(at, "ds_table")
    at.text_area(key="ds_fix").set_value("报价已发")
    submit(at, "保存更正")
    assert "更正原因" in at.error[0].value and at.text_area(key="ds_fix").value == "报价已发"
    at.text_input(key="ds_fix_reason").set_value("漏填")
    submit(at, "保存更正")
    assert not at.exception and "更正已保存，原签字记录保留。" in [s.value for s in at.success]
    assert showroom_read.day_sheet(engine, actor=users["admin"]).contacts[0].corrected_details == "报价已发"


def test_my_customers_page_lists_the_card_and_logs_a_follow_up(app_db):
    engine, users = app_db
    open_hours(engine, users["admin"])
    consultant = make_user(engine, username="c1", name="顾问一", titles=["销售顾问"])
    register(engine, users["staff"], consultant)
    at = open_page("pages/showroom_customers.py", "c1")
    assert not at.exception
    assert at.metric[3].value == "1"
    click_row(at, "mc_pick")  # T17: the customer is opened from the table
    at.text_area(key="mc_note").set_value("电话回访，约周六试驾")
    submit(at, "记录回访")
    assert not at.exception and [s.value for s in at.success] == ["回访已记录，归属期限已顺延。"]
    found = showroom_read.find_customer(engine, actor=consultant, phone="13812345678")
    assert found.state == "owned_following"
    at = open_page("pages/showroom_customers.py", "staff")
    assert any("暂无客户" in i.value for i in at.info)


def test_S24_ownership_page_shows_the_dispute_and_only_signed_evidence(app_db):
    engine, users = app_db
    open_hours(engine, users["admin"])
    c1 = make_user(engine, username="c1", name="顾问一", titles=["销售顾问"])
    c4 = make_user(engine, username="c4", name="顾问四", titles=["销售顾问"])
    register(engine, users["staff"], c1)
    register(engine, users["staff"], c4)
    at = open_page("pages/showroom_ownership.py", "supervisor")
    assert not at.exception
    assert len(at.dataframe) == 1  # the dispute list
    assert not [i for i in at.info if "没有已签字" in i.value]  # T17: nothing opened until a row is clicked
    click_row(at, "ow_disputes")
    assert any("没有已签字" in i.value for i in at.info)  # today is not signed yet: no evidence


def test_S31_access_page_registers_and_refuses_entry_without_approval(app_db):
    engine, users = app_db
    at = open_page("pages/access_log.py", "staff")
    at.selectbox(key="ac_area").set_value("control_room")
    at.selectbox(key="ac_category").set_value("external")
    at.text_input(key="ac_name").set_value("李工")
    at.text_input(key="ac_purpose").set_value("检修空调")
    submit(at, "登记")
    assert not at.exception
    rows = access_log.register_today(engine, actor=users["staff"])
    assert [(r.name, r.time_in) for r in rows] == [("李工", None)]
    at.button(key=f"ac_in_{rows[0].id}").click().run()
    assert any("领导" in e.value and "签名" in e.value for e in at.error), [e.value for e in at.error]
    at.button(key=f"ac_ok_{rows[0].id}").click().run()
    assert any("秩序维护主管" in e.value for e in at.error)


def test_S32_reception_page_flags_a_meal_over_the_cap(app_db):
    engine, users = app_db
    at = open_page("pages/receptions.py", "staff")
    at.number_input(key="rc_meal_lines").set_value(1).run()
    at.number_input(key="rc_guests").set_value(4)
    at.selectbox(key="rc_class").set_value("B")
    _zone, today = office_zone_now(engine)
    at.date_input(key="rc_start").set_value(today + dt.timedelta(days=5))
    at.text_input(key="rc_host").set_value("王经理")
    at.text_input(key="rc_reason").set_value("工厂考察")
    at.selectbox(key="rc_venue_0").set_value("outside")
    at.number_input(key="rc_diners_0").set_value(4)
    at.number_input(key="rc_cost_0").set_value(600.0)
    submit(at, "保存申请")
    assert not at.exception, at.exception
    assert any("¥130" in w.value for w in at.warning), [w.value for w in at.warning]
    rows = reception_desk.applications(engine, actor=users["staff"], first=today, last=today + dt.timedelta(days=10))
    assert [(r.reception_class, r.state) for r in rows] == [("B", "draft")]
    at = open_page("pages/receptions.py", "staff")
    at.selectbox(key=f"rc_action_{rows[0].id}").set_value("submit")
    submit(at, "办理")
    assert not at.exception and any(s.value == "已办理。" for s in at.success)


def test_S34_enquiry_page_needs_a_promised_time_for_an_open_question(app_db):
    engine, users = app_db
    at = open_page("pages/showroom_enquiries.py", "staff")
    at.text_area(key="eq_question").set_value("保养多少钱？")
    submit(at, "保存")
    assert "承诺答复" in at.error[0].value and at.text_area(key="eq_question").value == "保养多少钱？"
    _zone, today = office_zone_now(engine)
    at.date_input(key="eq_date").set_value(today + dt.timedelta(days=1))
    at.time_input(key="eq_time").set_value(dt.time(10, 0))
    submit(at, "保存")
    assert not at.exception and [s.value for s in at.success] == ["咨询已记录。"]
    assert [r.question for r in showroom_enquiries.enquiry_board(engine, actor=users["staff"])] == ["保养多少钱？"]


# ---- issue 10 -----------------------------------------------------------------------------------------------

def test_T1_register_clears_the_form_and_a_second_click_is_refused_naming_the_first(app_db):
    engine, users = app_db
    open_hours(engine, users["admin"])
    consultant = make_user(engine, username="c1", name="顾问一", titles=["销售顾问"])

    def fill(at):
        at.text_input(key="sr_phone").input("13912345678").run()
        at.text_input(key="sr_name").set_value("钱女士")
        at.text_input(key="sr_matter").set_value("RAV4 试驾")
        at.selectbox(key="pp.receiver.sr_receiver_walk_in_0").set_value(consultant.id)

    at = open_page("pages/showroom_register.py", "staff")
    fill(at)
    submit(at, "登记")
    assert not at.exception and not at.error
    assert [at.text_input(key=k).value for k in ("sr_phone", "sr_name", "sr_matter")] == ["", "", ""]
    fill(at)
    submit(at, "登记")
    message = at.error[0].value
    assert "已在" in message and "staff用户" in message and "顾问一" in message, message
    assert at.text_input(key="sr_name").value == "钱女士"
    assert len(showroom_read.day_sheet(engine, actor=users["staff"]).contacts) == 1


def test_T2_register_pickers_offer_receivers_with_staff_number_and_not_a_namesake_operator(app_db):
    from db.engine import session_scope
    from db.models import User

    engine, users = app_db
    open_hours(engine, users["admin"])
    consultant = make_user(engine, username="c1", name="张伟", titles=["销售顾问"])
    make_user(engine, username="op", name="张伟", titles=["中控员"])
    with session_scope(engine) as session:
        session.get(User, consultant.id).staff_no = "S007"
    at = open_page("pages/showroom_register.py", "staff")
    for key in ("pp.receiver.sr_receiver_walk_in_0", "pp.receiver.sr_requested"):
        box = at.selectbox(key=key)
        assert box.options == ["张伟（S007）"], box.options
    at = open_page("pages/access_log.py", "staff")
    escorts = " ".join(at.selectbox(key="pp.staff.ac_escort").options)
    assert "staff用户" in escorts and "display用户" not in escorts, escorts


def test_T25_a_released_customer_is_said_to_have_no_owner(app_db):
    engine, users = app_db
    open_hours(engine, users["admin"])
    consultant = make_user(engine, username="c1", name="顾问一", titles=["销售顾问"])
    zone, today = office_zone_now(engine)
    past = dt.datetime.combine(today - dt.timedelta(days=10), dt.time(10), tzinfo=zone)
    showroom.register_contact(engine, actor=users["staff"], now=past, form=showroom.RegisterForm(
        channel=Channel.walk_in.value, customer_name="周先生", phone="13700001111", matter="询价",
        visit_date=past.date(), receiver_id=consultant.id))
    at = open_page("pages/showroom_register.py", "staff")
    at.text_input(key="sr_phone").input("13700001111").run()
    text = " ".join(i.value for i in at.info)
    assert "已释放，当前无归属" in text and "原归属 顾问一" in text and "当前归属 顾问一" not in text, text
    at = open_page("pages/showroom_customers.py", "c1")
    at.text_input(key="mc_phone").set_value("13700001111")
    submit(at, "查询")
    heads = " ".join(m.value for m in at.markdown)
    assert "已释放，当前无归属" in heads and "当前归属 顾问一" not in heads, heads


def test_T19_a_customer_name_with_markdown_is_shown_as_typed(app_db):
    engine, users = app_db
    open_hours(engine, users["admin"])
    consultant = make_user(engine, username="c1", name="顾问一", titles=["销售顾问"])
    at = open_page("pages/showroom_register.py", "staff")
    at.text_input(key="sr_phone").input("13912345678").run()
    at.text_input(key="sr_name").set_value("[王](http://x) 1.")
    at.text_input(key="sr_matter").set_value("试驾")
    at.selectbox(key="pp.receiver.sr_receiver_walk_in_0").set_value(consultant.id)
    submit(at, "登记")
    done = [s.value for s in at.success if "顾问一" in s.value]
    assert done and "\\[王\\]\\(http\\:" in done[0], done


def test_R10_a_walk_in_registered_from_a_screen_the_queue_has_left_is_refused_naming_who_is_due(app_db):
    """R10: the register page carries the queue step it showed; another desk records a walk-in for the same
    holder first, so this registration is refused naming who is due now, saves nothing and keeps the form."""
    from lib.services import rotation

    engine, users = app_db
    open_hours(engine, users["admin"])
    boss = make_user(engine, username="boss", role="supervisor", name="经理甲", titles=["销售经理"])
    people = [make_user(engine, username=f"c{i}", name=f"顾问{i}", titles=["销售顾问"]) for i in (1, 2, 3)]
    rotation.record_draw(engine, actor=boss, method="recorded", consultant_ids=[p.id for p in people])
    at = open_page("pages/showroom_register.py", "boss")
    at.text_input(key="sr_phone").input("13900002222").run()
    assert not at.exception and any("顾问1" in i.value for i in at.info)
    other_desk = showroom.board_holders(engine, actor=boss)  # the same step, on another screen
    showroom.register_contact(engine, actor=boss, queue_tap=True, holders=other_desk, seen_seq=other_desk.seq,
                              form=showroom.RegisterForm(channel=Channel.walk_in.value, customer_name="赵先生",
                                                         phone="13700001111", matter="看车",
                                                         visit_date=office_zone_now(engine)[1]))
    at.text_input(key="sr_name").set_value("钱女士")
    at.text_input(key="sr_matter").set_value("RAV4 试驾")
    submit(at, "登记")
    assert not at.exception
    message = at.error[0].value
    assert "顾问1 刚刚接待了这批新客户" in message and "现在轮到 顾问2" in message, message
    assert at.text_input(key="sr_name").value == "钱女士"
    assert [c.customer_name for c in showroom_read.day_sheet(engine, actor=boss).contacts] == ["赵先生"]
