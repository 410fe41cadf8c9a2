"""``make bench``: generate history at a scale, then time every page beside the bare SQL it needs.

    python -m bench.run --scale 1                       # SQLite (plus PostgreSQL when DATABASE_URL is set)
    python -m bench.run --scale 0.1 --pages visitors    # a quick look at one page
    python -m bench.run --compare 1,10                  # two scales, ratio per page, PASS/FAIL for visitors
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python -m bench.run --backends postgresql

Page time is one server run of the page script through Streamlit's AppTest (median of ``--runs``
after a warm-up), as an admin; SQL time is the same page's queries written with SQLAlchemy Core on
one connection, nothing else. Results: ``bench/results/latest.json`` and ``latest.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib
import inspect
import json
import logging
import os
import pkgutil
import platform
import secrets
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import streamlit as st
from sqlalchemy import ClauseElement, Executable, func, or_, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.ext.compiler import compiles
from streamlit.testing.v1 import AppTest

import lib.auth  # noqa: F401  (imported first, as Home.py does, so no page file can shadow its imports)
from bench.generate import ADMIN_USERNAME, GENERATORS, GenReport, generate, generated_for, stamp
from db.engine import ROOT, make_engine, session_scope
from db.migrate import upgrade
from db.models import AuditEvent, OrgUnit, PhoneMessage, SettingValue, User, VisitorEntry
from lib.domain import office
from lib.navigation import PAGES, PageSpec
from lib.services import settings
from lib.services.audit_log import _DISTINCT_ENTITIES, AUDIT_LIMIT
from lib.services.base import utcnow
from lib.services.visitors.register import LIST_LIMIT

# Read at call time by the app: the auth layer refuses to run without a key; bench hashes need no strength.
os.environ.setdefault("DUTYDESK_COOKIE_KEY", secrets.token_urlsafe(48)[:48])
os.environ.setdefault("DUTYDESK_BCRYPT_ROUNDS", "4")
os.environ.setdefault("DUTYDESK_SWEEP_SECONDS", "0")  # no sweeper thread beside the timed pages (bench/inbox.py sweeps)


class _BareModeNoise(logging.Filter):
    """AppTest runs and cache clears outside a script run log these; they say nothing about the pages."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "missing ScriptRunContext" not in message and "without `streamlit run`" not in message


for _name in ("streamlit.runtime.scriptrunner_utils.script_run_context", "streamlit.runtime.state.session_state_proxy"):
    logging.getLogger(_name).addFilter(_BareModeNoise())

RESULTS = ROOT / "bench" / "results"
TARGET_MS = 150.0
TARGET_RATIO = 1.3
TARGET_PAGE = "visitors"
TARGET_PAGES = (TARGET_PAGE, "registers")  # issue 14: the register page over 1M entries, same targets

# ---- bare SQL per page -----------------------------------------------------------------------------

V, M, U, A, S, O = (VisitorEntry.__table__, PhoneMessage.__table__, User.__table__, AuditEvent.__table__,
                    SettingValue.__table__, OrgUnit.__table__)
HOST = U.alias("host")


@dataclass(frozen=True)
class Probe:
    """What the queries need to know: the clock in office terms and a phone that exists."""

    now: dt.datetime
    day: tuple[dt.datetime, dt.datetime]
    week: tuple[dt.datetime, dt.datetime]
    month: tuple[dt.datetime, dt.datetime]
    year: tuple[dt.datetime, dt.datetime]
    phone: str
    clerk: str
    overdue_hours: int


Query = Callable[[Probe], Executable]


def _actor(p: Probe):
    return select(U).where(U.c.username == ADMIN_USERNAME)


def _setting(p: Probe):
    return (select(S.c.key, S.c.value)
            .where(S.c.key.in_(["office.timezone"]), S.c.scope == "global", S.c.effective_from <= p.now)
            .order_by(S.c.key, S.c.effective_from, S.c.id))


def _all_settings(p: Probe):
    return (select(S.c.key, S.c.value).where(S.c.scope == "global", S.c.effective_from <= p.now)
            .order_by(S.c.key, S.c.effective_from, S.c.id))


def _staff(p: Probe):
    return (select(U.c.id, U.c.name, U.c.staff_no).where(U.c.active.is_(True), U.c.role != "display")
            .order_by(U.c.name))


