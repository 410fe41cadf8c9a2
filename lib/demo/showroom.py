"""Showroom customers for the demo: walk-ins through the queue, calls, follow-ups, signed day sheets,
enquiries, a reception application and the access log (seed 000 D1; seed 002 #3; seed 004 D12).

Every step goes through ``lib.services.showroom.write`` (and its siblings) with the clock set back, in time
order, so the ownership replay, the queue board and the day-sheet locks see what really happened:
customers registered ``first_follow_up`` days ago are due today, older ones without a follow-up have
been released (overdue), and one followed up a month ago is about to lapse.
"""

from __future__ import annotations

import datetime as dt

from db.engine import session_scope
from db.models import ShowroomCustomer
from lib.demo.office import Office
from lib.domain.errors import DomainError
from lib.services import access_log, reception_desk, rotation
from lib.services.showroom import write as showroom
from lib.services.showroom import enquiries as showroom_enquiries
from lib.services.access_log import AccessForm
from lib.services.reception_desk import ReceptionForm
from lib.services.showroom.write import RegisterForm

MATTERS = ["看车型报价", "试驾预约", "咨询分期付款", "置换旧车评估", "询问提车时间", "比较配置", "陪家人看车"]
DETAILS = ["意向明确，预算二十万左右", "对比了两款车型，下周再来", "需要和家人商量", "留了微信，约周末试驾",
           "关注油耗和保养费用", "想要现车，颜色未定"]
UNSIGNED_DAYS_AGO = 3
REVISIT_DAYS_AGO, REVISITED_DAYS_AGO = 1, 4  # a customer of 4 days ago comes back yesterday to someone else (重卡)
OPENING_WALK_INS = 3


def _settings(office: Office):
    with session_scope(office.engine, write=False) as session:
        return showroom.ownership_settings(session), showroom.sheet_settings(session).workday_end


def queue_start(office: Office) -> dt.date:
    """The first queue day: before the month-old customer who is about to lapse was registered."""
    own, _end = _settings(office)
    return office.today - dt.timedelta(days=own.lapse_days + 1)


def load(office: Office, days: int) -> None:
    """Contacts from ``first_follow_up + 3`` days ago (at least ``days``) up to now, plus a month-old one."""
    own, end = _settings(office)
    span = max(days, own.first_follow_up_days + 3, REVISITED_DAYS_AGO + 1)
    lapse_day = office.today - dt.timedelta(days=own.lapse_days - 1)
    steps: list[tuple[dt.datetime, object]] = []
    customers: dict[str, int] = {}
    # a customer followed up a month ago: the follow-up keeps them only until ``lapse`` days later
    _day(office, steps, customers, queue_start(office), end, sign=True, count=2, lapsing=lapse_day)
    walk_ins_today = 0
    for back in range(span - 1, -1, -1):
        day = office.today - dt.timedelta(days=back)
        walk_ins = _day(office, steps, customers, day, end, sign=back not in (0, UNSIGNED_DAYS_AGO))
        if back in (own.first_follow_up_days, own.first_follow_up_days - 2, own.first_follow_up_days + 2):
            _asked_for(office, steps, customers, day)
        if back == REVISIT_DAYS_AGO:
            at = office.at(day, "15:00")
            key = f"{(office.today - dt.timedelta(days=REVISITED_DAYS_AGO)).isoformat()}#0"
            steps.append((at, lambda k=key, a=at: _revisit(office, customers, k, a)))
        if back == 0:
            walk_ins_today = walk_ins
    if walk_ins_today == 0:
        _opening(office, steps, customers, end)
    for _at, step in sorted(steps, key=lambda s: s[0]):
        step()


def _opening(office: Office, steps, customers, end: dt.time) -> None:
    """Today's first walk-ins when none has come yet (T14).

    Loaded before the showroom opens (say ``make demo`` at 05:00) today's queue board would have no events,
    and the queue and draw pages would greet a newcomer with an empty board. The demo then plays the
    morning's first few walk-ins a few minutes before the load, as if the floor had opened early: the
    same registration and queue tap as every other walk-in, in the past, on today's date (never before
    midnight, never after the sheet closes), so the board, the sheet and the ownership all agree.
    """
    midnight = office.at(office.today, "00:00")
    latest = min(office.now, office.at(office.today, end.isoformat("minutes")) - dt.timedelta(minutes=16))
    room = max(latest - midnight, dt.timedelta(0))
    for k in range(OPENING_WALK_INS, 0, -1):
        at = latest - min(dt.timedelta(minutes=6 * k), room * k / (OPENING_WALK_INS + 1))
        key, phone, name = f"opening#{k}", office.fake.phone_number(), office.fake.name()
        steps.append((at, lambda k=key, a=at, p=phone, n=name: _register(office, customers, k, a, p, n, True)))


