"""The contended actions of issue 12, each a :class:`Race`: its people (setup), a fresh contended situation per
round (fresh), the real service call every thread makes (fire) and the invariant on the database (check).

Imported by the parent and by both worker processes (``RACES`` by name); nothing here runs at import.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter, defaultdict

from sqlalchemy import update
from sqlmodel import select

from db.engine import session_scope
from db.models import (AuditEvent, HandoverRecord, LedgerEntryRecord, OrgUnit, QueueDay, QueueEventRecord,
                       ReceptionStep, RosterAbsence, RosterEntryRecord, RosterSwap, ShowroomContactRecord,
                       ShowroomDaySheet, Ticket, TicketEvent, TicketSurvey, User, VisitorEntry)
from lib.domain.visitors import VisitorForm
from lib.services import accounts, handover, ledger, reception_desk, roster, rotation, sessions, settings
from lib.services.ledger import ViolationFacts
from lib.services.reception_desk import ReceptionForm
from lib.services.showroom import read as showroom_read
from lib.services.showroom import write as showroom
from lib.services.showroom.write import RegisterForm
from lib.services.tickets import write as tickets
from lib.services.tickets.write import ActionInput, SurveyAnswers, TicketForm
from lib.services.visitors import register as visitors
from tests.db.helpers import make_user
from tests.races.harness import Broken, Race, Refused, RoundResult

SH = dt.timezone(dt.timedelta(hours=8))
RACES: dict[str, Race] = {}


def registered(cls):
    RACES[cls.name] = cls()
    return cls


def audits(session, entity: str, entity_id=None, action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == str(entity_id))
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(session.exec(query.order_by(AuditEvent.id)).all())


def audit_counts(session, entity: str) -> Counter:
    """(entity_id, action) -> rows, for one entity, in one query."""
    rows = session.exec(select(AuditEvent.entity_id, AuditEvent.action).where(AuditEvent.entity == entity)).all()
    return Counter((str(i), a) for i, a in rows)


def won(rounds: list[RoundResult]) -> list[RoundResult]:
    return [r for r in rounds if r.wins]


def make_post(engine, name: str, **flags) -> int:
    with session_scope(engine) as session:
        post = OrgUnit(kind="post", name=name, min_staff=1, **flags)
        session.add(post)
        session.flush()
        return post.id


# ---- the sales queue (R10, T6) ----------------------------------------------------------------------------

QUEUE_DAY = dt.datetime(2026, 5, 11, 10, 0, tzinfo=SH)  # a Monday
TAPS_PER_DAY = 40  # a new queue day every 40 rounds, so the day's replay stays the size of a busy day


def queue_now(round_no: int) -> dt.datetime:
    return QUEUE_DAY + dt.timedelta(days=round_no // TAPS_PER_DAY, seconds=30 * (round_no % TAPS_PER_DAY))


def showroom_floor(engine) -> dict:
    boss = make_user(engine, username="boss", role="supervisor", name="经理甲", titles=["销售经理"])
    people = [make_user(engine, username=f"c{i}", name=f"顾问{i}", titles=["销售顾问"]) for i in range(1, 6)]
    rotation.record_draw(engine, actor=boss, method="recorded", consultant_ids=[p.id for p in people],
                         now=QUEUE_DAY)
    return {"boss": boss, "people": {p.id: p for p in people}}


def queue_check(engine, rounds: list[RoundResult], *, with_contacts: bool) -> list[str]:
    """One event per winning round, given to the person due on the screen; seqs 1..n per day; one audit row per
    event and per opened day; no 抢客 flag; with registrations: one contact per event and none for a refusal."""
    breaks = []
    with session_scope(engine, write=False) as session:
        days = {d.id: d for d in session.exec(select(QueueDay)).all()}
        events = session.exec(select(QueueEventRecord).order_by(QueueEventRecord.day_id, QueueEventRecord.seq)).all()
        event_audits = audit_counts(session, "queue_event")
        day_audits = audit_counts(session, "queue_day")
        contacts = session.exec(select(ShowroomContactRecord.id)).all()
    by_day = defaultdict(list)
    for e in events:
        by_day[e.day_id].append(e.seq)
    for day_id, seqs in by_day.items():
        if seqs != list(range(1, len(seqs) + 1)):
            breaks.append(f"queue day {days[day_id].day}: seqs {seqs[:10]}... not 1..n")
    winners = won(rounds)
    if len(events) != len(winners):
        breaks.append(f"{len(events)} queue events for {len(winners)} winning rounds")
    for r, e in zip(winners, events):
        if e.consultant_id != r.situation["due"]:
            breaks.append(f"round {r.round}: the turn went to {e.consultant_id}, the screen showed {r.situation['due']}")
    if [e for e in events if e.flag]:
        breaks.append(f"{sum(1 for e in events if e.flag)} events flagged ({Counter(e.flag for e in events if e.flag)})")
    for e in events:
        if event_audits[(f"{days[e.day_id].day.isoformat()}#{e.seq}", e.type)] != 1:
            breaks.append(f"queue event {days[e.day_id].day}#{e.seq}: audit rows "
                          f"{event_audits[(f'{days[e.day_id].day.isoformat()}#{e.seq}', e.type)]}")
    if sum(event_audits.values()) != len(events):
        breaks.append(f"{sum(event_audits.values())} queue_event audit rows for {len(events)} events (orphans)")
    if sum(day_audits.values()) != len(days):
        breaks.append(f"{sum(day_audits.values())} queue_day audit rows for {len(days)} days")
    if with_contacts:
        if len(contacts) != len(events):
            breaks.append(f"{len(contacts)} contacts for {len(events)} queue events (a refused walk-in left one)")
        if sorted(e.contact_id for e in events) != sorted(contacts):
            breaks.append("queue events and contacts do not pair up")
    return breaks


@registered
class QueueTake(Race):
    """R10/T6: every thread presses 「接待新客户」 for the person due on the screen it saw: one turn per step."""

    name = "queue take (接待新客户)"
    ids = "R10/T6"

    def setup(self, engine):
        return showroom_floor(engine)

    def fresh(self, engine, state, round_no):
        now = queue_now(round_no)
        board = rotation.board(engine, actor=state["boss"], now=now)
        return {"seq": board.seq, "due": board.due_id, "now": now}

    def fire(self, shot):
        s = shot.situation
        due = shot.state["people"][s["due"]]
        actor = due if shot.who % 2 else shot.state["boss"]  # the consultant's phone and the reception PC
        return rotation.record_event(shot.engine, actor=actor, consultant_id=due.id, event_type="received_new",
                                     seen_seq=s["seq"], now=s["now"])

    def check(self, engine, state, rounds):
        return queue_check(engine, rounds, with_contacts=False)


@registered
class QueueRegistration(Race):
    """R10: every thread registers a walk-in through the queue from the same screen (its step): one is saved
    with its turn, every other is refused naming who is due and saves nothing."""

    name = "queue registration (walk-in with the screen's step)"
    ids = "R10"

    def setup(self, engine):
        return showroom_floor(engine)

    def fresh(self, engine, state, round_no):
        now = queue_now(round_no)
        holders = showroom.board_holders(engine, actor=state["boss"], now=now)
        due = rotation.board(engine, actor=state["boss"], now=now).due_id
        return {"holders": holders, "due": due, "now": now}

    def fire(self, shot):
        s = shot.situation
        form = RegisterForm(channel="walk_in", customer_name="王先生", phone=f"13{shot.round:07d}{shot.who:02d}",
                            matter="卡罗拉试驾", visit_date=s["now"].date())
        result = showroom.register_contact(shot.engine, actor=shot.state["boss"], form=form, queue_tap=True,
                                           holders=s["holders"], seen_seq=s["holders"].seq, now=s["now"])
        if result.queue_error is not None:
            return Broken(f"saved without its turn: {result.queue_error.key}")
        return result

    def check(self, engine, state, rounds):
        breaks = queue_check(engine, rounds, with_contacts=True)
        for r in rounds:
            if r.situation["holders"].front_desk_id != r.situation["due"]:
                breaks.append(f"round {r.round}: the front desk {r.situation['holders'].front_desk_id} "
                              f"is not the person due {r.situation['due']}")
        return breaks


# ---- the showroom day sheet (S29) ----------------------------------------------------------------------------

SHEET_DAY = dt.datetime(2026, 5, 11, 10, 0, tzinfo=SH)


@registered
class DaySheetSignOff(Race):
    """The 销售经理 and the 供需 sign the same day sheet at once: one signature, one audit row."""

    name = "showroom day-sheet sign-off"
    ids = "S29"

    def setup(self, engine):
        boss = make_user(engine, username="boss", role="supervisor", name="经理甲", titles=["销售经理"])
        supply = make_user(engine, username="gx", name="供需乙", titles=["供需"])
        desk = make_user(engine, username="pc", name="接待台")
        c1 = make_user(engine, username="c1", name="顾问1", titles=["销售顾问"])
        return {"signers": (boss, supply), "desk": desk, "c1": c1}

    def fresh(self, engine, state, round_no):
        visit = SHEET_DAY + dt.timedelta(days=round_no)
        form = RegisterForm(channel="walk_in", customer_name="王先生", phone=f"138{round_no:08d}", matter="看车",
                            visit_date=visit.date(), receiver_id=state["c1"].id)
        showroom.register_contact(engine, actor=state["desk"], form=form, now=visit)
        closing = visit.replace(hour=17, minute=5)
        seen = showroom_read.day_sheet(engine, actor=state["signers"][0], day=visit.date(), now=closing)
        return {"day": visit.date(), "now": closing, "version": seen.version}

    def fire(self, shot):
        s = shot.situation
        return showroom.sign_day(shot.engine, actor=shot.state["signers"][shot.who % 2], day=s["day"],
                                 traffic_count=1, seen_version=s["version"], now=s["now"])

    def check(self, engine, state, rounds):
        breaks = []
        with session_scope(engine, write=False) as session:
            sheets = {s.day: s for s in session.exec(select(ShowroomDaySheet)).all()}
            signs = audit_counts(session, "showroom_day_sheet")
        for r in rounds:
            day = r.situation["day"]
            if sheets.get(day) is None or sheets[day].signed_at is None:
                breaks.append(f"{day}: not signed")
            if signs[(day.isoformat(), "sign")] != 1:
                breaks.append(f"{day}: {signs[(day.isoformat(), 'sign')]} sign audit rows")
        return breaks


# ---- reception applications (seed 002 #3) -----------------------------------------------------------------

@registered
class ReceptionSignOff(Race):
    """Two department managers review one submitted reception application at once: one step, one audit row."""

    name = "reception sign-off (dept review)"
    ids = ""

    def setup(self, engine):
        desk = make_user(engine, username="pc", name="接待台")
        reviewers = (make_user(engine, username="d1", name="部门经理1", titles=["部门经理"]),
                     make_user(engine, username="d2", name="部门经理2", titles=["部门主管"]))
        return {"desk": desk, "reviewers": reviewers}

    def fresh(self, engine, state, round_no):
        form = ReceptionForm(guest_count=4, reception_class="B", starts_on=dt.date(2026, 5, 14),
                             ends_on=dt.date(2026, 5, 14), reason=f"考察工厂 {round_no}", host="销售部王经理", meals=())
        app_id, _ = reception_desk.create_application(engine, actor=state["desk"], form=form, now=SHEET_DAY)
        reception_desk.advance(engine, actor=state["desk"], application_id=app_id, action="submit", now=SHEET_DAY)
        return {"id": app_id}

    def fire(self, shot):
        return reception_desk.advance(shot.engine, actor=shot.state["reviewers"][shot.who % 2],
                                      application_id=shot.situation["id"], action="dept_review", now=SHEET_DAY)

    def check(self, engine, state, rounds):
        breaks = []
        with session_scope(engine, write=False) as session:
            steps = defaultdict(list)
            for s in session.exec(select(ReceptionStep).order_by(ReceptionStep.application_id, ReceptionStep.seq)):
                steps[s.application_id].append((s.seq, s.action))
            counted = audit_counts(session, "reception")
        for r in rounds:
            app_id = r.situation["id"]
            seqs = [n for n, _ in steps[app_id]]
            if [a for _, a in steps[app_id]] != ["submit", "dept_review"] or len(set(seqs)) != len(seqs):
                breaks.append(f"application {app_id}: steps {steps[app_id]}")
            if counted[(str(app_id), "dept_review")] != 1:
                breaks.append(f"application {app_id}: {counted[(str(app_id), 'dept_review')]} dept_review audit rows")
        return breaks


# ---- roster requests (R9) ------------------------------------------------------------------------------------

WEEK = [dt.date(2026, 5, 11) + dt.timedelta(days=i) for i in range(7)]
THURSDAY_BEFORE = dt.datetime(2026, 5, 7, 10, 0, tzinfo=SH)


def _entries(engine, period) -> dict[tuple[dt.date, str], int]:
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(RosterEntryRecord).where(RosterEntryRecord.period_id == period)).all()
        return {(r.day, r.shift): r.staff_id for r in rows}


def _entry_id(engine, period, day, shift) -> int:
    with session_scope(engine, write=False) as session:
        return session.exec(select(RosterEntryRecord.id).where(
            RosterEntryRecord.period_id == period, RosterEntryRecord.day == day,
            RosterEntryRecord.shift == shift)).one()


@registered
class SwapSignOff(Race):
    """R9: A's day shift is offered to B twice (for two nights); half the threads approve one swap, half the
    other: one applies, and A and B keep seven shifts each."""

    name = "swap sign-off (two swaps of one shift)"
    ids = "R9"

    def setup(self, engine):
        boss = make_user(engine, username="chief", role="supervisor", name="值班经理", titles=["值班经理"])
        a, b = (make_user(engine, username=f"s{i}", name=f"中控员{i}") for i in (1, 2))
        post = make_post(engine, "中控室", is_24x7=True, requires_training=True)
        for person in (a, b):
            roster.set_qualification(engine, actor=boss, staff_id=person.id, post_id=post, trained=True,
                                     cert_valid_until=None)
        template = roster.create_template(engine, actor=boss, preset="three_crew_two_shift", name="两班")
        period = roster.create_period(engine, actor=boss, post_id=post, template_id=template, first_day=WEEK[0],
                                      last_day=WEEK[-1])
        roster.add_entries(engine, actor=boss, period_id=period, staff_id=a.id, shift="day", days=WEEK)
        roster.add_entries(engine, actor=boss, period_id=period, staff_id=b.id, shift="night", days=WEEK)
        prior = roster.create_period(engine, actor=boss, post_id=post, template_id=template,
                                     first_day=WEEK[0] - dt.timedelta(days=1), last_day=WEEK[0] - dt.timedelta(days=1))
        roster.add_entries(engine, actor=boss, period_id=prior, staff_id=b.id, shift="night",
                           days=[WEEK[0] - dt.timedelta(days=1)])
        roster.change_status(engine, actor=boss, period_id=period, target="published")
        start = _entries(engine, period)
        return {"boss": boss, "a": a, "period": period, "start": start,
                "shared": _entry_id(engine, period, WEEK[2], "day"),
                "nights": [_entry_id(engine, period, WEEK[3], "night"), _entry_id(engine, period, WEEK[4], "night")]}

    def fresh(self, engine, state, round_no):
        period, start, boss = state["period"], state["start"], state["boss"]
        after = _entries(engine, period)  # the previous round's roster, judged by check()
        with session_scope(engine, write=False) as session:
            pending = session.exec(select(RosterSwap.id).where(RosterSwap.status == "requested")).all()
        for swap in pending:
            roster.decide_swap(engine, actor=boss, swap_id=swap, approve=False)
        with session_scope(engine) as session:  # put the roster back as published
            for (day, shift), staff_id in start.items():
                session.execute(update(RosterEntryRecord).where(
                    RosterEntryRecord.period_id == period, RosterEntryRecord.day == day,
                    RosterEntryRecord.shift == shift).values(staff_id=staff_id))
        swaps = [roster.file_swap(engine, actor=state["a"], entry_id=state["shared"], counterpart_entry_id=night,
                                  now=THURSDAY_BEFORE) for night in state["nights"]]
        return {"swaps": swaps, "previous_roster": after}

    def fire(self, shot):
        swap = shot.situation["swaps"][shot.who % 2]
        return roster.decide_swap(shot.engine, actor=shot.state["boss"], swap_id=swap, approve=True)

    def check(self, engine, state, rounds):
        breaks = []
        start = state["start"]
        after_round = {r.round: rounds[i + 1].situation["previous_roster"] for i, r in enumerate(rounds[:-1])}
        if rounds:
            after_round[rounds[-1].round] = _entries(engine, state["period"])
        with session_scope(engine, write=False) as session:
            swaps = {s.id: s.status for s in session.exec(select(RosterSwap)).all()}
            decided = audit_counts(session, "roster_swap")
        for r in rounds:
            after = after_round[r.round]
            if Counter(after.values()) != Counter(start.values()):
                breaks.append(f"round {r.round}: shift counts {Counter(after.values())}, "
                              f"published {Counter(start.values())}")
            moved = {k for k in start if after.get(k) != start[k]}
            approved = [s for s in r.situation["swaps"] if swaps.get(s) == "approved"]
            if len(approved) != r.wins or len(moved) != 2 * r.wins:
                breaks.append(f"round {r.round}: {len(approved)} swaps approved, {len(moved)} entries moved, "
                              f"{r.wins} winners")
            for s in r.situation["swaps"]:
                if decided[(str(s), "approved")] > 1:
                    breaks.append(f"swap {s}: approved {decided[(str(s), 'approved')]} times in the audit")
        return breaks


@registered
class AbsenceSignOff(Race):
    """An official front-desk absence: half the threads approve it (with a cover), half reject it: one
    decision stands, with one audit row."""

    name = "absence sign-off"
    ids = "R9"

    def setup(self, engine):
        chief = make_user(engine, username="zhb", role="supervisor", name="综合部主管", titles=["综合部主管"])
        boss = make_user(engine, username="chief", role="supervisor", name="值班经理", titles=["值班经理"])
        a, b = (make_user(engine, username=f"s{i}", name=f"前台{i}") for i in (1, 2))
        post = make_post(engine, "前台")
        template = roster.create_template(engine, actor=boss, preset="front_desk", name="前台班")
        roster.create_period(engine, actor=boss, post_id=post, template_id=template, first_day=WEEK[0],
                             last_day=WEEK[-1])
        return {"chief": chief, "a": a, "b": b, "post": post}

    def fresh(self, engine, state, round_no):
        start = dt.datetime.combine(WEEK[round_no % 7], dt.time(10), tzinfo=SH)
        absence, status = roster.file_absence(engine, actor=state["a"], post_id=state["post"], starts_at=start,
                                              ends_at=start + dt.timedelta(hours=1), reason="official")
        assert status == "submitted", status
        return {"id": absence}

    def fire(self, shot):
        approve = shot.who % 2 == 0
        return roster.decide_absence(shot.engine, actor=shot.state["chief"], absence_id=shot.situation["id"],
                                     approve=approve, cover_id=shot.state["b"].id if approve else None)

    def check(self, engine, state, rounds):
        breaks = []
        with session_scope(engine, write=False) as session:
            status = {a.id: a.status for a in session.exec(select(RosterAbsence)).all()}
            counted = audit_counts(session, "roster_absence")
        for r in rounds:
            a = r.situation["id"]
            decisions = counted[(str(a), "approved")] + counted[(str(a), "rejected")]
            if decisions != 1 or counted[(str(a), status[a])] != 1:
                breaks.append(f"absence {a}: status {status[a]}, {decisions} decision audit rows")
        return breaks


# ---- tickets (M3) ---------------------------------------------------------------------------------------------

MONDAY_0900 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)
H = dt.timedelta(hours=1)
GOOD = SurveyAnswers(convenient=True, resolved=True, attitude="satisfied", charged=False, score=9, fee_paid=False)


def ticket_people(engine) -> dict:
    found = {
        "agents": [make_user(engine, username=f"agent{i:03d}", role="staff", name=f"客服{i}") for i in range(4)],
        "tech": make_user(engine, username="tech", role="staff", name="维修老王", titles=["维修人员"]),
        "boss": make_user(engine, username="boss", role="supervisor", name="客服主管"),
        "managers": [make_user(engine, username=f"manager{i}", role="supervisor", name=f"部门经理{i}",
                               titles=["部门经理"]) for i in range(2)],
    }
    with session_scope(engine) as session:  # intake needs the agent's 工号
        for i, agent in enumerate(found["agents"]):
            session.execute(update(User).where(User.id == agent.id).values(staff_no=f"{17 + i:03d}"))
    return found


def repair(phone: str, **changes) -> TicketForm:
    base = dict(type="repair", phone=phone, customer_name="王芳", address="幸福小区3号楼2单元501", problem="暖气不热",
                problem_confirmed=True, address_confirmed=True, name_confirmed=True, phone_confirmed=True,
                product_model="GL-200", fault="不热", category="after_sales")
    base.update(changes)
    return TicketForm(**base)


def complaint(phone: str) -> TicketForm:
    return TicketForm(type="complaint", phone=phone, customer_name="李雷", problem="送货员态度差",
                      category="trade_dispute")


def do(engine, actor, ticket_id, action, at, **given):
    return tickets.act(engine, actor=actor, ticket_id=ticket_id, action=action, given=ActionInput(**given), now=at)


def ticket_check(engine, rounds: list[RoundResult], action: str) -> list[str]:
    """Per ticket: timeline seqs 1..n, the row's last_seq n, one audit row per step, and ``action`` exactly once."""
    breaks = []
    ids = [r.situation["id"] for r in rounds]
    with session_scope(engine, write=False) as session:
        events = defaultdict(list)
        for e in session.exec(select(TicketEvent).where(TicketEvent.ticket_id.in_(ids))
                              .order_by(TicketEvent.ticket_id, TicketEvent.seq)):
            events[e.ticket_id].append((e.seq, e.action))
        last = dict(session.exec(select(Ticket.id, Ticket.last_seq).where(Ticket.id.in_(ids))).all())
        counted = Counter(str(i) for i in session.exec(select(AuditEvent.entity_id).where(
            AuditEvent.entity == "ticket")).all())
    for tid in ids:
        seqs = [s for s, _ in events[tid]]
        if seqs != list(range(1, len(seqs) + 1)) or last.get(tid) != len(seqs):
            breaks.append(f"ticket {tid}: timeline seqs {seqs}, last_seq {last.get(tid)}")
        if counted[str(tid)] != len(seqs):
            breaks.append(f"ticket {tid}: {counted[str(tid)]} audit rows for {len(seqs)} timeline steps")
        taken = [a for _, a in events[tid] if a == action]
        if len(taken) != 1:
            breaks.append(f"ticket {tid}: {len(taken)} '{action}' steps")
    return breaks