def _visitors():
    return select(V, HOST.c.name.label("host_name")).select_from(V.outerjoin(HOST, HOST.c.id == V.c.host_id))


def _messages():
    target = U.alias("target")
    return select(M, target.c.name.label("relay_to_name")).select_from(
        M.outerjoin(target, target.c.id == M.c.relay_to_id))


def _count(table, *conditions):
    return select(func.count()).select_from(table).where(*conditions)


def _org(p: Probe):
    return select(O).order_by(O.c.kind, O.c.name)


def _audit_range(p: Probe, *conditions):
    return (select(A).where(A.c.at >= p.week[0], A.c.at < p.week[1], *conditions)
            .order_by(A.c.at.desc(), A.c.id.desc()).limit(AUDIT_LIMIT))


# Page stem -> the queries its first render needs (what lib/services runs for it, minus repeats).
PAGE_SQL: dict[str, list[tuple[str, Query]]] = {
    "home": [
        ("actor", _actor), ("office tz", _setting),
        ("count on site", lambda p: _count(V, V.c.time_out.is_(None))),
        ("count today's visitors", lambda p: _count(V, V.c.time_in >= p.day[0], V.c.time_in < p.day[1])),
        ("count unrelayed", lambda p: _count(M, M.c.relayed_at.is_(None))),
        ("count overdue", lambda p: _count(M, M.c.relayed_at.is_(None),
                                           M.c.called_at < p.now - dt.timedelta(hours=p.overdue_hours))),
    ],
    "visitors": [
        ("actor", _actor), ("office tz", _setting), ("staff options", _staff),
        ("on site", lambda p: _visitors().where(V.c.time_out.is_(None)).order_by(V.c.time_in.desc())
         .limit(LIST_LIMIT)),
        ("today's visitors", lambda p: _visitors().where(V.c.time_in >= p.day[0], V.c.time_in < p.day[1])
         .order_by(V.c.time_in.desc()).limit(LIST_LIMIT)),
    ],
    "messages": [
        ("actor", _actor), ("office tz", _setting), ("staff options", _staff),
        ("unrelayed", lambda p: _messages().where(M.c.relayed_at.is_(None)).order_by(M.c.called_at)
         .limit(LIST_LIMIT)),
        ("relayed today", lambda p: _messages().where(M.c.relayed_at >= p.day[0], M.c.relayed_at < p.day[1])
         .order_by(M.c.relayed_at.desc()).limit(LIST_LIMIT)),
    ],
    "admin_users": [("actor", _actor), ("org units", _org),
                    ("users", lambda p: select(U).order_by(U.c.active.desc(), U.c.name))],
    "admin_org": [("actor", _actor), ("org units", _org)],
    "admin_settings": [("actor", _actor), ("settings", _all_settings)],
    "admin_audit": [
        ("actor", _actor), ("office tz", _setting),
        ("audit entities", lambda p: _DISTINCT_ENTITIES),
        ("audit last 7 days", _audit_range),
    ],
    "account": [("actor", _actor)],
}

# SQL behind a user's action on a page (not run on page load): search and lookups over history.
ACTION_SQL: dict[str, list[tuple[str, Query]]] = {
    "visitors: search name, 30 days": [
        ("search", lambda p: _visitors().where(V.c.time_in >= p.month[0], V.c.time_in < p.month[1],
                                               or_(V.c.name.like("%王%"), V.c.company.like("%王%")))
         .order_by(V.c.time_in.desc()).limit(LIST_LIMIT))],
    "visitors: search name, 366 days": [
        ("search", lambda p: _visitors().where(V.c.time_in >= p.year[0], V.c.time_in < p.year[1],
                                               or_(V.c.name.like("%王%"), V.c.company.like("%王%")))
         .order_by(V.c.time_in.desc()).limit(LIST_LIMIT))],
    "visitors: search phone, 366 days": [
        ("search", lambda p: _visitors().where(V.c.time_in >= p.year[0], V.c.time_in < p.year[1],
                                               V.c.phone_norm == p.phone)
         .order_by(V.c.time_in.desc()).limit(LIST_LIMIT))],
    "visitors: returning visitor by phone": [
        ("lookup", lambda p: select(V).where(V.c.phone_norm == p.phone).order_by(V.c.time_in.desc()).limit(1))],
    "audit: one user, 7 days": [
        ("search", lambda p: _audit_range(p, A.c.username == p.clerk))],
    "audit: one entity, 7 days": [
        ("search", lambda p: _audit_range(p, A.c.entity == "phone_message"))],
}


