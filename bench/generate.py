"""Bench data at a chosen scale: scale 1 is one busy site-year, scale N is N years of history ending today.

Each module registers one generator with ``@generator("name")``. A generator is a Python generator
function: it gets the shared :class:`Context` and yields, for every office day from the oldest to
today, the ``(table, row)`` pairs of its tables for that day (audit rows included, as its services
would write them). The driver walks all modules day by day and bulk-inserts with SQLAlchemy Core
``insert()`` in executemany batches of about ``BATCH`` rows (parents before children, by the
metadata's foreign keys), so history lands in clock order like production. A later module adds its
function here or in a ``bench/gen_<module>.py`` that ``bench/run.py`` imports.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from faker import Faker
from sqlalchemy import Table, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel, func, select

from db.engine import session_scope
from db.models import AppMeta, AuditEvent, OrgUnit, PhoneMessage, User, VisitorEntry
from lib.demo import MATTERS, PURPOSES, load_demo
from lib.domain.phones import normalise_phone
from lib.services import accounts, settings
from lib.services.base import utcnow

BATCH = 10_000
COMMIT_EVERY = 100_000
DAYS_PER_YEAR = 365
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "bench-admin-1234"
META_KEY = "bench"

VISITORS_PER_YEAR = 100_000
VISITORS_TODAY = 300
ON_SITE_NOW = 6            # today's latest arrivals, still in the building
FORGOTTEN_CHECKOUTS = (1, 5)  # days ago of the visits nobody checked out (kept constant across scales)
MESSAGES_PER_YEAR = 30_000
MESSAGES_TODAY = 90
UNRELAYED_TODAY = 8
UNRELAYED_OLD = (1, 2, 6)  # days ago of the messages still waiting (constant across scales)

OPENING = dt.time(8, 50)
OFFICE_MINUTES = 550       # 08:50-18:00
# Showroom traffic by weekday (Mon..Sun): weekends are the busy days at a car showroom.
WEEKDAY_WEIGHT = (0.85, 0.8, 0.85, 0.9, 1.0, 1.35, 1.25)

Row = tuple[Table, dict]
GeneratorFn = Callable[["Context"], Iterator[list[Row]]]
GENERATORS: dict[str, GeneratorFn] = {}


def generator(name: str) -> Callable[[GeneratorFn], GeneratorFn]:
    """Register a module's generator; it must yield one list of rows per day of ``ctx.days``."""

    def register(fn: GeneratorFn) -> GeneratorFn:
        if name in GENERATORS:
            raise ValueError(f"bench generator {name} registered twice")
        GENERATORS[name] = fn
        return fn

    return register


@dataclass(frozen=True)
class Person:
    id: int
    username: str


@dataclass
class Context:
    """What every generator shares: the clock, the calendar, the people, the id counters."""

    scale: float
    now: dt.datetime
    tz: ZoneInfo
    days: list[dt.date]
    rng: random.Random
    fake: Faker
    staff: list[Person]
    desk: list[Person]
    next_ids: dict[str, int] = field(default_factory=dict)

    @property
    def today(self) -> dt.date:
        return self.days[-1]

    def new_id(self, table: Table) -> int:
        """Ids are assigned here so audit rows and later modules can point at them without a read."""
        value = self.next_ids.get(table.name, 1)
        self.next_ids[table.name] = value + 1
        return value

    def at(self, day: dt.date, minutes: float) -> dt.datetime:
        """Aware UTC moment ``minutes`` after local midnight of ``day``."""
        midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=self.tz)
        return (midnight + dt.timedelta(minutes=minutes)).astimezone(dt.timezone.utc)

    def today_window(self) -> tuple[float, float]:
        """Minutes since local midnight in which today's rows fall: opening (or midnight, early on) to now."""
        local = self.now.astimezone(self.tz)
        now_min = local.hour * 60 + local.minute + local.second / 60
        open_min = OPENING.hour * 60 + OPENING.minute
        start = open_min if now_min >= open_min + 60 else 0.0
        return start, max(start, now_min - 1.0)

    def spread(self, per_year: int, today: int) -> list[int]:
        """Rows per day (oldest first): ``per_year * scale`` in all, ``today`` of them today."""
        total = max(0, round(per_year * self.scale))
        on_today = min(today, total) if len(self.days) > 1 else total
        past = self.days[:-1]
        weights = [WEEKDAY_WEIGHT[d.weekday()] * self.rng.uniform(0.85, 1.15) for d in past]
        rest = total - on_today
        weight_sum = sum(weights) or 1.0
        counts = [int(rest * w / weight_sum) for w in weights]
        for i in self.rng.sample(range(len(past)), k=rest - sum(counts)):
            counts[i] += 1
        return [*counts, on_today]