@registered
class TicketTake(Race):
    """Agents claim one unclaimed ticket at once: one owner, one 'take' step, the others told who has it."""

    name = "ticket take"
    ids = ""

    def setup(self, engine):
        return ticket_people(engine)

    def fresh(self, engine, state, round_no):
        return {"id": tickets.log_ticket(engine, actor=state["agents"][0], form=complaint(f"139{round_no:08d}"),
                                         now=MONDAY_0900).id}

    def fire(self, shot):
        agent = shot.state["agents"][shot.who % len(shot.state["agents"])]
        return tickets.take_ticket(shot.engine, actor=agent, ticket_id=shot.situation["id"], expected_seq=1,
                                   now=MONDAY_0900)

    def check(self, engine, state, rounds):
        return ticket_check(engine, rounds, "take")


@registered
class TicketDispatch(Race):
    """Two department managers dispatch one repair at once: one 'dispatch' step."""

    name = "ticket dispatch"
    ids = ""

    def setup(self, engine):
        return ticket_people(engine)

    def fresh(self, engine, state, round_no):
        return {"id": tickets.log_ticket(engine, actor=state["agents"][0], form=repair(f"137{round_no:08d}"),
                                         now=MONDAY_0900).id}

    def fire(self, shot):
        manager = shot.state["managers"][shot.who % 2]
        return do(shot.engine, manager, shot.situation["id"], "dispatch", MONDAY_0900 + H,
                  technician_id=shot.state["tech"].id)

    def check(self, engine, state, rounds):
        return ticket_check(engine, rounds, "dispatch")


