"""A week in the office-phone, 涉密 and control-room registers (issue 16; seed 002 #1, seed 001 D1–D3, seed 004 D2,
D12, D16, D20), so a newcomer sees them filled.

Runs after ``lib.demo.registers_families`` (whose 综合部主管 holds 行政主管, read as 行政管理中心 and 办公室; the 值班经理
is 秩序维护主管; the 供需 is 部门主管). The demo office has no 团队主任, 校长, 保密员 or 保密工作领导小组, so a few people
take those titles here, written like ``registers_families`` does it: the 销售经理 is 团队主任, the 总经理 is 校长 and sits
on the 保密工作领导小组, a 前台接待员 is the 保密员. Every entry goes through ``lib.services.registers`` with the clock
set back, so chains, locks, dues and blockers hold:

- phones: thirteen lines (desk, internal, a fax with its keeper; the sales staff's personal lines name their user);
  a sales line broken and still repairing, another fault repaired; the 团队主任 lends the broken line's user a
  colleague's phone and the calls are logged; a new line for 销售部 waiting for the 校长; a leaver's handset received;
  last month's bill reconciled and paid (no charges found, so no ledger proposal), so this month's is due by the 5th.
- 涉密: four people (核心/重要/一般; the 销售经理, new on a post, waiting for the 保密工作领导小组), vetted, letters and
  training; the 保密员 confirmed on the key post (保密室) after this year's rating; a trip abroad approved and made; a
  客服专员 off the post with everything returned (脱密期 running) and a transfer asked; a 机密 document with its 顺序号 in the 保密室, received by 机要交通, read and returned, carried to a
  meeting, a copy waiting for the 总经理; last year's papers destroyed; last year's inventory, so this year's is due.
- control room: the handovers' duty-log pages (``lib.demo.rotation``) and a fault reported to 工程部 and closed, a
  smoke alarm handled by two people on duty and reset, a suspicious person seen; video checks every 15 minutes (the
  next due soon), device checks each shift, the 秩序维护主管's daily check, detectors this week, pumps this month; a
  CCTV request signed by the 部长 and carried out; recordings kept a month, the oldest erased.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select as sa_select

from db.engine import session_scope
from db.models_registers import register_table
from lib.demo.office import FIRE_POST, Office, Person
from lib.demo.registers_families import grant_titles
from lib.domain import office as clock
from lib.services import roster
from lib.services import registers as R

CONTROL = "中控室"
# (title the person has, department, extra titles, which one of them)
EXTRA_TITLES = [("销售经理", "销售部", ("团队主任",), 0), ("总经理", "行政部", ("校长", "保密工作领导小组"), 0),
                ("前台接待员", "行政部", ("保密员",), 2),
                # 部门负责人 of each graded person's department (the 涉密人员 chain's first step, seed 001 D1 第五条)
                ("综合部主管", "行政部", ("部门主管",), 0), ("客服部经理", "客服部", ("部门主管",), 0),
                ("供需", "销售部", ("部门主管",), 0)]


def _one(office: Office, title: str):
    return next(p.actor for p in office.people if title in p.titles)


def _all(office: Office, title: str):
    return [p.actor for p in office.people if title in p.titles]


def _ago(office: Office, days: float, hours: float = 0, minutes: float = 0) -> dt.datetime:
    return office.now - dt.timedelta(days=days, hours=hours, minutes=minutes)


def _at(office: Office, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return clock.local_to_utc(day, dt.time(hour, minute), office.tz)


def load(office: Office) -> None:
    grant_titles(office, EXTRA_TITLES)
    _phones(office)
    _secrecy(office)
    _control_room(office)


# ---------------------------------------------------------------------------------------------- phones
def _desk_number(office: Office) -> str:
    return f"028-{office.rng.randint(8500, 8599)}{office.rng.randint(1000, 9999)}"


def _phones(office: Office) -> None:
    engine, today = office.engine, office.today
    center, director, dept_head = _one(office, "行政主管"), _one(office, "团队主任"), _one(office, "部门主管")
    sales = [p.actor for p in office.people if p.department == "销售部" and "销售顾问" in p.titles]
    front = _all(office, "前台接待员")
    leaver = _all(office, "维修人员")[1]  # the rest-room demo's leaver (leave date three days ago)
    installed = _ago(office, 25)  # the ledger typed in when the office began keeping it here
    lines = [*[(_desk_number(office), "desk", "销售一队", who.id, True, None) for who in sales[3:8]],
             (_desk_number(office), "desk", "订单组", None, False, None),
             (_desk_number(office), "desk", "投诉组", None, False, None),
             ("8201", "internal", "客服组", None, False, None),
             (_desk_number(office), "desk", "前台接待", None, False, None),
             (_desk_number(office), "fax", "总经办", None, False, front[0].id),
             ("8110", "internal", CONTROL, None, False, None),
             ("8119", "internal", FIRE_POST, None, False, None),
             ("8306", "internal", "维修组", None, False, None)]
    for number, kind, team, user, personal, keeper in lines:
        R.create_entry(engine, actor=center, register="phone_line", now=installed, values={
            "number": number, "kind": kind, "team": team, "user_id": user, "personal": personal,
            "fax_keeper_id": keeper, "status": "in_use", "handset_model": "步步高 HCD007(6082)TSDL",
            "purchase_price": Decimal("128.00"), "remarks": "传真由前台专人负责" if kind == "fax" else ""})
    broken, host = lines[3][0], lines[4][0]
    agent = office.one("客服专员")
    fixed = R.create_entry(engine, actor=agent, register="phone_fault", now=_ago(office, 6), values={
        "line": lines[5][0], "reporter_id": agent.id, "reported_at": _ago(office, 6),
        "description": "话筒有杂音,对方听不清"})
    for field, days, hours in (("repairing_at", 5, 22), ("repaired_at", 5, 18)):
        R.edit_entry(engine, actor=center, register="phone_fault", entry_id=fixed, now=_ago(office, days, hours),
                     values={field: _ago(office, days, hours)})
    fault = R.create_entry(engine, actor=sales[6], register="phone_fault", now=_ago(office, 2), values={
        "line": broken, "reporter_id": sales[6].id, "reported_at": _ago(office, 2), "description": "电话无拨号音,线路故障"})
    R.edit_entry(engine, actor=center, register="phone_fault", entry_id=fault, now=_ago(office, 1, 20),
                 values={"repairing_at": _ago(office, 1, 20)})
    R.create_entry(engine, actor=director, register="phone_sharing", now=_ago(office, 1, 19), values={
        "borrower_id": sales[6].id, "host_line": host, "host_user_id": sales[7].id,
        "cause": "本机线路故障,电信报修中,不能及时修复", "from_at": _ago(office, 1, 19)})
    sheet = f"暂借-{today:%Y%m}-01"
    for days, hours in ((1, 18), (1, 15), (0, 3)):
        R.create_entry(engine, actor=sales[6], register="phone_call_log", now=_ago(office, days, hours), values={
            "dialled": office.fake.phone_number(), "called_at": _ago(office, days, hours), "borrower_id": sales[6].id,
            "host_line": host,
            "sheet_no": sheet})
    change = R.create_entry(engine, actor=director, register="phone_change", now=_ago(office, 2), values={
        "kind": "add", "department": "销售部", "grounds": "销售一队新增两名销售顾问,需增加两部办公固定电话",
        "requested_at": _ago(office, 2)})
    R.approve_entry(engine, actor=dept_head, register="phone_change", entry_id=change, now=_ago(office, 1, 20))
    R.approve_entry(engine, actor=center, register="phone_change", entry_id=change, now=_ago(office, 0, 3))
    # the 校长's step (the chain's last) is the one waiting
    handed = _ago(office, 3, 2)
    back = R.create_entry(engine, actor=leaver, register="phone_handover", now=handed, values={
        "leaver_id": leaver.id, "line": "8306", "handset_ok": True, "handed_at": handed})
    R.approve_entry(engine, actor=center, register="phone_handover", entry_id=back, now=handed + dt.timedelta(hours=1))
    _bill(office, center)


def _bill(office: Office, center) -> None:
    """Last month's statement, reconciled by 行政管理中心 and paid by 财务部 early this month (or just now on the
    first days); nothing private found, so no ledger proposal. This month's is then due by the 5th of the next."""
    engine, today = office.engine, office.today
    first = today.replace(day=1)
    month = (first - dt.timedelta(days=1)).replace(day=1)
    done = min(_at(office, first + dt.timedelta(days=1), 10), _ago(office, 0, 2))
    bill = R.create_entry(engine, actor=center, register="phone_bill", now=done, values={
        "month": month, "statement_total": Decimal("1386.40"),
        "findings": "营业厅打印清单已逐项核对,无信息费、168、QQ 充值或网络游戏充值"})
    R.approve_entry(engine, actor=center, register="phone_bill", entry_id=bill, step_no=0,
                    now=done + dt.timedelta(minutes=30))
    finance = next(p.actor for p in office.people if "综合部主管" in p.titles)
    R.approve_entry(engine, actor=finance, register="phone_bill", entry_id=bill, step_no=1,
                    now=done + dt.timedelta(hours=1))
    # this month's statement looked at online: a 168 call nobody owns yet, noted for the month's reconciliation
    # (then proposed as the team's split; P8) — no ledger entry until 行政管理中心 reconciles the month
    R.create_entry(engine, actor=center, register="phone_bill_charge", now=max(done + dt.timedelta(hours=2),
                                                                                 _ago(office, 0, 1)), values={
        "month": first, "team": "销售一队", "amount": Decimal("12.00"), "cause": "168 声讯台,暂未查明拨打人"})