@dataclass(frozen=True)
class GenReport:
    scale: float
    backend: str
    rows: dict[str, int]
    seconds: float


def audit_row(*, at: dt.datetime, who: Person, entity: str, entity_id: int, action: str,
              before: dict | None = None, after: dict | None = None) -> Row:
    """An audit row as ``lib.services.base.audit`` writes it."""
    return AuditEvent.__table__, {"at": at, "user_id": who.id, "username": who.username, "entity": entity,
                                  "entity_id": str(entity_id), "action": action, "before": before,
                                  "after": after, "reason": ""}


def _minutes_in_office(rng: random.Random) -> float:
    """Morning and afternoon peaks inside opening hours."""
    peak = 100 if rng.random() < 0.45 else 360
    return min(OFFICE_MINUTES, max(0.0, rng.gauss(peak, 80))) + OPENING.hour * 60 + OPENING.minute


def _times(ctx: Context, day: dt.date, count: int) -> list[dt.datetime]:
    if day == ctx.today:
        start, end = ctx.today_window()
        minutes = [ctx.rng.uniform(start, end) for _ in range(count)]
    else:
        minutes = [_minutes_in_office(ctx.rng) for _ in range(count)]
    midnight = ctx.at(day, 0)
    return [midnight + dt.timedelta(minutes=m) for m in sorted(minutes)]


def _phone(rng: random.Random) -> str:
    """Mostly mobiles as typed at a desk (some spaced or dashed), a few landlines, some left blank."""
    roll = rng.random()
    if roll < 0.05:
        return ""
    if roll < 0.09:
        return f"0{rng.choice(['10', '21', '20', '755', '571', '28'])}-{rng.randrange(2 * 10**7, 9 * 10**7)}"
    number = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    if roll < 0.16:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if roll < 0.19:
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    return number


def _pool(fn: Callable[[], str], size: int) -> list[str]:
    return [fn() for _ in range(size)]