@registered
class TicketClose(Race):
    """The agent and the supervisor close one informed complaint at once: one 'close' step."""

    name = "ticket close"
    ids = ""

    def setup(self, engine):
        return ticket_people(engine)

    def fresh(self, engine, state, round_no):
        agent = state["agents"][0]
        tid = tickets.log_ticket(engine, actor=agent, form=complaint(f"136{round_no:08d}"), now=MONDAY_0900).id
        for step, given in (("triage", {}), ("forward", {"forwarded_to": "物流部"}), ("start_work", {}),
                            ("resolve", {"root_cause": "新人"}), ("inform", {"customer_satisfied": True})):
            do(engine, agent, tid, step, MONDAY_0900 + H, **given)
        return {"id": tid}

    def fire(self, shot):
        actor = shot.state["agents"][0] if shot.who % 2 else shot.state["boss"]
        result = do(shot.engine, actor, shot.situation["id"], "close", MONDAY_0900 + 2 * H)
        return result if result.state == "closed" else Broken(f"close answered {result.state}")

    def check(self, engine, state, rounds):
        return ticket_check(engine, rounds, "close")


@registered
class TicketSurveyRace(Race):
    """Two agents record the follow-up call of one reported repair at once: one survey row, one 'close'."""

    name = "ticket survey (回访)"
    ids = ""

    def setup(self, engine):
        return ticket_people(engine)

    def fresh(self, engine, state, round_no):
        agent, tech, manager = state["agents"][0], state["tech"], state["managers"][0]
        tid = tickets.log_ticket(engine, actor=agent, form=repair(f"135{round_no:08d}"), now=MONDAY_0900).id
        do(engine, manager, tid, "dispatch", MONDAY_0900 + H, technician_id=tech.id)
        do(engine, tech, tid, "arrive", MONDAY_0900 + 2 * H)
        do(engine, tech, tid, "complete", MONDAY_0900 + 3 * H)
        do(engine, tech, tid, "report", MONDAY_0900 + 4 * H, service_report_no=f"R-{round_no}", service_content="换阀门")
        return {"id": tid}

    def fire(self, shot):
        agent = shot.state["agents"][shot.who % 2]
        return tickets.record_follow_up(shot.engine, actor=agent, ticket_id=shot.situation["id"], answers=GOOD,
                                        now=MONDAY_0900 + 6 * H)

    def check(self, engine, state, rounds):
        breaks = ticket_check(engine, rounds, "close")
        with session_scope(engine, write=False) as session:
            surveys = Counter(session.exec(select(TicketSurvey.ticket_id)).all())
        for r in rounds:
            if surveys[r.situation["id"]] != 1:
                breaks.append(f"ticket {r.situation['id']}: {surveys[r.situation['id']]} survey rows")
        return breaks


