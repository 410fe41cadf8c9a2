"""A week in the rest-room, customer-lounge and VIP-hall registers (issue 16; seed 004 D4, D7, D15), so a newcomer
sees them filled.

Runs after ``lib.demo.registers_families`` (whose 综合部主管 also holds 行政主管, the office that assigns rooms).
Every entry goes through ``lib.services.registers`` with the clock set back: three rooms assigned, one to a leaver
whose move-out is due (and who cannot leave yet); a room head with the rota; a room change waiting for the office
head; a stay into the closed hours approved by the 部长; two inspections, one to rectify; the lounge's daily checks
(today's with a failed item waiting for the 客服主管, so no fine is proposed in the demo ledger) and stock counts;
two VIP visits, today's with its boarding reminder coming up.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lib.demo.office import Office
from lib.domain import office as clock
from lib.domain.registers.rest import LOUNGE_ITEMS
from lib.services import registers as R


def _one(office: Office, title: str):
    return next(p.actor for p in office.people if title in p.titles)


def _all(office: Office, title: str):
    return [p.actor for p in office.people if title in p.titles]


def _ago(office: Office, days: float, hours: float = 0) -> dt.datetime:
    return office.now - dt.timedelta(days=days, hours=hours)


def _at(office: Office, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return clock.local_to_utc(day, dt.time(hour, minute), office.tz)


def load(office: Office) -> None:
    rooms_office, chief, lounge_head = _one(office, "行政主管"), _one(office, "部长"), _one(office, "客服主管")
    workers, operators, agents = _all(office, "维修人员"), _all(office, "中控员"), _all(office, "客服专员")
    _rest_rooms(office, rooms_office, chief, workers, operators)
    _lounge(office, lounge_head, agents)
    _vip(office, agents)


def _rest_rooms(office: Office, rooms_office, chief, workers, operators) -> None:
    engine, today = office.engine, office.today
    people = ((workers[0], "frontline", "201", "A-01"), (workers[1], "frontline", "201", "A-02"),
              (operators[0], "no_office", "202", "B-01"))
    ids = [R.create_entry(engine, actor=rooms_office, register="rest_allocation", now=_ago(office, 7), values={
        "person_id": who.id, "eligibility": kind, "room": room, "locker": locker,
        "assigned_on": today - dt.timedelta(days=60)}) for who, kind, room, locker in people]
    R.edit_entry(engine, actor=rooms_office, register="rest_allocation", entry_id=ids[1], now=_ago(office, 3),
                 values={"leave_date": today - dt.timedelta(days=3)})
    R.create_entry(engine, actor=workers[0], register="rest_duty", now=_ago(office, 6), values={
        "room": "201", "room_head_id": workers[0].id, "elected_on": today - dt.timedelta(days=6),
        "rota": "周一、三、五 201-1床;周二、四 201-2床", "key_holder_id": workers[0].id})
    R.create_entry(engine, actor=operators[0], register="rest_room_change", now=_ago(office, 1), values={
        "person_id": operators[0].id, "from_room": "202", "to_room": "201", "grounds": "与同班组同住,作息一致",
        "wanted_on": today + dt.timedelta(days=2)})
    stay = R.create_entry(engine, actor=workers[0], register="rest_late_stay", now=_ago(office, 2), values={
        "person_id": workers[0].id, "on_date": today + dt.timedelta(days=1), "until": dt.time(14, 0),
        "grounds": "夜间抢修后补休"})
    R.approve_entry(engine, actor=chief, register="rest_late_stay", entry_id=stay, now=_ago(office, 1, 20))
    R.create_entry(engine, actor=rooms_office, register="rest_inspection", now=_ago(office, 5), values={
        "inspected_on": today - dt.timedelta(days=5), "room": "201", "passed": True, "outcome": "none"})
    R.create_entry(engine, actor=rooms_office, register="rest_inspection", now=_ago(office, 1), values={
        "inspected_on": today - dt.timedelta(days=1), "room": "202", "passed": False,
        "finding": "柜外摆放私人物品", "person_id": operators[0].id, "outcome": "rectify",
        "rectify_by": today + dt.timedelta(days=2)})


def _lounge(office: Office, lounge_head, agents) -> None:
    engine, today = office.engine, office.today
    ok = {key: True for key in LOUNGE_ITEMS}
    for days in (3, 2, 1):
        day = today - dt.timedelta(days=days)
        check = R.create_entry(engine, actor=agents[0], register="lounge_check", now=_at(office, day, 18), values={
            **ok, "checked_on": day, "responsible_id": agents[0].id})
        R.approve_entry(engine, actor=lounge_head, register="lounge_check", entry_id=check,
                        now=_at(office, day, 18, 30))
        for kind, hour, cash in (("before_work", 8, "0.00"), ("after_work", 18, "236.00")):
            R.create_entry(engine, actor=agents[0], register="lounge_stock_count", now=_at(office, day, hour),
                           values={"counted_at": _at(office, day, hour), "kind": kind,
                                   "goods": "矿泉水 48 瓶;咖啡豆 3 袋;茶叶 5 盒", "expected_cash": Decimal(cash),
                                   "cash": Decimal(cash)})
    R.create_entry(engine, actor=agents[0], register="lounge_stock_week", now=_ago(office, 3), values={
        "week_ending": today - dt.timedelta(days=3), "sales": Decimal("1580.00"), "stock": "矿泉水 60 瓶;咖啡豆 4 袋",
        "expected_cash": Decimal("1580.00"), "cash": Decimal("1580.00")})
    R.create_entry(engine, actor=agents[1], register="lounge_check", now=office.now, values={
        **ok, "item_papers": False, "checked_on": today, "responsible_id": agents[1].id,
        "remarks": "书报架上午只整理了 1 次"})


def _vip(office: Office, agents) -> None:
    engine, attendant = office.engine, agents[2]
    done = _ago(office, 1, 3)
    visit = R.create_entry(engine, actor=attendant, register="vip_visit", now=done, values={
        "guest": office.fake.name(), "train": "G1234", "boarding_at": done + dt.timedelta(hours=1),
        "entry_card": "金卡", "presented_at": done, "registered_at": done + dt.timedelta(minutes=1), "seated": True,
        "memo": "需要靠窗座位"})
    for minutes, field in ((45, "reminded_at"), (55, "escorted_at"), (80, "sms_at")):
        R.edit_entry(engine, actor=attendant, register="vip_visit", entry_id=visit,
                     now=done + dt.timedelta(minutes=minutes), values={field: done + dt.timedelta(minutes=minutes)})
    shown = _ago(office, 0, 0.5)
    R.create_entry(engine, actor=attendant, register="vip_visit", now=shown, values={
        "guest": office.fake.name(), "train": "D2856", "boarding_at": shown + dt.timedelta(hours=1),
        "entry_card": "银卡", "presented_at": shown, "registered_at": shown + dt.timedelta(minutes=3), "seated": True})
