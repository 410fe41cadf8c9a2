"""Forms through AppTest: a good submission writes (checked through a service); bad input shows a
clear error and keeps everything typed."""

from lib.services import accounts, settings
from lib.services.visitors import register as visitors
from tests.app.conftest import open_page


def fill_visitor(at, **values):
    for key, value in values.items():
        widget = at.number_input(key=key) if key == "v_headcount" else at.text_input(key=key)
        widget.set_value(value)


def submit(at, label):
    next(b for b in at.button if b.label == label).click().run()


def test_S21_visitor_form_writes_and_clears(app_db):
    engine, users = app_db
    at = open_page("pages/visitors.py", "staff")
    fill_visitor(at, v_name="张三", v_purpose="商务洽谈", v_company="华为", v_headcount=3)
    submit(at, "登记来访")
    assert not at.exception
    assert [s.value for s in at.success] == ["来访已登记。"]
    rows = visitors.on_site(engine, actor=users["staff"])
    assert [(r.name, r.headcount, r.company) for r in rows] == [("张三", 3, "华为")]
    assert at.text_input(key="v_name").value == ""


def test_S21_bad_visitor_input_says_what_to_fix_and_keeps_values(app_db):
    engine, users = app_db
    at = open_page("pages/visitors.py", "staff")
    fill_visitor(at, v_name="", v_purpose="面试<b>x</b>", v_company="某公司", v_headcount=0)
    at.text_input(key="v_phone").set_value("12345")
    submit(at, "登记来访")
    assert not at.exception
    message = at.error[0].value
    assert "来访人姓名" in message and "必填" in message
    assert "人数" in message and "1–200" in message
    assert "电话" in message and "手机为 11 位" in message
    assert at.text_input(key="v_purpose").value == "面试<b>x</b>"
    assert at.text_input(key="v_company").value == "某公司"
    assert visitors.on_site(engine, actor=users["staff"]) == []


def test_returning_visitor_pre_fills_the_form(app_db):
    engine, users = app_db
    from lib.domain.visitors import VisitorForm

    visitors.register_visitor(engine, actor=users["staff"], form=VisitorForm(
        name="老客户", headcount=1, purpose="送货", company="京东", phone="13800138000"))
    at = open_page("pages/visitors.py", "staff")
    at.text_input(key="v_phone").input("138 0013 8000").run()
    assert at.text_input(key="v_name").value == "老客户"
    assert at.text_input(key="v_company").value == "京东"
    assert any("老访客" in i.value for i in at.info)


def test_check_out_button_checks_the_visitor_out(app_db):
    engine, users = app_db
    from lib.domain.visitors import VisitorForm

    entry = visitors.register_visitor(engine, actor=users["staff"], form=VisitorForm(
        name="李四", headcount=1, purpose="面试"))
    at = open_page("pages/visitors.py", "staff", state={"v_tabs": "在场访客"})
    at.button(key=f"out_{entry}").click().run()
    assert not at.exception
    assert visitors.on_site(engine, actor=users["staff"]) == []


def test_S23_message_form_and_relay(app_db):
    engine, users = app_db
    at = open_page("pages/messages.py", "staff")
    at.text_input(key="m_caller").set_value("赵六")
    at.text_area(key="m_matter").set_value("请回电")
    at.selectbox(key="pp.staff.m_relay_to").set_value(users["supervisor"].id)
    submit(at, "保存留言")
    assert not at.exception
    board = visitors.message_board(engine, actor=users["staff"])
    assert [(m.caller_name, m.matter, m.status) for m in board] == [("赵六", "请回电", "unrelayed")]
    at.button(key=f"relay_{board[0].id}").click().run()
    assert visitors.message_board(engine, actor=users["staff"])[0].status == "relayed"


def test_S23_message_without_target_is_refused_with_values_kept(app_db):
    engine, users = app_db
    at = open_page("pages/messages.py", "staff")
    at.text_input(key="m_caller").set_value("赵六")
    submit(at, "保存留言")
    assert "请选择要转达的人" in at.error[0].value and "事由" in at.error[0].value
    assert at.text_input(key="m_caller").value == "赵六"
    assert visitors.message_board(engine, actor=users["staff"]) == []


def test_admin_creates_a_user_and_a_clash_is_explained(app_db):
    engine, users = app_db
    at = open_page("pages/admin_users.py", "admin")
    at.text_input(key="uc_username").set_value("staff")
    at.text_input(key="uc_name").set_value("重名")
    at.text_input(key="uc_password").set_value("password1")
    at.text_input(key="uc_repeat").set_value("password1")
    submit(at, "新建用户")
    assert "该用户名已被使用" in at.error[0].value
    at.text_input(key="uc_username").set_value("newbie")
    submit(at, "新建用户")
    assert not at.exception
    assert accounts.load_actor(engine, "newbie").name == "重名"


def test_admin_changes_a_setting_and_bad_values_are_refused(app_db):
    engine, users = app_db
    at = open_page("pages/admin_settings.py", "admin")
    at.selectbox(key="s_key").set_value("office.timezone").run()
    at.text_input(key="s_val_0_office.timezone").set_value("Mars/Base")
    submit(at, "保存")
    assert "未知的时区" in at.error[0].value
    at.selectbox(key="s_key").set_value("phone.relay_overdue").run()
    at.number_input(key="s_val_0_phone.relay_overdue").set_value(4)
    submit(at, "保存")
    assert next(r.value for r in settings.list_settings(engine) if r.key == "phone.relay_overdue") == 4


def test_audit_page_lists_and_offers_export(app_db):
    at = open_page("pages/admin_audit.py", "supervisor")
    assert not at.exception
    assert len(at.dataframe) == 1
    assert {"导出 Excel", "导出 CSV"} <= {b.label for b in at.get("download_button")}
