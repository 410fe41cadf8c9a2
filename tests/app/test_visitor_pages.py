"""Visitor pages through AppTest: still-on-site warning (T4), expected visitors, kiosk and its links (T21),
pickers (T2), plain text (T19), row clicks (T17)."""

import datetime as dt

from streamlit.testing.v1 import AppTest

from lib.domain.visitors import VisitorForm
from lib.services.visitors import kiosk as visitor_kiosk
from lib.services.visitors import prereg as visitor_prereg
from lib.services.visitors import register as visitors
from tests.app.conftest import ROOT, open_page


def submit(at, label):
    next(b for b in at.button if b.label == label).click().run()


def select_row(at, key, index=0):
    at.session_state[f"{key}_rows"] = {"selection": {"rows": [index], "columns": []}}
    at.run()


def fill(at, **values):
    for key, value in values.items():
        at.text_input(key=key).set_value(value)


def test_T4_second_check_in_warns_and_one_click_checks_the_first_visit_out(app_db):
    engine, users = app_db
    first = visitors.register_visitor(engine, actor=users["supervisor"], form=VisitorForm(
        name="张三", headcount=1, purpose="送货", company="华为", phone="13800138000"))
    at = open_page("pages/visitors.py", "staff")
    fill(at, v_name="张三", v_purpose="再次来访", v_company="华为")
    submit(at, "登记来访")
    assert not at.exception
    assert any("未签离" in w.value for w in at.warning)
    assert [r.id for r in visitors.on_site(engine, actor=users["staff"])] == [first]
    assert at.text_input(key="v_purpose").value == "再次来访"  # nothing typed is lost
    submit(at, "先签离上一次，再登记")
    assert not at.exception
    rows = visitors.on_site(engine, actor=users["staff"])
    assert [(r.name, r.purpose) for r in rows] == [("张三", "再次来访")]
    assert "来访已登记。" in [s.value for s in at.success]
    assert not any("未签离" in w.value for w in at.warning)


def test_T4_cancel_keeps_the_form_and_writes_nothing(app_db):
    engine, users = app_db
    visitors.register_visitor(engine, actor=users["staff"], form=VisitorForm(name="张三", headcount=1, purpose="x"))
    at = open_page("pages/visitors.py", "staff")
    fill(at, v_name="张三", v_purpose="y")
    submit(at, "登记来访")
    submit(at, "取消")
    assert not at.exception and not at.warning
    assert at.text_input(key="v_name").value == "张三"
    assert len(visitors.on_site(engine, actor=users["staff"])) == 1


def test_T4_staff_search_today_by_name(app_db):
    engine, users = app_db
    visitors.register_visitor(engine, actor=users["staff"], form=VisitorForm(name="王小二", headcount=1,
                                                                             purpose="面试", company="京东"))
    at = open_page("pages/visitors.py", "staff")
    assert any(tab.label == "查询" for tab in at.tabs)
    at.text_input(key="v_q").set_value("京东")
    submit(at, "查询")
    assert not at.exception and not at.error
    assert "王小二" in at.dataframe[-1].value.to_string()


def test_T19_T17_a_visitor_named_like_a_link_stays_text_and_opens_by_row_click(app_db):
    engine, users = app_db
    entry = visitors.register_visitor(engine, actor=users["staff"], form=VisitorForm(
        name="http://x", headcount=1, purpose="[点我](http://evil)", host_id=users["supervisor"].id))
    at = open_page("pages/visitors.py", "staff", state={"v_tabs": "当日名单"})
    select_row(at, "v_day_t")  # the day list opens a visit by a click on its row
    assert not at.exception
    markdown = " ".join(m.value for m in [*at.markdown, *at.caption, *at.info, *at.success, *at.warning])
    assert "http://x" not in markdown and "http://evil" not in markdown
    assert any("http://x" in t.value for t in at.text)
    assert at.get("download_button")  # the badge
    at.button(key=f"out_day_{entry}").click().run()
    assert visitors.on_site(engine, actor=users["staff"]) == []


