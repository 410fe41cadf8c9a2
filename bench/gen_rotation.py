"""Bench history for the duty rotation module (M1) and the SQL of its pages.

Scale 1 is one year of a showroom and a control room: a lottery draw each month, one queue day per
day with 30–60 taps (receptions, old customers, skips, stepping away and back, the odd 抢客), a
demotion now and then; weekly rosters for the control room (白班/夜班, a trained crew of six) and the
front desk (one 第一责任人 each working day), everyone's check-ins, two signed handovers a day with the
duty log between them, a swap and an absence a week; all with the audit rows the services write. The
office grows to about 200 staff. Today looks the same at every scale: today's queue and its taps so
far, today's roster week, today's handovers so far.

The queue is simulated with the domain (``rotation.apply_event`` validates every tap) and each day
starts from the previous day's closing front-desk person, so the stored days replay exactly as the
services would have written them.

Importing this module registers the ``rotation`` generator with ``bench.generate``; ``page_sql()``
holds the page queries for ``bench/run.py``. Standalone, it measures the module's pages at two scales
on a SQLite file of its own:

    .venv/bin/python -m bench.gen_rotation --compare 1,10
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import replace

from sqlalchemy import func, select

from bench.generate import Context, Person, Row, audit_row, generator
from bench.standalone import median_ms, module_db
from db.engine import ROOT, session_scope
from db.models import (
    HandoverLogEntry,
    HandoverRecord,
    LotteryDraw,
    OrgUnit,
    QueueDay,
    QueueDemotion,
    QueueEventRecord,
    RosterAbsence,
    RosterCheckIn,
    RosterEntryRecord,
    RosterPeriod,
    RosterSwap,
    ShiftTemplateRecord,
    User,
)
from lib.domain import handover as ho
from lib.domain.rotation import rules
from lib.domain.errors import DomainError
from lib.domain.roster.presets import Preset, presets
from lib.domain.rotation.rules import EventType, SlotState
from lib.services import accounts
from lib.services.handover import _dump

EXTRA_STAFF = 170
CONSULTANTS = 12
CREW = 6
DESK = 3
DRAW_EVERY = 30
TAPS = (30, 60)
TAPS_TODAY = 25
CONTROL_POST = "中控室（值班）"

U, ORG, TPL = User.__table__, OrgUnit.__table__, ShiftTemplateRecord.__table__
DRAW, QDAY, QEV, DEM = LotteryDraw.__table__, QueueDay.__table__, QueueEventRecord.__table__, QueueDemotion.__table__
PER, ENT, CHK = RosterPeriod.__table__, RosterEntryRecord.__table__, RosterCheckIn.__table__
SWAP, ABS, HO, LOG = RosterSwap.__table__, RosterAbsence.__table__, HandoverRecord.__table__, HandoverLogEntry.__table__


def _start_ids(ctx: Context) -> None:
    """New users and posts get ids well past the demo office's (the context only counts bench tables)."""
    top = max(p.id for p in ctx.staff) + 100
    ctx.next_ids.setdefault(U.name, top)
    ctx.next_ids.setdefault(ORG.name, top)


def _people(ctx: Context, rng: random.Random, password_hash: str, control_post: int) -> tuple[list[Row], dict]:
    rows: list[Row] = []
    made: dict[str, list[Person]] = {"consultants": [], "crew": [], "desk": [], "other": []}
    created = ctx.at(ctx.days[0], 8 * 60)
    for n in range(EXTRA_STAFF):
        kind = ("consultants" if n < CONSULTANTS else "crew" if n < CONSULTANTS + CREW
                else "desk" if n < CONSULTANTS + CREW + DESK else "other")
        person = Person(ctx.new_id(U), f"b{n:04d}")
        made[kind].append(person)
        rows.append((U, {"id": person.id, "username": person.username, "name": ctx.fake.name(),
                         "password_hash": password_hash, "role": "staff", "staff_no": f"B{n:04d}",
                         "titles": ["销售顾问"] if kind == "consultants" else ["中控员"] if kind == "crew" else [],
                         "department_id": None, "team_id": None, "group_id": None, "is_intern": False,
                         "trained_posts": [str(control_post)] if kind == "crew" else [], "cert_valid_until": None,
                         "lang": "zh_CN", "active": True, "failed_logins": 0, "locked_until": None,
                         "created_at": created}))
    return rows, made


