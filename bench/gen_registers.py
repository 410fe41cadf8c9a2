"""Bench history for the register engine (issue 14) and the SQL of the register page.

The largest register is 一般查询登记 (``general_query``, seed 000 D14): every enquiry at the desk is one entry.
Scale 1 is one year of ``PER_YEAR`` = 100,000 entries (scale 10: one million), recorded and locked on submit
with their gap-free numbers as the service leaves them, the last ``STEP_DAYS`` days' with their create and
submit steps in ``register_step``.
Rows go in by executemany through ``bench.generate`` (no service calls: a million entries in minutes).

Importing this module registers the ``registers`` generator; ``page_sql()`` holds the register page's queries and
``action_sql()`` the name search (a ``LIKE`` inside the list's bounded date range) for ``bench/run.py``.
Standalone, it times the page, the name search, the capped Excel export and the streamed CSV at two scales on a
SQLite file of its own:

    .venv/bin/python -m bench.gen_registers --compare 1,10
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import time
from collections.abc import Iterator

from sqlalchemy import func, select

from bench.generate import Context, Row, generator
from db.models import SettingValue, User
from db.models_registers import CUSTOM_ENTRY, RegisterCounter, RegisterDefinition, RegisterStep, register_table
from lib.domain.registers import REGISTRY

REGISTER = "general_query"
PER_YEAR = 100_000
TODAY = 40
PAGE_DAYS = 30  # the page's default date range (lib/views/registers.py LIST_DAYS)
# Steps (create, submit) are written for the entries of the last STEP_DAYS only: an entry's steps are read by
# their unique (register, entry_id, seq) index one entry at a time, so older ones change no timing here and
# would triple the rows to generate.
STEP_DAYS = 60
SEARCH = "王"   # a common surname: the name search matches many enquirers
ABSENT = "欧阳无名"  # a name nobody has: the search reads the whole date range (its worst case)
G = register_table(REGISTER)
STEP = RegisterStep.__table__
COUNTER = RegisterCounter.__table__
U = User.__table__
DEF = RegisterDefinition.__table__
RDEF = REGISTRY[REGISTER]

CONTENTS = ("客户联系人电话", "合同签订日期", "车辆交付进度", "维修工单进度", "发票开具情况", "保险到期时间",
            "上月销售数据", "展厅活动安排", "配件库存", "客户回访记录")
PURPOSES = ("回访", "核对", "投诉处理", "报表", "活动邀约", "续保提醒")


@generator("registers")
def registers(ctx: Context) -> Iterator[list[Row]]:
    """``PER_YEAR`` enquiries a year in office hours, each recorded on submit (two steps) and numbered."""
    names = [ctx.fake.name() for _ in range(3_000)]
    clerks = ctx.desk
    number = 0
    counts = ctx.spread(PER_YEAR, TODAY)
    for index, (day, count) in enumerate(zip(ctx.days, counts, strict=True)):
        if day == ctx.today:
            start, end = ctx.today_window()
        else:
            start, end = 8.5 * 60, 17.5 * 60
        minutes = sorted(ctx.rng.uniform(start, end) for _ in range(count))
        rows: list[Row] = []
        for minute in minutes:
            at = ctx.at(day, minute)
            who = ctx.rng.choice(clerks)
            number += 1
            entry_id = ctx.new_id(G)
            rows.append((G, {
                "id": entry_id, "no": number, "stream": "", "state": "recorded", "version": 1,
                "supersedes_id": None, "superseded_by_id": None, "created_by_id": who.id, "department_id": None,
                "created_at": at, "submitted_at": at, "decided_at": at, "locked_at": at, "updated_at": at,
                "due_at": None, "chain": [], "step_no": 0, "step_title": None, "reason": "", "idem_key": None,
                "asked_at": at, "enquirer": ctx.rng.choice(names), "content": ctx.rng.choice(CONTENTS),
                "purpose": ctx.rng.choice(PURPOSES), "result": "已答复" if ctx.rng.random() < 0.7 else None,
                "remarks": None}))
            for seq, action in ((1, "create"), (2, "submit")) if index >= len(ctx.days) - STEP_DAYS else ():
                rows.append((STEP, {"id": ctx.new_id(STEP), "register": REGISTER, "entry_id": entry_id, "seq": seq,
                                    "action": action, "step_index": None, "title": "", "actor_id": who.id,
                                    "actor_name": who.username, "at": at, "note": ""}))
        if index == len(ctx.days) - 1 and number:
            rows.append((COUNTER, {"register": REGISTER, "stream": "", "last": number}))
        yield rows


def _list(p, days: int = PAGE_DAYS, text: str = ""):
    start, end = p.month if days <= 31 else p.year
    query = select(G).where(G.c.asked_at >= start, G.c.asked_at < end, G.c.superseded_by_id.is_(None))
    if text:
        query = query.where(G.c.enquirer.like(f"%{text}%", escape="\\"))
    return query.order_by(G.c.asked_at.desc(), G.c.id.desc()).limit(51)


def page_sql() -> dict:
    """The register page's first render as an admin: the settings it reads, the general_query page of 50 of the
    last 30 days (asked_at, id index) and its keepers' names; the other tabs' registers are empty lists alike."""
    return {
        "registers": [
            ("register settings", lambda p: select(SettingValue).where(SettingValue.__table__.c.key.like("registers.%"))),
            ("general_query, 30 days, first page", lambda p: _list(p)),
            ("keepers' names", lambda p: select(U.c.id, U.c.name).where(U.c.id.in_(
                select(G.c.created_by_id).where(G.c.asked_at >= p.month[0], G.c.asked_at < p.month[1])
                .order_by(G.c.asked_at.desc()).limit(50).scalar_subquery())).limit(50)),
            ("custom definitions", lambda p: select(DEF)),
            ("a custom register, 30 days", lambda p: select(CUSTOM_ENTRY).where(
                CUSTOM_ENTRY.c.definition_id == 1, CUSTOM_ENTRY.c.created_at >= p.month[0],
                CUSTOM_ENTRY.c.created_at < p.month[1]).order_by(CUSTOM_ENTRY.c.created_at.desc()).limit(51)),
        ],
    }


def action_sql() -> dict:
    """The name search the list's text box runs: a LIKE on 询问人 inside the list's date range, which the
    service bounds (at most 366 days); the (asked_at, id) index reads that range only."""
    return {
        "registers: search name, 30 days": [("search", lambda p: _list(p, 30, SEARCH))],
        "registers: search name, 366 days": [("search", lambda p: _list(p, 366, SEARCH))],
        "registers: count for the Excel cap, 366 days": [("count", lambda p: select(func.count()).select_from(G).where(
            G.c.asked_at >= p.year[0], G.c.asked_at < p.year[1], G.c.superseded_by_id.is_(None)))],
    }


# ---- standalone: the page, the search and both exports at two scales ------------------------------------

def measure(scale: float, runs: int, reuse: bool, directory: str = "", database_url: str = "",
            keep: bool = False) -> dict:
    """Every figure as wall ms (``<name>_ms``) and CPU ms of this process (``<name>_cpu_ms``; for PostgreSQL
    the server's own work is not in it), with the load average before and after."""
    os.environ.setdefault("DUTYDESK_COOKIE_KEY", secrets.token_urlsafe(48)[:48])
    os.environ.setdefault("DUTYDESK_BCRYPT_ROUNDS", "4")
    from bench.standalone import load_average, median_ms, module_target, shows_rows
    from db.engine import session_scope
    from lib.domain.errors import DomainError
    from lib.services import registers as R
    from lib.services.base import fresh_actor
    from lib.services.settings import office_zone_now

    engine, seconds, drop = module_target("registers", scale, reuse=reuse, marker=G, directory=directory,
                                          database_url=database_url)
    try:
        with session_scope(engine, write=False) as session:
            total = session.execute(select(func.count()).select_from(G)).scalar_one()
            admin = session.execute(select(User).where(User.role == "admin")).scalars().first()
            actor = fresh_actor(session, admin)
        _, today = office_zone_now(engine)
        month = R.Query(first=today - dt.timedelta(days=PAGE_DAYS), last=today)
        year = R.Query(first=today - dt.timedelta(days=365), last=today)

        def listing(query):
            return lambda: R.list_entries(engine, actor=actor, register=REGISTER, query=query)

        out = {"scale": scale, "backend": engine.dialect.name, "entries": total, "generated_s": seconds,
               "load_before": load_average()}
        from bench.run import PAGES, Target, _use, page_name, time_page  # the page as bench/run.py times it
        _use(Target(engine.dialect.name, engine.url.render_as_string(hide_password=False)))
        page = time_page(next(p for p in PAGES if page_name(p) == "registers"), runs, check=shows_rows(REGISTER))
        if page.error:
            raise SystemExit(f"registers page failed: {page.error}")
        out["page_ms"], out["page_cpu_ms"] = page.ms, page.cpu_ms
        out["list_30d_ms"], out["list_30d_cpu_ms"] = median_ms(listing(month), runs)
        out["list_366d_ms"], out["list_366d_cpu_ms"] = median_ms(listing(year), runs)
        search_month = R.Query(first=month.first, last=month.last, text=SEARCH)
        search_year = R.Query(first=year.first, last=year.last, text=SEARCH)
        out["search_30d_ms"], out["search_30d_cpu_ms"] = median_ms(listing(search_month), runs)
        out["search_366d_ms"], out["search_366d_cpu_ms"] = median_ms(listing(search_year), runs)
        absent_year = R.Query(first=year.first, last=year.last, text=ABSENT)
        out["search_absent_366d_ms"], out["search_absent_366d_cpu_ms"] = median_ms(listing(absent_year), runs)
        out["excel_30d_ms"], out["excel_30d_cpu_ms"] = median_ms(
            lambda: R.export_xlsx(engine, actor=actor, register=REGISTER, query=month), max(1, runs // 2))

        refusals = []

        def refused():
            try:
                R.export_xlsx(engine, actor=actor, register=REGISTER, query=year)
            except DomainError as exc:
                assert exc.key == "registers.export_cap"
                refusals.append(True)
            else:
                refusals.append(False)  # a small scale: a year is under the cap, and this is the whole export

        out["excel_cap_refusal_366d_ms"], out["excel_cap_refusal_366d_cpu_ms"] = median_ms(refused, runs)
        out["excel_366d_refused"] = all(refusals)
        def first_rows():  # the header row alone is the first chunk; the first rows come with the next one
            stream = R.export_csv(engine, actor=actor, register=REGISTER, query=year)
            next(stream)
            next(stream, b"")
            stream.close()

        out["csv_first_rows_ms"], out["csv_first_rows_cpu_ms"] = median_ms(first_rows, runs)
        started, cpu_started = time.perf_counter(), time.process_time()
        stream = R.export_csv(engine, actor=actor, register=REGISTER, query=year)
        header = next(stream)
        first = next(stream, b"")
        size, lines = len(header) + len(first), header.count(b"\n") + first.count(b"\n")
        for chunk in stream:
            size += len(chunk)
            lines += chunk.count(b"\n")
        out["csv_366d_total_ms"] = round((time.perf_counter() - started) * 1000, 1)
        out["csv_366d_total_cpu_ms"] = round((time.process_time() - cpu_started) * 1000, 1)
        out["csv_366d_mb"] = round(size / 1e6, 1)
        out["csv_366d_lines"] = lines
        out["load_after"] = load_average()
    finally:
        engine.dispose()
        if not keep:
            drop()
    return out


def verdict(small: dict, large: dict, limit_ms: float = 150, ratio_limit: float = 1.3) -> tuple[bool, str]:
    """The issue's bar on the page, judged on wall time AND on CPU time: each under ``limit_ms`` at the larger
    scale and within ``ratio_limit`` × the smaller scale's. PASS only when all four hold; the line names
    each."""
    parts, ok = [], True
    for kind, key in (("wall", "page_ms"), ("CPU", "page_cpu_ms")):
        ratio = large[key] / small[key] if small[key] else float("nan")
        fast, flat = large[key] < limit_ms, ratio <= ratio_limit
        ok = ok and fast and flat
        parts.append(f"{kind} {large[key]:.1f} ms ({'<' if fast else '≥'} {limit_ms:g}), ×{ratio:.2f} "
                     f"({'≤' if flat else '>'} {ratio_limit:g}) → {'pass' if fast and flat else 'FAIL'}")
    return ok, "; ".join(parts)


def interleave(scales: list[float], runs: int, directory: str) -> int:
    """The register page on the SQLite files of ``scales`` (made by an earlier run), timed in turns."""
    os.environ.setdefault("DUTYDESK_COOKIE_KEY", secrets.token_urlsafe(48)[:48])
    os.environ.setdefault("DUTYDESK_BCRYPT_ROUNDS", "4")
    from bench.standalone import interleaved_page, load_average, shows_rows
    from db.engine import ROOT

    folder = directory or str(ROOT / "bench" / "results")
    urls = [f"sqlite:///{folder}/registers_s{s:g}.db" for s in scales]
    before = load_average()
    rows = interleaved_page("pages/registers.py", urls, runs, check=shows_rows(REGISTER))
    print(f"registers page, {runs} runs in turns, load average {before} before, {load_average()} after")
    for scale, row in zip(scales, rows, strict=True):
        print(f"  scale {scale:g}: {row}")
    if len(rows) == 2 and not any(r["problem"] for r in rows):
        small, large = ({"page_ms": r["ms"], "page_cpu_ms": r["cpu_ms"]} for r in rows)
        ok, detail = verdict(small, large)
        print(f"  {detail} → {'PASS' if ok else 'FAIL'} (target < 150 ms and ≤ 1.3×, on wall and on CPU)")
    return 0


def main(argv: list[str] | None = None) -> int:
    from bench.standalone import add_target_args

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", default="1,10", help="two scales, e.g. 1,10 (or one scale)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--interleave", action="store_true",
                        help="only the page, on the SQLite files an earlier run left in --dir, timed in turns")
    add_target_args(parser)
    args = parser.parse_args(argv)
    if args.interleave:
        return interleave([float(s) for s in args.compare.split(",")], args.runs, args.dir)
    results = []
    for s in args.compare.split(","):
        result = measure(float(s), args.runs, args.reuse, args.dir, args.database_url, args.keep)
        print(result, flush=True)
        results.append(result)
    if len(results) == 2:
        small, large = results
        print(f"{'':<30} {'scale ' + format(small['scale'], 'g'):>21} {'scale ' + format(large['scale'], 'g'):>21}"
              "   wall ×   CPU ×")
        for key in [k for k in small if k.endswith("_ms") and not k.endswith("_cpu_ms")]:
            cpu = key[:-3] + "_cpu_ms"
            ratio = large[key] / small[key] if small[key] else float("nan")
            cpu_ratio = large[cpu] / small[cpu] if small.get(cpu) else float("nan")
            print(f"{key[:-3]:<30} {small[key]:>9.1f} (CPU {small.get(cpu, float('nan')):>6.1f})"
                  f" {large[key]:>9.1f} (CPU {large.get(cpu, float('nan')):>6.1f})   ×{ratio:.2f}   ×{cpu_ratio:.2f}")
        ok, detail = verdict(small, large)
        print(f"registers page at {large['entries']:,} entries vs {small['entries']:,}: {detail} → "
              f"{'PASS' if ok else 'FAIL'} (target < 150 ms and ≤ 1.3×, on wall and on CPU)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