# ---- the ledger (R11) ---------------------------------------------------------------------------------------

LEDGER_DAY = dt.date(2020, 1, 1)


@registered
class LedgerDecision(Race):
    """R11: a confirmed entry is waived and reversed at once, by many: one decision stands."""

    name = "ledger decision (waive vs reverse)"
    ids = "R11"

    def setup(self, engine):
        gm = make_user(engine, username="gm", role="supervisor", name="总经理老周", titles=("总经理",))
        boss = make_user(engine, username="boss", role="supervisor", name="主管老李")
        staff = make_user(engine, username="s", name="孙悦")
        with session_scope(engine) as session:
            dept = OrgUnit(kind="department", name="客服部")
            session.add(dept)
            session.flush()
            team = OrgUnit(kind="team", name="一队", parent_id=dept.id)
            session.add(team)
            session.flush()
            user = session.get(User, staff.id)
            user.team_id, user.department_id = team.id, dept.id
            session.add(user)
        return {"gm": gm, "boss": boss, "staff": staff}

    def fresh(self, engine, state, round_no):
        occurred = LEDGER_DAY + dt.timedelta(days=round_no)
        now = dt.datetime.combine(occurred + dt.timedelta(days=1), dt.time(10), tzinfo=SH)
        entry = ledger.propose_entry(engine, actor=state["boss"], person_id=state["staff"].id, code="PH1",
                                     occurred_on=occurred, facts=ViolationFacts(), now=now)[0]
        ledger.decide_entry(engine, actor=state["gm"], entry_id=entry, confirm=True, now=now)
        return {"id": entry, "now": now}

    def fire(self, shot):
        s, gm = shot.situation, shot.state["gm"]
        if shot.who % 2:
            return ledger.decide_entry(shot.engine, actor=gm, entry_id=s["id"], confirm=False, reason="查无实据",
                                       now=s["now"])
        return ledger.reverse_entry(shot.engine, actor=gm, entry_id=s["id"], reason="更正", now=s["now"])

    def check(self, engine, state, rounds):
        breaks = []
        with session_scope(engine, write=False) as session:
            status = dict(session.exec(select(LedgerEntryRecord.id, LedgerEntryRecord.status)).all())
            reversals = Counter(session.exec(select(LedgerEntryRecord.reverses_id)
                                             .where(LedgerEntryRecord.reverses_id.is_not(None))).all())
            counted = audit_counts(session, "kpi_ledger_entry")
        for r in rounds:
            e = r.situation["id"]
            if (status[e], reversals[e]) not in {("waived", 0), ("confirmed", 1)}:
                breaks.append(f"entry {e}: {status[e]} with {reversals[e]} reversals")
            if counted[(str(e), "waive")] + reversals[e] != 1:
                breaks.append(f"entry {e}: {counted[(str(e), 'waive')]} waive audit rows, {reversals[e]} reversals")
        return breaks