def _post(ctx: Context, name: str, **flags) -> tuple[int, Row]:
    post_id = ctx.new_id(ORG)
    row = {"id": post_id, "kind": "post", "name": name, "parent_id": None, "is_24x7": False, "min_staff": 1,
           "max_continuous_h": None, "requires_training": False, "requires_certificate": False, "active": True}
    row.update(flags)
    return post_id, (ORG, row)


def _template(ctx: Context, preset: Preset, name: str, who: Person) -> tuple[int, Row]:
    chosen = presets()[preset]
    template_id = ctx.new_id(TPL)
    rules_dict = {k: v for k, v in chosen.rules.__dict__.items() if k != "post"}
    return template_id, (TPL, {
        "id": template_id, "name": name, "preset": preset.value, "crews": chosen.template.crews,
        "shifts": [{"code": s.code, "start": s.start.isoformat("minutes"), "end": s.end.isoformat("minutes"),
                    "min_staff": s.min_staff} for s in chosen.template.shifts],
        "coverage": [], "rules": rules_dict, "created_by_id": who.id, "created_at": ctx.at(ctx.days[0], 8 * 60)})


class _Queue:
    """The showroom queue, day after day, through the domain (every tap validated as the service would)."""

    def __init__(self, ctx: Context, rng: random.Random, consultants: list[Person], manager: Person):
        self.ctx, self.rng, self.people, self.manager = ctx, rng, consultants, manager
        self.draw: tuple[int, list[int]] | None = None
        self.draws: dict[int, tuple[int, list[int]]] = {}
        self.closing: int | None = None
        self.demoted: dict[dt.date, int] = {}

    def draw_rows(self) -> list[Row]:
        """Every month's draw, written with the first day: the driver inserts a batch's tables in the order
        they first appear in it, so parents must come before any day that points at them."""
        rows: list[Row] = []
        for index in range(0, len(self.ctx.days), DRAW_EVERY):
            day = self.ctx.days[index]
            order = [p.id for p in self.people]
            self.rng.shuffle(order)
            drawn_at = self.ctx.at(day, 8 * 60 + 30)
            draw_id = self.ctx.new_id(DRAW)
            self.draws[index] = (draw_id, order)
            rows.append((DRAW, {"id": draw_id, "drawn_on": day, "method": "random", "lottery_order": order,
                                "drawn_by_id": self.manager.id, "drawn_at": drawn_at, "note": ""}))
            rows.append(audit_row(at=drawn_at, who=self.manager, entity="lottery_draw", entity_id=draw_id,
                                  action="random", after={"drawn_on": day.isoformat(), "order": order}))
        return rows

    def day(self, index: int, day: dt.date) -> list[Row]:
        ctx, rng = self.ctx, self.rng
        rows: list[Row] = []
        if index in self.draws:
            self.draw, self.closing = self.draws[index], None
        if day.day == 1:
            rows += self._demotion(day)
        month = day.replace(day=1)
        demoted = {self.demoted[month]} if month in self.demoted else set()
        order = rules.build_day_order(self.draw[1], self.closing, demoted)
        board = rules.start_board(order)
        day_id = ctx.new_id(QDAY)
        is_today = day == ctx.today
        count = TAPS_TODAY if is_today else rng.randint(*TAPS)
        if is_today:
            start, end = ctx.today_window()
            minutes = sorted(rng.uniform(start, end) for _ in range(count))
        else:
            minutes = sorted(rng.uniform(9 * 60, 18 * 60) for _ in range(count))
        day_row = {"id": day_id, "day": day, "draw_id": self.draw[0], "start_order": list(order.members),
                   "demoted": sorted(order.demoted), "inactive": [], "intern_id": None,
                   "start_consultant_id": order.members[0], "closing_front_desk_id": None, "groups_per_round": 1,
                   "opened_at": ctx.at(day, minutes[0]), "opened_by_id": order.members[0]}
        rows.append((QDAY, day_row))
        rows.append(audit_row(at=day_row["opened_at"], who=self.manager, entity="queue_day", entity_id=day_id,
                              action="open", after={"day": day.isoformat(), "start_order": list(order.members)}))
        seq = 0
        for minute in minutes:
            at = ctx.at(day, minute)
            event = self._pick(board, at.astimezone(ctx.tz).replace(tzinfo=None))
            if event is None:
                continue
            try:
                after = rules.apply_event(board, event)
            except DomainError:
                continue
            flag = "possible_grab" if len(after.flags) > len(board.flags) else (
                "left_desk" if len(after.warnings) > len(board.warnings) else "")
            seq += 1
            rows.append((QEV, {"id": ctx.new_id(QEV), "day_id": day_id, "seq": seq, "type": event.type.value,
                               "consultant_id": event.consultant, "next_consultant_id": event.next_consultant,
                               "contact_id": None, "new_order": [], "reason": "", "by_supervisor": False,
                               "flag": flag, "at": at, "recorded_by_id": event.consultant}))
            rows.append(audit_row(at=at, who=Person(event.consultant, ""), entity="queue_event",
                                  entity_id=f"{day.isoformat()}#{seq}", action=event.type.value,
                                  before={"due": board.due}, after={"due": after.due, "flag": flag}))
            board = after
        self.closing = rules.closing_front_desk(board)
        if not is_today:
            day_row["closing_front_desk_id"] = self.closing
        return rows

    def _pick(self, board: rules.Board, at: dt.datetime) -> rules.QueueEvent | None:
        rng = self.rng
        waiting = [s.consultant for s in board.members if s.state == SlotState.waiting]
        busy = [s.consultant for s in board.members if s.state != SlotState.waiting]
        roll = rng.random()
        if busy and (roll < 0.15 or board.due is None):
            return rules.QueueEvent(EventType.back, rng.choice(busy), at)
        if board.due is None:
            return None
        if roll < 0.25 and waiting:
            return rules.QueueEvent(EventType.served_old, rng.choice(waiting), at)
        if roll < 0.30:
            return rules.QueueEvent(EventType.skip, board.due, at)
        if roll < 0.33:
            successor = next((s.consultant for s in board.members if s.consultant != board.due
                              and s.state == SlotState.waiting and s.round_no == board.round_no), None)
            return rules.QueueEvent(EventType.step_away, board.due, at, next_consultant=successor) if successor else None
        if roll < 0.35:
            others = [s.consultant for s in board.members if s.consultant != board.due
                      and s.state == SlotState.waiting and s.round_no == board.round_no]
            if others:
                return rules.QueueEvent(EventType.received_new, rng.choice(others), at)
        return rules.QueueEvent(EventType.received_new, board.due, at)

    def _demotion(self, day: dt.date) -> list[Row]:
        if self.rng.random() > 0.3:
            return []
        who = self.rng.choice(self.people)
        end = (day + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        self.demoted[day] = who.id
        set_at = self.ctx.at(day - dt.timedelta(days=1), 17 * 60)
        demotion_id = self.ctx.new_id(DEM)
        return [(DEM, {"id": demotion_id, "consultant_id": who.id, "month_start": day, "end_day": end,
                       "reason": "连续两个月销量最后一名", "source": "manual", "set_by_id": self.manager.id,
                       "set_at": set_at, "revoked_at": None, "revoked_by_id": None}),
                audit_row(at=set_at, who=self.manager, entity="queue_demotion", entity_id=demotion_id, action="set")]


class _Rosters:
    """Weekly rosters, check-ins, handovers and the duty log of the control room; the front desk's week."""

    def __init__(self, ctx: Context, rng: random.Random, made: dict, supervisor: Person, posts: dict, templates: dict):
        self.ctx, self.rng, self.made, self.boss = ctx, rng, made, supervisor
        self.posts, self.templates = posts, templates
        self.periods: dict[tuple[str, dt.date], int] = {}
        self.previous_handover_end: dt.datetime | None = None

    def period_rows(self) -> list[Row]:
        """Every week's roster of both posts, written with the first day (parents before their entries)."""
        rows: list[Row] = []
        monday = self.ctx.days[0] - dt.timedelta(days=self.ctx.days[0].weekday())
        while monday <= self.ctx.today:
            for post in ("control", "desk"):
                rows += self._period(post, monday)
            monday += dt.timedelta(days=7)
        return rows

    def day(self, index: int, day: dt.date) -> list[Row]:
        ctx, rng = self.ctx, self.rng
        rows: list[Row] = []
        monday = day - dt.timedelta(days=day.weekday())
        crew = self.made["crew"]
        entries = [("control", "day", crew[(index * 2) % CREW], "on_duty", 8 * 60, 17 * 60),
                   ("control", "night", crew[(index * 2 + 1) % CREW], "on_duty", 17 * 60, 32 * 60)]
        if day.weekday() < 5:
            entries.append(("desk", "office", self.made["desk"][index % DESK], "first_responsible", 8 * 60 + 50,
                            18 * 60))
        for post, shift, person, kind, start, end in entries:
            entry_id = ctx.new_id(ENT)
            rows.append((ENT, {"id": entry_id, "period_id": self.periods[(post, monday)], "day": day, "shift": shift,
                               "staff_id": person.id, "kind": kind}))
            shift_start = ctx.at(day, start)
            arrived = shift_start - dt.timedelta(minutes=rng.choice((25, 20, 15, 12, 12, 8, 3)))
            if arrived < ctx.now:
                status = "ok" if arrived <= shift_start - dt.timedelta(minutes=10) else "short_notice"
                check_id = ctx.new_id(CHK)
                rows.append((CHK, {"id": check_id, "entry_id": entry_id, "staff_id": person.id,
                                   "shift_start": shift_start, "checked_in_at": arrived, "status": status}))
                rows.append(audit_row(at=arrived, who=person, entity="roster_check_in", entity_id=check_id,
                                      action=status))
        rows += self._handovers(index, day)
        if day.weekday() == 2:
            rows += self._requests(day)
        return rows

    def _period(self, post: str, monday: dt.date) -> list[Row]:
        ctx = self.ctx
        period_id = ctx.new_id(PER)
        self.periods[(post, monday)] = period_id
        created = ctx.at(monday - dt.timedelta(days=4), 10 * 60)
        published = created + dt.timedelta(hours=2)
        sunday = monday + dt.timedelta(days=6)
        locked = sunday < ctx.today
        row = {"id": period_id, "post_id": self.posts[post], "template_id": self.templates[post],
               "first_day": monday, "last_day": sunday, "status": "locked" if locked else "published",
               "version": 3 if locked else 2, "created_by_id": self.boss.id, "created_at": created,
               "published_at": published, "published_by_id": self.boss.id,
               "locked_at": ctx.at(monday - dt.timedelta(days=2), 0) if locked else None,
               "locked_by_id": self.boss.id if locked else None}
        audits = [audit_row(at=created, who=self.boss, entity="roster_period", entity_id=period_id, action=a)
                  for a in ("create", "add_entries", "published")]
        return [(PER, row), *audits]

    def _handovers(self, index: int, day: dt.date) -> list[Row]:
        ctx, rng = self.ctx, self.rng
        rows: list[Row] = []
        crew = self.made["crew"]
        shifts = [("night", "day", crew[(index * 2 - 1) % CREW], crew[(index * 2) % CREW], 8 * 60),
                  ("day", "night", crew[(index * 2) % CREW], crew[(index * 2 + 1) % CREW], 17 * 60)]
        for out_shift, in_shift, out, inc, start_min in shifts:
            start = ctx.at(day, start_min)
            for k in range(2):
                logged = start - dt.timedelta(minutes=rng.randint(30, 400))
                if self.previous_handover_end is None or logged > self.previous_handover_end:
                    log_id = ctx.new_id(LOG)
                    rows.append((LOG, {"id": log_id, "post_id": self.posts["control"], "at": logged,
                                       "author_id": out.id, "text": "巡检正常" if k else "设备运行平稳",
                                       "abnormal": rng.random() < 0.1, "shift": out_shift, "handover_id": None}))
                    rows.append(audit_row(at=logged, who=out, entity="handover_log", entity_id=log_id, action="log"))
            if start > ctx.now - dt.timedelta(minutes=10):
                continue  # today's coming shift change: not started yet
            local = start.astimezone(ctx.tz).replace(tzinfo=None)
            record = ho.schedule_handover(post=str(self.posts["control"]), out_shift=out_shift, in_shift=in_shift,
                                          outgoing=out.id, incoming=inc.id, shift_start=local, previous_log=())
            done = local + dt.timedelta(minutes=rng.randint(1, 8))
            record = replace(record, state=ho.HandoverState.completed, in_arrived_at=local - dt.timedelta(minutes=12),
                             checklist={i: ho.CheckResult(True) for i in ho.ChecklistItem},
                             five={f: ho.CheckResult(True) for f in ho.FiveHandover},
                             outgoing_signed_at=done, incoming_signed_at=done, completed_at=done)
            completed = start + (done - local)
            handover_id = ctx.new_id(HO)
            rows.append((HO, {"id": handover_id, "post_id": self.posts["control"], "out_shift": out_shift,
                              "in_shift": in_shift, "shift_start": start, "outgoing_id": out.id, "incoming_id": inc.id,
                              "state": "completed", "version": 6, "data": _dump(record, ctx.tz),
                              "completed_at": completed, "supervisor_alert_at": None, "revision": 1,
                              "supersedes_id": None, "is_current": True, "correction_reason": "",
                              "created_by_id": out.id, "created_at": start - dt.timedelta(minutes=30)}))
            for action in ("schedule", "check_in", "acknowledge", "checklist", "sign", "sign"):
                rows.append(audit_row(at=completed, who=out, entity="handover", entity_id=handover_id, action=action))
            self.previous_handover_end = completed
        return rows

    def _requests(self, day: dt.date) -> list[Row]:
        ctx, rng = self.ctx, self.rng
        crew = self.made["crew"]
        a, b = rng.sample(crew, 2)
        filed = ctx.at(day - dt.timedelta(days=7), 11 * 60)
        if filed >= ctx.now:
            return []
        swap_id, absence_id = ctx.new_id(SWAP), ctx.new_id(ABS)
        status = "approved" if rng.random() < 0.7 else "rejected"
        start = ctx.at(day, 14 * 60)
        return [(SWAP, {"id": swap_id, "period_id": self.periods[("control", day - dt.timedelta(days=day.weekday()))],
                        "requester_id": a.id, "counterpart_id": b.id, "requester_day": day, "requester_shift": "day",
                        "counterpart_day": day + dt.timedelta(days=1), "counterpart_shift": "day", "reason": "家中有事",
                        "status": status, "override": False, "filed_by_id": a.id, "filed_at": filed,
                        "decided_by_id": self.boss.id, "decided_at": filed + dt.timedelta(hours=3),
                        "decision_note": ""}),
                audit_row(at=filed, who=a, entity="roster_swap", entity_id=swap_id, action="file"),
                (ABS, {"id": absence_id, "staff_id": b.id, "post_id": self.posts["control"], "policy": "control_room",
                       "starts_at": start, "ends_at": start + dt.timedelta(hours=1), "reason": "official",
                       "note": "", "cover_id": a.id, "status": "approved", "decision_key": "", "filed_by_id": b.id,
                       "filed_at": filed, "decided_by_id": self.boss.id, "decided_at": filed + dt.timedelta(hours=1)}),
                audit_row(at=filed, who=b, entity="roster_absence", entity_id=absence_id, action="file")]


@generator("rotation")
def rotation_history(ctx: Context) -> Iterator[list[Row]]:
    """Queue days and taps, rosters, check-ins, handovers and requests (seed 000 D1, D2, D9; seed 004 D2, D12)."""
    rng = random.Random(ctx.rng.random())
    _start_ids(ctx)
    control, control_row = _post(ctx, CONTROL_POST, is_24x7=True, requires_training=True)
    desk, desk_row = _post(ctx, "前台（值班）")
    people, made = _people(ctx, rng, accounts.hash_password("bench-staff-1234"), control)
    manager = ctx.staff[0]
    control_tpl, control_tpl_row = _template(ctx, Preset.three_crew_two_shift, "中控室三班二运转", manager)
    desk_tpl, desk_tpl_row = _template(ctx, Preset.front_desk, "前台值班", manager)
    queue = _Queue(ctx, rng, made["consultants"], manager)
    rosters = _Rosters(ctx, rng, made, manager, {"control": control, "desk": desk},
                       {"control": control_tpl, "desk": desk_tpl})
    for index, day in enumerate(ctx.days):
        rows: list[Row] = []
        if index == 0:
            rows = [control_row, desk_row, *people, control_tpl_row, desk_tpl_row, *queue.draw_rows(),
                    *rosters.period_rows()]
        rows += queue.day(index, day)
        rows += rosters.day(index, day)
        yield rows


# ---- page SQL (for bench/run.py PAGE_SQL) -------------------------------------------------------------------

def _control_post():
    return select(ORG.c.id).where(ORG.c.kind == "post", ORG.c.name == CONTROL_POST).scalar_subquery()


def _today(p) -> dt.date:
    """The office date of the probe (``p.day`` is today's [start, end) in UTC)."""
    return (p.day[0] + dt.timedelta(hours=12)).date()


def page_sql() -> dict:
    """The queries the module's "today" pages run on first render (by indexed columns only)."""
    return {
        "rotation_queue": [
            ("today's queue day", lambda p: select(QDAY).where(QDAY.c.day == _today(p))),
            ("today's taps", lambda p: select(QEV).join(QDAY, QDAY.c.id == QEV.c.day_id)
             .where(QDAY.c.day == _today(p)).order_by(QEV.c.seq)),
            ("the draw", lambda p: select(DRAW).where(DRAW.c.drawn_on <= _today(p))
             .order_by(DRAW.c.drawn_on.desc(), DRAW.c.id.desc()).limit(1)),
            ("demoted today", lambda p: select(DEM.c.consultant_id).where(
                DEM.c.month_start <= _today(p), DEM.c.month_start >= _today(p) - dt.timedelta(days=31),
                DEM.c.end_day >= _today(p), DEM.c.revoked_at.is_(None))),
        ],
        "roster": [
            ("this month's periods", lambda p: select(PER).where(
                PER.c.first_day <= _today(p) + dt.timedelta(days=31), PER.c.last_day >= _today(p).replace(day=1),
                PER.c.first_day >= _today(p).replace(day=1) - dt.timedelta(days=62)).order_by(PER.c.first_day)),
            ("this week's entries", lambda p: select(ENT).where(
                ENT.c.day >= _today(p) - dt.timedelta(days=7), ENT.c.day <= _today(p))),
        ],
        "on_duty": [
            ("entries yesterday and today", lambda p: select(ENT, PER.c.template_id).join(PER).where(
                ENT.c.day >= _today(p) - dt.timedelta(days=1), ENT.c.day <= _today(p),
                PER.c.status != "draft")),
            ("absences now", lambda p: select(ABS).where(ABS.c.ends_at > p.now, ABS.c.starts_at <= p.now)),
        ],
        "handover": [
            ("recent handovers", lambda p: select(HO).where(HO.c.post_id == _control_post(), HO.c.is_current.is_(True))
             .order_by(HO.c.shift_start.desc()).limit(5)),
            ("open handovers", lambda p: select(HO).where(HO.c.state.in_(["scheduled", "precheck", "checklist"]))),
            ("duty log, 24 h", lambda p: select(LOG).where(LOG.c.post_id == _control_post(),
                                                          LOG.c.at >= p.now - dt.timedelta(hours=24))
             .order_by(LOG.c.at)),
        ],
    }


# ---- standalone measurement --------------------------------------------------------------------------------

PAGES = ("rotation_queue", "roster", "on_duty", "handover", "rotation_draw", "roster_requests")




def measure(scale: float, runs: int = 5, reuse: bool = False) -> dict:
    """Generate the office plus this module at ``scale``; time the board service and the module's pages."""
    import os

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import lib.auth  # noqa: F401  (first, as Home.py does, so no page file shadows an import)
    from bench.generate import ADMIN_USERNAME
    from lib.services import rotation
    from lib.services.base import Actor

    engine, generated = module_db("rotation", scale, reuse=reuse, marker=QEV)
    with session_scope(engine, write=False) as session:
        rows = {t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (QDAY, QEV, ENT, HO, LOG, U)}
    manager = Actor(id=None, username="bench", name="bench", role="supervisor")
    result = {"scale": scale, "rows": rows, "generated_s": generated}
    result["board_service_ms"], result["board_service_cpu_ms"] = median_ms(
        lambda: rotation.board(engine, actor=manager), runs)
    os.environ["DATABASE_URL"] = str(engine.url)
    st.cache_resource.clear()
    for page in PAGES:
        app = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60)
        app.session_state["authentication_status"] = True
        app.session_state["username"] = ADMIN_USERNAME
        result[f"{page}_page_ms"], result[f"{page}_page_cpu_ms"] = median_ms(app.run, runs)
        assert not app.exception, app.exception
    engine.dispose()
    return result




def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", default="1,10", help="two scales, e.g. 1,10")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args(argv)
    results = [measure(float(s), args.runs, args.reuse) for s in args.compare.split(",")]
    for result in results:
        print(result, flush=True)
    if len(results) == 2:
        small, large = results
        for key in [k for k in small if k.endswith("_ms")]:
            ratio = large[key] / small[key] if small[key] else float("nan")
            print(f"{key:<28} {small[key]:>8.1f} ms → {large[key]:>8.1f} ms  ×{ratio:.2f}")
        board, cpu = large["rotation_queue_page_ms"], large["rotation_queue_page_cpu_ms"]
        ratio = cpu / small["rotation_queue_page_cpu_ms"]
        ok = board < 100 and ratio <= 1.3
        print(f"queue board at scale {large['scale']:g}: {board:.1f} ms (CPU {cpu:.1f} ms, ×{ratio:.2f} the CPU time at "
              f"scale {small['scale']:g}) → {'PASS' if ok else 'FAIL'} (target < 100 ms and ≤ 1.3×)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