# ---------------------------------------------------------------------------------------------- 涉密
def _person(office: Office, title: str, department: str | None = None, index: int = 0) -> Person:
    return [p for p in office.people if title in p.titles and department in (None, p.department)][index]


def _carrier_no(office: Office, entry_id: int) -> int:
    table = register_table("secrecy_carrier")
    with session_scope(office.engine, write=False) as session:
        return session.execute(sa_select(table.c.no).where(table.c.id == entry_id)).scalar_one()


def _secrecy(office: Office) -> None:
    engine, today = office.engine, office.today
    officer, group = _one(office, "保密员"), _one(office, "保密工作领导小组")
    center, leader = _one(office, "行政主管"), _one(office, "总经理")
    heads = {"保密员": center, "客服工程师": leader, "销售经理": leader, "客服专员": _one(office, "客服部经理")}
    # each department's 部门负责人 signs first (the chain's department-scoped step)
    department_heads = {p.department: p.actor for p in office.people if "部门主管" in p.titles}
    # (person, level, post, key post, on the post since: days ago); the 销售经理 is new and waits for the group
    people = [(_person(office, "保密员"), "core", "保密室 秘密载体管理", True, 400),
              (_person(office, "客服工程师", "客服部"), "important", "客服部 涉密客户资料审核", False, 380),
              (_person(office, "客服专员", "客服部", 3), "important", "客服部 涉密档案查询", False, 340),
              (_person(office, "销售经理"), "general", "销售部 投标文件编制", False, 10)]
    for index, (person, level, post, key, back) in enumerate(people):
        title = next(t for t in heads if t in person.titles)
        since = today - dt.timedelta(days=back)
        record = R.create_entry(engine, actor=officer, register="secrecy_person", now=_ago(office, back),
                                values={"person_id": person.id, "level": level, "post": post, "since": since,
                                        "employment": "regular", "key_post": key,
                                        "proposal": f"{person.department}初审名单"})
        R.approve_entry(engine, actor=department_heads[person.department], register="secrecy_person",
                        entry_id=record, now=_ago(office, back - 0.5) if index < 3 else _ago(office, 0, 6))
        R.approve_entry(engine, actor=center, register="secrecy_person", entry_id=record,
                        now=_ago(office, back - 1) if index < 3 else _ago(office, 0, 5))
        if index < 3:  # the new one waits for the 保密工作领导小组
            R.approve_entry(engine, actor=group, register="secrecy_person", entry_id=record,
                            now=_ago(office, back - 2))
        signed = since - dt.timedelta(days=3)
        R.create_entry(engine, actor=group, register="secrecy_vetting", now=_ago(office, back + 5), values={
            "person_id": person.id, "political": "政治立场坚定,拥护党的路线方针政策", "work": "工作认真负责,近三年考核称职",
            "discipline": "按期参加保密教育,遵守保密法规制度和纪律", "conditions_checked": True, "result": "pass",
            "vetted_on": signed - dt.timedelta(days=2)})
        R.create_entry(engine, actor=officer, register="secrecy_letter", now=_ago(office, back + 3), values={
            "person_id": person.id, "document": "responsibility", "stage": "joining", "signed_on": signed,
            "countersigned_id": heads[title].id})
        R.create_entry(engine, actor=officer, register="secrecy_training", now=_ago(office, back + 2),
                       values={"person_id": person.id, "trained_on": signed + dt.timedelta(days=1),
                               "topic": "保密法及涉密人员岗前培训", "result": "pass"})
    keeper = people[0][0]
    # confirmed on the key post after this year's rating (称职)
    R.create_entry(engine, actor=officer, register="secrecy_key_post", now=_ago(office, 20), values={
        "person_id": keeper.id, "department": "保密室", "rating": "competent", "conditions_checked": True,
        "assigned_on": today - dt.timedelta(days=20)})
    trip = R.create_entry(engine, actor=officer, register="secrecy_travel", now=_ago(office, 40), values={
        "person_id": people[1][0].id, "destination": "泰国", "from_on": today - dt.timedelta(days=28),
        "to_on": today - dt.timedelta(days=22), "head_opinion": "因私旅游,不携带涉密载体,同意"})
    R.approve_entry(engine, actor=center, register="secrecy_travel", entry_id=trip, now=_ago(office, 39))
    R.edit_entry(engine, actor=officer, register="secrecy_travel", entry_id=trip, now=_ago(office, 28),
                 values={"departed_on": today - dt.timedelta(days=28)})
    _leaver(office, officer, group, people[2][0])
    _carriers(office, officer, leader, keeper, people[1][0].actor)


