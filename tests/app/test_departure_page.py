"""Leaving the company on the admin users page (issue 16, D5 AppTest): a held person's holds are listed, the
deactivation is refused without a reason and goes through with one."""

import datetime as dt

from lib.services import accounts
from lib.services import registers as R
from tests.app.conftest import open_page


def click(at, label):
    found = [b for b in at.button if b.label == label]
    assert found, [b.label for b in at.button]
    found[0].click().run()


def test_D5_users_page_lists_holds_and_asks_for_a_reason(app_db):
    engine, users = app_db
    staff = users["staff"]
    R.create_entry(engine, actor=staff, register="laptop_loan", values={
        "borrower_id": staff.id, "asset_no": "NB-009", "purpose": "出差",
        "lent_at": dt.datetime.now(dt.timezone.utc)})
    at = open_page("pages/admin_users.py", "admin")
    index = [u.id for u in accounts.list_users(engine)].index(staff.id)
    at.session_state["u_table_rows"] = {"selection": {"rows": [index], "columns": []}}
    at.run()
    assert any("仍有 1 项未交接" in w.value for w in at.warning), [w.value for w in at.warning]
    assert any("笔记本电脑" in m.value for m in at.text)  # shown as plain text, never Markdown
    click(at, "停用账号")
    click(at, "确定")
    assert not at.exception
    assert any("须填写原因" in e.value for e in at.error), [e.value for e in at.error]
    assert next(u for u in accounts.list_users(engine) if u.id == staff.id).active
    at.text_input(key=f"leave_reason_{staff.id}").set_value("当日离职,电脑由主管代收").run()
    if not [b for b in at.button if b.label == "确定"]:
        click(at, "停用账号")
    click(at, "确定")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert not next(u for u in accounts.list_users(engine) if u.id == staff.id).active