# ---- visitors (S21) ------------------------------------------------------------------------------------------

@registered
class VisitorCheckOut(Race):
    """The desk and the supervisor check one visitor out at once: one time out, one audit row."""

    name = "visitor check-out"
    ids = "S21"

    def setup(self, engine):
        return {"actors": (make_user(engine, username="desk", name="前台小王"),
                           make_user(engine, username="boss", role="supervisor", name="主管老李"))}

    def fresh(self, engine, state, round_no):
        form = VisitorForm(name=f"访客{round_no}", headcount=1, purpose="商务洽谈", company="华为",
                           phone=f"138{round_no:08d}")
        return {"id": visitors.register_visitor(engine, actor=state["actors"][0], form=form)}

    def fire(self, shot):
        return visitors.check_out_visitor(shot.engine, actor=shot.state["actors"][shot.who % 2],
                                          visitor_id=shot.situation["id"])

    def check(self, engine, state, rounds):
        breaks = []
        with session_scope(engine, write=False) as session:
            out = dict(session.exec(select(VisitorEntry.id, VisitorEntry.time_out)).all())
            counted = audit_counts(session, "visitor")
        for r in rounds:
            v = r.situation["id"]
            if out.get(v) is None or counted[(str(v), "check_out")] != 1:
                breaks.append(f"visitor {v}: time out {out.get(v)}, {counted[(str(v), 'check_out')]} check-outs")
        return breaks


