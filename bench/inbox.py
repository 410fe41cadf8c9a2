"""``make bench`` for the inbox and the sweeper (issue 15): the home page as a busy supervisor, and one
``lib.notify`` sweep over the generated history (scale 10 = ten site-years).

The busy supervisor holds every title an inbox provider asks for, in the first department, so every
provider's items land in one inbox. The sweep runs with a preference for every department (e-mail, never
sent: ``send=False``), so it enqueues as a live one does; it is timed twice: the first sweep (every open
item found at once) and the next one (nothing new: the steady state). Every SELECT a sweep runs is then
explained on SQLite: a full scan of a history table (one that grows with the years) is reported and fails
the row (issue 15 I3 "never history").

Called by ``bench/run.py`` after the pages (it writes to the bench database: the user, the preferences,
the outbox, SLA breaches and SQ1 proposals the sweep raises). ``python -m bench.inbox bench/results/bench_s10.db``
times each provider alone and the busy supervisor's home with a p95 (:func:`profile`).
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time
from collections.abc import Callable

from sqlalchemy import event, text
from sqlmodel import select
from sqlalchemy.engine import Engine

from db.engine import session_scope
from db.models import NotifyPreference, OrgUnit, User
from lib.notify.sweeper import sweep_once
from lib.services import accounts
from lib.services.base import utcnow

BUSY = "bench_busy_supervisor"
BUSY_TITLES = ["综合部主管", "前台接待员", "值班经理", "总经理", "销售经理", "供需", "部门经理", "部门主管",
               "客服部经理", "客服主管", "客服专员", "部门负责人", "信息中心经理"]
# Tables that grow with the years of history: a sweep must reach them through an index only. Not listed:
# kpi_demotion_decision (a few rows a year; the sales page's own window read scans it, as the demotion
# provider does) and the small tables (people, settings, org units, preferences).
HISTORY = ("visitor_entry", "visitor_sign_in", "phone_message", "audit_event", "access_entry", "ticket",
           "ticket_event", "ticket_survey", "queue_event", "queue_day", "kpi_ledger_entry", "kpi_monthly_sales",
           "kpi_warning_event", "showroom_customer", "showroom_contact",
           "showroom_follow_up", "showroom_day_sheet", "handover", "handover_log", "roster_entry", "roster_check_in",
           "customer_enquiry", "reception_application", "notify_outbox", "notify_delivery", "sla_breach",
           "register_step")
FULL_SCAN = re.compile(r"^SCAN (\w+)(?! USING (?:COVERING )?INDEX)")


def busy_supervisor(engine: Engine) -> str:
    """The supervisor with every inbox title, created once in the bench database."""
    with session_scope(engine) as session:
        found = session.exec(select(User.id).where(User.username == BUSY)).first()
        if found is None:
            department = session.exec(select(OrgUnit.id).where(OrgUnit.kind == "department")
                                      .order_by(OrgUnit.id).limit(1)).first()
            session.add(User(username=BUSY, name="忙碌主管", password_hash=accounts.hash_password("bench-1234"),
                             role="supervisor", titles=BUSY_TITLES, trained_posts=[], department_id=department,
                             created_at=utcnow()))
        return BUSY


def _preferences(engine: Engine) -> None:
    """Every department wants e-mail of every kind (never sent: the bench sweeps with ``send=False``)."""
    with session_scope(engine) as session:
        units = session.exec(select(OrgUnit.id).where(OrgUnit.kind == "department")).all()
        have = set(session.exec(select(NotifyPreference.ref_id).where(NotifyPreference.scope == "unit")).all())
        for unit in units:
            if unit not in have:
                session.add(NotifyPreference(scope="unit", ref_id=unit, channels=["email"], kinds=[],
                                             email="bench@example.com", updated_at=utcnow()))


def _statements(engine: Engine, run: Callable[[], object]) -> tuple[float, list[tuple[str, tuple]]]:
    seen: list[tuple[str, tuple]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        started = time.perf_counter()
        run()
        return (time.perf_counter() - started) * 1000, seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def history_scans(engine: Engine, statements: list[tuple[str, tuple]]) -> list[str]:
    """The statements whose SQLite plan scans a whole history table."""
    if engine.dialect.name != "sqlite":
        return []
    found = []
    with engine.connect() as conn:
        for statement, parameters in dict.fromkeys(statements):
            for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all():
                match = FULL_SCAN.match(str(row[-1]))
                if match and match.group(1) in HISTORY:
                    found.append(f"{row[-1]}: {' '.join(statement.split())[:160]}")
    return found


def time_sweep(engine: Engine, runs: int) -> tuple[float, float, list[str], int]:
    """(first sweep ms, median steady sweep ms, history scans, outbox rows queued by the first)."""
    _preferences(engine)
    with session_scope(engine) as session:  # the lease is free for the bench's holder
        session.execute(text("UPDATE notify_lease SET expires_at = :t"), {"t": utcnow() - dt.timedelta(days=1)})
    holder = "bench"
    result = None

    def once():
        nonlocal result
        result = sweep_once(engine, holder=holder, send=False)

    first_ms, statements = _statements(engine, once)
    queued = result.queued if result else 0
    steady = []
    for _ in range(max(runs, 1)):
        ms, more = _statements(engine, once)
        steady.append(ms)
        statements += more
    return first_ms, statistics.median(steady), history_scans(engine, statements), queued


def measure(targets, engines: dict, *, runs: int, log: Callable[[str], None], time_page, page_spec, use,
            result_type, measured_at: str) -> list:
    """The busy supervisor's home and the sweep, per target (rows of ``bench/run.py``'s results table)."""
    rows = []
    for scale, target in targets:
        engine = engines[id(target)]
        use(target)
        username = busy_supervisor(engine)
        page = time_page(page_spec, runs, username=username)
        verdict = "" if page.ms is None else ("PASS < 150 ms" if page.ms < 150 else "FAIL ≥ 150 ms")
        log(f"  {target.backend:<10} s{scale:g}  home (busy supervisor) page {page.ms} ms (cpu {page.cpu_ms}) "
            f"{verdict} {page.error}")
        rows.append(result_type(scale, target.backend, "home (busy supervisor)", page.ms, None, 0, measured_at,
                                cpu_ms=page.cpu_ms, error=page.error, note=verdict or page.error))
        first, steady, scans, queued = time_sweep(engine, runs)
        note = (f"lib.notify sweep, send off; first sweep {first:,.0f} ms queued {queued:,}; "
                + ("no history table scanned" if not scans else "SCANS HISTORY: " + "; ".join(scans[:3])))
        log(f"  {target.backend:<10} s{scale:g}  sweep first {first:,.1f} ms, steady {steady:,.1f} ms; {note}")
        rows.append(result_type(scale, target.backend, "sweep (steady)", round(steady, 2), None, queued,
                                measured_at, error="history scan" if scans else "", note=note))
    return rows


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def profile(url: str, runs: int, log: Callable[[str], None] = print) -> None:
    """Each inbox provider alone (median/p95 wall ms, median CPU ms, items), then the busy supervisor's home
    page (median/p95 wall and CPU ms over ``runs`` AppTest runs after a warm-up): which provider grows when the
    page does. Read-only but for the busy supervisor's account (created once)."""
    import os

    os.environ["DATABASE_URL"] = url
    from bench import run as bench_run  # the app's environment (cookie key, bcrypt rounds, no sweeper thread)
    from lib.services import inbox as inbox_service

    engine = bench_run.make_engine(bench_run._psycopg(url))
    try:
        busy_supervisor(engine)
        with session_scope(engine, write=False) as session:
            ctx = inbox_service.context(session, utcnow())
            for provider in inbox_service.PROVIDERS:
                times, cpu_times, count = [], [], 0
                for attempt in range(runs + 1):
                    started, cpu_started = time.perf_counter(), time.process_time()
                    count = len(provider(session, ctx))
                    if attempt:
                        times.append((time.perf_counter() - started) * 1000)
                        cpu_times.append((time.process_time() - cpu_started) * 1000)
                log(f"  provider {provider.__name__:<18} median {statistics.median(times):8.2f} ms"
                    f"  p95 {_p95(times):8.2f} ms  CPU median {statistics.median(cpu_times):8.2f} ms"
                    f"  items {count:,}")
    finally:
        engine.dispose()
    home = next(p for p in bench_run.PAGES if bench_run.page_name(p) == "home")
    app = bench_run.AppTest.from_file(str(bench_run.ROOT / home.path), default_timeout=60)
    app.session_state["authentication_status"] = True
    app.session_state["username"] = BUSY
    wall, cpu = [], []
    for attempt in range(runs + 1):
        started, cpu_started = time.perf_counter(), time.process_time()
        app.run()
        if app.exception:
            log(f"  home (busy supervisor): {app.exception[0].message.splitlines()[0][:200]}")
            return
        if attempt:
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
    log(f"  home (busy supervisor) wall median {statistics.median(wall):.1f} ms p95 {_p95(wall):.1f} ms;"
        f" CPU median {statistics.median(cpu):.1f} ms p95 {_p95(cpu):.1f} ms ({runs} runs)")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="the inbox providers one by one and the busy supervisor's home "
                                                 "on a generated bench database (issue 15)")
    parser.add_argument("database", help="a bench SQLite file (bench/results/bench_s10.db) or a database URL")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    target = args.database if "://" in args.database else f"sqlite:///{args.database}"
    profile(target, args.runs)