def _leaver(office: Office, officer, group, person: Person) -> None:
    """Off the post 25 days ago, everything returned two days later: the 脱密期 runs; a transfer is asked."""
    engine, today = office.engine, office.today
    left = today - dt.timedelta(days=25)
    R.create_entry(engine, actor=officer, register="secrecy_letter", now=_ago(office, 25), values={
        "person_id": person.id, "document": "leaving_commitment", "stage": "leaving", "signed_on": left})
    period = R.create_entry(engine, actor=officer, register="secrecy_period", now=_ago(office, 25), values={
        "person_id": person.id, "level": "important", "left_post_on": left})
    R.approve_entry(engine, actor=group, register="secrecy_period", entry_id=period, now=_ago(office, 24))
    R.edit_entry(engine, actor=officer, register="secrecy_period", entry_id=period, now=_ago(office, 23),
                 values={"returned_on": today - dt.timedelta(days=23)})
    R.create_entry(engine, actor=officer, register="secrecy_exit", now=_ago(office, 0, 4), values={
        "person_id": person.id, "kind": "transfer", "destination": "集团客服中心", "requested_on": today,
        "special_reason": "集团统一调配客服人员", "file_noted": True, "commitment_signed": True})


def _carriers(office: Office, officer, leader, keeper: Person, reader) -> None:
    engine, today = office.engine, office.today
    received = _ago(office, 9)
    R.create_entry(engine, actor=officer, register="secrecy_dispatch", now=received, values={
        "direction": "in", "title": "关于做好年度安全保卫工作的通知", "classification": "secret", "number": "机密-2026-017",
        "counterpart": "区保密局", "count": 2, "channel": "confidential_transport", "signed_by_id": keeper.id,
        "at": received})
    document = R.create_entry(engine, actor=officer, register="secrecy_carrier", now=received + dt.timedelta(hours=1),
                              values={"title": "关于做好年度安全保卫工作的通知", "classification": "secret",
                                      "term": "10年", "distribution": "中心领导班子、各部门负责人", "copies": 2,
                                      "serial_no": "017-01", "media": "paper", "storage": "保密室文件柜 A-2",
                                      "holder_id": keeper.id})
    R.create_entry(engine, actor=officer, register="secrecy_carrier", now=_ago(office, 30), values={
        "title": "客户信息保护工作方案", "classification": "confidential", "term": "5年", "distribution": "客服部",
        "copies": 1, "media": "optical", "storage": "保密室文件柜 A-1", "holder_id": keeper.id})
    number = _carrier_no(office, document)
    read = R.create_entry(engine, actor=officer, register="secrecy_use", now=_ago(office, 8), values={
        "carrier_no": number, "kind": "read", "user_id": reader.id, "out_at": _ago(office, 8)})
    R.edit_entry(engine, actor=officer, register="secrecy_use", entry_id=read, now=_ago(office, 7, 20),
                 values={"returned_at": _ago(office, 7, 20)})
    carry = R.create_entry(engine, actor=officer, register="secrecy_carry", now=_ago(office, 6), values={
        "carrier_no": number, "purpose": "work", "carrier_id": keeper.id, "destination": "区保密工作会议",
        "out_on": today - dt.timedelta(days=5)})
    R.approve_entry(engine, actor=leader, register="secrecy_carry", entry_id=carry, now=_ago(office, 5, 22))
    R.create_entry(engine, actor=officer, register="secrecy_copy", now=_ago(office, 0, 5), values={
        "carrier_no": number, "copies": 1, "issuer_permits": True, "sealed": True, "requested_on": today})
    gone = R.create_entry(engine, actor=officer, register="secrecy_destruction", now=_ago(office, 20), values={
        "carriers": "去年到期的内部通知、会议纪要共 12 份", "count": 12, "method": "shredder", "escort_id": keeper.id,
        "second_escort_id": reader.id, "requested_on": today - dt.timedelta(days=20)})
    R.approve_entry(engine, actor=leader, register="secrecy_destruction", entry_id=gone, now=_ago(office, 19))
    R.edit_entry(engine, actor=officer, register="secrecy_destruction", entry_id=gone, now=_ago(office, 18),
                 values={"destroyed_on": today - dt.timedelta(days=18)})
    checked = today - dt.timedelta(days=360)  # last year's: this year's is due within the week
    R.create_entry(engine, actor=officer, register="secrecy_inventory", now=_ago(office, 360), values={
        "year": checked.year, "checked_on": checked, "carriers_checked": 23, "missing": 0, "discrepancies": 0,
        "findings": "账物相符"})