# ---- handovers (S16) -------------------------------------------------------------------------------------------

SHIFT_START = dt.datetime(2026, 5, 12, 8, 0, tzinfo=SH)
ALL_OK = {**{k: (True, "") for k in ("equipment", "incidents", "duty_log", "tools", "instructions", "hygiene")},
          **{f"five_{k}": (True, "") for k in ("problems_experience", "tools", "safety", "records", "hygiene")}}


def crew(engine) -> dict:
    out = make_user(engine, username="out", name="夜班")
    relief = [make_user(engine, username=f"in{i}", name=f"白班{i}") for i in range(4)]
    return {"out": out, "relief": relief}


@registered
class HandoverTake(Race):
    """A handover with nobody named to take it: the day shift checks in at once: one takes it."""

    name = "handover take (check-in)"
    ids = "S16"

    def setup(self, engine):
        return crew(engine)

    def fresh(self, engine, state, round_no):
        post = make_post(engine, f"中控室{round_no}", is_24x7=True)
        return {"id": handover.schedule(engine, actor=state["out"], post_id=post, out_shift="night", in_shift="day",
                                        shift_start=SHIFT_START, incoming_id=None,
                                        now=SHIFT_START - dt.timedelta(minutes=30))}

    def fire(self, shot):
        person = shot.state["relief"][shot.who % len(shot.state["relief"])]
        return handover.check_in(shot.engine, actor=person, handover_id=shot.situation["id"],
                                 now=SHIFT_START - dt.timedelta(minutes=15))

    def check(self, engine, state, rounds):
        breaks = []
        with session_scope(engine, write=False) as session:
            rows = {h.id: h for h in session.exec(select(HandoverRecord)).all()}
            counted = audit_counts(session, "handover")
            takers = {(str(a.entity_id)): a.user_id for a in audits(session, "handover", action="check_in")}
        for r in rounds:
            h = rows[r.situation["id"]]
            if counted[(str(h.id), "check_in")] != 1 or h.incoming_id is None or takers.get(str(h.id)) != h.incoming_id:
                breaks.append(f"handover {h.id}: {counted[(str(h.id), 'check_in')]} check-ins, incoming "
                              f"{h.incoming_id}, audited taker {takers.get(str(h.id))}")
        return breaks