@generator("visitors")
def visitors(ctx: Context) -> Iterator[list[Row]]:
    """Front-desk register (M2.1): arrivals in office hours, nearly all checked out; a handful on site now."""
    table = VisitorEntry.__table__
    rng = ctx.rng
    counts = ctx.spread(VISITORS_PER_YEAR, VISITORS_TODAY)
    names = _pool(ctx.fake.name, 6000)
    companies = _pool(ctx.fake.company, 2500)
    # Returning visitors: a skewed pick from a pool of people, so regulars come back often.
    people = [(rng.choice(names), rng.choice(companies) if rng.random() < 0.7 else "", _phone(rng))
              for _ in range(max(20, min(400_000, sum(counts) // 3)))]
    people = [(n, c, p, normalise_phone(p) or "") for n, c, p in people]
    forgotten = {ctx.today - dt.timedelta(days=k) for k in FORGOTTEN_CHECKOUTS}
    for day, count in zip(ctx.days, counts):
        rows: list[Row] = []
        audits: list[Row] = []
        is_today = day == ctx.today
        times = _times(ctx, day, count)
        for index, time_in in enumerate(times):
            name, company, phone, phone_norm = people[int(len(people) * rng.random() ** 2)]
            host = rng.choice(ctx.staff) if rng.random() < 0.75 else None
            clerk = rng.choice(ctx.desk)
            stays = (is_today and index >= count - ON_SITE_NOW) or (day in forgotten and index == 0)
            time_out = None
            if not stays:
                time_out = time_in + dt.timedelta(minutes=rng.randint(10, 150))
                if time_out >= ctx.now:
                    time_out = time_in + (ctx.now - time_in) * rng.uniform(0.3, 0.95)
            row = {
                "id": ctx.new_id(table), "name": name, "headcount": rng.choice((1, 1, 1, 1, 1, 2, 2, 3, 4, 6)),
                "purpose": rng.choice(PURPOSES), "company": company, "phone": phone, "phone_norm": phone_norm,
                "host_id": host.id if host else None, "has_appointment": bool(host) and rng.random() < 0.45,
                "host_notified_at": time_in + dt.timedelta(minutes=rng.randint(1, 5)) if host else None,
                "destination": "meeting_room" if rng.random() < 0.35 else "reception_area",
                "level": "high" if rng.random() < 0.1 else "standard",
                "state": "arrived" if time_out is None else "departed", "outcome": "",
                "note": "需要停车位" if rng.random() < 0.03 else "", "time_in": time_in, "time_out": time_out,
                "created_by_id": clerk.id, "created_at": time_in,
            }
            rows.append((table, row))
            registered = {**row, "time_in": time_in.isoformat(), "time_out": None, "state": "arrived",
                          "created_at": time_in.isoformat(), "host_notified_at": None}
            audits.append(audit_row(at=time_in, who=clerk, entity="visitor", entity_id=row["id"],
                                    action="register", after=registered))
            if time_out is not None:
                audits.append(audit_row(at=time_out, who=rng.choice(ctx.desk), entity="visitor",
                                        entity_id=row["id"], action="check_out", before={"time_out": None},
                                        after={"time_out": time_out.isoformat()}))
        yield rows + audits


@generator("messages")
def messages(ctx: Context) -> Iterator[list[Row]]:
    """Phone messages to relay (M2.2): nearly all relayed within the hour; a few still waiting."""
    table = PhoneMessage.__table__
    rng = ctx.rng
    counts = ctx.spread(MESSAGES_PER_YEAR, MESSAGES_TODAY)
    callers = [(ctx.fake.name(), _phone(rng) or ctx.fake.phone_number()) for _ in range(3000)]
    waiting = {ctx.today - dt.timedelta(days=k) for k in UNRELAYED_OLD}
    for day, count in zip(ctx.days, counts):
        rows: list[Row] = []
        audits: list[Row] = []
        is_today = day == ctx.today
        for index, called_at in enumerate(_times(ctx, day, count)):
            caller, phone = rng.choice(callers)
            clerk = rng.choice(ctx.desk)
            open_ = (is_today and index >= count - UNRELAYED_TODAY) or (day in waiting and index == 0)
            relayed_at = None
            if not open_:
                relayed_at = called_at + dt.timedelta(minutes=rng.randint(3, 90))
                if relayed_at >= ctx.now:
                    relayed_at = called_at + (ctx.now - called_at) * rng.uniform(0.3, 0.95)
            relayer = rng.choice(ctx.desk)
            row = {
                "id": ctx.new_id(table), "called_at": called_at, "caller_name": caller, "caller_phone": phone,
                "matter": rng.choice(MATTERS),
                "related": f"订单 SO{day:%Y%m%d}{rng.randrange(1000):03d}" if rng.random() < 0.2 else "",
                "relay_to_id": rng.choice(ctx.staff).id, "relayed_at": relayed_at,
                "relayed_by_id": relayer.id if relayed_at else None, "created_by_id": clerk.id,
                "created_at": called_at,
            }
            rows.append((table, row))
            logged = {**row, "called_at": called_at.isoformat(), "created_at": called_at.isoformat(),
                      "relayed_at": None, "relayed_by_id": None}
            audits.append(audit_row(at=called_at, who=clerk, entity="phone_message", entity_id=row["id"],
                                    action="log", after=logged))
            if relayed_at is not None:
                audits.append(audit_row(at=relayed_at, who=relayer, entity="phone_message", entity_id=row["id"],
                                        action="relay", before={"relayed_at": None},
                                        after={"relayed_at": relayed_at.isoformat()}))
        yield rows + audits


def history_days(scale: float, today: dt.date) -> list[dt.date]:
    """``scale`` years of office days ending today (at least today)."""
    count = max(1, round(DAYS_PER_YEAR * scale))
    return [today - dt.timedelta(days=k) for k in range(count - 1, -1, -1)]


def _office(engine: Engine, seed: int, now: dt.datetime) -> None:
    """The first admin plus the demo office (org units, ~40 staff, the wall display), no history yet."""
    admin = accounts.create_first_admin(engine, username=ADMIN_USERNAME, name="管理员",
                                        password=ADMIN_PASSWORD, repeat=ADMIN_PASSWORD)
    load_demo(engine, actor=admin, days=0, seed=seed, now=now)


def _context(engine: Engine, *, scale: float, seed: int, now: dt.datetime) -> Context:
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        people = session.exec(select(User.id, User.username, User.team_id)
                              .where(User.role.in_(("staff", "supervisor")), User.active.is_(True))
                              .order_by(User.id)).all()
        desk_team = session.exec(select(OrgUnit.id).where(OrgUnit.kind == "team", OrgUnit.name == "前台接待")).first()
        next_ids = {t.name: (session.exec(select(func.max(t.c.id))).one() or 0) + 1
                    for t in (VisitorEntry.__table__, PhoneMessage.__table__)}
    staff = [Person(i, u) for i, u, _ in people]
    desk = [Person(i, u) for i, u, team in people if team == desk_team] or staff
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    return Context(scale=scale, now=now, tz=tz, days=history_days(scale, now.astimezone(tz).date()),
                   rng=random.Random(seed), fake=fake, staff=staff, desk=desk, next_ids=next_ids)


def _flush(conn: Connection, buffers: dict[Table, list[dict]]) -> None:
    """One executemany per table, parents before children (the metadata's foreign-key order)."""
    order = {table: index for index, table in enumerate(SQLModel.metadata.sorted_tables)}
    for table in sorted(buffers, key=lambda t: order.get(t, len(order))):
        rows = buffers[table]
        if table is AuditEvent.__table__:
            rows.sort(key=lambda r: r["at"])
        conn.execute(table.insert(), rows)
    buffers.clear()


def _finish(engine: Engine, ctx: Context) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for name in ctx.next_ids:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                  f"(SELECT coalesce(max(id), 1) FROM {name}))"))
        # Production tables have been vacuumed and analysed by autovacuum long ago.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        # Outside any transaction (the engine's connections BEGIN IMMEDIATE on first use).
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()


def generate(engine: Engine, *, scale: float, seed: int = 2026, now: dt.datetime | None = None,
             modules: list[str] | None = None, log: Callable[[str], None] = lambda _m: None) -> GenReport:
    """Fill a migrated, empty database: the office, then ``scale`` site-years of every module's history."""
    names = modules or list(GENERATORS)
    unknown = [n for n in names if n not in GENERATORS]
    if unknown:
        raise ValueError(f"unknown bench generators: {', '.join(unknown)} (known: {', '.join(GENERATORS)})")
    now = now or utcnow()
    started = time.perf_counter()
    _office(engine, seed, now)
    ctx = _context(engine, scale=scale, seed=seed, now=now)
    streams = [GENERATORS[n](ctx) for n in names]
    buffers: dict[Table, list[dict]] = {}
    counts: dict[str, int] = {}
    pending = uncommitted = 0
    with engine.connect() as conn:
        for day_index, day_rows in enumerate(zip(*streams, strict=True)):
            for rows in day_rows:
                for table, row in rows:
                    buffers.setdefault(table, []).append(row)
                    counts[table.name] = counts.get(table.name, 0) + 1
                pending += len(rows)
            if pending >= BATCH:
                _flush(conn, buffers)
                uncommitted += pending
                pending = 0
            # Fewer, larger commits: on SQLite each commit may checkpoint the WAL (an fsync).
            if uncommitted >= COMMIT_EVERY:
                conn.commit()
                uncommitted = 0
            if day_index % 365 == 364:
                log(f"  {ctx.days[day_index]}: {sum(counts.values()):,} rows, {time.perf_counter() - started:.0f}s")
        _flush(conn, buffers)
        conn.commit()
    with session_scope(engine) as session:
        session.add(AppMeta(key=META_KEY, value=stamp(scale=scale, seed=seed, day=ctx.today, modules=names)))
    _finish(engine, ctx)
    return GenReport(scale=scale, backend=engine.dialect.name, rows=counts,
                     seconds=round(time.perf_counter() - started, 2))


def stamp(*, scale: float, seed: int, day: dt.date, modules: list[str]) -> str:
    """What a bench database was generated with (``--reuse`` keeps it only when all of it matches)."""
    return f"scale={scale};seed={seed};day={day.isoformat()};modules={','.join(modules)}"


def generated_for(engine: Engine) -> str | None:
    """The :func:`stamp` of a bench database, None when absent."""
    with session_scope(engine, write=False) as session:
        meta = session.get(AppMeta, META_KEY)
        return meta.value if meta else None
