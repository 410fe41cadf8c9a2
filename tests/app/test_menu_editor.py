"""AppTest: the admin's job-menu editor offers departments by name (issue 15 M5; nav.job_pages rows may hold
``dept:<org-unit id>`` among their titles, lib.domain.menus), keeps values already saved, and a row naming a
department is saved."""

from __future__ import annotations

import json

from db.engine import session_scope
from db.models import OrgUnit
from lib.domain.menus import KEY
from lib.services import settings
from tests.app.conftest import open_page


def _department(engine, name: str) -> int:
    with session_scope(engine) as session:
        unit = OrgUnit(kind="department", name=name)
        session.add(unit)
        session.flush()
        return unit.id


def test_M5_the_menu_editor_offers_departments_by_name_and_saves_a_department_row(app_db):
    engine, users = app_db
    front = _department(engine, "前台")
    row = [{"titles": ["部门经理", f"dept:{front}"], "pages": ["visitors"]}, {"titles": ["dept:999"], "pages": []}]
    settings.change_setting(engine, actor=users["admin"], key=KEY, value=row, reason="M5 start")

    at = open_page("pages/admin_settings.py", "admin")
    at.selectbox(key="s_key").set_value(KEY).run()
    assert not at.exception
    editor = at.get("dataframe")[-1]  # the grid editor in the form (the settings table is the first)
    config = json.loads(editor.proto.columns)
    titles = json.dumps(config, ensure_ascii=False)
    assert f"dept:{front}" in titles and "部门：前台" in titles  # offered, labelled by its name
    assert "dept:999" in titles  # a saved value no longer offered is kept, not dropped
    assert any("也可选部门" in c.value for c in at.caption)

    at.text_input(key="s_reason_0").set_value("M5 save")
    next(b for b in at.button if "setting_form_" in b.proto.form_id).click().run()
    assert not at.exception and not at.error
    saved = {r.key: r for r in settings.list_settings(engine)}[KEY].value
    assert saved == row  # the department rows went through the grid and the schema check unchanged