def _asked_for(office: Office, steps, customers, day: dt.date) -> None:
    """Callers who ask for a consultant by name, one per consultant, on the days whose first follow-up falls due
    today, in two days and two days ago: every consultant's 「今日需首次回访」, 「即将到期」 and 「已逾期」
    lists have someone (seed 000 D1 B7, B8). None of them is followed up here."""
    for index, person in enumerate(p for p in office.people if "销售顾问" in p.titles):
        at = office.at(day, "11:00") + dt.timedelta(minutes=9 * index)
        key, phone, name = f"asked#{person.id}", office.fake.phone_number(), office.fake.name()
        steps.append((at, lambda k=key, a=at, p=phone, n=name, who=person.actor: _call_for(
            office, customers, k, a, p, n, who)))


def _call_for(office: Office, customers, key, at, phone, name, consultant) -> None:
    form = RegisterForm(channel="call", customer_name=name, phone=phone, matter=office.rng.choice(MATTERS),
                        visit_date=at.astimezone(office.tz).date(), details="来电点名找该顾问",
                        receiver_id=consultant.id, requested_consultant_id=consultant.id)
    try:
        result = showroom.register_contact(office.engine, actor=consultant, form=form, now=at)
    except DomainError:
        return  # demoted that day: takes no new customer (seed 000 D1 A13)
    customers[key] = result.customer_id


def _revisit(office: Office, customers, key, at) -> None:
    """The customer comes back, does not ask for their consultant, and whoever is up registers them as new:
    the contact is flagged 重卡 and the card changes hands, a dispute for the manager (O6; seed 000 D1 B5)."""
    customer_id = customers.get(key)
    owner = _owner(office, customer_id, at) if customer_id is not None else None
    if owner is None:
        return
    with session_scope(office.engine, write=False) as session:
        card = session.get(ShowroomCustomer, customer_id)
        phone, name = card.phone, card.name
    board = rotation.board(office.engine, actor=office.one("销售经理"), now=at)
    receiver = board.due_id if board.due_id != owner.id else next(
        (s.consultant_id for s in board.slots if s.consultant_id != owner.id and not s.pinned), None)
    if receiver is None:
        return
    form = RegisterForm(channel="walk_in", customer_name=name, phone=phone, matter=office.rng.choice(MATTERS),
                        visit_date=at.astimezone(office.tz).date(), details="客户未提原顾问，按新客户接待",
                        receiver_id=receiver)
    actor = next(p.actor for p in office.people if p.id == receiver)
    showroom.register_contact(office.engine, actor=actor, form=form, queue_tap=receiver == board.due_id, now=at)


def _day(office: Office, steps, customers, day: dt.date, end: dt.time, sign: bool, count: int | None = None,
         lapsing: dt.date | None = None) -> int:
    """Plan one day's contacts, follow-ups and signature; returns how many walk-ins come before now."""
    rng, fake = office.rng, office.fake
    manager = office.one("销售经理")
    close = office.at(day, end.isoformat("minutes")) - dt.timedelta(minutes=15)
    count = count if count is not None else rng.randint(4, 7)
    moments = sorted(office.at(day, "09:10") + dt.timedelta(minutes=rng.randint(0, 460)) for _ in range(count))
    walk_ins = 0
    for index, at in enumerate(m for m in moments if m < office.now and m < close):
        key = f"{day.isoformat()}#{index}"
        phone, name = fake.phone_number(), fake.name()
        walk_in = rng.random() < 0.75
        walk_ins += walk_in
        steps.append((at, lambda k=key, a=at, p=phone, n=name, w=walk_in: _register(office, customers, k, a, p, n, w)))
        if lapsing is not None and index == 0:
            follow = office.at(lapsing, "10:30")
            steps.append((follow, lambda k=key, f=follow: _follow_up(office, customers, k, f)))
        elif (office.today - day).days > 2 and rng.random() < 0.4:
            follow = at + dt.timedelta(days=rng.randint(1, 3), hours=1)
            if follow < office.now:
                steps.append((follow, lambda k=key, f=follow: _follow_up(office, customers, k, f)))
    if sign and close < office.now:
        steps.append((close, lambda d=day, c=close: showroom.sign_day(
            office.engine, actor=manager, day=d, traffic_count=rng.randint(count, count + 6), now=c)))
    return walk_ins


