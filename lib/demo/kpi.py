"""KPIs for the demo: four months of sales with a demotion, the previous quarter published, the ledger, a warning.

Through ``lib.services.kpi.rankings``, ``ledger`` and ``kpi.warning_cases`` with the clock set back: each month's
figures are entered early the next month, the manager decides the demotion they trigger (seed 000 D1,
S47), and the latest month's trigger is left for the manager to decide.
"""

from __future__ import annotations

import datetime as dt

from lib.demo.office import Office
from lib.demo.tickets import previous_quarter
from lib.services import display, ledger
from lib.services.kpi import rankings as kpi
from lib.services.kpi import warning_cases as kpi_warnings

SALES_MONTHS = 4


def _month_back(today: dt.date, back: int) -> dt.date:
    month = today.replace(day=1)
    for _ in range(back):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def sales(office: Office) -> None:
    """One consultant last two months running early on (demotion confirmed, served and over); two tied last in
    the two latest months: the manager confirmed one (demoted this month, out of the queue) and the other's
    trigger awaits a decision."""
    manager = office.one("销售经理")
    consultants = [p.id for p in office.people if "销售顾问" in p.titles or "实习销售顾问" in p.titles]
    early_last, late_last, demoted_now = consultants[0], consultants[1], consultants[2]
    months = [_month_back(office.today, back) for back in range(SALES_MONTHS, 0, -1)]
    for index, month in enumerate(months):
        entered = min(office.at(_next_month(month) + dt.timedelta(days=1), "10:00"), office.now - dt.timedelta(hours=1))
        last = {early_last} if index < 2 else {late_last, demoted_now}
        units = {c: (1 if c in last else office.rng.randint(3, 12)) for c in consultants}
        kpi.save_sales(office.engine, actor=manager, month=month, units=units, now=entered)
        if index == 1:
            decided = entered + dt.timedelta(hours=2)
            kpi.decide_demotion(office.engine, actor=manager, consultant_id=early_last, trigger_month=month,
                                confirm=True, reason="连续两个月销量末位，按制度降为销售助理一个月", now=decided)
        if index == len(months) - 1:
            # the confirm path hands the demotion to the queue: in force this month (the draw page lists it)
            decided = min(entered + dt.timedelta(hours=2), office.now - dt.timedelta(minutes=30))
            result = kpi.decide_demotion(office.engine, actor=manager, consultant_id=demoted_now,
                                         trigger_month=month, confirm=True,
                                         reason="连续两个月销量并列末位，本人无异议，按制度执行", now=decided)
            if result.queue_error is not None:
                raise result.queue_error


def _next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def quarter(office: Office) -> None:
    """Publish the previous quarter's ranking (S48) the day after it ended, or now if that is later."""
    first, last = previous_quarter(office.today)
    boss = office.one("客服部经理")
    at = min(office.at(last + dt.timedelta(days=1), "10:00"), office.now)
    kpi.publish_quarter(office.engine, actor=boss, year=first.year, quarter=(first.month - 1) // 3 + 1, now=at)


def ledger_entries(office: Office) -> None:
    """Entries proposed, confirmed, collected, one reversed, one waiting for the 总经理 (seed 004 D14, SPEC 4.4)."""
    proposer = office.one("客服部经理")
    decider = office.one("总经理")
    agents = [p.id for p in office.with_title("客服专员")]
    start = office.now - dt.timedelta(days=6)
    plan = [("LG1", agents[0], "confirm_collect"), ("SQ4", agents[1], "confirm"), ("PH1", agents[2], "reverse"),
            ("LG1", agents[3], "propose"), ("PH2", agents[4], "propose")]
    for index, (code, person, fate) in enumerate(plan):
        at = start + dt.timedelta(days=index, hours=2)
        ids = ledger.propose_entry(office.engine, actor=proposer, person_id=person, code=code,
                                   occurred_on=at.astimezone(office.tz).date(), note="值班检查发现", now=at)
        if fate == "propose":
            continue
        for entry in ids:
            ledger.decide_entry(office.engine, actor=decider, entry_id=entry, confirm=True, now=at + dt.timedelta(hours=3))
            if fate == "confirm_collect":
                ledger.collect_entry(office.engine, actor=proposer, entry_id=entry, now=at + dt.timedelta(days=1))
            if fate == "reverse":
                ledger.reverse_entry(office.engine, actor=decider, entry_id=entry, reason="复核后确认为系统故障，非本人责任",
                                     now=at + dt.timedelta(days=1))


def lateness_case(office: Office) -> None:
    """A 客服工程师 late three times in one month: the third AT1 flags 劝退 and opens a case waiting for the
    总经理 (seed 003 X9#21; T24). The month is the current one once it has three days, else the last one."""
    proposer = office.one("客服部经理")
    person = office.with_title("客服工程师")[-1].id
    ref = office.today if office.today.day >= 3 else office.today.replace(day=1) - dt.timedelta(days=1)
    first = ref.replace(day=1)
    days = [first, first + dt.timedelta(days=(ref.day - 1) // 2), ref]
    for index, day in enumerate(days):
        at = min(office.at(day, "09:30"), office.now - dt.timedelta(minutes=30 - index))
        ledger.propose_entry(office.engine, actor=proposer, person_id=person, code="AT1", occurred_on=day,
                             note=f"考勤记录：迟到（本月第{index + 1}次）", now=at)


def warnings(office: Office) -> None:
    """A customer-service case recorded and educated, waiting to see if it is rectified (seed 004 D3)."""
    boss = office.one("客服部经理")
    person = office.with_title("客服专员")[-1].id
    at = office.now - dt.timedelta(days=4)
    kpi_warnings.record_step(office.engine, actor=boss, person_id=person, track="cs", event="violation",
                             note="接听电话未使用规范用语", now=at)
    kpi_warnings.record_step(office.engine, actor=boss, person_id=person, track="cs", event="educate",
                             note="已当面教育", now=at + dt.timedelta(hours=4))


def wall_link(office: Office) -> None:
    """The showroom TV's display link (SPEC 4.7), customer-safe by default (T12)."""
    display.create_link(office.engine, actor=office.admin, label="展厅大屏", now=office.now)
