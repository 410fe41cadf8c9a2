"""Complaints and repairs for the demo, in every state (SPEC M3; seed 000 D2, D8; seed 001 D4, D6).

Each ticket is logged and moved through ``lib.services.tickets.write`` with the clock set back to each
step, so deadlines, the timeline and the audit are the service's own. Repairs of the previous
quarter, closed with surveys, give the quarterly ranking something to rank (seed 003 M#13).
"""

from __future__ import annotations

import datetime as dt

from lib.demo.office import Office
from lib.services.tickets import write as tickets
from lib.services.tickets.write import ActionInput, SurveyAnswers, TicketForm

PROBLEMS = ["送货延迟三天仍未到货", "安装师傅上门态度差", "订单金额与报价不一致", "退款一周未到账",
            "包装破损导致商品划伤", "客服电话多次打不通"]
FAULTS = [("空调 KFR-35GW", "制冷效果差，外机噪音大"), ("热水器 JSQ25", "点火后熄火"), ("冰箱 BCD-520", "冷藏室不制冷"),
          ("洗衣机 XQG100", "脱水时剧烈晃动"), ("油烟机 CXW-200", "开机无反应")]

# complaint scenarios: the steps after intake, and how long ago the customer called (hours)
COMPLAINTS = [
    ("new", [], 1),
    ("assigned", ["take"], 3),
    ("overdue", ["take", "triage"], 30),
    ("in_progress", ["take", "triage", "forward", "start_work"], 20),
    ("escalated", ["take", "triage", "forward", "start_work", "escalate"], 26),
    ("closed", ["take", "triage", "forward", "start_work", "resolve", "inform", "close"], 70),
    ("closed", ["take", "triage", "resolve", "inform", "close"], 100),
]
# repair scenarios: the steps after intake and how long ago it was logged (hours)
REPAIRS = [
    ("registered", [], 2),
    ("awaiting_dispatch", ["send"], 5),
    ("dispatched", ["send", "dispatch"], 8),
    ("on_site", ["send", "dispatch", "arrive"], 6),
    ("completed", ["send", "dispatch", "arrive", "complete"], 28),
    ("reported", ["send", "dispatch", "arrive", "complete", "report"], 50),
    ("callback", ["send", "dispatch", "arrive", "complete", "report", "callback"], 75),
    ("closed", ["send", "dispatch", "arrive", "complete", "report", "survey"], 96),
    ("closed", ["send", "dispatch", "arrive", "complete", "report", "survey"], 120),
]
STEP_GAP = dt.timedelta(minutes=50)


def load(office: Office) -> None:
    _previous_quarter(office)
    for index, (_label, steps, hours) in enumerate(COMPLAINTS):
        _complaint(office, index, steps, office.now - dt.timedelta(hours=hours))
    for index, (_label, steps, hours) in enumerate(REPAIRS):
        _repair(office, index, steps, office.now - dt.timedelta(hours=hours))
    # an out-of-town call-out, dispatched and waiting for the manager's approval before the trip (S42)
    _repair(office, len(REPAIRS), ["send", "dispatch"], office.now - dt.timedelta(hours=4), out_of_town=True)


def _agents(office: Office):
    return [p.actor for p in office.with_title("客服专员")]


def _technicians(office: Office):
    return [p.actor for p in office.with_title("维修人员")] + [p.actor for p in office.with_title("客服工程师")]