def load_modules() -> list[str]:
    """Import every ``bench/gen_*.py``: each registers its generator, and its ``page_sql()`` (no arguments,
    same shape as ``PAGE_SQL``) adds the queries of its pages. Returns what could not be loaded."""
    problems = []
    for info in sorted(pkgutil.iter_modules([str(ROOT / "bench")]), key=lambda i: i.name):
        if not info.name.startswith("gen_"):
            continue
        try:
            module = importlib.import_module(f"bench.{info.name}")
        except Exception as exc:  # noqa: BLE001  (one module's bad day must not stop the others' bench)
            problems.append(f"bench.{info.name} not loaded: {exc}")
            continue
        page_sql = getattr(module, "page_sql", None)
        if callable(page_sql) and not inspect.signature(page_sql).parameters:
            for page, queries in page_sql().items():
                PAGE_SQL.setdefault(page, queries)
        elif callable(page_sql):
            problems.append(f"bench.{info.name}.page_sql takes arguments; its page SQL is not timed")
        action_sql = getattr(module, "action_sql", None)  # searches and checks beside the pages (SQL only)
        if callable(action_sql):
            for name, queries in action_sql().items():
                ACTION_SQL.setdefault(name, queries)
    return problems


class Explain(Executable, ClauseElement):
    """``EXPLAIN`` of a statement, bound parameters processed by the real column types."""

    inherit_cache = False

    def __init__(self, statement):
        self.statement = statement


@compiles(Explain, "sqlite")
def _explain_sqlite(element, compiler, **kw):
    return "EXPLAIN QUERY PLAN " + compiler.process(element.statement, **kw)


@compiles(Explain, "postgresql")
def _explain_pg(element, compiler, **kw):
    return "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + compiler.process(element.statement, **kw)


def probe_for(engine: Engine) -> Probe:
    now = utcnow()
    with session_scope(engine, write=False) as session:
        tz = settings.office_zone(session)
        overdue = int(settings.get(session, "phone.relay_overdue"))
        phone = session.exec(select(V.c.phone_norm).where(V.c.phone_norm != "")
                             .order_by(V.c.id.desc()).limit(1)).scalar() or "13800000000"
        clerk = session.exec(select(A.c.username).order_by(A.c.id.desc()).limit(1)).scalar() or ADMIN_USERNAME
    today = now.astimezone(tz).date()

    def back(days: int) -> tuple[dt.datetime, dt.datetime]:
        return office.range_bounds(today - dt.timedelta(days=days), today, tz)

    return Probe(now=now, day=office.day_bounds(today, tz), week=back(7), month=back(30), year=back(365),
                 phone=phone, clerk=clerk, overdue_hours=overdue)


@contextmanager
def _read(engine: Engine) -> Iterator[Connection]:
    """A read-only unit as ``session_scope(write=False)`` opens it (plain BEGIN on SQLite)."""
    with engine.connect() as conn:
        conn.info["write"] = False
        try:
            yield conn
        finally:
            conn.rollback()
            conn.info.pop("write", None)


@dataclass
class SqlTiming:
    ms: float | None
    rows: int
    queries: list[dict] = field(default_factory=list)


def time_sql(engine: Engine, queries: list[tuple[str, Query]], probe: Probe, runs: int,
             explain: bool = False) -> SqlTiming:
    """Median over ``runs`` (after one warm-up) of running every query on one connection, rows fetched."""
    if not queries:
        return SqlTiming(ms=None, rows=0)
    statements = [(name, q(probe)) for name, q in queries]
    totals: list[float] = []
    per_query: dict[str, list[float]] = {name: [] for name, _ in statements}
    rows: dict[str, int] = {}
    for attempt in range(runs + 1):
        started = time.perf_counter()
        with _read(engine) as conn:
            for name, statement in statements:
                t0 = time.perf_counter()
                rows[name] = len(conn.execute(statement).all())
                per_query[name].append((time.perf_counter() - t0) * 1000)
        if attempt:
            totals.append((time.perf_counter() - started) * 1000)
    details = []
    for name, statement in statements:
        entry = {"name": name, "ms": round(statistics.median(per_query[name][1:]), 2), "rows": rows[name]}
        if explain:
            with _read(engine) as conn:
                plan = conn.execute(Explain(statement)).all()
            entry["plan"] = [str(r[-1]) for r in plan]
        details.append(entry)
    return SqlTiming(ms=round(statistics.median(totals), 2), rows=sum(rows.values()), queries=details)


