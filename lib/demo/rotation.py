"""Duty rotation for the demo: the lottery draw, rosters of this week and next, requests, control-room handovers.

The queue days themselves fill as the showroom registers walk-ins (``lib.demo.showroom`` taps the
queue through ``showroom.register_contact(queue_tap=True)``), so one reception is one contact.
Everything goes through ``lib.services.rotation``, ``roster`` and ``handover``; where a service
takes a clock it is set back to the moment the step happened.
"""

from __future__ import annotations

import datetime as dt

from lib.demo.office import CONTROL_POSTS, FIRE_POST, FRONT_DESK_POST, Office
from lib.domain.handover import ChecklistItem, FiveHandover
from lib.services import handover, registers, rotation, roster

# post -> (preset, shifts in order of the day); seed 004 D2 (中控室), D20 (消防控制室), seed 000 D13 (前台)
PRESETS = {"中控室": ("three_crew_two_shift", ("day", "night")), FIRE_POST: ("fire_room", ("day", "night")),
           FRONT_DESK_POST: ("front_desk", ("office",))}
SHIFT_TIMES = {"中控室": {"day": ("08:00", "17:00"), "night": ("17:00", "08:00")},
               FIRE_POST: {"day": ("08:00", "20:00"), "night": ("20:00", "08:00")}}
HANDOVER_DAYS = 2


def draw(office: Office, first_day: dt.date) -> None:
    """The 销售经理 records the physical draw of all 销售顾问; the intern holds 接待台电脑 (seed 000 D1)."""
    manager = office.one("销售经理")
    consultants = [p.id for p in office.with_title("销售顾问")]
    office.rng.shuffle(consultants)
    at = office.at(first_day, "08:30")
    rotation.record_draw(office.engine, actor=manager, method="recorded", consultant_ids=consultants,
                         note="月初全体销售顾问现场抽签", now=at)
    interns = [p.id for p in office.people if p.is_intern]
    if interns:
        rotation.pin_intern(office.engine, actor=manager, intern_id=interns[0], now=at + dt.timedelta(minutes=5))


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def rosters(office: Office) -> dict[str, list[int]]:
    """Publish last week's, this week's and next week's rosters of the front desk and the two control rooms.

    A 24×7 roster's first morning is covered by the night before it, so a one-day draft holds that night
    (the roster service checks the day before the period, seed 004 D2).
    """
    chief = office.one("部长")
    desk_head = office.one("综合部主管")
    first = week_start(office.today) - dt.timedelta(days=7)
    days = [first + dt.timedelta(days=i) for i in range(21)]
    periods: dict[str, list[int]] = {}
    for post, (preset, shifts) in PRESETS.items():
        boss = desk_head if post == FRONT_DESK_POST else chief
        template = roster.create_template(office.engine, actor=boss, preset=preset, name=f"{post}（{preset}）")
        post_id = office.posts[post]
        crew = _crew(office, post)
        if post in CONTROL_POSTS:
            eve = first - dt.timedelta(days=1)
            prior = roster.create_period(office.engine, actor=boss, post_id=post_id, template_id=template,
                                         first_day=eve, last_day=eve)
            _fill(office, boss, prior, post, crew, [eve], shifts[-1:])
        periods[post] = []
        for week in (days[:7], days[7:14], days[14:]):
            period = roster.create_period(office.engine, actor=boss, post_id=post_id, template_id=template,
                                          first_day=week[0], last_day=week[-1])
            _fill(office, boss, period, post, crew, week, shifts)
            roster.change_status(office.engine, actor=boss, period_id=period, target="published")
            periods[post].append(period)
    return periods


def _crew(office: Office, post: str) -> list[int]:
    if post == FRONT_DESK_POST:
        return [p.id for p in office.in_team("前台接待", "前台接待员")]
    return [p.id for p in office.in_team(post, "中控员")]


def on_shift(crew: list[int], day: dt.date, shift: str) -> int:
    """Three people turn over two shifts so nobody works a night straight into a day (seed 004 D2, D20 ≤12 h)."""
    n = day.toordinal()
    return crew[n % len(crew)] if shift == "day" else crew[(n + 2) % len(crew)]


def _fill(office: Office, boss, period: int, post: str, crew: list[int], days, shifts) -> None:
    if post == FRONT_DESK_POST:
        # one 第一责任人 a day and one more receptionist (seed 000 D13)
        for day in days:
            first, second = crew[day.toordinal() % len(crew)], crew[(day.toordinal() + 1) % len(crew)]
            roster.add_entries(office.engine, actor=boss, period_id=period, staff_id=first, shift="office",
                               days=[day], kind="first_responsible")
            roster.add_entries(office.engine, actor=boss, period_id=period, staff_id=second, shift="office",
                               days=[day])
        return
    for shift in shifts:
        by_person: dict[int, list[dt.date]] = {}
        for day in days:
            by_person.setdefault(on_shift(crew, day, shift), []).append(day)
        for person, person_days in by_person.items():
            roster.add_entries(office.engine, actor=boss, period_id=period, staff_id=person, shift=shift,
                               days=person_days)