def test_T2_host_and_relay_pickers_offer_only_active_staff(app_db):
    engine, users = app_db
    at = open_page("pages/visitors.py", "staff")
    options = at.selectbox(key="pp.staff.v_host").options
    assert any("supervisor用户" in o for o in options) and any("staff用户" in o for o in options)
    assert not any("display用户" in o or "管理员" in o for o in options)
    at = open_page("pages/messages.py", "staff")
    assert not any("display用户" in o for o in at.selectbox(key="pp.staff.m_relay_to").options)


def test_T21_prereg_page_books_a_visitor_with_a_code_and_qr(app_db):
    engine, users = app_db
    at = open_page("pages/visitor_prereg.py", "staff")
    assert at.selectbox(key="pp.staff.pr_host").value == users["staff"].id  # host = self by default
    fill(at, pr_name="赵六", pr_purpose="签约", pr_company="小米")
    submit(at, "登记预约")
    assert not at.exception and not at.error
    [booking] = visitor_prereg.expected_today(engine, actor=users["staff"])
    assert (booking.name, booking.host_id) == ("赵六", users["staff"].id)
    assert booking.code in [c.value for c in at.code]
    assert "Image()" in repr(at)  # the QR code (AppTest has no typed accessor for st.image)
    assert at.text_input(key="pr_name").value == ""


def test_T21_prereg_page_guard_and_bad_input(app_db):
    at = open_page("pages/visitor_prereg.py", "display")
    assert at.error and not at.get("form")
    at = open_page("pages/visitor_prereg.py", "supervisor")
    fill(at, pr_purpose="签约")
    submit(at, "登记预约")
    assert "来访人姓名" in at.error[0].value
    assert at.text_input(key="pr_purpose").value == "签约"


def _book(engine, users):
    from lib.domain.visitors import PreregForm
    from lib.services.settings import office_zone_now

    _, today = office_zone_now(engine)
    return visitor_prereg.create_prereg(engine, actor=users["supervisor"], form=PreregForm(
        name="钱七", purpose="面试", company="腾讯", phone="13700137000", expected_day=today,
        host_id=users["supervisor"].id))


def test_T21_desk_checks_a_booked_visitor_in_from_the_code_with_the_form_pre_filled(app_db):
    engine, users = app_db
    booking = _book(engine, users)
    at = open_page("pages/visitors.py", "staff")
    at.text_input(key="p_code").set_value(booking.code.lower())
    submit(at, "查找预约")
    assert not at.exception and not at.error
    assert at.text_input(key="p_name").value == "钱七"
    assert at.selectbox(key="pp.staff.p_host").value == users["supervisor"].id
    submit(at, "确认到访并登记")
    assert not at.exception and not at.error
    rows = visitors.on_site(engine, actor=users["staff"])
    assert [(r.name, r.host_id, r.has_appointment) for r in rows] == [("钱七", users["supervisor"].id, True)]
    assert visitor_prereg.expected_today(engine, actor=users["staff"]) == []


def test_T21_desk_confirms_a_kiosk_sign_in_by_clicking_its_row(app_db):
    engine, users = app_db
    _, token = visitor_kiosk.create_kiosk(engine, actor=users["admin"], label="大门")
    visitor_kiosk.kiosk_sign_in(engine, kiosk=visitor_kiosk.kiosk_access(engine, token), host_text="supervisor用户",
                                form=VisitorForm(name="孙八", headcount=2, purpose="参观"))
    at = open_page("pages/visitors.py", "staff")
    assert visitors.on_site(engine, actor=users["staff"]) == []
    select_row(at, "k_table_0")
    assert at.text_input(key="k_name").value == "孙八"
    assert at.selectbox(key="pp.staff.k_host").value == users["supervisor"].id
    submit(at, "确认签到并登记")
    assert not at.exception and not at.error
    assert [(r.name, r.headcount) for r in visitors.on_site(engine, actor=users["staff"])] == [("孙八", 2)]
    assert visitor_kiosk.pending_sign_ins(engine, actor=users["staff"]) == []


def open_kiosk(token):
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=10)
    at.query_params["token"] = token
    return at.run()