# ---- pages through AppTest ------------------------------------------------------------------------------

def page_name(spec: PageSpec) -> str:
    return Path(spec.path).stem


@dataclass
class PageTiming:
    ms: float | None
    cpu_ms: float | None
    error: str = ""


def time_page(spec: PageSpec, runs: int, username: str = ADMIN_USERNAME, state: dict | None = None,
              check: Callable[[AppTest], str | None] | None = None) -> PageTiming:
    """Median wall ms of the page script's server run (after one warm-up), and the median CPU time this
    process spent on it (less sensitive to other load on a shared machine). An exception stops it.
    ``state``: session state set before the first run (a tab, a register picked, a date range); ``check``:
    looks at the page after the last run and returns what is wrong with it (then reported as the error)."""
    app = AppTest.from_file(str(ROOT / spec.path), default_timeout=60)
    app.session_state["authentication_status"] = True
    app.session_state["username"] = username
    for key, value in (state or {}).items():
        app.session_state[key] = value
    wall: list[float] = []
    cpu: list[float] = []
    for attempt in range(runs + 1):
        started, cpu_started = time.perf_counter(), time.process_time()
        app.run()
        elapsed, cpu_elapsed = time.perf_counter() - started, time.process_time() - cpu_started
        if app.exception:
            return PageTiming(None, None, app.exception[0].message.splitlines()[0][:200])
        if attempt:
            wall.append(elapsed * 1000)
            cpu.append(cpu_elapsed * 1000)
    problem = check(app) if check else None
    if problem:
        return PageTiming(None, None, problem)
    return PageTiming(round(statistics.median(wall), 2), round(statistics.median(cpu), 2))


# ---- targets: a fresh SQLite file or a fresh PostgreSQL schema --------------------------------------------

@dataclass
class Target:
    backend: str
    url: str                      # what DATABASE_URL is set to for the pages
    drop: Callable[[], None] = lambda: None
    reused: bool = False


def label(scale: float) -> str:
    return f"{scale:g}"