# ---------------------------------------------------------------------------------------------- control room
def _control_room(office: Office) -> None:
    engine = office.engine
    chief, supervisor = _one(office, "部长"), _one(office, "秩序维护主管")
    control = [p.actor for p in office.in_team(CONTROL, "中控员")]
    fire = [p.actor for p in office.in_team(FIRE_POST, "中控员")]
    found = _ago(office, 0, 3)
    fault = R.create_entry(engine, actor=control[0], register="cr_duty_log", now=found, values={
        "post": CONTROL, "occurred_at": found, "type": "fault", "description": "2 号电梯监控画面黑屏,重启录像机未恢复",
        "action": "已电话通知工程部弱电维修", "reported_to": "engineering",
        "reported_at": found + dt.timedelta(minutes=8)})
    R.edit_entry(engine, actor=control[0], register="cr_duty_log", entry_id=fault, now=_ago(office, 0, 1),
                 values={"closed_at": _ago(office, 0, 1)})
    _alarm(office, fire, control)
    seen = _ago(office, 0, 0, 40)
    R.create_entry(engine, actor=control[0], register="cr_duty_log", now=seen, values={
        "post": CONTROL, "occurred_at": seen, "type": "suspicious", "description": "地下车库 B2 有人长时间徘徊",
        "action": "通知巡逻保安前往询问,系访客找车,已离开", "reported_to": "duty_leader", "reported_at": seen})
    _checks(office, supervisor, control, fire)
    asked = _ago(office, 1, 2)
    manager = office.one("客服部经理")
    request = R.create_entry(engine, actor=manager, register="cr_cctv_request", now=asked, values={
        "requester_id": manager.id, "org": "internal", "kind": "view", "camera": "一楼大厅 3 号摄像机",
        "from_at": _ago(office, 2, 4), "to_at": _ago(office, 2, 3), "purpose": "客户投诉称在大厅遗失手机,查看当时录像"})
    R.approve_entry(engine, actor=chief, register="cr_cctv_request", entry_id=request,
                    now=asked + dt.timedelta(hours=1))
    R.edit_entry(engine, actor=control[1], register="cr_cctv_request", entry_id=request,
                 now=asked + dt.timedelta(hours=2), values={"executed_at": asked + dt.timedelta(hours=2)})
    for back, media in ((40, "HD-01"), (7, "HD-02")):
        start = _ago(office, back)
        tape = R.create_entry(engine, actor=control[0], register="cr_recording", now=start + dt.timedelta(days=7),
                              values={"media": media, "camera": "全部监控点", "from_at": start,
                                      "to_at": start + dt.timedelta(days=7)})
        if back == 40:  # kept its month: overwritten yesterday
            R.edit_entry(engine, actor=control[0], register="cr_recording", entry_id=tape, now=_ago(office, 1),
                         values={"erased_at": _ago(office, 1)})