@registered
class HandoverSign(Race):
    """Both sides sign one handover from several screens at once: each signs at most once, and the handover is
    completed exactly when both signatures are in."""

    name = "handover sign"
    ids = "S16"
    wins = (1, 2)

    def setup(self, engine):
        return crew(engine)

    def fresh(self, engine, state, round_no):
        out, inc = state["out"], state["relief"][0]
        post = make_post(engine, f"中控室{round_no}", is_24x7=True)
        hid = handover.schedule(engine, actor=out, post_id=post, out_shift="night", in_shift="day",
                                shift_start=SHIFT_START, incoming_id=inc.id, now=SHIFT_START - dt.timedelta(minutes=30))
        handover.check_in(engine, actor=inc, handover_id=hid, now=SHIFT_START - dt.timedelta(minutes=15))
        handover.acknowledge(engine, actor=inc, handover_id=hid, entry_ids=[])
        handover.submit_checklist(engine, actor=inc, handover_id=hid, checks=ALL_OK)
        return {"id": hid}

    def fire(self, shot):
        person = shot.state["out"] if shot.who % 2 else shot.state["relief"][0]
        return handover.sign(shot.engine, actor=person, handover_id=shot.situation["id"], now=SHIFT_START)

    def check(self, engine, state, rounds):
        breaks = []
        with session_scope(engine, write=False) as session:
            rows = {h.id: h for h in session.exec(select(HandoverRecord)).all()}
            signs = Counter((str(a.entity_id), a.user_id) for a in audits(session, "handover", action="sign"))
        out, inc = state["out"].id, state["relief"][0].id
        for r in rounds:
            h = rows[r.situation["id"]]
            signed = {who: h.data.get(f"{side}_signed_at") is not None for who, side in ((out, "outgoing"),
                                                                                        (inc, "incoming"))}
            for who in (out, inc):
                if signs[(str(h.id), who)] != int(signed[who]):
                    breaks.append(f"handover {h.id}: {signs[(str(h.id), who)]} sign audit rows by {who}, "
                                  f"signed {signed[who]}")
            if (h.state == "completed") != all(signed.values()):
                breaks.append(f"handover {h.id}: state {h.state} with signatures {signed}")
            if sum(signed.values()) != r.wins:
                breaks.append(f"handover {h.id}: {sum(signed.values())} signatures for {r.wins} winners")
        return breaks


# ---- login lockout (R1) and sessions (R2) ---------------------------------------------------------------------