def _psycopg(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def sqlite_target(scale: float, seed: int, modules: list[str], reuse: bool) -> Target:
    path = RESULTS / f"bench_s{label(scale)}.db"
    url = f"sqlite:///{path}"
    if reuse and path.exists():
        engine = make_engine(url)
        try:
            found = generated_for(engine)
        finally:
            engine.dispose()
        today = utcnow().astimezone(office.zone("Asia/Shanghai")).date()
        if found == stamp(scale=scale, seed=seed, day=today, modules=modules):
            return Target("sqlite", url, reused=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return Target("sqlite", url)


def postgres_target(base_url: str, scale: float) -> Target:
    schema = f"bench_s{label(scale).replace('.', '_')}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(_psycopg(base_url))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = base_url + ("&" if "?" in base_url else "?") + f"options=-csearch_path%3D{schema}"

    def drop() -> None:
        cleanup = make_engine(_psycopg(base_url))
        with cleanup.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        cleanup.dispose()

    return Target("postgresql", url, drop=drop)


def _forget_app_engines() -> None:
    """Pages cache their engine per URL (st.cache_resource); drop it so the next database starts cold."""
    st.cache_resource.clear()
    gc.collect()


# ---- one scale on one backend -------------------------------------------------------------------------

@dataclass
class Result:
    scale: float
    backend: str
    page: str
    median_ms: float | None
    sql_ms: float | None
    rows: int
    generated_at: str
    kind: str = "page"
    cpu_ms: float | None = None
    error: str = ""
    note: str = ""
    queries: list[dict] = field(default_factory=list)


def prepare(target: Target, *, scale: float, seed: int, modules: list[str] | None,
            log: Callable[[str], None]) -> GenReport | None:
    """Migrate and fill a fresh target (nothing to do for a reused SQLite file)."""
    tag = f"[{target.backend} s{label(scale)}]"
    if target.reused:
        log(f"{tag} reusing {target.url}")
        return None
    engine = make_engine(_psycopg(target.url))
    try:
        upgrade(engine)
        log(f"{tag} generating…")
        report = generate(engine, scale=scale, seed=seed, modules=modules, log=log)
    finally:
        engine.dispose()
    log(f"{tag} generated {sum(report.rows.values()):,} rows in {report.seconds:.1f}s: "
        + ", ".join(f"{k} {v:,}" for k, v in report.rows.items()))
    return report


def _use(target: Target) -> None:
    """Point the pages at ``target``: DATABASE_URL, and a cold engine cache when it changes."""
    if os.environ.get("DATABASE_URL") != target.url:
        os.environ["DATABASE_URL"] = target.url
        _forget_app_engines()


def measure(targets: list[tuple[float, Target]], *, pages: list[PageSpec], runs: int, explain: bool,
            log: Callable[[str], None]) -> list[Result]:
    """Time every page on every target of one backend, the scales side by side page by page, so a
    load spike on a shared machine hits both scales of a comparison rather than one of them."""
    engines = {id(t): make_engine(_psycopg(t.url)) for _, t in targets}
    try:
        probes = {id(t): probe_for(engines[id(t)]) for _, t in targets}
        measured_at = utcnow().isoformat(timespec="seconds")
        results: list[Result] = []
        for spec in pages:
            name = page_name(spec)
            for scale, target in targets:
                _use(target)
                page = time_page(spec, runs)
                sql = time_sql(engines[id(target)], PAGE_SQL.get(name, []), probes[id(target)], runs, explain)
                note = page.error or ("" if name in PAGE_SQL else "no SQL list for this page in bench/run.py PAGE_SQL")
                log(f"  {target.backend:<10} s{label(scale):<5} {name:<18} page {_ms(page.ms):>9} ms"
                    f" (cpu {_ms(page.cpu_ms):>9})   sql {_ms(sql.ms):>9} ms   {note}")
                results.append(Result(scale, target.backend, name, page.ms, sql.ms, sql.rows, measured_at,
                                      cpu_ms=page.cpu_ms, error=page.error, note=note, queries=sql.queries))
        for name, queries in ACTION_SQL.items():
            for scale, target in targets:
                sql = time_sql(engines[id(target)], queries, probes[id(target)], runs, explain)
                log(f"  {target.backend:<10} s{label(scale):<5} {name:<36} sql {_ms(sql.ms):>9} ms")
                results.append(Result(scale, target.backend, name, None, sql.ms, sql.rows, measured_at, kind="action",
                                      queries=sql.queries))
        home = next((p for p in pages if page_name(p) == "home"), None)
        if home is not None:  # issue 15: the busy supervisor's inbox and one sweep (bench/inbox.py), last: it writes
            from bench import inbox as inbox_bench
            results += inbox_bench.measure(targets, engines, runs=runs, log=log, time_page=time_page, page_spec=home,
                                           use=_use, result_type=Result, measured_at=measured_at)
        return results
    finally:
        _forget_app_engines()
        for engine in engines.values():
            engine.dispose()


# ---- report --------------------------------------------------------------------------------------------

def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def markdown(results: list[Result], reports: list[GenReport], scales: list[float], runs: int, load: str) -> str:
    title = (f"# Duty Desk bench ({utcnow():%Y-%m-%d %H:%M} UTC, {platform.node()}, "
             f"Python {platform.python_version()}, median of {runs} runs after 1 warm-up)")
    legend = (f"Machine: {load}. Page ms = wall time of one server run of the page script through AppTest as an "
              "admin; page CPU ms = this process's CPU time for it (steadier when the machine is shared); "
              "SQL ms = the page's queries alone (bench/run.py PAGE_SQL) on one connection.")
    lines = [title, "", legend, ""]
    if reports:
        lines += ["## Generation", "", "| backend | scale | seconds | rows |", "|---|---:|---:|---|"]
        for r in reports:
            rows = ", ".join(f"{k} {v:,}" for k, v in r.rows.items())
            lines.append(f"| {r.backend} | {label(r.scale)} | {r.seconds:,.1f} | {rows} |")
        lines.append("")
    for backend in dict.fromkeys(r.backend for r in results):
        for scale in scales:
            chosen = [r for r in results if r.backend == backend and r.scale == scale]
            if not chosen:
                continue
            lines += [f"## {backend}, scale {label(scale)}", "",
                      "| page | page ms | page CPU ms | SQL ms | SQL share | rows | note |",
                      "|---|---:|---:|---:|---:|---:|---|"]
            for r in (r for r in chosen if r.kind == "page"):
                share = f"{100 * r.sql_ms / r.median_ms:.0f}%" if r.median_ms and r.sql_ms is not None else "—"
                lines.append(f"| {r.page} | {_ms(r.median_ms)} | {_ms(r.cpu_ms)} | {_ms(r.sql_ms)} | {share} | "
                             f"{r.rows:,} | {r.note} |")
            lines += ["", "| action (SQL only) | SQL ms | rows |", "|---|---:|---:|"]
            lines += [f"| {r.page} | {_ms(r.sql_ms)} | {r.rows:,} |" for r in chosen if r.kind == "action"]
            lines.append("")
    if len(scales) == 2:
        lines += compare_table(results, *scales)
    plans = [(r, q) for r in results for q in r.queries if q.get("plan")]
    if plans:
        lines += ["## Query plans", ""]
        for r, q in plans:
            lines += [f"- {r.backend} s{label(r.scale)} **{r.page} / {q['name']}** ({q['ms']} ms, {q['rows']} rows)",
                      "  ```", *[f"  {step}" for step in q["plan"]], "  ```"]
    return "\n".join(lines) + "\n"


def verdict(small: Result, big: Result) -> str:
    """The visitor page's target: under 150 ms at the big scale and at most 1.3x its small-scale time."""
    if small.median_ms is None or big.median_ms is None:
        return "FAIL (error)"
    ratio = big.median_ms / small.median_ms
    problems = []
    if big.median_ms >= TARGET_MS:
        problems.append(f"{big.median_ms:.0f} ms ≥ {TARGET_MS:.0f}")
    if ratio > TARGET_RATIO:
        problems.append(f"{ratio:.2f}× > {TARGET_RATIO}×")
    cpu = f" [CPU {big.cpu_ms:.0f} ms, {big.cpu_ms / small.cpu_ms:.2f}×]" if big.cpu_ms and small.cpu_ms else ""
    return ("PASS" if not problems else "FAIL (" + "; ".join(problems) + ")") + cpu


def compare_table(results: list[Result], small_scale: float, big_scale: float) -> list[str]:
    a, b = label(small_scale), label(big_scale)
    lines = [f"## Compare scale {a} → {b}", "",
             (f"| backend | page | page ms s{a} | page ms s{b} | ratio | CPU ratio | SQL ms s{a} | SQL ms s{b} "
              "| SQL ratio | target |"),
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for backend in dict.fromkeys(r.backend for r in results):
        small = {r.page: r for r in results if r.backend == backend and r.scale == small_scale}
        big = {r.page: r for r in results if r.backend == backend and r.scale == big_scale}
        for page in (p for p in small if p in big):
            s, g = small[page], big[page]
            ratio = f"{g.median_ms / s.median_ms:.2f}×" if s.median_ms and g.median_ms else "—"
            cpu_ratio = f"{g.cpu_ms / s.cpu_ms:.2f}×" if s.cpu_ms and g.cpu_ms else "—"
            sql_ratio = f"{g.sql_ms / s.sql_ms:.2f}×" if s.sql_ms and g.sql_ms else "—"
            target = verdict(s, g) if page in TARGET_PAGES else "—"
            lines.append(f"| {backend} | {page} | {_ms(s.median_ms)} | {_ms(g.median_ms)} | {ratio} | {cpu_ratio} | "
                         f"{_ms(s.sql_ms)} | {_ms(g.sql_ms)} | {sql_ratio} | {target} |")
    return lines + [""]


# ---- command line --------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="site-years of history (float, e.g. 0.1)")
    parser.add_argument("--compare", default="", help="two scales, e.g. 1,10: ratio per page and the targets")
    parser.add_argument("--backends", default="",
                        help="sqlite,postgresql (default: sqlite, plus postgresql when DATABASE_URL is set)")
    parser.add_argument("--pages", default="", help="comma-separated page names (file stem or url path)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per page and per SQL set (median)")
    parser.add_argument("--modules", default="", help="generators to run (default: all registered)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true",
                        help="keep a SQLite bench file generated today with the same scale, seed and modules")
    parser.add_argument("--explain", action="store_true", help="add each query's plan to latest.md/json")
    parser.add_argument("--keep", action="store_true",
                        help="keep the PostgreSQL schemas (their URLs are printed), e.g. for python -m bench.inbox")
    return parser.parse_args(argv)


def choose_backends(option: str, database_url: str) -> list[str]:
    is_pg = database_url.startswith(("postgresql", "postgres:"))
    wanted = [b.strip() for b in option.split(",") if b.strip()] or (["sqlite", "postgresql"] if is_pg else ["sqlite"])
    unknown = set(wanted) - {"sqlite", "postgresql"}
    if unknown:
        raise SystemExit(f"unknown backend(s): {', '.join(sorted(unknown))}")
    if "postgresql" in wanted and not is_pg:
        raise SystemExit("--backends postgresql needs DATABASE_URL=postgresql://... (the server to make a schema on)")
    return wanted


def choose_pages(option: str) -> list[PageSpec]:
    if not option:
        return list(PAGES)
    wanted = {p.strip() for p in option.split(",") if p.strip()}
    chosen = [p for p in PAGES if page_name(p) in wanted or p.url_path in wanted]
    if not chosen:
        raise SystemExit(f"no page matches {option!r}; pages: {', '.join(page_name(p) for p in PAGES)}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scales = [float(s) for s in args.compare.split(",") if s.strip()] if args.compare else [args.scale]
    if args.compare and len(scales) != 2:
        raise SystemExit("--compare takes two scales, e.g. --compare 1,10")
    if any(s <= 0 for s in scales):
        raise SystemExit("scales must be positive")
    base_url = os.environ.get("DATABASE_URL", "")
    backends = choose_backends(args.backends, base_url)
    pages = choose_pages(args.pages)
    RESULTS.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        print(message, flush=True)

    for problem in load_modules():
        log(f"warning: {problem}")
    modules = [m.strip() for m in args.modules.split(",") if m.strip()] or None
    unknown = set(modules or ()) - set(GENERATORS)
    if unknown:
        raise SystemExit(f"unknown generator(s): {', '.join(sorted(unknown))}; known: {', '.join(GENERATORS)}")
    log(f"generators: {', '.join(modules or GENERATORS)}")

    reports: list[GenReport] = []
    results: list[Result] = []
    load_before = os.getloadavg()
    try:
        for backend in backends:
            targets: list[tuple[float, Target]] = []
            try:
                for scale in scales:
                    target = (sqlite_target(scale, args.seed, modules or list(GENERATORS), args.reuse)
                              if backend == "sqlite"
                              else postgres_target(base_url, scale))
                    targets.append((scale, target))
                    report = prepare(target, scale=scale, seed=args.seed, modules=modules, log=log)
                    reports += [report] if report else []
                results += measure(targets, pages=pages, runs=args.runs, explain=args.explain, log=log)
            finally:
                for _, target in targets:
                    if args.keep and target.backend == "postgresql":
                        log(f"kept: {target.url}")
                    else:
                        target.drop()
    finally:
        if base_url:
            os.environ["DATABASE_URL"] = base_url
        else:
            os.environ.pop("DATABASE_URL", None)

    load = f"load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after, {os.cpu_count()} CPUs"
    text_md = markdown(results, reports, scales, args.runs, load)
    (RESULTS / "latest.md").write_text(text_md, encoding="utf-8")
    (RESULTS / "latest.json").write_text(json.dumps({
        "generated_at": utcnow().isoformat(timespec="seconds"), "runs": args.runs, "seed": args.seed,
        "generators": modules or list(GENERATORS),
        "machine": {"node": platform.node(), "python": platform.python_version(), "cpus": os.cpu_count(),
                    "load": load},
        "generation": [asdict(r) for r in reports],
        "results": [asdict(r) for r in results],
    }, ensure_ascii=False, indent=2), encoding="utf-8")
    print()
    print(text_md)
    failed = [r for r in results if r.error]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
