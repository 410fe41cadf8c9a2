"""Admin pages through AppTest: titles from the managed list and training on the users page (T13), typed
settings widgets (T15), the audit log in the user's language (T15)."""

import datetime as dt

from lib.services import accounts, settings
from tests.app.conftest import open_page


def submit(at, label):
    next(b for b in at.button if b.label == label).click().run()


def pick_row(at, key, index):
    at.session_state[f"{key}_rows"] = {"selection": {"rows": [index], "columns": []}}
    at.run()


def test_T13_new_user_titles_are_picked_from_the_managed_list(app_db):
    engine, users = app_db
    at = open_page("pages/admin_users.py", "admin")
    titles = at.multiselect(key="uc_titles")
    assert titles.options == settings.managed_titles(engine)
    assert not [w for w in at.text_input if w.key == "uc_titles"], "titles are not typed as free text"
    at.text_input(key="uc_username").set_value("wx")
    at.text_input(key="uc_name").set_value("王修")
    titles.set_value(["维修人员", "客服工程师"])
    at.text_input(key="uc_password").set_value("password1")
    at.text_input(key="uc_repeat").set_value("password1")
    submit(at, "新建用户")
    assert not at.exception and not at.error
    assert accounts.load_actor(engine, "wx").titles == ("客服工程师", "维修人员")
    assert at.multiselect(key="uc_titles").value == [], "the form is cleared after a save"


def test_T13_admin_edits_titles_training_and_certificate_of_the_clicked_user(app_db):
    engine, users = app_db
    post = accounts.save_org_unit(engine, actor=users["admin"], form=accounts.OrgForm(kind="post", name="中控室"))
    at = open_page("pages/admin_users.py", "admin")
    assert any("点击上方表格" in i.value for i in at.info)
    index = [u.id for u in accounts.list_users(engine)].index(users["staff"].id)
    pick_row(at, "u_table", index)
    prefix = f"ue{users['staff'].id}_"
    at.multiselect(key=f"{prefix}titles").set_value(["中控员"])
    at.multiselect(key=f"{prefix}posts").set_value([post])
    at.date_input(key=f"{prefix}cert").set_value(dt.date(2027, 3, 31))
    submit(at, "保存")
    assert not at.exception and not at.error, [e.value for e in at.error]
    row = next(u for u in accounts.list_users(engine) if u.id == users["staff"].id)
    assert (row.titles, row.trained_posts, row.cert_valid_until) == (("中控员",), (post,), dt.date(2027, 3, 31))
    assert [s.value for s in at.success] == ["已保存。"]


def test_T15_audit_log_reads_in_the_users_language_with_field_before_after_lines(app_db):
    engine, users = app_db
    admin = users["admin"]
    staff = next(u for u in accounts.list_users(engine) if u.id == users["staff"].id)
    accounts.update_user(engine, actor=admin, user_id=staff.id, form=accounts.UserForm(
        username=staff.username, name="新名字", role=staff.role, titles=("维修人员",)))
    settings.change_setting(engine, actor=admin, key="phone.relay_overdue", value=4, reason="新规定")
    at = open_page("pages/admin_audit.py", "admin")
    assert not at.exception
    frame = at.dataframe[0].value
    assert {"修改", "首次设置管理员"} <= {row["操作"] for row in frame.to_dict("records")}
    user_row = next(r for r in frame.to_dict("records") if r["对象"] == "用户" and r["操作"] == "修改")
    assert "姓名：staff用户 → 新名字" in user_row["修改内容"].split("\n")
    assert "职务：（空） → 维修人员" in user_row["修改内容"].split("\n")
    setting_row = next(r for r in frame.to_dict("records") if r["对象"] == "参数")
    assert (setting_row["编号"], setting_row["修改内容"], setting_row["原因"]) == ("phone.relay_overdue", "值：2 → 4",
                                                                                "新规定")
    assert "修改" in at.selectbox(key="a_action").options and "login_failed" not in at.selectbox(key="a_action").options


def test_T15_audit_log_in_english(app_db):
    engine, users = app_db
    accounts.set_language(engine, actor=users["admin"], lang="en")
    at = open_page("pages/admin_audit.py", "admin")
    records = at.dataframe[0].value.to_dict("records")
    assert {"Language changed", "First admin created"} <= {r["Action"] for r in records}
    assert "lang: zh_CN → en" in [r["Changes"] for r in records]


def _open_setting(at, key):
    at.selectbox(key="s_key").set_value(key).run()
    assert not at.exception, at.exception


def test_T15_every_setting_is_edited_with_a_typed_widget_never_raw_json(app_db):
    engine, users = app_db
    at = open_page("pages/admin_settings.py", "admin")
    kinds = {r.key: r.kind for r in settings.list_settings(engine)}
    for key, kind in kinds.items():
        _open_setting(at, key)
        typed_text = [w for w in at.text_input if w.key and w.key.startswith("s_val_")]
        if kind == "str":
            assert len(typed_text) == 1, key
        else:
            assert typed_text == [], f"{key} ({kind}) is edited as typed text"
        expected = {"int": "number_input", "float": "number_input", "bool": "toggle", "time": "time_input"}.get(kind)
        if expected:
            assert [w.key for w in at.get(expected) if w.key.startswith("s_val_")] == [f"s_val_0_{key}"], key
        if kind == "titles" and key != "org.titles":
            assert at.multiselect(key=f"s_val_0_{key}").options[:3] == settings.managed_titles(engine)[:3]
        assert at.get("json") == [], f"{key} fell back to showing JSON"
        if key in ("access.matrix", "holidays", "org.titles"):
            assert len(at.dataframe) == 2, f"{key} is edited in a grid under the overview table"


def test_T15_typed_values_are_saved_and_audited(app_db):
    engine, users = app_db
    at = open_page("pages/admin_settings.py", "admin")
    _open_setting(at, "phone.relay_overdue")
    at.number_input(key="s_val_0_phone.relay_overdue").set_value(4)
    at.text_input(key="s_reason_0").set_value("新规定")
    submit(at, "保存")
    assert not at.error and [s.value for s in at.success] == ["参数已更新，立即生效。"]
    _open_setting(at, "repair.dispatcher_titles")
    at.multiselect(key="s_val_1_repair.dispatcher_titles").set_value(["客服部经理", "部门经理"])
    submit(at, "保存")
    values = {r.key: r.value for r in settings.list_settings(engine)}
    assert values["phone.relay_overdue"] == 4
    assert values["repair.dispatcher_titles"] == ["客服部经理", "部门经理"]
    time_key = "workday_start"  # moved earlier stays inside the workday (R8 cross rules)
    _open_setting(at, time_key)
    at.time_input(key=f"s_val_2_{time_key}").set_value(dt.time(7, 45))
    submit(at, "保存")
    assert {r.key: r.value for r in settings.list_settings(engine)}[time_key] == dt.time(7, 45)


def test_T15_a_refused_value_says_why_and_keeps_what_was_typed(app_db):
    engine, users = app_db
    at = open_page("pages/admin_settings.py", "admin")
    _open_setting(at, "office.timezone")
    at.text_input(key="s_val_0_office.timezone").set_value("Mars/Base")
    submit(at, "保存")
    assert "时区" in at.error[0].value  # says what is wrong (an unknown zone) ...
    assert at.text_input(key="s_val_0_office.timezone").value == "Mars/Base"  # ... and keeps what was typed
    assert {r.key: r.value for r in settings.list_settings(engine)}["office.timezone"] == "Asia/Shanghai"