def _alarm(office: Office, fire, control) -> None:
    """A smoke detector alarm two hours ago: one operator on site, one at the console, both on duty; a false alarm,
    reset. The fire room's duty log says so."""
    engine = office.engine
    rang = _ago(office, 0, 2)
    with session_scope(engine, write=False) as session:
        present = roster.on_duty_ids(session, rang)
    operators = [*fire, *control]  # the fire room's first, then the control room's (one stands in there)
    on = [a for a in operators if a.id in present] if present else operators
    console = on[0]
    onsite = next((a.id for a in on[1:]), next((i for i in present if i != console.id), operators[1].id))
    alarm = R.create_entry(engine, actor=console, register="cr_alarm", now=rang, values={
        "zone": "3F 东侧走廊 烟感 03-017", "received_at": rang, "contacted": "三楼巡逻保安",
        "onsite_id": onsite, "console_id": console.id})
    ended = rang + dt.timedelta(minutes=12)
    R.edit_entry(engine, actor=console, register="cr_alarm", entry_id=alarm, now=ended, values={
        "cause": "保洁作业扬尘触发,现场无烟无火,确认误报", "outcome": "reset", "ended_at": ended})
    R.create_entry(engine, actor=console, register="cr_duty_log", now=ended, values={
        "post": FIRE_POST, "occurred_at": rang, "type": "alarm", "description": "3F 东侧走廊烟感报警,现场确认为保洁扬尘误报",
        "action": "按复位程序复位,主机恢复正常", "closed_at": ended})


