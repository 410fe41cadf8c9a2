"""Bench history for complaint and service-request tracking (M3) and the SQL of its pages.

Scale 1 is one year of a busy service desk: 20k tickets (so scale 10 is 200k) with their timelines
(≈ 6 steps each, 1.2M at scale 10), the follow-up calls of closed repairs, and the audit row of every
step. Callers come back (a skewed pick from the customer pool, so a few regulars have hundreds of
tickets at scale 10). Every ticket is walked through the domain's transition table
(``rules.apply_transition``), so the stored rows are what the services would have written. The open
workload is the same at every scale: today's 60 tickets at various stages plus a fixed handful left
from each of the last 30 days; everything older is closed. That is the point of the measure: the
board, the dispatch list and the callback queue must stay flat as closed history grows.

Importing this module registers the ``tickets`` generator with ``bench.generate``; ``page_sql()`` holds
the page queries in the shape of ``bench/run.py`` ``PAGE_SQL``. Standalone, it measures on a SQLite
file of its own (and on PostgreSQL when ``DATABASE_URL`` is one):

    .venv/bin/python -m bench.gen_tickets --compare 1,10
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.gen_tickets --backends postgresql

Results: ``bench/results/tickets_<backend>.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import random
import statistics
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import func, or_, select, text

from bench.generate import Context, Person, Row, audit_row, generate, generator
from db.engine import ROOT, make_engine, session_scope
from db.migrate import upgrade
from db.models import Ticket, TicketCustomer, TicketEvent, TicketSurvey, User
from lib.domain.complaints import rules
from lib.domain.complaints.surveys import Attitude, FollowUpSurvey
from lib.services.base import Actor, utcnow
from lib.services.tickets.map import OPEN_STATES, UNDISPATCHED, FOLLOW_UP_STATES, deadline_columns, stored

TICKETS_PER_YEAR = 20_000
TICKETS_TODAY = 60
OPEN_LEFT_BY_AGE = {1: 20, 2: 12, 3: 8, 4: 5, 5: 4, 6: 3}   # open tickets left from N days ago; 1 a day to day 30
CUSTOMERS_PER_TICKET = 0.4
TYPES = (("inquiry", 0.35), ("suggestion", 0.05), ("complaint", 0.15), ("repair", 0.35), ("service_request", 0.10))
COMPLAINT_CATEGORIES = ("trade_dispute", "order", "top_up", "supplier", "after_sales", "packaging")
PROBLEMS = {"inquiry": ("营业时间？", "供暖费怎么交", "发票怎么开", "保修期多长"),
            "suggestion": ("建议增加夜间热线", "希望短信通知维修时间"),
            "complaint": ("送货延迟", "客服态度差", "充值未到账", "包装破损", "维修后仍不热"),
            "repair": ("暖气不热", "暖气漏水", "阀门坏了", "热水器不打火"),
            "service_request": ("上门检修", "更换滤网", "年度保养")}
MODELS = ("GL-200", "GL-300", "WH-50", "FV-12")

T = Ticket.__table__
E = TicketEvent.__table__
S = TicketSurvey.__table__
C = TicketCustomer.__table__
U = User.__table__

STAFF = rules.Actor("bench", rules.STAFF)
MANAGER = rules.Actor("bench-manager", rules.SUPERVISOR, frozenset(rules.DEFAULT_SETTINGS.dispatcher_titles))
SURVEY = FollowUpSurvey(convenient=True, resolved=True, attitude=Attitude.satisfied, charged=False, score=9,
                        fee_paid=True)

# (action, who, payload, minutes after the previous step: low, high)
Step = tuple[rules.Action, rules.Actor, rules.Payload | None, int, int]
A = rules.Action
_ANSWER = [(A.triage, STAFF, rules.Payload(category=rules.Category.inquiry), 1, 10),
           (A.resolve, MANAGER, rules.Payload(root_cause="当场解答"), 1, 30),
           (A.inform, STAFF, rules.Payload(customer_satisfied=True), 1, 20), (A.close, STAFF, None, 1, 10)]
_REPAIR = [(A.dispatch, MANAGER, rules.Payload(technician="维修老王"), 30, 1200),
           (A.arrive, STAFF, None, 60, 1440), (A.complete, STAFF, None, 30, 180),
           (A.report, STAFF, rules.Payload(service_report_no="SR"), 30, 1440),
           (A.start_follow_up, STAFF, None, 60, 2880)]


def _complaint(category: rules.Category) -> list[Step]:
    return [(A.triage, STAFF, rules.Payload(category=category), 5, 30),
            (A.forward, STAFF, rules.Payload(forwarded_to="工程部"), 10, 50), (A.start_work, STAFF, None, 60, 1200),
            (A.resolve, MANAGER, rules.Payload(root_cause="流程疏漏", permanent_fix="培训"), 60, 2880),
            (A.inform, STAFF, rules.Payload(customer_satisfied=True), 30, 240), (A.close, STAFF, None, 1, 60)]


def _steps(rng: random.Random, kind: str) -> list[Step]:
    if kind in ("inquiry", "suggestion"):
        return list(_ANSWER)
    if kind == "complaint":
        steps = _complaint(rng.choice([rules.Category(c) for c in COMPLAINT_CATEGORIES]))
        if rng.random() < 0.1:  # the customer was not satisfied the first time (S38)
            steps[4] = (A.inform, STAFF, rules.Payload(customer_satisfied=False), 30, 240)
            steps[5:5] = [(A.close, STAFF, None, 1, 30), (A.resolve, MANAGER, None, 60, 1440),
                          (A.inform, STAFF, rules.Payload(customer_satisfied=True), 30, 240)]
        return steps
    steps = list(_REPAIR)
    if rng.random() < 0.1:  # "not convenient now": a callback an hour later
        steps += [(A.book_callback, STAFF, None, 1, 5), (A.start_follow_up, STAFF, None, 60, 70)]
    return steps + [(A.close, STAFF, rules.Payload(survey=SURVEY), 1, 10)]


def _open_quota(ctx: Context, day: dt.date, count: int) -> int:
    age = (ctx.today - day).days
    if age == 0:
        return count
    return min(count, OPEN_LEFT_BY_AGE.get(age, 1 if age <= 30 else 0))


def _type(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for kind, share in TYPES:
        total += share
        if roll < total:
            return kind
    return TYPES[-1][0]


@dataclasses.dataclass
class _Caller:
    id: int
    name: str
    phone: str
    address: str


@generator("tickets")
def tickets(ctx: Context) -> Iterator[list[Row]]:
    """Tickets of every type walked through the M3 transition table, their timelines, surveys and audits."""
    rng = ctx.rng
    counts = ctx.spread(TICKETS_PER_YEAR, TICKETS_TODAY)
    settings = rules.DEFAULT_SETTINGS
    names = [ctx.fake.name() for _ in range(3000)]
    streets = [ctx.fake.street_address() for _ in range(3000)]
    # The whole caller pool comes on the first day: the driver writes a day's tables in first-seen order,
    # and every ticket must find its customer already written.
    first = ctx.at(ctx.days[0], 0)
    callers = [_Caller(ctx.new_id(C), rng.choice(names), f"139{i:08d}", rng.choice(streets))
               for i in range(max(1, round(sum(counts) * CUSTOMERS_PER_TICKET)))]
    pool: list[Row] = [(C, {"id": c.id, "name": c.name, "phone": c.phone, "phone_norm": c.phone,
                            "address": c.address, "created_at": first}) for c in callers]
    for day, count in zip(ctx.days, counts):
        rows: list[Row] = []
        audits: list[Row] = []
        open_ids = set(rng.sample(range(count), _open_quota(ctx, day, count)))
        received = sorted(ctx.at(day, rng.uniform(*_window(ctx, day))) for _ in range(count))
        for index, at in enumerate(received):
            caller = callers[int(len(callers) * rng.random() ** 2)]  # skewed: regulars call again and again
            _ticket(ctx, rng, settings, caller, at, index in open_ids, rows, audits)
        yield pool + rows + audits
        pool = []


def _window(ctx: Context, day: dt.date) -> tuple[float, float]:
    return ctx.today_window() if day == ctx.today else (8 * 60 + 50, 18 * 60)


def _ticket(ctx: Context, rng: random.Random, settings, caller: _Caller, at: dt.datetime, keep_open: bool,
            rows: list[Row], audits: list[Row]) -> None:
    kind = _type(rng)
    agent = rng.choice(ctx.staff)
    local = at.astimezone(ctx.tz)
    draft = rules.IntakeDraft(
        type=rules.TicketType(kind), agent_no=f"{agent.id:03d}", problem=rng.choice(PROBLEMS[kind]),
        address=caller.address, customer_name=caller.name, phone=caller.phone, problem_confirmed=True,
        address_confirmed=True, name_confirmed=True, phone_confirmed=True, customer_id=caller.id,
        compensation_involved=kind == "complaint" and rng.random() < 0.1,
        product_model=rng.choice(MODELS) if kind in ("repair", "service_request") else "",
        fault="不热" if kind == "repair" else "")
    ticket = dataclasses.replace(rules.new_ticket(draft, local, settings), id=ctx.new_id(T))
    steps = _steps(rng, kind)
    offsets = [rng.randint(low, high) for *_, low, high in steps]
    if keep_open:
        steps = steps[:rng.randrange(len(steps))]  # stops somewhere before closing
        offsets = offsets[:len(steps)]
    limit = (ctx.now - at).total_seconds() / 60 * 0.95
    if sum(offsets) > limit:  # squeeze the chain so it is over before now
        offsets = [o * limit / sum(offsets) for o in offsets]
    technician = rng.choice(ctx.staff)
    events = [_event(ticket.id, 1, at, agent, "create", None, ticket.state.value)]
    follow_up_at = None
    moment = local
    for (action, who, payload, *_), minutes in zip(steps, offsets):
        moment = moment + dt.timedelta(minutes=minutes)
        if action is A.book_callback:
            payload = rules.Payload(callback_at=moment + dt.timedelta(hours=1))
        outcome = rules.apply_transition(ticket, action, who, moment, payload, settings)
        events.append(_event(ticket.id, len(events) + 1, moment, technician if action in (A.arrive, A.complete)
                             else agent, outcome.transition.action.value, ticket.state.value, outcome.state.value))
        if outcome.follow_up is not None:
            follow_up_at = outcome.follow_up.created_at
        ticket = outcome.ticket
    columns = stored(ticket)
    rows.append((T, {
        "id": ticket.id, "type": kind, "flow": ticket.flow.value, "channel": ticket.channel.value,
        "customer_id": caller.id, "customer_name": caller.name, "phone": caller.phone, "address": caller.address,
        "problem": ticket.problem, "resident": False, "agent_no": ticket.agent_no, "created_by_id": agent.id,
        "assignee_id": None, "technician_id": technician.id if ticket.technician else None, "received_at": at,
        "repeat_kind": None, "repeat_of_id": None, "product_model": ticket.product_model, "product_spec": "",
        "purchase_date": None, "purchase_place": "", "fault": ticket.fault, "service_kind": None,
        "in_warranty": True, "quality_fault": True, "priority": False, "out_of_town": False,
        "follow_up_at": follow_up_at, "last_seq": len(events), "updated_at": moment, **columns,
        **deadline_columns(ticket, settings)}))
    rows += [(E, e) for e in events]
    audits += [audit_row(at=e["at"], who=agent, entity="ticket", entity_id=ticket.id, action=e["action"],
                         after={"state": e["to_state"]}) for e in events]
    if ticket.state is rules.State.closed and ticket.flow is rules.Flow.repair:
        rows.append((S, {"ticket_id": ticket.id, "at": ticket.closed_at, "agent_id": agent.id, "convenient": True,
                         "callback_at": None, "resolved": True, "attitude": "satisfied", "charged": False,
                         "score": rng.choice((7, 8, 9, 9, 10, 10)), "suggestion": "", "fee_paid": True,
                         "fee_reminder_given": False}))


def _event(ticket_id: int, seq: int, at: dt.datetime, who: Person, action: str, before: str | None,
           after: str) -> dict:
    return {"ticket_id": ticket_id, "seq": seq, "at": at, "actor_id": who.id, "actor_name": who.username,
            "action": action, "from_state": before, "to_state": after, "note": "",
            "data": {"changes": {"state": after}} if before != after else None}


# ---- page SQL (for bench/run.py PAGE_SQL) -------------------------------------------------------------------

def _named():
    assignee, technician = U.alias("assignee"), U.alias("technician")
    return (select(T, assignee.c.name, technician.c.name)
            .select_from(T.outerjoin(assignee, assignee.c.id == T.c.assignee_id)
                         .outerjoin(technician, technician.c.id == T.c.technician_id)))


def page_sql(agent_id: int, customer_id: int, phone: str) -> dict:
    """The queries the ticket pages run on first render (the intake with a regular caller's phone typed);
    like the services, the customer's tickets are read by its id once the phone has found it."""
    open_ = T.c.state.in_(OPEN_STATES)
    return {
        "tickets_board": [
            ("counts", lambda p: select(T.c.state, T.c.severity, func.count()).where(open_)
             .group_by(T.c.state, T.c.severity)),
            ("breached", lambda p: select(func.count()).select_from(T).where(open_, T.c.due_at <= p.now)),
            ("list", lambda p: _named().where(open_).order_by(T.c.due_at.asc().nulls_last(), T.c.received_at)
             .limit(301)),
        ],
        "tickets_intake": [
            ("customer", lambda p: select(C).where(C.c.phone_norm == phone)),
            ("open", lambda p: _named().where(T.c.customer_id == customer_id, open_).limit(300)),
            ("past", lambda p: _named().where(T.c.customer_id == customer_id, T.c.state == "closed")
             .order_by(T.c.received_at.desc()).limit(10)),
        ],
        "tickets_mine": [
            ("mine", lambda p: _named().where(open_, or_(T.c.created_by_id == agent_id, T.c.assignee_id == agent_id,
                                                         T.c.technician_id == agent_id))
             .order_by(T.c.due_at.asc().nulls_last(), T.c.received_at).limit(300)),
            ("unclaimed", lambda p: _named().where(open_, T.c.assignee_id.is_(None), T.c.technician_id.is_(None))
             .order_by(T.c.due_at.asc().nulls_last(), T.c.received_at).limit(300)),
        ],
        "tickets_dispatch": [
            ("undispatched", lambda p: _named().where(T.c.state.in_(UNDISPATCHED)).order_by(T.c.received_at)
             .limit(300)),
            ("out of town", lambda p: _named().where(T.c.state == "dispatched", T.c.out_of_town.is_(True),
                                                     T.c.out_of_town_approved_at.is_(None)).limit(300)),
        ],
        "tickets_callbacks": [
            ("follow-ups", lambda p: _named().where(T.c.state.in_(FOLLOW_UP_STATES)).order_by(T.c.follow_up_at)
             .limit(300)),
        ],
    }


# ---- standalone measurement --------------------------------------------------------------------------------

def _median_ms(call, runs: int) -> float:
    call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def _target(scale: float, backend: str, server: str):
    """A fresh SQLite file, or a fresh schema on the PostgreSQL ``server`` (with its drop)."""
    if backend == "sqlite":
        path = ROOT / "bench" / "results" / f"tickets_s{scale:g}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", lambda: None
    if not server.startswith(("postgresql://", "postgres://")):
        raise SystemExit("the postgresql backend needs DATABASE_URL=postgresql://...")
    base = "postgresql+psycopg://" + server.split("://", 1)[1]
    schema = f"bench_tickets_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{schema}", drop


def measure(scale: float, backend: str = "sqlite", runs: int = 5, server: str = "") -> dict:
    """Generate the office plus this module at ``scale``; time the services and the pages behind the targets."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from lib.services import accounts
    from lib.services.tickets import read as tickets_read

    url, drop = _target(scale, backend, server)
    engine = make_engine(url)
    try:
        upgrade(engine)
        report = generate(engine, scale=scale, modules=["tickets"])
        with session_scope(engine, write=False) as session:
            rows = {t.name: session.execute(select(func.count()).select_from(t)).scalar_one() for t in (T, E, S, C)}
            rows["open tickets"] = session.execute(select(func.count()).select_from(T)
                                                   .where(T.c.state.in_(OPEN_STATES))).scalar_one()
            regular_id, regular_count = session.execute(
                select(T.c.customer_id, func.count()).group_by(T.c.customer_id)
                .order_by(func.count().desc()).limit(1)).one()
            phone = session.execute(select(C.c.phone).where(C.c.id == regular_id)).scalar_one()
            busiest = session.execute(select(T.c.created_by_id).where(T.c.state.in_(OPEN_STATES))
                                      .group_by(T.c.created_by_id).order_by(func.count().desc()).limit(1)).scalar()
            agent = accounts.actor_of(session.get(User, busiest))
        boss = Actor(id=None, username="bench", name="bench", role="supervisor")
        now = utcnow()
        result = {
            "scale": scale, "backend": backend, "generated_s": report.seconds, "rows": rows,
            "regular_caller_tickets": regular_count,
            "board_service_ms": _median_ms(lambda: tickets_read.board(engine, actor=boss, now=now), runs),
            "customer_lookup_service_ms": _median_ms(
                lambda: tickets_read.find_customer(engine, actor=agent, phone=phone, now=now), runs),
            "my_tickets_service_ms": _median_ms(lambda: tickets_read.my_tickets(engine, actor=agent, now=now), runs),
            "dispatch_service_ms": _median_ms(lambda: tickets_read.dispatch_list(engine, actor=boss, now=now), runs),
            "callbacks_service_ms": _median_ms(lambda: tickets_read.callback_queue(engine, actor=boss, now=now),
                                               runs),
        }
        with engine.connect() as conn:
            for page, queries in page_sql(agent.id, regular_id, phone).items():
                result[f"{page}_sql_ms"] = _median_ms(
                    lambda qs=queries: [conn.execute(q(_Probe(now))).all() for _, q in qs], runs)
        os.environ["DATABASE_URL"] = url
        st.cache_resource.clear()
        for page, username, state in (("tickets_board", "admin", {}), ("tickets_dispatch", "admin", {}),
                                      ("tickets_intake", agent.username, {"tk_phone": phone}),
                                      ("tickets_mine", agent.username, {}),
                                      ("tickets_callbacks", agent.username, {})):
            app = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60)
            app.session_state["authentication_status"] = True
            app.session_state["username"] = username
            for key, value in state.items():
                app.session_state[key] = value
            result[f"{page}_page_ms"] = _median_ms(app.run, runs)
            assert not app.exception, app.exception
        st.cache_resource.clear()
        return result
    finally:
        engine.dispose()
        drop()


@dataclasses.dataclass(frozen=True)
class _Probe:
    now: dt.datetime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", default="1,10", help="scales, e.g. 1,10")
    parser.add_argument("--backends", default="sqlite", help="sqlite,postgresql (PostgreSQL from DATABASE_URL)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    server = os.environ.get("DATABASE_URL", "")  # the pages' DATABASE_URL is moved to each bench database
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        results = []
        for scale in [float(s) for s in args.compare.split(",")]:
            results.append(measure(scale, backend, args.runs, server))
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
        out = ROOT / "bench" / "results" / f"tickets_{backend}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
