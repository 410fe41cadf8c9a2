"""A week at the front desk: visitors checked in and out, phone messages relayed (seed 000 D6, D9).

Everything goes through ``lib.services.visitors.register`` with the clock set back to the moment it happened.
"""

from __future__ import annotations

import datetime as dt

from lib.demo.office import Office
from lib.domain.visitors import MessageForm, PreregForm, VisitorForm
from lib.services.visitors import kiosk as visitor_kiosk
from lib.services.visitors import prereg as visitor_prereg
from lib.services.visitors import register as visitors

PURPOSES = ["商务洽谈", "面试", "送货", "参观展厅", "售后咨询", "合同签订", "拜访领导", "设备维修", "递交资料"]
MATTERS = ["询问订单进度", "预约看车", "投诉送货延迟", "咨询价格", "要求回电", "确认会议时间", "供应商对账"]
STILL_ON_SITE_TODAY = 3


def load(office: Office, days: int) -> None:
    desk = [p.actor for p in office.in_team("前台接待")]
    hosts = office.staff_ids
    for days_ago in range(days - 1, -1, -1):
        _visits(office, desk, hosts, days_ago)
        _messages(office, desk, hosts, days_ago)
    booked = _expected(office)
    _kiosk(office, booked)


def _kiosk(office: Office, booked) -> None:
    """The lobby tablet, set up two days ago; two visitors have just signed in on it and wait for the desk to
    confirm them (T21): one typed in at the tablet, one with a host's pre-registration code."""
    rng, fake = office.rng, office.fake
    _id, token = visitor_kiosk.create_kiosk(office.engine, actor=office.admin, label="大堂入口平板",
                                            now=office.now - dt.timedelta(days=2))
    kiosk = visitor_kiosk.kiosk_access(office.engine, token)
    host = office.with_title("销售经理")[0].actor
    walk_up = VisitorForm(name=fake.name(), headcount=rng.choice([1, 2]), purpose=rng.choice(PURPOSES),
                          company=fake.company(), phone=fake.phone_number())
    visitor_kiosk.kiosk_sign_in(office.engine, kiosk=kiosk, form=walk_up, host_text=host.name,
                                now=office.now - dt.timedelta(minutes=4))
    visitor_kiosk.kiosk_sign_in_code(office.engine, kiosk=kiosk, code=booked[0].code,
                                     now=office.now - dt.timedelta(minutes=2))


def _expected(office: Office) -> list:
    """Hosts pre-register tomorrow's and today's expected visitors; they show their code at the desk (T21)."""
    rng, fake = office.rng, office.fake
    hosts = [p.actor for p in office.people if p.department in ("销售部", "行政部")]
    today = []
    for index, day in enumerate([office.today, office.today, office.today + dt.timedelta(days=1)]):
        host = hosts[index % len(hosts)]
        form = PreregForm(name=fake.name(), phone=fake.phone_number(), company=fake.company(),
                          purpose=rng.choice(PURPOSES), headcount=rng.choice([1, 2]), expected_day=day,
                          expected_time=dt.time(15, 0), host_id=host.id)
        row = visitor_prereg.create_prereg(office.engine, actor=host, form=form, now=office.now - dt.timedelta(hours=1))
        if day == office.today:
            today.append(row)
    return today


def _visits(office: Office, desk, hosts, days_ago: int) -> None:
    rng, fake = office.rng, office.fake
    day = office.today - dt.timedelta(days=days_ago)
    opening = office.at(day, "08:50")
    count = rng.randint(8, 14)
    times = sorted(opening + dt.timedelta(minutes=rng.randint(0, 540)) for _ in range(count))
    if days_ago == 0:
        # today: the last few arrivals are still on site, even early in the morning
        times = [t for t in times if t < office.now - dt.timedelta(minutes=5)]
        times += [office.now - dt.timedelta(minutes=15 + 20 * k) for k in range(STILL_ON_SITE_TODAY)]
        times.sort()
    for time_in in times:
        clerk = rng.choice(desk)
        form = VisitorForm(name=fake.name(), headcount=rng.choice([1, 1, 1, 2, 3]), purpose=rng.choice(PURPOSES),
                           company=fake.company(), phone=fake.phone_number(), host_id=rng.choice(hosts),
                           has_appointment=rng.random() < 0.4, destination=rng.choice(["reception_area",
                                                                                       "meeting_room"]),
                           level=rng.choice(["standard", "standard", "high"]), time_in=time_in)
        visit_id = visitors.register_visitor(office.engine, actor=clerk, form=form, now=time_in)
        out = time_in + dt.timedelta(minutes=rng.randint(10, 150))
        if out < office.now - dt.timedelta(hours=2) or (days_ago > 0 and out < office.now):
            visitors.check_out_visitor(office.engine, actor=rng.choice(desk), visitor_id=visit_id, now=out)


def _messages(office: Office, desk, hosts, days_ago: int) -> None:
    rng, fake = office.rng, office.fake
    day = office.today - dt.timedelta(days=days_ago)
    opening = office.at(day, "08:50")
    for _ in range(rng.randint(3, 6)):
        called = opening + dt.timedelta(minutes=rng.randint(0, 540))
        if called > office.now:
            continue
        clerk = rng.choice(desk)
        form = MessageForm(called_at=called, caller_name=fake.name(), caller_phone=fake.phone_number(),
                           matter=rng.choice(MATTERS), relay_to_id=rng.choice(hosts))
        message_id = visitors.log_message(office.engine, actor=clerk, form=form, now=called + dt.timedelta(minutes=2))
        relayed = called + dt.timedelta(minutes=rng.randint(5, 90))
        if relayed < office.now and (days_ago > 1 or rng.random() < 0.5):
            visitors.relay_message(office.engine, actor=rng.choice(desk), message_id=message_id, now=relayed)
