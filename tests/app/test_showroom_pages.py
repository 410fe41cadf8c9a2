"""Showroom pages through AppTest: registration, the day sheet and its lock, my customers, disputes,
the access register, receptions and enquiries (SPEC M2.3-M2.5)."""

from __future__ import annotations

import datetime as dt
import time

from lib.domain.customers import Channel
from lib.services import access_log, reception_desk, settings, showroom, showroom_enquiries, showroom_read
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
    at.selectbox(key="sr_receiver_walk_in_0").set_value(consultant.id)  # no queue today: picked by hand
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


def test_S29_manager_signs_the_sheet_and_the_page_shows_the_lock(app_db):
    engine, users = app_db
    open_hours(engine, users["admin"])
    consultant = make_user(engine, username="c1", name="顾问一", titles=["销售顾问"])
    make_user(engine, username="mgr", role="supervisor", name="经理甲", titles=["销售经理"])
    register(engine, users["staff"], consultant)
    at = open_page("pages/showroom_daysheet.py", "c1")
    assert [m.value for m in at.metric][:3] == ["1", "0", "1"]
    at.text_area(key="ds_details").set_value("试驾卡罗拉，已报价")
    submit(at, "保存")
    assert not at.exception and [s.value for s in at.success] == ["具体事宜已保存。"]
    assert not [b for b in at.button if b.label == "签字并锁定"]  # a consultant cannot sign
    at = open_page("pages/showroom_daysheet.py", "mgr")
    submit(at, "签字并锁定")
    assert not at.exception
    assert any("签字锁定" in s.value for s in at.success)
    at = open_page("pages/showroom_daysheet.py", "c1")
    assert not [b for b in at.button if b.label == "保存"]
    assert any("签字锁定" in s.value for s in at.success)


def test_admin_corrects_a_locked_row_with_a_reason(app_db):
    engine, users = app_db
    open_hours(engine, users["admin"])
    consultant = make_user(engine, username="c1", name="顾问一", titles=["销售顾问"])
    manager = make_user(engine, username="mgr", role="supervisor", name="经理甲", titles=["销售经理"])
    register(engine, users["staff"], consultant)
    _zone, today = office_zone_now(engine)
    showroom.sign_day(engine, actor=manager, day=today, traffic_count=1)
    at = open_page("pages/showroom_daysheet.py", "admin")
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
    assert any("没有已签字" in i.value for i in at.info)  # today is not signed yet: no evidence
    assert len(at.dataframe) == 1  # the dispute list


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