def test_T21_kiosk_token_opens_only_the_kiosk_and_a_sign_in_waits_for_the_desk(app_db):
    engine, users = app_db
    _, token = visitor_kiosk.create_kiosk(engine, actor=users["admin"], label="大门")
    at = open_kiosk(token)
    assert not at.exception
    assert at.title[0].value == "欢迎来访，请签到"
    assert not at.sidebar.children or not list(at.sidebar)  # no menu, no logout
    assert not any(b.label in ("登录", "退出登录") for b in at.button)
    fill(at, kq_name="周九", kq_purpose="送货", kq_host="staff用户")
    [b for b in at.button if b.label == "签到"][1].click().run()  # the second tab: sign in without a code
    assert not at.exception and not at.error
    assert any("谢谢" in s.value for s in at.success)
    assert at.text_input(key="kq_name").value == ""  # cleared for the next visitor
    assert [p.name for p in visitor_kiosk.pending_sign_ins(engine, actor=users["staff"])] == ["周九"]
    assert visitors.on_site(engine, actor=users["staff"]) == []


def test_T21_revoked_kiosk_link_says_it_is_revoked_not_a_login_form(app_db):
    engine, users = app_db
    kiosk_id, token = visitor_kiosk.create_kiosk(engine, actor=users["admin"], label="大门")
    visitor_kiosk.revoke_kiosk(engine, actor=users["admin"], kiosk_id=kiosk_id)
    at = open_kiosk(token)
    assert not at.exception
    assert "已被停用" in at.error[0].value
    assert not at.text_input and not at.get("form")


def test_T21_admin_creates_and_revokes_kiosk_links_others_see_the_guard(app_db):
    engine, users = app_db
    at = open_page("pages/visitor_kiosks.py", "admin")
    at.text_input(key="kl_label").set_value("前门平板")
    submit(at, "生成自助签到链接")
    assert not at.exception
    url = at.code[0].value
    assert "/kiosk?token=" in url
    token = url.split("token=")[1]
    assert visitor_kiosk.kiosk_access(engine, token).state is visitor_kiosk.KioskState.VALID
    select_row(at, "kl_table")
    submit(at, "停用此链接")
    submit(at, "确定")
    assert not at.exception
    assert visitor_kiosk.kiosk_access(engine, token).state is visitor_kiosk.KioskState.REVOKED
    for role in ("supervisor", "staff"):
        at = open_page("pages/visitor_kiosks.py", role)
        assert at.error and not at.text_input


def test_L2_the_lists_run_only_while_their_tab_is_open_and_nothing_typed_or_chosen_is_lost(app_db):
    """Issue 13 L2: 在场访客 and 当日名单 run only while open (a click no longer pays for every list of the
    page); the check-in form is drawn on every tab, so what the desk typed survives a check-out on 在场访客;
    a supervisor's chosen day survives a visit to another tab."""
    engine, users = app_db
    entry = visitors.register_visitor(engine, actor=users["staff"], form=VisitorForm(
        name="李四", headcount=1, purpose="面试"))
    at = open_page("pages/visitors.py", "staff")
    assert [tab.label for tab in at.tabs][:4] == ["登记", "今日预约", "自助签到待确认", "在场访客"]
    assert not [b for b in at.button if b.key == f"out_{entry}"] and not at.dataframe  # the lists did not run
    at.session_state["v_tabs"] = "在场访客"
    at.run()
    # the check-in form is still drawn (in its closed tab): in a browser, what was typed there stays put
    assert [w.key for w in at.text_input if w.key in ("v_name", "v_purpose")] == ["v_name", "v_purpose"]
    at.button(key=f"out_{entry}").click().run()
    assert not at.exception and visitors.on_site(engine, actor=users["staff"]) == []

    boss = open_page("pages/visitors.py", "supervisor", state={"v_tabs": "当日名单"})
    yesterday = boss.date_input(key="v_day").value - dt.timedelta(days=1)
    boss.date_input(key="v_day").set_value(yesterday).run()
    boss.session_state["v_tabs"] = "登记"
    boss.run()
    assert not [d for d in boss.date_input if d.key == "v_day"]
    boss.session_state["v_tabs"] = "当日名单"
    boss.run()
    assert boss.date_input(key="v_day").value == yesterday and not boss.exception