def _checks(office: Office, supervisor, control, fire) -> None:
    """The check calendar of the last days: video every 15 minutes lately (the next due in a few minutes), devices
    at each shift change, the 秩序维护主管 daily, detectors this week, pumps this month with 工程部."""
    engine, today, now = office.engine, office.today, office.now

    def check(register: str, actor, post: str, at: dt.datetime, **extra) -> None:
        R.create_entry(engine, actor=actor, register=register, now=at, values={
            "post": post, "done_at": at, "result": "ok", **extra})

    for back in (2, 1, 0):
        day = today - dt.timedelta(days=back)
        for hour in (8, 20):
            at = _at(office, day, hour, 5)
            if at <= now:
                check("cr_check_devices", fire[back % len(fire)], FIRE_POST, at)
        at = _at(office, day, 10, 30)
        if at <= now:
            check("cr_check_supervisor", supervisor, CONTROL, at)
        for hour in (9, 15, 21):
            at = _at(office, day, hour)
            if at <= now - dt.timedelta(hours=1):
                check("cr_check_video", control[back % len(control)], CONTROL, at)
    for minutes in (55, 40, 25, 10):
        check("cr_check_video", control[0], CONTROL, _ago(office, 0, 0, minutes))
    check("cr_check_detectors", fire[0], FIRE_POST, _ago(office, 3, 4), findings="抽测感烟探测器 12 只,均正常")
    check("cr_check_pumps", fire[1], FIRE_POST, _ago(office, 12, 3), engineer=office.fake.name(),
          findings="消防泵、喷淋泵手动/自动启动正常")