def requests(office: Office, next_week_desk: int) -> None:
    """A swap approved and one pending, an absence approved and one pending (S10, S11; seed 000 D9)."""
    desk_head = office.one("综合部主管")
    receptionists = [p.actor for p in office.in_team("前台接待", "前台接待员")]
    filed = min(office.at(week_start(office.today), "10:00"), office.now - dt.timedelta(hours=1))
    entries = roster.period_view(office.engine, actor=desk_head, period_id=next_week_desk).entries
    swaps = []
    for requester in receptionists[:2]:
        mine = next((e for e in entries if e.staff_id == requester.id), None)
        theirs = next((e for e in reversed(entries) if mine and e.staff_id != requester.id and e.day != mine.day
                       and not any(x.day == e.day and x.staff_id == requester.id for x in entries)
                       and not any(x.day == mine.day and x.staff_id == e.staff_id for x in entries)), None)
        if mine and theirs:
            swaps.append(roster.file_swap(office.engine, actor=requester, entry_id=mine.id,
                                          counterpart_entry_id=theirs.id, reason="家中有事，与同事对调一天",
                                          now=filed))
    if swaps:
        roster.decide_swap(office.engine, actor=desk_head, swap_id=swaps[0], approve=True, note="已与双方确认",
                           now=filed + dt.timedelta(hours=2))
    nxt = week_start(office.today) + dt.timedelta(days=7)
    post = office.posts[FRONT_DESK_POST]
    cover = receptionists[2].id
    starts = office.at(nxt + dt.timedelta(days=1), "14:00")
    absence, _status = roster.file_absence(office.engine, actor=receptionists[0], post_id=post, starts_at=starts,
                                           ends_at=starts + dt.timedelta(hours=2), reason="official",
                                           cover_id=cover, note="去银行办理公司业务", now=filed)
    roster.decide_absence(office.engine, actor=desk_head, absence_id=absence, approve=True, cover_id=cover,
                          now=filed + dt.timedelta(hours=1))
    starts = office.at(nxt + dt.timedelta(days=3), "10:00")
    roster.file_absence(office.engine, actor=receptionists[1], post_id=post, starts_at=starts,
                        ends_at=starts + dt.timedelta(hours=1), reason="official", cover_id=cover,
                        note="送合同到客户处", now=filed + dt.timedelta(hours=3))


CHECKS = {**{item.value: (True, "") for item in ChecklistItem},
          **{f"five_{item.value}": (True, "") for item in FiveHandover}}


def handovers(office: Office) -> None:
    """Each control-room shift change of the last days handed over (seed 004 D12): the latest 中控室 one
    refused (五不接), the next 消防控制室 one scheduled and waiting for the incoming operator."""
    for post in CONTROL_POSTS:
        crew = _crew(office, post)
        times = SHIFT_TIMES[post]
        changes = []
        for back in range(HANDOVER_DAYS, -2, -1):
            day = office.today - dt.timedelta(days=back)
            for shift, previous in (("day", "night"), ("night", "day")):
                start = office.at(day, times[shift][0])
                before = day - dt.timedelta(days=1) if shift == "day" else day
                changes.append((start, previous, shift, on_shift(crew, before, previous), on_shift(crew, day, shift)))
        past = [c for c in changes if c[0] + dt.timedelta(minutes=30) < office.now]
        upcoming = next(c for c in changes if c[0] - dt.timedelta(minutes=60) > office.now)
        for index, change in enumerate(past):
            last = index == len(past) - 1
            _handover(office, post, *change, refuse=last and post != FIRE_POST)
        if post == FIRE_POST:
            start, out_shift, in_shift, outgoing, incoming = upcoming
            handover.schedule(office.engine, actor=_actor(office, outgoing), post_id=office.posts[post],
                              out_shift=out_shift, in_shift=in_shift, shift_start=start, incoming_id=incoming,
                              now=office.now - dt.timedelta(minutes=5))


def _actor(office: Office, person_id: int):
    return next(p.actor for p in office.people if p.id == person_id)


def _handover(office: Office, post: str, start, out_shift, in_shift, outgoing, incoming, refuse: bool) -> None:
    engine, rng = office.engine, office.rng
    out, inc = _actor(office, outgoing), _actor(office, incoming)
    post_id = office.posts[post]
    handover.add_log_entry(engine, actor=out, post_id=post_id, now=start - dt.timedelta(hours=3),
                           text=rng.choice(["巡视设备一次，运行正常", "接到住户报修电话一次，已转维修组",
                                            "消防主机自检正常", "监控画面巡查无异常"]))
    hid = handover.schedule(engine, actor=out, post_id=post_id, out_shift=out_shift, in_shift=in_shift,
                            shift_start=start, incoming_id=incoming, now=start - dt.timedelta(minutes=40))
    handover.check_in(engine, actor=inc, handover_id=hid, now=start - dt.timedelta(minutes=rng.choice([25, 15, 5])))
    handover.acknowledge(engine, actor=inc, handover_id=hid, entry_ids=[], now=start - dt.timedelta(minutes=4))
    if refuse:
        handover.refuse(engine, actor=inc, handover_id=hid, reason="tools_incomplete", note="对讲机少一台，未交代去向",
                        now=start - dt.timedelta(minutes=2))
        return
    if post == FIRE_POST:  # the outgoing shift's 消防监控系统运行情况记录表, required before the handover (H4)
        registers.create_entry(engine, actor=out, register="cr_fire_record", now=start - dt.timedelta(minutes=10),
                               values={"post": post, "shift": out_shift, "recorded_at": start - dt.timedelta(minutes=10),
                                       "system_ok": True, "findings": "消防主机运行正常"})
    handover.submit_checklist(engine, actor=inc, handover_id=hid, checks=CHECKS,
                              instructions="按值班经理要求加强夜间巡视", now=start - dt.timedelta(minutes=3))
    handover.sign(engine, actor=out, handover_id=hid, now=start - dt.timedelta(minutes=1))
    handover.sign(engine, actor=inc, handover_id=hid, now=start)
