"""KPIs for the demo: four months of sales with a demotion, the previous quarter published, the ledger, a warning.

Through ``lib.services.kpi``, ``ledger`` and ``kpi_warnings`` with the clock set back: each month's
figures are entered early the next month, the manager decides the demotion they trigger (seed 000 D1,
S47), and the latest month's trigger is left for the manager to decide.
"""

from __future__ import annotations

import datetime as dt

from lib.demo.office import Office
from lib.demo.tickets import previous_quarter
from lib.services import display, kpi, kpi_warnings, ledger

SALES_MONTHS = 4


def _month_back(today: dt.date, back: int) -> dt.date:
    month = today.replace(day=1)
    for _ in range(back):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def sales(office: Office) -> None:
    """One consultant last two months running early on (demotion confirmed, given to the queue), another last in
    the two latest months (trigger awaiting the manager's decision)."""
    manager = office.one("销售经理")
    consultants = [p.id for p in office.people if "销售顾问" in p.titles or "实习销售顾问" in p.titles]
    early_last, late_last = consultants[0], consultants[1]
    months = [_month_back(office.today, back) for back in range(SALES_MONTHS, 0, -1)]
    for index, month in enumerate(months):
        entered = min(office.at(_next_month(month) + dt.timedelta(days=1), "10:00"), office.now - dt.timedelta(hours=1))
        last = early_last if index < 2 else late_last
        units = {c: (1 if c == last else office.rng.randint(3, 12)) for c in consultants}
        kpi.save_sales(office.engine, actor=manager, month=month, units=units, now=entered)
        if index == 1:
            decided = entered + dt.timedelta(hours=2)
            kpi.decide_demotion(office.engine, actor=manager, consultant_id=early_last, trigger_month=month,
                                confirm=True, reason="连续两个月销量末位，按制度降为销售助理一个月", now=decided)


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
