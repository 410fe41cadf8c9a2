"""Duty rotation pages through AppTest: the queue board and its taps, the draw desk, rosters, requests,
on-duty check-in, handovers, and the wall's queue panel; each per role, each write checked through a service."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from db.engine import session_scope
from db.models import LotteryDraw, OrgUnit, QueueDay, User
from lib.services import handover, roster, rotation
from lib.services.base import utcnow
from tests.app.conftest import open_page
from tests.db.helpers import make_user


def board_button(at, name):
    """A board button by its name; its key ends with the queue step the screen showed (``_s<seq>``, R10)."""
    return next(b for b in at.button if (b.key or "").startswith(f"{name}_s"))


def click(at, label):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception


@pytest.fixture
def showroom(app_db):
    engine, users = app_db
    people = [make_user(engine, username=f"c{i}", name=f"顾问{i}", titles=["销售顾问"]) for i in range(1, 5)]
    return engine, users, people


def drawn(engine, users, people):
    rotation.record_draw(engine, actor=users["supervisor"], method="recorded", consultant_ids=[p.id for p in people])


def test_queue_board_before_any_draw_tells_each_role_what_to_do(showroom):
    at = open_page("pages/rotation_queue.py", "staff")
    assert [i.value for i in at.info] == ["今天还没有排队：请等销售经理抽签。"]
    at = open_page("pages/rotation_queue.py", "supervisor")
    assert "抽签与排队管理" in at.info[0].value


def test_S2_board_shows_positions_and_the_consultant_taps_received(showroom):
    engine, users, people = showroom
    drawn(engine, users, people)
    at = open_page("pages/rotation_queue.py", "c1")
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert {"1 · 前台", "2 · 销售热线", "3 · 接待台电脑", "4 · 替补"} <= set(captions)
    assert any(m.label == "轮到接待" and m.value == "顾问1" for m in at.metric)
    assert board_button(at, f"q_me_skip_{people[0].id}").disabled is False
    board_button(at, f"q_me_received_new_{people[0].id}").click().run()
    assert not at.exception
    assert [s.value[:13] for s in at.success] == ["已记录：顾问1 接待新客户"]
    view = rotation.board(engine, actor=users["supervisor"])
    assert view.due_name == "顾问2" and [e.type for e in view.events] == ["received_new"]


def test_T7_the_result_of_a_press_stays_through_refreshes_until_the_next_press(showroom):
    engine, users, people = showroom
    drawn(engine, users, people)
    at = open_page("pages/rotation_queue.py", "c2")
    board_button(at, f"q_me_served_old_{people[1].id}").click().run()
    recorded = [s.value for s in at.success]
    assert len(recorded) == 1 and recorded[0].startswith("已记录：顾问2 接待老客户")
    rotation.record_event(engine, actor=people[0], consultant_id=people[0].id, event_type="received_new")
    at.run()  # a refresh, and the board changed under it
    assert not at.exception and [s.value for s in at.success] == recorded
    board_button(at, f"q_me_back_{people[1].id}").click().run()
    assert len(at.success) == 1 and at.success[0].value.startswith("已记录：顾问2 回到队列")


def test_T7_the_buttons_are_drawn_by_the_page_not_inside_the_refreshing_fragment():
    """T7: a press inside a fragment is dropped when a full run has just replaced it; the buttons live
    outside the fragment, which only reads."""
    import ast
    from pathlib import Path

    tree = ast.parse((Path(__file__).resolve().parents[2] / "pages" / "rotation_queue.py").read_text("utf-8"))
    fragment = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and any(
        "fragment" in ast.unparse(d) for d in n.decorator_list))
    called = {ast.unparse(c.func) for c in ast.walk(fragment) if isinstance(c, ast.Call)}
    assert not {c for c in called if c.endswith(("actions", "buttons", "out_of_turn_box"))}, called


def test_T18_my_buttons_come_before_the_board(showroom):
    engine, users, people = showroom
    drawn(engine, users, people)
    at = open_page("pages/rotation_queue.py", "c4")
    keys = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            keys.append(getattr(child, "key", None) or getattr(child, "value", None))
            walk(child)
    walk(at.main)
    mine = next(i for i, k in enumerate(keys) if isinstance(k, str) and k.startswith(f"q_me_received_new_{people[3].id}_s"))
    first_card = keys.index("1 · 前台")
    assert mine < first_card


def test_S5_consultant_not_due_cannot_skip_and_staff_outside_the_queue_gets_no_buttons(showroom):
    engine, users, people = showroom
    drawn(engine, users, people)
    at = open_page("pages/rotation_queue.py", "c2")
    assert board_button(at, f"q_me_skip_{people[1].id}").disabled
    assert not [b for b in at.button if b.key and b.key.startswith("q_due_")]
    at = open_page("pages/rotation_queue.py", "c3")  # 接待台电脑 records for the person due
    assert board_button(at, f"q_due_received_new_{people[0].id}").disabled is False
    at = open_page("pages/rotation_queue.py", "staff")
    assert [i.value for i in at.info][0].startswith("您不在今天的排队中")
    assert not [b for b in at.button if b.key and b.key.startswith("q_")]


def test_S9_T6_out_of_turn_is_refused_then_taken_only_with_a_reason_shown_to_the_manager(showroom):
    engine, users, people = showroom
    drawn(engine, users, people)
    at = open_page("pages/rotation_queue.py", "supervisor")
    board_button(at, f"q_due_served_old_{people[0].id}").click().run()
    at.selectbox(key="q_target").set_value(people[3].id).run()
    board_button(at, f"q_other_received_new_{people[3].id}").click().run()
    assert not at.exception
    assert any("现在轮到 顾问2" in e.value and "顾问4" in e.value for e in at.error)
    assert len(rotation.board(engine, actor=users["supervisor"]).events) == 1
    board_button(at, "q_oot_yes").click().run()  # no reason: refused, the box stays
    assert "原因" in at.error[0].value and at.text_area(key="q_oot_reason") is not None
    at.text_area(key="q_oot_reason").set_value("客户指名找顾问4")
    board_button(at, "q_oot_yes").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("已记录：顾问4 接待新客户（未按顺序")
    assert not [b for b in at.button if (b.key or "").startswith("q_oot_yes_s")]
    review = open_page("pages/rotation_draw.py", "supervisor")
    assert any("未按顺序接待：顾问4" in w.value and "客户指名找顾问4" in w.value for w in review.warning)


def test_stale_board_tap_is_refused_with_who_is_due_now(showroom):
    engine, users, people = showroom
    drawn(engine, users, people)
    at = open_page("pages/rotation_queue.py", "c1")
    rotation.record_event(engine, actor=people[0], consultant_id=people[0].id, event_type="skip")
    board_button(at, f"q_me_received_new_{people[0].id}").click().run()
    assert [e.value for e in at.error] == ["排队刚刚有变化，现在轮到 顾问2。请看清最新排队后再点。"]


def test_R10_T6_a_press_on_a_screen_older_than_the_last_rerun_is_dropped_not_judged_as_new(showroom):
    """R10/T6: Streamlit calls a click's callback with the arguments of the session's latest run. 顾问2's
    screen shows 顾问1 due; 顾问1 skips and 顾问2's session reruns before the browser draws it; the press
    made on the old screen must not take the turn the new step gives 顾问2 (the button key carries the step,
    so the old button no longer exists and the press is dropped)."""
    from streamlit.proto.WidgetStates_pb2 import WidgetStates

    engine, users, people = showroom
    drawn(engine, users, people)
    at = open_page("pages/rotation_queue.py", "c2")
    stale_id = board_button(at, f"q_me_received_new_{people[1].id}").id
    rotation.record_event(engine, actor=people[0], consultant_id=people[0].id, event_type="skip")
    at.run()  # a rerun the browser has not drawn yet (e.g. the login cookie's own rerun)
    assert board_button(at, f"q_me_received_new_{people[1].id}").id != stale_id
    states = WidgetStates()
    states.CopyFrom(at._tree.get_widget_states())
    press = states.widgets.add()
    press.id, press.trigger_value = stale_id, True
    at._run(states)
    assert not at.exception
    assert [e.type for e in rotation.board(engine, actor=users["supervisor"]).events] == ["skip"]
    assert not at.success
    assert any(m.label == "轮到接待" and m.value == "顾问2" for m in at.metric)


def test_draw_desk_is_for_supervisors_and_a_random_draw_is_published(showroom):
    engine, users, people = showroom
    at = open_page("pages/rotation_draw.py", "staff")
    assert [e.value for e in at.error] == ["您的角色无权使用此功能。如需权限，请联系管理员。"]
    at = open_page("pages/rotation_draw.py", "supervisor")
    assert sorted(at.multiselect(key="pp.consultant.d_people_random").value) == sorted(p.id for p in people)
    click(at, "保存并公布抽签结果")
    assert at.success[0].value.startswith("抽签结果已保存并公布")
    view = rotation.board(engine, actor=users["staff"])
    assert sorted(view.draw.order) == sorted(p.id for p in people) and view.draw.drawn_by == "supervisor用户"


def test_S1_T18_reorder_by_moving_rows_needs_a_reason_and_keeps_the_arrangement(showroom):
    engine, users, people = showroom
    drawn(engine, users, people)
    at = open_page("pages/rotation_draw.py", "supervisor")
    assert at.button(key=f"r_up_{people[0].id}").disabled and at.button(key=f"r_down_{people[3].id}").disabled
    for _ in range(3):
        at.button(key=f"r_up_{people[3].id}").click().run()
    at.button(key=f"r_down_{people[0].id}").click().run()
    expected = [people[3].id, people[1].id, people[0].id, people[2].id]
    assert at.session_state["r_order"] == expected
    click(at, "调整顺序")
    assert "调整排队顺序必须填写原因" in at.error[0].value
    assert at.session_state["r_order"] == expected
    at.text_area(key="r_reason").set_value("顾问4 有预约客户")
    click(at, "调整顺序")
    assert [s.value for s in at.success] == ["排队顺序已调整，原因已记入审计日志。"]
    assert [s.name for s in rotation.board(engine, actor=users["supervisor"]).slots] == ["顾问4", "顾问2", "顾问1",
                                                                                        "顾问3"]


def test_S8_demotion_set_on_the_desk_takes_the_consultant_out_of_the_queue(showroom):
    engine, users, people = showroom
    drawn(engine, users, people)
    at = open_page("pages/rotation_draw.py", "admin")
    at.selectbox(key="pp.consultant.dm_who").set_value(people[3].id)
    click(at, "设置降级")
    assert "原因" in at.error[0].value and at.selectbox(key="pp.consultant.dm_who").value == people[3].id
    at.text_input(key="dm_reason").set_value("连续两个月销量最后一名")
    click(at, "设置降级")
    assert "顾问4" not in [s.name for s in rotation.board(engine, actor=users["admin"]).slots]


def test_roster_page_supervisor_builds_a_roster_publishing_is_blocked_with_reasons(app_db):
    engine, users = app_db
    boss = users["supervisor"]
    with session_scope(engine) as session:
        session.add(OrgUnit(kind="post", name="中控室", is_24x7=True, min_staff=1))
    at = open_page("pages/roster.py", "supervisor")
    at.text_input(key="tp_name").set_value("中控室两班")
    click(at, "按预设建立模板")
    assert roster.templates(engine)[0].name == "中控室两班"
    today = dt.date.today()
    post_id = roster.posts(engine)[0].id
    roster.set_qualification(engine, actor=boss, staff_id=users["staff"].id, post_id=post_id, trained=True,
                             cert_valid_until=None)
    period = roster.create_period(engine, actor=boss, post_id=post_id, template_id=roster.templates(engine)[0].id,
                                  first_day=today, last_day=today + dt.timedelta(days=1))
    at = open_page("pages/roster.py", "supervisor")
    at.selectbox(key="en_staff").set_value(users["staff"].id)
    at.selectbox(key="en_shift").set_value("day")
    click(at, "排入")
    assert len(roster.period_view(engine, actor=boss, period_id=period).entries) == 2
    assert any("无人值班" in e.value for e in at.error)  # the night gaps are listed
    click(at, "发布排班表")
    click(at, "确定")
    assert any("还有" in e.value and "个问题" in e.value for e in at.error)
    staff_view = open_page("pages/roster.py", "staff")
    assert [i.value for i in staff_view.info] == ["这个月还没有发布的排班表。"]


def test_S11_front_desk_private_absence_is_refused_on_the_page_and_official_goes_to_the_inbox(app_db):
    engine, users = app_db
    with session_scope(engine) as session:
        session.add(OrgUnit(kind="post", name="前台"))
    post_id = roster.posts(engine)[0].id
    template = roster.create_template(engine, actor=users["supervisor"], preset="front_desk", name="前台班")
    roster.create_period(engine, actor=users["supervisor"], post_id=post_id, template_id=template,
                         first_day=dt.date.today(), last_day=dt.date.today())
    at = open_page("pages/roster_requests.py", "staff")
    at.selectbox(key="ab_post").set_value(post_id)
    at.selectbox(key="ab_reason").set_value("private")
    at.time_input(key="ab_start").set_value(dt.time(10, 0))
    at.time_input(key="ab_end").set_value(dt.time(11, 0))
    click(at, "提交离岗申请")
    assert "私事不得离岗" in at.error[0].value
    at.selectbox(key="ab_reason").set_value("official")
    click(at, "提交离岗申请")
    assert [s.value for s in at.success] == ["离岗申请已提交，等待审批。"]
    inbox = open_page("pages/roster_requests.py", "admin")
    assert any("离岗" in m.value and "staff用户" in m.value for m in inbox.markdown)
    approve = next(b for b in inbox.button if b.label == "批准")
    approve.click().run()
    assert "综合部主管安排顶岗" in inbox.error[0].value
    statuses = sorted(r.status for r in roster.requests_list(engine, actor=users["staff"], mine=True))
    assert statuses == ["rejected", "submitted"]


def test_on_duty_page_shows_the_shift_and_the_staff_checks_in(app_db):
    engine, users = app_db
    boss = users["supervisor"]
    with session_scope(engine) as session:
        session.add(OrgUnit(kind="post", name="客服值班室"))
    post_id = roster.posts(engine)[0].id
    template = roster.create_template(engine, actor=boss, preset="call_centre_24h", name="呼叫中心")
    today = utcnow().astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    period = roster.create_period(engine, actor=boss, post_id=post_id, template_id=template,
                                  first_day=today - dt.timedelta(days=1), last_day=today)
    for shift in ("day", "night"):
        roster.add_entries(engine, actor=boss, period_id=period, staff_id=users["staff"].id, shift=shift,
                           days=[today - dt.timedelta(days=1), today] if shift == "night" else [today])
    roster.change_status(engine, actor=boss, period_id=period, target="published")
    at = open_page("pages/on_duty.py", "staff")
    assert not at.exception
    assert [r["人员"] for r in at.dataframe[0].value.to_dict("records")] == ["staff用户"]
    now = utcnow()
    current = next(s for s in roster.my_shifts(engine, actor=users["staff"]) if s.start <= now < s.end)
    at.button(key=f"od_in_{current.entry_id}").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["已签到。请提前10分钟到岗。"]
    done = [s for s in roster.my_shifts(engine, actor=users["staff"]) if s.checked_in_at]
    assert [(s.entry_id, s.check_in_status) for s in done] == [(current.entry_id, "late")]


def test_S16_handover_page_schedule_check_in_and_acknowledge(app_db):
    engine, users = app_db
    out, inc = users["staff"], make_user(engine, username="inc", name="接班员")
    with session_scope(engine) as session:
        session.add(OrgUnit(kind="post", name="中控室", is_24x7=True))
    post_id = roster.posts(engine)[0].id
    handover.add_log_entry(engine, actor=out, post_id=post_id, text="2号机组报警", abnormal=True)
    at = open_page("pages/handover.py", "staff")
    click(at, "开始交接")
    assert "接班时间" in at.error[0].value
    at.selectbox(key="hs_incoming").set_value(inc.id)
    at.time_input(key="hs_time").set_value((utcnow() + dt.timedelta(hours=2)).astimezone(
        dt.timezone(dt.timedelta(hours=8))).time().replace(second=0, microsecond=0))
    at.date_input(key="hs_day").set_value(dt.date.today() + dt.timedelta(days=1))
    click(at, "开始交接")
    assert [s.value for s in at.success] == ["交接已开始，等待接班人员签到。"]
    incoming = open_page("pages/handover.py", "inc")
    assert any("2号机组报警" in e.value for e in incoming.error)  # abnormal entry highlighted
    click(incoming, "接班签到")
    click(incoming, "确认并开始逐项交接")
    assert "未确认" in incoming.error[-1].value
    incoming.checkbox(key=next(c.key for c in incoming.checkbox if c.key.startswith("ha_"))).check()
    click(incoming, "确认并开始逐项交接")
    current = handover.post_handovers(engine, actor=out, post_id=post_id)[0]
    assert current.state == "checklist"
    wall = open_page("pages/handover.py", "display")
    assert [e.value for e in wall.error] == ["您的角色无权使用此功能。如需权限，请联系管理员。"]


def _panel_script():
    from lib.ui import app_engine
    from lib.views.queue_panel import render_queue_panel

    render_queue_panel(app_engine(), privacy=True)


def test_S55_wall_queue_panel_shows_positions_and_masked_names_only(showroom):
    engine, users, people = showroom
    with session_scope(engine) as session:
        user = session.get(User, people[0].id)
        user.name = "欧阳娜娜"
        session.add(user)
    drawn(engine, users, people)
    at = AppTest.from_function(_panel_script, default_timeout=10).run()
    assert not at.exception
    body = at.get("html")[0].proto.body  # escaped HTML sized for the TV (T11, T19)
    assert "<th>顺位</th><th>岗位</th><th>姓名</th><th>小组</th>" in body
    assert "<td>1</td><td>前台</td><td>欧阳*娜</td>" in body  # first and last kept (T12)


def test_S18_supervisor_inbox_shows_a_handover_nobody_came_to_take_over_once_the_sweeper_ran(app_db):
    engine, users = app_db
    with session_scope(engine) as session:
        session.add(OrgUnit(kind="post", name="中控室", is_24x7=True))
    post_id = roster.posts(engine)[0].id
    handover.schedule(engine, actor=users["staff"], post_id=post_id, out_shift="night", in_shift="day",
                      shift_start=utcnow() - dt.timedelta(minutes=5),
                      incoming_id=make_user(engine, username="relief", name="接班员").id,
                      now=utcnow() - dt.timedelta(minutes=40))
    from lib.notify.sweeper import sweep_once

    at = open_page("pages/roster_requests.py", "supervisor")
    assert not any("接班人员未到" in e.value for e in at.error)  # opening a page raises nothing (issue 15)
    assert sweep_once(engine).no_relief == 1  # the sweeper does, whether or not anyone looks
    at = open_page("pages/roster_requests.py", "supervisor")
    assert any("接班人员未到" in e.value and "staff用户" in e.value for e in at.error)
    assert handover.post_handovers(engine, actor=users["supervisor"], post_id=post_id)[0].state == "no_relief"


def test_T8_board_says_new_draw_then_carries_over_and_the_manager_sees_the_closing_state(showroom):
    engine, users, people = showroom
    drawn(engine, users, people)
    at = open_page("pages/rotation_queue.py", "c1")
    assert any(c.value.startswith("新抽签（") for c in at.caption)
    rotation.record_event(engine, actor=people[0], consultant_id=people[0].id, event_type="received_new")
    with session_scope(engine) as session:  # a night passes: the day and the draw move back one day
        for model, field in ((QueueDay, "day"), (LotteryDraw, "drawn_on")):
            for row in session.exec(select(model)).all():
                setattr(row, field, getattr(row, field) - dt.timedelta(days=1))
                session.add(row)
    at = open_page("pages/rotation_queue.py", "c1")
    yesterday = (utcnow().astimezone(dt.timezone(dt.timedelta(hours=8))).date() - dt.timedelta(days=1)).isoformat()
    assert f"接续 {yesterday} 收班时的前台：顾问2" in [c.value for c in at.caption]
    desk = open_page("pages/rotation_draw.py", "supervisor")
    assert any(e.label == f"上一个排队日（{yesterday}）收班时的排队" for e in desk.expander)
    assert "收班时在第 1 轮" not in [c.value for c in desk.caption]  # folded only once opened (issue 13)
    desk.session_state["q_closing_open"] = True
    desk.run()
    assert "收班时在第 1 轮" in [c.value for c in desk.caption]


def test_L4_the_days_taps_are_drawn_only_while_their_expander_is_open(showroom):
    """Issue 13: a consultant's click no longer builds and sends the day's taps (2,000 rows in a load test's day)
    folded away in 当日记录; opening it draws them, and they stay while it is open."""
    engine, users, people = showroom
    drawn(engine, users, people)
    rotation.record_event(engine, actor=people[0], consultant_id=people[0].id, event_type="received_new")
    at = open_page("pages/rotation_queue.py", "c2")
    labels = [e.label for e in at.expander]
    assert "今日排队记录" in labels and not at.dataframe
    at.session_state["q_records_open"] = True
    at.run()
    assert not at.exception
    rows = at.dataframe[0].value.to_dict("records")
    assert [(r["序号"], r["人员"]) for r in rows] == [(1, "顾问1")]
    at.run()  # a refresh keeps it open
    assert at.dataframe


def test_T9_T19_draw_leaves_interns_out_and_shows_the_order_as_plain_text(showroom):
    engine, users, people = showroom
    intern = make_user(engine, username="intern", name="实习生", titles=["实习销售顾问"])
    with session_scope(engine) as session:
        row = session.get(User, intern.id)
        row.is_intern = True
        session.add(row)
    at = open_page("pages/rotation_draw.py", "supervisor")
    assert sorted(at.multiselect(key="pp.consultant.d_people_random").value) == sorted(p.id for p in people)
    drawn(engine, users, people)
    rotation.pin_intern(engine, actor=users["supervisor"], intern_id=intern.id)
    at = open_page("pages/rotation_draw.py", "supervisor")
    assert "1. 顾问1 → 2. 顾问2 → 3. 顾问3 → 4. 顾问4" in [x.value for x in at.text]
    at.multiselect(key="pp.consultant.d_people_random").set_value([p.id for p in people] + [intern.id])
    click(at, "保存并公布抽签结果")
    assert any("实习生 是固定在接待台电脑的实习顾问，不参加抽签" in e.value for e in at.error)
    assert sorted(at.multiselect(key="pp.consultant.d_people_random").value) == sorted([p.id for p in people] + [intern.id])


def test_T2_queue_pickers_offer_consultants_with_staff_number_and_team_only(showroom):
    engine, users, people = showroom
    make_user(engine, username="op", name="顾问1", titles=["中控员"])  # same name, not a consultant
    drawn(engine, users, people)
    at = open_page("pages/rotation_draw.py", "supervisor")
    offered = set(at.multiselect(key="pp.consultant.d_people_random").options)
    assert len(offered) == len(people) and all(o.startswith("顾问") for o in offered)
    assert set(at.selectbox(key="pp.consultant.dm_who").options) == offered
    board = open_page("pages/rotation_queue.py", "supervisor")
    assert set(board.selectbox(key="q_target").options) == offered


def test_T2_handover_and_roster_pickers_offer_staff_with_staff_number_and_the_services_refuse_others(app_db):
    engine, users = app_db
    with session_scope(engine) as session:
        session.add(OrgUnit(kind="post", name="中控室", is_24x7=True))
        twin = session.get(User, make_user(engine, username="twin", name="王伟").id)
        twin.staff_no = "K007"
        session.add(twin)
    post_id = roster.posts(engine)[0].id
    at = open_page("pages/handover.py", "staff")
    offered = at.selectbox(key="hs_incoming").options
    assert "王伟（K007）" in offered and not [o for o in offered if o in ("管理员", "display用户")]
    with pytest.raises(Exception, match="not_eligible"):
        handover.schedule(engine, actor=users["staff"], post_id=post_id, out_shift="night", in_shift="day",
                          shift_start=utcnow() + dt.timedelta(hours=1), incoming_id=users["display"].id)