def _complaint(office: Office, index: int, steps: list[str], at: dt.datetime) -> None:
    engine, rng, fake = office.engine, office.rng, office.fake
    agent = _agents(office)[index % len(_agents(office))]
    result = tickets.log_ticket(engine, actor=agent, now=at, form=TicketForm(
        type="complaint", channel=rng.choice(["phone", "phone", "online"]), phone=fake.phone_number(),
        customer_name=fake.name(), address=fake.address(), problem=PROBLEMS[index % len(PROBLEMS)]))
    moment = at
    for step in steps:
        moment = min(moment + STEP_GAP, office.now - dt.timedelta(minutes=5))
        if step == "take":
            tickets.take_ticket(engine, actor=agent, ticket_id=result.id, now=moment)
            continue
        given = {
            "triage": ActionInput(category=rng.choice(["order", "after_sales", "trade_dispute"]),
                                  cause="service_shortfall"),
            "forward": ActionInput(forwarded_to="物流配送部"),
            "escalate": ActionInput(reason="difficult_customer", note="客户情绪激动，要求主管处理"),
            "resolve": ActionInput(root_cause="配送排班不足", containment="当天补送", permanent_fix="增加周末配送班次"),
            "inform": ActionInput(customer_satisfied=True, note="已电话告知处理结果，客户满意"),
        }.get(step, ActionInput())
        tickets.act(engine, actor=agent, ticket_id=result.id, action=step, given=given, now=moment)


def _repair(office: Office, index: int, steps: list[str], at: dt.datetime, technician=None,
            score: int | None = None, out_of_town: bool = False) -> int:
    engine, rng, fake = office.engine, office.rng, office.fake
    agent = _agents(office)[index % len(_agents(office))]
    manager = office.one("客服部经理")
    technician = technician or _technicians(office)[index % len(_technicians(office))]
    model, fault = FAULTS[index % len(FAULTS)]
    name, phone, address = fake.name(), fake.phone_number(), fake.address()
    result = tickets.log_ticket(engine, actor=agent, now=at, form=TicketForm(
        type="repair", channel="phone", phone=phone, customer_name=name, address=address,
        problem=f"{model}{fault}", problem_confirmed=True, address_confirmed=True, name_confirmed=True,
        phone_confirmed=True, product_model=model, fault=fault, service_kind="free", in_warranty=True,
        quality_fault=True, out_of_town=out_of_town))
    moment = at
    for step in steps:
        moment = min(moment + STEP_GAP, office.now - dt.timedelta(minutes=5))
        if step == "send":
            tickets.act(engine, actor=agent, ticket_id=result.id, action="send_to_dispatch", now=moment)
        elif step == "dispatch":
            tickets.act(engine, actor=manager, ticket_id=result.id, action="dispatch", now=moment,
                        given=ActionInput(technician_id=technician.id, note="就近安排"))
        elif step in ("arrive", "complete"):
            tickets.act(engine, actor=technician, ticket_id=result.id, action=step, now=moment)
        elif step == "report":
            tickets.act(engine, actor=technician, ticket_id=result.id, action="report", now=moment,
                        given=ActionInput(service_report_no=f"FW{at:%Y%m%d}{index:03d}",
                                          service_content="更换故障部件，试机正常"))
        elif step == "callback":
            tickets.record_follow_up(engine, actor=agent, ticket_id=result.id, now=moment, answers=SurveyAnswers(
                convenient=False, callback_at=office.now + dt.timedelta(hours=rng.randint(2, 20))))
        elif step == "survey":
            tickets.record_follow_up(engine, actor=agent, ticket_id=result.id, now=moment, answers=SurveyAnswers(
                convenient=True, resolved=True, attitude=rng.choice(["satisfied", "satisfied", "average"]),
                charged=False, score=score or rng.choice([4, 5, 5]), suggestion=rng.choice(["", "希望上门再快一点"])))
    return result.id


def _previous_quarter(office: Office) -> None:
    """Closed, surveyed repairs by each 客服工程师 in the last quarter, so its ranking can be published."""
    first, _last = previous_quarter(office.today)
    engineers = [p.actor for p in office.with_title("客服工程师")]
    for index in range(len(engineers) * 3):
        engineer = engineers[index % len(engineers)]
        day = first + dt.timedelta(days=3 + index * 5)
        tickets_at = office.at(day, "10:00")
        _repair(office, 100 + index, ["send", "dispatch", "arrive", "complete", "report", "survey"], tickets_at,
                technician=engineer, score=3 + index % 3)


def previous_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    quarter = (today.month - 1) // 3
    year = today.year
    if quarter == 0:
        year, quarter = year - 1, 4
    first = dt.date(year, 3 * (quarter - 1) + 1, 1)
    last = (dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)) - dt.timedelta(days=1)
    return first, last