@registered
class LockoutBurst(Race):
    """R1: 30 wrong passwords at once (2 processes × 15 threads) at one account: at most the limit are checked,
    the account is locked, every attempt is audited."""

    name = "login lockout (30 concurrent wrong guesses)"
    ids = "R1"
    threads = 15
    wins = (1, 5)  # checked guesses; the limit is auth.max_failed_logins (5), checked again in check()

    def fresh(self, engine, state, round_no):
        return {"id": make_user(engine, username=f"desk{round_no}").id, "username": f"desk{round_no}"}

    def fire(self, shot):
        result = accounts.authenticate(shot.engine, username=shot.situation["username"],
                                       password=f"wrong-guess-{shot.who}")
        if result.actor is not None:
            return Broken("a wrong password logged in")
        if result.message_key == "login.locked":
            return Refused(result.message_key)
        return result.message_key  # checked: login.failed or login.locked_now

    def check(self, engine, state, rounds):
        breaks = []
        now = dt.datetime.now(dt.timezone.utc)
        with session_scope(engine, write=False) as session:
            limit = int(settings.get(session, "auth.max_failed_logins"))
            rows = session.exec(select(AuditEvent.user_id, AuditEvent.action).where(
                AuditEvent.action.like("login%"))).all()
            locked = dict(session.exec(select(User.id, User.locked_until)).all())
        per_user = defaultdict(Counter)
        for user_id, action in rows:
            per_user[user_id][action] += 1
        for r in rounds:
            seen = per_user[r.situation["id"]]
            checked = seen["login_failed"] + seen["login_locked"]
            if sum(seen.values()) != len(r.outcomes):
                breaks.append(f"{r.situation['username']}: {sum(seen.values())} audit rows for "
                              f"{len(r.outcomes)} attempts ({dict(seen)})")
            if checked > limit or checked != r.wins or seen["login_locked"] != 1:
                breaks.append(f"{r.situation['username']}: {checked} checked (limit {limit}), {r.wins} winners, "
                              f"{seen['login_locked']} locks")
            until = locked.get(r.situation["id"])
            if until is None or (until if until.tzinfo else until.replace(tzinfo=dt.timezone.utc)) <= now:
                breaks.append(f"{r.situation['username']}: not locked ({until})")
        return breaks


SESSION_ENDS = ("logout", "password reset", "deactivation")


@registered
class SessionEnded(Race):
    """R2: a user's cookie opens on both app servers (two processes, each its own engine); one thread of the
    first ends the session (logout, password reset or deactivation, in turn) while every other thread
    validates the cookie; afterwards no thread on either server gets in with it."""

    name = "session ended"
    ids = "R2"
    wins = (1, 1)

    def label(self, round_no):
        return f"session ended by {SESSION_ENDS[round_no % 3]}, seen by a second app server"

    def setup(self, engine):
        return {"admin": make_user(engine, username="root", role="admin", name="管理员")}

    def fresh(self, engine, state, round_no):
        username = f"desk{round_no}"
        user = make_user(engine, username=username)
        result = accounts.authenticate(engine, username=username, password="password1")
        token = sessions.encode_token(result.session_secret, os.environ["DUTYDESK_COOKIE_KEY"])
        return {"id": user.id, "secret": result.session_secret, "token": token, "end": SESSION_ENDS[round_no % 3]}

    def fire(self, shot):
        from lib.auth import login_from_cookie  # Streamlit's import, paid only by the processes that race this

        s, engine = shot.situation, shot.engine
        key = os.environ["DUTYDESK_COOKIE_KEY"]

        def opens() -> bool:
            return login_from_cookie(engine, s["token"], key)[0] is not None

        failure, before = None, False
        try:
            before = opens()
        except Exception as exc:  # noqa: BLE001 - raised after the phases, so no thread leaves the barrier
            failure = exc
        shot.sync()
        try:
            if shot.who == 0:
                admin = shot.state["admin"]
                if s["end"] == "logout":
                    sessions.logout(engine, secret=s["secret"])
                elif s["end"] == "password reset":
                    accounts.reset_password(engine, actor=admin, user_id=s["id"], password="newpass123",
                                            repeat="newpass123")
                else:
                    accounts.set_active(engine, actor=admin, user_id=s["id"], active=False)
            else:
                opens()  # while it ends: either answer
        except Exception as exc:  # noqa: BLE001
            failure = failure or exc
        shot.sync()
        if failure is not None:
            raise failure
        if not before:
            return Broken(f"process {shot.process}: the cookie did not open before the {s['end']}")
        if opens():
            return Broken(f"process {shot.process}: the cookie still opens after the {s['end']}")
        return None if shot.who == 0 else Refused("cookie refused after the end (login page)")

    def check(self, engine, state, rounds):
        breaks = []
        with session_scope(engine, write=False) as session:
            from db.models import UserSession

            open_ones = Counter(session.exec(select(UserSession.user_id).where(UserSession.ended_at.is_(None))).all())
        for r in rounds:
            if open_ones[r.situation["id"]]:
                breaks.append(f"user {r.situation['id']}: {open_ones[r.situation['id']]} sessions still open "
                              f"after the {r.situation['end']}")
        return breaks


# ---- the control: a check-then-write with no guard, which the harness must catch ---------------------------------

@registered
class NaiveCheckOut(VisitorCheckOut):
    """Not a service: a check-out that reads, then writes without re-checking. The harness must find its breaks
    (several winners per round, several check-out audit rows); it proves the races above could fail."""

    name = "control: unguarded check-out (must break)"
    ids = "control"

    def fire(self, shot):
        import time

        from lib.domain.errors import Conflict
        from lib.services.base import audit

        visitor_id, now = shot.situation["id"], dt.datetime.now(dt.timezone.utc)
        with session_scope(shot.engine, write=False) as session:
            if session.get(VisitorEntry, visitor_id).time_out is not None:
                raise Conflict("visitor.already_out")
        time.sleep(0.01)
        with session_scope(shot.engine) as session:
            session.execute(update(VisitorEntry).where(VisitorEntry.id == visitor_id).values(time_out=now))
            audit(session, actor=shot.state["actors"][0], entity="visitor", entity_id=visitor_id, action="check_out",
                  at=now)
