"""KPI, ledger and wall pages through AppTest (SPEC M4): the display token reaches only the wall and a
revoked one nothing (S55), forms write through the services, bad input keeps what was typed."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from db.engine import session_scope
from db.models import User
from lib.domain.errors import ValidationFailed
from lib.services import ledger, settings
from lib.services.kpi import rankings as kpi
from lib.services.kpi import warning_cases as kpi_warnings
from lib.services.settings import office_zone_now
from lib.services.kpi.common import quarter_bounds
from lib.views.kpi.common import previous_quarter
from tests.app.conftest import ROOT, open_page
from tests.db.test_kpi_db import survey
from tests.db.helpers import make_user
from tests.app.test_wall_pages import PHONE, html_text, input_count, last_month, wall

KPI_FORM_PAGES = ["pages/kpi_dashboard.py", "pages/sales_ranking.py", "pages/quarterly.py", "pages/ledger.py",
                  "pages/warning_cases.py", "pages/catalogue.py", "pages/display_links.py"]
@pytest.fixture
def floor(app_db):
    """Three consultants with sales last month; one has a phone number typed into his name."""
    engine, users = app_db
    people = [make_user(engine, username=f"c{i}", name=name, titles=("销售顾问",))
              for i, name in enumerate(("张三 13800138000", "李四", "王五"), start=1)]
    kpi.save_sales(engine, actor=users["supervisor"], month=last_month(engine),
                   units={people[0].id: 9, people[1].id: 5, people[2].id: 2})
    settings.change_setting(engine, actor=users["admin"], key="display.panel_order", text='["sales_ranking"]')
    return engine, users, people


# --- the wall and its access -------------------------------------------------------------------------------

def test_S55_display_role_sees_the_wall_and_every_kpi_form_is_denied(floor):
    at = wall(username="display")
    assert [t.value for t in at.title] == ["值班台 · 公开栏"] and input_count(at) == 0
    assert not PHONE.search(html_text(at))
    for path in KPI_FORM_PAGES:
        page = open_page(path, "display")
        assert [e.value for e in page.error] == ["您的角色无权使用此功能。如需权限，请联系管理员。"], path
        assert input_count(page) == 0, path


# --- sales ranking and demotions -----------------------------------------------------------------------------

def test_sales_figures_entered_on_the_page_are_saved_and_ranked(floor):
    engine, users, people = floor
    at = open_page("pages/sales_ranking.py", "supervisor")
    month = last_month(engine)
    prefix = f"sr_u_{month:%Y%m}_"
    at.number_input(key=f"{prefix}{people[2].id}").set_value(12)
    next(b for b in at.button if b.label == "保存销量").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["销量已保存。"]
    view = kpi.sales_month(engine, actor=users["supervisor"], month=month)
    assert [(r.name, r.rank) for r in view.rows][0] == ("王五", 1)


def test_S47_the_manager_confirms_a_demotion_on_the_page_with_a_reason(app_db):
    engine, users = app_db
    people = [make_user(engine, username=f"d{i}", name=f"顾问{i}", titles=("销售顾问",)) for i in range(1, 4)]
    month = last_month(engine)
    before = (month - dt.timedelta(days=1)).replace(day=1)
    for m in (before, month):
        kpi.save_sales(engine, actor=users["supervisor"], month=m, units={people[0].id: 9, people[1].id: 5,
                                                                           people[2].id: 1})
    at = open_page("pages/sales_ranking.py", "supervisor")
    victim = people[2].id
    at.button(key=f"sr_yes_{victim}").click().run()
    assert "原因" in at.error[0].value
    assert kpi.sales_month(engine, actor=users["supervisor"], month=month).candidates[0].decision == "pending"
    at.text_input(key=f"sr_reason_{victim}").input("连续两月末位")
    at.button(key=f"sr_yes_{victim}").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["降级已确认，并已写入排队。"]
    [candidate] = kpi.sales_month(engine, actor=users["supervisor"], month=month).candidates
    assert (candidate.decision, candidate.reason, candidate.in_queue) == ("confirmed", "连续两月末位", True)


def test_staff_see_the_ranking_but_no_entry_or_decision(floor):
    at = open_page("pages/sales_ranking.py", "staff")
    assert not at.exception
    assert not at.number_input and not [b for b in at.button if b.label in ("保存销量", "确认降级")]


# --- ledger ----------------------------------------------------------------------------------------------------

def test_S49_a_proposal_on_the_page_is_confirmed_by_the_general_manager(app_db):
    engine, users = app_db
    gm = make_user(engine, username="gm", role="supervisor", name="总经理", titles=("总经理",))
    at = open_page("pages/ledger.py", "supervisor")
    at.selectbox(key="lp_code").set_value("PH1").run()
    at.selectbox(key="pp.staff.ledger_person").set_value(users["staff"].id)
    next(b for b in at.button if b.label == "提出处理").click().run()
    assert not at.exception and [s.value for s in at.success] == ["已提出，等待决定。"]
    [entry] = ledger.pending(engine, actor=users["supervisor"])
    assert (entry.code, entry.fine, entry.person_id) == ("PH1", 1, users["staff"].id)
    boss = open_page("pages/ledger.py", "supervisor")
    assert any("总经理" in i.value for i in boss.info)
    at = open_page("pages/ledger.py", gm.username)
    at.button(key=f"ld_ledger.confirm_{entry.id}").click().run()
    assert not at.exception
    assert ledger.pending(engine, actor=users["supervisor"]) == []
    mine = open_page("pages/ledger.py", "staff")
    assert not mine.exception and not [b for b in mine.button if b.label == "提出处理"]


def test_a_bad_proposal_says_what_to_fix_and_keeps_the_typed_values(app_db):
    engine, users = app_db
    at = open_page("pages/ledger.py", "supervisor")
    at.selectbox(key="lp_code").set_value("PH3").run()
    at.text_input(key="lp_note").input("摔坏话机")
    next(b for b in at.button if b.label == "提出处理").click().run()
    message = at.error[0].value
    assert "当事人" in message and "金额" in message
    assert at.text_input(key="lp_note").value == "摔坏话机"
    assert ledger.pending(engine, actor=users["supervisor"]) == []


# --- quarterly, warnings, catalogue, links, dashboard ----------------------------------------------------------

def _in_last_quarter(engine) -> dt.datetime:
    _, today = office_zone_now(engine)
    first, _ = quarter_bounds(*previous_quarter(today))
    return dt.datetime.combine(first + dt.timedelta(days=10), dt.time(4), tzinfo=dt.timezone.utc)


def test_T23_nobody_with_scored_work_is_ranked_and_the_page_says_why_and_the_tie_rule(app_db):
    engine, users = app_db
    for i in range(3):
        make_user(engine, username=f"e{i}", name=f"工程师{i}", titles=("客服工程师",))
    at = open_page("pages/quarterly.py", "supervisor")
    assert not at.exception
    assert any("本季度无计分工作，不参与排名" in i.value and "工程师0" in i.value for i in at.info)
    assert any("并列" in c.value and "跳过" in c.value for c in at.caption)
    assert "q_publish" not in [b.key for b in at.button]
    assert not at.dataframe or "¥1,500.00" not in str(at.dataframe[0].value)


def test_S48_publishing_a_finished_quarter_asks_first_then_freezes_it(app_db):
    engine, users = app_db
    for i in range(3):
        engineer = make_user(engine, username=f"e{i}", name=f"工程师{i}", titles=("客服工程师",))
        survey(engine, engineer.id, _in_last_quarter(engine), 8, "satisfied", True, False)
    at = open_page("pages/quarterly.py", "supervisor")
    at.button(key="q_publish").click().run()
    assert at.warning[-1].value.startswith("发布后结果永久冻结")
    at.button(key="q_publish_yes").click().run()
    assert not at.exception
    year, quarter = at.selectbox(key="q_pick").value
    view = kpi.quarter_view(engine, actor=users["staff"], year=year, quarter=quarter)
    assert view.published and [r.rank for r in view.rows] == [1, 1, 1]
    assert any("已于" in s.value for s in open_page("pages/quarterly.py", "staff").success)


def test_S54_a_violation_recorded_on_the_warnings_page_opens_a_case(app_db):
    engine, users = app_db
    at = open_page("pages/warning_cases.py", "supervisor")
    at.selectbox(key="pp.staff.warning_person").set_value(users["staff"].id).run()
    assert at.selectbox(key="w_event").value is None  # T17: nothing that records is preselected
    at.selectbox(key="w_event").set_value(kpi_warnings.VIOLATION)
    at.text_input(key="w_note").input("上班玩游戏")
    next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception
    assert [(c.name, c.stage) for c in kpi_warnings.cases(engine, actor=users["supervisor"])] == [
        ("staff用户", "recorded")]


def test_the_catalogue_editor_saves_a_new_version(app_db):
    engine, users = app_db
    at = open_page("pages/catalogue.py", "admin")
    at.selectbox(key="c_pick").set_value("LG1").run()
    at.number_input(key="c_LG1_points").set_value(-1)
    at.button(key="c_LG1_save").click().run()
    assert not at.exception and [s.value for s in at.success] == ["目录已更新。"]
    line = next(c for c in ledger.catalogue(engine) if c.code == "LG1")
    assert (line.version, line.rule.team_points) == (1, -1)


def test_the_kpi_dashboard_shows_a_month_and_a_quarter(floor):
    at = open_page("pages/kpi_dashboard.py", "supervisor")
    assert not at.exception and at.metric
    assert any("还没有回访" in i.value for i in at.info)
    at.segmented_control(key="kd_kind").set_value("quarter").run()
    assert not at.exception and at.selectbox(key="kd_quarter").value


def test_english_users_get_english_kpi_pages(floor):
    engine, users, _ = floor
    from lib.services.accounts import set_language

    set_language(engine, actor=users["supervisor"], lang="en")
    assert [t.value for t in open_page("pages/sales_ranking.py", "supervisor").title] == ["Sales ranking"]
    with session_scope(engine, write=False) as session:
        assert session.get(User, users["supervisor"].id).lang == "en"


# --- T22, T17, T2: the ledger list ---------------------------------------------------------------------------

def _confirmed_entry(engine, users, code="RR4"):
    gm = make_user(engine, username="gm", role="supervisor", name="总经理", titles=("总经理",))
    _, today = office_zone_now(engine)
    [entry] = ledger.propose_entry(engine, actor=users["supervisor"], person_id=users["staff"].id, code=code,
                                   occurred_on=today)
    ledger.decide_entry(engine, actor=gm, entry_id=entry, confirm=True)
    return gm, entry


def _open_row(username: str, index: int) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages/ledger.py"), default_timeout=10)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state["l_table_rows"] = {"selection": {"rows": [index], "columns": []}}
    at.run()
    return at


def test_T22_T17_a_reversed_entry_opened_from_its_row_shows_reversed_and_offers_no_action(app_db):
    engine, users = app_db
    gm, entry = _confirmed_entry(engine, users)
    undo = ledger.reverse_entry(engine, actor=gm, entry_id=entry, reason="查无实据")
    at = _open_row("supervisor", 1)  # newest first: the reversing line, then the original
    assert not at.exception
    assert any(f"记录 #{entry}" in m.value and "已冲销" in m.value for m in at.markdown)
    assert not [b for b in at.button if b.label == "标记为已收取"]
    assert any(f"#{undo}" in i.value for i in at.info)
    table = at.dataframe[0].value
    assert "已冲销" in list(table["状态"]) and "已确认" not in list(table["状态"])


def test_T17_a_confirmed_entry_opened_from_its_row_is_collected_after_a_confirmation(app_db):
    engine, users = app_db
    _, entry = _confirmed_entry(engine, users)
    at = _open_row("supervisor", 0)
    assert "l_act_id" not in [s.key for s in at.selectbox]  # no picker under the table any more
    at.button(key=f"l_collect_{entry}").click().run()
    assert [r.status for r in ledger.entries(engine, actor=users["supervisor"], first=dt.date(2000, 1, 1),
                                             last=dt.date(2100, 1, 1))] == ["confirmed"]
    at.button(key=f"l_collect_{entry}_yes").click().run()
    assert not at.exception
    assert [r.status for r in ledger.entries(engine, actor=users["supervisor"], first=dt.date(2000, 1, 1),
                                             last=dt.date(2100, 1, 1))] == ["collected"]
    assert any("¥100.00" in m.value for m in (*at.success, *at.toast))


def test_T2_the_ledger_person_picker_offers_active_staff_with_staff_number(app_db):
    engine, users = app_db
    gone = make_user(engine, username="gone", name="离职者")
    with session_scope(engine) as session:
        row = session.get(User, gone.id)
        row.active = False
        session.add(row)
    at = open_page("pages/ledger.py", "supervisor")
    options = at.selectbox(key="pp.staff.ledger_person").options
    assert not any("离职者" in o for o in options) and not any("display" in o for o in options)
    with pytest.raises(ValidationFailed) as refused:
        ledger.propose_entry(engine, actor=users["supervisor"], person_id=gone.id, code="PH1",
                             occurred_on=office_zone_now(engine)[1])
    assert [(e.field, e.key) for e in refused.value.errors] == [("ledger_person", "ledger.person_not_eligible")]


# --- T24, T17: warnings and dismissal flags ---------------------------------------------------------------------

def _lateness_three_times(engine, users):
    _, today = office_zone_now(engine)
    day = today.replace(day=1)
    return [ledger.propose_entry(engine, actor=users["supervisor"], person_id=users["staff"].id, code="AT1",
                                 occurred_on=day)[0] for _ in range(3)]


def test_T24_a_third_lateness_is_waiting_for_a_decision_on_the_warnings_page(app_db):
    engine, users = app_db
    gm = make_user(engine, username="gm", role="supervisor", name="总经理", titles=("总经理",))
    third = _lateness_three_times(engine, users)[-1]
    at = open_page("pages/warning_cases.py", "supervisor")
    assert not at.exception
    assert any("1 项劝退/开除等待" in w.value for w in at.warning)
    assert list(at.dataframe[0].value["处理"]) == ["劝退"]
    at = AppTest.from_file(str(ROOT / "pages/warning_cases.py"), default_timeout=10)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = gm.username
    at.session_state["wc_table_rows"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert any(f"#{third}" in m.value for m in at.markdown)
    [case] = kpi_warnings.decision_cases(engine, actor=gm)
    at.button(key=f"wc_yes_{case.id}").click().run()
    assert at.error and "决定理由" in at.error[0].value
    at.text_input(key=f"wc_reason_{case.id}").input("本月第三次迟到，按制度劝退")
    at.button(key=f"wc_yes_{case.id}").click().run()
    assert not at.exception
    [case] = kpi_warnings.decision_cases(engine, actor=gm)
    assert (case.status, case.reason, case.decided_by) == ("confirmed", "本月第三次迟到，按制度劝退", "总经理")


def test_T17_clicking_a_warnings_case_row_opens_its_history(app_db):
    engine, users = app_db
    kpi_warnings.record_step(engine, actor=users["supervisor"], person_id=users["staff"].id, track="cs",
                             event=kpi_warnings.VIOLATION, note="上班玩游戏")
    at = AppTest.from_file(str(ROOT / "pages/warning_cases.py"), default_timeout=10)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "supervisor"
    at.session_state["w_table_rows"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert not at.exception
    assert at.selectbox(key="pp.staff.warning_person").value == users["staff"].id
    assert any(c.value == "当前阶段：已记录" for c in at.caption)


def test_L2_the_kpi_dashboard_builds_the_open_tabs_figure_only(floor):
    """Issue 13 L2: each tab's figure is built while that tab is open, not on every click of the page."""
    at = open_page("pages/kpi_dashboard.py", "supervisor")
    captions = " ".join(c.value for c in at.caption)
    assert "已超时的工单" not in captions and "作风评比" not in captions  # the SLA and teams tabs did not run
    at.session_state["kd_tabs"] = "团队作风评比"
    at.run()
    captions = " ".join(c.value for c in at.caption)
    assert not at.exception and "作风评比" in captions and "已超时的工单" not in captions
    at.session_state["kd_tabs"] = "超时工单"
    at.run()
    assert not at.exception and "已超时的工单" in " ".join(c.value for c in at.caption)