def _register(office: Office, customers, key, at, phone, name, walk_in) -> None:
    """A walk-in goes to whoever is due on the queue board and taps "received a new group"; a call goes to
    today's hotline holder (seed 000 D1 A, B1)."""
    manager = office.one("销售经理")
    receiver = None
    if walk_in:
        board = rotation.board(office.engine, actor=manager, now=at)
        receiver = board.due_id
        if receiver is None:
            return
    form = RegisterForm(channel="walk_in" if walk_in else "call", customer_name=name, phone=phone,
                        matter=office.rng.choice(MATTERS), visit_date=at.astimezone(office.tz).date(),
                        details=office.rng.choice(DETAILS) if office.rng.random() < 0.8 else "",
                        receiver_id=receiver)
    actor = next(p.actor for p in office.people if p.id == receiver) if receiver else manager
    result = showroom.register_contact(office.engine, actor=actor, form=form, queue_tap=walk_in, now=at)
    customers[key] = result.customer_id


def _follow_up(office: Office, customers, key, at) -> None:
    customer_id = customers.get(key)
    if customer_id is None:
        return
    owner = _owner(office, customer_id, at)
    if owner is None:
        return
    try:
        showroom.log_follow_up(office.engine, actor=owner, customer_id=customer_id, note="电话回访，客户仍有意向",
                               now=at)
    except DomainError:
        return  # the customer changed hands since (a revisit); the new owner follows up another day


def _owner(office: Office, customer_id: int, at: dt.datetime):
    with session_scope(office.engine, write=False) as session:
        row = session.get(ShowroomCustomer, customer_id)
        owner, _state, _due = showroom.effective(row, at)
    return next((p.actor for p in office.people if p.id == owner), None)


def front_desk_extras(office: Office) -> None:
    """Enquiries with promised answers, a reception application, and today's control-room access log."""
    rng, fake = office.rng, office.fake
    desk = [p.actor for p in office.in_team("前台接待", "前台接待员")]
    questions = ["新款车型什么时候到店？", "周末是否有试驾活动？", "置换补贴怎么计算？", "售后保养预约电话是多少？"]
    for index, question in enumerate(questions):
        asked = office.now - dt.timedelta(days=index, hours=2)
        promised = office.now + dt.timedelta(hours=4 + index) if index < 2 else asked + dt.timedelta(hours=3)
        enquiry, _repeats = showroom_enquiries.log_enquiry(
            office.engine, actor=rng.choice(desk), question=question, status="open",
            promised_response_at=promised, caller_name=fake.name(), caller_phone=fake.phone_number(), now=asked)
        if index >= 2:
            showroom_enquiries.answer_enquiry(office.engine, actor=rng.choice(desk), enquiry_id=enquiry,
                                              answer="已电话答复客户", now=asked + dt.timedelta(hours=2))
    host = office.one("综合部主管")
    starts = office.today + dt.timedelta(days=3)
    application, _flags = reception_desk.create_application(
        office.engine, actor=host, now=office.now - dt.timedelta(hours=3),
        form=ReceptionForm(guest_count=4, reception_class="B", starts_on=starts, ends_on=starts,
                           reason="合作经销商来访洽谈年度合作", host=host.name, guest_title="区域经理",
                           requirements="安排展厅参观和会议室"))
    reception_desk.advance(office.engine, actor=host, application_id=application, action="submit",
                           now=office.now - dt.timedelta(hours=2))
    chief = office.one("部长")
    for index, (name, purpose) in enumerate([("王师傅", "空调机组例行保养"), ("李工", "消防联动测试配合")]):
        came = office.now - dt.timedelta(hours=3 - index)
        entry = access_log.register_entry(office.engine, actor=chief, now=came, form=AccessForm(
            area="control_room", category="support_staff", name=name, purpose=purpose, unit="物业工程部",
            signed=True))
        access_log.approve_entry(office.engine, actor=chief, entry_id=entry, now=came + dt.timedelta(minutes=2))
        access_log.mark_in(office.engine, actor=chief, entry_id=entry, signed=True, now=came + dt.timedelta(minutes=3))
        if index == 0:
            access_log.mark_out(office.engine, actor=chief, entry_id=entry, now=came + dt.timedelta(minutes=50))
